//! Selector Objects (Arazzo 1.1): a `context` runtime expression and a `selector` of type
//! `jsonpointer`, `jsonpath` or `xpath` applied to its value (see the crate's decision 17).

use serde_json::{Map, Value};

use crate::ast::{Expression, Span};
use crate::error::{EvalError, ParseError, ParseErrorKind};
use crate::eval::criterion::{refused_warning, version_warning};
use crate::eval::language::{
    self, JsonPathVersion, TypeError, Versioned, XPathVersion, compile_jsonpath,
};
use crate::eval::{self, Context, xpath};
use crate::parse::{Mode, Parsed, parse_expression};
use crate::pointer::JsonPointer;

/// The language of a Selector Object's `selector`: its `type`, with the version of an
/// Expression Type Object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectorKind {
    /// `jsonpointer` (RFC 6901, version `rfc6901`): a plain pointer such as `/items/0`.
    JsonPointer,
    /// `jsonpath`.
    JsonPath(JsonPathVersion),
    /// `xpath`.
    XPath(XPathVersion),
}

impl SelectorKind {
    /// The kind for a `type` string, or an Expression Type Object's `type` and `version`.
    ///
    /// ```
    /// use arazzo_expr::{SelectorKind, XPathVersion};
    ///
    /// assert_eq!(SelectorKind::parse_type("jsonpointer", None), Ok(SelectorKind::JsonPointer));
    /// assert_eq!(
    ///     SelectorKind::parse_type("xpath", Some("xpath-30")),
    ///     Ok(SelectorKind::XPath(XPathVersion::XPath30)),
    /// );
    /// assert!(SelectorKind::parse_type("regex", None).is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// [`TypeError::UnknownType`] (`simple` and `regex` are criterion types only) or
    /// [`TypeError::UnknownVersion`].
    pub fn parse_type(type_name: &str, version: Option<&str>) -> Result<Self, TypeError> {
        match language::versioned(type_name, version)? {
            Some(Versioned::JsonPointer) => Ok(SelectorKind::JsonPointer),
            Some(Versioned::JsonPath(version)) => Ok(SelectorKind::JsonPath(version)),
            Some(Versioned::XPath(version)) => Ok(SelectorKind::XPath(version)),
            None => Err(TypeError::UnknownType {
                role: "selector",
                name: type_name.to_owned(),
                expected: "`jsonpath`, `xpath` or `jsonpointer`",
            }),
        }
    }

    /// The kind for the JSON value of a `type` field: a string, or an Expression Type Object
    /// (`{type, version}`, `x-` extensions ignored). `None` when the value is neither.
    ///
    /// # Errors
    ///
    /// As [`parse_type`](Self::parse_type).
    pub fn from_json(value: &Value) -> Option<Result<Self, TypeError>> {
        match value {
            Value::String(name) => Some(Self::parse_type(name, None)),
            Value::Object(object) => {
                let name = object.get("type")?.as_str()?;
                let version = match object.get("version") {
                    None => None,
                    Some(version) => Some(version.as_str()?),
                };
                Some(Self::parse_type(name, version))
            }
            _ => None,
        }
    }

    /// The `type` string.
    pub fn type_name(self) -> &'static str {
        match self {
            SelectorKind::JsonPointer => "jsonpointer",
            SelectorKind::JsonPath(_) => "jsonpath",
            SelectorKind::XPath(_) => "xpath",
        }
    }
}

/// A checked Selector Object: [`parse_selector`] builds it, [`evaluate_selector`] applies it.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    context: Expression,
    kind: SelectorKind,
    selector: String,
    compiled: Compiled,
}

/// What evaluation runs: compiled once, at validation.
#[derive(Debug, Clone, PartialEq)]
enum Compiled {
    Pointer(JsonPointer),
    JsonPath(serde_json_path::JsonPath),
    XPath,
    /// A version this engine cannot evaluate with its own semantics.
    Unsupported(EvalError),
}

impl Selector {
    /// The `context` expression.
    pub fn context(&self) -> &Expression {
        &self.context
    }

    /// The `type`.
    pub fn kind(&self) -> SelectorKind {
        self.kind
    }

    /// The `selector` string, as written (`{$…}` in it is text, not an expression).
    pub fn selector(&self) -> &str {
        &self.selector
    }
}

