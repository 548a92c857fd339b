//! The human report of a run, as `arazzo run` prints it on stderr: a line per step (live,
//! through [`StepLines`], an [`Observer`]), then the outcome. Every piece of a server's or a
//! document's text in it is escaped for the terminal ([`crate::render::terminal_text`]).

use std::io::Write;
use std::sync::Mutex;

use arazzo_exec::{Observer, Outcome, StepOutcome, StepReport, WorkflowReport};
use serde_json::Value;

use crate::render;

/// An [`Observer`] that prints each step's line as the step finishes (the steps of the
/// workflow run, not of those it calls: a workflow step's line sums them up), on any writer.
pub struct StepLines<'w> {
    err: Mutex<&'w mut (dyn Write + Send)>,
    width: usize,
    verbose: bool,
    color: bool,
}

impl<'w> StepLines<'w> {
    /// Lines on `err`, step ids padded to `width`, with `-v`'s details when `verbose`, step
    /// marks in colour when `color`.
    pub fn new(err: &'w mut (dyn Write + Send), width: usize, verbose: bool, color: bool) -> Self {
        StepLines {
            err: Mutex::new(err),
            width,
            verbose,
            color,
        }
    }

    /// The writer back, once the run is over.
    pub fn into_inner(self) -> &'w mut (dyn Write + Send) {
        self.err
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Observer for StepLines<'_> {
    fn step_finished(&self, report: &StepReport, depth: usize) {
        if depth == 0
            && let Ok(mut err) = self.err.lock()
        {
            // A terminal that cannot be written to loses the line, not the run.
            let _ = write_step(report, self.width, self.verbose, self.color, &mut **err);
            let _ = err.flush();
        }
    }
}

/// Writes the step lines of `report` (unless they were printed as the run went, by
/// [`StepLines`]) and its outcome line, as `arazzo run` does on stderr; `color` gives the step
/// marks ANSI colours.
///
/// # Errors
/// When `err` cannot be written.
pub fn write_report(
    report: &WorkflowReport,
    verbose: bool,
    steps_printed: bool,
    color: bool,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    let width = report
        .steps
        .iter()
        .map(|step| step.step_id.len())
        .max()
        .unwrap_or(0);
    for step in report.steps.iter().filter(|_| !steps_printed) {
        write_step(step, width, verbose, color, err)?;
    }
    let duration = milliseconds(report.duration);
    match &report.outcome {
        Outcome::Passed => {
            let steps = match report.steps.len() {
                1 => "1 step".to_string(),
                count => format!("{count} steps"),
            };
            line(
                err,
                format_args!(
                    "workflow {} passed ({steps}, {duration})",
                    report.workflow_id
                ),
            )?;
        }
        Outcome::Failed {
            step_id, reason, ..
        } => {
            line(
                err,
                format_args!(
                    "workflow {} failed at step {step_id}: {reason}",
                    report.workflow_id
                ),
            )?;
        }
        Outcome::Error {
            step_id, message, ..
        } => {
            line(
                err,
                format_args!(
                    "workflow {} stopped at step {step_id}: {}",
                    report.workflow_id,
                    first_line(Some(message))
                ),
            )?;
        }
        Outcome::DependencyFailed {
            workflow_id,
            reason,
        } => {
            line(
                err,
                format_args!(
                    "workflow {} did not run: its dependency {workflow_id} failed: {reason}",
                    report.workflow_id
                ),
            )?;
        }
    }
    for (name, why) in report.unresolved_outputs.iter().filter(|_| report.passed()) {
        line(err, format_args!("output `{name}` not set: {why}"))?;
    }
    Ok(())
}

/// Writes one step's line (outcome, step, method and URL, status, time, the action taken),
/// with `-v`'s requests and responses when `verbose`, warnings and failed criteria; `width`
/// aligns the step ids.
///
/// # Errors
/// When `err` cannot be written.
pub fn write_step(
    step: &StepReport,
    width: usize,
    verbose: bool,
    color: bool,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    let (mark, style) = match step.outcome {
        StepOutcome::Passed => ("ok  ", "\x1b[32m"),
        StepOutcome::Failed => ("FAIL", "\x1b[1;31m"),
        StepOutcome::Error => ("ERR ", "\x1b[1;33m"),
    };
    let mark = match color {
        true => format!("{style}{mark}\x1b[0m"),
        false => mark.to_string(),
    };
    let request = match (&step.request, &step.workflow) {
        (Some(request), _) => format!("{} {}", request.method, request.url),
        (None, Some(called)) => format!("workflow {}", called.workflow_id),
        (None, None) => String::new(),
    };
    let result = match (&step.response, &step.workflow) {
        (Some(response), _) => response.status.to_string(),
        (None, Some(called)) if called.passed() => "passed".to_string(),
        // The first line; a longer error (a replay mismatch) goes on below.
        (None, _) => first_line(step.error_message()).to_string(),
    };
    let action = step
        .action
        .as_deref()
        .map(|action| format!("  -> {action}"))
        .unwrap_or_default();
    // The mark is ours (its colour codes are not escaped); the rest quotes servers.
    write!(err, "{mark} ")?;
    line(
        err,
        format_args!(
            "{:width$}  {request}  {result}  {}{action}",
            step.step_id,
            milliseconds(step.duration)
        ),
    )?;
    if step.response.is_none() {
        for more in step
            .error_message()
            .into_iter()
            .flat_map(|error| error.lines().skip(1))
        {
            line(err, format_args!("   {more}"))?;
        }
    }
    if verbose {
        if let Some(request) = &step.request {
            for (name, value) in &request.headers {
                line(err, format_args!("     > {name}: {value}"))?;
            }
            if let Some(body) = &request.body {
                write_body(err, "     > ", body)?;
            }
        }
        if let Some(response) = &step.response {
            for (name, value) in &response.headers {
                line(err, format_args!("     < {name}: {value}"))?;
            }
            if let Some(body) = &response.body {
                write_body(err, "     < ", body)?;
            }
        }
    }
    for warning in &step.warnings {
        line(err, format_args!("     warning: {warning}"))?;
    }
    if step.outcome == StepOutcome::Failed {
        for criterion in step.criteria.iter().filter(|criterion| !criterion.passed) {
            let reason = criterion.reason.as_deref().unwrap_or_default();
            line(err, format_args!("     failed criterion: {reason}"))?;
        }
        if step.criteria.is_empty() {
            line(
                err,
                format_args!("     {}", step.error_message().unwrap_or_default()),
            )?;
        }
        if let Some(body) = step
            .response
            .as_ref()
            .and_then(|response| response.body.as_ref())
            && !verbose
        {
            line(
                err,
                format_args!("     response body: {}", excerpt(body, 200)),
            )?;
        }
    }
    Ok(())
}

/// Writes one line of human output, with the server's text in it escaped
/// ([`render::terminal_text`]).
fn line(err: &mut dyn Write, text: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    writeln!(err, "{}", render::terminal_text(&text.to_string(), false))
}

/// Writes a body (`-v`), each of its lines after `prefix`, control characters escaped.
fn write_body(err: &mut dyn Write, prefix: &str, body: &Value) -> std::io::Result<()> {
    let text = excerpt(body, usize::MAX);
    for text in render::terminal_text(&text, true).lines() {
        writeln!(err, "{prefix}{text}")?;
    }
    Ok(())
}

/// The first line of a message (a replay mismatch has several).
fn first_line(text: Option<&str>) -> &str {
    text.and_then(|text| text.lines().next())
        .unwrap_or_default()
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
