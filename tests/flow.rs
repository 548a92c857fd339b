//! Control flow (checklist §8 items 27–41): success and failure actions, retries, loops,
//! workflow steps and `dependsOn`, run against a scripted executor (no socket) with a clock
//! that never sleeps. Scenarios are in `specs/flow/`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use arazzo_exec::{
    Engine, Executor, ExecutorError, Limits, ManualClock, Outcome, Plan, Request, Response,
    SourceOptions, StepErrorKind, StepOutcome, WorkflowReport,
};
use serde_json::{Value, json};

use crate::util::spec;

/// A scripted response: status, headers, JSON body.
type Answer = (u16, Vec<(String, String)>, Value);

/// Answers each `METHOD /path` with the next scripted response (the last one repeats), and
/// keeps every request.
#[derive(Default)]
struct Script {
    answers: Mutex<HashMap<String, VecDeque<Answer>>>,
    sent: Mutex<Vec<Request>>,
}

impl Script {
    fn new(answers: &[(&str, u16, Value)]) -> Arc<Script> {
        let script = Script::default();
        for (route, status, body) in answers {
            script.answer(route, *status, &[], body.clone());
        }
        Arc::new(script)
    }

    fn answer(&self, route: &str, status: u16, headers: &[(&str, &str)], body: Value) {
        let headers = headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        self.answers
            .lock()
            .unwrap()
            .entry(route.to_string())
            .or_default()
            .push_back((status, headers, body));
    }

    /// `METHOD /path` of every request, in order.
    fn routes(&self) -> Vec<String> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .map(|request| format!("{} {}", request.method, request.url.path()))
            .collect()
    }
}

#[async_trait::async_trait]
impl Executor for Script {
    async fn execute(&self, request: &Request) -> Result<Response, ExecutorError> {
        self.sent.lock().unwrap().push(request.clone());
        let route = format!("{} {}", request.method, request.url.path());
        let mut answers = self.answers.lock().unwrap();
        let queue = answers
            .get_mut(&route)
            .unwrap_or_else(|| panic!("no answer scripted for {route}"));
        let (status, mut headers, body) = if queue.len() > 1 {
            queue.pop_front().unwrap()
        } else {
            queue[0].clone()
        };
        headers.push(("content-type".to_string(), "application/json".to_string()));
        Ok(Response {
            status,
            headers,
            body: body.to_string().into(),
        })
    }
}

struct Ran {
    report: WorkflowReport,
    clock: Arc<ManualClock>,
}

fn run(file: &str, workflow: &str, inputs: Value, script: &Arc<Script>, limits: Limits) -> Ran {
    run_configured(file, workflow, inputs, script, |engine| {
        engine.with_limits(limits)
    })
}

/// [`run`] with the engine as `configure` makes it.
fn run_configured(
    file: &str,
    workflow: &str,
    inputs: Value,
    script: &Arc<Script>,
    configure: impl FnOnce(Engine) -> Engine,
) -> Ran {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ));
    let report = runtime.block_on(async {
        let plan = Plan::load(spec(&format!("flow/{file}")), &SourceOptions::default())
            .await
            .unwrap();
        let engine = configure(Engine::new(plan, Arc::clone(script)).with_clock(clock.clone()));
        engine.run(workflow, inputs).await.unwrap()
    });
    Ran { report, clock }
}

fn actions(file: &str, workflow: &str, script: &Arc<Script>) -> Ran {
    run(file, workflow, json!({}), script, Limits::default())
}

fn step_ids(report: &WorkflowReport) -> Vec<&str> {
    report
        .steps
        .iter()
        .map(|step| step.step_id.as_str())
        .collect()
}

