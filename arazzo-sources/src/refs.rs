//! The `$ref` resolver: any reference (a JSON pointer, another file) followed through the
//! loaded documents, and which files a document's references need loaded. Operations are
//! built from the document's `serde_json::Value` with it, never through what `oas3` can parse
//! (see `fixups` for oas3's view).

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

/// Keys whose value is a data value, never a schema: left alone.
pub(crate) const DATA_KEYS: &[&str] = &["example", "examples", "default", "enum", "const"];

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

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
