//! The engine: runs a planned workflow step by step through an [`Executor`], following the
//! success and failure actions.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use arazzo_expr::{CriterionOutcome, evaluate, evaluate_criterion};
use arazzo_sources::{RequiredScheme, SecurityScheme};
use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::auth::{Credential, credential, credential_key, secrets, userinfo_secrets};
use crate::clock::{Clock, SystemClock, retry_after};
use crate::context::{Exchange, ResponseView, Scope, StepOutputs, WorkflowResult, WorkflowResults};
use crate::error::RunError;
use crate::executor::{Executor, Response, header};
use crate::plan::{
    ActionKind, ActionPlan, Call, CriterionPlan, Plan, StepPlan, Target, WorkflowPlan,
};
use crate::redact::Redactor;
use crate::report::{
    CriterionRecord, Outcome, RequestRecord, ResponseRecord, StepOutcome, StepReport,
    WorkflowReport,
};
use crate::value::Evaluated;

/// Hears about a run as it goes (what `arazzo run` prints each step's line with, as the step
/// finishes). Every method has an empty default. `depth` is 0 for the steps of the workflow
/// run, 1 for those of a workflow it calls (a workflow step, a dependency, a `goto` or
/// `retry` target), and so on.
pub trait Observer: Send + Sync {
    /// A step is about to be run.
    fn step_started(&self, step_id: &str, depth: usize) {
        let _ = (step_id, depth);
    }
    /// A step has finished; a retry's wait, if any, comes after this (its length is in
    /// [`StepReport::action`]).
    fn step_finished(&self, report: &StepReport, depth: usize) {
        let _ = (report, depth);
    }
}

/// An observer that does nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl Observer for NoObserver {}

/// Bounds on a run: whatever a document or a server does, a run ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How many steps one run may execute in all, retries and loops included (default: no
    /// cap, so a long workflow without loops always runs to its end).
    pub max_steps: Option<usize>,
    /// How many times one run may execute a step again — a retry, or a step entered again by
    /// a `goto` — (default 1000): a loop that never ends stops with a clear error.
    pub max_loop_steps: usize,
    /// How deeply workflow calls may nest (workflow steps, `dependsOn`, `goto` and `retry`
    /// to a workflow; default 32): a workflow that calls itself stops with a clear error
    /// instead of exhausting the stack.
    pub max_depth: usize,
    /// The longest wait before a retry (default 60 s), whatever `retryAfter` or a
    /// `Retry-After` header asks for.
    pub max_retry_delay: Duration,
    /// How long one run may take in all, requests and retry waits included (default: none).
    /// A request under way when it passes is abandoned; a retry wait that would end after
    /// it is not started.
    pub deadline: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: None,
            max_loop_steps: 1000,
            max_depth: 32,
            max_retry_delay: Duration::from_secs(60),
            deadline: None,
        }
    }
}

impl Limits {
    /// The default limits with a cap of `steps` on all the steps a run executes, and on those
    /// it executes again (what `arazzo run --max-steps N` sets).
    pub fn with_max_steps(mut self, steps: usize) -> Limits {
        self.max_steps = Some(steps);
        self.max_loop_steps = steps;
        self
    }
}

