//! One step: its request built, sent and checked against the description, its success
//! criteria and outputs; or, for a workflow step, the workflow it calls.

use std::time::Instant;

use arazzo_expr::evaluate;
use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::run::{BoxFuture, Ran, Run, StepRun, WorkflowRun, check, seconds};
use crate::auth::userinfo_secrets;
use crate::context::{ExchangeView, ResponseView, Scope};
use crate::executor::Response;
use crate::plan::{Call, StepPlan, WorkflowRef};
use crate::report::{
    CriterionRecord, Outcome, Reached, RequestRecord, ResponseRecord, StepError, StepErrorKind,
    StepOutcome, StepReport,
};
use crate::value::Evaluated;

impl StepRun {
    /// A step that stopped before it had outputs, with `error` (redacted) as its cause.
    fn stopped(
        mut report: StepReport,
        error: StepError,
        exchange: Option<ExchangeView>,
    ) -> StepRun {
        report.error = Some(error);
        StepRun {
            report,
            outputs: IndexMap::new(),
            exchange,
            callee_outputs: None,
        }
    }
}

fn new_report(step_id: &str) -> StepReport {
    StepReport {
        step_id: step_id.to_string(),
        request: None,
        response: None,
        criteria: Vec::new(),
        outputs: IndexMap::new(),
        outcome: StepOutcome::Error,
        action: None,
        workflow: None,
        warnings: Vec::new(),
        error: None,
        duration: std::time::Duration::ZERO,
    }
}

