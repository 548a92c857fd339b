//! The `arazzo` command line, run in-process: output and exit codes, snapshotted.

use crate::util::{arazzo, arg};

const AMBERFLO: &str = "amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml";

#[test]
fn cli_validate_amberflo() {
    let output = arazzo(&["validate", &arg(AMBERFLO)]);
    assert_eq!(output.code, 0);
    insta::assert_snapshot!(output.transcript());
}

#[test]
fn cli_validate_malformed_is_one_line_and_exit_3() {
    let output = arazzo(&["validate", &arg("amberflo/fixtures/malformed-workflow.yml")]);
    assert_eq!(output.code, 3);
    assert_eq!(output.stdout.lines().count(), 1);
    insta::assert_snapshot!(output.transcript());
}

#[test]
fn cli_validate_several_files_exit_3_if_one_is_invalid() {
    let output = arazzo(&[
        "validate",
        &arg(AMBERFLO),
        &arg("model/fail/unknown-step.arazzo.yaml"),
    ]);
    assert_eq!(output.code, 3);
    assert!(
        output
            .stdout
            .contains("amberflo-launch-usage-based-product-workflow.yml: valid\n")
    );
    assert!(
        output
            .stdout
            .contains("unknown-step.arazzo.yaml: invalid, 1 error")
    );
}

#[test]
fn cli_validate_json() {
    let output = arazzo(&[
        "validate",
        "--format",
        "json",
        &arg("model/fail/unknown-step.arazzo.yaml"),
        &arg("amberflo/fixtures/malformed-workflow.yml"),
    ]);
    assert_eq!(output.code, 3);
    let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(report["files"][0]["diagnostics"][0]["rule"], "unknown-step");
    assert_eq!(report["files"][1]["error"]["location"]["line"], 37);
    insta::assert_snapshot!(output.transcript());
}

#[test]
fn cli_validate_missing_file_exit_3() {
    let output = arazzo(&["validate", "no/such/file.yaml"]);
    assert_eq!(output.code, 3);
    assert!(
        output
            .stdout
            .contains("no/such/file.yaml: cannot read the file"),
        "{}",
        output.stdout
    );
}

