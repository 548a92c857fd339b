//! From a file to a [`Plan`] in one call (read, validate, load the sources, plan), and the
//! validation `arazzo validate` runs.

use std::path::Path;

use arazzo_model::{SourceFile, ValidateOptions, Validation};
use arazzo_sources::{SourceError, SourceOptions, Sources, check_targets};

use crate::error::PlanError;
use crate::plan::Plan;

/// Why a document could not be made runnable. Nothing was sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrepareError {
    /// The file cannot be read or parsed.
    #[error(transparent)]
    Read(#[from] arazzo_model::LoadError),
    /// The document has validation errors (every diagnostic is in the [`Validation`]).
    #[error("the document is invalid ({} errors)", .0.errors().count())]
    Invalid(Box<Validation>),
    /// A source description cannot be loaded.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A step cannot be planned.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// Validates a document as `arazzo validate` does: every rule of [`arazzo_model::validate`],
/// plus the checks that need its source descriptions (each loads; each step's
/// `operationId`/`operationPath` resolves, with a did-you-mean). A source that cannot be loaded
/// is reported, not fatal, so that every problem is listed at once.
pub async fn validate(file: &SourceFile, options: &SourceOptions) -> Validation {
    validate_with_sources(file, options).await.0
}

/// [`validate`], also giving the sources it loaded (so a run does not load them twice).
async fn validate_with_sources(
    file: &SourceFile,
    options: &SourceOptions,
) -> (Validation, Option<Sources>) {
    // The model warns about every bare operationId among several OpenAPI sources because it
    // cannot tell whether the id is unique. With every source loaded it can be told: an id
    // found in several sources is an error here, one found in one source is fine. So the
    // model checks as if they all load, and again with the warning when one does not (or
    // when no source can be loaded: the document does not fit the model, or has no URL).
    let unresolved = ValidateOptions {
        operation_ids_resolved: false,
        input_refs_resolved: true,
        strict: options.strict,
    };
    let resolved = ValidateOptions {
        operation_ids_resolved: true,
        ..unresolved
    };
    let mut validation = arazzo_model::validate_with(file, &resolved);
    let url = arazzo_sources::document_url(file.name());
    let (Some(document), Ok(url)) = (&validation.document, url) else {
        // Without a URL nothing outside the document can be read: the model refuses it.
        let alone = ValidateOptions {
            input_refs_resolved: false,
            ..unresolved
        };
        return (arazzo_model::validate_with(file, &alone), None);
    };
    let sources = Sources::load_partial(document, &url, options).await;
    let all_loaded = document
        .source_descriptions
        .iter()
        .all(|source| sources.failure(&source.name).is_none());
    let targets: Vec<_> = check_targets(document, &sources)
        .into_iter()
        .map(|problem| problem.into_diagnostic(file))
        .collect();
    if !all_loaded {
        validation = arazzo_model::validate_with(file, &unresolved);
    }
    validation.diagnostics.extend(targets);
    validation
        .diagnostics
        .extend(input_ref_problems(file, &url));
    if options.strict {
        for diagnostic in &mut validation.diagnostics {
            if diagnostic.rule.is_compat() {
                diagnostic.severity = arazzo_model::Severity::Error;
            }
        }
    }
    validation
        .diagnostics
        .sort_by_key(|diagnostic| diagnostic.location.map(|at| (at.line, at.column)));
    (validation, Some(sources))
}

/// `unknown-input-ref` for each workflow whose inputs schema refers outside the document
/// (another file, an `$id`) and does not compile with those references followed.
fn input_ref_problems(file: &SourceFile, url: &url::Url) -> Vec<arazzo_model::Diagnostic> {
    let Some(workflows) = file.value()["workflows"].as_array() else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    for (index, workflow) in workflows.iter().enumerate() {
        let Some(inputs) = workflow.get("inputs") else {
            continue;
        };
        if !refers_outside(inputs) {
            continue;
        }
        if let Err(message) = crate::InputSchema::compile_at(file.value(), index, Some(url)) {
            let pointer = format!("/workflows/{index}/inputs");
            problems.push(arazzo_model::Diagnostic {
                rule: arazzo_model::Rule::UnknownInputRef,
                severity: arazzo_model::Severity::Error,
                location: file.locate(&pointer),
                pointer,
                message: format!("the inputs schema does not resolve: {message}"),
                help: Some("refer to a file beside the document (`./schemas.json#/$defs/x`) or to `#/components/inputs/<name>`".to_string()),
                fix: None,
            });
        }
    }
    problems
}

/// Whether a `$ref` in `schema` points outside the document (not `#…`).
fn refers_outside(schema: &serde_json::Value) -> bool {
    match schema {
        serde_json::Value::Object(members) => members.iter().any(|(key, member)| {
            (key == "$ref"
                && member
                    .as_str()
                    .is_some_and(|target| !target.starts_with('#')))
                || refers_outside(member)
        }),
        serde_json::Value::Array(items) => items.iter().any(refers_outside),
        _ => false,
    }
}

impl Plan {
    /// Reads, validates and plans the Arazzo document at `path`, loading its sources.
    ///
    /// # Errors
    /// See [`PrepareError`].
    pub async fn load(
        path: impl AsRef<Path>,
        options: &SourceOptions,
    ) -> Result<Plan, PrepareError> {
        let file = SourceFile::read(path.as_ref())?;
        Plan::from_file(&file, options).await
    }

    /// Validates and plans an already read document, loading its sources (relative source
    /// URLs resolve against the file's path).
    ///
    /// # Errors
    /// See [`PrepareError`].
    pub async fn from_file(
        file: &SourceFile,
        options: &SourceOptions,
    ) -> Result<Plan, PrepareError> {
        let (mut validation, sources) = validate_with_sources(file, options).await;
        let document = match validation.document.take() {
            Some(document) if validation.is_valid() => document,
            document => {
                validation.document = document;
                return Err(PrepareError::Invalid(Box::new(validation)));
            }
        };
        // The sources validation loaded (each document parsed once); none only when the file's
        // path gives no URL to resolve them against.
        let sources = match sources {
            Some(sources) => sources.complete(options)?,
            None => {
                let url = arazzo_sources::document_url(file.name())?;
                Sources::load(&document, &url, options).await?
            }
        };
        let mut plan = Plan::new(document, file.value(), sources)?;
        plan.warnings = validation.diagnostics;
        Ok(plan)
    }
}
