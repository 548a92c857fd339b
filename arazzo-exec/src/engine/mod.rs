//! The engine: runs a planned workflow step by step through an [`Executor`], following the
//! success and failure actions.
//!
//! [`Engine`] is the public face; `run` holds one run's state and the step loop (a
//! `WorkflowRun` per workflow under way), `step` runs one step: its request, response,
//! criteria and outputs.

mod run;
mod step;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::clock::{Clock, SystemClock};
use crate::error::RunError;
use crate::executor::Executor;
use crate::plan::Plan;
use crate::report::{Reached, StepReport, WorkflowReport};

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
    /// A workflow is about to run: its dependencies, then its steps, come next. `reached`
    /// says how another workflow reached it (none for one asked for, at depth 0).
    fn workflow_started(&self, workflow_id: &str, reached: Option<&Reached>, depth: usize) {
        let _ = (workflow_id, reached, depth);
    }
    /// A workflow has finished (for a workflow step, before the step's own
    /// [`Observer::step_finished`]).
    fn workflow_finished(&self, report: &WorkflowReport, depth: usize) {
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
    /// report's [`Outcome`](crate::Outcome).
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
        let mut run = run::Run::new(self, observer);
        let mut report = top(&mut run, workflow_id, inputs).await?;
        run.end(std::slice::from_mut(&mut report));
        Ok(report)
    }

    /// A [`Session`]: several workflows of the plan run one after another as one run,
    /// telling `observer` about each step.
    pub fn session<'e>(&'e self, observer: &'e dyn Observer) -> Session<'e> {
        Session {
            run: run::Run::new(self, observer),
            reports: Vec::new(),
        }
    }
}

/// Checks `inputs` and runs the workflow `workflow_id` of the engine's plan in `run`.
async fn top<'e>(
    run: &mut run::Run<'e>,
    workflow_id: &str,
    inputs: Value,
) -> Result<WorkflowReport, RunError> {
    let plan: &'e Plan = &run.engine.plan;
    let workflow = plan
        .workflow(workflow_id)
        .ok_or_else(|| RunError::UnknownWorkflow {
            workflow_id: workflow_id.to_string(),
            available: plan.workflow_ids().map(str::to_string).collect(),
        })?;
    let inputs = if inputs.is_null() {
        Value::Object(Map::new())
    } else {
        inputs
    };
    run.check_inputs(workflow, &inputs)
        .map_err(|problems| RunError::InvalidInputs { problems })?;
    Ok(run.top(workflow, inputs).await)
}

/// Several workflows of one plan run one after another as one run (`arazzo run --all`,
/// `arazzo test`): what a workflow did is seen by the later ones
/// (`$workflows.<id>.outputs.<name>`), a `dependsOn` that already ran (asked for, or as a
/// dependency) is not run again but its outputs reused, the OAuth2 tokens fetched are kept,
/// and one redactor knows every secret of the session. The limits of a run (steps, loops,
/// deadline) apply to each workflow asked for, with what it reaches.
pub struct Session<'e> {
    run: run::Run<'e>,
    reports: Vec<WorkflowReport>,
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("reports", &self.reports.len())
            .finish_non_exhaustive()
    }
}

impl Session<'_> {
    /// Runs the workflow `workflow_id` with `inputs` (a JSON object) and keeps its report,
    /// unless it already ran in this session as a dependency of another: then it is not run
    /// again (its report is in that one's [`WorkflowReport::workflows`]) and this returns
    /// `Ok(false)`.
    ///
    /// # Errors
    /// As [`Engine::run`]; nothing was sent then.
    pub async fn run(&mut self, workflow_id: &str, inputs: Value) -> Result<bool, RunError> {
        if self.run.ran_as_dependency(workflow_id) {
            return Ok(false);
        }
        let report = top(&mut self.run, workflow_id, inputs).await?;
        self.reports.push(report);
        Ok(true)
    }

    /// The reports of the workflows run so far, in order (not redacted yet for the secrets
    /// learnt after them: [`Session::finish`] does that).
    pub fn reports(&self) -> &[WorkflowReport] {
        &self.reports
    }

    /// Ends the session: the report of each workflow run, in order, redacted with every
    /// secret the session knew, each with the session's redactor
    /// ([`WorkflowReport::redactor`]).
    pub fn finish(self) -> Vec<WorkflowReport> {
        let mut reports = self.reports;
        self.run.end(&mut reports);
        reports
    }
}
