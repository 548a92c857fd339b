//! An OpenAPI operation compiled for serving: its parameters and body with their JSON Schema
//! validators, its security requirements, and its response, serialised once.

use arazzo_model::ParameterIn;
use arazzo_sources::{ApiKeyLocation, OpenApi, Operation, RequiredScheme, SecurityScheme};
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, StatusCode};
use serde_json::{Map, Value};

use crate::echo::Echo;
use crate::example::example_of;

/// An operation ready to answer requests.
#[derive(Debug)]
pub(crate) struct MockOperation {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) source: String,
    pub(crate) operation_id: Option<String>,
    pub(crate) parameters: Vec<Parameter>,
    pub(crate) body: Option<Body>,
    /// Alternatives (any one suffices), each a list of credentials (all needed); empty when
    /// the operation needs none.
    pub(crate) security: Vec<Vec<Credential>>,
    pub(crate) reply: Reply,
}

/// A declared parameter.
#[derive(Debug)]
pub(crate) struct Parameter {
    pub(crate) name: String,
    pub(crate) location: ParameterIn,
    pub(crate) required: bool,
    pub(crate) shape: Shape,
    /// The JSON types the value's text is read as (`integer`, `boolean`…), in schema order;
    /// for arrays, those of the items.
    pub(crate) types: Vec<String>,
    /// Compiled from the schema; `None` when there is none or it does not compile.
    pub(crate) validator: Option<jsonschema::Validator>,
}

/// How a parameter's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// One value.
    Single,
    /// An array: repeated (`explode`) or comma-separated.
    Array { explode: bool },
    /// JSON text (`content: application/json`).
    Json,
    /// Another style (deepObject, label, matrix…) or an object: only its presence is checked.
    Unchecked,
}

/// The declared request body.
#[derive(Debug)]
pub(crate) struct Body {
    pub(crate) required: bool,
    pub(crate) media: Vec<Media>,
}

/// One media type of a request body.
#[derive(Debug)]
pub(crate) struct Media {
    /// As declared, lowercase (`application/json`, `application/*`, `*/*`).
    pub(crate) range: String,
    pub(crate) kind: MediaKind,
    pub(crate) validator: Option<jsonschema::Validator>,
    /// For form bodies: each property's types, to read the text values.
    pub(crate) form_types: Vec<(String, Vec<String>)>,
}

/// How a request body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediaKind {
    Json,
    Form,
    /// Anything else: accepted as it is.
    Other,
}

/// One credential a security requirement needs.
#[derive(Debug)]
pub(crate) struct Credential {
    /// The security scheme's name.
    pub(crate) scheme: String,
    pub(crate) kind: CredentialKind,
}

/// Where a credential is looked for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CredentialKind {
    Header(String),
    Query(String),
    Cookie(String),
    /// `Authorization: <scheme> …` (`basic`, `bearer`, …; lowercase).
    Authorization(String),
    /// Nothing the mock can check (mutual TLS, an unknown scheme).
    Anything,
}

/// The answer to a valid request.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) content_type: Option<HeaderValue>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// The body, serialised once.
    pub(crate) body: Bytes,
    /// The example object and what the request may set in it, when echo can apply.
    pub(crate) echo: Option<(Map<String, Value>, Echo)>,
}

