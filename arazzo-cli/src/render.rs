//! Diagnostics for people: the source line with a caret (annotate-snippets), colour only on
//! a terminal; text and JSON made safe to print.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use arazzo_model::{Diagnostic, Severity, SourceFile};

/// Renders one diagnostic with its source line, or as one line when it has no location.
pub fn diagnostic(file: &SourceFile, diagnostic: &Diagnostic, color: bool) -> String {
    let level = match diagnostic.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    // Messages quote the document's values (and a remote document's are a server's text).
    let title = level
        .primary_title(terminal_text(&diagnostic.message, false))
        .id(diagnostic.rule.id());
    let pointer_note = format!("at {}", display_pointer(&diagnostic.pointer));
    let mut group = match diagnostic
        .location
        .and_then(|at| span_of(file.text(), at.line, at.column))
    {
        Some(span) => title.element(
            Snippet::source(file.text())
                .path(file.name())
                .fold(true)
                .annotation(AnnotationKind::Primary.span(span).label(pointer_note)),
        ),
        None => title.element(Level::NOTE.message(format!("{}: {pointer_note}", file.name()))),
    };
    if let Some(help) = &diagnostic.help {
        group = group.element(Level::HELP.message(terminal_text(help, false)));
    }
    renderer(color).render(&[group])
}

fn renderer(color: bool) -> Renderer {
    if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}

/// A diagnostic on one line, `warning[rule]: file:line:col: message`, for the warnings a run
/// shows before it starts.
pub fn diagnostic_line(file: &str, diagnostic: &Diagnostic, color: bool) -> String {
    let level = match diagnostic.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let at = diagnostic
        .location
        .map_or(String::new(), |at| format!(":{}:{}", at.line, at.column));
    let message = format!("{file}{at}: {}", diagnostic.message);
    let report: [Group<'_>; 1] = [Group::with_title(
        level
            .primary_title(terminal_text(&message, false))
            .id(diagnostic.rule.id()),
    )];
    renderer(color).render(&report)
}

/// A one-line error, e.g. for a document that cannot be loaded.
pub fn one_line_error(id: &str, message: &str, color: bool) -> String {
    let report: [Group<'_>; 1] = [Group::with_title(
        Level::ERROR
            .primary_title(terminal_text(message, false))
            .id(id),
    )];
    renderer(color).render(&report)
}

/// Text from a server (or a document) made safe to print on a terminal: control characters
/// (C0 but the tab, DEL, C1) and the bidirectional overrides are shown as `\u{1b}`-style
/// escapes (`\r` and `\n` as themselves), so that no response can move the cursor, rewrite a
/// line, fake an output line or retitle the terminal. With `keep_newlines`, `\n` is kept (for
/// multi-line bodies whose lines the caller prefixes).
pub fn terminal_text(text: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\t' && !(keep_newlines && c == '\n')) || is_bidi_override(c)
    };
    if !text.contains(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' if !keep_newlines => safe.push_str("\\n"),
            '\r' => safe.push_str("\\r"),
            c if unsafe_char(c) => safe.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => safe.push(c),
        }
    }
    std::borrow::Cow::Owned(safe)
}

/// Writes `value` as indented JSON that is safe on a terminal: serde_json escapes C0 controls
/// but writes DEL, the C1 controls and the bidirectional overrides as they are; here they are
/// `\u` escapes too (the same JSON value).
pub fn write_json_pretty(
    out: &mut dyn std::io::Write,
    value: &impl serde::Serialize,
) -> serde_json::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, TerminalSafeJson::default());
    value.serialize(&mut serializer)
}

/// [`write_json_pretty`], then a newline: a report or the outputs on stdout.
pub(crate) fn write_json(
    out: &mut dyn std::io::Write,
    value: &impl serde::Serialize,
) -> std::io::Result<()> {
    write_json_pretty(out, value)?;
    writeln!(out)
}

/// `--output FILE`: the report as indented JSON, whatever the format on stdout.
pub(crate) fn write_json_file(
    path: &std::path::Path,
    report: &impl serde::Serialize,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let json = serde_json::to_string_pretty(report)?;
    std::fs::write(path, json + "\n").with_context(|| format!("cannot write {}", path.display()))
}

