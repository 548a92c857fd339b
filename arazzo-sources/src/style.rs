//! Parameter styles: values serialized as the OpenAPI parameter says (`style`, `explode`,
//! `content`), OpenAPI 3.1 §4.8.12.4 "Style Values" and its examples table.

use arazzo_model::ParameterIn;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

use crate::OperationParameter;

/// Characters escaped in a path parameter's value: everything but RFC 3986 unreserved
/// characters.
pub const PATH_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// How a parameter is written: its location and, when the OpenAPI operation declares it,
/// its `style`/`explode`/`content`. An Arazzo parameter with no OpenAPI counterpart gets the
/// location's default style.
#[derive(Debug, Clone, Copy)]
pub struct Style<'a> {
    location: ParameterIn,
    style: &'a str,
    explode: bool,
    /// `content`: the value is serialized as JSON text (for a JSON media type).
    json: bool,
}

impl<'a> Style<'a> {
    /// The style of a parameter in `location`, as `declared` by the operation (`None` for a
    /// parameter it does not declare: the location's default, `simple` or `form`).
    pub fn of(location: ParameterIn, declared: Option<&'a OperationParameter>) -> Style<'a> {
        let default = match location {
            ParameterIn::Path
            | ParameterIn::Header
            | ParameterIn::Querystring
            | ParameterIn::Channel => "simple",
            ParameterIn::Query | ParameterIn::Cookie => "form",
        };
        let style = declared
            .and_then(|declared| declared.style.as_deref())
            .unwrap_or(default);
        let explode = declared
            .and_then(|declared| declared.explode)
            .unwrap_or(style == "form");
        let json = declared
            .and_then(|declared| declared.content_type.as_deref())
            .is_some_and(|media| media.contains("json"));
        Style {
            location,
            style,
            explode,
            json,
        }
    }
}

/// A scalar as text: strings as they are, others as JSON.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The pairs of an object, or `None` for anything else.
fn members(value: &Value) -> Option<Vec<(String, String)>> {
    value.as_object().map(|members| {
        members
            .iter()
            .map(|(key, member)| (key.clone(), text(member)))
            .collect()
    })
}

fn items(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()
        .map(|items| items.iter().map(text).collect())
}

/// A path, header or cookie value (one string), or query pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Serialized {
    /// Query parameters: name/value pairs, not yet percent-encoded.
    Pairs(Vec<(String, String)>),
    /// Text for a path template, a header or a cookie (not percent-encoded).
    Text(String),
}

/// Serializes the parameter `name` with `value`.
pub fn serialize(name: &str, value: &Value, style: Style<'_>) -> Serialized {
    if style.json {
        let json = value.to_string();
        return match style.location {
            ParameterIn::Query => Serialized::Pairs(vec![(name.to_string(), json)]),
            _ => Serialized::Text(json),
        };
    }
    let Style {
        location,
        style,
        explode,
        ..
    } = style;
    match location {
        ParameterIn::Query => Serialized::Pairs(query(name, value, style, explode)),
        ParameterIn::Path => Serialized::Text(path(name, value, style, explode)),
        ParameterIn::Header => Serialized::Text(simple(value, explode)),
        // A cookie is `name=value`: a list or an object as the form style without explode.
        ParameterIn::Cookie => Serialized::Text(simple(value, false)),
        // The whole query string, or a channel address parameter: the value as text.
        ParameterIn::Querystring | ParameterIn::Channel => Serialized::Text(text(value)),
    }
}

/// `simple`: `5`, `3,4,5`, `role,admin,firstName,Alex` or (explode) `role=admin,firstName=Alex`.
fn simple(value: &Value, explode: bool) -> String {
    if let Some(items) = items(value) {
        return items.join(",");
    }
    if let Some(members) = members(value) {
        let parts: Vec<String> = match explode {
            true => members
                .iter()
                .map(|(key, member)| format!("{key}={member}"))
                .collect(),
            false => members
                .iter()
                .flat_map(|(key, member)| [key.clone(), member.clone()])
                .collect(),
        };
        return parts.join(",");
    }
    text(value)
}

fn path(name: &str, value: &Value, style: &str, explode: bool) -> String {
    match style {
        // `.5`, `.3.4.5` (explode) or `.3,4,5`, `.role=admin.firstName=Alex` (explode).
        "label" => {
            let separator = if explode { "." } else { "," };
            match (items(value), members(value)) {
                (Some(items), _) => format!(".{}", items.join(separator)),
                (_, Some(members)) if explode => {
                    let parts: Vec<String> = members
                        .iter()
                        .map(|(key, member)| format!("{key}={member}"))
                        .collect();
                    format!(".{}", parts.join("."))
                }
                _ => format!(".{}", simple(value, false)),
            }
        }
        // `;id=5`, `;id=3;id=4;id=5` (explode) or `;id=3,4,5`, `;role=admin;firstName=Alex`.
        "matrix" => match (items(value), members(value)) {
            (Some(items), _) if explode => {
                items.iter().map(|item| format!(";{name}={item}")).collect()
            }
            (_, Some(members)) if explode => members
                .iter()
                .map(|(key, member)| format!(";{key}={member}"))
                .collect(),
            _ => format!(";{name}={}", simple(value, false)),
        },
        _ => simple(value, explode),
    }
}

