//! No credential in any output: one scenario per kind of credential (`specs/secrets/`), each
//! against a local server that echoes the credential back in its response body and headers
//! (bare, decoded, percent-encoded, HTML-escaped). Each is recorded (`run --record`), replayed
//! (`--replay`), snapshotted (`arazzo snapshot`), and run with `-v`, `-v --format json` and
//! `--format junit --output FILE`; no byte of stdout, stderr, the cassette, the snapshot or the
//! report file may hold the credential in any of its forms. Plus the mock's log line.

use std::path::Path;

use base64::Engine as _;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::util::{spec, temp_dir};

/// The token the echo server issues for the OAuth2 client-credentials grant.
const ISSUED_TOKEN: &str = "atGw14Ye&<k>'v";

/// Percent-encoding as a form or query string does it: everything but `-._*` and
/// alphanumerics.
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'*');

/// A local API that echoes the credential of each request: `/token` answers a
/// client-credentials grant (echoing the client secret), every other path echoes its
/// credential (the `Authorization` value after its scheme, the `X-Custom-Auth` header, the
/// `token` query parameter or the `session` cookie) in many forms.
struct Echo {
    // Keeps the server's runtime alive for the test.
    _runtime: tokio::runtime::Runtime,
    server: MockServer,
}

impl Echo {
    fn start() -> Echo {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(async {
            let server = MockServer::start().await;
            Mock::given(wiremock::matchers::any())
                .respond_with(echo)
                .mount(&server)
                .await;
            server
        });
        Echo {
            _runtime: runtime,
            server,
        }
    }
}

fn html(text: &str, apostrophe: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', apostrophe)
}

fn percent(text: &str, set: &'static AsciiSet) -> String {
    utf8_percent_encode(text, set).to_string()
}

/// Every form a server may echo `text` in.
fn forms(text: &str) -> Vec<String> {
    vec![
        text.to_string(),
        html(text, "&#39;"),
        html(text, "&#x27;"),
        percent(text, FORM),
        percent(text, NON_ALPHANUMERIC),
    ]
}

fn echo(request: &Request) -> ResponseTemplate {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
    };
    if request.url.path() == "/token" {
        let form: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
            .into_owned()
            .collect();
        let secret = form
            .iter()
            .find(|(name, _)| name == "client_secret")
            .map(|(_, value)| value.clone())
            .unwrap_or_default();
        return ResponseTemplate::new(200)
            .insert_header("x-echo", secret.as_str())
            .set_body_json(json!({
                "access_token": ISSUED_TOKEN,
                "token_type": "Bearer",
                "expires_in": 3600,
                "seen": secret,
                "forms": forms(&secret),
            }));
    }
    let authorization = header("authorization");
    let query = request
        .url
        .query_pairs()
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.into_owned());
    let cookie = header("cookie").and_then(|cookie| Some(cookie.strip_prefix("session=")?.into()));
    let credential = authorization
        .as_deref()
        .map(|value| {
            value
                .split_once(' ')
                .map_or(value, |(_, rest)| rest)
                .to_string()
        })
        .or_else(|| header("x-custom-auth"))
        .or(query)
        .or(cookie)
        .unwrap_or_default();
    let decoded = authorization
        .as_deref()
        .and_then(|value| value.strip_prefix("Basic "))
        .and_then(|encoded| {
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
        })
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    let password = decoded
        .split_once(':')
        .map(|(_, password)| password.to_string())
        .unwrap_or_default();
    let mut response = ResponseTemplate::new(200)
        .insert_header("x-echo", credential.as_str())
        .insert_header("x-echo-html", html(&credential, "&#39;").as_str())
        .insert_header("x-echo-percent", percent(&credential, FORM).as_str());
    if !decoded.is_empty() {
        response = response
            .insert_header("x-echo-decoded", decoded.as_str())
            .insert_header("x-echo-password", password.as_str());
    }
    response.set_body_json(json!({
        "credential": credential,
        "forms": forms(&credential),
        "decoded": decoded,
        "decodedForms": forms(&decoded),
        "password": password,
        "passwordForms": forms(&password),
        "authorization": authorization,
    }))
}

