//! Evaluation of expressions, templates and conditions against a [`Context`].

pub(crate) mod criterion;
pub(crate) mod language;
mod regex;
pub(crate) mod replace;
pub(crate) mod selector;
mod value;
mod xpath;

use std::borrow::Cow;

use serde_json::Value;

use crate::ast::{
    Comparable, ComponentKind, Condition, Expression, Literal, MessagePart, MessageSource,
    Navigation, Operand, Template, TemplatePart, ValueExpr, WorkflowField,
};
use crate::error::EvalError;
use crate::pointer;

/// Which HTTP message of the step `$request.` / `$response.` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMessage {
    /// The request the step sent.
    Request,
    /// The response it received.
    Response,
}

/// The data a runtime expression reads. The evaluator knows nothing about documents or HTTP;
/// an engine implements this trait over its run state.
///
/// Every method has a default that returns `None` ("not available"), so an implementation
/// provides only what it has; there is no required method. Returning `None` is never an error
/// by itself: [`evaluate`] turns it into [`EvalError::Unresolved`], a simple condition reads
/// it as `null` (see the crate's `# Decisions`).
///
/// Contract:
/// - `None` means the value does not exist: an undeclared input, a step that has not run, an
///   absent header. The evaluator relies on this to resolve dotted names: for
///   `$inputs.customer.firstName` it asks for `customer.firstName`, then `customer`, and
///   navigates into the first value it gets (longest declared name first).
/// - [`header`](Context::header) names must match case-insensitively, and a repeated header
///   must give one value; [`header_value`] implements the documented policy.
/// - [`message_header`](Context::message_header) names match exactly first, then
///   case-insensitively (broker headers are case-sensitive byte strings, the ABNF `token` is
///   not); [`message_header_value`] implements it.
/// - Values keep their JSON type (`$statusCode` is a number, headers are strings, a JSON body
///   is parsed, an XML or text body is a string).
pub trait Context {
    /// `$url`: the request URL.
    fn url(&self) -> Option<Cow<'_, Value>> {
        None
    }
    /// `$method`: the request method.
    fn method(&self) -> Option<Cow<'_, Value>> {
        None
    }
    /// `$statusCode`: the response status, as a number.
    fn status_code(&self) -> Option<Cow<'_, Value>> {
        None
    }
    /// `$request.header.<name>` / `$response.header.<name>`, as a string; `name` is as written.
    fn header(&self, message: HttpMessage, name: &str) -> Option<Cow<'_, Value>> {
        let _ = (message, name);
        None
    }
    /// `$request.query.<name>` / `$response.query.<name>`.
    fn query(&self, message: HttpMessage, name: &str) -> Option<Cow<'_, Value>> {
        let _ = (message, name);
        None
    }
    /// `$request.path.<name>` / `$response.path.<name>`.
    fn path(&self, message: HttpMessage, name: &str) -> Option<Cow<'_, Value>> {
        let _ = (message, name);
        None
    }
    /// `$request.body` / `$response.body`: parsed JSON, or a string for other media types.
    fn body(&self, message: HttpMessage) -> Option<Cow<'_, Value>> {
        let _ = message;
        None
    }
    /// `$inputs.<name>`: an input of the current workflow.
    fn input(&self, name: &str) -> Option<Cow<'_, Value>> {
        let _ = name;
        None
    }
    /// `$outputs.<name>`: an output of the workflow the current step called.
    fn output(&self, name: &str) -> Option<Cow<'_, Value>> {
        let _ = name;
        None
    }
    /// `$steps.<step_id>.outputs.<name>`.
    fn step_output(&self, step_id: &str, name: &str) -> Option<Cow<'_, Value>> {
        let _ = (step_id, name);
        None
    }
    /// `$workflows.<workflow_id>.inputs.<name>`.
    fn workflow_input(&self, workflow_id: &str, name: &str) -> Option<Cow<'_, Value>> {
        let _ = (workflow_id, name);
        None
    }
    /// `$workflows.<workflow_id>.outputs.<name>`.
    fn workflow_output(&self, workflow_id: &str, name: &str) -> Option<Cow<'_, Value>> {
        let _ = (workflow_id, name);
        None
    }
    /// `$sourceDescriptions.<name>.<reference>`: an operationId or workflowId first, then a
    /// field such as `url`.
    fn source_description(&self, name: &str, reference: &str) -> Option<Cow<'_, Value>> {
        let _ = (name, reference);
        None
    }
    /// `$components.<kind>.<key>`.
    fn component(&self, kind: ComponentKind, key: &str) -> Option<Cow<'_, Value>> {
        let _ = (kind, key);
        None
    }
    /// `$message.header.<name>`: a header of the message of an AsyncAPI step; `name` is as
    /// written (see [`message_header_value`]).
    fn message_header(&self, name: &str) -> Option<Cow<'_, Value>> {
        let _ = name;
        None
    }
    /// `$message.payload`: the payload of the message of an AsyncAPI step, parsed JSON or a
    /// string.
    fn message_payload(&self) -> Option<Cow<'_, Value>> {
        None
    }
    /// `$self`: the URI of the Arazzo Description (its `$self` field, resolved); `None` when
    /// the document has no `$self`.
    fn self_uri(&self) -> Option<Cow<'_, Value>> {
        None
    }
}

