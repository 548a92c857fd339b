//! Response checks against the OpenAPI description: the status is declared, the content type
//! is one the response declares (an error status may also answer an RFC 9457 problem), and a
//! JSON body matches the declared schema. Reported as warnings, or as step failures in strict
//! mode.

use std::sync::OnceLock;

use arazzo_sources::{
    MediaType, OpenApi, Operation, Sources, declared_status, media_range_matches,
};
use serde_json::Value;

/// A media type a response declares, with its body schema's validator.
#[derive(Debug)]
struct Media {
    declared: MediaType,
    /// Compiled on first use: of the media types a response declares, a run meets one.
    validator: OnceLock<Option<jsonschema::Validator>>,
}

impl Media {
    fn validator(&self) -> Option<&jsonschema::Validator> {
        self.validator
            .get_or_init(|| {
                let schema = self.declared.schema.as_ref()?;
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
            openapi
                .media_types(&self.written)
                .into_iter()
                .map(|declared| Media {
                    declared,
                    validator: OnceLock::new(),
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

    /// What does not match: the status, the content type, the body. `strict` is the letter
    /// of the description: an RFC 9457 problem for a declared error status is a mismatch too.
    pub(crate) fn check(
        &self,
        sources: &Sources,
        status: u16,
        content_type: Option<&str>,
        body: Option<&Value>,
        strict: bool,
    ) -> Vec<String> {
        let keys = self
            .responses
            .iter()
            .map(|declared| declared.status.as_str());
        let declared = declared_status(keys, status).and_then(|key| {
            self.responses
                .iter()
                .find(|declared| declared.status == key)
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
            .find(|media| media_range_matches(&media.declared.name, &received));
        let Some(matched) = matched else {
            if status >= 400 && is_problem(&received) && !strict {
                // RFC 9457 problem details are the generic error answer (the built-in mock's
                // own, many servers'): an error status the operation declares, answered so,
                // is what it declares, not a mismatch worth a warning on every failing step.
                return Vec::new();
            }
            let declared: Vec<&str> = media
                .iter()
                .map(|media| media.declared.name.as_str())
                .collect();
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

/// An RFC 9457 problem details media type (`application/problem+json`, `…+xml`).
fn is_problem(media_type: &str) -> bool {
    matches!(
        media_type,
        "application/problem+json" | "application/problem+xml"
    )
}
