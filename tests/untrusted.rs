//! Untrusted documents and servers: a remote document reaches only its own origin, remote
//! fetches refuse private addresses (unless allowed), cross-origin redirects and huge bodies,
//! hostile parameter values cannot change the request's path, cookies or headers, local paths
//! must be regular files, and server text cannot write control characters to the terminal.
//! Remote documents are served from local servers (`--allow-remote --allow-private`).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use arazzo_mock::{MockOptions, MockServer};
use arazzo_sources::{OpenApi, SourceOptions, Sources, document_url};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer as Wiremock, ResponseTemplate};

use crate::util::{arazzo, spec};

/// The marker of `specs/untrusted/local-secret.yaml`: no output may carry it.
const MARKER: &str = "LOCAL-FILE-CONTENT";

/// What remote documents may be fetched from the test servers (on 127.0.0.1).
fn remote() -> SourceOptions {
    SourceOptions {
        allow_remote: true,
        allow_private: true,
        ..SourceOptions::default()
    }
}

/// The `file:` URL of the local file remote documents try to read.
fn local_secret() -> String {
    document_url(spec("untrusted/local-secret.yaml"))
        .unwrap()
        .to_string()
}

/// A remote OpenAPI description whose operation reaches `target` through `$ref`s: a
/// parameter and the response schema.
fn openapi_reaching(target: &str) -> String {
    format!(
        r#"openapi: 3.1.0
info: {{title: Remote, version: 1.0.0}}
paths:
  /secret:
    get:
      operationId: getSecret
      parameters:
        - $ref: '{target}#/components/parameters/Secret'
      responses:
        '200':
          description: the secret
          content:
            application/json:
              schema: {{$ref: '{target}#/components/schemas/Secret'}}
"#
    )
}

/// A remote OpenAPI description whose response schema is a `$ref` to `target`, so that the
/// mock serves an example from it.
fn openapi_with_response_ref(target: &str) -> String {
    format!(
        r#"openapi: 3.1.0
info: {{title: Remote, version: 1.0.0}}
paths:
  /secret:
    get:
      responses:
        '200':
          description: the secret
          content:
            application/json:
              schema: {{$ref: '{target}#/components/schemas/Secret'}}
"#
    )
}

/// A remote OpenAPI description without `$ref`s.
const SELF_CONTAINED: &str = r#"openapi: 3.1.0
info: {title: Remote, version: 1.0.0}
paths:
  /secret:
    get:
      operationId: getSecret
      responses:
        '200': {description: the secret}
"#;

/// A local server answering `GET route` with `body` for each pair, on its own runtime.
struct Served {
    runtime: tokio::runtime::Runtime,
    server: Wiremock,
}

impl Served {
    fn start(routes: &[(&str, ResponseTemplate)]) -> Served {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(async {
            let server = Wiremock::start().await;
            for (route, answer) in routes {
                Mock::given(method("GET"))
                    .and(path(*route))
                    .respond_with(answer.clone())
                    .mount(&server)
                    .await;
            }
            server
        });
        Served { runtime, server }
    }

    fn url(&self, route: &str) -> String {
        format!("{}{route}", self.server.uri())
    }
}

fn yaml(text: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(text, "application/yaml")
}

/// A local Arazzo document (in a temporary folder) with one source at `url`.
fn arazzo_with_source(url: &str, source_type: &str) -> tempfile::TempDir {
    let dir = crate::util::temp_dir("untrusted");
    let text = format!(
        r#"arazzo: 1.0.1
info: {{title: Remote source, version: 1.0.0}}
sourceDescriptions:
  - {{name: remote, url: '{url}', type: {source_type}}}
workflows:
  - workflowId: flow
    steps:
      - stepId: call
        operationId: getSecret
"#
    );
    std::fs::write(dir.path().join("flow.arazzo.yaml"), text).unwrap();
    dir
}

#[test]
fn a_remote_description_cannot_ref_a_local_file_served_by_the_mock() {
    let text = openapi_with_response_ref(&local_secret());
    let served = Served::start(&[("/api.yaml", yaml(text))]);
    let url = served.url("/api.yaml");
    let runtime = &served.runtime;
    let api = runtime
        .block_on(OpenApi::read(&url, &remote()))
        .unwrap_or_else(|err| panic!("{err}"));
    let mock = runtime
        .block_on(MockServer::start([&api], MockOptions::default()))
        .unwrap();
    let answer = runtime.block_on(async {
        arazzo_sources::install_tls_provider();
        let response = reqwest::get(format!("{}secret", mock.url())).await.unwrap();
        response.text().await.unwrap()
    });
    runtime.block_on(mock.stop());
    assert!(
        !answer.contains(MARKER),
        "the mock served the local file: {answer}"
    );
}

