//! Where `oas3` 0.22 falls short for an Arazzo engine, and what we do instead:
//!
//! | oas3 0.22 | here |
//! |---|---|
//! | a 3.0 schema with boolean `exclusiveMinimum`/`exclusiveMaximum` fails the whole document; `nullable` is dropped | [`upgrade_3_0`] rewrites them to their 3.1 (JSON Schema 2020-12) form |
//! | `other.yaml#/…` resolves to the *local* component; only `#/components/<type>/<name>` refs work | `refs::follow` resolves any `$ref` (JSON pointer, other file) through the loaded documents; `refs::referenced_documents` says which files to load |
//! | path-level parameters are not merged into operations | `openapi::merge_parameters` |
//!
//! oas3 gives the typed view of a whole document ([`typed_view`]), parsed from a copy with
//! external refs inlined and 3.0 keywords upgraded.

use serde_json::{Map, Value};
use url::Url;

use crate::read::Documents;
use crate::refs::{DATA_KEYS, follow};

/// Whether a document is OpenAPI 3.0.x (whose schemas need [`upgrade_3_0`]).
pub(crate) fn is_3_0(document: &Value) -> bool {
    document
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|version| version.starts_with("3.0"))
}

/// Keys whose value maps user-chosen names to objects (a property may be named `default`).
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
    "schemas",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
    "content",
    "encoding",
    "paths",
    "pathItems",
    "callbacks",
    "links",
    "securitySchemes",
    "variables",
];

/// Rewrites OpenAPI 3.0 schema keywords in place to their 3.1 (JSON Schema 2020-12) form:
/// `exclusiveMinimum: true` + `minimum: 5` → `exclusiveMinimum: 5` (`false` is dropped), the
/// same for the maximum, and `nullable: true` adds `"null"` to `type`.
///
/// It applies to any object below `value` (a schema or a whole document), skipping data
/// (`example`, `default`, `enum`, `x-` extensions…) so that a literal `{"nullable": true}` in an
/// example stays as written.
pub(crate) fn upgrade_3_0(value: &mut Value) {
    upgrade_node(value, false);
}

fn upgrade_node(value: &mut Value, name_map: bool) {
    match value {
        Value::Object(members) => {
            if !name_map {
                upgrade_keywords(members);
            }
            for (key, member) in members.iter_mut() {
                let data = DATA_KEYS.contains(&key.as_str()) || key.starts_with("x-");
                if name_map || !data {
                    upgrade_node(member, !name_map && NAME_MAPS.contains(&key.as_str()));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| upgrade_node(item, false)),
        _ => {}
    }
}

fn upgrade_keywords(schema: &mut Map<String, Value>) {
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(flag)) = schema.get(exclusive) {
            match (flag, schema.get(bound).cloned()) {
                (true, Some(limit)) => {
                    schema.insert(exclusive.to_string(), limit);
                    schema.shift_remove(bound);
                }
                _ => {
                    schema.shift_remove(exclusive);
                }
            }
        }
    }
    if let Some(Value::Bool(nullable)) = schema.shift_remove("nullable")
        && nullable
    {
        match schema.get_mut("type") {
            Some(Value::String(single)) => {
                let single = std::mem::take(single);
                schema.insert("type".into(), Value::from(vec![single, "null".into()]));
            }
            Some(Value::Array(types)) if !types.iter().any(|t| t == "null") => {
                types.push("null".into());
            }
            _ => {}
        }
    }
}

/// The document at `url` as `oas3` reads it: external `$ref`s inlined (oas3 would resolve them
/// in this document), 3.0 schema keywords upgraded.
///
/// # Errors
/// oas3's message, when it still cannot parse the document.
pub(crate) fn typed_view(documents: &Documents, url: &Url) -> Result<oas3::Spec, String> {
    let (_, document) = documents.get(url).map_err(|err| err.to_string())?;
    let mut copy = document.clone();
    inline_external(&mut copy, url, url, documents, &mut Vec::new());
    if is_3_0(&copy) {
        upgrade_3_0(&mut copy);
    }
    serde_json::from_value(copy).map_err(|err| err.to_string())
}

/// Replaces each `$ref` into another document than `root` by a copy of its target, inlining
/// the target's own references the same way (refs back into `root` stay as they are; a ref
/// already being inlined, a cycle, stays too).
fn inline_external(
    value: &mut Value,
    base: &Url,
    root: &Url,
    documents: &Documents,
    inlining: &mut Vec<Url>,
) {
    if let Some(copy) = external_target(value, base, root, documents, inlining) {
        *value = copy;
        return;
    }
    match value {
        Value::Object(members) => members
            .values_mut()
            .for_each(|member| inline_external(member, base, root, documents, inlining)),
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| inline_external(item, base, root, documents, inlining)),
        _ => {}
    }
}

/// The inlined copy of what `value` refers to, when it is a `$ref` into another document.
fn external_target(
    value: &Value,
    base: &Url,
    root: &Url,
    documents: &Documents,
    inlining: &mut Vec<Url>,
) -> Option<Value> {
    let target = base.join(value.get("$ref")?.as_str()?).ok()?;
    let mut document = target.clone();
    document.set_fragment(None);
    if document == *root || inlining.contains(&target) {
        return None;
    }
    let (url, found) = follow(documents, base, value).ok()?;
    let mut copy = found.clone();
    inlining.push(target);
    inline_external(&mut copy, url, root, documents, inlining);
    inlining.pop();
    Some(copy)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn upgrade_turns_boolean_exclusive_bounds_into_numbers() {
        let mut schema = json!({
            "type": "integer",
            "minimum": 5, "exclusiveMinimum": true,
            "maximum": 9, "exclusiveMaximum": false,
        });
        upgrade_3_0(&mut schema);
        assert_eq!(
            schema,
            json!({"type": "integer", "exclusiveMinimum": 5, "maximum": 9})
        );
    }

    #[test]
    fn upgrade_adds_null_to_the_type_of_nullable_schemas() {
        let mut schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "nullable": true},
                "default": {"type": ["integer"], "nullable": true},
                "nullable": {"type": "boolean"},
            },
            "example": {"nullable": true},
        });
        upgrade_3_0(&mut schema);
        assert_eq!(
            schema["properties"]["name"]["type"],
            json!(["string", "null"])
        );
        assert_eq!(
            schema["properties"]["default"]["type"],
            json!(["integer", "null"])
        );
        assert_eq!(schema["properties"]["nullable"], json!({"type": "boolean"}));
        assert_eq!(schema["example"], json!({"nullable": true}));
    }

    #[test]
    fn oas3_reads_a_3_0_document_once_upgraded() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../specs/sources/petstore.openapi.yaml"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let err = oas3::from_yaml(&text).unwrap_err();
        assert!(
            err.to_string().contains("did not match any variant"),
            "{err}"
        );
        let mut document: Value = yaml_serde::from_str(&text).unwrap();
        upgrade_3_0(&mut document);
        let spec: oas3::Spec = serde_json::from_value(document).unwrap();
        assert_eq!(spec.operations().count(), 3);
    }
}
