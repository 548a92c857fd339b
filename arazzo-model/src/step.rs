//! The Step object.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::{
    Criterion, Extensions, FailureAction, OrReusable, Parameter, RequestBody, SuccessAction,
};

/// A step: a call to an API operation or to another workflow.
///
/// See <https://spec.openapis.org/arazzo/v1.0.1#step-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Unique within its workflow; case-sensitive.
    pub step_id: String,
    /// A description; CommonMark may be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// An operation named by its `operationId`, bare or as `$sourceDescriptions.<name>.<id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// An operation named by `{$sourceDescriptions.<name>.url}#<JSON pointer>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_path: Option<String>,
    /// A workflow of this document, or `$sourceDescriptions.<name>.<workflowId>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<String>,
    /// Parameters passed to the operation or, for a workflow step, the workflow's inputs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<OrReusable<Parameter>>,
    /// The request body passed to the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<RequestBody>,
    /// Assertions that must all hold for the step to succeed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub success_criteria: Vec<Criterion>,
    /// Actions on success; the first whose criteria hold is taken.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_success: Vec<OrReusable<SuccessAction>>,
    /// Actions on failure; the first whose criteria hold is taken.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_failure: Vec<OrReusable<FailureAction>>,
    /// Output names mapped to runtime expressions.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub outputs: IndexMap<String, String>,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// What a step calls: exactly one of `operationId`, `operationPath` or `workflowId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepTarget<'a> {
    /// `operationId`, as written.
    OperationId(&'a str),
    /// `operationPath`, as written.
    OperationPath(&'a str),
    /// `workflowId`, as written.
    WorkflowId(&'a str),
}

impl Step {
    /// What the step calls, or `None` unless exactly one target field is set.
    pub fn target(&self) -> Option<StepTarget<'_>> {
        match (&self.operation_id, &self.operation_path, &self.workflow_id) {
            (Some(id), None, None) => Some(StepTarget::OperationId(id)),
            (None, Some(path), None) => Some(StepTarget::OperationPath(path)),
            (None, None, Some(id)) => Some(StepTarget::WorkflowId(id)),
            _ => None,
        }
    }
}
