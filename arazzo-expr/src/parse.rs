//! Text to syntax tree: `grammar.pest` recognises, one builder per rule builds.

use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;

use crate::ast::{
    Comparable, CompareOp, ComponentKind, Condition, Expression, Literal, MessagePart,
    MessageSource, Name, Navigation, Operand, Span, Spanned, Template, TemplatePart, ValueExpr,
    WorkflowField,
};
use crate::error::{ParseError, ParseErrorKind, Warning};
use crate::pointer::JsonPointer;

#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
struct Grammar;

/// How much beyond the runtime-expression ABNF (Arazzo 1.0.1 and 1.1) the parser accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only the ABNF (with the structure and `#` pointers the spec text uses).
    Strict,
    /// Also the non-ABNF forms found in official files, each reported as a [`Warning`]:
    /// `$response.body.a.b` and `$message.payload.a.b` (read as `$response.body#/a/b`,
    /// `$message.payload#/a/b`), `$response.headers.X`
    /// (read as `$response.header.X`) and a condition wrapped in `{…}`.
    Lenient,
}

/// A parse result and the lenient forms it relied on.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    /// The syntax tree.
    pub value: T,
    /// Lenient forms that were accepted; always empty in [`Mode::Strict`].
    pub warnings: Vec<Warning>,
}

/// How many levels of `(` and `!` a condition may nest; checked before pest runs so that
/// hostile input cannot overflow the stack.
pub const MAX_DEPTH: usize = 64;

/// Parses a string that is one whole runtime expression, such as `$response.body#/id`.
///
/// # Errors
///
/// A [`ParseError`] when the string is not exactly one runtime expression.
pub fn parse_expression(source: &str, mode: Mode) -> Result<Parsed<Expression>, ParseError> {
    let mut builder = Builder::new(source, mode);
    let top = builder.parse(Rule::expression_only)?;
    let operand = top
        .into_inner()
        .next()
        .expect("grammar: expression_only holds an operand");
    let expression = builder.value_operand(operand)?;
    Ok(builder.finish(expression))
}

/// Parses a string with embedded `{$…}` expressions. Text outside them is literal, including
/// `{` and `}` that do not open an expression (JSON and XML templates).
///
/// # Errors
///
/// A [`ParseError`] when a `{$<root>` part is not a valid expression closed by `}`.
pub fn parse_template(source: &str, mode: Mode) -> Result<Parsed<Template>, ParseError> {
    let mut builder = Builder::new(source, mode);
    let top = builder.parse(Rule::template)?;
    let template = builder.template(top)?;
    Ok(builder.finish(template))
}

/// Parses a simple condition, such as `$statusCode == 200 && $response.body#/ok`.
///
/// # Errors
///
/// A [`ParseError`] for a syntax error, or when parentheses and `!` nest deeper than
/// [`MAX_DEPTH`].
pub fn parse_condition(source: &str, mode: Mode) -> Result<Parsed<Condition>, ParseError> {
    check_depth(source)?;
    let mut builder = Builder::new(source, mode);
    let top = builder.parse(Rule::condition_only)?;
    let condition = builder.condition(top)?;
    Ok(builder.finish(condition))
}

/// Classifies and parses a string value of a document the way the engine reads it:
///
/// - it starts with `$` and a known root (`$url`, `$method`, `$statusCode`, `$request`,
///   `$response`, `$inputs`, `$outputs`, `$steps`, `$workflows`, `$sourceDescriptions`,
///   `$components`, `$message`, `$self`): it must be one whole expression
///   ([`ValueExpr::Expression`]);
///   anything else after it is an error;
/// - otherwise, it embeds at least one `{$<root>…}`: a [`ValueExpr::Template`];
/// - otherwise, a [`ValueExpr::Literal`] — including `$100 off` or `$foo`.
///
/// # Errors
///
/// A [`ParseError`] when the string starts like an expression but is not one, or an embedded
/// `{$<root>…}` part is invalid.
pub fn parse_value(source: &str, mode: Mode) -> Result<Parsed<ValueExpr>, ParseError> {
    if Grammar::parse(Rule::root_probe, source).is_ok() {
        let parsed = parse_expression(source, mode)?;
        return Ok(Parsed {
            value: ValueExpr::Expression(parsed.value),
            warnings: parsed.warnings,
        });
    }
    let parsed = parse_template(source, mode)?;
    let value = if parsed.value.expressions().next().is_some() {
        ValueExpr::Template(parsed.value)
    } else {
        ValueExpr::Literal(source.to_owned())
    };
    Ok(Parsed {
        value,
        warnings: parsed.warnings,
    })
}

/// Rejects conditions that nest `(` and `!` deeper than [`MAX_DEPTH`], ignoring quoted strings.
/// A run of `!` counts once per `!`; an operand ends the run.
fn check_depth(source: &str) -> Result<(), ParseError> {
    let mut parens = 0usize;
    let mut nots = 0usize;
    let mut in_string = false;
    for (at, ch) in source.char_indices() {
        if in_string {
            // `''` is an escaped quote: leaving and re-entering gives the same result.
            in_string = ch != '\'';
            continue;
        }
        match ch {
            '\'' => {
                in_string = true;
                nots = 0;
            }
            '(' => parens += 1,
            ')' => parens = parens.saturating_sub(1),
            '!' if !source[at + 1..].starts_with('=') => nots += 1,
            ch if ch.is_whitespace() => {}
            _ => nots = 0,
        }
        if parens + nots > MAX_DEPTH {
            return Err(ParseError::new(
                Span::new(at, at + ch.len_utf8()),
                ParseErrorKind::TooDeep { limit: MAX_DEPTH },
            ));
        }
    }
    Ok(())
}

