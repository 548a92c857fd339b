//! Secrets never leave the engine in clear: every report goes through a [`Redactor`].

use std::borrow::Cow;

pub use arazzo_sources::{REDACTED, is_secret_name};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// Replaces secret values in text, and the values of secret headers.
///
/// A run has one: the engine's, which knows every secret of the run (secret inputs,
/// credentials, OAuth2 client secrets and tokens, passwords in server URLs); it is the
/// [`WorkflowReport::redactor`](crate::WorkflowReport::redactor) of the report
/// [`Engine::run`](crate::Engine::run) returns. Write anything else about the run with that one
/// (a cassette: [`Recording::cassette`](crate::Recording::cassette)); a redactor built from
/// the secret inputs alone misses the credentials.
///
/// Its `Debug` shows how many secrets it knows, never them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Redactor {
    /// Secret values, longest first (so a secret containing another is replaced whole).
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

/// `text` HTML-escaped, with `'` written as `apostrophe` (escapers differ: `&#39;`, `&#x27;`).
fn html_escaped(text: &str, apostrophe: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', apostrophe)
}

/// Sorts secrets longest first (then by text, so that duplicates are neighbours) and drops
/// duplicates.
fn longest_first(secrets: &mut Vec<String>) {
    secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    secrets.dedup();
}

