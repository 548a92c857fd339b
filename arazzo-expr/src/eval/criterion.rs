//! Criterion Objects: `simple`, `regex`, `jsonpath` and `xpath` conditions.

use serde_json::Value;

use crate::ast::{Comparable, Condition, Expression, Span, Template};
use crate::error::{EvalError, ParseError, ParseErrorKind, Warning};
use crate::eval::language::{
    self, JsonPathVersion, TypeError, Versioned, XPathVersion, compile_jsonpath,
};
use crate::eval::regex::Pattern;
use crate::eval::{self, Context, value, xpath};
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

impl CriterionKind {
    /// The kind for a Criterion Object's `type` string, or for an Expression Type Object's
    /// `type` and `version`; `None` for anything else (see [`parse_type`](Self::parse_type)
    /// for why).
    ///
    /// ```
    /// use arazzo_expr::{CriterionKind, JsonPathVersion, XPathVersion};
    ///
    /// assert_eq!(CriterionKind::from_type("jsonpath", None), Some(CriterionKind::JsonPath(JsonPathVersion::Rfc9535)));
    /// assert_eq!(
    ///     CriterionKind::from_type("jsonpath", Some("draft-goessner-dispatch-jsonpath-00")),
    ///     Some(CriterionKind::JsonPath(JsonPathVersion::DraftGoessner)),
    /// );
    /// // Arazzo 1.1 names the default versions too.
    /// assert_eq!(CriterionKind::from_type("xpath", Some("xpath-31")), Some(CriterionKind::XPath(XPathVersion::XPath31)));
    /// assert_eq!(CriterionKind::from_type("regex", Some("xpath-10")), None);
    /// ```
    pub fn from_type(type_name: &str, version: Option<&str>) -> Option<Self> {
        Self::parse_type(type_name, version).ok()
    }

