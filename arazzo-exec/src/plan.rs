//! A document made runnable: targets resolved and every expression parsed, once, before the
//! first request.

use arazzo_expr::{Criterion, CriterionKind, Expression, Mode};
use arazzo_model::{
    CriterionType, Document, OrReusable, Parameter, ParameterIn, Step, StepTarget, Workflow,
};
use serde_json::Value;

use crate::error::PlanError;
use crate::inputs::InputSchema;
use crate::sources::{Operation, Sources};
use crate::value::ValueTree;

/// A document ready to run.
#[derive(Debug)]
pub struct Plan {
    pub(crate) document: Document,
    pub(crate) sources: Sources,
    pub(crate) workflows: Vec<WorkflowPlan>,
}

/// One workflow, ready to run.
#[derive(Debug)]
pub struct WorkflowPlan {
    pub(crate) id: String,
    pub(crate) inputs: Option<InputSchema>,
    pub(crate) steps: Vec<StepPlan>,
    pub(crate) outputs: Vec<(String, Expression)>,
}

/// One step, ready to run.
#[derive(Debug)]
pub(crate) struct StepPlan {
    pub id: String,
    pub operation: Operation,
    pub parameters: Vec<ParameterPlan>,
    pub body: Option<BodyPlan>,
    pub criteria: Vec<CriterionPlan>,
    pub outputs: Vec<(String, Expression)>,
}

