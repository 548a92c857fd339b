//! Record and replay: a [`Recording`] keeps what went through an executor, a [`Cassette`]
//! holds it as a human-readable, diff-friendly YAML file (secrets redacted), a
//! [`ReplayExecutor`] answers from it with no network, as the [`MatchPolicy`] matches requests.
//!
//! ```yaml
//! match:                        # optional; the default compares method, URL and body
//!   ignore_body_fields: [sentAt]
//! exchanges:
//! - request:
//!     method: POST
//!     url: https://app.amberflo.io/meters
//!     headers:
//!     - X-API-KEY: '***'
//!     - content-type: application/json
//!     body:                     # a JSON body, as YAML; other bodies are `text: …`
//!       meterApiName: api-calls
//!   response:
//!     status: 200
//!     headers:
//!     - content-type: application/json
//!     body:
//!       id: meter-1
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod record;
mod replay;

pub use self::record::Recording;
pub use self::replay::{NO_RECORDING, ReplayExecutor};

use arazzo_sources::REDACTED;

use crate::executor::{Request, Response, header};
use crate::redact::Redactor;

/// The comment written at the top of every cassette file.
const HEADER: &str = "\
# An arazzo cassette: HTTP exchanges recorded by `arazzo run --record`, answered by
# `arazzo run --replay` and `arazzo snapshot --replay`. Secrets are recorded as `***`, which
# matches any value on replay. Matching compares method, URL and body unless the `match`
# section says otherwise (headers, ignore_headers, ignore_query, ignore_body_fields).
";

/// Recorded HTTP exchanges, in the order they happened, and how requests are matched to them.
///
/// A cassette is a YAML file (see the module example): each exchange has the request (method,
/// URL, headers, body) and the response (status, headers, body). JSON bodies are written as
/// YAML structures so that a change reads as a small diff; other bodies as text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cassette {
    /// How requests are matched to recorded ones.
    #[serde(
        rename = "match",
        default,
        skip_serializing_if = "MatchPolicy::is_default"
    )]
    pub policy: MatchPolicy,
    /// The exchanges, in the order they were recorded.
    #[serde(default)]
    pub exchanges: Vec<Exchange>,
}

/// One request and the response it got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// The request as sent.
    pub request: RecordedRequest,
    /// The response as received.
    pub response: RecordedResponse,
}

/// A request in a cassette.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The full URL, query string included.
    pub url: String,
    /// Header fields in the order sent, names as written.
    #[serde(default, with = "header_list", skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// The body, if any: `body:` (JSON, as YAML) or `text:` in the file.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
}

/// A response in a cassette.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// The status code.
    pub status: u16,
    /// Header fields in the order received, names lower-case.
    #[serde(default, with = "header_list", skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// The body, if any: `body:` (JSON, as YAML) or `text:` in the file.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
}

/// A recorded body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Body {
    /// A JSON body (the content type is absent or mentions `json`, and it parses), kept as a
    /// structure. Replayed as compact JSON.
    #[serde(rename = "body")]
    Json(Value),
    /// Any other body, as text (bytes that are not UTF-8 are replaced by U+FFFD).
    #[serde(rename = "text")]
    Text(String),
}

impl Body {
    /// The body of a message with this content type, as a cassette keeps it; `None` when empty.
    pub fn from_bytes(bytes: &[u8], content_type: Option<&str>) -> Option<Body> {
        if bytes.is_empty() {
            return None;
        }
        let json_type = content_type
            .is_none_or(|content_type| content_type.to_ascii_lowercase().contains("json"));
        if json_type && let Ok(value) = serde_json::from_slice(bytes) {
            return Some(Body::Json(value));
        }
        Some(Body::Text(String::from_utf8_lossy(bytes).into_owned()))
    }

    /// The bytes to send or answer: compact JSON, or the text.
    pub fn to_bytes(&self) -> Bytes {
        match self {
            Body::Json(value) => Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
            Body::Text(text) => Bytes::from(text.clone()),
        }
    }

    fn redacted(&self, redactor: &Redactor) -> Body {
        match self {
            Body::Json(value) => Body::Json(redactor.value(value)),
            Body::Text(text) => Body::Text(redactor.body_text(text).into_owned()),
        }
    }
}

