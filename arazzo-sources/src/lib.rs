//! The source descriptions of Arazzo workflows: the OpenAPI documents, AsyncAPI 3 documents
//! (Arazzo 1.1) and Arazzo documents a workflow uses, loaded, and what each step calls
//! resolved ([`Sources::call`]). The engine (`arazzo-exec`) and the mock server
//! (`arazzo-mock`) read OpenAPI through this crate.
//!
//! [`Sources::load`] reads every source description once: its `url` resolved against the
//! Arazzo document's URL, `file:` URLs from disk, `http(s)` only with
//! [`SourceOptions::allow_remote`] (a document is untrusted input), YAML or JSON. A source
//! without `type` is told by its root field (`openapi`, `asyncapi` or `arazzo`); Swagger 2.0
//! and AsyncAPI 1.x are refused.
//! Arazzo sources are loaded with their own sources, each URL once (cycles end there).
//!
//! A remote document (fetched over http(s)) reaches only documents of its own origin (scheme,
//! host, port): a `$ref` or source URL to a local file or another server is refused. Remote
//! fetches refuse loopback, private, link-local and metadata addresses (the resolved ones)
//! unless [`SourceOptions::allow_private`], follow redirects within the origin only, and stop
//! past 16 MiB.
//!
//! # OpenAPI and `oas3`
//! Each OpenAPI document is kept as written, as a `serde_json::Value` (operationPath pointers
//! point into it), and its operations are built from that value once, at load, into
//! [`Operation`]s indexed by operationId and by path and method: one code path, which never
//! fails on what `oas3` 0.22 cannot parse. `$ref`s are followed by one resolver (module
//! `refs`), across files; what oas3 gets wrong (3.0 boolean `exclusiveMinimum`, `nullable`,
//! refs into other files) is handled in module `fixups`; oas3 provides the typed view of a
//! whole document, [`OpenApi::spec`], parsed lazily from a fixed-up copy.
//!
//! # AsyncAPI
//! AsyncAPI 3.x is read as it is, 2.x as the 3.0 document it converts to (decision D2: a
//! channel's `publish` is an operation the application `receive`s, its `subscribe` one it
//! `send`s, keyed by `operationId`; module `asyncapi2`); 1.x is refused with
//! [`SourceErrorKind::UnsupportedAsyncApi`], which says to convert it. The document is
//! kept as a `serde_json::Value` and indexed once at load ([`AsyncApi`]; no maintained crate
//! models AsyncAPI 3), `$ref`s followed by the same resolver as OpenAPI's, across files:
//! operations by key (AsyncAPI 3 operations have no `operationId` field: a step's
//! `operationId` names the key), with their `action`, channel, messages (all the channel's
//! when an operation lists none) and `reply`; channels by key with `address` (`None` when
//! `null` or absent), `parameters`, `messages` and `servers`; messages with their content
//! type (else `defaultContentType`), `headers` and `payload` schemas and `correlationId`;
//! servers with `host`, `pathname`, `protocol` and `protocolVersion`, variables' defaults
//! substituted.
//!
//! A step's AsyncAPI target is a [`MessageTarget`]: its operation (for `operationId`) or
//! none (for `channelPath`, `{$sourceDescriptions.<name>.url}#/channels/<key>`, the key
//! JSON-pointer-decoded), the channel, the candidate messages (the operation's, or all the
//! channel's) and the servers (the channel's `servers` restrict the document's). Where a
//! `receive` listens is [`MessageTarget::listen`] (decision D5): on the operation's reply
//! after a send on that operation, else on its channel. A bare `operationId` is searched in
//! the OpenAPI and the AsyncAPI sources alike, and must be found in exactly one.
//!
//! # What an operation declares
//! Besides its [`Operation`] (parameters, request body, server): its security requirements
//! ([`OpenApi::security`]), the response answering a status ([`declared_status`]) and the
//! media types of a `content` map with their schemas ([`OpenApi::media_types`],
//! [`media_range_matches`]); how its parameters are written is module [`style`].
//! [`is_secret_name`] is the rule that tells a name holding a secret.
//!
//! # Servers
//! An operation's base URL is the first server of its `servers`, else its path item's, else
//! the document's (`/` if none), `{variables}` replaced by their defaults, a relative URL
//! resolved against the OpenAPI document's URL. For a local document with relative (or no)
//! servers that gives a `file:` URL: loading and validation accept it, and
//! [`Operation::base_url`] refuses it when a request is built, asking for an override.
//!
//! Overrides replace every server of a source: `--server SOURCE=URL`
//! ([`SourceOptions::servers`], [`parse_server_override`]), else the environment variable
//! `ARAZZO_SERVER_<SOURCE>`, the source name upper-cased with `-` as `_`
//! ([`SourceOptions::env_servers`], [`servers_from_env`], [`server_env_var`]).
//!
//! # Example
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use arazzo_sources::{SourceOptions, Sources};
//!
//! let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/amberflo");
//! let path = dir.join("workflows/amberflo-launch-usage-based-product-workflow.yml");
//! let document = arazzo_model::from_path(&path)?;
//! let url = url::Url::from_file_path(path.canonicalize()?).unwrap();
//!
//! let sources = Sources::load(&document, &url, &SourceOptions::default()).await?;
//! let step = &document.workflows[0].steps[0];
//! let operation = sources.operation(step)?;
//! assert_eq!(operation.method, http::Method::POST);
//! assert_eq!(operation.path, "/meters");
//! assert_eq!(operation.base_url()?.as_str(), "https://app.amberflo.io/");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! # Crate features
//!
//! - `fetch` (on by default): `http(s)` source descriptions fetched with reqwest (rustls on
//!   its `ring` provider, `install_tls_provider`). Without it, a remote source is refused
//!   with [`SourceErrorKind::FetchUnavailable`]; local files load the same.

