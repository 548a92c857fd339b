//! `arazzo run FILE --repeat N --concurrency C`: the load mode. The workflow runs many times,
//! several at once, on one multi-thread tokio runtime; what is printed is throughput, the
//! failures by step and latency percentiles ([`arazzo_exec::LoadTest`] does the work).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use arazzo_exec::{Engine, LoadOptions, LoadReport, LoadTest};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value};
use tokio::runtime::Runtime;

use crate::args::{LoadArgs, RunArgs, RunFormat};
use crate::{exit, render};

/// The placeholder of the run number (from 1) in inputs: `--input customerId=cust-{n}`.
const RUN_NUMBER: &str = "{n}";

/// Whether `args` ask for the load mode.
pub(crate) fn requested(args: &RunArgs) -> bool {
    let load = &args.load;
    load.repeat.is_some() || load.duration.is_some() || load.inputs_csv.is_some()
}

/// Options that make no sense in the load mode, or without it: a usage message.
pub(crate) fn check_args(args: &RunArgs) -> Result<(), String> {
    let load = &args.load;
    if !requested(args) {
        if load.concurrency.is_some() || load.rate.is_some() {
            return Err(
                "--concurrency and --rate need --repeat, --duration or --inputs-csv".into(),
            );
        }
        return Ok(());
    }
    if args.record.is_some() || args.replay.is_some() {
        return Err("the load mode (--repeat, --duration, --inputs-csv) cannot --record or --replay: a cassette answers each request once".into());
    }
    if args.format == RunFormat::Junit {
        return Err("the load mode prints --format human or json, not junit".into());
    }
    if load.repeat == Some(0) {
        return Err("--repeat must be at least 1".into());
    }
    if load.duration.is_some_and(|duration| duration.is_zero()) {
        return Err("--duration must be longer than 0".into());
    }
    if load.concurrency == Some(0) {
        return Err("--concurrency must be at least 1".into());
    }
    if load
        .rate
        .is_some_and(|rate| !(rate > 0.0 && rate.is_finite()))
    {
        return Err("--rate must be a positive number of runs per second".into());
    }
    Ok(())
}

/// The runtime of the load mode: one worker per core, shared by the runs (and `--mock`).
pub(crate) fn runtime() -> std::io::Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// Runs the load test of `args` with `engine` and prints its report; the exit code is 0 when
/// every run passed, 4 when one stopped on an error, else 1 when one failed.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    args: &RunArgs,
    runtime: &Runtime,
    engine: Engine,
    workflow_id: &str,
    inputs: Value,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> anyhow::Result<u8> {
    let csv = match args.load.inputs_csv.as_deref().map(Csv::read).transpose() {
        Ok(csv) => csv,
        Err(message) => {
            writeln!(err, "{}", render::one_line_error("inputs", &message, color))?;
            return Ok(exit::USAGE);
        }
    };
    let runs = match (&args.load, &csv) {
        (
            LoadArgs {
                repeat: Some(runs), ..
            },
            _,
        ) => Some(*runs),
        (
            LoadArgs {
                duration: Some(_), ..
            },
            _,
        ) => None,
        (_, Some(csv)) => Some(csv.rows.len() as u64),
        _ => Some(1),
    };
    let Value::Object(base) = inputs else {
        unreachable!("collect_inputs makes an object")
    };
    let inputs = RunInputs {
        engine: engine.clone(),
        workflow_id: workflow_id.to_string(),
        base,
        csv,
    };
    // Every run would fail the same way: say it once, like a single run does.
    if let Some(schema) = engine
        .plan()
        .workflow(workflow_id)
        .and_then(|workflow| workflow.inputs())
    {
        let unknown = engine
            .plan()
            .unknown_inputs(workflow_id, &inputs.for_run(1));
        if !unknown.is_empty() {
            super::run::write_invalid_inputs(&unknown, "--inputs-csv", err, color)?;
            return Ok(exit::INVALID);
        }
        let problems = schema.check(&inputs.for_run(1));
        if !problems.is_empty() {
            let what = format!("workflow `{workflow_id}` (run 1)");
            super::run::write_invalid_inputs(&problems, &what, err, color)?;
            return Ok(exit::INVALID);
        }
    }
    let options = LoadOptions {
        runs,
        duration: args.load.duration,
        concurrency: args.load.concurrency.unwrap_or(1),
        rate: args.load.rate,
    };
    let load =
        LoadTest::new(engine, workflow_id, options.clone()).with_inputs(move |n| inputs.for_run(n));

    let report = runtime.block_on(async {
        // Ctrl-C or SIGTERM: the first stops starting runs (those under way finish), the
        // second aborts them; the report covers what finished.
        let stop = load.stopper();
        let interrupt = tokio::spawn(async move {
            while interrupted().await {
                stop.stop();
            }
        });
        // On a terminal, whatever the colours (NO_COLOR is about colour, not progress).
        let bar = std::io::stderr()
            .is_terminal()
            .then(|| progress_bar(&load, &options));
        let report = load.run(std::future::pending()).await;
        interrupt.abort();
        if let Some((bar, ticker)) = bar {
            ticker.abort();
            bar.finish_and_clear();
        }
        report
    });

    match args.format {
        RunFormat::Json => super::run::write_json(&report, out)?,
        _ => write_human(&report, out)?,
    }
    // After the report is out: a file that cannot be written does not lose it.
    if let Err(cause) = super::run::write_output_file(args, &report) {
        writeln!(err, "error: {cause:#}")?;
        return Ok(exit::RUNTIME);
    }
    if report.runs == 0 && !report.interrupted {
        writeln!(err, "no run finished: nothing was tested")?;
        return Ok(exit::RUNTIME);
    }
    Ok(if report.interrupted {
        exit::INTERRUPTED
    } else if report.errors > 0 {
        exit::RUNTIME
    } else if report.failed > 0 {
        exit::WORKFLOW_FAILED
    } else {
        exit::OK
    })
}

