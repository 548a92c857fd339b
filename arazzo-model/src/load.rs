//! Reading a document: text → JSON value (YAML or JSON) → model, with locations for errors.

use std::fmt;
use std::path::Path;

use indexmap::IndexMap;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{LoadError, LoadErrorKind, Location};
use crate::limits::{self, MAX_DOCUMENT_SIZE};
use crate::{Document, locate};

/// The syntax a document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (RFC 8259).
    Json,
    /// YAML (read with `yaml_serde`).
    Yaml,
}

impl Format {
    /// The format a file name implies (`.json` is JSON); otherwise the text's first
    /// character decides: `{` or `[` is JSON, anything else YAML.
    pub fn detect(name: &str, text: &str) -> Format {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Format::Json
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Format::Yaml
        } else if text.trim_start().starts_with(['{', '[']) {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

/// A document's text, parsed into a JSON value: the input of [`crate::validate`].
///
/// JSON and YAML give the same value, hence the same model. Keys are checked for duplicates
/// (YAML and JSON parsers otherwise keep the last one silently) and YAML tags are refused.
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: String,
    text: String,
    format: Format,
    value: Value,
    /// The constructs of other dialects read as their spec form (already rewritten in `value`).
    readings: Vec<crate::Reading>,
    /// Every node's position, built when a first position is asked for.
    index: std::sync::OnceLock<Option<locate::Index>>,
}

impl SourceFile {
    /// Reads and parses the file at `path`.
    ///
    /// # Errors
    /// When the file cannot be read or is not well-formed YAML/JSON.
    pub fn read(path: impl AsRef<Path>) -> Result<SourceFile, LoadError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text =
            crate::read_regular_file(path, crate::MAX_FILE_BYTES).map_err(|err| LoadError {
                file: name.clone(),
                location: None,
                pointer: String::new(),
                kind: LoadErrorKind::Io(err),
            })?;
        SourceFile::parse(name, text)
    }

    /// Parses `text`; `name` (a file name, or e.g. `<string>`) is used in messages and, by
    /// its extension, to tell JSON from YAML.
    ///
    /// # Errors
    /// When the text is not well-formed YAML/JSON, is larger than [`MAX_DOCUMENT_SIZE`] or
    /// nests deeper than [`MAX_NESTING_DEPTH`](crate::MAX_NESTING_DEPTH) (both checked before
    /// parsing).
    pub fn parse(
        name: impl Into<String>,
        text: impl Into<String>,
    ) -> Result<SourceFile, LoadError> {
        let name = name.into();
        let text = text.into();
        let limit = if text.len() > MAX_DOCUMENT_SIZE {
            Some((
                limits::location_of(&text, MAX_DOCUMENT_SIZE),
                LoadErrorKind::TooLarge,
            ))
        } else {
            limits::too_deep(&text).map(|location| (location, LoadErrorKind::TooDeep))
        };
        if let Some((location, kind)) = limit {
            return Err(LoadError {
                file: name,
                location: Some(location),
                pointer: String::new(),
                kind,
            });
        }
        let format = Format::detect(&name, &text);
        let parsed = match format {
            Format::Json => {
                let mut deserializer = serde_json::Deserializer::from_str(&text);
                StrictValue::deserialize(&mut deserializer)
                    .and_then(|value| deserializer.end().map(|()| value))
                    .map_err(|err| json_syntax_error(&text, &err))
            }
            Format::Yaml => StrictValue::deserialize(yaml_serde::Deserializer::from_str(&text))
                .map_err(|err| yaml_syntax_error(&err)),
        };
        match parsed {
            Ok(StrictValue(mut value)) => Ok(SourceFile {
                readings: crate::compat::read(&mut value),
                name,
                text,
                format,
                value,
                index: std::sync::OnceLock::new(),
            }),
            Err((location, message)) => Err(LoadError {
                file: name,
                location,
                pointer: String::new(),
                kind: LoadErrorKind::Syntax(message),
            }),
        }
    }

    /// The name given when reading (a path or e.g. `<string>`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text as read.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// JSON or YAML.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The constructs of other tools' dialects that were read as their spec form: [`value`]
    /// holds the spec form, the text what was written (see [`crate::Reading`]).
    ///
    /// [`value`]: SourceFile::value
    pub fn readings(&self) -> &[crate::Reading] {
        &self.readings
    }

    /// The document as a JSON value (constructs of other dialects in their spec form, see
    /// [`SourceFile::readings`]).
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The typed model.
    ///
    /// # Errors
    /// When the value does not fit the model (a wrong type or a missing required field); the
    /// error names the first such field with its JSON pointer and line:col.
    /// [`crate::validate`] reports every such problem at once.
    pub fn document(&self) -> Result<Document, LoadError> {
        serde_path_to_error::deserialize(&self.value).map_err(|err| {
            let pointer = pointer_of(err.path());
            LoadError {
                file: self.name.clone(),
                location: self.locate(&pointer),
                kind: LoadErrorKind::Structure(err.inner().to_string()),
                pointer,
            }
        })
    }