    /// As [`from_type`](Self::from_type), with the reason when the type is not a criterion
    /// language: an unknown type or version, or `jsonpointer` (a selector type only).
    ///
    /// # Errors
    ///
    /// [`TypeError::JsonPointerCriterion`], [`TypeError::UnknownType`],
    /// [`TypeError::UnknownVersion`].
    pub fn parse_type(type_name: &str, version: Option<&str>) -> Result<Self, TypeError> {
        Ok(
            match (type_name, language::versioned(type_name, version)?) {
                (_, Some(Versioned::JsonPath(version))) => CriterionKind::JsonPath(version),
                (_, Some(Versioned::XPath(version))) => CriterionKind::XPath(version),
                (_, Some(Versioned::JsonPointer)) => return Err(TypeError::JsonPointerCriterion),
                ("simple", None) => CriterionKind::Simple,
                ("regex", None) => CriterionKind::Regex,
                (name, None) => {
                    return Err(TypeError::UnknownType {
                        role: "criterion",
                        name: name.to_owned(),
                        expected: "`simple`, `regex`, `jsonpath` or `xpath`",
                    });
                }
            },
        )
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
            let mut warnings = query.warnings;
            match version {
                JsonPathVersion::Rfc9535 if is_static => {
                    compile_jsonpath(condition).map_err(|reason| {
                        let query = condition.to_owned();
                        ParseError::new(whole, ParseErrorKind::InvalidJsonPath { query, reason })
                    })?;
                }
                JsonPathVersion::Rfc9535 => {}
                JsonPathVersion::DraftGoessner => {
                    let checked = is_static
                        .then(|| language::compile_versioned(condition, version).map(drop));
                    warnings.extend(version_warning(whole, version, checked));
                }
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
            xpath::check(condition, is_static, whole)?;
            if let Err(err) = language::check_xpath_version(version) {
                warnings.push(refused_warning(whole, &err));
            }
            if !crate::XPATH {
                warnings.push(Warning {
                    span: whole,
                    message: "xpath criteria need the `xpath` feature of `arazzo-expr`; this criterion will fail"
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
        Criterion::JsonPath {
            version,
            context,
            query,
        } => with_context(context, query, ctx, |value, query| {
            let path = language::compile_versioned(query, *version)?;
            let reason = holds(!path.query(value).is_empty(), || {
                // Redocly Respect applies a root filter to the context itself; RFC 9535
                // to its members. Say so where only the other reading matches.
                let on_itself = query.trim_start().starts_with("$[?")
                    && value.is_object()
                    && !path.query(&Value::Array(vec![value.clone()])).is_empty();
                match on_itself {
                    true => format!(
                        "`{query}` selects no node: RFC 9535 filters the members of the context, and only the context itself matches (as Redocly Respect reads it); use a simple condition or the parent as the context"
                    ),
                    false => format!("`{query}` selects no node"),
                }
            });
            Ok(noted(reason, language::jsonpath_note(*version)))
        }),
        Criterion::XPath {
            version,
            context,
            expression,
        } => with_context(context, expression, ctx, |value, expression| {
            if crate::XPATH {
                language::check_xpath_version(*version)?;
            }
            let reason = xpath::evaluate(value, expression)?;
            Ok(noted(reason, language::xpath_note(*version)))
        }),
    }
}

/// The warning of a criterion or selector of a non-default version: how it is evaluated, or
/// why it will fail (`checked`: the result of compiling a static query; `None` when the query
/// has `{$…}` parts and is compiled at evaluation).
pub(crate) fn version_warning(
    span: Span,
    version: JsonPathVersion,
    checked: Option<Result<(), EvalError>>,
) -> Option<Warning> {
    let note = language::jsonpath_note(version)?;
    let message = match checked {
        Some(Ok(())) => note.to_owned(),
        Some(Err(err)) => format!("{err}; this will fail"),
        None => format!("{note}; a query outside that syntax fails as not supported"),
    };
    Some(Warning {
        span,
        message,
        spec_form: None,
    })
}

/// A warning that a version will fail.
pub(crate) fn refused_warning(span: Span, err: &EvalError) -> Warning {
    Warning {
        span,
        message: format!("{err}; this will fail"),
        spec_form: None,
    }
}

/// A failure reason that says how a non-default version was evaluated.
fn noted(reason: Result<(), String>, note: Option<&str>) -> Result<(), String> {
    match (reason, note) {
        (Err(reason), Some(note)) => Err(format!("{reason} ({note})")),
        (reason, _) => reason,
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
pub(crate) fn holds(condition: bool, reason: impl FnOnce() -> String) -> Result<(), String> {
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
    fn criterion_types_of_the_expression_type_object() {
        use CriterionKind::{JsonPath, XPath};
        for (type_name, version, kind) in [
            (
                "jsonpath",
                Some("rfc9535"),
                JsonPath(JsonPathVersion::Rfc9535),
            ),
            (
                "jsonpath",
                Some("draft-goessner-dispatch-jsonpath-00"),
                JsonPath(JsonPathVersion::DraftGoessner),
            ),
            ("xpath", Some("xpath-31"), XPath(XPathVersion::XPath31)),
            ("xpath", Some("xpath-30"), XPath(XPathVersion::XPath30)),
            ("xpath", Some("xpath-20"), XPath(XPathVersion::XPath20)),
            ("xpath", Some("xpath-10"), XPath(XPathVersion::XPath10)),
            ("xpath", None, XPath(XPathVersion::XPath31)),
            ("simple", None, CriterionKind::Simple),
        ] {
            assert_eq!(CriterionKind::parse_type(type_name, version), Ok(kind));
        }
        let err = |type_name, version| {
            CriterionKind::parse_type(type_name, version)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("jsonpointer", Some("rfc6901")),
            "`jsonpointer` is a selector type, not a criterion type; use `simple`, `regex`, `jsonpath` or `xpath`"
        );
        assert_eq!(
            err("jsonpointer", None),
            err("jsonpointer", Some("rfc6901"))
        );
        assert_eq!(
            err("jsonpath", Some("xpath-31")),
            "`jsonpath` has no version `xpath-31`; expected `rfc9535` or `draft-goessner-dispatch-jsonpath-00`"
        );
        assert_eq!(
            err("asyncapi", None),
            "unknown criterion type `asyncapi`; expected `simple`, `regex`, `jsonpath` or `xpath`"
        );
        assert!(CriterionKind::parse_type("regex", Some("rfc9535")).is_err());
        assert_eq!(CriterionKind::from_type("jsonpointer", None), None);
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
