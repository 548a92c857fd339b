//! Bounds on the documents the loader reads, checked before any parser runs.

use crate::error::Location;

/// The largest document the loader reads: 16 MiB.
pub const MAX_DOCUMENT_SIZE: usize = 16 * 1024 * 1024;

/// How deep collections may nest: flow `[`/`{` and block indentation levels together. The YAML
/// scanner's time grows with the flow depth times the size (a 400 KB `a: [[[…]]]` took 87 s),
/// and `yaml_serde` and `serde_json` refuse more than 128 levels anyway, but only after
/// scanning the whole text.
pub const MAX_NESTING_DEPTH: usize = 128;

/// Where `text` (YAML, or JSON, which is YAML's flow style) first nests deeper than
/// [`MAX_NESTING_DEPTH`]: a cheap line scan that skips quoted scalars, comments and block
/// scalars, and counts `[`/`{` only where YAML reads them as flow indicators (in flow context,
/// or where a block value starts: not in `a[0]`).
pub(crate) fn too_deep(text: &str) -> Option<Location> {
    let mut flow = 0usize;
    let mut quote: Option<char> = None;
    // Indentations of the open block collections; a `- ` entry opens one more.
    let mut block: Vec<usize> = Vec::new();
    // The indentation of the line that opened a block scalar (`|`, `>`).
    let mut block_scalar: Option<usize> = None;
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        let mut at_token = true;
        if quote.is_none() && flow == 0 {
            if let Some(parent) = block_scalar {
                if rest.trim().is_empty() || indent > parent {
                    continue;
                }
                block_scalar = None;
            }
            if rest.is_empty() || rest.starts_with('#') {
                continue;
            }
            if rest.starts_with("---") || rest.starts_with("...") {
                block.clear();
            }
            while block.last().is_some_and(|&open| open > indent) {
                block.pop();
            }
            if block.last() != Some(&indent) {
                block.push(indent);
                if block.len() > MAX_NESTING_DEPTH {
                    return Some(Location {
                        line: line_number,
                        column: indent + 1,
                    });
                }
            }
        } else if quote.is_some() {
            at_token = false;
        }
        let mut chars = line
            .char_indices()
            .skip_while(|(at, _)| *at < indent)
            .peekable();
        let mut previous = ' ';
        while let Some((at, ch)) = chars.next() {
            let next = chars.peek().map_or(' ', |(_, next)| *next);
            if let Some(open) = quote {
                match ch {
                    '\\' if open == '"' => {
                        chars.next();
                    }
                    '\'' if open == '\'' && next == '\'' => {
                        chars.next();
                    }
                    _ if ch == open => quote = None,
                    _ => {}
                }
                previous = ch;
                continue;
            }
            let column = || line[..at].chars().count() + 1;
            match ch {
                '#' if previous.is_whitespace() => break,
                '\'' | '"' if at_token => quote = Some(ch),
                '[' | '{' if at_token || flow > 0 => {
                    flow += 1;
                    if flow + block.len() > MAX_NESTING_DEPTH {
                        return Some(Location {
                            line: line_number,
                            column: column(),
                        });
                    }
                }
                ']' | '}' if flow > 0 => flow -= 1,
                '|' | '>' if at_token && flow == 0 => {
                    block_scalar = Some(indent);
                    break;
                }
                // An anchor or a tag before a value: the value starts after it.
                '&' | '!' if at_token => {
                    while chars.next_if(|(_, ch)| !ch.is_whitespace()).is_some() {}
                }
                '-' | '?' if at_token && flow == 0 && next.is_whitespace() => {
                    block.push(indent + line[indent..at].chars().count() + 2);
                    if flow + block.len() > MAX_NESTING_DEPTH {
                        return Some(Location {
                            line: line_number,
                            column: column(),
                        });
                    }
                }
                _ => {}
            }
            at_token = match ch {
                _ if ch.is_whitespace() => at_token,
                '[' | '{' | ',' => flow > 0,
                ':' => flow > 0 || next.is_whitespace(),
                '-' | '?' => flow == 0 && next.is_whitespace(),
                '&' | '!' => at_token,
                _ => false,
            };
            previous = ch;
        }
    }
    None
}

/// Where the byte at `offset` of `text` is.
pub(crate) fn location_of(text: &str, offset: usize) -> Location {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    Location {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Option<Location> {
        Some(Location { line, column })
    }

    #[test]
    fn flow_nesting_is_found_where_it_exceeds_the_limit() {
        let deep = |open: &str, close: &str, levels: usize| {
            format!("a: {}{}\n", open.repeat(levels), close.repeat(levels))
        };
        // The root mapping is one level.
        assert_eq!(too_deep(&deep("[", "]", MAX_NESTING_DEPTH - 1)), None);
        assert_eq!(too_deep(&deep("[", "]", MAX_NESTING_DEPTH)), at(1, 131));
        assert_eq!(too_deep(&deep("{b: ", "}", 200)), at(1, 4 + 4 * 127));
        let json = format!("{}{}", "[".repeat(200), "]".repeat(200));
        // The line is a block node too, as `serde_json` counts: it refuses the 128th `[`.
        assert_eq!(too_deep(&json), at(1, MAX_NESTING_DEPTH));
    }

    #[test]
    fn brackets_in_scalars_and_comments_do_not_count() {
        let many = "[".repeat(300);
        for text in [
            format!("a: '{many}'\n"),
            format!("a: \"{many}\"\n"),
            format!("a: \"\\\"{many}\"\n"),
            format!("a: x{many}\n"),
            format!("a: 1 # {many}\n"),
            format!("a: |\n  {many}\n  {many}\nb: 1\n"),
            format!("a: 'it''s\n  {many}'\n"),
            format!("a: b's {many}\n"),
        ] {
            assert_eq!(too_deep(&text), None, "{text}");
        }
        // An anchor does not hide the flow collection after it.
        let anchored = format!("a: &x {many}\n");
        assert!(too_deep(&anchored).is_some());
    }

    #[test]
    fn block_nesting_counts_indentation_and_entries() {
        let mut text = String::new();
        for level in 0..MAX_NESTING_DEPTH + 10 {
            text.push_str(&format!("{}a{level}:\n", " ".repeat(level)));
        }
        assert_eq!(too_deep(&text), at(MAX_NESTING_DEPTH + 1, 129));
        let entries = format!("{}x\n", "- ".repeat(200));
        assert_eq!(too_deep(&entries), at(1, 2 * MAX_NESTING_DEPTH - 1));
        let shallow = "a:\n  - b: 1\n    c:\n      - 1\n      - [2, {d: 3}]\ne: 2\n";
        assert_eq!(too_deep(shallow), None);
    }

    #[test]
    fn locations_count_characters() {
        assert_eq!(location_of("ab\ncé\nd", 6), Location { line: 2, column: 3 });
        assert_eq!(location_of("é", 1), Location { line: 1, column: 1 });
    }
}
