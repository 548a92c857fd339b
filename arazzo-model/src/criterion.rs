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
    /// Parses the criterion with `arazzo-expr`: its `context` expression and its condition in
    /// the language its `type` names. Spans in the error refer to the `condition`, except for
    /// [`CriterionError::Context`].
    ///
    /// # Errors
    /// When the context or the condition does not parse, or the type names no supported
    /// language version.
    pub fn parse(
        &self,
        mode: arazzo_expr::Mode,
    ) -> Result<arazzo_expr::Parsed<arazzo_expr::Criterion>, CriterionError> {
        let (type_name, version) = match &self.criterion_type {
            None => ("simple", None),
            Some(CriterionType::Kind(kind)) => (kind.name(), None),
            Some(CriterionType::ExpressionType(expression_type)) => {
                let name = match expression_type.language {
                    ExpressionLanguage::JsonPath => "jsonpath",
                    ExpressionLanguage::XPath => "xpath",
                };
                (name, Some(expression_type.version.as_str()))
            }
        };
        let kind = arazzo_expr::CriterionKind::from_type(type_name, version).ok_or_else(|| {
            CriterionError::Type(format!("{type_name} {}", version.unwrap_or_default()))
        })?;
        let mut warnings = Vec::new();
        let context = match &self.context {
            Some(context) => {
                let parsed = arazzo_expr::parse_expression(context, mode)
                    .map_err(CriterionError::Context)?;
                warnings.extend(parsed.warnings);
                Some(parsed.value)
            }
            None => None,
        };
        let mut parsed = arazzo_expr::parse_criterion(kind, context, &self.condition, mode)
            .map_err(CriterionError::Condition)?;
        parsed.warnings.extend(warnings);
        Ok(parsed)
    }

    /// The condition language, `simple` when `type` is absent.
    pub fn kind(&self) -> CriterionKind {
        match &self.criterion_type {
            None => CriterionKind::Simple,
            Some(CriterionType::Kind(kind)) => *kind,
            Some(CriterionType::ExpressionType(expression_type)) => {
                match expression_type.language {
                    ExpressionLanguage::JsonPath => CriterionKind::JsonPath,
                    ExpressionLanguage::XPath => CriterionKind::XPath,
                }
            }
        }
    }
}

/// Why a criterion does not parse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CriterionError {
    /// The `context` is not a runtime expression.
    #[error("context: {0}")]
    Context(arazzo_expr::ParseError),
    /// The `condition` does not parse in its language.
    #[error("{0}")]
    Condition(arazzo_expr::ParseError),
    /// The `type` and `version` name no language this engine knows.
    #[error("unsupported criterion type `{0}`")]
    Type(String),
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
    #[serde(rename = "jsonpath")]
    JsonPath,
    /// An XPath expression applied to the context.
    #[serde(rename = "xpath")]
    XPath,
}

impl CriterionKind {
    /// The name used in documents.
    pub fn name(self) -> &'static str {
        match self {
            CriterionKind::Simple => "simple",
            CriterionKind::Regex => "regex",
            CriterionKind::JsonPath => "jsonpath",
            CriterionKind::XPath => "xpath",
        }
    }
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
    #[serde(rename = "jsonpath")]
    JsonPath,
    /// XPath.
    #[serde(rename = "xpath")]
    XPath,
}
