//! Load errors, validation diagnostics and their rule ids.

use std::fmt;

use serde::Serialize;

/// A 1-based line and column in a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A document could not be read or parsed into the model.
///
/// Its `Display` is one line a person understands:
/// `file:line:col: message (at /json/pointer)`.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.render())]
pub struct LoadError {
    /// The file name, or `<string>` for text given directly.
    pub file: String,
    /// Where in the text, when known.
    pub location: Option<Location>,
    /// The JSON pointer of the failing field (empty for the whole document or a syntax error).
    pub pointer: String,
    /// What went wrong.
    pub kind: LoadErrorKind,
}

/// The kinds of [`LoadError`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[source] std::io::Error),
    /// The text is not well-formed YAML or JSON, e.g. an unclosed `{`.
    #[error("{0}")]
    Syntax(String),
    /// The text is longer than [`MAX_DOCUMENT_SIZE`](crate::MAX_DOCUMENT_SIZE) bytes.
    #[error("the document is larger than the {} MiB limit", crate::MAX_DOCUMENT_SIZE >> 20)]
    TooLarge,
    /// Collections nest deeper than [`MAX_NESTING_DEPTH`](crate::MAX_NESTING_DEPTH) levels, e.g.
    /// `a: [[[…]]]`.
    #[error(
        "collections nest deeper than {} levels (the limit)",
        crate::MAX_NESTING_DEPTH
    )]
    TooDeep,
    /// The text is well-formed but does not fit the Arazzo model (e.g. `info: 3`).
    #[error("{0}")]
    Structure(String),
}

impl LoadError {
    fn render(&self) -> String {
        let mut line = self.file.clone();
        if let Some(location) = self.location {
            line.push_str(&format!(":{location}"));
        }
        line.push_str(&format!(": {}", self.kind));
        if !self.pointer.is_empty() {
            line.push_str(&format!(" (at {})", self.pointer));
        }
        line
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The document is invalid: nothing may be run from it.
    Error,
    /// Allowed, but probably not what the author meant.
    Warning,
}

/// One problem found by [`crate::validate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// The rule that found it; its id is stable.
    pub rule: Rule,
    /// Error or warning.
    pub severity: Severity,
    /// The JSON pointer of the offending value (empty for the root).
    pub pointer: String,
    /// Where in the file, when it can be found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// What is wrong, in lowercase, one line.
    pub message: String,
    /// A suggestion (e.g. "did you mean `getPet`?").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The spec form `arazzo fix` writes at the pointer, for a `compat-…` diagnostic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<crate::Edit>,
}

macro_rules! rules {
    ($($(#[doc = $doc:literal])* $variant:ident => $id:literal,)*) => {
        /// The validation rules. Each has a stable kebab-case id, shown with every diagnostic.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Rule {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Rule {
            /// Every rule, in declaration order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The stable id, e.g. `duplicate-step-id`.
            pub fn id(self) -> &'static str {
                match self {
                    $(Rule::$variant => $id,)*
                }
            }
        }
    };
}

