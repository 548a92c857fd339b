//! Finding where a JSON pointer's value starts in a YAML or JSON text.
//!
//! `yaml_serde` exposes positions only on its errors, so the locator walks the document
//! with a deserializer that stops, with an error, at the node the pointer names; that
//! error's position is the node's. One YAML parser serves both formats (JSON is YAML), and
//! nothing is parsed unless a diagnostic needs a position.
//!
//! Each such walk parses the text up to the node: for a document with hundreds of
//! diagnostics that is quadratic (599 diagnostics of a 400 KB document took 44 s). So from
//! the second position a document is asked for, an [`Index`] of every node's position is built
//! in one pass over the events of an event parser (`saphyr-parser`, which gives positions),
//! and the walk remains for what the index leaves out (nodes under an alias, complex keys).

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::Location;

/// Which part of a member to locate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The member's value.
    Value,
    /// The member's key (for an array item: the item).
    Key,
}

const FOUND: &str = "\u{0}found";

/// The start of the node at `pointer` in `text`, or `None` if the pointer names nothing.
pub(crate) fn locate(text: &str, pointer: &str, part: Part) -> Option<Location> {
    let tokens: Vec<String> = match pointer {
        "" => Vec::new(),
        _ => pointer
            .strip_prefix('/')?
            .split('/')
            .map(arazzo_expr::pointer::unescape)
            .collect(),
    };
    let seek = Seek {
        path: &tokens,
        part,
    };
    let err = seek
        .deserialize(yaml_serde::Deserializer::from_str(text))
        .err()?;
    if !err.to_string().contains(FOUND) {
        return None;
    }
    err.location().map(|mark| Location {
        line: mark.line(),
        column: mark.column(),
    })
}

struct Seek<'a> {
    path: &'a [String],
    part: Part,
}

fn found<E: de::Error>() -> E {
    E::custom(FOUND)
}

fn missing<E: de::Error>() -> E {
    E::custom("missing")
}

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.path.is_empty() {
            return deserializer.deserialize_any(Stop);
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a container")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (first, rest) = self.path.split_first().ok_or_else(missing)?;
        let stop_at_key = rest.is_empty() && self.part == Part::Key;
        while let Some(matched) = map.next_key_seed(Key {
            wanted: first,
            stop: stop_at_key,
        })? {
            if matched {
                return map.next_value_seed(Seek {
                    path: rest,
                    part: self.part,
                });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Err(missing())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (first, rest) = self.path.split_first().ok_or_else(missing)?;
        let index: usize = first.parse().map_err(|_| missing())?;
        for _ in 0..index {
            seq.next_element::<IgnoredAny>()?.ok_or_else(missing)?;
        }
        seq.next_element_seed(Seek {
            path: rest,
            part: self.part,
        })?
        .ok_or_else(missing)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(missing())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(missing())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(missing())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(missing())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(missing())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(missing())
    }
}

/// Fails on whatever node it is given, so that the error carries the node's position.
struct Stop;

impl<'de> Visitor<'de> for Stop {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any node")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(found())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(found())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(found())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(found())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(found())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(found())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Err(found())
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(found())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(found())
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(found())
    }
}

/// Reads a map key: `true` when it is the wanted one; fails there when `stop` is set.
struct Key<'a> {
    wanted: &'a str,
    stop: bool,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        match key == self.wanted {
            true if self.stop => Err(found()),
            matched => Ok(matched),
        }
    }
    fn visit_i64<E: de::Error>(self, key: i64) -> Result<bool, E> {
        self.visit_str(&key.to_string())
    }
    fn visit_u64<E: de::Error>(self, key: u64) -> Result<bool, E> {
        self.visit_str(&key.to_string())
    }
    fn visit_bool<E: de::Error>(self, key: bool) -> Result<bool, E> {
        self.visit_str(&key.to_string())
    }
}

/// Where every node of a document starts, by JSON pointer: its key (for an array item or
/// the root, the node itself) and its value.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    nodes: HashMap<String, (Location, Location)>,
}