fn query(name: &str, value: &Value, style: &str, explode: bool) -> Vec<(String, String)> {
    let one = |text: String| vec![(name.to_string(), text)];
    match (style, items(value), members(value)) {
        ("spaceDelimited", Some(items), _) if !explode => one(items.join(" ")),
        ("pipeDelimited", Some(items), _) if !explode => one(items.join("|")),
        ("deepObject", _, Some(members)) => members
            .into_iter()
            .map(|(key, member)| (format!("{name}[{key}]"), member))
            .collect(),
        (_, Some(items), _) if explode => items
            .into_iter()
            .map(|item| (name.to_string(), item))
            .collect(),
        (_, _, Some(members)) if explode => members,
        _ => one(simple(value, false)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn declared(style: &str, explode: Option<bool>) -> OperationParameter {
        OperationParameter {
            name: "id".into(),
            location: ParameterIn::Query,
            required: false,
            style: Some(style.into()),
            explode,
            content_type: None,
            schema: None,
        }
    }

    fn styled(location: ParameterIn, style: &str, explode: bool, value: Value) -> Serialized {
        let declared = declared(style, Some(explode));
        serialize("id", &value, Style::of(location, Some(&declared)))
    }

    fn pairs(list: &[(&str, &str)]) -> Serialized {
        Serialized::Pairs(
            list.iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
        )
    }

    fn text_of(text: &str) -> Serialized {
        Serialized::Text(text.to_string())
    }

    // The rows of the OpenAPI 3.1 style examples table.
    #[test]
    fn openapi_style_table() {
        let array = json!([3, 4, 5]);
        let object = json!({"role": "admin", "firstName": "Alex"});
        use ParameterIn::{Path, Query};
        assert_eq!(styled(Path, "matrix", false, json!(5)), text_of(";id=5"));
        assert_eq!(
            styled(Path, "matrix", false, array.clone()),
            text_of(";id=3,4,5")
        );
        assert_eq!(
            styled(Path, "matrix", true, array.clone()),
            text_of(";id=3;id=4;id=5")
        );
        assert_eq!(
            styled(Path, "matrix", false, object.clone()),
            text_of(";id=role,admin,firstName,Alex")
        );
        assert_eq!(
            styled(Path, "matrix", true, object.clone()),
            text_of(";role=admin;firstName=Alex")
        );
        assert_eq!(styled(Path, "label", false, json!(5)), text_of(".5"));
        assert_eq!(
            styled(Path, "label", false, array.clone()),
            text_of(".3,4,5")
        );
        assert_eq!(
            styled(Path, "label", true, array.clone()),
            text_of(".3.4.5")
        );
        assert_eq!(
            styled(Path, "label", true, object.clone()),
            text_of(".role=admin.firstName=Alex")
        );
        assert_eq!(
            styled(Path, "simple", false, array.clone()),
            text_of("3,4,5")
        );
        assert_eq!(
            styled(Path, "simple", false, object.clone()),
            text_of("role,admin,firstName,Alex")
        );
        assert_eq!(
            styled(Path, "simple", true, object.clone()),
            text_of("role=admin,firstName=Alex")
        );
        assert_eq!(
            styled(Query, "form", false, json!(5)),
            pairs(&[("id", "5")])
        );
        assert_eq!(
            styled(Query, "form", false, array.clone()),
            pairs(&[("id", "3,4,5")])
        );
        assert_eq!(
            styled(Query, "form", true, array.clone()),
            pairs(&[("id", "3"), ("id", "4"), ("id", "5")])
        );
        assert_eq!(
            styled(Query, "form", false, object.clone()),
            pairs(&[("id", "role,admin,firstName,Alex")])
        );
        assert_eq!(
            styled(Query, "form", true, object.clone()),
            pairs(&[("role", "admin"), ("firstName", "Alex")])
        );
        assert_eq!(
            styled(Query, "spaceDelimited", false, array.clone()),
            pairs(&[("id", "3 4 5")])
        );
        assert_eq!(
            styled(Query, "pipeDelimited", false, array),
            pairs(&[("id", "3|4|5")])
        );
        assert_eq!(
            styled(Query, "deepObject", true, object),
            pairs(&[("id[role]", "admin"), ("id[firstName]", "Alex")])
        );
    }

    #[test]
    fn defaults_and_content() {
        // No OpenAPI counterpart: query is form + explode, path is simple.
        let style = Style::of(ParameterIn::Query, None);
        assert_eq!(
            serialize("tags", &json!(["a", "b"]), style),
            pairs(&[("tags", "a"), ("tags", "b")])
        );
        let mut content = declared("form", None);
        content.content_type = Some("application/json".into());
        content.style = None;
        let style = Style::of(ParameterIn::Query, Some(&content));
        assert_eq!(
            serialize("q", &json!({"a": 1}), style),
            pairs(&[("q", r#"{"a":1}"#)])
        );
    }
}
