//! Validation: every problem of a document at once, each with a rule id, a JSON pointer and
//! a line:col.
//!
//! Two layers: the Arazzo JSON Schema (structure: types, required fields, enums, patterns,
//! unknown fields), then the rules the schema cannot express (uniqueness of ids, references
//! that must resolve, one target per step, `dependsOn` cycles…), which run on the typed model.

mod expressions;
mod rules;
mod schema;

use serde_json::{Value, json};

use crate::error::{Diagnostic, Rule, Severity};
use crate::{Document, SourceFile};

/// The outcome of [`validate`].
#[derive(Debug, Clone)]
pub struct Validation {
    /// The typed model, when the document fits it (even if other rules failed).
    pub document: Option<Document>,
    /// Every problem found, in document order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Validation {
    /// Whether no diagnostic is an error (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.errors().next().is_none()
    }

    /// The diagnostics that make the document invalid.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == Severity::Error)
    }
}

/// What [`validate_with`] leaves to its caller.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidateOptions {
    /// The caller resolves every bare `operationId` against the loaded OpenAPI sources (and
    /// reports one found in several), so the warning that such an id may be ambiguous, which
    /// the document alone cannot settle, is left out.
    pub operation_ids_resolved: bool,
    /// The caller resolves inputs-schema `$ref`s that do not point into the document (another
    /// file, an `$id`), so they are left to it; without it such a `$ref` is an error.
    pub input_refs_resolved: bool,
    /// `--strict`: constructs of other dialects (`compat-…`, see [`crate::Reading`]) are
    /// errors, not warnings.
    pub strict: bool,
}

/// Validates a parsed document, returning every problem at once.
pub fn validate(file: &SourceFile) -> Validation {
    validate_with(file, &ValidateOptions::default())
}

/// [`validate`], leaving out what `options` says the caller checks itself.
pub fn validate_with(file: &SourceFile, options: &ValidateOptions) -> Validation {
    let mut findings: Vec<Finding> = file
        .readings()
        .iter()
        .map(|reading| Finding::reading(reading, options.strict))
        .collect();
    let version = schema::version_of(file.value());
    schema::check(file.value(), version, &mut findings);
    let document = file.document().ok();
    // The rules run even when the schema found problems, on the part of the document that
    // fits the model, so that every problem is reported at once.
    if let Some(fitted) = document.clone().or_else(|| fit(file.value().clone())) {
        rules::check(&fitted, file.value(), version, options, &mut findings);
        expressions::check(&fitted, file.value(), version, &mut findings);
    }
    let mut diagnostics: Vec<Diagnostic> = findings
        .into_iter()
        .map(|finding| finding.into_diagnostic(file))
        .collect();
    diagnostics.dedup_by(|a, b| a.pointer == b.pointer && a.message == b.message);
    diagnostics.sort_by_key(|diagnostic| diagnostic.location.map(|l| (l.line, l.column)));
    Validation {
        document,
        diagnostics,
    }
}

/// The rules that depend on what step `step` of workflow `workflow` calls (`step-kind`,
/// `parameter-in`), with `kind` found by resolving it against the loaded sources, for a step
/// whose document alone cannot tell (its source has no `type`): [`validate`] leaves them out
/// then. Empty when the document tells the kind ([`validate`] checked them) and for Arazzo
/// 1.0 documents. The diagnostics have no location (`document` has none); their pointers are
/// the document's.
pub fn step_kind_rules(
    document: &Document,
    workflow: usize,
    step: usize,
    kind: crate::StepKind,
) -> Vec<Diagnostic> {
    rules::step_kind(document, workflow, step, kind)
        .into_iter()
        .map(|finding| Diagnostic {
            rule: finding.rule,
            severity: finding.severity,
            pointer: finding.pointer,
            location: None,
            message: finding.message,
            help: finding.help,
            fix: finding.fix,
        })
        .collect()
}