impl<'e> Run<'e> {
    /// Runs one step of `run` (without its actions).
    pub(super) fn step<'a>(
        &'a mut self,
        run: &'a WorkflowRun<'e>,
        step: &'e StepPlan,
    ) -> BoxFuture<'a, StepRun> {
        Box::pin(async move {
            let started = Instant::now();
            let mut ran = match &step.call {
                Call::Operation(_) => self.operation_step(run, step).await,
                Call::Workflow(reference) => self.workflow_step(run, step, reference).await,
            };
            ran.report.duration = started.elapsed();
            ran
        })
    }

    async fn operation_step(&mut self, run: &WorkflowRun<'e>, step: &'e StepPlan) -> StepRun {
        let report = new_report(&step.id);
        let credentials = self
            .credentials
            .for_step(
                &step.security,
                &run.inputs,
                self.engine.executor.as_ref(),
                &mut self.redactor,
            )
            .await;
        let credentials = match credentials {
            Ok(credentials) => credentials,
            Err(err) => return StepRun::stopped(report, self.redacted(err), None),
        };
        let mut scope = run.scope(&self.results);
        let credentials = match x_security(step, &scope, &mut self.redactor) {
            Ok(explicit) => explicit.into_iter().chain(credentials).collect::<Vec<_>>(),
            Err(err) => return StepRun::stopped(report, self.redacted(err), None),
        };
        let (request, mut exchange) = match crate::request::build(step, &scope, &credentials) {
            Ok(built) => built,
            Err(err) => return StepRun::stopped(report, self.redacted(err), None),
        };
        let mut report = report;
        self.redactor.add(userinfo_secrets(&request.url));
        let redactor = &self.redactor;
        // Headers and bodies go into the report redacted, and only with exchange details.
        let details = self.engine.exchange_details;
        let record_headers = |headers: &[(String, String)]| match details {
            true => redactor.headers(headers),
            false => Vec::new(),
        };
        let record_body =
            |body: Option<&Value>| body.filter(|_| details).map(|body| redactor.value(body));
        report.request = Some(RequestRecord {
            method: request.method.to_string(),
            url: redactor.text(request.url.as_str()).into_owned(),
            headers: record_headers(&request.headers),
            // A form is shown as the text sent: its fields as the server reads them, whatever
            // the payload was (an object, text with replacements).
            body: match crate::request::form_text(&request) {
                Some(form) if details => Some(Value::String(redactor.body_text(form).into_owned())),
                _ => record_body(exchange.request_body.as_ref()),
            },
        });
        let sent = match self.time_left() {
            None => Some(self.engine.executor.execute(&request).await),
            Some(left) => tokio::time::timeout(left, self.engine.executor.execute(&request))
                .await
                .ok(),
        };
        let Some(sent) = sent else {
            let deadline = self.deadline.map(|(_, limit)| seconds(limit));
            let message = format!(
                "the run's deadline of {} passed while waiting for the response: stopped",
                deadline.unwrap_or_default()
            );
            self.stop(&step.id, message.clone());
            let error = StepError::new(StepErrorKind::Limit, message);
            return StepRun::stopped(report, error, Some(exchange));
        };
        let response = match sent {
            Ok(response) => response,
            Err(err) => {
                let error = StepError::new(err.kind.into(), redactor.text(&err.message));
                return StepRun::stopped(report, error, Some(exchange));
            }
        };
        let (view, not_json) = view(&response);
        report.response = Some(ResponseRecord {
            status: response.status,
            headers: record_headers(&response.headers),
            body: record_body(view.body.as_ref()),
        });
        if let Some(spec) = &step.responses {
            // A body that is not the JSON it claims to be is that one problem, not a schema
            // mismatch of the text read instead.
            let checked_body = view.body.as_ref().filter(|_| not_json.is_none());
            let problems = spec.check(
                &run.plan.sources,
                response.status,
                response.header("content-type"),
                checked_body,
                self.engine.strict,
            );
            report.warnings = problems
                .iter()
                .map(|problem| redactor.text(problem).into_owned())
                .collect();
        }
        if let Some(not_json) = not_json {
            report
                .warnings
                .insert(0, redactor.text(&not_json).into_owned());
        }
        exchange.response = Some(view);
        scope.exchange = Some(&exchange);
        let strict_failure = (self.engine.strict && !report.warnings.is_empty()).then(|| {
            StepError::new(
                StepErrorKind::Conformance,
                format!(
                    "the response does not match the OpenAPI description: {}",
                    report.warnings.join("; ")
                ),
            )
        });
        // Decision: without successCriteria a step succeeds on a 2xx status.
        let default = || {
            let status = response.status;
            (!(200..300).contains(&status)).then(|| {
                StepError::new(
                    StepErrorKind::Status,
                    format!("status {status} is not 2xx (the step has no successCriteria)"),
                )
            })
        };
        let outputs = self.judge(step, &scope, &mut report, default);
        if let (Some(failure), None) = (strict_failure, &report.error) {
            report.outcome = StepOutcome::Failed;
            report.error = Some(failure);
        }
        StepRun {
            report,
            outputs,
            exchange: Some(exchange),
            callee_outputs: None,
        }
    }

    async fn workflow_step(
        &mut self,
        run: &WorkflowRun<'e>,
        step: &'e StepPlan,
        reference: &'e WorkflowRef,
    ) -> StepRun {
        let mut report = new_report(&step.id);
        // Every parameter of a workflow step is an input of the called workflow, by name.
        let mut callee_inputs = Map::new();
        {
            let scope = run.scope(&self.results);
            for parameter in &step.parameters {
                match parameter.value.evaluate(&scope) {
                    Ok(Evaluated::Value(value)) => {
                        callee_inputs.insert(parameter.name.clone(), value);
                    }
                    Ok(Evaluated::Absent) => {}
                    Err(err) => {
                        let message = format!("parameter `{}`: {err}", parameter.name);
                        let error = StepError::new(StepErrorKind::Request, message);
                        return StepRun::stopped(report, self.redacted(error), None);
                    }
                }
            }
        }
        let (callee_plan, callee) = run.plan.resolve(reference);
        let reached = Reached::Step {
            step_id: step.id.clone(),
        };
        let ran = self
            .call(callee_plan, callee, Value::Object(callee_inputs), reached)
            .await;
        if let Some(Outcome::Error { message, .. }) = &self.stopped {
            let error = StepError::new(StepErrorKind::Limit, message.clone());
            let last = ran.last;
            report.workflow = Some(Box::new(ran.report));
            return StepRun::stopped(report, error, last);
        }
        let callee_passed = ran.report.passed();
        let callee_reason = match &ran.report.outcome {
            Outcome::Passed => String::new(),
            Outcome::Failed {
                step_id, reason, ..
            }
            | Outcome::Error {
                step_id,
                message: reason,
                ..
            } => {
                format!(
                    "workflow `{}` stopped at step `{step_id}`: {reason}",
                    callee.id
                )
            }
            Outcome::DependencyFailed {
                workflow_id,
                reason,
            } => {
                format!(
                    "workflow `{}`: dependency `{workflow_id}` failed: {reason}",
                    callee.id
                )
            }
        };
        // An error in a step of the called workflow (not a failure) stops this one too, as it
        // would at top level: failure actions are for failures. Inputs the callee refuses are
        // this step's failure (its parameters are wrong).
        if let Outcome::Error { step_id, kind, .. } = &ran.report.outcome
            && !step_id.is_empty()
        {
            let error = StepError::new(*kind, callee_reason);
            let last = ran.last;
            report.workflow = Some(Box::new(ran.report));
            return StepRun::stopped(report, error, last);
        }
        let mut scope = run.scope(&self.results);
        scope.outputs = Some(&ran.outputs);
        // `$statusCode` and `$response` of a workflow step are the called workflow's last
        // exchange (so that `$statusCode == 200` on a workflow step means what it says).
        scope.exchange = ran.last.as_ref();
        let outputs = self.judge(step, &scope, &mut report, || {
            (!callee_passed).then(|| StepError::new(StepErrorKind::Workflow, callee_reason.clone()))
        });
        let Ran {
            report: callee_report,
            outputs: callee_outputs,
            last,
        } = ran;
        report.workflow = Some(Box::new(callee_report));
        StepRun {
            report,
            outputs,
            exchange: last,
            callee_outputs: Some(callee_outputs),
        }
    }

    /// `error` with its message redacted.
    fn redacted(&self, error: StepError) -> StepError {
        let message = self.redactor.text(&error.message).into_owned();
        StepError { message, ..error }
    }

    /// Evaluates the step's success criteria (or `default` without any) and its outputs.
    fn judge(
        &self,
        step: &StepPlan,
        scope: &Scope<'_>,
        report: &mut StepReport,
        default: impl FnOnce() -> Option<StepError>,
    ) -> IndexMap<String, Value> {
        let mut failure = if step.criteria.is_empty() {
            default()
        } else {
            None
        };
        for criterion in &step.criteria {
            let (passed, reason) = check(criterion, scope);
            let reason = reason.map(|reason| self.redactor.text(&reason).into_owned());
            if !passed && failure.is_none() {
                // The reason names the condition and the values it saw.
                let message = reason
                    .clone()
                    .unwrap_or_else(|| format!("`{}` failed", criterion.condition));
                failure = Some(StepError::new(StepErrorKind::Criteria, message));
            }
            report.criteria.push(CriterionRecord {
                condition: criterion.condition.clone(),
                passed,
                reason,
            });
        }
        // Outputs are computed whatever the outcome: a failed step keeps what resolves.
        let mut outputs = IndexMap::new();
        for (name, expression) in &step.outputs {
            if let Ok(value) = evaluate(expression, scope) {
                report
                    .outputs
                    .insert(name.clone(), self.redactor.named(name, &value));
                outputs.insert(name.clone(), value);
            }
        }
        report.outcome = if failure.is_some() {
            StepOutcome::Failed
        } else {
            StepOutcome::Passed
        };
        report.error = failure;
        outputs
    }
}