impl Redactor {
    /// A redactor for these secret values (e.g. the secret inputs of a run), as written, as
    /// a request carries them in a URL or a form (percent-encoded), and as a server may echo
    /// them back (every non-alphanumeric character percent-encoded, HTML-escaped, or escaped
    /// in a JSON string). Values
    /// shorter than 3 characters are ignored: replacing them would garble unrelated text.
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .filter(|secret| secret.chars().count() >= 3)
            .flat_map(|secret| {
                // The forms `request::build` gives a value: in a query or a form body, and in
                // a path.
                let in_query: String =
                    url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
                let in_path =
                    utf8_percent_encode(&secret, arazzo_sources::style::PATH_VALUE).to_string();
                let encoded = utf8_percent_encode(&secret, NON_ALPHANUMERIC).to_string();
                let html = html_escaped(&secret, "&#39;");
                let html_hex = html_escaped(&secret, "&#x27;");
                // As a JSON string carries it (`"` and `\` escaped), in a text body.
                let json = Value::String(secret.clone()).to_string();
                let json = json[1..json.len() - 1].to_string();
                [secret, in_query, in_path, encoded, html, html_hex, json]
            })
            .collect();
        longest_first(&mut secrets);
        Redactor { secrets }
    }

    /// How many secret forms it knows (it grows as a run learns secrets).
    pub(crate) fn count(&self) -> usize {
        self.secrets.len()
    }

    /// Adds secret values (e.g. the secret inputs of a called workflow).
    pub fn add(&mut self, secrets: impl IntoIterator<Item = String>) {
        // Every step adds its credentials again: known ones are skipped, sparing their forms
        // and the sort.
        let added = Redactor::new(
            secrets
                .into_iter()
                .filter(|secret| !self.secrets.contains(secret)),
        );
        if added.secrets.is_empty() {
            return;
        }
        self.secrets.extend(added.secrets);
        longest_first(&mut self.secrets);
    }

    /// `text` with every secret value replaced.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), REDACTED));
            }
        }
        out
    }

    /// A named value (an output, a form field): redacted whole when the name is secret-like,
    /// else with the secret values replaced.
    pub fn named(&self, name: &str, value: &Value) -> Value {
        match value {
            Value::String(_) | Value::Number(_) if is_secret_name(name) => {
                Value::String(REDACTED.to_string())
            }
            other => self.value(other),
        }
    }

    /// A text body: secret values replaced, and when it is a form
    /// (`application/x-www-form-urlencoded`) the fields with a secret-like name too.
    pub fn body_text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let text = self.text(text);
        let looks_like_form = text.contains('=') && !text.contains(char::is_whitespace);
        if !looks_like_form {
            return text;
        }
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(text.as_bytes())
            .into_owned()
            .collect();
        if !pairs.iter().any(|(name, _)| is_secret_name(name)) {
            return text;
        }
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &pairs {
            let value = if is_secret_name(name) {
                REDACTED
            } else {
                value.as_str()
            };
            form.append_pair(name, value);
        }
        Cow::Owned(form.finish())
    }

    /// A header value, fully redacted when the header is secret by name.
    pub fn header(&self, name: &str, value: &str) -> String {
        if is_secret_name(name) {
            REDACTED.to_string()
        } else {
            self.text(value).into_owned()
        }
    }

    /// Header fields, each value as [`Redactor::header`] gives it.
    pub fn headers(&self, headers: &[(String, String)]) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(name, value)| (name.clone(), self.header(name, value)))
            .collect()
    }

    /// A JSON value with secrets replaced in every string, and members with secret-like names
    /// redacted whole.
    pub fn value(&self, value: &Value) -> Value {
        match value {
            Value::String(text) => Value::String(self.text(text).into_owned()),
            Value::Array(items) => {
                Value::Array(items.iter().map(|item| self.value(item)).collect())
            }
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(key, member)| (key.clone(), self.named(key, member)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_redacted_percent_encoded_too() {
        let redactor = Redactor::new(["p@ss w/rd".to_string()]);
        assert_eq!(
            redactor.text("https://api.test/p%40ss%20w%2Frd/x?key=p%40ss+w%2Frd&raw=p@ss w/rd"),
            "https://api.test/***/x?key=***&raw=***"
        );
        assert_eq!(redactor.body_text("a=1&note=p%40ss+w%2Frd"), "a=1&note=***");
    }

    #[test]
    fn secrets_are_redacted_in_the_forms_servers_echo() {
        let redactor = Redactor::new(["k-1&<2>'\"".to_string()]);
        assert_eq!(
            redactor.text("a k-1&amp;&lt;2&gt;&#39;&quot; b k-1&amp;&lt;2&gt;&#x27;&quot; c"),
            "a *** b *** c"
        );
        assert_eq!(redactor.text("k%2D1%26%3C2%3E%27%22"), "***");
        assert_eq!(
            redactor.text(r#"{"echo": "k-1&<2>'\""}"#),
            r#"{"echo": "***"}"#
        );
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let redactor = Redactor::new(["s3cr3t-value".to_string()]);
        // The secret as written and fully percent-encoded (`-` is `%2D`).
        assert_eq!(format!("{redactor:?}"), "Redactor { secrets: 2 }");
    }

    #[test]
    fn redacts_form_fields_by_name() {
        let redactor = Redactor::default();
        assert_eq!(
            redactor.body_text("grant_type=refresh_token&refresh_token=tGzv3&client_id=c1"),
            "grant_type=refresh_token&refresh_token=***&client_id=c1"
        );
        assert_eq!(redactor.body_text("plain text = fine"), "plain text = fine");
        assert_eq!(redactor.named("access_token", &json!("abc")), json!("***"));
        assert_eq!(redactor.named("expires_in", &json!(3600)), json!(3600));
    }

    #[test]
    fn redacts_values_everywhere() {
        let redactor = Redactor::new(["s3cr3t-value".to_string(), "ab".to_string()]);
        assert_eq!(
            redactor.text("https://x/?k=s3cr3t-value&ab=1"),
            "https://x/?k=***&ab=1"
        );
        assert_eq!(redactor.header("X-API-KEY", "anything"), REDACTED);
        assert_eq!(redactor.header("Accept", "s3cr3t-value"), REDACTED);
        assert_eq!(
            redactor.header("Accept", "application/json"),
            "application/json"
        );
        assert_eq!(
            redactor.value(&json!({"a": ["s3cr3t-value"], "token": "xyz", "n": 1})),
            json!({"a": ["***"], "token": "***", "n": 1})
        );
    }
}