/// Which parts of a request must equal the recorded one for the recording to answer it.
///
/// By default the **method**, the **URL** (scheme, host, port, path, and the query parameters
/// in any order) and the **body** (JSON bodies compared as JSON, other bodies as text) are
/// compared; headers are not. A recorded value `***` (a redacted secret) matches any value,
/// and `***` inside a recorded string matches any text there, so a cassette recorded with
/// secrets redacted still matches the real requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchPolicy {
    /// Request headers that must also match, by name (case-insensitive); `*` means every
    /// header of the recorded request. A recorded header must be sent with an equal value;
    /// headers sent but not recorded are ignored.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// Headers never compared, even with `*` (e.g. `x-request-id`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignore_headers: Vec<String>,
    /// Query parameters left out of the URL comparison, by name (e.g. `timestamp`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignore_query: Vec<String>,
    /// JSON body fields left out of the body comparison: a JSON pointer (`/event/sentAt`)
    /// removes that one field, a plain name (`sentAt`) removes members of that name at any
    /// depth.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignore_body_fields: Vec<String>,
}

impl MatchPolicy {
    /// Whether this is the default policy (method, URL and body).
    pub fn is_default(&self) -> bool {
        *self == MatchPolicy::default()
    }

    /// Whether `actual` matches `recorded`.
    ///
    /// # Errors
    /// The first difference, one line, e.g. ``body `/meterApiName`: expected `"a"`, got `"b"` ``.
    pub fn check(&self, recorded: &RecordedRequest, actual: &Request) -> Result<(), String> {
        if !recorded.method.eq_ignore_ascii_case(actual.method.as_str()) {
            return Err(format!(
                "method: expected `{}`, got `{}`",
                recorded.method, actual.method
            ));
        }
        self.check_url(&recorded.url, &actual.url)?;
        self.check_headers(&recorded.headers, &actual.headers)?;
        let actual_body = actual
            .body
            .as_deref()
            .and_then(|body| Body::from_bytes(body, header(&actual.headers, "content-type")));
        self.check_body(recorded.body.as_ref(), actual_body.as_ref())
    }

    fn check_url(&self, recorded: &str, actual: &url::Url) -> Result<(), String> {
        let differs = || {
            Err(format!(
                "url: expected `{recorded}`, got `{}`",
                Redactor::default().text(actual.as_str())
            ))
        };
        let Ok(recorded_url) = url::Url::parse(recorded) else {
            return if glob(recorded, actual.as_str()) {
                Ok(())
            } else {
                differs()
            };
        };
        let origin = |url: &url::Url| {
            format!(
                "{}://{}:{}{}",
                url.scheme(),
                url.host_str().unwrap_or_default(),
                url.port_or_known_default().unwrap_or_default(),
                url.path()
            )
        };
        if !glob(&origin(&recorded_url), &origin(actual)) {
            return differs();
        }
        let query = |url: &url::Url| {
            let mut pairs: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(name, _)| !self.ignore_query.iter().any(|ignored| ignored == name))
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect();
            // Stable: parameters repeated under one name keep their order.
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            pairs
        };
        let (expected, got) = (query(&recorded_url), query(actual));
        let same = expected.len() == got.len()
            && expected
                .iter()
                .zip(&got)
                .all(|(expected, got)| expected.0 == got.0 && glob(&expected.1, &got.1));
        if same { Ok(()) } else { differs() }
    }

    fn check_headers(
        &self,
        recorded: &[(String, String)],
        actual: &[(String, String)],
    ) -> Result<(), String> {
        let all = self.headers.iter().any(|name| name == "*");
        for (name, expected) in recorded {
            let compared = (all
                || self
                    .headers
                    .iter()
                    .any(|header| header.eq_ignore_ascii_case(name)))
                && !self
                    .ignore_headers
                    .iter()
                    .any(|ignored| ignored.eq_ignore_ascii_case(name));
            if !compared {
                continue;
            }
            match header(actual, name) {
                Some(got) if glob(expected, got) => {}
                Some(got) => {
                    return Err(format!(
                        "header `{name}`: expected `{expected}`, got `{}`",
                        Redactor::default().header(name, got)
                    ));
                }
                None => return Err(format!("header `{name}`: expected `{expected}`, not sent")),
            }
        }
        Ok(())
    }

    fn check_body(&self, recorded: Option<&Body>, actual: Option<&Body>) -> Result<(), String> {
        match (recorded, actual) {
            (None, None) => Ok(()),
            (Some(_), None) => Err("body: expected a body, none was sent".to_string()),
            (None, Some(_)) => Err("body: none was recorded, one was sent".to_string()),
            (Some(Body::Text(expected)), Some(Body::Text(got))) => {
                if glob(expected, got) {
                    Ok(())
                } else {
                    Err(format!(
                        "body: expected `{}`, got `{}`",
                        excerpt(expected),
                        excerpt(got)
                    ))
                }
            }
            (Some(Body::Json(expected)), Some(Body::Json(got))) => {
                let (mut expected, mut got) = (expected.clone(), got.clone());
                for field in &self.ignore_body_fields {
                    remove_field(&mut expected, field);
                    remove_field(&mut got, field);
                }
                match json_difference(&expected, &got, &mut String::new()) {
                    None => Ok(()),
                    Some(difference) => Err(format!("body {difference}")),
                }
            }
            (Some(Body::Json(_)), Some(Body::Text(_))) => {
                Err("body: expected JSON, got text".to_string())
            }
            (Some(Body::Text(_)), Some(Body::Json(_))) => {
                Err("body: expected text, got JSON".to_string())
            }
        }
    }
}

