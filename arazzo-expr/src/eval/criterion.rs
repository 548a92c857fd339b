//! Criterion Objects: `simple`, `regex`, `jsonpath` and `xpath` conditions.

use serde_json::Value;

use crate::ast::{Comparable, Condition, Expression, Span, Template};
use crate::error::{EvalError, ParseError, ParseErrorKind, Warning};
use crate::eval::regex::Pattern;
use crate::eval::{self, Context, value};
use crate::limits::{self, Syntax};
use crate::parse::{Mode, Parsed, parse_condition, parse_template};

/// The condition language of a criterion: its `type`, with the version of a Criterion
/// Expression Type Object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CriterionKind {
    /// `simple` (also when `type` is omitted).
    Simple,
    /// `regex`: an ECMA-262 pattern, searched (not anchored) in the context.
    Regex,
    /// `jsonpath`.
    JsonPath(JsonPathVersion),
    /// `xpath`.
    XPath(XPathVersion),
}

/// JSONPath versions of Arazzo 1.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonPathVersion {
    /// RFC 9535, the default.
    Rfc9535,
    /// `draft-goessner-dispatch-jsonpath-00`: evaluated with RFC 9535 semantics where the
    /// syntax overlaps (see the crate's `# Decisions`).
    DraftGoessner,
}

/// XPath versions of Arazzo 1.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XPathVersion {
    /// XPath 3.1, the default.
    XPath31,
    /// `xpath-30`.
    XPath30,
    /// `xpath-20`.
    XPath20,
    /// `xpath-10`.
    XPath10,
}

impl CriterionKind {
    /// The kind for a Criterion Object's `type` string, or for a Criterion Expression Type
    /// Object's `type` and `version`. `None` for anything Arazzo 1.0 does not define, such as
    /// `asyncapi`, or `version: rfc9535` (1.0 names only the non-default versions).
    ///
    /// ```
    /// use arazzo_expr::{CriterionKind, JsonPathVersion};
    ///
    /// assert_eq!(CriterionKind::from_type("jsonpath", None), Some(CriterionKind::JsonPath(JsonPathVersion::Rfc9535)));
    /// assert_eq!(
    ///     CriterionKind::from_type("jsonpath", Some("draft-goessner-dispatch-jsonpath-00")),
    ///     Some(CriterionKind::JsonPath(JsonPathVersion::DraftGoessner)),
    /// );
    /// assert_eq!(CriterionKind::from_type("regex", Some("xpath-10")), None);
    /// ```
    pub fn from_type(type_name: &str, version: Option<&str>) -> Option<Self> {
        Some(match (type_name, version) {
            ("simple", None) => CriterionKind::Simple,
            ("regex", None) => CriterionKind::Regex,
            ("jsonpath", None) => CriterionKind::JsonPath(JsonPathVersion::Rfc9535),
            ("jsonpath", Some("draft-goessner-dispatch-jsonpath-00")) => {
                CriterionKind::JsonPath(JsonPathVersion::DraftGoessner)
            }
            ("xpath", None) => CriterionKind::XPath(XPathVersion::XPath31),
            ("xpath", Some("xpath-30")) => CriterionKind::XPath(XPathVersion::XPath30),
            ("xpath", Some("xpath-20")) => CriterionKind::XPath(XPathVersion::XPath20),
            ("xpath", Some("xpath-10")) => CriterionKind::XPath(XPathVersion::XPath10),
            _ => return None,
        })
    }

    /// The `type` string.
    pub fn type_name(self) -> &'static str {
        match self {
            CriterionKind::Simple => "simple",
            CriterionKind::Regex => "regex",
            CriterionKind::JsonPath(_) => "jsonpath",
            CriterionKind::XPath(_) => "xpath",
        }
    }
}