mod asyncapi;
mod asyncapi2;
mod bare_server;
mod check;
mod error;
#[cfg(feature = "fetch")]
mod fetch;
mod fixups;
mod openapi;
mod read;
mod refs;
mod resolve;
mod responses;
mod secret;
mod security;
mod server;
pub mod style;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use arazzo_model::{Document, ParameterIn};
use indexmap::IndexMap;
use serde_json::Value;
use url::Url;

pub use asyncapi::{
    AsyncApi, AsyncOperation, AsyncServer, Channel, CorrelationId, Message, MessageTarget, Reply,
};
pub use check::{TargetProblem, check_targets};
pub use error::{
    ResolveError, ResolveErrorKind, ServerError, ServerOverrideError, SourceError, SourceErrorKind,
};
#[cfg(feature = "fetch")]
pub use fetch::{client_builder, install_tls_provider};
pub use openapi::OpenApi;
pub use read::io_reason;
pub use resolve::StepCall;
pub use responses::{MediaType, declared_status, media_range_matches};
pub use secret::{REDACTED, is_secret_name};
pub use security::{ApiKeyLocation, RequiredScheme, SecurityScheme};
pub use server::{parse_server_override, server_env_var, servers_from_env};

/// How source descriptions are loaded.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    /// Whether `http(s)` source URLs may be fetched (a document is untrusted input: off by
    /// default, `--allow-remote` on the command line).
    pub allow_remote: bool,
    /// Whether remote documents may be fetched from loopback, private, link-local and cloud
    /// metadata addresses (127.0.0.1, 10.0.0.0/8, 169.254.169.254…; checked on the resolved
    /// addresses, so on redirects and DNS names too): off by default, `--allow-private` on the
    /// command line.
    pub allow_private: bool,
    /// Base URLs replacing an OpenAPI source's servers, by source description name
    /// (`--server SOURCE=URL`, see [`parse_server_override`]). A name that is no OpenAPI
    /// source is an error (a typo must not send requests to the real server).
    pub servers: HashMap<String, Url>,
    /// Base URLs from the environment, by the `<SOURCE>` part of `ARAZZO_SERVER_<SOURCE>` (see
    /// [`servers_from_env`]); [`SourceOptions::servers`] wins over them. Names matching no
    /// source are ignored (the environment may serve other documents).
    pub env_servers: HashMap<String, Url>,
    /// `--strict`: constructs of other dialects are errors, a relative source URL found
    /// elsewhere than beside its document (see [`SourceOptions::sources_root`]) too.
    pub strict: bool,
    /// `--sources-root DIR`: where a relative source URL that is not beside its document is
    /// looked for first; then each parent folder of the document up to the repository root
    /// (a folder with `.git`), then the current directory (`compat-source-root`).
    pub sources_root: Option<std::path::PathBuf>,
}