impl Cassette {
    /// A cassette of `exchanges`, with the default policy.
    pub fn new(exchanges: Vec<Exchange>) -> Cassette {
        Cassette {
            policy: MatchPolicy::default(),
            exchanges,
        }
    }

    /// Reads a cassette file.
    ///
    /// # Errors
    /// When the file cannot be read or is not a cassette.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Cassette, CassetteError> {
        let path = path.as_ref();
        let text = arazzo_model::read_regular_file(path, arazzo_model::MAX_FILE_BYTES).map_err(
            |source| CassetteError::Read {
                path: path.to_path_buf(),
                source,
            },
        )?;
        Cassette::from_yaml(&text).map_err(|err| match err {
            CassetteError::Parse { message, .. } => CassetteError::Parse {
                path: Some(path.to_path_buf()),
                message,
            },
            other => other,
        })
    }

    /// Parses a cassette from YAML text.
    ///
    /// # Errors
    /// When the text is not a cassette.
    pub fn from_yaml(text: &str) -> Result<Cassette, CassetteError> {
        yaml_serde::from_str(text).map_err(|err| CassetteError::Parse {
            path: None,
            message: err.to_string(),
        })
    }

    /// The cassette as YAML text, with a comment saying what it is.
    pub fn to_yaml(&self) -> String {
        let yaml = yaml_serde::to_string(self).expect("a cassette is plain data");
        format!("{HEADER}{yaml}")
    }

    /// Writes the cassette to `path`.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), CassetteError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_yaml()).map_err(|source| CassetteError::Write {
            path: path.to_path_buf(),
            source,
        })
    }
}

impl Exchange {
    /// The exchange of `request` and `response`, with secrets replaced by `***`: the values
    /// `redactor` knows everywhere (pass the run's,
    /// [`WorkflowReport::redactor`](crate::WorkflowReport::redactor), which knows its
    /// credentials as well as its secret inputs), the values of secret headers
    /// (`Authorization`, `X-API-KEY`, `Cookie`…) and of JSON members with secret-like names.
    pub fn new(request: &Request, response: &Response, redactor: &Redactor) -> Exchange {
        let response_body = Body::from_bytes(&response.body, response.header("content-type"));
        Exchange {
            request: RecordedRequest::new(request, redactor),
            response: RecordedResponse {
                status: response.status,
                headers: redactor.headers(&response.headers),
                body: response_body.map(|body| body.redacted(redactor)),
            },
        }
    }

    /// The recorded response, as the engine gets it.
    pub fn to_response(&self) -> Response {
        Response {
            status: self.response.status,
            headers: self.response.headers.clone(),
            body: self
                .response
                .body
                .as_ref()
                .map(Body::to_bytes)
                .unwrap_or_default(),
        }
    }
}