/// A parsed Criterion Object.
#[derive(Debug, Clone, PartialEq)]
// Built once per document, so the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Criterion {
    /// A simple condition; a `context`, if any, is not used (the condition names its values).
    Simple(Condition),
    /// A regex pattern applied to the context value.
    Regex {
        /// The value the pattern is searched in.
        context: Expression,
        /// The pattern; `{$…}` parts are substituted textually before compiling.
        pattern: Template,
    },
    /// A JSONPath query; a non-empty node list passes.
    JsonPath {
        /// RFC 9535 or the Goessner draft.
        version: JsonPathVersion,
        /// The query's root value.
        context: Expression,
        /// The query; `{$…}` parts are substituted textually first.
        query: Template,
    },
    /// An XPath expression on an XML context; its effective boolean value decides.
    XPath {
        /// The XPath version.
        version: XPathVersion,
        /// The XML text.
        context: Expression,
        /// The expression; `{$…}` parts are substituted textually first.
        expression: Template,
    },
}

impl Criterion {
    /// The `context` expression (`None` for a simple criterion, which does not use it).
    pub fn context(&self) -> Option<&Expression> {
        match self {
            Criterion::Simple(_) => None,
            Criterion::Regex { context, .. }
            | Criterion::JsonPath { context, .. }
            | Criterion::XPath { context, .. } => Some(context),
        }
    }

    /// The runtime expressions of the `condition`, in source order; their spans refer to the
    /// condition string.
    pub fn condition_expressions(&self) -> impl Iterator<Item = &Expression> {
        let found: Vec<&Expression> = match self {
            Criterion::Simple(condition) => condition.expressions().collect(),
            Criterion::Regex {
                pattern: template, ..
            }
            | Criterion::JsonPath {
                query: template, ..
            }
            | Criterion::XPath {
                expression: template,
                ..
            } => template.expressions().collect(),
        };
        found.into_iter()
    }
}

/// The result of a criterion: a false condition and an evaluation error both fail it, and
/// are told apart.
#[derive(Debug, Clone, PartialEq)]
pub enum CriterionOutcome {
    /// The condition holds.
    Passed,
    /// The condition was evaluated and does not hold.
    Failed {
        /// Why, for reports: the condition and the values it saw.
        reason: String,
    },
    /// The condition could not be evaluated, so the criterion fails (checklist §8 item 26).
    Error(EvalError),
}

impl CriterionOutcome {
    /// Whether the criterion passed.
    pub fn passed(&self) -> bool {
        matches!(self, CriterionOutcome::Passed)
    }
}

/// Parses a Criterion Object from its parts. `context` is the parsed `context` field (parse it
/// with [`parse_expression`](crate::parse_expression)); spans in errors and warnings refer to
/// `condition`.
///
/// A `regex` or `jsonpath` condition without `{$…}` parts is compiled now, so a syntax error
/// is reported before the workflow runs; with `{$…}` parts it is compiled at evaluation.
///
/// # Errors
///
/// [`ParseErrorKind::MissingContext`] when a `regex`, `jsonpath` or `xpath` criterion has no
/// context; syntax errors of the condition; [`ParseErrorKind::InvalidRegex`],
/// [`ParseErrorKind::InvalidJsonPath`] (or [`ParseErrorKind::InvalidXPath`] with the `xpath`
/// feature) for a condition without `{$…}` parts.
pub fn parse_criterion(
    kind: CriterionKind,
    context: Option<Expression>,
    condition: &str,
    mode: Mode,
) -> Result<Parsed<Criterion>, ParseError> {
    let whole = Span::new(0, condition.len());
    // The context and the `{$…}` template of a regex, jsonpath or xpath condition, and whether
    // the condition is static text that can be compiled now.
    let pattern = |context: Option<Expression>| {
        let kind = kind.type_name();
        let context = context
            .ok_or_else(|| ParseError::new(whole, ParseErrorKind::MissingContext { kind }))?;
        let template = parse_template(condition, mode)?;
        let is_static = template.value.expressions().next().is_none();
        Ok::<_, ParseError>((context, template, is_static))
    };
    let (criterion, warnings) = match kind {
        CriterionKind::Simple => {
            let parsed = parse_condition(condition, mode)?;
            (Criterion::Simple(parsed.value), parsed.warnings)
        }
        CriterionKind::Regex => {
            let (context, pattern, is_static) = pattern(context)?;
            if is_static {
                Pattern::new(condition).map_err(|reason| {
                    let pattern = condition.to_owned();
                    ParseError::new(whole, ParseErrorKind::InvalidRegex { pattern, reason })
                })?;
            }
            (
                Criterion::Regex {
                    context,
                    pattern: pattern.value,
                },
                pattern.warnings,
            )
        }
        CriterionKind::JsonPath(version) => {
            let (context, query, is_static) = pattern(context)?;
            if is_static {
                compile_jsonpath(condition).map_err(|reason| {
                    let query = condition.to_owned();
                    ParseError::new(whole, ParseErrorKind::InvalidJsonPath { query, reason })
                })?;
            }
            let mut warnings = query.warnings;
            if version == JsonPathVersion::DraftGoessner {
                warnings.push(Warning {
                    span: whole,
                    message: "draft-goessner JSONPath is evaluated with RFC 9535 semantics where the syntax overlaps"
                        .to_owned(),
                    spec_form: None,
                });
            }
            (
                Criterion::JsonPath {
                    version,
                    context,
                    query: query.value,
                },
                warnings,
            )
        }
        CriterionKind::XPath(version) => {
            let (context, expression, is_static) = pattern(context)?;
            let mut warnings = expression.warnings;
            xpath::check(condition, is_static, whole, &mut warnings)?;
            if version == XPathVersion::XPath10 {
                warnings.push(Warning {
                    span: whole,
                    message:
                        "xpath-10 is evaluated with XPath 3.1 semantics (no 1.0 compatibility mode)"
                            .to_owned(),
                    spec_form: None,
                });
            }
            (
                Criterion::XPath {
                    version,
                    context,
                    expression: expression.value,
                },
                warnings,
            )
        }
    };
    Ok(Parsed {
        value: criterion,
        warnings,
    })
}