/// The typed model of the parts of `value` that fit it: each node that fails to deserialize
/// is removed (an object missing a required field goes whole), and a bad root field is
/// replaced by an empty placeholder. The schema has already reported all of them.
fn fit(mut value: Value) -> Option<Document> {
    for _ in 0..256 {
        let err = match serde_path_to_error::deserialize::<_, Document>(&value) {
            Ok(document) => return Some(document),
            Err(err) => err,
        };
        let pointer = crate::load::pointer_of(err.path());
        let (parent, token) = pointer.rsplit_once('/')?;
        if parent.is_empty() {
            let placeholder = match token {
                "arazzo" => json!(""),
                "info" => json!({"title": "", "version": ""}),
                "sourceDescriptions" | "workflows" => json!([]),
                _ => return None,
            };
            value[token] = placeholder;
            continue;
        }
        let token = arazzo_expr::pointer::unescape(token);
        match value.pointer_mut(parent)? {
            Value::Array(items) => {
                items.remove(token.parse::<usize>().ok()?);
            }
            Value::Object(members) => {
                members.shift_remove(&token)?;
            }
            _ => return None,
        }
    }
    None
}

/// A diagnostic before its location is looked up.
#[derive(Debug)]
pub(crate) struct Finding {
    rule: Rule,
    severity: Severity,
    pointer: String,
    message: String,
    help: Option<String>,
    at_key: bool,
    /// A byte offset inside the string value, for expressions.
    within: Option<usize>,
    fix: Option<crate::Edit>,
}

impl Finding {
    pub(crate) fn error(
        rule: Rule,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            severity: Severity::Error,
            pointer: pointer.into(),
            message: message.into(),
            help: None,
            at_key: false,
            within: None,
            fix: None,
        }
    }

    /// A construct of another dialect: a warning, or an error when `strict`.
    fn reading(reading: &crate::Reading, strict: bool) -> Self {
        Finding {
            severity: if strict {
                Severity::Error
            } else {
                Severity::Warning
            },
            help: Some(reading.help()),
            at_key: reading.edit == crate::Edit::Remove,
            fix: Some(reading.edit.clone()),
            ..Finding::error(reading.rule, &reading.pointer, reading.message())
        }
    }

    pub(crate) fn warning(
        rule: Rule,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(rule, pointer, message)
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Points at the member's key rather than its value (e.g. an unknown field).
    pub(crate) fn at_key(mut self) -> Self {
        self.at_key = true;
        self
    }

    /// Points at a byte offset inside the string value (e.g. a span of an expression).
    pub(crate) fn within(mut self, offset: usize) -> Self {
        self.within = Some(offset);
        self
    }

    fn into_diagnostic(self, file: &SourceFile) -> Diagnostic {
        let location = match (self.at_key, self.within) {
            (true, _) => file.locate_key(&self.pointer),
            (false, Some(offset)) => file.locate_within(&self.pointer, offset),
            (false, None) => file.locate(&self.pointer),
        };
        Diagnostic {
            rule: self.rule,
            severity: self.severity,
            pointer: self.pointer,
            location,
            message: self.message,
            help: self.help,
            fix: self.fix,
        }
    }
}

/// "did you mean `x`?" for the candidate closest to `name`, if one is close enough.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|candidate| *candidate != name)
        .map(|candidate| {
            let distance = strsim::levenshtein(&lower, &candidate.to_lowercase());
            (distance, candidate)
        })
        .filter(|(distance, candidate)| *distance <= (candidate.chars().count() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| format!("did you mean `{candidate}`?"))
}

/// What kind of Arazzo object a JSON pointer names, for messages ("step", "criterion"…).
pub(crate) fn object_kind(pointer: &str) -> String {
    match object_kind_name(pointer) {
        "" => format!("`{}`", pointer.rsplit('/').next().unwrap_or_default()),
        kind => kind.to_string(),
    }
}