/// Runs the workflows of a [`Plan`] through an [`Executor`].
#[derive(Clone)]
pub struct Engine {
    plan: Arc<Plan>,
    executor: Arc<dyn Executor>,
    clock: Arc<dyn Clock>,
    limits: Limits,
    credentials: Arc<HashMap<String, String>>,
    strict: bool,
    /// Whether step reports carry the headers and bodies of each exchange.
    exchange_details: bool,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("plan", &self.plan)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl Engine {
    /// An engine running `plan` through `executor`, on the system clock.
    pub fn new(plan: impl Into<Arc<Plan>>, executor: impl Executor + 'static) -> Engine {
        Engine {
            plan: plan.into(),
            executor: Arc::new(executor),
            clock: Arc::new(SystemClock),
            limits: Limits::default(),
            credentials: Arc::default(),
            strict: false,
            exchange_details: true,
        }
    }

    /// Without details, the step reports keep each request's method and URL and each
    /// response's status, not their headers and bodies: for many runs that only count
    /// outcomes and times (the load mode), where copying and redacting every body is most of
    /// the engine's work.
    pub fn with_exchange_details(mut self, details: bool) -> Engine {
        self.exchange_details = details;
        self
    }

    /// In strict mode a response that does not match the OpenAPI description (undeclared
    /// status, content type, or a body against its schema) fails the step; otherwise each
    /// mismatch is a warning in the step's report.
    pub fn with_strict(mut self, strict: bool) -> Engine {
        self.strict = strict;
        self
    }

    /// Credentials for the OpenAPI security schemes, by [`crate::credential_key`] of the
    /// scheme name: an apiKey's value, a bearer token, `user:password` for basic, and
    /// `<KEY>_CLIENT_ID` / `<KEY>_CLIENT_SECRET` for an OAuth2 client-credentials flow. An
    /// input named like the scheme wins over them.
    pub fn with_credentials(mut self, credentials: HashMap<String, String>) -> Engine {
        self.credentials = Arc::new(credentials);
        self
    }

    /// Uses `clock` for retry delays (tests use [`crate::ManualClock`]).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Engine {
        self.clock = clock;
        self
    }

    /// Uses other bounds.
    pub fn with_limits(mut self, limits: Limits) -> Engine {
        self.limits = limits;
        self
    }

    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Runs the workflow `workflow_id` with `inputs` (a JSON object).
    ///
    /// The report is redacted, and its [`WorkflowReport::redactor`] knows every secret of
    /// the run: write anything else about the run with it (e.g. the cassette of a
    /// [`Recording`](crate::Recording)).
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
        let workflow =
            self.plan
                .workflow(workflow_id)
                .ok_or_else(|| RunError::UnknownWorkflow {
                    workflow_id: workflow_id.to_string(),
                    available: self.plan.workflow_ids().map(str::to_string).collect(),
                })?;
        let inputs = if inputs.is_null() {
            Value::Object(Map::new())
        } else {
            inputs
        };
        let deadline = self
            .limits
            .deadline
            .map(|deadline| (self.clock.now() + deadline, deadline));
        let mut run = Run {
            engine: self,
            observer,
            redactor: Redactor::new(self.credentials.values().cloned()),
            steps_run: 0,
            loop_steps_run: 0,
            depth: 0,
            deadline,
            stopped: None,
            results: HashMap::new(),
            tokens: HashMap::new(),
        };
        run.check_inputs(workflow, &inputs)
            .map_err(|problems| RunError::InvalidInputs { problems })?;
        let mut report = run.workflow(&self.plan, workflow, inputs).await.report;
        report.redactor = run.redactor;
        Ok(report)
    }
}

/// One run: the state shared by the workflows it executes.
struct Run<'e> {
    engine: &'e Engine,
    observer: &'e dyn Observer,
    redactor: Redactor,
    /// Steps executed, and among them steps executed again (retries, loops).
    steps_run: usize,
    loop_steps_run: usize,
    /// How many workflow calls are under way above the current workflow.
    depth: usize,
    /// When the run must end (by the engine's clock), and the limit as given.
    deadline: Option<(SystemTime, Duration)>,
    /// Set when a limit stopped the run: every workflow under way ends with this error.
    stopped: Option<Outcome>,
    /// The workflows that have run, by document URL then workflow id.
    results: HashMap<String, WorkflowResults>,
    /// OAuth2 access tokens fetched in this run, by token URL and client id.
    tokens: HashMap<(String, String), String>,
}

/// A workflow that ran: its report, its outputs in clear, and its last HTTP exchange (what a
/// calling step's `$statusCode` and `$response` read).
struct Ran {
    report: WorkflowReport,
    outputs: IndexMap<String, Value>,
    last: Option<Exchange>,
}

/// A step that ran.
struct StepRun {
    report: StepReport,
    outputs: IndexMap<String, Value>,
    exchange: Option<Exchange>,
    /// For a workflow step: the called workflow's outputs (`$outputs`).
    callee_outputs: Option<IndexMap<String, Value>>,
}

