//! Runtime expressions, templates and conditions: the fixtures of `specs/expr/` (see its README).
//!
//! - `parse/ok/<entry>/*.txt` parse in both modes without warnings; snapshot of the tree.
//! - `parse/lenient/<entry>/*.txt` fail in strict mode and parse with warnings in lenient mode.
//! - `parse/err/<entry>/*.txt` fail in both modes; snapshot of the rendered error.
//! - Every tree's canonical text parses back to the same tree (spans aside).
//! - `eval/*.yaml` hold a context and cases with their expected results, asserted here.

use std::borrow::Cow;
use std::fmt::{Debug, Display};
use std::path::Path;

use arazzo_expr::{
    ComponentKind, Context, CriterionKind, CriterionOutcome, HttpMessage, Mode, ParseError,
    Warning, evaluate, evaluate_condition, evaluate_criterion, evaluate_value, header_value,
    message_header_value, parse_condition, parse_criterion, parse_expression, parse_template,
    parse_value, render_template,
};
use proptest::prelude::*;
use serde_json::{Value, json};

/// A fixture's text: the file without its final line break.
fn fixture_text(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.strip_suffix('\n').unwrap_or(&text).to_owned()
}

/// The entry point a fixture uses: the name of its folder.
fn entry(path: &Path) -> String {
    path.parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

/// A parse result reduced to what the tests compare.
struct Tree {
    /// `{:#?}` of the tree, spans included.
    debug: String,
    /// The canonical text.
    canonical: String,
    /// `{:?}` of the tree without spans.
    shape: String,
    warnings: Vec<Warning>,
}

fn tree<T: Debug + Display>(value: &T, without_spans: impl Debug, warnings: Vec<Warning>) -> Tree {
    Tree {
        debug: format!("{value:#?}"),
        canonical: value.to_string(),
        shape: format!("{without_spans:?}"),
        warnings,
    }
}

fn parse(entry: &str, source: &str, mode: Mode) -> Result<Tree, ParseError> {
    Ok(match entry {
        "expression" => {
            let parsed = parse_expression(source, mode)?;
            tree(&parsed.value, parsed.value.without_spans(), parsed.warnings)
        }
        "template" => {
            let parsed = parse_template(source, mode)?;
            tree(&parsed.value, parsed.value.without_spans(), parsed.warnings)
        }
        "condition" => {
            let parsed = parse_condition(source, mode)?;
            tree(&parsed.value, parsed.value.without_spans(), parsed.warnings)
        }
        "value" => {
            let parsed = parse_value(source, mode)?;
            tree(&parsed.value, parsed.value.without_spans(), parsed.warnings)
        }
        other => panic!("unknown fixture folder `{other}`"),
    })
}

/// Parses the canonical text again and checks that it gives the same tree.
fn assert_round_trip(entry: &str, parsed: &Tree) {
    let reparsed = parse(entry, &parsed.canonical, Mode::Strict).unwrap_or_else(|err| {
        panic!(
            "canonical text does not parse:\n{}",
            err.render(&parsed.canonical)
        )
    });
    assert_eq!(
        reparsed.shape, parsed.shape,
        "canonical text `{}`",
        parsed.canonical
    );
    assert!(reparsed.warnings.is_empty());
}

fn warnings_text(source: &str, warnings: &[Warning]) -> String {
    warnings
        .iter()
        .map(|warning| {
            format!(
                "warning at {:?} `{}`: {warning}\n",
                warning.span,
                &source[warning.span.range()]
            )
        })
        .collect()
}

#[test]
fn expr_parse_ok() {
    insta::glob!("../specs", "expr/parse/ok/*/*.txt", |path| {
        let (entry, source) = (entry(path), fixture_text(path));
        let parsed = parse(&entry, &source, Mode::Strict)
            .unwrap_or_else(|err| panic!("{}", err.render(&source)));
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        let lenient = parse(&entry, &source, Mode::Lenient).unwrap();
        assert_eq!(lenient.shape, parsed.shape);
        assert!(lenient.warnings.is_empty(), "{:?}", lenient.warnings);
        assert_round_trip(&entry, &parsed);
        let report = format!(
            "{entry}: {source}\ncanonical: {}\n{}",
            parsed.canonical, parsed.debug
        );
        insta::assert_snapshot!(report);
    });
}

#[test]
fn expr_parse_lenient() {
    insta::glob!("../specs", "expr/parse/lenient/*/*.txt", |path| {
        let (entry, source) = (entry(path), fixture_text(path));
        let strict = match parse(&entry, &source, Mode::Strict) {
            Ok(parsed) => panic!("strict mode accepted `{source}` as `{}`", parsed.canonical),
            Err(err) => err.render(&source),
        };
        let lenient = parse(&entry, &source, Mode::Lenient)
            .unwrap_or_else(|err| panic!("{}", err.render(&source)));
        assert!(!lenient.warnings.is_empty());
        // Lenient mode reads the form as its ABNF equivalent, which strict mode accepts.
        assert_round_trip(&entry, &lenient);
        let report = format!(
            "{entry}: {source}\n--- strict\n{strict}\n--- lenient\n{}canonical: {}\n{}",
            warnings_text(&source, &lenient.warnings),
            lenient.canonical,
            lenient.debug,
        );
        insta::assert_snapshot!(report);
    });
}

#[test]
fn expr_parse_err() {
    insta::glob!("../specs", "expr/parse/err/*/*.txt", |path| {
        let (entry, source) = (entry(path), fixture_text(path));
        let strict = parse(&entry, &source, Mode::Strict)
            .err()
            .unwrap_or_else(|| panic!("`{source}` parsed"));
        let lenient = parse(&entry, &source, Mode::Lenient)
            .err()
            .unwrap_or_else(|| panic!("`{source}` parsed leniently"));
        assert_eq!(lenient, strict);
        assert!(strict.span.end <= source.len());
        let report = format!("{entry}\n{}", strict.render(&source));
        insta::assert_snapshot!(report);
    });
}

/// The `context` of an eval fixture.
struct Fixture {
    context: Value,
}

impl Fixture {
    fn at(&self, path: &[&str]) -> Option<Cow<'_, Value>> {
        path.iter()
            .try_fold(&self.context, |value, key| value.get(key))
            .map(Cow::Borrowed)
    }

    fn message(message: HttpMessage) -> &'static str {
        match message {
            HttpMessage::Request => "request",
            HttpMessage::Response => "response",
        }
    }
}

