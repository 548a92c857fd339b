//! A document made runnable: targets resolved and every expression parsed, once, before the
//! first request.

use std::collections::HashSet;

use arazzo_expr::{Criterion, Expression, Mode};
use arazzo_model::{
    Component, Document, FailureAction, FailureActionType, OrReusable, OutputValue, Parameter,
    ParameterIn, Step, SuccessAction, SuccessActionType, Workflow,
};
use arazzo_sources::{Operation, RequiredScheme, SecurityScheme, Sources, StepCall};
use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::conformance::ResponseSpec;
use crate::error::PlanError;
use crate::inputs::{InputProblem, InputSchema};
use crate::value::ValueTree;

/// A document ready to run, with the Arazzo documents it uses as sources.
#[derive(Debug)]
pub struct Plan {
    pub(crate) document: Document,
    pub(crate) sources: Sources,
    pub(crate) workflows: Vec<WorkflowPlan>,
    /// The plans of the Arazzo documents among the sources, by source name.
    pub(crate) nested: IndexMap<String, Plan>,
    /// The warnings of the document's validation (set by [`Plan::from_file`]).
    pub(crate) warnings: Vec<arazzo_model::Diagnostic>,
}

/// One workflow, ready to run.
#[derive(Debug)]
pub struct WorkflowPlan {
    pub(crate) id: String,
    pub(crate) inputs: Option<InputSchema>,
    pub(crate) depends_on: Vec<WorkflowRef>,
    pub(crate) steps: Vec<StepPlan>,
    pub(crate) outputs: Vec<(String, Expression)>,
}

/// A workflow of this document (`source: None`) or of the Arazzo source `source`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct WorkflowRef {
    pub source: Option<String>,
    pub index: usize,
}

/// One step, ready to run.
#[derive(Debug)]
pub(crate) struct StepPlan {
    pub id: String,
    pub call: Call,
    pub parameters: Vec<ParameterPlan>,
    pub body: Option<BodyPlan>,
    pub criteria: Vec<CriterionPlan>,
    pub outputs: Vec<(String, Expression)>,
    /// Workflow-level and step-level success actions, merged by name.
    pub on_success: Vec<ActionPlan>,
    /// Workflow-level and step-level failure actions, merged by name.
    pub on_failure: Vec<ActionPlan>,
    /// The operation's security requirements, in order of preference.
    pub security: Vec<Vec<RequiredScheme>>,
    /// Redocly Respect's `x-security` of the workflow, then of the step: schemes with their
    /// values (`token`, `apiKey`, `username`/`password`, `accessToken`), applied before the
    /// operation's requirements; a later one wins where two set the same header.
    pub x_security: Vec<(SecurityScheme, ValueTree)>,
    /// What the operation declares of its responses (resolved and compiled when met).
    pub responses: Option<ResponseSpec>,
}

/// What a step calls.
#[derive(Debug)]
pub(crate) enum Call {
    Operation(Box<Operation>),
    Workflow(WorkflowRef),
}

#[derive(Debug)]
pub(crate) struct ParameterPlan {
    pub name: String,
    /// `None` for the inputs of a workflow step.
    pub location: Option<ParameterIn>,
    pub value: ValueTree,
}

#[derive(Debug)]
pub(crate) struct BodyPlan {
    pub content_type: Option<String>,
    pub payload: Option<ValueTree>,
    pub replacements: Vec<(String, ValueTree)>,
}

#[derive(Debug)]
pub(crate) struct CriterionPlan {
    pub condition: String,
    pub criterion: Criterion,
}

/// A success or failure action.
#[derive(Debug)]
pub(crate) struct ActionPlan {
    pub name: String,
    pub kind: ActionKind,
    pub criteria: Vec<CriterionPlan>,
}

#[derive(Debug, Clone)]
pub(crate) enum ActionKind {
    End,
    GotoStep(usize),
    GotoWorkflow(WorkflowRef),
    Retry {
        /// Seconds to wait (a `Retry-After` response header overrules it).
        after: Option<f64>,
        /// How many retries at most (absent in the document: one).
        limit: u64,
        /// A step or workflow run before each retry (call and return).
        first: Option<Target>,
    },
}

