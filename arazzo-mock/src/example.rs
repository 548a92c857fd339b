//! Response values: the examples an OpenAPI description gives, or a value generated from a
//! schema when it gives none.

use serde_json::{Map, Value};

/// How deep [`example_for`] descends into nested schemas before giving `null`.
const MAX_DEPTH: usize = 12;

/// The example of a Media Type, Parameter or Header Object (`$ref`s already resolved): its
/// `example`; else among its named `examples` the one marked `x-microcks-default: true`, else
/// the first with a `value`; else its schema's example or a generated value; `None` without
/// any of these.
pub(crate) fn example_of(holder: &Value) -> Option<Value> {
    if let Some(example) = holder.get("example") {
        return Some(example.clone());
    }
    if let Some(examples) = holder.get("examples").and_then(Value::as_object) {
        let marked = examples
            .values()
            .find(|example| example.get("x-microcks-default") == Some(&Value::Bool(true)));
        let chosen = marked
            .into_iter()
            .chain(examples.values())
            .find_map(|example| example.get("value"));
        if let Some(value) = chosen {
            return Some(value.clone());
        }
    }
    holder.get("schema").map(example_for)
}

/// A value valid for the JSON Schema `schema` (`$ref`s already resolved), for a response that
/// documents no example: the schema's own `example`, `examples`, `default`, `const` or first
/// `enum` value when it has one; else built from its `type` — every property of an object
/// (`writeOnly` ones left out), one item in an array, a string fitting the `format`
/// (`date-time`, `uuid`, `email`…), a simple `pattern` and the length bounds, a number within
/// the bounds, `true`; a required property the schema does not declare is added.
/// `allOf` members are merged, the first `oneOf`/`anyOf` member is used.
///
/// ```
/// use serde_json::json;
///
/// let schema = json!({
///     "type": "object",
///     "properties": {
///         "id": {"type": "integer", "minimum": 1},
///         "name": {"type": "string", "example": "Rex"},
///         "tags": {"type": "array", "items": {"type": "string", "format": "uuid"}}
///     }
/// });
/// assert_eq!(
///     arazzo_mock::example_for(&schema),
///     json!({"id": 1, "name": "Rex", "tags": ["00000000-0000-4000-8000-000000000000"]})
/// );
/// ```
pub fn example_for(schema: &Value) -> Value {
    generate(schema, 0)
}

fn generate(schema: &Value, depth: usize) -> Value {
    let Some(schema) = schema.as_object() else {
        return Value::Null;
    };
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    if let Some(Value::Array(examples)) = schema.get("examples")
        && let Some(first) = examples.first()
    {
        return first.clone();
    }
    if let Some(value) = schema.get("default").or_else(|| schema.get("const")) {
        return value.clone();
    }
    if let Some(Value::Array(options)) = schema.get("enum")
        && let Some(first) = options.iter().find(|option| !option.is_null())
    {
        return first.clone();
    }
    if let Some(Value::Array(members)) = schema.get("allOf") {
        let mut merged = Map::new();
        let mut other = None;
        for member in members {
            match generate(member, depth + 1) {
                Value::Object(members) => merged.extend(members),
                Value::Null => {}
                value => other = Some(value),
            }
        }
        if let Value::Object(own) = generate_typed(schema, depth) {
            merged.extend(own);
        }
        return match other {
            Some(value) if merged.is_empty() => value,
            _ => Value::Object(merged),
        };
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(Value::Array(members)) = schema.get(keyword)
            && let Some(first) = members.first()
        {
            return generate(first, depth + 1);
        }
    }
    generate_typed(schema, depth)
}

