//! Security: the schemes of `components/securitySchemes` and the requirements of an operation
//! (its own `security`, else the document's), as a client sends their credentials.

use serde_json::Value;

use crate::{OpenApi, Operation};

/// A security scheme, as far as a client can send its credential.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecurityScheme {
    /// `type: apiKey`: a named header, query parameter or cookie.
    ApiKey {
        /// The header, parameter or cookie name.
        name: String,
        /// Where it goes.
        location: ApiKeyLocation,
    },
    /// `type: http`: an `Authorization` header of this scheme.
    Http {
        /// The scheme, lowercase: `basic`, `bearer`, `digest`…
        scheme: String,
    },
    /// `type: oauth2`: a bearer token.
    OAuth2 {
        /// The `tokenUrl` of its `clientCredentials` flow, when it has one (the flow a client
        /// runs without a user).
        token_url: Option<String>,
    },
    /// `type: openIdConnect`: a bearer token.
    OpenIdConnect,
    /// Anything else: `mutualTLS`, an unknown type, an apiKey with another `in`, a name
    /// `securitySchemes` does not define.
    Other,
}

/// Where an apiKey goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// A header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// A scheme a security requirement names, with the scopes it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredScheme {
    /// The scheme's name in `securitySchemes`.
    pub name: String,
    /// Its definition.
    pub scheme: SecurityScheme,
    /// The scopes listed (OAuth2 and OpenID Connect; roles for others).
    pub scopes: Vec<String>,
}

impl OpenApi {
    /// The security requirements of `operation`, one of this document's: its own `security`,
    /// else the document's. In order: any one requirement suffices, and it needs every scheme
    /// it names. Empty when nothing is required (`security` absent or `[]`).
    ///
    /// Schemes are read from `components/securitySchemes`, `$ref`s followed.
    pub fn security(&self, operation: &Operation) -> Vec<Vec<RequiredScheme>> {
        let document = self.document();
        let security = operation
            .definition
            .get("security")
            .unwrap_or(&document["security"]);
        let schemes = &document["components"]["securitySchemes"];
        requirements(security, |name| match self.follow(&schemes[name]) {
            Ok(definition) => scheme(definition),
            Err(_) => SecurityScheme::Other,
        })
    }
}

impl OpenApi {
    /// The scheme `components/securitySchemes/<name>` defines (`$ref`s followed), if any.
    pub fn scheme_named(&self, name: &str) -> Option<SecurityScheme> {
        let definition = self.document()["components"]["securitySchemes"].get(name)?;
        self.follow(definition).ok().map(scheme)
    }
}

impl SecurityScheme {
    /// A Security Scheme Object as written (e.g. inline in Redocly Respect's `x-security`).
    pub fn from_definition(definition: &Value) -> SecurityScheme {
        scheme(definition)
    }
}

/// The requirements of a `security` list, each scheme's definition given by `scheme_of`.
fn requirements(
    security: &Value,
    scheme_of: impl Fn(&str) -> SecurityScheme,
) -> Vec<Vec<RequiredScheme>> {
    let Some(alternatives) = security.as_array() else {
        return Vec::new();
    };
    alternatives
        .iter()
        .filter_map(Value::as_object)
        .map(|requirement| {
            requirement
                .iter()
                .map(|(name, scopes)| RequiredScheme {
                    name: name.clone(),
                    scheme: scheme_of(name),
                    scopes: scopes
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect(),
                })
                .collect()
        })
        .collect()
}

/// A Security Scheme Object.
fn scheme(definition: &Value) -> SecurityScheme {
    let text = |key: &str| definition[key].as_str().unwrap_or_default();
    match text("type") {
        "apiKey" => {
            let location = match text("in") {
                "header" => ApiKeyLocation::Header,
                "query" => ApiKeyLocation::Query,
                "cookie" => ApiKeyLocation::Cookie,
                _ => return SecurityScheme::Other,
            };
            SecurityScheme::ApiKey {
                name: text("name").to_string(),
                location,
            }
        }
        "http" => SecurityScheme::Http {
            scheme: text("scheme").to_ascii_lowercase(),
        },
        "oauth2" => SecurityScheme::OAuth2 {
            token_url: definition["flows"]["clientCredentials"]["tokenUrl"]
                .as_str()
                .map(str::to_string),
        },
        "openIdConnect" => SecurityScheme::OpenIdConnect,
        _ => SecurityScheme::Other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn schemes_by_type() {
        let schemes = json!({
            "key": {"type": "apiKey", "in": "header", "name": "X-API-KEY"},
            "path": {"type": "apiKey", "in": "path", "name": "k"},
            "basic": {"type": "http", "scheme": "Basic"},
            "cc": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://t/token"}}},
            "code": {"type": "oauth2", "flows": {"authorizationCode": {}}},
            "oidc": {"type": "openIdConnect"},
            "tls": {"type": "mutualTLS"},
        });
        let found = requirements(
            &json!([{"key": [], "basic": []}, {"cc": ["read", "write"]}, {}, {"code": [], "oidc": [], "tls": [], "path": [], "missing": []}]),
            |name| scheme(&schemes[name]),
        );
        let kinds: Vec<Vec<&SecurityScheme>> = found
            .iter()
            .map(|alternative| {
                alternative
                    .iter()
                    .map(|required| &required.scheme)
                    .collect()
            })
            .collect();
        assert_eq!(
            kinds,
            [
                vec![
                    &SecurityScheme::ApiKey {
                        name: "X-API-KEY".to_string(),
                        location: ApiKeyLocation::Header
                    },
                    &SecurityScheme::Http {
                        scheme: "basic".to_string()
                    }
                ],
                vec![&SecurityScheme::OAuth2 {
                    token_url: Some("https://t/token".to_string())
                }],
                vec![],
                vec![
                    &SecurityScheme::OAuth2 { token_url: None },
                    &SecurityScheme::OpenIdConnect,
                    &SecurityScheme::Other,
                    &SecurityScheme::Other,
                    &SecurityScheme::Other
                ],
            ]
        );
        assert_eq!(found[1][0].scopes, ["read", "write"]);
    }
}
