//! [`NatsExecutor`]: core NATS through async-nats, one client per server.
//!
//! Headers travel as NATS headers and the content type as a `Content-Type` header, NATS having
//! no field of its own for it. A server without headers (older than NATS 2.2) refuses nothing,
//! so a message with headers is refused here; a newer server with headers turned off refuses
//! the connection itself (async-nats asks for them).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_nats::header::{HeaderMap, HeaderName};
use async_nats::{Client, ConnectErrorKind, ConnectOptions};
use bytes::Bytes;
use futures_util::StreamExt;

use super::message::{
    ChannelTarget, MessageError, MessageErrorKind, MessageExecutor, OutgoingMessage,
    ReceivedMessage, Subscription,
};

/// Sends and receives messages over core NATS (protocol `nats`), one client per server shared
/// by every send and subscription, connected on first use (TLS when the server asks for it).
///
/// Core NATS acknowledges nothing: [`send`](MessageExecutor::send) and
/// [`subscribe`](MessageExecutor::subscribe) return once a round trip through the server
/// shows it has processed the message or the subscription (NATS reads a connection in order).
/// A lost connection is re-established by the client, which subscribes again; messages sent
/// in between are lost, as NATS has it. Clones share the clients.
#[derive(Debug, Clone)]
pub struct NatsExecutor {
    settings: NatsExecutorBuilder,
    clients: Arc<tokio::sync::Mutex<HashMap<Server, Client>>>,
}

/// A server's host and port.
type Server = (String, u16);

/// Configures a [`NatsExecutor`].
#[derive(Debug, Clone)]
pub struct NatsExecutorBuilder {
    connect_timeout: Duration,
    ack_timeout: Duration,
}

impl Default for NatsExecutorBuilder {
    fn default() -> Self {
        NatsExecutorBuilder {
            connect_timeout: Duration::from_secs(10),
            ack_timeout: Duration::from_secs(30),
        }
    }
}

impl NatsExecutorBuilder {
    /// How long connecting to a server may take (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long the round trip confirming a send or a subscription may take (default 30 s).
    pub fn ack_timeout(mut self, timeout: Duration) -> Self {
        self.ack_timeout = timeout;
        self
    }

    /// Builds the executor; it connects on first use.
    pub fn build(self) -> NatsExecutor {
        NatsExecutor {
            settings: self,
            clients: Arc::default(),
        }
    }
}

impl Default for NatsExecutor {
    fn default() -> Self {
        NatsExecutor::new()
    }
}

impl NatsExecutor {
    /// An executor with the default settings.
    pub fn new() -> NatsExecutor {
        NatsExecutorBuilder::default().build()
    }

    /// A builder for other settings.
    pub fn builder() -> NatsExecutorBuilder {
        NatsExecutorBuilder::default()
    }

    /// The client of `channel`'s server, connected if there is none.
    async fn client(&self, channel: &ChannelTarget) -> Result<(Client, String), MessageError> {
        if !channel.protocol.eq_ignore_ascii_case("nats") {
            return Err(MessageError::new(
                MessageErrorKind::Unsupported,
                format!("the NATS transport does not speak `{}`", channel.protocol),
            ));
        }
        let key = channel.host_port(4222)?;
        let server = format!("{}:{}", key.0, key.1);
        // Held while connecting: concurrent first uses share one client.
        let mut clients = self.clients.lock().await;
        if let Some(client) = clients.get(&key) {
            return Ok((client.clone(), server));
        }
        let options = ConnectOptions::new()
            .name("arazzo")
            .connection_timeout(self.settings.connect_timeout);
        let url = format!("nats://{server}");
        let client = match tokio::time::timeout(
            // async-nats bounds each attempt; this bounds the whole handshake too.
            self.settings.connect_timeout + Duration::from_millis(100),
            options.connect(url.as_str()),
        )
        .await
        {
            Ok(Ok(client)) => client,
            Ok(Err(err)) => return Err(connect_error(&err, &server)),
            Err(_) => return Err(connect_timed_out(&server, self.settings.connect_timeout)),
        };
        clients.insert(key, client.clone());
        Ok((client, server))
    }