#[derive(Debug)]
pub(crate) struct ParameterPlan {
    pub name: String,
    pub location: ParameterIn,
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

impl Plan {
    /// Plans every workflow of `document`. `document_value` is the document as JSON (input
    /// schemas may `$ref` into it); `sources` are its loaded source descriptions.
    ///
    /// # Errors
    /// The first step whose target does not resolve, expression that does not parse, or
    /// feature not supported yet.
    pub fn new(
        document: Document,
        document_value: &Value,
        sources: Sources,
    ) -> Result<Plan, PlanError> {
        let workflows = document
            .workflows
            .iter()
            .enumerate()
            .map(|(index, workflow)| {
                plan_workflow(&document, document_value, &sources, index, workflow)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Plan {
            document,
            sources,
            workflows,
        })
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
}

impl WorkflowPlan {
    /// The workflow id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The compiled `inputs` schema, if the workflow has one.
    pub fn inputs(&self) -> Option<&InputSchema> {
        self.inputs.as_ref()
    }
}

fn plan_workflow(
    document: &Document,
    document_value: &Value,
    sources: &Sources,
    index: usize,
    workflow: &Workflow,
) -> Result<WorkflowPlan, PlanError> {
    let inputs =
        InputSchema::compile(document_value, index).map_err(|message| PlanError::InputSchema {
            workflow_id: workflow.workflow_id.clone(),
            message,
        })?;
    let steps = workflow
        .steps
        .iter()
        .map(|step| plan_step(document, sources, workflow, step))
        .collect::<Result<Vec<_>, _>>()?;
    let outputs = parse_outputs(
        &workflow.outputs,
        &format!("workflow `{}` outputs", workflow.workflow_id),
    )?;
    Ok(WorkflowPlan {
        id: workflow.workflow_id.clone(),
        inputs,
        steps,
        outputs,
    })
}

fn plan_step(
    document: &Document,
    sources: &Sources,
    workflow: &Workflow,
    step: &Step,
) -> Result<StepPlan, PlanError> {
    let unsupported = |what: &str| PlanError::Unsupported {
        step_id: step.step_id.clone(),
        what: what.to_string(),
    };
    if matches!(step.target(), Some(StepTarget::WorkflowId(_))) {
        return Err(unsupported("steps that call a workflow are"));
    }
    if !step.on_success.is_empty() || !workflow.success_actions.is_empty() {
        return Err(unsupported("success actions are"));
    }
    if !step.on_failure.is_empty() || !workflow.failure_actions.is_empty() {
        return Err(unsupported("failure actions are"));
    }
    let operation = sources
        .operation(step)
        .map_err(|err| PlanError::Target {
            step_id: step.step_id.clone(),
            message: err.to_string(),
        })?
        .clone();
    let at = |field: &str| {
        format!(
            "workflow `{}` step `{}` {field}",
            workflow.workflow_id, step.step_id
        )
    };
    let components = document.components.as_ref();

    let mut parameters: Vec<ParameterPlan> = Vec::new();
    for item in workflow.parameters.iter().chain(&step.parameters) {
        let parameter = resolve_parameter(item, components, &at("parameters"))?;
        let location = parameter.location.ok_or_else(|| PlanError::Expression {
            location: at(&format!("parameter `{}`", parameter.name)),
            message: "an operation parameter needs `in`".to_string(),
        })?;
        let value = ValueTree::parse(&parameter.value).map_err(|err| PlanError::Expression {
            location: at(&format!("parameter `{}`", parameter.name)),
            message: err.to_string(),
        })?;
        // A step parameter overrides a workflow parameter with the same name and location
        // (header names case-insensitively); it can never remove it.
        let same = |existing: &ParameterPlan| {
            existing.location == location
                && match location {
                    ParameterIn::Header => existing.name.eq_ignore_ascii_case(&parameter.name),
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
                .map_err(|err| PlanError::Expression {
                    location: at("requestBody payload"),
                    message: err.to_string(),
                })?;
            let replacements = body
                .replacements
                .iter()
                .map(|replacement| {
                    let value = ValueTree::parse(&replacement.value).map_err(|err| {
                        PlanError::Expression {
                            location: at(&format!("replacement `{}`", replacement.target)),
                            message: err.to_string(),
                        }
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

    let criteria = step
        .success_criteria
        .iter()
        .map(|criterion| plan_criterion(criterion, &at("successCriteria")))
        .collect::<Result<Vec<_>, _>>()?;
    let outputs = parse_outputs(&step.outputs, &at("outputs"))?;
    Ok(StepPlan {
        id: step.step_id.clone(),
        operation,
        parameters,
        body,
        criteria,
        outputs,
    })
}

fn resolve_parameter(
    item: &OrReusable<Parameter>,
    components: Option<&arazzo_model::Components>,
    location: &str,
) -> Result<Parameter, PlanError> {
    item.resolve(components)
        .ok_or_else(|| PlanError::Expression {
            location: location.to_string(),
            message: match item {
                OrReusable::Reusable(reusable) => format!(
                    "`{}` does not name a parameter component",
                    reusable.reference
                ),
                OrReusable::Object(_) => "unresolvable parameter".to_string(),
            },
        })
}

pub(crate) fn plan_criterion(
    criterion: &arazzo_model::Criterion,
    location: &str,
) -> Result<CriterionPlan, PlanError> {
    let error = |message: String| PlanError::Expression {
        location: location.to_string(),
        message,
    };
    let (type_name, version) = match &criterion.criterion_type {
        None => ("simple", None),
        Some(CriterionType::Kind(kind)) => (kind_name(*kind), None),
        Some(CriterionType::ExpressionType(expression_type)) => {
            let name = match expression_type.language {
                arazzo_model::ExpressionLanguage::Jsonpath => "jsonpath",
                arazzo_model::ExpressionLanguage::Xpath => "xpath",
            };
            (name, Some(expression_type.version.as_str()))
        }
    };
    let kind = CriterionKind::from_type(type_name, version).ok_or_else(|| {
        error(format!(
            "unsupported criterion type `{type_name}` {}",
            version.unwrap_or_default()
        ))
    })?;
    let context = criterion
        .context
        .as_deref()
        .map(|context| arazzo_expr::parse_expression(context, Mode::Lenient))
        .transpose()
        .map_err(|err| error(format!("context: {err}")))?
        .map(|parsed| parsed.value);
    let parsed = arazzo_expr::parse_criterion(kind, context, &criterion.condition, Mode::Lenient)
        .map_err(|err| error(format!("`{}`: {err}", criterion.condition)))?;
    Ok(CriterionPlan {
        condition: criterion.condition.clone(),
        criterion: parsed.value,
    })
}

fn kind_name(kind: arazzo_model::CriterionKind) -> &'static str {
    match kind {
        arazzo_model::CriterionKind::Simple => "simple",
        arazzo_model::CriterionKind::Regex => "regex",
        arazzo_model::CriterionKind::Jsonpath => "jsonpath",
        arazzo_model::CriterionKind::Xpath => "xpath",
    }
}

fn parse_outputs(
    outputs: &indexmap::IndexMap<String, String>,
    location: &str,
) -> Result<Vec<(String, Expression)>, PlanError> {
    outputs
        .iter()
        .map(|(name, source)| {
            let parsed = arazzo_expr::parse_expression(source, Mode::Lenient).map_err(|err| {
                PlanError::Expression {
                    location: format!("{location} `{name}`"),
                    message: err.to_string(),
                }
            })?;
            Ok((name.clone(), parsed.value))
        })
        .collect()
}
