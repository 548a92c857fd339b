//! An OpenAPI source: its operations, built once at load and indexed by operationId and by
//! path and method.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use arazzo_model::{ParameterIn, escape_pointer_token};
use indexmap::IndexMap;
use serde_json::Value;
use url::Url;

use crate::error::{SourceError, SourceErrorKind};
use crate::fixups::{is_3_0, typed_view, upgrade_3_0};
use crate::read::{self, Documents};
use crate::refs::{follow, inline_refs};
use crate::{Operation, OperationBody, OperationParameter, SourceOptions, server};

/// The methods a Path Item may hold, in the order the OpenAPI specification lists them.
const METHODS: [(&str, http::Method); 8] = [
    ("get", http::Method::GET),
    ("put", http::Method::PUT),
    ("post", http::Method::POST),
    ("delete", http::Method::DELETE),
    ("options", http::Method::OPTIONS),
    ("head", http::Method::HEAD),
    ("patch", http::Method::PATCH),
    ("trace", http::Method::TRACE),
];

/// An OpenAPI source description, loaded: its document and its operations.
///
/// Only the Operation Objects under `paths` count (Link Objects and callbacks also carry
/// `operationId`s, and are ignored).
#[derive(Debug)]
pub struct OpenApi {
    name: String,
    url: Url,
    documents: Arc<Documents>,
    operations: Vec<Operation>,
    by_id: HashMap<String, usize>,
    /// Path template → indices into `operations`, in document order.
    by_path: IndexMap<String, Vec<usize>>,
    spec: OnceLock<Result<oas3::Spec, String>>,
}

impl OpenApi {
    /// Builds the operations of the document at `url`; `server_override` replaces every
    /// operation's server.
    pub(crate) fn build(
        name: &str,
        url: Url,
        documents: &Arc<Documents>,
        server_override: Option<&Url>,
    ) -> Result<OpenApi, SourceErrorKind> {
        let (_, document) = documents.get(&url).map_err(SourceErrorKind::Parse)?;
        let invalid = |pointer: String, reason: String| SourceErrorKind::Invalid {
            location: url.to_string(),
            pointer,
            reason,
        };
        let upgrade = is_3_0(document);
        let mut operations = Vec::new();
        let mut by_id = HashMap::new();
        let mut by_path: IndexMap<String, Vec<usize>> = IndexMap::new();
        let paths = document.get("paths").and_then(Value::as_object);
        for (path, item) in paths.into_iter().flatten() {
            let item_at = format!("/paths/{}", escape_pointer_token(path));
            let (item_url, item) =
                follow(documents, &url, item).map_err(|reason| invalid(item_at.clone(), reason))?;
            let indices = by_path.entry(path.clone()).or_default();
            for (key, method) in &METHODS {
                let Some(definition) = item.get(*key) else {
                    continue;
                };
                let at = format!("{item_at}/{key}");
                let parameters = merge_parameters(
                    documents,
                    (
                        item_url,
                        item.get("parameters"),
                        format!("{item_at}/parameters"),
                    ),
                    (
                        item_url,
                        definition.get("parameters"),
                        format!("{at}/parameters"),
                    ),
                )
                .map_err(|(reason, pointer)| invalid(pointer, reason))?
                .into_iter()
                .enumerate()
                .map(|(index, (base, parameter))| {
                    operation_parameter(documents, base, parameter, upgrade)
                        .map_err(|reason| invalid(format!("{at}/parameters/{index}"), reason))
                })
                .collect::<Result<_, _>>()?;
                let request_body = match definition.get("requestBody") {
                    Some(body) => Some(
                        follow(documents, item_url, body)
                            .map_err(|reason| invalid(format!("{at}/requestBody"), reason))?,
                    ),
                    None => None,
                };
                let server = match server_override {
                    Some(server) => server.clone(),
                    None => server::choose(
                        &url,
                        [definition, item, document].map(|holder| holder.get("servers")),
                    )
                    .map_err(|reason| invalid(format!("{at}/servers"), reason))?,
                };
                let operation_id = definition
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                if let Some(id) = &operation_id {
                    by_id.entry(id.clone()).or_insert(operations.len());
                }
                indices.push(operations.len());
                operations.push(Operation {
                    source: name.to_string(),
                    operation_id,
                    method: method.clone(),
                    path: path.clone(),
                    server,
                    parameters,
                    request_body: request_body.map(|(_, body)| operation_body(body)),
                    definition: definition.clone(),
                });
            }
        }
        Ok(OpenApi {
            name: name.to_string(),
            url,
            documents: Arc::clone(documents),
            operations,
            by_id,
            by_path,
            spec: OnceLock::new(),
        })
    }

