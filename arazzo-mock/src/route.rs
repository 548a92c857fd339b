//! Matching request paths to OpenAPI path templates, precomputed at start: concrete paths in a
//! hash map, templated ones as segment patterns tried most specific first.

use std::collections::HashMap;

use percent_encoding::percent_decode_str;

/// Finds the path template a request path belongs to.
#[derive(Debug, Default)]
pub(crate) struct Router {
    /// Concrete paths (no `{…}`), normalised, → index into `paths`.
    exact: HashMap<String, usize>,
    /// Templated paths → index into `paths`, most specific first.
    templated: Vec<(Template, usize)>,
    /// Base paths of the descriptions' servers (`/v1`), tried when the whole path matches nothing.
    prefixes: Vec<String>,
}

/// A matched path: which template, and its parameters (percent-decoded).
#[derive(Debug, PartialEq)]
pub(crate) struct Match {
    /// The index given to [`Router::add`].
    pub(crate) index: usize,
    /// `(name, value)` of each path parameter.
    pub(crate) parameters: Vec<(String, String)>,
}

/// A templated path, one pattern per `/`-separated segment.
#[derive(Debug)]
struct Template {
    segments: Vec<Segment>,
    /// How many segments are fully literal (more is more specific).
    literals: usize,
}

#[derive(Debug)]
enum Segment {
    Literal(String),
    /// Literal text and `{parameters}`, e.g. `{name}.{ext}` or `v{version}`.
    Pattern(Vec<Piece>),
}

#[derive(Debug)]
enum Piece {
    Text(String),
    Parameter(String),
}

impl Router {
    /// Adds the path template `path` (`/pets/{petId}`) as `index`.
    pub(crate) fn add(&mut self, path: &str, index: usize) {
        let path = normalise(path);
        if !path.contains('{') {
            self.exact.entry(path.to_string()).or_insert(index);
            return;
        }
        let segments: Vec<Segment> = path.split('/').skip(1).map(segment).collect();
        let literals = segments
            .iter()
            .filter(|segment| matches!(segment, Segment::Literal(_)))
            .count();
        // Stable: equally specific templates keep document order.
        let at = self
            .templated
            .partition_point(|(other, _)| other.literals >= literals);
        self.templated
            .insert(at, (Template { segments, literals }, index));
    }

    /// Adds a server base path (`/v1`); `/` and empty paths are ignored.
    pub(crate) fn add_prefix(&mut self, prefix: &str) {
        let prefix = normalise(prefix);
        if prefix != "/" && !self.prefixes.iter().any(|known| known == prefix) {
            self.prefixes.push(prefix.to_string());
        }
    }

    /// The template matching `path` (without query), concrete paths first; then the same
    /// without a server base path.
    pub(crate) fn find(&self, path: &str) -> Option<Match> {
        let path = normalise(path);
        self.find_exact(path).or_else(|| {
            self.prefixes.iter().find_map(|prefix| {
                let rest = path.strip_prefix(prefix.as_str())?;
                rest.starts_with('/')
                    .then(|| self.find_exact(rest))
                    .flatten()
            })
        })
    }

    fn find_exact(&self, path: &str) -> Option<Match> {
        if let Some(&index) = self.exact.get(path) {
            return Some(Match {
                index,
                parameters: Vec::new(),
            });
        }
        if self.templated.is_empty() {
            return None;
        }
        let parts: Vec<&str> = path.split('/').skip(1).collect();
        self.templated.iter().find_map(|(template, index)| {
            template.matches(&parts).map(|parameters| Match {
                index: *index,
                parameters,
            })
        })
    }
}

impl Template {
    fn matches(&self, parts: &[&str]) -> Option<Vec<(String, String)>> {
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut parameters = Vec::new();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(text) => {
                    if text != part {
                        return None;
                    }
                }
                Segment::Pattern(pieces) => {
                    if !match_pieces(pieces, part, &mut parameters) {
                        return None;
                    }
                }
            }
        }
        Some(parameters)
    }
}

