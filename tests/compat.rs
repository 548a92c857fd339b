//! Documents written for other tools' dialects (`specs/compat/`, copied from the corpus): read
//! with a `compat-…` warning, refused by `--strict`, rewritten by `arazzo fix` into a document
//! that `--strict` accepts.

use crate::util::{arazzo, arg, spec};

const JENTIC: &str = "compat/jentic/workflows/bclaws.ca~bclaws/workflows.arazzo.json";

fn rules(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter_map(|line| {
            line.strip_prefix("warning[")
                .or_else(|| line.strip_prefix("error["))
        })
        .filter_map(|rest| rest.split(']').next())
        .collect()
}

#[test]
fn jentic_catalogue_sources_and_operation_paths_are_read_with_warnings() {
    let out = arazzo(&["validate", &arg(JENTIC)]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    let found = rules(&out.stdout);
    assert_eq!(found[0], "compat-source-root", "{}", out.stdout);
    assert_eq!(
        found
            .iter()
            .filter(|rule| **rule == "compat-operation-path")
            .count(),
        9
    );
    assert!(out.stdout.contains(
        "help: write `../../apis/openapi/bclaws.ca/bclaws/1.0.0/openapi.json`, relative to this document"
    ));
    // Without the readings the document is refused: each one is an error.
    let strict = arazzo(&["validate", "--strict", &arg(JENTIC)]);
    assert_eq!(strict.code, 3, "{}", strict.transcript());
    assert!(
        rules(&strict.stdout)
            .iter()
            .all(|rule| rule.starts_with("compat-"))
    );
    assert!(
        strict.stdout.starts_with("error[compat-source-root]"),
        "{}",
        strict.stdout
    );
}

/// A copy of `specs/compat/jentic` in a folder of its own (no repository around it).
fn jentic_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    crate::util::copy_tree(&spec("compat/jentic"), dir.path());
    dir
}

#[test]
fn fix_writes_the_spec_form_that_strict_accepts() {
    let dir = jentic_copy();
    let root = dir.path().display().to_string();
    let doc = dir
        .path()
        .join("workflows/bclaws.ca~bclaws/workflows.arazzo.json");
    let doc = doc.display().to_string();
    let original = std::fs::read_to_string(&doc).unwrap();
    // Outside a repository the source is found only under --sources-root.
    let lost = arazzo(&["validate", &doc]);
    assert_eq!(lost.code, 3, "{}", lost.transcript());
    assert!(rules(&lost.stdout).contains(&"source-unavailable"));

    let check = arazzo(&["fix", "--check", "--sources-root", &root, &doc]);
    assert_eq!(check.code, 1, "{}", check.transcript());
    assert!(check.stdout.contains(
        "-      \"url\": \"./apis/openapi/bclaws.ca/bclaws/1.0.0/openapi.json\",\n+      \"url\": \"../../apis/openapi/bclaws.ca/bclaws/1.0.0/openapi.json\","
    ), "{}", check.stdout);
    assert!(check.stdout.contains(
        "+          \"operationPath\": \"{$sourceDescriptions.openapi_source.url}#/paths/~1content~1{aspectId}/get\","
    ), "{}", check.stdout);
    assert_eq!(
        std::fs::read_to_string(&doc).unwrap(),
        original,
        "--check writes nothing"
    );

    let write = arazzo(&["fix", "--write", "--sources-root", &root, &doc]);
    assert_eq!(write.code, 0, "{}", write.transcript());
    let fixed = std::fs::read_to_string(&doc).unwrap();
    // Only the edited values changed: the same lines, in the same layout.
    assert_eq!(fixed.lines().count(), original.lines().count());
    let changed = original
        .lines()
        .zip(fixed.lines())
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(changed, 10);

    let strict = arazzo(&["validate", "--strict", &doc]);
    assert_eq!(strict.code, 0, "{}", strict.transcript());
    assert!(rules(&strict.stdout).is_empty(), "{}", strict.stdout);
    let again = arazzo(&["fix", "--check", &doc]);
    assert_eq!(
        (again.code, again.stdout.as_str()),
        (0, ""),
        "nothing left to fix"
    );
}