impl RecordedRequest {
    /// `request` as a cassette keeps it, secrets replaced by `***` as [`Exchange::new`] does.
    pub fn new(request: &Request, redactor: &Redactor) -> RecordedRequest {
        let body = request
            .body
            .as_deref()
            .and_then(|body| Body::from_bytes(body, header(&request.headers, "content-type")));
        RecordedRequest {
            method: request.method.to_string(),
            url: redactor.text(request.url.as_str()).into_owned(),
            headers: redactor.headers(&request.headers),
            body: body.map(|body| body.redacted(redactor)),
        }
    }

    /// `METHOD URL` and the body, one line, for messages.
    pub(crate) fn summary(&self) -> String {
        summary(&self.method, &self.url, self.body.as_ref())
    }
}

/// `METHOD URL` and the body of a request, one line, for messages (members with secret-like
/// names redacted).
pub(crate) fn request_summary(request: &Request) -> String {
    RecordedRequest::new(request, &Redactor::default()).summary()
}

fn summary(method: &str, url: &str, body: Option<&Body>) -> String {
    let mut line = format!("{method} {url}");
    match body {
        Some(Body::Json(value)) => {
            let _ = write!(line, " {}", excerpt(&value.to_string()));
        }
        Some(Body::Text(text)) => {
            let _ = write!(line, " {}", excerpt(text));
        }
        None => {}
    }
    line
}

/// A cassette could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CassetteError {
    /// The file could not be read (e.g. it does not exist).
    #[error("cannot read cassette `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error("cannot write cassette `{}`", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The text is not a cassette, e.g. `exchanges: 3`.
    #[error("invalid cassette{}: {message}", path.as_ref().map(|path| format!(" `{}`", path.display())).unwrap_or_default())]
    Parse {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// The YAML parser's message, with the line and column.
        message: String,
    },
}