impl MockOperation {
    /// Compiles `operation` of `api`; what cannot be compiled (a schema) is left unchecked,
    /// with a line added to `warnings`.
    pub(crate) fn compile(
        api: &OpenApi,
        operation: &Operation,
        echo: bool,
        warnings: &mut Vec<String>,
    ) -> MockOperation {
        let definition = api.resolve_refs(&operation.definition);
        let at = format!("{} {}", operation.method, operation.path);
        let mut compile =
            |schema: &Value, what: &str| match jsonschema::draft202012::new(&relax(schema)) {
                Ok(validator) => Some(validator),
                Err(err) => {
                    warnings.push(format!(
                        "{at}: the {what} schema does not compile, not checked: {err}"
                    ));
                    None
                }
            };
        let parameters = operation
            .parameters
            .iter()
            .filter(|parameter| !ignored_header(parameter.location, &parameter.name))
            .map(|parameter| {
                let schema = parameter
                    .schema
                    .as_ref()
                    .map(|schema| api.resolve_refs(schema));
                let json = parameter.content_type.as_deref().is_some_and(is_json);
                let kind = schema.as_ref().map(types).unwrap_or_default();
                let default_style = match parameter.location {
                    ParameterIn::Query | ParameterIn::Cookie => "form",
                    ParameterIn::Path
                    | ParameterIn::Header
                    | ParameterIn::Querystring
                    | ParameterIn::Channel => "simple",
                };
                let style_ok = parameter
                    .style
                    .as_deref()
                    .is_none_or(|style| style == default_style);
                let shape = if json {
                    Shape::Json
                } else if !style_ok || kind.iter().any(|kind| kind == "object") {
                    Shape::Unchecked
                } else if kind.iter().any(|kind| kind == "array") {
                    Shape::Array {
                        explode: parameter.explode.unwrap_or(default_style == "form"),
                    }
                } else {
                    Shape::Single
                };
                let types = match shape {
                    Shape::Array { .. } => schema
                        .as_ref()
                        .and_then(|schema| schema.get("items"))
                        .map(types)
                        .unwrap_or_default(),
                    _ => kind,
                };
                let validator = match (&schema, shape) {
                    (Some(schema), Shape::Single | Shape::Array { .. } | Shape::Json) => {
                        compile(schema, &format!("parameter `{}`", parameter.name))
                    }
                    _ => None,
                };
                Parameter {
                    name: parameter.name.clone(),
                    location: parameter.location,
                    required: parameter.required || parameter.location == ParameterIn::Path,
                    shape,
                    types,
                    validator,
                }
            })
            .collect();
        let body = definition.get("requestBody").map(|body| {
            let content = body.get("content").and_then(Value::as_object);
            let media = content
                .into_iter()
                .flatten()
                .map(|(range, media)| {
                    let range = range.to_ascii_lowercase();
                    let kind = if is_json(&range) {
                        MediaKind::Json
                    } else if range == "application/x-www-form-urlencoded" {
                        MediaKind::Form
                    } else {
                        MediaKind::Other
                    };
                    let schema = media.get("schema");
                    let validator = match (kind, schema) {
                        (MediaKind::Json | MediaKind::Form, Some(schema)) => {
                            compile(schema, "request body")
                        }
                        _ => None,
                    };
                    let form_types =
                        match (kind, schema.and_then(|schema| schema.get("properties"))) {
                            (MediaKind::Form, Some(Value::Object(properties))) => properties
                                .iter()
                                .map(|(name, property)| (name.clone(), types(property)))
                                .collect(),
                            _ => Vec::new(),
                        };
                    Media {
                        range,
                        kind,
                        validator,
                        form_types,
                    }
                })
                .collect();
            Body {
                required: body.get("required") == Some(&Value::Bool(true)),
                media,
            }
        });
        MockOperation {
            method: operation.method.clone(),
            path: operation.path.clone(),
            source: api.name().to_string(),
            operation_id: operation.operation_id.clone(),
            parameters,
            body,
            security: security(api.security(operation)),
            reply: reply(definition.get("responses"), echo),
        }
    }
}

/// A copy of `schema` in which the members of an `allOf` do not close the object: their
/// `additionalProperties: false` is dropped. Descriptions write it meaning the merged object,
/// but by JSON Schema each member would refuse the other members' properties, so that no
/// request could pass.
fn relax(schema: &Value) -> Value {
    let mut copy = schema.clone();
    relax_in(&mut copy);
    copy
}

