//! The built-in mock (`arazzo-mock`, `arazzo mock`, `arazzo run --mock`): every official
//! example's OpenAPI description is served, requests are checked like a real API would, faults
//! are injected, and the Amberflo workflow runs against it with nothing left behind.

use std::time::{Duration, Instant};

use arazzo_mock::{Fault, MockOptions, MockServer, example_for};
use arazzo_sources::{OpenApi, SourceOptions};
use serde_json::{Value, json};

use crate::util::{Output, arazzo, arg, spec};

const WORKFLOW: &str = "amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml";
const BILLING: &str = "amberflo/openapi/amberflo-billing-openapi.yaml";
const PETS: &str = "mock/pets.openapi.yaml";

/// A mock of some descriptions on its own runtime, with a blocking client.
struct Served {
    runtime: tokio::runtime::Runtime,
    apis: Vec<OpenApi>,
    server: Option<MockServer>,
    client: reqwest::Client,
}

/// One answer.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|err| panic!("{err}: {}", self.text))
    }
}

impl Served {
    fn start(files: &[&str], options: MockOptions) -> Served {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let apis: Vec<OpenApi> = files
            .iter()
            .map(|file| {
                let path = arg(file);
                runtime
                    .block_on(OpenApi::read(&path, &SourceOptions::default()))
                    .unwrap()
            })
            .collect();
        let server = runtime.block_on(MockServer::start(&apis, options)).unwrap();
        Served {
            runtime,
            apis,
            server: Some(server),
            // A 302 is an answer to check, not to follow (bnpl's `GET /auth`).
            client: {
                arazzo_sources::install_tls_provider();
                reqwest::Client::builder()
            }
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        }
    }

    fn server(&self) -> &MockServer {
        self.server.as_ref().unwrap()
    }

    fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        self.runtime.block_on(async {
            let response = tokio::time::timeout(Duration::from_secs(10), request.send())
                .await
                .expect("the mock answers within 10 s")
                .unwrap();
            Answer {
                status: response.status().as_u16(),
                headers: response.headers().clone(),
                text: response.text().await.unwrap(),
            }
        })
    }

    fn request(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        let url = self
            .server()
            .url()
            .join(path.trim_start_matches('/'))
            .unwrap();
        self.client
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url)
    }

    fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.request("GET", path);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.send(request)
    }

    fn post_json(&self, path: &str, headers: &[(&str, &str)], body: &Value) -> Answer {
        let mut request = self
            .request("POST", path)
            .header("content-type", "application/json")
            .body(body.to_string());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request)
    }

    fn stop(mut self) -> u16 {
        let server = self.server.take().unwrap();
        let port = server.port();
        self.runtime.block_on(server.stop());
        port
    }
}

/// What a documented response's media type gives as its example, as the mock chooses it.
fn documented_example(media: &Value) -> Option<Value> {
    if let Some(example) = media.get("example") {
        return Some(example.clone());
    }
    let examples = media.get("examples").and_then(Value::as_object);
    if let Some(value) =
        examples.and_then(|examples| examples.values().find_map(|x| x.get("value")))
    {
        return Some(value.clone());
    }
    media.get("schema").map(example_for)
}

