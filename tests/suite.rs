//! Several workflows in one run: `arazzo run --all` and `arazzo test`, against the built-in
//! mock (`specs/suite/`); and the human output of the workflows a run reaches.

use serde_json::Value;

use crate::util::{Output, arazzo, arg};

const SHOP: &str = "suite/shop.arazzo.yaml";
const RECOVER: &str = "suite/recover.arazzo.yaml";
const BROKEN: &str = "suite/broken.arazzo.yaml";
const SECRET: &str = "hunter2-secret";

fn json(output: &Output) -> Value {
    serde_json::from_str(&output.stdout).unwrap_or_else(|err| panic!("{err}: {}", output.stdout))
}

/// The snapshot of a transcript, durations and dates left out.
macro_rules! assert_transcript {
    ($output:expr) => {
        insta::with_settings!({filters => vec![
            (r"\d+\.\d ms", "[ms]"),
        ]}, {
            insta::assert_snapshot!($output.transcript());
        })
    };
}

fn run_all(extra: &[&str]) -> Output {
    let file = arg(SHOP);
    let inputs = arg("suite/shop.arazzo.inputs.yaml");
    let mut args = vec!["run", &file, "--all", "--mock", "--inputs", &inputs];
    args.extend_from_slice(extra);
    arazzo(&args)
}

