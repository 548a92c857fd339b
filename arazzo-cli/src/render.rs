//! Diagnostics for people: the source line with a caret (annotate-snippets), colour only on
//! a terminal.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use arazzo_model::{Diagnostic, Severity, SourceFile};

/// Renders one diagnostic with its source line, or as one line when it has no location.
pub fn diagnostic(file: &SourceFile, diagnostic: &Diagnostic, color: bool) -> String {
    let level = match diagnostic.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let title = level
        .primary_title(&diagnostic.message)
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
        group = group.element(Level::HELP.message(help));
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

/// A one-line error, e.g. for a document that cannot be loaded.
pub fn one_line_error(id: &str, message: &str, color: bool) -> String {
    let report: [Group<'_>; 1] = [Group::with_title(
        Level::ERROR.primary_title(message).id(id),
    )];
    renderer(color).render(&report)
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
    fn span_covers_the_token() {
        let text = "a: 1\nkey: some value # note\nq: 'x, y'\nflow: {b: c, d: e}\nk:\n";
        let slice = |line, column| &text[span_of(text, line, column).unwrap()];
        assert_eq!(slice(2, 6), "some value");
        assert_eq!(slice(2, 1), "key");
        assert_eq!(slice(3, 4), "'x, y'");
        assert_eq!(slice(4, 11), "c");
        assert_eq!(slice(5, 1), "k");
    }
}
