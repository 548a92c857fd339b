//! Credentials for the OpenAPI security schemes (read by `arazzo_sources`): apiKey (header,
//! query, cookie), http basic and bearer, OAuth2 client credentials (a token fetched once per
//! run). A step's own parameters always win: credentials are added only where the request has
//! none.

use std::collections::HashMap;

use arazzo_sources::{ApiKeyLocation, SecurityScheme};

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
pub(crate) fn secrets(scheme: &SecurityScheme, value: &str) -> Vec<String> {
    match scheme {
        SecurityScheme::Http { scheme } if scheme == "basic" => basic_secrets(value),
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

/// The credential of a scheme from its known value (a token for OAuth2 client credentials,
/// already fetched); `None` for the schemes the engine cannot apply (http schemes other than
/// basic and bearer, other OAuth2 flows, OpenID Connect, mutual TLS).
pub(crate) fn credential(scheme: &SecurityScheme, value: &str) -> Option<Credential> {
    use base64::Engine as _;
    Some(match scheme {
        SecurityScheme::ApiKey { name, location } => match location {
            ApiKeyLocation::Header => Credential::Header(name.clone(), value.to_string()),
            ApiKeyLocation::Query => Credential::Query(name.clone(), value.to_string()),
            ApiKeyLocation::Cookie => Credential::Cookie(name.clone(), value.to_string()),
        },
        SecurityScheme::Http { scheme } if scheme == "basic" => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(value);
            Credential::Header("Authorization".to_string(), format!("Basic {encoded}"))
        }
        SecurityScheme::Http { scheme } if scheme == "bearer" => bearer(value),
        SecurityScheme::OAuth2 { token_url: Some(_) } => bearer(value),
        _ => return None,
    })
}

fn bearer(token: &str) -> Credential {
    Credential::Header("Authorization".to_string(), format!("Bearer {token}"))
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
        let api_key = SecurityScheme::ApiKey {
            name: "X-API-KEY".into(),
            location: ApiKeyLocation::Header,
        };
        let http = |scheme: &str| SecurityScheme::Http {
            scheme: scheme.into(),
        };
        assert_eq!(
            credential(&api_key, "k"),
            Some(Credential::Header("X-API-KEY".into(), "k".into()))
        );
        assert_eq!(
            credential(&http("basic"), "ann:secret"),
            Some(Credential::Header(
                "Authorization".into(),
                "Basic YW5uOnNlY3JldA==".into()
            ))
        );
        assert_eq!(
            credential(&http("bearer"), "t"),
            Some(Credential::Header(
                "Authorization".into(),
                "Bearer t".into()
            ))
        );
        assert_eq!(credential(&http("digest"), "t"), None);
        assert_eq!(credential(&SecurityScheme::OpenIdConnect, "t"), None);
    }

    #[test]
    fn secrets_of_a_credential_and_of_a_url() {
        let basic = SecurityScheme::Http {
            scheme: "basic".into(),
        };
        assert_eq!(
            secrets(&basic, "ann:secret"),
            ["ann:secret", "YW5uOnNlY3JldA==", "secret"]
        );
        let bearer = SecurityScheme::Http {
            scheme: "bearer".into(),
        };
        assert_eq!(secrets(&bearer, "t0k"), ["t0k"]);
        let url = url::Url::parse("https://ann:s%26cret@api.test/v1").unwrap();
        assert_eq!(
            userinfo_secrets(&url),
            ["ann:s&cret", "YW5uOnMmY3JldA==", "s&cret", "s%26cret"]
        );
        assert!(userinfo_secrets(&url::Url::parse("https://ann@api.test/").unwrap()).is_empty());
    }
}