/// serde_json's pretty formatter, with the string fragments of [`write_json_pretty`].
#[derive(Default)]
struct TerminalSafeJson(serde_json::ser::PrettyFormatter<'static>);

/// The formatter's methods that only lay out, handed to the pretty formatter.
macro_rules! pretty {
    ($($method:ident($($arg:ident: $type:ty),*)),* $(,)?) => {
        $(fn $method<W: ?Sized + std::io::Write>(
            &mut self,
            writer: &mut W,
            $($arg: $type),*
        ) -> std::io::Result<()> {
            self.0.$method(writer, $($arg),*)
        })*
    };
}

impl serde_json::ser::Formatter for TerminalSafeJson {
    pretty!(
        begin_array(),
        end_array(),
        begin_array_value(first: bool),
        end_array_value(),
        begin_object(),
        end_object(),
        begin_object_key(first: bool),
        begin_object_value(),
        end_object_value(),
    );

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = rest.find(|c: char| c.is_control() || is_bidi_override(c)) {
            let c = rest[at..].chars().next().unwrap_or_default();
            writer.write_all(&rest.as_bytes()[..at])?;
            write!(writer, "\\u{:04x}", u32::from(c))?;
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }
}

/// The characters that reorder the text around them (U+202A–U+202E, U+2066–U+2069).
fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the document root"
    } else {
        pointer
    }
}

/// The byte range of the token starting at 1-based `line`:`column` (in characters): a quoted
/// string up to its closing quote, otherwise up to the end of the plain scalar or key.
fn span_of(text: &str, line: usize, column: usize) -> Option<std::ops::Range<usize>> {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let line_text = text[line_start..].split('\n').next()?;
    // One past the last character: where an expression that ends too early (an unclosed
    // `(`) is found wanting; the last character is shown.
    if column - 1 == line_text.chars().count() {
        let (last, ch) = line_text.char_indices().last()?;
        return Some(line_start + last..line_start + last + ch.len_utf8());
    }
    let start = line_start + line_text.char_indices().nth(column - 1).map(|(at, _)| at)?;
    let rest = &text[start..line_start + line_text.len()];
    let length = match rest.chars().next()? {
        quote @ ('"' | '\'') => rest[1..].find(quote).map_or(rest.len(), |end| end + 2),
        '{' | '[' | '-' => 1,
        _ => rest
            .find([',', '}', ']', '#'])
            .into_iter()
            .chain(rest.find(": "))
            .chain(rest.ends_with(':').then(|| rest.len() - 1))
            .min()
            .unwrap_or(rest.len()),
    };
    let token = rest[..length].trim_end();
    Some(start..start + token.len().max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_escapes_what_could_drive_the_terminal() {
        let hostile = "ok\u{1b}]0;pwned\u{7}\rFAKE\u{8}\u{9b}2J\u{202e}\tend\u{7f}";
        assert_eq!(
            terminal_text(hostile, false),
            "ok\\u{1b}]0;pwned\\u{7}\\rFAKE\\u{8}\\u{9b}2J\\u{202e}\tend\\u{7f}"
        );
        assert_eq!(terminal_text("a\nb", false), "a\\nb");
        assert_eq!(terminal_text("a\nb", true), "a\nb");
        assert!(matches!(
            terminal_text("plain, ünïcode", false),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn json_is_the_same_value_without_raw_controls() {
        let value = serde_json::json!({"a": ["x\u{7f}\u{9b}y\u{202e}", "\u{1b}\n", "ünï"]});
        let mut out = Vec::new();
        write_json_pretty(&mut out, &value).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains(|c: char| c.is_control() && c != '\n' || is_bidi_override(c)));
        assert!(text.contains(r#""x\u007f\u009by\u202e""#), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        let pretty = serde_json::to_string_pretty(&serde_json::json!({"k": [1, {}]})).unwrap();
        let mut out = Vec::new();
        write_json_pretty(&mut out, &serde_json::json!({"k": [1, {}]})).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), pretty);
    }

    #[test]
    fn span_covers_the_token() {
        let text = "a: 1\nkey: some value # note\nq: 'x, y'\nflow: {b: c, d: e}\nk:\n";
        let slice = |line, column| &text[span_of(text, line, column).unwrap()];
        assert_eq!(slice(2, 6), "some value");
        assert_eq!(slice(2, 1), "key");
        assert_eq!(slice(3, 4), "'x, y'");
        assert_eq!(slice(4, 11), "c");
        assert_eq!(slice(5, 1), "k");
        // Just past the end of a line: its last character.
        assert_eq!(slice(2, 23), "e");
    }
}