/// The documented header policy, for [`Context::header`] implementations: names compare
/// ASCII case-insensitively (RFC 9110 §5.1); repeated fields are joined with `", "` as
/// RFC 9110 §5.3 allows, except `Set-Cookie`, which cannot be combined, so its first value
/// is returned. `None` when there is no such header.
///
/// ```
/// use arazzo_expr::header_value;
///
/// let headers = [("X-Rate-Limit", "10"), ("Vary", "a"), ("vary", "b")];
/// assert_eq!(header_value(headers, "x-rate-limit").as_deref(), Some("10"));
/// assert_eq!(header_value(headers, "Vary").as_deref(), Some("a, b"));
/// assert_eq!(header_value(headers, "Location"), None);
/// ```
pub fn header_value<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    name: &str,
) -> Option<String> {
    let mut values = headers
        .into_iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value);
    let first = values.next()?;
    if name.eq_ignore_ascii_case("set-cookie") {
        return Some(first.to_owned());
    }
    Some(values.fold(first.to_owned(), |joined, value| joined + ", " + value))
}

/// The header policy of `$message.header.<name>`, for [`Context::message_header`]
/// implementations: a header named exactly `name` first, else the first whose name matches
/// ASCII case-insensitively (checklist §8.5); `None` when there is none.
///
/// ```
/// use arazzo_expr::message_header_value;
///
/// let headers = [("requestId", 1), ("RequestID", 2)];
/// assert_eq!(message_header_value(headers, "RequestID"), Some(2));
/// assert_eq!(message_header_value(headers, "requestid"), Some(1));
/// assert_eq!(message_header_value(headers, "other"), None);
/// ```
pub fn message_header_value<'a, V>(
    headers: impl IntoIterator<Item = (&'a str, V)>,
    name: &str,
) -> Option<V> {
    let mut folded = None;
    for (key, value) in headers {
        if key == name {
            return Some(value);
        }
        if folded.is_none() && key.eq_ignore_ascii_case(name) {
            folded = Some(value);
        }
    }
    folded
}

/// Evaluates a runtime expression to its JSON value, keeping the type ("Runtime expressions
/// preserve the type of the referenced value").
///
/// # Errors
///
/// [`EvalError::Unresolved`] when the context has no such value or the pointer does not match.
pub fn evaluate(expression: &Expression, ctx: &dyn Context) -> Result<Value, EvalError> {
    resolve(expression, ctx).ok_or_else(|| EvalError::Unresolved {
        expression: expression.to_string(),
    })
}

/// Evaluates a classified document value: an expression keeps its type, a template gives a
/// string, a literal is returned as a string.
///
/// # Errors
///
/// [`EvalError::Unresolved`] as for [`evaluate`] and [`render_template`].
pub fn evaluate_value(value: &ValueExpr, ctx: &dyn Context) -> Result<Value, EvalError> {
    match value {
        ValueExpr::Expression(expression) => evaluate(expression, ctx),
        ValueExpr::Template(template) => render_template(template, ctx).map(Value::String),
        ValueExpr::Literal(text) => Ok(Value::String(text.clone())),
    }
}

