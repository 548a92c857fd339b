//! The Parameter object.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Extensions;

/// A parameter passed to an operation, or an input passed to a workflow.
///
/// See <https://spec.openapis.org/arazzo/v1.0.1#parameter-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameter {
    /// The parameter's name; case-sensitive.
    pub name: String,
    /// Where the parameter goes; required unless the step calls a workflow.
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub location: Option<ParameterIn>,
    /// A constant, a runtime expression, or a string with embedded `{$…}` expressions.
    pub value: Value,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// Where a parameter is sent. (`body`, allowed by 1.0.0, was removed in 1.0.1 and is rejected.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParameterIn {
    /// A path template variable.
    Path,
    /// A query string parameter.
    Query,
    /// Arazzo 1.1 (OpenAPI 3.2): the whole query string as one value.
    Querystring,
    /// An HTTP header (names are case-insensitive), or an AsyncAPI message header.
    Header,
    /// A cookie.
    Cookie,
    /// Arazzo 1.1 (in its schema, not its text): a parameter of an AsyncAPI channel address.
    Channel,
}

impl ParameterIn {
    /// The name used in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterIn::Path => "path",
            ParameterIn::Query => "query",
            ParameterIn::Querystring => "querystring",
            ParameterIn::Header => "header",
            ParameterIn::Cookie => "cookie",
            ParameterIn::Channel => "channel",
        }
    }
}
