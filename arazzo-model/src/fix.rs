//! `arazzo fix`: writing the spec form of each [`Reading`](crate::Reading) into the text, in
//! place of what was written, so that comments, order and layout stay as they are.
//!
//! Only the edited scalars (or removed members) change; the result is parsed again and must
//! give the value the engine read, or the file is left alone.

use std::collections::HashMap;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::Value;

use crate::{Edit, Format, SourceFile};

/// Why a document cannot be fixed in place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FixError {
    /// The text at a pointer is not a plain one-node scalar or member the fixer can edit
    /// (e.g. under an alias, or a member sharing its line with others).
    #[error("cannot edit `{pointer}` in place: {reason}")]
    NotEditable {
        /// The JSON pointer of the value.
        pointer: String,
        /// Why, lowercase.
        reason: String,
    },
    /// The edited text does not read back as the value the engine read (a bug: nothing is
    /// written).
    #[error("the fixed text does not read back as the document: {0}")]
    RoundTrip(String),
}

/// Where a node of the text is, by JSON pointer.
struct Spans {
    /// Byte ranges of scalar values, and their style.
    scalars: HashMap<String, (Range<usize>, ScalarStyle)>,
    /// Byte ranges of mapping members: from the key's start to the value's end.
    members: HashMap<String, Range<usize>>,
    /// Byte ranges of mapping keys, and their style, by the member's pointer.
    keys: HashMap<String, (Range<usize>, ScalarStyle)>,
    /// Where each mapping's first key starts, and whether the mapping is in flow style
    /// (`{…}`, JSON).
    first_keys: HashMap<String, (usize, bool)>,
    /// Byte ranges of mappings and sequences (without the comments and blank lines after a
    /// block one), and whether they are in flow style.
    containers: HashMap<String, (Range<usize>, bool)>,
}

/// A container being read.
enum Frame {
    /// A mapping, where it starts, whether it is in flow style, and its pending key with its
    /// span and style.
    Map {
        pointer: String,
        start: usize,
        flow: bool,
        key: Option<(String, Range<usize>, ScalarStyle)>,
    },
    /// A sequence, where it starts, whether it is in flow style, and the index of its next
    /// item.
    Seq {
        pointer: String,
        start: usize,
        flow: bool,
        next: usize,
    },
}

impl Spans {
    fn of(text: &str) -> Option<Spans> {
        // saphyr positions are in characters.
        let bytes: Vec<usize> = text
            .char_indices()
            .map(|(at, _)| at)
            .chain([text.len()])
            .collect();
        let byte = |index: usize| bytes.get(index).copied();
        let mut spans = Spans {
            scalars: HashMap::new(),
            members: HashMap::new(),
            keys: HashMap::new(),
            first_keys: HashMap::new(),
            containers: HashMap::new(),
        };
        let mut stack: Vec<Frame> = Vec::new();
        for event in Parser::new_from_str(text) {
            let (event, span) = event.ok()?;
            let (start, end) = (byte(span.start.index())?, byte(span.end.index())?);
            let scalar = match &event {
                Event::Scalar(value, style, ..) => Some((value.to_string(), *style)),
                Event::MappingStart(..) | Event::SequenceStart(..) | Event::Alias(_) => None,
                Event::MappingEnd | Event::SequenceEnd => {
                    if let Some(
                        Frame::Map {
                            pointer,
                            start: opened,
                            flow,
                            ..
                        }
                        | Frame::Seq {
                            pointer,
                            start: opened,
                            flow,
                            ..
                        },
                    ) = stack.pop()
                    {
                        // A member whose value is a container ends with it.
                        if let Some(range) = spans.members.get_mut(&pointer) {
                            range.end = end;
                        }
                        let end = if flow {
                            end
                        } else {
                            block_end(text, opened, end)
                        };
                        spans.containers.insert(pointer, (opened..end, flow));
                    }
                    continue;
                }
                _ => continue,
            };
            let pointer = match stack.last_mut() {
                None => String::new(),
                Some(Frame::Map {
                    pointer,
                    flow,
                    key: key @ None,
                    ..
                }) => {
                    // Only scalar keys have a pointer.
                    let (name, style) = scalar?;
                    spans
                        .first_keys
                        .entry(pointer.clone())
                        .or_insert((start, *flow));
                    *key = Some((name, start..end, style));
                    continue;
                }
                Some(Frame::Map { pointer, key, .. }) => {
                    let (name, key_span, style) = key.take()?;
                    let child = format!("{pointer}/{}", arazzo_expr::pointer::escape(&name));
                    spans.members.insert(child.clone(), key_span.start..end);
                    spans.keys.insert(child.clone(), (key_span, style));
                    child
                }
                Some(Frame::Seq { pointer, next, .. }) => {
                    *next += 1;
                    format!("{pointer}/{}", *next - 1)
                }
            };
            match event {
                Event::MappingStart(..) => stack.push(Frame::Map {
                    pointer,
                    start,
                    flow: text[start..].starts_with('{'),
                    key: None,
                }),
                Event::SequenceStart(..) => stack.push(Frame::Seq {
                    pointer,
                    start,
                    flow: text[start..].starts_with('['),
                    next: 0,
                }),
                _ => {
                    if let Some((_, style)) = scalar {
                        let range = match style {
                            ScalarStyle::Literal | ScalarStyle::Folded => {
                                block_scalar(text, start, end)?
                            }
                            _ => start..end,
                        };
                        spans.scalars.insert(pointer, (range, style));
                    }
                }
            }
        }
        Some(spans)
    }
}

