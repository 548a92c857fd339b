//! Loading and validating documents: `specs/model/{pass,fail,load}` and the Amberflo files.

use arazzo_model::{Rule, Severity, SourceFile, validate};

use crate::util::{arazzo, arg, spec};

#[test]
fn model_pass_fixtures_are_valid() {
    insta::glob!("../specs", "model/pass/*.arazzo.yaml", |path| {
        let file = SourceFile::read(path).unwrap();
        let validation = crate::util::validate_fully(&file);
        let errors: Vec<_> = validation.errors().collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        assert!(validation.document.is_some());
        // Warnings (e.g. the Goessner JSONPath approximation) are pinned, not hidden.
        let warnings: Vec<String> = validation
            .diagnostics
            .iter()
            .map(|d| format!("{} {} {}", d.rule, d.pointer, d.message))
            .collect();
        insta::assert_snapshot!(warnings.join("\n"));
    });
}

#[test]
fn model_fail_fixtures_report_their_rule() {
    insta::glob!("../specs", "model/fail/*.arazzo.yaml", |path| {
        let rule_id = path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .trim_end_matches(".arazzo.yaml");
        let file = SourceFile::read(path).unwrap();
        // The whole validation, with the rules that need the sources loaded.
        let validation = crate::util::validate_fully(&file);
        let found = validation
            .diagnostics
            .iter()
            .find(|d| d.rule.id() == rule_id);
        let found = found.unwrap_or_else(|| panic!("{rule_id}: {:#?}", validation.diagnostics));
        assert!(found.location.is_some(), "{rule_id}: no location");
        if found.severity == Severity::Error {
            assert!(!validation.is_valid());
        }
        let relative = format!("model/fail/{}", path.file_name().unwrap().to_str().unwrap());
        insta::assert_snapshot!(arazzo(&["validate", &arg(&relative)]).transcript());
    });
}

#[test]
fn every_rule_has_a_fail_fixture() {
    for rule in Rule::ALL {
        let fixture = spec(&format!("model/fail/{}.arazzo.yaml", rule.id()));
        assert!(fixture.exists(), "no fixture for rule `{rule}`");
    }
}

#[test]
fn model_load_errors_are_one_line_with_a_location() {
    insta::glob!("../specs", "model/load/*", |path| {
        let err = SourceFile::read(path).unwrap_err().to_string();
        assert_eq!(err.lines().count(), 1, "{err}");
        let specs = crate::util::specs().display().to_string();
        insta::assert_snapshot!(err.replace(&specs, "specs"));
    });
}

#[test]
fn extensions_are_kept_and_unknown_fields_reported() {
    let document =
        arazzo_model::from_path(spec("model/pass/extensions-everywhere.arazzo.yaml")).unwrap();
    assert_eq!(
        document.extensions.x["x-root"],
        serde_json::json!({"any": ["value"]})
    );
    assert_eq!(document.info.extensions.x["x-info"], 1);
    assert_eq!(
        document.workflows[0].steps[0].extensions.x["x-step-note"],
        "kept"
    );

    let document = arazzo_model::from_path(spec("model/fail/unknown-field.arazzo.yaml")).unwrap();
    let step = &document.workflows[0].steps[0];
    assert!(step.success_criteria.is_empty());
    assert!(step.extensions.unknown.contains_key("sucessCriteria"));
}

#[test]
fn json_and_yaml_give_the_same_model() {
    let yaml = arazzo_model::from_path(spec("model/pass/workflow-step-and-depends-on.arazzo.yaml"))
        .unwrap();
    let json = arazzo_model::from_path(spec("model/json/workflow-step-and-depends-on.arazzo.json"))
        .unwrap();
    assert_eq!(yaml, json);
    let text = std::fs::read_to_string(spec("model/json/workflow-step-and-depends-on.arazzo.json"))
        .unwrap();
    assert_eq!(arazzo_model::from_json(&text).unwrap(), yaml);
}

#[test]
fn load_error_names_the_field_and_its_line() {
    let text = "arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: []\nworkflows:\n  - workflowId: w\n    steps:\n      - stepId: s\n        successCriteria: 3\n";
    let err = arazzo_model::from_yaml(text).unwrap_err();
    assert_eq!(err.pointer, "/workflows/0/steps/0/successCriteria");
    assert_eq!(err.location.map(|at| (at.line, at.column)), Some((8, 26)));
    assert_eq!(err.to_string().lines().count(), 1);
}

#[test]
fn amberflo_validates_without_errors() {
    let validation = validate(
        &SourceFile::read(spec(
            "amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml",
        ))
        .unwrap(),
    );
    let errors: Vec<_> = validation.errors().collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Its four bare operationIds with two OpenAPI sources are worth a warning, not an error...
    let rules: Vec<Rule> = validation.diagnostics.iter().map(|d| d.rule).collect();
    assert_eq!(rules, [Rule::AmbiguousOperationId; 4]);
    // ...which a caller that resolves them against the loaded sources leaves out.
    let resolved = arazzo_model::validate_with(
        &SourceFile::read(spec(
            "amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml",
        ))
        .unwrap(),
        &arazzo_model::ValidateOptions {
            operation_ids_resolved: true,
            ..Default::default()
        },
    );
    assert!(
        resolved.diagnostics.is_empty(),
        "{:#?}",
        resolved.diagnostics
    );
}

