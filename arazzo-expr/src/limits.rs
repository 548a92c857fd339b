//! Bounds that keep hostile criteria from taking unbounded time or stack.

/// How deep `(` and `[` may nest in a JSONPath query or a regex pattern; checked before their
/// parsers run. serde_json_path's parser takes time exponential in the nesting of filters (24
/// levels of `[?(@[?(…)])]` took 13.6 s, doubling per level), and the regex parser recurses.
pub const MAX_QUERY_DEPTH: usize = 32;

/// How deep `(`, `[` and `{` may nest in an XPath expression; checked before xee-xpath parses
/// it. Its parser's time doubles with each level of parentheses or calls, nested or left open
/// (14 levels took 3.8 s in a debug build; found by `arazzo-fuzz`), so the bound is lower than
/// [`MAX_QUERY_DEPTH`].
pub const MAX_XPATH_DEPTH: usize = 12;

/// How long an XPath expression may be, in bytes: xee-xpath's parser recurses once per
/// operator or step of a chain (`1*1*1…`, `/a/a/a…`), and 2,048 of them overflowed an 8 MiB
/// stack in a debug build (found by `arazzo-fuzz`); the engine evaluates on 2 MiB threads.
pub const MAX_XPATH_LENGTH: usize = 512;

/// How long a regex pattern may be, in bytes: compiling one grows faster than its length (30 KB
/// of alternatives took more than 2 s; found by `arazzo-fuzz`), and 4 KiB take 10 ms.
pub const MAX_REGEX_LENGTH: usize = 4096;

/// How many times a regex search may backtrack before it gives up with
/// [`EvalError::RegexGaveUp`](crate::EvalError::RegexGaveUp) (fancy-regex's default).
pub const REGEX_BACKTRACK_LIMIT: usize = 1_000_000;

/// The languages whose nesting [`check_bounds`] measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// ECMA-262: `\` escapes, `[…]` classes do not nest, only groups count.
    Regex,
    /// RFC 9535: `'…'` and `"…"` strings with `\` escapes; `[` and `(` count.
    JsonPath,
    #[cfg_attr(not(feature = "xpath"), allow(dead_code))]
    /// XPath 3.1: `'…'` and `"…"` strings (a doubled quote re-enters them); `(`, `[`, `{` count.
    XPath,
}

/// Fails, with a reason naming the limit, when `text` nests deeper than [`MAX_QUERY_DEPTH`]
/// ([`MAX_XPATH_DEPTH`] for XPath), or is an XPath expression longer than
/// [`MAX_XPATH_LENGTH`] or a regex pattern longer than [`MAX_REGEX_LENGTH`]. Brackets inside strings, escapes and regex classes do not count.
pub(crate) fn check_bounds(text: &str, syntax: Syntax) -> Result<(), String> {
    let length = match syntax {
        Syntax::XPath => Some(MAX_XPATH_LENGTH),
        Syntax::Regex => Some(MAX_REGEX_LENGTH),
        Syntax::JsonPath => None,
    };
    if let Some(length) = length.filter(|&length| text.len() > length) {
        return Err(format!("it is longer than {length} bytes (the limit)"));
    }
    let limit = match syntax {
        Syntax::XPath => MAX_XPATH_DEPTH,
        Syntax::Regex | Syntax::JsonPath => MAX_QUERY_DEPTH,
    };
    let mut depth = 0usize;
    let mut quote = None;
    let mut in_class = false;
    let mut chars = text.chars();
    while let Some(ch) = chars.next() {
        if let Some(open) = quote {
            match ch {
                '\\' if syntax == Syntax::JsonPath => {
                    chars.next();
                }
                _ if ch == open => quote = None,
                _ => {}
            }
            continue;
        }
        match (syntax, ch) {
            (Syntax::Regex, '\\') => {
                chars.next();
            }
            (Syntax::Regex, '[') => in_class = true,
            (Syntax::Regex, ']') => in_class = false,
            (Syntax::Regex, _) if in_class => {}
            (Syntax::JsonPath | Syntax::XPath, '\'' | '"') => quote = Some(ch),
            (_, '(') | (Syntax::JsonPath | Syntax::XPath, '[') | (Syntax::XPath, '{') => {
                depth += 1;
                if depth > limit {
                    return Err(format!(
                        "it nests deeper than {limit} levels of brackets and parentheses"
                    ));
                }
            }
            (_, ')') | (Syntax::JsonPath | Syntax::XPath, ']') | (Syntax::XPath, '}') => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(open: &str, close: &str, levels: usize) -> String {
        format!("{}x{}", open.repeat(levels), close.repeat(levels))
    }

    #[test]
    fn depth_is_counted_outside_strings_escapes_and_classes() {
        let limit = MAX_QUERY_DEPTH;
        assert!(check_bounds(&nested("[?(@", ")]", limit / 2), Syntax::JsonPath).is_ok());
        let err = check_bounds(&nested("[?(@", ")]", limit / 2 + 1), Syntax::JsonPath).unwrap_err();
        assert_eq!(
            err,
            "it nests deeper than 32 levels of brackets and parentheses"
        );
        let quoted = format!("$['{}']", "[".repeat(100));
        assert!(check_bounds(&quoted, Syntax::JsonPath).is_ok());
        let escaped = format!("$['\\'{}']", "(".repeat(100));
        assert!(check_bounds(&escaped, Syntax::JsonPath).is_ok());
        assert!(check_bounds(&"[(]".repeat(100), Syntax::Regex).is_ok());
        assert!(check_bounds(&"\\(".repeat(100), Syntax::Regex).is_ok());
        assert!(check_bounds(&nested("(", ")", limit + 1), Syntax::Regex).is_err());
        assert!(check_bounds(&nested("(", ")", MAX_XPATH_DEPTH), Syntax::XPath).is_ok());
        assert!(check_bounds(&nested("map{", "}", MAX_XPATH_DEPTH + 1), Syntax::XPath).is_err());
        assert!(check_bounds(&"count(".repeat(MAX_XPATH_DEPTH + 1), Syntax::XPath).is_err());
        assert!(check_bounds(&format!("'{}'", "(".repeat(100)), Syntax::XPath).is_ok());
        let long = format!("1{}", "*1".repeat(MAX_XPATH_LENGTH));
        assert_eq!(
            check_bounds(&long, Syntax::XPath).unwrap_err(),
            "it is longer than 512 bytes (the limit)"
        );
    }
}
