//! RFC 6901 JSON Pointer on `serde_json::Value`, and the reference-token codec
//! ([`escape`], [`unescape`]) the other crates of the workspace use.

use std::fmt;

use serde_json::Value;

/// A parsed JSON Pointer: its reference tokens, unescaped.
///
/// ```
/// use arazzo_expr::JsonPointer;
/// use serde_json::json;
///
/// let pointer = JsonPointer::from_uri_fragment("/paths/~1pets~1%7BpetId%7D/get").unwrap();
/// assert_eq!(pointer.tokens(), ["paths", "/pets/{petId}", "get"]);
/// let doc = json!({"paths": {"/pets/{petId}": {"get": {"operationId": "getPet"}}}});
/// assert_eq!(pointer.resolve(&doc).unwrap()["operationId"], "getPet");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct JsonPointer {
    tokens: Vec<String>,
}

/// Why a string is not a JSON Pointer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PointerError {
    /// `a/b`: a non-empty pointer starts with `/`.
    #[error("a JSON pointer must be empty or start with `/`")]
    NoLeadingSlash,
    /// `/a~2`: `~` is only valid as `~0` or `~1`.
    #[error("`~` must be followed by `0` or `1`")]
    BadEscape,
    /// `/%FF`: the percent-decoded fragment is not UTF-8.
    #[error("the percent-decoded pointer is not UTF-8")]
    NotUtf8,
}

impl JsonPointer {
    /// A pointer made of the given (unescaped) tokens.
    pub fn from_tokens<I, S>(tokens: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        JsonPointer {
            tokens: tokens.into_iter().map(Into::into).collect(),
        }
    }

    /// Parses the JSON string representation (RFC 6901 §3–4): `""` or `/token/…` with `~1`
    /// for `/` and `~0` for `~`, decoded in that order (so `~01` is the text `~1`).
    ///
    /// # Errors
    ///
    /// [`PointerError::NoLeadingSlash`] or [`PointerError::BadEscape`].
    pub fn parse(text: &str) -> Result<Self, PointerError> {
        if text.is_empty() {
            return Ok(JsonPointer::default());
        }
        let rest = text.strip_prefix('/').ok_or(PointerError::NoLeadingSlash)?;
        let tokens = rest.split('/').map(parse_token).collect::<Result<_, _>>()?;
        Ok(JsonPointer { tokens })
    }

    /// Parses the URI fragment representation (RFC 6901 §6): percent-decodes, then
    /// [`parse`](Self::parse)s. A `%` not followed by two hex digits stays a `%`.
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse), and [`PointerError::NotUtf8`].
    pub fn from_uri_fragment(fragment: &str) -> Result<Self, PointerError> {
        let decoded = percent_encoding::percent_decode_str(fragment)
            .decode_utf8()
            .map_err(|_| PointerError::NotUtf8)?;
        JsonPointer::parse(&decoded)
    }

    /// The reference tokens, unescaped.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// Whether this is the empty pointer (the whole document).
    pub fn is_root(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Appends a token.
    pub fn push(&mut self, token: impl Into<String>) {
        self.tokens.push(token.into());
    }

    /// The value the pointer refers to, or `None` when a member or index does not exist.
    ///
    /// Array indices are `0` or digits without a leading zero; `-` (past the end) never
    /// resolves.
    pub fn resolve<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        self.tokens
            .iter()
            .try_fold(value, |value, token| step(value, token))
    }

    /// The URI fragment form used after `#` in runtime expressions: besides `~0`/`~1`, it
    /// percent-encodes `%` and every character that ends a pointer in the expression grammar
    /// (whitespace, controls, `{ } ( ) [ ] = ! < > & | ' "`).
    pub fn to_uri_fragment(&self) -> String {
        let mut out = String::new();
        for token in &self.tokens {
            out.push('/');
            for ch in token.chars() {
                match ch {
                    '~' => out.push_str("~0"),
                    '/' => out.push_str("~1"),
                    ch if needs_percent(ch) => {
                        let mut buf = [0; 4];
                        for byte in ch.encode_utf8(&mut buf).bytes() {
                            out.push_str(&format!("%{byte:02X}"));
                        }
                    }
                    ch => out.push(ch),
                }
            }
        }
        out
    }
}

/// One step of pointer navigation: a member of an object, or an index into an array.
pub(crate) fn step<'v>(value: &'v Value, token: &str) -> Option<&'v Value> {
    match value {
        Value::Object(map) => map.get(token),
        Value::Array(items) => array_index(token).and_then(|index| items.get(index)),
        _ => None,
    }
}