/// An operation a step calls, with everything needed to build its request.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The name of the source description it comes from.
    pub source: String,
    /// Its `operationId`, if it has one.
    pub operation_id: Option<String>,
    /// The HTTP method.
    pub method: http::Method,
    /// The path template, as in the OpenAPI document (`/pets/{petId}`).
    pub path: String,
    /// The base URL the path is appended to: the chosen server (operation > path item >
    /// document), variables substituted with their defaults, relative URLs resolved against
    /// the OpenAPI document's URL, or the `--server` override. It may be a `file:` URL (see
    /// [`Operation::base_url`]).
    pub server: Url,
    /// The declared parameters: path-item parameters merged with the operation's (the
    /// operation's win by `name` + `in`), `$ref`s resolved.
    pub parameters: Vec<OperationParameter>,
    /// The declared request body, if any.
    pub request_body: Option<OperationBody>,
    /// The Operation Object as written in the OpenAPI document (for later checks such as
    /// responses and security).
    pub definition: Value,
}

/// A parameter an OpenAPI operation declares.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationParameter {
    /// The parameter's name.
    pub name: String,
    /// Where it goes.
    pub location: ParameterIn,
    /// Whether the operation requires it.
    pub required: bool,
    /// `style`, when given.
    pub style: Option<String>,
    /// `explode`, when given.
    pub explode: Option<bool>,
    /// The media type of `content`, when the parameter uses `content` instead of `schema`.
    pub content_type: Option<String>,
    /// Its schema (`$ref`s resolved at the top level; the media type's schema when the
    /// parameter uses `content`; 3.0 keywords in their 3.1 form), when given.
    pub schema: Option<Value>,
}

/// The request body an OpenAPI operation declares.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationBody {
    /// Whether the body is required.
    pub required: bool,
    /// The media types of `content`, in document order.
    pub content_types: Vec<String>,
}

/// The `file:` URL of a local Arazzo document, for [`Sources::load`] (its relative source
/// URLs resolve against it).
///
/// # Errors
/// When the path cannot be made absolute (no current directory).
pub fn document_url(path: impl AsRef<std::path::Path>) -> Result<Url, SourceError> {
    let path = path.as_ref();
    let failed = |reason: String| SourceError {
        name: path.display().to_string(),
        kind: SourceErrorKind::Url {
            url: path.display().to_string(),
            reason,
        },
    };
    let absolute = std::path::absolute(path).map_err(|err| failed(err.to_string()))?;
    Url::from_file_path(&absolute).map_err(|()| failed("not an absolute path".to_string()))
}

impl Operation {
    /// The parameter it declares with this name in `location`: header names match in any case
    /// (HTTP's rule), other names exactly.
    pub fn parameter(&self, name: &str, location: ParameterIn) -> Option<&OperationParameter> {
        self.parameters.iter().find(|declared| {
            declared.location == location
                && match location {
                    ParameterIn::Header => declared.name.eq_ignore_ascii_case(name),
                    _ => declared.name == name,
                }
        })
    }

    /// The base URL requests go to: [`Operation::server`] when it is an `http(s)` URL.
    ///
    /// # Errors
    /// When the servers resolve to something else, e.g. a `file:` URL for a local document
    /// with relative servers: the message asks for `--server` or the environment variable.
    pub fn base_url(&self) -> Result<&Url, ServerError> {
        match self.server.scheme() {
            "http" | "https" => Ok(&self.server),
            _ => Err(ServerError {
                source_name: self.source.clone(),
                method: self.method.clone(),
                path: self.path.clone(),
                url: self.server.to_string(),
                env_var: server_env_var(&self.source),
            }),
        }
    }
}

/// The loaded source descriptions of an Arazzo document, with what its steps call.
///
/// Cheap to clone; [`Sources::arazzo`] gives the sources of a nested Arazzo document.
#[derive(Clone)]
pub struct Sources {
    scopes: Arc<Vec<DocumentSources>>,
    /// Which document's sources these are: an index into `scopes` (0 is the loaded document).
    scope: usize,
}

/// The sources of one Arazzo document.
#[derive(Debug)]
struct DocumentSources {
    document: Document,
    url: Url,
    entries: IndexMap<String, Entry>,
    /// operationId → indices into `entries` of the OpenAPI sources defining it and of the
    /// AsyncAPI sources with an operation of that key.
    operation_ids: HashMap<String, Vec<usize>>,
    /// Sources whose relative URL was not beside the document, and where they were found.
    relocated: HashMap<String, Url>,
    /// Sources whose URL is a bare server, described from the steps that call them.
    bare_servers: std::collections::HashSet<String>,
}

