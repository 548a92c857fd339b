//! One run: the state its workflows share ([`Run`]) and the step loop of each workflow under
//! way ([`WorkflowRun`]): the default flow, success and failure actions, limits.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime};

use arazzo_expr::{CriterionOutcome, evaluate, evaluate_criterion};
use indexmap::IndexMap;
use serde_json::Value;

use super::{Engine, Observer};
use crate::auth::RunCredentials;
use crate::clock::retry_after;
use crate::context::{ExchangeView, Scope, StepOutputs, WorkflowResult, WorkflowResults};
use crate::executor::header;
use crate::plan::{ActionKind, ActionPlan, CriterionPlan, Plan, StepPlan, Target, WorkflowPlan};
use crate::redact::Redactor;
use crate::report::{Outcome, Reached, StepErrorKind, StepOutcome, StepReport, WorkflowReport};

pub(super) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One run: the state shared by the workflows it executes.
pub(super) struct Run<'e> {
    pub(super) engine: &'e Engine,
    observer: &'e dyn Observer,
    pub(super) redactor: Redactor,
    /// The engine's credentials and the OAuth2 tokens fetched in this run.
    pub(super) credentials: RunCredentials<'e>,
    /// Steps executed, and among them steps executed again (retries, loops).
    steps_run: usize,
    loop_steps_run: usize,
    /// How many workflow calls are under way above the current workflow.
    depth: usize,
    /// When the run must end (by the engine's clock), and the limit as given.
    pub(super) deadline: Option<(SystemTime, Duration)>,
    /// Set when a limit stopped the run: every workflow under way ends with this error.
    pub(super) stopped: Option<Outcome>,
    /// The workflows that have run, by document URL then workflow id.
    pub(super) results: HashMap<String, WorkflowResults>,
    /// The workflows run as a dependency (document URL, workflow id): a session does not run
    /// them again at its top level.
    pub(super) ran_as_dependency: HashSet<(String, String)>,
    /// How many secrets the redactor knew when the first step's report was done: if it
    /// learns more later, the whole report is redacted again at the end.
    secrets_at_first_report: Option<usize>,
}

/// A workflow that ran: its report, its outputs in clear, and its last HTTP exchange (what a
/// calling step's `$statusCode` and `$response` read).
pub(super) struct Ran {
    pub(super) report: WorkflowReport,
    pub(super) outputs: IndexMap<String, Value>,
    pub(super) last: Option<ExchangeView>,
}

/// A step that ran.
pub(super) struct StepRun {
    pub(super) report: StepReport,
    pub(super) outputs: IndexMap<String, Value>,
    pub(super) exchange: Option<ExchangeView>,
    /// For a workflow step: the called workflow's outputs (`$outputs`).
    pub(super) callee_outputs: Option<IndexMap<String, Value>>,
}

/// One workflow under way: what its expressions see and what it has done so far.
pub(super) struct WorkflowRun<'e> {
    pub(super) plan: &'e Plan,
    /// The plan's document URL: the key of its workflows in [`Run::results`].
    document: String,
    pub(super) workflow: &'e WorkflowPlan,
    pub(super) inputs: Value,
    /// The outputs of its steps that have run, by step id.
    pub(super) steps: StepOutputs,
    reports: Vec<StepReport>,
    /// The reports of the workflows it called: dependencies, `goto` and `retry` targets.
    called: Vec<WorkflowReport>,
    /// Its last HTTP exchange.
    last: Option<ExchangeView>,
    outcome: Outcome,
    /// The step to run next.
    index: usize,
    /// Retries used, per (step index, action name); reset when the step succeeds or is
    /// entered again through a `goto`.
    retries: HashMap<(usize, String), u64>,
    /// Which steps have run: running one again counts as a loop.
    ran_before: Vec<bool>,
}

