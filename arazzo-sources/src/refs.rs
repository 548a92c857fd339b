//! Where `oas3` 0.22 falls short for an Arazzo engine, and what we do instead. Every
//! workaround for it lives here.
//!
//! | oas3 0.22 | here |
//! |---|---|
//! | a 3.0 schema with boolean `exclusiveMinimum`/`exclusiveMaximum` fails the whole document; `nullable` is dropped | [`upgrade_3_0`] rewrites them to their 3.1 (JSON Schema 2020-12) form |
//! | `other.yaml#/…` resolves to the *local* component; only `#/components/<type>/<name>` refs work | [`follow`] resolves any `$ref` (JSON pointer, other file) through the loaded documents; [`referenced_documents`] says which files to load |
//! | path-level parameters are not merged into operations | [`merge_parameters`] |
//!
//! Operations are built from the document's `serde_json::Value` with these functions (one code
//! path, which never depends on what oas3 can parse). oas3 gives the typed view of a whole
//! document ([`typed_view`]), parsed from a copy with external refs inlined and 3.0 keywords
//! upgraded.

use serde_json::{Map, Value};
use url::Url;

use crate::read::{Documents, check_origin};

/// How many `$ref`s in a row [`follow`] takes before calling it a cycle.
const MAX_REF_HOPS: usize = 32;

/// Follows `$ref`s from `value`, found in the document at `base`, until a value that is not a
/// reference; returns it with the URL of the document holding it (against which its own refs
/// resolve).
///
/// # Errors
/// A reason, e.g. "`$ref` `#/components/schemas/Pet` does not resolve: nothing at that pointer".
pub(crate) fn follow<'a>(
    documents: &'a Documents,
    base: &'a Url,
    value: &'a Value,
) -> Result<(&'a Url, &'a Value), String> {
    let (mut base, mut value) = (base, value);
    for _ in 0..MAX_REF_HOPS {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return Ok((base, value));
        };
        let unresolved = |why: &str| format!("`$ref` `{reference}` does not resolve: {why}");
        let target = base
            .join(reference)
            .map_err(|err| unresolved(&err.to_string()))?;
        check_origin(base, &target).map_err(|err| unresolved(&err.to_string()))?;
        let (url, document) = documents
            .get(&target)
            .map_err(|err| unresolved(&err.to_string()))?;
        value = arazzo_model::resolve_pointer(document, target.fragment().unwrap_or(""))
            .ok_or_else(|| unresolved("nothing at that pointer"))?;
        base = url;
    }
    Err(format!(
        "more than {MAX_REF_HOPS} `$ref`s in a row (a cycle?)"
    ))
}

