//! The compiled mock: every operation of the descriptions, the router, the faults; answers one
//! request without knowing about sockets.

use arazzo_sources::{OpenApi, REDACTED, is_secret_name};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode, Uri, header};
use serde_json::Value;

use crate::check::{Incoming, authorize, check};
use crate::error::MockError;
use crate::operation::{CredentialKind, MockOperation, Reply};
use crate::problem::{PROBLEM_JSON, Problem};
use crate::route::Router;
use crate::{Fault, Route};

/// Every operation, ready to answer.
#[derive(Debug)]
pub(crate) struct Mock {
    router: Router,
    /// Each path template with the indices of its operations.
    paths: Vec<(String, Vec<usize>)>,
    operations: Vec<MockOperation>,
    faults: Vec<Fault>,
    /// The query parameters that carry an apiKey credential, by name.
    key_parameters: Vec<String>,
}

impl Mock {
    /// Compiles the operations of `apis` (for a method and path defined twice, the first
    /// wins, with a warning).
    ///
    /// # Errors
    /// No operation at all, or a fault whose path matches no operation.
    pub(crate) fn new<'a>(
        apis: impl IntoIterator<Item = &'a OpenApi>,
        echo: bool,
        faults: &[Fault],
        warnings: &mut Vec<String>,
    ) -> Result<Mock, MockError> {
        let mut mock = Mock {
            router: Router::default(),
            paths: Vec::new(),
            operations: Vec::new(),
            faults: faults.to_vec(),
            key_parameters: Vec::new(),
        };
        for api in apis {
            for prefix in server_paths(api.document()) {
                mock.router.add_prefix(&prefix);
            }
            for operation in api.operations() {
                let at = match mock
                    .paths
                    .iter()
                    .position(|(path, _)| *path == operation.path)
                {
                    Some(at) => at,
                    None => {
                        mock.router.add(&operation.path, mock.paths.len());
                        mock.paths.push((operation.path.clone(), Vec::new()));
                        mock.paths.len() - 1
                    }
                };
                let taken = mock.paths[at]
                    .1
                    .iter()
                    .map(|&index| &mock.operations[index])
                    .find(|known| known.method == operation.method);
                if let Some(known) = taken {
                    warnings.push(format!(
                        "{} {} of {} is also in {}: the first one answers",
                        operation.method,
                        operation.path,
                        api.name(),
                        known.source
                    ));
                    continue;
                }
                let compiled = MockOperation::compile(api, operation, echo, warnings);
                for credential in compiled.security.iter().flatten() {
                    if let CredentialKind::Query(name) = &credential.kind
                        && !mock.key_parameters.contains(name)
                    {
                        mock.key_parameters.push(name.clone());
                    }
                }
                mock.paths[at].1.push(mock.operations.len());
                mock.operations.push(compiled);
            }
        }
        if mock.operations.is_empty() {
            return Err(MockError::NoOperations);
        }
        for (at, fault) in mock.faults.iter().enumerate() {
            if let Some(first) = mock.faults[..at]
                .iter()
                .find(|first| first.path == fault.path)
            {
                return Err(MockError::Fault {
                    fault: fault.to_string(),
                    reason: format!("`{first}` already gives `{}` a status", fault.path),
                });
            }
            let known = mock.paths.iter().any(|(path, _)| *path == fault.path)
                || mock.router.find(&fault.path).is_some();
            if !known {
                return Err(MockError::Fault {
                    fault: fault.to_string(),
                    reason: format!("no operation has the path `{}`", fault.path),
                });
            }
        }
        Ok(mock)
    }

    /// What is served: one entry per operation, in document order.
    pub(crate) fn routes(&self) -> Vec<Route> {
        self.operations
            .iter()
            .map(|operation| Route {
                method: operation.method.clone(),
                path: operation.path.clone(),
                status: operation.reply.status.as_u16(),
                operation_id: operation.operation_id.clone(),
                source: operation.source.clone(),
            })
            .collect()
    }

    /// The path and query of `uri` as a log line shows them: the values of apiKey query
    /// parameters and of parameters with secret-like names are `***`.
    pub(crate) fn logged_path(&self, uri: &Uri) -> String {
        let Some(query) = uri.query() else {
            return uri.path().to_string();
        };
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| {
                let name = url::form_urlencoded::parse(pair.as_bytes())
                    .next()
                    .map(|(name, _)| name.into_owned())
                    .unwrap_or_default();
                let secret = self.key_parameters.contains(&name) || is_secret_name(&name);
                match pair.split_once('=') {
                    Some((raw_name, _)) if secret => format!("{raw_name}={REDACTED}"),
                    _ => pair.to_string(),
                }
            })
            .collect();
        format!("{}?{}", uri.path(), pairs.join("&"))
    }

    /// Answers one request: 404 for a path no operation has, 405 for a method its path does
    /// not have, 401 without the credentials, an injected fault, 400/415 for an invalid
    /// request, else the documented response.
    pub(crate) fn handle(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Response<Bytes> {
        let path = uri.path();
        let Some(found) = self.router.find(path) else {
            return problem(&Problem::detail(
                StatusCode::NOT_FOUND,
                format!("no operation has the path `{path}`"),
            ));
        };
        let (template, indices) = &self.paths[found.index];
        let operations = || indices.iter().map(|&index| &self.operations[index]);
        let Some(operation) = operations().find(|operation| operation.method == method) else {
            let allowed: Vec<&str> = operations()
                .map(|operation| operation.method.as_str())
                .collect();
            let mut response = problem(&Problem::detail(
                StatusCode::METHOD_NOT_ALLOWED,
                format!(
                    "`{template}` has no {method} operation (it has {})",
                    allowed.join(", ")
                ),
            ));
            if let Ok(allow) = HeaderValue::try_from(allowed.join(", ")) {
                response.headers_mut().insert(header::ALLOW, allow);
            }
            return response;
        };
        let request = Incoming::new(uri.query(), headers, body);
        if let Err(unauthorized) = authorize(operation, &request) {
            return problem(&unauthorized);
        }
        if let Some(fault) = self
            .faults
            .iter()
            .find(|fault| fault.path == *template || fault.path == path)
        {
            let status =
                StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return problem(&Problem::detail(
                status,
                format!("injected fault: `{}` answers {}", fault.path, fault.status),
            ));
        }
        match check(operation, &found.parameters, &request) {
            Ok(sent) => reply(&operation.reply, sent.as_ref(), &found.parameters),
            Err(invalid) => problem(&invalid),
        }
    }
}

