//! An AsyncAPI 3.x source: its operations, channels, messages and servers, indexed once at
//! load from the document's `serde_json::Value` (no maintained crate models AsyncAPI 3).
//!
//! AsyncAPI 3 operations have no `operationId`: the key of `operations` is the id a step
//! names. A channel's key is what `channelPath` points at; its `address` is where messages go.

use std::sync::Arc;

use arazzo_model::{MessageAction, escape_pointer_token};
use indexmap::IndexMap;
use serde_json::{Map, Value};
use url::Url;

use crate::error::SourceErrorKind;
use crate::read::Documents;
use crate::refs::{follow, inline_refs};
use crate::server;

/// An AsyncAPI 3.x source description, loaded: its document and what it declares.
#[derive(Debug)]
pub struct AsyncApi {
    name: String,
    url: Url,
    documents: Arc<Documents>,
    operations: IndexMap<String, AsyncOperation>,
    channels: IndexMap<String, Channel>,
    servers: IndexMap<String, AsyncServer>,
}

/// An AsyncAPI Operation Object: what the described application does on a channel.
#[derive(Debug, Clone, PartialEq)]
pub struct AsyncOperation {
    /// Its key in `operations`: the id a step's `operationId` names.
    pub key: String,
    /// The application's action, as the document writes it: AsyncAPI 3 describes the
    /// application, so a workflow talking to it often does the opposite (never required to
    /// match the step's `action`).
    pub action: MessageAction,
    /// The key of its channel in `channels`.
    pub channel: String,
    /// The messages it processes: its `messages`, or every message of its channel when it
    /// lists none.
    pub messages: Vec<Message>,
    /// Its `reply`, for request/reply operations.
    pub reply: Option<Reply>,
    /// The Operation Object as written (`$ref` followed).
    pub definition: Value,
}

/// An AsyncAPI Operation Reply Object.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The key of the reply channel, when `channel` is given.
    pub channel: Option<String>,
    /// The runtime expression giving the reply address from the request message
    /// (`address.location`, e.g. `$message.header#/replyTo`), when given.
    pub address_location: Option<String>,
    /// The reply messages: its `messages`, or every message of the reply channel.
    pub messages: Vec<Message>,
}

/// An AsyncAPI Channel Object.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// Its key in `channels`: what a `channelPath` points at.
    pub key: String,
    /// Where messages go (`devices/{deviceId}/config`: `{name}` is a channel parameter);
    /// `None` when `null` or absent: unknown, or dynamic.
    pub address: Option<String>,
    /// The Parameter Objects of the address, by name (`$ref`s followed).
    pub parameters: IndexMap<String, Value>,
    /// Its messages, in document order.
    pub messages: Vec<Message>,
    /// The keys of the servers it is available on; empty: every server of the document.
    pub servers: Vec<String>,
}

/// An AsyncAPI Message Object.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Its key in the channel's `messages` (or the last token of the `$ref` naming it).
    pub key: String,
    /// Its `name`, when given.
    pub name: Option<String>,
    /// Its `contentType`, else the document's `defaultContentType`.
    pub content_type: Option<String>,
    /// The schema of its headers (the `schema` of a Multi Format Schema Object), top-level
    /// `$ref` followed.
    pub headers: Option<Value>,
    /// The schema of its payload, as `headers`.
    pub payload: Option<Value>,
    /// The `schemaFormat` of a Multi Format Schema payload (e.g. Avro), when given.
    pub schema_format: Option<String>,
    /// Where its correlation id is (a `$ref` into `components.correlationIds` followed).
    pub correlation_id: Option<CorrelationId>,
    /// The Message Object as written (`$ref` followed).
    pub definition: Value,
}

/// An AsyncAPI Correlation ID Object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrelationId {
    /// The runtime expression locating the id in a message, e.g. `$message.header#/orderId`.
    pub location: String,
    /// Its description, when given.
    pub description: Option<String>,
}