impl DocumentSources {
    fn new(
        document: Document,
        url: Url,
        entries: IndexMap<String, Entry>,
        relocated: HashMap<String, Url>,
        bare_servers: std::collections::HashSet<String>,
    ) -> DocumentSources {
        let mut operation_ids: HashMap<String, Vec<usize>> = HashMap::new();
        for (at, entry) in entries.values().enumerate() {
            for id in entry.operation_ids() {
                let defined_in = operation_ids.entry(id.to_string()).or_default();
                if defined_in.last() != Some(&at) {
                    defined_in.push(at);
                }
            }
        }
        DocumentSources {
            document,
            url,
            entries,
            operation_ids,
            relocated,
            bare_servers,
        }
    }

    fn openapi(&self) -> impl Iterator<Item = &OpenApi> {
        self.entries.values().filter_map(|entry| match entry {
            Entry::OpenApi(openapi) => Some(openapi.as_ref()),
            _ => None,
        })
    }
}

/// A source description, loaded or not.
#[derive(Debug, Clone)]
enum Entry {
    OpenApi(Arc<OpenApi>),
    AsyncApi(Arc<AsyncApi>),
    /// An Arazzo document: the index of its scope.
    Arazzo(usize),
    Failed(SourceError),
}

impl Entry {
    fn failed(&self) -> Option<&SourceError> {
        match self {
            Entry::Failed(err) => Some(err),
            _ => None,
        }
    }

    /// The ids a step's `operationId` may name in this source: OpenAPI `operationId`s,
    /// AsyncAPI operation keys.
    fn operation_ids(&self) -> Vec<&str> {
        match self {
            Entry::OpenApi(openapi) => openapi
                .operations()
                .iter()
                .filter_map(|operation| operation.operation_id.as_deref())
                .collect(),
            Entry::AsyncApi(asyncapi) => asyncapi
                .operations()
                .map(|operation| operation.key.as_str())
                .collect(),
            Entry::Arazzo(_) | Entry::Failed(_) => Vec::new(),
        }
    }

    /// What the source is, for messages: `an OpenAPI description`.
    fn kind(&self) -> &'static str {
        match self {
            Entry::OpenApi(_) => "an OpenAPI description",
            Entry::AsyncApi(_) => "an AsyncAPI description",
            Entry::Arazzo(_) => "an Arazzo document",
            Entry::Failed(_) => "a source that could not be loaded",
        }
    }
}

/// An Arazzo document used as a source description.
#[derive(Debug, Clone)]
pub struct ArazzoSource<'a> {
    /// The document.
    pub document: &'a Document,
    /// Its URL.
    pub url: &'a Url,
    /// Its own source descriptions (a step of its workflows resolves against these).
    pub sources: Sources,
}

impl Sources {
    /// Loads every source description of `document`, found at `document_url` (a `file:` URL
    /// for a local document), and of the Arazzo documents among them.
    ///
    /// # Errors
    /// The first source that cannot be loaded (unreadable, remote without
    /// [`SourceOptions::allow_remote`], not YAML/JSON, Swagger 2.0, an OpenAPI document whose
    /// operations cannot be built), or a [`SourceOptions::servers`] key naming no OpenAPI
    /// source.
    pub async fn load(
        document: &Document,
        document_url: &Url,
        options: &SourceOptions,
    ) -> Result<Sources, SourceError> {
        Sources::load_partial(document, document_url, options)
            .await
            .complete(options)
    }

    /// These sources, when every one loaded and every [`SourceOptions::servers`] key names an
    /// OpenAPI source: what [`Sources::load`] checks after [`Sources::load_partial`].
    ///
    /// # Errors
    /// As [`Sources::load`].
    pub fn complete(self, options: &SourceOptions) -> Result<Sources, SourceError> {
        let scopes = self.scopes.iter();
        if let Some(err) = scopes
            .flat_map(|scope| scope.entries.values().filter_map(Entry::failed))
            .next()
        {
            return Err(err.clone());
        }
        let names: Vec<&str> = self
            .scopes
            .iter()
            .flat_map(|scope| scope.openapi().map(OpenApi::name))
            .collect();
        if let Some(unknown) = options
            .servers
            .keys()
            .find(|name| !names.contains(&name.as_str()))
        {
            return Err(SourceError {
                name: unknown.clone(),
                kind: SourceErrorKind::UnknownOverride {
                    available: names.iter().map(ToString::to_string).collect(),
                    help: resolve::did_you_mean(unknown, names.iter().copied()),
                },
            });
        }
        Ok(self)
    }

