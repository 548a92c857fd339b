//! Credentials from the OpenAPI `securitySchemes`: apiKey (header, query, cookie), http basic
//! and bearer, OAuth2 client credentials (a token fetched once per run). A step's own
//! parameters always win: credentials are added only where the request has none.

use std::collections::HashMap;

use arazzo_sources::{Operation, Sources};
use serde_json::Value;

/// A security scheme of an OpenAPI document, as far as the engine can apply it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scheme {
    /// `type: apiKey`: a named header, query parameter or cookie.
    ApiKey { name: String, location: String },
    /// `type: http, scheme: basic`: the credential is `user:password`.
    Basic,
    /// `type: http, scheme: bearer`: the credential is the token.
    Bearer,
    /// `type: oauth2` with a `clientCredentials` flow.
    ClientCredentials {
        token_url: String,
        scopes: Vec<String>,
    },
    /// Anything else (openIdConnect, other flows): never applied.
    Unsupported,
}

/// One way to satisfy an operation's security: every scheme of the set, by name.
pub(crate) type Requirement = Vec<(String, Scheme)>;

/// The security requirements of an operation (its own `security`, else the document's), in
/// order: the first whose credentials are all known is applied.
pub(crate) fn requirements(operation: &Operation, sources: &Sources) -> Vec<Requirement> {
    let Some(openapi) = sources.openapi(&operation.source) else {
        return Vec::new();
    };
    let document = openapi.document();
    let security = operation
        .definition
        .get("security")
        .unwrap_or(&document["security"]);
    let schemes = &document["components"]["securitySchemes"];
    let Some(alternatives) = security.as_array() else {
        return Vec::new();
    };
    alternatives
        .iter()
        .filter_map(Value::as_object)
        .map(|requirement| {
            requirement
                .iter()
                .map(|(name, scopes)| {
                    let definition = arazzo_model::follow_local_ref(document, &schemes[name]);
                    (name.clone(), scheme(definition, scopes))
                })
                .collect()
        })
        .collect()
}

fn scheme(definition: &Value, scopes: &Value) -> Scheme {
    let text = |key: &str| definition[key].as_str().unwrap_or_default().to_string();
    match definition["type"].as_str() {
        Some("apiKey") => Scheme::ApiKey {
            name: text("name"),
            location: text("in"),
        },
        Some("http") if text("scheme").eq_ignore_ascii_case("basic") => Scheme::Basic,
        Some("http") if text("scheme").eq_ignore_ascii_case("bearer") => Scheme::Bearer,
        Some("oauth2") => match definition["flows"]["clientCredentials"]["tokenUrl"].as_str() {
            Some(token_url) => Scheme::ClientCredentials {
                token_url: token_url.to_string(),
                scopes: scopes
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
            },
            None => Scheme::Unsupported,
        },
        _ => Scheme::Unsupported,
    }
}

/// The key of a scheme's credential: `ARAZZO_AUTH_<KEY>` in the environment, where the key is
/// the scheme name upper-cased with every other character than letters and digits as `_`
/// (`api_key` and `ApiKey` → `API_KEY`, `APIKEY`).
pub fn credential_key(scheme_name: &str) -> String {
    scheme_name
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() {
                ch.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The credentials set in the environment (`ARAZZO_AUTH_<KEY>=value`), by key, for
/// [`crate::Engine::with_credentials`]. The CLI passes `std::env::vars()`.
pub fn credentials_from_env(
    vars: impl IntoIterator<Item = (String, String)>,
) -> HashMap<String, String> {
    vars.into_iter()
        .filter_map(|(key, value)| Some((key.strip_prefix("ARAZZO_AUTH_")?.to_string(), value)))
        .collect()
}

/// What a scheme adds to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Credential {
    Header(String, String),
    Query(String, String),
    Cookie(String, String),
}

/// What to redact for a scheme's credential `value`: the value itself (an apiKey, a token),
/// and for http basic (`user:password`) also the password alone and the base64 the
/// `Authorization` header carries: a server may echo any of them.
pub(crate) fn secrets(scheme: &Scheme, value: &str) -> Vec<String> {
    match scheme {
        Scheme::Basic => basic_secrets(value),
        _ => vec![value.to_string()],
    }
}

/// What to redact for a URL's userinfo password (`https://user:pw@host`, which the HTTP
/// client sends as a basic credential): the password as the URL writes it and decoded, and
/// the basic credential's forms.
pub(crate) fn userinfo_secrets(url: &url::Url) -> Vec<String> {
    let Some(password) = url.password() else {
        return Vec::new();
    };
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(text)
            .decode_utf8_lossy()
            .into_owned()
    };
    let mut secrets = basic_secrets(&format!("{}:{}", decode(url.username()), decode(password)));
    secrets.push(password.to_string());
    secrets
}

