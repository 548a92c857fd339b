//! Runtime expressions, templates, success criteria and selectors of Arazzo 1.0.x and 1.1.
//!
//! The crate parses the expression languages of an Arazzo document into spanned syntax trees
//! (a pest grammar recognises, Rust builders build) and evaluates them against a [`Context`]
//! that an engine implements; it knows nothing about documents or HTTP.
//!
//! - [`parse_expression`]: one whole runtime expression (`$response.body#/id`);
//! - [`parse_template`]: text with embedded `{$…}` expressions;
//! - [`parse_condition`]: a simple condition (`$statusCode == 200 && $response.body#/ok`);
//! - [`parse_value`]: a document string classified as expression, template or literal;
//! - [`parse_criterion`]: a Criterion Object (`simple`, `regex`, `jsonpath`, `xpath`);
//! - [`parse_selector`], [`is_selector_object`]: a Selector Object (Arazzo 1.1);
//! - [`evaluate`], [`evaluate_value`], [`render_template`], [`evaluate_condition`],
//!   [`evaluate_criterion`], [`evaluate_selector`];
//! - [`replace_in_json`], [`replace_in_xml`]: Payload Replacement targets.
//!
//! The crate knows no document version: it reads the expressions of 1.0.x and 1.1 alike and
//! tells which forms only one version has ([`Expression::version_form`], [`VersionForm`]), so
//! that a validator can refuse them in documents of the other version.
//!
//! Each `Display` prints canonical source that parses back to the same tree.
//!
//! # Example
//!
//! ```
//! use std::borrow::Cow;
//!
//! use arazzo_expr::{
//!     Context, CriterionKind, HttpMessage, Mode, evaluate, evaluate_criterion, parse_criterion,
//!     parse_expression, parse_value, render_template, ValueExpr,
//! };
//! use serde_json::{Value, json};
//!
//! /// The state of a step that got `200 {"id": 42, "status": "AVAILABLE"}`.
//! struct Step {
//!     body: Value,
//! }
//!
//! impl Context for Step {
//!     fn status_code(&self) -> Option<Cow<'_, Value>> {
//!         Some(Cow::Owned(json!(200)))
//!     }
//!     fn body(&self, message: HttpMessage) -> Option<Cow<'_, Value>> {
//!         (message == HttpMessage::Response).then_some(Cow::Borrowed(&self.body))
//!     }
//! }
//!
//! let step = Step { body: json!({"id": 42, "status": "AVAILABLE"}) };
//!
//! // A whole expression keeps the JSON type.
//! let id = parse_expression("$response.body#/id", Mode::Strict)?.value;
//! assert_eq!(evaluate(&id, &step)?, json!(42));
//!
//! // A template stringifies.
//! let ValueExpr::Template(url) = parse_value("/pets/{$response.body#/id}", Mode::Strict)?.value else {
//!     unreachable!()
//! };
//! assert_eq!(render_template(&url, &step)?, "/pets/42");
//!
//! // A simple criterion: string comparison is case-insensitive.
//! let condition = "$statusCode == 200 && $response.body#/status == 'available'";
//! let criterion = parse_criterion(CriterionKind::Simple, None, condition, Mode::Strict)?.value;
//! assert!(evaluate_criterion(&criterion, &step).passed());
//!
//! // Errors say what was expected, in words, with a byte span.
//! let err = parse_expression("$steps.login.token", Mode::Strict).unwrap_err();
//! assert_eq!(err.to_string(), "expected `.outputs.`, found `.token`");
//! assert_eq!(err.span.range(), 12..18);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Decisions
//!
//! The spec leaves these open; each is pinned by fixtures in `specs/expr/` and by tests.
//!
//! 1. **Strict and lenient modes** (checklist §8 item 18, §9 decision 7; 1.1 checklist D24).
//!    [`Mode::Strict`] accepts the ABNF of 1.0.1 and 1.1 with the structure the spec text gives
//!    it (next items). [`Mode::Lenient`] also accepts, each with a [`Warning`]: `.name`/`[n]`
//!    navigation after an expression that has a pointer slot, outside conditions
//!    (`$response.body.a.b` is read as `$response.body#/a/b`, and `$message.payload.orderId`,
//!    the 1.1 spec's own form, as `$message.payload#/orderId`); `$response.headers.X` (read as
//!    `header`); a whole condition in braces (`{$statusCode == 401}`, the spec's Components
//!    JSON example). `$steps.<id>.<name>` without `.outputs.` is an error in both modes.
//! 2. **Structure of the `name` tails** (checklist §4.3; the 1.1 ABNF formalises it).
//!    `$steps.<id>.outputs.<name>`, `$workflows.<id>.inputs|outputs.<name>`,
//!    `$sourceDescriptions.<name>.<reference>`,
//!    `$components.parameters|successActions|failureActions|inputs.<key>`. Ids are
//!    `[A-Za-z0-9_-]+`; input, output and component names `[A-Za-z0-9._-]+`.
//! 3. **`#` pointers** (checklist §8 item 15) are accepted after `$inputs.x`, `$outputs.x`,
//!    `$steps.s.outputs.x`, `$workflows.w.inputs|outputs.x` and `body`, in both modes, and are
//!    percent-decoded as URI fragments (RFC 6901 §6), so `#/a%20b` reaches the key `a b`.
//! 4. **Where names and pointers end** (checklist §4.4 items 1–3, §8 item 13). Everywhere — whole
//!    values, templates, conditions — a name, header token or pointer token ends at whitespace,
//!    a control character or one of `{ } ( ) [ ] = ! < > & | ' "`. So a pointer in a condition
//!    ends at whitespace or an operator (`$response.body#/id==1` works), inside `{…}` at the
//!    first `}`, and `$response.header.X-Flag||…` splits at `||` (`|`, `&`, `!`, `'` are
//!    dropped from the header `tchar` set).
//! 5. **Dotted names vs navigation** (checklist §4.4 item 5, §8 item 14). The tree keeps the
//!    raw name (`$steps.s.outputs.a.b` has output `a.b`). Evaluation asks the [`Context`]
//!    for the longest prefix first (`a.b`, then `a`) and navigates into the first value found
//!    with the rest; a `None` from the context means "not declared". The same applies to
//!    inputs, outputs and workflow fields, so `$inputs.customer.firstName` reads the member
//!    `firstName` of the input `customer` unless an input named `customer.firstName` exists.
//! 6. **Classifying a string value** (checklist §3.6, §4.4 item 10, §8 item 16, see
//!    [`parse_value`]). `$` followed by a known root word makes the string an expression that
//!    must parse whole (an error otherwise); `$100 off`, `$foo` and `$Inputs.x` are literals.
//!    A string with `{$<root>…}` is a template; only `{$<root>` opens an expression, every
//!    other brace is literal text, and a stray `}` or an unclosed `{` never fails.
//! 7. **Types** (checklist §8 item 16). [`evaluate`] keeps the JSON type; [`render_template`]
//!    embeds strings as they are, other scalars as JSON text (`null` as `null`) and objects and
//!    arrays as compact JSON; unresolvable expressions are [`EvalError::Unresolved`], so the
//!    engine chooses its own strict/lenient policy for values (checklist §8 item 46).
//! 8. **Missing values in conditions** (checklist §5.2, option B). A value that does not resolve
//!    behaves as `null`: `missing == null` is true, `missing != null` false, orderings false.
//!    A condition passes only when it evaluates to the boolean `true`; a bare operand is
//!    truthy only when it is `true`. So [`evaluate_condition`] cannot fail and returns a
//!    `bool`; a type mismatch is a false comparison, not an error.
//! 9. **Loose comparison** (checklist §5.2, §8 items 19–21). `null` equals only `null`. A
//!    number and a string compare as numbers when the string is exactly a JSON number
//!    (`'200' == 200`, header `'11' > 10`), else they differ and are unordered. Two strings
//!    compare as text, case-insensitively after Unicode lowercasing (so `'10' < '9'`, as in
//!    JavaScript; full case folding such as `ß`/`SS` is not applied). A boolean equals the
//!    string `true`/`false` in any case. Arrays and objects are equal when structurally equal
//!    and are unordered. Integers compare exactly through `i64`/`u64` (no `arbitrary_precision`
//!    needed): `9007199254740993 != 9007199254740992`.
//! 10. **Condition grammar** (checklist §5.2, §8 items 21–22). From the tightest: postfix
//!     `.name`/`[n]`, then `!`, comparison, `&&`, `||`; `!` applies to the whole comparison
//!     that follows (`!$statusCode == 1` is `!($statusCode == 1)`); comparisons do not chain
//!     (`1 < $statusCode < 3` is an error); numbers are JSON numbers with an optional `-`;
//!     strings are single-quoted with `''` for a quote.
//!     `$response.body.items[0].id` equals `$response.body#/items/0/id`; a `.name` step on an
//!     array selects the index `name` when it is digits, as a pointer token would.
//!     Parentheses and `!` nest at most [`MAX_DEPTH`] levels, checked before pest runs.
//! 11. **Headers** (checklist §8 item 17). [`Context::header`] matches names
//!     case-insensitively; a repeated header gives one value, joined with `", "` (RFC 9110
//!     §5.3), except `Set-Cookie`, whose first value is used — implemented by
//!     [`header_value`] for contexts to call.
//! 12. **Regex** (checklist §5.3, §8 item 23, §9 decision 9). ECMA-262 syntax, checked by
//!     `regress` (look-around, back-references, ASCII `\d` and `\w`), unanchored search; the
//!     context is matched as text (numbers such as `$statusCode` as their JSON text, objects as
//!     JSON). The search is bounded: it runs on `fancy-regex`, linear for patterns without
//!     look-around and back-references, and otherwise giving up after
//!     [`REGEX_BACKTRACK_LIMIT`] backtracking steps with [`EvalError::RegexGaveUp`].
//!     JSONPath and regex conditions nest at most [`MAX_QUERY_DEPTH`] levels of brackets and
//!     parentheses, XPath ones [`MAX_XPATH_DEPTH`] and [`MAX_XPATH_LENGTH`] bytes, regex
//!     patterns [`MAX_REGEX_LENGTH`] bytes, checked before their parsers run.
//! 13. **JSONPath** (checklist §5.4, §8 item 24, §9 decision 8). RFC 9535 exactly, through
//!     `serde_json_path`: a non-empty node list passes. There is no compatibility flag, so
//!     `$[?count(@.pets) > 0]` fails on `{"pets": [...]}` as RFC 9535 says. The Goessner draft
//!     version: decision 17.
//! 14. **XPath** (checklist §5.5, §8 item 25, §9 decision 9). Behind the `xpath` feature,
//!     through `xee-xpath` (XPath 3.1): the context must be XML text, the effective boolean
//!     value decides. Other versions: decision 17. Without the feature an `xpath` criterion
//!     parses with a warning and evaluates to [`EvalError::XPathFeature`], never a pass.
//! 15. **Criteria** (checklist §8 item 26). [`evaluate_criterion`] never panics and never
//!     returns an error for a false condition ([`CriterionOutcome::Failed`] with a reason);
//!     an evaluation error is [`CriterionOutcome::Error`], which also fails the criterion. A
//!     missing or `null` context fails a `regex`, `jsonpath` or `xpath` criterion. Their
//!     `{$…}` parts are substituted textually before compiling (Arazzo 1.1 clarification).
//! 16. **Forms of one version** (1.1 checklist §8.2, D12). Parsed whatever the document's
//!     version, and reported by [`Expression::version_form`] (and `version_forms()` of
//!     templates, conditions and values) with their span: `$self` and `$message…` are Arazzo
//!     1.1 ([`VersionForm::refusal`] keeps the 1.0.1 wording, "`$message` expressions were
//!     removed in Arazzo 1.0.1"); `$components.inputs.…` is 1.0.x only. `$self` takes nothing
//!     after it. `$message` reads `header.<token>` and `payload[#pointer]`; `$request` and
//!     `$response` read `header.`, `query.`, `path.` and `body[#pointer]`. The ABNF's shared
//!     `source` would allow `$message.body`, `$message.query.x` and `$response.payload`: they
//!     are errors in both modes that name the right source ([`ParseErrorKind::MisplacedSource`]).
//!     [`Context::message_header`] matches the exact name first, then case-insensitively
//!     ([`message_header_value`]; broker headers are case-sensitive, the ABNF `token` is not).
//! 17. **Versions of JSONPath and XPath** (1.1 checklist §3.8, D17: "implementations MUST apply
//!     the semantics defined in that version's specification"). [`CriterionKind::parse_type`]
//!     and [`SelectorKind::parse_type`] read a `type` name or an Expression Type Object,
//!     defaults included (`rfc9535`, `xpath-31`); `jsonpointer` is a selector type only
//!     ([`TypeError::JsonPointerCriterion`]). A version is evaluated by the default engine
//!     only where that gives the version's own result, else it fails visibly with
//!     [`EvalError::UnsupportedVersion`] (the criterion fails, the selector gives no value),
//!     and its parse carries a warning saying which:
//!     - `xpath-30` and `xpath-20` run on the XPath 3.1 engine: XPath 3.1 is backward compatible
//!       with 3.0, and 3.0 with 2.0 (same data model, EBV and general comparisons); a failure
//!       reason names the version and the engine;
//!     - `xpath-10` is not supported: 1.0's conversions differ where 3.1 still succeeds
//!       (`0.1 + 0.2 = 0.3` is false on 1.0's doubles, true on 3.1's decimals), and `xee-xpath`
//!       has no 1.0 compatibility mode;
//!     - `draft-goessner-dispatch-jsonpath-00` runs on the RFC 9535 engine when the query uses
//!       no filter (`?`), script expression (`(`) or negative number (`-`) outside strings:
//!       names, wildcards, unions, positive indexes and slices, `..` select the same nodes in
//!       both. Draft filters are JavaScript (`?(@.isbn)` is false for `0`, `==` coerces) and
//!       `[-1]` selects nothing in the draft's implementation, so those are not supported; a
//!       failure reason names the version and the engine.
//! 18. **Selector Objects** (1.1 checklist §6, D14–D16). [`parse_selector`] checks the
//!     `selector` at validation ([`Selector::from_json`] reads a whole object);
//!     [`evaluate_selector`] evaluates `context`, then applies it: `jsonpointer` is a plain
//!     RFC 6901 pointer (`/a/0`; `#/a/0` is refused with the hint to drop the `#`); `jsonpath`
//!     gives one node's value, or a JSON array of several in document order; `xpath` gives a
//!     node's string value, an atomic value as a JSON scalar (booleans and numbers; `INF`, dates
//!     and others as text), or an array of several. No node is
//!     [`EvalError::NothingSelected`], which [`EvalError::is_unresolved`] groups with an
//!     unresolvable expression. The context MUST be structured data: for `jsonpointer` and
//!     `jsonpath` an object or array (a JSON *string* is not parsed: a JSON body is parsed by
//!     its media type before it gets here, so a string is text), for `xpath` XML text;
//!     anything else is [`EvalError::NothingSelected`] with the reason. `{$…}` in a `selector`
//!     is text, not substituted (D16). [`is_selector_object`] tells a selector inside a payload
//!     or parameter value from a literal by its exact key set (D15).
//! 19. **JSONPath replacement targets** (1.1 checklist §7.2, D18). [`replace_in_json`]
//!     replaces every node the RFC 9535 query selects (located node lists, duplicates once; a
//!     node inside another selected node goes with it) and returns how many; `0` is for the
//!     caller to report, since JSONPath never creates members. [`replace_in_xml`] is the XPath
//!     counterpart.
//!
//! # Crate features
//!
//! - `xpath` (off by default): XPath criteria and selectors through `xee-xpath`. It takes the
//!   crate from 51 to 230 dependencies; measured on the 2-core machines, a clean debug test build of this
//!   crate takes 26 s without it and 1 min 57 s with it. Test it with
//!   `cargo test -p arazzo-expr --features xpath`.

