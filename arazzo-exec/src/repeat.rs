//! Load tests: one workflow run many times, with several runs at once, on the current tokio
//! runtime (`arazzo run --repeat N --concurrency C`).
//!
//! Memory stays flat whatever the number of runs: each run's [`WorkflowReport`] is reduced,
//! in the task that ran it, to its outcome and durations, which go into counters and
//! latency histograms (HdrHistogram, 3 significant digits); no report is kept.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::engine::Engine;
use crate::error::RunError;
use crate::report::{Outcome, StepReport, WorkflowReport, milliseconds};

/// How many runs a [`LoadTest`] makes, and how fast.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadOptions {
    /// Stop starting runs after this many (`None`: no limit).
    pub runs: Option<u64>,
    /// Stop starting runs after this long (`None`: no limit). Runs under way finish.
    pub duration: Option<Duration>,
    /// How many runs may be under way at once (at least 1).
    pub concurrency: usize,
    /// Start at most this many runs per second (`None`: as fast as runs finish).
    pub rate: Option<f64>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            runs: Some(1),
            duration: None,
            concurrency: 1,
            rate: None,
        }
    }
}

/// The inputs of run `n` (counted from 1).
type InputsFn = dyn Fn(u64) -> Value + Send + Sync;

/// Runs one workflow many times and aggregates the results into a [`LoadReport`].
///
/// Runs are independent: each gets its own inputs from [`LoadTest::with_inputs`] and its own
/// state; they share the engine (its plan, executor and HTTP connection pool).
///
/// ```
/// use arazzo_exec::{Engine, Executor, ExecutorError, LoadOptions, LoadTest, Plan, Request,
///     Response, SourceOptions};
/// use serde_json::json;
///
/// struct Echo;
///
/// #[arazzo_exec::async_trait]
/// impl Executor for Echo {
///     async fn execute(&self, request: &Request) -> Result<Response, ExecutorError> {
///         let headers = vec![("content-type".to_string(), "application/json".to_string())];
///         Ok(Response { status: 200, headers, body: request.body.clone().unwrap_or_default() })
///     }
/// }
///
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async {
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml");
/// let engine = Engine::new(Plan::load(path, &SourceOptions::default()).await?, Echo);
/// let options = LoadOptions { runs: Some(100), concurrency: 8, ..LoadOptions::default() };
/// let load = LoadTest::new(engine, "launch-usage-based-product", options).with_inputs(|n| json!({
///     "apiKey": "k", "meterApiName": "api-calls", "displayName": "API Calls",
///     "type": "sum_of_all_usage", "customerId": format!("cust-{n}"), "customerName": "Acme",
///     "productId": "1", "meterValue": 5, "meterTimeInMillis": 1718153645993u64
/// }));
/// let report = load.run(std::future::pending()).await;
/// assert_eq!((report.runs, report.passed), (100, 100));
/// assert_eq!(report.steps["createMeter"].count, 100);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct LoadTest {
    engine: Engine,
    workflow_id: Arc<str>,
    inputs: Arc<InputsFn>,
    options: LoadOptions,
    progress: Arc<LoadProgress>,
    stop: LoadStop,
}