/// Whether `text` matches `pattern`, where each `***` in the pattern stands for any text.
fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split(REDACTED);
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// The first difference between two JSON values, as `` `/pointer`: expected …, got … ``; a
/// recorded `***` matches anything.
fn json_difference(expected: &Value, got: &Value, pointer: &mut String) -> Option<String> {
    let differs = |pointer: &str| {
        Some(format!(
            "`{}`: expected `{}`, got `{}`",
            if pointer.is_empty() { "/" } else { pointer },
            excerpt(&expected.to_string()),
            excerpt(&got.to_string())
        ))
    };
    match (expected, got) {
        (Value::String(pattern), _) if pattern == REDACTED => None,
        (Value::String(pattern), Value::String(text)) => {
            if glob(pattern, text) {
                None
            } else {
                differs(pointer)
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            if a == b || a.as_f64() == b.as_f64() {
                None
            } else {
                differs(pointer)
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            let len = pointer.len();
            for (index, (a, b)) in a.iter().zip(b).enumerate() {
                let _ = write!(pointer, "/{index}");
                if let Some(difference) = json_difference(a, b, pointer) {
                    return Some(difference);
                }
                pointer.truncate(len);
            }
            if a.len() == b.len() {
                None
            } else {
                Some(format!(
                    "`{}`: expected {} items, got {}",
                    if pointer.is_empty() { "/" } else { pointer },
                    a.len(),
                    b.len()
                ))
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            let len = pointer.len();
            for (key, a_member) in a {
                let _ = write!(pointer, "/{}", arazzo_expr::pointer::escape(key));
                let Some(b_member) = b.get(key) else {
                    return Some(format!("`{pointer}`: expected, not sent"));
                };
                if let Some(difference) = json_difference(a_member, b_member, pointer) {
                    return Some(difference);
                }
                pointer.truncate(len);
            }
            b.keys().find(|key| !a.contains_key(*key)).map(|key| {
                let escaped = arazzo_expr::pointer::escape(key);
                format!("`{pointer}/{escaped}`: sent, not recorded")
            })
        }
        _ if expected == got => None,
        _ => differs(pointer),
    }
}

/// Removes `field` from a JSON value: a JSON pointer (`/a/b`) or a member name at any depth.
fn remove_field(value: &mut Value, field: &str) {
    if let Some(pointer) = field.strip_prefix('/') {
        let (parent, last) = match pointer.rsplit_once('/') {
            Some((parent, last)) => (format!("/{parent}"), last),
            None => (String::new(), pointer),
        };
        let last = arazzo_expr::pointer::unescape(last);
        match value.pointer_mut(&parent) {
            Some(Value::Object(members)) => {
                members.shift_remove(&last);
            }
            Some(Value::Array(items)) => {
                if let Ok(index) = last.parse::<usize>()
                    && index < items.len()
                {
                    items.remove(index);
                }
            }
            _ => {}
        }
        return;
    }
    match value {
        Value::Object(members) => {
            members.shift_remove(field);
            members
                .values_mut()
                .for_each(|member| remove_field(member, field));
        }
        Value::Array(items) => items.iter_mut().for_each(|item| remove_field(item, field)),
        _ => {}
    }
}

/// At most 200 characters of `text`.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Header fields as a YAML list of one-entry maps (`- content-type: application/json`):
/// readable, ordered, and duplicates (`set-cookie`) kept.
mod header_list {
    use serde::de::{Deserializer, Error as _};
    use serde::ser::{SerializeMap, SerializeSeq, Serializer};
    use serde::{Deserialize, Serialize};

    struct One<'a>(&'a str, &'a str);

    impl Serialize for One<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(1))?;
            map.serialize_entry(self.0, self.1)?;
            map.end()
        }
    }

    pub fn serialize<S: Serializer>(
        headers: &[(String, String)],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(headers.len()))?;
        for (name, value) in headers {
            seq.serialize_element(&One(name, value))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<(String, String)>, D::Error> {
        let entries: Vec<indexmap::IndexMap<String, String>> = Vec::deserialize(deserializer)?;
        entries
            .into_iter()
            .map(|entry| {
                let mut fields = entry.into_iter();
                match (fields.next(), fields.next()) {
                    (Some(field), None) => Ok(field),
                    _ => Err(D::Error::custom(
                        "each header is a one-entry map, e.g. `- content-type: application/json`",
                    )),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(method: &str, url: &str, body: Option<Value>) -> Request {
        Request {
            method: method.parse().unwrap(),
            url: url.parse().unwrap(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.map(|body| Bytes::from(body.to_string())),
        }
    }

    fn recorded(method: &str, url: &str, body: Option<Value>) -> RecordedRequest {
        RecordedRequest {
            method: method.into(),
            url: url.into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.map(Body::Json),
        }
    }

    #[test]
    fn glob_stars_match_any_text() {
        assert!(glob("abc", "abc"));
        assert!(!glob("abc", "abcd"));
        assert!(glob("***", "anything"));
        assert!(glob("Bearer ***", "Bearer t0k3n"));
        assert!(glob("k=***&x=***", "k=1&x=2"));
        assert!(!glob("Bearer ***", "Basic x"));
        assert!(glob("a***a", "aa"));
        assert!(!glob("ab***ba", "aba"));
    }

    #[test]
    fn default_policy_compares_method_url_and_body() {
        let policy = MatchPolicy::default();
        let url = "https://api.example/pets?b=2&a=1";
        let recorded = recorded("POST", url, Some(json!({"name": "Rex", "tags": [1, 2]})));
        let same = request(
            "POST",
            "https://api.example/pets?a=1&b=2",
            Some(json!({"tags": [1, 2], "name": "Rex"})),
        );
        assert_eq!(policy.check(&recorded, &same), Ok(()));
        let other_body = request("POST", url, Some(json!({"name": "Max", "tags": [1, 2]})));
        assert_eq!(
            policy.check(&recorded, &other_body),
            Err("body `/name`: expected `\"Rex\"`, got `\"Max\"`".to_string())
        );
        let other_method = request("PUT", url, Some(json!({})));
        assert_eq!(
            policy.check(&recorded, &other_method),
            Err("method: expected `POST`, got `PUT`".to_string())
        );
        let other_query = request("POST", "https://api.example/pets?a=1&b=3", None);
        assert!(
            policy
                .check(&recorded, &other_query)
                .unwrap_err()
                .starts_with("url:")
        );
        let extra = request(
            "POST",
            url,
            Some(json!({"name": "Rex", "tags": [1, 2], "x": 1})),
        );
        assert_eq!(
            policy.check(&recorded, &extra),
            Err("body `/x`: sent, not recorded".to_string())
        );
        let shorter = request("POST", url, Some(json!({"name": "Rex", "tags": [1]})));
        assert_eq!(
            policy.check(&recorded, &shorter),
            Err("body `/tags`: expected 2 items, got 1".to_string())
        );
    }

    #[test]
    fn redacted_values_are_wildcards() {
        let policy = MatchPolicy {
            headers: vec!["*".into()],
            ..MatchPolicy::default()
        };
        let mut recorded = recorded(
            "GET",
            "https://api.example/pets?api_key=***",
            Some(json!({"password": "***", "note": "key ***!"})),
        );
        recorded
            .headers
            .push(("Authorization".into(), "Bearer ***".into()));
        let mut actual = request(
            "GET",
            "https://api.example/pets?api_key=s3cr3t",
            Some(json!({"password": 1234, "note": "key s3cr3t!"})),
        );
        actual
            .headers
            .push(("authorization".into(), "Bearer s3cr3t".into()));
        assert_eq!(policy.check(&recorded, &actual), Ok(()));
        actual.headers[1].1 = "Basic s3cr3t".into();
        assert_eq!(
            policy.check(&recorded, &actual),
            Err("header `Authorization`: expected `Bearer ***`, got `***`".to_string())
        );
    }

    #[test]
    fn ignored_fields_query_and_headers() {
        let policy = MatchPolicy {
            headers: vec!["*".into()],
            ignore_headers: vec!["X-Request-Id".into()],
            ignore_query: vec!["ts".into()],
            ignore_body_fields: vec!["sentAt".into(), "/meta/nonce".into()],
        };
        let mut recorded = recorded(
            "POST",
            "https://api.example/e?ts=1&k=v",
            Some(json!({"sentAt": 1, "meta": {"nonce": "a", "sentAt": 2, "keep": true}})),
        );
        recorded.headers.push(("x-request-id".into(), "r1".into()));
        let mut actual = request(
            "POST",
            "https://api.example/e?k=v&ts=99",
            Some(json!({"sentAt": 5, "meta": {"nonce": "b", "sentAt": 6, "keep": true}})),
        );
        actual.headers.push(("x-request-id".into(), "r2".into()));
        assert_eq!(policy.check(&recorded, &actual), Ok(()));
        actual.body = Some(Bytes::from(
            json!({"meta": {"nonce": "b", "keep": false}}).to_string(),
        ));
        assert_eq!(
            policy.check(&recorded, &actual),
            Err("body `/meta/keep`: expected `true`, got `false`".to_string())
        );
    }

    #[test]
    fn yaml_round_trip_keeps_bodies_and_headers() {
        let cassette = Cassette {
            policy: MatchPolicy {
                ignore_body_fields: vec!["sentAt".into()],
                ..MatchPolicy::default()
            },
            exchanges: vec![Exchange {
                request: recorded(
                    "POST",
                    "https://api.example/pets",
                    Some(json!({"id": "1", "n": 1718153645993u64, "f": 5.0, "yes": "true"})),
                ),
                response: RecordedResponse {
                    status: 201,
                    headers: vec![
                        ("set-cookie".into(), "a=1".into()),
                        ("set-cookie".into(), "b=2".into()),
                    ],
                    body: Some(Body::Text("created\n".into())),
                },
            }],
        };
        let yaml = cassette.to_yaml();
        assert!(yaml.starts_with("# An arazzo cassette"), "{yaml}");
        assert!(yaml.contains("  - set-cookie: a=1\n"), "{yaml}");
        assert!(yaml.contains("    text: |\n"), "{yaml}");
        assert_eq!(Cassette::from_yaml(&yaml).unwrap(), cassette);
        let empty = Cassette::from_yaml("exchanges: []").unwrap();
        assert_eq!(empty, Cassette::default());
        let error = Cassette::from_yaml("exchanges: []\nmatch: {ignore: [x]}").unwrap_err();
        assert!(
            error.to_string().starts_with("invalid cassette: "),
            "{error}"
        );
    }

    #[test]
    fn bodies_are_json_only_when_typed_so() {
        assert_eq!(
            Body::from_bytes(b"{\"a\":1}", Some("application/problem+json")),
            Some(Body::Json(json!({"a": 1})))
        );
        assert_eq!(Body::from_bytes(b"123", None), Some(Body::Json(json!(123))));
        assert_eq!(
            Body::from_bytes(b"123", Some("text/plain")),
            Some(Body::Text("123".into()))
        );
        assert_eq!(Body::from_bytes(b"", None), None);
    }
}