#[test]
fn flow_first_matching_action_wins_and_end_stops() {
    let script = Script::new(&[("GET /pets", 200, json!({"count": 0}))]);
    let ran = actions("actions.arazzo.yaml", "first-match-end", &script);
    assert_eq!(ran.report.outcome, Outcome::Passed);
    assert_eq!(script.routes(), ["GET /pets"]);
    assert_eq!(
        ran.report.steps[0].action.as_deref(),
        Some("end (`none-left`)")
    );
    assert_eq!(ran.report.outputs["count"], 0);

    let script = Script::new(&[
        ("GET /pets", 200, json!({"count": 2})),
        ("POST /orders", 201, json!({})),
    ]);
    let ran = actions("actions.arazzo.yaml", "first-match-end", &script);
    assert_eq!(ran.report.outcome, Outcome::Passed);
    assert_eq!(
        script.routes(),
        ["GET /pets", "POST /orders"],
        "the goto skips `never`"
    );
}

#[test]
fn flow_reports_without_exchange_details_keep_method_url_and_status() {
    let script = Script::new(&[("GET /pets", 200, json!({"count": 0}))]);
    let ran = run_configured(
        "actions.arazzo.yaml",
        "first-match-end",
        json!({}),
        &script,
        |engine| engine.with_exchange_details(false),
    );
    assert_eq!(ran.report.outcome, Outcome::Passed);
    let step = &ran.report.steps[0];
    let request = step.request.as_ref().unwrap();
    assert_eq!(request.method, "GET");
    assert!(request.url.ends_with("/pets"), "{}", request.url);
    assert!(request.headers.is_empty() && request.body.is_none());
    let response = step.response.as_ref().unwrap();
    assert_eq!(response.status, 200);
    assert!(response.headers.is_empty() && response.body.is_none());
    // Criteria and outputs still read the body.
    assert_eq!(ran.report.outputs["count"], 0);
}

#[test]
fn flow_goto_loops_and_overwrites_outputs() {
    let script = Script::default();
    for state in ["queued", "running", "done"] {
        script.answer("GET /poll", 200, &[], json!({"state": state}));
    }
    let script = Arc::new(script);
    let ran = actions("actions.arazzo.yaml", "poll-until-done", &script);
    assert_eq!(ran.report.outcome, Outcome::Passed);
    assert_eq!(script.routes().len(), 3);
    assert_eq!(ran.report.outputs["state"], "done");
}