fn document_key(plan: &Plan) -> String {
    plan.sources.document_url().to_string()
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
        duration: Duration::ZERO,
    }
}

impl<'e> Run<'e> {
    /// Checks `inputs` against the workflow's schema and learns its secret values.
    fn check_inputs(
        &mut self,
        workflow: &WorkflowPlan,
        inputs: &Value,
    ) -> Result<(), Vec<crate::InputProblem>> {
        let Some(schema) = &workflow.inputs else {
            return Ok(());
        };
        let problems = schema.check(inputs);
        if !problems.is_empty() {
            return Err(problems);
        }
        self.redactor.add(schema.secret_values(inputs));
        Ok(())
    }

    /// Runs a workflow called from another (by the step `caller`: a workflow step, a `goto`
    /// or `retry` target; none for a dependency): its inputs are checked first.
    fn call(
        &mut self,
        plan: &'e Plan,
        workflow: &'e WorkflowPlan,
        inputs: Value,
        caller: &str,
    ) -> BoxFuture<'_, Ran> {
        let caller = caller.to_string();
        Box::pin(async move {
            // Each nested call is a few native stack frames deeper (its future is polled from
            // the caller's): without a bound, a workflow calling itself overflows the stack.
            if self.depth >= self.engine.limits.max_depth {
                let message = format!(
                    "workflow calls are nested more than {} deep at `{}`: stopped (a workflow that calls itself?)",
                    self.engine.limits.max_depth, workflow.id
                );
                return not_started(workflow, self.stop(&caller, message));
            }
            match self.check_inputs(workflow, &inputs) {
                Ok(()) => {
                    self.depth += 1;
                    let ran = self.workflow(plan, workflow, inputs).await;
                    self.depth -= 1;
                    ran
                }
                Err(problems) => {
                    let message = problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ");
                    let outcome = Outcome::Error {
                        step_id: String::new(),
                        message: format!("invalid inputs: {message}"),
                    };
                    not_started(workflow, outcome)
                }
            }
        })
    }

    /// Stops the whole run with an error at `step_id` (a limit was reached): every workflow
    /// under way ends with it.
    fn stop(&mut self, step_id: &str, message: String) -> Outcome {
        let outcome = Outcome::Error {
            step_id: step_id.to_string(),
            message,
        };
        self.stopped.get_or_insert(outcome).clone()
    }

    /// The time left before the run's deadline, if it has one (zero once it has passed).
    fn time_left(&self) -> Option<Duration> {
        self.deadline.map(|(at, _)| {
            at.duration_since(self.engine.clock.now())
                .unwrap_or_default()
        })
    }

    /// The limit that stops the run before `step` (executed again when `again`), if any.
    fn over_limit(&self, step: &StepPlan, again: bool) -> Option<String> {
        let limits = &self.engine.limits;
        if let Some(max) = limits.max_steps.filter(|max| self.steps_run >= *max) {
            return Some(format!(
                "more than {max} steps were run: stopped (raise it with --max-steps)"
            ));
        }
        if again && self.loop_steps_run >= limits.max_loop_steps {
            return Some(format!(
                "more than {} steps were run again: stopped (a goto or retry loop that never ends? raise it with --max-steps)",
                limits.max_loop_steps
            ));
        }
        if let (Some(Duration::ZERO), Some((_, deadline))) = (self.time_left(), self.deadline) {
            return Some(format!(
                "the run's deadline of {} passed before step `{}`: stopped",
                seconds(deadline),
                step.id
            ));
        }
        None
    }

    /// Counts a step about to run, or stops the run when a limit forbids it.
    fn enter(&mut self, step: &StepPlan, again: bool) -> Result<(), Outcome> {
        if let Some(stopped) = &self.stopped {
            return Err(stopped.clone());
        }
        if let Some(message) = self.over_limit(step, again) {
            return Err(self.stop(&step.id, message));
        }
        self.steps_run += 1;
        if again {
            self.loop_steps_run += 1;
        }
        Ok(())
    }

    fn workflow(
        &mut self,
        plan: &'e Plan,
        workflow: &'e WorkflowPlan,
        inputs: Value,
    ) -> BoxFuture<'_, Ran> {
        Box::pin(async move {
            let started = Instant::now();
            let mut called = Vec::new();
            let mut outcome = Outcome::Passed;
            for dependency in &workflow.depends_on {
                let (dependency_plan, dependency_workflow) = plan.resolve(dependency);
                let done = self
                    .results
                    .get(&document_key(dependency_plan))
                    .and_then(|done| done.get(&dependency_workflow.id));
                let passed = match done {
                    Some(result) => result.passed,
                    None => {
                        let ran = self
                            .call(dependency_plan, dependency_workflow, inputs.clone(), "")
                            .await;
                        let passed = ran.report.passed();
                        called.push(ran.report);
                        passed
                    }
                };
                if let Some(stopped) = &self.stopped {
                    outcome = stopped.clone();
                    break;
                }
                if !passed {
                    outcome = Outcome::DependencyFailed {
                        workflow_id: dependency_workflow.id.clone(),
                        reason: format!("`{}` did not pass", dependency_workflow.id),
                    };
                    break;
                }
            }

            let mut steps = StepOutputs::new();
            let mut reports = Vec::new();
            let mut last = None;
            if outcome == Outcome::Passed {
                self.steps(
                    plan,
                    workflow,
                    &inputs,
                    &mut steps,
                    &mut reports,
                    &mut called,
                    &mut last,
                    &mut outcome,
                )
                .await;
            }

            let document_results = self.results.get(&document_key(plan));
            let scope = Scope::new(
                &plan.document,
                &workflow.id,
                &inputs,
                &steps,
                document_results,
            );
            let mut outputs = IndexMap::new();
            let mut unresolved_outputs = Vec::new();
            for (name, expression) in &workflow.outputs {
                match evaluate(expression, &scope) {
                    Ok(value) => {
                        outputs.insert(name.clone(), value);
                    }
                    Err(err) => unresolved_outputs.push((
                        name.clone(),
                        self.redactor.text(&err.to_string()).into_owned(),
                    )),
                }
            }
            let passed = outcome == Outcome::Passed;
            self.results.entry(document_key(plan)).or_default().insert(
                workflow.id.clone(),
                WorkflowResult {
                    inputs,
                    outputs: outputs.clone(),
                    passed,
                },
            );
            let not_run = workflow
                .steps
                .iter()
                .filter(|step| !reports.iter().any(|report| report.step_id == step.id))
                .map(|step| step.id.clone())
                .collect();
            let report = WorkflowReport {
                workflow_id: workflow.id.clone(),
                outcome,
                not_run,
                steps: reports,
                workflows: called,
                outputs: outputs
                    .iter()
                    .map(|(name, value)| (name.clone(), self.redactor.named(name, value)))
                    .collect(),
                unresolved_outputs,
                duration: started.elapsed(),
                redactor: Redactor::default(),
            };
            Ran {
                report,
                outputs,
                last,
            }
        })
    }

    /// The step loop: default flow, success and failure actions.
    #[allow(clippy::too_many_arguments)]
    async fn steps(
        &mut self,
        plan: &'e Plan,
        workflow: &'e WorkflowPlan,
        inputs: &Value,
        steps: &mut StepOutputs,
        reports: &mut Vec<StepReport>,
        called: &mut Vec<WorkflowReport>,
        last: &mut Option<Exchange>,
        outcome: &mut Outcome,
    ) {
        // Retries used, per (step index, action name); reset when the step succeeds or is
        // entered again through a `goto`.
        let mut retries: HashMap<(usize, String), u64> = HashMap::new();
        // Which steps have run in this workflow: running one again counts as a loop.
        let mut ran_before = vec![false; workflow.steps.len()];
        let mut index = 0;
        while let Some(step) = workflow.steps.get(index) {
            if let Err(stopped) = self.enter(step, ran_before[index]) {
                *outcome = stopped;
                return;
            }
            ran_before[index] = true;
            self.observer.step_started(&step.id, self.depth);
            let StepRun {
                mut report,
                outputs,
                exchange,
                callee_outputs,
            } = self.step(plan, workflow, step, inputs, steps).await;
            let passed = report.outcome == StepOutcome::Passed;
            steps.insert(step.id.clone(), outputs);
            if let Some(stopped) = &self.stopped {
                *outcome = stopped.clone();
                self.finish(report, reports, exchange, last);
                return;
            }
            let actions = if passed {
                &step.on_success
            } else {
                &step.on_failure
            };
            let chosen = {
                let scope = Scope {
                    document: &plan.document,
                    workflow_id: &workflow.id,
                    inputs,
                    steps,
                    workflows: self.results.get(&document_key(plan)),
                    outputs: callee_outputs.as_ref(),
                    exchange: exchange.as_ref(),
                };
                choose(actions, &scope, |action| match action.kind {
                    ActionKind::Retry { limit, .. } => {
                        retries
                            .get(&(index, action.name.clone()))
                            .copied()
                            .unwrap_or(0)
                            < limit
                    }
                    _ => true,
                })
            };
            let failure = || match report.outcome {
                StepOutcome::Error => Outcome::Error {
                    step_id: step.id.clone(),
                    message: report.error.clone().unwrap_or_default(),
                },
                _ => Outcome::Failed {
                    step_id: step.id.clone(),
                    reason: report.error.clone().unwrap_or_default(),
                },
            };
            let Some(action) = chosen else {
                // The default flow: success → the next step; failure → the workflow fails.
                if passed {
                    retries.retain(|(step_index, _), _| *step_index != index);
                    index += 1;
                } else {
                    *outcome = failure();
                }
                self.finish(report, reports, exchange, last);
                if *outcome != Outcome::Passed {
                    return;
                }
                continue;
            };
            match &action.kind {
                ActionKind::End => {
                    report.action = Some(format!("end (`{}`)", action.name));
                    if !passed {
                        let mut ended = failure();
                        if let Outcome::Failed { reason, .. }
                        | Outcome::Error {
                            message: reason, ..
                        } = &mut ended
                        {
                            *reason =
                                format!("{reason} (ended by failure action `{}`)", action.name);
                        }
                        *outcome = ended;
                    }
                    self.finish(report, reports, exchange, last);
                    return;
                }
                ActionKind::GotoStep(target) => {
                    report.action = Some(format!(
                        "goto step `{}` (`{}`)",
                        workflow.steps[*target].id, action.name
                    ));
                    retries.retain(|(step_index, _), _| {
                        *step_index != *target && (!passed || *step_index != index)
                    });
                    index = *target;
                    self.finish(report, reports, exchange, last);
                }
                ActionKind::GotoWorkflow(reference) => {
                    let (target_plan, target) = plan.resolve(reference);
                    report.action =
                        Some(format!("goto workflow `{}` (`{}`)", target.id, action.name));
                    self.finish(report, reports, exchange, last);
                    // One-way: the rest of this workflow is skipped; the target's outcome is
                    // this workflow's.
                    let ran = self
                        .call(target_plan, target, inputs.clone(), &step.id)
                        .await;
                    *outcome = ran.report.outcome.clone();
                    called.push(ran.report);
                    return;
                }
                ActionKind::Retry {
                    after,
                    limit,
                    first,
                } => {
                    let used = retries.entry((index, action.name.clone())).or_insert(0);
                    *used += 1;
                    let used = *used;
                    let asked = exchange
                        .as_ref()
                        .and_then(|exchange| exchange.response.as_ref())
                        .and_then(|response| header(&response.headers, "retry-after"))
                        .and_then(|value| retry_after(value, self.engine.clock.now()))
                        .or_else(|| after.map(|seconds| Duration::from_secs_f64(seconds.max(0.0))));
                    let delay = asked
                        .unwrap_or_default()
                        .min(self.engine.limits.max_retry_delay);
                    let wait = match delay.is_zero() {
                        true => String::new(),
                        false => format!(" in {:.1} s", delay.as_secs_f64()),
                    };
                    report.action = Some(format!("retry {used}/{limit}{wait} (`{}`)", action.name));
                    self.finish(report, reports, exchange, last);
                    if let (Some(left), Some((_, deadline))) = (self.time_left(), self.deadline)
                        && delay > left
                    {
                        let message = format!(
                            "retry `{}` would wait {}, past the run's deadline of {}: stopped",
                            action.name,
                            seconds(delay),
                            seconds(deadline)
                        );
                        *outcome = self.stop(&step.id, message);
                        return;
                    }
                    if !delay.is_zero() {
                        self.engine.clock.sleep(delay).await;
                    }
                    // Call and return: the step or workflow runs (its own actions are not
                    // followed), then this step is retried, whatever its result.
                    match first {
                        Some(Target::Step(first_index)) => {
                            let first = &workflow.steps[*first_index];
                            if let Err(stopped) = self.enter(first, ran_before[*first_index]) {
                                *outcome = stopped;
                                return;
                            }
                            ran_before[*first_index] = true;
                            let ran = self.step(plan, workflow, first, inputs, steps).await;
                            steps.insert(first.id.clone(), ran.outputs);
                            self.finish(ran.report, reports, ran.exchange, last);
                        }
                        Some(Target::Workflow(reference)) => {
                            let (target_plan, target) = plan.resolve(reference);
                            let ran = self
                                .call(target_plan, target, inputs.clone(), &step.id)
                                .await;
                            called.push(ran.report);
                        }
                        None => {}
                    }
                    if let Some(stopped) = &self.stopped {
                        *outcome = stopped.clone();
                        return;
                    }
                }
            }
        }
    }

    /// Records a finished step.
    fn finish(
        &self,
        report: StepReport,
        reports: &mut Vec<StepReport>,
        exchange: Option<Exchange>,
        last: &mut Option<Exchange>,
    ) {
        self.observer.step_finished(&report, self.depth);
        reports.push(report);
        if exchange.is_some() {
            *last = exchange;
        }
    }

    /// Runs one step (without its actions).
    fn step<'a>(
        &'a mut self,
        plan: &'e Plan,
        workflow: &'e WorkflowPlan,
        step: &'e StepPlan,
        inputs: &'a Value,
        steps: &'a StepOutputs,
    ) -> BoxFuture<'a, StepRun> {
        Box::pin(async move {
            let started = Instant::now();
            let mut run = match &step.call {
                Call::Operation(_) => {
                    self.operation_step(plan, workflow, step, inputs, steps)
                        .await
                }
                Call::Workflow(reference) => {
                    self.workflow_step(plan, workflow, step, reference, inputs, steps)
                        .await
                }
            };
            run.report.duration = started.elapsed();
            run
        })
    }

    async fn operation_step(
        &mut self,
        plan: &'e Plan,
        workflow: &'e WorkflowPlan,
        step: &'e StepPlan,
        inputs: &Value,
        steps: &StepOutputs,
    ) -> StepRun {
        let credentials = match self.credentials(step, inputs).await {
            Ok(credentials) => credentials,
            Err(message) => {
                let mut report = new_report(&step.id);
                report.error = Some(self.redactor.text(&message).into_owned());
                return StepRun {
                    report,
                    outputs: IndexMap::new(),
                    exchange: None,
                    callee_outputs: None,
                };
            }
        };
        let mut report = new_report(&step.id);
        let mut scope = Scope::new(
            &plan.document,
            &workflow.id,
            inputs,
            steps,
            self.results.get(&document_key(plan)),
        );
        let (request, mut exchange) = match crate::request::build(step, &scope, &credentials) {
            Ok(built) => built,
            Err(message) => {
                report.error = Some(self.redactor.text(&message).into_owned());
                return StepRun {
                    report,
                    outputs: IndexMap::new(),
                    exchange: None,
                    callee_outputs: None,
                };
            }
        };
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
            body: record_body(exchange.request_body.as_ref()),
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
            report.error = Some(message);
            return StepRun {
                report,
                outputs: IndexMap::new(),
                exchange: Some(exchange),
                callee_outputs: None,
            };
        };
        let response = match sent {
            Ok(response) => response,
            Err(err) => {
                report.error = Some(redactor.text(&err.message).into_owned());
                return StepRun {
                    report,
                    outputs: IndexMap::new(),
                    exchange: Some(exchange),
                    callee_outputs: None,
                };
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
                &plan.sources,
                response.status,
                response.header("content-type"),
                checked_body,
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
            format!(
                "the response does not match the OpenAPI description: {}",
                report.warnings.join("; ")
            )
        });
        // Decision: without successCriteria a step succeeds on a 2xx status.
        let default = || {
            let status = response.status;
            (!(200..300).contains(&status))
                .then(|| format!("status {status} is not 2xx (the step has no successCriteria)"))
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
        plan: &'e Plan,
        workflow: &'e WorkflowPlan,
        step: &'e StepPlan,
        reference: &'e crate::plan::WorkflowRef,
        inputs: &Value,
        steps: &StepOutputs,
    ) -> StepRun {
        let mut report = new_report(&step.id);
        // Every parameter of a workflow step is an input of the called workflow, by name.
        let mut callee_inputs = Map::new();
        {
            let scope = Scope::new(
                &plan.document,
                &workflow.id,
                inputs,
                steps,
                self.results.get(&document_key(plan)),
            );
            for parameter in &step.parameters {
                match parameter.value.evaluate(&scope) {
                    Ok(Evaluated::Value(value)) => {
                        callee_inputs.insert(parameter.name.clone(), value);
                    }
                    Ok(Evaluated::Absent) => {}
                    Err(err) => {
                        report.error = Some(
                            self.redactor
                                .text(&format!("parameter `{}`: {err}", parameter.name))
                                .into_owned(),
                        );
                        return StepRun {
                            report,
                            outputs: IndexMap::new(),
                            exchange: None,
                            callee_outputs: None,
                        };
                    }
                }
            }
        }
        let (callee_plan, callee) = plan.resolve(reference);
        let ran = self
            .call(callee_plan, callee, Value::Object(callee_inputs), &step.id)
            .await;
        if let Some(Outcome::Error { message, .. }) = &self.stopped {
            report.error = Some(message.clone());
            report.workflow = Some(Box::new(ran.report));
            return StepRun {
                report,
                outputs: IndexMap::new(),
                exchange: ran.last,
                callee_outputs: None,
            };
        }
        let callee_passed = ran.report.passed();
        let callee_reason = match &ran.report.outcome {
            Outcome::Passed => String::new(),
            Outcome::Failed { step_id, reason }
            | Outcome::Error {
                step_id,
                message: reason,
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
        let scope = Scope {
            document: &plan.document,
            workflow_id: &workflow.id,
            inputs,
            steps,
            workflows: self.results.get(&document_key(plan)),
            outputs: Some(&ran.outputs),
            // `$statusCode` and `$response` of a workflow step are the called workflow's last
            // exchange (so that `$statusCode == 200` on a workflow step means what it says).
            exchange: ran.last.as_ref(),
        };
        let outputs = self.judge(step, &scope, &mut report, || {
            (!callee_passed).then(|| callee_reason.clone())
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

    /// The credentials of the first security requirement of the step's operation whose
    /// schemes all have one (from an input named like the scheme, else the engine's
    /// credentials); none when no requirement can be met (the API will say so).
    async fn credentials(
        &mut self,
        step: &StepPlan,
        inputs: &Value,
    ) -> Result<Vec<Credential>, String> {
        'requirements: for requirement in &step.security {
            let mut credentials = Vec::new();
            for RequiredScheme {
                name,
                scheme,
                scopes,
            } in requirement
            {
                let known = |suffix: &str| {
                    let key = format!("{}{suffix}", credential_key(name));
                    self.engine.credentials.get(&key).cloned()
                };
                let from_input = inputs.get(name).and_then(Value::as_str).map(str::to_string);
                let value = match scheme {
                    SecurityScheme::OAuth2 {
                        token_url: Some(token_url),
                    } => {
                        let (Some(id), Some(secret)) =
                            (known("_CLIENT_ID"), known("_CLIENT_SECRET"))
                        else {
                            continue 'requirements;
                        };
                        self.token(token_url, scopes, &id, &secret).await?
                    }
                    _ => match from_input.or_else(|| known("")) {
                        Some(value) => value,
                        None => continue 'requirements,
                    },
                };
                self.redactor.add(secrets(scheme, &value));
                credentials.extend(credential(scheme, &value));
            }
            return Ok(credentials);
        }
        Ok(Vec::new())
    }

    /// An OAuth2 access token from a client-credentials grant, fetched once per run.
    async fn token(
        &mut self,
        token_url: &str,
        scopes: &[String],
        id: &str,
        secret: &str,
    ) -> Result<String, String> {
        let key = (token_url.to_string(), id.to_string());
        if let Some(token) = self.tokens.get(&key) {
            return Ok(token.clone());
        }
        self.redactor.add([secret.to_string()]);
        let body = {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("grant_type", "client_credentials")
                .append_pair("client_id", id)
                .append_pair("client_secret", secret);
            if !scopes.is_empty() {
                form.append_pair("scope", &scopes.join(" "));
            }
            form.finish()
        };
        let url = url::Url::parse(token_url)
            .map_err(|err| format!("invalid OAuth2 token URL `{token_url}`: {err}"))?;
        self.redactor.add(userinfo_secrets(&url));
        let request = crate::Request {
            method: http::Method::POST,
            url,
            headers: vec![(
                "Content-Type".to_string(),
                "application/x-www-form-urlencoded".to_string(),
            )],
            body: Some(body.into()),
        };
        let response = self
            .engine
            .executor
            .execute(&request)
            .await
            .map_err(|err| format!("OAuth2 token request: {err}"))?;
        let token = serde_json::from_slice::<Value>(&response.body)
            .ok()
            .and_then(|body| body["access_token"].as_str().map(str::to_string))
            .filter(|_| (200..300).contains(&response.status))
            .ok_or_else(|| {
                format!(
                    "OAuth2 token request to {token_url} answered {} without an access_token",
                    response.status
                )
            })?;
        self.redactor.add([token.clone()]);
        self.tokens.insert(key, token.clone());
        Ok(token)
    }

    /// Evaluates the step's success criteria (or `default` without any) and its outputs.
    fn judge(
        &self,
        step: &StepPlan,
        scope: &Scope<'_>,
        report: &mut StepReport,
        default: impl FnOnce() -> Option<String>,
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
                failure = reason
                    .clone()
                    .or_else(|| Some(format!("`{}` failed", criterion.condition)));
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

fn check(criterion: &CriterionPlan, scope: &Scope<'_>) -> (bool, Option<String>) {
    match evaluate_criterion(&criterion.criterion, scope) {
        CriterionOutcome::Passed => (true, None),
        CriterionOutcome::Failed { reason } => (false, Some(reason)),
        CriterionOutcome::Error(err) => (false, Some(err.to_string())),
    }
}

/// The first action whose criteria all hold (an action without criteria always matches),
/// among those `available` allows (a retry whose limit is used up is skipped, so later
/// failure actions apply).
fn choose<'p>(
    actions: &'p [ActionPlan],
    scope: &Scope<'_>,
    available: impl Fn(&ActionPlan) -> bool,
) -> Option<&'p ActionPlan> {
    actions
        .iter()
        .filter(|action| available(action))
        .find(|action| {
            action
                .criteria
                .iter()
                .all(|criterion| check(criterion, scope).0)
        })
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

/// The report of a called workflow that did not start.
fn not_started(workflow: &WorkflowPlan, outcome: Outcome) -> Ran {
    let report = WorkflowReport {
        workflow_id: workflow.id.clone(),
        outcome,
        steps: Vec::new(),
        workflows: Vec::new(),
        outputs: IndexMap::new(),
        unresolved_outputs: Vec::new(),
        not_run: workflow.steps.iter().map(|step| step.id.clone()).collect(),
        duration: Duration::ZERO,
        redactor: Redactor::default(),
    };
    Ran {
        report,
        outputs: IndexMap::new(),
        last: None,
    }
}

/// A duration as a person gives it: `30 s`, `1.5 s`.
fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}
