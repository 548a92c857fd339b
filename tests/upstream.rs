//! The official material vendored in `specs/upstream/`: examples, schema-test fixtures and the
//! examples embedded in the spec text. Official files have defects (checklist §7); their
//! diagnostics are pinned by snapshots, never hidden by a skip list.

use arazzo_model::{Rule, SourceFile, validate};

use crate::util::{arazzo, spec};

#[test]
fn upstream_examples_load_and_validate() {
    insta::glob!(
        "../specs",
        "upstream/examples/1.0.0/*arazzo*.yaml",
        |path| {
            arazzo_model::from_path(path).unwrap();
            let relative = path
                .strip_prefix(crate::util::specs())
                .unwrap()
                .display()
                .to_string();
            insta::assert_snapshot!(
                arazzo(&["validate", &crate::util::arg(&relative)]).transcript()
            );
        }
    );
}

/// The rules that check what the official JSON Schema checks.
const SCHEMA_RULES: &[Rule] = &[
    Rule::WrongType,
    Rule::MissingField,
    Rule::UnknownField,
    Rule::InvalidValue,
    Rule::ArazzoVersion,
    Rule::SourceName,
    Rule::ComponentKey,
    Rule::EmptyList,
    Rule::DuplicateItem,
    Rule::OutOfRange,
    Rule::ParameterInBody,
    Rule::CriterionContext,
    Rule::Schema,
];

#[test]
fn upstream_schema_pass_fixtures_pass_the_schema_rules() {
    insta::glob!("../specs", "upstream/schema-tests/pass/*.yaml", |path| {
        let validation = validate(&SourceFile::read(path).unwrap());
        let schema_errors: Vec<_> = validation
            .diagnostics
            .iter()
            .filter(|d| SCHEMA_RULES.contains(&d.rule))
            .collect();
        assert!(
            schema_errors.is_empty(),
            "{}: {schema_errors:#?}",
            path.display()
        );
        // These fixtures test the schema only; their other defects (an invalid RFC 9535 query,
        // outputs never declared — checklist §7.3) are pinned here.
        let relative = path
            .strip_prefix(crate::util::specs())
            .unwrap()
            .display()
            .to_string();
        insta::assert_snapshot!(arazzo(&["validate", &crate::util::arg(&relative)]).transcript());
    });
}

#[test]
fn upstream_schema_fail_fixtures_are_invalid() {
    insta::glob!("../specs", "upstream/schema-tests/fail/*.yaml", |path| {
        let validation = validate(&SourceFile::read(path).unwrap());
        assert!(!validation.is_valid(), "{}", path.display());
    });
}

#[test]
fn upstream_1_1_schema_pass_fixtures_pass_the_schema_rules() {
    insta::glob!(
        "../specs",
        "upstream/schema-tests/v1.1/pass/*.yaml",
        |path| {
            let validation = validate(&SourceFile::read(path).unwrap());
            let schema_errors: Vec<_> = validation
                .errors()
                .filter(|d| SCHEMA_RULES.contains(&d.rule))
                .collect();
            // The characterization fixtures show what the schema cannot see; the engine's rules
            // refuse them (the next tests).
            let characterization = path.to_string_lossy().contains("characterization-");
            assert!(
                characterization || schema_errors.is_empty(),
                "{}: {schema_errors:#?}",
                path.display()
            );
            // Their other defects (checklist §13.3: bare channelPaths, `$message.payload.x`, source
            // names of the wrong case, the characterization fixtures) are pinned here.
            let relative = path
                .strip_prefix(crate::util::specs())
                .unwrap()
                .display()
                .to_string();
            insta::assert_snapshot!(
                arazzo(&["validate", &crate::util::arg(&relative)]).transcript()
            );
        }
    );
}

/// Each 1.1 fail fixture, and the rule that refuses it for the reason in its name.
const FAILS_1_1: &[(&str, Rule)] = &[
    ("async-both-operationId-and-channelPath", Rule::StepTarget),
    ("async-channelPath-without-action", Rule::StepKind),
    ("async-depends-on-duplicate-values", Rule::DuplicateItem),
    ("async-depends-on-empty", Rule::EmptyList),
    // The letter refuses it; without --strict it is read as `sendEvent` (the 1.1 drafts'
    // examples write it so).
    (
        "async-depends-on-invalid-reference",
        Rule::CompatDependsOnExpression,
    ),
    ("channel-path-is-invalid-for-openapi", Rule::ChannelPath),
    ("invalid-arazzo-version", Rule::WrongType),
    ("invalid-async", Rule::InvalidValue),
    (
        "invalid-async-correlation-id-non-receive-action",
        Rule::StepKind,
    ),
    (
        "invalid-async-parameter-without-in",
        Rule::ParameterInMissing,
    ),
    ("invalid-expression-type-object", Rule::InvalidValue),
    (
        "invalid-openapi-parameter-without-in",
        Rule::ParameterInMissing,
    ),
    ("invalid-openapi-success-criteria", Rule::EmptyList),
    ("invalid-querystring-without-value", Rule::MissingField),
    ("invalid-selector-object", Rule::MissingField),
    ("invalid-self-fragment", Rule::SelfUri),
    ("invalid-targetSelectorType", Rule::InvalidValue),
    ("invalid-workflow-step-with-operationId", Rule::StepTarget),
    ("invalid-workflow-success-criteria", Rule::EmptyList),
    ("not-an-object", Rule::WrongType),
    (
        "openapi-both-operationId-and-operationPath",
        Rule::StepTarget,
    ),
    ("openapi-duplicate-parameters", Rule::DuplicateParameter),
    ("openapi-missing-operation-target", Rule::StepTarget),
    ("workflow-duplicate-parameters", Rule::DuplicateParameter),
    ("workflow-missing-workflowId", Rule::StepTarget),
    ("workflow-step-with-action", Rule::StepKind),
    ("workflow-step-with-channelPath", Rule::StepTarget),
];

