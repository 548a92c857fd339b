//! Errors of loading source descriptions and resolving what steps call.

/// A source description could not be loaded.
///
/// `source `petStore`: cannot read ./petstore.yaml: no such file or directory`
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("source `{name}`: {kind}")]
pub struct SourceError {
    /// The source description's name.
    pub name: String,
    /// What went wrong.
    pub kind: SourceErrorKind,
}

/// The kinds of [`SourceError`]. Locations are the source's `url` as written, or the path or
/// URL of a document reached through a `$ref`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SourceErrorKind {
    /// An `http(s)` URL while remote sources are off (the default).
    ///
    /// Resolution: pass `--allow-remote`, or use a local copy.
    #[error("`{url}` is remote: fetching it needs --allow-remote")]
    RemoteNotAllowed {
        /// The URL that was not fetched.
        url: String,
    },
    /// An `http(s)` URL when this crate is built without its `fetch` feature.
    ///
    /// Resolution: build with the `fetch` feature (on by default), or use a local copy.
    #[error(
        "`{url}` is remote: fetching remote sources needs the `fetch` feature of arazzo-sources"
    )]
    FetchUnavailable {
        /// The URL that was not fetched.
        url: String,
    },
    /// A document fetched over http(s) reaching a document of another origin (scheme, host,
    /// port), e.g. a `$ref` to `file:///etc/passwd`: a remote document must not read local
    /// files nor send the loader to other servers.
    ///
    /// Resolution: download the remote document and run the local copy.
    #[error(
        "`{to}` is outside the origin of the remote document `{from}` (a remote document may only reach documents of its own scheme, host and port); download it and run the local copy"
    )]
    CrossOrigin {
        /// The remote document.
        from: String,
        /// The URL or path it points at.
        to: String,
    },
    /// A host that is (or resolves to) a loopback, private, link-local or metadata address,
    /// without `--allow-private`.
    #[error("`{url}` is {address}, {kind}: fetching it needs --allow-private")]
    PrivateAddress {
        /// The URL.
        url: String,
        /// The address, e.g. `127.0.0.1`.
        address: String,
        /// What kind, e.g. `a loopback address`.
        kind: String,
    },
    /// A remote document that answered with a redirect to another origin (not followed).
    #[error(
        "`{url}` redirects to `{location}`, another origin: only redirects within the same scheme, host and port are followed"
    )]
    CrossOriginRedirect {
        /// The URL fetched.
        url: String,
        /// Where the redirect pointed.
        location: String,
    },
    /// A remote document larger than the cap.
    #[error("`{url}` is larger than the {} MiB limit", max_bytes / (1024 * 1024))]
    TooLarge {
        /// The URL.
        url: String,
        /// The cap, in bytes.
        max_bytes: u64,
    },
    /// A local file that cannot be read, e.g. a missing `./petstore.yaml`.
    #[error("cannot read {location}: {reason}")]
    Read {
        /// The file, as written or as a path.
        location: String,
        /// Why, e.g. `no such file or directory`.
        reason: String,
    },
    /// An `http(s)` fetch that failed or answered with an error status.
    #[error("cannot fetch {url}: {reason}")]
    Fetch {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// A URL that cannot be resolved or has an unsupported scheme, e.g. `ftp://…`.
    #[error("cannot load `{url}`: {reason}")]
    Url {
        /// The URL, as written.
        url: String,
        /// Why.
        reason: String,
    },
    /// Text that is not well-formed YAML or JSON, or an Arazzo document that does not fit the
    /// model; the message starts with the location.
    #[error("{0}")]
    Parse(String),
    /// A Swagger 2.0 document, or an OpenAPI version other than 3.x.
    ///
    /// Resolution: convert it to OpenAPI 3.0 or 3.1.
    #[error("{location} is {found}, which is not supported; convert it to OpenAPI 3.0 or 3.1")]
    Unsupported {
        /// The document.
        location: String,
        /// What it is, e.g. `Swagger 2.0`.
        found: String,
    },
    /// An AsyncAPI document of a version other than 2.x and 3.x (decision D2: 2.x is read
    /// as the 3.0 document it converts to).
    ///
    /// Resolution: convert it to AsyncAPI 3 (`asyncapi convert`).
    #[error(
        "{location} is AsyncAPI {version}, which is not supported: only AsyncAPI 2.x and 3.x are; convert it with `asyncapi convert {location} --target-version 3.0.0`"
    )]
    UnsupportedAsyncApi {
        /// The document.
        location: String,
        /// Its `asyncapi` field, e.g. `2.6.0`.
        version: String,
    },
    /// A document with none of the root fields `openapi`, `asyncapi` and `arazzo`.
    #[error(
        "{location} is neither an OpenAPI, an AsyncAPI nor an Arazzo document (no `openapi`, `asyncapi` or `arazzo` field)"
    )]
    UnknownKind {
        /// The document.
        location: String,
    },
    /// A source whose `type` contradicts its content, e.g. `type: openapi` on an Arazzo document.
    #[error("{location} is declared `type: {declared}` but is an {found} document")]
    TypeMismatch {
        /// The document.
        location: String,
        /// The declared type.
        declared: String,
        /// What the content says.
        found: String,
    },
    /// An OpenAPI or AsyncAPI document that cannot give its operations: a `$ref` that does
    /// not resolve, a parameter without `name`/`in`, a server URL that cannot be built, an
    /// AsyncAPI operation without a channel.
    #[error("{location}: {reason} (at {pointer})")]
    Invalid {
        /// The document.
        location: String,
        /// The JSON pointer of the offending value.
        pointer: String,
        /// What is wrong.
        reason: String,
    },
    /// A `--server` (or environment) override naming no OpenAPI source description.
    #[error("a server override names no OpenAPI source description; the document's are {}{}", available.join(", "), help.as_ref().map(|help| format!("; {help}")).unwrap_or_default())]
    UnknownOverride {
        /// The OpenAPI source names there are.
        available: Vec<String>,
        /// "did you mean `x`?" when a source name is close.
        help: Option<String>,
    },
}