fn object_kind_name(pointer: &str) -> &'static str {
    let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
    let is_index = |token: &&str| token.parse::<usize>().is_ok();
    let (last, parent) = match tokens.as_slice() {
        [] => return "the document",
        [.., parent, last] => (*last, Some(*parent)),
        [last] => (*last, None),
    };
    let (field, item) = match is_index(&last) {
        true => (parent.unwrap_or_default(), true),
        false => (last, false),
    };
    match (field, item) {
        ("sourceDescriptions", true) => "source description",
        ("workflows", true) => "workflow",
        ("steps", true) => "step",
        ("parameters", true) => "parameter",
        ("successCriteria" | "criteria", true) => "criterion",
        ("onSuccess" | "successActions", true) => "success action",
        ("onFailure" | "failureActions", true) => "failure action",
        ("replacements", true) => "payload replacement",
        ("dependsOn", true) => "`dependsOn` entry",
        ("info", false) => "info",
        ("components", false) => "components",
        ("requestBody", false) => "request body",
        ("type", false) => "criterion type",
        _ if parent == Some("parameters") && tokens.first() == Some(&"components") => "parameter",
        _ if parent == Some("successActions") => "success action",
        _ if parent == Some("failureActions") => "failure action",
        (_, false) => "",
        _ => "list item",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_close_and_case_only_differences() {
        assert_eq!(
            did_you_mean("sucessCriteria", ["successCriteria", "stepId"]).as_deref(),
            Some("did you mean `successCriteria`?")
        );
        assert_eq!(
            did_you_mean("PAR", ["Par", "Token"]).as_deref(),
            Some("did you mean `Par`?")
        );
        assert_eq!(did_you_mean("zzzzzz", ["successCriteria"]), None);
    }

    #[test]
    fn object_kind_names_objects_by_pointer() {
        assert_eq!(object_kind(""), "the document");
        assert_eq!(object_kind("/workflows/0/steps/2"), "step");
        assert_eq!(
            object_kind("/workflows/0/steps/2/successCriteria/0"),
            "criterion"
        );
        assert_eq!(object_kind("/components/parameters/page"), "parameter");
        assert_eq!(object_kind("/info"), "info");
    }

    #[test]
    fn step_kind_rules_finish_what_an_untyped_source_left_open() {
        let document = crate::from_yaml(
            "arazzo: 1.1.0\ninfo: {title: t, version: v}\nsourceDescriptions:\n  - {name: api, url: ./api.yaml}\nworkflows:\n  - workflowId: w\n    steps:\n      - stepId: a\n        operationId: ping\n        action: send\n        parameters: [{name: id, in: query, value: 1}]\n      - stepId: b\n        operationId: ping\n",
        )
        .unwrap();
        let found = |step, kind| -> Vec<String> {
            step_kind_rules(&document, 0, step, kind)
                .iter()
                .map(|d| format!("{} {} {}", d.rule, d.pointer, d.message))
                .collect()
        };
        assert_eq!(
            found(0, crate::StepKind::OpenApi),
            [
                "step-kind /workflows/0/steps/0/action step `a` calls an OpenAPI operation: `action` applies only to AsyncAPI steps"
            ]
        );
        assert_eq!(
            found(0, crate::StepKind::AsyncApi),
            [
                "parameter-in /workflows/0/steps/0/parameters/0/in parameter `id` is `in: query`, which an AsyncAPI step (it takes `header` and `channel`) cannot use"
            ]
        );
        assert_eq!(
            found(1, crate::StepKind::AsyncApi),
            ["step-kind /workflows/0/steps/1 AsyncAPI step `b` has no `action`"]
        );
        // A typed source: `validate` decided, so nothing is left.
        let typed = crate::from_yaml(
            "arazzo: 1.1.0\ninfo: {title: t, version: v}\nsourceDescriptions:\n  - {name: api, url: ./api.yaml, type: openapi}\nworkflows:\n  - workflowId: w\n    steps:\n      - {stepId: a, operationId: ping, action: send}\n",
        )
        .unwrap();
        assert!(step_kind_rules(&typed, 0, 0, crate::StepKind::OpenApi).is_empty());
        assert!(step_kind_rules(&typed, 3, 0, crate::StepKind::OpenApi).is_empty());
    }
}
