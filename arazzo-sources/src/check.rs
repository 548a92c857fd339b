//! `arazzo validate`'s checks that need the sources: every source loads, every step's
//! `operationId`/`operationPath`/`channelPath` resolves, and its fields fit what it calls.

use arazzo_model::{
    Diagnostic, Document, Edit, MessageAction, Rule, Severity, SourceFile, Step, StepTarget,
    Workflow,
};

use crate::asyncapi::MessageTarget;
use crate::error::{ResolveErrorKind, SourceErrorKind};
use crate::{Sources, StepCall};

/// A problem found by [`check_targets`].
#[derive(Debug, Clone, PartialEq)]
pub struct TargetProblem {
    /// The JSON pointer of the offending field, e.g. `/workflows/0/steps/2/operationId`.
    pub pointer: String,
    /// The rule broken.
    pub rule: Rule,
    /// Error, or warning for a remote source that was not fetched (its targets are unchecked).
    pub severity: Severity,
    /// What is wrong, lowercase, one line.
    pub message: String,
    /// A suggestion, e.g. "did you mean `Par`?".
    pub help: Option<String>,
    /// The spec form `arazzo fix` writes at the pointer (`compat-source-root`).
    pub fix: Option<Edit>,
}

impl TargetProblem {
    /// As a diagnostic of `file`, the document checked, with the location of its pointer.
    pub fn into_diagnostic(self, file: &SourceFile) -> Diagnostic {
        Diagnostic {
            location: file.locate(&self.pointer),
            rule: self.rule,
            severity: self.severity,
            pointer: self.pointer,
            message: self.message,
            help: self.help,
            fix: self.fix,
        }
    }
}

/// Checks that every source description of `document` loaded (`source-unavailable`), that
/// every step's `operationId`, `operationPath` or `channelPath` resolves (`unknown-operation`,
/// `ambiguous-operation-id`, `operation-path-target`, `channel-path`), and that the step's
/// fields fit what it calls where its source has no `type` ([`arazzo_model::step_kind_rules`]:
/// `step-kind`, `parameter-in`). A `receive` step's `correlationId` needs a message that
/// defines where its correlation id is (decision D9, `step-kind`). `sources` should come from
/// [`Sources::load_partial`], so that one unavailable source does not hide the other problems.
///
/// Not reported here, because `arazzo_model::validate` does: unknown source names, malformed
/// targets, and a `channelPath` into a source of another declared `type`. Steps needing a source that did not load are skipped (the source is
/// reported). Nested Arazzo documents are checked when they are validated themselves.
pub fn check_targets(document: &Document, sources: &Sources) -> Vec<TargetProblem> {
    let mut problems = Vec::new();
    for (index, source) in document.source_descriptions.iter().enumerate() {
        if let Some(found) = sources.relocated(&source.name) {
            problems.push(relocated(index, &source.url, found, sources.document_url()));
        }
        if sources.is_bare_server(&source.name) {
            // What `fix` writes: the description made from the steps, beside the document.
            let file = described_file_name(sources.document_url(), &source.name);
            let fix = sources
                .openapi(&source.name)
                .map(|openapi| Edit::ReplaceWithFile {
                    value: serde_json::Value::String(format!("./{file}")),
                    contents: serde_json::to_string_pretty(openapi.document()).unwrap_or_default()
                        + "\n",
                });
            problems.push(TargetProblem {
                pointer: format!("/sourceDescriptions/{index}/url"),
                rule: Rule::CompatBaseUrlSource,
                severity: Severity::Warning,
                message: format!(
                    "`{}` is a server, not an OpenAPI description: read its operations from the steps that call it (strefethen's arazzo-cli)",
                    source.url
                ),
                help: Some(format!(
                    "write `./{file}`, a description of the operations its steps call at that server (`arazzo fix` writes both), or the API's own description"
                )),
                fix,
            });
        }
        let Some(err) = sources.failure(&source.name) else {
            continue;
        };
        let remote = matches!(err.kind, SourceErrorKind::RemoteNotAllowed { .. });
        problems.push(TargetProblem {
            pointer: format!("/sourceDescriptions/{index}/url"),
            rule: Rule::SourceUnavailable,
            severity: if remote {
                Severity::Warning
            } else {
                Severity::Error
            },
            message: err.to_string(),
            help: remote.then(|| "pass --allow-remote to check the steps that use it".into()),
            fix: None,
        });
    }
    for (w, workflow) in document.workflows.iter().enumerate() {
        for (s, step) in workflow.steps.iter().enumerate() {
            let at = format!("/workflows/{w}/steps/{s}");
            let mut references: Vec<(String, &str)> = Vec::new();
            if let Some(StepTarget::WorkflowId(id)) = step.target() {
                references.push((format!("{at}/workflowId"), id));
            }
            for (list, actions) in [
                (
                    "onSuccess",
                    step.on_success
                        .iter()
                        .map(success_target)
                        .collect::<Vec<_>>(),
                ),
                (
                    "onFailure",
                    step.on_failure.iter().map(failure_target).collect(),
                ),
            ] {
                for (a, target) in actions.into_iter().enumerate() {
                    if let Some(id) = target {
                        references.push((format!("{at}/{list}/{a}/workflowId"), id));
                    }
                }
            }
            for (pointer, id) in references {
                problems.extend(workflow_in_source(pointer, id, sources));
            }
            let field = match step.target() {
                Some(StepTarget::OperationId(_)) => "operationId",
                Some(StepTarget::OperationPath(_)) => "operationPath",
                Some(StepTarget::ChannelPath(_)) => "channelPath",
                _ => continue,
            };
            let err = match sources.call(step) {
                Ok(call) => {
                    let kind_rules = arazzo_model::step_kind_rules(document, w, s, call.kind());
                    problems.extend(kind_rules.into_iter().map(TargetProblem::from));
                    if let StepCall::AsyncApi(target) = call {
                        problems.extend(uncorrelated(&at, workflow, s, target, sources));
                    }
                    continue;
                }
                Err(err) => err,
            };
            let rule = match err.kind {
                ResolveErrorKind::UnknownOperation { .. } | ResolveErrorKind::NotOpenApi { .. } => {
                    Rule::UnknownOperation
                }
                ResolveErrorKind::AmbiguousOperation { .. } => Rule::AmbiguousOperationId,
                ResolveErrorKind::PathItem { .. }
                | ResolveErrorKind::NotAnOperation { .. }
                | ResolveErrorKind::WrongSourceKind { .. }
                    if field == "operationPath" =>
                {
                    Rule::OperationPathTarget
                }
                ResolveErrorKind::WrongSourceKind { .. } if declares_type(document, step) => {
                    continue;
                }
                ResolveErrorKind::WrongSourceKind { .. }
                | ResolveErrorKind::UnknownChannel { .. } => Rule::ChannelPath,
                _ => continue,
            };
            problems.push(TargetProblem {
                pointer: format!("/workflows/{w}/steps/{s}/{field}"),
                rule,
                severity: Severity::Error,
                message: err.kind.to_string(),
                help: err.help,
                fix: None,
            });
        }
    }
    problems
}

