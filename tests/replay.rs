//! Cassettes: `ReplayExecutor`, `Recording`, `arazzo run --record/--replay`, and the replay
//! scenarios of `specs/workflows/<name>/` (arazzo.yaml, inputs.json, cassette.yaml), each run
//! with no socket, its report and transcript snapshotted.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use arazzo_exec::{
    Cassette, Engine, Executor, ExecutorError, HttpExecutor, Plan, RecordedRequest, Recording,
    ReplayExecutor, Request, Response, SourceOptions, WorkflowReport,
};
use serde_json::{Value, json};

use crate::run::{Amberflo, inputs, run_against};
use crate::util::{spec, temp_dir};

const WORKFLOW_ID: &str = "launch-usage-based-product";
const AMBERFLO: &str = "workflows/amberflo/arazzo.yaml";
const API_KEY: &str = "bench-key";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn without_durations(mut report: WorkflowReport) -> WorkflowReport {
    report.duration = Duration::ZERO;
    for step in &mut report.steps {
        step.duration = Duration::ZERO;
    }
    report
}

#[test]
fn scenarios() {
    insta::glob!("../specs", "workflows/*/arazzo.yaml", |path| {
        let dir = path.parent().unwrap();
        let runtime = runtime();
        let plan = runtime
            .block_on(Plan::load(path, &SourceOptions::default()))
            .unwrap();
        let workflow_id = plan.workflow_ids().next().unwrap().to_string();
        let inputs = read_json(&dir.join("inputs.json"));
        let replay = ReplayExecutor::from_path(dir.join("cassette.yaml")).unwrap();
        let recording = Arc::new(Recording::new(replay));
        let engine = Engine::new(plan, recording.clone());
        let report = runtime.block_on(engine.run(&workflow_id, inputs)).unwrap();

        insta::assert_snapshot!("report", arazzo_exec::snapshot_report(&report));
        // Exactly what was sent, in order, including requests that had no recording.
        let sent: Vec<RecordedRequest> = recording
            .transcript()
            .iter()
            .map(|(request, _)| RecordedRequest::new(request, &report.redactor))
            .collect();
        insta::assert_snapshot!("transcript", yaml_serde::to_string(&sent).unwrap());
    });
}

#[test]
fn amberflo_scenario_is_the_reference_workflow() {
    // The scenario's copy differs from `specs/amberflo/` only by where its sources are.
    let original = std::fs::read_to_string(spec(
        "amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml",
    ))
    .unwrap();
    let copy = std::fs::read_to_string(spec(AMBERFLO)).unwrap();
    assert_eq!(
        copy,
        original.replace("url: ../openapi/", "url: ../../amberflo/openapi/")
    );
    assert_eq!(
        read_json(&spec("workflows/amberflo/inputs.json")),
        read_json(&spec("amberflo/inputs.json"))
    );
}