/// Matches `text` against literal pieces and parameters (each parameter takes at least one
/// character, as few as the following literal allows).
fn match_pieces(pieces: &[Piece], text: &str, found: &mut Vec<(String, String)>) -> bool {
    match pieces.split_first() {
        None => text.is_empty(),
        Some((Piece::Text(literal), rest)) => text
            .strip_prefix(literal.as_str())
            .is_some_and(|text| match_pieces(rest, text, found)),
        Some((Piece::Parameter(name), rest)) => {
            let ends: Vec<usize> = match rest.first() {
                None => vec![text.len()],
                Some(Piece::Text(next)) => text
                    .match_indices(next.as_str())
                    .map(|(at, _)| at)
                    .collect(),
                // Two parameters in a row: the first takes one character.
                Some(Piece::Parameter(_)) => {
                    text.char_indices().skip(1).map(|(at, _)| at).collect()
                }
            };
            for end in ends.into_iter().filter(|&end| end > 0) {
                let before = found.len();
                found.push((name.clone(), decode(&text[..end])));
                if match_pieces(rest, &text[end..], found) {
                    return true;
                }
                found.truncate(before);
            }
            false
        }
    }
}

fn segment(text: &str) -> Segment {
    if !text.contains('{') {
        return Segment::Literal(text.to_string());
    }
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|at| open + at) else {
            break;
        };
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_string()));
        }
        pieces.push(Piece::Parameter(rest[open + 1..close].to_string()));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_string()));
    }
    Segment::Pattern(pieces)
}

/// `/pets/` → `/pets`; `` → `/`.
fn normalise(path: &str) -> &str {
    match path.trim_end_matches('/') {
        "" => "/",
        trimmed => trimmed,
    }
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(paths: &[&str]) -> Router {
        let mut router = Router::default();
        for (index, path) in paths.iter().enumerate() {
            router.add(path, index);
        }
        router
    }

    fn found(router: &Router, path: &str) -> Option<(usize, Vec<(String, String)>)> {
        router
            .find(path)
            .map(|found| (found.index, found.parameters))
    }

    fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn concrete_paths_win_over_templates() {
        let router = router(&["/pets/{petId}", "/pets/mine", "/pets"]);
        assert_eq!(found(&router, "/pets/mine"), Some((1, pairs(&[]))));
        assert_eq!(found(&router, "/pets/"), Some((2, pairs(&[]))));
        assert_eq!(
            found(&router, "/pets/a%20b"),
            Some((0, pairs(&[("petId", "a b")])))
        );
        assert_eq!(found(&router, "/pets/1/toys"), None);
        assert_eq!(found(&router, "/"), None);
    }

    #[test]
    fn more_literal_segments_are_tried_first() {
        let router = router(&["/{kind}/{id}", "/pets/{id}"]);
        assert_eq!(found(&router, "/pets/7"), Some((1, pairs(&[("id", "7")]))));
        assert_eq!(
            found(&router, "/toys/7"),
            Some((0, pairs(&[("kind", "toys"), ("id", "7")])))
        );
    }

    #[test]
    fn segments_mixing_text_and_parameters() {
        let router = router(&["/files/{name}.{ext}", "/v{version}/status"]);
        assert_eq!(
            found(&router, "/files/report.tar.gz"),
            Some((0, pairs(&[("name", "report"), ("ext", "tar.gz")])))
        );
        assert_eq!(
            found(&router, "/v2/status"),
            Some((1, pairs(&[("version", "2")])))
        );
        assert_eq!(found(&router, "/files/.gz"), None);
    }

    #[test]
    fn server_base_paths_are_stripped() {
        let mut router = router(&["/pets"]);
        router.add_prefix("/api/v3/");
        router.add_prefix("/");
        assert_eq!(found(&router, "/api/v3/pets"), Some((0, pairs(&[]))));
        assert_eq!(found(&router, "/api/v3pets"), None);
    }
}