/// A container being read, and where its next child goes.
enum Frame {
    /// A mapping: the pointer of its next value once its key has been read.
    Map {
        pointer: String,
        key: Option<(String, Location)>,
    },
    /// A sequence and the index of its next item.
    Seq { pointer: String, next: usize },
}

impl Index {
    /// The index of `text`; `None` when the event parser refuses it (the walk still works).
    pub(crate) fn build(text: &str) -> Option<Index> {
        use saphyr_parser::{Event, Parser, ScalarStyle};
        let lines: Vec<&str> = text.lines().collect();
        let mut nodes = HashMap::new();
        let mut stack: Vec<Frame> = Vec::new();
        for event in Parser::new_from_str(text) {
            let (event, span) = event.ok()?;
            // A block scalar's event starts at its text, the walk's at its `|` or `>`: those
            // are left to the walk, as are sequences the dash rule below cannot place. (The
            // index and the walk agree on all the other 58,000 nodes sampled from the corpus.)
            let mut block = false;
            let mut at = Location {
                line: span.start.line(),
                column: span.start.col() + 1,
            };
            if let Event::SequenceStart(..) = event {
                match block_sequence_dash(&lines, at) {
                    Some(Some(dash)) => at = dash,
                    Some(None) => {}
                    // Nested on one line (`- - a`): left to the walk.
                    None => block = true,
                }
            }
            let (opens, scalar) = match &event {
                Event::MappingStart(..) | Event::SequenceStart(..) => (true, None),
                Event::Scalar(text, style, ..) => {
                    // An empty value (`key:` alone) is placed a column apart too.
                    block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                        || (text.is_empty() && *style == ScalarStyle::Plain);
                    (false, Some(text.as_ref()))
                }
                Event::Alias(_) => (false, None),
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                    continue;
                }
                _ => continue,
            };
            // Where this node goes: a key, a member's value, an item, or the root.
            let (pointer, key_at) = match stack.last_mut() {
                None => (String::new(), at),
                Some(Frame::Map {
                    key: key @ None, ..
                }) => {
                    // A key that is not a scalar has no JSON pointer: leave it to the walk.
                    *key = Some((scalar?.to_string(), at));
                    continue;
                }
                Some(Frame::Map { pointer, key }) => {
                    let (name, key_at) = key.take()?;
                    (child(pointer, &name), key_at)
                }
                Some(Frame::Seq { pointer, next }) => {
                    *next += 1;
                    (child(pointer, &(*next - 1).to_string()), at)
                }
            };
            if opens {
                stack.push(match event {
                    Event::MappingStart(..) => Frame::Map {
                        pointer: pointer.clone(),
                        key: None,
                    },
                    _ => Frame::Seq {
                        pointer: pointer.clone(),
                        next: 0,
                    },
                });
            }
            if !block {
                // A duplicate pointer (only in a document the loader refuses) keeps the first.
                nodes.entry(pointer).or_insert((key_at, at));
            }
        }
        Some(Index { nodes })
    }

    /// The position of `part` of the node at `pointer`, if the index has it.
    pub(crate) fn get(&self, pointer: &str, part: Part) -> Option<Location> {
        let (key, value) = self.nodes.get(pointer)?;
        Some(match part {
            Part::Key => *key,
            Part::Value => *value,
        })
    }
}

/// A block sequence's event starts at its first `-`, but an indentless one's (`key:` then
/// `- item` at the key's indentation) at its first item: the dash's position then
/// (`Some(None)` when the event is already at a `-` or at a flow sequence's `[`; `None` when
/// the dash has something other than indentation before it).
fn block_sequence_dash(lines: &[&str], at: Location) -> Option<Option<Location>> {
    let line: Vec<char> = lines.get(at.line.checked_sub(1)?)?.chars().collect();
    let start = at.column - 1;
    let before = line.get(..start)?;
    match line.get(start) {
        Some('[') => return Some(None),
        Some('-') => return before.iter().all(|ch| *ch == ' ').then_some(None),
        _ => {}
    }
    let dash = before.iter().rposition(|ch| *ch != ' ')?;
    (before[dash] == '-' && before[..dash].iter().all(|ch| *ch == ' ')).then_some(Some(Location {
        line: at.line,
        column: dash + 1,
    }))
}

fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", arazzo_expr::pointer::escape(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "a:\n  b:\n    - x\n    - {c: 1, 'd/e': [true]}\nf: 2\n";

    fn at(pointer: &str, part: Part) -> Option<(usize, usize)> {
        locate(TEXT, pointer, part).map(|location| (location.line, location.column))
    }

    #[test]
    fn locate_values_keys_and_items() {
        assert_eq!(at("", Part::Value), Some((1, 1)));
        assert_eq!(at("/f", Part::Value), Some((5, 4)));
        assert_eq!(at("/f", Part::Key), Some((5, 1)));
        assert_eq!(at("/a/b/1", Part::Value), Some((4, 7)));
        assert_eq!(at("/a/b/1/c", Part::Key), Some((4, 8)));
        assert_eq!(at("/a/b/1/d~1e/0", Part::Value), Some((4, 22)));
    }

    #[test]
    fn locate_nothing_for_missing_pointers() {
        assert_eq!(at("/a/zz", Part::Value), None);
        assert_eq!(at("/a/b/7", Part::Value), None);
        assert_eq!(at("/f/x", Part::Value), None);
        assert_eq!(at("no-slash", Part::Value), None);
    }

    #[test]
    fn locate_in_json_text() {
        let text = "{\n  \"a\": [1,\n    {\"b\": null}]\n}";
        assert_eq!(
            locate(text, "/a/1/b", Part::Value).map(|l| (l.line, l.column)),
            Some((3, 11))
        );
    }

    /// Every pointer of `value`, the root included.
    fn pointers(value: &serde_json::Value, at: String, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(members) => {
                for (key, member) in members {
                    pointers(member, child(&at, key), out);
                }
            }
            serde_json::Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    pointers(item, child(&at, &index.to_string()), out);
                }
            }
            _ => {}
        }
        out.push(at);
    }

    /// The index gives every node of these documents, YAML and JSON, block and flow styles,
    /// quoted and multi-line scalars, exactly the position the walk gives.
    #[test]
    fn the_index_agrees_with_the_walk() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/");
        let files = [
            "amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml",
            "amberflo/openapi/amberflo-billing-openapi.yaml",
            "flow/actions.arazzo.yaml",
            "flow/workflow-steps.arazzo.yaml",
            "secrets/secrets.arazzo.yaml",
        ];
        let mut texts: Vec<String> = files
            .iter()
            .map(|file| std::fs::read_to_string(format!("{root}{file}")).unwrap())
            .collect();
        texts.push(TEXT.to_string());
        texts.push("{\n  \"a\": [1,\n    {\"b\": null, \"c~d\": \"x\"}]\n}".to_string());
        texts.push(
            "k: |\n  two\n  lines\nq: 'it''s'\nr: >-\n  folded\ns: [a, {t: u}]\ne:\nl:\n- - x\n"
                .to_string(),
        );
        for text in &texts {
            let value: serde_json::Value = yaml_serde::from_str(text).unwrap();
            let index = Index::build(text).expect("the event parser reads it");
            let mut all = Vec::new();
            pointers(&value, String::new(), &mut all);
            assert!(all.len() > 3);
            let indexed = all
                .iter()
                .filter(|pointer| index.get(pointer, Part::Value).is_some())
                .count();
            // The documents (not the small samples of special cases) are nearly all indexed.
            if all.len() > 20 {
                assert!(indexed * 10 >= all.len() * 9, "{indexed} of {}", all.len());
            }
            for pointer in &all {
                for part in [Part::Value, Part::Key] {
                    let Some(found) = index.get(pointer, part) else {
                        continue;
                    };
                    assert_eq!(
                        Some(found),
                        locate(text, pointer, part),
                        "{pointer} ({part:?}) in {}",
                        &text[..text.len().min(60)]
                    );
                }
            }
        }
    }
}