struct Builder<'s> {
    source: &'s str,
    mode: Mode,
    warnings: Vec<Warning>,
}

fn span(pair: &Pair<'_, Rule>) -> Span {
    Span::new(pair.as_span().start(), pair.as_span().end())
}

fn name(pair: Pair<'_, Rule>) -> Name {
    Spanned {
        value: pair.as_str().to_owned(),
        span: span(&pair),
    }
}

impl<'s> Builder<'s> {
    fn new(source: &'s str, mode: Mode) -> Self {
        Builder {
            source,
            mode,
            warnings: Vec::new(),
        }
    }

    fn finish<T>(self, value: T) -> Parsed<T> {
        Parsed {
            value,
            warnings: self.warnings,
        }
    }

    fn parse(&self, rule: Rule) -> Result<Pair<'s, Rule>, ParseError> {
        let mut pairs =
            Grammar::parse(rule, self.source).map_err(|err| self.syntax_error(rule, &err))?;
        Ok(pairs
            .next()
            .expect("grammar: an entry rule produces one pair"))
    }

    /// Accepts a lenient form with a warning, or rejects it in strict mode.
    fn lenient(
        &mut self,
        span: Span,
        kind: ParseErrorKind,
        message: String,
    ) -> Result<(), ParseError> {
        match self.mode {
            Mode::Strict => Err(ParseError::new(span, kind)),
            Mode::Lenient => {
                let spec_form = match kind {
                    ParseErrorKind::NotInAbnf { canonical, .. } => Some(canonical),
                    _ => None,
                };
                self.warnings.push(Warning {
                    span,
                    message,
                    spec_form,
                });
                Ok(())
            }
        }
    }

    // ----- templates ---------------------------------------------------------------------

    fn template(&mut self, pair: Pair<'s, Rule>) -> Result<Template, ParseError> {
        let template_span = span(&pair);
        let mut parts = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::text => parts.push(TemplatePart::Text(name(part))),
                Rule::embedded => {
                    let part_span = span(&part);
                    let operand = part
                        .into_inner()
                        .next()
                        .expect("grammar: embedded holds an operand");
                    let expression = self.value_operand(operand)?;
                    parts.push(TemplatePart::Expression(Spanned {
                        value: expression,
                        span: part_span,
                    }));
                }
                Rule::EOI => {}
                rule => unreachable!("grammar: template holds {rule:?}"),
            }
        }
        Ok(Template {
            parts,
            span: template_span,
        })
    }

    /// An operand outside a condition: navigation is folded into the expression's pointer in
    /// lenient mode (`$response.body.id` → `$response.body#/id`).
    fn value_operand(&mut self, pair: Pair<'s, Rule>) -> Result<Expression, ParseError> {
        let operand = self.operand(pair)?;
        if operand.navigation.is_empty() {
            return Ok(operand.expression);
        }
        let Operand {
            mut expression,
            navigation,
            span,
        } = operand;
        let written = self.source[span.range()].to_owned();
        let nav_start = expression.span().end;
        let Some(pointer) = pointer_slot(&mut expression) else {
            return Err(ParseError::new(
                Span::new(nav_start, span.end),
                ParseErrorKind::UnexpectedNavigation {
                    expression: self.source[expression.span().range()].to_owned(),
                    navigation: self.source[nav_start..span.end].to_owned(),
                },
            ));
        };
        let folded = pointer.get_or_insert_with(|| Spanned {
            value: JsonPointer::default(),
            span: Span::new(nav_start, nav_start),
        });
        for step in navigation {
            match step {
                Navigation::Member(member) => folded.value.push(member.value),
                Navigation::Index(index) => folded.value.push(index.value.to_string()),
            }
        }
        folded.span.end = span.end;
        set_span_end(&mut expression, span.end);
        let canonical = expression.to_string();
        self.lenient(
            span,
            ParseErrorKind::NotInAbnf {
                found: written.clone(),
                canonical: canonical.clone(),
            },
            format!("`{written}` is not in the runtime-expression ABNF; read as `{canonical}`"),
        )?;
        Ok(expression)
    }

    // ----- conditions --------------------------------------------------------------------

    fn condition(&mut self, pair: Pair<'s, Rule>) -> Result<Condition, ParseError> {
        let inner = pair
            .into_inner()
            .next()
            .expect("grammar: condition_only holds a condition");
        match inner.as_rule() {
            Rule::braced_condition => {
                let braced_span = span(&inner);
                self.lenient(
                    braced_span,
                    ParseErrorKind::BracedCondition,
                    "braces around a whole condition are not part of the condition language; ignored".to_owned(),
                )?;
                let or_expr = inner
                    .into_inner()
                    .next()
                    .expect("grammar: braced_condition holds or_expr");
                self.or_expr(or_expr)
            }
            Rule::or_expr => self.or_expr(inner),
            rule => unreachable!("grammar: condition_only holds {rule:?}"),
        }
    }

    fn or_expr(&mut self, pair: Pair<'s, Rule>) -> Result<Condition, ParseError> {
        let or_span = span(&pair);
        let operands = pair
            .into_inner()
            .filter(|part| part.as_rule() == Rule::and_expr)
            .map(|part| self.and_expr(part))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(n_ary(operands, |operands| Condition::Or {
            operands,
            span: or_span,
        }))
    }

    fn and_expr(&mut self, pair: Pair<'s, Rule>) -> Result<Condition, ParseError> {
        let and_span = span(&pair);
        let operands = pair
            .into_inner()
            .filter(|part| part.as_rule() == Rule::unary)
            .map(|part| self.unary(part))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(n_ary(operands, |operands| Condition::And {
            operands,
            span: and_span,
        }))
    }

    fn unary(&mut self, pair: Pair<'s, Rule>) -> Result<Condition, ParseError> {
        let unary_span = span(&pair);
        let mut inner = pair.into_inner();
        let first = inner.next().expect("grammar: unary is not empty");
        match first.as_rule() {
            Rule::not_op => {
                let operand = inner.next().expect("grammar: `!` is followed by unary");
                Ok(Condition::Not {
                    operand: Box::new(self.unary(operand)?),
                    span: unary_span,
                })
            }
            Rule::group => {
                let or_expr = first
                    .into_inner()
                    .next()
                    .expect("grammar: group holds or_expr");
                Ok(Condition::Group {
                    inner: Box::new(self.or_expr(or_expr)?),
                    span: unary_span,
                })
            }
            Rule::comparison => {
                let mut parts = first.into_inner();
                let left = self.comparable(parts.next().expect("grammar: comparison left"))?;
                let op = compare_op(parts.next().expect("grammar: comparison operator").as_str());
                let right = self.comparable(parts.next().expect("grammar: comparison right"))?;
                Ok(Condition::Comparison {
                    left,
                    op,
                    right,
                    span: unary_span,
                })
            }
            Rule::comparable => Ok(Condition::Value(self.comparable(first)?)),
            rule => unreachable!("grammar: unary holds {rule:?}"),
        }
    }

    fn comparable(&mut self, pair: Pair<'s, Rule>) -> Result<Comparable, ParseError> {
        let inner = pair
            .into_inner()
            .next()
            .expect("grammar: comparable is not empty");
        match inner.as_rule() {
            Rule::literal => {
                let literal_span = span(&inner);
                let value = literal(
                    inner
                        .into_inner()
                        .next()
                        .expect("grammar: literal is not empty"),
                )?;
                Ok(Comparable::Literal(Spanned {
                    value,
                    span: literal_span,
                }))
            }
            Rule::operand => Ok(Comparable::Operand(self.operand(inner)?)),
            rule => unreachable!("grammar: comparable holds {rule:?}"),
        }
    }

    // ----- expressions -------------------------------------------------------------------

    fn operand(&mut self, pair: Pair<'s, Rule>) -> Result<Operand, ParseError> {
        let operand_span = span(&pair);
        let mut inner = pair.into_inner();
        let expression =
            self.expression(inner.next().expect("grammar: operand holds an expression"))?;
        let navigation = inner.map(navigation).collect::<Result<_, _>>()?;
        Ok(Operand {
            expression,
            navigation,
            span: operand_span,
        })
    }

    fn expression(&mut self, pair: Pair<'s, Rule>) -> Result<Expression, ParseError> {
        let whole = span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let mut next = || inner.next().expect("grammar: expression parts");
        let expression = match rule {
            Rule::url => Expression::Url { span: whole },
            Rule::method => Expression::Method { span: whole },
            Rule::status_code => Expression::StatusCode { span: whole },
            Rule::request => Expression::Request {
                source: self.message_source(next(), whole, "$request")?,
                span: whole,
            },
            Rule::response => Expression::Response {
                source: self.message_source(next(), whole, "$response")?,
                span: whole,
            },
            Rule::inputs => {
                let name = name(next());
                Expression::Inputs {
                    name,
                    pointer: optional_pointer(inner.next())?,
                    span: whole,
                }
            }
            Rule::outputs => {
                let name = name(next());
                Expression::Outputs {
                    name,
                    pointer: optional_pointer(inner.next())?,
                    span: whole,
                }
            }
            Rule::steps => {
                let step_id = name(next());
                next(); // `.outputs.`
                let output = name(next());
                Expression::Steps {
                    step_id,
                    output,
                    pointer: optional_pointer(inner.next())?,
                    span: whole,
                }
            }
            Rule::workflows => {
                let workflow_id = name(next());
                let field = match next().as_str() {
                    ".inputs." => WorkflowField::Inputs,
                    ".outputs." => WorkflowField::Outputs,
                    other => unreachable!("grammar: workflow field {other}"),
                };
                let name = name(next());
                Expression::Workflows {
                    workflow_id,
                    field,
                    name,
                    pointer: optional_pointer(inner.next())?,
                    span: whole,
                }
            }
            Rule::source_descriptions => {
                let name = name(next());
                let reference = next();
                // The rule includes the leading `.`.
                let reference = Spanned {
                    value: reference.as_str()[1..].to_owned(),
                    span: Span::new(reference.as_span().start() + 1, reference.as_span().end()),
                };
                Expression::SourceDescriptions {
                    name,
                    reference,
                    span: whole,
                }
            }
            Rule::components => {
                let kind = match next().as_str() {
                    "parameters." => ComponentKind::Parameters,
                    "successActions." => ComponentKind::SuccessActions,
                    "failureActions." => ComponentKind::FailureActions,
                    "inputs." => ComponentKind::Inputs,
                    other => unreachable!("grammar: component type {other}"),
                };
                Expression::Components {
                    kind,
                    key: name(next()),
                    span: whole,
                }
            }
            Rule::message => Expression::Message {
                part: self.message_part(next(), whole)?,
                span: whole,
            },
            Rule::self_uri => Expression::SelfUri { span: whole },
            rule => unreachable!("grammar: expression is {rule:?}"),
        };
        Ok(expression)
    }

    /// `prefix` is `$request` or `$response`; `whole` is the span of the whole expression.
    fn message_source(
        &mut self,
        pair: Pair<'s, Rule>,
        whole: Span,
        prefix: &str,
    ) -> Result<MessageSource, ParseError> {
        let rule = pair.as_rule();
        let source_span = span(&pair);
        let mut inner = pair.into_inner();
        Ok(match rule {
            Rule::header => {
                MessageSource::Header(name(inner.next().expect("grammar: header token")))
            }
            Rule::headers => MessageSource::Header(self.headers(inner, whole, prefix)?),
            Rule::query => MessageSource::Query(name(inner.next().expect("grammar: query name"))),
            Rule::path => MessageSource::Path(name(inner.next().expect("grammar: path name"))),
            Rule::body => MessageSource::Body(optional_pointer(inner.next())?),
            Rule::misplaced_payload => {
                return Err(misplaced(
                    source_span,
                    format!("{prefix}.payload"),
                    format!("`{prefix}.body`"),
                ));
            }
            rule => unreachable!("grammar: message source is {rule:?}"),
        })
    }

    /// The part of `$message.…`; `whole` is the span of the whole expression.
    fn message_part(
        &mut self,
        pair: Pair<'s, Rule>,
        whole: Span,
    ) -> Result<MessagePart, ParseError> {
        let rule = pair.as_rule();
        let source_span = span(&pair);
        let written = pair.as_str().split(['.', '#']).next().unwrap_or_default();
        let written = format!("$message.{written}");
        let mut inner = pair.into_inner();
        Ok(match rule {
            Rule::header => MessagePart::Header(name(inner.next().expect("grammar: header token"))),
            Rule::headers => MessagePart::Header(self.headers(inner, whole, "$message")?),
            Rule::payload => MessagePart::Payload(optional_pointer(inner.next())?),
            Rule::misplaced_body => {
                return Err(misplaced(
                    source_span,
                    written,
                    "`$message.payload`".to_owned(),
                ));
            }
            Rule::misplaced_parameter => {
                return Err(misplaced(
                    source_span,
                    written,
                    "`$message.header.<name>` or `$message.payload`".to_owned(),
                ));
            }
            rule => unreachable!("grammar: message part is {rule:?}"),
        })
    }

    /// The token of `headers.<token>`, accepted in lenient mode as `header.<token>`.
    fn headers(
        &mut self,
        mut inner: pest::iterators::Pairs<'s, Rule>,
        whole: Span,
        prefix: &str,
    ) -> Result<Name, ParseError> {
        let token = name(inner.next().expect("grammar: header token"));
        let written = self.source[whole.range()].to_owned();
        let canonical = format!("{prefix}.header.{}", token.value);
        self.lenient(
            whole,
            ParseErrorKind::NotInAbnf {
                found: written.clone(),
                canonical: canonical.clone(),
            },
            format!("`{written}` is not in the runtime-expression ABNF; read as `{canonical}`"),
        )?;
        Ok(token)
    }

    // ----- errors ------------------------------------------------------------------------

    fn syntax_error(&self, entry: Rule, err: &pest::error::Error<Rule>) -> ParseError {
        let at = match err.location {
            InputLocation::Pos(at) | InputLocation::Span((at, _)) => at,
        };
        let positives = match &err.variant {
            ErrorVariant::ParsingError { positives, .. } => positives.as_slice(),
            ErrorVariant::CustomError { .. } => &[],
        };
        // A whole expression was read and something follows: say so rather than list what
        // could extend the expression.
        let after = &self.source[at..];
        if entry == Rule::expression_only
            && positives.contains(&Rule::EOI)
            && at > 0
            && !after.trim().is_empty()
        {
            return ParseError::new(
                Span::new(at, self.source.len()),
                ParseErrorKind::TrailingText {
                    expression: self.source[..at].to_owned(),
                    rest: after.trim().to_owned(),
                },
            );
        }
        let expected = expected_words(positives);
        let found_len = after.find(char::is_whitespace).unwrap_or(after.len());
        let (found, span) = if after.is_empty() {
            ("the end of the text".to_owned(), Span::new(at, at))
        } else if found_len == 0 {
            let ch = after.chars().next().expect("not at the end");
            let found = match ch {
                ' ' => "a space".to_owned(),
                '\n' | '\r' => "a line break".to_owned(),
                '\t' => "a tab".to_owned(),
                ch => format!("{ch:?}"),
            };
            (found, Span::new(at, at + ch.len_utf8()))
        } else {
            let excerpt: String = after[..found_len].chars().take(24).collect();
            (format!("`{excerpt}`"), Span::new(at, at + excerpt.len()))
        };
        ParseError::new(span, ParseErrorKind::Syntax { expected, found })
    }
}

