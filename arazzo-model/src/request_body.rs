//! The Request Body and Payload Replacement objects.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Extensions;

/// The request body a step sends.
///
/// See <https://spec.openapis.org/arazzo/v1.0.1#request-body-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestBody {
    /// The media type; absent means the operation's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// A literal, a runtime expression, or a structure with expressions at any depth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    /// Values set into the payload after it is evaluated, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replacements: Vec<PayloadReplacement>,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A value set at a location of the payload.
///
/// See <https://spec.openapis.org/arazzo/v1.0.1#payload-replacement-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayloadReplacement {
    /// A JSON Pointer (RFC 6901), an XPath expression or (Arazzo 1.1) a JSONPath into the
    /// payload.
    pub target: String,
    /// Arazzo 1.1: how `target` is read; absent means by the payload's media type (JSON
    /// Pointer for JSON, XPath for XML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_selector_type: Option<crate::SelectorType>,
    /// A constant, a runtime expression or (Arazzo 1.1) a Selector Object (any JSON type: the
    /// schema's string-only typing contradicts the spec's own example `value: 10`).
    pub value: Value,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}
