//! What counts as a secret: the text that replaces one ([`REDACTED`]), and the rule that tells
//! a secret-holding name (an input, a header, a form field) from others ([`is_secret_name`]).

/// What replaces a secret.
pub const REDACTED: &str = "***";

/// Headers whose values are always secret.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "x-auth-token",
];

/// Words that make a name secret-like wherever they occur, in any case.
const SECRET_WORDS: &[&str] = &[
    "key",
    "token",
    "secret",
    "password",
    "passwd",
    "credential",
    "authorization",
];

/// Endings that make a name describe a secret rather than hold one: `token_type`,
/// `tokenUrl`, `tokenExpires`, `client_id`.
const DESCRIBING_ENDINGS: &[&str] = &[
    "type",
    "url",
    "uri",
    "id",
    "name",
    "expires",
    "expiry",
    "expiration",
    "expires_in",
    "expiresin",
];

/// Whether an input or header name looks like it holds a secret (`apiKey`, `x-token`,
/// `client_secret`, `password`…).
pub fn is_secret_name(name: &str) -> bool {
    // Every member name of every body goes through here: no allocation. A plain scan: an
    // aho-corasick automaton of these seven words cost 0.16–0.4 M instructions to build, more
    // than a one-workflow run spends scanning with it.
    let bytes = name.as_bytes();
    let holds = SECRET_HEADERS
        .iter()
        .any(|header| name.eq_ignore_ascii_case(header))
        || SECRET_WORDS.iter().any(|word| {
            bytes
                .windows(word.len())
                .any(|window| window.eq_ignore_ascii_case(word.as_bytes()))
        });
    holds
        && !DESCRIBING_ENDINGS.iter().any(|ending| {
            name.len() >= ending.len()
                && bytes[name.len() - ending.len()..].eq_ignore_ascii_case(ending.as_bytes())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for name in [
            "apiKey",
            "X-API-KEY",
            "access_token",
            "client_secret",
            "Password",
            "Authorization",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "customerId",
            "meterApiName",
            "type",
            "Content-Type",
            "token_type",
            "tokenUrl",
            "tokenExpires",
            "client_id",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