/// One kind of credential: the workflow that uses it, how it is given, and what must never
/// be shown.
struct Scenario {
    workflow: &'static str,
    /// The exit code of every command (1 for a workflow that fails).
    code: u8,
    env: Vec<(String, String)>,
    /// Extra arguments of every command (`--input`, `--server`); `{host}` is the echo
    /// server's `127.0.0.1:PORT`.
    args: Vec<String>,
    /// The secrets, in clear; each one's [`forms`] are forbidden too.
    secrets: Vec<String>,
    /// Other forbidden text (a base64 credential).
    forbidden: Vec<String>,
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Fails when `text` holds a forbidden string.
fn assert_clean(what: &str, text: &str, forbidden: &[String]) {
    for secret in forbidden {
        assert!(
            !text.contains(secret.as_str()),
            "{what} shows the secret `{secret}`:\n{text}"
        );
    }
}

/// Copies the fixtures into `dir`, addressed to `server`.
fn write_fixtures(dir: &Path, server: &str) -> String {
    for name in ["openapi.yaml", "secrets.arazzo.yaml"] {
        let text = std::fs::read_to_string(spec(&format!("secrets/{name}"))).unwrap();
        std::fs::write(dir.join(name), text.replace("http://127.0.0.1:9", server)).unwrap();
    }
    dir.join("secrets.arazzo.yaml").display().to_string()
}

/// Records, replays, snapshots and runs the scenario's workflow in every format, checking
/// every output.
fn check(scenario: &Scenario) {
    let echo = Echo::start();
    let dir = temp_dir(&format!("secrets-{}", scenario.workflow));
    let document = write_fixtures(dir.path(), &echo.server.uri());
    let mut forbidden: Vec<String> = scenario
        .secrets
        .iter()
        .flat_map(|secret| forms(secret))
        .collect();
    forbidden.extend(scenario.forbidden.iter().cloned());
    let path = |name: &str| dir.path().join(name).display().to_string();
    let (cassette, snapshot, report) = (
        path("cassette.yaml"),
        path("snapshot.yaml"),
        path("report.json"),
    );
    let host = echo.server.uri().replace("http://", "");
    let extra: Vec<String> = scenario
        .args
        .iter()
        .map(|arg| arg.replace("{host}", &host))
        .collect();
    let run = |command: &[&str]| {
        let mut args: Vec<&str> = command.to_vec();
        args.extend(["--workflow", scenario.workflow]);
        args.extend(extra.iter().map(String::as_str));
        let output = crate::util::arazzo_with_env(&args, scenario.env.clone());
        let what = command.join(" ");
        assert_clean(&format!("`{what}` stdout"), &output.stdout, &forbidden);
        assert_clean(&format!("`{what}` stderr"), &output.stderr, &forbidden);
        // `snapshot` succeeds when it could run the workflow, whatever its outcome.
        let code = if command[0] == "snapshot" {
            0
        } else {
            scenario.code
        };
        assert_eq!(output.code, code, "`{what}`:\n{}", output.transcript());
        output
    };

    let recorded = run(&["run", &document, "--record", &cassette]);
    // The credential went out, came back, and is shown redacted.
    assert!(
        recorded.stdout.contains(r#""echoed": "***""#),
        "{}",
        recorded.transcript()
    );
    let written = std::fs::read_to_string(&cassette).unwrap();
    assert_clean("the cassette", &written, &forbidden);
    assert!(written.contains("***"), "{written}");

    run(&["run", &document, "--replay", &cassette]);
    run(&["run", &document, "--replay", &cassette, "-v"]);
    run(&["snapshot", &document, "--replay", &cassette]);
    run(&[
        "snapshot",
        &document,
        "--replay",
        &cassette,
        "--snapshot",
        &snapshot,
        "--update",
    ]);
    assert_clean(
        "the snapshot",
        &std::fs::read_to_string(&snapshot).unwrap(),
        &forbidden,
    );
    run(&["run", &document, "-v"]);
    run(&["run", &document, "-v", "--format", "json"]);
    run(&["run", &document, "--format", "junit", "--output", &report]);
    assert_clean(
        "the report file",
        &std::fs::read_to_string(&report).unwrap(),
        &forbidden,
    );
}

#[test]
fn secrets_api_key_header() {
    let key = "hdrZx81Kq&<k>'v";
    check(&Scenario {
        code: 0,
        workflow: "header",
        env: env(&[("ARAZZO_AUTH_HEADERKEY", key)]),
        args: Vec::new(),
        secrets: vec![key.to_string()],
        forbidden: vec!["hdrZx81Kq".to_string()],
    });
}

#[test]
fn secrets_api_key_query() {
    let key = "qryVb62Lp&<k>'v";
    check(&Scenario {
        code: 0,
        workflow: "query",
        env: env(&[("ARAZZO_AUTH_APIKEYQUERY", key)]),
        args: Vec::new(),
        secrets: vec![key.to_string()],
        forbidden: vec!["qryVb62Lp".to_string()],
    });
}

#[test]
fn secrets_api_key_cookie() {
    let key = "ckTn47Wd&<k>'v";
    check(&Scenario {
        code: 0,
        workflow: "cookie",
        env: env(&[("ARAZZO_AUTH_COOKIEKEY", key)]),
        args: Vec::new(),
        secrets: vec![key.to_string()],
        forbidden: vec!["ckTn47Wd".to_string()],
    });
}

/// A step that fails on what the server echoed: its reasons quote the credential.
#[test]
fn secrets_in_a_failure() {
    let key = "rjWm50Ts&<k>'v";
    check(&Scenario {
        workflow: "rejected",
        code: 1,
        env: env(&[("ARAZZO_AUTH_HEADERKEY", key)]),
        args: Vec::new(),
        secrets: vec![key.to_string()],
        forbidden: vec!["rjWm50Ts".to_string()],
    });
}

/// `basicAuth` and `bearerAuth` do not look secret: they are secret as credentials.
#[test]
fn secrets_http_basic_from_an_input() {
    let password = r#"pwHr93Fs&<"k>'v"#;
    let credential = format!("ada:{password}");
    check(&Scenario {
        code: 0,
        workflow: "basic",
        env: Vec::new(),
        args: vec!["--input".to_string(), format!("basicAuth={credential}")],
        secrets: vec![credential.clone(), password.to_string()],
        forbidden: vec!["pwHr93Fs".to_string(), base64(&credential)],
    });
}

#[test]
fn secrets_http_basic_from_the_environment() {
    let password = "pwEn72Qa&<k>'v";
    let credential = format!("grace:{password}");
    check(&Scenario {
        code: 0,
        workflow: "basic",
        env: env(&[("ARAZZO_AUTH_BASICAUTH", &credential)]),
        args: Vec::new(),
        secrets: vec![credential.clone(), password.to_string()],
        forbidden: vec!["pwEn72Qa".to_string(), base64(&credential)],
    });
}

#[test]
fn secrets_http_bearer_from_an_input() {
    let token = "tokJc25Mn&<k>'v";
    check(&Scenario {
        code: 0,
        workflow: "bearer",
        env: Vec::new(),
        args: vec!["--input".to_string(), format!("bearerAuth={token}")],
        secrets: vec![token.to_string()],
        forbidden: vec!["tokJc25Mn".to_string()],
    });
}

/// The token request's form body carries the client secret, its response the token; the
/// token server echoes the secret, the API the token.
#[test]
fn secrets_oauth2_client_credentials() {
    let secret = "csPq58Rt&<k>'v";
    check(&Scenario {
        code: 0,
        workflow: "oauth",
        env: env(&[
            ("ARAZZO_AUTH_MACHINE_CLIENT_ID", "client-1"),
            ("ARAZZO_AUTH_MACHINE_CLIENT_SECRET", secret),
        ]),
        args: Vec::new(),
        secrets: vec![secret.to_string(), ISSUED_TOKEN.to_string()],
        forbidden: vec!["csPq58Rt".to_string(), "atGw14Ye".to_string()],
    });
}

/// `--server http://user:pw@host`: the client sends the userinfo as a Basic credential,
/// which the server echoes.
#[test]
fn secrets_server_url_password() {
    let password = "uiKd36Nb&x";
    let credential = format!("ada:{password}");
    check(&Scenario {
        code: 0,
        workflow: "open",
        env: Vec::new(),
        args: vec![
            "--server".to_string(),
            format!("api=http://ada:{}@{{host}}", percent(password, FORM)),
        ],
        secrets: vec![credential.clone(), password.to_string()],
        forbidden: vec!["uiKd36Nb".to_string(), base64(&credential)],
    });
}

/// The mock's log line (`arazzo mock` prints it) hides the values of apiKey query parameters
/// and of parameters with secret-like names.
#[test]
fn secrets_mock_log_hides_query_credentials() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let logged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let paths = runtime.block_on(async {
        let api = arazzo_sources::OpenApi::read(
            &spec("secrets/openapi.yaml").display().to_string(),
            &arazzo_sources::SourceOptions::default(),
        )
        .await
        .unwrap();
        let log = logged.clone();
        let options = arazzo_mock::MockOptions {
            log: Some(std::sync::Arc::new(
                move |exchange: &arazzo_mock::Answered| {
                    log.lock().unwrap().push(exchange.path.clone());
                },
            )),
            ..arazzo_mock::MockOptions::default()
        };
        let mock = arazzo_mock::MockServer::start([&api], options)
            .await
            .unwrap();
        for path in [
            "query?token=mkQy83Zu%26k&page=2&api_key=mkAk61Xe",
            "signed?sig=mkSg27Hv&page=3",
        ] {
            arazzo_sources::install_tls_provider();
            let response = reqwest::get(mock.url().join(path).unwrap()).await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
        }
        mock.stop().await;
        logged.lock().unwrap().clone()
    });
    assert_eq!(
        paths,
        [
            "/query?token=***&page=2&api_key=***",
            "/signed?sig=***&page=3"
        ]
    );
}
