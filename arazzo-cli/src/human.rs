//! The human report of a run, as `arazzo run` prints it on stderr: a line per step (live,
//! through [`StepLines`], an [`Observer`]), the steps of the workflows it reaches (a
//! dependency, a workflow step, a `goto` or `retry` target) indented under a line saying how,
//! then the outcome. Every piece of a server's or a document's text in it is escaped for the
//! terminal ([`crate::render::terminal_text`]).

use std::io::Write;
use std::sync::Mutex;

use arazzo_exec::{Observer, Outcome, Reached, StepOutcome, StepReport, WorkflowReport};
use serde_json::Value;

use crate::render;

/// An [`Observer`] that prints each step's line as the step finishes, on any writer. The
/// steps of a workflow the run reaches are indented under a line naming it and how it was
/// reached, and followed by its outcome (a workflow step's callee comes before the step's
/// own line, which sums it up).
pub struct StepLines<'w> {
    err: Mutex<&'w mut (dyn Write + Send)>,
    width: usize,
    verbose: bool,
    color: bool,
    headers: bool,
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
            headers: false,
        }
    }

    /// Also a line naming each workflow asked for before its steps (for runs of several).
    pub fn with_headers(mut self) -> Self {
        self.headers = true;
        self
    }

    /// The writer back, once the run is over.
    pub fn into_inner(self) -> &'w mut (dyn Write + Send) {
        self.err
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes with the writer, losing the text when it cannot be written (a terminal that
    /// cannot be written to loses the line, not the run).
    fn write(&self, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
        if let Ok(mut err) = self.err.lock() {
            let _ = write(&mut **err);
            let _ = err.flush();
        }
    }
}

impl Observer for StepLines<'_> {
    fn step_finished(&self, report: &StepReport, depth: usize) {
        self.write(|err| {
            let indent = indent(depth);
            write_step_indented(report, self.width, self.verbose, self.color, &indent, err)
        });
    }

    fn workflow_started(&self, workflow_id: &str, reached: Option<&Reached>, depth: usize) {
        let how = match reached {
            None if self.headers => String::new(),
            None => return,
            Some(Reached::DependsOn) => " (dependsOn)".to_string(),
            Some(Reached::Step { step_id }) => format!(" (called by step `{step_id}`)"),
            Some(Reached::Goto { step_id, action }) => {
                format!(" (goto from step `{step_id}`, action `{action}`)")
            }
            Some(Reached::Retry { step_id, action }) => {
                format!(" (retry of step `{step_id}`, action `{action}`)")
            }
        };
        self.write(|err| {
            line(
                err,
                format_args!("{}workflow {workflow_id}{how}:", indent(depth)),
            )
        });
    }

    fn workflow_finished(&self, report: &WorkflowReport, depth: usize) {
        if depth > 0 {
            self.write(|err| write_outcome(report, &indent(depth), err));
        }
    }
}

/// The indentation of the lines of a workflow reached `depth` calls deep.
fn indent(depth: usize) -> String {
    "  ".repeat(depth)
}

/// Tells `lines` about `report` as the run did (its dependencies, its steps each with what
/// it reached, in order): the lines of a run printed after it.
fn replay(report: &WorkflowReport, lines: &StepLines<'_>, depth: usize) {
    lines.workflow_started(&report.workflow_id, report.reached_by.as_ref(), depth);
    let mut called = report.workflows.iter().peekable();
    while let Some(dependency) =
        called.next_if(|called| called.reached_by == Some(Reached::DependsOn))
    {
        replay(dependency, lines, depth + 1);
    }
    for step in &report.steps {
        if let Some(callee) = &step.workflow {
            replay(callee, lines, depth + 1);
        }
        lines.step_finished(step, depth);
        // A `goto` or `retry` to a workflow runs it right after the step's line.
        while let Some(target) = called.next_if(|called| took(step, called.reached_by.as_ref())) {
            replay(target, lines, depth + 1);
        }
    }
    lines.workflow_finished(report, depth);
}

/// Whether `step` took the action that `reached` names.
fn took(step: &StepReport, reached: Option<&Reached>) -> bool {
    let (Some(Reached::Goto { step_id, action } | Reached::Retry { step_id, action }), Some(taken)) =
        (reached, step.action.as_deref())
    else {
        return false;
    };
    // The engine writes an action taken as `… (`name`)`.
    *step_id == step.step_id && taken.ends_with(&format!("(`{action}`)"))
}