/// Evaluates a criterion. Never panics: a false condition gives [`CriterionOutcome::Failed`],
/// anything that prevents evaluation gives [`CriterionOutcome::Error`]. A `regex`,
/// `jsonpath` or `xpath` criterion whose context is missing or `null` fails.
pub fn evaluate_criterion(criterion: &Criterion, ctx: &dyn Context) -> CriterionOutcome {
    match criterion {
        Criterion::Simple(condition) => {
            if eval::evaluate_condition(condition, ctx) {
                CriterionOutcome::Passed
            } else {
                CriterionOutcome::Failed {
                    reason: explain(condition, ctx),
                }
            }
        }
        Criterion::Regex { context, pattern } => {
            with_context(context, pattern, ctx, |value, pattern| {
                let regex = Pattern::new(pattern).map_err(|reason| EvalError::InvalidRegex {
                    pattern: pattern.to_owned(),
                    reason,
                })?;
                let text = value::to_text(value);
                Ok(holds(regex.is_match(&text)?, || {
                    format!("`{pattern}` does not match `{text}`")
                }))
            })
        }
        Criterion::JsonPath { context, query, .. } => {
            with_context(context, query, ctx, |value, query| {
                let path =
                    compile_jsonpath(query).map_err(|reason| EvalError::InvalidJsonPath {
                        query: query.to_owned(),
                        reason,
                    })?;
                Ok(holds(!path.query(value).is_empty(), || {
                    // Redocly Respect applies a root filter to the context itself; RFC 9535
                    // to its members. Say so where only the other reading matches.
                    let on_itself = query.trim_start().starts_with("$[?")
                        && value.is_object()
                        && !path
                            .query(&serde_json::Value::Array(vec![value.clone()]))
                            .is_empty();
                    match on_itself {
                        true => format!(
                            "`{query}` selects no node: RFC 9535 filters the members of the context, and only the context itself matches (as Redocly Respect reads it); use a simple condition or the parent as the context"
                        ),
                        false => format!("`{query}` selects no node"),
                    }
                }))
            })
        }
        Criterion::XPath {
            context,
            expression,
            ..
        } => with_context(context, expression, ctx, |value, expression| {
            xpath::evaluate(value, expression)
        }),
    }
}

