//! The Success Action and Failure Action objects.

use serde::{Deserialize, Serialize};

use crate::{Criterion, Extensions};

/// What to do when a step succeeds.
///
/// See <https://spec.openapis.org/arazzo/v1.0.1#success-action-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuccessAction {
    /// The action's name: its identity when workflow- and step-level lists are merged.
    pub name: String,
    /// `end` or `goto`.
    #[serde(rename = "type")]
    pub action_type: SuccessActionType,
    /// The workflow to go to (`goto` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<String>,
    /// The step of the current workflow to go to (`goto` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
    /// Arazzo 1.1: the inputs handed to the `workflowId` target (no `in`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<crate::OrReusable<crate::Parameter>>,
    /// Assertions that must all hold for this action to be taken; none means always.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<Criterion>,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The kinds of success action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SuccessActionType {
    /// The workflow ends and returns its outputs.
    End,
    /// Control moves to a step or a workflow.
    Goto,
}

/// What to do when a step fails.
///
/// See <https://spec.openapis.org/arazzo/v1.0.1#failure-action-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureAction {
    /// The action's name: its identity when workflow- and step-level lists are merged.
    pub name: String,
    /// `end`, `retry` or `goto`.
    #[serde(rename = "type")]
    pub action_type: FailureActionType,
    /// The workflow to go to (`goto`), or to run before retrying (`retry`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<String>,
    /// The step to go to (`goto`), or to run before retrying (`retry`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
    /// Arazzo 1.1: the inputs handed to the `workflowId` target (no `in`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<crate::OrReusable<crate::Parameter>>,
    /// Seconds (decimal) to wait before retrying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<f64>,
    /// How many retries at most; absent means one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_limit: Option<u64>,
    /// Assertions that must all hold for this action to be taken; none means always.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<Criterion>,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The kinds of failure action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureActionType {
    /// The workflow ends and returns its outputs.
    End,
    /// The step is run again.
    Retry,
    /// Control moves to a step or a workflow.
    Goto,
}