/// The pointer slot of an expression that has one (body, inputs, outputs, steps, workflows).
fn pointer_slot(expression: &mut Expression) -> Option<&mut Option<Spanned<JsonPointer>>> {
    match expression {
        Expression::Request {
            source: MessageSource::Body(pointer),
            ..
        }
        | Expression::Response {
            source: MessageSource::Body(pointer),
            ..
        }
        | Expression::Message {
            part: MessagePart::Payload(pointer),
            ..
        }
        | Expression::Inputs { pointer, .. }
        | Expression::Outputs { pointer, .. }
        | Expression::Steps { pointer, .. }
        | Expression::Workflows { pointer, .. } => Some(pointer),
        _ => None,
    }
}

fn misplaced(span: Span, written: String, instead: String) -> ParseError {
    ParseError::new(span, ParseErrorKind::MisplacedSource { written, instead })
}

fn set_span_end(expression: &mut Expression, end: usize) {
    match expression {
        Expression::Url { span }
        | Expression::Method { span }
        | Expression::StatusCode { span }
        | Expression::Request { span, .. }
        | Expression::Response { span, .. }
        | Expression::Inputs { span, .. }
        | Expression::Outputs { span, .. }
        | Expression::Steps { span, .. }
        | Expression::Workflows { span, .. }
        | Expression::SourceDescriptions { span, .. }
        | Expression::Components { span, .. }
        | Expression::Message { span, .. }
        | Expression::SelfUri { span } => span.end = end,
    }
}