/// A valid request for `operation`: generated parameters, the credentials of its first
/// security requirement, the example (or a generated) body.
fn valid_request(
    served: &Served,
    api: &OpenApi,
    operation: &arazzo_sources::Operation,
) -> reqwest::RequestBuilder {
    let text = |value: Value| match value {
        Value::String(text) => text,
        Value::Null => "x".to_string(),
        other => other.to_string(),
    };
    let mut path = operation.path.clone();
    let mut query = Vec::new();
    let mut headers = Vec::new();
    for parameter in &operation.parameters {
        let schema = parameter
            .schema
            .as_ref()
            .map(|schema| api.resolve_refs(schema))
            .unwrap_or(json!({}));
        let value = match &parameter.content_type {
            Some(_) => example_for(&schema).to_string(),
            None => text(example_for(&schema)),
        };
        match parameter.location {
            arazzo_model::ParameterIn::Path => {
                path = path.replace(&format!("{{{}}}", parameter.name), &value);
            }
            arazzo_model::ParameterIn::Query if parameter.required => {
                query.push((parameter.name.clone(), value));
            }
            arazzo_model::ParameterIn::Header
                if parameter.required
                    && !["accept", "content-type", "authorization"]
                        .contains(&parameter.name.to_ascii_lowercase().as_str()) =>
            {
                headers.push((parameter.name.clone(), value));
            }
            _ => {}
        }
    }
    let definition = api.resolve_refs(&operation.definition);
    let document = api.resolve_refs(api.document());
    let security = definition
        .get("security")
        .or_else(|| document.get("security"))
        .and_then(Value::as_array)
        .and_then(|requirements| requirements.first())
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for scheme in security.keys() {
        let scheme = &document["components"]["securitySchemes"][scheme];
        match (scheme["type"].as_str(), scheme["in"].as_str()) {
            (Some("apiKey"), Some("header")) => {
                headers.push((scheme["name"].as_str().unwrap().to_string(), "k".into()));
            }
            (Some("apiKey"), Some("query")) => {
                query.push((scheme["name"].as_str().unwrap().to_string(), "k".into()));
            }
            (Some("http"), _) if scheme["scheme"] == "basic" => {
                headers.push(("Authorization".into(), "Basic dTpw".into()));
            }
            _ => headers.push(("Authorization".into(), "Bearer t".into())),
        }
    }
    if !query.is_empty() {
        path = format!("{path}?{}", url_encoded(&query));
    }
    let mut request = served.request(operation.method.as_str(), &path);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    if let Some(content) = definition["requestBody"]["content"].as_object()
        && let Some((media_type, media)) = content.iter().next()
    {
        let body = documented_example(media).unwrap_or(json!({}));
        let body = match media_type.as_str() {
            "application/x-www-form-urlencoded" => {
                let pairs: Vec<(String, String)> = body
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, value)| (name.clone(), text(value.clone())))
                    .collect();
                let mut form = url_encoded(&pairs);
                if form.is_empty() {
                    form = "x=y".to_string();
                }
                form
            }
            _ => body.to_string(),
        };
        request = request.header("content-type", media_type).body(body);
    }
    request
}