#[derive(Debug, Clone)]
pub(crate) enum Target {
    Step(usize),
    Workflow(WorkflowRef),
}

impl Plan {
    /// Plans every workflow of `document`. `document_value` is the document as JSON (input
    /// schemas may `$ref` into it); `sources` are its loaded source descriptions.
    ///
    /// # Errors
    /// The first step whose target does not resolve, expression that does not parse, or
    /// feature not supported.
    pub fn new(
        document: Document,
        document_value: &Value,
        sources: Sources,
    ) -> Result<Plan, PlanError> {
        Plan::build(document, document_value, sources, &mut HashSet::new())
    }

    fn build(
        document: Document,
        document_value: &Value,
        sources: Sources,
        planning: &mut HashSet<String>,
    ) -> Result<Plan, PlanError> {
        planning.insert(sources.document_url().to_string());
        let mut nested = IndexMap::new();
        for source in &document.source_descriptions {
            let Some(arazzo) = sources.arazzo(&source.name) else {
                continue;
            };
            if planning.contains(arazzo.url.as_str()) {
                continue; // a cycle of documents: the one being planned is reachable already
            }
            let value = serde_json::to_value(arazzo.document).unwrap_or_default();
            let plan = Plan::build(
                arazzo.document.clone(),
                &value,
                arazzo.sources.clone(),
                planning,
            )?;
            nested.insert(source.name.clone(), plan);
        }
        let planner = Planner {
            document: &document,
            sources: &sources,
            nested: &nested,
        };
        let workflows = document
            .workflows
            .iter()
            .enumerate()
            .map(|(index, workflow)| planner.workflow(document_value, index, workflow))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Plan {
            document,
            sources,
            workflows,
            nested,
            warnings: Vec::new(),
        })
    }

    /// The warnings validation gave the document, among them what was read of other tools'
    /// dialects (`compat-…`): a run shows them before it starts. Empty for a plan made by
    /// [`Plan::new`], which validates nothing.
    pub fn warnings(&self) -> &[arazzo_model::Diagnostic] {
        &self.warnings
    }

    /// The document.
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The loaded source descriptions.
    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// The workflow with this id.
    pub fn workflow(&self, workflow_id: &str) -> Option<&WorkflowPlan> {
        self.workflows
            .iter()
            .find(|workflow| workflow.id == workflow_id)
    }

    /// The ids of the workflows, in document order.
    pub fn workflow_ids(&self) -> impl Iterator<Item = &str> {
        self.workflows.iter().map(|workflow| workflow.id.as_str())
    }

    /// The inputs given to `workflow_id` that no workflow of the document (or of its Arazzo
    /// sources) takes, each as a problem with a did-you-mean: a typo would otherwise be
    /// ignored. One inputs file often serves every workflow of a document, and the workflows
    /// a run reaches take the same inputs, so a name another workflow takes is not a typo.
    /// None when a workflow lets in any name (see [`InputSchema::is_open`]) or this one has
    /// no inputs schema.
    pub fn unknown_inputs(&self, workflow_id: &str, inputs: &Value) -> Vec<InputProblem> {
        let (Some(workflow), Some(given)) = (self.workflow(workflow_id), inputs.as_object()) else {
            return Vec::new();
        };
        if workflow.inputs.is_none() {
            return Vec::new();
        }
        let mut names: Vec<&str> = Vec::new();
        let mut plans: Vec<&Plan> = vec![self];
        while let Some(plan) = plans.pop() {
            for schema in plan
                .workflows
                .iter()
                .filter_map(|workflow| workflow.inputs.as_ref())
            {
                if schema.is_open() {
                    return Vec::new();
                }
                names.extend(schema.names());
            }
            plans.extend(plan.nested.values());
        }
        let mut seen = HashSet::new();
        names.retain(|name| seen.insert(*name));
        given
            .keys()
            .filter(|name| !names.contains(&name.as_str()))
            .map(|name| InputProblem {
                pointer: format!("/{}", arazzo_model::escape_pointer_token(name)),
                message: match arazzo_model::did_you_mean(name, names.iter().copied()) {
                    Some(hint) => format!("unknown input `{name}`: {hint}"),
                    None => format!(
                        "unknown input `{name}`: the workflows take {}",
                        names.join(", ")
                    ),
                },
            })
            .collect()
    }

    /// The plan a workflow reference lives in, and the workflow.
    pub(crate) fn resolve(&self, reference: &WorkflowRef) -> (&Plan, &WorkflowPlan) {
        let plan = match &reference.source {
            None => self,
            Some(source) => &self.nested[source],
        };
        (plan, &plan.workflows[reference.index])
    }
}