#[test]
fn a_respect_operation_id_runs_against_the_mock_and_says_what_it_read() {
    let doc = arg("compat/speclynx/root.yaml");
    let out = arazzo(&["run", &doc, "--mock", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["steps"][0]["outcome"], "passed", "{report:#}");
    assert!(
        out.stderr.contains("warning[compat-operation-id]: "),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(
        "root.yaml:13:22: read `petStore.getPets` as `$sourceDescriptions.petStore.getPets` (Redocly Respect's `source.operationId`)"
    ), "{}", out.stderr);
    // `--strict` refuses it before anything is sent.
    let strict = arazzo(&["run", &doc, "--mock", "--strict"]);
    assert_eq!(strict.code, 3, "{}", strict.transcript());
    assert!(
        strict.stdout.is_empty() && strict.stderr.contains("error[compat-operation-id]"),
        "{}",
        strict.transcript()
    );
}

#[test]
fn a_root_schema_member_is_ignored_with_a_warning_and_removed_by_fix() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("single.json");
    std::fs::copy(spec("compat/jaredce/single.json"), &doc).unwrap();
    let doc = doc.display().to_string();
    let out = arazzo(&["validate", &doc]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert_eq!(
        rules(&out.stdout),
        ["compat-schema-key", "source-unavailable"],
        "{}",
        out.stdout
    );
    let write = arazzo(&["fix", "--write", &doc]);
    assert_eq!(write.code, 0, "{}", write.transcript());
    assert!(
        write.stdout.contains(
            "-  \"$schema\": \"https://spec.openapis.org/arazzo/1.0/schema/2025-10-15\",\n"
        )
    );
    let text = std::fs::read_to_string(&doc).unwrap();
    assert!(text.starts_with("{\n  \"arazzo\": \"1.0.1\",\n"), "{text}");
    assert_eq!(arazzo(&["validate", "--strict", &doc]).code, 0);
}

#[test]
fn speakeasy_conditions_are_read_and_evaluated_against_the_body() {
    let doc = arg("compat/speakeasy/tests.arazzo.yaml");
    let passed = arazzo(&["run", &doc, "--mock", "-w", "getOrder"]);
    assert_eq!(passed.code, 0, "{}", passed.transcript());
    assert_eq!(
        rules(&passed.stderr),
        [
            "compat-status-range",
            "compat-unquoted-literal",
            "compat-body-literal",
            "compat-body-literal"
        ]
    );
    // Each value of the literal is compared, so a different one fails the step and says which.
    let failed = arazzo(&["run", &doc, "--mock", "-w", "getOrderUnpaid"]);
    assert_eq!(failed.code, 1, "{}", failed.transcript());
    assert!(
        failed
            .stderr
            .contains("`$response.body#/status` = `\"paid\"`"),
        "{}",
        failed.stderr
    );
}

#[test]
fn fix_turns_block_scalar_conditions_into_spec_conditions() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["tests.arazzo.yaml", "store.openapi.yaml"] {
        std::fs::copy(
            spec(&format!("compat/speakeasy/{name}")),
            dir.path().join(name),
        )
        .unwrap();
    }
    let doc = dir.path().join("tests.arazzo.yaml").display().to_string();
    let before = std::fs::read_to_string(&doc).unwrap();
    let write = arazzo(&["fix", "--write", &doc]);
    assert_eq!(write.code, 0, "{}", write.transcript());
    let after = std::fs::read_to_string(&doc).unwrap();
    assert!(after.contains(
        "            condition: \"$response.body#/id == 'ord-7' && $response.body#/status == 'unpaid'\"\n"
    ), "{after}");
    // The comment at the top and everything else stays.
    assert_eq!(
        before.lines().take(12).collect::<Vec<_>>(),
        after.lines().take(12).collect::<Vec<_>>()
    );
    let strict = arazzo(&["run", &doc, "--mock", "--strict", "-w", "getOrder"]);
    assert_eq!(strict.code, 0, "{}", strict.transcript());
    assert!(rules(&strict.stderr).is_empty(), "{}", strict.stderr);
}

const STREFETHEN: &str = "compat/strefethen/examples";