/// An AsyncAPI Server Object, its `{variables}` replaced by their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsyncServer {
    /// Its key in `servers`.
    pub key: String,
    /// The host, with a port if any (`localhost:9092`).
    pub host: String,
    /// The path after the host, when given.
    pub pathname: Option<String>,
    /// The protocol (`kafka`, `mqtt`, `amqp`, `ws`…): it picks the transport.
    pub protocol: String,
    /// The protocol version, when given.
    pub protocol_version: Option<String>,
}

/// An AsyncAPI step's target: what sending or receiving its message needs.
#[derive(Debug, Clone, Copy)]
pub struct MessageTarget<'a> {
    /// The AsyncAPI source.
    pub source: &'a AsyncApi,
    /// The operation, for an `operationId`; `None` for a `channelPath`.
    pub operation: Option<&'a AsyncOperation>,
    /// The channel.
    pub channel: &'a Channel,
    /// The candidate messages: the operation's for an `operationId`, every message of the
    /// channel for a `channelPath`.
    pub messages: &'a [Message],
}

impl<'a> MessageTarget<'a> {
    /// The channel's address (`None`: unknown; the step cannot run).
    pub fn address(&self) -> Option<&'a str> {
        self.channel.address.as_deref()
    }

    /// The servers it is reached on: the channel's `servers`, else every server of the
    /// document, in document order.
    pub fn servers(&self) -> Vec<&'a AsyncServer> {
        let servers = self.source.servers.values();
        match self.channel.servers.as_slice() {
            [] => servers.collect(),
            named => servers
                .filter(|server| named.contains(&server.key))
                .collect(),
        }
    }

    /// Where a `receive` step listens (decision D5): on the operation's reply channel, with
    /// the reply's messages, when the step names an operation that has a `reply` with a
    /// `channel` and `after_send` (an earlier step of the run sent on that operation: the
    /// workflow waits for the answer to its request); else on this target. A `channelPath`
    /// always means its channel. A reply known only by `address.location` is the engine's to
    /// read from the sent message ([`Reply::address_location`]).
    pub fn listen(self, after_send: bool) -> MessageTarget<'a> {
        let reply = self
            .operation
            .and_then(|operation| operation.reply.as_ref())
            .filter(|_| after_send);
        let channel = reply
            .and_then(|reply| reply.channel.as_deref())
            .and_then(|key| self.source.channel(key));
        match (reply, channel) {
            (Some(reply), Some(channel)) => MessageTarget {
                channel,
                messages: &reply.messages,
                ..self
            },
            _ => self,
        }
    }
}

impl AsyncApi {
    /// Indexes the AsyncAPI 3 document at `url`.
    pub(crate) fn build(
        name: &str,
        url: Url,
        documents: &Arc<Documents>,
    ) -> Result<AsyncApi, SourceErrorKind> {
        let (_, document) = documents.get(&url).map_err(SourceErrorKind::Parse)?;
        let index = Index {
            documents,
            url: &url,
            default_content_type: document.get("defaultContentType").and_then(Value::as_str),
        };
        let invalid = |pointer: String, reason: String| SourceErrorKind::Invalid {
            location: url.to_string(),
            pointer,
            reason,
        };
        let mut servers = IndexMap::new();
        for (key, server) in members(document.get("servers")) {
            let at = format!("/servers/{}", escape_pointer_token(key));
            let server = index
                .server(key, server)
                .map_err(|reason| invalid(at, reason))?;
            servers.insert(key.clone(), server);
        }
        let mut channels = IndexMap::new();
        for (key, channel) in members(document.get("channels")) {
            let at = format!("/channels/{}", escape_pointer_token(key));
            let channel = index
                .channel(key, channel)
                .map_err(|(pointer, reason)| invalid(format!("{at}{pointer}"), reason))?;
            channels.insert(key.clone(), channel);
        }
        let mut operations = IndexMap::new();
        for (key, operation) in members(document.get("operations")) {
            let at = format!("/operations/{}", escape_pointer_token(key));
            let operation = index
                .operation(key, operation, &channels)
                .map_err(|(pointer, reason)| invalid(format!("{at}{pointer}"), reason))?;
            operations.insert(key.clone(), operation);
        }
        Ok(AsyncApi {
            name: name.to_string(),
            url: url.clone(),
            documents: Arc::clone(documents),
            operations,
            channels,
            servers,
        })
    }

