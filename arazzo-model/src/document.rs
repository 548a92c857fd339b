//! The root object and the Info object.

use serde::{Deserialize, Serialize};

use crate::{Components, Extensions, SourceDescription, Workflow};

/// The root of an Arazzo description.
///
/// See <https://spec.openapis.org/arazzo/v1.0.1#arazzo-specification-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// The version of the Arazzo Specification the document uses (`1.0.x`).
    pub arazzo: String,
    /// Metadata about the workflows.
    pub info: Info,
    /// The API descriptions (OpenAPI) and Arazzo documents the workflows use; at least one.
    pub source_descriptions: Vec<SourceDescription>,
    /// The workflows; at least one.
    pub workflows: Vec<Workflow>,
    /// Reusable parameters, actions and input schemas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Components>,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

impl Document {
    /// The workflow with this `workflowId` (case-sensitive).
    pub fn workflow(&self, workflow_id: &str) -> Option<&crate::Workflow> {
        self.workflows
            .iter()
            .find(|workflow| workflow.workflow_id == workflow_id)
    }

    /// The source description with this name (case-sensitive).
    pub fn source(&self, name: &str) -> Option<&SourceDescription> {
        self.source_descriptions
            .iter()
            .find(|source| source.name == name)
    }
}

/// Metadata about the Arazzo description.
///
/// See <https://spec.openapis.org/arazzo/v1.0.1#info-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    /// A human-readable title.
    pub title: String,
    /// A short summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// A description; CommonMark may be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The version of this document (not of the spec).
    pub version: String,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}