impl From<Diagnostic> for TargetProblem {
    fn from(diagnostic: Diagnostic) -> TargetProblem {
        TargetProblem {
            pointer: diagnostic.pointer,
            rule: diagnostic.rule,
            severity: diagnostic.severity,
            message: diagnostic.message,
            help: diagnostic.help,
            fix: diagnostic.fix,
        }
    }
}

/// Whether the source a step's `channelPath` names declares its `type` (then the model
/// reported a `channelPath` into a source of another type).
fn declares_type(document: &Document, step: &Step) -> bool {
    let name = step
        .channel_path
        .as_deref()
        .and_then(|path| path.strip_prefix("{$sourceDescriptions."))
        .and_then(|rest| rest.split_once(".url}"))
        .map(|(name, _)| name);
    name.and_then(|name| document.source(name))
        .is_some_and(|source| source.source_type.is_some())
}

/// Decision D9: a `receive` step's `correlationId` where no message it may receive defines a
/// `correlationId` (nothing could match). Where it listens follows decision D5
/// ([`MessageTarget::listen`]), an earlier step of the workflow sending on the same operation
/// standing for "a step of the run sent on it".
fn uncorrelated(
    at: &str,
    workflow: &Workflow,
    index: usize,
    target: MessageTarget<'_>,
    sources: &Sources,
) -> Option<TargetProblem> {
    let step = &workflow.steps[index];
    if step.correlation_id.is_none() || step.action != Some(MessageAction::Receive) {
        return None;
    }
    let same_operation = |earlier: &Step| match (sources.call(earlier), target.operation) {
        (Ok(StepCall::AsyncApi(sent)), Some(operation)) => {
            sent.source.name() == target.source.name()
                && sent.operation.is_some_and(|sent| sent.key == operation.key)
        }
        _ => false,
    };
    let after_send = workflow.steps[..index]
        .iter()
        .any(|earlier| earlier.action == Some(MessageAction::Send) && same_operation(earlier));
    let listened = target.listen(after_send);
    if listened
        .messages
        .iter()
        .any(|message| message.correlation_id.is_some())
    {
        return None;
    }
    Some(TargetProblem {
        pointer: format!("{at}/correlationId"),
        rule: Rule::StepKind,
        severity: Severity::Error,
        message: format!(
            "step `{}` has a `correlationId`, but no message it receives on channel `{}` of source `{}` defines one: no message could match it",
            step.step_id,
            listened.channel.key,
            target.source.name()
        ),
        help: Some(
            "declare where the messages carry it (`correlationId: {location: $message.header#/…}`) in the AsyncAPI document, or remove the step's `correlationId`"
                .to_string(),
        ),
        fix: None,
    })
}

