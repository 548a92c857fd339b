//! `arazzo run FILE`: run a workflow, print each step and the outputs.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::Context as _;
use arazzo_exec::sources;
use arazzo_exec::{
    Engine, HttpExecutor, InputSchema, LoadError, Outcome, Plan, PlanError, RunError,
    SourceOptions, StepOutcome, StepReport, WorkflowReport,
};
use arazzo_model::SourceFile;
use serde_json::{Map, Value};

use crate::args::{Format, RunArgs};
use crate::{exit, render};

/// Prefix of the environment variables giving inputs: `ARAZZO_INPUT_<name>` (name as written).
const INPUT_ENV_PREFIX: &str = "ARAZZO_INPUT_";

/// Runs one workflow; see the README for the exit codes.
pub fn run(
    args: &RunArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> anyhow::Result<u8> {
    let file = match SourceFile::read(&args.file) {
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
    let options = match source_options(args) {
        Ok(options) => options,
        Err(message) => {
            writeln!(err, "{}", render::one_line_error("usage", &message, color))?;
            return Ok(exit::USAGE);
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
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
    let workflow_id = match select_workflow(&plan, args.workflow.as_deref()) {
        Ok(id) => id,
        Err(message) => {
            writeln!(err, "{}", render::one_line_error("usage", &message, color))?;
            return Ok(exit::USAGE);
        }
    };
    let schema = plan
        .workflow(&workflow_id)
        .and_then(|workflow| workflow.inputs());
    let inputs = match collect_inputs(args, schema, std::env::vars()) {
        Ok(inputs) => inputs,
        Err(message) => {
            writeln!(err, "{}", render::one_line_error("inputs", &message, color))?;
            return Ok(exit::USAGE);
        }
    };
    let executor = HttpExecutor::new()?;
    let engine = Engine::new(plan, executor);
    let report = match runtime.block_on(engine.run(&workflow_id, inputs)) {
        Ok(report) => report,
        Err(RunError::InvalidInputs { problems }) => {
            for problem in &problems {
                writeln!(
                    err,
                    "{}",
                    render::one_line_error("inputs", &problem.message, color)
                )?;
            }
            writeln!(
                err,
                "invalid inputs for workflow `{workflow_id}`, nothing was sent"
            )?;
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

    if let Some(path) = &args.output {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)?;
        }
        Format::Human => {
            write_human(&report, args.verbose, err)?;
            serde_json::to_writer_pretty(&mut *out, &report.outputs)?;
            writeln!(out)?;
        }
    }
    Ok(match report.outcome {
        Outcome::Passed => exit::OK,
        Outcome::Failed { .. } => exit::WORKFLOW_FAILED,
        Outcome::Error { .. } => exit::RUNTIME,
    })
}

/// `--server SOURCE=URL` over `ARAZZO_SERVER_<SOURCE>` environment variables.
fn source_options(args: &RunArgs) -> Result<SourceOptions, String> {
    let env_servers = sources::servers_from_env(std::env::vars()).map_err(|err| err.to_string())?;
    let servers = args
        .servers
        .iter()
        .map(|argument| sources::parse_server_override(argument))
        .collect::<Result<_, _>>()
        .map_err(|err| err.to_string())?;
    Ok(SourceOptions {
        allow_remote: args.allow_remote,
        servers,
        env_servers,
    })
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
    if let Some(path) = &args.inputs_file {
        let text = if path == Path::new("-") {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|err| format!("cannot read inputs from stdin: {err}"))?;
            text
        } else {
            std::fs::read_to_string(path)
                .map_err(|err| format!("cannot read {}: {err}", path.display()))?
        };
        let value: Value =
            yaml_serde::from_str(&text).map_err(|err| format!("{}: {err}", path.display()))?;
        let Value::Object(members) = value else {
            return Err(format!("{}: the inputs must be an object", path.display()));
        };
        inputs.extend(members);
    }
    for pair in &args.inputs {
        let (name, text) = pair
            .split_once('=')
            .ok_or_else(|| format!("`--input {pair}`: expected NAME=VALUE"))?;
        inputs.insert(name.to_string(), typed(name, text));
    }
    Ok(Value::Object(inputs))
}

fn write_human(report: &WorkflowReport, verbose: bool, err: &mut dyn Write) -> std::io::Result<()> {
    let width = report
        .steps
        .iter()
        .map(|step| step.step_id.len())
        .max()
        .unwrap_or(0);
    for step in &report.steps {
        write_step(step, width, verbose, err)?;
    }
    let duration = milliseconds(report.duration);
    match &report.outcome {
        Outcome::Passed => writeln!(
            err,
            "workflow {} passed ({} steps, {duration})",
            report.workflow_id,
            report.steps.len()
        )?,
        Outcome::Failed { step_id, reason } => {
            writeln!(
                err,
                "workflow {} failed at step {step_id}: {reason}",
                report.workflow_id
            )?;
        }
        Outcome::Error { step_id, message } => {
            writeln!(
                err,
                "workflow {} stopped at step {step_id}: {message}",
                report.workflow_id
            )?;
        }
    }
    for (name, why) in report.unresolved_outputs.iter().filter(|_| report.passed()) {
        writeln!(err, "output `{name}` not set: {why}")?;
    }
    Ok(())
}

fn write_step(
    step: &StepReport,
    width: usize,
    verbose: bool,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    let mark = match step.outcome {
        StepOutcome::Passed => "ok  ",
        StepOutcome::Failed => "FAIL",
        StepOutcome::Error => "ERR ",
    };
    let request = step
        .request
        .as_ref()
        .map(|request| format!("{} {}", request.method, request.url))
        .unwrap_or_default();
    let result = match (&step.response, step.outcome) {
        (Some(response), _) => response.status.to_string(),
        (None, _) => step.error.clone().unwrap_or_default(),
    };
    writeln!(
        err,
        "{mark} {:width$}  {request}  {result}  {}",
        step.step_id,
        milliseconds(step.duration)
    )?;
    if verbose {
        if let Some(request) = &step.request {
            for (name, value) in &request.headers {
                writeln!(err, "     > {name}: {value}")?;
            }
            if let Some(body) = &request.body {
                writeln!(err, "     > {}", excerpt(body, usize::MAX))?;
            }
        }
        if let Some(response) = &step.response {
            for (name, value) in &response.headers {
                writeln!(err, "     < {name}: {value}")?;
            }
            if let Some(body) = &response.body {
                writeln!(err, "     < {}", excerpt(body, usize::MAX))?;
            }
        }
    }
    if step.outcome == StepOutcome::Failed {
        for criterion in step.criteria.iter().filter(|criterion| !criterion.passed) {
            let reason = criterion.reason.as_deref().unwrap_or_default();
            writeln!(
                err,
                "     criterion `{}` failed: {reason}",
                criterion.condition
            )?;
        }
        if step.criteria.is_empty() {
            writeln!(err, "     {}", step.error.as_deref().unwrap_or_default())?;
        }
        if let Some(body) = step
            .response
            .as_ref()
            .and_then(|response| response.body.as_ref())
            && !verbose
        {
            writeln!(err, "     response body: {}", excerpt(body, 200))?;
        }
    }
    Ok(())
}

/// A JSON value as compact text, cut at `limit` characters.
fn excerpt(value: &Value, limit: usize) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    match text.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

fn milliseconds(duration: std::time::Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
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
