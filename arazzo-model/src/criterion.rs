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
            Some(CriterionType::ExpressionType(expression_type)) => (
                expression_type.language.name(),
                Some(expression_type.version.as_str()),
            ),
        };
        let kind = arazzo_expr::CriterionKind::parse_type(type_name, version)
            .map_err(CriterionError::Type)?;
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
                    // Not a condition language: `parse` refuses it; validation reports it.
                    ExpressionLanguage::XPath | ExpressionLanguage::JsonPointer => {
                        CriterionKind::XPath
                    }
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
    /// The `type` and `version` name no condition language this engine knows.
    #[error("{0}")]
    Type(arazzo_expr::TypeError),
}

/// A criterion's `type`: a language name, or an object naming a language and its version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CriterionType {
    /// `simple`, `regex`, `jsonpath` (RFC 9535) or `xpath` (XPath 3.1).
    Kind(CriterionKind),
    /// Another JSONPath or XPath version.
    ExpressionType(ExpressionType),
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

/// Names an expression language and its version: Arazzo 1.0's Criterion Expression Type
/// object, 1.1's Expression Type object (used by criteria, selectors and payload replacements).
///
/// See <https://spec.openapis.org/arazzo/v1.1.0#expression-type-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpressionType {
    /// `jsonpath`, `xpath` or (selectors only) `jsonpointer`.
    #[serde(rename = "type")]
    pub language: ExpressionLanguage,
    /// `rfc9535` (1.1) or `draft-goessner-dispatch-jsonpath-00` for JSONPath; `xpath-31` (1.1),
    /// `xpath-30`, `xpath-20` or `xpath-10` for XPath; `rfc6901` for JSON Pointer.
    pub version: String,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The name Arazzo 1.0 gave [`ExpressionType`].
pub type CriterionExpressionType = ExpressionType;

/// The languages an Expression Type object can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpressionLanguage {
    /// JSONPath.
    #[serde(rename = "jsonpath")]
    JsonPath,
    /// XPath.
    #[serde(rename = "xpath")]
    XPath,
    /// JSON Pointer (Arazzo 1.1; selectors and payload replacement targets only).
    #[serde(rename = "jsonpointer")]
    JsonPointer,
}

impl ExpressionLanguage {
    /// The name used in documents.
    pub fn name(self) -> &'static str {
        match self {
            ExpressionLanguage::JsonPath => "jsonpath",
            ExpressionLanguage::XPath => "xpath",
            ExpressionLanguage::JsonPointer => "jsonpointer",
        }
    }
}

/// How a selector or a payload replacement target is read (Arazzo 1.1): a language name (its
/// default version), or an Expression Type object naming the version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SelectorType {
    /// `jsonpath` (RFC 9535), `xpath` (XPath 3.1) or `jsonpointer` (RFC 6901).
    Language(ExpressionLanguage),
    /// A language and its version.
    Versioned(ExpressionType),
}

impl SelectorType {
    /// The language.
    pub fn language(&self) -> ExpressionLanguage {
        match self {
            SelectorType::Language(language) => *language,
            SelectorType::Versioned(versioned) => versioned.language,
        }
    }

    /// The version, when one is named.
    pub fn version(&self) -> Option<&str> {
        match self {
            SelectorType::Language(_) => None,
            SelectorType::Versioned(versioned) => Some(&versioned.version),
        }
    }
}

/// Arazzo 1.1: a value selected from structured data by a JSONPath, XPath or JSON Pointer
/// `selector` applied to what the runtime expression `context` gives.
///
/// See <https://spec.openapis.org/arazzo/v1.1.0#selector-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Selector {
    /// A runtime expression giving the structured data, e.g. `$response.body`.
    pub context: String,
    /// The selector expression, e.g. `$.items[0].id` or `/Envelope/Item`.
    pub selector: String,
    /// The selector's language.
    #[serde(rename = "type")]
    pub selector_type: SelectorType,
    /// `x-` extensions and unknown fields.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A workflow or step output: a runtime expression, or (Arazzo 1.1) a Selector Object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OutputValue {
    /// A runtime expression such as `$response.body#/id`.
    Expression(String),
    /// A Selector Object.
    Selector(Box<Selector>),
}

/// The expression as written; a selector as `<context> <type> <selector>`, e.g.
/// `$response.body jsonpath $.items[0].id`.
impl std::fmt::Display for OutputValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputValue::Expression(expression) => f.write_str(expression),
            OutputValue::Selector(selector) => write!(
                f,
                "{} {} {}",
                selector.context,
                selector.selector_type.language().name(),
                selector.selector
            ),
        }
    }
}

impl OutputValue {
    /// The runtime expression, when the output is one.
    pub fn expression(&self) -> Option<&str> {
        match self {
            OutputValue::Expression(expression) => Some(expression),
            OutputValue::Selector(_) => None,
        }
    }
}
