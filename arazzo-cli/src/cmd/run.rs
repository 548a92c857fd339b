//! `arazzo run FILE`: run a workflow, print each step and the outputs.

use std::io::Write;

use arazzo_exec::{NoObserver, Observer, Outcome, WorkflowReport};

use crate::args::{Environment, RunArgs, RunFormat};
use crate::error::CliError;
use crate::human::StepLines;
use crate::prepare::prepare;
use crate::render;

/// Runs one workflow, or in the load mode many runs of it.
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
    let width = prepared.step_ids().iter().map(|id| id.len()).max();
    let lines = StepLines::new(err, width.unwrap_or(0), args.verbose, color);
    let observer: &dyn Observer = match live {
        true => &lines,
        false => &NoObserver,
    };
    let report = prepared.run(observer)?;
    let err = lines.into_inner();
    let recorded = prepared.write_cassette(&report);
    print_report(args, &report, out, err, live, color)?;
    // After the report is out: a file that cannot be written does not lose it.
    let output = args
        .output
        .as_deref()
        .map_or(Ok(()), |path| render::write_json_file(path, &report));
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
    match report.outcome {
        Outcome::Passed => Ok(()),
        Outcome::Failed { .. } | Outcome::DependencyFailed { .. } => Err(CliError::WorkflowFailed),
        Outcome::Error { .. } => Err(CliError::RunErrored),
    }
}

/// Writes the report as `--format` asks.
fn print_report(
    args: &RunArgs,
    report: &WorkflowReport,
    out: &mut dyn Write,
    err: &mut dyn Write,
    steps_printed: bool,
    color: bool,
) -> Result<(), CliError> {
    match args.format {
        RunFormat::Json => render::write_json(out, report)?,
        RunFormat::Junit => writeln!(
            out,
            "{}",
            crate::junit::render(report).map_err(anyhow::Error::from)?
        )?,
        RunFormat::Human => {
            crate::human::write_report(report, args.verbose, steps_printed, color, err)?;
            render::write_json(out, &report.outputs)?;
        }
    }
    Ok(())
}