    /// The source description's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The document's URL (the source's `url` resolved against the Arazzo document).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The document as written (YAML or JSON, as a JSON value).
    pub fn document(&self) -> &Value {
        self.documents
            .get(&self.url)
            .map(|(_, document)| document)
            .expect("an AsyncApi is only built from a loaded document")
    }

    /// The operation with this key (case-sensitive).
    pub fn operation(&self, key: &str) -> Option<&AsyncOperation> {
        self.operations.get(key)
    }

    /// Every operation, in document order.
    pub fn operations(&self) -> impl Iterator<Item = &AsyncOperation> {
        self.operations.values()
    }

    /// The channel with this key (case-sensitive).
    pub fn channel(&self, key: &str) -> Option<&Channel> {
        self.channels.get(key)
    }

    /// Every channel, in document order.
    pub fn channels(&self) -> impl Iterator<Item = &Channel> {
        self.channels.values()
    }

    /// Every server, in document order.
    pub fn servers(&self) -> impl Iterator<Item = &AsyncServer> {
        self.servers.values()
    }

    /// The target of `operationId` naming the operation `key`.
    pub fn operation_target(&self, key: &str) -> Option<MessageTarget<'_>> {
        let operation = self.operation(key)?;
        Some(MessageTarget {
            source: self,
            operation: Some(operation),
            channel: self.channel(&operation.channel)?,
            messages: &operation.messages,
        })
    }

    /// The target of a `channelPath` pointing at the channel `key`.
    pub fn channel_target(&self, key: &str) -> Option<MessageTarget<'_>> {
        let channel = self.channel(key)?;
        Some(MessageTarget {
            source: self,
            operation: None,
            channel,
            messages: &channel.messages,
        })
    }

    /// A copy of `value`, a part of this document (e.g. a message's payload schema), with every
    /// `$ref` replaced by a copy of its target, as [`crate::OpenApi::resolve_refs`] does.
    pub fn resolve_refs(&self, value: &Value) -> Value {
        inline_refs(&self.documents, &self.url, value, &mut Vec::new())
    }
}

/// The members of an object (none for anything else).
fn members(value: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    value.and_then(Value::as_object).into_iter().flatten()
}

/// A problem while indexing: the JSON pointer below the indexed object, and why.
type Problem = (String, String);

/// What indexing the document needs.
struct Index<'a> {
    documents: &'a Documents,
    url: &'a Url,
    default_content_type: Option<&'a str>,
}

