//! Credentials for the OpenAPI security schemes (read by `arazzo_sources`): apiKey (header,
//! query, cookie), http basic and bearer, OAuth2 client credentials (a token fetched once per
//! run). A step's own parameters always win: credentials are added only where the request has
//! none.

use std::collections::HashMap;

use arazzo_sources::{ApiKeyLocation, RequiredScheme, SecurityScheme};
use serde_json::Value;

use crate::executor::{Executor, Request};
use crate::redact::Redactor;
use crate::report::{StepError, StepErrorKind};

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

/// The credentials of Redocly Respect's `x-security` entries, each scheme with its `values`
/// evaluated (`apiKey`; `username` and `password`; `token`; `accessToken` for OAuth2 and
/// OpenID Connect), in the order that makes a later entry win (the request keeps the first
/// credential of a header). Every value learnt goes to `redactor`. An entry whose values do
/// not give its credential adds nothing.
pub(crate) fn x_security(
    entries: &[(SecurityScheme, Value)],
    redactor: &mut Redactor,
) -> Vec<Credential> {
    let text = |values: &Value, key: &str| match values.get(key)? {
        Value::String(text) => Some(text.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    let mut credentials = Vec::new();
    for (scheme, values) in entries.iter().rev() {
        let found = match scheme {
            SecurityScheme::ApiKey { .. } => text(values, "apiKey"),
            SecurityScheme::Http { scheme } if scheme == "basic" => {
                match (text(values, "username"), text(values, "password")) {
                    (Some(user), Some(password)) => Some(format!("{user}:{password}")),
                    _ => None,
                }
            }
            SecurityScheme::Http { .. } => text(values, "token"),
            SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIdConnect => {
                if let Some(token) = text(values, "accessToken") {
                    redactor.add([token.clone()]);
                    credentials.push(bearer(&token));
                }
                continue;
            }
            _ => None,
        };
        let Some(value) = found else {
            continue;
        };
        redactor.add(secrets(scheme, &value));
        credentials.extend(credential(scheme, &value));
    }
    credentials
}

fn bearer(token: &str) -> Credential {
    Credential::Header("Authorization".to_string(), format!("Bearer {token}"))
}

/// The credentials of one run: the engine's, by [`credential_key`], and the OAuth2 access
/// tokens fetched so far (once per token URL and client id).
pub(crate) struct RunCredentials<'e> {
    known: &'e HashMap<String, String>,
    tokens: HashMap<(String, String), String>,
}

impl<'e> RunCredentials<'e> {
    pub(crate) fn new(known: &'e HashMap<String, String>) -> RunCredentials<'e> {
        RunCredentials {
            known,
            tokens: HashMap::new(),
        }
    }

    /// The credentials of the first of a step's security `requirements` whose schemes all
    /// have one (from an input named like the scheme, else the engine's credentials); none
    /// when no requirement can be met (the API will say so). Every secret learnt goes to
    /// `redactor`.
    ///
    /// # Errors
    /// An OAuth2 token request that fails ([`StepErrorKind::Credentials`]).
    pub(crate) async fn for_step(
        &mut self,
        requirements: &[Vec<RequiredScheme>],
        inputs: &Value,
        executor: &dyn Executor,
        redactor: &mut Redactor,
    ) -> Result<Vec<Credential>, StepError> {
        'requirements: for requirement in requirements {
            let mut credentials = Vec::new();
            for RequiredScheme {
                name,
                scheme,
                scopes,
            } in requirement
            {
                let known = |suffix: &str| {
                    let key = format!("{}{suffix}", credential_key(name));
                    self.known.get(&key).cloned()
                };
                let from_input = inputs.get(name).and_then(Value::as_str).map(str::to_string);
                let value = match scheme {
                    SecurityScheme::OAuth2 {
                        token_url: Some(token_url),
                    } => {
                        let (Some(id), Some(secret)) =
                            (known("_CLIENT_ID"), known("_CLIENT_SECRET"))
                        else {
                            continue 'requirements;
                        };
                        let grant = Grant {
                            token_url,
                            scopes,
                            id: &id,
                            secret: &secret,
                        };
                        self.token(grant, executor, redactor)
                            .await
                            .map_err(|message| {
                                StepError::new(StepErrorKind::Credentials, message)
                            })?
                    }
                    _ => match from_input.or_else(|| known("")) {
                        Some(value) => value,
                        None => continue 'requirements,
                    },
                };
                redactor.add(secrets(scheme, &value));
                credentials.extend(credential(scheme, &value));
            }
            return Ok(credentials);
        }
        Ok(Vec::new())
    }

    /// An OAuth2 access token from a client-credentials grant, fetched once per run.
    async fn token(
        &mut self,
        grant: Grant<'_>,
        executor: &dyn Executor,
        redactor: &mut Redactor,
    ) -> Result<String, String> {
        let Grant {
            token_url,
            scopes,
            id,
            secret,
        } = grant;
        let key = (token_url.to_string(), id.to_string());
        if let Some(token) = self.tokens.get(&key) {
            return Ok(token.clone());
        }
        redactor.add([secret.to_string()]);
        let body = {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("grant_type", "client_credentials")
                .append_pair("client_id", id)
                .append_pair("client_secret", secret);
            if !scopes.is_empty() {
                form.append_pair("scope", &scopes.join(" "));
            }
            form.finish()
        };
        let url = url::Url::parse(token_url)
            .map_err(|err| format!("invalid OAuth2 token URL `{token_url}`: {err}"))?;
        redactor.add(userinfo_secrets(&url));
        let request = Request {
            method: http::Method::POST,
            url,
            headers: vec![(
                "Content-Type".to_string(),
                "application/x-www-form-urlencoded".to_string(),
            )],
            body: Some(body.into()),
        };
        let response = executor
            .execute(&request)
            .await
            .map_err(|err| format!("OAuth2 token request: {err}"))?;
        let token = serde_json::from_slice::<Value>(&response.body)
            .ok()
            .and_then(|body| body["access_token"].as_str().map(str::to_string))
            .filter(|_| (200..300).contains(&response.status))
            .ok_or_else(|| {
                format!(
                    "OAuth2 token request to {token_url} answered {} without an access_token",
                    response.status
                )
            })?;
        redactor.add([token.clone()]);
        self.tokens.insert(key, token.clone());
        Ok(token)
    }
}

/// An OAuth2 client-credentials grant to request.
struct Grant<'a> {
    token_url: &'a str,
    scopes: &'a [String],
    id: &'a str,
    secret: &'a str,
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
