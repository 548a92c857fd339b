//! Structural rules: the Arazzo JSON Schema, with its errors turned into diagnostics.

use std::sync::OnceLock;

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use super::{Finding, did_you_mean, object_kind};
use crate::SpecVersion;
use crate::error::Rule;

/// The schemas' text: the official schemas with the corrections their headers list.
#[cfg(test)]
const SCHEMA_YAML: [&str; 2] = [
    include_str!("../schema/arazzo-1.0.schema.yaml"),
    include_str!("../schema/arazzo-1.1.schema.yaml"),
];
/// The same schemas as JSON, which the validators are compiled from (see the test at the end).
const SCHEMA_JSON: [&str; 2] = [
    include_str!("../schema/arazzo-1.0.schema.json"),
    include_str!("../schema/arazzo-1.1.schema.json"),
];

fn schema(version: SpecVersion) -> &'static Value {
    static SCHEMA_VALUE: [OnceLock<Value>; 2] = [OnceLock::new(), OnceLock::new()];
    let index = schema_index(version);
    SCHEMA_VALUE[index].get_or_init(|| {
        serde_json::from_str(SCHEMA_JSON[index]).expect("the bundled schema is JSON")
    })
}

fn schema_index(version: SpecVersion) -> usize {
    match version {
        SpecVersion::V1_0 => 0,
        _ => 1,
    }
}

/// The validator of the bundled 1.0 schema, generated at build time.
#[jsonschema::validator(path = "src/schema/arazzo-1.0.schema.json", draft = Draft202012)]
struct Arazzo10Schema;

/// The validator of the bundled 1.1 schema, generated at build time.
#[jsonschema::validator(path = "src/schema/arazzo-1.1.schema.json", draft = Draft202012)]
struct Arazzo11Schema;

/// The feature set whose rules apply to `value`: its `arazzo` version's, or for a version this
/// engine does not read, the closest one (`1.0…` reads as 1.0, anything else as 1.1), so that
/// the other problems are still reported.
pub(super) fn version_of(value: &Value) -> SpecVersion {
    match value.get("arazzo") {
        Some(Value::String(version)) => {
            SpecVersion::of(version).unwrap_or(if version.starts_with("1.0") {
                SpecVersion::V1_0
            } else {
                SpecVersion::V1_1
            })
        }
        _ => SpecVersion::V1_1,
    }
}

/// Every schema violation of `value`, by the schema of `version`.
pub(super) fn check(value: &Value, version: SpecVersion, findings: &mut Vec<Finding>) {
    if let Some(Value::String(text)) = value.get("arazzo")
        && SpecVersion::of(text).is_none()
    {
        findings.push(
            Finding::error(
                Rule::ArazzoVersion,
                "/arazzo",
                format!("`{text}` is not an Arazzo 1.0.x or 1.1.x version"),
            )
            .help("this engine reads Arazzo 1.0.x and 1.1.x documents (`arazzo: 1.1.0`)"),
        );
    }
    // Most documents are valid, and the yes/no check builds no errors.
    let errors: Vec<ValidationError<'_>> = match version {
        SpecVersion::V1_0 if Arazzo10Schema::is_valid(value) => return,
        SpecVersion::V1_0 => Arazzo10Schema::iter_errors(value).collect(),
        _ if Arazzo11Schema::is_valid(value) => return,
        _ => Arazzo11Schema::iter_errors(value).collect(),
    };
    for err in &errors {
        findings.extend(translate(err, version));
    }
}

fn translate(err: &ValidationError<'_>, version: SpecVersion) -> Vec<Finding> {
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
            let known = known_fields(schema_path, version);
            return unexpected
                .iter()
                .map(|field| {
                    let finding = unknown_field(&pointer, &kind, field, &known);
                    if version == SpecVersion::V1_0
                        && known_fields(schema_path, SpecVersion::V1_1).contains(&field.as_str())
                    {
                        finding.help(newer(&format!("`{field}`")))
                    } else {
                        finding
                    }
                })
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
                    if version == SpecVersion::V1_0 && ARAZZO_1_1_VALUES.contains(&text) {
                        finding.help = Some(newer(&format!("`{text}`")));
                    }
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

/// Values of enumerations that Arazzo 1.1 added (source `type`, parameter `in`, expression
/// type names and versions).
const ARAZZO_1_1_VALUES: &[&str] = &[
    "asyncapi",
    "querystring",
    "channel",
    "jsonpointer",
    "rfc9535",
    "rfc6901",
    "xpath-31",
];

/// The help for an Arazzo 1.1 construct in a 1.0 document (decision: an error there, as the
/// 1.0 schema says, with the way out).
fn newer(construct: &str) -> String {
    format!("{construct} is Arazzo 1.1: declare `arazzo: 1.1.0` to use it")
}

/// The fields a schema definition allows, from the schema path of an error inside it.
fn known_fields(schema_path: &str, version: SpecVersion) -> Vec<&'static str> {
    let root = schema(version);
    let definition = schema_path
        .strip_prefix("/$defs/")
        .and_then(|rest| rest.split('/').next())
        .map(|name| {
            // The 1.0 name of the Expression Type object, when a 1.0 error is looked up in 1.1.
            let name = match name {
                "criterion-expression-type-object" if version != SpecVersion::V1_0 => {
                    "expression-type-object"
                }
                _ => name,
            };
            &root["$defs"][name]
        })
        .unwrap_or(root);
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

    /// The compiled validators are generated from the JSON copies; the YAML is what people
    /// read and edit (it carries the list of corrections). `ARAZZO_WRITE_SCHEMA_JSON=1 cargo
    /// test -p arazzo-model` rewrites the JSON from the YAML.
    #[test]
    fn the_json_schemas_are_the_yaml_schemas() {
        for (index, name) in ["arazzo-1.0", "arazzo-1.1"].into_iter().enumerate() {
            let yaml: Value = yaml_serde::from_str(SCHEMA_YAML[index]).expect("the schema is YAML");
            let json: Value = serde_json::from_str(SCHEMA_JSON[index]).expect("the schema is JSON");
            if yaml == json {
                continue;
            }
            if std::env::var_os("ARAZZO_WRITE_SCHEMA_JSON").is_some() {
                let path = format!(
                    "{}/src/schema/{name}.schema.json",
                    env!("CARGO_MANIFEST_DIR")
                );
                let text = serde_json::to_string_pretty(&yaml).expect("a value prints") + "\n";
                std::fs::write(path, text).expect("the schema folder is writable");
                continue;
            }
            panic!(
                "src/schema/{name}.schema.json differs from the YAML: \
                 rerun with ARAZZO_WRITE_SCHEMA_JSON=1 to rewrite it"
            );
        }
    }
}
