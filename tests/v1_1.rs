//! Arazzo 1.1 documents beside 1.0.x ones: the version chosen per document, the 1.1 rules,
//! 1.1 constructs refused in 1.0 documents, and `arazzo fix --to 1.1`.

use crate::util::{arazzo, arg, copy_tree, spec};

#[test]
fn fix_to_1_1_upgrades_a_document_in_place_and_it_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&spec("amberflo"), dir.path());
    let doc = dir
        .path()
        .join("workflows/amberflo-launch-usage-based-product-workflow.yml");
    let doc = doc.display().to_string();
    let original = std::fs::read_to_string(&doc).unwrap();

    let check = arazzo(&["fix", "--check", "--to", "1.1", &doc]);
    assert_eq!(check.code, 1, "{}", check.transcript());
    assert!(
        check.stdout.contains("-arazzo: 1.0.1\n+arazzo: 1.1.0\n"),
        "{}",
        check.stdout
    );

    let write = arazzo(&["fix", "--write", "--to", "1.1", &doc]);
    assert_eq!(write.code, 0, "{}", write.transcript());
    let upgraded = std::fs::read_to_string(&doc).unwrap();
    let changed: Vec<(&str, &str)> = original
        .lines()
        .zip(upgraded.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed, [("arazzo: 1.0.1", "arazzo: 1.1.0")]);
    assert_eq!(original.lines().count(), upgraded.lines().count());

    let inputs = arg("amberflo/inputs.json");
    let run = arazzo(&["run", &doc, "--inputs", &inputs, "--mock"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    // Already 1.1: nothing left to do.
    let again = arazzo(&["fix", "--check", "--to", "1.1", &doc]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""));
}

#[test]
fn fix_to_1_1_refuses_an_upgrade_that_1_1_rules_reject() {
    let dir = tempfile::tempdir().unwrap();
    let openapi = spec("model/fail/petstore.openapi.yaml");
    std::fs::copy(&openapi, dir.path().join("petstore.openapi.yaml")).unwrap();
    let text = std::fs::read_to_string(spec("model/fail/forward-reference.arazzo.yaml"))
        .unwrap()
        .replace("arazzo: 1.1.0", "arazzo: 1.0.1");
    let doc = dir.path().join("forward.arazzo.yaml");
    std::fs::write(&doc, &text).unwrap();
    let doc = doc.display().to_string();

    // In 1.0 a step reading a later step's outputs is only a warning.
    let valid = arazzo(&["validate", &doc]);
    assert_eq!(valid.code, 0, "{}", valid.transcript());
    assert!(
        valid.stdout.contains("warning[forward-reference]"),
        "{}",
        valid.stdout
    );

    let write = arazzo(&["fix", "--write", "--to", "1.1", &doc]);
    assert_eq!(write.code, 3, "{}", write.transcript());
    assert!(
        write.stdout.contains("forward.arazzo.yaml:17:27: as Arazzo 1.1.0: step `first` reads `$steps.second`, which runs later (forward-reference)"),
        "{}",
        write.stdout
    );
    assert_eq!(
        std::fs::read_to_string(&doc).unwrap(),
        text,
        "nothing written"
    );
}

#[test]
fn arazzo_1_1_constructs_in_a_1_0_document_say_which_version_has_them() {
    let text = r#"
arazzo: 1.0.1
$self: https://example.com/pets.arazzo.yaml
info: {title: pets, version: 1.0.0}
sourceDescriptions:
  - {name: events, url: ./events.asyncapi.yaml, type: asyncapi}
workflows:
  - workflowId: watch
    steps:
      - stepId: confirmed
        operationId: confirmOrder
        timeout: 5000
        parameters:
          - {name: q, in: querystring, value: a=1}
"#;
    let file = arazzo_model::SourceFile::parse("old.arazzo.yaml", text.to_string()).unwrap();
    let validation = arazzo_model::validate(&file);
    let helps: Vec<(String, String)> = validation
        .errors()
        .map(|d| (d.rule.id().to_string(), d.help.clone().unwrap_or_default()))
        .collect();
    for (rule, help) in [
        (
            "unknown-field",
            "`$self` is Arazzo 1.1: declare `arazzo: 1.1.0` to use it",
        ),
        (
            "invalid-value",
            "`asyncapi` is Arazzo 1.1: declare `arazzo: 1.1.0` to use it",
        ),
        (
            "unknown-field",
            "`timeout` is Arazzo 1.1: declare `arazzo: 1.1.0` to use it",
        ),
        (
            "invalid-value",
            "`querystring` is Arazzo 1.1: declare `arazzo: 1.1.0` to use it",
        ),
    ] {
        assert!(
            helps.contains(&(rule.to_string(), help.to_string())),
            "{rule} {help}: {helps:#?}"
        );
    }
    // The same document as 1.1 has none of these errors: what is left are
    // 1.1's own rules (an AsyncAPI step needs an `action`, and cannot take
    // a querystring parameter).
    let text = text.replace("arazzo: 1.0.1", "arazzo: 1.1.0");
    let file = arazzo_model::SourceFile::parse("new.arazzo.yaml", text).unwrap();
    let validation = arazzo_model::validate(&file);
    let rules: Vec<&str> = validation.errors().map(|d| d.rule.id()).collect();
    assert_eq!(rules, ["step-kind", "parameter-in"], "{rules:?}");
}

#[test]
fn expression_forms_of_the_other_version_are_refused_saying_which_has_them() {
    let document = |version: &str, value: &str| {
        format!(
            r#"
arazzo: {version}
info: {{title: forms, version: 1.0.0}}
sourceDescriptions:
  - {{name: api, url: ./api.openapi.yaml}}
workflows:
  - workflowId: forms
    steps:
      - stepId: first
        operationId: getThing
        parameters:
          - {{name: q, in: query, value: {value}}}
"#
        )
    };
    let errors = |text: String| {
        let file = arazzo_model::SourceFile::parse("forms.arazzo.yaml", text).unwrap();
        arazzo_model::validate(&file)
            .errors()
            .filter(|d| d.rule.id() == "expression-syntax")
            .map(|d| (d.message.clone(), d.help.clone().unwrap_or_default()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        errors(document("1.0.1", "$message.payload#/id")),
        [(
            "`$message` expressions were removed in Arazzo 1.0.1".to_string(),
            "`$message` is Arazzo 1.1: declare `arazzo: 1.1.0` to use it".to_string()
        )]
    );
    assert_eq!(
        errors(document("1.0.1", "$self")),
        [(
            "`$self` expressions are new in Arazzo 1.1".to_string(),
            "`$self` is Arazzo 1.1: declare `arazzo: 1.1.0` to use it".to_string()
        )]
    );
    assert!(errors(document("1.1.0", "$self")).is_empty());
    assert!(errors(document("1.1.0", "$message.payload#/id")).is_empty());
    let refused = errors(document("1.1.0", "$components.inputs.thing"));
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].0.contains("removed in Arazzo 1.1"),
        "{refused:?}"
    );
}