/// What a step calls cannot be resolved. Its `Display` adds the help after `; `.
///
/// `unknown operation `PAR` in source `auth-api`; did you mean `Par`?`
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}{}", help.as_ref().map(|help| format!("; {help}")).unwrap_or_default())]
pub struct ResolveError {
    /// What went wrong.
    pub kind: ResolveErrorKind,
    /// A suggestion, e.g. "did you mean `Par`?".
    pub help: Option<String>,
}

impl ResolveError {
    pub(crate) fn new(kind: ResolveErrorKind) -> Self {
        ResolveError { kind, help: None }
    }

    pub(crate) fn help(mut self, help: impl Into<Option<String>>) -> Self {
        self.help = help.into();
        self
    }
}

/// The kinds of [`ResolveError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveErrorKind {
    /// An `operationId` that no Operation Object of the searched sources has (case-sensitive),
    /// e.g. `$sourceDescriptions.auth-api.PAR` when the operation is `Par`; for an AsyncAPI
    /// source, no key of its `operations`.
    #[error("unknown operation `{operation_id}` in {}", sources_phrase(sources))]
    UnknownOperation {
        /// The operationId, without any `$sourceDescriptions.<name>.` prefix.
        operation_id: String,
        /// The OpenAPI and AsyncAPI sources searched.
        sources: Vec<String>,
    },
    /// A bare `operationId` that several OpenAPI or AsyncAPI sources define.
    ///
    /// Resolution: qualify it, `$sourceDescriptions.<name>.<operationId>`.
    #[error("operationId `{operation_id}` is defined by several sources ({})", sources.join(", "))]
    AmbiguousOperation {
        /// The operationId.
        operation_id: String,
        /// The sources defining it.
        sources: Vec<String>,
    },
    /// `$sourceDescriptions.<name>` naming no source description of the document.
    #[error("no source description is named `{name}`")]
    UnknownSource {
        /// The name used.
        name: String,
    },
    /// A qualified operationId or an operationPath naming an Arazzo source.
    #[error("source `{name}` is an Arazzo document, not an OpenAPI description")]
    NotOpenApi {
        /// The source's name.
        name: String,
    },
    /// A source the target needs could not be loaded (only after [`crate::Sources::load_partial`]).
    #[error("source `{name}` could not be loaded")]
    SourceUnavailable {
        /// The source's name.
        name: String,
    },
    /// A target that does not have the expected form, e.g. `$sourceDescriptions.petStore` (no
    /// operationId) or an operationPath without `{$sourceDescriptions.<name>.url}#`.
    #[error("`{target}` does not have the form `{expected}`")]
    Syntax {
        /// The target as written.
        target: String,
        /// The form expected.
        expected: &'static str,
    },
    /// An operationPath pointing at a Path Item (`…#/paths/~1pets`) instead of one of its
    /// operations.
    ///
    /// Resolution: add the method, `…#/paths/~1pets/get`.
    #[error("operationPath `{operation_path}` points at a path item, not an operation")]
    PathItem {
        /// The operationPath.
        operation_path: String,
    },
    /// An operationPath whose pointer does not land on an Operation Object under
    /// `/paths/<path>/<method>` (a missing path or method, or another part of the document).
    #[error("operationPath `{operation_path}` does not point at an operation of source `{name}`")]
    NotAnOperation {
        /// The operationPath.
        operation_path: String,
        /// The source's name.
        name: String,
    },
    /// `$sourceDescriptions.<name>` naming a source of the wrong kind for the target, e.g. a
    /// `channelPath` into an OpenAPI description or an `operationPath` into an AsyncAPI one.
    #[error("source `{name}` is {found}, not {expected}")]
    WrongSourceKind {
        /// The source's name.
        name: String,
        /// What it is, e.g. `an OpenAPI description`.
        found: &'static str,
        /// What the target needs, e.g. `an AsyncAPI description`.
        expected: &'static str,
    },
    /// A `channelPath` whose key names no channel of the AsyncAPI source (keys are
    /// case-sensitive; the channel's key, not its address).
    #[error("source `{name}` has no channel `{channel}`")]
    UnknownChannel {
        /// The channel key, JSON-pointer-decoded.
        channel: String,
        /// The source's name.
        name: String,
    },
    /// An OpenAPI operation asked for where the target is an AsyncAPI operation or channel.
    #[error("`{target}` is an AsyncAPI {what} of source `{name}`, not an OpenAPI operation")]
    AsyncApiTarget {
        /// The target as written.
        target: String,
        /// `operation` or `channel`.
        what: &'static str,
        /// The source's name.
        name: String,
    },
    /// A step that calls a workflow, asked for its operation.
    #[error("step `{step_id}` does not call an operation")]
    NotAnOperationStep {
        /// The step.
        step_id: String,
    },
}

