//! `arazzo run FILE --repeat N --concurrency C`: the load mode. The workflow runs many times,
//! several at once, on one multi-thread tokio runtime; what is printed is throughput, the
//! failures by step and latency percentiles ([`arazzo_exec::LoadTest`] does the work).

use std::io::{IsTerminal, Write};
use std::time::Duration;

use arazzo_exec::{LoadOptions, LoadReport, LoadTest};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::{RunArgs, RunFormat};
use crate::error::CliError;
use crate::prepare::Prepared;
use crate::render;

/// Runs the load test of `args`, prepared, and prints its report.
pub(crate) fn run(args: &RunArgs, prepared: Prepared, out: &mut dyn Write) -> Result<(), CliError> {
    let Prepared {
        runtime,
        engine,
        mut runs,
        mock: _mock,
        ..
    } = prepared;
    // The load mode runs one workflow (`--all` is refused with it).
    let inputs = runs.remove(0);
    let workflow_id = inputs.workflow_id().to_string();
    let load = &args.load;
    let runs = match (load.repeat, load.duration, inputs.csv_rows()) {
        (Some(runs), _, _) => Some(runs),
        (None, Some(_), _) => None,
        (None, None, rows) => Some(rows.unwrap_or(1)),
    };
    let options = LoadOptions {
        runs,
        duration: load.duration,
        concurrency: load.concurrency.unwrap_or(1),
        rate: load.rate,
    };
    let load = LoadTest::new(engine, &workflow_id, options.clone())
        .with_inputs(move |n| inputs.for_run(n));

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
        RunFormat::Json => render::write_json(out, &report)?,
        _ => write_human(&report, out)?,
    }
    // After the report is out: a file that cannot be written does not lose it.
    if let Some(path) = &args.output {
        render::write_json_file(path, &report).map_err(|output| CliError::Unwritten {
            output: Some(output),
            cassette: None,
        })?;
    }
    if report.interrupted {
        Err(CliError::Interrupted)
    } else if report.runs == 0 {
        Err(CliError::NothingRan)
    } else if report.errors > 0 {
        Err(CliError::RunErrored)
    } else if report.failed > 0 {
        Err(CliError::WorkflowFailed)
    } else {
        Ok(())
    }
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
}