/// The value for the schema's `type` (the first that is not `null`), or guessed from its
/// keywords.
fn generate_typed(schema: &Map<String, Value>, depth: usize) -> Value {
    let kind = match schema.get("type") {
        Some(Value::String(kind)) => Some(kind.as_str()),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|kind| *kind != "null")
            .or(Some("null")),
        _ => None,
    };
    let kind = kind.or_else(|| {
        if schema.contains_key("properties") || schema.contains_key("additionalProperties") {
            Some("object")
        } else if schema.contains_key("items") {
            Some("array")
        } else {
            None
        }
    });
    match kind {
        Some("object") => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let mut object: Map<String, Value> = properties
                .into_iter()
                .flatten()
                .filter(|(_, property)| property.get("writeOnly") != Some(&Value::Bool(true)))
                .map(|(name, property)| (name.clone(), generate(property, depth + 1)))
                .collect();
            // Required but not declared: a value of `additionalProperties`, else a string.
            let required = schema.get("required").and_then(Value::as_array);
            for name in required.into_iter().flatten().filter_map(Value::as_str) {
                if !object.contains_key(name) {
                    let value = match schema.get("additionalProperties") {
                        Some(extra @ Value::Object(_)) => generate(extra, depth + 1),
                        _ => Value::String("string".to_string()),
                    };
                    object.insert(name.to_string(), value);
                }
            }
            Value::Object(object)
        }
        Some("array") => {
            let empty = schema.get("maxItems").and_then(Value::as_u64) == Some(0);
            match schema.get("items") {
                Some(items) if !empty => Value::Array(vec![generate(items, depth + 1)]),
                _ => Value::Array(Vec::new()),
            }
        }
        Some("string") => Value::String(string(schema)),
        Some("integer") => number(schema, true),
        Some("number") => number(schema, false),
        Some("boolean") => Value::Bool(true),
        _ => Value::Null,
    }
}

fn string(schema: &Map<String, Value>) -> String {
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
        && let Some(text) = matching(pattern)
    {
        return text;
    }
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let text = match format {
        "date-time" => "2024-01-01T00:00:00Z",
        "date" => "2024-01-01",
        "time" => "00:00:00Z",
        "duration" => "P1D",
        "uuid" => "00000000-0000-4000-8000-000000000000",
        "email" | "idn-email" => "user@example.com",
        "uri" | "url" | "iri" => "https://example.com/",
        "uri-reference" | "iri-reference" => "/example",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "byte" => "c3RyaW5n",
        "binary" => "",
        _ => "string",
    };
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
    let max = schema.get("maxLength").and_then(Value::as_u64);
    let mut text = text.to_string();
    let length = text.chars().count() as u64;
    if length < min {
        text.extend(std::iter::repeat_n('x', (min - length) as usize));
    }
    if let Some(max) = max
        && (text.chars().count() as u64) > max
    {
        text = text.chars().take(max as usize).collect();
    }
    text
}

/// Tried in turn when a pattern is too complex for [`simple_match`].
const CANDIDATES: &[&str] = &[
    "string",
    "ABC",
    "abc",
    "123",
    "1",
    "a",
    "A",
    "a1",
    "2024-01-01",
    "user@example.com",
    "https://example.com/",
    "00000000-0000-4000-8000-000000000000",
];

/// A string the ECMAScript regular expression `pattern` finds a match in (as JSON Schema
/// `pattern` is used), when a simple one can be found.
fn matching(pattern: &str) -> Option<String> {
    let regex = regress::Regex::new(pattern).ok()?;
    let fits = |text: &str| regex.find(text).is_some();
    simple_match(pattern).filter(|text| fits(text)).or_else(|| {
        CANDIDATES
            .iter()
            .find(|text| fits(text))
            .map(|text| text.to_string())
    })
}