#[test]
fn strefethen_bare_server_sources_run_against_the_server_their_steps_name() {
    use wiremock::matchers::{body_json, method, path};
    let api =
        crate::util::LocalApi::start(vec![
            wiremock::Mock::given(method("POST"))
                .and(path("/post"))
                .and(body_json(serde_json::json!({
                    "name": "arazzo-test", "version": 1, "tags": ["workflow", "testing"]
                })))
                .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(
                    serde_json::json!({"json": {"name": "arazzo-test", "version": 1}}),
                )),
        ]);
    let doc = arg(&format!("{STREFETHEN}/httpbin-methods.arazzo.yaml"));
    let out = arazzo(&[
        "run",
        &doc,
        "-w",
        "post-json",
        "--server",
        &format!("httpbin={}", api.server.uri()),
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        report["outputs"],
        serde_json::json!({"echoed_name": "arazzo-test", "echoed_version": 1})
    );
    assert_eq!(api.received().len(), 1);
    let found = rules(&out.stderr);
    assert!(found.contains(&"compat-method-path"), "{}", out.stderr);
    // The source is reported by `validate`, which sees every source.
    let validated = arazzo(&["validate", &doc]);
    assert_eq!(validated.code, 0, "{}", validated.transcript());
    let found = rules(&validated.stdout);
    assert!(found.contains(&"compat-base-url-source"), "{found:?}");
    assert!(found.contains(&"compat-double-quoted"), "{found:?}");
}

#[test]
fn fix_names_actions_references_components_and_drops_empty_fields() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "error-handling-retry",
        "httpbin-components",
        "swagger-petstore-crud",
    ] {
        let doc = dir.path().join(format!("{name}.arazzo.yaml"));
        std::fs::copy(spec(&format!("{STREFETHEN}/{name}.arazzo.yaml")), &doc).unwrap();
        let doc = doc.display().to_string();
        let refused = arazzo(&["validate", "--strict", &doc]);
        assert_eq!(refused.code, 3, "{}", refused.transcript());
        let write = arazzo(&["fix", "--write", &doc]);
        assert_eq!(write.code, 0, "{}", write.transcript());
        // A bare server gets a description of the operations its steps call, beside the
        // document, which its `url` now names.
        let strict = arazzo(&["validate", "--strict", &doc]);
        assert_eq!(strict.code, 0, "{name}: {}", strict.stdout);
        // Lenient expressions in values (`$response.body.args.x`) got their ABNF form too.
        assert!(
            !strict
                .stdout
                .contains("warning[expression-lenient]: `$response.body.args"),
            "{name}: {}",
            strict.stdout
        );
        let again = arazzo(&["fix", "--check", &doc]);
        assert_eq!((again.code, again.stdout.as_str()), (0, ""), "{name}");
    }
    // A file of that name with other contents is never overwritten: nothing is written.
    let methods = dir.path().join("httpbin-methods.arazzo.yaml");
    std::fs::copy(
        spec(&format!("{STREFETHEN}/httpbin-methods.arazzo.yaml")),
        &methods,
    )
    .unwrap();
    let taken = dir.path().join("httpbin-methods.httpbin.openapi.json");
    std::fs::write(&taken, "{}").unwrap();
    let refused = arazzo(&["fix", "--write", &methods.display().to_string()]);
    assert_eq!(refused.code, 3, "{}", refused.transcript());
    assert!(
        refused.stdout.contains("exists: not overwritten"),
        "{}",
        refused.stdout
    );
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "{}");
    assert_eq!(
        std::fs::read(&methods).unwrap(),
        std::fs::read(spec(&format!("{STREFETHEN}/httpbin-methods.arazzo.yaml"))).unwrap()
    );
    let described = dir.path().join("error-handling-retry.httpbin.openapi.json");
    let described: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(described).unwrap()).unwrap();
    assert_eq!(described["servers"][0]["url"], "https://httpbin.org/");
    assert!(
        described["paths"]["/status/503"]["get"].is_object(),
        "{described:#}"
    );
    let components =
        std::fs::read_to_string(dir.path().join("httpbin-components.arazzo.yaml")).unwrap();
    assert!(
        components.contains("          - reference: \"$components.failureActions.standardRetry\""),
        "{components}"
    );
}