impl<'e> WorkflowRun<'e> {
    fn new(plan: &'e Plan, workflow: &'e WorkflowPlan, inputs: Value) -> WorkflowRun<'e> {
        WorkflowRun {
            plan,
            document: document_key(plan),
            workflow,
            inputs,
            steps: StepOutputs::new(),
            reports: Vec::new(),
            called: Vec::new(),
            last: None,
            outcome: Outcome::Passed,
            index: 0,
            retries: HashMap::new(),
            ran_before: vec![false; workflow.steps.len()],
        }
    }

    /// What the workflow's expressions see between steps (`results`: the run's
    /// [`Run::results`]); a step adds its exchange and called workflow's outputs.
    pub(super) fn scope<'s>(&'s self, results: &'s HashMap<String, WorkflowResults>) -> Scope<'s> {
        Scope::new(
            &self.plan.document,
            &self.workflow.id,
            &self.inputs,
            &self.steps,
            results.get(&self.document),
        )
    }

    /// The outcome for the failed step `report` (its error's kind and message).
    fn failure(report: &StepReport, step: &StepPlan) -> Outcome {
        let (kind, message) = match &report.error {
            Some(error) => (error.kind, error.message.clone()),
            None => (StepErrorKind::Criteria, String::new()),
        };
        match report.outcome {
            StepOutcome::Error => Outcome::Error {
                step_id: step.id.clone(),
                message,
                kind,
            },
            _ => Outcome::Failed {
                step_id: step.id.clone(),
                reason: message,
                kind,
            },
        }
    }
}

fn document_key(plan: &Plan) -> String {
    plan.sources.document_url().to_string()
}