impl std::fmt::Debug for LoadTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadTest")
            .field("workflow_id", &self.workflow_id)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl LoadTest {
    /// Runs of `workflow_id` through `engine`, as `options` say, with empty inputs. The runs'
    /// reports are reduced to counts and times, so they leave out the exchanges' headers and
    /// bodies ([`Engine::with_exchange_details`]).
    pub fn new(engine: Engine, workflow_id: &str, options: LoadOptions) -> LoadTest {
        LoadTest {
            engine: engine.with_exchange_details(false),
            workflow_id: workflow_id.into(),
            inputs: Arc::new(|_| Value::Object(serde_json::Map::new())),
            options,
            progress: Arc::default(),
            stop: LoadStop::new(),
        }
    }

    /// The inputs of each run: `inputs(n)` for run `n`, counted from 1 in the order the runs
    /// start.
    pub fn with_inputs(mut self, inputs: impl Fn(u64) -> Value + Send + Sync + 'static) -> Self {
        self.inputs = Arc::new(inputs);
        self
    }

    /// Live counters, to show progress while [`LoadTest::run`] goes on.
    pub fn progress(&self) -> Arc<LoadProgress> {
        self.progress.clone()
    }

    /// A handle that stops the test from elsewhere (e.g. on Ctrl-C).
    pub fn stopper(&self) -> LoadStop {
        self.stop.clone()
    }

    /// Runs until the runs or the duration of the options are used up, `stop` resolves, or
    /// [`LoadStop::stop`] is called: then no run is started, and the runs under way finish
    /// (a second [`LoadStop::stop`] aborts them: they are not counted). Must be called within
    /// a tokio runtime; with a multi-thread runtime, runs use every worker.
    pub async fn run(&self, stop: impl Future<Output = ()>) -> LoadReport {
        let options = &self.options;
        let concurrency = options.concurrency.max(1);
        let period = options
            .rate
            .filter(|rate| *rate > 0.0 && rate.is_finite())
            .map(|rate| Duration::from_secs_f64(1.0 / rate));
        let started = Instant::now();
        let deadline = options.duration.map(|duration| started + duration);
        let mut next_start = tokio::time::Instant::from_std(started);
        let mut aggregate = Aggregate::new(&self.engine, &self.workflow_id);
        let mut running = JoinSet::new();
        let mut stopping = options.runs == Some(0);
        let mut stop_level = self.stop.subscribe();
        tokio::pin!(stop);
        let mut external_stop_done = false;
        let deadline_sleep = async {
            match deadline {
                Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(deadline_sleep);
        let mut interrupted = false;

        loop {
            let may_start = !stopping && running.len() < concurrency;
            if !may_start && running.is_empty() {
                break;
            }
            tokio::select! {
                biased;
                () = &mut stop, if !external_stop_done => {
                    external_stop_done = true;
                    stopping = true;
                    interrupted = true;
                }
                changed = stop_level.changed() => {
                    let level = if changed.is_ok() { *stop_level.borrow_and_update() } else { 1 };
                    stopping = true;
                    interrupted = true;
                    if level >= 2 {
                        running.abort_all();
                    }
                }
                () = &mut deadline_sleep, if !stopping => stopping = true,
                Some(done) = running.join_next(), if !running.is_empty() => {
                    // An aborted run is not counted.
                    if let Ok(done) = done {
                        aggregate.record(done);
                        self.progress.record(&aggregate);
                    }
                }
                () = wait_until(period.map(|_| next_start)), if may_start => {
                    let n = self.progress.started.fetch_add(1, Ordering::Relaxed) + 1;
                    if let Some(period) = period {
                        next_start += period;
                    }
                    let engine = self.engine.clone();
                    let workflow_id = self.workflow_id.clone();
                    let inputs = (self.inputs)(n);
                    running.spawn(async move {
                        let started = Instant::now();
                        let result = engine.run(&workflow_id, inputs).await;
                        Done::new(result, started.elapsed())
                    });
                    if options.runs.is_some_and(|runs| n >= runs) {
                        stopping = true;
                    }
                }
            }
        }
        aggregate.report(concurrency, started.elapsed(), interrupted)
    }
}

/// Waits until `at`, or not at all.
async fn wait_until(at: Option<tokio::time::Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

/// Stops a [`LoadTest`]: the first call stops starting runs, the second aborts those under way.
#[derive(Debug, Clone)]
pub struct LoadStop {
    level: Arc<watch::Sender<u8>>,
}

impl LoadStop {
    fn new() -> LoadStop {
        LoadStop {
            level: Arc::new(watch::Sender::new(0)),
        }
    }

    /// Asks the load test to stop (see the type's docs).
    pub fn stop(&self) {
        self.level
            .send_modify(|level| *level = level.saturating_add(1));
    }

    fn subscribe(&self) -> watch::Receiver<u8> {
        self.level.subscribe()
    }
}

/// Counters of a [`LoadTest`] under way, updated as runs finish.
#[derive(Debug, Default)]
pub struct LoadProgress {
    started: AtomicU64,
    finished: AtomicU64,
    passed: AtomicU64,
    requests: AtomicU64,
}

impl LoadProgress {
    /// Runs started so far.
    pub fn started(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }

    /// Runs finished so far.
    pub fn finished(&self) -> u64 {
        self.finished.load(Ordering::Relaxed)
    }

    /// Runs that passed so far.
    pub fn passed(&self) -> u64 {
        self.passed.load(Ordering::Relaxed)
    }

    /// HTTP requests sent by the finished runs.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn record(&self, aggregate: &Aggregate) {
        self.finished.store(aggregate.runs, Ordering::Relaxed);
        self.passed.store(aggregate.passed, Ordering::Relaxed);
        self.requests.store(aggregate.requests, Ordering::Relaxed);
    }
}

/// What a load test measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadReport {
    /// The workflow run.
    pub workflow_id: String,
    /// Runs finished (passed, failed or in error).
    pub runs: u64,
    /// Runs that passed.
    pub passed: u64,
    /// Runs whose workflow failed (a success criterion, a failure action `end`, a dependency).
    pub failed: u64,
    /// Runs that stopped on an error (no response, an expression that did not resolve,
    /// invalid inputs).
    pub errors: u64,
    /// Whether the test was stopped before its runs or duration were used up.
    pub interrupted: bool,
    /// Runs under way at once, at most.
    pub concurrency: usize,
    /// Wall time from the first run started to the last one finished.
    #[serde(serialize_with = "milliseconds")]
    pub duration: Duration,
    /// Runs finished per second of `duration`.
    pub runs_per_second: f64,
    /// HTTP requests sent (steps that built a request, nested workflows included).
    pub requests: u64,
    /// Requests per second of `duration`.
    pub requests_per_second: f64,
    /// Runs that did not pass, grouped by the step (or dependency) where they stopped and how.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<FailureCount>,
    /// Latency of whole runs.
    pub workflow: Latency,
    /// Latency of each step of the workflow (each execution, retries included), in plan order.
    pub steps: IndexMap<String, Latency>,
    /// Resident memory of the process after 1, 10, 100… runs and at the end (Linux only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub memory: Vec<MemorySample>,
}

/// Runs that stopped at the same place in the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureCount {
    /// `failed` (a criterion did not hold), `error` (no response…), `dependency-failed`, or
    /// `invalid-inputs`.
    pub outcome: &'static str,
    /// The step (or, for `dependency-failed`, the workflow) where the runs stopped; empty for
    /// invalid inputs.
    pub step_id: String,
    /// How many runs.
    pub count: u64,
    /// The reason given by the first of them.
    pub example: String,
}

