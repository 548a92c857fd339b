//! AsyncAPI 2.x documents, read as the AsyncAPI 3 document they convert to (decision D2), so
//! that one index ([`crate::AsyncApi`]) serves both.
//!
//! What changes from 2.x to 3.0, as the AsyncAPI 3 migration guide describes it:
//! - a channel's name is its address, and its key (`channelPath: …#/channels/user~1signedup`);
//! - a channel's `publish` operation is what other applications send to the described one:
//!   the application `receive`s; its `subscribe` is what the application `send`s;
//! - an operation's key is its `operationId` (else `<publish|subscribe><channel>`), its
//!   messages (`message`, or `message.oneOf`) become the channel's, referenced by key;
//! - a server's `url` splits into `host` and `pathname`.
//!
//! Components, schemas, correlation ids and bindings are kept as written: their `$ref`s point
//! at the same places in the converted document.

use serde_json::{Map, Value, json};

use arazzo_model::escape_pointer_token;

/// The AsyncAPI 3.0 form of the AsyncAPI 2.x `document`.
pub(crate) fn to_v3(document: &Value) -> Value {
    let mut converted = Map::new();
    for (key, value) in document.as_object().into_iter().flatten() {
        match key.as_str() {
            "asyncapi" => converted.insert(key.clone(), json!("3.0.0")),
            "servers" => converted.insert(key.clone(), servers(value)),
            "channels" => continue,
            _ => converted.insert(key.clone(), value.clone()),
        };
    }
    let (channels, operations) = channels_and_operations(document.get("channels"));
    converted.insert("channels".to_string(), Value::Object(channels));
    converted.insert("operations".to_string(), Value::Object(operations));
    Value::Object(converted)
}

/// `url: mqtt://broker:1883/base` → `host: broker:1883`, `pathname: /base`.
fn servers(servers: &Value) -> Value {
    let mut converted = Map::new();
    for (key, server) in servers.as_object().into_iter().flatten() {
        let Some(server) = server.as_object() else {
            converted.insert(key.clone(), server.clone());
            continue;
        };
        let mut out = Map::new();
        for (field, value) in server {
            if field != "url" {
                out.insert(field.clone(), value.clone());
            }
        }
        if let Some(url) = server.get("url").and_then(Value::as_str) {
            let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
            let (host, path) = match rest.find('/') {
                Some(at) => (&rest[..at], &rest[at..]),
                None => (rest, ""),
            };
            out.insert("host".to_string(), json!(host));
            if !matches!(path, "" | "/") {
                out.insert("pathname".to_string(), json!(path));
            }
        }
        converted.insert(key.clone(), Value::Object(out));
    }
    Value::Object(converted)
}

/// The 3.0 channels (each with the messages of its operations) and operations of 2.x
/// `channels`.
fn channels_and_operations(channels: Option<&Value>) -> (Map<String, Value>, Map<String, Value>) {
    let mut converted = Map::new();
    let mut operations = Map::new();
    for (name, channel) in channels.and_then(Value::as_object).into_iter().flatten() {
        let Some(channel) = channel.as_object() else {
            continue;
        };
        let pointer = format!("#/channels/{}", escape_pointer_token(name));
        let mut out = Map::new();
        out.insert("address".to_string(), json!(name));
        for field in ["description", "parameters", "bindings"] {
            if let Some(value) = channel.get(field) {
                out.insert(field.to_string(), value.clone());
            }
        }
        if let Some(Value::Array(names)) = channel.get("servers") {
            let refs: Vec<Value> = names
                .iter()
                .filter_map(Value::as_str)
                .map(
                    |server| json!({"$ref": format!("#/servers/{}", escape_pointer_token(server))}),
                )
                .collect();
            out.insert("servers".to_string(), Value::Array(refs));
        }
        let mut messages = Map::new();
        // `publish`: others send to the application, which receives.
        for (field, action) in [("publish", "receive"), ("subscribe", "send")] {
            let Some(operation) = channel.get(field).and_then(Value::as_object) else {
                continue;
            };
            let listed = match operation.get("message") {
                Some(message) => match message.get("oneOf").and_then(Value::as_array) {
                    Some(all) => all.clone(),
                    None => vec![message.clone()],
                },
                None => Vec::new(),
            };
            let mut refs = Vec::new();
            for (index, message) in listed.into_iter().enumerate() {
                let key = unique(&messages, &message_key(&message, field, index));
                refs.push(json!({
                    "$ref": format!("{pointer}/messages/{}", escape_pointer_token(&key))
                }));
                messages.insert(key, message);
            }
            let key = operation
                .get("operationId")
                .and_then(Value::as_str)
                .map_or_else(|| format!("{field}{name}"), str::to_string);
            let mut op = Map::new();
            op.insert("action".to_string(), json!(action));
            op.insert("channel".to_string(), json!({"$ref": pointer}));
            op.insert("messages".to_string(), Value::Array(refs));
            for field in ["summary", "description", "bindings", "tags"] {
                if let Some(value) = operation.get(field) {
                    op.insert(field.to_string(), value.clone());
                }
            }
            operations.insert(unique(&operations, &key), Value::Object(op));
        }
        out.insert("messages".to_string(), Value::Object(messages));
        converted.insert(name.clone(), Value::Object(out));
    }
    (converted, operations)
}