    /// Where the value at a JSON pointer starts in the text; for a value the text does not
    /// have as such (a `compat-…` reading made it, e.g. outputs written as a list), where its
    /// nearest ancestor the text has starts.
    pub fn locate(&self, pointer: &str) -> Option<Location> {
        let mut at = pointer;
        loop {
            if let Some(found) = self.position(at, locate::Part::Value) {
                return Some(found);
            }
            at = &at[..at.rfind('/')?];
        }
    }

    /// From the index of every node's position, else by a walk to the node.
    fn position(&self, pointer: &str, part: locate::Part) -> Option<Location> {
        let index = self.index.get_or_init(|| locate::Index::build(&self.text));
        index
            .as_ref()
            .and_then(|index| index.get(pointer, part))
            .or_else(|| locate::locate(&self.text, pointer, part))
    }

    /// Where the character at byte `offset` of the string at a JSON pointer is, when the
    /// string is written on one line (plain or quoted); otherwise where the value starts.
    pub fn locate_within(&self, pointer: &str, offset: usize) -> Option<Location> {
        let Some(start) = self.position(pointer, locate::Part::Value) else {
            return self.locate(pointer);
        };
        let Some(Value::String(text)) = self.value.pointer(pointer) else {
            return Some(start);
        };
        let first = self
            .text
            .lines()
            .nth(start.line - 1)?
            .chars()
            .nth(start.column - 1)?;
        let quote = match first {
            '|' | '>' => return Some(start),
            '\'' | '"' => 1,
            _ => 0,
        };
        if text.contains('\n') {
            return Some(start);
        }
        let chars = text
            .get(..offset)
            .map_or(0, |before| before.chars().count());
        Some(Location {
            line: start.line,
            column: start.column + quote + chars,
        })
    }

    /// Where the key of the member at a JSON pointer starts in the text (the value's start
    /// for an array item or the root).
    pub fn locate_key(&self, pointer: &str) -> Option<Location> {
        self.position(pointer, locate::Part::Key)
    }
}

/// `serde_path_to_error`'s path as a JSON pointer.
pub(crate) fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                pointer.push('/');
                pointer.push_str(&crate::escape_pointer_token(key));
            }
            Segment::Unknown => {}
        }
    }
    pointer
}

/// A JSON syntax error, reported at the bracket left open when the text ends inside it or
/// closes it with the wrong bracket (`{"a": [1}` names the line of the `[`).
fn json_syntax_error(text: &str, err: &serde_json::Error) -> (Option<Location>, String) {
    let at = Location {
        line: err.line(),
        column: err.column(),
    };
    let message = strip_position(&err.to_string());
    let unclosed = match err.is_eof() {
        true => unclosed_json_bracket(text, None),
        false if message.starts_with("expected `,` or") => unclosed_json_bracket(text, Some(at)),
        false => None,
    };
    match unclosed {
        Some((opened, bracket)) if err.is_eof() => (
            Some(opened),
            format!("unclosed `{bracket}`: the text ends before it is closed"),
        ),
        Some((opened, bracket)) => (
            Some(opened),
            format!("unclosed `{bracket}`: {message} at {at}"),
        ),
        None => (Some(at), message),
    }
}