/// Why a Selector Object found in a document does not parse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SelectorError {
    /// The `context` is not a runtime expression; spans refer to it.
    #[error("context: {0}")]
    Context(ParseError),
    /// The `selector` is not valid in its language; spans refer to it.
    #[error("selector: {0}")]
    Selector(ParseError),
    /// The `type` names no selector language.
    #[error("type: {0}")]
    Type(TypeError),
}

/// Checks a Selector Object's `selector` against its type, at validation time. `context` is
/// the parsed `context` field (parse it with [`parse_expression`](crate::parse_expression));
/// spans in errors and warnings refer to `selector`. `{$…}` in `selector` is not substituted
/// (checklist D16): it stays text.
///
/// A non-default version this engine cannot evaluate with that version's semantics
/// (`xpath-10`, a draft-goessner query outside the syntax it shares with RFC 9535) parses
/// with a warning, and evaluates to [`EvalError::UnsupportedVersion`]; so does an `xpath`
/// selector without the `xpath` feature ([`EvalError::XPathFeature`]).
///
/// # Errors
///
/// [`ParseErrorKind::PointerFragment`] for a `jsonpointer` written as a URI fragment (`#/a`),
/// [`ParseErrorKind::InvalidPointer`], [`ParseErrorKind::InvalidJsonPath`] or
/// [`ParseErrorKind::InvalidXPath`] (with the `xpath` feature).
pub fn parse_selector(
    kind: SelectorKind,
    context: Expression,
    selector: &str,
) -> Result<Parsed<Selector>, ParseError> {
    let whole = Span::new(0, selector.len());
    let mut warnings = Vec::new();
    let compiled = match kind {
        SelectorKind::JsonPointer => {
            if let Some(plain) = selector.strip_prefix('#') {
                let pointer = selector.to_owned();
                let plain = plain.to_owned();
                return Err(ParseError::new(
                    whole,
                    ParseErrorKind::PointerFragment { pointer, plain },
                ));
            }
            let pointer = JsonPointer::parse(selector).map_err(|reason| {
                let pointer = selector.to_owned();
                ParseError::new(whole, ParseErrorKind::InvalidPointer { pointer, reason })
            })?;
            Compiled::Pointer(pointer)
        }
        SelectorKind::JsonPath(JsonPathVersion::Rfc9535) => {
            Compiled::JsonPath(compile_jsonpath(selector).map_err(|reason| {
                let query = selector.to_owned();
                ParseError::new(whole, ParseErrorKind::InvalidJsonPath { query, reason })
            })?)
        }
        SelectorKind::JsonPath(version) => {
            let compiled = language::compile_versioned(selector, version);
            let checked = compiled.as_ref().map(drop).map_err(Clone::clone);
            warnings.extend(version_warning(whole, version, Some(checked)));
            match compiled {
                Ok(path) => Compiled::JsonPath(path),
                Err(err) => Compiled::Unsupported(err),
            }
        }
        SelectorKind::XPath(version) => {
            xpath::check(selector, true, whole)?;
            let feature = match crate::XPATH {
                true => Ok(()),
                false => Err(EvalError::XPathFeature),
            };
            match language::check_xpath_version(version).and(feature) {
                Ok(()) => Compiled::XPath,
                Err(err) => {
                    warnings.push(refused_warning(whole, &err));
                    Compiled::Unsupported(err)
                }
            }
        }
    };
    Ok(Parsed {
        value: Selector {
            context,
            kind,
            selector: selector.to_owned(),
            compiled,
        },
        warnings,
    })
}

