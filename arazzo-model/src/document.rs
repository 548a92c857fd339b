//! The root object and the Info object.

use serde::{Deserialize, Serialize};

use crate::{Components, Extensions, SourceDescription, Workflow};

/// The root of an Arazzo description.
///
/// See <https://spec.openapis.org/arazzo/v1.0.1#arazzo-specification-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// The version of the Arazzo Specification the document uses (`1.0.x` or `1.1.x`).
    pub arazzo: String,
    /// Arazzo 1.1: the document's own URI (a URI-reference without fragment), which is also the
    /// base URI its relative source URLs resolve against.
    #[serde(default, rename = "$self", skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
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
    /// The feature set the `arazzo` field designates, or `None` for a version this crate does
    /// not read.
    pub fn spec_version(&self) -> Option<SpecVersion> {
        SpecVersion::of(&self.arazzo)
    }

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

/// An Arazzo feature set: "The `major`.`minor` portion of the version string … SHALL designate
/// the Arazzo feature set" and "the patch version SHOULD NOT be considered by tooling".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum SpecVersion {
    /// Arazzo 1.0.0 and 1.0.1.
    V1_0,
    /// Arazzo 1.1.x: AsyncAPI steps, Selector Objects, `$self`, step `dependsOn`, …
    V1_1,
}

impl SpecVersion {
    /// The feature set of an `arazzo` field, by the official schemas' patterns
    /// `^1\.0\.\d+(-.+)?$` and `^1\.1\.\d+(-.+)?$` read as ECMA-262 does (`\d` an ASCII
    /// digit, `.` any character but a line terminator).
    pub fn of(version: &str) -> Option<SpecVersion> {
        let (minor, patch) = if let Some(patch) = version.strip_prefix("1.0.") {
            (SpecVersion::V1_0, patch)
        } else if let Some(patch) = version.strip_prefix("1.1.") {
            (SpecVersion::V1_1, patch)
        } else {
            return None;
        };
        let digits = patch.bytes().take_while(u8::is_ascii_digit).count();
        let suffix = &patch[digits..];
        let valid = digits > 0
            && (suffix.is_empty()
                || suffix.strip_prefix('-').is_some_and(|label| {
                    !label.is_empty() && !label.contains(['\n', '\r', '\u{2028}', '\u{2029}'])
                }));
        valid.then_some(minor)
    }

    /// `1.0` or `1.1`, for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_0 => "1.0",
            SpecVersion::V1_1 => "1.1",
        }
    }
}

impl std::fmt::Display for SpecVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_the_official_patterns() {
        for version in ["1.0.0", "1.0.1", "1.0.10", "1.0.1-rc.1", "1.0.0-x y"] {
            assert_eq!(
                SpecVersion::of(version),
                Some(SpecVersion::V1_0),
                "{version}"
            );
        }
        for version in ["1.1.0", "1.1.1", "1.1.0-rc.1"] {
            assert_eq!(
                SpecVersion::of(version),
                Some(SpecVersion::V1_1),
                "{version}"
            );
        }
        let refused = [
            "1.0",
            "1.0.",
            "1.2.0",
            "2.0.0",
            "1.0.x",
            "1.0.1-",
            "1.0.1+build",
            "1.0.1\n",
            "1.0.1-a\nb",
            "1.0.\u{661}",
            " 1.0.1",
            "v1.0.1",
            "",
            "1.1",
            "1.1.x",
        ];
        for version in refused {
            assert_eq!(SpecVersion::of(version), None, "{version:?}");
        }
    }
}