/// `user:password`, the password, and their base64.
fn basic_secrets(user_password: &str) -> Vec<String> {
    use base64::Engine as _;
    let mut secrets = vec![
        user_password.to_string(),
        base64::engine::general_purpose::STANDARD.encode(user_password),
    ];
    secrets.extend(
        user_password
            .split_once(':')
            .map(|(_, password)| password.to_string()),
    );
    secrets
}

/// The credential of a scheme from its known value (a token for OAuth2, already fetched).
pub(crate) fn credential(scheme: &Scheme, value: &str) -> Option<Credential> {
    use base64::Engine as _;
    Some(match scheme {
        Scheme::ApiKey { name, location } => match location.as_str() {
            "header" => Credential::Header(name.clone(), value.to_string()),
            "query" => Credential::Query(name.clone(), value.to_string()),
            "cookie" => Credential::Cookie(name.clone(), value.to_string()),
            _ => return None,
        },
        Scheme::Basic => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(value);
            Credential::Header("Authorization".to_string(), format!("Basic {encoded}"))
        }
        Scheme::Bearer | Scheme::ClientCredentials { .. } => {
            Credential::Header("Authorization".to_string(), format!("Bearer {value}"))
        }
        Scheme::Unsupported => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_keys_and_environment() {
        assert_eq!(credential_key("api_key"), "API_KEY");
        assert_eq!(credential_key("ApiKeyAuth"), "APIKEYAUTH");
        let env = [
            ("ARAZZO_AUTH_API_KEY".to_string(), "k".to_string()),
            ("HOME".to_string(), "/".to_string()),
        ];
        assert_eq!(
            credentials_from_env(env),
            HashMap::from([("API_KEY".to_string(), "k".to_string())])
        );
    }

    #[test]
    fn credentials_by_scheme() {
        let api_key = Scheme::ApiKey {
            name: "X-API-KEY".into(),
            location: "header".into(),
        };
        assert_eq!(
            credential(&api_key, "k"),
            Some(Credential::Header("X-API-KEY".into(), "k".into()))
        );
        assert_eq!(
            credential(&Scheme::Basic, "ann:secret"),
            Some(Credential::Header(
                "Authorization".into(),
                "Basic YW5uOnNlY3JldA==".into()
            ))
        );
        assert_eq!(
            credential(&Scheme::Bearer, "t"),
            Some(Credential::Header(
                "Authorization".into(),
                "Bearer t".into()
            ))
        );
        assert_eq!(credential(&Scheme::Unsupported, "t"), None);
    }

    #[test]
    fn secrets_of_a_credential_and_of_a_url() {
        assert_eq!(
            secrets(&Scheme::Basic, "ann:secret"),
            ["ann:secret", "YW5uOnNlY3JldA==", "secret"]
        );
        assert_eq!(secrets(&Scheme::Bearer, "t0k"), ["t0k"]);
        let url = url::Url::parse("https://ann:s%26cret@api.test/v1").unwrap();
        assert_eq!(
            userinfo_secrets(&url),
            ["ann:s&cret", "YW5uOnMmY3JldA==", "s&cret", "s%26cret"]
        );
        assert!(userinfo_secrets(&url::Url::parse("https://ann@api.test/").unwrap()).is_empty());
    }
}