fn n_ary(
    mut operands: Vec<Condition>,
    build: impl FnOnce(Vec<Condition>) -> Condition,
) -> Condition {
    if operands.len() == 1 {
        operands.pop().expect("one operand")
    } else {
        build(operands)
    }
}

fn optional_pointer(
    pair: Option<Pair<'_, Rule>>,
) -> Result<Option<Spanned<JsonPointer>>, ParseError> {
    let Some(pair) = pair else { return Ok(None) };
    let raw = pair
        .into_inner()
        .next()
        .expect("grammar: pointer holds json_pointer");
    let pointer_span = span(&raw);
    let value = JsonPointer::from_uri_fragment(raw.as_str()).map_err(|reason| {
        ParseError::new(
            pointer_span,
            ParseErrorKind::InvalidPointer {
                pointer: raw.as_str().to_owned(),
                reason,
            },
        )
    })?;
    Ok(Some(Spanned {
        value,
        span: pointer_span,
    }))
}

fn navigation(pair: Pair<'_, Rule>) -> Result<Navigation, ParseError> {
    let rule = pair.as_rule();
    let inner = pair
        .into_inner()
        .next()
        .expect("grammar: navigation holds a name or index");
    match rule {
        Rule::member => Ok(Navigation::Member(name(inner))),
        Rule::index => {
            let value = inner.as_str().parse().map_err(|_| {
                ParseError::new(
                    span(&inner),
                    ParseErrorKind::NumberOutOfRange {
                        text: inner.as_str().to_owned(),
                    },
                )
            })?;
            Ok(Navigation::Index(Spanned {
                value,
                span: span(&inner),
            }))
        }
        rule => unreachable!("grammar: navigation is {rule:?}"),
    }
}