/// Latency percentiles, serialised in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Latency {
    /// How many were measured.
    pub count: u64,
    /// The fastest.
    #[serde(serialize_with = "milliseconds")]
    pub min: Duration,
    /// The mean.
    #[serde(serialize_with = "milliseconds")]
    pub mean: Duration,
    /// The median.
    #[serde(serialize_with = "milliseconds")]
    pub p50: Duration,
    /// The 90th percentile.
    #[serde(serialize_with = "milliseconds")]
    pub p90: Duration,
    /// The 99th percentile.
    #[serde(serialize_with = "milliseconds")]
    pub p99: Duration,
    /// The slowest.
    #[serde(serialize_with = "milliseconds")]
    pub max: Duration,
}

/// The resident memory of the process after a number of runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MemorySample {
    /// Runs finished.
    pub runs: u64,
    /// Resident set size, in bytes (`VmRSS`).
    pub rss_bytes: u64,
}

/// A finished run, reduced in its task to what the aggregate needs.
struct Done {
    /// `None` when it passed.
    failure: Option<(&'static str, String, String)>,
    duration: Duration,
    steps: Vec<(String, Duration)>,
    requests: u64,
}

impl Done {
    fn new(result: Result<WorkflowReport, RunError>, duration: Duration) -> Done {
        let report = match result {
            Ok(report) => report,
            Err(err) => {
                return Done {
                    failure: Some(("invalid-inputs", String::new(), err.to_string())),
                    duration,
                    steps: Vec::new(),
                    requests: 0,
                };
            }
        };
        let failure = match report.outcome {
            Outcome::Passed => None,
            Outcome::Failed {
                step_id, reason, ..
            } => Some(("failed", step_id, reason)),
            Outcome::Error {
                step_id, message, ..
            } => Some(("error", step_id, message)),
            Outcome::DependencyFailed {
                workflow_id,
                reason,
            } => Some(("dependency-failed", workflow_id, reason)),
        };
        let requests = requests(&report.steps, &report.workflows);
        let steps = report
            .steps
            .into_iter()
            .map(|step| (step.step_id, step.duration))
            .collect();
        Done {
            failure,
            duration,
            steps,
            requests,
        }
    }
}

/// Requests sent by steps and the workflows they called.
fn requests(steps: &[StepReport], workflows: &[WorkflowReport]) -> u64 {
    let nested = |report: &WorkflowReport| requests(&report.steps, &report.workflows);
    let own: u64 = steps
        .iter()
        .map(|step| u64::from(step.request.is_some()) + step.workflow.as_deref().map_or(0, nested))
        .sum();
    own + workflows.iter().map(nested).sum::<u64>()
}

/// The longest latency a histogram holds exactly (one hour, in µs); longer ones count as it.
const HISTOGRAM_MAX_MICROS: u64 = 3_600_000_000;

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HISTOGRAM_MAX_MICROS, 3).expect("valid histogram bounds")
}

