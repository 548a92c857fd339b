//! The Source Description object.

use serde::{Deserialize, Serialize};

use crate::Extensions;

/// A source description: an OpenAPI description or another Arazzo document the workflows use.
///
/// See <https://spec.openapis.org/arazzo/v1.0.1#source-description-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceDescription {
    /// A unique name, matching `^[A-Za-z0-9_\-]+$`; used in `$sourceDescriptions.<name>`.
    pub name: String,
    /// Where the description is; a relative reference resolves against the Arazzo document.
    pub url: String,
    /// The kind of description; when absent, it is told from the document's content.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub source_type: Option<SourceType>,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The kind of a source description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceType {
    /// An OpenAPI description.
    Openapi,
    /// Another Arazzo document.
    Arazzo,
    /// An AsyncAPI document (Arazzo 1.1).
    Asyncapi,
}
