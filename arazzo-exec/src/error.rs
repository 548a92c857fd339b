//! Errors of planning and running.

use crate::inputs::InputProblem;

/// A document could not be turned into a runnable plan (nothing was sent).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// An expression field that does not parse (validation reports these first).
    #[error("{location}: {message}")]
    Expression {
        /// Where: `workflow `w` step `s` parameter `p``.
        location: String,
        /// The parse error.
        message: String,
    },
    /// A step whose target (its operation or workflow) does not resolve.
    #[error("step `{step_id}`: {message}")]
    Target {
        /// The step.
        step_id: String,
        /// Why.
        message: String,
    },
    /// An action's target (a step or a workflow) or a `dependsOn` workflow that does not
    /// resolve.
    #[error("{location}: {message}")]
    Reference {
        /// Where: `workflow `w` step `s` onSuccess `a``, `workflow `w` dependsOn`.
        location: String,
        /// Why, naming the target as a step or a workflow.
        message: String,
    },
    /// A workflow's `inputs` schema that does not compile.
    #[error("workflow `{workflow_id}`: invalid inputs schema: {message}")]
    InputSchema {
        /// The workflow.
        workflow_id: String,
        /// The schema compiler's message.
        message: String,
    },
    /// A feature of the spec this engine does not run yet.
    #[error("step `{step_id}`: {what} not supported yet")]
    Unsupported {
        /// The step.
        step_id: String,
        /// What is not supported.
        what: String,
    },
}

/// A workflow could not be started (nothing was sent).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// No workflow has this id.
    #[error("no workflow `{workflow_id}`; the document has {}", available.join(", "))]
    UnknownWorkflow {
        /// The id asked for.
        workflow_id: String,
        /// The ids there are.
        available: Vec<String>,
    },
    /// The inputs do not match the workflow's `inputs` schema.
    #[error("invalid inputs: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidInputs {
        /// Every problem.
        problems: Vec<InputProblem>,
    },
}
