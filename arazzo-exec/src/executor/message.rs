//! The message seam of AsyncAPI steps: a [`MessageExecutor`] sends messages to broker channels
//! and opens [`Subscription`]s on them; a [`MessageRouter`] picks one by the AsyncAPI protocol.

use std::sync::Arc;

use bytes::Bytes;

/// Where a message goes or comes from: a channel address on a broker.
///
/// Built with [`ChannelTarget::new`]; more fields (credentials) may come, so the type cannot
/// be built field by field outside this crate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ChannelTarget {
    /// The AsyncAPI server's `protocol`, e.g. `mqtt`, `secure-mqtt`, `nats`, `kafka`.
    pub protocol: String,
    /// The broker: the AsyncAPI 3 server `host` (`host` or `host:port`, the protocol's
    /// default port when absent) or an AsyncAPI 2 server `url` (`mqtt://host:port`).
    pub host: String,
    /// The channel's address with its parameters substituted: an MQTT topic, a NATS subject.
    pub address: String,
}

impl ChannelTarget {
    /// The channel `address` on the broker at `host`, spoken to with `protocol`.
    pub fn new(
        protocol: impl Into<String>,
        host: impl Into<String>,
        address: impl Into<String>,
    ) -> Self {
        ChannelTarget {
            protocol: protocol.into(),
            host: host.into(),
            address: address.into(),
        }
    }

    /// The broker's host name and port, `default_port` when [`host`](Self::host) has none.
    ///
    /// # Errors
    /// [`MessageErrorKind::Other`] when the host is empty or its port is not a number.
    pub fn host_port(&self, default_port: u16) -> Result<(String, u16), MessageError> {
        let invalid = || {
            MessageError::new(
                MessageErrorKind::Other,
                format!("invalid broker host `{}`", self.host),
            )
        };
        let host = match self.host.split_once("://") {
            Some((_, rest)) => rest,
            None => &self.host,
        };
        let host = host.split(['/', '?']).next().unwrap_or_default();
        let (name, port) = match host.rsplit_once(':') {
            // `[::1]` alone is a host without a port.
            Some((name, port)) if !port.ends_with(']') => {
                (name, port.parse().map_err(|_| invalid())?)
            }
            _ => (host, default_port),
        };
        let name = name.trim_start_matches('[').trim_end_matches(']');
        if name.is_empty() {
            return Err(invalid());
        }
        Ok((name.to_string(), port))
    }
}

/// A message to send, every runtime expression already substituted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// Header fields in the order given (the step's `in: header` parameters).
    pub headers: Vec<(String, String)>,
    /// The payload, already encoded.
    pub payload: Bytes,
    /// The payload's media type, e.g. `application/json`.
    pub content_type: Option<String>,
}

/// A message a [`Subscription`] received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// The address the message was sent to (the subscribed one, unless it had wildcards).
    pub address: String,
    /// Header fields, in the order the transport gives them.
    pub headers: Vec<(String, String)>,
    /// The payload.
    pub payload: Bytes,
    /// The payload's media type, if the transport carries one.
    pub content_type: Option<String>,
}

impl ReceivedMessage {
    /// The first value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        super::header(&self.headers, name)
    }
}

/// A message could not be sent or received.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct MessageError {
    /// What kind of failure.
    pub kind: MessageErrorKind,
    /// One line for people, e.g. `connection refused to 127.0.0.1:1883`.
    pub message: String,
}

/// The kinds of [`MessageError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageErrorKind {
    /// No broker answered, or the connection to it was lost.
    Connect,
    /// Connecting, or the broker's acknowledgement, took longer than allowed.
    Timeout,
    /// The protocol, or a feature of the message (headers where the transport has none), is
    /// not supported: nothing was sent.
    Unsupported,
    /// The broker refused the message or the subscription (not authorised, invalid topic).
    Rejected,
    /// Anything else.
    Other,
}

impl MessageError {
    /// An error of `kind` with a message.
    pub fn new(kind: MessageErrorKind, message: impl Into<String>) -> Self {
        MessageError {
            kind,
            message: message.into(),
        }
    }
}