/// Evaluates the context and renders the condition, then runs `check`, whose `Ok(Err(reason))`
/// is a false condition.
fn with_context(
    context: &Expression,
    condition: &Template,
    ctx: &dyn Context,
    check: impl FnOnce(&Value, &str) -> Result<Result<(), String>, EvalError>,
) -> CriterionOutcome {
    let value = match eval::evaluate(context, ctx) {
        Ok(Value::Null) => {
            return CriterionOutcome::Failed {
                reason: format!("the context `{context}` is null"),
            };
        }
        Ok(value) => value,
        Err(_) => {
            return CriterionOutcome::Failed {
                reason: format!("the context `{context}` is missing"),
            };
        }
    };
    let condition = match eval::render_template(condition, ctx) {
        Ok(text) => text,
        Err(err) => return CriterionOutcome::Error(err),
    };
    match check(&value, &condition) {
        Ok(Ok(())) => CriterionOutcome::Passed,
        Ok(Err(reason)) => CriterionOutcome::Failed { reason },
        Err(err) => CriterionOutcome::Error(err),
    }
}

/// A value for a reason text, in backticks, cut after 80 characters.
fn excerpt(text: &str) -> String {
    if text.chars().count() > 80 {
        format!("`{}…`", text.chars().take(80).collect::<String>())
    } else {
        format!("`{text}`")
    }
}

/// `Ok(())` when the condition holds, else the reason it does not.
fn holds(condition: bool, reason: impl FnOnce() -> String) -> Result<(), String> {
    if condition { Ok(()) } else { Err(reason()) }
}

/// "`$statusCode == 200` is false (`$statusCode` = `404`)".
fn explain(condition: &Condition, ctx: &dyn Context) -> String {
    let mut operands = Vec::new();
    collect_operands(condition, &mut operands);
    let values: Vec<String> = operands
        .iter()
        .map(|operand| match eval::comparable(operand, ctx) {
            Some(value) => format!("`{operand}` = {}", excerpt(&value.to_string())),
            None => format!("`{operand}` = missing"),
        })
        .collect();
    if values.is_empty() {
        format!("`{condition}` is false")
    } else {
        format!("`{condition}` is false ({})", values.join(", "))
    }
}

fn collect_operands<'a>(condition: &'a Condition, found: &mut Vec<&'a Comparable>) {
    let mut push = |comparable: &'a Comparable| {
        if matches!(comparable, Comparable::Operand(_)) && !found.contains(&comparable) {
            found.push(comparable);
        }
    };
    match condition {
        Condition::Or { operands, .. } | Condition::And { operands, .. } => {
            operands
                .iter()
                .for_each(|operand| collect_operands(operand, found));
        }
        Condition::Not { operand: inner, .. } | Condition::Group { inner, .. } => {
            collect_operands(inner, found);
        }
        Condition::Comparison { left, right, .. } => {
            push(left);
            push(right);
        }
        Condition::Value(comparable) => push(comparable),
    }
}

/// Parses a JSONPath query whose nesting is bounded; the error is the reason it is refused.
fn compile_jsonpath(query: &str) -> Result<serde_json_path::JsonPath, String> {
    limits::check_bounds(query, Syntax::JsonPath)?;
    serde_json_path::JsonPath::parse(query).map_err(|err| err.to_string())
}

#[cfg(feature = "xpath")]
mod xpath {
    use serde_json::Value;
    use xee_xpath::{DocumentHandle, Documents, Queries, Query as _, Sequence};

    use crate::ast::Span;
    use crate::error::{EvalError, ParseError, ParseErrorKind, Warning};
    use crate::limits::{self, Syntax};

    pub(super) fn check(
        expression: &str,
        is_static: bool,
        whole: Span,
        _: &mut Vec<Warning>,
    ) -> Result<(), ParseError> {
        if is_static {
            compile(expression).map_err(|reason| {
                ParseError::new(
                    whole,
                    ParseErrorKind::InvalidXPath {
                        expression: expression.to_owned(),
                        reason,
                    },
                )
            })?;
        }
        Ok(())
    }