rules! {
    /// The document is not an object, or a field has the wrong JSON type (e.g. `version: 1.0`).
    WrongType => "wrong-type",
    /// A required field is missing (e.g. a workflow without `steps`).
    MissingField => "missing-field",
    /// A field the spec does not define and that is not an `x-` extension.
    UnknownField => "unknown-field",
    /// A value outside the allowed set (e.g. `type: loop` on an action).
    InvalidValue => "invalid-value",
    /// `arazzo` is not a `1.0.x` or `1.1.x` version.
    ArazzoVersion => "arazzo-version",
    /// Arazzo 1.1: `$self` is not a URI-reference without fragment.
    SelfUri => "self-uri",
    /// A source description name does not match `^[A-Za-z0-9_\-]+$` (a SHOULD of the spec
    /// text, a warning).
    SourceName => "source-name",
    /// A components key does not match `^[a-zA-Z0-9.\-_]+$`.
    ComponentKey => "component-key",
    /// An `outputs` key does not match `^[a-zA-Z0-9.\-_]+$`.
    OutputKey => "output-key",
    /// A list that must have entries is empty (e.g. `steps: []`).
    EmptyList => "empty-list",
    /// A list holds the same item twice.
    DuplicateItem => "duplicate-item",
    /// A number below its minimum (e.g. `retryLimit: -1`).
    OutOfRange => "out-of-range",
    /// `in: body` (removed in Arazzo 1.0.1).
    ParameterInBody => "parameter-in-body",
    /// An inline parameter of an operation step has no `in`.
    ParameterInMissing => "parameter-in-missing",
    /// A criterion has a `type` but no `context`.
    CriterionContext => "criterion-context",
    /// A workflow step, or an Arazzo Criterion Expression Type, is malformed in a way not listed above.
    Schema => "schema",
    /// Two workflows share a `workflowId`.
    DuplicateWorkflowId => "duplicate-workflow-id",
    /// Two steps of one workflow share a `stepId`.
    DuplicateStepId => "duplicate-step-id",
    /// Two source descriptions share a `name`.
    DuplicateSourceName => "duplicate-source-name",
    /// Two parameters of one list share `name` and `in`.
    DuplicateParameter => "duplicate-parameter",
    /// Two actions of one list share a `name`.
    DuplicateAction => "duplicate-action",
    /// A step has none, or several, of `operationId`, `operationPath`, `channelPath`,
    /// `workflowId`.
    StepTarget => "step-target",
    /// Arazzo 1.1: a step's fields do not fit what it calls: `action` or `correlationId` on an
    /// OpenAPI or workflow step, an AsyncAPI step without `action`, `correlationId` on a `send`,
    /// or on a `receive` none of whose messages defines a `correlationId` (checked with the
    /// sources).
    StepKind => "step-kind",
    /// Arazzo 1.1: a `channelPath` that is not `{$sourceDescriptions.<name>.url}#/channels/<key>`
    /// of an AsyncAPI source.
    ChannelPath => "channel-path",
    /// Arazzo 1.1: a step `dependsOn` entry of no allowed form, naming nothing, or naming a step
    /// that comes later in the array (steps run in array order; they are not reordered).
    DependsOn => "depends-on",
    /// Arazzo 1.1: `$steps.<id>.outputs` of a step that runs later (the spec: "SHOULD produce an
    /// error" when the workflow uses no `dependsOn`; a warning in 1.0 documents and where a
    /// `goto` loops back).
    ForwardReference => "forward-reference",
    /// Arazzo 1.1: a parameter location the step cannot use (`channel` on an OpenAPI step,
    /// `path`/`query`/`cookie`/`querystring` on an AsyncAPI step, `querystring` beside `query`).
    ParameterLocation => "parameter-in",
    /// Arazzo 1.1: action `parameters` without a `workflowId` target, or with an `in`.
    ActionParameters => "action-parameters",
    /// Arazzo 1.1: a `receive` step without `timeout` waits at most the default 30 s.
    ReceiveTimeout => "receive-timeout",
    /// A `goto` without exactly one of `stepId`/`workflowId`, or a `retry`/`end` with both.
    ActionTarget => "action-target",
    /// A `stepId` target that is not a step of the current workflow.
    UnknownStep => "unknown-step",
    /// A `workflowId` (step, action or `dependsOn`) naming no workflow of the document, or of
    /// the Arazzo source it names (`$sourceDescriptions.<source>.<id>`, checked with the sources).
    UnknownWorkflow => "unknown-workflow",
    /// A `$sourceDescriptions.<name>` naming no source description.
    UnknownSource => "unknown-source",
    /// A Reusable Object reference that does not resolve to a component of the right kind.
    UnknownComponent => "unknown-component",
    /// A workflow input `$ref` into the document that does not resolve.
    UnknownInputRef => "unknown-input-ref",
    /// A bare `operationId` while several OpenAPI sources are defined.
    AmbiguousOperationId => "ambiguous-operation-id",
    /// `dependsOn` forms a cycle.
    DependsOnCycle => "depends-on-cycle",
    /// A workflow step that calls its own workflow, directly or through other workflow steps
    /// and `dependsOn` (a `goto` or `retry` to a workflow is not counted as a call).
    WorkflowRecursion => "workflow-recursion",
    /// A Reusable Object with fields other than `reference` and `value` (they are ignored).
    ReusableExtraField => "reusable-extra-field",
    /// A `value` on a reference to an action (only parameter references take one).
    ReusableValue => "reusable-value",
    /// A `workflowId` or `stepId` that does not match `[A-Za-z0-9_\-]+` (a SHOULD).
    IdPattern => "id-pattern",
    /// A source description that cannot be loaded (unreadable, not YAML/JSON, Swagger 2.0, a
    /// broken `$ref`…); a warning for a remote one not fetched without `--allow-remote`.
    SourceUnavailable => "source-unavailable",
    /// An `operationId` that no Operation Object of the OpenAPI sources has (case-sensitive).
    UnknownOperation => "unknown-operation",
    /// An `operationPath` whose pointer does not land on an Operation Object
    /// (`#/paths/<path>/<method>`), e.g. one that stops at the Path Item.
    OperationPathTarget => "operation-path-target",
    /// A runtime expression, template or condition that does not parse.
    ExpressionSyntax => "expression-syntax",
    /// An expression outside the 1.0.1 ABNF that is read leniently (e.g. `$response.body.id`).
    ExpressionLenient => "expression-lenient",
    /// `$steps.<id>.outputs.<name>` or `$workflows.<id>.outputs.<name>` naming an output the
    /// step or workflow does not declare.
    UnknownOutput => "unknown-output",
    /// `$inputs.<name>` naming an input the workflow's `inputs` schema does not declare.
    UnknownInput => "unknown-input",
    /// A value that looks like an expression of an unknown root (`$input.apiKey`, `$faker…`):
    /// sent as the text it is.
    DollarText => "dollar-text",
    /// A root `$schema` member (an editor's hint): ignored.
    CompatSchemaKey => "compat-schema-key",
    /// `operationId: <source>.<id>` (Redocly Respect), read as `$sourceDescriptions.<source>.<id>`.
    CompatOperationId => "compat-operation-id",
    /// `operationPath: <source>#/paths/…` (Jentic) or `$sourceDescriptions.<source>.url#/…`,
    /// read as `{$sourceDescriptions.<source>.url}#/paths/…`.
    CompatOperationPath => "compat-operation-path",
    /// `$sourceDescriptions.<source>.workflows.<id>` (the drafts), read as
    /// `$sourceDescriptions.<source>.<id>`.
    CompatWorkflowRef => "compat-workflow-ref",
    /// A relative source URL that is not beside the document, found relative to a parent folder
    /// up to the repository root, the current directory or `--sources-root` (Jentic's
    /// catalogue writes them relative to the repository root).
    CompatSourceRoot => "compat-source-root",
    /// A bare word compared in a condition (`$response.header.Content-Type == application/json`,
    /// Speakeasy), read as a string literal (`== 'application/json'`).
    CompatUnquotedLiteral => "compat-unquoted-literal",
    /// A JSON object or array as the condition of a `$response.body` criterion (Speakeasy's
    /// generated tests), read as every value it holds being at the same place of the body:
    /// `$response.body#/id == 7 && …`.
    CompatBodyLiteral => "compat-body-literal",
    /// `$statusCode == 2XX` (Speakeasy), an OpenAPI response-code range, read as
    /// `($statusCode >= 200 && $statusCode < 300)`.
    CompatStatusRange => "compat-status-range",
    /// `$steps.<id>.<name>` without `.outputs.` (Jentic's runner), `<name>` an output the step
    /// declares, read as `$steps.<id>.outputs.<name>`.
    CompatStepOutput => "compat-step-output",
    /// `operationPath: POST /pets`, `/pets` or `{petStore}./pets` (strefethen's arazzo-cli),
    /// read as `{$sourceDescriptions.petStore.url}#/paths/~1pets/post` (GET by default, POST
    /// with a request body).
    CompatMethodPath => "compat-method-path",
    /// `operationId: $sourceDescriptions.<source>#/paths/…`, a JSON pointer in the wrong field,
    /// read as `operationPath: {$sourceDescriptions.<source>.url}#/paths/…`.
    CompatOperationIdPath => "compat-operation-id-path",
    /// A step's success or failure action without `name` (strefethen's arazzo-cli), read with
    /// its type as its name (`retry`, `retry-2`…).
    CompatActionName => "compat-action-name",
    /// An OpenAPI source whose URL is a bare server (`https://httpbin.org`, strefethen's
    /// arazzo-cli): its operations are the ones its steps call, sent to that server.
    CompatBaseUrlSource => "compat-base-url-source",
    /// `workflowId: ''`, `reference: ''` and the like (a generator's zero values): a field
    /// that names something, empty, read as absent.
    CompatEmptyField => "compat-empty-field",
    /// An action `{name: $components.failureActions.retry}` without `type` (strefethen's
    /// arazzo-cli), read as the Reusable Object `{reference: $components.failureActions.retry}`.
    CompatActionReference => "compat-action-reference",
    /// `context: response` (usearazzo's toolkit), read as `context: $response.body`.
    CompatContextWord => "compat-context-word",
    /// `$body.score > 750` in a condition (WSO2's arazzo tools), read as
    /// `$response.body.score > 750`.
    CompatBodyShorthand => "compat-body-shorthand",
    /// A `jsonpath` criterion whose condition is a JavaScript-style comparison on the body
    /// (`$.access_token != null`, as the official OAuth example writes it), read as the simple
    /// condition `$response.body#/access_token != null`.
    CompatJsonpathComparison => "compat-jsonpath-comparison",
    /// `Bearer $inputs.token` in a value a step sends (Redocly Respect substitutes it), read
    /// as the template `Bearer {$inputs.token}`.
    CompatBracelessExpression => "compat-braceless-expression",
    /// An output written as a template of one whole expression, `{$response.body}`, read as
    /// the expression `$response.body`.
    CompatBracedOutput => "compat-braced-output",
    /// An input `env` whose members the inputs schema declares (Redocly Respect's
    /// `$inputs.env.NAME`): when not given, each member is read from the environment variable
    /// of its name.
    CompatInputsEnv => "compat-inputs-env",
    /// Redocly Respect's `x-security` on a workflow or step (a scheme inline or by
    /// `schemeName`, with its values), applied as the credentials of its steps.
    CompatXSecurity => "compat-x-security",
    /// `== "text"` in a condition (strefethen's arazzo-cli, JavaScript habits), read as the
    /// string literal `== 'text'`.
    CompatDoubleQuoted => "compat-double-quoted",
    /// A success or failure action with a `condition` of its own (the Arazzo 1.1 drafts'
    /// examples), read as `criteria: [{condition: …}]`.
    CompatActionCondition => "compat-action-condition",
    /// A criterion written as a bare condition string, `- $statusCode == 200`, read as the
    /// Criterion Object `{condition: $statusCode == 200}`.
    CompatCriterionString => "compat-criterion-string",
    /// A step's `dependsOn: [$steps.send]` (or a workflow's `$workflows.setup`), read as the
    /// step id `send` (workflow id `setup`) the field takes.
    CompatDependsOnExpression => "compat-depends-on-expression",
    /// `outputs` written as a list of one-member maps, read as the map of those members.
    CompatOutputsList => "compat-outputs-list",
    /// `$steps.<call>.outputs.<name>` of a workflow step that does not declare `<name>`,
    /// which the workflow it calls outputs: read as the step output `<name>: $outputs.<name>`.
    CompatCalleeOutput => "compat-callee-output",
    /// `in: path` on a parameter of an AsyncAPI step, read as `in: channel` (a parameter of
    /// the channel's address).
    CompatChannelParameter => "compat-channel-parameter",
    /// Redocly Respect's `x-operation: {url, method}` step, read as an `operationPath` on a
    /// source whose URL is the URL's server (added when the document has none).
    CompatXOperation => "compat-x-operation",
}

impl Rule {
    /// Whether the rule reads another tool's dialect (`compat-…`): a warning, an error with
    /// `--strict`.
    pub fn is_compat(self) -> bool {
        self.id().starts_with("compat-")
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}
