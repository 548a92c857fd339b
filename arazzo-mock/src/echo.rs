//! Echo: request values copied into the response where the response schema has a property of
//! the same name, so that a chained workflow reads back what it sent (`customerId` sent is
//! `customerId` returned).

use serde_json::{Map, Value};

use crate::example::example_for;
use crate::operation::types;

/// What the request may set in a response body, from the response schema.
#[derive(Debug, Default)]
pub(crate) struct Echo {
    /// The response object's properties.
    fields: Vec<Field>,
    /// Array properties whose items are records the request body may be (or hold a list of).
    records: Vec<Records>,
}

/// A property: its name and the JSON types it allows (empty: any).
#[derive(Debug)]
struct Field {
    name: String,
    types: Vec<String>,
}

/// An array property of records (`records: [MeterRecord]`): when the request body is such a
/// record (it has every required property of the items) or an array of them, the response
/// array holds one item per request record, each the example item with the record's values.
#[derive(Debug)]
struct Records {
    name: String,
    required: Vec<String>,
    item: Echo,
    template: Map<String, Value>,
}

impl Echo {
    /// The echo plan for a response with `schema` (resolved) and example `example`.
    pub(crate) fn new(schema: Option<&Value>, example: &Value) -> Echo {
        let Some(schema) = schema else {
            // No schema: the example's members are the properties.
            let fields = example.as_object().into_iter().flatten();
            return Echo {
                fields: fields
                    .map(|(name, _)| Field {
                        name: name.clone(),
                        types: Vec::new(),
                    })
                    .collect(),
                records: Vec::new(),
            };
        };
        let mut echo = Echo::default();
        for (name, property) in properties(schema) {
            echo.fields.push(Field {
                name: name.clone(),
                types: types(property),
            });
            let items = property.get("items");
            let required: Vec<String> = items
                .and_then(|items| items.get("required"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|name| name.as_str().map(str::to_string))
                .collect();
            let (Some(items), false) = (items, required.is_empty()) else {
                continue;
            };
            let example_item = example
                .get(name)
                .and_then(|items| items.get(0))
                .filter(|item| item.is_object())
                .cloned();
            let Value::Object(template) = example_item.unwrap_or_else(|| example_for(items)) else {
                continue;
            };
            echo.records.push(Records {
                name: name.clone(),
                required,
                item: Echo::new(Some(items), &Value::Object(template.clone())),
                template,
            });
        }
        echo
    }

    /// Whether nothing can ever be echoed.
    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.records.is_empty()
    }

    /// Copies into `body` the request body's members and the path parameters that the response
    /// declares (of an allowed type; body members win over parameters).
    pub(crate) fn apply(
        &self,
        body: &mut Map<String, Value>,
        request: Option<&Value>,
        parameters: &[(String, String)],
    ) {
        let sent = request.and_then(Value::as_object);
        for field in &self.fields {
            let from_body = sent
                .and_then(|sent| sent.get(&field.name))
                .filter(|value| allowed(&field.types, value));
            let value = from_body.cloned().or_else(|| {
                let (_, text) = parameters.iter().find(|(name, _)| *name == field.name)?;
                typed(text, &field.types)
            });
            if let Some(value) = value {
                body.insert(field.name.clone(), value);
            }
        }
        let Some(request) = request else {
            return;
        };
        for records in &self.records {
            let sent: Vec<&Map<String, Value>> = match request {
                Value::Object(record) => vec![record],
                Value::Array(items) => items.iter().filter_map(Value::as_object).collect(),
                _ => continue,
            };
            let complete = |record: &&Map<String, Value>| {
                records
                    .required
                    .iter()
                    .all(|name| record.contains_key(name))
            };
            if sent.is_empty() || !sent.iter().all(complete) {
                continue;
            }
            let items = sent
                .into_iter()
                .map(|record| {
                    let mut item = records.template.clone();
                    records
                        .item
                        .apply(&mut item, Some(&Value::Object(record.clone())), &[]);
                    Value::Object(item)
                })
                .collect();
            body.insert(records.name.clone(), Value::Array(items));
        }
    }
}

/// The properties of an object schema, with those of its `allOf` members.
fn properties(schema: &Value) -> Vec<(&String, &Value)> {
    let own = schema.get("properties").and_then(Value::as_object);
    let mut found: Vec<(&String, &Value)> = own.into_iter().flatten().collect();
    if let Some(Value::Array(members)) = schema.get("allOf") {
        for member in members {
            for (name, property) in properties(member) {
                if !found.iter().any(|(known, _)| *known == name) {
                    found.push((name, property));
                }
            }
        }
    }
    found
}

fn allowed(types: &[String], value: &Value) -> bool {
    types.is_empty()
        || types.iter().any(|kind| match (kind.as_str(), value) {
            ("string", Value::String(_)) => true,
            ("integer", Value::Number(number)) => number.is_i64() || number.is_u64(),
            ("number", Value::Number(_)) => true,
            ("boolean", Value::Bool(_)) => true,
            ("array", Value::Array(_)) => true,
            ("object", Value::Object(_)) => true,
            ("null", Value::Null) => true,
            _ => false,
        })
}

/// A path parameter's text as a value of one of `types`.
fn typed(text: &str, types: &[String]) -> Option<Value> {
    if types.is_empty() || types.iter().any(|kind| kind == "string") {
        return Some(Value::String(text.to_string()));
    }
    let parsed: Value = serde_json::from_str(text).ok()?;
    allowed(types, &parsed).then_some(parsed)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn echoed(schema: Value, example: Value, request: Value, path: &[(&str, &str)]) -> Value {
        let echo = Echo::new(Some(&schema), &example);
        let mut body = example.as_object().unwrap().clone();
        let parameters: Vec<(String, String)> = path
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        echo.apply(&mut body, Some(&request), &parameters);
        Value::Object(body)
    }

    #[test]
    fn declared_properties_of_the_right_type_are_echoed() {
        let schema = json!({"properties": {
            "customerId": {"type": "string"},
            "count": {"type": "integer"},
            "petId": {"type": "integer"},
            "name": {"type": "string"}
        }});
        let example = json!({"customerId": "example", "count": 1, "name": "Rex"});
        let request = json!({"customerId": "cust-1", "count": "many", "other": true});
        assert_eq!(
            echoed(schema, example, request, &[("petId", "7"), ("name", "x")]),
            json!({"customerId": "cust-1", "count": 1, "name": "x", "petId": 7})
        );
    }

    #[test]
    fn a_request_record_fills_an_array_of_records() {
        let record = json!({
            "type": "object",
            "required": ["customerId"],
            "properties": {"customerId": {"type": "string"}, "uniqueId": {"type": "string"}}
        });
        let schema = json!({"properties": {
            "count": {"type": "integer"},
            "records": {"type": "array", "items": record}
        }});
        let example = json!({"count": 1, "records": [{"customerId": "c", "uniqueId": "u"}]});
        assert_eq!(
            echoed(
                schema.clone(),
                example.clone(),
                json!([{"customerId": "a"}, {"customerId": "b"}]),
                &[]
            ),
            json!({"count": 1, "records": [
                {"customerId": "a", "uniqueId": "u"},
                {"customerId": "b", "uniqueId": "u"}
            ]})
        );
        // Not a record: left as the example.
        assert_eq!(
            echoed(schema, example.clone(), json!({"other": 1}), &[]),
            example
        );
    }
}
