//! The rules the JSON Schema cannot express, run on the typed model.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{Finding, ValidateOptions, did_you_mean};
use crate::error::Rule;
use crate::reusable::Component;
use crate::{
    Document, FailureAction, FailureActionType, MessageAction, OrReusable, OutputValue, Parameter,
    ParameterIn, SourceType, SpecVersion, Step, StepKind, StepTarget, SuccessAction,
    SuccessActionType, Workflow,
};

/// Runs every rule on `document`, whose JSON value is `value`.
pub(super) fn check(
    document: &Document,
    value: &Value,
    version: SpecVersion,
    options: &ValidateOptions,
    findings: &mut Vec<Finding>,
) {
    let mut rules = Rules {
        document,
        value,
        version,
        options,
        findings,
    };
    rules.self_uri();
    rules.unique_names();
    rules.components();
    for (index, workflow) in document.workflows.iter().enumerate() {
        rules.workflow(&format!("/workflows/{index}"), workflow);
    }
    rules.depends_on_cycles();
    rules.workflow_recursion();
}

struct Rules<'a> {
    document: &'a Document,
    value: &'a Value,
    version: SpecVersion,
    options: &'a ValidateOptions,
    findings: &'a mut Vec<Finding>,
}

/// What a step calls, as far as the document alone tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Calls {
    OpenApi,
    AsyncApi,
    Workflow,
    Unknown,
}

impl From<StepKind> for Calls {
    fn from(kind: StepKind) -> Calls {
        match kind {
            StepKind::OpenApi => Calls::OpenApi,
            StepKind::AsyncApi => Calls::AsyncApi,
            StepKind::Workflow => Calls::Workflow,
        }
    }
}

/// The rules that depend on what a step calls, with `kind` found by resolving the step, when
/// the document alone could not tell it (see [`crate::step_kind_rules`]).
pub(super) fn step_kind(
    document: &Document,
    workflow: usize,
    step: usize,
    kind: StepKind,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let (Some(version), Some(found)) = (
        document.spec_version(),
        document
            .workflows
            .get(workflow)
            .and_then(|w| w.steps.get(step)),
    ) else {
        return findings;
    };
    let options = ValidateOptions::default();
    let mut rules = Rules {
        document,
        value: &Value::Null,
        version,
        options: &options,
        findings: &mut findings,
    };
    if version >= SpecVersion::V1_1 && rules.calls(found) == Calls::Unknown {
        let pointer = format!("/workflows/{workflow}/steps/{step}");
        rules.kind_fields(&pointer, found, kind.into());
        rules.refused_locations(
            &format!("{pointer}/parameters"),
            &found.parameters,
            kind.into(),
        );
    }
    findings
}

/// The source name of a `$sourceDescriptions.<name>.<rest>` reference, and the rest.
fn source_reference(text: &str) -> Option<(&str, &str)> {
    text.strip_prefix("$sourceDescriptions.")?.split_once('.')
}

/// The parameters of `list` that have an `in`, with their index (references resolved).
fn located<'a>(
    document: &'a Document,
    list: &'a [OrReusable<Parameter>],
) -> impl Iterator<Item = (usize, Parameter, ParameterIn)> {
    let components = document.components.as_ref();
    list.iter().enumerate().filter_map(move |(index, item)| {
        let parameter = item.resolve(components)?;
        let location = parameter.location?;
        Some((index, parameter, location))
    })
}

fn id_is_conventional(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
}

fn output_key_is_valid(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '_'))
}