fn url_encoded(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| {
            let escape = |text: &str| {
                text.bytes()
                    .map(|byte| match byte {
                        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                            (byte as char).to_string()
                        }
                        other => format!("%{other:02X}"),
                    })
                    .collect::<String>()
            };
            format!("{}={}", escape(name), escape(value))
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn every_official_example_description_is_served() {
    let dir = spec("upstream/examples/1.0.0");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("openapi") && name.ends_with(".yaml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 4, "{files:?}");
    let mut checked = 0;
    for file in &files {
        let relative = format!("upstream/examples/1.0.0/{file}");
        let options = MockOptions {
            echo: false,
            ..MockOptions::default()
        };
        let served = Served::start(&[&relative], options);
        assert!(
            served.server().warnings().is_empty(),
            "{file}: {:?}",
            served.server().warnings()
        );
        let api = &served.apis[0];
        for (operation, route) in api.operations().iter().zip(served.server().routes()) {
            let at = format!("{file}: {} {}", operation.method, operation.path);
            let answer = served.send(valid_request(&served, api, operation));
            assert_eq!(answer.status, route.status, "{at}: {}", answer.text);
            let definition = api.resolve_refs(&operation.definition);
            let response = &definition["responses"][route.status.to_string()];
            let Some((_, media)) = response["content"]
                .as_object()
                .and_then(|content| content.iter().next())
            else {
                assert_eq!(answer.text, "", "{at}");
                checked += 1;
                continue;
            };
            let body = answer.json();
            if let Some(example) = documented_example(media) {
                assert_eq!(body, example, "{at}");
            }
            if let Some(schema) = media.get("schema") {
                let validator = jsonschema::draft202012::new(schema).unwrap();
                // FAPI-PAR's token response is a `oneOf` of two schemas that overlap (neither
                // closes its properties): no value is valid under exactly one of them.
                let problems: Vec<String> = validator
                    .iter_errors(&body)
                    .filter(|err| {
                        !matches!(
                            err.kind(),
                            jsonschema::error::ValidationErrorKind::OneOfMultipleValid { .. }
                        )
                    })
                    .map(|err| err.to_string())
                    .collect();
                assert!(problems.is_empty(), "{at}: {problems:?} in {body}");
            }
            checked += 1;
        }
        served.stop();
    }
    assert!(checked >= 20, "{checked} operations checked");
}

#[test]
fn missing_required_body_field_is_400_naming_it() {
    let served = Served::start(&[BILLING], MockOptions::default());
    let answer = served.post_json(
        "/customers",
        &[("X-API-KEY", "k")],
        &json!({"customerId": "c-1", "lifecycleStage": "GONE"}),
    );
    assert_eq!(answer.status, 400, "{}", answer.text);
    assert_eq!(answer.headers["content-type"], "application/problem+json");
    let problem = answer.json();
    assert_eq!(problem["status"], 400);
    assert_eq!(problem["title"], "Bad Request");
    assert_eq!(
        problem["errors"][0],
        json!({
            "in": "body",
            "name": "customerName",
            "message": "missing required field `customerName` in the request body"
        })
    );
    assert_eq!(problem["errors"][1]["name"], "lifecycleStage");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("missing required field `customerName` in the request body; "),
        "{problem}"
    );

    let answer = served.post_json("/customers", &[("X-API-KEY", "k")], &json!([1]));
    assert_eq!(
        answer.json()["detail"],
        "the request body must be of type `object`, got an array"
    );
    let answer = served.send(
        served
            .request("POST", "/customers")
            .header("X-API-KEY", "k")
            .header("content-type", "application/json")
            .body("{"),
    );
    assert_eq!(answer.status, 400);
    assert!(
        answer.json()["detail"]
            .as_str()
            .unwrap()
            .starts_with("request body is not valid JSON: "),
        "{}",
        answer.text
    );
    let answer = served.send(
        served
            .request("POST", "/customers")
            .header("X-API-KEY", "k")
            .header("content-type", "text/plain")
            .body("hello"),
    );
    assert_eq!(answer.status, 415, "{}", answer.text);
}

#[test]
fn a_record_missing_a_field_in_a_one_of_body_is_named() {
    let served = Served::start(
        &["amberflo/openapi/amberflo-metering-openapi.yaml"],
        MockOptions::default(),
    );
    let answer = served.post_json(
        "/ingest",
        &[("X-API-KEY", "k")],
        &json!({"meterApiName": "api-calls", "meterTimeInMillis": 1}),
    );
    assert_eq!(answer.status, 400, "{}", answer.text);
    assert_eq!(
        answer.json()["detail"],
        "missing required field `customerId` in the request body"
    );
}

#[test]
fn missing_api_key_is_401() {
    let served = Served::start(&[BILLING], MockOptions::default());
    let body = json!({"customerId": "c-1", "customerName": "Acme"});
    let answer = served.post_json("/customers", &[], &body);
    assert_eq!(answer.status, 401, "{}", answer.text);
    assert_eq!(
        answer.json()["detail"],
        "missing header `X-API-KEY` (security scheme `ApiKeyAuth`)"
    );
    // Any non-empty key is accepted; an empty one is not.
    let answer = served.post_json("/customers", &[("X-API-KEY", " ")], &body);
    assert_eq!(answer.status, 401);
    let answer = served.post_json("/customers", &[("x-api-key", "anything")], &body);
    assert_eq!(answer.status, 200, "{}", answer.text);
    // Echo: what was sent comes back; the rest is the example.
    let customer = answer.json();
    assert_eq!(customer["customerId"], "c-1");
    assert_eq!(customer["customerName"], "Acme");
    assert_eq!(customer["createTime"], 1718153645993u64);
}

#[test]
fn path_templates_parameters_and_examples() {
    let served = Served::start(&[PETS], MockOptions::default());

    // The concrete path wins over `/pets/{id}`, and needs no credentials.
    let mine = served.get("/pets/mine", None);
    assert_eq!((mine.status, mine.text.as_str()), (200, "no pets yet"));
    assert_eq!(mine.headers["content-type"], "text/plain");

    // A templated path; the path parameter is echoed, typed by the response schema.
    let pet = served.get("/pets/7", Some("token"));
    assert_eq!(pet.status, 200, "{}", pet.text);
    assert_eq!(
        pet.json(),
        json!({"id": 7, "name": "Rex", "status": "available"})
    );
    let pet = served.get("/pets/seven", Some("token"));
    assert_eq!(pet.status, 400);
    assert_eq!(
        pet.json()["detail"],
        "path parameter `id` must be of type `integer`, got `seven`"
    );

    // Bearer security, with a challenge.
    let denied = served.get("/pets/7", None);
    assert_eq!(denied.status, 401);
    assert_eq!(
        denied.headers["www-authenticate"],
        "Bearer realm=\"arazzo-mock\""
    );
    assert_eq!(
        denied.json()["detail"],
        "missing `Authorization: Bearer …` header (security scheme `bearer`)"
    );

    // The server's base path may prefix the path; the example marked default is answered,
    // with the documented header.
    let list = served.get("/v1/pets?status=sold&limit=2", Some("token"));
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(
        list.json(),
        json!([{"id": 1, "name": "Rex"}, {"id": 2, "name": "Tom"}])
    );
    assert_eq!(list.headers["x-total"], "2");
    let list = served.get("/pets?limit=many", Some("token"));
    assert_eq!(list.status, 400);
    let problem = list.json();
    assert_eq!(
        problem["errors"][0]["message"],
        "missing required query parameter `status`"
    );
    assert_eq!(
        problem["errors"][1]["message"],
        "query parameter `limit` must be of type `integer`, got `many`"
    );

    // No example: generated from the schema, with the fields sent; 201 as documented.
    let created = served.post_json(
        "/pets",
        &[("Authorization", "Bearer token")],
        &json!({"id": 3, "name": "Tom"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.json(),
        json!({"id": 3, "name": "Tom", "status": "available", "tags": ["string"]})
    );

    let deleted = served.send(served.request("DELETE", "/pets/1"));
    assert_eq!((deleted.status, deleted.text.as_str()), (204, ""));
    let wrong = served.send(served.request("PUT", "/pets"));
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.headers["allow"], "GET, POST");
    let unknown = served.get("/owners", None);
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.json()["detail"],
        "no operation has the path `/owners`"
    );
}

#[test]
fn echo_can_be_turned_off() {
    let options = MockOptions {
        echo: false,
        ..MockOptions::default()
    };
    let served = Served::start(&[BILLING], options);
    let answer = served.post_json(
        "/customers",
        &[("X-API-KEY", "k")],
        &json!({"customerId": "c-1", "customerName": "Acme"}),
    );
    assert_eq!(
        answer.json()["customerId"],
        "54a43bba-915d-4512-a0bd-9d9debe2eb3a"
    );
}

#[test]
fn faults_and_delay() {
    let options = MockOptions {
        faults: vec!["/customers=503".parse::<Fault>().unwrap()],
        delay: Duration::from_millis(150),
        ..MockOptions::default()
    };
    let served = Served::start(&[BILLING], options);
    let started = Instant::now();
    let body = json!({"customerId": "c-1", "customerName": "Acme"});
    let answer = served.post_json("/customers", &[("X-API-KEY", "k")], &body);
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(answer.status, 503, "{}", answer.text);
    assert_eq!(
        answer.json()["detail"],
        "injected fault: `/customers` answers 503"
    );
    // Credentials are checked first.
    assert_eq!(served.post_json("/customers", &[], &body).status, 401);
    let answer = served.post_json(
        "/payments/pricing/amberflo/customer-pricing",
        &[("X-API-KEY", "k")],
        &json!({"customerId": "c-1"}),
    );
    assert_eq!(answer.status, 200);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let options = MockOptions {
        faults: vec!["/nowhere=500".parse::<Fault>().unwrap()],
        ..MockOptions::default()
    };
    let err = runtime
        .block_on(MockServer::start(&served.apis, options))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "fault `/nowhere=500`: no operation has the path `/nowhere`"
    );
    // Two faults for one path: the second would be ignored, so neither is taken.
    let options = MockOptions {
        faults: vec![
            "/customers=500".parse::<Fault>().unwrap(),
            "/customers=503".parse::<Fault>().unwrap(),
        ],
        ..MockOptions::default()
    };
    let err = runtime
        .block_on(MockServer::start(&served.apis, options))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "fault `/customers=503`: `/customers=500` already gives `/customers` a status"
    );
}

