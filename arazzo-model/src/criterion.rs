//! The Criterion and Criterion Expression Type objects.

use serde::{Deserialize, Serialize};

use crate::Extensions;

/// An assertion: a condition, optionally of another language applied to a context value.
///
/// See <https://spec.openapis.org/arazzo/v1.0.1#criterion-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Criterion {
    /// A runtime expression giving the value the condition applies to; required with `type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The condition: a simple condition, a regex, a JSONPath or an XPath expression.
    pub condition: String,
    /// The condition's language; absent means `simple`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub criterion_type: Option<CriterionType>,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

impl Criterion {
    /// The condition language, `simple` when `type` is absent.
    pub fn kind(&self) -> CriterionKind {
        match &self.criterion_type {
            None => CriterionKind::Simple,
            Some(CriterionType::Kind(kind)) => *kind,
            Some(CriterionType::ExpressionType(expression_type)) => {
                match expression_type.language {
                    ExpressionLanguage::Jsonpath => CriterionKind::Jsonpath,
                    ExpressionLanguage::Xpath => CriterionKind::Xpath,
                }
            }
        }
    }
}

/// A criterion's `type`: a language name, or an object naming a language and its version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CriterionType {
    /// `simple`, `regex`, `jsonpath` (RFC 9535) or `xpath` (XPath 3.1).
    Kind(CriterionKind),
    /// Another JSONPath or XPath version.
    ExpressionType(CriterionExpressionType),
}

/// The condition languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CriterionKind {
    /// Literals, operators and runtime expressions.
    Simple,
    /// A regular expression applied to the context.
    Regex,
    /// A JSONPath query applied to the context.
    Jsonpath,
    /// An XPath expression applied to the context.
    Xpath,
}

/// Names the version of a criterion's expression language.
///
/// See <https://spec.openapis.org/arazzo/v1.0.1#criterion-expression-type-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CriterionExpressionType {
    /// `jsonpath` or `xpath`.
    #[serde(rename = "type")]
    pub language: ExpressionLanguage,
    /// `draft-goessner-dispatch-jsonpath-00` for JSONPath; `xpath-30`, `xpath-20` or
    /// `xpath-10` for XPath.
    pub version: String,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The languages a Criterion Expression Type object can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpressionLanguage {
    /// JSONPath.
    Jsonpath,
    /// XPath.
    Xpath,
}
