//! XPath through `xee-xpath` (XPath 3.1), behind the `xpath` feature; without it every
//! evaluation is [`EvalError::XPathFeature`](crate::EvalError::XPathFeature).

pub(crate) use imp::{check, evaluate, replace, select};

#[cfg(feature = "xpath")]
mod imp {
    use serde_json::Value;
    use xee_xpath::{Atomic, DocumentHandle, Documents, Item, Queries, Query as _, Sequence};

    use crate::ast::Span;
    use crate::error::{EvalError, ParseError, ParseErrorKind};
    use crate::limits::{self, Syntax};

    /// Checks a static expression at parse time.
    pub(crate) fn check(expression: &str, is_static: bool, whole: Span) -> Result<(), ParseError> {
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

    /// The effective boolean value of `expression` on the XML text `value`: `Ok(Err(reason))`
    /// when it is false.
    pub(crate) fn evaluate(
        value: &Value,
        expression: &str,
    ) -> Result<Result<(), String>, EvalError> {
        let (_, _, sequence) = run(xml_text(value)?, expression)?;
        let holds = sequence
            .effective_boolean_value()
            .map_err(|err| EvalError::XPath {
                reason: err.to_string(),
            })?;
        Ok(crate::eval::criterion::holds(holds, || {
            format!("`{expression}` is false")
        }))
    }

    /// What `expression` selects in the XML text `value`, as JSON: a node as its string value,
    /// a boolean or number as a JSON scalar, other atomic values as their string value.
    pub(crate) fn select(value: &Value, expression: &str) -> Result<Vec<Value>, EvalError> {
        let (documents, _, sequence) = run(xml_text(value)?, expression)?;
        let xot = documents.xot();
        sequence
            .iter()
            .map(|item| {
                let text = item.string_value(xot).map_err(|err| EvalError::XPath {
                    reason: format!("`{expression}` selects a function or map: {err}"),
                })?;
                Ok(match item {
                    Item::Atomic(Atomic::Boolean(flag)) => Value::Bool(flag),
                    Item::Atomic(
                        Atomic::Integer(..)
                        | Atomic::Decimal(_)
                        | Atomic::Double(_)
                        | Atomic::Float(_),
                    ) => serde_json::from_str(&text)
                        .map(Value::Number)
                        // `NaN` and `INF` have no JSON number.
                        .unwrap_or(Value::String(text)),
                    _ => Value::String(text),
                })
            })
            .collect()
    }

    fn xml_text(value: &Value) -> Result<&str, EvalError> {
        match value {
            Value::String(xml) => Ok(xml),
            _ => Err(EvalError::NotXml {
                reason: format!("the context is JSON, not XML text: `{value}`"),
            }),
        }
    }

    /// Parses `xml` and evaluates `expression` on it: the documents (to read or change what it
    /// selected), the document, and the result.
    fn run(
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

    pub(crate) fn replace(xml: &str, target: &str, value: &str) -> Result<String, EvalError> {
        let failed = |reason: String| EvalError::XPath { reason };
        let (mut documents, document, selected) = run(xml, target)?;
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
mod imp {
    use serde_json::Value;

    use crate::ast::Span;
    use crate::error::{EvalError, ParseError};

    /// Nothing to check without an engine; callers warn that evaluation will fail.
    pub(crate) fn check(_: &str, _: bool, _: Span) -> Result<(), ParseError> {
        Ok(())
    }

    pub(crate) fn evaluate(_: &Value, _: &str) -> Result<Result<(), String>, EvalError> {
        Err(EvalError::XPathFeature)
    }

    pub(crate) fn select(_: &Value, _: &str) -> Result<Vec<Value>, EvalError> {
        Err(EvalError::XPathFeature)
    }

    pub(crate) fn replace(_: &str, _: &str, _: &str) -> Result<String, EvalError> {
        Err(EvalError::XPathFeature)
    }
}
