//! The load mode: `arazzo run --repeat N --concurrency C` (counts, failure accounting,
//! per-run inputs, flat memory) and the `arazzo_exec::LoadTest` library behind it (stopping).
//! No assertion depends on timing.

use std::collections::BTreeSet;
use std::time::Duration;

use arazzo_exec::{
    Engine, Executor, ExecutorError, LoadOptions, LoadTest, Plan, Request, Response, SourceOptions,
};
use serde_json::Value;

use crate::run::{Amberflo, inputs, run_against};
use crate::util::{Output, arazzo, arg, temp_dir};

const WORKFLOW: &str = "amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml";
const STEPS: [&str; 4] = [
    "createMeter",
    "createCustomer",
    "assignPlan",
    "ingestFirstUsage",
];

/// `arazzo run` of the Amberflo workflow against the built-in mock, with `extra` arguments.
fn run_mock(extra: &[&str]) -> Output {
    let workflow = arg(WORKFLOW);
    let inputs = arg("amberflo/inputs.json");
    let mut args = vec!["run", &workflow, "--inputs", &inputs, "--mock"];
    args.extend_from_slice(extra);
    arazzo(&args)
}

fn json_report(output: &Output) -> Value {
    serde_json::from_str(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", output.transcript()))
}

/// The JSON bodies the local API received on `path`.
fn bodies(api: &Amberflo, path: &str) -> Vec<Value> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let requests = runtime
        .block_on(api.server.received_requests())
        .unwrap_or_default();
    requests
        .iter()
        .filter(|request| request.url.path() == path)
        .map(|request| serde_json::from_slice(&request.body).unwrap())
        .collect()
}

