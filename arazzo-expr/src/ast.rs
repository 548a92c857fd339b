//! The syntax tree of runtime expressions, templates and simple conditions.
//!
//! Every node is plain data. Spans are byte ranges into the parsed string; use
//! `without_spans()` on the top-level types to compare trees by structure only.

use std::fmt;

use crate::pointer::JsonPointer;

/// A byte range `start..end` in the parsed source string.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The span as a range, to slice the source with.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A value with the span it was parsed from (ids, names, pointers).
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was in the source.
    pub span: Span,
}

/// A name inside an expression: a step id, an output name, a header token, …
pub type Name = Spanned<String>;

/// A runtime expression (Arazzo 1.0.1 and 1.1 "Runtime Expressions"; the forms of one version
/// only are told by [`version_form`](Expression::version_form)).
#[derive(Debug, Clone, PartialEq)]
pub enum Expression {
    /// `$url`: the URL of the step's request.
    Url {
        /// The whole expression.
        span: Span,
    },
    /// `$method`: the HTTP method of the step's request.
    Method {
        /// The whole expression.
        span: Span,
    },
    /// `$statusCode`: the status code of the step's response.
    StatusCode {
        /// The whole expression.
        span: Span,
    },
    /// `$request.<source>`.
    Request {
        /// Header, query, path or body.
        source: MessageSource,
        /// The whole expression.
        span: Span,
    },
    /// `$response.<source>`.
    Response {
        /// Header, query, path or body.
        source: MessageSource,
        /// The whole expression.
        span: Span,
    },
    /// `$inputs.<name>[#pointer]`: an input of the current workflow.
    Inputs {
        /// The raw input name; it may contain dots (see the crate's `# Decisions`).
        name: Name,
        /// An optional `#` JSON pointer into the input's value.
        pointer: Option<Spanned<JsonPointer>>,
        /// The whole expression.
        span: Span,
    },
    /// `$outputs.<name>[#pointer]`: an output of the workflow called by the current step.
    Outputs {
        /// The raw output name; it may contain dots.
        name: Name,
        /// An optional `#` JSON pointer into the output's value.
        pointer: Option<Spanned<JsonPointer>>,
        /// The whole expression.
        span: Span,
    },
    /// `$steps.<stepId>.outputs.<name>[#pointer]`.
    Steps {
        /// The step id.
        step_id: Name,
        /// The raw output name; it may contain dots.
        output: Name,
        /// An optional `#` JSON pointer into the output's value.
        pointer: Option<Spanned<JsonPointer>>,
        /// The whole expression.
        span: Span,
    },
    /// `$workflows.<workflowId>.inputs|outputs.<name>[#pointer]`.
    Workflows {
        /// The workflow id.
        workflow_id: Name,
        /// `inputs` or `outputs`.
        field: WorkflowField,
        /// The raw input or output name; it may contain dots.
        name: Name,
        /// An optional `#` JSON pointer into the value.
        pointer: Option<Spanned<JsonPointer>>,
        /// The whole expression.
        span: Span,
    },
    /// `$sourceDescriptions.<name>.<reference>`: an operationId, a workflowId or a field
    /// (such as `url`) of a source description.
    SourceDescriptions {
        /// The source description name.
        name: Name,
        /// The operationId, workflowId or field name, as written.
        reference: Name,
        /// The whole expression.
        span: Span,
    },
    /// `$components.<type>.<key>`.
    Components {
        /// Which map of the Components Object.
        kind: ComponentKind,
        /// The component key; it may contain dots.
        key: Name,
        /// The whole expression.
        span: Span,
    },
    /// `$message.header.<token>` or `$message.payload[#pointer]` (Arazzo 1.1): the message an
    /// AsyncAPI step received (or sent).
    Message {
        /// Header or payload.
        part: MessagePart,
        /// The whole expression.
        span: Span,
    },
    /// `$self` (Arazzo 1.1): the URI of the Arazzo Description, from its `$self` field.
    SelfUri {
        /// The whole expression.
        span: Span,
    },
}

/// The part of an AsyncAPI message that `$message.` reads.
#[derive(Debug, Clone, PartialEq)]
pub enum MessagePart {
    /// `header.<token>`.
    Header(Name),
    /// `payload[#pointer]`.
    Payload(Option<Spanned<JsonPointer>>),
}

/// A form of the expression language that not every Arazzo version has. The parser accepts
/// them all; a document validator, which knows the document's version, refuses the forms of
/// other versions (see [`Expression::version_form`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VersionForm {
    /// `$self`: new in Arazzo 1.1.
    SelfUri,
    /// `$message.…`: in Arazzo 1.0.0, removed in 1.0.1, back in 1.1 (with `payload`).
    Message,
    /// `$components.inputs.<key>`: in Arazzo 1.0.x; 1.1's component types are `parameters`,
    /// `successActions` and `failureActions` (inputs are referenced with `$ref`).
    ComponentsInputs,
}