impl Rules<'_> {
    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// `$self` is "a URI-reference as defined by RFC3986 Section 4.1" that "MUST NOT contain a
    /// fragment identifier" (the schema's `^[^#]*$`: an empty fragment too).
    fn self_uri(&mut self) {
        let Some(uri) = &self.document.self_uri else {
            return;
        };
        let base = url::Url::parse("https://base.invalid/").expect("a valid URL");
        let message = if let Some((before, _)) = uri.split_once('#') {
            Some((
                format!("`$self` `{uri}` has a fragment"),
                format!("drop the fragment: `{before}`"),
            ))
        } else if uri.is_empty()
            || uri.chars().any(|c| c.is_whitespace() || c.is_control())
            || base.join(uri).is_err()
        {
            Some((
                format!("`$self` `{uri}` is not a URI-reference"),
                "e.g. `https://example.com/workflows/orders.arazzo.yaml`".to_string(),
            ))
        } else {
            None
        };
        if let Some((message, help)) = message {
            self.push(Finding::error(Rule::SelfUri, "/$self", message).help(help));
        }
    }

    fn unique_names(&mut self) {
        let mut seen = HashSet::new();
        for (index, source) in self.document.source_descriptions.iter().enumerate() {
            if !seen.insert(source.name.as_str()) {
                self.push(Finding::error(
                    Rule::DuplicateSourceName,
                    format!("/sourceDescriptions/{index}/name"),
                    format!("source description name `{}` is used twice", source.name),
                ));
            }
        }
        let mut seen = HashSet::new();
        for (index, workflow) in self.document.workflows.iter().enumerate() {
            let pointer = format!("/workflows/{index}/workflowId");
            let id = workflow.workflow_id.as_str();
            if !seen.insert(id) {
                self.push(Finding::error(
                    Rule::DuplicateWorkflowId,
                    pointer.clone(),
                    format!("workflowId `{id}` is used twice"),
                ));
            }
            if !id_is_conventional(id) {
                self.push(Finding::warning(
                    Rule::IdPattern,
                    pointer,
                    format!("workflowId `{id}` should match `[A-Za-z0-9_\\-]+`"),
                ));
            }
        }
    }

    fn components(&mut self) {
        let Some(components) = &self.document.components else {
            return;
        };
        for (key, schema) in &components.inputs {
            let pointer = format!("/components/inputs/{}", crate::escape_pointer_token(key));
            self.input_refs(&pointer, schema);
        }
        for (key, action) in &components.success_actions {
            let pointer = format!(
                "/components/successActions/{}",
                crate::escape_pointer_token(key)
            );
            self.success_action_shape(&pointer, action);
        }
        for (key, action) in &components.failure_actions {
            let pointer = format!(
                "/components/failureActions/{}",
                crate::escape_pointer_token(key)
            );
            self.failure_action_shape(&pointer, action);
        }
    }

    fn workflow(&mut self, pointer: &str, workflow: &Workflow) {
        let holders = std::iter::once((pointer.to_string(), &workflow.extensions)).chain(
            workflow
                .steps
                .iter()
                .enumerate()
                .map(|(index, step)| (format!("{pointer}/steps/{index}"), &step.extensions)),
        );
        for (at, extensions) in holders {
            if extensions.x.contains_key("x-security") {
                self.push(
                    Finding::warning(
                        Rule::CompatXSecurity,
                        format!("{at}/x-security"),
                        "`x-security` applied as the credentials of its steps (Redocly Respect's extension)",
                    )
                    .help("declare the schemes in the OpenAPI description and pass `ARAZZO_AUTH_<SCHEME>`, or set the header as a parameter"),
                );
            }
        }
        if let Some(inputs) = &workflow.inputs {
            self.input_refs(&format!("{pointer}/inputs"), inputs);
            let names = crate::environment_inputs(inputs);
            if !names.is_empty() {
                self.push(
                    Finding::warning(
                        Rule::CompatInputsEnv,
                        format!("{pointer}/inputs/properties/env"),
                        format!(
                            "input `env` not given is read from the environment variables {} (Redocly Respect's `$inputs.env`)",
                            names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .help("declare them as inputs and pass `ARAZZO_INPUT_<name>` or `--input`"),
                );
            }
        }
        self.outputs(pointer, &workflow.outputs);
        for (index, dependency) in workflow.depends_on.iter().enumerate() {
            self.workflow_reference(&format!("{pointer}/dependsOn/{index}"), dependency);
        }
        let has_operation_step = workflow
            .steps
            .iter()
            .any(|step| !matches!(step.target(), Some(StepTarget::WorkflowId(_)) | None));
        self.parameters(
            &format!("{pointer}/parameters"),
            &workflow.parameters,
            has_operation_step,
        );
        self.actions(
            pointer,
            workflow,
            "successActions",
            &workflow.success_actions,
            Self::success_action,
        );
        self.actions(
            pointer,
            workflow,
            "failureActions",
            &workflow.failure_actions,
            Self::failure_action,
        );

        let mut seen = HashSet::new();
        for (index, step) in workflow.steps.iter().enumerate() {
            let step_pointer = format!("{pointer}/steps/{index}");
            if !seen.insert(step.step_id.as_str()) {
                self.push(Finding::error(
                    Rule::DuplicateStepId,
                    format!("{step_pointer}/stepId"),
                    format!(
                        "stepId `{}` is used twice in workflow `{}`",
                        step.step_id, workflow.workflow_id
                    ),
                ));
            }
            if !id_is_conventional(&step.step_id) {
                self.push(Finding::warning(
                    Rule::IdPattern,
                    format!("{step_pointer}/stepId"),
                    format!("stepId `{}` should match `[A-Za-z0-9_\\-]+`", step.step_id),
                ));
            }
            self.step(&step_pointer, workflow, step);
        }
    }

    fn step(&mut self, pointer: &str, workflow: &Workflow, step: &Step) {
        match step.target() {
            Some(StepTarget::OperationId(id)) => {
                self.operation_id(&format!("{pointer}/operationId"), id);
            }
            Some(StepTarget::OperationPath(path)) => {
                self.operation_path(&format!("{pointer}/operationPath"), path);
            }
            Some(StepTarget::ChannelPath(path)) => {
                self.channel_path(&format!("{pointer}/channelPath"), path);
            }
            Some(StepTarget::WorkflowId(id)) => {
                self.workflow_reference(&format!("{pointer}/workflowId"), id);
            }
            None => {
                let given: Vec<&str> = [
                    ("operationId", step.operation_id.is_some()),
                    ("operationPath", step.operation_path.is_some()),
                    ("channelPath", step.channel_path.is_some()),
                    ("workflowId", step.workflow_id.is_some()),
                ]
                .into_iter()
                .filter_map(|(name, present)| present.then_some(name))
                .collect();
                let message = match given.as_slice() {
                    [] => format!("step `{}` names nothing to call", step.step_id),
                    several => format!(
                        "step `{}` has {}: they exclude each other",
                        step.step_id,
                        several.join(" and ")
                    ),
                };
                let help = match self.version {
                    SpecVersion::V1_0 => {
                        "give exactly one of `operationId`, `operationPath` or `workflowId`"
                    }
                    _ => {
                        "give exactly one of `operationId`, `operationPath`, `channelPath` or `workflowId`"
                    }
                };
                self.push(Finding::error(Rule::StepTarget, pointer, message).help(help));
            }
        }
        let calls = self.calls(step);
        if self.version >= SpecVersion::V1_1 {
            self.step_fields(pointer, step, calls);
            self.step_depends_on(pointer, workflow, step);
        }
        let calls_operation = !matches!(step.target(), Some(StepTarget::WorkflowId(_)));
        self.parameters(
            &format!("{pointer}/parameters"),
            &step.parameters,
            calls_operation,
        );
        if self.version >= SpecVersion::V1_1 {
            self.parameter_locations(&format!("{pointer}/parameters"), &step.parameters, calls);
        }
        self.outputs(pointer, &step.outputs);
        self.actions(
            pointer,
            workflow,
            "onSuccess",
            &step.on_success,
            Self::success_action,
        );
        self.actions(
            pointer,
            workflow,
            "onFailure",
            &step.on_failure,
            Self::failure_action,
        );
    }

    /// Checks a parameter list: references resolve, no duplicates, `in` where required.
    fn parameters(&mut self, pointer: &str, list: &[OrReusable<Parameter>], needs_in: bool) {
        let mut seen: HashMap<(String, Option<&'static str>), usize> = HashMap::new();
        for (index, item) in list.iter().enumerate() {
            let item_pointer = format!("{pointer}/{index}");
            let Some(parameter) = self.resolve(&item_pointer, item) else {
                continue;
            };
            let location = parameter.location.map(|location| location.as_str());
            if location.is_none() && needs_in {
                self.push(
                    Finding::error(
                        Rule::ParameterInMissing,
                        item_pointer.clone(),
                        format!(
                            "parameter `{}` has no `in`, which an operation step needs",
                            parameter.name
                        ),
                    )
                    .help("add `in: path`, `query`, `header` or `cookie`"),
                );
            }
            // Header names are case-insensitive in HTTP: `X-Api-Key` and `x-api-key` collide.
            let name = match location {
                Some("header") => parameter.name.to_ascii_lowercase(),
                _ => parameter.name.clone(),
            };
            if let Some(first) = seen.insert((name, location), index) {
                self.push(Finding::error(
                    Rule::DuplicateParameter,
                    item_pointer,
                    format!(
                        "parameter `{}`{} is already given at {pointer}/{first}",
                        parameter.name,
                        location
                            .map(|location| format!(" in {location}"))
                            .unwrap_or_default()
                    ),
                ));
            }
        }
    }

    /// Checks an action list: references resolve, names are unique, targets exist.
    fn actions<T: Component + Named>(
        &mut self,
        pointer: &str,
        workflow: &Workflow,
        field: &str,
        list: &[OrReusable<T>],
        check: fn(&mut Self, &str, &Workflow, &T),
    ) {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (index, item) in list.iter().enumerate() {
            let item_pointer = format!("{pointer}/{field}/{index}");
            let Some(action) = self.resolve(&item_pointer, item) else {
                continue;
            };
            if let Some(first) = seen.insert(action.name().to_string(), index) {
                self.push(Finding::error(
                    Rule::DuplicateAction,
                    item_pointer.clone(),
                    format!(
                        "action `{}` is already given at {pointer}/{field}/{first}",
                        action.name()
                    ),
                ));
            }
            check(self, &item_pointer, workflow, &action);
        }
    }

    fn success_action(&mut self, pointer: &str, workflow: &Workflow, action: &SuccessAction) {
        self.success_action_shape(pointer, action);
        let ends = action.action_type == SuccessActionType::End;
        self.action_parameters(
            pointer,
            action.workflow_id.is_some(),
            ends,
            &action.parameters,
        );
        self.action_targets(
            pointer,
            workflow,
            action.step_id.as_deref(),
            action.workflow_id.as_deref(),
        );
    }

    fn failure_action(&mut self, pointer: &str, workflow: &Workflow, action: &FailureAction) {
        self.failure_action_shape(pointer, action);
        let ends = action.action_type == FailureActionType::End;
        self.action_parameters(
            pointer,
            action.workflow_id.is_some(),
            ends,
            &action.parameters,
        );
        self.action_targets(
            pointer,
            workflow,
            action.step_id.as_deref(),
            action.workflow_id.as_deref(),
        );
    }

    fn success_action_shape(&mut self, pointer: &str, action: &SuccessAction) {
        let goto = action.action_type == SuccessActionType::Goto;
        self.action_shape(
            pointer,
            &action.name,
            goto,
            action.step_id.is_some(),
            action.workflow_id.is_some(),
        );
    }

    fn failure_action_shape(&mut self, pointer: &str, action: &FailureAction) {
        let goto = action.action_type == FailureActionType::Goto;
        self.action_shape(
            pointer,
            &action.name,
            goto,
            action.step_id.is_some(),
            action.workflow_id.is_some(),
        );
        if action.action_type != FailureActionType::Retry
            && (action.retry_after.is_some() || action.retry_limit.is_some())
        {
            self.push(Finding::warning(
                Rule::ActionTarget,
                pointer,
                format!(
                    "action `{}` is not a `retry`: its `retryAfter`/`retryLimit` are ignored",
                    action.name
                ),
            ));
        }
    }

    /// Action `parameters` (Arazzo 1.1) are the inputs of the `workflowId` target: they need
    /// one, take no `in`, and an `end` action, which runs nothing, ignores them (D25).
    fn action_parameters(
        &mut self,
        pointer: &str,
        to_workflow: bool,
        ends: bool,
        list: &[OrReusable<Parameter>],
    ) {
        if list.is_empty() {
            return;
        }
        let at = format!("{pointer}/parameters");
        if !to_workflow {
            self.push(
                Finding::error(
                    Rule::ActionParameters,
                    at.clone(),
                    "action `parameters` are the inputs of a `workflowId` target, and this action has none",
                )
                .help("add a `workflowId`, or remove `parameters`"),
            );
        } else if ends {
            self.push(Finding::warning(
                Rule::ActionParameters,
                at.clone(),
                "an `end` action runs no workflow: its `parameters` are ignored",
            ));
        }
        for (index, item) in list.iter().enumerate() {
            if let OrReusable::Object(parameter) = item
                && let Some(location) = parameter.location
            {
                self.push(
                    Finding::error(
                        Rule::ActionParameters,
                        format!("{at}/{index}/in"),
                        format!(
                            "action parameter `{}` has `in: {}`: an action's parameters are workflow inputs, which take no `in`",
                            parameter.name,
                            location.as_str()
                        ),
                    )
                    .at_key()
                    .help("remove `in`"),
                );
            }
        }
        self.parameters(&at, list, false);
    }

    fn action_shape(&mut self, pointer: &str, name: &str, goto: bool, step: bool, workflow: bool) {
        if step && workflow {
            self.push(Finding::error(
                Rule::ActionTarget,
                pointer,
                format!(
                    "action `{name}` has both `stepId` and `workflowId`: they exclude each other"
                ),
            ));
        } else if goto && !step && !workflow {
            self.push(
                Finding::error(
                    Rule::ActionTarget,
                    pointer,
                    format!("`goto` action `{name}` has no target"),
                )
                .help("add a `stepId` or a `workflowId`"),
            );
        }
    }

    /// `stepId` targets are steps of the current workflow; `workflowId` targets exist.
    fn action_targets(
        &mut self,
        pointer: &str,
        workflow: &Workflow,
        step: Option<&str>,
        target: Option<&str>,
    ) {
        if let Some(step_id) = step
            && workflow.step(step_id).is_none()
        {
            let steps = workflow.steps.iter().map(|step| step.step_id.as_str());
            self.push(
                Finding::error(
                    Rule::UnknownStep,
                    format!("{pointer}/stepId"),
                    format!(
                        "`{step_id}` is not a step of workflow `{}`",
                        workflow.workflow_id
                    ),
                )
                .maybe_help(did_you_mean(step_id, steps)),
            );
        }
        if let Some(workflow_id) = target {
            self.workflow_reference(&format!("{pointer}/workflowId"), workflow_id);
        }
    }

    /// A Reusable Object resolved to its component, reporting what does not resolve.
    fn resolve<T: Component>(&mut self, pointer: &str, item: &OrReusable<T>) -> Option<T> {
        let OrReusable::Reusable(reusable) = item else {
            return item.resolve(None);
        };
        for field in reusable.ignored.keys() {
            self.push(
                Finding::warning(
                    Rule::ReusableExtraField,
                    format!("{pointer}/{}", crate::escape_pointer_token(field)),
                    format!("field `{field}` of a Reusable Object is ignored"),
                )
                .at_key(),
            );
        }
        if reusable.value.is_some() && T::SECTION != "parameters" {
            self.push(Finding::warning(
                Rule::ReusableValue,
                format!("{pointer}/value"),
                "`value` applies only to references to parameters; it is ignored here",
            ));
        }
        let resolved = item.resolve(self.document.components.as_ref());
        if resolved.is_none() {
            let section = T::SECTION;
            let references: Vec<String> = self
                .component_keys(section)
                .iter()
                .map(|key| format!("$components.{section}.{key}"))
                .collect();
            let help = match reusable.key_in(section) {
                Some(_) => did_you_mean(&reusable.reference, references.iter().map(String::as_str)),
                None => Some(format!(
                    "a reference here has the form `$components.{section}.<key>`"
                )),
            };
            self.push(
                Finding::error(
                    Rule::UnknownComponent,
                    format!("{pointer}/reference"),
                    format!(
                        "`{}` does not name a component in `components.{section}`",
                        reusable.reference
                    ),
                )
                .maybe_help(help),
            );
        }
        resolved
    }

    fn component_keys(&self, section: &str) -> Vec<String> {
        let Some(components) = &self.document.components else {
            return Vec::new();
        };
        match section {
            "parameters" => components.parameters.keys().cloned().collect(),
            "successActions" => components.success_actions.keys().cloned().collect(),
            _ => components.failure_actions.keys().cloned().collect(),
        }
    }

    fn outputs(&mut self, pointer: &str, outputs: &indexmap::IndexMap<String, OutputValue>) {
        for key in outputs.keys() {
            if !output_key_is_valid(key) {
                self.push(
                    Finding::error(
                        Rule::OutputKey,
                        format!("{pointer}/outputs/{}", crate::escape_pointer_token(key)),
                        format!("output name `{key}` does not match `^[a-zA-Z0-9.\\-_]+$`"),
                    )
                    .at_key(),
                );
            }
        }
    }

    /// A bare operationId is ambiguous with several OpenAPI sources; a qualified one names a
    /// source that exists.
    fn operation_id(&mut self, pointer: &str, id: &str) {
        if id.starts_with("$sourceDescriptions.") {
            self.source_name(pointer, id);
            return;
        }
        let openapi: Vec<&str> = self
            .document
            .source_descriptions
            .iter()
            .filter(|source| source.source_type != Some(SourceType::Arazzo))
            .map(|source| source.name.as_str())
            .collect();
        // A warning: the spec says MUST qualify, but real documents (Amberflo's among them)
        // rely on ids being unique across sources, which can only be told once the sources are
        // loaded; `arazzo-exec` reports a bare id found in several sources as an error.
        if openapi.len() > 1 && !self.options.operation_ids_resolved {
            self.push(
                Finding::warning(
                    Rule::AmbiguousOperationId,
                    pointer,
                    format!(
                        "bare operationId `{id}` while several OpenAPI sources are defined ({})",
                        openapi.join(", ")
                    ),
                )
                .help(format!(
                    "qualify it, e.g. `$sourceDescriptions.{}.{id}`",
                    openapi[0]
                )),
            );
        }
    }

    /// `operationPath` is `{$sourceDescriptions.<name>.url}#<JSON pointer>`.
    fn operation_path(&mut self, pointer: &str, path: &str) {
        let reference = path
            .strip_prefix('{')
            .and_then(|rest| rest.split_once('}'))
            .filter(|(_, fragment)| fragment.starts_with('#'))
            .map(|(reference, _)| reference);
        match reference {
            Some(reference) if reference.ends_with(".url") => self.source_name(pointer, reference),
            _ => self.push(
                Finding::error(
                    Rule::Schema,
                    pointer,
                    format!("operationPath `{path}` does not have the form `{{$sourceDescriptions.<name>.url}}#<JSON pointer>`"),
                )
                .help("e.g. '{$sourceDescriptions.petStore.url}#/paths/~1pets/get'"),
            ),
        }
    }

    /// `channelPath` is `{$sourceDescriptions.<name>.url}#/channels/<key>`, of a source that is
    /// not declared as another type than `asyncapi`.
    fn channel_path(&mut self, pointer: &str, path: &str) {
        let parts = path
            .strip_prefix('{')
            .and_then(|rest| rest.split_once('}'))
            .and_then(|(reference, fragment)| {
                let channel = fragment.strip_prefix("#/channels/")?;
                let name = reference
                    .strip_prefix("$sourceDescriptions.")?
                    .strip_suffix(".url")?;
                (!channel.is_empty() && !channel.contains('/')).then_some((reference, name))
            });
        let Some((reference, name)) = parts else {
            self.push(
                Finding::error(
                    Rule::ChannelPath,
                    pointer,
                    format!("channelPath `{path}` does not have the form `{{$sourceDescriptions.<name>.url}}#/channels/<key>`"),
                )
                .help(format!(
                    "e.g. '{{$sourceDescriptions.{}.url}}#/channels/{}'",
                    self.asyncapi_sources().first().copied().unwrap_or("events"),
                    path.rsplit('/').next().filter(|key| !key.is_empty() && !key.contains(['{', '}', '$'])).unwrap_or("orders")
                )),
            );
            return;
        };
        self.source_name(pointer, reference);
        if let Some(source) = self.document.source(name)
            && let Some(kind) = source.source_type
            && kind != SourceType::Asyncapi
        {
            self.push(Finding::error(
                Rule::ChannelPath,
                pointer,
                format!("channelPath names source `{name}`, which is not an AsyncAPI description"),
            ));
        }
    }

    fn asyncapi_sources(&self) -> Vec<&str> {
        self.document
            .source_descriptions
            .iter()
            .filter(|source| source.source_type == Some(SourceType::Asyncapi))
            .map(|source| source.name.as_str())
            .collect()
    }

    /// What a step calls, as far as the document tells: a source without `type` is only
    /// known once it is loaded (the sources' own check finishes the step-kind rules then).
    fn calls(&self, step: &Step) -> Calls {
        let by_type = |kind: Option<SourceType>| match kind {
            Some(SourceType::Openapi) => Calls::OpenApi,
            Some(SourceType::Asyncapi) => Calls::AsyncApi,
            _ => Calls::Unknown,
        };
        match step.target() {
            Some(StepTarget::WorkflowId(_)) => Calls::Workflow,
            Some(StepTarget::ChannelPath(_)) => Calls::AsyncApi,
            Some(StepTarget::OperationPath(_)) => Calls::OpenApi,
            Some(StepTarget::OperationId(id)) => match source_reference(id) {
                Some((name, _)) => by_type(self.document.source(name).and_then(|s| s.source_type)),
                None => {
                    let mut kinds = self
                        .document
                        .source_descriptions
                        .iter()
                        .filter(|source| source.source_type != Some(SourceType::Arazzo))
                        .map(|source| by_type(source.source_type));
                    let first = kinds.next().unwrap_or(Calls::Unknown);
                    if kinds.all(|kind| kind == first) {
                        first
                    } else {
                        Calls::Unknown
                    }
                }
            },
            None => Calls::Unknown,
        }
    }

    /// `action`, `correlationId` and `timeout` fit what the step calls (decisions D3, D4, D8).
    fn step_fields(&mut self, pointer: &str, step: &Step, calls: Calls) {
        let id = &step.step_id;
        if calls == Calls::Workflow && step.request_body.is_some() {
            self.push(
                Finding::warning(
                    Rule::StepKind,
                    format!("{pointer}/requestBody"),
                    format!("step `{id}` calls a workflow, which takes no request body: its `requestBody` is ignored"),
                )
                .help("pass the values as `parameters` (the workflow's inputs)"),
            );
        }
        self.kind_fields(pointer, step, calls);
        if matches!(calls, Calls::OpenApi | Calls::Workflow) {
            return;
        }
        if step.correlation_id.is_some() && step.action != Some(MessageAction::Receive) {
            self.push(
                Finding::error(
                    Rule::StepKind,
                    format!("{pointer}/correlationId"),
                    format!("step `{id}` is not a `receive` step: `correlationId` filters received messages only"),
                )
                .help("remove `correlationId`, or make the step `action: receive`"),
            );
        }
        if step.action == Some(MessageAction::Receive) && step.timeout.is_none() {
            self.push(
                Finding::warning(
                    Rule::ReceiveTimeout,
                    pointer,
                    format!("receive step `{id}` has no `timeout`: it waits at most 30 s for its message"),
                )
                .help("add e.g. `timeout: 5000` (milliseconds)"),
            );
        }
    }

    /// The `action` and `correlationId` rules that need to know what the step calls: none on
    /// OpenAPI and workflow steps, `action` on AsyncAPI steps (decisions D3, D4).
    fn kind_fields(&mut self, pointer: &str, step: &Step, calls: Calls) {
        let id = &step.step_id;
        let what = match calls {
            Calls::Workflow => "calls a workflow",
            Calls::OpenApi => "calls an OpenAPI operation",
            Calls::AsyncApi => {
                // `action: invalid` is not in the model, and the schema reported it.
                let written = step.action.is_some()
                    || self.value.pointer(&format!("{pointer}/action")).is_some();
                if !written {
                    self.push(
                        Finding::error(
                            Rule::StepKind,
                            pointer,
                            format!("AsyncAPI step `{id}` has no `action`"),
                        )
                        .help("add `action: send` or `action: receive`"),
                    );
                }
                return;
            }
            Calls::Unknown => return,
        };
        for (field, present) in [
            ("action", step.action.is_some()),
            ("correlationId", step.correlation_id.is_some()),
        ] {
            if present {
                self.push(
                    Finding::error(
                        Rule::StepKind,
                        format!("{pointer}/{field}"),
                        format!("step `{id}` {what}: `{field}` applies only to AsyncAPI steps"),
                    )
                    .help(format!("remove `{field}`")),
                );
            }
        }
    }

    /// Step `dependsOn` entries: a stepId of an earlier step of this workflow,
    /// `$workflows.<id>.steps.<stepId>` or `$sourceDescriptions.<name>.<id>.steps.<stepId>`
    /// (decision D20: steps run in array order, so a dependency must come first).
    fn step_depends_on(&mut self, pointer: &str, workflow: &Workflow, step: &Step) {
        let position = |id: &str| workflow.steps.iter().position(|s| s.step_id == id);
        let here = position(&step.step_id);
        for (index, entry) in step.depends_on.iter().enumerate() {
            let at = format!("{pointer}/dependsOn/{index}");
            if let Some(rest) = entry.strip_prefix("$workflows.") {
                match rest.split_once(".steps.") {
                    Some((workflow_id, step_id))
                        if !workflow_id.contains('.') && !step_id.contains('.') =>
                    {
                        match self.document.workflow(workflow_id) {
                            None => self.workflow_reference(&at, workflow_id),
                            Some(other) if other.step(step_id).is_none() => {
                                let steps = other.steps.iter().map(|s| s.step_id.as_str());
                                self.push(
                                    Finding::error(
                                        Rule::UnknownStep,
                                        at,
                                        format!(
                                            "`{step_id}` is not a step of workflow `{workflow_id}`"
                                        ),
                                    )
                                    .maybe_help(did_you_mean(step_id, steps)),
                                );
                            }
                            Some(_) => {}
                        }
                    }
                    _ => self.depends_on_form(&at, entry),
                }
            } else if let Some(rest) = entry.strip_prefix("$sourceDescriptions.") {
                let parts: Vec<&str> = rest.split('.').collect();
                match parts.as_slice() {
                    [_, _, "steps", _] => self.source_name(&at, entry),
                    _ => self.depends_on_form(&at, entry),
                }
            } else if entry.starts_with('$') {
                self.depends_on_form(&at, entry);
            } else {
                match position(entry) {
                    None => {
                        let steps = workflow.steps.iter().map(|s| s.step_id.as_str());
                        self.push(
                            Finding::error(
                                Rule::UnknownStep,
                                at,
                                format!(
                                    "`{entry}` is not a step of workflow `{}`",
                                    workflow.workflow_id
                                ),
                            )
                            .maybe_help(did_you_mean(entry, steps)),
                        );
                    }
                    Some(there) if Some(there) >= here => {
                        let message = if Some(there) == here {
                            format!("step `{entry}` depends on itself")
                        } else {
                            format!(
                                "step `{}` depends on `{entry}`, which comes later in the steps",
                                step.step_id
                            )
                        };
                        self.push(
                            Finding::error(Rule::DependsOn, at, message)
                                .help("steps run in array order: move the dependency before it"),
                        );
                    }
                    Some(_) => {}
                }
            }
        }
    }

    fn depends_on_form(&mut self, pointer: &str, entry: &str) {
        self.push(
            Finding::error(
                Rule::DependsOn,
                pointer,
                format!("`{entry}` is not a step reference"),
            )
            .help("write a stepId of this workflow, `$workflows.<workflowId>.steps.<stepId>` or `$sourceDescriptions.<name>.<workflowId>.steps.<stepId>`"),
        );
    }

    /// Parameter locations the step can use (decision D11): AsyncAPI steps take `header` and
    /// `channel`, OpenAPI steps everything but `channel`; `querystring` replaces the query.
    fn parameter_locations(&mut self, pointer: &str, list: &[OrReusable<Parameter>], calls: Calls) {
        self.refused_locations(pointer, list, calls);
        let mut query = None;
        let mut querystring = None;
        for (index, _, location) in located(self.document, list) {
            let at = format!("{pointer}/{index}");
            match location {
                ParameterIn::Query => query = query.or(Some(index)),
                ParameterIn::Querystring if querystring.is_some() => {
                    self.push(Finding::error(
                        Rule::ParameterLocation,
                        at.clone(),
                        "a step has at most one `in: querystring` parameter: it is the whole query string",
                    ));
                }
                ParameterIn::Querystring => querystring = Some(index),
                _ => {}
            }
        }
        if let (Some(query), Some(querystring)) = (query, querystring) {
            self.push(
                Finding::error(
                    Rule::ParameterLocation,
                    format!("{pointer}/{query}"),
                    format!("`in: query` beside the `in: querystring` parameter at {pointer}/{querystring}: the query string is that parameter's whole value"),
                )
                .help("put the query parameter into the querystring value"),
            );
        }
    }

    /// The parameter locations the step cannot use, by what it calls.
    fn refused_locations(&mut self, pointer: &str, list: &[OrReusable<Parameter>], calls: Calls) {
        for (index, parameter, location) in located(self.document, list) {
            let at = format!("{pointer}/{index}");
            let refused = match (calls, location) {
                (Calls::AsyncApi, ParameterIn::Header | ParameterIn::Channel) => false,
                (Calls::AsyncApi, _) => true,
                (Calls::OpenApi, ParameterIn::Channel) => true,
                _ => false,
            };
            if refused {
                let kind = match calls {
                    Calls::AsyncApi => "an AsyncAPI step (it takes `header` and `channel`)",
                    _ => "an OpenAPI step",
                };
                self.push(Finding::error(
                    Rule::ParameterLocation,
                    format!("{at}/in"),
                    format!(
                        "parameter `{}` is `in: {}`, which {kind} cannot use",
                        parameter.name,
                        location.as_str()
                    ),
                ));
            }
        }
    }

    /// A bare workflowId names a workflow of this document; a qualified one names a source.
    fn workflow_reference(&mut self, pointer: &str, id: &str) {
        if id.starts_with("$sourceDescriptions.") {
            self.source_name(pointer, id);
        } else if self.document.workflow(id).is_none() {
            let ids = self
                .document
                .workflows
                .iter()
                .map(|workflow| workflow.workflow_id.as_str());
            self.push(
                Finding::error(
                    Rule::UnknownWorkflow,
                    pointer,
                    format!("`{id}` is not a workflow of this document"),
                )
                .maybe_help(did_you_mean(id, ids)),
            );
        }
    }

    /// The `<name>` of `$sourceDescriptions.<name>.…` names a source description.
    fn source_name(&mut self, pointer: &str, reference: &str) {
        let name = source_reference(reference)
            .map(|(name, _)| name)
            .unwrap_or_default();
        if self.document.source(name).is_none() {
            let names = self
                .document
                .source_descriptions
                .iter()
                .map(|source| source.name.as_str());
            self.push(
                Finding::error(
                    Rule::UnknownSource,
                    pointer,
                    format!("`{name}` is not a source description name"),
                )
                .maybe_help(did_you_mean(name, names)),
            );
        }
    }

    /// Every `$ref` inside an input schema points into this document (`#/…`) and resolves
    /// there: the engine compiles input schemas against the document alone, so a `$ref` to
    /// another file or a URL would pass here and be refused by `run`.
    fn input_refs(&mut self, pointer: &str, schema: &Value) {
        match schema {
            Value::Object(members) => {
                for (key, member) in members {
                    let member_pointer = format!("{pointer}/{}", crate::escape_pointer_token(key));
                    match (key.as_str(), member) {
                        ("$ref", Value::String(target)) => match target.strip_prefix('#') {
                            Some(fragment) => {
                                if crate::resolve_pointer(self.value, fragment).is_none() {
                                    self.push(Finding::error(
                                        Rule::UnknownInputRef,
                                        member_pointer,
                                        format!(
                                            "`$ref: {target}` does not resolve in this document"
                                        ),
                                    ));
                                }
                            }
                            // Another file or an `$id`: the caller resolves them.
                            None if self.options.input_refs_resolved => {}
                            None => self.push(
                                Finding::error(
                                    Rule::UnknownInputRef,
                                    member_pointer,
                                    format!(
                                        "`$ref: {target}` points outside this document: input schemas are resolved within the document only"
                                    ),
                                )
                                .help("copy the schema into `components.inputs` and refer to it as `#/components/inputs/<name>`"),
                            ),
                        },
                        _ => self.input_refs(&member_pointer, member),
                    }
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.input_refs(&format!("{pointer}/{index}"), item);
                }
            }
            _ => {}
        }
    }

    /// `dependsOn` among this document's workflows has no cycle.
    fn depends_on_cycles(&mut self) {
        let workflows = &self.document.workflows;
        let index_of: HashMap<&str, usize> = workflows
            .iter()
            .enumerate()
            .map(|(index, workflow)| (workflow.workflow_id.as_str(), index))
            .collect();
        // Depth-first search with colours; a back edge closes a cycle.
        #[derive(Clone, Copy, PartialEq)]
        enum Colour {
            White,
            Grey,
            Black,
        }
        let mut colour = vec![Colour::White; workflows.len()];
        let mut reported = HashSet::new();
        for start in 0..workflows.len() {
            if colour[start] != Colour::White {
                continue;
            }
            let mut stack = vec![(start, 0usize)];
            let mut path = vec![start];
            colour[start] = Colour::Grey;
            while let Some((node, next)) = stack.last_mut() {
                let node = *node;
                let dependencies = &workflows[node].depends_on;
                if *next == dependencies.len() {
                    colour[node] = Colour::Black;
                    stack.pop();
                    path.pop();
                    continue;
                }
                let edge = *next;
                *next += 1;
                let Some(&target) = index_of.get(dependencies[edge].as_str()) else {
                    continue;
                };
                match colour[target] {
                    Colour::White => {
                        colour[target] = Colour::Grey;
                        stack.push((target, 0));
                        path.push(target);
                    }
                    Colour::Grey => {
                        let from = path.iter().position(|&id| id == target).unwrap_or(0);
                        let mut names: Vec<&str> = path[from..]
                            .iter()
                            .map(|&id| workflows[id].workflow_id.as_str())
                            .collect();
                        names.push(&workflows[target].workflow_id);
                        if reported.insert(target) {
                            self.findings.push(Finding::error(
                                Rule::DependsOnCycle,
                                format!("/workflows/{node}/dependsOn/{edge}"),
                                format!("`dependsOn` forms a cycle: {}", names.join(" → ")),
                            ));
                        }
                    }
                    Colour::Black => {}
                }
            }
        }
    }
}

impl Rules<'_> {
    /// Workflow steps that lead back to their own workflow, whose run would never end. The
    /// calls are workflow steps and `dependsOn` (a dependency runs before the workflow); a
    /// `goto` to a workflow is a one-way jump that may loop (the engine's step budget stops
    /// it), and a `retry`'s workflow is left to the engine's depth limit. A cycle of
    /// `dependsOn` alone is `depends-on-cycle`'s.
    fn workflow_recursion(&mut self) {
        let workflows = &self.document.workflows;
        let index_of: HashMap<&str, usize> = workflows
            .iter()
            .enumerate()
            .map(|(index, workflow)| (workflow.workflow_id.as_str(), index))
            .collect();
        let called = |step: &Step| match step.target() {
            Some(StepTarget::WorkflowId(id)) => index_of.get(id).copied(),
            _ => None,
        };
        let calls: Vec<Vec<usize>> = workflows
            .iter()
            .map(|workflow| {
                let steps = workflow.steps.iter().filter_map(called);
                let dependencies = workflow
                    .depends_on
                    .iter()
                    .filter_map(|id| index_of.get(id.as_str()).copied());
                steps.chain(dependencies).collect()
            })
            .collect();
        for (index, workflow) in workflows.iter().enumerate() {
            for (step_index, step) in workflow.steps.iter().enumerate() {
                let Some(callee) = called(step) else {
                    continue;
                };
                let Some(path) = shortest_path(&calls, callee, index) else {
                    continue;
                };
                let names: Vec<&str> = std::iter::once(index)
                    .chain(path)
                    .map(|at| workflows[at].workflow_id.as_str())
                    .collect();
                self.push(Finding::error(
                    Rule::WorkflowRecursion,
                    format!("/workflows/{index}/steps/{step_index}/workflowId"),
                    format!(
                        "step `{}` makes workflow `{}` call itself: {}",
                        step.step_id,
                        workflow.workflow_id,
                        names.join(" → ")
                    ),
                ));
            }
        }
    }
}

/// The shortest path from `from` to `to` along `edges` (both ends included), if there is one.
fn shortest_path(edges: &[Vec<usize>], from: usize, to: usize) -> Option<Vec<usize>> {
    let mut previous: Vec<Option<usize>> = vec![None; edges.len()];
    let mut seen = vec![false; edges.len()];
    let mut queue = std::collections::VecDeque::from([from]);
    seen[from] = true;
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut path = vec![to];
            while let Some(before) = previous[*path.last()?] {
                path.push(before);
            }
            path.reverse();
            return Some(path);
        }
        for &next in &edges[node] {
            if !seen[next] {
                seen[next] = true;
                previous[next] = Some(node);
                queue.push_back(next);
            }
        }
    }
    None
}

/// An action's name, its identity when lists are merged.
trait Named {
    fn name(&self) -> &str;
}

impl Named for SuccessAction {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for FailureAction {
    fn name(&self) -> &str {
        &self.name
    }
}
