//! `arazzo run FILE`: run a workflow (or with `--all` every workflow of the document), print
//! each step and the outputs.

use std::io::Write;

use arazzo_exec::{NoObserver, Observer, Outcome, WorkflowReport};
use serde::Serialize;

use crate::args::{Environment, RunArgs, RunFormat};
use crate::error::CliError;
use crate::human::StepLines;
use crate::prepare::{Prepared, prepare};
use crate::render;

/// The JSON report of `run --all`: every workflow's report, in the order they ran.
#[derive(Serialize)]
pub(crate) struct AllReport<'r> {
    /// The document, as given.
    pub file: String,
    /// Each workflow run (a workflow run as a dependency of an earlier one is in its report).
    pub workflows: &'r [WorkflowReport],
}

/// Runs one workflow (or every one, `--all`), or in the load mode many runs of it.
pub fn run(
    args: &RunArgs,
    env: &Environment,
    out: &mut dyn Write,
    err: &mut (dyn Write + Send),
    color: bool,
) -> Result<(), CliError> {
    let mut prepared = prepare(args, env)?;
    for reading in &prepared.readings {
        let line = render::diagnostic_line(&prepared.file_name, reading, color);
        writeln!(err, "{line}")?;
    }
    if let (Some(mock), true) = (&prepared.mock, args.verbose) {
        writeln!(err, "mock: {} answers the requests of this run", mock.url())?;
    }
    if args.load.requested() {
        return super::load::run(args, prepared, out);
    }
    let live = args.format == RunFormat::Human;
    let (reports, err) = run_live(&mut prepared, live, args.all, args.verbose, color, err)?;
    let recorded = prepared.write_cassette(&reports);
    print_report(args, &prepared, &reports, out, err, live, color)?;
    // After the report is out: a file that cannot be written does not lose it.
    let output = args
        .output
        .as_deref()
        .map_or(Ok(()), |path| match args.all {
            true => render::write_json_file(path, &all_report(&prepared, &reports)),
            false => render::write_json_file(path, &reports.first()),
        });
    if let Some(warning) = prepared.unused_warning() {
        writeln!(err, "{warning}")?;
    }
    prepared.end();
    if output.is_err() || recorded.is_err() {
        return Err(CliError::Unwritten {
            output: output.err(),
            cassette: recorded.err(),
        });
    }
    verdict(&reports)
}

/// Runs the prepared workflows, printing each step's line on `err` as it finishes when
/// `live` (with a line naming each workflow when `headers`); gives `err` back.
pub(crate) fn run_live<'w>(
    prepared: &mut Prepared,
    live: bool,
    headers: bool,
    verbose: bool,
    color: bool,
    err: &'w mut (dyn Write + Send),
) -> Result<(Vec<WorkflowReport>, &'w mut (dyn Write + Send)), CliError> {
    let mut lines = StepLines::new(err, prepared.step_width(), verbose, color);
    if headers {
        lines = lines.with_headers();
    }
    let observer: &dyn Observer = match live {
        true => &lines,
        false => &NoObserver,
    };
    let reports = prepared.run(observer)?;
    Ok((reports, lines.into_inner()))
}

/// The exit of a run of these workflows: the worst of their outcomes (an error, then a
/// failure).
pub(crate) fn verdict(reports: &[WorkflowReport]) -> Result<(), CliError> {
    let errored = |report: &WorkflowReport| matches!(report.outcome, Outcome::Error { .. });
    if reports.iter().any(errored) {
        Err(CliError::RunErrored)
    } else if reports.iter().all(WorkflowReport::passed) {
        Ok(())
    } else {
        Err(CliError::WorkflowFailed)
    }
}

fn all_report<'r>(prepared: &Prepared, reports: &'r [WorkflowReport]) -> AllReport<'r> {
    AllReport {
        file: prepared.file_name.clone(),
        workflows: reports,
    }
}

/// Writes the report as `--format` asks: with `--all`, every workflow's.
fn print_report(
    args: &RunArgs,
    prepared: &Prepared,
    reports: &[WorkflowReport],
    out: &mut dyn Write,
    err: &mut dyn Write,
    steps_printed: bool,
    color: bool,
) -> Result<(), CliError> {
    match (args.format, args.all) {
        (RunFormat::Json, true) => render::write_json(out, &all_report(prepared, reports))?,
        (RunFormat::Json, false) => render::write_json(out, &reports.first())?,
        (RunFormat::Junit, _) => writeln!(
            out,
            "{}",
            crate::junit::render_all(reports).map_err(anyhow::Error::from)?
        )?,
        (RunFormat::Human, _) => {
            for report in reports {
                crate::human::write_report(report, args.verbose, steps_printed, color, err)?;
            }
            match args.all {
                true => {
                    let outputs: serde_json::Map<String, serde_json::Value> = reports
                        .iter()
                        .map(|report| (report.workflow_id.clone(), report_outputs(report)))
                        .collect();
                    render::write_json(out, &outputs)?;
                }
                false => {
                    let outputs = reports.first().map(report_outputs);
                    render::write_json(out, &outputs.unwrap_or_default())?;
                }
            }
        }
    }
    Ok(())
}

fn report_outputs(report: &WorkflowReport) -> serde_json::Value {
    serde_json::to_value(&report.outputs).unwrap_or_default()
}