/// Waits for Ctrl-C or SIGTERM; false when signals cannot be listened to.
async fn interrupted() -> bool {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut terminate) = signal(SignalKind::terminate()) else {
            return tokio::signal::ctrl_c().await.is_ok();
        };
        tokio::select! {
            ctrl_c = tokio::signal::ctrl_c() => ctrl_c.is_ok(),
            terminated = terminate.recv() => terminated.is_some(),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.is_ok()
    }
}

/// A live progress line on stderr, redrawn 10 times a second by a task.
fn progress_bar(
    load: &LoadTest,
    options: &LoadOptions,
) -> (ProgressBar, tokio::task::JoinHandle<()>) {
    let bar = match options.runs {
        Some(runs) if options.duration.is_none() => {
            ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} runs  {msg}  [{elapsed}]")
                    .expect("a valid template"),
            )
        }
        _ => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template("{spinner} {pos} runs  {msg}  [{elapsed}]")
                .expect("a valid template"),
        ),
    };
    let progress = load.progress();
    let shown = bar.clone();
    let ticker = tokio::spawn(async move {
        let started = std::time::Instant::now();
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tick.tick().await;
            let passed = progress.passed();
            let (finished, message) =
                progress_message(passed, progress.finished(), started.elapsed());
            shown.set_position(finished);
            shown.set_message(message);
        }
    });
    (bar, ticker)
}

/// The runs finished and the progress line's message, from counters read one after the
/// other while runs go on: a run may already count as passed and not yet as finished.
fn progress_message(passed: u64, finished: u64, elapsed: Duration) -> (u64, String) {
    let finished = finished.max(passed);
    let per_second = finished as f64 / elapsed.as_secs_f64().max(1e-9);
    let message = format!(
        "{passed} passed, {} not, {per_second:.0} runs/s",
        finished - passed
    );
    (finished, message)
}

/// The inputs of each run: the collected inputs, overridden by the run's CSV row, with `{n}`
/// replaced by the run number; text is typed by the workflow's inputs schema.
struct RunInputs {
    engine: Engine,
    workflow_id: String,
    base: Map<String, Value>,
    csv: Option<Csv>,
}

impl RunInputs {
    fn for_run(&self, n: u64) -> Value {
        let schema = self
            .engine
            .plan()
            .workflow(&self.workflow_id)
            .and_then(|workflow| workflow.inputs());
        let number = n.to_string();
        let typed = |name: &str, text: &str| {
            let text = text.replace(RUN_NUMBER, &number);
            match schema {
                Some(schema) => schema.coerce(name, &text),
                None => Value::String(text),
            }
        };
        let mut inputs = self.base.clone();
        for (name, value) in &mut inputs {
            match value {
                Value::String(text) if text.contains(RUN_NUMBER) => *value = typed(name, text),
                other => replace_run_number(other, &number),
            }
        }
        if let Some(csv) = &self.csv {
            let row = &csv.rows[((n - 1) % csv.rows.len() as u64) as usize];
            for (name, cell) in csv.header.iter().zip(row) {
                if !cell.is_empty() {
                    inputs.insert(name.clone(), typed(name, cell));
                }
            }
        }
        Value::Object(inputs)
    }
}

/// Replaces `{n}` in every string inside `value`.
fn replace_run_number(value: &mut Value, number: &str) {
    match value {
        Value::String(text) if text.contains(RUN_NUMBER) => {
            *text = text.replace(RUN_NUMBER, number);
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| replace_run_number(item, number)),
        Value::Object(members) => members
            .values_mut()
            .for_each(|member| replace_run_number(member, number)),
        _ => {}
    }
}