/// Substitutes every `{$…}` of a template: strings as they are, numbers, booleans and `null`
/// as their JSON text, objects and arrays as compact JSON.
///
/// # Errors
///
/// [`EvalError::Unresolved`] for the first embedded expression without a value.
pub fn render_template(template: &Template, ctx: &dyn Context) -> Result<String, EvalError> {
    let mut out = String::new();
    for part in &template.parts {
        match part {
            TemplatePart::Text(text) => out.push_str(&text.value),
            TemplatePart::Expression(expression) => {
                out.push_str(&value::to_text(&evaluate(&expression.value, ctx)?));
            }
        }
    }
    Ok(out)
}

/// Evaluates a simple condition. It never fails: a missing value reads as `null`, comparisons
/// between incompatible types are false, and the condition passes only when it evaluates to
/// the boolean `true` (see the crate's `# Decisions`).
pub fn evaluate_condition(condition: &Condition, ctx: &dyn Context) -> bool {
    match condition {
        Condition::Or { operands, .. } => operands
            .iter()
            .any(|operand| evaluate_condition(operand, ctx)),
        Condition::And { operands, .. } => operands
            .iter()
            .all(|operand| evaluate_condition(operand, ctx)),
        Condition::Not { operand, .. } => !evaluate_condition(operand, ctx),
        Condition::Group { inner, .. } => evaluate_condition(inner, ctx),
        Condition::Comparison {
            left, op, right, ..
        } => value::compare(
            *op,
            comparable(left, ctx).as_ref(),
            comparable(right, ctx).as_ref(),
        ),
        Condition::Value(operand) => comparable(operand, ctx) == Some(Value::Bool(true)),
    }
}

/// The value of one side of a comparison; `None` when it is missing.
pub(crate) fn comparable(comparable: &Comparable, ctx: &dyn Context) -> Option<Value> {
    match comparable {
        Comparable::Literal(literal) => Some(match &literal.value {
            Literal::Null => Value::Null,
            Literal::Bool(value) => Value::Bool(*value),
            Literal::Number(number) => Value::Number(number.clone()),
            Literal::String(text) => Value::String(text.clone()),
        }),
        Comparable::Operand(operand) => operand_value(operand, ctx),
    }
}

fn operand_value(operand: &Operand, ctx: &dyn Context) -> Option<Value> {
    let mut value = resolve(&operand.expression, ctx)?;
    for step in &operand.navigation {
        value = match step {
            Navigation::Member(name) => pointer::step(&value, &name.value)?.clone(),
            Navigation::Index(index) => value.as_array()?.get(index.value)?.clone(),
        };
    }
    Some(value)
}

/// The value of an expression, or `None` when it does not resolve.
fn resolve(expression: &Expression, ctx: &dyn Context) -> Option<Value> {
    let (base, pointer) = match expression {
        Expression::Url { .. } => (ctx.url()?.into_owned(), &None),
        Expression::Method { .. } => (ctx.method()?.into_owned(), &None),
        Expression::StatusCode { .. } => (ctx.status_code()?.into_owned(), &None),
        Expression::Request { source, .. } => return message(HttpMessage::Request, source, ctx),
        Expression::Response { source, .. } => return message(HttpMessage::Response, source, ctx),
        Expression::Inputs { name, pointer, .. } => {
            (dotted(&name.value, |name| ctx.input(name))?, pointer)
        }
        Expression::Outputs { name, pointer, .. } => {
            (dotted(&name.value, |name| ctx.output(name))?, pointer)
        }
        Expression::Steps {
            step_id,
            output,
            pointer,
            ..
        } => (
            dotted(&output.value, |name| ctx.step_output(&step_id.value, name))?,
            pointer,
        ),
        Expression::Workflows {
            workflow_id,
            field,
            name,
            pointer,
            ..
        } => {
            let id = &workflow_id.value;
            let value = match field {
                WorkflowField::Inputs => dotted(&name.value, |name| ctx.workflow_input(id, name)),
                WorkflowField::Outputs => dotted(&name.value, |name| ctx.workflow_output(id, name)),
            };
            (value?, pointer)
        }
        Expression::SourceDescriptions {
            name, reference, ..
        } => (
            ctx.source_description(&name.value, &reference.value)?
                .into_owned(),
            &None,
        ),
        Expression::Components { kind, key, .. } => {
            (ctx.component(*kind, &key.value)?.into_owned(), &None)
        }
        Expression::Message {
            part: MessagePart::Header(name),
            ..
        } => (ctx.message_header(&name.value)?.into_owned(), &None),
        Expression::Message {
            part: MessagePart::Payload(pointer),
            ..
        } => (ctx.message_payload()?.into_owned(), pointer),
        Expression::SelfUri { .. } => (ctx.self_uri()?.into_owned(), &None),
    };
    match pointer {
        Some(pointer) => pointer.value.resolve(&base).cloned(),
        None => Some(base),
    }
}

