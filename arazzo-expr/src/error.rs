//! Parse errors, warnings and evaluation errors.

use std::fmt;

use crate::ast::Span;

/// A string that is not a valid expression, template, condition or criterion.
///
/// `span` is a byte range in the parsed string; [`render`](ParseError::render) shows it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}")]
pub struct ParseError {
    /// Where the problem is.
    pub span: Span,
    /// What the problem is.
    pub kind: ParseErrorKind,
}

/// The kinds of [`ParseError`]. Each variant shows an input that triggers it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// `$statusCode === 200`, `$steps.a.result`, `{$inputs.id`.
    #[error("expected {expected}, found {found}")]
    Syntax {
        /// What would have been valid here, in words.
        expected: String,
        /// What was found: a quoted excerpt or "the end of the text".
        found: String,
    },
    /// `$statusCode == 200` or `$inputs.a b` where one whole expression is expected.
    #[error("unexpected `{rest}` after the runtime expression `{expression}`")]
    TrailingText {
        /// The expression that was read.
        expression: String,
        /// What follows it, trimmed.
        rest: String,
    },
    /// 65 nested `(`.
    #[error("the condition nests deeper than {limit} levels of parentheses and `!`")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// In strict mode: `$response.body.id`, `$response.headers.Location`.
    #[error("`{found}` is not in the runtime-expression ABNF; write `{canonical}`")]
    NotInAbnf {
        /// The expression as written.
        found: String,
        /// The ABNF form lenient mode reads it as.
        canonical: String,
    },
    /// In strict mode: `{$statusCode == 200}` as a whole condition.
    #[error("braces around a whole condition are not part of the condition language")]
    BracedCondition,
    /// No longer produced: the parser reads `$message` (Arazzo 1.1), and a 1.0.x document's
    /// validator refuses it through [`VersionForm::Message`](crate::VersionForm::Message), whose
    /// [`refusal`](crate::VersionForm::refusal) is this message.
    #[error("{}", crate::ast::VersionForm::Message.refusal())]
    MessageRemoved,
    /// `$message.body`, `$request.payload`, `$message.query.id`: a source of another message.
    #[error("`{written}` is not a runtime expression; use {instead}")]
    MisplacedSource {
        /// The root and source as written (`$message.body`).
        written: String,
        /// What to write instead, in backticks (`` `$message.payload` ``).
        instead: String,
    },
    /// `$statusCode.value` as a value, `$url[0]`: only conditions navigate such values.
    #[error("`{navigation}` cannot follow `{expression}` outside a condition")]
    UnexpectedNavigation {
        /// The expression.
        expression: String,
        /// The navigation that follows it.
        navigation: String,
    },
    /// `$response.body#/%FF`, `$response.body#/%7E2`.
    #[error("invalid JSON pointer `{pointer}`: {reason}")]
    InvalidPointer {
        /// The pointer as written.
        pointer: String,
        /// Why it is invalid.
        reason: crate::pointer::PointerError,
    },
    /// A `jsonpointer` selector written as a URI fragment, `#/items/0`.
    #[error(
        "a `jsonpointer` selector is a plain JSON pointer, not a URI fragment: write `{plain}`, not `{pointer}`"
    )]
    PointerFragment {
        /// The selector as written.
        pointer: String,
        /// It without the `#`.
        plain: String,
    },
    /// `1e999`, `[99999999999999999999999]`.
    #[error("number `{text}` is out of range")]
    NumberOutOfRange {
        /// The number as written.
        text: String,
    },
    /// A `regex` criterion with the pattern `(`.
    #[error("invalid regular expression `{pattern}`: {reason}")]
    InvalidRegex {
        /// The pattern.
        pattern: String,
        /// The regex engine's message.
        reason: String,
    },
    /// A `jsonpath` criterion with the query `$.a != null`.
    #[error("invalid JSONPath query `{query}`: {reason}")]
    InvalidJsonPath {
        /// The query.
        query: String,
        /// The JSONPath engine's message.
        reason: String,
    },
    /// An `xpath` criterion with the expression `//[`.
    #[error("invalid XPath expression `{expression}`: {reason}")]
    InvalidXPath {
        /// The expression.
        expression: String,
        /// The XPath engine's message.
        reason: String,
    },
    /// A `regex`, `jsonpath` or `xpath` criterion without `context`.
    #[error("a `{kind}` criterion needs a `context` expression")]
    MissingContext {
        /// The criterion type.
        kind: &'static str,
    },
}

impl ParseError {
    pub(crate) fn new(span: Span, kind: ParseErrorKind) -> Self {
        ParseError { span, kind }
    }

    /// The message with the source line and a caret under the span, for people:
    ///
    /// ```text
    /// error: expected a runtime expression or a literal, found `=`
    ///  --> 1:15
    ///   |
    /// 1 | $statusCode === 200
    ///   |               ^
    /// ```
    pub fn render(&self, source: &str) -> String {
        let start = floor_char_boundary(source, self.span.start);
        let line_start = source[..start].rfind('\n').map_or(0, |at| at + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |at| start + at);
        let line_number = source[..start].matches('\n').count() + 1;
        let line = &source[line_start..line_end];
        let column = source[line_start..start].chars().count() + 1;
        let end = floor_char_boundary(source, self.span.end.clamp(start, line_end));
        let width = source[start..end].chars().count().max(1);
        let gutter = " ".repeat(line_number.to_string().len());
        format!(
            "error: {self}\n{gutter}--> {line_number}:{column}\n{gutter} |\n{line_number} | {line}\n{gutter} | {}{}",
            " ".repeat(column - 1),
            "^".repeat(width),
        )
    }
}