/// `edits` with each one inside an item that an [`Edit::Append`] adds (a bare-server source's
/// `url`, which a description file replaces) made in that item instead, and in `expected`:
/// the text has no such node to edit.
fn fold_into_appended(
    value: &Value,
    edits: &[(String, Edit)],
    expected: &mut Value,
) -> Vec<(String, Edit)> {
    let mut edits = edits.to_vec();
    let appends: Vec<(usize, String)> = edits
        .iter()
        .enumerate()
        .filter(|(_, (_, edit))| matches!(edit, Edit::Append(_)))
        .map(|(at, (pointer, _))| (at, pointer.clone()))
        .collect();
    let mut items = Vec::new();
    for (nth, (at, pointer)) in appends.iter().enumerate() {
        let length = value
            .pointer(pointer)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let appended_here = appends.iter().filter(|(_, other)| other == pointer).count();
        let earlier = appends[..nth]
            .iter()
            .filter(|(_, other)| other == pointer)
            .count();
        let item = format!("{pointer}/{}", length - appended_here + earlier);
        let inside: Vec<(String, Value)> = edits
            .iter()
            .filter_map(|(pointer, edit)| {
                let rest = pointer.strip_prefix(&item)?.strip_prefix('/')?;
                match edit {
                    Edit::Replace(new) | Edit::ReplaceWithFile { value: new, .. } => {
                        Some((format!("/{rest}"), new.clone()))
                    }
                    _ => None,
                }
            })
            .collect();
        if let (_, Edit::Append(appended)) = &mut edits[*at] {
            for (rest, new) in inside {
                if let Some(slot) = appended.pointer_mut(&rest) {
                    *slot = new.clone();
                }
                if let Some(slot) = expected.pointer_mut(&format!("{item}{rest}")) {
                    *slot = new;
                }
            }
        }
        items.push(format!("{item}/"));
    }
    edits.retain(|(pointer, edit)| {
        !(items.iter().any(|item| pointer.starts_with(item))
            && matches!(edit, Edit::Replace(_) | Edit::ReplaceWithFile { .. }))
    });
    edits
}

/// Where a block container that starts at `start` ends: the parser's end is the next node's
/// start, so the blank lines and comments before it are left out.
fn block_end(text: &str, start: usize, end: usize) -> usize {
    let mut end = end;
    loop {
        let body = text[start..end].trim_end();
        end = start + body.len();
        let line_start = body.rfind('\n').map_or(0, |at| at + 1);
        if line_start == 0 || !body[line_start..].trim_start().starts_with('#') {
            return end;
        }
        end = start + line_start;
    }
}

/// A block scalar's whole text: from its `|` or `>` indicator (before the content the event
/// starts at) to the end of its last line, without the line break after it.
fn block_scalar(text: &str, start: usize, end: usize) -> Option<Range<usize>> {
    let indicator = text[..start].rfind(['|', '>'])?;
    let content_end = start.max(text[..end].trim_end().len());
    Some(indicator..content_end)
}

