//! Regex criteria: ECMA-262 patterns, searched in bounded time.
//!
//! `regress` (ECMA-262) backtracks without any limit (its issue #140 is still open), so
//! `^(a+)+$` on 41 characters never ends. The pattern is therefore checked by `regress` (what is
//! valid ECMA-262 stays the same, with the same messages) and searched by `fancy-regex`: a
//! pattern without look-around or back-references goes whole to the linear `regex` engine, and
//! one with them backtracks at most [`REGEX_BACKTRACK_LIMIT`] times, then gives up with an
//! error. The few class escapes and the dot whose ECMA-262 meaning differs are rewritten first.

use crate::error::EvalError;
use crate::limits::{self, REGEX_BACKTRACK_LIMIT, Syntax};

/// A compiled regex criterion pattern.
#[derive(Debug)]
pub(crate) struct Pattern {
    source: String,
    regex: fancy_regex::Regex,
}

impl Pattern {
    /// Compiles an ECMA-262 pattern; the error is the reason it is refused.
    pub(crate) fn new(source: &str) -> Result<Pattern, String> {
        limits::check_bounds(source, Syntax::Regex)?;
        regress::Regex::new(source).map_err(|err| err.to_string())?;
        let regex = fancy_regex::RegexBuilder::new(&to_fancy(source))
            .backtrack_limit(REGEX_BACKTRACK_LIMIT)
            .build()
            .map_err(|err| format!("not supported by the bounded regex engine: {err}"))?;
        Ok(Pattern {
            source: source.to_owned(),
            regex,
        })
    }

    /// Whether the pattern matches somewhere in `text`.
    pub(crate) fn is_match(&self, text: &str) -> Result<bool, EvalError> {
        self.regex.is_match(text).map_err(|err| match err {
            fancy_regex::Error::RuntimeError(fancy_regex::RuntimeError::BacktrackLimitExceeded) => {
                EvalError::RegexGaveUp {
                    pattern: self.source.clone(),
                    steps: REGEX_BACKTRACK_LIMIT,
                }
            }
            other => EvalError::InvalidRegex {
                pattern: self.source.clone(),
                reason: other.to_string(),
            },
        })
    }
}

/// ECMA-262 `\s`: WhiteSpace and LineTerminator (ECMA-262 §22.2.2.9).
const SPACE: &str =
    r"\t\n\x0B\f\r \xA0\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";

/// Rewrites what ECMA-262 (without flags) means differently from `fancy-regex`: `\d`, `\w` and
/// their negations are ASCII, `\s` is ECMA's list, `.` excludes every line terminator, `[]`
/// matches nothing and `[^]` anything. The class escapes become nested classes, which are valid
/// inside a class too. Everything else is passed as written.
fn to_fancy(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => match chars.next() {
                Some('d') => out.push_str("[0-9]"),
                Some('D') => out.push_str("[^0-9]"),
                Some('w') => out.push_str("[A-Za-z0-9_]"),
                Some('W') => out.push_str("[^A-Za-z0-9_]"),
                Some('s') => out.push_str(&format!("[{SPACE}]")),
                Some('S') => out.push_str(&format!("[^{SPACE}]")),
                Some(escaped) => {
                    out.push('\\');
                    out.push(escaped);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                let negated = chars.next_if_eq(&'^').is_some();
                if chars.next_if_eq(&']').is_some() {
                    out.push_str(if negated { r"[\s\S]" } else { r"[^\s\S]" });
                } else {
                    in_class = true;
                    out.push_str(if negated { "[^" } else { "[" });
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            // A `[` inside an ECMA-262 class is a literal; in fancy-regex it opens a nested one.
            '[' => out.push_str(r"\["),
            '.' if !in_class => out.push_str(r"[^\n\r\x{2028}\x{2029}]"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        Pattern::new(pattern).unwrap().is_match(text).unwrap()
    }

    #[test]
    fn ecma_262_meanings_are_kept() {
        // `\d` and `\w` are ASCII, `\s` includes U+FEFF; so in classes and around look-arounds.
        assert!(!matches(r"^\d$", "٣"));
        assert!(matches(r"^\D$", "٣"));
        assert!(!matches(r"^\w$", "é"));
        assert!(matches(r"^[\d_]+$", "1_2"));
        assert!(!matches(r"(?<=\d)x", "٣x"));
        assert!(matches(r"(?<=\d)x", "3x"));
        assert!(matches(r"^\s$", "\u{FEFF}"));
        // `.` excludes every line terminator; `[^]` is anything, `[]` nothing.
        assert!(!matches(r"^.$", "\r"));
        assert!(!matches(r"^.$", "\u{2028}"));
        assert!(matches(r"^[^]$", "\n"));
        assert!(!matches(r"[]", "abc"));
        // A `[` inside a class is a literal.
        assert!(matches(r"^[[]$", "["));
        assert!(matches(r"^(ab)\1$", "abab"));
        assert!(matches(r"foo(?= bar)", "foo bar"));
        assert!(matches(r"^\.\[$", ".["));
    }

    #[test]
    fn invalid_ecma_262_keeps_regress_messages() {
        assert_eq!(Pattern::new("(").unwrap_err(), "Unbalanced parenthesis");
    }

    #[test]
    fn catastrophic_backtracking_is_bounded() {
        // Without back-references the linear engine answers at once.
        let text = format!("{}b", "a".repeat(40));
        assert!(!matches("^(a+)+$", &text));
        // With one, the backtracking search gives up.
        let err = Pattern::new(r"^(a|a)+\1$")
            .unwrap()
            .is_match(&text)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "regex `^(a|a)+\\1$` gave up after 1000000 steps: catastrophic backtracking"
        );
    }
}