/// Counters and histograms of the finished runs.
struct Aggregate {
    workflow_id: String,
    runs: u64,
    passed: u64,
    failed: u64,
    errors: u64,
    requests: u64,
    workflow: Histogram<u64>,
    /// By step id, in plan order first, then as met (steps of another workflow are not
    /// expected, but would be counted).
    steps: IndexMap<String, Histogram<u64>>,
    failures: HashMap<(&'static str, String), (u64, String)>,
    /// The order failures were first seen in.
    failure_order: Vec<(&'static str, String)>,
    memory: Vec<MemorySample>,
    next_sample: u64,
}

impl Aggregate {
    fn new(engine: &Engine, workflow_id: &str) -> Aggregate {
        let steps = engine
            .plan()
            .workflow(workflow_id)
            .map(|workflow| {
                workflow
                    .steps
                    .iter()
                    .map(|step| (step.id.clone(), histogram()))
            })
            .into_iter()
            .flatten()
            .collect();
        Aggregate {
            workflow_id: workflow_id.to_string(),
            runs: 0,
            passed: 0,
            failed: 0,
            errors: 0,
            requests: 0,
            workflow: histogram(),
            steps,
            failures: HashMap::new(),
            failure_order: Vec::new(),
            memory: Vec::new(),
            next_sample: 1,
        }
    }

    fn record(&mut self, done: Done) {
        self.runs += 1;
        self.requests += done.requests;
        self.workflow.saturating_record(micros(done.duration));
        for (step_id, duration) in done.steps {
            let histogram = match self.steps.get_mut(&step_id) {
                Some(histogram) => histogram,
                None => self.steps.entry(step_id).or_insert_with(histogram),
            };
            histogram.saturating_record(micros(duration));
        }
        match done.failure {
            None => self.passed += 1,
            Some((outcome, step_id, reason)) => {
                if outcome == "failed" || outcome == "dependency-failed" {
                    self.failed += 1;
                } else {
                    self.errors += 1;
                }
                let key = (outcome, step_id);
                match self.failures.get_mut(&key) {
                    Some((count, _)) => *count += 1,
                    None => {
                        self.failure_order.push(key.clone());
                        self.failures.insert(key, (1, reason));
                    }
                }
            }
        }
        if self.runs == self.next_sample {
            self.sample_memory();
            self.next_sample = self.next_sample.saturating_mul(10);
        }
    }

    fn sample_memory(&mut self) {
        if let Some(rss_bytes) = resident_memory() {
            self.memory.push(MemorySample {
                runs: self.runs,
                rss_bytes,
            });
        }
    }

    fn report(mut self, concurrency: usize, duration: Duration, interrupted: bool) -> LoadReport {
        if self.memory.last().is_none_or(|last| last.runs != self.runs) {
            self.sample_memory();
        }
        let per_second = |count: u64| {
            let seconds = duration.as_secs_f64();
            if seconds > 0.0 {
                count as f64 / seconds
            } else {
                0.0
            }
        };
        let failures = self
            .failure_order
            .into_iter()
            .map(|key| {
                let (count, example) = self.failures.remove(&key).unwrap_or_default();
                FailureCount {
                    outcome: key.0,
                    step_id: key.1,
                    count,
                    example,
                }
            })
            .collect();
        LoadReport {
            workflow_id: self.workflow_id,
            runs: self.runs,
            passed: self.passed,
            failed: self.failed,
            errors: self.errors,
            interrupted,
            concurrency,
            duration,
            runs_per_second: per_second(self.runs),
            requests: self.requests,
            requests_per_second: per_second(self.requests),
            failures,
            workflow: latency(&self.workflow),
            steps: self
                .steps
                .iter()
                .filter(|(_, histogram)| !histogram.is_empty())
                .map(|(id, histogram)| (id.clone(), latency(histogram)))
                .collect(),
            memory: self.memory,
        }
    }
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros())
        .unwrap_or(u64::MAX)
        .clamp(1, HISTOGRAM_MAX_MICROS)
}

fn latency(histogram: &Histogram<u64>) -> Latency {
    if histogram.is_empty() {
        return Latency::default();
    }
    let at = |quantile: f64| Duration::from_micros(histogram.value_at_quantile(quantile));
    Latency {
        count: histogram.len(),
        min: Duration::from_micros(histogram.min()),
        mean: Duration::from_secs_f64(histogram.mean() / 1e6),
        p50: at(0.5),
        p90: at(0.9),
        p99: at(0.99),
        max: Duration::from_micros(histogram.max()),
    }
}

/// The resident set size of this process, from `/proc/self/status` (Linux).
pub(crate) fn resident_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_reads_percentiles_in_microseconds() {
        let mut histogram = histogram();
        for micros in 1..=1000 {
            histogram.record(micros).unwrap();
        }
        let latency = latency(&histogram);
        assert_eq!(latency.count, 1000);
        assert_eq!(latency.min, Duration::from_micros(1));
        assert_eq!(latency.p50, Duration::from_micros(500));
        assert_eq!(latency.p99, Duration::from_micros(990));
        assert_eq!(latency.max, Duration::from_micros(1000));
    }

    #[test]
    fn micros_are_clamped_into_the_histogram() {
        assert_eq!(micros(Duration::ZERO), 1);
        assert_eq!(micros(Duration::from_secs(7200)), HISTOGRAM_MAX_MICROS);
    }
}