/// The text of `file` with each edit written at its pointer, checked by parsing it again: it
/// must read as `file`'s value with the edits applied, and without the readings fixed.
///
/// # Errors
/// When an edited node cannot be edited in place, or the result does not read back.
pub fn apply(file: &SourceFile, edits: &[(String, Edit)]) -> Result<String, FixError> {
    let text = file.text();
    let spans = Spans::of(text).ok_or_else(|| FixError::NotEditable {
        pointer: String::new(),
        reason: "the text does not parse as YAML".to_string(),
    })?;
    let mut changes: Vec<(Range<usize>, String)> = Vec::new();
    let mut expected = file.value().clone();
    let edits = &fold_into_appended(file.value(), edits, &mut expected);
    // Two readings of one value (a step output, then a quoted word): the last gives its
    // spec form. Members inserted into one mapping, items appended to one sequence, are each
    // written.
    let adds = |edit: &Edit| matches!(edit, Edit::Insert { .. } | Edit::Append(_));
    let last = |at: usize, pointer: &String, edit: &Edit| {
        adds(edit)
            || !edits[at + 1..]
                .iter()
                .any(|(later, edit)| later == pointer && !adds(edit))
    };
    for (pointer, edit) in edits
        .iter()
        .enumerate()
        .filter(|(at, (pointer, edit))| last(*at, pointer, edit))
        .map(|(_, edit)| edit)
    {
        let not_editable = |reason: &str| FixError::NotEditable {
            pointer: pointer.clone(),
            reason: reason.to_string(),
        };
        match edit {
            Edit::Replace(value) | Edit::ReplaceWithFile { value, .. } => {
                changes.push(spans.rewrite(text, pointer, value, file.format())?);
                if let Some(slot) = expected.pointer_mut(pointer) {
                    *slot = value.clone();
                }
            }
            Edit::Rename { key, value } => {
                let (key_range, key_style) = spans
                    .keys
                    .get(pointer)
                    .ok_or_else(|| not_editable("it is not a member of the text"))?;
                changes.push((key_range.clone(), scalar(key, *key_style, file.format())));
                changes.push(spans.rewrite(text, pointer, value, file.format())?);
            }
            Edit::Insert { key, value } => {
                let &(at, in_flow) = spans
                    .first_keys
                    .get(pointer)
                    .ok_or_else(|| not_editable("it is not a mapping with members"))?;
                let line_start = text[..at].rfind('\n').map_or(0, |at| at + 1);
                let indent: String = text[line_start..at]
                    .chars()
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let style = match file.format() {
                    Format::Json => ScalarStyle::DoubleQuoted,
                    _ => ScalarStyle::Plain,
                };
                let written = match value {
                    Value::String(new) => scalar(new, style, file.format()),
                    other => flow(other, file.format()),
                };
                let member = format!("{}: {written}", scalar(key, style, file.format()));
                let inserted = match in_flow {
                    true => format!("{member}, "),
                    false => format!("{member}\n{indent}"),
                };
                changes.push((at..at, inserted));
            }
            Edit::Append(value) => {
                let (range, in_flow) = spans
                    .containers
                    .get(pointer)
                    .ok_or_else(|| not_editable("it is not a sequence of the text"))?;
                if *in_flow {
                    let inside = text[range.start + 1..range.end - 1].trim();
                    let separator = if inside.is_empty() { "" } else { ", " };
                    let at = range.end - 1;
                    changes.push((at..at, format!("{separator}{}", flow(value, file.format()))));
                } else {
                    let line_start = text[..range.start].rfind('\n').map_or(0, |at| at + 1);
                    let indent = &text[line_start..range.start];
                    if !indent.trim().is_empty() {
                        return Err(not_editable("the sequence shares its first line"));
                    }
                    let item = match value {
                        Value::Object(members) if !members.is_empty() => members
                            .iter()
                            .map(|(key, member)| {
                                format!("{}: {}", flow_scalar(key), flow(member, file.format()))
                            })
                            .collect::<Vec<_>>()
                            .join(&format!("\n{indent}  ")),
                        other => flow(other, file.format()),
                    };
                    changes.push((range.end..range.end, format!("\n{indent}- {item}")));
                }
            }
            Edit::Remove => {
                let range = spans
                    .members
                    .get(pointer)
                    .ok_or_else(|| not_editable("it is not a member of the text"))?;
                let range = member_lines(text, range.clone(), file.format())
                    .ok_or_else(|| not_editable("the member shares its lines with others"))?;
                changes.push((range, String::new()));
            }
        }
    }
    // From the end, so earlier ranges stay where they are; members inserted at one place are
    // applied last first, so that they read in the order of the edits.
    changes.reverse();
    changes.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut fixed = text.to_string();
    for (range, replacement) in changes {
        fixed.replace_range(range, &replacement);
    }
    let reread = SourceFile::parse(file.name(), fixed.as_str())
        .map_err(|err| FixError::RoundTrip(err.to_string()))?;
    if reread.value() != &expected {
        return Err(FixError::RoundTrip(
            "the value differs from the one read".to_string(),
        ));
    }
    if let Some(left) = reread
        .readings()
        .iter()
        .find(|reading| edits.iter().any(|(pointer, _)| *pointer == reading.pointer))
    {
        return Err(FixError::RoundTrip(format!(
            "`{}` still reads as another dialect",
            left.pointer
        )));
    }
    Ok(fixed)
}