#[test]
fn dialect_criteria_judge_the_response_as_they_read() {
    use wiremock::matchers::{method, path};
    let answer = |body: serde_json::Value| {
        crate::util::LocalApi::start(vec![
            wiremock::Mock::given(method("POST"))
                .and(path("/token"))
                .and(wiremock::matchers::header("X-User", "user ann"))
                .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(body)),
        ])
    };
    let doc = arg("compat/dialects.arazzo.yaml");
    let run = |api: &crate::util::LocalApi| {
        let server = format!("auth={}", api.server.uri());
        arazzo(&[
            "run", &doc, "--server", &server, "-i", "user=ann", "--format", "json",
        ])
    };
    let good =
        answer(serde_json::json!({"access_token": "t0k", "scope": "read", "token_type": "bearer"}));
    let out = run(&good);
    assert_eq!(out.code, 0, "{}", out.transcript());
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["outputs"]["issued"], "t0k");
    let mut found = rules(&out.stderr);
    found.sort_unstable();
    found.dedup();
    assert_eq!(
        found,
        [
            "compat-base-url-source",
            "compat-body-shorthand",
            "compat-braceless-expression",
            "compat-context-word",
            "compat-double-quoted",
            "compat-jsonpath-comparison",
            "compat-method-path"
        ],
        "{}",
        out.stderr
    );
    // Each criterion is a real check: a null token fails the step, naming the condition.
    let bad =
        answer(serde_json::json!({"access_token": null, "scope": "read", "token_type": "bearer"}));
    let out = run(&bad);
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(
        out.stdout
            .contains("`$response.body#/access_token != null` is false"),
        "{}",
        out.stdout
    );
    let wrong_scope =
        answer(serde_json::json!({"access_token": "t", "scope": "write", "token_type": "bearer"}));
    let out = run(&wrong_scope);
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(
        out.stdout.contains("$response.body.scope == 'read'"),
        "{}",
        out.stdout
    );
}

#[test]
fn respect_env_inputs_come_from_the_environment_and_stay_secret() {
    use wiremock::matchers::{header, method, path, query_param};
    let api = crate::util::LocalApi::start(vec![
        wiremock::Mock::given(method("GET"))
            .and(path("/menu"))
            .and(header("Authorization", "s3cr3t-t0ken"))
            .and(query_param("organizationId", "acme"))
            .respond_with(
                wiremock::ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"items": ["latte"]})),
            ),
    ]);
    let doc = arg("compat/respect-env.arazzo.yaml");
    let server = format!("cafe={}", api.server.uri());
    let env = [
        ("AUTH_TOKEN".to_string(), "s3cr3t-t0ken".to_string()),
        ("organizationId".to_string(), "acme".to_string()),
    ];
    let out = crate::util::arazzo_with_env(&["run", &doc, "--server", &server, "-v"], env.clone());
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert!(out.stdout.contains("latte"), "{}", out.stdout);
    assert!(
        out.stderr.contains("warning[compat-inputs-env]"),
        "{}",
        out.stderr
    );
    assert!(
        !out.transcript().contains("s3cr3t-t0ken"),
        "the token is never shown: {}",
        out.transcript()
    );
    // Given as an input, `env` wins over the environment.
    let given = crate::util::arazzo_with_env(
        &[
            "run",
            &doc,
            "--server",
            &server,
            "--input",
            r#"env={"AUTH_TOKEN": "other", "organizationId": "acme"}"#,
        ],
        env,
    );
    assert_eq!(given.code, 1, "{}", given.transcript());
    let strict = arazzo(&["validate", "--strict", &doc]);
    assert_eq!(strict.code, 3, "{}", strict.transcript());
    assert!(
        strict.stdout.contains("error[compat-inputs-env]"),
        "{}",
        strict.stdout
    );
}