    /// This source with every operation's server replaced by `server`, as a server override
    /// at load does.
    pub(crate) fn with_server(&self, server: &Url) -> OpenApi {
        let mut operations = self.operations.clone();
        for operation in &mut operations {
            operation.server = server.clone();
        }
        OpenApi {
            name: self.name.clone(),
            url: self.url.clone(),
            documents: Arc::clone(&self.documents),
            operations,
            by_id: self.by_id.clone(),
            by_path: self.by_path.clone(),
            spec: OnceLock::new(),
        }
    }

    /// Reads the OpenAPI 3.x document at `location` on its own, without an Arazzo document:
    /// for tools such as a mock server. `location` is a path, or a `file:` or `http(s)` URL
    /// (remote only with [`SourceOptions::allow_remote`]). The source is named after the file
    /// without its extensions (`specs/pets.openapi.yaml` is `pets`); the same fixups apply as
    /// for a source description, and [`SourceOptions::servers`] may override its servers by
    /// that name.
    ///
    /// # Errors
    /// When the document cannot be read or parsed, is not OpenAPI 3.x, or its operations cannot
    /// be built (see [`SourceErrorKind`]).
    pub async fn read(location: &str, options: &SourceOptions) -> Result<OpenApi, SourceError> {
        let url = match Url::parse(location) {
            Ok(url) if matches!(url.scheme(), "file" | "http" | "https") => url,
            _ => crate::document_url(location)?,
        };
        let file_name = url
            .path_segments()
            .and_then(|mut segments| segments.next_back())
            .filter(|name| !name.is_empty())
            .unwrap_or("openapi");
        let name = file_name.split('.').next().unwrap_or(file_name);
        read::openapi(name, &url, options).await
    }

    /// A copy of `value`, a part of this document (e.g. an operation's
    /// [`Operation::definition`] or one of its schemas), with every `$ref` replaced by a copy
    /// of its target, transitively and across files; members beside a `$ref` are kept where
    /// the target lacks them. A reference back into a target being copied (a recursive schema)
    /// becomes `{}` (any value), one that does not resolve stays as written. For an OpenAPI 3.0
    /// document the schema keywords are given in their 3.1 (JSON Schema 2020-12) form, so the
    /// schemas found in the result can be compiled as JSON Schema 2020-12 as they are.
    ///
    /// `$ref`s resolve against the document's own URL.
    pub fn resolve_refs(&self, value: &Value) -> Value {
        let mut copy = inline_refs(&self.documents, &self.url, value, &mut Vec::new());
        if is_3_0(self.document()) {
            upgrade_3_0(&mut copy);
        }
        copy
    }

    /// What `value`, a part of this document, is once its `$ref`s are followed.
    ///
    /// # Errors
    /// Why a `$ref` does not resolve.
    pub(crate) fn follow<'a>(&'a self, value: &'a Value) -> Result<&'a Value, String> {
        follow(&self.documents, &self.url, value).map(|(_, found)| found)
    }

    /// The source description's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The document's URL (the source's `url` resolved against the Arazzo document).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The document as written (YAML or JSON, as a JSON value): operationPath pointers point
    /// into it.
    pub fn document(&self) -> &Value {
        self.documents
            .get(&self.url)
            .map(|(_, document)| document)
            .expect("an OpenApi is only built from a loaded document")
    }

    /// Every operation under `paths`, in document order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation with this `operationId` (case-sensitive).
    pub fn operation_by_id(&self, operation_id: &str) -> Option<&Operation> {
        self.by_id.get(operation_id).map(|&at| &self.operations[at])
    }

