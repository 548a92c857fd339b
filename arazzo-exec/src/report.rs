//! What a run did: every step's request, response, criteria and outputs, and the workflow's
//! outcome and outputs. Secrets are already redacted in every field.

use std::time::Duration;

use indexmap::IndexMap;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::redact::Redactor;

/// The result of running one workflow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkflowReport {
    /// The workflow that ran.
    pub workflow_id: String,
    /// Passed, failed (a criterion), or error (no response, an expression that did not
    /// resolve).
    pub outcome: Outcome,
    /// Each step run, in order.
    pub steps: Vec<StepReport>,
    /// The workflow outputs that resolved.
    pub outputs: IndexMap<String, Value>,
    /// The workflows listed in `dependsOn` that ran first, and workflows that a `goto` or
    /// `retry` action transferred to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workflows: Vec<WorkflowReport>,
    /// Workflow outputs that did not resolve, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unresolved_outputs: Vec<(String, String)>,
    /// The workflow's steps that did not run (after the step where it stopped, or skipped
    /// by a `goto`), in document order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_run: Vec<String>,
    /// Wall time of the whole run.
    #[serde(serialize_with = "milliseconds")]
    pub duration: Duration,
    /// The run's redactor: every secret the run knew (secret inputs, credentials, OAuth2
    /// client secrets and tokens, passwords in server URLs). Anything else written about the
    /// run must go through it, e.g. its cassette
    /// (`recording.cassette(&report.redactor)`). Set on the report [`Engine::run`]
    /// returns; the reports nested in it (called workflows) have an empty one. Never
    /// serialised.
    ///
    /// [`Engine::run`]: crate::Engine::run
    #[serde(skip)]
    pub redactor: Redactor,
}

impl WorkflowReport {
    /// Whether the workflow passed.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }
}

/// How a workflow ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Outcome {
    /// Every step succeeded.
    Passed,
    /// A step's success criteria did not hold.
    Failed {
        /// The failing step.
        step_id: String,
        /// Why, one line.
        reason: String,
    },
    /// A workflow listed in `dependsOn` did not pass, so none of the steps ran.
    DependencyFailed {
        /// The dependency.
        workflow_id: String,
        /// Why it failed.
        reason: String,
    },
    /// A step could not be run or got no response.
    Error {
        /// The step.
        step_id: String,
        /// The cause, one line (e.g. `connection refused to 127.0.0.1:9`).
        message: String,
    },
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepReport {
    /// The step.
    pub step_id: String,
    /// The request sent, if one was built.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestRecord>,
    /// The response received, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseRecord>,
    /// Each success criterion and its result.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<CriterionRecord>,
    /// The step outputs that resolved.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub outputs: IndexMap<String, Value>,
    /// Passed, failed or error.
    pub outcome: StepOutcome,
    /// The success or failure action taken after the step, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// For a step that calls a workflow: that workflow's report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow: Option<Box<WorkflowReport>>,
    /// Where the response does not match the OpenAPI description (see `strict`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Why the step failed or erred.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Wall time of the step.
    #[serde(serialize_with = "milliseconds")]
    pub duration: Duration,
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepOutcome {
    /// Its success criteria held.
    Passed,
    /// A success criterion did not hold.
    Failed,
    /// It could not run or got no response.
    Error,
}

/// A request as sent (secrets redacted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestRecord {
    /// The method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// Header fields.
    pub headers: Vec<(String, String)>,
    /// The body: JSON when it is JSON, else text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// A response as received (secrets redacted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRecord {
    /// The status code.
    pub status: u16,
    /// Header fields.
    pub headers: Vec<(String, String)>,
    /// The body: JSON when it parses as JSON, else text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// One success criterion and its result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionRecord {
    /// The condition, as written.
    pub condition: String,
    /// Whether it held.
    pub passed: bool,
    /// Why it did not hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Serialises a duration as milliseconds with microsecond precision (`1.234`).
pub(crate) fn milliseconds<S: Serializer>(
    duration: &Duration,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((duration.as_secs_f64() * 1_000_000.0).round() / 1000.0)
}
