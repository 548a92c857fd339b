//! Structural rules: the Arazzo JSON Schema, with its errors turned into diagnostics.

use std::sync::OnceLock;

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use super::{Finding, did_you_mean, object_kind};
use crate::error::Rule;

/// The schema's text: the official schema with the corrections its header lists.
#[cfg(test)]
const SCHEMA_YAML: &str = include_str!("../schema/arazzo-1.0.schema.yaml");
/// The same schema as JSON, which the validator is compiled from (see the test at the end).
const SCHEMA_JSON: &str = include_str!("../schema/arazzo-1.0.schema.json");

fn schema() -> &'static Value {
    static SCHEMA_VALUE: OnceLock<Value> = OnceLock::new();
    SCHEMA_VALUE
        .get_or_init(|| serde_json::from_str(SCHEMA_JSON).expect("the bundled schema is JSON"))
}

/// The validator of the bundled schema, generated at build time.
#[jsonschema::validator(path = "src/schema/arazzo-1.0.schema.json", draft = Draft202012)]
struct ArazzoSchema;

/// Every schema violation of `value`.
pub(super) fn check(value: &Value, findings: &mut Vec<Finding>) {
    if let Some(Value::String(version)) = value.get("arazzo")
        && !is_arazzo_1_0(version)
    {
        findings.push(
            Finding::error(
                Rule::ArazzoVersion,
                "/arazzo",
                format!("`{version}` is not an Arazzo 1.0.x version"),
            )
            .help("this engine reads `1.0.0` and `1.0.1` documents (`arazzo: 1.0.1`)"),
        );
    }
    // Most documents are valid, and the yes/no check builds no errors.
    if ArazzoSchema::is_valid(value) {
        return;
    }
    for err in ArazzoSchema::iter_errors(value) {
        findings.extend(translate(&err));
    }
}

fn translate(err: &ValidationError<'_>) -> Vec<Finding> {
    let pointer = err.instance_path().as_str().to_string();
    let schema_path = err.schema_path().as_str();
    let kind = object_kind(&pointer);
    if pointer.contains("/inputs") && !schema_path.starts_with("/$defs/workflow-object") {
        // Inside a workflow's `inputs`: a JSON Schema checked against the 2020-12 meta-schema.
        return vec![Finding::error(
            Rule::Schema,
            pointer,
            format!("invalid JSON Schema: {err}"),
        )];
    }
    let finding = match err.kind() {
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().unwrap_or_default();
            if schema_path.contains("dependentRequired") {
                Finding::error(
                    Rule::CriterionContext,
                    pointer,
                    "a criterion with a `type` needs a `context`".to_string(),
                )
                .help("add e.g. `context: $response.body`")
            } else {
                Finding::error(
                    Rule::MissingField,
                    pointer,
                    format!("{kind} is missing the required field `{property}`"),
                )
            }
        }
        ValidationErrorKind::UnevaluatedProperties { unexpected }
        | ValidationErrorKind::AdditionalProperties { unexpected } => {
            let known = known_fields(schema_path);
            return unexpected
                .iter()
                .map(|field| unknown_field(&pointer, &kind, field, &known))
                .collect();
        }
        ValidationErrorKind::Type { kind: expected } => {
            let expected = match expected {
                TypeKind::Single(single) => format!("{single}"),
                TypeKind::Multiple(many) => format!("{many:?}"),
            };
            let found = describe(err.instance());
            let finding = Finding::error(
                Rule::WrongType,
                pointer,
                format!("expected {} for {kind}, found {found}", a(&expected)),
            );
            if expected == "string" && err.instance().is_number() {
                finding.help(format!("quote it: '{}'", err.instance()))
            } else {
                finding
            }
        }
        ValidationErrorKind::Enum { options } => {
            let options = options.as_array().map(Vec::as_slice).unwrap_or_default();
            let value: &Value = err.instance();
            if pointer.ends_with("/in") && value == "body" {
                Finding::error(
                    Rule::ParameterInBody,
                    pointer,
                    "`in: body` was removed in Arazzo 1.0.1".to_string(),
                )
                .help("send the body with the step's `requestBody`")
            } else {
                let names: Vec<String> = options
                    .iter()
                    .map(|option| format!("`{}`", plain(option)))
                    .collect();
                let mut finding = Finding::error(
                    Rule::InvalidValue,
                    pointer,
                    format!("{} is not one of {}", code(value), names.join(", ")),
                );
                if let Some(text) = value.as_str() {
                    let candidates: Vec<&str> = options.iter().filter_map(Value::as_str).collect();
                    finding.help = did_you_mean(text, candidates);
                }
                finding
            }
        }
        // The runtime validator wraps the key's error in `PropertyNames`; the generated one
        // reports the `pattern` of `propertyNames` directly, at the map.
        ValidationErrorKind::PropertyNames { error } => component_key(&pointer, error.instance()),
        ValidationErrorKind::Pattern { .. } if schema_path.ends_with("/propertyNames/pattern") => {
            component_key(&pointer, err.instance())
        }
        ValidationErrorKind::Pattern { pattern } => {
            let value = code(err.instance());
            if pointer.starts_with("/sourceDescriptions/") {
                // The spec text says SHOULD (the schema's pattern makes it a MUST): generators
                // write file names here (`vercel-spec.json`), and bare operationIds still
                // resolve; only `$sourceDescriptions.<name>` cannot reach such a source.
                Finding::warning(
                    Rule::SourceName,
                    pointer,
                    format!("source description name {value} does not match `{pattern}`"),
                )
                .help("`$sourceDescriptions.<name>` expressions cannot name it: rename it, e.g. `api`")
            } else {
                Finding::error(
                    Rule::Schema,
                    pointer,
                    format!("{value} does not match `{pattern}`"),
                )
            }
        }
        ValidationErrorKind::MinItems { .. } => Finding::error(
            Rule::EmptyList,
            pointer,
            format!("{kind} must not be empty"),
        ),
        ValidationErrorKind::UniqueItems => Finding::error(
            Rule::DuplicateItem,
            pointer,
            format!("{kind} holds the same item twice"),
        ),
        ValidationErrorKind::Minimum { limit } => Finding::error(
            Rule::OutOfRange,
            pointer,
            format!("{} is below the minimum {limit}", code(err.instance())),
        ),
        _ => Finding::error(Rule::Schema, pointer, err.to_string()),
    };
    vec![finding]
}