#[test]
fn upstream_1_1_schema_fail_fixtures_fail_for_their_reason() {
    let dir = spec("upstream/schema-tests/v1.1/fail");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let named: Vec<String> = FAILS_1_1
        .iter()
        .map(|(name, _)| {
            let file = format!("{name}.arazzo.yaml");
            match files.contains(&file) {
                true => file,
                false => format!("{name}.yaml"),
            }
        })
        .collect();
    let mut sorted = named.clone();
    sorted.sort();
    assert_eq!(sorted, files, "every fail fixture has a row");
    // The schema tests are the letter of the spec: `--strict`.
    let strict = arazzo_model::ValidateOptions {
        strict: true,
        ..Default::default()
    };
    for ((name, rule), file) in FAILS_1_1.iter().zip(&named) {
        let validation =
            arazzo_model::validate_with(&SourceFile::read(dir.join(file)).unwrap(), &strict);
        assert!(
            validation.errors().any(|d| d.rule == *rule),
            "{name}: no {rule} error in {:#?}",
            validation.diagnostics
        );
    }
}

/// The fixtures the official schema accepts only because it picks a step's kind by its fields
/// (checklist §3.4, D3): the engine, which knows the source's type, refuses them.
#[test]
fn characterization_fixtures_are_refused_by_the_engine_rules() {
    let expected = [
        (
            "characterization-async-invalid-channelPath-string",
            Rule::ChannelPath,
        ),
        (
            "characterization-asyncapi-operationId-without-action",
            Rule::StepKind,
        ),
        (
            "characterization-openapi-invalid-operationPath-string",
            Rule::Schema,
        ),
        (
            "characterization-openapi-operationId-with-action",
            Rule::StepKind,
        ),
        (
            "characterization-openapi-receive-with-correlationId",
            Rule::StepKind,
        ),
    ];
    for (name, rule) in expected {
        let path = spec(&format!(
            "upstream/schema-tests/v1.1/pass/{name}.arazzo.yaml"
        ));
        let validation = validate(&SourceFile::read(path).unwrap());
        assert!(
            validation.errors().any(|d| d.rule == rule),
            "{name}: {:#?}",
            validation.diagnostics
        );
    }
    // A workflow step's `requestBody` is "kept for backward compatibility": ignored, with a
    // warning.
    let path = spec(
        "upstream/schema-tests/v1.1/pass/characterization-workflow-step-with-requestBody.arazzo.yaml",
    );
    let validation = validate(&SourceFile::read(path).unwrap());
    assert!(validation.is_valid());
    assert!(
        validation
            .diagnostics
            .iter()
            .any(|d| d.rule == Rule::StepKind && d.pointer.ends_with("/requestBody"))
    );
}

/// The fenced YAML/JSON blocks of a spec text (`1.0.1`, `1.1.0`), with their starting line.
fn spec_text_blocks(version: &str) -> Vec<(usize, &'static str, String)> {
    let text = std::fs::read_to_string(spec(&format!("upstream/versions/{version}.md"))).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<(usize, &'static str, String)> = None;
    for (index, line) in text.lines().enumerate() {
        match (&mut current, line.trim()) {
            (None, "```yaml") => current = Some((index + 1, "yaml", String::new())),
            (None, "```json") => current = Some((index + 1, "json", String::new())),
            (Some(_), "```") => blocks.push(current.take().unwrap()),
            (Some((_, _, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn spec_text_examples_parse_and_the_full_document_is_checked() {
    spec_text_examples("1.0.1", 29, 1);
    spec_text_examples("1.1.0", 47, 6);
}

/// Every block of the spec text parses; the one whole document's diagnostics are pinned (the
/// 1.1 root example is schema-invalid and cannot run: checklist §13.1).
fn spec_text_examples(version: &str, count: usize, whole: usize) {
    let blocks = spec_text_blocks(version);
    assert_eq!(
        blocks.len(),
        count,
        "the {version} text has {count} YAML/JSON blocks"
    );
    let mut documents = 0;
    for (line, format, body) in &blocks {
        let name = format!("versions/{version}.md@L{line}.{format}");
        // Some JSON blocks are object members (`"components": {…}`), not whole values.
        let text = match body.trim_start().starts_with('"') {
            true => format!("{{{body}}}"),
            false => body.clone(),
        };
        let file = match SourceFile::parse(&name, text) {
            Ok(file) => file,
            // The 1.1 text's embedded-expression example writes `successCriteria:` three times
            // in one mapping (checklist §13.1): a duplicate key is refused, as YAML says.
            Err(err) if version == "1.1.0" && *line == 888 => {
                assert!(
                    err.to_string().contains("duplicate key `successCriteria`"),
                    "{err}"
                );
                continue;
            }
            Err(err) => panic!("{err}"),
        };
        if file.value().get("arazzo").is_some() {
            documents += 1;
            let validation = validate(&file);
            let rendered: Vec<String> = validation
                .diagnostics
                .iter()
                .map(|d| {
                    format!(
                        "{} {} {}: {}",
                        d.rule,
                        d.pointer,
                        d.location.map(|at| at.to_string()).unwrap_or_default(),
                        d.message
                    )
                })
                .collect();
            let snapshot = match version {
                "1.0.1" => format!("spec_text_document_L{line}"),
                _ => format!("spec_text_{version}_document_L{line}"),
            };
            insta::assert_snapshot!(snapshot, rendered.join("\n"));
        }
    }
    assert_eq!(documents, whole);
}