/// The response as expressions read it: a JSON body parsed, other bodies as text; with why
/// a body declared as JSON is not (it is then read as text).
fn view(response: &Response) -> (ResponseView, Option<String>) {
    let content_type = response
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let text = || Value::String(String::from_utf8_lossy(&response.body).into_owned());
    let (body, not_json) = if response.body.is_empty() {
        (None, None)
    } else if content_type.contains("json") || content_type.is_empty() {
        match serde_json::from_slice(&response.body) {
            Ok(body) => (Some(body), None),
            // Without a content type any text is fine; with a JSON one it is a server bug.
            Err(_) if content_type.is_empty() => (Some(text()), None),
            Err(err) => (
                Some(text()),
                Some(format!(
                    "the response body is not valid JSON, though its content type is `{content_type}`: {err}"
                )),
            ),
        }
    } else {
        (Some(text()), None)
    };
    let view = ResponseView {
        status: response.status,
        headers: response.headers.clone(),
        body,
    };
    (view, not_json)
}

/// The credentials of the step's `x-security` (Redocly Respect's), their values evaluated
/// in `scope`; an absent value (an input not given) leaves its entry without a credential.
fn x_security(
    step: &StepPlan,
    scope: &Scope<'_>,
    redactor: &mut crate::redact::Redactor,
) -> Result<Vec<crate::auth::Credential>, StepError> {
    let mut entries = Vec::new();
    for (scheme, values) in &step.x_security {
        let values = match values.evaluate(scope) {
            Ok(Evaluated::Value(values)) => values,
            Ok(Evaluated::Absent) => continue,
            Err(err) => {
                let message = format!("x-security: {err}");
                return Err(StepError::new(StepErrorKind::Credentials, message));
            }
        };
        entries.push((scheme.clone(), values));
    }
    Ok(crate::auth::x_security(&entries, redactor))
}