#[test]
fn record_then_replay_gives_the_same_report() {
    let api = Amberflo::start(None);
    let runtime = runtime();
    let options = SourceOptions {
        servers: ["meteringApi", "billingApi"]
            .into_iter()
            .map(|name| (name.to_string(), api.server.uri().parse().unwrap()))
            .collect(),
        ..SourceOptions::default()
    };
    let plan = Arc::new(
        runtime
            .block_on(Plan::load(spec(AMBERFLO), &options))
            .unwrap(),
    );
    let inputs = inputs();
    let recording = Arc::new(Recording::new(HttpExecutor::new().unwrap()));
    let recorded = runtime
        .block_on(Engine::new(plan.clone(), recording.clone()).run(WORKFLOW_ID, inputs.clone()))
        .unwrap();
    assert!(recorded.passed(), "{recorded:?}");
    let cassette = recording.cassette(&recorded.redactor);
    assert_eq!(cassette.exchanges.len(), 4);
    let dir_guard = temp_dir("record-then-replay");
    let dir = dir_guard.path().to_path_buf();
    cassette.write(dir.join("cassette.yaml")).unwrap();
    drop(api);

    // Offline: the server is gone; every answer comes from the file.
    let replay = Arc::new(ReplayExecutor::from_path(dir.join("cassette.yaml")).unwrap());
    let replayed = runtime
        .block_on(Engine::new(plan, replay.clone()).run(WORKFLOW_ID, inputs))
        .unwrap();
    assert!(replay.unused().is_empty());
    assert_eq!(without_durations(replayed), without_durations(recorded));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn cli_record_then_replay_prints_the_same_report_offline() {
    let api = Amberflo::start(None);
    let uri = api.server.uri();
    let dir_guard = temp_dir("cli");
    let dir = dir_guard.path().to_path_buf();
    let cassette = dir.join("amberflo.cassette.yaml");
    let cassette_arg = cassette.to_str().unwrap();
    let recorded = run_against(
        &uri,
        &inputs(),
        &["--record", cassette_arg, "--format", "json"],
    );
    assert_eq!(recorded.code, 0, "{}", recorded.transcript());
    drop(api);

    let text = std::fs::read_to_string(&cassette).unwrap();
    assert!(!text.contains(API_KEY), "the API key leaked:\n{text}");
    assert!(text.contains("- X-API-KEY: '***'"), "{text}");

    let replayed = run_against(
        &uri,
        &inputs(),
        &["--replay", cassette_arg, "--format", "json"],
    );
    assert_eq!(replayed.code, 0, "{}", replayed.transcript());
    let report = |stdout: &str| {
        let mut report: Value = serde_json::from_str(stdout).unwrap();
        report["duration"] = json!(0);
        for step in report["steps"].as_array_mut().unwrap() {
            step["duration"] = json!(0);
        }
        report
    };
    assert_eq!(report(&replayed.stdout), report(&recorded.stdout));
    assert_eq!(replayed.stderr, "", "no warning: every exchange was used");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn replay_of_a_request_not_in_the_cassette_fails_the_step_with_expected_and_actual() {
    let dir = spec("workflows/missing-recording");
    let output = crate::util::arazzo(&[
        "run",
        &dir.join("arazzo.yaml").display().to_string(),
        "--inputs",
        &dir.join("inputs.json").display().to_string(),
        "--replay",
        &dir.join("cassette.yaml").display().to_string(),
    ]);
    assert_eq!(output.code, 4, "{}", output.transcript());
    for line in [
        "ERR  adopt  POST https://pets.example/pets/7/adoption  no recorded exchange matches `POST https://pets.example/pets/7/adoption`",
        "  expected: POST https://pets.example/pets/7/adoption {\"adopter\":\"Ada\"}",
        "  actual:   POST https://pets.example/pets/7/adoption {\"adopter\":\"Grace\"}",
        "  first difference: body `/adopter`: expected `\"Ada\"`, got `\"Grace\"`",
    ] {
        assert!(output.stderr.contains(line), "{line}\n{}", output.stderr);
    }
}

#[test]
fn replay_needs_a_readable_cassette() {
    let output = crate::util::arazzo(&[
        "run",
        &crate::util::arg("workflows/failing-step/arazzo.yaml"),
        "--input",
        "petId=7",
        "--replay",
        "no-such-cassette.yaml",
    ]);
    assert_eq!(output.code, 2, "{}", output.transcript());
    assert!(
        output
            .stderr
            .contains("cannot read cassette `no-such-cassette.yaml`: "),
        "{}",
        output.stderr
    );
}

/// Answers every request like a server that echoes the secrets it was sent (query, header and
/// body), so that the recording has secrets everywhere to redact.
struct LeakyServer;

#[async_trait::async_trait]
impl Executor for LeakyServer {
    async fn execute(&self, request: &Request) -> Result<Response, ExecutorError> {
        let sent: Value = serde_json::from_slice(request.body.as_deref().unwrap_or(b"{}")).unwrap();
        let body = json!({
            "id": "evt-9",
            "echo": {"url": request.url.as_str(), "body": sent},
            "access_token": "tok-123",
        });
        Ok(Response {
            status: 202,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("set-cookie".into(), "session=abc123".into()),
            ],
            body: body.to_string().into(),
        })
    }
}

#[test]
fn secrets_are_never_in_a_cassette_and_the_redacted_cassette_still_replays() {
    let runtime = runtime();
    let path = spec("workflows/redacted-secrets/arazzo.yaml");
    let plan = Arc::new(
        runtime
            .block_on(Plan::load(&path, &SourceOptions::default()))
            .unwrap(),
    );
    let inputs = json!({"apiKey": "sk-live-4242", "user": "ada", "sentAt": "2024-01-01T00:00:00Z"});
    let recording = Arc::new(Recording::new(LeakyServer));
    let recorded = runtime
        .block_on(Engine::new(plan.clone(), recording.clone()).run("send-event", inputs.clone()))
        .unwrap();
    assert!(recorded.passed(), "{recorded:?}");
    let cassette = recording.cassette(&recorded.redactor);
    let text = cassette.to_yaml();
    for secret in ["sk-live-4242", "tok-123", "abc123"] {
        assert!(!text.contains(secret), "`{secret}` leaked:\n{text}");
    }
    assert!(
        text.contains("url: https://events.example/v1/events?api_key=***"),
        "{text}"
    );

    // Another key on replay: the `***` in the cassette match any value.
    let mut other = inputs.clone();
    other["apiKey"] = json!("sk-other-0001");
    let replay = ReplayExecutor::new(Cassette::from_yaml(&text).unwrap());
    let replayed = runtime
        .block_on(Engine::new(plan, replay).run("send-event", other))
        .unwrap();
    assert!(replayed.passed(), "{replayed:?}");
    assert_eq!(replayed.outputs["eventId"], "evt-9");
}

/// The committed Amberflo cassette is what `arazzo run --mock --record` gives (the mock keeps
/// the OpenAPI URLs), so re-recording it is one command:
/// `arazzo run specs/workflows/amberflo/arazzo.yaml --inputs specs/workflows/amberflo/inputs.json --mock --record specs/workflows/amberflo/cassette.yaml`.
#[test]
fn amberflo_cassette_is_a_recording_against_the_mock() {
    let dir_guard = temp_dir("record-mock");
    let dir = dir_guard.path().to_path_buf();
    let cassette = dir.join("cassette.yaml");
    let output = crate::util::arazzo(&[
        "run",
        &crate::util::arg("workflows/amberflo/arazzo.yaml"),
        "--inputs",
        &crate::util::arg("workflows/amberflo/inputs.json"),
        "--mock",
        "--record",
        cassette.to_str().unwrap(),
    ]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    // Only the `date` response headers differ between recordings.
    let without_dates = |text: String| -> String {
        text.lines()
            .filter(|line| !line.trim_start().starts_with("- date:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let recorded = without_dates(std::fs::read_to_string(&cassette).unwrap());
    let committed =
        without_dates(std::fs::read_to_string(spec("workflows/amberflo/cassette.yaml")).unwrap());
    assert_eq!(recorded, committed);
    assert!(
        recorded.contains("url: https://app.amberflo.io/meters"),
        "the OpenAPI URLs are kept"
    );
}