    /// Returns once the server has processed everything `client` sent before: a message to a
    /// subscription of the client's own comes back.
    async fn round_trip(&self, client: &Client, server: &str) -> Result<(), MessageError> {
        static COUNT: AtomicU64 = AtomicU64::new(0);
        let inbox = format!(
            "_INBOX.arazzo.{}.{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        let lost = |err: &dyn std::fmt::Display| {
            MessageError::new(
                MessageErrorKind::Connect,
                format!("lost the connection to {server} ({err})"),
            )
        };
        let mut probe = client
            .subscribe(inbox.clone())
            .await
            .map_err(|err| lost(&err))?;
        client
            .publish(inbox, Bytes::new())
            .await
            .map_err(|err| lost(&err))?;
        match tokio::time::timeout(self.settings.ack_timeout, probe.next()).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(lost(&"the client closed")),
            Err(_) => Err(MessageError::new(
                MessageErrorKind::Timeout,
                format!(
                    "the server at {server} did not answer within {} ms",
                    self.settings.ack_timeout.as_millis()
                ),
            )),
        }
    }
}

#[async_trait::async_trait]
impl MessageExecutor for NatsExecutor {
    async fn send(
        &self,
        channel: &ChannelTarget,
        message: &OutgoingMessage,
    ) -> Result<(), MessageError> {
        let (client, server) = self.client(channel).await?;
        let headers = headers(message, client.server_info().headers, &server)?;
        let subject = channel.address.clone();
        let sent = match headers {
            Some(headers) => {
                client
                    .publish_with_headers(subject, headers, message.payload.clone())
                    .await
            }
            None => client.publish(subject, message.payload.clone()).await,
        };
        sent.map_err(|err| {
            MessageError::new(
                MessageErrorKind::Other,
                format!("cannot send to `{}` on {server}: {err}", channel.address),
            )
        })?;
        self.round_trip(&client, &server).await
    }

    async fn subscribe(
        &self,
        channel: &ChannelTarget,
    ) -> Result<Box<dyn Subscription>, MessageError> {
        let (client, server) = self.client(channel).await?;
        let subscriber = client
            .subscribe(channel.address.clone())
            .await
            .map_err(|err| {
                MessageError::new(
                    MessageErrorKind::Other,
                    format!(
                        "cannot subscribe to `{}` on {server}: {err}",
                        channel.address
                    ),
                )
            })?;
        self.round_trip(&client, &server).await?;
        Ok(Box::new(NatsSubscription {
            subscriber,
            ended: format!(
                "the subscription to `{}` on {server} ended",
                channel.address
            ),
        }))
    }

    async fn close(&self) {
        let clients: Vec<_> = self.clients.lock().await.drain().collect();
        for (_, client) in clients {
            // Drain flushes what is queued, then closes; bounded in case the server is gone.
            let _ = tokio::time::timeout(Duration::from_secs(2), client.drain()).await;
        }
    }
}

/// The NATS headers of `message`: `None` when it has none to carry.
///
/// # Errors
/// [`MessageErrorKind::Unsupported`] when the message has headers and the server takes none.
fn headers(
    message: &OutgoingMessage,
    server_has_headers: bool,
    server: &str,
) -> Result<Option<HeaderMap>, MessageError> {
    if !server_has_headers {
        if let Some((name, _)) = message.headers.first() {
            return Err(MessageError::new(
                MessageErrorKind::Unsupported,
                format!(
                    "the NATS server at {server} does not support headers (header `{name}` not sent)"
                ),
            ));
        }
        // The content type is the document's, known to the receiver too: not worth a refusal.
        return Ok(None);
    }
    let mut map = HeaderMap::new();
    for (name, value) in &message.headers {
        let header = HeaderName::from_str(name).map_err(|_| {
            MessageError::new(
                MessageErrorKind::Other,
                format!("`{name}` cannot be a NATS header name"),
            )
        })?;
        map.append(header, value.as_str());
    }
    if let Some(content_type) = &message.content_type
        && super::header(&message.headers, "content-type").is_none()
    {
        map.insert("Content-Type", content_type.as_str());
    }
    Ok((!map.is_empty()).then_some(map))
}

