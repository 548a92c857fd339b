//! Finding where a JSON pointer's value starts in a YAML or JSON text.
//!
//! `yaml_serde` exposes positions only on its errors, so the locator walks the document
//! with a deserializer that stops, with an error, at the node the pointer names; that
//! error's position is the node's. One YAML parser serves both formats (JSON is YAML), and
//! nothing is parsed unless a diagnostic needs a position.

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
}