impl Spans {
    /// The change writing `value` in place of the node at `pointer`: a string in the node's
    /// style; a mapping or sequence in flow style (`{condition: …}`), or, in place of a block
    /// container, as a block at its indentation.
    fn rewrite(
        &self,
        text: &str,
        pointer: &str,
        value: &Value,
        format: Format,
    ) -> Result<(Range<usize>, String), FixError> {
        let not_editable = |reason: &str| FixError::NotEditable {
            pointer: pointer.to_string(),
            reason: reason.to_string(),
        };
        if let Some((range, style)) = self.scalars.get(pointer) {
            let written = match value {
                Value::String(new) => scalar(new, *style, format),
                other => flow(other, format),
            };
            return Ok((range.clone(), written));
        }
        let (range, flow_style) = self
            .containers
            .get(pointer)
            .ok_or_else(|| not_editable("it is not a node of the text"))?;
        let line_start = text[..range.start].rfind('\n').map_or(0, |at| at + 1);
        let indent = &text[line_start..range.start];
        let written = match value {
            Value::Object(members)
                if !flow_style
                    && format == Format::Yaml
                    && !members.is_empty()
                    && indent.trim().is_empty() =>
            {
                let lines: Vec<String> = members
                    .iter()
                    .map(|(key, member)| format!("{}: {}", flow_scalar(key), flow(member, format)))
                    .collect();
                lines.join(&format!("\n{indent}"))
            }
            other => flow(other, format),
        };
        Ok((range.clone(), written))
    }
}