/// Builds a string for a pattern of single characters, classes (`[A-Z]`, `\d`, `\w`, `.`)
/// and quantifiers (`{n}`, `{n,m}`, `+`, `*`, `?`), anchored or not; `None` for anything else
/// (groups, alternatives, negated classes).
fn simple_match(pattern: &str) -> Option<String> {
    let body = pattern.strip_prefix('^').unwrap_or(pattern);
    let body = body.strip_suffix('$').unwrap_or(body);
    let mut chars = body.chars().peekable();
    let mut text = String::new();
    while let Some(next) = chars.next() {
        let one = match next {
            '[' => {
                let class: String = chars.by_ref().take_while(|c| *c != ']').collect();
                let mut members = class.chars();
                match members.next()? {
                    '^' => return None,
                    '\\' => escaped(members.next()?),
                    first => first,
                }
            }
            '\\' => escaped(chars.next()?),
            '.' => 'a',
            '(' | ')' | '|' | '^' | '$' => return None,
            literal => literal,
        };
        let count = match chars.peek() {
            Some('{') => {
                chars.next();
                let bounds: String = chars.by_ref().take_while(|c| *c != '}').collect();
                let low = bounds.split(',').next()?.trim();
                low.parse::<usize>().ok()?
            }
            Some('+') => {
                chars.next();
                1
            }
            Some('*' | '?') => {
                chars.next();
                0
            }
            _ => 1,
        };
        text.extend(std::iter::repeat_n(one, count));
    }
    Some(text)
}

fn escaped(class: char) -> char {
    match class {
        'd' => '0',
        'w' => 'a',
        's' => ' ',
        other => other,
    }
}

fn number(schema: &Map<String, Value>, integer: bool) -> Value {
    let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
    let step = if integer { 1.0 } else { 0.5 };
    let low = bound("minimum").or_else(|| bound("exclusiveMinimum").map(|low| low + step));
    let high = bound("maximum").or_else(|| bound("exclusiveMaximum").map(|high| high - step));
    let value = match (low, high) {
        (Some(low), _) => low,
        (None, Some(high)) if high < 0.0 => high,
        _ => 0.0,
    };
    if integer {
        Value::from(value.ceil() as i64)
    } else if value.fract() == 0.0 && value.abs() < 1e15 {
        Value::from(value as i64)
    } else {
        Value::from(value)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_example_marked_default_wins() {
        let media = json!({
            "schema": {"type": "string"},
            "examples": {
                "first": {"value": "a"},
                "chosen": {"value": "b", "x-microcks-default": true}
            }
        });
        assert_eq!(example_of(&media), Some(json!("b")));
        let media =
            json!({"examples": {"only": {"externalValue": "x.json"}, "next": {"value": 2}}});
        assert_eq!(example_of(&media), Some(json!(2)));
        let media = json!({"example": 1, "examples": {"x": {"value": 2}}});
        assert_eq!(example_of(&media), Some(json!(1)));
        assert_eq!(example_of(&json!({})), None);
    }

    #[test]
    fn generated_values_follow_the_schema() {
        let schema = json!({
            "allOf": [
                {"type": "object", "properties": {"id": {"type": "integer", "exclusiveMinimum": 0}}},
                {"properties": {"status": {"enum": [null, "sold"]}}}
            ],
            "properties": {
                "secret": {"type": "string", "writeOnly": true},
                "name": {"type": ["null", "string"], "minLength": 8},
                "when": {"type": "string", "format": "date-time"},
                "price": {"type": "number", "maximum": -2.5},
                "kind": {"oneOf": [{"type": "boolean"}, {"type": "string"}]}
            }
        });
        assert_eq!(
            example_for(&schema),
            json!({
                "id": 1, "status": "sold", "name": "stringxx",
                "when": "2024-01-01T00:00:00Z", "price": -2.5, "kind": true
            })
        );
        assert_eq!(example_for(&json!({})), Value::Null);
        let pattern = |pattern: &str| example_for(&json!({"type": "string", "pattern": pattern}));
        assert_eq!(pattern("^[A-Z]{3}$"), json!("AAA"));
        assert_eq!(pattern("^\\d{2,4}-[a-z]+$"), json!("00-a"));
        assert_eq!(pattern("^(EUR|USD)$"), json!("string"));
        assert_eq!(pattern("^[0-9]+(\\.[0-9]+)?$"), json!("123"));
        assert_eq!(
            example_for(&json!({"type": "array", "items": {}, "maxItems": 0})),
            json!([])
        );
    }
}
