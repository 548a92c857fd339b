//! Everything `arazzo run` (and its load mode) and `arazzo snapshot` do before the first
//! request: the document read, validated and planned with its sources (loaded once), the
//! inputs collected and checked, the output paths checked, the mock started from the plan's
//! sources (`--mock`), the engine built. When preparing fails, nothing was sent.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arazzo_exec::{
    CassetteError, Engine, Executor, HttpExecutor, ManualClock, Observer, Plan, PrepareError,
    Recording, ReplayExecutor, RunError, SourceOptions, WorkflowReport,
};
use arazzo_mock::{Fault, MockOptions, MockServer};
use arazzo_model::{Document, SourceFile};
use arazzo_sources::{self as sources, OpenApi, SourceErrorKind, Sources};
use serde_json::Value;
use tokio::runtime::Runtime;

use crate::args::{Environment, RunArgs, parse_faults};
use crate::error::CliError;
use crate::inputs::{Given, RunInputs};

/// Which workflows of the document to run.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Selection<'a> {
    /// This one (`--workflow`), or the document's only workflow.
    One(Option<&'a str>),
    /// Every workflow, in document order (`run --all`).
    All,
    /// Those of the document among these ids, in document order (`test --workflow`).
    Among(&'a [String]),
}

/// Workflows ready to run: nothing was sent yet.
pub(crate) struct Prepared {
    /// What the run (and the mock) go on: one thread, or in the load mode a worker per core.
    pub runtime: Runtime,
    /// The engine, over HTTP, the mock or the cassette.
    pub engine: Engine,
    /// The workflows to run, in order, each with its inputs (checked).
    pub runs: Vec<RunInputs>,
    /// `--mock`: answers the run's requests.
    pub mock: Option<MockServer>,
    /// `--record`: where to, and what the run sent and received.
    record: Option<Record>,
    /// `--replay`: the cassette answering.
    replay: Option<Arc<ReplayExecutor>>,
    /// What was read of other dialects (`compat-…`) and lenient expressions, one line each.
    pub readings: Vec<arazzo_model::Diagnostic>,
    /// The document's name, for those lines.
    pub file_name: String,
}

/// `--record CASSETTE`.
struct Record {
    path: PathBuf,
    recording: Arc<Recording<Arc<dyn Executor>>>,
}

/// Prepares the run `args` ask for (`--workflow`, or `--all`), reading `ARAZZO_*` variables
/// from `env`.
pub(crate) fn prepare(args: &RunArgs, env: &Environment) -> Result<Prepared, CliError> {
    let selection = match args.all {
        true => Selection::All,
        false => Selection::One(args.document.workflow.as_deref()),
    };
    prepare_selected(args, env, selection)
}

/// [`prepare`] for the workflows `selection` names. When it names several, each takes the
/// inputs its schema lists (all of them when it lets any name in, or has no schema): one
/// set of inputs serves every workflow.
pub(crate) fn prepare_selected(
    args: &RunArgs,
    env: &Environment,
    selection: Selection<'_>,
) -> Result<Prepared, CliError> {
    args.check().map_err(CliError::Usage)?;
    let file = SourceFile::read(&args.document.file).map_err(CliError::Read)?;
    let options = source_options(args, env)?;
    let faults = match args.mock {
        true => Some(parse_faults(&args.fails).map_err(CliError::Usage)?),
        false => None,
    };
    let runtime = match args.load.requested() {
        true => tokio::runtime::Builder::new_multi_thread(),
        false => tokio::runtime::Builder::new_current_thread(),
    }
    .enable_all()
    .build()?;
    let plan = match runtime.block_on(Plan::from_file(&file, &options)) {
        Ok(plan) => plan,
        Err(err) => return Err(plan_error(file, err)),
    };
    // Before `--mock` plans again, without them.
    let readings = plan
        .warnings()
        .iter()
        .filter(|warning| {
            warning.rule.is_compat()
                || matches!(
                    warning.rule,
                    arazzo_model::Rule::ExpressionLenient | arazzo_model::Rule::DollarText
                )
        })
        .cloned()
        .collect();
    let (plan, mock) = match faults {
        Some(faults) => {
            let delay = Duration::from_millis(args.delay_ms.unwrap_or(0));
            let (plan, mock) =
                runtime.block_on(mock_sources(plan, &file, &options, faults, delay))?;
            (plan, Some(mock))
        }
        None => (plan, None),
    };
    let workflow_ids = select_workflows(&plan, selection)?;
    let given = Given::read(&args.document, env.vars(), plan.workflow_ids())?;
    let mut collected = Vec::new();
    for workflow_id in &workflow_ids {
        let schema = plan
            .workflow(workflow_id)
            .and_then(|workflow| workflow.inputs());
        let mut inputs = given.of(workflow_id, schema);
        let unknown = plan.unknown_inputs(workflow_id, &Value::Object(inputs.clone()));
        if !unknown.is_empty() {
            return Err(CliError::InvalidInputs {
                problems: unknown,
                of: format!("workflow `{workflow_id}`"),
            });
        }
        if let (Some(schema), true) = (schema, workflow_ids.len() > 1)
            && !schema.is_open()
        {
            let names = schema.names();
            inputs.retain(|name, _| names.contains(&name.as_str()));
        }
        collected.push(inputs);
    }
    let plan = Arc::new(plan);
    let replay = match &args.replay {
        Some(path) => Some(Arc::new(
            ReplayExecutor::from_path(path).map_err(CliError::Cassette)?,
        )),
        None => None,
    };
    let (engine, record) = engine(args, env, plan.clone(), replay.as_ref(), mock.as_ref())?;
    // A path that cannot be written would lose the run after its requests were sent.
    for path in args.output.iter().chain(&args.record) {
        writable(path).map_err(CliError::Usage)?;
    }
    let mut runs = Vec::new();
    for (workflow_id, collected) in workflow_ids.iter().zip(collected) {
        let csv = args.load.inputs_csv.as_deref();
        let inputs = RunInputs::new(plan.clone(), workflow_id, collected, csv)?;
        inputs.check(args.load.requested())?;
        runs.push(inputs);
    }
    Ok(Prepared {
        runtime,
        engine,
        runs,
        mock,
        record,
        replay,
        readings,
        file_name: file.name().to_string(),
    })
}

/// The engine of the run: requests answered by `replay`, else sent over HTTP (to `mock`,
/// when there is one), and recorded for `--record`.
fn engine(
    args: &RunArgs,
    env: &Environment,
    plan: Arc<Plan>,
    replay: Option<&Arc<ReplayExecutor>>,
    mock: Option<&MockServer>,
) -> Result<(Engine, Option<Record>), CliError> {
    let http = || {
        HttpExecutor::builder()
            .timeout(args.limits.timeout)
            .max_body(usize::try_from(args.limits.max_response_size.as_u64()).unwrap_or(usize::MAX))
            .build()
            .map_err(|err| CliError::Runtime(err.into()))
    };
    let executor: Arc<dyn Executor> = match (replay, mock) {
        (Some(replay), _) => replay.clone(),
        (None, Some(mock)) => Arc::new(crate::routed::Routed::new(http()?, mock.url())),
        (None, None) => Arc::new(http()?),
    };
    let record = args.record.clone().map(|path| Record {
        path,
        recording: Arc::new(Recording::new(executor.clone())),
    });
    let mut engine = match &record {
        Some(record) => Engine::new(plan, record.recording.clone()),
        None => Engine::new(plan, executor),
    };
    engine = engine
        .with_credentials(arazzo_exec::credentials_from_env(env.vars()))
        .with_strict(args.document.sources.strict)
        .with_limits(args.limits.engine_limits());
    if replay.is_some() {
        // Replayed responses are instant: retry delays are not waited for either.
        let clock = ManualClock::new(SystemTime::now());
        engine = engine.with_clock(Arc::new(clock));
    }
    Ok((engine, record))
}

impl Prepared {
    /// The length of the longest step id of the workflows to run (to align their lines).
    pub(crate) fn step_width(&self) -> usize {
        let plan = self.engine.plan();
        self.runs
            .iter()
            .filter_map(|run| plan.workflow(run.workflow_id()))
            .flat_map(|workflow| workflow.step_ids().map(str::len))
            .max()
            .unwrap_or(0)
    }

    /// Runs each workflow once, in order, as one session (they share `$workflows`, a
    /// dependency runs once), telling `observer` about each step; then stops the mock. The
    /// reports are those of the workflows run: one that ran as a dependency of an earlier
    /// one is in that one's report.
    pub(crate) fn run(&mut self, observer: &dyn Observer) -> Result<Vec<WorkflowReport>, CliError> {
        let mut session = self.engine.session(observer);
        for run in &self.runs {
            let workflow_id = run.workflow_id();
            let ran = self.runtime.block_on(session.run(workflow_id, run.once()));
            ran.map_err(|err| match err {
                RunError::InvalidInputs { problems } => CliError::InvalidInputs {
                    problems,
                    of: format!("workflow `{workflow_id}`"),
                },
                other => CliError::Usage(other.to_string()),
            })?;
        }
        let reports = session.finish();
        if let Some(mock) = self.mock.take() {
            self.runtime.block_on(mock.stop());
        }
        Ok(reports)
    }

    /// `--record`: writes the cassette of the run `reports` are of.
    pub(crate) fn write_cassette(&self, reports: &[WorkflowReport]) -> Result<(), CassetteError> {
        match (&self.record, reports.first()) {
            // The run's own redactor: it knows the credentials too, not only the secret inputs.
            (Some(record), Some(report)) => record
                .recording
                .cassette(&report.redactor)
                .write(&record.path),
            _ => Ok(()),
        }
    }

    /// A warning when `--replay`'s cassette has exchanges the run did not use.
    pub(crate) fn unused_warning(&self) -> Option<String> {
        let unused = self.replay.as_ref()?.unused();
        let first = unused.first()?;
        Some(format!(
            "warning: {} exchanges of the cassette were not used; the first: {} {}",
            unused.len(),
            first.request.method,
            first.request.url
        ))
    }

    /// Ends the run's resources, but the plan.
    pub(crate) fn end(self) {
        // The process ends after this run: freeing the plan (every parsed document and
        // compiled schema) would only take time.
        std::mem::forget(self.engine);
    }
}

/// Why `Plan::from_file` failed, as a failure of the command.
fn plan_error(file: SourceFile, err: PrepareError) -> CliError {
    match err {
        PrepareError::Read(read) => CliError::Read(read),
        PrepareError::Invalid(validation) => CliError::Invalid(Box::new((file, *validation))),
        PrepareError::Plan(plan) => plan.into(),
        // A `--server` naming no source is a mistake on the command line.
        PrepareError::Source(
            source @ sources::SourceError {
                kind: SourceErrorKind::UnknownOverride { .. },
                ..
            },
        ) => CliError::Usage(source.to_string()),
        PrepareError::Source(source) => CliError::Source(source),
        other => CliError::Runtime(other.into()),
    }
}

/// `--server SOURCE=URL` over `ARAZZO_SERVER_<SOURCE>` environment variables.
fn source_options(args: &RunArgs, env: &Environment) -> Result<SourceOptions, CliError> {
    let usage = |err: sources::ServerOverrideError| CliError::Usage(err.to_string());
    let env_servers = sources::servers_from_env(env.vars()).map_err(usage)?;
    let servers = args
        .document
        .servers
        .iter()
        .map(|argument| sources::parse_server_override(argument))
        .collect::<Result<_, _>>()
        .map_err(usage)?;
    Ok(SourceOptions {
        servers,
        env_servers,
        ..args.document.sources.options()
    })
}

/// `--mock`: a mock of every OpenAPI source of the plan (nested Arazzo sources included) on
/// a free 127.0.0.1 port, logging nothing, and the plan with those sources that have no
/// http(s) server pointed at it. A source given a `--server` keeps it and is not mocked.
async fn mock_sources(
    plan: Plan,
    file: &SourceFile,
    options: &SourceOptions,
    faults: Vec<Fault>,
    delay: Duration,
) -> Result<(Plan, MockServer), CliError> {
    let mut found = Vec::new();
    collect_openapi(
        plan.document(),
        plan.sources(),
        &mut HashSet::new(),
        &mut found,
    );
    let mocked: Vec<(String, &OpenApi)> = found
        .iter()
        .filter(|(name, _)| !options.servers.contains_key(name))
        .filter_map(|(name, sources)| Some((name.clone(), sources.openapi(name)?)))
        .collect();
    if mocked.is_empty() {
        return Err(CliError::NothingToMock);
    }
    let mock_options = MockOptions {
        faults,
        delay,
        ..MockOptions::default()
    };
    let mock = MockServer::start(mocked.iter().map(|(_, api)| *api), mock_options).await?;
    // Sources with http(s) servers keep their URLs: the run's executor routes their requests
    // to the mock (`crate::routed::Routed`), so reports and cassettes read like real runs. The
    // others (no server, a relative one) are pointed at the mock.
    let servers: HashMap<String, _> = mocked
        .iter()
        .filter(|(_, api)| {
            api.operations()
                .iter()
                .any(|operation| operation.base_url().is_err())
        })
        .map(|(name, _)| (name.clone(), mock.url()))
        .collect();
    if servers.is_empty() {
        return Ok((plan, mock));
    }
    let sources = plan.sources().with_servers(&servers);
    let plan = Plan::new(plan.document().clone(), file.value(), sources)?;
    Ok((plan, mock))
}

/// The names of the OpenAPI sources of `document` and, recursively, of its Arazzo sources,
/// each with the sources holding it.
fn collect_openapi(
    document: &Document,
    sources: &Sources,
    seen: &mut HashSet<String>,
    found: &mut Vec<(String, Sources)>,
) {
    if !seen.insert(sources.document_url().to_string()) {
        return;
    }
    for source in &document.source_descriptions {
        if sources.openapi(&source.name).is_some() {
            if !found.iter().any(|(name, _)| *name == source.name) {
                found.push((source.name.clone(), sources.clone()));
            }
        } else if let Some(nested) = sources.arazzo(&source.name) {
            collect_openapi(nested.document, &nested.sources, seen, found);
        }
    }
}

/// The ids of the workflows `selection` names, in document order.
fn select_workflows(plan: &Plan, selection: Selection<'_>) -> Result<Vec<String>, CliError> {
    let ids = plan.workflow_ids().map(str::to_string);
    match selection {
        Selection::One(asked) => Ok(vec![select_workflow(plan, asked)?]),
        Selection::All => Ok(ids.collect()),
        Selection::Among(asked) => Ok(ids.filter(|id| asked.contains(id)).collect()),
    }
}

fn select_workflow(plan: &Plan, asked: Option<&str>) -> Result<String, CliError> {
    let ids: Vec<&str> = plan.workflow_ids().collect();
    match asked {
        Some(id) if ids.contains(&id) => Ok(id.to_string()),
        Some(id) => Err(CliError::Usage(format!(
            "no workflow `{id}`; the document has {}",
            ids.join(", ")
        ))),
        None if ids.len() == 1 => Ok(ids[0].to_string()),
        None => Err(CliError::Usage(format!(
            "the document has several workflows; choose one with --workflow: {}",
            ids.join(", ")
        ))),
    }
}

/// Whether `path` can be written (created, or overwritten), checked before anything is sent:
/// nothing is created.
fn writable(path: &Path) -> Result<(), String> {
    let cannot = |why: String| format!("cannot write {}: {why}", path.display());
    if path.is_dir() {
        return Err(cannot("it is a folder".to_string()));
    }
    if path.exists() {
        return std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map(drop)
            .map_err(|err| cannot(err.kind().to_string()));
    }
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(cannot(format!("no folder {}", parent.display())));
    }
    tempfile::tempfile_in(parent)
        .map(drop)
        .map_err(|err| cannot(err.kind().to_string()))
}