impl Context for Fixture {
    fn url(&self) -> Option<Cow<'_, Value>> {
        self.at(&["url"])
    }
    fn method(&self) -> Option<Cow<'_, Value>> {
        self.at(&["method"])
    }
    fn status_code(&self) -> Option<Cow<'_, Value>> {
        self.at(&["statusCode"])
    }
    fn header(&self, message: HttpMessage, name: &str) -> Option<Cow<'_, Value>> {
        let headers = self.at(&[Self::message(message), "headers"])?;
        let pairs = headers
            .as_array()?
            .iter()
            .map(|pair| (pair[0].as_str().unwrap(), pair[1].as_str().unwrap()));
        header_value(pairs.collect::<Vec<_>>(), name).map(|value| Cow::Owned(Value::String(value)))
    }
    fn query(&self, message: HttpMessage, name: &str) -> Option<Cow<'_, Value>> {
        self.at(&[Self::message(message), "query", name])
    }
    fn path(&self, message: HttpMessage, name: &str) -> Option<Cow<'_, Value>> {
        self.at(&[Self::message(message), "path", name])
    }
    fn body(&self, message: HttpMessage) -> Option<Cow<'_, Value>> {
        self.at(&[Self::message(message), "body"])
    }
    fn input(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.at(&["inputs", name])
    }
    fn output(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.at(&["outputs", name])
    }
    fn step_output(&self, step_id: &str, name: &str) -> Option<Cow<'_, Value>> {
        self.at(&["steps", step_id, name])
    }
    fn workflow_input(&self, workflow_id: &str, name: &str) -> Option<Cow<'_, Value>> {
        self.at(&["workflows", workflow_id, "inputs", name])
    }
    fn workflow_output(&self, workflow_id: &str, name: &str) -> Option<Cow<'_, Value>> {
        self.at(&["workflows", workflow_id, "outputs", name])
    }
    fn source_description(&self, name: &str, reference: &str) -> Option<Cow<'_, Value>> {
        self.at(&["sourceDescriptions", name, reference])
    }
    fn component(&self, kind: ComponentKind, key: &str) -> Option<Cow<'_, Value>> {
        self.at(&["components", kind.as_str(), key])
    }
    fn message_header(&self, name: &str) -> Option<Cow<'_, Value>> {
        let headers = self.at(&["message", "headers"])?;
        let pairs = headers
            .as_array()?
            .iter()
            .map(|pair| (pair[0].as_str().unwrap(), &pair[1]));
        message_header_value(pairs.collect::<Vec<_>>(), name).map(|value| Cow::Owned(value.clone()))
    }
    fn message_payload(&self) -> Option<Cow<'_, Value>> {
        self.at(&["message", "payload"])
    }
    fn self_uri(&self) -> Option<Cow<'_, Value>> {
        self.at(&["self"])
    }
}

