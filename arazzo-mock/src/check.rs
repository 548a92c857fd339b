//! Checking a request against its operation: credentials (401), then parameters and body
//! (400, or 415 for a media type the operation does not take), every problem at once.

use std::sync::OnceLock;

use arazzo_model::ParameterIn;
use arazzo_sources::media_range_matches;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value};

use crate::operation::{Credential, CredentialKind, MediaKind, MockOperation, Parameter, Shape};
use crate::problem::{Issue, Problem};

/// At most this many issues are listed in one answer.
const MAX_ISSUES: usize = 20;

/// The parts of a request the checks read.
pub(crate) struct Incoming<'r> {
    pub(crate) query: Option<&'r str>,
    pub(crate) headers: &'r HeaderMap,
    pub(crate) body: &'r Bytes,
    /// The query string's pairs, decoded on first use.
    pairs: OnceLock<Vec<(String, String)>>,
}

impl<'r> Incoming<'r> {
    pub(crate) fn new(query: Option<&'r str>, headers: &'r HeaderMap, body: &'r Bytes) -> Self {
        Incoming {
            query,
            headers,
            body,
            pairs: OnceLock::new(),
        }
    }

    fn query_pairs(&self) -> &[(String, String)] {
        self.pairs.get_or_init(|| {
            url::form_urlencoded::parse(self.query.unwrap_or_default().as_bytes())
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect()
        })
    }