/// Whether this build evaluates `xpath` criteria (the `xpath` feature).
pub const XPATH: bool = cfg!(feature = "xpath");

mod ast;
mod display;
mod error;
mod eval;
mod limits;
mod parse;
pub mod pointer;

pub use ast::{
    Comparable, CompareOp, ComponentKind, Condition, Expression, Literal, MessagePart,
    MessageSource, Name, Navigation, Operand, Span, Spanned, Template, TemplatePart, ValueExpr,
    VersionForm, WorkflowField,
};
pub use error::{EvalError, ParseError, ParseErrorKind, Warning};
pub use eval::criterion::{
    Criterion, CriterionKind, CriterionOutcome, evaluate_criterion, parse_criterion,
};
pub use eval::language::{JsonPathVersion, TypeError, XPathVersion};
pub use eval::replace::{replace_in_json, replace_in_xml};
pub use eval::selector::{
    Selector, SelectorError, SelectorKind, evaluate_selector, is_selector_object, parse_selector,
};
pub use eval::{
    Context, HttpMessage, evaluate, evaluate_condition, evaluate_value, header_value,
    message_header_value, render_template,
};
pub use limits::{
    MAX_QUERY_DEPTH, MAX_REGEX_LENGTH, MAX_XPATH_DEPTH, MAX_XPATH_LENGTH, REGEX_BACKTRACK_LIMIT,
};
pub use parse::{
    MAX_DEPTH, Mode, Parsed, parse_condition, parse_expression, parse_template, parse_value,
};
pub use pointer::{JsonPointer, PointerError};