impl Index<'_> {
    fn follow<'v>(
        &'v self,
        base: &'v Url,
        value: &'v Value,
    ) -> Result<(&'v Url, &'v Value), String> {
        follow(self.documents, base, value)
    }

    fn server(&self, key: &str, server: &Value) -> Result<AsyncServer, String> {
        let (base, server) = self.follow(self.url, server)?;
        let text = |field: &str| server.get(field).and_then(Value::as_str);
        let mut variables = Map::new();
        for (name, variable) in members(server.get("variables")) {
            let (_, variable) = self.follow(base, variable)?;
            variables.insert(name.clone(), variable.clone());
        }
        let variables = Value::Object(variables);
        let substitute = |template: &str| server::substitute(template, Some(&variables));
        Ok(AsyncServer {
            key: key.to_string(),
            host: substitute(text("host").ok_or("a server without a `host`")?)?,
            pathname: text("pathname").map(substitute).transpose()?,
            protocol: text("protocol")
                .ok_or("a server without a `protocol`")?
                .to_string(),
            protocol_version: text("protocolVersion").map(str::to_string),
        })
    }

    fn channel(&self, key: &str, channel: &Value) -> Result<Channel, Problem> {
        let (base, channel) = self
            .follow(self.url, channel)
            .map_err(|reason| (String::new(), reason))?;
        let mut parameters = IndexMap::new();
        for (name, parameter) in members(channel.get("parameters")) {
            let at = format!("/parameters/{}", escape_pointer_token(name));
            let (_, parameter) = self
                .follow(base, parameter)
                .map_err(|reason| (at, reason))?;
            parameters.insert(name.clone(), parameter.clone());
        }
        let mut messages = Vec::new();
        for (name, message) in members(channel.get("messages")) {
            let at = format!("/messages/{}", escape_pointer_token(name));
            messages.push(
                self.message(name, base, message)
                    .map_err(|reason| (at, reason))?,
            );
        }
        let servers = channel
            .get("servers")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(at, server)| {
                self.key_in(base, server, "servers")
                    .map_err(|reason| (format!("/servers/{at}"), reason))
            })
            .collect::<Result<_, _>>()?;
        Ok(Channel {
            key: key.to_string(),
            address: channel
                .get("address")
                .and_then(Value::as_str)
                .map(str::to_string),
            parameters,
            messages,
            servers,
        })
    }

    fn operation(
        &self,
        key: &str,
        operation: &Value,
        channels: &IndexMap<String, Channel>,
    ) -> Result<AsyncOperation, Problem> {
        let (base, operation) = self
            .follow(self.url, operation)
            .map_err(|reason| (String::new(), reason))?;
        let action = match operation.get("action").and_then(Value::as_str) {
            Some("send") => MessageAction::Send,
            Some("receive") => MessageAction::Receive,
            other => {
                let found = other.map_or("(none)".to_string(), |text| format!("`{text}`"));
                return Err((
                    "/action".to_string(),
                    format!("operation `{key}` has action {found} (expected send or receive)"),
                ));
            }
        };
        let channel = self
            .channel_of(base, operation.get("channel"), channels)
            .map_err(|reason| ("/channel".to_string(), reason))?
            .ok_or_else(|| {
                (
                    "".to_string(),
                    format!("operation `{key}` has no `channel`"),
                )
            })?;
        let messages = self
            .messages_of(base, operation.get("messages"), channel)
            .map_err(|(at, reason)| (format!("/messages{at}"), reason))?;
        let reply = match operation.get("reply") {
            Some(reply) => Some(
                self.reply(base, reply, channels)
                    .map_err(|(at, reason)| (format!("/reply{at}"), reason))?,
            ),
            None => None,
        };
        Ok(AsyncOperation {
            key: key.to_string(),
            action,
            channel: channel.key.clone(),
            messages,
            reply,
            definition: operation.clone(),
        })
    }

    fn reply(
        &self,
        base: &Url,
        reply: &Value,
        channels: &IndexMap<String, Channel>,
    ) -> Result<Reply, Problem> {
        let (base, reply) = self
            .follow(base, reply)
            .map_err(|reason| (String::new(), reason))?;
        let channel = self
            .channel_of(base, reply.get("channel"), channels)
            .map_err(|reason| ("/channel".to_string(), reason))?;
        let address_location = match reply.get("address") {
            Some(address) => {
                let (_, address) = self
                    .follow(base, address)
                    .map_err(|reason| ("/address".to_string(), reason))?;
                address
                    .get("location")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            }
            None => None,
        };
        let messages = match channel {
            Some(channel) => self.messages_of(base, reply.get("messages"), channel),
            None => self.listed_messages(base, reply.get("messages")),
        }
        .map_err(|(at, reason)| (format!("/messages{at}"), reason))?;
        Ok(Reply {
            channel: channel.map(|channel| channel.key.clone()),
            address_location,
            messages,
        })
    }

    /// The channel a `channel` `$ref` (`#/channels/<key>`) names.
    fn channel_of<'c>(
        &self,
        base: &Url,
        reference: Option<&Value>,
        channels: &'c IndexMap<String, Channel>,
    ) -> Result<Option<&'c Channel>, String> {
        let Some(reference) = reference else {
            return Ok(None);
        };
        let key = self.key_in(base, reference, "channels")?;
        channels
            .get(&key)
            .map(Some)
            .ok_or_else(|| format!("no channel `{key}`"))
    }

    /// The messages an operation or reply processes: those it lists, else all of `channel`'s.
    fn messages_of(
        &self,
        base: &Url,
        listed: Option<&Value>,
        channel: &Channel,
    ) -> Result<Vec<Message>, Problem> {
        match listed {
            None => Ok(channel.messages.clone()),
            Some(_) => self.listed_messages(base, listed),
        }
    }

    /// The messages of a `messages` list of `$ref`s (`#/channels/<c>/messages/<m>`), each
    /// keyed by the last token of its reference.
    fn listed_messages(&self, base: &Url, listed: Option<&Value>) -> Result<Vec<Message>, Problem> {
        let items = listed.and_then(Value::as_array).map(Vec::as_slice);
        items
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(at, item)| {
                let key = item
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|reference| reference.rsplit('/').next())
                    .map(arazzo_expr::pointer::unescape)
                    .unwrap_or_else(|| at.to_string());
                self.message(&key, base, item)
                    .map_err(|reason| (format!("/{at}"), reason))
            })
            .collect()
    }

    fn message(&self, key: &str, base: &Url, message: &Value) -> Result<Message, String> {
        let (base, message) = self.follow(base, message)?;
        let text = |field: &str| {
            message
                .get(field)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let schema = |field: &str| -> Result<(Option<String>, Option<Value>), String> {
            let Some(schema) = message.get(field) else {
                return Ok((None, None));
            };
            let (schema_base, schema) = self.follow(base, schema)?;
            // A Multi Format Schema Object wraps the schema with its format.
            match (schema.get("schemaFormat"), schema.get("schema")) {
                (Some(format), Some(inner)) => {
                    let (_, inner) = self.follow(schema_base, inner)?;
                    Ok((format.as_str().map(str::to_string), Some(inner.clone())))
                }
                _ => Ok((None, Some(schema.clone()))),
            }
        };
        let (_, headers) = schema("headers")?;
        let (schema_format, payload) = schema("payload")?;
        let correlation_id = match message.get("correlationId") {
            Some(correlation) => {
                let (_, correlation) = self.follow(base, correlation)?;
                let field = |name: &str| correlation.get(name).and_then(Value::as_str);
                Some(CorrelationId {
                    location: field("location")
                        .ok_or("a correlationId without a `location`")?
                        .to_string(),
                    description: field("description").map(str::to_string),
                })
            }
            None => None,
        };
        Ok(Message {
            key: key.to_string(),
            name: text("name"),
            content_type: text("contentType")
                .or_else(|| self.default_content_type.map(str::to_string)),
            headers,
            payload,
            schema_format,
            correlation_id,
            definition: message.clone(),
        })
    }

    /// The key under `/<section>/` of this document that a `$ref` points at.
    fn key_in(&self, base: &Url, reference: &Value, section: &str) -> Result<String, String> {
        let written = reference.get("$ref").and_then(Value::as_str);
        let expected = || format!("expected a `$ref` to `#/{section}/<key>`");
        let written = written.ok_or_else(expected)?;
        let target = base.join(written).map_err(|err| err.to_string())?;
        let mut document = target.clone();
        document.set_fragment(None);
        let fragment = target.fragment().unwrap_or_default();
        let pointer = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        let key = pointer
            .strip_prefix(&format!("/{section}/"))
            .filter(|key| !key.contains('/'))
            .filter(|_| document == *self.url);
        match key {
            Some(key) => Ok(arazzo_expr::pointer::unescape(key)),
            None => Err(format!("`{written}`: {}", expected())),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn build(files: &[(&str, Value)]) -> Result<AsyncApi, SourceErrorKind> {
        let documents = files
            .iter()
            .map(|(url, value)| {
                let url = Url::parse(url).unwrap();
                let file = arazzo_model::SourceFile::parse(url.path(), value.to_string());
                (url, Ok(file.unwrap()))
            })
            .collect();
        let url = Url::parse(files[0].0).unwrap();
        AsyncApi::build("events", url, &Arc::new(Documents(documents)))
    }

    /// `examples/1.1.0/pet-asyncapi.yaml`, with a channel whose address differs from its key,
    /// server variables and a correlation id in `components.correlationIds` of another file.
    fn pets() -> Value {
        json!({
            "asyncapi": "3.0.0",
            "defaultContentType": "application/json",
            "servers": {
                "localKafka": {"host": "localhost:9092", "protocol": "kafka"},
                "regional": {
                    "host": "{region}.broker.test:{port}",
                    "pathname": "/{tenant}",
                    "protocol": "mqtt",
                    "protocolVersion": "5",
                    "variables": {
                        "region": {"default": "eu", "enum": ["eu", "us"]},
                        "port": {"$ref": "#/components/serverVariables/port"},
                        "tenant": {"default": "shop"},
                    },
                },
            },
            "channels": {
                "place-order": {
                    "address": "orders/{shop}/place",
                    "parameters": {"shop": {"$ref": "#/components/parameters/shop"}},
                    "servers": [{"$ref": "#/servers/localKafka"}],
                    "messages": {
                        "placeOrder.message": {"$ref": "#/components/messages/OrderRequest"},
                        "audit": {"payload": {"type": "string"}, "contentType": "text/plain"},
                    },
                },
                "confirm-order": {
                    "address": null,
                    "messages": {"confirmOrder.message": {"$ref": "#/components/messages/OrderResponse"}},
                },
            },
            "operations": {
                "placeOrder": {
                    "action": "receive",
                    "channel": {"$ref": "#/channels/place-order"},
                    "messages": [{"$ref": "#/channels/place-order/messages/placeOrder.message"}],
                    "reply": {
                        "channel": {"$ref": "#/channels/confirm-order"},
                        "address": {"location": "$message.header#/replyTo"},
                    },
                },
                "audit": {"action": "send", "channel": {"$ref": "#/channels/place-order"}},
            },
            "components": {
                "serverVariables": {"port": {"default": "1883"}},
                "parameters": {"shop": {"default": "main"}},
                "messages": {
                    "OrderRequest": {
                        "name": "OrderRequest",
                        "correlationId": {"location": "$message.header#/orderRequestId"},
                        "headers": {"$ref": "#/components/schemas/Headers"},
                        "payload": {"type": "object", "properties": {"petId": {"type": "integer"}}},
                    },
                    "OrderResponse": {
                        "contentType": "application/xml",
                        "correlationId": {"$ref": "common.yaml#/components/correlationIds/order"},
                        "payload": {
                            "schemaFormat": "application/vnd.apache.avro;version=1.9.0",
                            "schema": {"type": "record", "name": "OrderResponse"},
                        },
                    },
                },
                "schemas": {"Headers": {"type": "object", "required": ["orderRequestId"]}},
            },
        })
    }

    fn common() -> (&'static str, Value) {
        (
            "file:///api/common.yaml",
            json!({"components": {"correlationIds": {"order": {
                "description": "the order", "location": "$message.header#/orderRequestId"
            }}}}),
        )
    }

    #[test]
    fn operations_channels_and_messages_are_indexed_by_key() {
        let api = build(&[("file:///api/pets.yaml", pets()), common()]).unwrap();
        let place = api.operation("placeOrder").unwrap();
        assert_eq!(place.action, MessageAction::Receive);
        assert_eq!(place.channel, "place-order");
        let keys: Vec<&str> = place.messages.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["placeOrder.message"]);
        let request = &place.messages[0];
        assert_eq!(request.name.as_deref(), Some("OrderRequest"));
        assert_eq!(request.content_type.as_deref(), Some("application/json"));
        assert_eq!(
            request.headers,
            Some(json!({"type": "object", "required": ["orderRequestId"]}))
        );
        assert_eq!(
            request.correlation_id.as_ref().map(|c| c.location.as_str()),
            Some("$message.header#/orderRequestId")
        );
        // Without `messages`, an operation processes every message of its channel.
        let audit = api.operation("audit").unwrap();
        let keys: Vec<&str> = audit.messages.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["placeOrder.message", "audit"]);
        assert_eq!(
            audit.messages[1].content_type.as_deref(),
            Some("text/plain")
        );

        let channel = api.channel("place-order").unwrap();
        assert_eq!(channel.address.as_deref(), Some("orders/{shop}/place"));
        assert_eq!(channel.parameters["shop"], json!({"default": "main"}));
        assert_eq!(api.channel("confirm-order").unwrap().address, None);
        assert!(api.channel("orders/{shop}/place").is_none());
    }

    #[test]
    fn correlation_ids_and_multi_format_schemas_follow_refs_across_files() {
        let api = build(&[("file:///api/pets.yaml", pets()), common()]).unwrap();
        let reply = api.operation("placeOrder").unwrap().reply.as_ref().unwrap();
        assert_eq!(reply.channel.as_deref(), Some("confirm-order"));
        assert_eq!(
            reply.address_location.as_deref(),
            Some("$message.header#/replyTo")
        );
        let response = &reply.messages[0];
        assert_eq!(
            response.correlation_id,
            Some(CorrelationId {
                location: "$message.header#/orderRequestId".into(),
                description: Some("the order".into()),
            })
        );
        assert_eq!(response.content_type.as_deref(), Some("application/xml"));
        assert_eq!(
            response.schema_format.as_deref(),
            Some("application/vnd.apache.avro;version=1.9.0")
        );
        assert_eq!(
            response.payload,
            Some(json!({"type": "record", "name": "OrderResponse"}))
        );
    }

    #[test]
    fn servers_substitute_variables_and_channels_restrict_them() {
        let api = build(&[("file:///api/pets.yaml", pets()), common()]).unwrap();
        let regional = api.servers().nth(1).unwrap();
        assert_eq!(
            regional,
            &AsyncServer {
                key: "regional".into(),
                host: "eu.broker.test:1883".into(),
                pathname: Some("/shop".into()),
                protocol: "mqtt".into(),
                protocol_version: Some("5".into()),
            }
        );
        let keys = |target: MessageTarget<'_>| -> Vec<String> {
            target.servers().iter().map(|s| s.key.clone()).collect()
        };
        assert_eq!(
            keys(api.operation_target("placeOrder").unwrap()),
            ["localKafka"]
        );
        assert_eq!(
            keys(api.channel_target("confirm-order").unwrap()),
            ["localKafka", "regional"]
        );
    }

    #[test]
    fn receive_after_a_send_listens_on_the_reply() {
        let api = build(&[("file:///api/pets.yaml", pets()), common()]).unwrap();
        let target = api.operation_target("placeOrder").unwrap();
        assert_eq!(target.listen(false).channel.key, "place-order");
        let reply = target.listen(true);
        assert_eq!(reply.channel.key, "confirm-order");
        assert_eq!(reply.messages[0].key, "confirmOrder.message");
        // A channelPath always means its channel.
        let channel = api.channel_target("place-order").unwrap();
        assert_eq!(channel.listen(true).channel.key, "place-order");
        assert_eq!(channel.messages.len(), 2);
    }

    #[test]
    fn broken_references_name_the_pointer() {
        let mut document = pets();
        document["operations"]["audit"]["channel"] = json!({"$ref": "#/channels/nowhere"});
        let err = build(&[("file:///api/pets.yaml", document), common()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "file:///api/pets.yaml: no channel `nowhere` (at /operations/audit/channel)"
        );
        let mut document = pets();
        document["servers"]["regional"]["variables"]["region"] = json!({"enum": ["eu"]});
        let err = build(&[("file:///api/pets.yaml", document), common()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "file:///api/pets.yaml: server `{region}.broker.test:{port}` uses `{region}`, which has no default (at /servers/regional)"
        );
        let mut document = pets();
        document["operations"]["audit"]["action"] = json!("publish");
        let err = build(&[("file:///api/pets.yaml", document), common()]).unwrap_err();
        assert!(err.to_string().contains("has action `publish`"), "{err}");
    }
}