fn array_index(token: &str) -> Option<usize> {
    let canonical =
        token == "0" || (!token.starts_with('0') && token.bytes().all(|b| b.is_ascii_digit()));
    if canonical { token.parse().ok() } else { None }
}

/// A reference token of a pointer being parsed: unescaped, a `~` not followed by `0` or `1`
/// refused.
fn parse_token(token: &str) -> Result<String, PointerError> {
    let bytes = token.as_bytes();
    let bad = bytes
        .iter()
        .enumerate()
        .any(|(at, &byte)| byte == b'~' && !matches!(bytes.get(at + 1), Some(b'0' | b'1')));
    if bad {
        return Err(PointerError::BadEscape);
    }
    Ok(unescape(token))
}

/// Escapes a reference token (RFC 6901 §3): `~` as `~0`, then `/` as `~1`.
///
/// ```
/// assert_eq!(arazzo_expr::pointer::escape("/pets/{id}~x"), "~1pets~1{id}~0x");
/// ```
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescapes a reference token (RFC 6901 §4): `~1` as `/`, then `~0` as `~` (so `~01` is the
/// text `~1`). A `~` followed by anything else stays as written; [`JsonPointer::parse`] is the
/// strict reading.
///
/// ```
/// assert_eq!(arazzo_expr::pointer::unescape("~1pets~1{id}"), "/pets/{id}");
/// assert_eq!(arazzo_expr::pointer::unescape("a~01b~2"), "a~1b~2");
/// ```
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn needs_percent(ch: char) -> bool {
    ch.is_whitespace() || ch.is_control() || "%{}()[]=!<>&|'\"".contains(ch)
}

impl fmt::Display for JsonPointer {
    /// The JSON string representation (`/a~1b/0`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for token in &self.tokens {
            write!(f, "/{}", escape(token))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_unescapes_tilde_one_before_tilde_zero() {
        let pointer = JsonPointer::parse("/a~1b/~01/~0").unwrap();
        assert_eq!(pointer.tokens(), ["a/b", "~1", "~"]);
        assert_eq!(pointer.to_string(), "/a~1b/~01/~0");
    }

    #[test]
    fn parse_rejects_bad_input() {
        assert_eq!(JsonPointer::parse("a"), Err(PointerError::NoLeadingSlash));
        assert_eq!(JsonPointer::parse("/a~2"), Err(PointerError::BadEscape));
        assert_eq!(JsonPointer::parse("/a~"), Err(PointerError::BadEscape));
    }

    #[test]
    fn empty_pointer_is_the_whole_document() {
        let doc = json!({"a": 1});
        assert_eq!(JsonPointer::parse("").unwrap().resolve(&doc), Some(&doc));
        // "/" is the member named "" (RFC 6901 §5).
        assert_eq!(
            JsonPointer::parse("/").unwrap().resolve(&json!({"": 7})),
            Some(&json!(7))
        );
    }

    #[test]
    fn array_indices_are_canonical_decimals() {
        let doc = json!([10, 11]);
        let at = |text| JsonPointer::parse(text).unwrap().resolve(&doc).cloned();
        assert_eq!(at("/1"), Some(json!(11)));
        assert_eq!(at("/01"), None);
        assert_eq!(at("/-"), None);
        assert_eq!(at("/2"), None);
        assert_eq!(at("/+1"), None);
    }

    #[test]
    fn uri_fragment_is_percent_decoded_first() {
        let pointer = JsonPointer::from_uri_fragment("/paths/~1pets~1%7BpetId%7D/a%2Fb").unwrap();
        // `%2F` decodes to `/` before the pointer is split (RFC 6901 §6).
        assert_eq!(pointer.tokens(), ["paths", "/pets/{petId}", "a", "b"]);
        assert_eq!(
            JsonPointer::from_uri_fragment("/50%").unwrap().tokens(),
            ["50%"]
        );
        assert_eq!(
            JsonPointer::from_uri_fragment("/%FF"),
            Err(PointerError::NotUtf8)
        );
    }

    #[test]
    fn uri_fragment_round_trips() {
        let pointer = JsonPointer::from_tokens(["a b", "x/y", "50%", "é}", "~"]);
        let fragment = pointer.to_uri_fragment();
        assert_eq!(fragment, "/a%20b/x~1y/50%25/é%7D/~0");
        assert_eq!(JsonPointer::from_uri_fragment(&fragment).unwrap(), pointer);
    }
}