    /// Compiles an XPath expression whose nesting is bounded; the error is the reason it is
    /// refused.
    fn compile(expression: &str) -> Result<xee_xpath::query::SequenceQuery, String> {
        limits::check_bounds(expression, Syntax::XPath)?;
        Queries::default()
            .sequence(expression)
            .map_err(|err| err.to_string())
    }

    pub(super) fn evaluate(
        value: &Value,
        expression: &str,
    ) -> Result<Result<(), String>, EvalError> {
        let Value::String(xml) = value else {
            return Err(EvalError::NotXml {
                reason: format!("the context is JSON, not XML text: `{value}`"),
            });
        };
        let (_, _, sequence) = select(xml, expression)?;
        let holds = sequence
            .effective_boolean_value()
            .map_err(|err| EvalError::XPath {
                reason: err.to_string(),
            })?;
        Ok(super::holds(holds, || format!("`{expression}` is false")))
    }

    /// Parses `xml` and evaluates `expression` on it: the documents (to read or change what it
    /// selected), the document, and the result.
    fn select(
        xml: &str,
        expression: &str,
    ) -> Result<(Documents, DocumentHandle, Sequence), EvalError> {
        let mut documents = Documents::new();
        let document = documents
            .add_string_without_uri(xml)
            .map_err(|err| EvalError::NotXml {
                reason: err.to_string(),
            })?;
        let query = compile(expression).map_err(|reason| EvalError::InvalidXPath {
            expression: expression.to_owned(),
            reason,
        })?;
        let sequence = query
            .execute(&mut documents, document)
            .map_err(|err| EvalError::XPath {
                reason: err.to_string(),
            })?;
        Ok((documents, document, sequence))
    }

    pub(super) fn replace(xml: &str, target: &str, value: &str) -> Result<String, EvalError> {
        let failed = |reason: String| EvalError::XPath { reason };
        let (mut documents, document, selected) = select(xml, target)?;
        let nodes = selected
            .iter()
            .map(|item| item.to_node())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                failed(format!(
                    "`{target}` selects values, not elements or attributes"
                ))
            })?;
        if nodes.is_empty() {
            return Err(failed(format!("`{target}` selects nothing in the payload")));
        }
        let xot = documents.xot_mut();
        for node in nodes {
            if xot.is_attribute_node(node) {
                if let Some(attribute) = xot.attribute_node_mut(node) {
                    attribute.set_value(value);
                }
            } else if let Some(text) = xot.text_content_mut(node) {
                text.set(value);
            } else {
                return Err(failed(format!(
                    "`{target}` selects an element with child elements: select an element holding text, or an attribute"
                )));
            }
        }
        let root = documents
            .document_node(document)
            .ok_or_else(|| failed("the payload has no document node".to_owned()))?;
        documents
            .xot()
            .to_string(root)
            .map_err(|err| failed(err.to_string()))
    }
}

#[cfg(not(feature = "xpath"))]
mod xpath {
    use serde_json::Value;

    use crate::ast::Span;
    use crate::error::{EvalError, ParseError, Warning};

    pub(super) fn check(
        _: &str,
        _: bool,
        whole: Span,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), ParseError> {
        warnings.push(Warning {
            span: whole,
            message:
                "xpath criteria need the `xpath` feature of `arazzo-expr`; this criterion will fail"
                    .to_owned(),
            spec_form: None,
        });
        Ok(())
    }

    pub(super) fn evaluate(_: &Value, _: &str) -> Result<Result<(), String>, EvalError> {
        Err(EvalError::XPathFeature)
    }

    pub(super) fn replace(_: &str, _: &str, _: &str) -> Result<String, EvalError> {
        Err(EvalError::XPathFeature)
    }
}