fn sources_phrase(sources: &[String]) -> String {
    match sources {
        [] => "no OpenAPI or AsyncAPI source description".to_string(),
        [one] => format!("source `{one}`"),
        several => format!("sources `{}`", several.join("`, `")),
    }
}

/// An operation has no `http(s)` server to send requests to: its OpenAPI servers are relative
/// to a local file (or absent), so they resolve to a `file:` URL.
///
/// Resolution: pass `--server SOURCE=URL` or set `ARAZZO_SERVER_<SOURCE>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "source `{source_name}`: {method} {path} has no http(s) server (its servers give `{url}`); pass --server {source_name}=URL or set {env_var}"
)]
pub struct ServerError {
    /// The source description's name.
    pub source_name: String,
    /// The operation's method.
    pub method: http::Method,
    /// The operation's path template.
    pub path: String,
    /// The URL the OpenAPI servers give.
    pub url: String,
    /// The environment variable that would override it.
    pub env_var: String,
}

/// A `--server SOURCE=URL` argument or an `ARAZZO_SERVER_<SOURCE>` variable that cannot be
/// used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {reason}")]
pub struct ServerOverrideError {
    /// Where it came from: `--server petStore=…` or the variable's name.
    pub origin: String,
    /// Why, e.g. "expected SOURCE=URL".
    pub reason: String,
}