#[test]
fn validate_refuses_a_remote_description_reaching_a_local_file() {
    let served = Served::start(&[("/api.yaml", yaml(openapi_reaching(&local_secret())))]);
    let dir = arazzo_with_source(&served.url("/api.yaml"), "openapi");
    let file = dir.path().join("flow.arazzo.yaml").display().to_string();
    let output = arazzo(&["validate", &file, "--allow-remote", "--allow-private"]);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        output.stdout.contains(&format!(
            "`specs/untrusted/local-secret.yaml` is outside the origin of the remote document `{}`",
            served.url("/api.yaml")
        )),
        "{}",
        output.stdout
    );
    assert!(output.stdout.contains("download it and run the local copy"));
    assert!(!output.stdout.contains(MARKER));
}

#[tokio::test]
async fn a_remote_arazzo_source_cannot_name_a_local_file() {
    let server = Wiremock::start().await;
    let local = document_url(spec("untrusted/params.openapi.yaml")).unwrap();
    let remote_arazzo = format!(
        r#"arazzo: 1.0.1
info: {{title: Remote, version: 1.0.0}}
sourceDescriptions:
  - {{name: local, url: '{local}', type: openapi}}
workflows:
  - workflowId: nested
    steps:
      - {{stepId: get, operationId: getProfile}}
"#
    );
    Mock::given(path("/flows.arazzo.yaml"))
        .respond_with(yaml(remote_arazzo))
        .mount(&server)
        .await;
    let remote_url = format!("{}/flows.arazzo.yaml", server.uri());
    let dir = arazzo_with_source(&remote_url, "arazzo");
    let path = dir.path().join("flow.arazzo.yaml");
    let document = arazzo_model::from_path(&path).unwrap();
    let err = Sources::load(&document, &document_url(&path).unwrap(), &remote())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "source `local`: `{}` is outside the origin of the remote document `{remote_url}` (a remote document may only reach documents of its own scheme, host and port); download it and run the local copy",
            spec("untrusted/params.openapi.yaml").display()
        )
    );
}

#[tokio::test]
async fn a_remote_description_may_reach_its_own_origin() {
    let server = Wiremock::start().await;
    let common = "components:\n  schemas:\n    Secret: {type: object, example: {secret: same-origin}}\n  parameters:\n    Secret: {name: secret, in: query, schema: {type: string}}\n";
    for (route, text) in [
        ("/api.yaml", openapi_reaching("./common.yaml")),
        ("/common.yaml", format!("openapi: 3.1.0\n{common}")),
    ] {
        Mock::given(path(route))
            .respond_with(yaml(text))
            .mount(&server)
            .await;
    }
    let api = OpenApi::read(&format!("{}/api.yaml", server.uri()), &remote())
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(api.operations()[0].parameters[0].name, "secret");
}

#[tokio::test]
async fn private_addresses_need_allow_private() {
    let server = Wiremock::start().await;
    Mock::given(path("/api.yaml"))
        .respond_with(yaml(SELF_CONTAINED.to_string()))
        .mount(&server)
        .await;
    let options = SourceOptions {
        allow_remote: true,
        ..SourceOptions::default()
    };
    let url = format!("{}/api.yaml", server.uri());
    let err = OpenApi::read(&url, &options).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "source `api`: `{url}` is 127.0.0.1, a loopback address: fetching it needs --allow-private"
        )
    );
    // A name is checked by the addresses it resolves to.
    let port = server.address().port();
    let by_name = format!("http://localhost:{port}/api.yaml");
    let err = OpenApi::read(&by_name, &options).await.unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("source `api`: `{by_name}` is "))
            && message.ends_with(", a loopback address: fetching it needs --allow-private"),
        "{message}"
    );
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        0,
        "nothing was sent"
    );
}

#[test]
fn the_cli_refuses_private_addresses_and_validate_takes_allow_remote() {
    let served = Served::start(&[("/api.yaml", yaml(SELF_CONTAINED.to_string()))]);
    let dir = arazzo_with_source(&served.url("/api.yaml"), "openapi");
    let file = dir.path().join("flow.arazzo.yaml").display().to_string();
    let output = arazzo(&["validate", &file, "--allow-remote"]);
    assert!(
        output
            .stdout
            .contains("is 127.0.0.1, a loopback address: fetching it needs --allow-private"),
        "{}",
        output.transcript()
    );
    let output = arazzo(&["run", &file, "--allow-remote"]);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        output.stderr.contains("fetching it needs --allow-private"),
        "{}",
        output.transcript()
    );
    let output = arazzo(&["validate", &file, "--allow-private"]);
    assert_eq!(output.code, 2, "--allow-private needs --allow-remote");
}

