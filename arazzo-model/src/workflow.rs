//! The Workflow object.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Extensions, FailureAction, OrReusable, Parameter, Step, SuccessAction};

/// A workflow: an ordered list of steps with inputs and outputs.
///
/// See <https://spec.openapis.org/arazzo/v1.0.1#workflow-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workflow {
    /// Unique among the document's workflows; case-sensitive.
    pub workflow_id: String,
    /// A short summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// A description; CommonMark may be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A JSON Schema 2020-12 describing the workflow's inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Value>,
    /// Workflows that must complete before this one: workflowIds, or
    /// `$sourceDescriptions.<name>.<workflowId>` for another document.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// The steps, in order; at least one.
    pub steps: Vec<Step>,
    /// Success actions applying to every step (a step may override them by name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub success_actions: Vec<OrReusable<SuccessAction>>,
    /// Failure actions applying to every step (a step may override them by name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failure_actions: Vec<OrReusable<FailureAction>>,
    /// Output names mapped to runtime expressions.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub outputs: IndexMap<String, crate::OutputValue>,
    /// Parameters applying to every step (a step may override them by name and `in`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<OrReusable<Parameter>>,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

impl Workflow {
    /// The step with this `stepId` (case-sensitive).
    pub fn step(&self, step_id: &str) -> Option<&Step> {
        self.steps.iter().find(|step| step.step_id == step_id)
    }
}
