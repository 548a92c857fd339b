//! `arazzo run` over real HTTP (the reqwest executor) against a local server on 127.0.0.1:
//! the Amberflo workflow end to end, and each failure case of the peers' benchmark.

use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::util::{LocalApi, Output, arazzo, arg, spec};

const WORKFLOW: &str = "amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml";
const API_KEY: &str = "bench-key";

/// A local Amberflo API: each endpoint checks `X-API-KEY` and answers like the real one,
/// echoing the request body. The customer id it returns differs from the one sent, so that
/// later steps prove they chain the *response* value.
pub(crate) struct Amberflo {
    // Keeps the server's runtime alive for the test.
    _runtime: tokio::runtime::Runtime,
    pub(crate) server: MockServer,
}

fn echo(extra: Value) -> impl Fn(&Request) -> ResponseTemplate {
    move |request: &Request| {
        let mut body: Value = serde_json::from_slice(&request.body).unwrap_or(json!({}));
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

impl Amberflo {
    pub(crate) fn start(failing_path: Option<&str>) -> Amberflo {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(async {
            let server = MockServer::start().await;
            if let Some(failing) = failing_path {
                Mock::given(path(failing))
                    .respond_with(
                        ResponseTemplate::new(500)
                            .set_body_json(json!({"message": "internal error"})),
                    )
                    .with_priority(1)
                    .mount(&server)
                    .await;
            }
            let routes = [
                ("/meters", json!({"id": "meter-1"})),
                (
                    "/customers",
                    json!({"customerId": "cust-0001-srv", "enabled": true}),
                ),
                (
                    "/payments/pricing/amberflo/customer-pricing",
                    json!({"createdTime": 1}),
                ),
                ("/ingest", json!({"ingested": 1})),
            ];
            for (route, extra) in routes {
                Mock::given(method("POST"))
                    .and(path(route))
                    .and(header("X-API-KEY", API_KEY))
                    .respond_with(echo(extra))
                    .mount(&server)
                    .await;
            }
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(401).set_body_json(
                    json!({"message": "Unauthorized: missing or invalid X-API-KEY"}),
                ))
                .with_priority(10)
                .mount(&server)
                .await;
            server
        });
        Amberflo {
            _runtime: runtime,
            server,
        }
    }

    fn requests(&self) -> Vec<Request> {
        self._runtime
            .block_on(self.server.received_requests())
            .unwrap_or_default()
    }

    fn run(&self, inputs: &Value, extra: &[&str]) -> Output {
        run_against(&self.server.uri(), inputs, extra)
    }
}

pub(crate) fn inputs() -> Value {
    serde_json::from_str(&std::fs::read_to_string(spec("amberflo/inputs.json")).unwrap()).unwrap()
}

pub(crate) fn run_against(uri: &str, inputs: &Value, extra: &[&str]) -> Output {
    let dir = std::env::temp_dir().join(format!(
        "arazzo-run-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let inputs_file = dir.join("inputs.json");
    std::fs::write(&inputs_file, inputs.to_string()).unwrap();
    let metering = format!("meteringApi={uri}");
    let billing = format!("billingApi={uri}");
    let workflow = arg(WORKFLOW);
    let mut args = vec![
        "run",
        &workflow,
        "--inputs",
        inputs_file.to_str().unwrap(),
        "--server",
        &metering,
        "--server",
        &billing,
    ];
    args.extend_from_slice(extra);
    let output = arazzo(&args);
    std::fs::remove_dir_all(&dir).ok();
    output
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

#[test]
fn amberflo_runs_end_to_end_over_http() {
    let api = Amberflo::start(None);
    let output = api.run(&inputs(), &[]);
    assert_eq!(output.code, 0, "{}", output.transcript());

    let requests = api.requests();
    let paths: Vec<&str> = requests.iter().map(|request| request.url.path()).collect();
    assert_eq!(
        paths,
        [
            "/meters",
            "/customers",
            "/payments/pricing/amberflo/customer-pricing",
            "/ingest"
        ]
    );
    for request in &requests {
        assert_eq!(request.method.as_str(), "POST");
        assert_eq!(request.headers.get("x-api-key").unwrap(), API_KEY);
        assert_eq!(
            request.headers.get("content-type").unwrap(),
            "application/json"
        );
    }
    assert_eq!(
        body(&requests[0]),
        json!({"meterApiName": "api-calls", "displayName": "API Calls", "type": "sum_of_all_usage", "dimensions": []})
    );
    assert_eq!(
        body(&requests[1]),
        json!({"customerId": "cust-0001", "customerName": "Acme Corp", "customerEmail": "billing@acme.example", "lifecycleStage": "ACTIVE"})
    );
    // Chained from step 2's *response*, not from the inputs.
    assert_eq!(
        body(&requests[2]),
        json!({"customerId": "cust-0001-srv", "productId": "1"})
    );
    assert_eq!(
        body(&requests[3]),
        json!({"meterApiName": "api-calls", "customerId": "cust-0001-srv", "meterValue": 5, "meterTimeInMillis": 1718153645993u64})
    );

    let outputs: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(outputs["meterApiName"], "api-calls");
    assert_eq!(outputs["customerId"], "cust-0001-srv");
    assert_eq!(outputs["assignedProductId"], "1");
    assert_eq!(outputs["ingestResult"]["ingested"], 1);
    assert!(
        output
            .stderr
            .contains("workflow launch-usage-based-product passed (4 steps"),
        "{}",
        output.stderr
    );
}

#[test]
fn amberflo_json_report_has_every_step_and_no_secret() {
    let api = Amberflo::start(None);
    let output = api.run(&inputs(), &["--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    let report: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["outcome"]["status"], "passed");
    let steps = report["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 4);
    assert_eq!(steps[2]["request"]["body"]["customerId"], "cust-0001-srv");
    assert_eq!(steps[2]["response"]["status"], 200);
    assert_eq!(
        steps[0]["criteria"][0],
        json!({"condition": "$statusCode == 200", "passed": true})
    );
    assert!(
        !output.stdout.contains(API_KEY),
        "the API key leaked: {}",
        output.stdout
    );
}

#[test]
fn failure_http500_on_step_3_exits_1_with_the_cause() {
    let api = Amberflo::start(Some("/payments/pricing/amberflo/customer-pricing"));
    let output = api.run(&inputs(), &[]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    assert!(
        output.stderr.contains("FAIL assignPlan"),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("failed criterion: `$statusCode == 200` is false (`$statusCode` = `500`)"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("internal error"),
        "the body excerpt: {}",
        output.stderr
    );
    assert_eq!(api.requests().len(), 3, "step 4 is not sent");
}

#[test]
fn failure_http500_on_step_4_exits_1() {
    let api = Amberflo::start(Some("/ingest"));
    let output = api.run(&inputs(), &[]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    assert!(
        output
            .stderr
            .contains("workflow launch-usage-based-product failed at step ingestFirstUsage"),
        "{}",
        output.stderr
    );
}

#[test]
fn failure_wrong_key_exits_1_at_step_1_and_never_prints_the_key() {
    let api = Amberflo::start(None);
    let mut inputs = inputs();
    inputs["apiKey"] = json!("not-a-valid-key");
    let output = api.run(&inputs, &["-v", "--format", "human"]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    assert!(
        output.stderr.contains("FAIL createMeter"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("401"), "{}", output.stderr);
    assert!(
        !output.stderr.contains("not-a-valid-key") && !output.stdout.contains("not-a-valid-key")
    );
}

#[test]
fn failure_missing_required_input_sends_nothing() {
    let api = Amberflo::start(None);
    let mut inputs = inputs();
    inputs.as_object_mut().unwrap().remove("productId");
    let output = api.run(&inputs, &[]);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        output.stderr.contains("missing required input `productId`"),
        "{}",
        output.stderr
    );
    assert!(api.requests().is_empty());
}

#[test]
fn failure_missing_optional_input_leaves_the_property_out() {
    let api = Amberflo::start(None);
    let mut inputs = inputs();
    inputs.as_object_mut().unwrap().remove("customerEmail");
    let output = api.run(&inputs, &[]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    let customer = body(&api.requests()[1]);
    assert_eq!(
        customer,
        json!({"customerId": "cust-0001", "customerName": "Acme Corp", "lifecycleStage": "ACTIVE"})
    );
}

#[test]
fn failure_wrong_input_type_sends_nothing() {
    let api = Amberflo::start(None);
    let mut inputs = inputs();
    inputs["meterValue"] = json!("five");
    let output = api.run(&inputs, &[]);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        output
            .stderr
            .contains("input `meterValue` must be of type `number`, got a string"),
        "{}",
        output.stderr
    );
    assert!(api.requests().is_empty());
}

#[test]
fn failure_malformed_yaml_exits_3_with_one_line() {
    let output = arazzo(&[
        "run",
        &arg("amberflo/fixtures/malformed-workflow.yml"),
        "--inputs",
        &arg("amberflo/inputs.json"),
    ]);
    assert_eq!(output.code, 3);
    assert_eq!(output.stderr.lines().count(), 1, "{}", output.stderr);
    assert!(
        output
            .stderr
            .contains("malformed-workflow.yml:37:16: unclosed `{`"),
        "{}",
        output.stderr
    );
}

#[test]
fn failure_nothing_listening_exits_4_with_the_cause() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let output = run_against(&format!("http://127.0.0.1:{port}"), &inputs(), &[]);
    assert_eq!(output.code, 4, "{}", output.transcript());
    assert!(
        output
            .stderr
            .contains(&format!("connection refused to 127.0.0.1:{port}")),
        "{}",
        output.stderr
    );
    // The JSON report says what kind of error it was, for a program to act on.
    let output = run_against(
        &format!("http://127.0.0.1:{port}"),
        &inputs(),
        &["--format", "json"],
    );
    assert_eq!(output.code, 4, "{}", output.transcript());
    let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["outcome"]["kind"], "connect");
    assert_eq!(report["steps"][0]["error_kind"], "connect");
    let message = report["steps"][0]["error"].as_str().unwrap();
    assert!(message.contains("connection refused"), "{message}");
}

#[test]
fn input_flags_are_typed_by_the_schema() {
    let api = Amberflo::start(None);
    let output = api.run(
        &inputs(),
        &["--input", "meterValue=7", "--input", "customerId=cust-9"],
    );
    assert_eq!(output.code, 0, "{}", output.transcript());
    let requests = api.requests();
    assert_eq!(body(&requests[1])["customerId"], "cust-9");
    assert_eq!(body(&requests[3])["meterValue"], 7);
}

#[test]
fn junit_report_has_a_suite_per_workflow_and_a_case_per_step() {
    let api = Amberflo::start(Some("/payments/pricing/amberflo/customer-pricing"));
    let output = api.run(&inputs(), &["--format", "junit"]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    let xml = &output.stdout;
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains(r#"<testsuite name="launch-usage-based-product" tests="4" skipped="1" errors="0" failures="1""#), "{xml}");
    assert!(
        xml.contains(
            r#"<testcase name="createMeter" classname="launch-usage-based-product.createMeter""#
        ),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<failure message="`$statusCode == 200` is false (`$statusCode` = `500`)""#),
        "{xml}"
    );
    assert!(!xml.contains(API_KEY));
}

#[test]
fn redirects_are_not_followed() {
    let api = LocalApi::start(vec![
        Mock::given(method("POST"))
            .and(path("/login"))
            .respond_with(
                ResponseTemplate::new(302)
                    .insert_header("Location", "https://app.example/callback?code=42"),
            ),
    ]);
    let server_arg = format!("api={}", api.server.uri());
    let output = arazzo(&[
        "run",
        &arg("flow/redirect.arazzo.yaml"),
        "--server",
        &server_arg,
    ]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    let outputs: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(outputs["location"], "https://app.example/callback?code=42");
    assert_eq!(api.received().len(), 1);
}

/// A workflow that sends its two inputs as query parameters, in a temporary folder.
fn inputs_echo(dir: &std::path::Path) -> String {
    crate::limits::generated(
        dir,
        "  - workflowId: echo\n    inputs: {type: object, properties: {text: {type: string}, n: {type: integer}}}\n    steps:\n      - stepId: ping\n        operationId: ping\n        parameters:\n          - {name: q, in: query, value: $inputs.text}\n          - {name: n, in: query, value: $inputs.n}\n",
    )
}

fn sent_url(output: &Output) -> String {
    let report: Value = serde_json::from_str(&output.stdout).expect(&output.stderr);
    report["steps"][0]["request"]["url"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn inputs_json_file_is_parsed_as_json_and_minus_zero_stays_an_integer() {
    let dir = crate::util::temp_dir("inputs-json");
    let file = inputs_echo(dir.path());
    let inputs = dir.path().join("inputs.json");
    // A surrogate pair (an emoji), which a YAML parser refuses in a JSON file.
    std::fs::write(&inputs, r#"{"text": "\ud83d\ude00", "n": -0}"#).unwrap();
    let inputs = inputs.display().to_string();
    let output = arazzo(&[
        "run", &file, "--inputs", &inputs, "--mock", "--format", "json",
    ]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    assert!(
        sent_url(&output).ends_with("/ping?q=%F0%9F%98%80&n=0"),
        "{}",
        sent_url(&output)
    );

    let output = arazzo(&[
        "run", &file, "--input", "n=-0", "--input", "text=a", "--mock", "--format", "json",
    ]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    assert!(
        sent_url(&output).ends_with("/ping?q=a&n=0"),
        "{}",
        sent_url(&output)
    );

    // A broken JSON file is named with its line and column.
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"n\": 1,\n  oops}").unwrap();
    let broken = broken.display().to_string();
    let output = arazzo(&["run", &file, "--inputs", &broken, "--mock"]);
    assert_eq!(output.code, 2, "{}", output.transcript());
    assert!(
        output
            .stderr
            .contains("broken.json:2:3: key must be a string"),
        "{}",
        output.stderr
    );
}

#[test]
fn invalid_json_served_as_json_is_named_not_a_schema_mismatch() {
    let api = LocalApi::start(vec![
        Mock::given(method("GET")).and(path("/ping")).respond_with(
            ResponseTemplate::new(200).set_body_raw("{\"ok\": tru", "application/json"),
        ),
    ]);
    let server_arg = format!("api={}", api.server.uri());
    let output = arazzo(&[
        "run",
        &arg("limits/limits.arazzo.yaml"),
        "--workflow",
        "ping-once",
        "--server",
        &server_arg,
        "--format",
        "json",
    ]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    let report: Value = serde_json::from_str(&output.stdout).unwrap();
    let warnings = report["steps"][0]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = warnings[0].as_str().unwrap();
    assert!(
        warning.starts_with(
            "the response body is not valid JSON, though its content type is `application/json`"
        ),
        "{warning}"
    );
}

#[test]
fn a_mistyped_input_name_is_refused_with_a_did_you_mean() {
    let workflow = arg(WORKFLOW);
    let inputs = arg("amberflo/inputs.json");
    let output = arazzo(&[
        "run",
        &workflow,
        "--inputs",
        &inputs,
        "--input",
        "customerid=cust-9",
        "--mock",
    ]);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        output
            .stderr
            .contains("unknown input `customerid`: did you mean `customerId`?"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("nothing was sent"),
        "{}",
        output.stderr
    );

    // In an inputs file, and in a CSV header of the load mode.
    let dir = crate::util::temp_dir("unknown-input");
    let file = dir.path().join("inputs.yaml");
    let mut given: Value =
        serde_json::from_str(&std::fs::read_to_string(spec("amberflo/inputs.json")).unwrap())
            .unwrap();
    given["zzz"] = json!(1);
    std::fs::write(&file, yaml_serde::to_string(&given).unwrap()).unwrap();
    let file = file.display().to_string();
    let output = arazzo(&["run", &workflow, "--inputs", &file, "--mock"]);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        output
            .stderr
            .contains("unknown input `zzz`: the workflows take apiKey, "),
        "{}",
        output.stderr
    );
    // From the environment too.
    let env = [("ARAZZO_INPUT_meterValu".to_string(), "5".to_string())];
    let output =
        crate::util::arazzo_with_env(&["run", &workflow, "--inputs", &inputs, "--mock"], env);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        output
            .stderr
            .contains("unknown input `meterValu`: did you mean `meterValue`?"),
        "{}",
        output.stderr
    );
    let csv = dir.path().join("runs.csv");
    std::fs::write(&csv, "customerID\ncust-1\n").unwrap();
    let csv = csv.display().to_string();
    let output = arazzo(&[
        "run",
        &workflow,
        "--inputs",
        &inputs,
        "--inputs-csv",
        &csv,
        "--mock",
    ]);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        output
            .stderr
            .contains("unknown input `customerID`: did you mean `customerId`?"),
        "{}",
        output.stderr
    );
}

#[test]
fn junit_lists_the_steps_that_did_not_run_as_skipped() {
    let workflow = arg(WORKFLOW);
    let inputs = arg("amberflo/inputs.json");
    let output = arazzo(&[
        "run",
        &workflow,
        "--inputs",
        &inputs,
        "--mock",
        "--fail",
        "/customers=500",
        "--format",
        "junit",
    ]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    let xml = &output.stdout;
    assert!(xml.contains(r#"tests="4""#), "{xml}");
    assert!(xml.contains(r#"skipped="2""#), "{xml}");
    for step in ["assignPlan", "ingestFirstUsage"] {
        let case = xml
            .split("<testcase ")
            .find(|case| case.starts_with(&format!(r#"name="{step}""#)))
            .unwrap_or_else(|| panic!("no test case for {step}: {xml}"));
        assert!(
            case.contains(
                "<skipped message=\"not run: the workflow stopped at step `createCustomer`\""
            ),
            "{case}"
        );
    }
}

#[test]
fn an_unwritable_output_or_cassette_path_is_refused_before_anything_is_sent() {
    let api = Amberflo::start(None);
    let dir = crate::util::temp_dir("unwritable");
    let missing = dir.path().join("no/such/folder/report.json");
    let missing = missing.display().to_string();
    let folder = dir.path().display().to_string();
    for flags in [
        ["--output", missing.as_str()],
        ["--record", folder.as_str()],
    ] {
        let output = api.run(&inputs(), &flags);
        assert_eq!(output.code, 2, "{}", output.transcript());
        assert!(output.stderr.contains("cannot write"), "{}", output.stderr);
    }
    assert_eq!(api.requests().len(), 0);
}

#[test]
fn form_payloads_given_as_text_or_object_take_replacements_by_field() {
    let api = LocalApi::start(vec![
        Mock::given(method("POST"))
            .and(path("/form"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true}))),
    ]);
    let dir = crate::util::temp_dir("form-replacements");
    std::fs::write(
        dir.path().join("api.openapi.yaml"),
        "openapi: 3.1.0\ninfo: {title: forms, version: '1'}\nservers: [{url: 'http://api.test'}]\npaths:\n  /form:\n    post:\n      operationId: send\n      requestBody:\n        content:\n          application/x-www-form-urlencoded:\n            schema: {type: object}\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {type: object}}}}\n",
    )
    .unwrap();
    let document = dir.path().join("forms.arazzo.yaml");
    std::fs::write(
        &document,
        "arazzo: 1.0.1\ninfo: {title: forms, version: '1'}\nsourceDescriptions:\n  - {name: api, url: ./api.openapi.yaml, type: openapi}\nworkflows:\n  - workflowId: forms\n    inputs: {type: object, properties: {name: {type: string}}}\n    steps:\n      - stepId: text\n        operationId: send\n        requestBody:\n          contentType: application/x-www-form-urlencoded\n          payload: 'grant=code&name=old&note=x%20y'\n          replacements:\n            - {target: /name, value: $inputs.name}\n            - {target: scope, value: read write}\n      - stepId: object\n        operationId: send\n        requestBody:\n          payload: {name: old, n: 1}\n          replacements:\n            - {target: /name, value: $inputs.name}\n            - {target: n, value: 2}\n",
    )
    .unwrap();
    let document = document.display().to_string();
    let server = format!("api={}", api.server.uri());
    let run = |format: &str| {
        arazzo(&[
            "run",
            &document,
            "--server",
            &server,
            "--input",
            "name=Ada & Grace",
            "--format",
            format,
            "-v",
        ])
    };

    let output = run("json");
    assert_eq!(output.code, 0, "{}", output.transcript());
    let text = "grant=code&name=Ada+%26+Grace&note=x%20y&scope=read+write";
    let object = "name=Ada+%26+Grace&n=2";
    let received: Vec<String> = api
        .received()
        .iter()
        .map(|request| String::from_utf8(request.body.clone()).unwrap())
        .collect();
    assert_eq!(received, [text, object]);
    let report: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["steps"][0]["request"]["body"], text);
    assert_eq!(report["steps"][1]["request"]["body"], object);

    let output = run("human");
    assert_eq!(output.code, 0, "{}", output.transcript());
    for sent in [text, object] {
        assert!(
            output.stderr.contains(&format!("> {sent}\n")),
            "{}",
            output.stderr
        );
    }
}

#[test]
fn an_undeclared_content_type_is_a_warning_on_a_success_even_a_problem() {
    for content_type in ["text/html", "application/problem+json"] {
        let api = LocalApi::start(vec![
            Mock::given(method("GET")).and(path("/ping")).respond_with(
                ResponseTemplate::new(200).set_body_raw("{\"ok\": true}", content_type),
            ),
        ]);
        let server_arg = format!("api={}", api.server.uri());
        let output = arazzo(&[
            "run",
            &arg("limits/limits.arazzo.yaml"),
            "--workflow",
            "ping-once",
            "--server",
            &server_arg,
            "--format",
            "json",
        ]);
        assert_eq!(output.code, 0, "{}", output.transcript());
        let report: Value = serde_json::from_str(&output.stdout).unwrap();
        assert_eq!(
            report["steps"][0]["warnings"],
            json!([format!(
                "content type `{content_type}` is not declared for status 200 of `ping` (application/json)"
            )])
        );
    }
}
