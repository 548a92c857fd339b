//! Where requests go: the OpenAPI Server Object chosen for an operation, and the overrides
//! given by `--server SOURCE=URL` or `ARAZZO_SERVER_<SOURCE>`.

use std::collections::HashMap;

use serde_json::Value;
use url::Url;

use crate::error::ServerOverrideError;

/// The prefix of the environment variables overriding a source's server.
const ENV_PREFIX: &str = "ARAZZO_SERVER_";

/// The first server of the first `servers` list that has one (operation, path item, document),
/// with `{variables}` replaced by their defaults and a relative URL resolved against the
/// document's URL; `/` (resolved the same way) when no list has a server, as OpenAPI says.
///
/// # Errors
/// When a variable has no default or the result is not a URL.
pub(crate) fn choose(document_url: &Url, lists: [Option<&Value>; 3]) -> Result<Url, String> {
    let server = lists
        .into_iter()
        .flatten()
        .find_map(|list| list.as_array().and_then(|servers| servers.first()));
    let Some(server) = server else {
        return document_url.join("/").map_err(|err| err.to_string());
    };
    let template = server
        .get("url")
        .and_then(Value::as_str)
        .ok_or("a server without a `url`")?;
    let url = substitute(template, server.get("variables"))?;
    document_url
        .join(&url)
        .map_err(|err| format!("server `{url}` is not a URL: {err}"))
}

/// `https://{region}.example.com` with `region`'s default substituted.
pub(crate) fn substitute(template: &str, variables: Option<&Value>) -> Result<String, String> {
    let mut url = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .map(|at| open + at)
            .ok_or_else(|| format!("server `{template}` has an unclosed `{{`"))?;
        let name = &rest[open + 1..close];
        let default = variables
            .and_then(|variables| variables.get(name))
            .and_then(|variable| variable.get("default"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                format!("server `{template}` uses `{{{name}}}`, which has no default")
            })?;
        url.push_str(&rest[..open]);
        url.push_str(default);
        rest = &rest[close + 1..];
    }
    url.push_str(rest);
    Ok(url)
}

/// The environment variable overriding the server of a source: `ARAZZO_SERVER_` and the
/// source name upper-cased with `-` as `_` (`auth-api` → `ARAZZO_SERVER_AUTH_API`).
pub fn server_env_var(source_name: &str) -> String {
    format!("{ENV_PREFIX}{}", env_key(source_name))
}

/// The `<SOURCE>` part of a source's variable: the key of [`SourceOptions::env_servers`].
///
/// [`SourceOptions::env_servers`]: crate::SourceOptions::env_servers
pub(crate) fn env_key(source_name: &str) -> String {
    source_name.to_ascii_uppercase().replace('-', "_")
}

/// The server overrides set in the environment (`ARAZZO_SERVER_<SOURCE>=URL`), by their
/// `<SOURCE>` part, for [`SourceOptions::env_servers`]. The CLI passes `std::env::vars()`.
///
/// [`SourceOptions::env_servers`]: crate::SourceOptions::env_servers
///
/// # Errors
/// When such a variable's value is not an `http(s)` URL.
pub fn servers_from_env<K, V>(
    vars: impl IntoIterator<Item = (K, V)>,
) -> Result<HashMap<String, Url>, ServerOverrideError>
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut servers = HashMap::new();
    for (key, value) in vars {
        let Some(source) = key.as_ref().strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let url = http_url(value.as_ref()).map_err(|reason| ServerOverrideError {
            origin: key.as_ref().to_string(),
            reason,
        })?;
        servers.insert(source.to_string(), url);
    }
    Ok(servers)
}

/// Parses a `--server SOURCE=URL` argument.
///
/// # Errors
/// Without `=`, or when the URL is not an `http(s)` URL.
pub fn parse_server_override(argument: &str) -> Result<(String, Url), ServerOverrideError> {
    let failed = |reason: String| ServerOverrideError {
        origin: format!("--server `{}`", without_password(argument)),
        reason,
    };
    let (name, url) = argument
        .split_once('=')
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| failed("expected SOURCE=URL".to_string()))?;
    Ok((name.to_string(), http_url(url).map_err(failed)?))
}

fn http_url(text: &str) -> Result<Url, String> {
    let shown = without_password(text);
    let url = Url::parse(text).map_err(|err| format!("`{shown}` is not a URL: {err}"))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        _ => Err(format!("`{shown}` is not an http(s) URL")),
    }
}