impl WorkflowPlan {
    /// The workflow id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The ids of the steps, in document order.
    pub fn step_ids(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().map(|step| step.id.as_str())
    }

    /// The compiled `inputs` schema, if the workflow has one.
    pub fn inputs(&self) -> Option<&InputSchema> {
        self.inputs.as_ref()
    }
}

struct Planner<'a> {
    document: &'a Document,
    sources: &'a Sources,
    nested: &'a IndexMap<String, Plan>,
}

fn expression_error(location: String, err: impl ToString) -> PlanError {
    PlanError::Expression {
        location,
        message: err.to_string(),
    }
}

impl Planner<'_> {
    fn workflow(
        &self,
        document_value: &Value,
        index: usize,
        workflow: &Workflow,
    ) -> Result<WorkflowPlan, PlanError> {
        let url = Some(self.sources.document_url());
        let inputs = InputSchema::compile_at(document_value, index, url).map_err(|message| {
            PlanError::InputSchema {
                workflow_id: workflow.workflow_id.clone(),
                message,
            }
        })?;
        let target_error = |message: String| PlanError::Reference {
            location: format!("workflow `{}` dependsOn", workflow.workflow_id),
            message,
        };
        let depends_on = workflow
            .depends_on
            .iter()
            .map(|id| self.workflow_ref(id).map_err(&target_error))
            .collect::<Result<Vec<_>, _>>()?;
        let steps = workflow
            .steps
            .iter()
            .map(|step| self.step(workflow, step))
            .collect::<Result<Vec<_>, _>>()?;
        let outputs = parse_outputs(
            &workflow.outputs,
            &format!("workflow `{}` outputs", workflow.workflow_id),
        )?;
        Ok(WorkflowPlan {
            id: workflow.workflow_id.clone(),
            inputs,
            depends_on,
            steps,
            outputs,
        })
    }

    /// A workflowId: bare for this document, `$sourceDescriptions.<name>.<workflowId>` for an
    /// Arazzo source.
    fn workflow_ref(&self, id: &str) -> Result<WorkflowRef, String> {
        if let Some(rest) = id.strip_prefix("$sourceDescriptions.") {
            let (source, workflow_id) = rest.split_once('.').ok_or_else(|| {
                format!(
                    "`{id}` names no workflow: expected `$sourceDescriptions.<source>.<workflowId>`"
                )
            })?;
            let plan = self.nested.get(source).ok_or_else(|| {
                format!("workflow `{id}`: `{source}` is not an Arazzo source description")
            })?;
            let index = plan
                .document
                .workflows
                .iter()
                .position(|workflow| workflow.workflow_id == workflow_id)
                .ok_or_else(|| {
                    format!("workflow `{id}`: source `{source}` has no workflow `{workflow_id}`")
                })?;
            return Ok(WorkflowRef {
                source: Some(source.to_string()),
                index,
            });
        }
        let index = self
            .document
            .workflows
            .iter()
            .position(|workflow| workflow.workflow_id == id)
            .ok_or_else(|| format!("no workflow `{id}`"))?;
        Ok(WorkflowRef {
            source: None,
            index,
        })
    }

    fn step(&self, workflow: &Workflow, step: &Step) -> Result<StepPlan, PlanError> {
        let at = |field: &str| {
            format!(
                "workflow `{}` step `{}` {field}",
                workflow.workflow_id, step.step_id
            )
        };
        let target_error = |message: String| PlanError::Target {
            step_id: step.step_id.clone(),
            message,
        };
        let call = match self
            .sources
            .call(step)
            .map_err(|err| target_error(err.to_string()))?
        {
            StepCall::Workflow => {
                let id = step.workflow_id.as_deref().unwrap_or_default();
                Call::Workflow(self.workflow_ref(id).map_err(target_error)?)
            }
            StepCall::OpenApi(operation) => Call::Operation(Box::new(operation.clone())),
            // Refused at planning, before anything of the run is sent.
            StepCall::AsyncApi(_) => {
                return Err(PlanError::Unsupported {
                    step_id: step.step_id.clone(),
                    what: "AsyncAPI steps (sending and receiving messages) are".to_string(),
                });
            }
        };
        let calls_workflow = matches!(call, Call::Workflow(_));
        let components = self.document.components.as_ref();

        let mut parameters: Vec<ParameterPlan> = Vec::new();
        for item in workflow.parameters.iter().chain(&step.parameters) {
            let parameter = resolve(item, components)
                .ok_or_else(|| expression_error(at("parameters"), unresolved(item)))?;
            let location = match (parameter.location, calls_workflow) {
                // A workflow step maps every parameter to an input, by name.
                (_, true) => None,
                (Some(location), false) => Some(location),
                (None, false) => {
                    let message = "an operation parameter needs `in`";
                    return Err(expression_error(
                        at(&format!("parameter `{}`", parameter.name)),
                        message,
                    ));
                }
            };
            let value = ValueTree::parse(&parameter.value).map_err(|err| {
                expression_error(at(&format!("parameter `{}`", parameter.name)), err)
            })?;
            // A step parameter overrides a workflow parameter with the same name and location
            // (header names case-insensitively); it can never remove it.
            let same = |existing: &ParameterPlan| {
                existing.location == location
                    && match location {
                        Some(ParameterIn::Header) => {
                            existing.name.eq_ignore_ascii_case(&parameter.name)
                        }
                        _ => existing.name == parameter.name,
                    }
            };
            let plan = ParameterPlan {
                name: parameter.name.clone(),
                location,
                value,
            };
            match parameters.iter_mut().find(|existing| same(existing)) {
                Some(existing) => *existing = plan,
                None => parameters.push(plan),
            }
        }

        let body = match &step.request_body {
            None => None,
            Some(body) => {
                let payload = body
                    .payload
                    .as_ref()
                    .map(ValueTree::parse)
                    .transpose()
                    .map_err(|err| expression_error(at("requestBody payload"), err))?;
                let replacements = body
                    .replacements
                    .iter()
                    .map(|replacement| {
                        let value = ValueTree::parse(&replacement.value).map_err(|err| {
                            expression_error(
                                at(&format!("replacement `{}`", replacement.target)),
                                err,
                            )
                        })?;
                        Ok((replacement.target.clone(), value))
                    })
                    .collect::<Result<Vec<_>, PlanError>>()?;
                Some(BodyPlan {
                    content_type: body.content_type.clone(),
                    payload,
                    replacements,
                })
            }
        };

        let criteria = plan_criteria(&step.success_criteria, &at("successCriteria"))?;
        let outputs = parse_outputs(&step.outputs, &at("outputs"))?;
        let on_success = merge(
            &workflow.success_actions,
            &step.on_success,
            components,
            |action: &SuccessAction| &action.name,
        )
        .into_iter()
        .map(|action| self.success_action(workflow, &action, &at("onSuccess")))
        .collect::<Result<Vec<_>, _>>()?;
        let on_failure = merge(
            &workflow.failure_actions,
            &step.on_failure,
            components,
            |action: &FailureAction| &action.name,
        )
        .into_iter()
        .map(|action| self.failure_action(workflow, &action, &at("onFailure")))
        .collect::<Result<Vec<_>, _>>()?;
        let x_security = self.x_security(workflow, step, &call, &at("x-security"))?;
        let (security, responses) = match &call {
            Call::Operation(operation) => (
                self.sources
                    .openapi(&operation.source)
                    .map(|openapi| openapi.security(operation))
                    .unwrap_or_default(),
                ResponseSpec::of(operation),
            ),
            Call::Workflow(_) => (Vec::new(), None),
        };
        Ok(StepPlan {
            id: step.step_id.clone(),
            call,
            parameters,
            body,
            criteria,
            outputs,
            on_success,
            on_failure,
            security,
            x_security,
            responses,
        })
    }

    /// The `x-security` entries of `workflow` and `step` (Redocly Respect's extension): a
    /// `scheme` given inline, or a `schemeName` of the operation's source, with its `values`.
    fn x_security(
        &self,
        workflow: &Workflow,
        step: &Step,
        call: &Call,
        at: &str,
    ) -> Result<Vec<(SecurityScheme, ValueTree)>, PlanError> {
        let entries = [&workflow.extensions, &step.extensions]
            .into_iter()
            .filter_map(|extensions| extensions.x.get("x-security")?.as_array())
            .flatten();
        let unresolved = |message: String| PlanError::Reference {
            location: at.to_string(),
            message,
        };
        let mut found = Vec::new();
        for entry in entries {
            let scheme = match (
                entry.get("scheme"),
                entry.get("schemeName").and_then(Value::as_str),
            ) {
                (Some(definition), _) => SecurityScheme::from_definition(definition),
                (None, Some(name)) => {
                    let Call::Operation(operation) = call else {
                        return Err(unresolved(format!(
                            "scheme `{name}`: a workflow step has no security schemes"
                        )));
                    };
                    self.sources
                        .openapi(&operation.source)
                        .and_then(|openapi| openapi.scheme_named(name))
                        .ok_or_else(|| {
                            unresolved(format!(
                                "`{name}` is not a security scheme of source `{}`",
                                operation.source
                            ))
                        })?
                }
                (None, None) => {
                    return Err(unresolved(
                        "an entry needs `scheme` or `schemeName`".to_string(),
                    ));
                }
            };
            let values = entry
                .get("values")
                .cloned()
                .unwrap_or(Value::Object(Map::new()));
            let values =
                ValueTree::parse(&values).map_err(|err| expression_error(at.to_string(), err))?;
            found.push((scheme, values));
        }
        Ok(found)
    }

    /// An action's target (`at`: the action, as `workflow `w` step `s` onSuccess `a``): a step
    /// of `workflow` or a workflow, each named as what it is when it does not resolve.
    fn target(
        &self,
        workflow: &Workflow,
        step_id: Option<&str>,
        workflow_id: Option<&str>,
        at: &str,
    ) -> Result<Option<Target>, PlanError> {
        let unresolved = |message: String| PlanError::Reference {
            location: at.to_string(),
            message,
        };
        Ok(match (step_id, workflow_id) {
            (Some(step_id), _) => {
                let index = workflow
                    .steps
                    .iter()
                    .position(|step| step.step_id == step_id)
                    .ok_or_else(|| {
                        unresolved(format!(
                            "no step `{step_id}` in workflow `{}`",
                            workflow.workflow_id
                        ))
                    })?;
                Some(Target::Step(index))
            }
            (None, Some(id)) => Some(Target::Workflow(self.workflow_ref(id).map_err(unresolved)?)),
            (None, None) => None,
        })
    }

    fn success_action(
        &self,
        workflow: &Workflow,
        action: &SuccessAction,
        at: &str,
    ) -> Result<ActionPlan, PlanError> {
        let kind = match action.action_type {
            SuccessActionType::End => Declared::End,
            SuccessActionType::Goto => Declared::Goto,
        };
        let targets = (action.step_id.as_deref(), action.workflow_id.as_deref());
        self.action(workflow, &action.name, kind, targets, &action.criteria, at)
    }

    fn failure_action(
        &self,
        workflow: &Workflow,
        action: &FailureAction,
        at: &str,
    ) -> Result<ActionPlan, PlanError> {
        let kind = match action.action_type {
            FailureActionType::End => Declared::End,
            FailureActionType::Goto => Declared::Goto,
            FailureActionType::Retry => Declared::Retry {
                after: action.retry_after,
                limit: action.retry_limit.unwrap_or(1),
            },
        };
        let targets = (action.step_id.as_deref(), action.workflow_id.as_deref());
        self.action(workflow, &action.name, kind, targets, &action.criteria, at)
    }

    /// A success or failure action: its kind, its target (`stepId`, `workflowId`) resolved,
    /// its criteria parsed.
    fn action(
        &self,
        workflow: &Workflow,
        name: &str,
        declared: Declared,
        (step_id, workflow_id): (Option<&str>, Option<&str>),
        criteria: &[arazzo_model::Criterion],
        at: &str,
    ) -> Result<ActionPlan, PlanError> {
        let target = self.target(workflow, step_id, workflow_id, &format!("{at} `{name}`"))?;
        let kind = match (declared, target) {
            (Declared::End, _) => ActionKind::End,
            (Declared::Goto, Some(Target::Step(index))) => ActionKind::GotoStep(index),
            (Declared::Goto, Some(Target::Workflow(reference))) => {
                ActionKind::GotoWorkflow(reference)
            }
            (Declared::Goto, None) => {
                return Err(expression_error(at.to_string(), "a goto needs a target"));
            }
            (Declared::Retry { after, limit }, first) => ActionKind::Retry {
                after,
                limit,
                first,
            },
        };
        let criteria = plan_criteria(criteria, &format!("{at} `{name}`"))?;
        Ok(ActionPlan {
            name: name.to_string(),
            kind,
            criteria,
        })
    }
}

