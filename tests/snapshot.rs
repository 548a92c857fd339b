//! `arazzo snapshot` (print, `--check` with a diff, `--update`), and `arazzo_exec::testing`
//! used exactly as a user of the crate would.

use crate::util::{Output, arazzo, arg, spec, temp_dir};

const DIR: &str = "workflows/amberflo";
/// The committed snapshot of the Amberflo scenario (the default path next to the workflow).
const COMMITTED: &str = "workflows/amberflo/arazzo.launch-usage-based-product.snapshot.yaml";

fn snapshot(cassette: &str, extra: &[&str]) -> Output {
    let workflow = arg(&format!("{DIR}/arazzo.yaml"));
    let inputs = arg(&format!("{DIR}/inputs.json"));
    let mut args = vec![
        "snapshot", &workflow, "--inputs", &inputs, "--replay", cassette,
    ];
    args.extend_from_slice(extra);
    arazzo(&args)
}

#[test]
fn amberflo_snapshot_is_up_to_date() {
    let output = snapshot(&arg(&format!("{DIR}/cassette.yaml")), &["--check"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    assert_eq!(output.stdout, "");
    assert_eq!(
        output.stderr,
        format!("snapshot specs/{COMMITTED} matches\n")
    );
}

#[test]
fn snapshot_prints_the_committed_text() {
    let output = snapshot(&arg(&format!("{DIR}/cassette.yaml")), &[]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    assert_eq!(
        output.stdout,
        std::fs::read_to_string(spec(COMMITTED)).unwrap()
    );
}

#[test]
fn check_with_a_changed_response_body_exits_1_with_a_diff() {
    let committed = std::fs::read_to_string(spec(COMMITTED)).unwrap();
    let cassette = std::fs::read_to_string(spec(&format!("{DIR}/cassette.yaml"))).unwrap();
    // The API now answers another `lifecycleStage` for the new customer.
    let changed = cassette.replacen(
        "      lifecycleStage: ACTIVE\n      enabled: true",
        "      lifecycleStage: ONBOARDING\n      enabled: true",
        1,
    );
    assert_ne!(changed, cassette, "the cassette has the customer response");
    let dir_guard = temp_dir("changed-body");
    let dir = dir_guard.path().to_path_buf();
    let changed_path = dir.join("cassette.yaml");
    std::fs::write(&changed_path, changed).unwrap();

    let output = snapshot(changed_path.to_str().unwrap(), &["--check"]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    insta::assert_snapshot!(output.transcript());
    // --check never writes.
    assert_eq!(std::fs::read_to_string(spec(COMMITTED)).unwrap(), committed);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn update_writes_the_file_that_check_then_accepts() {
    let dir_guard = temp_dir("update");
    let dir = dir_guard.path().to_path_buf();
    let file = dir.join("amberflo.snapshot.yaml");
    let file_arg = file.to_str().unwrap();
    let cassette = arg(&format!("{DIR}/cassette.yaml"));

    let missing = snapshot(&cassette, &["--check", "--snapshot", file_arg]);
    assert_eq!(missing.code, 1, "{}", missing.transcript());
    assert!(
        missing
            .stderr
            .starts_with(&format!("no snapshot at {file_arg}: ")),
        "{}",
        missing.stderr
    );

    let update = snapshot(&cassette, &["--update", "--snapshot", file_arg]);
    assert_eq!(update.code, 0, "{}", update.transcript());
    assert_eq!(update.stderr, format!("wrote {file_arg}\n"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        std::fs::read_to_string(spec(COMMITTED)).unwrap()
    );
    let check = snapshot(&cassette, &["--check", "--snapshot", file_arg]);
    assert_eq!(check.code, 0, "{}", check.transcript());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_failing_workflow_is_a_snapshot_not_an_error() {
    let dir = spec("workflows/missing-recording");
    let output = arazzo(&[
        "snapshot",
        &dir.join("arazzo.yaml").display().to_string(),
        "--inputs",
        &dir.join("inputs.json").display().to_string(),
        "--replay",
        &dir.join("cassette.yaml").display().to_string(),
    ]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    assert!(
        output.stdout.contains(
            "  status: error\n  step_id: adopt\n  message: |-\n    no recorded exchange matches"
        ),
        "{}",
        output.stdout
    );
}

/// The `testing` feature as a user's test suite uses it: paths relative to the package root
/// (where `cargo test` runs), the snapshot in `snapshots/` next to this file.
#[test]
fn amberflo_workflow_snapshot() {
    let inputs = serde_json::json!({
        "apiKey": "bench-key", "meterApiName": "api-calls", "displayName": "API Calls",
        "type": "sum_of_all_usage", "customerId": "cust-0001", "customerName": "Acme Corp",
        "customerEmail": "billing@acme.example", "productId": "1", "meterValue": 5,
        "meterTimeInMillis": 1718153645993u64
    });
    arazzo_exec::assert_workflow_snapshot!(
        "../specs/workflows/amberflo/arazzo.yaml",
        "launch-usage-based-product",
        inputs,
        "../specs/workflows/amberflo/cassette.yaml"
    );
}

/// Set by [`snapshots_never_update_in_ci`] for the child test it runs.
const CHILD_DIR: &str = "ARAZZO_TESTS_CI_CHILD_DIR";

/// With `CI` set, a snapshot that differs fails the test and nothing is written: neither the
/// snapshot nor a `.snap.new` beside it. Runs [`ci_child`] in a child process with `CI=true`
/// against a stale snapshot in a temporary folder.
#[test]
fn snapshots_never_update_in_ci() {
    let dir_guard = temp_dir("ci");
    let dir = dir_guard.path().to_path_buf();
    let stale = dir.join("ci_child.snap");
    let text =
        "---\nsource: tests/snapshot.rs\nexpression: workflow_report\n---\nworkflow_id: stale\n";
    std::fs::write(&stale, text).unwrap();
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "snapshot::ci_child", "--test-threads=1"])
        .env(CHILD_DIR, &dir)
        .env("CI", "true")
        .env_remove("INSTA_UPDATE")
        .env_remove("INSTA_FORCE_PASS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&child.stdout);
    assert!(
        !child.status.success(),
        "the stale snapshot must fail:\n{stdout}"
    );
    assert!(stdout.contains("1 failed"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&stale).unwrap(), text);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(files, ["ci_child.snap"]);
    std::fs::remove_dir_all(&dir).ok();
}

/// Only does something in the child process of [`snapshots_never_update_in_ci`].
#[test]
fn ci_child() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        arazzo_exec::assert_workflow_snapshot!(
            "../specs/workflows/failing-step/arazzo.yaml",
            "adopt-pet",
            serde_json::json!({"petId": 7, "adopter": "Ada"}),
            "../specs/workflows/failing-step/cassette.yaml"
        );
    });
}

#[test]
fn snapshot_against_the_mock_is_deterministic() {
    let workflow = arg(&format!("{DIR}/arazzo.yaml"));
    let inputs = arg(&format!("{DIR}/inputs.json"));
    let args = ["snapshot", &workflow, "--inputs", &inputs, "--mock"];
    let (first, second) = (arazzo(&args), arazzo(&args));
    assert_eq!(first.code, 0, "{}", first.transcript());
    assert_eq!(first.stdout, second.stdout);
    // The cassette was recorded against this mock, which keeps the OpenAPI URLs: the snapshot
    // of the replay and of the mock are the same.
    let committed = std::fs::read_to_string(spec(COMMITTED)).unwrap();
    assert_eq!(first.stdout, committed);
}

#[test]
fn check_after_a_changed_input_says_the_cassette_is_out_of_date() {
    let workflow = arg(&format!("{DIR}/arazzo.yaml"));
    let inputs = arg(&format!("{DIR}/inputs.json"));
    let cassette = arg(&format!("{DIR}/cassette.yaml"));
    let output = arazzo(&[
        "snapshot",
        &workflow,
        "--inputs",
        &inputs,
        "--input",
        "customerName=Other Corp",
        "--replay",
        &cassette,
        "--check",
    ]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    assert!(
        output.stderr.contains(
            "differs because the cassette has no recorded answer for step `createCustomer`"
        ),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("the cassette is out of date, not the snapshot")
    );
    assert!(
        !output.stderr.contains("if the change is intended"),
        "{}",
        output.stderr
    );
}