/// `text` with the password of a URL's userinfo (`scheme://user:password@host`) replaced by
/// `***`, for messages: the text may not parse as a URL, so this looks at its characters.
fn without_password(text: &str) -> std::borrow::Cow<'_, str> {
    let Some(authority_start) = text.find("://").map(|at| at + 3) else {
        return text.into();
    };
    let authority = &text[authority_start..];
    let authority_end = authority.find(['/', '?', '#']).unwrap_or(authority.len());
    let Some(at) = authority[..authority_end].rfind('@') else {
        return text.into();
    };
    let Some(colon) = authority[..at].find(':') else {
        return text.into();
    };
    let password_start = authority_start + colon + 1;
    let password_end = authority_start + at;
    format!(
        "{}{}{}",
        &text[..password_start],
        crate::REDACTED,
        &text[password_end..]
    )
    .into()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn document() -> Url {
        Url::parse("https://example.com/apis/pets/openapi.yaml").unwrap()
    }

    #[test]
    fn override_errors_never_show_a_password() {
        let err = parse_server_override("api=ftp://ada:s3cr3t@files.example/x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "--server `api=ftp://ada:***@files.example/x`: `ftp://ada:***@files.example/x` is not an http(s) URL"
        );
        let err = parse_server_override("api=http://ada:s3cr3t@[bad").unwrap_err();
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
        let err = servers_from_env([("ARAZZO_SERVER_API", "gopher://u:pw1234@h")]).unwrap_err();
        assert!(!err.to_string().contains("pw1234"), "{err}");
        assert_eq!(without_password("https://host/a@b:c"), "https://host/a@b:c");
    }

    #[test]
    fn operation_servers_win_over_path_and_document_servers() {
        let operation = json!([{"url": "https://op.example.com"}]);
        let path = json!([{"url": "https://path.example.com"}]);
        let root =
            json!([{"url": "https://root.example.com"}, {"url": "https://second.example.com"}]);
        let chosen = |lists| choose(&document(), lists).unwrap().to_string();
        assert_eq!(
            chosen([Some(&operation), Some(&path), Some(&root)]),
            "https://op.example.com/"
        );
        assert_eq!(
            chosen([None, Some(&path), Some(&root)]),
            "https://path.example.com/"
        );
        assert_eq!(
            chosen([Some(&json!([])), None, Some(&root)]),
            "https://root.example.com/"
        );
    }

    #[test]
    fn variables_take_their_defaults() {
        let servers = json!([{
            "url": "https://{region}.example.com:{port}/{base}",
            "variables": {
                "region": {"default": "eu", "enum": ["eu", "us"]},
                "port": {"default": "8443"},
                "base": {"default": "v2"},
            },
        }]);
        let url = choose(&document(), [None, None, Some(&servers)]).unwrap();
        assert_eq!(url.as_str(), "https://eu.example.com:8443/v2");
    }

    #[test]
    fn a_variable_without_default_is_an_error() {
        let servers = json!([{"url": "https://{region}.example.com"}]);
        let err = choose(&document(), [None, None, Some(&servers)]).unwrap_err();
        assert_eq!(
            err,
            "server `https://{region}.example.com` uses `{region}`, which has no default"
        );
    }

    #[test]
    fn relative_servers_resolve_against_the_document() {
        let servers = json!([{"url": "/bnpl/v1"}, {"url": "v2"}]);
        let url = choose(&document(), [None, None, Some(&servers)]).unwrap();
        assert_eq!(url.as_str(), "https://example.com/bnpl/v1");
        let no_servers = choose(&document(), [None, None, None]).unwrap();
        assert_eq!(no_servers.as_str(), "https://example.com/");
    }

    #[test]
    fn env_var_names_are_upper_case_with_underscores() {
        assert_eq!(server_env_var("auth-api"), "ARAZZO_SERVER_AUTH_API");
        assert_eq!(server_env_var("petStore"), "ARAZZO_SERVER_PETSTORE");
    }

    #[test]
    fn servers_from_env_keeps_the_arazzo_server_variables() {
        let vars = [
            ("ARAZZO_SERVER_AUTH_API", "http://127.0.0.1:8080/auth"),
            ("PATH", "/usr/bin"),
        ];
        let servers = servers_from_env(vars).unwrap();
        assert_eq!(servers.len(), 1);
        assert_eq!(servers["AUTH_API"].as_str(), "http://127.0.0.1:8080/auth");
        assert_eq!(env_key("auth-api"), "AUTH_API");

        let err = servers_from_env([("ARAZZO_SERVER_PETSTORE", "localhost")]);
        assert_eq!(
            err.unwrap_err().to_string(),
            "ARAZZO_SERVER_PETSTORE: `localhost` is not a URL: relative URL without a base"
        );
    }

    #[test]
    fn server_arguments_are_source_equals_url() {
        let (name, url) = parse_server_override("petStore=http://127.0.0.1:3000/v1").unwrap();
        assert_eq!(
            (name.as_str(), url.as_str()),
            ("petStore", "http://127.0.0.1:3000/v1")
        );
        assert_eq!(
            parse_server_override("petStore").unwrap_err().to_string(),
            "--server `petStore`: expected SOURCE=URL"
        );
        assert_eq!(
            parse_server_override("petStore=file:///tmp")
                .unwrap_err()
                .to_string(),
            "--server `petStore=file:///tmp`: `file:///tmp` is not an http(s) URL"
        );
    }
}
