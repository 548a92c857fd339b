//! `arazzo run FILE`: run a workflow, print each step and the outputs.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use arazzo_exec::{
    Engine, Executor, HttpExecutor, InputProblem, InputSchema, LoadError, ManualClock, Outcome,
    Plan, PlanError, Recording, ReplayExecutor, RunError, SourceOptions, WorkflowReport,
};
use arazzo_model::SourceFile;
use serde_json::{Map, Value};

use crate::args::{RunArgs, RunFormat};
use crate::human::StepLines;
use crate::{exit, render};

/// Prefix of the environment variables giving inputs: `ARAZZO_INPUT_<name>` (name as written).
const INPUT_ENV_PREFIX: &str = "ARAZZO_INPUT_";

/// Runs one workflow; see the README for the exit codes.
pub fn run(
    args: &RunArgs,
    out: &mut dyn Write,
    err: &mut (dyn Write + Send),
    color: bool,
) -> anyhow::Result<u8> {
    if let Err(message) = super::load::check_args(args) {
        writeln!(err, "{}", render::one_line_error("usage", &message, color))?;
        return Ok(exit::USAGE);
    }
    if super::load::requested(args) {
        let mut load = |runtime: &_, engine, workflow_id: &_, inputs, err: &mut dyn Write| {
            super::load::run(args, runtime, engine, workflow_id, inputs, out, err, color)
        };
        return run_with(args, err, color, Then::Load(&mut load));
    }
    let live = args.format == RunFormat::Human;
    run_with(
        args,
        err,
        color,
        Then::Report {
            live,
            then: &mut |report, err| print_report(args, &report, out, err, live, color),
        },
    )
}

/// What [`run_with`] does once the engine is ready.
pub(crate) enum Then<'a> {
    /// Run the workflow once and hand its report over; with `live`, each step's line is
    /// printed on `err` as the step finishes.
    Report {
        /// Print the step lines as the run goes.
        live: bool,
        /// Takes the report, returns the exit code.
        then: &'a mut dyn FnMut(WorkflowReport, &mut dyn Write) -> anyhow::Result<u8>,
    },
    /// The load mode (`--repeat`…), on a multi-thread runtime.
    #[allow(clippy::type_complexity)]
    Load(
        &'a mut dyn FnMut(
            &tokio::runtime::Runtime,
            Engine,
            &str,
            Value,
            &mut dyn Write,
        ) -> anyhow::Result<u8>,
    ),
}

/// Loads, plans and runs the workflow of `args` (over HTTP, a mock or a cassette; recording
/// a cassette with `--record`), writing any problem on `err` and returning its exit code;
/// hands the report of a run to `then`, which returns the exit code.
pub(crate) fn run_then(
    args: &RunArgs,
    err: &mut (dyn Write + Send),
    color: bool,
    then: &mut dyn FnMut(WorkflowReport, &mut dyn Write) -> anyhow::Result<u8>,
) -> anyhow::Result<u8> {
    run_with(args, err, color, Then::Report { live: false, then })
}