/// The file name `fix` gives the description of the bare-server source `name` of the
/// document at `document`: `<document>.<name>.openapi.json` (`flows.arazzo.yaml` and `api`:
/// `flows.api.openapi.json`; two documents of a folder may each describe a server of one
/// name), characters other than letters, digits, `-` and `_` as `_`.
fn described_file_name(document: &url::Url, name: &str) -> String {
    let safe = |text: &str| -> String {
        text.chars()
            .map(
                |c| match c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                    true => c,
                    false => '_',
                },
            )
            .collect()
    };
    let file = document
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    match stem.is_empty() {
        true => format!("{}.openapi.json", safe(name)),
        false => format!("{}.{}.openapi.json", safe(stem), safe(name)),
    }
}

/// `compat-source-root`: the source at `index` was found away from its document.
fn relocated(index: usize, written: &str, found: &url::Url, document: &url::Url) -> TargetProblem {
    // Relative to the document: the same wherever the command runs, and what to write.
    let beside = document
        .make_relative(found)
        .unwrap_or_else(|| found.to_string());
    TargetProblem {
        pointer: format!("/sourceDescriptions/{index}/url"),
        rule: Rule::CompatSourceRoot,
        severity: Severity::Warning,
        message: format!(
            "`{written}` is not beside the document: read `{beside}` (Jentic's catalogue writes source URLs relative to the repository root)"
        ),
        help: Some(format!(
            "write `{beside}`, relative to this document (`arazzo fix` does)"
        )),
        fix: Some(Edit::Replace(serde_json::Value::String(beside))),
    }
}

fn success_target(action: &arazzo_model::OrReusable<arazzo_model::SuccessAction>) -> Option<&str> {
    match action {
        arazzo_model::OrReusable::Object(action) => action.workflow_id.as_deref(),
        arazzo_model::OrReusable::Reusable(_) => None,
    }
}

fn failure_target(action: &arazzo_model::OrReusable<arazzo_model::FailureAction>) -> Option<&str> {
    match action {
        arazzo_model::OrReusable::Object(action) => action.workflow_id.as_deref(),
        arazzo_model::OrReusable::Reusable(_) => None,
    }
}

/// `unknown-workflow` when `$sourceDescriptions.<source>.<id>` names a loaded Arazzo source
/// that has no workflow `<id>` (a source that did not load, or that is no Arazzo document, is
/// reported on its own).
fn workflow_in_source(pointer: String, id: &str, sources: &Sources) -> Option<TargetProblem> {
    let (source, workflow_id) = id.strip_prefix("$sourceDescriptions.")?.split_once('.')?;
    let api = match (sources.openapi(source), sources.asyncapi(source)) {
        (Some(_), _) => Some("an OpenAPI"),
        (_, Some(_)) => Some("an AsyncAPI"),
        _ => None,
    };
    if let Some(api) = api {
        return Some(TargetProblem {
            pointer,
            rule: Rule::UnknownWorkflow,
            severity: Severity::Error,
            message: format!(
                "workflow `{id}`: `{source}` is {api} description, not an Arazzo document with workflows"
            ),
            help: Some(format!(
                "name a source of `type: arazzo`, or call an operation of `{source}` with `operationId`"
            )),
            fix: None,
        });
    }
    let nested = sources.arazzo(source)?;
    if nested.document.workflow(workflow_id).is_some() {
        return None;
    }
    let ids = nested
        .document
        .workflows
        .iter()
        .map(|w| w.workflow_id.as_str());
    Some(TargetProblem {
        pointer,
        rule: Rule::UnknownWorkflow,
        severity: Severity::Error,
        message: format!("`{workflow_id}` is not a workflow of source `{source}`"),
        help: crate::resolve::did_you_mean(workflow_id, ids),
        fix: None,
    })
}