/// The type of a success or failure action as declared.
#[derive(Clone, Copy)]
enum Declared {
    End,
    Goto,
    Retry { after: Option<f64>, limit: u64 },
}

/// Workflow-level actions merged with a step's, by name: the workflow's list in order, a step
/// action with the same name replacing it in place, the step's new actions after (the order of
/// Stoplight Spectral's Arazzo rules; "overridden … but cannot be removed"). Reusable Objects
/// that do not resolve are left out (validation reports them).
fn merge<T: Component>(
    workflow: &[OrReusable<T>],
    step: &[OrReusable<T>],
    components: Option<&arazzo_model::Components>,
    name: fn(&T) -> &String,
) -> Vec<T> {
    let mut merged: Vec<T> = workflow
        .iter()
        .filter_map(|item| item.resolve(components))
        .collect();
    for action in step.iter().filter_map(|item| item.resolve(components)) {
        match merged
            .iter_mut()
            .find(|existing| name(existing) == name(&action))
        {
            Some(existing) => *existing = action,
            None => merged.push(action),
        }
    }
    merged
}

fn resolve(
    item: &OrReusable<Parameter>,
    components: Option<&arazzo_model::Components>,
) -> Option<Parameter> {
    item.resolve(components)
}

fn unresolved(item: &OrReusable<Parameter>) -> String {
    match item {
        OrReusable::Reusable(reusable) => format!(
            "`{}` does not name a parameter component",
            reusable.reference
        ),
        OrReusable::Object(_) => "unresolvable parameter".to_string(),
    }
}

fn plan_criteria(
    criteria: &[arazzo_model::Criterion],
    location: &str,
) -> Result<Vec<CriterionPlan>, PlanError> {
    criteria
        .iter()
        .map(|criterion| {
            let parsed = criterion.parse(Mode::Lenient).map_err(|err| {
                expression_error(
                    location.to_string(),
                    format!("`{}`: {err}", criterion.condition),
                )
            })?;
            Ok(CriterionPlan {
                condition: criterion.condition.clone(),
                criterion: parsed.value,
            })
        })
        .collect()
}

fn parse_outputs(
    outputs: &IndexMap<String, OutputValue>,
    location: &str,
) -> Result<Vec<(String, Expression)>, PlanError> {
    outputs
        .iter()
        .map(|(name, output)| {
            let location = format!("{location} `{name}`");
            let Some(source) = output.expression() else {
                return Err(expression_error(
                    location,
                    "selector objects are not run yet",
                ));
            };
            let parsed = arazzo_expr::parse_expression(source, Mode::Lenient)
                .map_err(|err| expression_error(location, err))?;
            Ok((name.clone(), parsed.value))
        })
        .collect()
}