#[test]
fn amberflo_malformed_copy_gives_one_line_with_the_brace_line() {
    let err = SourceFile::read(spec("amberflo/fixtures/malformed-workflow.yml")).unwrap_err();
    let text = err.to_string();
    assert!(
        text.ends_with(
            "malformed-workflow.yml:37:16: unclosed `{`: did not find expected ',' or '}' at 38:5"
        ),
        "{text}"
    );
}

/// An inputs schema `$ref` to another file: `validate` and `run` give the same verdict (exit 3,
/// nothing sent); `validate` used to accept what `run` then refused.
#[test]
fn input_schema_refs_to_a_file_beside_the_document_are_followed_by_validate_and_run() {
    let dir = crate::util::temp_dir("external-input-ref");
    std::fs::write(
        dir.path().join("inputs.schema.json"),
        r#"{"$defs": {"ping": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}"#,
    )
    .unwrap();
    let file = crate::limits::generated(
        dir.path(),
        "  - workflowId: external\n    inputs: {$ref: './inputs.schema.json#/$defs/ping'}\n    steps:\n      - {stepId: ping, operationId: ping}\n",
    );
    let validated = arazzo(&["validate", &file]);
    assert_eq!(validated.code, 0, "{}", validated.transcript());
    // The schema of the other file checks the inputs: a missing one is refused, nothing sent.
    let refused = arazzo(&["run", &file, "--mock"]);
    assert_eq!(refused.code, 3, "{}", refused.transcript());
    assert!(
        refused.stderr.contains("missing required input `name`"),
        "{}",
        refused.stderr
    );
    let ran = arazzo(&["run", &file, "--mock", "--input", "name=ann"]);
    assert_eq!(ran.code, 0, "{}", ran.transcript());

    let lost = crate::util::temp_dir("missing-input-ref");
    let file = crate::limits::generated(
        lost.path(),
        "  - workflowId: missing\n    inputs: {$ref: './nowhere.json'}\n    steps:\n      - {stepId: ping, operationId: ping}\n",
    );
    for args in [vec!["validate", &file], vec!["run", &file, "--mock"]] {
        let out = arazzo(&args);
        assert_eq!(out.code, 3, "{}", out.transcript());
        let text = format!("{}{}", out.stdout, out.stderr);
        assert!(
            text.contains("error[unknown-input-ref]: the inputs schema does not resolve")
                && text.contains("nowhere.json"),
            "{text}"
        );
    }
}

#[test]
fn workflow_references_into_arazzo_sources_are_checked_by_validate() {
    let dir = crate::util::temp_dir("cross-source-workflow");
    let api = "petstore.openapi.yaml";
    std::fs::copy(spec(&format!("model/fail/{api}")), dir.path().join(api)).unwrap();
    let flows = dir.path().join("flows.arazzo.yaml");
    std::fs::copy(spec("model/fail/compat-operation-id.arazzo.yaml"), &flows).unwrap();
    let doc = dir.path().join("calls.arazzo.yaml");
    std::fs::write(
        &doc,
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n  - {name: flows, url: ./flows.arazzo.yaml, type: arazzo}\nworkflows:\n  - workflowId: twice\n    steps:\n      - stepId: first\n        workflowId: $sourceDescriptions.flows.adopt\n      - stepId: second\n        workflowId: $sourceDescriptions.flows.adpot\n        onFailure:\n          - {name: other, type: goto, workflowId: $sourceDescriptions.flows.nope}\n",
    )
    .unwrap();
    let out = arazzo(&["validate", &doc.display().to_string()]);
    assert_eq!(out.code, 3, "{}", out.transcript());
    let errors: Vec<&str> = out
        .stdout
        .lines()
        .filter(|line| line.starts_with("error["))
        .collect();
    assert_eq!(
        errors,
        [
            "error[unknown-workflow]: `adpot` is not a workflow of source `flows`",
            "error[unknown-workflow]: `nope` is not a workflow of source `flows`"
        ],
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("help: did you mean `adopt`?"),
        "{}",
        out.stdout
    );
}

#[test]
fn model_hostile_nesting_and_size_are_refused_before_parsing() {
    // 400 KB of flow nesting as a mapping value took 87 s in the YAML scanner.
    let levels = 200_000;
    for (name, text) in [
        (
            "deep.arazzo.yaml",
            format!("a: {}{}\n", "[".repeat(levels), "]".repeat(levels)),
        ),
        (
            "deep.arazzo.yaml",
            format!(
                "a: {}1{}\n",
                "{b: ".repeat(levels / 4),
                "}".repeat(levels / 4)
            ),
        ),
        (
            "deep.arazzo.json",
            format!("{{\"a\": {}{}}}", "[".repeat(levels), "]".repeat(levels)),
        ),
    ] {
        let err =
            crate::expr::within_10s(move || SourceFile::parse(name, text).unwrap_err().to_string());
        assert!(
            err.starts_with(&format!("{name}:1:"))
                && err.ends_with(": collections nest deeper than 128 levels (the limit)"),
            "{err}"
        );
    }
    let large = format!(
        "a: 1\nb: '{}'\n",
        "x".repeat(arazzo_model::MAX_DOCUMENT_SIZE)
    );
    let err = SourceFile::parse("large.arazzo.yaml", large)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "large.arazzo.yaml:2:{}: the document is larger than the 16 MiB limit",
            arazzo_model::MAX_DOCUMENT_SIZE - 5 + 1
        )
    );
}