fn literal(pair: Pair<'_, Rule>) -> Result<Literal, ParseError> {
    Ok(match pair.as_rule() {
        Rule::null => Literal::Null,
        Rule::boolean => Literal::Bool(pair.as_str() == "true"),
        Rule::number => Literal::Number(pair.as_str().parse().map_err(|_| {
            ParseError::new(
                span(&pair),
                ParseErrorKind::NumberOutOfRange {
                    text: pair.as_str().to_owned(),
                },
            )
        })?),
        Rule::string => {
            let body = pair
                .into_inner()
                .next()
                .expect("grammar: string holds string_body");
            Literal::String(body.as_str().replace("''", "'"))
        }
        rule => unreachable!("grammar: literal is {rule:?}"),
    })
}

fn compare_op(text: &str) -> CompareOp {
    match text {
        "==" => CompareOp::Eq,
        "!=" => CompareOp::Ne,
        "<" => CompareOp::Lt,
        "<=" => CompareOp::Le,
        ">" => CompareOp::Gt,
        ">=" => CompareOp::Ge,
        other => unreachable!("grammar: comparison operator {other}"),
    }
}

/// What the user reads instead of pest rule names.
fn rule_words(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the text",
        Rule::expression_only | Rule::operand | Rule::embedded => "a runtime expression",
        Rule::url
        | Rule::method
        | Rule::status_code
        | Rule::request
        | Rule::response
        | Rule::inputs
        | Rule::outputs
        | Rule::steps
        | Rule::workflows
        | Rule::source_descriptions
        | Rule::components
        | Rule::message
        | Rule::self_uri => "a runtime expression",
        Rule::template | Rule::text => "text or a `{$…}` expression",
        Rule::condition_only
        | Rule::braced_condition
        | Rule::or_expr
        | Rule::and_expr
        | Rule::unary => "a condition",
        Rule::group => "`(`",
        Rule::comparison | Rule::comparable => "a runtime expression or a literal",
        Rule::literal | Rule::null | Rule::boolean | Rule::number | Rule::string => "a literal",
        Rule::string_body => "the text of a string",
        Rule::close_quote => "`'` to end the string",
        Rule::close_brace => "`}`",
        Rule::close_paren => "`)`",
        Rule::or_op => "`||`",
        Rule::and_op => "`&&`",
        Rule::not_op => "`!`",
        Rule::cmp_op => "a comparison operator",
        Rule::member => "`.name`",
        Rule::index => "`[index]`",
        Rule::member_name => "a member name",
        Rule::index_value => "an array index",
        Rule::root_probe => "`$`",
        Rule::dot_outputs => "`.outputs.`",
        Rule::workflow_field => "`.inputs.` or `.outputs.`",
        Rule::component_type => "`parameters.`, `successActions.`, `failureActions.` or `inputs.`",
        Rule::header | Rule::headers => "`header.`",
        Rule::query => "`query.`",
        Rule::path => "`path.`",
        Rule::body => "`body`",
        Rule::payload => "`payload`",
        // Rules that exist only to name the right source are never expected.
        Rule::misplaced_payload | Rule::misplaced_body | Rule::misplaced_parameter => "",
        Rule::pointer => "a `#` JSON pointer",
        Rule::json_pointer => "a JSON pointer",
        Rule::id => "an id (letters, digits, `-`, `_`)",
        Rule::name => "a name (letters, digits, `.`, `-`, `_`)",
        Rule::param_name => "a parameter name",
        Rule::reference => "`.` and an operationId, workflowId or field name",
        Rule::token => "a header name",
        // Silent rules never reach an error.
        Rule::WHITESPACE
        | Rule::root_word
        | Rule::ident_char
        | Rule::navigation
        | Rule::expression
        | Rule::source
        | Rule::message_source
        | Rule::reference_token
        | Rule::stop => "something else",
    }
}