fn message(message: HttpMessage, source: &MessageSource, ctx: &dyn Context) -> Option<Value> {
    match source {
        MessageSource::Header(name) => ctx.header(message, &name.value).map(Cow::into_owned),
        MessageSource::Query(name) => ctx.query(message, &name.value).map(Cow::into_owned),
        MessageSource::Path(name) => ctx.path(message, &name.value).map(Cow::into_owned),
        MessageSource::Body(pointer) => {
            let body = ctx.body(message)?;
            match pointer {
                Some(pointer) => pointer.value.resolve(&body).cloned(),
                None => Some(body.into_owned()),
            }
        }
    }
}

/// Resolves a name that may contain dots: the longest prefix the context knows wins, the rest
/// is navigation (`a.b.c` tries `a.b.c`, then `a.b` + `c`, then `a` + `b.c`).
fn dotted<'c>(name: &str, lookup: impl Fn(&str) -> Option<Cow<'c, Value>>) -> Option<Value> {
    let mut end = name.len();
    loop {
        if let Some(value) = lookup(&name[..end]) {
            let rest = &name[end..];
            if rest.is_empty() {
                return Some(value.into_owned());
            }
            return rest[1..]
                .split('.')
                .try_fold(value.as_ref(), pointer::step)
                .cloned();
        }
        end = name[..end].rfind('.')?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Mode, parse_condition, parse_expression, parse_template};
    use serde_json::json;

    struct Inputs(Value);

    impl Context for Inputs {
        fn input(&self, name: &str) -> Option<Cow<'_, Value>> {
            self.0.get(name).map(Cow::Borrowed)
        }
        fn status_code(&self) -> Option<Cow<'_, Value>> {
            Some(Cow::Owned(json!(200)))
        }
    }

    fn eval(source: &str, ctx: &dyn Context) -> Result<Value, EvalError> {
        evaluate(&parse_expression(source, Mode::Strict).unwrap().value, ctx)
    }

    #[test]
    fn dotted_names_prefer_the_longest_declared_name() {
        let ctx = Inputs(json!({"a.b": {"c": 1}, "a": {"b": {"c": 2}, "x": 3}}));
        assert_eq!(eval("$inputs.a.b", &ctx), Ok(json!({"c": 1})));
        // `a.b` is declared, so `c` navigates inside it and never falls back to `a`.
        assert_eq!(eval("$inputs.a.b.c", &ctx), Ok(json!(1)));
        assert_eq!(eval("$inputs.a.x", &ctx), Ok(json!(3)));
        assert!(matches!(
            eval("$inputs.a.b.zz", &ctx),
            Err(EvalError::Unresolved { .. })
        ));
        assert!(matches!(
            eval("$inputs.nope.x", &ctx),
            Err(EvalError::Unresolved { .. })
        ));
    }

    #[test]
    fn pointer_applies_after_the_name() {
        let ctx = Inputs(json!({"customer": {"names": ["Ann", "Bo"]}}));
        assert_eq!(eval("$inputs.customer#/names/1", &ctx), Ok(json!("Bo")));
        assert_eq!(
            eval("$inputs.customer#/names/2", &ctx),
            Err(EvalError::Unresolved {
                expression: "$inputs.customer#/names/2".into()
            })
        );
    }

    #[test]
    fn templates_stringify_and_whole_expressions_keep_types() {
        let ctx = Inputs(json!({"n": 5, "o": {"k": [1, "x"]}, "s": "text", "z": null}));
        assert_eq!(eval("$inputs.n", &ctx), Ok(json!(5)));
        let template = parse_template(
            "{$inputs.n}|{$inputs.o}|{$inputs.s}|{$inputs.z}|{ $inputs.s }",
            Mode::Strict,
        );
        assert_eq!(
            render_template(&template.unwrap().value, &ctx).unwrap(),
            r#"5|{"k":[1,"x"]}|text|null|{ $inputs.s }"#
        );
    }

    #[test]
    fn embedding_renders_strings_as_is_scalars_as_text_structures_as_compact_json() {
        let ctx = Inputs(json!({
            "xml": "<a b=\"1\">x</a>",
            "yes": true,
            "ratio": 0.5,
            "list": [1, {"z": null, "a": "é"}],
            "order": {"z": 1, "a": 2},
        }));
        let template = parse_template(
            "{$inputs.xml} {$inputs.yes} {$inputs.ratio} {$inputs.list} {$inputs.order}",
            Mode::Strict,
        );
        assert_eq!(
            render_template(&template.unwrap().value, &ctx).unwrap(),
            r#"<a b="1">x</a> true 0.5 [1,{"z":null,"a":"é"}] {"z":1,"a":2}"#
        );
    }

    #[test]
    fn navigation_in_conditions() {
        let ctx = Inputs(json!({"body": {"items": [{"id": 7}]}}));
        let holds = |source| {
            evaluate_condition(&parse_condition(source, Mode::Strict).unwrap().value, &ctx)
        };
        assert!(holds("$inputs.body.items[0].id == 7"));
        assert!(holds("$inputs.body#/items[0].id == 7"));
        assert!(holds("$inputs.body.items.0.id == 7"));
        assert!(holds("$inputs.body.items[1].id == null"));
        assert!(!holds("$inputs.body.items[1].id"));
        assert!(holds("$statusCode == 200 && !($statusCode == 201)"));
    }

    /// A received AsyncAPI message, in a document with a `$self`.
    struct Received {
        headers: Vec<(&'static str, Value)>,
        payload: Value,
    }

    impl Context for Received {
        fn message_header(&self, name: &str) -> Option<Cow<'_, Value>> {
            let headers = self.headers.iter().map(|(key, value)| (*key, value));
            message_header_value(headers, name).map(Cow::Borrowed)
        }
        fn message_payload(&self) -> Option<Cow<'_, Value>> {
            Some(Cow::Borrowed(&self.payload))
        }
        fn self_uri(&self) -> Option<Cow<'_, Value>> {
            Some(Cow::Owned(json!("https://example.com/pets.arazzo.yaml")))
        }
    }

    #[test]
    fn message_and_self_read_their_context_methods() {
        let ctx = Received {
            headers: vec![("requestId", json!("a")), ("RequestId", json!("b"))],
            payload: json!({"order": {"id": 7}}),
        };
        assert_eq!(eval("$message.header.RequestId", &ctx), Ok(json!("b")));
        assert_eq!(eval("$message.header.requestid", &ctx), Ok(json!("a")));
        assert_eq!(eval("$message.payload#/order/id", &ctx), Ok(json!(7)));
        assert_eq!(eval("$message.payload", &ctx), Ok(ctx.payload.clone()));
        assert_eq!(
            eval("$self", &ctx),
            Ok(json!("https://example.com/pets.arazzo.yaml"))
        );
        assert_eq!(
            eval("$message.payload#/order/missing", &ctx),
            Err(EvalError::Unresolved {
                expression: "$message.payload#/order/missing".into()
            })
        );
        // The defaults: nothing to read.
        assert!(matches!(
            eval("$message.header.x", &Inputs(json!({}))),
            Err(EvalError::Unresolved { .. })
        ));
        assert!(matches!(
            eval("$self", &Inputs(json!({}))),
            Err(EvalError::Unresolved { .. })
        ));
        let lenient = parse_expression("$message.payload.order.id", Mode::Lenient).unwrap();
        assert_eq!(evaluate(&lenient.value, &ctx), Ok(json!(7)));
        let condition = parse_condition("$message.payload.order.id == 7", Mode::Strict).unwrap();
        assert!(evaluate_condition(&condition.value, &ctx));
    }

    #[test]
    fn header_policy() {
        let headers = [
            ("Set-Cookie", "a=1"),
            ("set-cookie", "b=2"),
            ("X-A", "1"),
            ("x-a", "2"),
        ];
        assert_eq!(header_value(headers, "SET-COOKIE").as_deref(), Some("a=1"));
        assert_eq!(header_value(headers, "x-A").as_deref(), Some("1, 2"));
    }
}