/// The path part of each server URL of the document (`https://x.io/v1` → `/v1`), when it has
/// no variables.
fn server_paths(document: &Value) -> Vec<String> {
    let servers = document.get("servers").and_then(Value::as_array);
    servers
        .into_iter()
        .flatten()
        .filter_map(|server| server.get("url")?.as_str())
        .filter(|url| !url.contains('{'))
        .filter_map(|url| match url::Url::parse(url) {
            Ok(url) => Some(url.path().to_string()),
            Err(_) => url.starts_with('/').then(|| url.to_string()),
        })
        .collect()
}

fn reply(reply: &Reply, sent: Option<&Value>, parameters: &[(String, String)]) -> Response<Bytes> {
    let body = match &reply.echo {
        Some((template, echo)) if sent.is_some() || !parameters.is_empty() => {
            let mut body = template.clone();
            echo.apply(&mut body, sent, parameters);
            serde_json::to_vec(&body).map_or_else(|_| reply.body.clone(), Bytes::from)
        }
        _ => reply.body.clone(),
    };
    let mut response = Response::new(body);
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    if let Some(content_type) = &reply.content_type {
        headers.insert(header::CONTENT_TYPE, content_type.clone());
    }
    for (name, value) in &reply.headers {
        headers.insert(name.clone(), value.clone());
    }
    response
}

/// A problem as a response.
pub(crate) fn problem(problem: &Problem) -> Response<Bytes> {
    let mut response = Response::new(problem.body());
    *response.status_mut() = problem.status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, PROBLEM_JSON);
    if let Some(challenge) = &problem.challenge {
        headers.insert(header::WWW_AUTHENTICATE, challenge.clone());
    }
    response
}