#[test]
fn flow_endless_loop_is_stopped_by_the_step_budget() {
    let script = Script::new(&[("GET /poll", 200, json!({}))]);
    let limits = Limits {
        max_steps: Some(25),
        ..Limits::default()
    };
    let ran = run("actions.arazzo.yaml", "endless", json!({}), &script, limits);
    assert_eq!(script.routes().len(), 25);
    match &ran.report.outcome {
        Outcome::Error {
            step_id,
            message,
            kind,
        } => {
            assert_eq!(step_id, "poll");
            assert_eq!(*kind, StepErrorKind::Limit);
            assert!(message.contains("more than 25 steps were run"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn flow_loop_budget_counts_only_steps_run_again() {
    let script = Script::new(&[("GET /poll", 200, json!({}))]);
    let limits = Limits {
        max_loop_steps: 25,
        ..Limits::default()
    };
    let ran = run("actions.arazzo.yaml", "endless", json!({}), &script, limits);
    // The first run of `poll` is not a loop; 25 more are allowed.
    assert_eq!(script.routes().len(), 26);
    match &ran.report.outcome {
        Outcome::Error {
            step_id,
            message,
            kind,
        } => {
            assert_eq!(step_id, "poll");
            assert_eq!(*kind, StepErrorKind::Limit);
            assert!(
                message.contains("more than 25 steps were run again"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn flow_retry_waits_retry_after_seconds() {
    let script = Script::default();
    script.answer("GET /pets", 503, &[], json!({}));
    script.answer("GET /pets", 503, &[], json!({}));
    script.answer("GET /pets", 200, &[], json!({}));
    let script = Arc::new(script);
    let ran = actions("actions.arazzo.yaml", "retry-then-pass", &script);
    assert_eq!(ran.report.outcome, Outcome::Passed);
    assert_eq!(script.routes().len(), 3);
    assert_eq!(
        ran.clock.slept(),
        [Duration::from_millis(500), Duration::from_millis(500)]
    );
    assert_eq!(
        ran.report.steps[0].action.as_deref(),
        Some("retry 1/3 in 0.5 s (`busy`)")
    );
    assert_eq!(
        ran.report.steps[1].action.as_deref(),
        Some("retry 2/3 in 0.5 s (`busy`)")
    );
}

#[test]
fn flow_retry_after_header_overrules_and_is_capped() {
    let script = Script::default();
    script.answer("GET /pets", 503, &[("Retry-After", "2")], json!({}));
    // An HTTP date 90 s after the clock's start: capped to the limit.
    script.answer(
        "GET /pets",
        503,
        &[("Retry-After", "Tue, 14 Nov 2023 22:14:50 GMT")],
        json!({}),
    );
    script.answer("GET /pets", 200, &[], json!({}));
    let script = Arc::new(script);
    let limits = Limits {
        max_retry_delay: Duration::from_secs(30),
        ..Limits::default()
    };
    let ran = run(
        "actions.arazzo.yaml",
        "retry-then-pass",
        json!({}),
        &script,
        limits,
    );
    assert_eq!(ran.report.outcome, Outcome::Passed);
    assert_eq!(
        ran.clock.slept(),
        [Duration::from_secs(2), Duration::from_secs(30)]
    );
}

#[test]
fn flow_retry_limit_defaults_to_one_then_later_actions_apply() {
    let script = Script::new(&[
        ("GET /pets", 500, json!({})),
        ("POST /cleanup", 204, json!({})),
    ]);
    let ran = actions("actions.arazzo.yaml", "retry-exhausted-then-goto", &script);
    assert_eq!(script.routes(), ["GET /pets", "GET /pets", "POST /cleanup"]);
    assert_eq!(
        ran.report.steps[1].action.as_deref(),
        Some("goto step `clean` (`give-up`)")
    );
    assert_eq!(
        ran.report.outcome,
        Outcome::Passed,
        "the cleanup step passed and ended the workflow"
    );
}

#[test]
fn flow_retry_with_a_step_calls_it_then_retries() {
    let script = Script::default();
    script.answer("GET /pets", 401, &[], json!({}));
    script.answer("GET /pets", 200, &[], json!({"count": 3}));
    script.answer("POST /login", 200, &[], json!({"token": "t-1"}));
    let script = Arc::new(script);
    let ran = actions("actions.arazzo.yaml", "retry-after-login", &script);
    // find (401) → login → find again (200) → login as the next step.
    assert_eq!(
        script.routes(),
        ["GET /pets", "POST /login", "GET /pets", "POST /login"]
    );
    assert_eq!(step_ids(&ran.report), ["find", "login", "find", "login"]);
    assert_eq!(ran.report.outcome, Outcome::Passed);
}

#[test]
fn flow_end_on_failure_fails_with_applicable_outputs() {
    let script = Script::new(&[("GET /pets", 404, json!({}))]);
    let ran = actions("actions.arazzo.yaml", "end-on-failure", &script);
    assert_eq!(script.routes(), ["GET /pets"]);
    match &ran.report.outcome {
        Outcome::Failed {
            step_id,
            reason,
            kind,
        } => {
            assert_eq!(step_id, "find");
            assert_eq!(*kind, StepErrorKind::Criteria);
            assert!(
                reason.ends_with("(ended by failure action `stop`)"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        ran.report.outputs["status"], 404,
        "outputs of a failed step that resolve are kept"
    );
}

#[test]
fn flow_goto_workflow_is_one_way() {
    let script = Script::new(&[
        ("GET /pets", 200, json!({})),
        ("POST /cleanup", 204, json!({})),
    ]);
    let ran = actions("actions.arazzo.yaml", "goto-workflow", &script);
    assert_eq!(script.routes(), ["GET /pets", "POST /cleanup"]);
    assert_eq!(ran.report.outcome, Outcome::Passed);
    assert_eq!(ran.report.workflows[0].workflow_id, "cleanup-only");
}

#[test]
fn flow_workflow_actions_merge_by_name_in_place() {
    // 500: the step's `on-500` (retry once) replaced the workflow's `end`.
    let script = Script::default();
    script.answer("GET /pets", 500, &[], json!({}));
    script.answer("GET /pets", 200, &[], json!({}));
    script.answer("POST /cleanup", 204, &[], json!({}));
    let script = Arc::new(script);
    let ran = actions("merged-actions.arazzo.yaml", "merged", &script);
    assert_eq!(script.routes(), ["GET /pets", "GET /pets", "POST /cleanup"]);
    assert_eq!(ran.report.outcome, Outcome::Passed);
    // 404: the workflow-level `on-404` still applies to the step.
    let script = Script::new(&[
        ("GET /pets", 404, json!({})),
        ("POST /cleanup", 204, json!({})),
    ]);
    let ran = actions("merged-actions.arazzo.yaml", "merged", &script);
    assert_eq!(
        ran.report.steps[0].action.as_deref(),
        Some("goto step `clean` (`on-404`)")
    );
}

#[test]
fn flow_workflow_steps_and_depends_on() {
    let script = Script::new(&[
        ("POST /login", 200, json!({"token": "tok-42"})),
        ("GET /pets/7", 200, json!({"id": 7})),
        ("POST /orders", 201, json!({"id": "order-9"})),
    ]);
    let ran = run(
        "workflow-steps.arazzo.yaml",
        "buy",
        json!({"user": "ann", "petId": 7}),
        &script,
        Limits::default(),
    );
    assert_eq!(ran.report.outcome, Outcome::Passed, "{:#?}", ran.report);
    assert_eq!(
        script.routes(),
        ["POST /login", "GET /pets/7", "POST /orders"]
    );
    let sent = script.sent.lock().unwrap();
    // dependsOn ran `login` with the run's inputs; `$workflows.login.outputs.token` reads it.
    assert_eq!(
        serde_json::from_slice::<Value>(sent[0].body.as_ref().unwrap()).unwrap(),
        json!({"user": "ann"})
    );
    assert!(
        sent[1]
            .headers
            .contains(&("Authorization".to_string(), "Bearer tok-42".to_string()))
    );
    // The workflow step passed `petId` as the callee's input; `$outputs` read its output, and
    // `$statusCode` on the workflow step is the callee's last response.
    assert_eq!(
        serde_json::from_slice::<Value>(sent[2].body.as_ref().unwrap()).unwrap(),
        json!({"petId": 7})
    );
    assert_eq!(ran.report.outputs["orderId"], "order-9");
    assert_eq!(ran.report.workflows[0].workflow_id, "login");
    assert_eq!(
        ran.report.steps[1].workflow.as_ref().unwrap().workflow_id,
        "place"
    );
}

#[test]
fn flow_failed_dependency_stops_the_workflow() {
    let script = Script::new(&[("POST /login", 500, json!({}))]);
    let ran = run(
        "workflow-steps.arazzo.yaml",
        "after-failure",
        json!({}),
        &script,
        Limits::default(),
    );
    assert_eq!(script.routes(), ["POST /login"]);
    assert!(
        matches!(&ran.report.outcome, Outcome::DependencyFailed { workflow_id, .. } if workflow_id == "login")
    );
    assert!(ran.report.steps.is_empty());
}

#[test]
fn flow_a_secret_learnt_late_is_redacted_in_the_earlier_steps_too() {
    let secret = "pa55-w0rd-xyz";
    let script = Script::new(&[
        ("GET /poll", 200, json!({"code": secret})),
        ("POST /login", 200, json!({"token": "t"})),
    ]);
    let ran = run(
        "workflow-steps.arazzo.yaml",
        "late-secret",
        json!({}),
        &script,
        Limits::default(),
    );
    assert!(ran.report.passed(), "{:?}", ran.report.outcome);
    // It was sent (the API needs it) ...
    let sent = script.sent.lock().unwrap();
    assert!(String::from_utf8_lossy(sent[1].body.as_deref().unwrap()).contains(secret));
    // ... but no part of the report shows it, not even `fetch`, which ran before the run
    // knew the value was a secret.
    let report = serde_json::to_string(&ran.report).unwrap();
    assert!(!report.contains(secret), "{report}");
    assert_eq!(ran.report.steps[0].outputs["code"], "***");
    assert_eq!(
        ran.report.steps[0].response.as_ref().unwrap().body,
        Some(json!({"code": "***"}))
    );
}

#[test]
fn flow_workflow_step_with_invalid_callee_inputs_fails_the_step() {
    let script = Script::new(&[]);
    let ran = run(
        "workflow-steps.arazzo.yaml",
        "order-without-pet",
        json!({}),
        &script,
        Limits::default(),
    );
    assert!(script.routes().is_empty());
    let step = &ran.report.steps[0];
    assert_eq!(step.outcome, StepOutcome::Failed);
    let error = step.error.as_ref().unwrap();
    assert_eq!(error.kind, StepErrorKind::Workflow);
    assert!(
        error.message.contains("missing required input `petId`"),
        "{error}"
    );
}

fn run_with_credentials(
    workflow: &str,
    script: &Arc<Script>,
    credentials: &[(&str, &str)],
) -> WorkflowReport {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let plan = Plan::load(spec("flow/auth.arazzo.yaml"), &SourceOptions::default())
            .await
            .unwrap();
        let credentials = credentials
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        let engine = Engine::new(plan, Arc::clone(script)).with_credentials(credentials);
        engine.run(workflow, json!({})).await.unwrap()
    })
}

#[test]
fn flow_credentials_from_security_schemes() {
    let script = Script::new(&[
        ("GET /items", 200, json!({})),
        ("GET /search", 200, json!({})),
        ("GET /me", 200, json!({})),
        ("GET /reports", 200, json!({})),
        (
            "POST /token",
            200,
            json!({"access_token": "oauth-token-1", "token_type": "Bearer"}),
        ),
    ]);
    let credentials = [
        ("API_KEY", "key-123"),
        ("QUERY_KEY", "query-456"),
        ("BASIC", "ann:pa55word"),
        ("MACHINE_CLIENT_ID", "client-7"),
        ("MACHINE_CLIENT_SECRET", "client-secret-8"),
    ];
    let report = run_with_credentials("every-scheme", &script, &credentials);
    assert_eq!(report.outcome, Outcome::Passed, "{report:#?}");
    // The token is fetched once for the two `reports` steps.
    assert_eq!(
        script.routes(),
        [
            "GET /items",
            "GET /search",
            "GET /me",
            "POST /token",
            "GET /reports",
            "GET /reports"
        ]
    );
    let sent = script.sent.lock().unwrap();
    let header = |index: usize, name: &str| {
        sent[index]
            .headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.clone())
    };
    assert_eq!(header(0, "X-API-KEY").as_deref(), Some("key-123"));
    assert_eq!(sent[1].url.query(), Some("key=query-456"));
    // `bearer` has no credential, so the second requirement (basic) is used.
    assert_eq!(
        header(2, "Authorization").as_deref(),
        Some("Basic YW5uOnBhNTV3b3Jk")
    );
    let token_request = String::from_utf8(sent[3].body.clone().unwrap().to_vec()).unwrap();
    assert_eq!(
        token_request,
        "grant_type=client_credentials&client_id=client-7&client_secret=client-secret-8&scope=reports.read"
    );
    assert_eq!(
        header(4, "Authorization").as_deref(),
        Some("Bearer oauth-token-1")
    );
    // No credential appears in the report.
    let text = serde_json::to_string(&report).unwrap();
    for secret in [
        "key-123",
        "query-456",
        "YW5uOnBhNTV3b3Jk",
        "oauth-token-1",
        "client-secret-8",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

#[test]
fn flow_a_step_header_wins_over_the_scheme() {
    let script = Script::new(&[("GET /items", 200, json!({}))]);
    let report = run_with_credentials("own-header", &script, &[("API_KEY", "key-123")]);
    assert_eq!(report.outcome, Outcome::Passed);
    let sent = script.sent.lock().unwrap();
    let keys: Vec<&(String, String)> = sent[0]
        .headers
        .iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case("x-api-key"))
        .collect();
    assert_eq!(
        keys,
        [&("x-api-key".to_string(), "from-the-step".to_string())]
    );
}

fn run_strict(strict: bool, script: &Arc<Script>) -> WorkflowReport {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let plan = Plan::load(spec("flow/actions.arazzo.yaml"), &SourceOptions::default())
            .await
            .unwrap();
        Engine::new(plan, Arc::clone(script))
            .with_strict(strict)
            .run("get-pet", json!({}))
            .await
            .unwrap()
    })
}

#[test]
fn flow_responses_are_checked_against_the_openapi_description() {
    let script = Script::new(&[("GET /pets/7", 200, json!({"id": 7, "name": "Rex"}))]);
    let report = run_strict(true, &script);
    assert_eq!(report.outcome, Outcome::Passed);
    assert!(report.steps[0].warnings.is_empty());

    // A body against the schema: a warning by default, a failure in strict mode.
    let script = Script::new(&[("GET /pets/7", 200, json!({"id": "seven"}))]);
    let report = run_strict(false, &script);
    assert_eq!(report.outcome, Outcome::Passed);
    assert_eq!(report.steps[0].warnings.len(), 1);
    assert!(
        report.steps[0].warnings[0].starts_with("`/id` does not match the schema of `getPet`"),
        "{:?}",
        report.steps[0].warnings
    );
    let report = run_strict(true, &script);
    assert!(
        matches!(&report.outcome, Outcome::Failed { reason, .. } if reason.starts_with("the response does not match the OpenAPI description"))
    );

    // An undeclared status.
    let script = Script::new(&[("GET /pets/7", 503, json!({}))]);
    let report = run_strict(false, &script);
    assert_eq!(
        report.steps[0].warnings,
        ["status 503 is not declared by `getPet` (it declares 200, 404)"]
    );
}

#[test]
fn flow_retry_limit_zero_means_no_retry() {
    let script = Script::new(&[("GET /pets", 500, json!({}))]);
    let ran = actions("actions.arazzo.yaml", "retry-limit-zero", &script);
    assert_eq!(script.routes(), ["GET /pets"]);
    assert_eq!(ran.report.steps[0].action.as_deref(), Some("end (`stop`)"));
}

#[test]
fn flow_cookies_merge_and_arrays_explode() {
    let script = Script::new(&[("GET /pets", 200, json!({}))]);
    actions("actions.arazzo.yaml", "cookies-and-arrays", &script);
    let sent = script.sent.lock().unwrap();
    assert_eq!(sent[0].url.query(), Some("status=available&status=pending"));
    let cookies: Vec<&(String, String)> = sent[0]
        .headers
        .iter()
        .filter(|(name, _)| name == "Cookie")
        .collect();
    assert_eq!(
        cookies,
        [&("Cookie".to_string(), "session=abc; theme=dark".to_string())]
    );
}

#[test]
fn flow_unresolved_expression_fails_the_step_before_sending() {
    let script = Script::new(&[("GET /poll", 200, json!({}))]);
    let ran = actions("actions.arazzo.yaml", "unresolved-expression", &script);
    assert_eq!(script.routes(), ["GET /poll"], "`find` is not sent");
    match &ran.report.outcome {
        Outcome::Error {
            step_id,
            message,
            kind,
        } => {
            assert_eq!(step_id, "find");
            assert_eq!(*kind, StepErrorKind::Request);
            assert_eq!(
                message,
                "parameter `status`: `$steps.poll.outputs.status` did not resolve to a value"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn flow_output_of_a_step_that_has_not_run_is_left_out() {
    let script = Script::new(&[
        ("GET /pets", 200, json!({})),
        ("GET /poll", 200, json!({"state": "done"})),
    ]);
    let ran = actions("actions.arazzo.yaml", "absent-step-output", &script);
    assert_eq!(ran.report.outcome, Outcome::Passed);
    assert_eq!(
        script.sent.lock().unwrap()[0].url.query(),
        None,
        "the parameter is left out"
    );
}

#[test]
fn flow_an_input_not_given_leaves_a_template_out_like_the_bare_expression() {
    let script = Script::new(&[("GET /pets", 200, json!({})), ("GET /pets", 200, json!({}))]);
    let wf = "absent-input-in-a-template";
    let ran = run(
        "actions.arazzo.yaml",
        wf,
        json!({}),
        &script,
        Limits::default(),
    );
    assert_eq!(ran.report.outcome, Outcome::Passed, "{:#?}", ran.report);
    let ran = run(
        "actions.arazzo.yaml",
        wf,
        json!({"tag": "dog"}),
        &script,
        Limits::default(),
    );
    assert_eq!(ran.report.outcome, Outcome::Passed, "{:#?}", ran.report);
    let sent = script.sent.lock().unwrap();
    let tag = |at: usize| {
        sent[at]
            .headers
            .iter()
            .find(|(name, _)| name == "X-Tag")
            .map(|(_, value)| value.clone())
    };
    assert_eq!((sent[0].url.query(), tag(0)), (None, None), "both left out");
    assert_eq!(
        (sent[1].url.query(), tag(1).as_deref()),
        (Some("status=dog"), Some("tag dog"))
    );
}

#[test]
fn flow_an_error_in_a_called_workflow_is_an_error_of_the_caller() {
    let script = Script::new(&[]);
    let ran = actions(
        "actions.arazzo.yaml",
        "calls-a-workflow-with-an-error",
        &script,
    );
    let Outcome::Error {
        step_id,
        kind,
        message,
    } = &ran.report.outcome
    else {
        panic!("{:#?}", ran.report.outcome);
    };
    assert_eq!(
        (step_id.as_str(), *kind),
        ("call", arazzo_exec::StepErrorKind::Request)
    );
    assert!(
        message.starts_with("workflow `callee-with-an-error` stopped at step `find`"),
        "{message}"
    );
    assert!(script.sent.lock().unwrap().is_empty());
}

#[test]
fn flow_workflow_of_another_document_uses_its_sources_and_components() {
    let script = Script::new(&[("GET /pets", 200, json!({"count": 4}))]);
    let ran = actions("cross-document.arazzo.yaml", "count-available", &script);
    assert_eq!(ran.report.outcome, Outcome::Passed, "{:#?}", ran.report);
    let sent = script.sent.lock().unwrap();
    assert_eq!(
        sent[0].url.as_str(),
        "http://api.test/pets?status=available"
    );
    assert_eq!(ran.report.outputs["count"], 4);
}

#[test]
fn flow_a_shared_dependency_runs_once() {
    let script = Script::new(&[
        ("POST /login", 200, json!({"token": "tok-42"})),
        ("GET /pets/7", 200, json!({"id": 7})),
        ("POST /orders", 201, json!({"id": "order-9"})),
    ]);
    let ran = run(
        "workflow-steps.arazzo.yaml",
        "audit",
        json!({"user": "ann", "petId": 7}),
        &script,
        Limits::default(),
    );
    assert_eq!(ran.report.outcome, Outcome::Passed, "{:#?}", ran.report);
    assert_eq!(
        script.routes(),
        ["POST /login", "GET /pets/7", "POST /orders", "GET /pets/7"]
    );
}
