//! What a run did: every step's request, response, criteria and outputs, and the workflow's
//! outcome and outputs. Secrets are already redacted in every field.

use std::borrow::Cow;
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
    /// `retry` action transferred to (each says how in its [`WorkflowReport::reached_by`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workflows: Vec<WorkflowReport>,
    /// For a workflow run by another (a dependency, a workflow step, a `goto` or `retry`
    /// target): how it was reached. None for the workflow a run was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reached_by: Option<Reached>,
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

    /// Redacts every text of the report again with `redactor`: for the secrets a run learnt
    /// after some of the report was written (a called workflow's secret input taken from an
    /// earlier step's response).
    pub(crate) fn redact(&mut self, redactor: &Redactor) {
        let text = |text: &mut String| {
            if let Cow::Owned(redacted) = redactor.text(text) {
                *text = redacted;
            }
        };
        let pairs = |pairs: &mut Vec<(String, String)>| {
            pairs.iter_mut().for_each(|(_, value)| text(value));
        };
        let value = |value: &mut Value| *value = redactor.value(value);
        match &mut self.outcome {
            Outcome::Failed { reason, .. } => text(reason),
            Outcome::Error { message, .. } => text(message),
            Outcome::DependencyFailed { reason, .. } => text(reason),
            Outcome::Passed => {}
        }
        self.outputs.values_mut().for_each(value);
        pairs(&mut self.unresolved_outputs);
        for step in &mut self.steps {
            if let Some(request) = &mut step.request {
                text(&mut request.url);
                pairs(&mut request.headers);
                request.body.iter_mut().for_each(value);
            }
            if let Some(response) = &mut step.response {
                pairs(&mut response.headers);
                response.body.iter_mut().for_each(value);
            }
            for criterion in &mut step.criteria {
                criterion.reason.iter_mut().for_each(text);
            }
            step.outputs.values_mut().for_each(value);
            step.warnings.iter_mut().for_each(text);
            if let Some(error) = &mut step.error {
                text(&mut error.message);
            }
            if let Some(workflow) = &mut step.workflow {
                workflow.redact(redactor);
            }
        }
        for workflow in &mut self.workflows {
            workflow.redact(redactor);
        }
    }
}

/// How a workflow came to be run by another one (in the JSON report,
/// `{"by": "goto", "step_id": "…", "action": "…"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum Reached {
    /// Listed in the `dependsOn` of the workflow that ran it.
    DependsOn,
    /// Called by the workflow step `step_id`.
    Step {
        /// The calling step.
        step_id: String,
    },
    /// The target of the `goto` action `action` taken after step `step_id`.
    Goto {
        /// The step whose action it was.
        step_id: String,
        /// The action's name.
        action: String,
    },
    /// Run by the `retry` action `action` of step `step_id`, before the step is retried.
    Retry {
        /// The step whose action it was.
        step_id: String,
        /// The action's name.
        action: String,
    },
}

impl Reached {
    /// The step that reached the workflow (empty for a dependency).
    pub fn step_id(&self) -> &str {
        match self {
            Reached::DependsOn => "",
            Reached::Step { step_id }
            | Reached::Goto { step_id, .. }
            | Reached::Retry { step_id, .. } => step_id,
        }
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
        /// What kind of failure ([`StepErrorKind::Criteria`], [`StepErrorKind::Status`],
        /// [`StepErrorKind::Conformance`], [`StepErrorKind::Workflow`]).
        kind: StepErrorKind,
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
        /// What kind of error (e.g. [`StepErrorKind::Timeout`], [`StepErrorKind::Request`]).
        kind: StepErrorKind,
    },
}

impl Outcome {
    /// The step error the workflow stopped on: the step, its kind and message (none for a
    /// passed workflow or a failed dependency).
    pub fn step_error(&self) -> Option<(&str, StepErrorKind, &str)> {
        match self {
            Outcome::Failed {
                step_id,
                reason,
                kind,
            } => Some((step_id, *kind, reason)),
            Outcome::Error {
                step_id,
                message,
                kind,
            } => Some((step_id, *kind, message)),
            Outcome::Passed | Outcome::DependencyFailed { .. } => None,
        }
    }
}

/// Why a step failed or could not run: a kind to act on and the message to show.
///
/// In the JSON report a step's error is two fields, `error` (the message) and `error_kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepError {
    /// One line, or more for a multi-line cause (secrets redacted).
    #[serde(rename = "error")]
    pub message: String,
    /// What kind of failure.
    #[serde(rename = "error_kind")]
    pub kind: StepErrorKind,
}

impl StepError {
    /// An error of `kind`.
    pub fn new(kind: StepErrorKind, message: impl Into<String>) -> StepError {
        StepError {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The kinds of [`StepError`]: what an embedder can act on (retry a timeout, fix a document
/// for a request that cannot be built). Serialised in kebab case (`no-recording`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum StepErrorKind {
    /// The request could not be built: a parameter, body or replacement that did not
    /// resolve, a path parameter with no value, a header that cannot be sent.
    Request,
    /// No credential could be obtained: the OAuth2 token request failed.
    Credentials,
    /// Nothing answered: refused, unreachable, DNS, TLS.
    Connect,
    /// The connect or request timeout passed.
    Timeout,
    /// The response body was larger than the cap.
    TooLarge,
    /// Replaying: no recorded exchange matches the request.
    NoRecording,
    /// The executor failed in another way.
    Executor,
    /// A success criterion did not hold.
    Criteria,
    /// The step has no success criteria and its status is not 2xx.
    Status,
    /// Strict mode: the response does not match the OpenAPI description.
    Conformance,
    /// The workflow the step calls did not pass, or its inputs are invalid.
    Workflow,
    /// A limit of the run stopped it (steps, loops, nesting, deadline).
    Limit,
}

impl StepErrorKind {
    /// Whether a step with this error got no usable answer ([`Outcome::Error`]) rather than
    /// an answer that failed its checks ([`Outcome::Failed`]).
    pub fn is_error(self) -> bool {
        !matches!(
            self,
            StepErrorKind::Criteria
                | StepErrorKind::Status
                | StepErrorKind::Conformance
                | StepErrorKind::Workflow
        )
    }
}

impl From<crate::ExecutorErrorKind> for StepErrorKind {
    fn from(kind: crate::ExecutorErrorKind) -> StepErrorKind {
        match kind {
            crate::ExecutorErrorKind::Connect => StepErrorKind::Connect,
            crate::ExecutorErrorKind::Timeout => StepErrorKind::Timeout,
            crate::ExecutorErrorKind::TooLarge => StepErrorKind::TooLarge,
            crate::ExecutorErrorKind::NoRecording => StepErrorKind::NoRecording,
            crate::ExecutorErrorKind::Other => StepErrorKind::Executor,
        }
    }
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
    #[serde(flatten)]
    pub error: Option<StepError>,
    /// Wall time of the step.
    #[serde(serialize_with = "milliseconds")]
    pub duration: Duration,
}

impl StepReport {
    /// Why the step failed or erred, as the message to show.
    pub fn error_message(&self) -> Option<&str> {
        self.error.as_ref().map(|error| error.message.as_str())
    }
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