#[test]
fn respect_x_security_sets_each_steps_credentials_and_hides_them() {
    use wiremock::matchers::{header, method, path};
    // Basic `John:s3cr3t-pw`.
    let basic = "Basic Sm9objpzM2NyM3QtcHc=";
    let api = crate::util::LocalApi::start(vec![
        wiremock::Mock::given(method("GET"))
            .and(path("/menu"))
            .and(header("X-API-KEY", "s3cr3t-pw"))
            .and(header("Authorization", "Bearer workflow-token"))
            .respond_with(wiremock::ResponseTemplate::new(200)),
        wiremock::Mock::given(method("GET"))
            .and(path("/menu"))
            .and(header("Authorization", basic))
            .respond_with(wiremock::ResponseTemplate::new(200)),
    ]);
    let doc = arg("compat/respect-x-security.arazzo.yaml");
    let server = format!("cafe={}", api.server.uri());
    let out = arazzo(&[
        "run",
        &doc,
        "--server",
        &server,
        "-i",
        "secret=s3cr3t-pw",
        "-v",
    ]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert_eq!(api.received().len(), 2);
    let transcript = out.transcript();
    assert!(
        !transcript.contains("s3cr3t-pw") && !transcript.contains("Sm9objpz"),
        "{transcript}"
    );
    assert!(
        transcript.contains("warning[compat-x-security]"),
        "{transcript}"
    );
    let strict = arazzo(&["validate", "--strict", &doc]);
    assert_eq!(strict.code, 3, "{}", strict.transcript());
}

#[test]
fn the_1_1_drafts_forms_run_as_they_read_and_fix_writes_the_spec_form() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let api = crate::util::LocalApi::start(vec![
        // The first create is refused as busy: the action's own `condition` decides the retry.
        Mock::given(method("POST"))
            .and(path("/orders"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1),
        Mock::given(method("POST"))
            .and(path("/orders"))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": "o-7"})),
            ),
        Mock::given(method("GET"))
            .and(path("/orders/o-7"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(serde_json::json!({"status": "open"})),
            ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    for file in ["drafts.arazzo.yaml", "drafts.openapi.yaml"] {
        std::fs::copy(spec(&format!("compat/{file}")), dir.path().join(file)).unwrap();
    }
    let doc = dir.path().join("drafts.arazzo.yaml").display().to_string();
    let server = format!("orders={}", api.server.uri());
    let out = arazzo(&["run", &doc, "--server", &server, "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["outputs"]["id"], "o-7");
    assert_eq!(report["outputs"]["status"], "open");
    assert_eq!(api.received().len(), 3, "a retry, then the order read");
    let mut found = rules(&out.stderr);
    found.sort_unstable();
    found.dedup();
    assert_eq!(
        found,
        [
            "compat-action-condition",
            "compat-criterion-string",
            "compat-depends-on-expression",
            "compat-outputs-list"
        ],
        "{}",
        out.stderr
    );
    // The letter refuses them before anything is sent.
    let strict = arazzo(&["run", &doc, "--server", &server, "--strict"]);
    assert_eq!(strict.code, 3, "{}", strict.transcript());
    assert_eq!(api.received().len(), 3);
    // `fix` writes the spec form, which the letter accepts and which runs the same.
    let fixed = arazzo(&["fix", "--write", &doc]);
    assert_eq!(fixed.code, 0, "{}", fixed.transcript());
    let text = std::fs::read_to_string(&doc).unwrap();
    for written in [
        "          - {condition: $statusCode == 201}",
        "            criteria: [{condition: $statusCode == 503}]",
        "          id: $response.body#/id",
        "          - create",
        "      id: $steps.create.outputs.id\n      status: $steps.check.outputs.status",
    ] {
        assert!(text.contains(written), "{written}: {text}");
    }
    let valid = arazzo(&["validate", "--strict", &doc]);
    assert_eq!(valid.code, 0, "{}", valid.transcript());
}

#[test]
fn a_called_workflows_outputs_read_through_its_step_are_passed_on() {
    use wiremock::matchers::{method, path, query_param};
    let created = "https://items.example/widget";
    let api = crate::util::LocalApi::start(vec![
        wiremock::Mock::given(method("POST"))
            .and(path("/post"))
            .respond_with(
                wiremock::ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"url": created})),
            ),
        wiremock::Mock::given(method("GET"))
            .and(path("/get"))
            .and(query_param("child_url", created))
            .respond_with(
                wiremock::ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"args": {"child_url": created}})),
            ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("sub-workflow.arazzo.yaml");
    std::fs::copy(
        spec(&format!("{STREFETHEN}/sub-workflow.arazzo.yaml")),
        &doc,
    )
    .unwrap();
    let doc = doc.display().to_string();
    let server = format!("httpbin={}", api.server.uri());
    let run = |doc: &str| {
        arazzo(&[
            "run",
            doc,
            "-w",
            "parent-flow",
            "-i",
            "item_name=widget",
            "--server",
            &server,
            "--format",
            "json",
        ])
    };
    let out = run(&doc);
    assert_eq!(out.code, 0, "{}", out.transcript());
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        report["outputs"],
        serde_json::json!({"created_url": created, "verified_child_url": created})
    );
    assert!(
        out.stderr
            .contains("read with `outputs: {created_url: $outputs.created_url}` added"),
        "{}",
        out.stderr
    );
    let fixed = arazzo(&["fix", "--write", &doc]);
    assert_eq!(fixed.code, 0, "{}", fixed.transcript());
    let text = std::fs::read_to_string(&doc).unwrap();
    assert!(
        text.contains(
            "      - outputs: {created_url: $outputs.created_url}\n        stepId: call-child\n"
        ),
        "{text}"
    );
    let strict = arazzo(&["validate", "--strict", &doc]);
    assert_eq!(strict.code, 0, "{}", strict.transcript());
    let again = run(&doc);
    assert_eq!(again.code, 0, "{}", again.transcript());
}

#[test]
fn a_problem_inside_a_value_a_reading_rewrote_is_located_at_what_was_written() {
    let text = "\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: api, url: ./api.yaml}
workflows:
  - workflowId: w
    steps:
      - {stepId: a, operationId: get}
    outputs:
      - id: $steps.a.outputs.id
      - status: $nothing
";
    let file = arazzo_model::SourceFile::parse("list.arazzo.yaml", text).unwrap();
    let validation = arazzo_model::validate(&file);
    // `/workflows/0/outputs/status` is not in the text (it has `/outputs/1/status`): the
    // list it was read from is where the problem is.
    let located: Vec<(String, Option<(usize, usize)>)> = validation
        .errors()
        .map(|d| (d.pointer.clone(), d.location.map(|at| (at.line, at.column))))
        .collect();
    assert!(
        located.contains(&("/workflows/0/outputs/status".to_string(), Some((10, 7)))),
        "{located:?}"
    );
}

#[test]
fn respect_x_operation_steps_call_their_url_and_fix_writes_a_source_for_it() {
    use wiremock::matchers::{body_json, method, path};
    use wiremock::{Mock, ResponseTemplate};
    let api = crate::util::LocalApi::start(vec![
        Mock::given(method("GET"))
            .and(path("/posts/1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": 1}))),
        Mock::given(method("POST"))
            .and(path("/posts"))
            .and(body_json(serde_json::json!({"title": "x"})))
            .respond_with(ResponseTemplate::new(201)),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("free.arazzo.yaml");
    // In the form of Redocly's own `tests/e2e/respect/free-apis/free.arazzo.yaml`.
    let text = format!(
        "\
arazzo: 1.0.1
info:
  title: Free APIs
  version: '1.0'
sourceDescriptions:
  - name: cafe
    type: openapi
    url: ./cafe.openapi.yaml
workflows:
  - workflowId: json
    steps:
      - stepId: get-first-post
        x-operation:
          url: {server}/posts/1
          method: get
        successCriteria:
          - condition: $response.body#/id == 1
      - stepId: create
        x-operation:
          url: {server}/posts
          method: POST
        requestBody:
          payload: {{title: x}}
        successCriteria:
          - condition: $statusCode == 201
",
        server = api.server.uri()
    );
    std::fs::write(&doc, &text).unwrap();
    std::fs::copy(
        spec("compat/respect-x-security.openapi.yaml"),
        dir.path().join("cafe.openapi.yaml"),
    )
    .unwrap();
    let doc = doc.display().to_string();
    let out = arazzo(&["run", &doc]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert_eq!(api.received().len(), 2);
    let found = rules(&out.stderr);
    assert!(found.contains(&"compat-x-operation"), "{}", out.stderr);
    // `--strict` refuses it, nothing sent.
    let strict = arazzo(&["run", &doc, "--strict"]);
    assert_eq!(strict.code, 3, "{}", strict.transcript());
    assert_eq!(api.received().len(), 2);
    let fixed = arazzo(&["fix", "--write", &doc]);
    assert_eq!(fixed.code, 0, "{}", fixed.transcript());
    let written = std::fs::read_to_string(&doc).unwrap();
    let host = api.server.address();
    let name = format!("127-0-0-1-{}", host.port());
    assert!(
        written.contains(&format!(
            "  - name: {name}\n    url: ./free.{name}.openapi.json\n    type: openapi\n"
        )),
        "{written}"
    );
    assert!(
        written.contains(&format!(
            "        operationPath:\n          \"{{$sourceDescriptions.{name}.url}}#/paths/~1posts/post\"\n"
        )),
        "{written}"
    );
    let valid = arazzo(&["validate", "--strict", &doc]);
    assert_eq!(valid.code, 0, "{}", valid.transcript());
    let again = arazzo(&["run", &doc, "--strict"]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    assert_eq!(api.received().len(), 4);
}
