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

/// The fenced YAML/JSON blocks of the spec text, with their starting line.
fn spec_text_blocks() -> Vec<(usize, &'static str, String)> {
    let text = std::fs::read_to_string(spec("upstream/versions/1.0.1.md")).unwrap();
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
    let blocks = spec_text_blocks();
    assert_eq!(blocks.len(), 29, "the spec text has 29 YAML/JSON blocks");
    let mut documents = 0;
    for (line, format, body) in &blocks {
        let name = format!("versions/1.0.1.md@L{line}.{format}");
        // Some JSON blocks are object members (`"components": {…}`), not whole values.
        let text = match body.trim_start().starts_with('"') {
            true => format!("{{{body}}}"),
            false => body.clone(),
        };
        let file = SourceFile::parse(&name, text).unwrap_or_else(|err| panic!("{err}"));
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
            insta::assert_snapshot!(format!("spec_text_document_L{line}"), rendered.join("\n"));
        }
    }
    assert_eq!(documents, 1);
}