#[test]
fn load_counts_every_run_and_step() {
    let output = run_mock(&["--repeat", "200", "--concurrency", "8", "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    let report = json_report(&output);
    assert_eq!(report["workflow_id"], "launch-usage-based-product");
    assert_eq!(report["runs"], 200);
    assert_eq!(report["passed"], 200);
    assert_eq!(report["failed"], 0);
    assert_eq!(report["errors"], 0);
    assert_eq!(report["interrupted"], false);
    assert_eq!(report["concurrency"], 8);
    assert_eq!(report["requests"], 800);
    assert!(report.get("failures").is_none(), "{report:#}");
    assert_eq!(report["workflow"]["count"], 200);
    let steps: Vec<&str> = report["steps"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(steps, STEPS);
    for step in STEPS {
        let latency = &report["steps"][step];
        assert_eq!(latency["count"], 200, "{step}");
        let at = |name: &str| latency[name].as_f64().unwrap();
        assert!(
            at("min") <= at("p50") && at("p50") <= at("p90"),
            "{latency}"
        );
        assert!(
            at("p90") <= at("p99") && at("p99") <= at("max"),
            "{latency}"
        );
    }
    if cfg!(target_os = "linux") {
        let memory = report["memory"].as_array().unwrap();
        let runs: Vec<u64> = memory
            .iter()
            .map(|at| at["runs"].as_u64().unwrap())
            .collect();
        assert_eq!(runs, [1, 10, 100, 200]);
    }
}

#[test]
fn load_human_summary_names_steps_and_percentiles() {
    let output = run_mock(&["--repeat", "20", "--concurrency", "4"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    let text = &output.stdout;
    assert!(
        text.starts_with("workflow launch-usage-based-product: 20 runs in "),
        "{text}"
    );
    assert!(text.contains("  20 passed, 0 failed, 0 errors\n"), "{text}");
    assert!(text.contains("runs/s"), "{text}");
    assert!(text.contains("p50"), "{text}");
    for step in STEPS {
        assert!(text.contains(&format!("\n  {step} ")), "{text}");
    }
}

#[test]
fn load_failures_are_counted_by_failing_step() {
    let output = run_mock(&[
        "--repeat",
        "200",
        "--concurrency",
        "8",
        "--fail",
        "/ingest=500",
        "--format",
        "json",
    ]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    let report = json_report(&output);
    assert_eq!(report["runs"], 200);
    assert_eq!(report["passed"], 0);
    assert_eq!(report["failed"], 200);
    assert_eq!(report["errors"], 0);
    let failures = report["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert_eq!(failures[0]["outcome"], "failed");
    assert_eq!(failures[0]["step_id"], "ingestFirstUsage");
    assert_eq!(failures[0]["count"], 200);
    assert!(
        failures[0]["example"].as_str().unwrap().contains("500"),
        "{failures:#?}"
    );
    // The failing step ran in every run and is timed too.
    assert_eq!(report["steps"]["ingestFirstUsage"]["count"], 200);
}

#[test]
fn load_run_number_is_templated_into_each_run() {
    let api = Amberflo::start(None);
    let output = run_against(
        &api.server.uri(),
        &inputs(),
        &[
            "--repeat",
            "30",
            "--concurrency",
            "4",
            "--input",
            "customerName=Customer {n}",
            "--input",
            "meterValue={n}",
            "--format",
            "json",
        ],
    );
    assert_eq!(output.code, 0, "{}", output.transcript());
    assert_eq!(json_report(&output)["passed"], 30);
    let names: BTreeSet<String> = bodies(&api, "/customers")
        .iter()
        .map(|body| body["customerName"].as_str().unwrap().to_string())
        .collect();
    let expected: BTreeSet<String> = (1..=30).map(|n| format!("Customer {n}")).collect();
    assert_eq!(names, expected);
    // `{n}` typed by the inputs schema: `meterValue` is a number.
    let values: BTreeSet<u64> = bodies(&api, "/ingest")
        .iter()
        .map(|body| body["meterValue"].as_u64().expect("a number"))
        .collect();
    assert_eq!(values, (1..=30).collect());
}

#[test]
fn load_inputs_csv_gives_each_run_its_row() {
    let dir_guard = temp_dir("load-csv");
    let dir = dir_guard.path().to_path_buf();
    let csv = dir.join("inputs.csv");
    // The third row's key is refused by the API: that run fails at its first step.
    std::fs::write(
        &csv,
        "customerName,apiKey,meterValue\n\
         First,bench-key,1\n\
         \"Second, Inc\",bench-key,2\n\
         Third,wrong-key,3\n",
    )
    .unwrap();
    let api = Amberflo::start(None);
    let csv_arg = csv.display().to_string();
    let output = run_against(
        &api.server.uri(),
        &inputs(),
        &["--inputs-csv", &csv_arg, "--format", "json"],
    );
    assert_eq!(output.code, 1, "{}", output.transcript());
    let report = json_report(&output);
    assert_eq!(report["runs"], 3, "one run per row");
    assert_eq!(report["passed"], 2);
    assert_eq!(report["failed"], 1);
    assert_eq!(report["failures"][0]["step_id"], "createMeter");
    assert_eq!(report["failures"][0]["count"], 1);
    let names: BTreeSet<String> = bodies(&api, "/customers")
        .iter()
        .map(|body| body["customerName"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["First".into(), "Second, Inc".into()])
    );
    let values: Vec<u64> = bodies(&api, "/ingest")
        .iter()
        .map(|body| body["meterValue"].as_u64().unwrap())
        .collect();
    assert_eq!(
        values.iter().collect::<BTreeSet<_>>().len(),
        2,
        "{values:?}"
    );

    // With --repeat the rows are used in turn.
    let api = Amberflo::start(None);
    let output = run_against(
        &api.server.uri(),
        &inputs(),
        &[
            "--inputs-csv",
            &csv_arg,
            "--repeat",
            "9",
            "--format",
            "json",
        ],
    );
    let report = json_report(&output);
    assert_eq!(
        (report["runs"].as_u64(), report["failed"].as_u64()),
        (Some(9), Some(3))
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn load_options_are_checked() {
    let output = run_mock(&["--concurrency", "4"]);
    assert_eq!(output.code, 2, "{}", output.transcript());
    assert!(
        output.stderr.contains("--concurrency and --rate need"),
        "{}",
        output.stderr
    );
    let output = run_mock(&["--repeat", "2", "--concurrency", "0"]);
    assert_eq!(output.code, 2, "{}", output.transcript());
    let output = run_mock(&["--repeat", "2", "--format", "junit"]);
    assert_eq!(output.code, 2, "{}", output.transcript());
    let output = run_mock(&["--duration", "soon"]);
    assert_eq!(output.code, 2, "{}", output.transcript());
    // Inputs that break the schema are said once, before anything is sent.
    let output = run_mock(&["--repeat", "5", "--input", "meterValue=five-{n}"]);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        output.stderr.contains("(run 1), nothing was sent"),
        "{}",
        output.stderr
    );
}

#[test]
fn load_duration_and_rate_bound_the_runs() {
    let output = run_mock(&[
        "--duration",
        "300ms",
        "--concurrency",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    let report = json_report(&output);
    assert!(report["runs"].as_u64().unwrap() >= 1, "{report:#}");
    assert_eq!(report["runs"], report["passed"]);
    assert_eq!(report["interrupted"], false);

    let output = run_mock(&["--repeat", "10", "--rate", "1000", "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    assert_eq!(json_report(&output)["passed"], 10);
}

/// Answers every request with its own body (the Amberflo workflow then passes), or never.
struct Echo {
    hang: bool,
}

#[async_trait::async_trait]
impl Executor for Echo {
    async fn execute(&self, request: &Request) -> Result<Response, ExecutorError> {
        if self.hang {
            std::future::pending::<()>().await;
        }
        let headers = vec![("content-type".to_string(), "application/json".to_string())];
        let body = request.body.clone().unwrap_or_default();
        Ok(Response {
            status: 200,
            headers,
            body,
        })
    }
}

fn echo_load(hang: bool, options: LoadOptions) -> (tokio::runtime::Runtime, LoadTest) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let plan = runtime
        .block_on(Plan::load(
            crate::util::spec(WORKFLOW),
            &SourceOptions::default(),
        ))
        .unwrap();
    let engine = Engine::new(plan, Echo { hang });
    let inputs = inputs();
    let load = LoadTest::new(engine, "launch-usage-based-product", options)
        .with_inputs(move |_| inputs.clone());
    (runtime, load)
}

#[test]
fn load_stop_ends_an_endless_test_with_a_partial_report() {
    let options = LoadOptions {
        runs: None,
        concurrency: 4,
        ..LoadOptions::default()
    };
    let (runtime, load) = echo_load(false, options);
    let (progress, stop) = (load.progress(), load.stopper());
    let report = runtime.block_on(async {
        tokio::spawn(async move {
            while progress.finished() < 50 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            stop.stop();
        });
        load.run(std::future::pending()).await
    });
    assert!(report.interrupted);
    assert!(report.runs >= 50, "{report:?}");
    assert_eq!(report.passed, report.runs, "runs under way finished");
    assert_eq!(report.workflow.count, report.runs);
}

#[test]
fn load_second_stop_aborts_the_runs_under_way() {
    let options = LoadOptions {
        runs: Some(100),
        concurrency: 3,
        ..LoadOptions::default()
    };
    let (runtime, load) = echo_load(true, options);
    let (progress, stop) = (load.progress(), load.stopper());
    let report = runtime.block_on(async {
        tokio::spawn(async move {
            while progress.started() < 3 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            stop.stop();
            stop.stop();
        });
        load.run(std::future::pending()).await
    });
    assert!(report.interrupted);
    assert_eq!(report.runs, 0, "aborted runs are not counted: {report:?}");
}

#[test]
fn load_stop_future_and_zero_runs() {
    let options = LoadOptions {
        runs: None,
        concurrency: 2,
        ..LoadOptions::default()
    };
    let (runtime, load) = echo_load(false, options);
    let progress = load.progress();
    let stop = async move {
        while progress.finished() < 10 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    };
    let report = runtime.block_on(load.run(stop));
    assert!(report.interrupted && report.runs >= 10, "{report:?}");

    let options = LoadOptions {
        runs: Some(0),
        ..LoadOptions::default()
    };
    let (runtime, load) = echo_load(false, options);
    let report = runtime.block_on(load.run(std::future::pending()));
    assert_eq!((report.runs, report.interrupted), (0, false));
    assert_eq!(report.runs_per_second, 0.0);
}

/// The environment variable that lets `memory_child` run (set by `memory_stays_flat`).
const MEMORY_CHILD: &str = "ARAZZO_TEST_LOAD_MEMORY_CHILD";

/// Memory stays flat: resident memory after 4,000 runs is within 1 MiB of what it was after
/// 1,000. Measured in a child process (this test binary running only `memory_child`), since
/// the other tests allocate in this one.
#[test]
fn memory_stays_flat() {
    if !cfg!(target_os = "linux") {
        return; // resident memory is read from /proc
    }
    let exe = std::env::current_exe().unwrap();
    let child = std::process::Command::new(exe)
        .args([
            "load::memory_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(MEMORY_CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&child.stdout);
    assert!(
        child.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&child.stderr)
    );
    assert!(
        stdout.contains("1 passed"),
        "the child ran nothing: {stdout}"
    );
}

/// The measurement of `memory_stays_flat`, which runs it alone in a child process; in the
/// ordinary run of the suite it does nothing.
#[test]
fn memory_child() {
    if std::env::var_os(MEMORY_CHILD).is_none() {
        return;
    }
    let output = run_mock(&["--repeat", "4000", "--concurrency", "8", "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    let report = json_report(&output);
    let rss = |runs: u64| {
        report["memory"]
            .as_array()
            .unwrap()
            .iter()
            .find(|at| at["runs"] == runs)
            .and_then(|at| at["rss_bytes"].as_u64())
            .unwrap_or_else(|| panic!("no sample after {runs} runs: {report:#}"))
    };
    let (at_1000, at_4000) = (rss(1000), rss(4000));
    println!("rss after 1000 runs: {at_1000} bytes, after 4000: {at_4000} bytes");
    assert!(
        at_4000 <= at_1000 + 1024 * 1024,
        "memory grew by {} KiB between 1,000 and 4,000 runs",
        (at_4000 - at_1000) / 1024
    );
}

#[test]
fn load_without_any_run_is_refused() {
    for (flags, message) in [
        (["--repeat", "0"], "--repeat must be at least 1"),
        (["--duration", "0s"], "--duration must be longer than 0"),
    ] {
        let output = run_mock(&flags);
        assert_eq!(output.code, 2, "{}", output.transcript());
        assert!(output.stderr.contains(message), "{}", output.stderr);
    }
}
