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
    /// Arazzo 1.1: an AsyncAPI channel named by
    /// `{$sourceDescriptions.<name>.url}#/channels/<key>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_path: Option<String>,
    /// A workflow of this document, or `$sourceDescriptions.<name>.<workflowId>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<String>,
    /// Arazzo 1.1, AsyncAPI steps: whether the step sends or receives a message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<MessageAction>,
    /// Arazzo 1.1, AsyncAPI `receive` steps: only messages with this correlation id count (a
    /// runtime expression or a literal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<serde_json::Value>,
    /// Arazzo 1.1: the most milliseconds the step may take before it fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// Arazzo 1.1: steps that must have completed before this one runs (`stepId`,
    /// `$workflows.<id>.steps.<stepId>` or `$sourceDescriptions.<name>.<id>.steps.<stepId>`);
    /// they are not run by it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
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
    pub outputs: IndexMap<String, crate::OutputValue>,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The message flow of an AsyncAPI step, from the workflow's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageAction {
    /// The step publishes a message.
    Send,
    /// The step waits for a message.
    Receive,
}

impl MessageAction {
    /// `send` or `receive`, as documents write it.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageAction::Send => "send",
            MessageAction::Receive => "receive",
        }
    }
}

/// What a step calls: exactly one of `operationId`, `operationPath`, `channelPath` or
/// `workflowId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepTarget<'a> {
    /// `operationId`, as written.
    OperationId(&'a str),
    /// `operationPath`, as written.
    OperationPath(&'a str),
    /// `channelPath`, as written (Arazzo 1.1).
    ChannelPath(&'a str),
    /// `workflowId`, as written.
    WorkflowId(&'a str),
}

impl Step {
    /// What the step calls, or `None` unless exactly one target field is set.
    pub fn target(&self) -> Option<StepTarget<'_>> {
        let targets = [
            self.operation_id.as_deref().map(StepTarget::OperationId),
            self.operation_path
                .as_deref()
                .map(StepTarget::OperationPath),
            self.channel_path.as_deref().map(StepTarget::ChannelPath),
            self.workflow_id.as_deref().map(StepTarget::WorkflowId),
        ];
        let mut set = targets.into_iter().flatten();
        match (set.next(), set.next()) {
            (Some(target), None) => Some(target),
            _ => None,
        }
    }
}

/// What a step calls, once its target is resolved against its sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// An OpenAPI operation (`operationId` or `operationPath`).
    OpenApi,
    /// An AsyncAPI operation or channel (`operationId` or `channelPath`, Arazzo 1.1).
    AsyncApi,
    /// A workflow (`workflowId`).
    Workflow,
}