/// [`run_then`], or the load mode.
fn run_with(
    args: &RunArgs,
    err: &mut (dyn Write + Send),
    color: bool,
    then: Then<'_>,
) -> anyhow::Result<u8> {
    let file = match SourceFile::read(&args.document.file) {
        Ok(file) => file,
        Err(load) => {
            writeln!(
                err,
                "{}",
                render::one_line_error("load", &load.to_string(), color)
            )?;
            return Ok(exit::INVALID);
        }
    };
    let mut options = match source_options(args) {
        Ok(options) => options,
        Err(message) => {
            writeln!(err, "{}", render::one_line_error("usage", &message, color))?;
            return Ok(exit::USAGE);
        }
    };
    let runtime = match then {
        Then::Load(_) => super::load::runtime()?,
        Then::Report { .. } => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?,
    };
    // `--mock`: a mock of the OpenAPI sources, serving from this runtime during the run.
    let mock = match args.mock {
        true => match runtime.block_on(super::mock::for_run(
            &file,
            &mut options,
            &args.fails,
            args.delay_ms,
        )) {
            Ok(mock) => mock,
            Err(message) => {
                writeln!(err, "{}", render::one_line_error("mock", &message, color))?;
                return Ok(exit::USAGE);
            }
        },
        false => None,
    };
    if let (Some(mock), true) = (&mock, args.verbose) {
        writeln!(err, "mock: {} answers the requests of this run", mock.url())?;
    }
    let plan = match runtime.block_on(Plan::from_file(&file, &options)) {
        Ok(plan) => plan,
        Err(LoadError::Invalid(validation)) => {
            for diagnostic in validation.errors() {
                writeln!(err, "{}\n", render::diagnostic(&file, diagnostic, color))?;
            }
            writeln!(err, "{}: invalid, nothing was sent", file.name())?;
            return Ok(exit::INVALID);
        }
        Err(LoadError::Plan(plan @ PlanError::Unsupported { .. })) => {
            writeln!(
                err,
                "{}",
                render::one_line_error("unsupported", &plan.to_string(), color)
            )?;
            return Ok(exit::RUNTIME);
        }
        Err(LoadError::Source(
            source @ arazzo_sources::SourceError {
                kind: arazzo_sources::SourceErrorKind::UnknownOverride { .. },
                ..
            },
        )) => {
            // A `--server` naming no source is a mistake on the command line.
            writeln!(
                err,
                "{}",
                render::one_line_error("usage", &source.to_string(), color)
            )?;
            return Ok(exit::USAGE);
        }
        Err(LoadError::Source(source)) => {
            writeln!(
                err,
                "{}",
                render::one_line_error("source", &source.to_string(), color)
            )?;
            return Ok(exit::RUNTIME);
        }
        Err(other) => {
            writeln!(
                err,
                "{}",
                render::one_line_error("invalid", &other.to_string(), color)
            )?;
            return Ok(exit::INVALID);
        }
    };
    let workflow_id = match select_workflow(&plan, args.document.workflow.as_deref()) {
        Ok(id) => id,
        Err(message) => {
            writeln!(err, "{}", render::one_line_error("usage", &message, color))?;
            return Ok(exit::USAGE);
        }
    };
    let schema = plan
        .workflow(&workflow_id)
        .and_then(|workflow| workflow.inputs());
    let inputs = match collect_inputs(args, schema, args.document.env.vars()) {
        Ok(inputs) => inputs,
        Err(message) => {
            writeln!(err, "{}", render::one_line_error("inputs", &message, color))?;
            return Ok(exit::USAGE);
        }
    };
    let unknown = plan.unknown_inputs(&workflow_id, &inputs);
    if !unknown.is_empty() {
        let problems = unknown;
        write_invalid_inputs(&problems, &format!("workflow `{workflow_id}`"), err, color)?;
        return Ok(exit::INVALID);
    }
    let replay = match args.replay.as_deref().map(ReplayExecutor::from_path) {
        None => None,
        Some(Ok(replay)) => Some(Arc::new(replay)),
        Some(Err(cassette)) => {
            let message = format!("{:#}", anyhow::Error::from(cassette));
            writeln!(
                err,
                "{}",
                render::one_line_error("cassette", &message, color)
            )?;
            return Ok(exit::USAGE);
        }
    };
    let http = || {
        HttpExecutor::builder()
            .timeout(args.limits.timeout)
            .max_body(usize::try_from(args.limits.max_response_size.as_u64()).unwrap_or(usize::MAX))
            .build()
    };
    let executor: Arc<dyn Executor> = match (&replay, &mock) {
        (Some(replay), _) => replay.clone(),
        (None, Some(mock)) => Arc::new(super::routed::Routed::new(http()?, mock.url())),
        (None, None) => Arc::new(http()?),
    };
    let recording = args
        .record
        .as_ref()
        .map(|_| Arc::new(Recording::new(executor.clone())));
    let mut engine = match &recording {
        Some(recording) => Engine::new(plan, recording.clone()),
        None => Engine::new(plan, executor),
    };
    engine = engine
        .with_credentials(arazzo_exec::credentials_from_env(args.document.env.vars()))
        .with_strict(args.strict)
        .with_limits(args.limits.engine_limits());
    if replay.is_some() {
        // Replayed responses are instant: retry delays are not waited for either.
        let clock = ManualClock::new(std::time::SystemTime::now());
        engine = engine.with_clock(Arc::new(clock));
    }
    // A path that cannot be written would lose the run after its requests were sent.
    for path in args.output.iter().chain(&args.record) {
        if let Err(message) = writable(path) {
            writeln!(err, "{}", render::one_line_error("usage", &message, color))?;
            return Ok(exit::USAGE);
        }
    }
    let (live, then) = match then {
        Then::Load(load) => return load(&runtime, engine, &workflow_id, inputs, err),
        Then::Report { live, then } => (live, then),
    };
    let step_ids = engine
        .plan()
        .workflow(&workflow_id)
        .map(|workflow| workflow.step_ids().collect::<Vec<_>>())
        .unwrap_or_default();
    let width = step_ids.iter().map(|id| id.len()).max().unwrap_or(0);
    let lines = StepLines::new(err, width, args.verbose, color);
    let ran = match live {
        true => runtime.block_on(engine.run_observed(&workflow_id, inputs, &lines)),
        false => runtime.block_on(engine.run(&workflow_id, inputs)),
    };
    let err = lines.into_inner();
    let report = match ran {
        Ok(report) => report,
        Err(RunError::InvalidInputs { problems }) => {
            write_invalid_inputs(&problems, &format!("workflow `{workflow_id}`"), err, color)?;
            return Ok(exit::INVALID);
        }
        Err(other) => {
            writeln!(
                err,
                "{}",
                render::one_line_error("usage", &other.to_string(), color)
            )?;
            return Ok(exit::USAGE);
        }
    };

    if let Some(mock) = mock {
        runtime.block_on(mock.stop());
    }
    // The run's own redactor: it knows the credentials too, not only the secret inputs.
    let recorded = match (&args.record, &recording) {
        (Some(path), Some(recording)) => recording.cassette(&report.redactor).write(path),
        _ => Ok(()),
    };
    // The report is printed even when the cassette could not be written.
    let mut code = then(report, err)?;
    if let Err(cassette) = recorded {
        let message = format!("{:#}", anyhow::Error::from(cassette));
        writeln!(err, "{}", render::one_line_error("record", &message, color))?;
        code = exit::RUNTIME;
    }
    // The process ends after this run: freeing the plan (every parsed document and compiled
    // schema) would only take time.
    std::mem::forget(engine);
    if let Some(replay) = &replay {
        let unused = replay.unused();
        if !unused.is_empty() {
            writeln!(
                err,
                "warning: {} exchanges of the cassette were not used; the first: {} {}",
                unused.len(),
                unused[0].request.method,
                unused[0].request.url
            )?;
        }
    }
    Ok(code)
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

/// Writes the report as `--format` and `--output` ask; the exit code of its outcome.
fn print_report(
    args: &RunArgs,
    report: &WorkflowReport,
    out: &mut dyn Write,
    err: &mut dyn Write,
    steps_printed: bool,
    color: bool,
) -> anyhow::Result<u8> {
    match args.format {
        RunFormat::Json => write_json(report, out)?,
        RunFormat::Junit => writeln!(out, "{}", crate::junit::render(report)?)?,
        RunFormat::Human => {
            crate::human::write_report(report, args.verbose, steps_printed, color, err)?;
            render::write_json_pretty(out, &report.outputs)?;
            writeln!(out)?;
        }
    }
    // After the report is out: a file that cannot be written does not lose it.
    if let Err(cause) = write_output_file(args, report) {
        writeln!(err, "error: {cause:#}")?;
        return Ok(exit::RUNTIME);
    }
    Ok(match report.outcome {
        Outcome::Passed => exit::OK,
        Outcome::Failed { .. } | Outcome::DependencyFailed { .. } => exit::WORKFLOW_FAILED,
        Outcome::Error { .. } => exit::RUNTIME,
    })
}

/// `--output FILE`: the report as JSON, whatever the format on stdout.
pub(crate) fn write_output_file(
    args: &RunArgs,
    report: &impl serde::Serialize,
) -> anyhow::Result<()> {
    if let Some(path) = &args.output {
        let json = serde_json::to_string_pretty(report)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// The report as indented JSON, then a newline.
pub(crate) fn write_json(
    report: &impl serde::Serialize,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    render::write_json_pretty(out, report)?;
    writeln!(out)?;
    Ok(())
}

/// `--server SOURCE=URL` over `ARAZZO_SERVER_<SOURCE>` environment variables.
fn source_options(args: &RunArgs) -> Result<SourceOptions, String> {
    let env_servers = arazzo_sources::servers_from_env(args.document.env.vars())
        .map_err(|err| err.to_string())?;
    let servers = args
        .document
        .servers
        .iter()
        .map(|argument| arazzo_sources::parse_server_override(argument))
        .collect::<Result<_, _>>()
        .map_err(|err| err.to_string())?;
    Ok(SourceOptions {
        allow_remote: args.document.allow_remote,
        allow_private: args.document.allow_private,
        servers,
        env_servers,
    })
}

/// Every input problem on its own line, then that nothing was sent (exit 3 follows).
pub(super) fn write_invalid_inputs(
    problems: &[InputProblem],
    what: &str,
    err: &mut dyn Write,
    color: bool,
) -> std::io::Result<()> {
    for problem in problems {
        writeln!(
            err,
            "{}",
            render::one_line_error("inputs", &problem.message, color)
        )?;
    }
    writeln!(err, "invalid inputs for {what}, nothing was sent")
}

fn select_workflow(plan: &Plan, asked: Option<&str>) -> Result<String, String> {
    let ids: Vec<&str> = plan.workflow_ids().collect();
    match asked {
        Some(id) if ids.contains(&id) => Ok(id.to_string()),
        Some(id) => Err(format!(
            "no workflow `{id}`; the document has {}",
            ids.join(", ")
        )),
        None if ids.len() == 1 => Ok(ids[0].to_string()),
        None => Err(format!(
            "the document has several workflows; choose one with --workflow: {}",
            ids.join(", ")
        )),
    }
}

/// Inputs from `ARAZZO_INPUT_<name>` variables, then `--inputs FILE`, then `--input NAME=VALUE`
/// (each overriding the one before). Text values are typed by the inputs schema.
fn collect_inputs(
    args: &RunArgs,
    schema: Option<&InputSchema>,
    env: impl Iterator<Item = (String, String)>,
) -> Result<Value, String> {
    let typed = |name: &str, text: &str| match schema {
        Some(schema) => schema.coerce(name, text),
        None => Value::String(text.to_string()),
    };
    let mut inputs = Map::new();
    for (key, text) in env {
        if let Some(name) = key.strip_prefix(INPUT_ENV_PREFIX) {
            inputs.insert(name.to_string(), typed(name, &text));
        }
    }
    if let Some(path) = &args.document.inputs_file {
        let text = if path == Path::new("-") {
            arazzo_model::read_capped(std::io::stdin(), arazzo_model::MAX_FILE_BYTES)
                .map_err(|err| format!("cannot read inputs from stdin: {err}"))?
        } else {
            arazzo_model::read_regular_file(path, arazzo_model::MAX_FILE_BYTES)
                .map_err(|err| format!("cannot read {}: {err}", path.display()))?
        };
        let value = parse_inputs(path, &text)?;
        let Value::Object(members) = value else {
            return Err(format!("{}: the inputs must be an object", path.display()));
        };
        inputs.extend(members.into_iter().map(|(name, value)| {
            let value = match schema {
                Some(schema) => schema.integral(&name, value),
                None => value,
            };
            (name, value)
        }));
    }
    for pair in &args.document.inputs {
        let (name, text) = pair
            .split_once('=')
            .ok_or_else(|| format!("`--input {pair}`: expected NAME=VALUE"))?;
        inputs.insert(name.to_string(), typed(name, text));
    }
    Ok(Value::Object(inputs))
}

/// An inputs file: JSON when it is named `.json` or (on stdin) starts with `{`, else YAML.
/// JSON is parsed as JSON: a YAML parser refuses JSON's surrogate-pair escapes (`"\ud83d\ude00"`).
fn parse_inputs(path: &Path, text: &str) -> Result<Value, String> {
    let json = match path.extension() {
        Some(extension) => extension.eq_ignore_ascii_case("json"),
        None => path == Path::new("-") && text.trim_start().starts_with('{'),
    };
    if json {
        serde_json::from_str(text).map_err(|err| {
            let position = format!(" at line {} column {}", err.line(), err.column());
            let message = err.to_string();
            let message = message.strip_suffix(&position).unwrap_or(&message);
            format!(
                "{}:{}:{}: {message}",
                path.display(),
                err.line(),
                err.column()
            )
        })
    } else {
        yaml_serde::from_str(text).map_err(|err| format!("{}: {err}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(extra: &[&str]) -> RunArgs {
        let argv = ["arazzo", "run", "x.yaml"]
            .into_iter()
            .chain(extra.iter().copied());
        match crate::Cli::parse_from(argv).command {
            crate::Command::Run(args) => args,
            _ => unreachable!(),
        }
    }

    #[test]
    fn inputs_layer_env_then_file_then_flags() {
        let env = [
            (
                "ARAZZO_INPUT_customerId".to_string(),
                "from-env".to_string(),
            ),
            ("ARAZZO_INPUT_meterValue".to_string(), "1".to_string()),
            ("HOME".to_string(), "/root".to_string()),
        ];
        let inputs = collect_inputs(
            &args(&["--input", "meterValue=7", "--input", "x=a=b"]),
            None,
            env.into_iter(),
        )
        .unwrap();
        assert_eq!(
            inputs,
            serde_json::json!({"customerId": "from-env", "meterValue": "7", "x": "a=b"})
        );
        assert!(collect_inputs(&args(&["--input", "novalue"]), None, std::iter::empty()).is_err());
    }
}