#[test]
fn suite_run_all_shares_workflow_outputs_and_runs_a_dependency_once() {
    let output = run_all(&["--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let report = json(&output);
    let workflows = report["workflows"].as_array().unwrap();
    let ids: Vec<&str> = workflows
        .iter()
        .map(|workflow| workflow["workflow_id"].as_str().unwrap())
        .collect();
    // `stats` ran as `audit`'s dependency, before it: not again at the top level.
    assert_eq!(ids, ["login", "browse", "buy", "place", "audit"]);
    let (browse, buy, audit) = (&workflows[1], &workflows[2], &workflows[4]);
    // `browse` read `login`'s token without dependsOn: it was sent (redacted in the report).
    let sent = &browse["steps"][0]["request"]["headers"];
    assert!(sent.to_string().contains("Authorization"), "{sent}");
    // `buy` depends on `login`, which already ran: not run again, its outputs reused.
    assert!(buy.get("workflows").is_none(), "{buy}");
    assert_eq!(buy["outputs"]["buyer"], "ada");
    assert_eq!(audit["workflows"][0]["workflow_id"], "stats");
    assert_eq!(audit["workflows"][0]["reached_by"]["by"], "depends-on");
    assert_eq!(
        audit["outputs"],
        serde_json::json!({"before": 3, "after": 3})
    );
}

#[test]
fn suite_run_all_human_lists_each_workflow_and_the_outputs_by_id() {
    let output = run_all(&[]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(json(&output)["buy"]["orderId"], 42);
    assert_transcript!(output);
}

#[test]
fn suite_run_all_inputs_by_workflow_id_and_flags_for_all() {
    let file = arg(SHOP);
    let inputs = arg("suite/shop.by-workflow.inputs.yaml");
    let output = arazzo(&[
        "run", &file, "--all", "--mock", "--inputs", &inputs, "--format", "json",
    ]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let report = json(&output);
    let url = |index: usize| report["workflows"][index]["steps"][0]["request"]["url"].clone();
    assert_eq!(report["workflows"][0]["outputs"]["user"], "grace");
    assert_eq!(url(1), "http://shop.test/pets/3");
    assert_eq!(report["workflows"][3]["outputs"]["orderId"], 42);
    let placed = &report["workflows"][3]["steps"][0]["request"]["body"];
    assert_eq!(placed["petId"], 5);
    // `--input` is for every workflow that takes the name.
    let output = arazzo(&[
        "run", &file, "--all", "--mock", "--inputs", &inputs, "--input", "petId=9", "--format",
        "json",
    ]);
    assert_eq!(
        json(&output)["workflows"][1]["steps"][0]["request"]["url"],
        "http://shop.test/pets/9"
    );
    // A name no workflow takes is a typo, as in a single run.
    let typo = run_all(&["--input", "petid=1"]);
    assert_eq!(typo.code, 3);
    assert!(
        typo.stderr.contains("did you mean `petId`?"),
        "{}",
        typo.stderr
    );
}

#[test]
fn suite_run_all_conflicts_with_workflow_and_the_load_mode() {
    let file = arg(SHOP);
    assert_eq!(
        arazzo(&["run", &file, "--all", "--workflow", "login"]).code,
        2
    );
    let load = arazzo(&["run", &file, "--all", "--mock", "--repeat", "2"]);
    assert_eq!(load.code, 2);
    assert!(load.stderr.contains("--all"), "{}", load.stderr);
}

#[test]
fn suite_run_all_exits_with_the_worst_outcome_and_junit_has_a_suite_per_workflow() {
    let file = arg(RECOVER);
    let failed = arazzo(&["run", &file, "--all", "--mock", "--format", "junit"]);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    for suite in ["recovers", "handoff", "counted", "orders", "retries"] {
        let name = format!("<testsuite name=\"{suite}\"");
        assert!(failed.stdout.contains(&name), "{suite}: {}", failed.stdout);
    }
    // Nothing listens on port 1: every workflow stops on an error.
    let errored = arazzo(&["run", &file, "--all", "--server", "shop=http://127.0.0.1:1"]);
    assert_eq!(errored.code, 4, "{}", errored.stderr);
}

#[test]
fn suite_reached_workflows_are_shown_under_the_step_that_reached_them() {
    let output = arazzo(&["run", &arg(RECOVER), "--all", "--mock"]);
    assert_eq!(output.code, 1);
    let stderr = &output.stderr;
    assert!(
        stderr.contains(
            "  workflow orders (goto from step `check`, action `askOrders`):\n  ok   place"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("  workflow orders (retry of step `check`, action `restock`):"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  workflow counted (dependsOn):"),
        "{stderr}"
    );
    assert!(
        stderr.contains("workflow recovers passed (2 steps, ")
            && stderr.contains("  recovered from the failure of step check by its failure action: goto step `fallback` (`useFallback`)"),
        "{stderr}"
    );
    assert_transcript!(output);
}

#[test]
fn suite_a_single_run_shows_and_reports_the_workflows_it_reached() {
    let file = arg(RECOVER);
    let human = arazzo(&["run", &file, "--workflow", "handoff", "--mock"]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(human.stderr.contains("  ok   count"), "{}", human.stderr);
    assert!(human.stderr.contains("  ok   place"), "{}", human.stderr);
    let output = arazzo(&[
        "run",
        &file,
        "--workflow",
        "handoff",
        "--mock",
        "--format",
        "json",
    ]);
    let report = json(&output);
    assert_eq!(
        report["workflows"][0]["reached_by"],
        serde_json::json!({"by": "depends-on"})
    );
    assert_eq!(
        report["workflows"][1]["reached_by"],
        serde_json::json!({"by": "goto", "step_id": "check", "action": "askOrders"})
    );
    assert_eq!(report["workflows"][1]["steps"][0]["step_id"], "place");
}

#[test]
fn suite_test_exit_codes_worst_wins() {
    let (shop, recover, broken) = (arg(SHOP), arg(RECOVER), arg(BROKEN));
    assert_eq!(arazzo(&["test", &shop, "--mock"]).code, 0);
    assert_eq!(arazzo(&["test", &shop, &recover, "--mock"]).code, 1);
    // The invalid document is reported, the others still run.
    let invalid = arazzo(&["test", &arg("suite"), "--mock"]);
    assert_eq!(invalid.code, 3, "{}", invalid.stderr);
    assert!(
        invalid.stderr.contains("error[unknown-step]"),
        "{}",
        invalid.stderr
    );
    assert!(
        invalid
            .stdout
            .contains("specs/suite/shop.arazzo.yaml     audit"),
        "{}",
        invalid.stdout
    );
    // A runtime error wins over an invalid document.
    let errored = arazzo(&[
        "test",
        &shop,
        &broken,
        "--server",
        "shop=http://127.0.0.1:1",
    ]);
    assert_eq!(errored.code, 4, "{}", errored.stderr);
}

#[test]
fn suite_test_summary_table() {
    // A relative path, as typed (the columns are as wide as the paths printed).
    let output = arazzo(&["test", "../specs/suite", "--mock"]);
    assert_eq!(output.code, 3);
    insta::with_settings!({filters => vec![(r"\d+\.\d ms", "[ms]")]}, {
        insta::assert_snapshot!(output.stdout);
    });
}

#[test]
fn suite_test_selects_workflows_and_refuses_unknown_names() {
    let output = arazzo(&[
        "test",
        &arg("suite"),
        "--mock",
        "-w",
        "login",
        "-w",
        "audit",
        "--format",
        "json",
    ]);
    // broken.arazzo.yaml has neither: it is not run, nor reported.
    assert_eq!(output.code, 0, "{}", output.stderr);
    let report = json(&output);
    assert_eq!(report["documents"].as_array().unwrap().len(), 1);
    let ids: Vec<&Value> = report["documents"][0]["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|workflow| &workflow["workflow_id"])
        .collect();
    assert_eq!(ids, ["login", "audit"]);
    assert_eq!(report["summary"]["passed"], 2);
    let unknown = arazzo(&["test", &arg("suite"), "-w", "nope"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no document has a workflow `nope`"),
        "{}",
        unknown.stderr
    );
    let server = arazzo(&["test", &arg("suite"), "--server", "nope=http://127.0.0.1:1"]);
    assert_eq!(server.code, 2);
    assert_eq!(arazzo(&["test", &arg("flow/README.md")]).code, 3);
}

#[test]
fn suite_test_tap_and_junit() {
    let tap = arazzo(&[
        "test",
        &arg(RECOVER),
        &arg(BROKEN),
        "--mock",
        "--format",
        "tap",
    ]);
    assert_eq!(tap.code, 3);
    let lines: Vec<&str> = tap.stdout.lines().collect();
    assert_eq!(lines[..2], ["TAP version 14", "1..5"]);
    assert!(
        lines.contains(&"ok 1 - specs/suite/recover.arazzo.yaml: recovers"),
        "{}",
        tap.stdout
    );
    assert!(
        lines.contains(&"not ok 4 - specs/suite/recover.arazzo.yaml: retries"),
        "{}",
        tap.stdout
    );
    assert!(
        lines.contains(&"not ok 5 - specs/suite/broken.arazzo.yaml"),
        "{}",
        tap.stdout
    );
    let junit = arazzo(&[
        "test",
        &arg(SHOP),
        &arg(BROKEN),
        "--mock",
        "--format",
        "junit",
    ]);
    assert_eq!(junit.code, 3);
    for suite in ["login", "browse", "buy", "place", "audit", "stats"] {
        let name = format!("<testsuite name=\"specs/suite/shop.arazzo.yaml: {suite}\"");
        assert!(junit.stdout.contains(&name), "{suite}: {}", junit.stdout);
    }
    assert!(
        junit
            .stdout
            .contains("<testsuite name=\"specs/suite/broken.arazzo.yaml\""),
        "{}",
        junit.stdout
    );
}

#[test]
fn suite_secrets_are_redacted_in_every_output_of_test_and_run_all() {
    let dir = crate::util::temp_dir("suite-secrets");
    let report = dir.path().join("report.json");
    let report_arg = report.display().to_string();
    let shop = arg(SHOP);
    for format in ["human", "json", "junit", "tap"] {
        let output = arazzo(&[
            "test",
            &shop,
            "--mock",
            "-v",
            "--format",
            format,
            "--output",
            &report_arg,
        ]);
        assert_eq!(output.code, 0, "{}", output.stderr);
        // The mock echoes the password back: the report shows the response, redacted.
        assert!(
            !output.transcript().contains(SECRET),
            "{format}: {}",
            output.transcript()
        );
        let written = std::fs::read_to_string(&report).unwrap();
        assert!(written.contains("\"password\": \"***\""), "{written}");
        assert!(!written.contains(SECRET));
    }
    for format in ["human", "json", "junit"] {
        let output = run_all(&["-v", "--format", format]);
        assert_eq!(output.code, 0, "{}", output.stderr);
        assert!(
            !output.transcript().contains(SECRET),
            "{format}: {}",
            output.transcript()
        );
    }
}