    /// Like [`Sources::load`], but a source that cannot be loaded is kept as a failure
    /// ([`Sources::failure`]) instead of stopping: for `arazzo validate`, which reports every
    /// problem at once.
    pub async fn load_partial(
        document: &Document,
        document_url: &Url,
        options: &SourceOptions,
    ) -> Sources {
        Sources {
            scopes: Arc::new(read::sources(document, document_url, options).await),
            scope: 0,
        }
    }

    fn scope(&self) -> &DocumentSources {
        &self.scopes[self.scope]
    }

    /// The URL of the document these are the sources of.
    pub fn document_url(&self) -> &Url {
        &self.scope().url
    }

    /// The OpenAPI source with this name.
    pub fn openapi(&self, name: &str) -> Option<&OpenApi> {
        match self.scope().entries.get(name)? {
            Entry::OpenApi(openapi) => Some(openapi),
            _ => None,
        }
    }

    /// The AsyncAPI source with this name.
    pub fn asyncapi(&self, name: &str) -> Option<&AsyncApi> {
        match self.scope().entries.get(name)? {
            Entry::AsyncApi(asyncapi) => Some(asyncapi),
            _ => None,
        }
    }

    /// The Arazzo source with this name, with its own sources.
    pub fn arazzo(&self, name: &str) -> Option<ArazzoSource<'_>> {
        let Entry::Arazzo(scope) = self.scope().entries.get(name)? else {
            return None;
        };
        let nested = &self.scopes[*scope];
        Some(ArazzoSource {
            document: &nested.document,
            url: &nested.url,
            sources: Sources {
                scopes: Arc::clone(&self.scopes),
                scope: *scope,
            },
        })
    }

    /// Why the source with this name could not be loaded (only after
    /// [`Sources::load_partial`]).
    pub fn failure(&self, name: &str) -> Option<&SourceError> {
        self.scope().entries.get(name)?.failed()
    }

    /// Where the source with this name was found when its relative URL is not beside the
    /// document: under [`SourceOptions::sources_root`], a parent folder up to the repository
    /// root, or the current directory (`compat-source-root`).
    pub fn relocated(&self, name: &str) -> Option<&Url> {
        self.scope().relocated.get(name)
    }

    /// Whether the source with this name is a bare server URL (`https://httpbin.org`, as
    /// strefethen's arazzo-cli writes them), whose operations are the ones its steps call
    /// (`compat-base-url-source`).
    pub fn is_bare_server(&self, name: &str) -> bool {
        self.scope().bare_servers.contains(name)
    }

    /// These sources with the servers of the OpenAPI sources named in `servers` replaced, as
    /// [`SourceOptions::servers`] replaces them at load (in nested Arazzo documents too),
    /// without reading anything again: for a mock started from the loaded sources, which
    /// then receives the requests of those that have no http(s) server.
    pub fn with_servers(&self, servers: &HashMap<String, Url>) -> Sources {
        let scopes = self.scopes.iter().map(|scope| {
            let entries = scope.entries.iter().map(|(name, entry)| {
                let entry = match (entry, servers.get(name)) {
                    (Entry::OpenApi(openapi), Some(server)) => {
                        Entry::OpenApi(Arc::new(openapi.with_server(server)))
                    }
                    (entry, _) => entry.clone(),
                };
                (name.clone(), entry)
            });
            DocumentSources {
                document: scope.document.clone(),
                url: scope.url.clone(),
                entries: entries.collect(),
                operation_ids: scope.operation_ids.clone(),
                relocated: scope.relocated.clone(),
                bare_servers: scope.bare_servers.clone(),
            }
        });
        Sources {
            scopes: Arc::new(scopes.collect()),
            scope: self.scope,
        }
    }
}

impl fmt::Debug for Sources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scope = self.scope();
        f.debug_struct("Sources")
            .field("document_url", &scope.url.as_str())
            .field("sources", &scope.entries.keys().collect::<Vec<_>>())
            .finish()
    }
}