/// `--inputs-csv`: a header row of input names, then one row per run.
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn read(path: &Path) -> Result<Csv, String> {
        let fail = |err: csv::Error| format!("{}: {err}", path.display());
        let text = arazzo_model::read_regular_file(path, arazzo_model::MAX_FILE_BYTES)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(fail)?
            .iter()
            .map(str::to_string)
            .collect();
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|record| Ok(record?.iter().map(str::to_string).collect()))
            .collect::<Result<_, csv::Error>>()
            .map_err(fail)?;
        if rows.is_empty() {
            return Err(format!("{}: no rows after the header", path.display()));
        }
        Ok(Csv { header, rows })
    }
}

/// Parses `30s`, `500ms`, `2m`, `1h`, `1.5s` (a bare number is seconds).
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}`: expected a duration such as 30s, 500ms, 2m or 1h"))?;
    let seconds = match unit.trim() {
        "ms" => number / 1000.0,
        "" | "s" => number,
        "m" | "min" => number * 60.0,
        "h" => number * 3600.0,
        other => return Err(format!("`{text}`: unknown unit `{other}` (ms, s, m, h)")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|err| format!("`{text}`: {err}"))
}

fn write_human(report: &LoadReport, out: &mut dyn Write) -> std::io::Result<()> {
    let seconds = report.duration.as_secs_f64();
    writeln!(
        out,
        "workflow {}: {} runs in {seconds:.2} s, concurrency {}{}",
        report.workflow_id,
        report.runs,
        report.concurrency,
        if report.interrupted {
            " (interrupted)"
        } else {
            ""
        }
    )?;
    writeln!(
        out,
        "  {} passed, {} failed, {} errors",
        report.passed, report.failed, report.errors
    )?;
    writeln!(
        out,
        "  {:.1} runs/s, {:.1} requests/s",
        report.runs_per_second, report.requests_per_second
    )?;
    let width = report
        .steps
        .keys()
        .map(|id| id.len() + 2)
        .chain([8])
        .max()
        .unwrap_or(8);
    writeln!(
        out,
        "\n{:width$}  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}",
        "latency (ms)", "count", "p50", "p90", "p99", "max", "mean"
    )?;
    let rows = std::iter::once(("workflow".to_string(), &report.workflow)).chain(
        report
            .steps
            .iter()
            .map(|(id, latency)| (format!("  {id}"), latency)),
    );
    for (name, latency) in rows {
        let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
        writeln!(
            out,
            "{name:width$}  {:>8}  {:>8.2}  {:>8.2}  {:>8.2}  {:>8.2}  {:>8.2}",
            latency.count,
            ms(latency.p50),
            ms(latency.p90),
            ms(latency.p99),
            ms(latency.max),
            ms(latency.mean)
        )?;
    }
    if !report.failures.is_empty() {
        writeln!(out, "\nruns that did not pass:")?;
        for failure in &report.failures {
            let place = match failure.outcome {
                "invalid-inputs" => "invalid inputs".to_string(),
                "dependency-failed" => format!("dependency {} failed", failure.step_id),
                outcome => format!("{outcome} at {}", failure.step_id),
            };
            let example = failure.example.lines().next().unwrap_or_default();
            let example = render::terminal_text(example, false);
            writeln!(out, "  {:>8}  {place}: {example}", failure.count)?;
        }
    }
    if !report.memory.is_empty() {
        let samples: Vec<String> = report
            .memory
            .iter()
            .map(|sample| format!("{:.1} MiB after {}", mib(sample.rss_bytes), sample.runs))
            .collect();
        writeln!(out, "\nmemory (RSS): {}", samples.join(", "))?;
    }
    Ok(())
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The progress task panicked (subtract with overflow) when a run counted as passed
    /// before it counted as finished, which happens at any concurrency.
    #[test]
    fn progress_reads_counters_that_move() {
        let (finished, message) = progress_message(529, 528, Duration::from_secs(1));
        assert_eq!(finished, 529);
        assert_eq!(message, "529 passed, 0 not, 529 runs/s");
        let (_, message) = progress_message(5, 8, Duration::from_secs(2));
        assert_eq!(message, "5 passed, 3 not, 4 runs/s");
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("s").is_err());
    }

    #[test]
    fn run_number_is_replaced_at_any_depth() {
        let mut value = serde_json::json!({"a": ["x-{n}", {"b": "{n}{n}"}], "c": 1});
        replace_run_number(&mut value, "7");
        assert_eq!(
            value,
            serde_json::json!({"a": ["x-7", {"b": "77"}], "c": 1})
        );
    }
}