fn mode(case: &Value) -> Mode {
    match case.get("mode").and_then(Value::as_str) {
        None | Some("strict") => Mode::Strict,
        Some("lenient") => Mode::Lenient,
        Some(other) => panic!("unknown mode `{other}`"),
    }
}

fn text<'a>(case: &'a Value, key: &str) -> Option<&'a str> {
    case.get(key).map(|value| {
        value
            .as_str()
            .unwrap_or_else(|| panic!("`{key}` must be a string"))
    })
}

/// Checks one case; `Err` describes a mismatch.
fn run_case(case: &Value, ctx: &Fixture) -> Result<(), String> {
    let mode = mode(case);
    let parse_error =
        |source: &str, err: ParseError| format!("does not parse:\n{}", err.render(source));
    let value_result = if let Some(source) = text(case, "expression") {
        let parsed = parse_expression(source, mode).map_err(|err| parse_error(source, err))?;
        Some(evaluate(&parsed.value, ctx))
    } else if let Some(source) = text(case, "template") {
        let parsed = parse_template(source, mode).map_err(|err| parse_error(source, err))?;
        Some(render_template(&parsed.value, ctx).map(Value::String))
    } else if let Some(source) = text(case, "value") {
        let parsed = parse_value(source, mode).map_err(|err| parse_error(source, err))?;
        Some(evaluate_value(&parsed.value, ctx))
    } else {
        None
    };
    if let Some(result) = value_result {
        return match (result, case.get("expect"), text(case, "error")) {
            (Ok(value), Some(expected), None) if value == *expected => Ok(()),
            (Err(err), None, Some(expected)) if err.to_string() == expected => Ok(()),
            (result, _, _) => Err(format!("got {result:?}")),
        };
    }
    if let Some(source) = text(case, "condition") {
        let parsed = parse_condition(source, mode).map_err(|err| parse_error(source, err))?;
        let holds = evaluate_condition(&parsed.value, ctx);
        let expected = case["expect"]
            .as_bool()
            .expect("`expect` is a boolean for a condition");
        return if holds == expected {
            Ok(())
        } else {
            Err(format!("got {holds}"))
        };
    }
    let criterion = case
        .get("criterion")
        .expect("a case has expression, template, value, condition or criterion");
    run_criterion(criterion, case, mode, ctx)
}