impl VersionForm {
    /// The form as written: `$self`, `$message`, `$components.inputs`.
    pub fn name(self) -> &'static str {
        match self {
            VersionForm::SelfUri => "$self",
            VersionForm::Message => "$message",
            VersionForm::ComponentsInputs => "$components.inputs",
        }
    }

    /// Whether Arazzo 1.0.1 (and so this project's reading of every 1.0.x document) has it.
    pub fn in_arazzo_1_0(self) -> bool {
        matches!(self, VersionForm::ComponentsInputs)
    }

    /// Whether Arazzo 1.1 has it.
    pub fn in_arazzo_1_1(self) -> bool {
        !matches!(self, VersionForm::ComponentsInputs)
    }

    /// Why a document of the other version cannot use it, for a diagnostic:
    /// "`$message` expressions were removed in Arazzo 1.0.1".
    pub fn refusal(self) -> &'static str {
        match self {
            VersionForm::SelfUri => "`$self` expressions are new in Arazzo 1.1",
            VersionForm::Message => "`$message` expressions were removed in Arazzo 1.0.1",
            VersionForm::ComponentsInputs => {
                "`$components.inputs` expressions were removed in Arazzo 1.1 (reference inputs with `$ref`)"
            }
        }
    }
}

/// The part of an HTTP message that `$request.` / `$response.` reads.
#[derive(Debug, Clone, PartialEq)]
pub enum MessageSource {
    /// `header.<token>`; looked up case-insensitively.
    Header(Name),
    /// `query.<name>`.
    Query(Name),
    /// `path.<name>`.
    Path(Name),
    /// `body[#pointer]`.
    Body(Option<Spanned<JsonPointer>>),
}

/// The field of `$workflows.<id>.` that is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkflowField {
    /// `inputs`.
    Inputs,
    /// `outputs`.
    Outputs,
}

/// A map of the Components Object, as named in `$components.<type>.<key>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentKind {
    /// `parameters`.
    Parameters,
    /// `successActions`.
    SuccessActions,
    /// `failureActions`.
    FailureActions,
    /// `inputs` (parseable under the 1.0 ABNF, not in 1.1: [`VersionForm::ComponentsInputs`]; the
    /// spec says inputs are referenced with `$ref`).
    Inputs,
}

impl ComponentKind {
    /// The name used in expressions and in the Components Object.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Parameters => "parameters",
            ComponentKind::SuccessActions => "successActions",
            ComponentKind::FailureActions => "failureActions",
            ComponentKind::Inputs => "inputs",
        }
    }
}

/// A string with embedded `{$…}` expressions.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// Literal text and embedded expressions, in source order.
    pub parts: Vec<TemplatePart>,
    /// The whole template.
    pub span: Span,
}

/// One piece of a [`Template`].
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    /// Literal text, copied as is.
    Text(Spanned<String>),
    /// `{$…}`: the span covers the braces.
    Expression(Spanned<Expression>),
}

/// A simple condition (Criterion Object, `type: simple`).
///
/// `&&` and `||` are n-ary so that long chains do not nest.
#[derive(Debug, Clone, PartialEq)]
// Built once per document, so the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Condition {
    /// `a || b || …` (at least two operands).
    Or {
        /// The operands, in source order.
        operands: Vec<Condition>,
        /// The whole disjunction.
        span: Span,
    },
    /// `a && b && …` (at least two operands).
    And {
        /// The operands, in source order.
        operands: Vec<Condition>,
        /// The whole conjunction.
        span: Span,
    },
    /// `!operand`.
    Not {
        /// The negated condition.
        operand: Box<Condition>,
        /// From `!` to the end of the operand.
        span: Span,
    },
    /// `( … )`, kept so that the canonical text keeps the author's grouping.
    Group {
        /// The condition inside the parentheses.
        inner: Box<Condition>,
        /// From `(` to `)`.
        span: Span,
    },
    /// `left <op> right`; comparisons do not chain.
    Comparison {
        /// Left side.
        left: Comparable,
        /// The operator.
        op: CompareOp,
        /// Right side.
        right: Comparable,
        /// The whole comparison.
        span: Span,
    },
    /// A bare operand or literal: true only when it is the boolean `true`.
    Value(Comparable),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparable {
    /// `null`, `true`, `42`, `'text'`.
    Literal(Spanned<Literal>),
    /// A runtime expression with optional navigation.
    Operand(Operand),
}

/// A literal of the condition language.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A JSON number; integers keep their precision.
    Number(serde_json::Number),
    /// A single-quoted string, `''` unescaped to `'`.
    String(String),
}

