//! Response checks against the OpenAPI description: the status is declared, the content type
//! is one the response declares, and a JSON body matches the declared schema. Reported as
//! warnings, or as step failures in strict mode.

use std::sync::OnceLock;

use arazzo_sources::{OpenApi, Operation, Sources};
use serde_json::Value;

/// A media type a response declares, with its body schema (when it has one).
#[derive(Debug)]
struct Media {
    name: String,
    schema: Option<Value>,
    /// Compiled on first use: of the media types a response declares, a run meets one.
    validator: OnceLock<Option<jsonschema::Validator>>,
}

impl Media {
    fn validator(&self) -> Option<&jsonschema::Validator> {
        self.validator
            .get_or_init(|| {
                let schema = self.schema.as_ref()?;
                jsonschema::draft202012::new(schema).ok()
            })
            .as_ref()
    }
}

/// A response an operation declares under a status key (`200`, `2XX`, `default`).
#[derive(Debug)]
struct Declared {
    status: String,
    /// As written, `$ref`s unresolved.
    written: Value,
    /// Its media types, `$ref`s resolved on first use: a run meets few of the responses an
    /// operation declares, and resolving copies every schema they reach.
    media: OnceLock<Vec<Media>>,
}

impl Declared {
    fn media(&self, openapi: &OpenApi) -> &[Media] {
        self.media.get_or_init(|| {
            let Value::Object(mut resolved) = openapi.resolve_refs(&self.written) else {
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
                    Media {
                        name,
                        schema,
                        validator: OnceLock::new(),
                    }
                })
                .collect()
        })
    }
}

/// What an operation declares of its responses, each resolved and compiled once, when met.
#[derive(Debug)]
pub(crate) struct ResponseSpec {
    operation: String,
    /// The OpenAPI source the operation comes from.
    source: String,
    responses: Vec<Declared>,
}

impl ResponseSpec {
    /// The responses of `operation`; `None` when it declares none.
    pub(crate) fn of(operation: &Operation) -> Option<ResponseSpec> {
        let responses = operation
            .definition
            .get("responses")?
            .as_object()?
            .iter()
            .map(|(status, written)| Declared {
                status: status.clone(),
                written: written.clone(),
                media: OnceLock::new(),
            })
            .collect();
        let name = operation
            .operation_id
            .clone()
            .unwrap_or_else(|| format!("{} {}", operation.method, operation.path));
        Some(ResponseSpec {
            operation: name,
            source: operation.source.clone(),
            responses,
        })
    }

    /// What does not match: the status, the content type, the body.
    pub(crate) fn check(
        &self,
        sources: &Sources,
        status: u16,
        content_type: Option<&str>,
        body: Option<&Value>,
    ) -> Vec<String> {
        let code = status.to_string();
        let range = format!("{}XX", status / 100);
        let declared = self
            .responses
            .iter()
            .find(|declared| declared.status == code)
            .or_else(|| {
                self.responses
                    .iter()
                    .find(|declared| declared.status.eq_ignore_ascii_case(&range))
            })
            .or_else(|| {
                self.responses
                    .iter()
                    .find(|declared| declared.status == "default")
            });
        let Some(declared) = declared else {
            let keys: Vec<&str> = self
                .responses
                .iter()
                .map(|declared| declared.status.as_str())
                .collect();
            return vec![format!(
                "status {status} is not declared by `{}` (it declares {})",
                self.operation,
                keys.join(", ")
            )];
        };
        let media = match sources.openapi(&self.source) {
            Some(openapi) => declared.media(openapi),
            None => &[],
        };
        let (Some(body), false) = (body, media.is_empty()) else {
            return Vec::new();
        };
        let received = content_type
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let matched = media
            .iter()
            .find(|declared| media_matches(&declared.name, &received));
        let Some(matched) = matched else {
            let declared: Vec<&str> = media.iter().map(|media| media.name.as_str()).collect();
            return vec![format!(
                "content type `{received}` is not declared for status {status} of `{}` ({})",
                self.operation,
                declared.join(", ")
            )];
        };
        let Some(validator) = received
            .contains("json")
            .then(|| matched.validator())
            .flatten()
        else {
            return Vec::new();
        };
        validator
            .iter_errors(body)
            .take(3)
            .map(|err| {
                let at = err.instance_path().as_str().to_string();
                let at = if at.is_empty() {
                    "the body".to_string()
                } else {
                    format!("`{at}`")
                };
                format!(
                    "{at} does not match the schema of `{}`: {err}",
                    self.operation
                )
            })
            .collect()
    }
}

/// `application/json` matches `application/json`, `application/*` and `*/*`.
fn media_matches(declared: &str, received: &str) -> bool {
    let declared = declared
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match declared.split_once('/') {
        Some(("*", "*")) => true,
        Some((kind, "*")) => received
            .split_once('/')
            .is_some_and(|(received_kind, _)| received_kind == kind),
        _ => declared == received,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_ranges() {
        assert!(media_matches("application/json", "application/json"));
        assert!(media_matches(
            "application/json; charset=utf-8",
            "application/json"
        ));
        assert!(media_matches("application/*", "application/problem+json"));
        assert!(media_matches("*/*", "text/html"));
        assert!(!media_matches("application/json", "text/html"));
    }
}