fn run_criterion(criterion: &Value, case: &Value, mode: Mode, ctx: &Fixture) -> Result<(), String> {
    let type_name = text(criterion, "type").unwrap_or("simple");
    let kind = CriterionKind::from_type(type_name, text(criterion, "version"))
        .expect("a known criterion type");
    let context = match text(criterion, "context") {
        Some(source) => Some(
            parse_expression(source, mode)
                .map_err(|err| format!("context: {err}"))?
                .value,
        ),
        None => None,
    };
    let condition = text(criterion, "condition").expect("a criterion has a condition");
    let parsed = match parse_criterion(kind, context, condition, mode) {
        Ok(parsed) => parsed,
        Err(err) => {
            let expected = text(case, "parse_error").ok_or_else(|| err.render(condition))?;
            return if err.to_string() == expected {
                Ok(())
            } else {
                Err(format!("parse error `{err}`"))
            };
        }
    };
    if let Some(expected) = text(case, "parse_error") {
        return Err(format!("parsed, but expected the error `{expected}`"));
    }
    let warned = |expected: &str| {
        parsed
            .warnings
            .iter()
            .any(|warning| warning.message == expected)
    };
    if text(case, "warning").is_some_and(|expected| !warned(expected)) {
        return Err(format!("warnings {:?}", parsed.warnings));
    }
    let outcome = evaluate_criterion(&parsed.value, ctx);
    let expected =
        text(case, "expect").expect("`expect` is passed, failed or error for a criterion");
    let matches = match (&outcome, expected) {
        // Without the `xpath` feature every xpath criterion is an error, whatever it tests.
        (CriterionOutcome::Error(err), _) if type_name == "xpath" && !arazzo_expr::XPATH => {
            err.to_string() == "xpath criteria need the `xpath` feature of `arazzo-expr`"
        }
        (CriterionOutcome::Passed, "passed") => true,
        (CriterionOutcome::Failed { reason }, "failed") => {
            text(case, "reason").is_none_or(|expected| reason == expected)
        }
        (CriterionOutcome::Error(err), "error") => {
            text(case, "error").is_none_or(|expected| err.to_string() == expected)
        }
        _ => false,
    };
    if matches {
        Ok(())
    } else {
        Err(format!("got {outcome:?}"))
    }
}

#[test]
fn expr_eval() {
    insta::glob!("../specs", "expr/eval/*.yaml", |path| {
        let fixture: Value = yaml_serde::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let ctx = Fixture {
            context: fixture.get("context").cloned().unwrap_or(json!({})),
        };
        let cases = fixture["cases"].as_array().expect("a fixture has `cases`");
        assert!(!cases.is_empty());
        let failures: Vec<String> = cases
            .iter()
            .enumerate()
            .filter_map(|(at, case)| {
                run_case(case, &ctx)
                    .err()
                    .map(|err| format!("case {at}: {case}\n  {err}"))
            })
            .collect();
        assert!(
            failures.is_empty(),
            "{}:\n{}",
            path.display(),
            failures.join("\n")
        );
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Conditions over a random context never panic, and `!c` is the negation of `c`.
    #[test]
    fn expr_condition_evaluation_is_total(
        source in "[$a-zA-Z.#/()!=<>&| 0-9'\\[\\]-]{0,40}",
        status in prop_oneof![Just(json!(200)), Just(json!("200")), Just(json!(null)), Just(json!({"a": [1]}))],
    ) {
        let ctx = Fixture { context: json!({"statusCode": status, "response": {"body": {"a": [1, "x"]}}}) };
        if let Ok(parsed) = parse_condition(&source, Mode::Lenient) {
            let holds = evaluate_condition(&parsed.value, &ctx);
            let negated = parse_condition(&format!("!({})", parsed.value), Mode::Strict).unwrap();
            prop_assert_eq!(evaluate_condition(&negated.value, &ctx), !holds);
        }
    }
}

/// Every hard case of the checklist's runtime-expression and criteria sections (§8 items
/// 13–26) has at least one fixture named after it.
#[test]
fn expr_every_checklist_item_has_a_fixture() {
    let mut names = Vec::new();
    let mut folders = vec![crate::util::spec("expr")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                names.push(path.file_name().unwrap().to_str().unwrap().to_owned());
            }
        }
    }
    for item in 13..=26 {
        let prefix = format!("item-{item}-");
        assert!(
            names.iter().any(|name| name.starts_with(&prefix)),
            "no fixture for checklist §8 item {item}"
        );
    }
}

/// Runs `work` on a thread and waits at most 10 s for it, so that a regression of a bound fails
/// the test instead of hanging the suite.
pub(crate) fn within_10s<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || sender.send(work()));
    receiver
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the work did not finish within 10 s: a bound is missing")
}