/// Whether a JSON value of a payload or parameter value is a Selector Object (checklist D15):
/// an object whose keys are exactly `context`, `selector` and `type` (and `x-` extensions),
/// with a `context` string starting with `$`, a `selector` string, and a `type` that is a
/// selector type name or an Expression Type Object naming one. Any other object is literal.
///
/// ```
/// use arazzo_expr::is_selector_object;
/// use serde_json::json;
///
/// assert!(is_selector_object(&json!({"context": "$response.body", "selector": "$.id", "type": "jsonpath"})));
/// assert!(is_selector_object(&json!({
///     "context": "$steps.a.outputs.xml", "selector": "/a", "type": {"type": "xpath", "version": "xpath-30"},
/// })));
/// // A literal payload that happens to have these keys, and more.
/// assert!(!is_selector_object(&json!({"context": "$x", "selector": "s", "type": "jsonpath", "id": 1})));
/// assert!(!is_selector_object(&json!({"context": "text", "selector": "s", "type": "jsonpath"})));
/// ```
pub fn is_selector_object(value: &Value) -> bool {
    let Value::Object(object) = value else {
        return false;
    };
    let known = |name: &Value| matches!(name.as_str(), Some("jsonpath" | "xpath" | "jsonpointer"));
    let type_ok = match object.get("type") {
        Some(Value::Object(expression_type)) => {
            expression_type.get("type").is_some_and(known)
                && expression_type.get("version").is_none_or(Value::is_string)
                && only_keys(expression_type, &["type", "version"])
        }
        Some(name) => known(name),
        None => false,
    };
    type_ok
        && only_keys(object, &["context", "selector", "type"])
        && object.len() >= 3
        && object
            .get("context")
            .and_then(Value::as_str)
            .is_some_and(|context| context.starts_with('$'))
        && object.get("selector").is_some_and(Value::is_string)
}

/// Whether every key of `object` is one of `keys` or an `x-` extension.
fn only_keys(object: &Map<String, Value>, keys: &[&str]) -> bool {
    object
        .keys()
        .all(|key| keys.contains(&key.as_str()) || key.starts_with("x-"))
}

impl Selector {
    /// Parses a JSON value that [`is_selector_object`]: its `context` in `mode`, its `type`,
    /// then its `selector` ([`parse_selector`]). `None` when the value is not a Selector Object.
    ///
    /// # Errors
    ///
    /// A [`SelectorError`] naming the field that does not parse.
    pub fn from_json(value: &Value, mode: Mode) -> Option<Result<Parsed<Selector>, SelectorError>> {
        if !is_selector_object(value) {
            return None;
        }
        let field = |name: &str| value.get(name).and_then(Value::as_str).unwrap_or_default();
        let parsed = (|| {
            let context =
                parse_expression(field("context"), mode).map_err(SelectorError::Context)?;
            let kind = value
                .get("type")
                .and_then(SelectorKind::from_json)
                .unwrap_or(Err(TypeError::UnknownType {
                    role: "selector",
                    name: String::new(),
                    expected: "`jsonpath`, `xpath` or `jsonpointer`",
                }))
                .map_err(SelectorError::Type)?;
            let mut parsed = parse_selector(kind, context.value, field("selector"))
                .map_err(SelectorError::Selector)?;
            parsed.warnings.extend(context.warnings);
            Ok(parsed)
        })();
        Some(parsed)
    }
}

/// Evaluates a selector: its `context`, then the selector on that value (checklist D14).
///
/// - `jsonpointer`: the value at the pointer;
/// - `jsonpath`: the node list — one node gives its value, several a JSON array of them in
///   document order;
/// - `xpath`: on the XML text of the context — one item gives a node's string value or an
///   atomic value as a JSON scalar (booleans, numbers; other atomic values as text), several a
///   JSON array.
///
/// # Errors
///
/// [`EvalError::Unresolved`] when the context does not resolve; [`EvalError::NothingSelected`]
/// when nothing is selected or the context is not data the selector applies to (a number,
/// boolean, `null` or string for `jsonpointer`/`jsonpath`, which do not parse strings as JSON;
/// anything but a string for `xpath`) — both are "no value" ([`EvalError::is_unresolved`]);
/// [`EvalError::UnsupportedVersion`], [`EvalError::XPathFeature`], [`EvalError::NotXml`],
/// [`EvalError::XPath`].
pub fn evaluate_selector(selector: &Selector, ctx: &dyn Context) -> Result<Value, EvalError> {
    let value = eval::evaluate(&selector.context, ctx)?;
    let nothing = |reason: String| EvalError::NothingSelected {
        context: selector.context.to_string(),
        selector: selector.selector.clone(),
        reason,
    };
    let structured = || match &value {
        Value::Object(_) | Value::Array(_) => Ok(&value),
        Value::String(_) => Err(nothing(format!(
            "the context is a string; a {} selector needs JSON data (an object or array), not text",
            selector.kind.type_name()
        ))),
        other => Err(nothing(format!(
            "the context is `{other}`, not an object or array"
        ))),
    };
    let selected = match &selector.compiled {
        Compiled::Unsupported(err) => return Err(err.clone()),
        Compiled::Pointer(pointer) => {
            return pointer
                .resolve(structured()?)
                .cloned()
                .ok_or_else(|| nothing("no value at the pointer".to_owned()));
        }
        Compiled::JsonPath(path) => path
            .query(structured()?)
            .all()
            .into_iter()
            .cloned()
            .collect(),
        Compiled::XPath => {
            if !value.is_string() {
                return Err(nothing(format!("the context is `{value}`, not XML text")));
            }
            xpath::select(&value, &selector.selector)?
        }
    };
    one_or_array(selected).ok_or_else(|| nothing("no node matches".to_owned()))
}