/// A runtime expression followed by `.name` / `[n]` navigation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operand {
    /// The expression.
    pub expression: Expression,
    /// Navigation applied to its value, in order.
    pub navigation: Vec<Navigation>,
    /// The expression and its navigation.
    pub span: Span,
}

/// One navigation step inside a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Navigation {
    /// `.name`: an object member (or, like a pointer token, an array index written in digits).
    Member(Name),
    /// `[n]`: a 0-based array index.
    Index(Spanned<usize>),
}

/// A string value of a document, classified the way the engine reads it
/// (see [`parse_value`](crate::parse_value)).
#[derive(Debug, Clone, PartialEq)]
pub enum ValueExpr {
    /// The whole string is one runtime expression: evaluates to a typed JSON value.
    Expression(Expression),
    /// The string embeds `{$…}` expressions: evaluates to a string.
    Template(Template),
    /// No expression: the string itself.
    Literal(String),
}

impl Expression {
    /// The span of the whole expression.
    pub fn span(&self) -> Span {
        match self {
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
            | Expression::SelfUri { span } => *span,
        }
    }

    /// The form of one Arazzo version this expression is, with its span: `$self`, `$message…`
    /// (Arazzo 1.1) or `$components.inputs.…` (Arazzo 1.0.x); `None` for the forms both have.
    pub fn version_form(&self) -> Option<Spanned<VersionForm>> {
        let value = match self {
            Expression::SelfUri { .. } => VersionForm::SelfUri,
            Expression::Message { .. } => VersionForm::Message,
            Expression::Components {
                kind: ComponentKind::Inputs,
                ..
            } => VersionForm::ComponentsInputs,
            _ => return None,
        };
        Some(Spanned {
            value,
            span: self.span(),
        })
    }

    /// The `#` pointer of the expression, if it has one.
    pub fn pointer(&self) -> Option<&Spanned<JsonPointer>> {
        match self {
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
            | Expression::Workflows { pointer, .. } => pointer.as_ref(),
            _ => None,
        }
    }

    /// A copy with every span set to `0..0`, to compare trees by structure.
    pub fn without_spans(&self) -> Self {
        let mut copy = self.clone();
        copy.clear_spans();
        copy
    }

    fn clear_spans(&mut self) {
        fn clear_pointer(pointer: &mut Option<Spanned<JsonPointer>>) {
            if let Some(pointer) = pointer {
                pointer.span = Span::default();
            }
        }
        match self {
            Expression::Url { span }
            | Expression::Method { span }
            | Expression::StatusCode { span }
            | Expression::SelfUri { span } => {
                *span = Span::default();
            }
            Expression::Message { part, span } => {
                *span = Span::default();
                match part {
                    MessagePart::Header(name) => name.span = Span::default(),
                    MessagePart::Payload(pointer) => clear_pointer(pointer),
                }
            }
            Expression::Request { source, span } | Expression::Response { source, span } => {
                *span = Span::default();
                match source {
                    MessageSource::Header(name)
                    | MessageSource::Query(name)
                    | MessageSource::Path(name) => {
                        name.span = Span::default();
                    }
                    MessageSource::Body(pointer) => clear_pointer(pointer),
                }
            }
            Expression::Inputs {
                name,
                pointer,
                span,
            }
            | Expression::Outputs {
                name,
                pointer,
                span,
            } => {
                *span = Span::default();
                name.span = Span::default();
                clear_pointer(pointer);
            }
            Expression::Steps {
                step_id,
                output,
                pointer,
                span,
            } => {
                *span = Span::default();
                step_id.span = Span::default();
                output.span = Span::default();
                clear_pointer(pointer);
            }
            Expression::Workflows {
                workflow_id,
                name,
                pointer,
                span,
                ..
            } => {
                *span = Span::default();
                workflow_id.span = Span::default();
                name.span = Span::default();
                clear_pointer(pointer);
            }
            Expression::SourceDescriptions {
                name,
                reference,
                span,
            } => {
                *span = Span::default();
                name.span = Span::default();
                reference.span = Span::default();
            }
            Expression::Components { key, span, .. } => {
                *span = Span::default();
                key.span = Span::default();
            }
        }
    }
}

impl Template {
    /// The embedded expressions, in source order.
    pub fn expressions(&self) -> impl Iterator<Item = &Expression> {
        self.parts.iter().filter_map(|part| match part {
            TemplatePart::Expression(expression) => Some(&expression.value),
            TemplatePart::Text(_) => None,
        })
    }

    /// The forms of one Arazzo version among the embedded expressions, in source order.
    pub fn version_forms(&self) -> impl Iterator<Item = Spanned<VersionForm>> {
        self.expressions().filter_map(Expression::version_form)
    }