impl<'e> Run<'e> {
    pub(super) fn new(engine: &'e Engine, observer: &'e dyn Observer) -> Run<'e> {
        Run {
            engine,
            observer,
            redactor: Redactor::new(engine.credentials.values().cloned()),
            credentials: RunCredentials::new(&engine.credentials),
            steps_run: 0,
            loop_steps_run: 0,
            depth: 0,
            // Each workflow asked for starts its budget: `Run::top`.
            deadline: None,
            stopped: None,
            results: HashMap::new(),
            ran_as_dependency: HashSet::new(),
            secrets_at_first_report: None,
        }
    }

    /// Runs a workflow asked for (its inputs checked) and returns its report. The limits
    /// (steps, loops, deadline) start afresh: each workflow asked for has a run's budget.
    pub(super) async fn top(
        &mut self,
        workflow: &'e WorkflowPlan,
        inputs: Value,
    ) -> WorkflowReport {
        let engine: &'e Engine = self.engine;
        self.steps_run = 0;
        self.loop_steps_run = 0;
        self.stopped = None;
        self.deadline = engine
            .limits
            .deadline
            .map(|deadline| (engine.clock.now() + deadline, deadline));
        self.workflow(&engine.plan, workflow, inputs, None)
            .await
            .report
    }

    /// Ends the run: `reports` (those [`Run::top`] gave) are redacted again when secrets were
    /// learnt after the first step's report, and each gets the run's redactor.
    pub(super) fn end(self, reports: &mut [WorkflowReport]) {
        let late = self
            .secrets_at_first_report
            .is_some_and(|known| self.redactor.count() > known);
        for report in reports {
            if late {
                report.redact(&self.redactor);
            }
            report.redactor = self.redactor.clone();
        }
    }

    /// Whether the workflow `workflow_id` of the engine's plan ran as a dependency.
    pub(super) fn ran_as_dependency(&self, workflow_id: &str) -> bool {
        let key = (document_key(&self.engine.plan), workflow_id.to_string());
        self.ran_as_dependency.contains(&key)
    }

    /// Checks `inputs` against the workflow's schema and learns its secret values.
    pub(super) fn check_inputs(
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

    /// Runs a workflow called from another (`reached`: as a dependency, by a workflow step, a
    /// `goto` or `retry` action): its inputs are checked first.
    pub(super) fn call(
        &mut self,
        plan: &'e Plan,
        workflow: &'e WorkflowPlan,
        inputs: Value,
        reached: Reached,
    ) -> BoxFuture<'_, Ran> {
        Box::pin(async move {
            // Each nested call is a few native stack frames deeper (its future is polled from
            // the caller's): without a bound, a workflow calling itself overflows the stack.
            if self.depth >= self.engine.limits.max_depth {
                let message = format!(
                    "workflow calls are nested more than {} deep at `{}`: stopped (a workflow that calls itself?)",
                    self.engine.limits.max_depth, workflow.id
                );
                let stopped = self.stop(reached.step_id(), message);
                return not_started(workflow, stopped, reached);
            }
            match self.check_inputs(workflow, &inputs) {
                Ok(()) => {
                    self.depth += 1;
                    let ran = self.workflow(plan, workflow, inputs, Some(reached)).await;
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
                        kind: StepErrorKind::Workflow,
                    };
                    not_started(workflow, outcome, reached)
                }
            }
        })
    }

    /// Stops the whole run with an error at `step_id` (a limit was reached): every workflow
    /// under way ends with it.
    pub(super) fn stop(&mut self, step_id: &str, message: String) -> Outcome {
        let outcome = Outcome::Error {
            step_id: step_id.to_string(),
            message,
            kind: StepErrorKind::Limit,
        };
        self.stopped.get_or_insert(outcome).clone()
    }

    /// The time left before the run's deadline, if it has one (zero once it has passed).
    pub(super) fn time_left(&self) -> Option<Duration> {
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

    /// Counts the step `index` of `run` about to run, or stops the run when a limit forbids
    /// it.
    fn enter(&mut self, run: &mut WorkflowRun<'e>, index: usize) -> Result<(), Outcome> {
        if let Some(stopped) = &self.stopped {
            return Err(stopped.clone());
        }
        let again = run.ran_before[index];
        if let Some(message) = self.over_limit(&run.workflow.steps[index], again) {
            return Err(self.stop(&run.workflow.steps[index].id, message));
        }
        run.ran_before[index] = true;
        self.steps_run += 1;
        if again {
            self.loop_steps_run += 1;
        }
        Ok(())
    }

    /// Runs a workflow (`reached` as it says; none when asked for): its dependencies, its
    /// steps, its outputs.
    fn workflow(
        &mut self,
        plan: &'e Plan,
        workflow: &'e WorkflowPlan,
        inputs: Value,
        reached: Option<Reached>,
    ) -> BoxFuture<'_, Ran> {
        Box::pin(async move {
            let started = Instant::now();
            self.observer
                .workflow_started(&workflow.id, reached.as_ref(), self.depth);
            let mut run = WorkflowRun::new(plan, workflow, inputs);
            self.dependencies(&mut run).await;
            if run.outcome == Outcome::Passed {
                self.steps(&mut run).await;
            }

            let scope = run.scope(&self.results);
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
            let passed = run.outcome == Outcome::Passed;
            let not_run = workflow
                .steps
                .iter()
                .filter(|step| !run.reports.iter().any(|report| report.step_id == step.id))
                .map(|step| step.id.clone())
                .collect();
            let report = WorkflowReport {
                workflow_id: workflow.id.clone(),
                outcome: run.outcome,
                not_run,
                steps: run.reports,
                workflows: run.called,
                reached_by: reached,
                outputs: outputs
                    .iter()
                    .map(|(name, value)| (name.clone(), self.redactor.named(name, value)))
                    .collect(),
                unresolved_outputs,
                duration: started.elapsed(),
                redactor: Redactor::default(),
            };
            self.results.entry(run.document).or_default().insert(
                workflow.id.clone(),
                WorkflowResult {
                    inputs: run.inputs,
                    outputs: outputs.clone(),
                    passed,
                },
            );
            self.observer.workflow_finished(&report, self.depth);
            Ran {
                report,
                outputs,
                last: run.last,
            }
        })
    }

    /// Runs the workflow's `dependsOn` that have not run yet; the first that did not pass
    /// fails the workflow.
    async fn dependencies(&mut self, run: &mut WorkflowRun<'e>) {
        for dependency in &run.workflow.depends_on {
            let (dependency_plan, dependency_workflow) = run.plan.resolve(dependency);
            let done = self
                .results
                .get(&document_key(dependency_plan))
                .and_then(|done| done.get(&dependency_workflow.id));
            let passed = match done {
                Some(result) => result.passed,
                None => {
                    let inputs = run.inputs.clone();
                    let ran = self
                        .call(
                            dependency_plan,
                            dependency_workflow,
                            inputs,
                            Reached::DependsOn,
                        )
                        .await;
                    self.ran_as_dependency.insert((
                        document_key(dependency_plan),
                        dependency_workflow.id.clone(),
                    ));
                    let passed = ran.report.passed();
                    run.called.push(ran.report);
                    passed
                }
            };
            if let Some(stopped) = &self.stopped {
                run.outcome = stopped.clone();
                return;
            }
            if !passed {
                run.outcome = Outcome::DependencyFailed {
                    workflow_id: dependency_workflow.id.clone(),
                    reason: format!("`{}` did not pass", dependency_workflow.id),
                };
                return;
            }
        }
    }

    /// The step loop: each step, then the action its result chooses.
    async fn steps(&mut self, run: &mut WorkflowRun<'e>) {
        let workflow: &'e WorkflowPlan = run.workflow;
        while let Some(step) = workflow.steps.get(run.index) {
            if let Err(stopped) = self.enter(run, run.index) {
                run.outcome = stopped;
                return;
            }
            self.observer.step_started(&step.id, self.depth);
            let mut ran = self.step(run, step).await;
            run.steps
                .insert(step.id.clone(), std::mem::take(&mut ran.outputs));
            if let Some(stopped) = &self.stopped {
                run.outcome = stopped.clone();
                self.finish(run, ran);
                return;
            }
            let passed = ran.report.outcome == StepOutcome::Passed;
            let actions = match passed {
                true => &step.on_success,
                false => &step.on_failure,
            };
            let chosen = {
                let mut scope = run.scope(&self.results);
                scope.outputs = ran.callee_outputs.as_ref();
                scope.exchange = ran.exchange.as_ref();
                let index = run.index;
                choose(actions, &scope, |action| match action.kind {
                    ActionKind::Retry { limit, .. } => {
                        let key = (index, action.name.clone());
                        run.retries.get(&key).copied().unwrap_or(0) < limit
                    }
                    _ => true,
                })
            };
            if self.apply(run, step, chosen, ran).await.is_break() {
                return;
            }
        }
    }

    /// Follows the action chosen after `step` (none: the default flow) and records the step;
    /// `Break` when the workflow ends here.
    async fn apply(
        &mut self,
        run: &mut WorkflowRun<'e>,
        step: &'e StepPlan,
        action: Option<&'e ActionPlan>,
        mut ran: StepRun,
    ) -> ControlFlow<()> {
        let passed = ran.report.outcome == StepOutcome::Passed;
        let index = run.index;
        let Some(action) = action else {
            // The default flow: success → the next step; failure → the workflow fails.
            if passed {
                run.retries
                    .retain(|(step_index, _), _| *step_index != index);
                run.index += 1;
            } else {
                run.outcome = WorkflowRun::failure(&ran.report, step);
            }
            self.finish(run, ran);
            return match run.outcome == Outcome::Passed {
                true => ControlFlow::Continue(()),
                false => ControlFlow::Break(()),
            };
        };
        match &action.kind {
            ActionKind::End => {
                ran.report.action = Some(format!("end (`{}`)", action.name));
                if !passed {
                    let mut ended = WorkflowRun::failure(&ran.report, step);
                    if let Outcome::Failed { reason, .. }
                    | Outcome::Error {
                        message: reason, ..
                    } = &mut ended
                    {
                        *reason = format!("{reason} (ended by failure action `{}`)", action.name);
                    }
                    run.outcome = ended;
                }
                self.finish(run, ran);
                ControlFlow::Break(())
            }
            ActionKind::GotoStep(target) => {
                ran.report.action = Some(format!(
                    "goto step `{}` (`{}`)",
                    run.workflow.steps[*target].id, action.name
                ));
                run.retries.retain(|(step_index, _), _| {
                    *step_index != *target && (!passed || *step_index != index)
                });
                run.index = *target;
                self.finish(run, ran);
                ControlFlow::Continue(())
            }
            ActionKind::GotoWorkflow(reference) => {
                let (target_plan, target) = run.plan.resolve(reference);
                ran.report.action =
                    Some(format!("goto workflow `{}` (`{}`)", target.id, action.name));
                self.finish(run, ran);
                // One-way: the rest of this workflow is skipped; the target's outcome is this
                // workflow's.
                let reached = Reached::Goto {
                    step_id: step.id.clone(),
                    action: action.name.clone(),
                };
                let called = self
                    .call(target_plan, target, run.inputs.clone(), reached)
                    .await;
                run.outcome = called.report.outcome.clone();
                run.called.push(called.report);
                ControlFlow::Break(())
            }
            ActionKind::Retry {
                after,
                limit,
                first,
            } => {
                let used = run.retries.entry((index, action.name.clone())).or_insert(0);
                *used += 1;
                let used = *used;
                let asked = ran
                    .exchange
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
                ran.report.action = Some(format!("retry {used}/{limit}{wait} (`{}`)", action.name));
                self.finish(run, ran);
                if let (Some(left), Some((_, deadline))) = (self.time_left(), self.deadline)
                    && delay > left
                {
                    let message = format!(
                        "retry `{}` would wait {}, past the run's deadline of {}: stopped",
                        action.name,
                        seconds(delay),
                        seconds(deadline)
                    );
                    run.outcome = self.stop(&step.id, message);
                    return ControlFlow::Break(());
                }
                if !delay.is_zero() {
                    self.engine.clock.sleep(delay).await;
                }
                // Call and return: the step or workflow runs (its own actions are not
                // followed), then this step is retried, whatever its result.
                match first {
                    Some(Target::Step(first_index)) => {
                        if let Err(stopped) = self.enter(run, *first_index) {
                            run.outcome = stopped;
                            return ControlFlow::Break(());
                        }
                        let first = &run.workflow.steps[*first_index];
                        let mut first_ran = self.step(run, first).await;
                        run.steps
                            .insert(first.id.clone(), std::mem::take(&mut first_ran.outputs));
                        self.finish(run, first_ran);
                    }
                    Some(Target::Workflow(reference)) => {
                        let (target_plan, target) = run.plan.resolve(reference);
                        let reached = Reached::Retry {
                            step_id: step.id.clone(),
                            action: action.name.clone(),
                        };
                        let called = self
                            .call(target_plan, target, run.inputs.clone(), reached)
                            .await;
                        run.called.push(called.report);
                    }
                    None => {}
                }
                if let Some(stopped) = &self.stopped {
                    run.outcome = stopped.clone();
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            }
        }
    }

    /// Records a finished step.
    fn finish(&mut self, run: &mut WorkflowRun<'e>, ran: StepRun) {
        self.secrets_at_first_report
            .get_or_insert(self.redactor.count());
        self.observer.step_finished(&ran.report, self.depth);
        run.reports.push(ran.report);
        if ran.exchange.is_some() {
            run.last = ran.exchange;
        }
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

/// The report of a called workflow that did not start.
fn not_started(workflow: &WorkflowPlan, outcome: Outcome, reached: Reached) -> Ran {
    let report = WorkflowReport {
        workflow_id: workflow.id.clone(),
        outcome,
        steps: Vec::new(),
        workflows: Vec::new(),
        reached_by: Some(reached),
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
pub(super) fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

/// Whether a criterion holds, and why not.
pub(super) fn check(criterion: &CriterionPlan, scope: &Scope<'_>) -> (bool, Option<String>) {
    match evaluate_criterion(&criterion.criterion, scope) {
        CriterionOutcome::Passed => (true, None),
        CriterionOutcome::Failed { reason } => (false, Some(reason)),
        CriterionOutcome::Error(err) => (false, Some(err.to_string())),
    }
}