    /// The operations of a path template (`/pets/{petId}`), or `None` if the document has no
    /// such path.
    pub fn path(&self, path: &str) -> Option<impl Iterator<Item = &Operation>> {
        let indices = self.by_path.get(path)?;
        Some(indices.iter().map(|&at| &self.operations[at]))
    }

    /// The path templates, in document order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.by_path.keys().map(String::as_str)
    }

    /// The document as `oas3` types, for checks beyond what [`Operation`] carries (responses,
    /// security schemes…). Parsed on first use, from a copy with the fixes of
    /// `fixups` applied (external refs inlined, 3.0 keywords upgraded).
    ///
    /// # Errors
    /// oas3's message when it still cannot parse the document; the operations do not depend
    /// on it.
    pub fn spec(&self) -> Result<&oas3::Spec, &str> {
        self.spec
            .get_or_init(|| typed_view(&self.documents, &self.url))
            .as_ref()
            .map_err(String::as_str)
    }
}

/// A `parameters` list: the URL of the document holding it, the list, its JSON pointer.
type ParameterList<'a> = (&'a Url, Option<&'a Value>, String);

/// The parameters of an operation: the operation's own, then the path item's that the
/// operation does not override (same `name` and `in`). Each is given with the URL of the
/// document holding it, references followed.
///
/// # Errors
/// When a `$ref` does not resolve: the reason and the JSON pointer of the reference.
fn merge_parameters<'a>(
    documents: &'a Documents,
    path_item: ParameterList<'a>,
    operation: ParameterList<'a>,
) -> Result<Vec<(&'a Url, &'a Value)>, (String, String)> {
    let resolve = |(base, list, at): ParameterList<'a>| {
        let items = list.and_then(Value::as_array).map(Vec::as_slice);
        items
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(index, item)| {
                follow(documents, base, item).map_err(|reason| (reason, format!("{at}/{index}")))
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let mut merged = resolve(operation)?;
    let key = |parameter: &Value| (parameter.get("name").cloned(), parameter.get("in").cloned());
    for inherited in resolve(path_item)? {
        if !merged.iter().any(|(_, own)| key(own) == key(inherited.1)) {
            merged.push(inherited);
        }
    }
    Ok(merged)
}

fn operation_parameter(
    documents: &Documents,
    base: &Url,
    parameter: &Value,
    upgrade: bool,
) -> Result<OperationParameter, String> {
    let name = parameter
        .get("name")
        .and_then(Value::as_str)
        .ok_or("a parameter without a `name`")?;
    let location = match parameter.get("in").and_then(Value::as_str) {
        Some("path") => ParameterIn::Path,
        Some("query") => ParameterIn::Query,
        Some("header") => ParameterIn::Header,
        Some("cookie") => ParameterIn::Cookie,
        other => {
            return Err(format!(
                "parameter `{name}` has `in: {}` (expected path, query, header or cookie)",
                other.unwrap_or("(none)")
            ));
        }
    };
    let content = parameter
        .get("content")
        .and_then(Value::as_object)
        .and_then(|content| content.iter().next());
    let schema = match content {
        Some((_, media_type)) => media_type.get("schema"),
        None => parameter.get("schema"),
    };
    let schema = match schema {
        Some(schema) => {
            let (_, schema) = follow(documents, base, schema)?;
            let mut schema = schema.clone();
            if upgrade {
                upgrade_3_0(&mut schema);
            }
            Some(schema)
        }
        None => None,
    };
    Ok(OperationParameter {
        name: name.to_string(),
        location,
        required: parameter.get("required").and_then(Value::as_bool) == Some(true),
        style: parameter
            .get("style")
            .and_then(Value::as_str)
            .map(str::to_string),
        explode: parameter.get("explode").and_then(Value::as_bool),
        content_type: content.map(|(media_type, _)| media_type.clone()),
        schema,
    })
}

fn operation_body(body: &Value) -> OperationBody {
    let content = body.get("content").and_then(Value::as_object);
    OperationBody {
        required: body.get("required").and_then(Value::as_bool) == Some(true),
        content_types: content
            .into_iter()
            .flatten()
            .map(|(k, _)| k.clone())
            .collect(),
    }
}
