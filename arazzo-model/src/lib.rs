//! The Arazzo 1.0.x document model: load YAML or JSON, validate, navigate.
//!
//! Every object of the specification is a type here ([`Document`], [`Workflow`], [`Step`],
//! [`Parameter`], [`SuccessAction`], [`FailureAction`], [`Criterion`], …), deserialized with
//! serde. `x-` extensions are kept in each object's [`Extensions`]; other unknown fields are
//! kept too, and reported by [`validate`], never dropped.
//!
//! Loading gives errors a person can act on: `file:line:col`, the JSON pointer of the failing
//! field, one line. [`validate`] returns every problem at once, each with a stable [`Rule`] id.
//!
//! # Example
//!
//! ```
//! let text = r#"
//! arazzo: 1.0.1
//! info: {title: Pets, version: 1.0.0}
//! sourceDescriptions:
//!   - {name: petStore, url: ./petstore.yaml, type: openapi}
//! workflows:
//!   - workflowId: adopt
//!     steps:
//!       - stepId: find
//!         operationId: findPets
//!         onSuccess:
//!           - {name: again, type: goto, stepId: fnid}
//! "#;
//! let file = arazzo_model::SourceFile::parse("pets.arazzo.yaml", text)?;
//! let validation = arazzo_model::validate(&file);
//! let problem = &validation.diagnostics[0];
//! assert_eq!(problem.rule.id(), "unknown-step");
//! assert_eq!(problem.pointer, "/workflows/0/steps/0/onSuccess/0/stepId");
//! assert_eq!(problem.location.map(|at| at.line), Some(12));
//! assert_eq!(problem.help.as_deref(), Some("did you mean `find`?"));
//!
//! let document = validation.document.expect("the document fits the model");
//! assert_eq!(document.workflows[0].steps[0].operation_id.as_deref(), Some("findPets"));
//! # Ok::<(), arazzo_model::LoadError>(())
//! ```

mod action;
mod compat;
mod components;
mod criterion;
mod document;
mod error;
mod extensions;
pub mod fix;
mod limits;
mod load;
mod locate;
mod parameter;
mod read;
mod request_body;
mod reusable;
mod source;
mod step;
mod validate;
mod workflow;

use std::path::Path;

use serde_json::Value;

pub use action::{FailureAction, FailureActionType, SuccessAction, SuccessActionType};
pub use compat::{Edit, Reading};
pub use components::Components;
pub use criterion::{
    Criterion, CriterionError, CriterionExpressionType, CriterionKind, CriterionType,
    ExpressionLanguage, ExpressionType, OutputValue, Selector, SelectorType,
};
pub use document::{Document, Info, SpecVersion};
pub use error::{Diagnostic, LoadError, LoadErrorKind, Location, Rule, Severity};
pub use extensions::Extensions;
pub use limits::{MAX_DOCUMENT_SIZE, MAX_NESTING_DEPTH};
pub use load::{Format, SourceFile};
pub use parameter::{Parameter, ParameterIn};
pub use read::{MAX_FILE_BYTES, ReadLimitError, read_capped, read_regular_file};
pub use request_body::{PayloadReplacement, RequestBody};
pub use reusable::{Component, OrReusable, Reusable};
pub use source::{SourceDescription, SourceType};
pub use step::{MessageAction, Step, StepKind, StepTarget};
pub use validate::{ValidateOptions, Validation, step_kind_rules, validate, validate_with};
pub use workflow::Workflow;

/// Reads a document from a YAML or JSON file into the model.
///
/// This checks only that the document fits the model; use [`SourceFile::read`] and
/// [`validate`] to check it against every rule.
///
/// # Errors
/// When the file cannot be read, is not well-formed, or does not fit the model.
pub fn from_path(path: impl AsRef<Path>) -> Result<Document, LoadError> {
    SourceFile::read(path)?.document()
}

/// Reads a document from YAML text into the model.
///
/// # Errors
/// When the text is not well-formed YAML or does not fit the model.
pub fn from_yaml(text: &str) -> Result<Document, LoadError> {
    SourceFile::parse("<yaml>", text)?.document()
}

/// Reads a document from JSON text into the model.
///
/// # Errors
/// When the text is not well-formed JSON or does not fit the model.
pub fn from_json(text: &str) -> Result<Document, LoadError> {
    SourceFile::parse("<json>", text).and_then(|file| match file.format() {
        Format::Json => file.document(),
        Format::Yaml => SourceFile::parse("<string>.json", text)?.document(),
    })
}

/// `value` itself, or, when it is `{"$ref": "#/…"}`, what that reference points at in `root`
/// (when it resolves): how input schemas and OpenAPI objects refer into their own document.
pub fn follow_local_ref<'v>(root: &'v Value, value: &'v Value) -> &'v Value {
    value["$ref"]
        .as_str()
        .and_then(|target| target.strip_prefix('#'))
        .and_then(|fragment| resolve_pointer(root, fragment))
        .unwrap_or(value)
}

/// "did you mean `x`?" for the candidate closest to `name` (case-insensitively, within a third
/// of its length), if one is close enough.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    validate::did_you_mean(name, candidates)
}

pub use arazzo_expr::pointer::escape as escape_pointer_token;

/// The types of a JSON Schema `type` error, for messages: `` `integer` `` or
/// `` `string` or `null` ``.
pub fn schema_types(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(single) => format!("`{single}`"),
        jsonschema::error::TypeKind::Multiple(many) => {
            let names: Vec<String> = many.iter().map(|kind| format!("`{kind}`")).collect();
            names.join(" or ")
        }
    }
}

/// The JSON type of a value, for messages: `a string`, `an object`, `null`….
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The value at a JSON pointer taken from a URI fragment (percent-decoded first, so
/// `#/paths/~1pets~1%7BpetId%7D` works), or `None`.
pub fn resolve_pointer<'v>(value: &'v Value, fragment: &str) -> Option<&'v Value> {
    let decoded = percent_encoding::percent_decode_str(fragment)
        .decode_utf8()
        .ok()?;
    value.pointer(&decoded)
}

/// The members of the `env` object an inputs schema declares (`properties.env.properties`),
/// which Redocly Respect fills from the environment variables of those names
/// (`$inputs.env.AUTH_TOKEN`): `arazzo` does the same when `env` is not given
/// (`compat-inputs-env`).
pub fn environment_inputs(schema: &Value) -> Vec<&str> {
    schema["properties"]["env"]["properties"]
        .as_object()
        .map(|members| members.keys().map(String::as_str).collect())
        .unwrap_or_default()
}