/// The largest char boundary at or before `at` (spans from another string must not panic).
fn floor_char_boundary(source: &str, at: usize) -> usize {
    (0..=at.min(source.len()))
        .rev()
        .find(|&at| source.is_char_boundary(at))
        .unwrap_or(0)
}

/// Something accepted in lenient mode that is not in the ABNF, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// Where the lenient form is.
    pub span: Span,
    /// What was accepted and how it was read.
    pub message: String,
    /// The ABNF form of the text at `span`, when the lenient form has one (`$response.body.a`
    /// → `$response.body#/a`): what `arazzo fix` writes there.
    pub spec_form: Option<String>,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Why an expression, template or criterion could not be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// `$inputs.missing` when the workflow has no such input.
    #[error("`{expression}` did not resolve to a value")]
    Unresolved {
        /// The expression, in canonical form.
        expression: String,
    },
    /// A Selector Object that selects nothing, or whose context is not data its selector
    /// applies to (a string for `jsonpath`, JSON for `xpath`): no value, like
    /// [`Unresolved`](EvalError::Unresolved).
    #[error("`{selector}` on `{context}` did not resolve to a value: {reason}")]
    NothingSelected {
        /// The context expression, in canonical form.
        context: String,
        /// The selector, as written.
        selector: String,
        /// Why nothing was selected.
        reason: String,
    },
    /// A regex pattern that is invalid after template substitution.
    #[error("invalid regular expression `{pattern}`: {reason}")]
    InvalidRegex {
        /// The pattern.
        pattern: String,
        /// The regex engine's message.
        reason: String,
    },
    /// A JSONPath query that is invalid after template substitution.
    #[error("invalid JSONPath query `{query}`: {reason}")]
    InvalidJsonPath {
        /// The query.
        query: String,
        /// The JSONPath engine's message.
        reason: String,
    },
    /// An XPath expression that does not compile.
    #[error("invalid XPath expression `{expression}`: {reason}")]
    InvalidXPath {
        /// The expression.
        expression: String,
        /// The XPath engine's message.
        reason: String,
    },
    /// A regex search that backtracked [`REGEX_BACKTRACK_LIMIT`](crate::REGEX_BACKTRACK_LIMIT)
    /// times without an answer, such as `^(a|a)+\1$` on 40 `a` and a `b`.
    #[error("regex `{pattern}` gave up after {steps} steps: catastrophic backtracking")]
    RegexGaveUp {
        /// The pattern.
        pattern: String,
        /// How many backtracking steps it took.
        steps: usize,
    },
    /// An `xpath` criterion whose context is not XML text.
    #[error("the xpath context is not XML: {reason}")]
    NotXml {
        /// Why.
        reason: String,
    },
    /// An XPath dynamic error (for example a type error while computing the result).
    #[error("xpath evaluation failed: {reason}")]
    XPath {
        /// The XPath engine's message.
        reason: String,
    },
    /// A version of a criterion or selector language that this engine cannot evaluate with
    /// that version's semantics: `xpath-10`, or a draft-goessner JSONPath query outside the
    /// syntax it shares with RFC 9535.
    #[error("{version} is not supported: {reason}")]
    UnsupportedVersion {
        /// The version asked for, as named in `version`.
        version: &'static str,
        /// Why, and what to write instead.
        reason: String,
    },
    /// An `xpath` criterion in a build without the `xpath` feature.
    #[error("xpath criteria need the `xpath` feature of `arazzo-expr`")]
    XPathFeature,
}

impl EvalError {
    /// Whether the error means "no value" ([`Unresolved`](EvalError::Unresolved),
    /// [`NothingSelected`](EvalError::NothingSelected)), which an engine may tolerate, rather
    /// than a failed evaluation.
    pub fn is_unresolved(&self) -> bool {
        matches!(
            self,
            EvalError::Unresolved { .. } | EvalError::NothingSelected { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syntax_error(start: usize, end: usize) -> ParseError {
        let kind = ParseErrorKind::Syntax {
            expected: "`)`".into(),
            found: "`x`".into(),
        };
        ParseError::new(Span::new(start, end), kind)
    }

    #[test]
    fn render_points_at_the_line_and_column() {
        // The column counts characters: `é` is two bytes.
        let source = "$statusCode == 200\n  && ($inputs.é x";
        let rendered = syntax_error(36, 37).render(source);
        assert_eq!(
            rendered,
            "error: expected `)`, found `x`\n --> 2:17\n  |\n2 |   && ($inputs.é x\n  |                 ^"
        );
    }

    #[test]
    fn render_survives_spans_of_another_string() {
        assert!(syntax_error(2, 99).render("é").ends_with('^'));
        assert!(syntax_error(50, 60).render("").contains("1:1"));
    }
}