fn expected_words(rules: &[Rule]) -> String {
    let mut words: Vec<&str> = Vec::new();
    // "the end of the text" reads best last.
    let (ends, others): (Vec<Rule>, Vec<Rule>) = rules.iter().partition(|rule| **rule == Rule::EOI);
    for rule in others.iter().chain(&ends) {
        let word = rule_words(*rule);
        if !word.is_empty() && !words.contains(&word) {
            words.push(word);
        }
    }
    match words.as_slice() {
        [] => "something else".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::VersionForm;
    use proptest::prelude::*;

    /// Parses `source` in strict mode and returns its canonical text.
    fn canonical<T: std::fmt::Display>(
        parse: fn(&str, Mode) -> Result<Parsed<T>, ParseError>,
        source: &str,
    ) -> String {
        match parse(source, Mode::Strict) {
            Ok(parsed) => parsed.value.to_string(),
            Err(err) => panic!("{}", err.render(source)),
        }
    }

    /// The error of a condition that fails in lenient mode too.
    fn error(
        parse: fn(&str, Mode) -> Result<Parsed<Condition>, ParseError>,
        source: &str,
    ) -> ParseError {
        parse(source, Mode::Lenient).expect_err(source)
    }

    #[test]
    fn expressions_print_canonically() {
        for (source, expected) in [
            ("$url", "$url"),
            ("$request.header.accept", "$request.header.accept"),
            ("$request.body#/user/uuid", "$request.body#/user/uuid"),
            ("$response.body#", "$response.body#"),
            ("$response.body#/a%20b/c~1d", "$response.body#/a%20b/c~1d"),
            ("$response.body#/a%2Fb", "$response.body#/a/b"),
            (
                "$steps.someStepId.outputs.pets#/0/id",
                "$steps.someStepId.outputs.pets#/0/id",
            ),
            (
                "$workflows.foo.outputs.mappedResponse#/name",
                "$workflows.foo.outputs.mappedResponse#/name",
            ),
            (
                "$components.parameters.my.param",
                "$components.parameters.my.param",
            ),
            (
                "$sourceDescriptions.auth-api.PAR",
                "$sourceDescriptions.auth-api.PAR",
            ),
        ] {
            assert_eq!(canonical(parse_expression, source), expected);
        }
    }

    #[test]
    fn conditions_print_canonically() {
        for (source, expected) in [
            (
                "$statusCode==200||$statusCode==201",
                "$statusCode == 200 || $statusCode == 201",
            ),
            (
                "!( $inputs.b[0].c<=-1.5e3 )",
                "!($inputs.b[0].c <= -1500.0)",
            ),
            ("'it''s' != 'x'", "'it''s' != 'x'"),
            ("  true&&false ||null  ", "true && false || null"),
        ] {
            assert_eq!(canonical(parse_condition, source), expected);
        }
    }

    #[test]
    fn precedence_and_grouping() {
        let parsed = parse_condition("true || false && !$statusCode == 1", Mode::Strict)
            .unwrap()
            .value;
        let Condition::Or { operands, .. } = &parsed else {
            panic!("{parsed:?}")
        };
        assert!(matches!(operands[0], Condition::Value(_)));
        let Condition::And {
            operands: conjunction,
            ..
        } = &operands[1]
        else {
            panic!("{parsed:?}")
        };
        // `!` negates the whole comparison.
        let Condition::Not { operand, .. } = &conjunction[1] else {
            panic!("{parsed:?}")
        };
        assert!(matches!(
            **operand,
            Condition::Comparison {
                op: CompareOp::Eq,
                ..
            }
        ));
    }

    #[test]
    fn long_chains_stay_flat() {
        let source = vec!["$statusCode == 1"; 2000].join(" && ");
        let Condition::And { operands, .. } = parse_condition(&source, Mode::Strict).unwrap().value
        else {
            panic!("not a conjunction")
        };
        assert_eq!(operands.len(), 2000);
    }

    #[test]
    fn depth_limit() {
        let nested = |depth: usize| format!("{}true{}", "(".repeat(depth), ")".repeat(depth));
        assert!(parse_condition(&nested(MAX_DEPTH), Mode::Strict).is_ok());
        let err = error(parse_condition, &nested(MAX_DEPTH + 1));
        assert_eq!(err.kind, ParseErrorKind::TooDeep { limit: MAX_DEPTH });
        assert_eq!(err.span, Span::new(MAX_DEPTH, MAX_DEPTH + 1));
        assert!(parse_condition(&format!("{}true", "!".repeat(MAX_DEPTH)), Mode::Strict).is_ok());
        assert!(
            parse_condition(&format!("{}true", "! ".repeat(MAX_DEPTH + 1)), Mode::Strict).is_err()
        );
        // Parentheses inside strings do not count, and `!=` is not a `!`.
        let quoted = format!("'{}' != '{}'", "(".repeat(100), "!".repeat(100));
        assert!(parse_condition(&quoted, Mode::Strict).is_ok());
        // Many `!` that do not nest are fine.
        let flat = vec!["!$statusCode"; 200].join(" && ");
        assert!(parse_condition(&flat, Mode::Strict).is_ok());
    }

    #[test]
    fn literals() {
        let literal = |source: &str| match parse_condition(source, Mode::Strict).unwrap().value {
            Condition::Value(Comparable::Literal(literal)) => literal.value,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            literal("9007199254740993"),
            Literal::Number(9007199254740993u64.into())
        );
        assert_eq!(
            literal("-9007199254740993"),
            Literal::Number((-9007199254740993i64).into())
        );
        assert_eq!(literal("'a''b'''"), Literal::String("a'b'".into()));
        assert_eq!(literal("''"), Literal::String(String::new()));
        let err = error(parse_condition, "1e999");
        assert_eq!(
            err.kind,
            ParseErrorKind::NumberOutOfRange {
                text: "1e999".into()
            }
        );
        assert!(parse_condition("+1", Mode::Strict).is_err());
        assert!(parse_condition("01", Mode::Strict).is_err());
        assert!(parse_condition("1.", Mode::Strict).is_err());
        assert!(parse_condition("\"double\"", Mode::Strict).is_err());
        assert!(parse_condition("nulls", Mode::Strict).is_err());
    }

    #[test]
    fn values_are_classified() {
        let value = |source: &str| parse_value(source, Mode::Strict).map(|parsed| parsed.value);
        assert!(matches!(value("$inputs.a"), Ok(ValueExpr::Expression(_))));
        assert!(matches!(
            value("id-{$inputs.a}"),
            Ok(ValueExpr::Template(_))
        ));
        for literal in [
            "$100 off",
            "$foo",
            "$Inputs.a",
            "{$foo}",
            "{ $inputs.a }",
            "price: $",
            "",
            "}{",
        ] {
            assert_eq!(
                value(literal),
                Ok(ValueExpr::Literal(literal.into())),
                "{literal}"
            );
        }
        assert!(value("$inputs.a and more").is_err());
        assert!(value("$statusCode == 200").is_err());
        assert!(value("x {$inputs.a").is_err());
    }

    #[test]
    fn arazzo_1_1_forms_parse() {
        for source in [
            "$self",
            "$message.header.X-Request-Id",
            "$message.payload",
            "$message.payload#",
            "$message.payload#/items/0/id",
        ] {
            assert_eq!(canonical(parse_expression, source), source);
        }
        let form = |source: &str| {
            parse_expression(source, Mode::Strict)
                .unwrap()
                .value
                .version_form()
                .map(|form| (form.value, form.span))
        };
        assert_eq!(form("$self"), Some((VersionForm::SelfUri, Span::new(0, 5))));
        assert_eq!(
            form("$message.payload#/a"),
            Some((VersionForm::Message, Span::new(0, 19)))
        );
        assert_eq!(
            form("$components.inputs.pet"),
            Some((VersionForm::ComponentsInputs, Span::new(0, 22)))
        );
        assert_eq!(form("$components.parameters.pet"), None);
        assert_eq!(form("$response.body#/a"), None);
        // `$selfie` is no expression, so the string is a literal.
        assert_eq!(
            parse_value("$selfie", Mode::Strict).unwrap().value,
            ValueExpr::Literal("$selfie".into())
        );
    }

    #[test]
    fn nothing_follows_self() {
        let err = parse_expression("$self.x", Mode::Lenient).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`.x` cannot follow `$self` outside a condition"
        );
        let err = parse_expression("$self#/a", Mode::Lenient).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unexpected `#/a` after the runtime expression `$self`"
        );
    }

    #[test]
    fn version_forms_of_templates_and_conditions() {
        let template = parse_template("{$self}/{$inputs.a}/{$message.payload}", Mode::Strict)
            .unwrap()
            .value;
        let forms: Vec<_> = template.version_forms().map(|form| form.value).collect();
        assert_eq!(forms, [VersionForm::SelfUri, VersionForm::Message]);
        let condition = parse_condition(
            "$statusCode == 200 && $components.inputs.x == $message.header.a",
            Mode::Strict,
        )
        .unwrap()
        .value;
        let forms: Vec<_> = condition
            .version_forms()
            .map(|form| (form.value.name(), form.span))
            .collect();
        assert_eq!(
            forms,
            [
                ("$components.inputs", Span::new(22, 42)),
                ("$message", Span::new(46, 63))
            ]
        );
        assert!(VersionForm::Message.in_arazzo_1_1() && !VersionForm::Message.in_arazzo_1_0());
        assert!(VersionForm::ComponentsInputs.in_arazzo_1_0());
        assert!(!VersionForm::ComponentsInputs.in_arazzo_1_1());
        assert_eq!(
            VersionForm::Message.refusal(),
            "`$message` expressions were removed in Arazzo 1.0.1"
        );
        assert_eq!(
            ParseErrorKind::MessageRemoved.to_string(),
            VersionForm::Message.refusal()
        );
    }

    #[test]
    fn message_payload_navigation_is_lenient() {
        let parsed = parse_expression("$message.payload.order.id", Mode::Lenient).unwrap();
        assert_eq!(parsed.value.to_string(), "$message.payload#/order/id");
        assert_eq!(
            parsed.warnings[0].spec_form.as_deref(),
            Some("$message.payload#/order/id")
        );
        let err = parse_expression("$message.payload.order.id", Mode::Strict).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`$message.payload.order.id` is not in the runtime-expression ABNF; write `$message.payload#/order/id`"
        );
        let headers = parse_expression("$message.headers.a", Mode::Lenient).unwrap();
        assert_eq!(headers.value.to_string(), "$message.header.a");
        assert_eq!(headers.warnings.len(), 1);
        // In a condition, navigation is the property operator, as after `body`.
        let condition = parse_condition("$message.payload.status == 'ok'", Mode::Strict);
        assert!(condition.is_ok());
    }

    #[test]
    fn misplaced_sources_name_the_right_one() {
        for (source, message, at) in [
            (
                "$message.body",
                "`$message.body` is not a runtime expression; use `$message.payload`",
                9..13,
            ),
            (
                "$message.body#/a",
                "`$message.body` is not a runtime expression; use `$message.payload`",
                9..16,
            ),
            (
                "$request.payload",
                "`$request.payload` is not a runtime expression; use `$request.body`",
                9..16,
            ),
            (
                "$response.payload#/id",
                "`$response.payload` is not a runtime expression; use `$response.body`",
                10..21,
            ),
            (
                "$message.query.id",
                "`$message.query` is not a runtime expression; use `$message.header.<name>` or `$message.payload`",
                9..17,
            ),
        ] {
            for mode in [Mode::Strict, Mode::Lenient] {
                let err = parse_expression(source, mode).unwrap_err();
                assert_eq!(err.to_string(), message, "{source}");
                assert_eq!(err.span.range(), at, "{source}");
            }
        }
        // Conditions and templates read the same expressions.
        let err = parse_condition("$message.body == null", Mode::Lenient).unwrap_err();
        assert!(matches!(err.kind, ParseErrorKind::MisplacedSource { .. }));
        // The misplaced forms are never offered as what was expected.
        assert_eq!(
            parse_expression("$message.x", Mode::Strict)
                .unwrap_err()
                .to_string(),
            "expected `header.` or `payload`, found `x`"
        );
        assert_eq!(
            parse_expression("$response.bogus", Mode::Strict)
                .unwrap_err()
                .to_string(),
            "expected `header.`, `query.`, `path.` or `body`, found `bogus`"
        );
    }

    #[test]
    fn lenient_forms_warn() {
        let parsed = parse_expression("$response.body.items[0]", Mode::Lenient).unwrap();
        assert_eq!(parsed.value.to_string(), "$response.body#/items/0");
        assert_eq!(parsed.warnings.len(), 1);
        assert_eq!(parsed.warnings[0].span, Span::new(0, 23));
        let err = parse_expression("$response.body.items[0]", Mode::Strict).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`$response.body.items[0]` is not in the runtime-expression ABNF; write `$response.body#/items/0`"
        );
        let braced = parse_condition("{$statusCode == 401}", Mode::Lenient).unwrap();
        assert_eq!(braced.value.to_string(), "$statusCode == 401");
        assert_eq!(braced.warnings.len(), 1);
        assert_eq!(
            parse_condition("{$statusCode == 401}", Mode::Strict)
                .unwrap_err()
                .kind,
            ParseErrorKind::BracedCondition
        );
    }

    #[test]
    fn spans_point_into_the_source() {
        let source = "$steps.get-pet.outputs.pet.id#/tags/0";
        let Expression::Steps {
            step_id,
            output,
            pointer,
            span,
        } = parse_expression(source, Mode::Strict).unwrap().value
        else {
            panic!("not a steps expression")
        };
        assert_eq!(&source[step_id.span.range()], "get-pet");
        assert_eq!(&source[output.span.range()], "pet.id");
        assert_eq!(&source[pointer.unwrap().span.range()], "/tags/0");
        assert_eq!(span, Span::new(0, source.len()));
    }

    #[test]
    fn errors_name_no_pest_rule() {
        for source in [
            "$statusCode ===",
            "((",
            "$inputs.",
            "'a",
            "&&",
            "$steps.a.b",
            "$response.bogus",
            "{",
        ] {
            let message = error(parse_condition, source).to_string();
            for rule in Rule::all_rules() {
                let rule_name = format!("{rule:?}");
                // Single-word rule names (`literal`, `header`) are English; the others must not leak.
                let leaks =
                    (rule_name.contains('_') || rule_name == "EOI") && message.contains(&rule_name);
                assert!(!leaks, "{source}: {message} names {rule_name}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_text_never_panics(source in "\\PC{0,40}") {
            let _ = parse_expression(&source, Mode::Lenient);
            let _ = parse_template(&source, Mode::Lenient);
            let _ = parse_condition(&source, Mode::Lenient);
            let _ = parse_value(&source, Mode::Strict);
        }

        #[test]
        fn expression_like_text_never_panics(source in "[$a-z.#/{}()!=<>&|' 0-9~%\\[\\]-]{0,40}") {
            for mode in [Mode::Strict, Mode::Lenient] {
                let _ = parse_expression(&source, mode);
                let _ = parse_template(&source, mode);
                let _ = parse_condition(&source, mode);
            }
        }

        #[test]
        fn deep_nesting_is_an_error_not_an_overflow(depth in 0usize..400, nots in 0usize..3) {
            let source = format!("{}$statusCode == 1{}", "!(".repeat(nots).repeat(depth), ")".repeat(nots * depth));
            match parse_condition(&source, Mode::Strict) {
                Ok(_) => prop_assert!(nots * depth * 2 <= MAX_DEPTH),
                Err(err) => prop_assert_eq!(err.kind, ParseErrorKind::TooDeep { limit: MAX_DEPTH }),
            }
        }

        #[test]
        fn canonical_text_round_trips(source in condition_source()) {
            let parsed = parse_condition(&source, Mode::Strict).expect("generated conditions are valid").value;
            let reparsed = parse_condition(&parsed.to_string(), Mode::Strict).expect("canonical text parses").value;
            prop_assert_eq!(reparsed.without_spans(), parsed.without_spans());
        }
    }

    /// Valid conditions built from a few operands, operators, `!` and parentheses.
    fn condition_source() -> impl Strategy<Value = String> {
        let operand = prop_oneof![
            Just("$statusCode".to_owned()),
            Just("$response.body#/a~1b/0".to_owned()),
            Just("$inputs.a.b[2].c".to_owned()),
            Just("$response.header.X-Rate-Limit".to_owned()),
            Just("'it''s'".to_owned()),
            Just("-12.5e2".to_owned()),
            Just("null".to_owned()),
            Just("true".to_owned()),
        ];
        let comparison = (
            operand.clone(),
            prop_oneof!["==", "!=", "<", "<=", ">", ">="],
            operand.clone(),
        )
            .prop_map(|(left, op, right)| format!("{left}{op}{right}"));
        let leaf = prop_oneof![operand, comparison];
        leaf.prop_recursive(6, 48, 4, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} && {b}")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}||{b}")),
                inner.clone().prop_map(|a| format!("!({a})")),
                inner.prop_map(|a| format!("( {a} )")),
            ]
        })
    }
}