#[tokio::test]
async fn redirects_are_followed_within_the_origin_only() {
    let server = Wiremock::start().await;
    let port = server.address().port();
    Mock::given(path("/api.yaml"))
        .respond_with(yaml(SELF_CONTAINED.to_string()))
        .mount(&server)
        .await;
    Mock::given(path("/old.yaml"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/api.yaml"))
        .mount(&server)
        .await;
    // Another host name for the same server: another origin.
    let elsewhere = format!("http://localhost:{port}/api.yaml");
    Mock::given(path("/away.yaml"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", elsewhere.as_str()))
        .mount(&server)
        .await;
    let api = OpenApi::read(&format!("{}/old.yaml", server.uri()), &remote()).await;
    assert!(api.is_ok(), "{api:?}");
    let url = format!("{}/away.yaml", server.uri());
    let err = OpenApi::read(&url, &remote()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "source `away`: `{url}` redirects to `{elsewhere}`, another origin: only redirects within the same scheme, host and port are followed"
        )
    );
}

/// A server that answers one request with a body of `total` bytes and no `Content-Length`
/// (until the client hangs up); it stops after 10 s without a request.
fn endless_body(total: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/big.yaml", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut stream = loop {
            match listener.accept() {
                Ok((stream, _)) => break stream,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(_) => return,
            }
        };
        stream.set_nonblocking(false).unwrap();
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request);
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/yaml\r\nconnection: close\r\n\r\n";
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        let line = "# padding padding padding padding padding padding padding padding\n";
        let chunk = line.repeat(1024);
        let mut sent = 0;
        while sent < total && stream.write_all(chunk.as_bytes()).is_ok() {
            sent += chunk.len();
        }
    });
    url
}

#[tokio::test]
async fn a_body_past_the_cap_is_refused_as_it_streams() {
    let url = endless_body(64 * 1024 * 1024);
    let err = OpenApi::read(&url, &remote()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("source `big`: `{url}` is larger than the 16 MiB limit")
    );
}

#[tokio::test]
async fn a_refused_connection_says_so() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/api.yaml");
    let err = OpenApi::read(&url, &remote()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("source `api`: cannot fetch {url}: connection refused")
    );
}

#[test]
fn devices_are_refused_wherever_a_path_is_read() {
    let workflow = spec("untrusted/params.arazzo.yaml").display().to_string();
    let output = arazzo(&["validate", "/dev/zero"]);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        output
            .stdout
            .contains("/dev/zero: cannot read the file: not a regular file"),
        "{}",
        output.transcript()
    );
    for (args, expected) in [
        (
            vec!["--inputs", "/dev/zero"],
            "cannot read /dev/zero: not a regular file",
        ),
        (
            vec!["--replay", "/dev/zero"],
            "cannot read cassette `/dev/zero`: not a regular file",
        ),
        (
            vec!["--inputs-csv", "/dev/zero"],
            "cannot read /dev/zero: not a regular file",
        ),
    ] {
        let mut argv = vec!["run", workflow.as_str()];
        argv.extend(args);
        let output = arazzo(&argv);
        assert_eq!(output.code, 2, "{}", output.transcript());
        assert!(output.stderr.contains(expected), "{}", output.transcript());
    }
    // A source description naming a device.
    let dir = arazzo_with_source("/dev/zero", "openapi");
    let file = dir.path().join("flow.arazzo.yaml").display().to_string();
    let output = arazzo(&["validate", &file]);
    assert!(
        output
            .stdout
            .contains("source `remote`: cannot read /dev/zero: not a regular file"),
        "{}",
        output.transcript()
    );
    let output = arazzo(&[
        "snapshot",
        &workflow,
        "--mock",
        "--input",
        "id=7",
        "--snapshot",
        "/dev/zero",
        "--check",
    ]);
    assert_eq!(output.code, 4, "{}", output.transcript());
    assert!(
        output
            .stderr
            .contains("cannot read /dev/zero: not a regular file"),
        "{}",
        output.transcript()
    );
}