#[test]
fn cli_usage_errors_exit_2() {
    assert_eq!(arazzo(&[]).code, 2);
    assert_eq!(arazzo(&["validate"]).code, 2);
    assert_eq!(arazzo(&["validate", "--format", "xml", "x.yaml"]).code, 2);
    assert_eq!(arazzo(&["frobnicate"]).code, 2);
    let help = arazzo(&["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("validate"));
}

#[test]
fn cli_list_amberflo() {
    let output = arazzo(&["list", &arg(AMBERFLO)]);
    assert_eq!(output.code, 0);
    insta::assert_snapshot!(output.transcript());
}

#[test]
fn cli_list_json_resolves_input_refs() {
    let output = arazzo(&[
        "list",
        "--format",
        "json",
        &arg("upstream/examples/1.0.0/pet-coupons.arazzo.yaml"),
    ]);
    assert_eq!(output.code, 0);
    let workflows: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let inputs = &workflows[0]["inputs"];
    assert!(
        inputs.as_array().is_some_and(|inputs| !inputs.is_empty()),
        "{inputs}"
    );
    insta::assert_snapshot!(output.transcript());
}

#[test]
fn cli_list_invalid_file_exit_3() {
    let output = arazzo(&["list", &arg("amberflo/fixtures/malformed-workflow.yml")]);
    assert_eq!(output.code, 3);
}

#[test]
fn cli_help_texts_say_what_each_command_takes() {
    let top = arazzo(&["--help"]);
    assert_eq!(top.code, 0);
    for command in ["validate", "list", "run", "test", "snapshot", "mock"] {
        assert!(top.stdout.contains(command), "{}", top.stdout);
    }
    assert!(
        top.stdout
            .starts_with("Validate, list, run, snapshot-test and mock")
    );
    let run = arazzo(&["run", "--help"]);
    // clap would turn `{n}` into a line break.
    assert!(
        run.stdout
            .contains("in inputs, `{n}` is the run number (from 1)"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains('\u{1b}'));
    for variable in [
        "ARAZZO_INPUT_<name>",
        "ARAZZO_SERVER_<SOURCE>",
        "ARAZZO_AUTH_<SCHEME>",
        "NO_COLOR",
    ] {
        assert!(run.stdout.contains(variable), "{variable}: {}", run.stdout);
    }
    let snapshot = arazzo(&["snapshot", "--help"]);
    assert!(snapshot.stdout.contains("ARAZZO_INPUT_<name>"));
    let list = arazzo(&["list", "--help"]);
    assert!(!list.stdout.contains("caret"), "{}", list.stdout);
    assert!(
        list.stdout.contains("each workflow with its inputs"),
        "{}",
        list.stdout
    );
}

/// What an embedding tool reuses of the CLI: the live step lines (an `Observer`), the human
/// outcome, JUnit and the rendering of an invalid document's diagnostics.
#[test]
fn cli_printers_are_reachable_from_the_library() {
    use arazzo_exec::{Engine, Plan, ReplayExecutor, SourceOptions};

    let dir = crate::util::spec("workflows/amberflo");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let plan = runtime
        .block_on(Plan::load(
            dir.join("arazzo.yaml"),
            &SourceOptions::default(),
        ))
        .unwrap();
    let engine = Engine::new(
        plan,
        ReplayExecutor::from_path(dir.join("cassette.yaml")).unwrap(),
    );
    let inputs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("inputs.json")).unwrap()).unwrap();
    let mut err: Vec<u8> = Vec::new();
    let lines = arazzo_cli::human::StepLines::new(&mut err, 16, false, false);
    let report = runtime
        .block_on(engine.run_observed("launch-usage-based-product", inputs, &lines))
        .unwrap();
    arazzo_cli::human::write_report(&report, false, true, false, lines.into_inner()).unwrap();
    let text = String::from_utf8(err).unwrap();
    let printed: Vec<&str> = text.lines().collect();
    assert_eq!(printed.len(), 5, "{text}");
    assert!(printed[0].starts_with("ok   createMeter "), "{text}");
    assert!(printed[4].starts_with("workflow launch-usage-based-product passed (4 steps"));

    let xml = arazzo_cli::junit::render(&report).unwrap();
    assert!(xml.contains(r#"<testsuite name="launch-usage-based-product" tests="4""#));

    let file =
        arazzo_model::SourceFile::read(crate::util::spec("model/fail/unknown-step.arazzo.yaml"))
            .unwrap();
    let validation = arazzo_model::validate(&file);
    let diagnostic = validation.errors().next().unwrap();
    let shown = arazzo_cli::render::diagnostic(&file, diagnostic, false);
    assert!(shown.starts_with("error[unknown-step]"), "{shown}");
    assert!(shown.contains(" --> "), "{shown}");
}

/// A source description that cannot be loaded stops `run`, `snapshot` and `mock` alike:
/// exit 3, nothing sent, whether validation finds it (a file that is no OpenAPI document) or
/// the loading does (a remote URL without --allow-remote).
#[test]
fn cli_an_unloadable_source_is_exit_3_in_every_command() {
    let dir = crate::util::temp_dir("unloadable-source");
    let not_openapi = arg("amberflo/inputs.json");
    // Nothing listens there: the URL is refused before any connection.
    let remote = "http://127.0.0.1:9/api.yaml";
    for (source, message) in [
        (
            not_openapi.as_str(),
            "neither an OpenAPI, an AsyncAPI nor an Arazzo document",
        ),
        (remote, "is remote: fetching it needs --allow-remote"),
    ] {
        let document = dir.path().join("flow.arazzo.yaml");
        std::fs::write(
            &document,
            format!(
                "arazzo: 1.0.1\ninfo: {{title: t, version: '1'}}\nsourceDescriptions:\n  - {{name: api, url: '{source}', type: openapi}}\nworkflows:\n  - workflowId: flow\n    steps:\n      - {{stepId: call, operationId: getThing}}\n"
            ),
        )
        .unwrap();
        let document = document.display().to_string();
        for args in [
            vec!["run", document.as_str()],
            vec!["run", document.as_str(), "--mock"],
            vec!["snapshot", document.as_str()],
            vec!["mock", source],
        ] {
            let output = arazzo(&args);
            assert_eq!(output.code, 3, "{args:?}: {}", output.transcript());
            assert!(
                output.stderr.contains(message),
                "{args:?}: {}",
                output.transcript()
            );
        }
    }
}

#[test]
fn an_action_target_in_another_source_is_called_a_workflow() {
    let dir = crate::util::temp_dir("action-workflow-target");
    for file in ["api.openapi.yaml", "library.arazzo.yaml"] {
        std::fs::copy(
            crate::util::spec(&format!("flow/{file}")),
            dir.path().join(file),
        )
        .unwrap();
    }
    let document = dir.path().join("flow.arazzo.yaml");
    let write = |workflows: &str| {
        std::fs::write(
            &document,
            format!(
                "arazzo: 1.0.1\ninfo: {{title: t, version: '1'}}\nsourceDescriptions:\n  - {{name: api, url: ./api.openapi.yaml, type: openapi}}\n  - {{name: library, url: ./library.arazzo.yaml, type: arazzo}}\nworkflows:\n{workflows}"
            ),
        )
        .unwrap();
    };
    let document = document.display().to_string();

    // `api` is an OpenAPI source: validation refuses the reference, nothing is sent.
    write(
        "  - workflowId: w\n    steps:\n      - stepId: first\n        workflowId: $sourceDescriptions.library.find-available\n        parameters: [{name: status, value: available}]\n        onFailure:\n          - {name: away, type: goto, workflowId: $sourceDescriptions.api.elsewhere}\n",
    );
    let output = arazzo(&["run", &document, "--mock"]);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        output.stderr.contains(
            "error[unknown-workflow]: workflow `$sourceDescriptions.api.elsewhere`: `api` is an OpenAPI description, not an Arazzo document with workflows"
        ),
        "{}",
        output.stderr
    );
    let validated = arazzo(&["validate", &document]);
    assert_eq!(validated.code, 3, "{}", validated.transcript());
    assert!(
        !output.stderr.contains("step `$sourceDescriptions"),
        "{}",
        output.stderr
    );

    write(
        "  - workflowId: w\n    dependsOn: [$sourceDescriptions.api.elsewhere]\n    steps:\n      - {stepId: first, operationId: login}\n",
    );
    let output = arazzo(&["run", &document, "--mock"]);
    assert_eq!(output.code, 3, "{}", output.transcript());
    assert!(
        output.stderr.contains(
            "workflow `w` dependsOn: workflow `$sourceDescriptions.api.elsewhere`: `api` is not an Arazzo source description"
        ),
        "{}",
        output.stderr
    );
}