/// Sends messages to broker channels and subscribes to them, for AsyncAPI steps.
///
/// Implemented by [`MemoryBroker`](super::MemoryBroker), the transports of the `mqtt` and `nats`
/// features, [`MessageRouter`] and test doubles; dyn-compatible like [`Executor`](super::Executor)
/// (implement it with `#[arazzo_exec::async_trait]`). [`send`](Self::send) and
/// [`subscribe`](Self::subscribe) are required.
#[async_trait::async_trait]
pub trait MessageExecutor: Send + Sync {
    /// Sends `message` to `channel`, returning once the broker has acknowledged it (MQTT: the
    /// QoS 1 `PUBACK`); never waits for a consumer.
    ///
    /// # Errors
    /// [`MessageErrorKind::Unsupported`] before anything is sent when the transport cannot carry
    /// the message as given (headers on a transport without them); otherwise when the broker
    /// cannot be reached or refuses the message.
    async fn send(
        &self,
        channel: &ChannelTarget,
        message: &OutgoingMessage,
    ) -> Result<(), MessageError>;

    /// Opens a subscription to `channel` now: once this returns, every message the broker
    /// takes on that channel reaches the subscription, so subscribe before the send that
    /// triggers the awaited message.
    ///
    /// # Errors
    /// When the broker cannot be reached or refuses the subscription.
    async fn subscribe(
        &self,
        channel: &ChannelTarget,
    ) -> Result<Box<dyn Subscription>, MessageError>;

    /// Closes the connections cleanly (a disconnect the broker sees), waiting a bounded time.
    /// Dropping the executor closes them too, abruptly. The default does nothing.
    async fn close(&self) {}
}

/// The messages of one channel from the moment it was opened
/// ([`MessageExecutor::subscribe`]); dropping it unsubscribes.
#[async_trait::async_trait]
pub trait Subscription: Send {
    /// Waits for the next message, for as long as it takes: wrap it in a timeout. It is
    /// cancellation-safe (a message is never lost when the wait is abandoned).
    ///
    /// # Errors
    /// When the connection is lost; every later call fails too.
    async fn next(&mut self) -> Result<ReceivedMessage, MessageError>;
}

#[async_trait::async_trait]
impl<E: MessageExecutor + ?Sized> MessageExecutor for Arc<E> {
    async fn send(
        &self,
        channel: &ChannelTarget,
        message: &OutgoingMessage,
    ) -> Result<(), MessageError> {
        (**self).send(channel, message).await
    }
    async fn subscribe(
        &self,
        channel: &ChannelTarget,
    ) -> Result<Box<dyn Subscription>, MessageError> {
        (**self).subscribe(channel).await
    }
    async fn close(&self) {
        (**self).close().await;
    }
}

#[async_trait::async_trait]
impl<E: MessageExecutor + ?Sized> MessageExecutor for Box<E> {
    async fn send(
        &self,
        channel: &ChannelTarget,
        message: &OutgoingMessage,
    ) -> Result<(), MessageError> {
        (**self).send(channel, message).await
    }
    async fn subscribe(
        &self,
        channel: &ChannelTarget,
    ) -> Result<Box<dyn Subscription>, MessageError> {
        (**self).subscribe(channel).await
    }
    async fn close(&self) {
        (**self).close().await;
    }
}

#[async_trait::async_trait]
impl<E: MessageExecutor + ?Sized> MessageExecutor for &E {
    async fn send(
        &self,
        channel: &ChannelTarget,
        message: &OutgoingMessage,
    ) -> Result<(), MessageError> {
        (**self).send(channel, message).await
    }
    async fn subscribe(
        &self,
        channel: &ChannelTarget,
    ) -> Result<Box<dyn Subscription>, MessageError> {
        (**self).subscribe(channel).await
    }
    async fn close(&self) {
        (**self).close().await;
    }
}

#[async_trait::async_trait]
impl<S: Subscription + ?Sized> Subscription for Box<S> {
    async fn next(&mut self) -> Result<ReceivedMessage, MessageError> {
        (**self).next().await
    }
}

/// Picks the [`MessageExecutor`] of a target's protocol (AsyncAPI `protocol`, matched
/// case-insensitively); a protocol without one fails with [`MessageErrorKind::Unsupported`],
/// never falling back to another transport.
#[derive(Clone, Default)]
pub struct MessageRouter {
    routes: Vec<(String, Arc<dyn MessageExecutor>)>,
}

impl std::fmt::Debug for MessageRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageRouter")
            .field("protocols", &self.protocols().collect::<Vec<_>>())
            .finish()
    }
}

impl MessageRouter {
    /// A router with no protocol.
    pub fn new() -> Self {
        MessageRouter::default()
    }

    /// A router with every transport this build has, with default settings: `mqtt` (feature
    /// `mqtt`) and `nats` (feature `nats`).
    pub fn with_transports() -> Self {
        #[allow(unused_mut)]
        let mut router = MessageRouter::new();
        #[cfg(feature = "mqtt")]
        {
            router = router.route("mqtt", super::MqttExecutor::new());
        }
        #[cfg(feature = "nats")]
        {
            router = router.route("nats", super::NatsExecutor::new());
        }
        router
    }