    fn query_values(&self, name: &str) -> Vec<&str> {
        if self.query.is_none() {
            return Vec::new();
        }
        self.query_pairs()
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|line| line.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// Whether the request carries the credentials of one of the operation's security
/// alternatives. Any non-empty value is accepted.
pub(crate) fn authorize(operation: &MockOperation, request: &Incoming<'_>) -> Result<(), Problem> {
    if operation.security.is_empty() {
        return Ok(());
    }
    let mut issues = Vec::new();
    for alternative in &operation.security {
        let missing: Vec<&Credential> = alternative
            .iter()
            .filter(|credential| !present(credential, request))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let message = missing
            .iter()
            .map(|credential| {
                format!(
                    "missing {} (security scheme `{}`)",
                    describe_credential(&credential.kind),
                    credential.scheme
                )
            })
            .collect::<Vec<_>>()
            .join(" and ");
        let name = missing
            .iter()
            .map(|credential| credential.scheme.as_str())
            .collect::<Vec<_>>()
            .join(",");
        issues.push(Issue {
            location: "security",
            name,
            message,
        });
    }
    let challenge =
        operation
            .security
            .iter()
            .flatten()
            .find_map(|credential| match &credential.kind {
                CredentialKind::Authorization(scheme) => Some(challenge(scheme)),
                _ => None,
            });
    let mut problem = Problem {
        status: StatusCode::UNAUTHORIZED,
        issues,
        detail: None,
        challenge: None,
    };
    if operation.security.len() > 1 {
        problem.detail = Some(format!(
            "missing credentials, one of: {}",
            problem
                .issues
                .iter()
                .map(|issue| issue.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    problem.challenge = challenge;
    Err(problem)
}

fn present(credential: &Credential, request: &Incoming<'_>) -> bool {
    let filled = |value: Option<&str>| value.is_some_and(|value| !value.trim().is_empty());
    match &credential.kind {
        CredentialKind::Header(name) => filled(request.header(name)),
        CredentialKind::Query(name) => filled(request.query_values(name).first().copied()),
        CredentialKind::Cookie(name) => filled(request.cookie(name)),
        CredentialKind::Authorization(scheme) => request
            .header(header::AUTHORIZATION.as_str())
            .and_then(|value| value.trim().split_once(' '))
            .is_some_and(|(given, token)| {
                given.eq_ignore_ascii_case(scheme) && !token.trim().is_empty()
            }),
        CredentialKind::Anything => true,
    }
}

fn describe_credential(kind: &CredentialKind) -> String {
    match kind {
        CredentialKind::Header(name) => format!("header `{name}`"),
        CredentialKind::Query(name) => format!("query parameter `{name}`"),
        CredentialKind::Cookie(name) => format!("cookie `{name}`"),
        CredentialKind::Authorization(scheme) => {
            let mut chars = scheme.chars();
            let scheme: String = chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            format!("`Authorization: {scheme} …` header")
        }
        CredentialKind::Anything => "credentials".to_string(),
    }
}

fn challenge(scheme: &str) -> HeaderValue {
    match scheme {
        "basic" => HeaderValue::from_static("Basic realm=\"arazzo-mock\""),
        "bearer" => HeaderValue::from_static("Bearer realm=\"arazzo-mock\""),
        other => HeaderValue::try_from(other).unwrap_or(HeaderValue::from_static("Bearer")),
    }
}

/// Checks the parameters and the body; returns the body as JSON when it is JSON (or a form).
pub(crate) fn check(
    operation: &MockOperation,
    path: &[(String, String)],
    request: &Incoming<'_>,
) -> Result<Option<Value>, Problem> {
    let mut issues = Vec::new();
    for parameter in &operation.parameters {
        check_parameter(parameter, path, request, &mut issues);
    }
    let body = check_body(operation, request, &mut issues)?;
    if issues.is_empty() {
        Ok(body)
    } else {
        issues.truncate(MAX_ISSUES);
        Err(Problem {
            status: StatusCode::BAD_REQUEST,
            issues,
            detail: None,
            challenge: None,
        })
    }
}

fn check_parameter(
    parameter: &Parameter,
    path: &[(String, String)],
    request: &Incoming<'_>,
    issues: &mut Vec<Issue>,
) {
    let name = parameter.name.as_str();
    let (location, kind) = match parameter.location {
        ParameterIn::Path => ("path", "path parameter"),
        ParameterIn::Query => ("query", "query parameter"),
        ParameterIn::Header => ("header", "header"),
        ParameterIn::Cookie => ("cookie", "cookie"),
        // Not OpenAPI 3.0/3.1 locations: the OpenAPI loader never declares them.
        ParameterIn::Querystring | ParameterIn::Channel => return,
    };
    let texts: Vec<&str> = match parameter.location {
        ParameterIn::Path => path
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect(),
        ParameterIn::Query if parameter.shape == Shape::Unchecked => {
            // deepObject and friends: `name[field]=…`.
            let prefix = format!("{name}[");
            let pairs = if request.query.is_some() {
                request.query_pairs()
            } else {
                &[]
            };
            pairs
                .iter()
                .filter(|(key, _)| key == name || key.starts_with(&prefix))
                .map(|(_, value)| value.as_str())
                .collect()
        }
        ParameterIn::Query => request.query_values(name),
        ParameterIn::Querystring | ParameterIn::Channel => return,
        ParameterIn::Header => request
            .headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect(),
        ParameterIn::Cookie => request.cookie(name).into_iter().collect(),
    };
    let mut issue = |message: String| {
        issues.push(Issue {
            location,
            name: name.to_string(),
            message,
        });
    };
    let Some(first) = texts.first() else {
        if parameter.required {
            issue(format!("missing required {kind} `{name}`"));
        }
        return;
    };
    let value = match parameter.shape {
        Shape::Single => coerce(first, &parameter.types),
        Shape::Array { explode } if explode && texts.len() > 1 => Value::Array(
            texts
                .iter()
                .map(|text| coerce(text, &parameter.types))
                .collect(),
        ),
        Shape::Array { .. } => Value::Array(
            first
                .split(',')
                .map(|text| coerce(text, &parameter.types))
                .collect(),
        ),
        Shape::Json => match serde_json::from_str(first) {
            Ok(value) => value,
            Err(err) => {
                issue(format!("{kind} `{name}` is not valid JSON: {err}"));
                return;
            }
        },
        Shape::Unchecked => return,
    };
    let Some(validator) = &parameter.validator else {
        return;
    };
    for err in validator.iter_errors(&value) {
        let message = match err.kind() {
            ValidationErrorKind::Type { kind: expected }
                if err.instance_path().as_str().is_empty() =>
            {
                format!(
                    "{kind} `{name}` must be of type {}, got `{first}`",
                    arazzo_model::schema_types(expected)
                )
            }
            _ => format!("{kind} `{name}`: {err}"),
        };
        issue(message);
    }
}

/// The text of a parameter (or form field) as a value of the first of `types` it parses as.
fn coerce(text: &str, types: &[String]) -> Value {
    for kind in types {
        match kind.as_str() {
            "integer" => {
                if let Ok(number) = text.parse::<i64>() {
                    return Value::from(number);
                }
            }
            "number" => {
                if let Ok(number) = text.parse::<f64>()
                    && number.is_finite()
                {
                    return serde_json::from_str(text).unwrap_or(Value::from(number));
                }
            }
            "boolean" => match text {
                "true" => return Value::Bool(true),
                "false" => return Value::Bool(false),
                _ => {}
            },
            "string" => return Value::String(text.to_string()),
            _ => {}
        }
    }
    Value::String(text.to_string())
}

fn check_body(
    operation: &MockOperation,
    request: &Incoming<'_>,
    issues: &mut Vec<Issue>,
) -> Result<Option<Value>, Problem> {
    let Some(body) = &operation.body else {
        return Ok(None);
    };
    if request.body.is_empty() {
        if body.required {
            issues.push(Issue {
                location: "body",
                name: String::new(),
                message: "missing required request body".to_string(),
            });
        }
        return Ok(None);
    }
    let given = request.header(header::CONTENT_TYPE.as_str()).map(|value| {
        value
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    });
    let media = match &given {
        Some(given) => body
            .media
            .iter()
            .find(|media| media_range_matches(&media.range, given)),
        // No content type: the first declared one is assumed.
        None => body.media.first(),
    };
    let Some(media) = media else {
        let expected: Vec<&str> = body
            .media
            .iter()
            .map(|media| media.range.as_str())
            .collect();
        return Err(Problem::one(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "header",
            "Content-Type",
            format!(
                "unsupported content type `{}` (expected {})",
                given.unwrap_or_default(),
                expected.join(", ")
            ),
        ));
    };
    let value = match media.kind {
        MediaKind::Other => return Ok(None),
        MediaKind::Json => match serde_json::from_slice::<Value>(request.body) {
            Ok(value) => value,
            Err(err) => {
                issues.push(Issue {
                    location: "body",
                    name: String::new(),
                    message: format!("request body is not valid JSON: {err}"),
                });
                return Ok(None);
            }
        },
        MediaKind::Form => {
            let mut object = Map::new();
            for (name, text) in url::form_urlencoded::parse(request.body) {
                let types = media
                    .form_types
                    .iter()
                    .find(|(known, _)| *known == name)
                    .map(|(_, types)| types.as_slice())
                    .unwrap_or_default();
                object.insert(name.into_owned(), coerce(&text, types));
            }
            Value::Object(object)
        }
    };
    if let Some(validator) = &media.validator
        && !validator.is_valid(&value)
    {
        // A value valid under several `oneOf` members is accepted: descriptions often use
        // `oneOf` for overlapping alternatives, and an API takes the first that fits.
        let errors = validator
            .iter_errors(&value)
            .filter(|err| !matches!(err.kind(), ValidationErrorKind::OneOfMultipleValid { .. }));
        for err in errors {
            describe(&err, issues);
        }
    }
    Ok(Some(value))
}

/// Adds the issues of one body validation error; for a failed `oneOf`/`anyOf`, those of the
/// alternative that fits the value's type best.
fn describe(err: &ValidationError<'_>, issues: &mut Vec<Issue>) {
    let pointer = err.instance_path().as_str();
    let field = field_name(pointer);
    let (name, message) = match err.kind() {
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().unwrap_or_default();
            let name = match field.is_empty() {
                true => property.to_string(),
                false => format!("{field}.{property}"),
            };
            let message = format!("missing required field `{name}` in the request body");
            (name, message)
        }
        ValidationErrorKind::Type { kind } => {
            let subject = match field.is_empty() {
                true => "the request body".to_string(),
                false => format!("field `{field}` of the request body"),
            };
            let message = format!(
                "{subject} must be of type {}, got {}",
                arazzo_model::schema_types(kind),
                arazzo_model::json_type(err.instance())
            );
            (field, message)
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for property in unexpected {
                let name = match field.is_empty() {
                    true => property.clone(),
                    false => format!("{field}.{property}"),
                };
                let message = format!("unexpected field `{name}` in the request body");
                issues.push(Issue {
                    location: "body",
                    name,
                    message,
                });
            }
            return;
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            let fitting = context
                .iter()
                .filter(|branch| {
                    !branch.iter().any(|err| {
                        matches!(err.kind(), ValidationErrorKind::Type { .. })
                            && err.instance_path().as_str() == pointer
                    })
                })
                .min_by_key(|branch| branch.len());
            if let Some(branch) = fitting {
                for err in branch {
                    describe(err, issues);
                }
                return;
            }
            let message = match field.is_empty() {
                true => "the request body matches none of the allowed schemas".to_string(),
                false => format!(
                    "field `{field}` of the request body matches none of the allowed schemas"
                ),
            };
            (field, message)
        }
        _ => {
            let message = match field.is_empty() {
                true => format!("request body: {err}"),
                false => format!("field `{field}` of the request body: {err}"),
            };
            (field, message)
        }
    };
    issues.push(Issue {
        location: "body",
        name,
        message,
    });
}

/// `/address/city` → `address.city`; `/items/0/id` → `items.0.id`.
fn field_name(pointer: &str) -> String {
    pointer
        .split('/')
        .skip(1)
        .map(arazzo_expr::pointer::unescape)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_typed_by_the_first_type_it_parses_as() {
        let types = |kinds: &[&str]| {
            kinds
                .iter()
                .map(|kind| kind.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(coerce("5", &types(&["integer"])), Value::from(5));
        assert_eq!(
            coerce("5.5", &types(&["integer", "number"])),
            Value::from(5.5)
        );
        assert_eq!(coerce("five", &types(&["integer"])), Value::from("five"));
        assert_eq!(coerce("true", &types(&["boolean"])), Value::Bool(true));
        assert_eq!(
            coerce("5", &types(&["string", "integer"])),
            Value::from("5")
        );
    }

    #[test]
    fn pointers_become_dotted_names() {
        assert_eq!(field_name(""), "");
        assert_eq!(field_name("/address/city"), "address.city");
        assert_eq!(field_name("/a~1b/0"), "a/b.0");
    }
}