/// Sets the text of the elements, or the value of the attributes, that the XPath expression
/// `target` selects in the XML text `xml` (a Payload Replacement on an XML payload), and returns
/// the new XML text.
///
/// # Errors
/// When `xml` is not XML, `target` is not an XPath expression, selects nothing, or selects
/// something other than attributes and elements holding only text; without the `xpath`
/// feature, always ([`EvalError::XPathFeature`]).
pub fn replace_in_xml(xml: &str, target: &str, value: &str) -> Result<String, EvalError> {
    xpath::replace(xml, target, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_expression;
    use serde_json::json;
    use std::borrow::Cow;

    struct Xml(Value);

    impl Context for Xml {
        fn input(&self, name: &str) -> Option<Cow<'_, Value>> {
            self.0.get(name).map(Cow::Borrowed)
        }
    }

    fn xpath(condition: &str, version: XPathVersion) -> Result<Parsed<Criterion>, ParseError> {
        let context = parse_expression("$inputs.xml", Mode::Strict).unwrap().value;
        parse_criterion(
            CriterionKind::XPath(version),
            Some(context),
            condition,
            Mode::Strict,
        )
    }

    #[cfg(not(feature = "xpath"))]
    #[test]
    fn xpath_without_the_feature_warns_and_never_passes() {
        let parsed = xpath("/root", XPathVersion::XPath31).unwrap();
        assert_eq!(
            parsed.warnings[0].message,
            "xpath criteria need the `xpath` feature of `arazzo-expr`; this criterion will fail"
        );
        let ctx = Xml(json!({"xml": "<root/>"}));
        assert_eq!(
            evaluate_criterion(&parsed.value, &ctx),
            CriterionOutcome::Error(EvalError::XPathFeature)
        );
    }

    #[cfg(feature = "xpath")]
    #[test]
    fn xpath_uses_the_effective_boolean_value() {
        let ctx = Xml(json!({"xml": "<root><pet status='available'>Rex</pet><n>0</n></root>"}));
        let outcome = |condition| {
            evaluate_criterion(
                &xpath(condition, XPathVersion::XPath31).unwrap().value,
                &ctx,
            )
        };
        assert_eq!(
            outcome("/root/pet[@status = 'available']"),
            CriterionOutcome::Passed
        );
        assert_eq!(
            outcome("string(/root/pet) = 'Rex'"),
            CriterionOutcome::Passed
        );
        assert!(matches!(
            outcome("/root/missing"),
            CriterionOutcome::Failed { .. }
        ));
        assert!(matches!(
            outcome("number(/root/n)"),
            CriterionOutcome::Failed { .. }
        ));
        assert!(matches!(outcome("''"), CriterionOutcome::Failed { .. }));
    }

    #[cfg(feature = "xpath")]
    #[test]
    fn xpath_errors() {
        let err = xpath("//[", XPathVersion::XPath31).unwrap_err();
        assert!(
            matches!(err.kind, ParseErrorKind::InvalidXPath { .. }),
            "{err:?}"
        );
        let criterion = xpath("/root", XPathVersion::XPath30).unwrap().value;
        let not_xml = evaluate_criterion(&criterion, &Xml(json!({"xml": {"root": 1}})));
        assert!(
            matches!(not_xml, CriterionOutcome::Error(EvalError::NotXml { .. })),
            "{not_xml:?}"
        );
        let malformed = evaluate_criterion(&criterion, &Xml(json!({"xml": "<root>"})));
        assert!(
            matches!(malformed, CriterionOutcome::Error(EvalError::NotXml { .. })),
            "{malformed:?}"
        );
        let warned = xpath("/root", XPathVersion::XPath10).unwrap();
        assert_eq!(warned.warnings.len(), 1);
    }

    #[test]
    fn regex_and_jsonpath_are_checked_when_static() {
        let context = || Some(parse_expression("$inputs.xml", Mode::Strict).unwrap().value);
        let regex =
            parse_criterion(CriterionKind::Regex, context(), "a(", Mode::Strict).unwrap_err();
        assert!(matches!(regex.kind, ParseErrorKind::InvalidRegex { .. }));
        assert_eq!(regex.span, Span::new(0, 2));
        let jsonpath = CriterionKind::JsonPath(JsonPathVersion::Rfc9535);
        assert!(parse_criterion(jsonpath, context(), "$.a != 1", Mode::Strict).is_err());
        // With `{$…}` parts the check waits for evaluation.
        assert!(parse_criterion(jsonpath, context(), "$[{$inputs.i}]", Mode::Strict).is_ok());
        assert!(parse_criterion(CriterionKind::Regex, None, "a", Mode::Strict).is_err());
    }
}
