//! A source description whose URL is a bare server (`https://httpbin.org`), as strefethen's
//! arazzo-cli writes them: there is no OpenAPI document to read, so one is made from the
//! operations the document's steps call on it (method, path, parameters and request body),
//! served at that URL. Validation reports it (`compat-base-url-source`).

use arazzo_model::{Document, ParameterIn};
use serde_json::{Map, Value, json};
use url::Url;

/// Whether `url` names a server rather than a document: http(s), no path, query or fragment.
pub(crate) fn is_bare_server(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https")
        && matches!(url.path(), "" | "/")
        && url.query().is_none()
        && url.fragment().is_none()
}

/// The OpenAPI 3.1 description of the operations that the steps of `document` call on the
/// source `name` by `operationPath`, with `server` as its server; `None` when no step calls it
/// by `operationPath`, or a step may call it by `operationId`, which only a real description
/// resolves (Speakeasy writes a server as the `url` of a source called by operationIds).
pub(crate) fn description(document: &Document, name: &str, server: &Url) -> Option<Value> {
    let prefix = format!("{{$sourceDescriptions.{name}.url}}#/paths/");
    let qualified = format!("$sourceDescriptions.{name}.");
    let steps = || {
        document
            .workflows
            .iter()
            .flat_map(|workflow| &workflow.steps)
    };
    let by_id = steps().any(|step| {
        step.operation_id
            .as_deref()
            .is_some_and(|id| id.starts_with(&qualified) || !id.starts_with('$'))
    });
    let by_path = steps().any(|step| {
        step.operation_path
            .as_deref()
            .is_some_and(|path| path.starts_with(&prefix))
    });
    if by_id || !by_path {
        return None;
    }
    let mut paths = Map::new();
    for step in steps() {
        let Some(pointer) = step.operation_path.as_deref() else {
            continue;
        };
        let Some((path, method)) = pointer
            .strip_prefix(&prefix)
            .and_then(|rest| rest.rsplit_once('/'))
        else {
            continue;
        };
        let path = arazzo_expr::pointer::unescape(path);
        let mut parameters: Vec<Value> = path_parameters(&path)
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {}}))
            .collect();
        let declared = step
            .parameters
            .iter()
            .filter_map(|parameter| parameter.resolve(document.components.as_ref()));
        for parameter in declared {
            let Some(location) = parameter.location.filter(|at| *at != ParameterIn::Path) else {
                continue;
            };
            parameters.push(json!({"name": parameter.name, "in": location.as_str(), "schema": {}}));
        }
        let mut operation = json!({
            "parameters": parameters,
            "responses": {"default": {"description": "any answer"}},
        });
        if let Some(body) = &step.request_body {
            let media = body.content_type.as_deref().unwrap_or("application/json");
            operation["requestBody"] = json!({"content": {media: {}}});
        }
        let item = paths
            .entry(path)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(item) = item.as_object_mut() {
            item.entry(method.to_string()).or_insert(operation);
        }
    }
    Some(json!({
        "openapi": "3.1.0",
        "info": {"title": format!("{name} (the operations its steps call)"), "version": "0"},
        "servers": [{"url": server.as_str()}],
        "paths": paths,
    }))
}

/// The `{name}`s of a path template.
fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
}