/// One value as itself, several as an array, none as `None`.
fn one_or_array(mut values: Vec<Value>) -> Option<Value> {
    match values.len() {
        0 => None,
        1 => values.pop(),
        _ => Some(Value::Array(values)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::borrow::Cow;

    struct Inputs(Value);

    impl Context for Inputs {
        fn input(&self, name: &str) -> Option<Cow<'_, Value>> {
            self.0.get(name).map(Cow::Borrowed)
        }
    }

    fn inputs() -> Inputs {
        Inputs(json!({
            "order": {"id": 7, "items": [{"sku": "A", "n": 1}, {"sku": "B", "n": 2}]},
            "number": 42,
            "text": "{\"id\": 7}",
            "xml": "<order id='7'><item>A</item><item>B</item></order>",
            "wanted": "A",
        }))
    }

    fn select(kind: SelectorKind, context: &str, selector: &str) -> Result<Value, EvalError> {
        let context = parse_expression(context, Mode::Strict).unwrap().value;
        let parsed = parse_selector(kind, context, selector).unwrap();
        evaluate_selector(&parsed.value, &inputs())
    }

    fn nothing(result: Result<Value, EvalError>) -> String {
        match result {
            Err(err @ EvalError::NothingSelected { .. }) => {
                assert!(err.is_unresolved());
                err.to_string()
            }
            other => panic!("{other:?}"),
        }
    }

    const RFC9535: SelectorKind = SelectorKind::JsonPath(JsonPathVersion::Rfc9535);

    #[test]
    fn jsonpointer_selects_one_value() {
        let pointer = SelectorKind::JsonPointer;
        assert_eq!(
            select(pointer, "$inputs.order", "/items/1/sku"),
            Ok(json!("B"))
        );
        assert_eq!(
            select(pointer, "$inputs.order", ""),
            Ok(inputs().0["order"].clone())
        );
        assert_eq!(
            nothing(select(pointer, "$inputs.order", "/items/5")),
            "`/items/5` on `$inputs.order` did not resolve to a value: no value at the pointer"
        );
        assert_eq!(
            nothing(select(pointer, "$inputs.number", "/a")),
            "`/a` on `$inputs.number` did not resolve to a value: the context is `42`, not an object or array"
        );
        // A string is not parsed as JSON: the context MUST be structured data.
        assert_eq!(
            nothing(select(pointer, "$inputs.text", "/id")),
            "`/id` on `$inputs.text` did not resolve to a value: the context is a string; a jsonpointer selector needs JSON data (an object or array), not text"
        );
        let context = || {
            parse_expression("$inputs.order", Mode::Strict)
                .unwrap()
                .value
        };
        let err = parse_selector(pointer, context(), "#/items/0").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a `jsonpointer` selector is a plain JSON pointer, not a URI fragment: write `/items/0`, not `#/items/0`"
        );
        // Plain RFC 6901: `%20` is text, not an escape; `~2` is invalid.
        assert!(parse_selector(pointer, context(), "/a%20b").is_ok());
        let err = parse_selector(pointer, context(), "/a~2").unwrap_err();
        assert!(matches!(err.kind, ParseErrorKind::InvalidPointer { .. }));
        assert!(parse_selector(pointer, context(), "items").is_err());
    }

    #[test]
    fn jsonpath_gives_one_node_or_an_array_in_document_order() {
        assert_eq!(select(RFC9535, "$inputs.order", "$.id"), Ok(json!(7)));
        assert_eq!(
            select(RFC9535, "$inputs.order", "$.items[*].sku"),
            Ok(json!(["A", "B"]))
        );
        assert_eq!(
            select(RFC9535, "$inputs.order", "$.items[?@.n > 1]"),
            Ok(json!({"sku": "B", "n": 2}))
        );
        assert_eq!(
            nothing(select(RFC9535, "$inputs.order", "$.missing")),
            "`$.missing` on `$inputs.order` did not resolve to a value: no node matches"
        );
        assert!(nothing(select(RFC9535, "$inputs.text", "$")).contains("the context is a string"));
        assert!(nothing(select(RFC9535, "$inputs.number", "$")).contains("`42`"));
        // An unresolved context is the context's own error.
        assert_eq!(
            select(RFC9535, "$inputs.none", "$"),
            Err(EvalError::Unresolved {
                expression: "$inputs.none".into()
            })
        );
        let context = parse_expression("$inputs.order", Mode::Strict)
            .unwrap()
            .value;
        let err = parse_selector(RFC9535, context, "$.a ==").unwrap_err();
        assert!(matches!(err.kind, ParseErrorKind::InvalidJsonPath { .. }));
        assert_eq!(err.span, Span::new(0, 6));
    }

    #[test]
    fn embedded_expressions_in_selectors_are_text() {
        // `{$inputs.wanted}` is not substituted (checklist D16): the filter compares with the
        // string "{$inputs.wanted}", which no sku is.
        let result = select(
            RFC9535,
            "$inputs.order",
            "$.items[?@.sku == '{$inputs.wanted}']",
        );
        assert!(nothing(result).contains("no node matches"));
    }

    #[test]
    fn goessner_selectors_run_on_the_shared_syntax_only() {
        let goessner = SelectorKind::JsonPath(JsonPathVersion::DraftGoessner);
        let context = || {
            parse_expression("$inputs.order", Mode::Strict)
                .unwrap()
                .value
        };
        let shared = parse_selector(goessner, context(), "$..sku").unwrap();
        assert_eq!(
            shared.warnings[0].message,
            "draft-goessner-dispatch-jsonpath-00, evaluated by the RFC 9535 engine on the syntax both share"
        );
        assert_eq!(
            evaluate_selector(&shared.value, &inputs()),
            Ok(json!(["A", "B"]))
        );
        let filtered = parse_selector(goessner, context(), "$.items[?(@.n)]").unwrap();
        assert!(filtered.warnings[0].message.ends_with("; this will fail"));
        assert!(matches!(
            evaluate_selector(&filtered.value, &inputs()),
            Err(EvalError::UnsupportedVersion {
                version: "draft-goessner-dispatch-jsonpath-00",
                ..
            })
        ));
    }

    #[test]
    fn xpath_selects_strings_and_atomic_values() {
        let xpath = SelectorKind::XPath(XPathVersion::XPath31);
        if !crate::XPATH {
            assert_eq!(
                select(xpath, "$inputs.xml", "/order/@id"),
                Err(EvalError::XPathFeature)
            );
            return;
        }
        assert_eq!(select(xpath, "$inputs.xml", "/order/@id"), Ok(json!("7")));
        assert_eq!(
            select(xpath, "$inputs.xml", "//item"),
            Ok(json!(["A", "B"]))
        );
        assert_eq!(select(xpath, "$inputs.xml", "count(//item)"), Ok(json!(2)));
        assert_eq!(
            select(xpath, "$inputs.xml", "count(//item) > 1"),
            Ok(json!(true))
        );
        assert_eq!(select(xpath, "$inputs.xml", "1 div 4"), Ok(json!(0.25)));
        assert_eq!(
            select(xpath, "$inputs.xml", "xs:double('INF')"),
            Ok(json!("INF"))
        );
        assert!(nothing(select(xpath, "$inputs.xml", "//missing")).contains("no node matches"));
        assert!(nothing(select(xpath, "$inputs.order", "/order")).contains("not XML text"));
        assert!(matches!(
            select(xpath, "$inputs.text", "/order"),
            Err(EvalError::NotXml { .. })
        ));
        let older = SelectorKind::XPath(XPathVersion::XPath30);
        assert_eq!(
            select(older, "$inputs.xml", "/order/item[2]"),
            Ok(json!("B"))
        );
        let context = parse_expression("$inputs.xml", Mode::Strict).unwrap().value;
        let err = parse_selector(xpath, context.clone(), "//[").unwrap_err();
        assert!(matches!(err.kind, ParseErrorKind::InvalidXPath { .. }));
        let one = parse_selector(
            SelectorKind::XPath(XPathVersion::XPath10),
            context,
            "/order",
        )
        .unwrap();
        assert_eq!(one.warnings.len(), 1);
        assert!(matches!(
            evaluate_selector(&one.value, &inputs()),
            Err(EvalError::UnsupportedVersion {
                version: "xpath-10",
                ..
            })
        ));
    }

    #[test]
    fn selector_objects_are_told_from_literals() {
        for selector in [
            json!({"context": "$response.body", "selector": "$.id", "type": "jsonpath"}),
            json!({"context": "$inputs.a", "selector": "/a", "type": "jsonpointer", "x-note": 1}),
            json!({"context": "$inputs.a", "selector": "/a", "type": {"type": "xpath", "version": "xpath-10", "x-a": 1}}),
            // A wrong version is still a selector, so that it is reported, not sent.
            json!({"context": "$inputs.a", "selector": "/a", "type": {"type": "xpath", "version": "rfc9535"}}),
        ] {
            assert!(is_selector_object(&selector), "{selector}");
        }
        for literal in [
            json!({"context": "$response.body", "selector": "$.id"}),
            json!({"context": "$response.body", "selector": "$.id", "type": "jsonpath", "extra": 1}),
            json!({"context": "response.body", "selector": "$.id", "type": "jsonpath"}),
            json!({"context": 1, "selector": "$.id", "type": "jsonpath"}),
            json!({"context": "$inputs.a", "selector": 1, "type": "jsonpath"}),
            json!({"context": "$inputs.a", "selector": "/a", "type": "regex"}),
            json!({"context": "$inputs.a", "selector": "/a", "type": {"type": "xpath", "other": 1}}),
            json!({"context": "$inputs.a", "selector": "/a", "type": {"version": "xpath-30"}}),
            json!(["$inputs.a", "/a", "jsonpointer"]),
            json!("$inputs.a"),
        ] {
            assert!(!is_selector_object(&literal), "{literal}");
        }
    }

    #[test]
    fn selector_objects_parse_from_json() {
        let parsed = Selector::from_json(
            &json!({"context": "$inputs.order", "selector": "$.id", "type": {"type": "jsonpath", "version": "rfc9535"}}),
            Mode::Strict,
        );
        let parsed = parsed.unwrap().unwrap();
        assert_eq!(parsed.value.kind(), RFC9535);
        assert_eq!(parsed.value.selector(), "$.id");
        assert_eq!(parsed.value.context().to_string(), "$inputs.order");
        assert_eq!(evaluate_selector(&parsed.value, &inputs()), Ok(json!(7)));
        // The context reads lenient forms in lenient mode, with their warning.
        let lenient = Selector::from_json(
            &json!({"context": "$inputs.order.items[0]", "selector": "/sku", "type": "jsonpointer"}),
            Mode::Lenient,
        );
        let lenient = lenient.unwrap().unwrap();
        assert_eq!(lenient.warnings.len(), 1);
        assert_eq!(evaluate_selector(&lenient.value, &inputs()), Ok(json!("A")));
        let error = |value: Value| {
            Selector::from_json(&value, Mode::Strict)
                .unwrap()
                .unwrap_err()
        };
        assert!(matches!(
            error(json!({"context": "$inputs.", "selector": "/a", "type": "jsonpointer"})),
            SelectorError::Context(_)
        ));
        assert_eq!(
            error(json!({"context": "$inputs.a", "selector": "/a", "type": {"type": "xpath", "version": "rfc9535"}})).to_string(),
            "type: `xpath` has no version `rfc9535`; expected `xpath-31`, `xpath-30`, `xpath-20` or `xpath-10`"
        );
        assert!(matches!(
            error(json!({"context": "$inputs.a", "selector": "#/a", "type": "jsonpointer"})),
            SelectorError::Selector(_)
        ));
        assert!(Selector::from_json(&json!({"a": 1}), Mode::Strict).is_none());
    }
}
