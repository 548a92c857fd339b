//! The fields of an object beyond those the spec defines.

use indexmap::IndexMap;
use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// Fields of an object that the spec does not define: `x-` extensions, and anything else.
///
/// Specification extensions (`x-…`) are kept as written. Any other unknown field is kept in
/// [`Extensions::unknown`] so that validation can report it; nothing is dropped silently.
/// Used with `#[serde(flatten)]` on every object that allows extensions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extensions {
    /// The `x-` fields, keyed with their `x-` prefix, in document order.
    pub x: IndexMap<String, Value>,
    /// Unknown fields that are not extensions (invalid in Arazzo 1.0.x), in document order.
    pub unknown: IndexMap<String, Value>,
}

impl Extensions {
    /// Whether no extra field was present.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty() && self.unknown.is_empty()
    }
}

impl<'de> Deserialize<'de> for Extensions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let all = IndexMap::<String, Value>::deserialize(deserializer)?;
        let (x, unknown) = all.into_iter().partition(|(key, _)| key.starts_with("x-"));
        Ok(Extensions { x, unknown })
    }
}

impl Serialize for Extensions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.x.len() + self.unknown.len()))?;
        for (key, value) in self.x.iter().chain(&self.unknown) {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}