/// A message's key: its `messageId`, its `name`, the last token of its `$ref`, else
/// `<publish|subscribe><index>`.
fn message_key(message: &Value, field: &str, index: usize) -> String {
    let text = |name: &str| message.get(name).and_then(Value::as_str);
    text("messageId")
        .or_else(|| text("name"))
        .map(str::to_string)
        .or_else(|| {
            text("$ref")
                .and_then(|reference| reference.rsplit('/').next())
                .map(arazzo_expr::pointer::unescape)
        })
        .unwrap_or_else(|| format!("{field}{index}"))
}

/// `key`, or `key-2`, `key-3`… when `taken` has it.
fn unique(taken: &Map<String, Value>, key: &str) -> String {
    (1..)
        .map(|n| match n {
            1 => key.to_string(),
            n => format!("{key}-{n}"),
        })
        .find(|candidate| !taken.contains_key(candidate))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_operations_messages_and_servers_take_their_3_0_places() {
        let converted = to_v3(&json!({
            "asyncapi": "2.6.0",
            "info": {"title": "t", "version": "1"},
            "servers": {
                "broker": {"url": "mqtt://test.example:1883/base", "protocol": "mqtt"},
                "plain": {"url": "localhost:4222", "protocol": "nats"}
            },
            "channels": {
                "user/signedup": {
                    "servers": ["broker"],
                    "subscribe": {
                        "operationId": "onSignup",
                        "message": {"$ref": "#/components/messages/UserSignedUp"}
                    },
                    "publish": {
                        "message": {"oneOf": [
                            {"name": "first", "payload": {"type": "string"}},
                            {"payload": {"type": "integer"}}
                        ]}
                    }
                }
            },
            "components": {"messages": {"UserSignedUp": {"payload": {"type": "object"}}}}
        }));
        assert_eq!(
            converted,
            json!({
                "asyncapi": "3.0.0",
                "info": {"title": "t", "version": "1"},
                "servers": {
                    "broker": {"protocol": "mqtt", "host": "test.example:1883", "pathname": "/base"},
                    "plain": {"protocol": "nats", "host": "localhost:4222"}
                },
                "components": {"messages": {"UserSignedUp": {"payload": {"type": "object"}}}},
                "channels": {
                    "user/signedup": {
                        "address": "user/signedup",
                        "servers": [{"$ref": "#/servers/broker"}],
                        "messages": {
                            "first": {"name": "first", "payload": {"type": "string"}},
                            "publish1": {"payload": {"type": "integer"}},
                            "UserSignedUp": {"$ref": "#/components/messages/UserSignedUp"}
                        }
                    }
                },
                "operations": {
                    "publishuser/signedup": {
                        "action": "receive",
                        "channel": {"$ref": "#/channels/user~1signedup"},
                        "messages": [
                            {"$ref": "#/channels/user~1signedup/messages/first"},
                            {"$ref": "#/channels/user~1signedup/messages/publish1"}
                        ]
                    },
                    "onSignup": {
                        "action": "send",
                        "channel": {"$ref": "#/channels/user~1signedup"},
                        "messages": [{"$ref": "#/channels/user~1signedup/messages/UserSignedUp"}]
                    }
                }
            })
        );
    }
}