fn criterion_on(kind: CriterionKind, condition: String, body: Value) -> CriterionOutcome {
    within_10s(move || {
        let ctx = Fixture {
            context: json!({"response": {"body": body}}),
        };
        let context = parse_expression("$response.body", Mode::Strict)
            .unwrap()
            .value;
        match parse_criterion(kind, Some(context), &condition, Mode::Strict) {
            Ok(parsed) => evaluate_criterion(&parsed.value, &ctx),
            Err(err) => CriterionOutcome::Error(arazzo_expr::EvalError::InvalidRegex {
                pattern: "parse".into(),
                reason: err.to_string(),
            }),
        }
    })
}

#[test]
fn expr_regex_catastrophic_backtracking_is_bounded() {
    let text = format!("{}b", "a".repeat(40));
    // Nested quantifiers without back-references: the linear engine answers at once.
    let outcome = criterion_on(CriterionKind::Regex, "^(a+)+$".into(), json!(text));
    assert!(
        matches!(outcome, CriterionOutcome::Failed { .. }),
        "{outcome:?}"
    );
    // With a back-reference the search backtracks, up to the limit.
    let outcome = criterion_on(CriterionKind::Regex, r"^(a|a)+\1$".into(), json!(text));
    let CriterionOutcome::Error(err) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        err.to_string(),
        r"regex `^(a|a)+\1$` gave up after 1000000 steps: catastrophic backtracking"
    );
    // 30 KB of alternatives took more than 2 s to compile (found by arazzo-fuzz).
    let pattern = format!("^w{}", "|".repeat(30_000));
    let outcome = criterion_on(CriterionKind::Regex, pattern, json!(text));
    let message = format!("{outcome:?}");
    assert!(
        message.contains("longer than 4096 bytes (the limit)"),
        "{message}"
    );
}

#[test]
fn expr_jsonpath_and_xpath_nesting_is_bounded() {
    let jsonpath = CriterionKind::JsonPath(arazzo_expr::JsonPathVersion::Rfc9535);
    let query = format!("${}{}", "[?(@".repeat(24), ")]".repeat(24));
    let outcome = criterion_on(jsonpath, query, json!([[1]]));
    let message = format!("{outcome:?}");
    assert!(
        message.contains("nests deeper than 32 levels of brackets and parentheses"),
        "{message}"
    );
    // At the limit the query parses and evaluates.
    let query = format!("${}{}", "[?(@".repeat(15), ")]".repeat(15));
    assert!(!matches!(
        criterion_on(jsonpath, query, json!([[1]])),
        CriterionOutcome::Error(_)
    ));
    // A deep query substituted at evaluation is refused there too.
    let deep = format!("${}{}", "[?(@".repeat(24), ")]".repeat(24));
    let outcome = within_10s(move || {
        let ctx = Fixture {
            context: json!({"inputs": {"q": deep}, "response": {"body": [1]}}),
        };
        let context = parse_expression("$response.body", Mode::Strict)
            .unwrap()
            .value;
        let parsed = parse_criterion(jsonpath, Some(context), "{$inputs.q}", Mode::Strict).unwrap();
        evaluate_criterion(&parsed.value, &ctx)
    });
    let CriterionOutcome::Error(err) = outcome else {
        panic!("{outcome:?}")
    };
    assert!(
        err.to_string().contains("nests deeper than 32 levels"),
        "{err}"
    );
    if arazzo_expr::XPATH {
        let xpath = CriterionKind::XPath(arazzo_expr::XPathVersion::XPath31);
        // xee-xpath's parse time doubles with each level, closed or left open.
        for expression in [
            format!("{}1{}", "(".repeat(40), ")".repeat(40)),
            "count(".repeat(40),
        ] {
            let outcome = criterion_on(xpath, expression, json!("<a/>"));
            let message = format!("{outcome:?}");
            assert!(message.contains("nests deeper than 12 levels"), "{message}");
        }
        // Its parser recurses once per operator of a chain: 2,048 overflowed an 8 MiB stack.
        let chain = format!("1{}", "*1".repeat(2048));
        let outcome = criterion_on(xpath, chain, json!("<a/>"));
        let message = format!("{outcome:?}");
        assert!(message.contains("longer than 512 bytes"), "{message}");
    }
}