    /// Sends `protocol` to `executor`, in place of any executor it had.
    pub fn route(
        mut self,
        protocol: impl Into<String>,
        executor: impl MessageExecutor + 'static,
    ) -> Self {
        let protocol = protocol.into().to_ascii_lowercase();
        self.routes.retain(|(known, _)| *known != protocol);
        self.routes.push((protocol, Arc::new(executor)));
        self
    }

    /// The protocols routed, in the order added.
    pub fn protocols(&self) -> impl Iterator<Item = &str> {
        self.routes.iter().map(|(protocol, _)| protocol.as_str())
    }

    /// The executor of `protocol`.
    ///
    /// # Errors
    /// [`MessageErrorKind::Unsupported`], naming the protocol, when none is routed.
    pub fn executor(&self, protocol: &str) -> Result<&dyn MessageExecutor, MessageError> {
        self.routes
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(protocol))
            .map(|(_, executor)| executor.as_ref())
            .ok_or_else(|| {
                let known = self.protocols().collect::<Vec<_>>();
                let known = if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                };
                MessageError::new(
                    MessageErrorKind::Unsupported,
                    format!("no transport for protocol `{protocol}` (this build has: {known})"),
                )
            })
    }
}

#[async_trait::async_trait]
impl MessageExecutor for MessageRouter {
    async fn send(
        &self,
        channel: &ChannelTarget,
        message: &OutgoingMessage,
    ) -> Result<(), MessageError> {
        self.executor(&channel.protocol)?
            .send(channel, message)
            .await
    }

    async fn subscribe(
        &self,
        channel: &ChannelTarget,
    ) -> Result<Box<dyn Subscription>, MessageError> {
        self.executor(&channel.protocol)?.subscribe(channel).await
    }

    async fn close(&self) {
        for (_, executor) in &self.routes {
            executor.close().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::MemoryBroker;

    #[test]
    fn host_port_reads_hosts_and_urls() {
        let port = |host: &str| ChannelTarget::new("mqtt", host, "t").host_port(1883);
        assert_eq!(port("broker").unwrap(), ("broker".to_string(), 1883));
        assert_eq!(port("127.0.0.1:9").unwrap(), ("127.0.0.1".to_string(), 9));
        assert_eq!(
            port("mqtt://broker.example:8883/").unwrap(),
            ("broker.example".to_string(), 8883)
        );
        assert_eq!(port("[::1]").unwrap(), ("::1".to_string(), 1883));
        assert_eq!(port("[::1]:7").unwrap(), ("::1".to_string(), 7));
        assert_eq!(port("broker:x").unwrap_err().kind, MessageErrorKind::Other);
        assert_eq!(port("").unwrap_err().kind, MessageErrorKind::Other);
    }

    #[tokio::test]
    async fn router_refuses_a_protocol_it_has_no_transport_for() {
        let router = MessageRouter::with_transports().route("memory", MemoryBroker::new());
        let kafka = ChannelTarget::new("kafka", "localhost:9092", "place-order");
        let err = router
            .send(&kafka, &OutgoingMessage::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind, MessageErrorKind::Unsupported);
        assert!(err.message.contains("`kafka`"), "{err}");
        assert!(err.message.contains("memory"), "{err}");
        let err = router.subscribe(&kafka).await.err().unwrap();
        assert_eq!(err.kind, MessageErrorKind::Unsupported);
    }

    #[cfg(not(feature = "mqtt"))]
    #[test]
    fn router_without_the_mqtt_feature_has_no_mqtt() {
        let err = MessageRouter::with_transports()
            .executor("mqtt")
            .err()
            .unwrap();
        assert_eq!(err.kind, MessageErrorKind::Unsupported);
    }

    #[tokio::test]
    async fn router_dispatches_by_protocol_case_insensitively() {
        let broker = MemoryBroker::new();
        let router = MessageRouter::new()
            .route("MQTT", broker.clone())
            .route("nats", MemoryBroker::new());
        assert_eq!(router.protocols().collect::<Vec<_>>(), ["mqtt", "nats"]);
        let target = ChannelTarget::new("Mqtt", "localhost", "a");
        let mut subscription = router.subscribe(&target).await.unwrap();
        let message = OutgoingMessage {
            payload: Bytes::from_static(b"x"),
            ..OutgoingMessage::default()
        };
        router.send(&target, &message).await.unwrap();
        assert_eq!(subscription.next().await.unwrap().payload, "x");
        assert_eq!(broker.sent().len(), 1);
    }
}
