//! The Components object.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Extensions, FailureAction, Parameter, SuccessAction};

/// Reusable objects, referenced from workflows and steps.
///
/// Components are scoped to the document that defines them. Keys match `^[a-zA-Z0-9.\-_]+$`.
/// See <https://spec.openapis.org/arazzo/v1.0.1#components-object>.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Components {
    /// JSON Schemas, referenced from workflow `inputs` with `$ref: '#/components/inputs/<key>'`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub inputs: IndexMap<String, Value>,
    /// Parameters, referenced as `$components.parameters.<key>`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, Parameter>,
    /// Success actions, referenced as `$components.successActions.<key>`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub success_actions: IndexMap<String, SuccessAction>,
    /// Failure actions, referenced as `$components.failureActions.<key>`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub failure_actions: IndexMap<String, FailureAction>,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}