fn unknown_field(pointer: &str, kind: &str, field: &str, known: &[&str]) -> Finding {
    let mut finding = Finding::error(
        Rule::UnknownField,
        format!("{pointer}/{}", crate::escape_pointer_token(field)),
        format!("unknown field `{field}` in {kind}"),
    )
    .at_key();
    finding.help = if field == "version" && known.contains(&"condition") {
        Some(
            "give the version in a Criterion Expression Type object: \
             `type: {type: jsonpath, version: draft-goessner-dispatch-jsonpath-00}`"
                .to_string(),
        )
    } else {
        did_you_mean(field, known.iter().copied())
            .or_else(|| Some("extensions must start with `x-`".to_string()))
    };
    finding
}

/// A key of a Components map that the spec's pattern refuses; `pointer` is the map's.
fn component_key(pointer: &str, key: &Value) -> Finding {
    Finding::error(
        Rule::ComponentKey,
        format!("{pointer}/{}", crate::escape_pointer_token(&plain(key))),
        format!(
            "component key {} does not match `^[a-zA-Z0-9.\\-_]+$`",
            code(key)
        ),
    )
}

/// The fields a schema definition allows, from the schema path of an error inside it.
fn known_fields(schema_path: &str) -> Vec<&'static str> {
    let definition = schema_path
        .strip_prefix("/$defs/")
        .and_then(|rest| rest.split('/').next())
        .map(|name| &schema()["$defs"][name])
        .unwrap_or_else(|| schema());
    definition["properties"]
        .as_object()
        .map(|properties| properties.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

fn describe(value: &Value) -> String {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    };
    match value {
        Value::Array(_) | Value::Object(_) => kind.to_string(),
        _ => format!("{kind} {}", code(value)),
    }
}

fn a(type_name: &str) -> String {
    match type_name {
        "object" => "an object".to_string(),
        "array" => "a list".to_string(),
        "integer" => "an integer".to_string(),
        other => format!("a {other}"),
    }
}

/// The official schema's `^1\.0\.\d+(-.+)?$` for the `arazzo` field (change 8 of the bundled
/// schema), as ECMA-262 reads it: `\d` is an ASCII digit, `.` any character but a line
/// terminator.
fn is_arazzo_1_0(version: &str) -> bool {
    let Some(patch) = version.strip_prefix("1.0.") else {
        return false;
    };
    let digits = patch.bytes().take_while(u8::is_ascii_digit).count();
    let suffix = &patch[digits..];
    digits > 0
        && (suffix.is_empty()
            || suffix.strip_prefix('-').is_some_and(|label| {
                !label.is_empty() && !label.contains(['\n', '\r', '\u{2028}', '\u{2029}'])
            }))
}

/// A value as written inside backticks.
fn code(value: &Value) -> String {
    format!("`{}`", plain(value))
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arazzo_versions_follow_the_official_pattern() {
        for version in ["1.0.0", "1.0.1", "1.0.10", "1.0.1-rc.1", "1.0.0-x y"] {
            assert!(is_arazzo_1_0(version), "{version}");
        }
        let refused = [
            "1.0",
            "1.0.",
            "1.1.0",
            "2.0.0",
            "1.0.x",
            "1.0.1-",
            "1.0.1+build",
            "1.0.1\n",
            "1.0.1-a\nb",
            "1.0.\u{661}",
            " 1.0.1",
            "v1.0.1",
            "",
        ];
        for version in refused {
            assert!(!is_arazzo_1_0(version), "{version:?}");
        }
    }

    /// The compiled validator is generated from the JSON copy; the YAML is what people read
    /// and edit (it carries the list of corrections). `ARAZZO_WRITE_SCHEMA_JSON=1 cargo test -p
    /// arazzo-model` rewrites the JSON from the YAML.
    #[test]
    fn the_json_schema_is_the_yaml_schema() {
        let yaml: Value = yaml_serde::from_str(SCHEMA_YAML).expect("the schema is YAML");
        let json: Value = serde_json::from_str(SCHEMA_JSON).expect("the schema is JSON");
        if yaml != json {
            if std::env::var_os("ARAZZO_WRITE_SCHEMA_JSON").is_some() {
                let path = concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/src/schema/arazzo-1.0.schema.json"
                );
                let text = serde_json::to_string_pretty(&yaml).expect("a value prints") + "\n";
                std::fs::write(path, text).expect("the schema folder is writable");
                return;
            }
            panic!(
                "src/schema/arazzo-1.0.schema.json differs from the YAML: \
                 rerun with ARAZZO_WRITE_SCHEMA_JSON=1 to rewrite it"
            );
        }
    }
}