    /// A copy with every span set to `0..0`, to compare trees by structure.
    pub fn without_spans(&self) -> Self {
        let mut copy = self.clone();
        copy.clear_spans();
        copy
    }

    fn clear_spans(&mut self) {
        self.span = Span::default();
        for part in &mut self.parts {
            match part {
                TemplatePart::Text(text) => text.span = Span::default(),
                TemplatePart::Expression(expression) => {
                    expression.span = Span::default();
                    expression.value.clear_spans();
                }
            }
        }
    }
}

impl Condition {
    /// The span of the whole condition.
    pub fn span(&self) -> Span {
        match self {
            Condition::Or { span, .. }
            | Condition::And { span, .. }
            | Condition::Not { span, .. }
            | Condition::Group { span, .. }
            | Condition::Comparison { span, .. } => *span,
            Condition::Value(comparable) => comparable.span(),
        }
    }

    /// The runtime expressions of the condition, in source order.
    pub fn expressions(&self) -> impl Iterator<Item = &Expression> {
        let mut found = Vec::new();
        self.collect_expressions(&mut found);
        found.into_iter()
    }

    /// The forms of one Arazzo version among the condition's expressions, in source order.
    pub fn version_forms(&self) -> impl Iterator<Item = Spanned<VersionForm>> {
        self.expressions().filter_map(Expression::version_form)
    }

    fn collect_expressions<'a>(&'a self, found: &mut Vec<&'a Expression>) {
        match self {
            Condition::Or { operands, .. } | Condition::And { operands, .. } => {
                for operand in operands {
                    operand.collect_expressions(found);
                }
            }
            Condition::Not { operand: inner, .. } | Condition::Group { inner, .. } => {
                inner.collect_expressions(found);
            }
            Condition::Comparison { left, right, .. } => {
                found.extend(left.expression());
                found.extend(right.expression());
            }
            Condition::Value(comparable) => found.extend(comparable.expression()),
        }
    }

    /// A copy with every span set to `0..0`, to compare trees by structure.
    pub fn without_spans(&self) -> Self {
        let mut copy = self.clone();
        copy.clear_spans();
        copy
    }

    fn clear_spans(&mut self) {
        match self {
            Condition::Or { operands, span } | Condition::And { operands, span } => {
                *span = Span::default();
                operands.iter_mut().for_each(Condition::clear_spans);
            }
            Condition::Not {
                operand: inner,
                span,
            }
            | Condition::Group { inner, span } => {
                *span = Span::default();
                inner.clear_spans();
            }
            Condition::Comparison {
                left, right, span, ..
            } => {
                *span = Span::default();
                left.clear_spans();
                right.clear_spans();
            }
            Condition::Value(comparable) => comparable.clear_spans(),
        }
    }
}

impl Comparable {
    /// The span of the literal or operand.
    pub fn span(&self) -> Span {
        match self {
            Comparable::Literal(literal) => literal.span,
            Comparable::Operand(operand) => operand.span,
        }
    }

    /// The runtime expression, if this is an operand.
    pub fn expression(&self) -> Option<&Expression> {
        match self {
            Comparable::Literal(_) => None,
            Comparable::Operand(operand) => Some(&operand.expression),
        }
    }

    fn clear_spans(&mut self) {
        match self {
            Comparable::Literal(literal) => literal.span = Span::default(),
            Comparable::Operand(operand) => {
                operand.span = Span::default();
                operand.expression.clear_spans();
                for step in &mut operand.navigation {
                    match step {
                        Navigation::Member(name) => name.span = Span::default(),
                        Navigation::Index(index) => index.span = Span::default(),
                    }
                }
            }
        }
    }
}

impl ValueExpr {
    /// The runtime expressions of the value, in source order (none for a literal).
    pub fn expressions(&self) -> impl Iterator<Item = &Expression> {
        let found: Vec<&Expression> = match self {
            ValueExpr::Expression(expression) => vec![expression],
            ValueExpr::Template(template) => template.expressions().collect(),
            ValueExpr::Literal(_) => Vec::new(),
        };
        found.into_iter()
    }

    /// The forms of one Arazzo version among the value's expressions, in source order.
    pub fn version_forms(&self) -> impl Iterator<Item = Spanned<VersionForm>> {
        self.expressions().filter_map(Expression::version_form)
    }

    /// A copy with every span set to `0..0`, to compare trees by structure.
    pub fn without_spans(&self) -> Self {
        match self {
            ValueExpr::Expression(expression) => ValueExpr::Expression(expression.without_spans()),
            ValueExpr::Template(template) => ValueExpr::Template(template.without_spans()),
            ValueExpr::Literal(text) => ValueExpr::Literal(text.clone()),
        }
    }
}
