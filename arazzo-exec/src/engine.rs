//! The engine: runs a planned workflow step by step through an [`Executor`].

use std::sync::Arc;
use std::time::Instant;

use arazzo_expr::{CriterionOutcome, evaluate, evaluate_criterion};
use indexmap::IndexMap;
use serde_json::Value;

use crate::context::{ResponseView, Scope, StepOutputs};
use crate::error::RunError;
use crate::executor::{Executor, Response};
use crate::plan::{Plan, StepPlan, WorkflowPlan};
use crate::redact::Redactor;
use crate::report::{
    CriterionRecord, Outcome, RequestRecord, ResponseRecord, StepOutcome, StepReport,
    WorkflowReport,
};

/// Hears about a run as it goes (e.g. to print each step as it finishes). Every method has an
/// empty default.
pub trait Observer: Send + Sync {
    /// A step is about to be run.
    fn step_started(&self, step_id: &str) {
        let _ = step_id;
    }
    /// A step has finished.
    fn step_finished(&self, report: &StepReport) {
        let _ = report;
    }
}

/// An observer that does nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl Observer for NoObserver {}

/// Runs the workflows of a [`Plan`] through an [`Executor`].
#[derive(Clone)]
pub struct Engine {
    plan: Arc<Plan>,
    executor: Arc<dyn Executor>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("plan", &self.plan)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine running `plan` through `executor`.
    pub fn new(plan: impl Into<Arc<Plan>>, executor: impl Executor + 'static) -> Engine {
        Engine {
            plan: plan.into(),
            executor: Arc::new(executor),
        }
    }

    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Runs the workflow `workflow_id` with `inputs` (a JSON object).
    ///
    /// # Errors
    /// When there is no such workflow or the inputs do not match its `inputs` schema: then
    /// nothing is sent. A step that fails or gets no response is not an error: it is the
    /// report's [`Outcome`].
    pub async fn run(&self, workflow_id: &str, inputs: Value) -> Result<WorkflowReport, RunError> {
        self.run_observed(workflow_id, inputs, &NoObserver).await
    }

    /// [`Engine::run`], telling `observer` about each step.
    ///
    /// # Errors
    /// As [`Engine::run`].
    pub async fn run_observed(
        &self,
        workflow_id: &str,
        inputs: Value,
        observer: &dyn Observer,
    ) -> Result<WorkflowReport, RunError> {
        let started = Instant::now();
        let workflow =
            self.plan
                .workflow(workflow_id)
                .ok_or_else(|| RunError::UnknownWorkflow {
                    workflow_id: workflow_id.to_string(),
                    available: self.plan.workflow_ids().map(str::to_string).collect(),
                })?;
        let inputs = if inputs.is_null() {
            Value::Object(Default::default())
        } else {
            inputs
        };
        let redactor = self.check_inputs(workflow, &inputs)?;

        let mut steps = StepOutputs::new();
        let mut reports = Vec::with_capacity(workflow.steps.len());
        let mut outcome = Outcome::Passed;
        for step in &workflow.steps {
            observer.step_started(&step.id);
            let (report, step_outputs) = self
                .run_step(workflow, step, &inputs, &steps, &redactor)
                .await;
            observer.step_finished(&report);
            match report.outcome {
                StepOutcome::Passed => {
                    steps.insert(step.id.clone(), step_outputs);
                }
                StepOutcome::Failed => {
                    let reason = report.error.clone().unwrap_or_default();
                    outcome = Outcome::Failed {
                        step_id: step.id.clone(),
                        reason,
                    };
                }
                StepOutcome::Error => {
                    let message = report.error.clone().unwrap_or_default();
                    outcome = Outcome::Error {
                        step_id: step.id.clone(),
                        message,
                    };
                }
            }
            reports.push(report);
            if outcome != Outcome::Passed {
                break;
            }
        }

        let scope = Scope {
            document: &self.plan.document,
            workflow_id: &workflow.id,
            inputs: &inputs,
            steps: &steps,
            exchange: None,
        };
        let mut outputs = IndexMap::new();
        let mut unresolved_outputs = Vec::new();
        for (name, expression) in &workflow.outputs {
            match evaluate(expression, &scope) {
                Ok(value) => {
                    outputs.insert(name.clone(), redactor.value(&value));
                }
                Err(err) => unresolved_outputs
                    .push((name.clone(), redactor.text(&err.to_string()).into_owned())),
            }
        }
        Ok(WorkflowReport {
            workflow_id: workflow.id.clone(),
            outcome,
            steps: reports,
            outputs,
            unresolved_outputs,
            duration: started.elapsed(),
        })
    }