/// The innermost bracket still open at the end of a JSON text, or just before `until`.
fn unclosed_json_bracket(text: &str, until: Option<Location>) -> Option<(Location, char)> {
    let mut open = Vec::new();
    let (mut line, mut column) = (1, 0);
    let (mut in_string, mut escaped) = (false, false);
    for ch in text.chars() {
        column += 1;
        if until.is_some_and(|until| (line, column) >= (until.line, until.column)) {
            break;
        }
        if ch == '\n' {
            (line, column) = (line + 1, 0);
        }
        if in_string {
            match ch {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match ch {
            '"' => in_string = true,
            '{' | '[' => open.push((Location { line, column }, ch)),
            '}' | ']' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

/// A YAML syntax error, reported at the construct left open when the parser names one
/// ("while parsing a flow mapping at line 37 column 16" → `37:16: unclosed `{``).
fn yaml_syntax_error(err: &yaml_serde::Error) -> (Option<Location>, String) {
    let text = err.to_string();
    let at = err.location().map(|mark| Location {
        line: mark.line(),
        column: mark.column(),
    });
    let Some((problem, context)) = text.split_once(", while ") else {
        return (at, strip_position(&text));
    };
    let (context, context_mark) = split_position(context);
    let construct = match context {
        "parsing a flow mapping" => "unclosed `{`",
        "parsing a flow sequence" => "unclosed `[`",
        "scanning a quoted scalar" => "unclosed quoted string",
        other => other,
    };
    let problem_at = at
        .map(|location| format!(" at {location}"))
        .unwrap_or_default();
    let message = format!("{construct}: {}{problem_at}", strip_position(problem));
    (context_mark.or(at), message)
}

/// Splits "text at line L column C" into the text and the location.
fn split_position(text: &str) -> (&str, Option<Location>) {
    let Some((head, tail)) = text.rsplit_once(" at line ") else {
        return (text, None);
    };
    let mut numbers = tail
        .split(" column ")
        .map(|number| number.trim().parse::<usize>());
    match (numbers.next(), numbers.next()) {
        (Some(Ok(line)), Some(Ok(column))) => (head, Some(Location { line, column })),
        _ => (text, None),
    }
}

fn strip_position(text: &str) -> String {
    split_position(text).0.to_string()
}

/// A JSON value read from YAML or JSON that refuses duplicate keys and YAML tags, which
/// would otherwise lose data silently.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("`{v}` is not a JSON number")))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = IndexMap::new();
        while let Some(key) = map.next_key_seed(UniqueKey(&members))? {
            let StrictValue(value) = map.next_value()?;
            members.insert(key, value);
        }
        Ok(Value::Object(
            members.into_iter().collect::<Map<String, Value>>(),
        ))
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _data: A) -> Result<Value, A::Error> {
        Err(de::Error::custom(
            "YAML tags (`!name`) are not allowed in an Arazzo document",
        ))
    }
}

/// A map key, refused when the map already has it.
struct UniqueKey<'a>(&'a IndexMap<String, Value>);

impl<'de> DeserializeSeed<'de> for UniqueKey<'_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_str(self)
    }
}

// The check runs inside the visitor so that YAML errors carry the key's own position.
impl<'de> Visitor<'de> for UniqueKey<'_> {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<String, E> {
        if self.0.contains_key(key) {
            return Err(E::custom(format!("duplicate key `{key}`")));
        }
        Ok(key.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syntax(name: &str, text: &str) -> String {
        SourceFile::parse(name, text).unwrap_err().to_string()
    }

    #[test]
    fn yaml_unclosed_brace_names_its_line() {
        let text = "a: 1\nb: {c: 1, d: [1]\ne: 2\n";
        assert_eq!(
            syntax("x.yaml", text),
            "x.yaml:2:4: unclosed `{`: did not find expected ',' or '}' at 3:1"
        );
    }

    #[test]
    fn json_unclosed_brace_names_its_line() {
        let text = "{\n  \"a\": {\"b\": \"}\",\n  \"c\": 1\n";
        assert_eq!(
            syntax("x.json", text),
            "x.json:2:8: unclosed `{`: the text ends before it is closed"
        );
    }

    #[test]
    fn json_wrong_closing_bracket_names_the_open_one() {
        let text = "{\n  \"a\": [\n    {\"b\": 1\n  ]\n}\n";
        assert_eq!(
            syntax("x.json", text),
            "x.json:3:5: unclosed `{`: expected `,` or `}` at 4:3"
        );
    }

    #[test]
    fn duplicate_keys_are_refused_in_yaml_and_json() {
        assert_eq!(
            syntax("x.yaml", "a: 1\nb: 2\na: 3\n"),
            "x.yaml:3:1: duplicate key `a`"
        );
        assert!(syntax("x.json", "{\"a\": 1, \"a\": 2}").contains("duplicate key `a`"));
    }

    #[test]
    fn yaml_tags_are_refused() {
        assert!(syntax("x.yaml", "a: !env HOME\n").contains("YAML tags"));
    }

    #[test]
    fn json_and_yaml_give_the_same_value() {
        let yaml = SourceFile::parse("a.yaml", "a: [1, 'x', {b: null}]\nc: 1.5\n").unwrap();
        let json =
            SourceFile::parse("a.json", r#"{"a": [1, "x", {"b": null}], "c": 1.5}"#).unwrap();
        assert_eq!(yaml.value(), json.value());
    }

    #[test]
    fn format_is_detected_by_extension_then_content() {
        assert_eq!(Format::detect("a.JSON", "x: 1"), Format::Json);
        assert_eq!(Format::detect("a.yml", "{}"), Format::Yaml);
        assert_eq!(Format::detect("<string>", "  {\"a\": 1}"), Format::Json);
        assert_eq!(Format::detect("<string>", "a: 1"), Format::Yaml);
    }
}