fn relax_in(value: &mut Value) {
    match value {
        Value::Object(members) => {
            if let Some(Value::Array(all_of)) = members.get_mut("allOf") {
                for member in all_of.iter_mut().filter_map(Value::as_object_mut) {
                    if member.get("additionalProperties") == Some(&Value::Bool(false)) {
                        member.remove("additionalProperties");
                    }
                }
            }
            for (key, member) in members.iter_mut() {
                if !matches!(
                    key.as_str(),
                    "example" | "examples" | "default" | "enum" | "const"
                ) {
                    relax_in(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(relax_in),
        _ => {}
    }
}

/// Header parameters named `Accept`, `Content-Type` or `Authorization` are ignored, as
/// OpenAPI says.
fn ignored_header(location: ParameterIn, name: &str) -> bool {
    location == ParameterIn::Header
        && ["accept", "content-type", "authorization"]
            .iter()
            .any(|ignored| name.eq_ignore_ascii_case(ignored))
}

/// `application/json`, `application/problem+json`, `text/json`…
pub(crate) fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.eq_ignore_ascii_case("text/json")
        || essence.to_ascii_lowercase().ends_with("+json")
}

/// The JSON types a schema names in `type`.
pub(crate) fn types(schema: &Value) -> Vec<String> {
    match schema.get("type") {
        Some(Value::String(kind)) => vec![kind.clone()],
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(|kind| kind.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// The credentials of an operation's security requirements (see [`OpenApi::security`]).
fn security(requirements: Vec<Vec<RequiredScheme>>) -> Vec<Vec<Credential>> {
    requirements
        .into_iter()
        .map(|requirement| {
            requirement
                .into_iter()
                .map(|required| Credential {
                    kind: credential(&required.scheme),
                    scheme: required.name,
                })
                .collect()
        })
        .collect()
}

fn credential(scheme: &SecurityScheme) -> CredentialKind {
    match scheme {
        SecurityScheme::ApiKey { name, location } => match location {
            ApiKeyLocation::Header => CredentialKind::Header(name.clone()),
            ApiKeyLocation::Query => CredentialKind::Query(name.clone()),
            ApiKeyLocation::Cookie => CredentialKind::Cookie(name.clone()),
        },
        SecurityScheme::Http { scheme } => CredentialKind::Authorization(scheme.clone()),
        SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIdConnect => {
            CredentialKind::Authorization("bearer".to_string())
        }
        _ => CredentialKind::Anything,
    }
}

/// The documented answer: the lowest `2xx` response, else `2XX` (as 200), else the lowest
/// `3xx` (an operation whose normal answer is a redirect), else `default` (as 200), else the
/// first one listed; its example (or generated) body in its first JSON media type (else its
/// first one) and its headers' examples.
fn reply(responses: Option<&Value>, echo: bool) -> Reply {
    let responses = responses.and_then(Value::as_object);
    let listed = || responses.into_iter().flatten();
    let lowest = |range: std::ops::Range<u16>| {
        listed()
            .filter_map(|(code, response)| Some((code.parse::<u16>().ok()?, response)))
            .filter(|(code, _)| range.contains(code))
            .min_by_key(|(code, _)| *code)
    };
    let named = |name: &str| {
        listed()
            .find(|(code, _)| code.eq_ignore_ascii_case(name))
            .map(|(_, response)| (200, response))
    };
    let chosen = lowest(200..300)
        .or_else(|| named("2XX"))
        .or_else(|| lowest(300..400))
        .or_else(|| named("default"))
        .or_else(|| {
            listed().find_map(|(code, response)| Some((code.parse::<u16>().ok()?, response)))
        });
    let Some((code, response)) = chosen else {
        return empty_reply(StatusCode::OK);
    };
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
    let mut reply = empty_reply(status);
    let headers = response.get("headers").and_then(Value::as_object);
    for (name, header) in headers.into_iter().flatten() {
        let Some(value) = example_of(header) else {
            continue;
        };
        let text = match value {
            Value::String(text) => text,
            other => other.to_string(),
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(text),
        ) && name != http::header::CONTENT_TYPE
        {
            reply.headers.push((name, value));
        }
    }
    let content = response.get("content").and_then(Value::as_object);
    let Some((media_type, media)) = content
        .into_iter()
        .flatten()
        .find(|(media_type, _)| is_json(media_type))
        .or_else(|| content.and_then(|content| content.iter().next()))
    else {
        return reply;
    };
    let Some(value) = example_of(media) else {
        reply.content_type = HeaderValue::try_from(media_type.as_str()).ok();
        return reply;
    };
    let json = is_json(media_type) || media_type.contains('*') && !value.is_string();
    let content_type = match (media_type.contains('*'), json) {
        (false, _) => media_type.as_str(),
        (true, true) => "application/json",
        (true, false) => "text/plain",
    };
    reply.content_type = HeaderValue::try_from(content_type).ok();
    reply.body = match (&value, json) {
        (Value::String(text), false) => Bytes::from(text.clone()),
        (value, _) => Bytes::from(value.to_string()),
    };
    if let (true, true, Value::Object(template)) = (echo, json, &value) {
        let plan = Echo::new(media.get("schema"), &value);
        if !plan.is_empty() {
            reply.echo = Some((template.clone(), plan));
        }
    }
    reply
}

fn empty_reply(status: StatusCode) -> Reply {
    Reply {
        status,
        content_type: None,
        headers: Vec::new(),
        body: Bytes::new(),
        echo: None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_lowest_success_status_is_answered() {
        let responses = json!({
            "404": {"description": "no"},
            "201": {"description": "created", "content": {"application/json": {"example": {"id": 1}}}},
            "200": {"description": "ok", "headers": {"X-Rate": {"schema": {"type": "integer"}}},
                    "content": {"text/plain": {"example": "fine"}}}
        });
        let reply = reply(Some(&responses), true);
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, "fine");
        assert_eq!(reply.content_type.unwrap(), "text/plain");
        assert_eq!(reply.headers[0].1, "0");
        assert!(reply.echo.is_none());

        let reply = super::reply(Some(&json!({"default": {"description": "x"}})), true);
        assert_eq!((reply.status, reply.body.len()), (StatusCode::OK, 0));
        let reply = super::reply(Some(&json!({"404": {"description": "x"}})), true);
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        // A redirect is the normal answer of an operation that documents no 2xx; `default`
        // is then its error response (bnpl's `GET /auth`).
        let redirect = json!({
            "default": {"description": "error"},
            "302": {"description": "redirect", "headers": {"Location": {"example": "https://x/y"}}}
        });
        let reply = super::reply(Some(&redirect), true);
        assert_eq!(reply.status, StatusCode::FOUND);
        assert_eq!(reply.headers[0].1, "https://x/y");
        let ranged = json!({"302": {"description": "x"}, "2XX": {"description": "y"}});
        assert_eq!(super::reply(Some(&ranged), true).status, StatusCode::OK);
    }

    #[test]
    fn security_schemes_become_credentials() {
        let api_key = SecurityScheme::ApiKey {
            name: "X-API-KEY".to_string(),
            location: ApiKeyLocation::Header,
        };
        let basic = SecurityScheme::Http {
            scheme: "basic".to_string(),
        };
        let oauth = SecurityScheme::OAuth2 { token_url: None };
        let kinds =
            [api_key, basic, oauth, SecurityScheme::Other].map(|scheme| credential(&scheme));
        assert_eq!(
            kinds,
            [
                CredentialKind::Header("X-API-KEY".to_string()),
                CredentialKind::Authorization("basic".to_string()),
                CredentialKind::Authorization("bearer".to_string()),
                CredentialKind::Anything,
            ]
        );
    }
}