    /// Checks the inputs against the schema; returns the redactor for their secret values.
    fn check_inputs(&self, workflow: &WorkflowPlan, inputs: &Value) -> Result<Redactor, RunError> {
        let Some(schema) = &workflow.inputs else {
            return Ok(Redactor::default());
        };
        let problems = schema.check(inputs);
        if !problems.is_empty() {
            return Err(RunError::InvalidInputs { problems });
        }
        let secrets =
            schema
                .secret_names()
                .into_iter()
                .filter_map(|name| match inputs.get(&name)? {
                    Value::String(text) => Some(text.clone()),
                    Value::Null => None,
                    other => Some(other.to_string()),
                });
        Ok(Redactor::new(secrets))
    }

    async fn run_step(
        &self,
        workflow: &WorkflowPlan,
        step: &StepPlan,
        inputs: &Value,
        steps: &StepOutputs,
        redactor: &Redactor,
    ) -> (StepReport, IndexMap<String, Value>) {
        let started = Instant::now();
        let mut report = StepReport {
            step_id: step.id.clone(),
            request: None,
            response: None,
            criteria: Vec::new(),
            outputs: IndexMap::new(),
            outcome: StepOutcome::Error,
            error: None,
            duration: Default::default(),
        };
        let mut scope = Scope {
            document: &self.plan.document,
            workflow_id: &workflow.id,
            inputs,
            steps,
            exchange: None,
        };
        let (request, mut exchange) = match crate::request::build(step, &scope) {
            Ok(built) => built,
            Err(message) => {
                report.error = Some(redactor.text(&message).into_owned());
                report.duration = started.elapsed();
                return (report, IndexMap::new());
            }
        };
        report.request = Some(RequestRecord {
            method: request.method.to_string(),
            url: redactor.text(request.url.as_str()).into_owned(),
            headers: request
                .headers
                .iter()
                .map(|(name, value)| (name.clone(), redactor.header(name, value)))
                .collect(),
            body: exchange
                .request_body
                .as_ref()
                .map(|body| redactor.value(body)),
        });
        let response = match self.executor.execute(&request).await {
            Ok(response) => response,
            Err(err) => {
                report.error = Some(redactor.text(&err.message).into_owned());
                report.duration = started.elapsed();
                return (report, IndexMap::new());
            }
        };
        exchange.response = Some(view(&response));
        let response_view = exchange.response.as_ref().expect("set above");
        report.response = Some(ResponseRecord {
            status: response.status,
            headers: response
                .headers
                .iter()
                .map(|(name, value)| (name.clone(), redactor.header(name, value)))
                .collect(),
            body: response_view.body.as_ref().map(|body| redactor.value(body)),
        });
        scope.exchange = Some(&exchange);

        let mut failure = None;
        if step.criteria.is_empty() {
            // Decision: without successCriteria a step succeeds on a 2xx status.
            let passed = (200..300).contains(&response.status);
            if !passed {
                failure = Some(format!(
                    "status {} is not 2xx (the step has no successCriteria)",
                    response.status
                ));
            }
        }
        for criterion in &step.criteria {
            let (passed, reason) = match evaluate_criterion(&criterion.criterion, &scope) {
                CriterionOutcome::Passed => (true, None),
                CriterionOutcome::Failed { reason } => (false, Some(reason)),
                CriterionOutcome::Error(err) => (false, Some(err.to_string())),
            };
            let reason = reason.map(|reason| redactor.text(&reason).into_owned());
            if !passed && failure.is_none() {
                let why = reason.clone().unwrap_or_default();
                failure = Some(format!("`{}` failed: {why}", criterion.condition));
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
            if let Ok(value) = evaluate(expression, &scope) {
                report.outputs.insert(name.clone(), redactor.value(&value));
                outputs.insert(name.clone(), value);
            }
        }
        report.outcome = if failure.is_some() {
            StepOutcome::Failed
        } else {
            StepOutcome::Passed
        };
        report.error = failure;
        report.duration = started.elapsed();
        (report, outputs)
    }
}

/// The response as expressions read it: a JSON body parsed, other bodies as text.
fn view(response: &Response) -> ResponseView {
    let content_type = response
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let body = if response.body.is_empty() {
        None
    } else if content_type.contains("json") || content_type.is_empty() {
        serde_json::from_slice(&response.body).ok().or_else(|| {
            Some(Value::String(
                String::from_utf8_lossy(&response.body).into_owned(),
            ))
        })
    } else {
        Some(Value::String(
            String::from_utf8_lossy(&response.body).into_owned(),
        ))
    };
    ResponseView {
        status: response.status,
        headers: response.headers.clone(),
        body,
    }
}