/// Writes the step lines of `report` (unless they were printed as the run went, by
/// [`StepLines`]), with those of the workflows it reached, and its outcome line, as `arazzo
/// run` does on stderr; `color` gives the step marks ANSI colours.
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
    if !steps_printed {
        let width = report
            .steps
            .iter()
            .map(|step| step.step_id.len())
            .max()
            .unwrap_or(0);
        let mut text = Vec::new();
        let lines = StepLines::new(&mut text, width, verbose, color);
        replay(report, &lines, 0);
        lines.into_inner();
        err.write_all(&text)?;
    }
    write_outcome(report, "", err)
}

/// The outcome line of `report` (`workflow x failed at step y: why`), for summaries.
pub(crate) fn outcome_line(report: &WorkflowReport) -> String {
    let mut text = Vec::new();
    let _ = write_outcome(report, "", &mut text);
    let text = String::from_utf8_lossy(&text);
    text.lines().next().unwrap_or_default().to_string()
}

/// How many steps a report ran, those of the workflows it reached included.
pub(crate) fn steps_run(report: &WorkflowReport) -> usize {
    let callees = report
        .steps
        .iter()
        .filter_map(|step| step.workflow.as_deref());
    report.steps.len()
        + callees
            .chain(&report.workflows)
            .map(steps_run)
            .sum::<usize>()
}

/// A duration as the human output shows it: `1.2 ms`.
pub(crate) fn milliseconds(duration: std::time::Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// Writes the outcome line of `report` after `indent`: passed (and how it recovered from a
/// step's failure), failed or stopped, and the outputs that did not resolve.
fn write_outcome(
    report: &WorkflowReport,
    indent: &str,
    err: &mut dyn Write,
) -> std::io::Result<()> {
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
                    "{indent}workflow {} passed ({steps}, {duration})",
                    report.workflow_id
                ),
            )?;
            // A step that failed in a workflow that passed: a failure action recovered.
            for step in report
                .steps
                .iter()
                .filter(|step| step.outcome != StepOutcome::Passed)
            {
                if let Some(action) = &step.action {
                    line(
                        err,
                        format_args!(
                            "{indent}  recovered from the failure of step {} by its failure action: {action}",
                            step.step_id
                        ),
                    )?;
                }
            }
        }
        Outcome::Failed {
            step_id, reason, ..
        } => {
            line(
                err,
                format_args!(
                    "{indent}workflow {} failed at step {step_id}: {reason}",
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
                    "{indent}workflow {} stopped at step {step_id}: {}",
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
                    "{indent}workflow {} did not run: its dependency {workflow_id} failed: {reason}",
                    report.workflow_id
                ),
            )?;
        }
    }
    for (name, why) in report.unresolved_outputs.iter().filter(|_| report.passed()) {
        line(err, format_args!("{indent}output `{name}` not set: {why}"))?;
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
    write_step_indented(step, width, verbose, color, "", err)
}

/// [`write_step`], every line after `indent`.
fn write_step_indented(
    step: &StepReport,
    width: usize,
    verbose: bool,
    color: bool,
    indent: &str,
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
    write!(err, "{indent}{mark} ")?;
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
            line(err, format_args!("{indent}   {more}"))?;
        }
    }
    if verbose {
        if let Some(request) = &step.request {
            for (name, value) in &request.headers {
                line(err, format_args!("{indent}     > {name}: {value}"))?;
            }
            if let Some(body) = &request.body {
                write_body(err, &format!("{indent}     > "), body)?;
            }
        }
        if let Some(response) = &step.response {
            for (name, value) in &response.headers {
                line(err, format_args!("{indent}     < {name}: {value}"))?;
            }
            if let Some(body) = &response.body {
                write_body(err, &format!("{indent}     < "), body)?;
            }
        }
    }
    let failed = step.outcome == StepOutcome::Failed;
    // Why the step failed comes first: a warning about the response (its content type, its
    // schema) is context, not the cause.
    if failed {
        for criterion in step.criteria.iter().filter(|criterion| !criterion.passed) {
            let reason = criterion.reason.as_deref().unwrap_or_default();
            line(err, format_args!("{indent}     failed criterion: {reason}"))?;
        }
        if step.criteria.is_empty() {
            line(
                err,
                format_args!("{indent}     {}", step.error_message().unwrap_or_default()),
            )?;
        }
    }
    for warning in &step.warnings {
        line(err, format_args!("{indent}     warning: {warning}"))?;
    }
    if let Some(body) = step
        .response
        .as_ref()
        .and_then(|response| response.body.as_ref())
        && failed
        && !verbose
    {
        line(
            err,
            format_args!("{indent}     response body: {}", excerpt(body, 200)),
        )?;
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