/// A copy of `value`, found in the document at `base`, with every `$ref` replaced by a copy of
/// its target (the members beside it added where the target lacks them); `inlining` holds the
/// targets being copied, a reference back to one of them (a cycle) becomes `{}`. Data (`example`,
/// `default`, `enum`, `const`, `x-` extensions) is copied as it is; a `$ref` that does not
/// resolve stays as written.
pub(crate) fn inline_refs(
    documents: &Documents,
    base: &Url,
    value: &Value,
    inlining: &mut Vec<Url>,
) -> Value {
    match value {
        Value::Object(members) => {
            if let Some(Value::String(reference)) = members.get("$ref")
                && let Ok(target) = base.join(reference)
            {
                if inlining.contains(&target) {
                    return Value::Object(Map::new());
                }
                if let Ok((url, found)) = follow(documents, base, value) {
                    inlining.push(target);
                    let mut copy = inline_refs(documents, url, found, inlining);
                    inlining.pop();
                    if let Value::Object(copied) = &mut copy {
                        for (key, member) in members.iter().filter(|(key, _)| *key != "$ref") {
                            if !copied.contains_key(key) {
                                let member = inline_member(documents, base, key, member, inlining);
                                copied.insert(key.clone(), member);
                            }
                        }
                    }
                    return copy;
                }
            }
            Value::Object(
                members
                    .iter()
                    .map(|(key, member)| {
                        let member = inline_member(documents, base, key, member, inlining);
                        (key.clone(), member)
                    })
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| inline_refs(documents, base, item, inlining))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn inline_member(
    documents: &Documents,
    base: &Url,
    key: &str,
    member: &Value,
    inlining: &mut Vec<Url>,
) -> Value {
    if DATA_KEYS.contains(&key) && key != "examples" || key.starts_with("x-") {
        member.clone()
    } else {
        inline_refs(documents, base, member, inlining)
    }
}

/// The documents other than `base` that `$ref`s in `value` point into (fragments removed), in
/// order of first use.
pub(crate) fn referenced_documents(value: &Value, base: &Url) -> Vec<Url> {
    let mut found = Vec::new();
    collect_references(value, base, &mut found);
    found
}

fn collect_references(value: &Value, base: &Url, found: &mut Vec<Url>) {
    match value {
        Value::Object(members) => {
            // One pass over the members: every object of the document is visited, and a
            // lookup by key would hash "$ref" for each.
            for (key, member) in members {
                if key == "$ref"
                    && let Value::String(reference) = member
                    && !reference.starts_with('#')
                    && let Ok(mut target) = base.join(reference)
                {
                    target.set_fragment(None);
                    if target != *base && !found.contains(&target) {
                        found.push(target);
                    }
                }
                collect_references(member, base, found);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_references(item, base, found)),
        _ => {}
    }
}

/// A `parameters` list: the URL of the document holding it, the list, its JSON pointer.
pub(crate) type ParameterList<'a> = (&'a Url, Option<&'a Value>, String);

/// The parameters of an operation: the operation's own, then the path item's that the
/// operation does not override (same `name` and `in`). Each is given with the URL of the
/// document holding it, references followed.
///
/// # Errors
/// When a `$ref` does not resolve: the reason and the JSON pointer of the reference.
pub(crate) fn merge_parameters<'a>(
    documents: &'a Documents,
    path_item: ParameterList<'a>,
    operation: ParameterList<'a>,
) -> Result<Vec<(&'a Url, &'a Value)>, (String, String)> {
    let resolve = |(base, list, at): ParameterList<'a>| {
        let items = list.and_then(Value::as_array).map(Vec::as_slice);
        items
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(index, item)| {
                follow(documents, base, item).map_err(|reason| (reason, format!("{at}/{index}")))
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let mut merged = resolve(operation)?;
    let key = |parameter: &Value| (parameter.get("name").cloned(), parameter.get("in").cloned());
    for inherited in resolve(path_item)? {
        if !merged.iter().any(|(_, own)| key(own) == key(inherited.1)) {
            merged.push(inherited);
        }
    }
    Ok(merged)
}

/// Whether a document is OpenAPI 3.0.x (whose schemas need [`upgrade_3_0`]).
pub(crate) fn is_3_0(document: &Value) -> bool {
    document
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|version| version.starts_with("3.0"))
}

/// Keys whose value is a data value, never a schema: left alone.
const DATA_KEYS: &[&str] = &["example", "examples", "default", "enum", "const"];

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

    #[test]
    fn inline_refs_copies_targets_across_files_and_stops_cycles() {
        let main = Url::parse("file:///api/main.yaml").unwrap();
        let common = Url::parse("file:///api/common.yaml").unwrap();
        let file = |url: &Url, value: Value| {
            let parsed = arazzo_model::SourceFile::parse(url.path(), value.to_string());
            (url.clone(), Ok(parsed.unwrap()))
        };
        let documents = Documents(
            [
                file(
                    &main,
                    json!({"components": {"schemas": {
                        "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}
                    }}}),
                ),
                file(&common, json!({"Pet": {"type": "string", "example": {"$ref": "kept"}}})),
            ]
            .into_iter()
            .collect(),
        );
        let value = json!({
            "pet": {"$ref": "common.yaml#/Pet", "description": "beside"},
            "node": {"$ref": "#/components/schemas/Node"},
            "lost": {"$ref": "#/nowhere"},
        });
        assert_eq!(
            inline_refs(&documents, &main, &value, &mut Vec::new()),
            json!({
                "pet": {"type": "string", "example": {"$ref": "kept"}, "description": "beside"},
                "node": {"type": "object", "properties": {"next": {}}},
                "lost": {"$ref": "#/nowhere"},
            })
        );
    }

    #[test]
    fn references_to_other_documents_are_listed_once() {
        let base = Url::parse("file:///api/main.yaml").unwrap();
        let document = json!({
            "a": {"$ref": "#/components/schemas/Local"},
            "b": {"$ref": "common.yaml#/components/schemas/Pet"},
            "c": [{"$ref": "./common.yaml#/components/parameters/Id"}],
            "d": {"$ref": "../shared/errors.json"},
            "e": {"$ref": "main.yaml#/x"},
        });
        let found: Vec<String> = referenced_documents(&document, &base)
            .iter()
            .map(Url::to_string)
            .collect();
        assert_eq!(
            found,
            ["file:///api/common.yaml", "file:///shared/errors.json"]
        );
    }
}
