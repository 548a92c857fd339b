//! The bounds of a run (`specs/limits/`): nesting depth, step budget, run deadline, request
//! timeout and response size, through `arazzo run` against the built-in mock.

use std::fmt::Write as _;
use std::path::Path;

use crate::util::{Output, arazzo, arg, spec, temp_dir};

const LIMITS: &str = "limits/limits.arazzo.yaml";

fn run(file: &str, workflow: &str, extra: &[&str]) -> Output {
    let mut args = vec!["run", file, "--workflow", workflow, "--mock"];
    args.extend_from_slice(extra);
    arazzo(&args)
}

/// A document in `dir` next to a copy of the limit scenarios' API, with these workflows.
pub(crate) fn generated(dir: &Path, workflows: &str) -> String {
    std::fs::copy(
        spec("limits/api.openapi.yaml"),
        dir.join("api.openapi.yaml"),
    )
    .unwrap();
    let text = format!(
        "arazzo: 1.0.1\ninfo: {{title: generated, version: 1.0.0}}\nsourceDescriptions:\n  - {{name: api, url: ./api.openapi.yaml, type: openapi}}\nworkflows:\n{workflows}"
    );
    let path = dir.join("generated.arazzo.yaml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// `depth` workflows each calling the next through a workflow step, the last one pinging.
fn nested_chain(depth: usize) -> String {
    let mut workflows = String::new();
    for level in 0..depth {
        writeln!(
            workflows,
            "  - workflowId: w{level}\n    steps:\n      - {{stepId: call, workflowId: w{}}}",
            level + 1
        )
        .unwrap();
    }
    writeln!(
        workflows,
        "  - workflowId: w{depth}\n    steps:\n      - {{stepId: ping, operationId: ping}}"
    )
    .unwrap();
    workflows
}

#[test]
fn limits_a_workflow_calling_itself_is_refused_before_it_runs() {
    // It used to validate, then overflow the stack; `validate` names the cycle now, and a
    // recursion validation cannot see is stopped by the nesting limit (below).
    let output = run(&arg("limits/recursion.arazzo.yaml"), "calls-itself", &[]);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        output.stderr.contains("error[workflow-recursion]"),
        "{}",
        output.stderr
    );
}

#[test]
fn limits_a_long_chain_of_workflow_steps_is_an_error_not_a_crash() {
    let dir = temp_dir("deep-chain");
    let file = generated(dir.path(), &nested_chain(700));
    let output = run(&file, "w0", &[]);
    assert_eq!(output.code, 4, "{}", output.transcript());
    assert!(
        output.stderr.contains("nested more than 32 deep at `w33`"),
        "{}",
        output.stderr
    );
    // The load mode runs on worker threads with smaller stacks: the same limit holds there.
    let output = run(&file, "w0", &["--repeat", "3", "--concurrency", "2"]);
    assert_eq!(output.code, 4, "{}", output.transcript());
}

#[test]
fn limits_a_chain_within_the_nesting_limit_runs_in_both_modes() {
    let dir = temp_dir("chain-32");
    let file = generated(dir.path(), &nested_chain(32));
    let output = run(&file, "w0", &[]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    let output = run(&file, "w0", &["--repeat", "4", "--concurrency", "2"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
}

#[test]
fn limits_a_linear_workflow_of_1500_steps_runs_and_max_steps_caps_it() {
    let dir = temp_dir("linear");
    let mut workflows = String::from("  - workflowId: long\n    steps:\n");
    for step in 0..1500 {
        writeln!(workflows, "      - {{stepId: s{step}, operationId: ping}}").unwrap();
    }
    let file = generated(dir.path(), &workflows);
    let output = run(&file, "long", &["--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["steps"].as_array().unwrap().len(), 1500);

    let output = run(&file, "long", &["--max-steps", "10", "--format", "json"]);
    assert_eq!(output.code, 4, "{}", output.stderr);
    let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["steps"].as_array().unwrap().len(), 10);
    assert_eq!(report["outcome"]["step_id"], "s10");
    assert_eq!(report["outcome"]["kind"], "limit");
    let message = report["outcome"]["message"].as_str().unwrap();
    assert!(message.contains("more than 10 steps were run"), "{message}");
}

#[test]
fn limits_a_deadline_stops_a_retry_instead_of_waiting() {
    let started = std::time::Instant::now();
    let output = run(
        &arg(LIMITS),
        "retry-later",
        &["--fail", "/busy=503", "--deadline", "2s"],
    );
    // Without the deadline this run would wait 3 × 60 s.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(output.code, 4, "{}", output.transcript());
    assert!(
        output
            .stderr
            .contains("retry `later` would wait 60 s, past the run's deadline of 2 s: stopped"),
        "{}",
        output.stderr
    );
}

#[test]
fn limits_a_deadline_abandons_a_slow_response() {
    let output = run(
        &arg(LIMITS),
        "ping-once",
        &["--delay-ms", "3000", "--deadline", "300ms"],
    );
    assert_eq!(output.code, 4, "{}", output.transcript());
    assert!(
        output
            .stderr
            .contains("the run's deadline of 0.3 s passed while waiting for the response"),
        "{}",
        output.stderr
    );
}

#[test]
fn limits_request_timeout_and_response_size() {
    let output = run(
        &arg(LIMITS),
        "ping-once",
        &["--delay-ms", "3000", "--timeout", "200ms"],
    );
    assert_eq!(output.code, 4, "{}", output.transcript());
    assert!(output.stderr.contains("timed out"), "{}", output.stderr);

    let output = run(&arg(LIMITS), "ping-once", &["--max-response-size", "5"]);
    assert_eq!(output.code, 4, "{}", output.transcript());
    assert!(
        output.stderr.contains("is larger than 5 bytes"),
        "{}",
        output.stderr
    );
    let output = run(&arg(LIMITS), "ping-once", &["--max-response-size", "1KiB"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
}

#[test]
fn limits_snapshot_takes_the_same_limits() {
    let output = arazzo(&[
        "snapshot",
        &arg(LIMITS),
        "--workflow",
        "ping-once",
        "--mock",
        "--max-steps",
        "0",
    ]);
    // A failing workflow is part of its snapshot: printed, exit 0.
    assert_eq!(output.code, 0, "{}", output.transcript());
    assert!(
        output.stdout.contains("more than 0 steps were run"),
        "{}",
        output.stdout
    );
}