/// `value` in flow style: JSON in JSON, `{key: value, …}` / `[a, b]` in YAML.
pub(crate) fn flow(value: &Value, format: Format) -> String {
    if format == Format::Json {
        return serde_json::to_string(value).expect("a value serialises");
    }
    match value {
        Value::Object(members) => {
            let members: Vec<String> = members
                .iter()
                .map(|(key, member)| format!("{}: {}", flow_scalar(key), flow(member, format)))
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|item| flow(item, format)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::String(text) => flow_scalar(text),
        other => other.to_string(),
    }
}

/// A string in a YAML flow collection: plain where that reads back, else double-quoted.
fn flow_scalar(value: &str) -> String {
    if plain_safe(value) && !value.contains([',', '[', ']', '{', '}']) {
        value.to_string()
    } else {
        serde_json::to_string(value).expect("a string serialises")
    }
}

/// `value` as a scalar of the text: JSON strings in JSON; in YAML, the style written where the
/// value allows it.
fn scalar(value: &str, style: ScalarStyle, format: Format) -> String {
    let double = || serde_json::to_string(value).expect("a string serialises");
    match (format, style) {
        (Format::Json, _) | (_, ScalarStyle::DoubleQuoted) => double(),
        (_, ScalarStyle::SingleQuoted) => format!("'{}'", value.replace('\'', "''")),
        (_, ScalarStyle::Plain) if plain_safe(value) => value.to_string(),
        _ => double(),
    }
}

/// Whether `value` reads back as the same string when written plain after `key: `.
fn plain_safe(value: &str) -> bool {
    // A `#` starts a comment only after a space (`$response.body#/a` stays plain); the parse
    // below checks the rest.
    !value.is_empty()
        && !value.contains('\n')
        && !value.contains(" #")
        && !value.contains("\t#")
        && matches!(
            yaml_serde::from_str::<Value>(&format!("key: {value}")),
            Ok(Value::Object(map)) if map.get("key") == Some(&Value::String(value.to_string()))
        )
}

/// The bytes to remove for the member at `range`: its whole lines when it has them to itself,
/// with the comma that separates it from its neighbours in JSON.
fn member_lines(text: &str, range: Range<usize>, format: Format) -> Option<Range<usize>> {
    let line_start = text[..range.start].rfind('\n').map_or(0, |at| at + 1);
    if !text[line_start..range.start].trim().is_empty() {
        return None;
    }
    let rest = &text[range.end..];
    let after = rest.trim_start_matches([' ', '\t']);
    let (end, comma_after) = match after.strip_prefix(',') {
        Some(tail) if format == Format::Json => (text.len() - tail.len(), true),
        _ => (range.end, false),
    };
    let tail = &text[end..];
    let line_end = match tail.find('\n') {
        Some(at) if tail[..at].trim().is_empty() => end + at + 1,
        None if tail.trim().is_empty() => text.len(),
        _ => return None,
    };
    if format == Format::Json && !comma_after {
        // The last member: the comma before it goes.
        let before = text[..line_start].trim_end();
        let comma = before.strip_suffix(',')?;
        return Some(comma.len()..range.end);
    }
    Some(line_start..line_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(name: &str, text: &str) -> Result<String, FixError> {
        let file = SourceFile::parse(name, text).unwrap();
        let edits: Vec<(String, Edit)> = file
            .readings()
            .iter()
            .map(|reading| (reading.pointer.clone(), reading.edit.clone()))
            .collect();
        assert!(!edits.is_empty());
        apply(&file, &edits)
    }

    const YAML: &str = "\
# a comment
$schema: https://spec.openapis.org/arazzo/1.0/schema/2025-10-15
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - name: pets   # the API
    url: pets.yaml
workflows:
  - workflowId: w
    steps:
      - stepId: a
        operationId: pets.getPet   # Respect's form
      - stepId: b
        operationPath: 'pets#/paths/~1pets/get'
      - stepId: c
        operationPath: pets#/paths/~1pets/post
";

    #[test]
    fn yaml_keeps_comments_and_layout_and_quotes_where_needed() {
        let fixed = fix("a.yaml", YAML).unwrap();
        assert_eq!(
            fixed,
            "\
# a comment
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - name: pets   # the API
    url: pets.yaml
workflows:
  - workflowId: w
    steps:
      - stepId: a
        operationId: $sourceDescriptions.pets.getPet   # Respect's form
      - stepId: b
        operationPath: '{$sourceDescriptions.pets.url}#/paths/~1pets/get'
      - stepId: c
        operationPath: \"{$sourceDescriptions.pets.url}#/paths/~1pets/post\"
"
        );
        assert!(
            SourceFile::parse("a.yaml", fixed)
                .unwrap()
                .readings()
                .is_empty()
        );
    }

    #[test]
    fn members_are_inserted_and_renamed_in_each_layout() {
        let yaml = "\
arazzo: 1.0.0
info: {title: t, version: '1'}
sourceDescriptions:
  - name: api
    url: https://api.example.com
workflows:
  - workflowId: w
    steps:
      - stepId: a
        operationId: $sourceDescriptions.api#/paths/~1x/get   # a pointer
        onFailure:
          - type: retry
            retryLimit: 1
          - {type: end}
";
        assert_eq!(
            fix("a.yaml", yaml).unwrap(),
            "\
arazzo: 1.0.0
info: {title: t, version: '1'}
sourceDescriptions:
  - name: api
    url: https://api.example.com
workflows:
  - workflowId: w
    steps:
      - stepId: a
        operationPath: \"{$sourceDescriptions.api.url}#/paths/~1x/get\"   # a pointer
        onFailure:
          - name: retry
            type: retry
            retryLimit: 1
          - {name: end, type: end}
"
        );
        let json = "{\"arazzo\": \"1.0.0\", \"workflows\": [{\"workflowId\": \"w\", \"steps\": [\n  {\"stepId\": \"a\", \"onSuccess\": [\n    {\"type\": \"end\"}]}]}]}";
        assert_eq!(
            fix("a.json", json).unwrap(),
            "{\"arazzo\": \"1.0.0\", \"workflows\": [{\"workflowId\": \"w\", \"steps\": [\n  {\"stepId\": \"a\", \"onSuccess\": [\n    {\"name\": \"end\", \"type\": \"end\"}]}]}]}"
        );
    }

    #[test]
    fn structured_values_are_written_in_flow_or_as_the_block_they_replace() {
        let yaml = "\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: api, url: api.yaml}
workflows:
  - workflowId: w
    steps:
      - stepId: a
        operationId: get
        successCriteria:
          - $statusCode == 200   # plain
        outputs:
          - id: $response.body#/id
          - name: $response.body#/name
          # the last output
        onFailure:
          - {name: again, type: retry, condition: $statusCode == 503}
";
        assert_eq!(
            fix("a.yaml", yaml).unwrap(),
            "\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: api, url: api.yaml}
workflows:
  - workflowId: w
    steps:
      - stepId: a
        operationId: get
        successCriteria:
          - {condition: $statusCode == 200}   # plain
        outputs:
          id: $response.body#/id
          name: $response.body#/name
          # the last output
        onFailure:
          - {name: again, type: retry, criteria: [{condition: $statusCode == 503}]}
"
        );
        let json = "{\"arazzo\": \"1.0.1\", \"workflows\": [{\"workflowId\": \"w\", \"steps\": [{\"stepId\": \"a\",\n  \"outputs\": [{\"id\": \"$statusCode\"}]}]}]}";
        assert_eq!(
            fix("a.json", json).unwrap(),
            "{\"arazzo\": \"1.0.1\", \"workflows\": [{\"workflowId\": \"w\", \"steps\": [{\"stepId\": \"a\",\n  \"outputs\": {\"id\":\"$statusCode\"}}]}]}"
        );
    }

    #[test]
    fn items_are_appended_in_order_in_block_and_flow_sequences() {
        let yaml = "\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - name: other   # kept
    url: ./other.yaml
workflows:
  - workflowId: w
    steps:
      - stepId: a
        x-operation: {url: 'https://one.example/a', method: get}
      - stepId: b
        x-operation: {url: 'https://two.example/b', method: get}
";
        let fixed = fix("a.yaml", yaml).unwrap();
        assert!(
            fixed.contains(
                "  - name: other   # kept\n    url: ./other.yaml\n  - name: one-example\n    url: https://one.example\n    type: openapi\n  - name: two-example\n    url: https://two.example\n    type: openapi\nworkflows:"
            ),
            "{fixed}"
        );
        let flow = yaml.replace(
            "sourceDescriptions:\n  - name: other   # kept\n    url: ./other.yaml\n",
            "sourceDescriptions: [{name: other, url: ./other.yaml}]\n",
        );
        let fixed = fix("a.yaml", &flow).unwrap();
        assert!(
            fixed.contains("sourceDescriptions: [{name: other, url: ./other.yaml}, {name: one-example, url: https://one.example, type: openapi}, {name: two-example, url: https://two.example, type: openapi}]"),
            "{fixed}"
        );
    }

    #[test]
    fn json_members_go_with_their_comma() {
        let first = "{\n  \"$schema\": \"x\",\n  \"arazzo\": \"1.0.1\"\n}\n";
        assert_eq!(
            fix("a.json", first).unwrap(),
            "{\n  \"arazzo\": \"1.0.1\"\n}\n"
        );
        let last = "{\n  \"arazzo\": \"1.0.1\",\n  \"$schema\": \"x\"\n}\n";
        assert_eq!(
            fix("a.json", last).unwrap(),
            "{\n  \"arazzo\": \"1.0.1\"\n}\n"
        );
        let one_line = "{\"$schema\": \"x\", \"arazzo\": \"1.0.1\"}";
        assert!(matches!(
            fix("a.json", one_line),
            Err(FixError::NotEditable { .. })
        ));
    }
}