fn connect_error(err: &async_nats::ConnectError, server: &str) -> MessageError {
    let reason = err.to_string();
    match err.kind() {
        ConnectErrorKind::TimedOut => MessageError::new(
            MessageErrorKind::Timeout,
            format!("connecting to {server} timed out"),
        ),
        ConnectErrorKind::Authentication | ConnectErrorKind::AuthorizationViolation => {
            MessageError::new(
                MessageErrorKind::Connect,
                format!("the server at {server} refused the connection ({reason})"),
            )
        }
        _ if reason.to_lowercase().contains("refused") => MessageError::new(
            MessageErrorKind::Connect,
            format!("connection refused to {server}"),
        ),
        _ => MessageError::new(
            MessageErrorKind::Connect,
            format!("cannot connect to {server} ({reason})"),
        ),
    }
}

fn connect_timed_out(server: &str, timeout: Duration) -> MessageError {
    MessageError::new(
        MessageErrorKind::Timeout,
        format!(
            "connecting to {server} timed out after {} ms",
            timeout.as_millis()
        ),
    )
}

/// The messages of one subject.
struct NatsSubscription {
    subscriber: async_nats::Subscriber,
    ended: String,
}

#[async_trait::async_trait]
impl Subscription for NatsSubscription {
    async fn next(&mut self) -> Result<ReceivedMessage, MessageError> {
        // The subscriber is a channel receiver: abandoning the wait loses nothing.
        let message = self
            .subscriber
            .next()
            .await
            .ok_or_else(|| MessageError::new(MessageErrorKind::Connect, self.ended.clone()))?;
        // NATS keeps header values in order per name, not the order of the names: by name.
        let mut headers: Vec<(String, String)> = Vec::new();
        if let Some(map) = &message.headers {
            for (name, values) in map.iter() {
                for value in values {
                    headers.push((name.to_string(), value.as_str().to_string()));
                }
            }
        }
        headers.sort_by(|(left, _), (right, _)| left.cmp(right));
        Ok(ReceivedMessage {
            address: message.subject.to_string(),
            content_type: super::header(&headers, "content-type").map(str::to_string),
            headers,
            payload: message.payload,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_carry_the_content_type_unless_given() {
        let mut message = OutgoingMessage {
            headers: vec![("orderRequestId".to_string(), "7".to_string())],
            payload: Bytes::new(),
            content_type: Some("application/json".to_string()),
        };
        let map = headers(&message, true, "s").unwrap().unwrap();
        assert_eq!(map.get("orderRequestId").unwrap().as_str(), "7");
        assert_eq!(
            map.get("Content-Type").unwrap().as_str(),
            "application/json"
        );
        message
            .headers
            .push(("content-type".to_string(), "text/plain".to_string()));
        // NATS header names are case-sensitive: the given one stays as written, alone.
        let map = headers(&message, true, "s").unwrap().unwrap();
        assert_eq!(map.get("content-type").unwrap().as_str(), "text/plain");
        assert!(map.get("Content-Type").is_none());
        message.headers = vec![("bad:name".to_string(), "x".to_string())];
        assert_eq!(
            headers(&message, true, "s").unwrap_err().kind,
            MessageErrorKind::Other
        );
    }

    #[test]
    fn headers_are_refused_by_a_server_without_them() {
        let mut message = OutgoingMessage {
            headers: vec![("orderRequestId".to_string(), "7".to_string())],
            payload: Bytes::new(),
            content_type: Some("application/json".to_string()),
        };
        let err = headers(&message, false, "s").unwrap_err();
        assert_eq!(err.kind, MessageErrorKind::Unsupported);
        assert!(err.message.contains("`orderRequestId`"), "{err}");
        message.headers.clear();
        assert!(headers(&message, false, "s").unwrap().is_none());
        message.content_type = None;
        assert!(headers(&message, true, "s").unwrap().is_none());
    }
}