/// Runs `params.arazzo.yaml` against a local server with these inputs; the output and what
/// the server received.
fn run_params(inputs: &[&str]) -> (crate::util::Output, Vec<wiremock::Request>) {
    let served = Served::start(&[]);
    served.runtime.block_on(
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
            .mount(&served.server),
    );
    let workflow = spec("untrusted/params.arazzo.yaml").display().to_string();
    let server = format!("api={}/api", served.server.uri());
    let mut argv = vec!["run", workflow.as_str(), "--server", server.as_str()];
    for input in inputs {
        argv.extend(["--input", input]);
    }
    let output = arazzo(&argv);
    let received = served
        .runtime
        .block_on(served.server.received_requests())
        .unwrap();
    (output, received)
}

#[test]
fn a_dot_segment_path_parameter_cannot_change_the_path() {
    for id in ["..", "."] {
        let (output, received) = run_params(&[&format!("id={id}")]);
        assert_eq!(output.code, 4, "{}", output.transcript());
        assert!(
            output.stderr.contains(&format!(
                "path parameters make `/users/{id}/profile` from `/users/{{id}}/profile`: its `{id}` segment would be removed and the request sent to another path"
            )),
            "{}",
            output.transcript()
        );
        assert!(received.is_empty(), "nothing is sent");
    }
    // Dots inside a segment are data.
    let (output, received) = run_params(&["id=a..b"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    assert_eq!(received[0].url.path(), "/api/users/a..b/profile");
}

#[test]
fn a_cookie_value_cannot_add_a_cookie() {
    let (output, received) = run_params(&["id=7", "session=a; admin=true,%\"x\\"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    let cookie = received[0].headers.get("cookie").unwrap().to_str().unwrap();
    assert_eq!(cookie, "session=a%3B%20admin%3Dtrue%2C%25%22x%5C");
}

#[test]
fn a_header_value_with_cr_lf_is_a_step_error() {
    let (output, received) = run_params(&["id=7", "note=x\r\nX-Admin: true"]);
    assert_eq!(output.code, 4, "{}", output.transcript());
    assert!(
        output.stderr.contains("header `X-Note`: its value has a character an HTTP header cannot carry (CR, LF, another control character or non-ASCII text)"),
        "{}",
        output.transcript()
    );
    assert!(received.is_empty(), "nothing is sent");
}

#[test]
fn server_text_cannot_drive_the_terminal() {
    let hostile = "boom\u{1b}[2J\u{1b}]0;pwned\u{7}\r\nok   fake  GET / 200\u{9b}";
    let served = Served::start(&[(
        "/api/users/7/profile",
        ResponseTemplate::new(500).set_body_raw(hostile, "text/plain"),
    )]);
    let workflow = spec("untrusted/params.arazzo.yaml").display().to_string();
    let server = format!("api={}/api", served.server.uri());
    let run = |extra: &[&str]| {
        let mut argv = vec!["run", &workflow, "--server", &server, "--input", "id=7"];
        argv.extend(extra);
        arazzo(&argv)
    };
    let raw = |text: &str| text.contains(|c: char| c.is_control() && c != '\n' && c != '\t');
    let output = run(&[]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    assert!(!raw(&output.stderr), "{:?}", output.stderr);
    assert!(
        output.stderr.contains(
            r"response body: boom\u{1b}[2J\u{1b}]0;pwned\u{7}\r\nok   fake  GET / 200\u{9b}"
        ),
        "{}",
        output.stderr
    );
    // `-v`: the body's lines each after the response prefix.
    let output = run(&["-v"]);
    assert!(!raw(&output.stderr), "{:?}", output.stderr);
    assert!(
        output.stderr.contains(
            "     < boom\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\r\n     < ok   fake  GET / 200\\u{9b}\n"
        ),
        "{}",
        output.stderr
    );
    // JSON: serde_json escapes C0, not C1.
    let output = run(&["--format", "json"]);
    assert!(!raw(&output.stdout), "{:?}", output.stdout);
    let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["steps"][0]["response"]["body"], hostile);
}

#[test]
fn document_values_quoted_in_messages_cannot_drive_the_terminal() {
    let dir = crate::util::temp_dir("untrusted");
    let path = dir.path().join("hostile.arazzo.yaml");
    let text = "arazzo: 1.0.1\ninfo: {title: t, version: 1.0.0}\nsourceDescriptions: []\nworkflows:\n  - workflowId: \"w\\e]0;pwned\\a\"\n    steps:\n      - {stepId: s, workflowId: \"x\\e[2J\"}\n";
    std::fs::write(&path, text).unwrap();
    let file = path.display().to_string();
    let output = arazzo(&["validate", &file]);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        !output.stdout.contains('\u{1b}') && !output.stdout.contains('\u{7}'),
        "{:?}",
        output.stdout
    );
    assert!(output.stdout.contains(r"x\u{1b}[2J"), "{}", output.stdout);
}