#[test]
fn stop_releases_the_port() {
    let served = Served::start(&[BILLING], MockOptions::default());
    let port = served.stop();
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free again");
}

/// The port of the mock a `--mock -v` run used, from its first line.
fn mock_port(output: &Output) -> u16 {
    let at = output
        .stderr
        .find("http://127.0.0.1:")
        .expect("a step line")
        + 17;
    let digits: String = output.stderr[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap()
}

#[test]
fn amberflo_runs_against_the_mock() {
    let workflow = arg(WORKFLOW);
    let inputs = arg("amberflo/inputs.json");
    let output = arazzo(&["run", &workflow, "--inputs", &inputs, "--mock", "-v"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    // The report keeps the OpenAPI URLs; the mock answered them.
    assert!(
        output
            .stderr
            .contains("POST https://app.amberflo.io/meters  200"),
        "{}",
        output.stderr
    );
    let outputs: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(outputs["meterApiName"], "api-calls");
    assert_eq!(outputs["customerId"], "cust-0001");
    assert_eq!(outputs["assignedProductId"], "1");
    let ingested = &outputs["ingestResult"];
    assert_eq!(ingested["ingestedCount"], 1);
    assert_eq!(ingested["records"][0]["customerId"], "cust-0001");
    assert_eq!(ingested["records"][0]["meterValue"], 5);
    assert!(
        output
            .stderr
            .contains("workflow launch-usage-based-product passed (4 steps"),
        "{}",
        output.stderr
    );
    // The mock stopped with the run: its port is free again.
    let port = mock_port(&output);
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the mock's port is released");
}

#[test]
fn run_mock_failure_cases_from_the_command_line() {
    let workflow = arg(WORKFLOW);
    let inputs = arg("amberflo/inputs.json");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            workflow.as_str(),
            "--inputs",
            inputs.as_str(),
            "--mock",
        ];
        args.extend_from_slice(extra);
        arazzo(&args)
    };

    let output = run(&["--fail", "/payments/pricing/amberflo/customer-pricing=500"]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    assert!(
        output.stderr.contains("FAIL assignPlan"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("injected fault"),
        "{}",
        output.stderr
    );
    assert!(
        !output.stderr.contains("ingestFirstUsage"),
        "{}",
        output.stderr
    );

    let output = run(&["--input", "apiKey=", "--format", "json"]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    let report: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["steps"][0]["response"]["status"], 401);

    let started = Instant::now();
    let output = run(&["--delay-ms", "50"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    assert!(started.elapsed() >= Duration::from_millis(200));

    let output = run(&["--fail", "/nowhere=500"]);
    assert_eq!(output.code, 2, "{}", output.transcript());
    assert!(
        output
            .stderr
            .contains("fault `/nowhere=500`: no operation has the path `/nowhere`"),
        "{}",
        output.stderr
    );

    let output = arazzo(&[
        "run",
        &workflow,
        "--inputs",
        &inputs,
        "--fail",
        "/ingest=500",
    ]);
    assert_eq!(
        output.code,
        2,
        "--fail needs --mock: {}",
        output.transcript()
    );
}

#[test]
fn mock_command_refuses_what_it_cannot_serve() {
    let output = arazzo(&["mock", &arg("amberflo/inputs.json")]);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        output
            .stderr
            .contains("neither an OpenAPI, an AsyncAPI nor an Arazzo document"),
        "{}",
        output.stderr
    );
    let output = arazzo(&["mock", &arg(BILLING), "--fail", "customers"]);
    assert_eq!(output.code, 2, "{}", output.transcript());
    assert!(
        output.stderr.contains("expected PATH=STATUS"),
        "{}",
        output.stderr
    );
}

/// An OpenAPI description of one `GET path` answering `{"id": 1}`, with these `servers`.
fn one_get(operation_id: &str, path: &str, servers: &str) -> wiremock::ResponseTemplate {
    let text = format!(
        "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\n{servers}paths:\n  {path}:\n    get:\n      operationId: {operation_id}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              example: {{id: 1}}\n"
    );
    wiremock::ResponseTemplate::new(200).set_body_raw(text, "application/yaml")
}

#[test]
fn run_mock_reads_each_openapi_description_once() {
    use wiremock::Mock;
    use wiremock::matchers::{method, path};

    // `pets` has no servers (its URL's origin: an http(s) server, routed to the mock);
    // `stores` has no http(s) server, so the run addresses the mock itself.
    let api = crate::util::LocalApi::start(vec![
        Mock::given(method("GET"))
            .and(path("/pets.yaml"))
            .respond_with(one_get("getPet", "/pets/1", "")),
        Mock::given(method("GET"))
            .and(path("/stores.yaml"))
            .respond_with(one_get(
                "getStore",
                "/stores/1",
                "servers: [{url: 'urn:stores'}]\n",
            )),
    ]);
    let dir = crate::util::temp_dir("mock-reads");
    let document = dir.path().join("flow.arazzo.yaml");
    std::fs::write(
        &document,
        format!(
            "arazzo: 1.0.1\ninfo: {{title: t, version: '1'}}\nsourceDescriptions:\n  - {{name: pets, url: '{0}/pets.yaml', type: openapi}}\n  - {{name: stores, url: '{0}/stores.yaml', type: openapi}}\nworkflows:\n  - workflowId: both\n    steps:\n      - {{stepId: pet, operationId: getPet, successCriteria: [{{condition: $statusCode == 200}}]}}\n      - {{stepId: store, operationId: getStore, successCriteria: [{{condition: $statusCode == 200}}]}}\n",
            api.server.uri()
        ),
    )
    .unwrap();
    let document = document.display().to_string();
    let remote = ["--allow-remote", "--allow-private", "--mock"];
    for (runs, command) in ["run", "snapshot"].into_iter().enumerate() {
        let mut args = vec![command, document.as_str()];
        args.extend(remote);
        let output = arazzo(&args);
        assert_eq!(output.code, 0, "{command}: {}", output.transcript());
        let received = api.received();
        for description in ["/pets.yaml", "/stores.yaml"] {
            let reads = received
                .iter()
                .filter(|request| request.url.path() == description)
                .count();
            assert_eq!(
                reads,
                runs + 1,
                "{command} {description}: {}",
                output.transcript()
            );
        }
        assert_eq!(
            received.len(),
            2 * (runs + 1),
            "the mock answered the steps"
        );
    }
    let mut args = vec!["run", document.as_str(), "--format", "json"];
    args.extend(remote);
    let report: Value = serde_json::from_str(&arazzo(&args).stdout).unwrap();
    let url = |step: usize| {
        report["steps"][step]["request"]["url"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(url(0).starts_with(&api.server.uri()), "{}", url(0));
    assert!(url(1).starts_with("http://127.0.0.1:"), "{}", url(1));
    assert!(!url(1).starts_with(&api.server.uri()), "{}", url(1));
}

#[test]
fn run_mock_faults_name_the_status_not_the_mocks_problem_content_type() {
    let workflow = arg(WORKFLOW);
    let inputs = arg("amberflo/inputs.json");
    let run = |extra: &[&str]| {
        let mut args = vec!["run", &workflow, "--inputs", &inputs, "--mock"];
        args.extend_from_slice(extra);
        arazzo(&args)
    };

    // 500 is declared (as `application/json`); the mock answers its problem+json: no warning.
    let output = run(&["--fail", "/ingest=500", "--format", "json"]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    let report: Value = serde_json::from_str(&output.stdout).unwrap();
    let step = &report["steps"][3];
    assert_eq!(step["step_id"], "ingestFirstUsage");
    assert_eq!(step["response"]["status"], 500);
    assert!(step.get("warnings").is_none(), "{step}");
    let output = run(&["--fail", "/ingest=500"]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    assert!(!output.stderr.contains("warning"), "{}", output.stderr);
    // `--strict` is the letter of the description: the problem type is not the declared one.
    let output = run(&["--fail", "/ingest=500", "--strict", "--format", "json"]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    let report: Value = serde_json::from_str(&output.stdout).unwrap();
    let warnings = report["steps"][3]["warnings"].to_string();
    assert!(
        warnings.contains("content type `application/problem+json` is not declared"),
        "{warnings}"
    );

    // 404 is not declared: that one warning, after the failed criterion that fails the step.
    let output = run(&["--fail", "/ingest=404"]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    let lines: Vec<&str> = output
        .stderr
        .lines()
        .skip_while(|line| !line.starts_with("FAIL ingestFirstUsage"))
        .skip(1)
        .take(2)
        .map(str::trim)
        .collect();
    assert_eq!(
        lines,
        [
            "failed criterion: `$statusCode == 200` is false (`$statusCode` = `404`)",
            "warning: status 404 is not declared by `ingestMeterEvents` (it declares 200, 400, 401, 500)",
        ],
        "{}",
        output.stderr
    );
    assert!(!output.stderr.contains("content type"), "{}", output.stderr);

    // The mock's own 401 (no key sent; the operation declares 401 as `application/json`).
    let output = run(&["--input", "apiKey=", "--format", "json"]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    let report: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["steps"][0]["response"]["status"], 401);
    assert_eq!(
        report["steps"][0]["response"]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|header| header[0] == "content-type")
            .map(|header| header[1].clone()),
        Some(json!("application/problem+json"))
    );
    assert!(
        report["steps"][0].get("warnings").is_none(),
        "{}",
        report["steps"][0]
    );
}
