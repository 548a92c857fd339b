//! What an operation declares of its responses: the one that answers a status, and the media
//! types of a `content` map (a response's or a request body's) with their schemas.

use serde_json::Value;

use crate::OpenApi;

/// A media type of a `content` map, e.g. `application/json` with its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaType {
    /// The media type or range as declared (`application/json`, `application/*`, `*/*`).
    pub name: String,
    /// Its schema, `$ref`s resolved, as a JSON Schema 2020-12 resource (`$schema` set; 3.0
    /// keywords in their 3.1 form), when it has one.
    pub schema: Option<Value>,
}

impl OpenApi {
    /// The media types of `declared`'s `content`, in document order: `declared` is a Response
    /// or Request Body Object of this document (e.g. a value of an operation's `responses`),
    /// as written.
    pub fn media_types(&self, declared: &Value) -> Vec<MediaType> {
        let Value::Object(mut resolved) = self.resolve_refs(declared) else {
            return Vec::new();
        };
        let Some(Value::Object(content)) = resolved.remove("content") else {
            return Vec::new();
        };
        content
            .into_iter()
            .map(|(name, mut content)| {
                let schema = content.get_mut("schema").map(|schema| {
                    if let Value::Object(members) = schema {
                        members.insert(
                            "$schema".into(),
                            "https://json-schema.org/draft/2020-12/schema".into(),
                        );
                    }
                    schema.take()
                });
                MediaType { name, schema }
            })
            .collect()
    }
}

/// The key of an operation's `responses` that declares `status`, as OpenAPI chooses it: the
/// code itself (`404`), else its range (`4XX`, in any case), else `default`.
///
/// ```
/// let keys = ["200", "4XX", "default"];
/// assert_eq!(arazzo_sources::declared_status(keys, 404), Some("4XX"));
/// assert_eq!(arazzo_sources::declared_status(keys, 500), Some("default"));
/// assert_eq!(arazzo_sources::declared_status(["200"], 201), None);
/// ```
pub fn declared_status<'k, I>(keys: I, status: u16) -> Option<&'k str>
where
    I: IntoIterator<Item = &'k str>,
    I::IntoIter: Clone,
{
    let keys = keys.into_iter();
    let code = status.to_string();
    let range = format!("{}XX", status / 100);
    keys.clone()
        .find(|key| *key == code)
        .or_else(|| keys.clone().find(|key| key.eq_ignore_ascii_case(&range)))
        .or_else(|| keys.clone().find(|key| *key == "default"))
}

/// Whether a declared media range (`application/json`, `application/*`, `*/*`; parameters
/// such as `; charset=utf-8` ignored) accepts `media_type`, a lowercase type without
/// parameters.
pub fn media_range_matches(range: &str, media_type: &str) -> bool {
    let range = range
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match range.split_once('/') {
        Some(("*", "*")) => true,
        Some((kind, "*")) => media_type
            .split_once('/')
            .is_some_and(|(received, _)| received == kind),
        _ => range == media_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_ranges() {
        assert!(media_range_matches("application/json", "application/json"));
        assert!(media_range_matches(
            "application/json; charset=utf-8",
            "application/json"
        ));
        assert!(media_range_matches(
            "application/*",
            "application/problem+json"
        ));
        assert!(media_range_matches("Application/JSON", "application/json"));
        assert!(media_range_matches("*/*", "text/html"));
        assert!(!media_range_matches("application/json", "text/html"));
    }
}
