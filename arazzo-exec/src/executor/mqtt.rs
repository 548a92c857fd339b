//! [`MqttExecutor`]: MQTT 5 through rumqttc, one connection per broker.
//!
//! Headers travel as MQTT 5 user properties (ordered, repeatable) and the content type as the
//! content-type property; messages are sent and subscribed with QoS 1.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rumqttc::Outgoing;
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::mqttbytes::v5::{
    Filter, Packet, PubAckReason, Publish, PublishProperties, RetainForwardRule,
    SubscribeProperties, SubscribeReasonCode,
};
use rumqttc::v5::{AsyncClient, ConnectionError, Event, EventLoop, MqttOptions};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::message::{
    ChannelTarget, MessageError, MessageErrorKind, MessageExecutor, OutgoingMessage,
    ReceivedMessage, Subscription,
};

/// Sends and receives messages over MQTT 5 (protocol `mqtt`), one connection per broker
/// shared by every send and subscription, opened on first use.
///
/// [`send`](MessageExecutor::send) returns on the broker's `PUBACK`; a refusal in it (not
/// authorised, quota) is a [`MessageErrorKind::Rejected`] error.
/// [`subscribe`](MessageExecutor::subscribe) returns on the `SUBACK`. A lost connection fails
/// its subscriptions and the waiting sends; the next call opens a new one. Retained messages
/// reach a new subscription, as MQTT has it. `secure-mqtt` (TLS) is not supported yet.
/// Clones share the connections.
#[derive(Debug, Clone)]
pub struct MqttExecutor {
    settings: MqttExecutorBuilder,
    connections: Arc<tokio::sync::Mutex<HashMap<Broker, Arc<Connection>>>>,
}

/// A broker's host and port.
type Broker = (String, u16);

/// Configures an [`MqttExecutor`].
#[derive(Debug, Clone)]
pub struct MqttExecutorBuilder {
    connect_timeout: Duration,
    ack_timeout: Duration,
    keep_alive: Duration,
    max_message_size: u32,
}

impl Default for MqttExecutorBuilder {
    fn default() -> Self {
        MqttExecutorBuilder {
            connect_timeout: Duration::from_secs(10),
            ack_timeout: Duration::from_secs(30),
            keep_alive: Duration::from_secs(30),
            max_message_size: 16 * 1024 * 1024,
        }
    }
}

impl MqttExecutorBuilder {
    /// How long connecting to a broker may take, `CONNACK` included (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long the broker may take to acknowledge a send or a subscription (default 30 s).
    pub fn ack_timeout(mut self, timeout: Duration) -> Self {
        self.ack_timeout = timeout;
        self
    }

    /// The keep-alive interval of the connections (default 30 s).
    pub fn keep_alive(mut self, interval: Duration) -> Self {
        self.keep_alive = interval;
        self
    }

    /// The largest MQTT packet accepted from the broker, in bytes (default 16 MiB).
    pub fn max_message_size(mut self, bytes: u32) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Builds the executor; it connects on first use.
    pub fn build(self) -> MqttExecutor {
        MqttExecutor {
            settings: self,
            connections: Arc::default(),
        }
    }
}

impl Default for MqttExecutor {
    fn default() -> Self {
        MqttExecutor::new()
    }
}

impl MqttExecutor {
    /// An executor with the default settings.
    pub fn new() -> MqttExecutor {
        MqttExecutorBuilder::default().build()
    }

    /// A builder for other settings.
    pub fn builder() -> MqttExecutorBuilder {
        MqttExecutorBuilder::default()
    }

    /// The live connection to `channel`'s broker, opened if there is none.
    async fn connection(&self, channel: &ChannelTarget) -> Result<Arc<Connection>, MessageError> {
        match channel.protocol.to_ascii_lowercase().as_str() {
            "mqtt" => {}
            "secure-mqtt" => {
                return Err(MessageError::new(
                    MessageErrorKind::Unsupported,
                    "MQTT over TLS (`secure-mqtt`) is not supported yet",
                ));
            }
            other => {
                return Err(MessageError::new(
                    MessageErrorKind::Unsupported,
                    format!("the MQTT transport does not speak `{other}`"),
                ));
            }
        }
        let key = channel.host_port(1883)?;
        // Held while connecting: concurrent first uses share one connection.
        let mut connections = self.connections.lock().await;
        if let Some(connection) = connections.get(&key)
            && connection.lost().is_none()
        {
            return Ok(connection.clone());
        }
        let connection = Arc::new(Connection::open(&self.settings, &key.0, key.1).await?);
        connections.insert(key, connection.clone());
        Ok(connection)
    }
}

#[async_trait::async_trait]
impl MessageExecutor for MqttExecutor {
    async fn send(
        &self,
        channel: &ChannelTarget,
        message: &OutgoingMessage,
    ) -> Result<(), MessageError> {
        let topic = &channel.address;
        if topic.is_empty() || topic.contains(['+', '#']) {
            return Err(MessageError::new(
                MessageErrorKind::Other,
                format!("cannot send to `{topic}`: not an MQTT topic name"),
            ));
        }
        let connection = self.connection(channel).await?;
        let properties = PublishProperties {
            user_properties: message.headers.clone(),
            content_type: message.content_type.clone(),
            ..PublishProperties::default()
        };
        let acked = connection
            .request(Pending::Publish, |client| async move {
                client
                    .publish_with_properties(
                        topic.clone(),
                        QoS::AtLeastOnce,
                        false,
                        message.payload.clone(),
                        properties,
                    )
                    .await
            })
            .await?;
        connection
            .acknowledged(acked, self.settings.ack_timeout, "send to", topic)
            .await
    }

    async fn subscribe(
        &self,
        channel: &ChannelTarget,
    ) -> Result<Box<dyn Subscription>, MessageError> {
        let connection = self.connection(channel).await?;
        let filter = channel.address.clone();
        let (sender, receiver) = mpsc::unbounded_channel();
        let (key, id) = connection.shared().add_route(&filter, sender);
        let subscription = MqttSubscription {
            receiver,
            connection: connection.clone(),
            filter: filter.clone(),
            key,
        };
        let mut request = Filter::new(filter.clone(), QoS::AtLeastOnce);
        // Subscribing again to a filter another subscription has must not resend the retained
        // messages to that one.
        request.retain_forward_rule = RetainForwardRule::OnNewSubscribe;
        let properties = SubscribeProperties {
            id: Some(id),
            user_properties: Vec::new(),
        };
        let acked = connection
            .request(Pending::Subscribe, |client| async move {
                client
                    .subscribe_many_with_properties([request], properties)
                    .await
            })
            .await?;
        connection
            .acknowledged(acked, self.settings.ack_timeout, "subscribe to", &filter)
            .await?;
        Ok(Box::new(subscription))
    }

    async fn close(&self) {
        let connections: Vec<_> = self.connections.lock().await.drain().collect();
        for (_, connection) in connections {
            connection.close().await;
        }
    }
}

/// A connection to one broker: the rumqttc client, and the task that drives its event loop.
#[derive(Debug)]
struct Connection {
    client: AsyncClient,
    shared: Arc<Mutex<Shared>>,
    /// Held while a request and its waiter are queued together: rumqttc reports the packet
    /// ids of requests in the order they were queued.
    order: tokio::sync::Mutex<()>,
    task: Mutex<Option<JoinHandle<()>>>,
    broker: String,
}

/// Which acknowledgement a request waits for.
#[derive(Debug, Clone, Copy)]
enum Pending {
    Publish,
    Subscribe,
}

/// The broker's answer to a request: `Err` with the refusal reason.
type Waiter = oneshot::Sender<Result<(), String>>;

/// What the connection task and the callers share.
#[derive(Debug, Default)]
struct Shared {
    /// Requests queued, waiting for rumqttc to give them a packet id.
    queued_publishes: VecDeque<Waiter>,
    queued_subscribes: VecDeque<Waiter>,
    /// Requests sent, by packet id, waiting for the broker's acknowledgement.
    publishes: HashMap<u16, Waiter>,
    subscribes: HashMap<u16, Waiter>,
    /// The subscriptions by topic filter.
    routes: HashMap<String, Route>,
    next_id: usize,
    next_key: u64,
    /// Why the connection ended, once it has.
    lost: Option<MessageError>,
}

/// The local subscriptions of one topic filter, and its MQTT 5 subscription identifier.
#[derive(Debug)]
struct Route {
    id: usize,
    subscribers: Vec<(u64, Delivery)>,
}

type Delivery = mpsc::UnboundedSender<Result<ReceivedMessage, MessageError>>;

impl Connection {
    async fn open(
        settings: &MqttExecutorBuilder,
        host: &str,
        port: u16,
    ) -> Result<Connection, MessageError> {
        let broker = format!("{host}:{port}");
        let mut options = MqttOptions::new(client_id(), host, port);
        options
            .set_keep_alive(settings.keep_alive)
            .set_clean_start(true)
            .set_connection_timeout(settings.connect_timeout.as_secs().max(1))
            .set_max_packet_size(Some(settings.max_message_size));
        let (client, eventloop) = AsyncClient::new(options, 64);
        let shared = Arc::new(Mutex::new(Shared::default()));
        let (connected, ready) = oneshot::channel();
        let task = tokio::spawn(drive(eventloop, shared.clone(), connected, broker.clone()));
        let connection = Connection {
            client,
            shared,
            order: tokio::sync::Mutex::new(()),
            task: Mutex::new(Some(task)),
            broker,
        };
        match tokio::time::timeout(settings.connect_timeout, ready).await {
            Ok(Ok(Ok(()))) => Ok(connection),
            Ok(Ok(Err(err))) => Err(err),
            Ok(Err(_)) => Err(connection.lost().unwrap_or_else(|| {
                MessageError::new(
                    MessageErrorKind::Connect,
                    format!("cannot connect to {}", connection.broker),
                )
            })),
            Err(_) => Err(MessageError::new(
                MessageErrorKind::Timeout,
                format!(
                    "connecting to {} timed out after {} ms",
                    connection.broker,
                    settings.connect_timeout.as_millis()
                ),
            )),
        }
    }

    fn shared(&self) -> MutexGuard<'_, Shared> {
        lock(&self.shared)
    }

    fn lost(&self) -> Option<MessageError> {
        self.shared().lost.clone()
    }

    /// Queues a request with `enqueue` and returns the receiver of its acknowledgement.
    async fn request<F, Fut>(
        &self,
        kind: Pending,
        enqueue: F,
    ) -> Result<oneshot::Receiver<Result<(), String>>, MessageError>
    where
        F: FnOnce(AsyncClient) -> Fut,
        Fut: Future<Output = Result<(), rumqttc::v5::ClientError>>,
    {
        let _order = self.order.lock().await;
        let (waiter, acked) = oneshot::channel();
        {
            let mut shared = self.shared();
            if let Some(lost) = &shared.lost {
                return Err(lost.clone());
            }
            shared.queue(kind).push_back(waiter);
        }
        if enqueue(self.client.clone()).await.is_err() {
            // Nothing else queued since (the order lock is held): the waiter is the last one.
            self.shared().queue(kind).pop_back();
            return Err(self.lost().unwrap_or_else(|| {
                MessageError::new(
                    MessageErrorKind::Connect,
                    format!("the connection to {} is closed", self.broker),
                )
            }));
        }
        Ok(acked)
    }

    /// Waits for the acknowledgement of a request to `what` (`send to`) `address`.
    async fn acknowledged(
        &self,
        acked: oneshot::Receiver<Result<(), String>>,
        timeout: Duration,
        what: &str,
        address: &str,
    ) -> Result<(), MessageError> {
        match tokio::time::timeout(timeout, acked).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(reason))) => Err(MessageError::new(
                MessageErrorKind::Rejected,
                format!(
                    "the broker at {} refused to {what} `{address}` ({reason})",
                    self.broker
                ),
            )),
            Ok(Err(_)) => Err(self.lost().unwrap_or_else(|| {
                MessageError::new(
                    MessageErrorKind::Connect,
                    format!("the connection to {} is closed", self.broker),
                )
            })),
            Err(_) => Err(MessageError::new(
                MessageErrorKind::Timeout,
                format!(
                    "the broker at {} did not acknowledge the {what} `{address}` within {} ms",
                    self.broker,
                    timeout.as_millis()
                ),
            )),
        }
    }

    /// Sends `DISCONNECT` and waits (a bounded time) for the task to end.
    async fn close(&self) {
        let task = lock(&self.task).take();
        let Some(mut task) = task else { return };
        if self.client.disconnect().await.is_ok()
            && tokio::time::timeout(Duration::from_secs(2), &mut task)
                .await
                .is_ok()
        {
            return;
        }
        task.abort();
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(task) = lock(&self.task).take() {
            task.abort();
        }
    }
}

impl Shared {
    fn queue(&mut self, kind: Pending) -> &mut VecDeque<Waiter> {
        match kind {
            Pending::Publish => &mut self.queued_publishes,
            Pending::Subscribe => &mut self.queued_subscribes,
        }
    }

    /// Adds a local subscriber to `filter`: its key and the filter's subscription identifier.
    fn add_route(&mut self, filter: &str, sender: Delivery) -> (u64, usize) {
        self.next_key += 1;
        let key = self.next_key;
        if !self.routes.contains_key(filter) {
            // Subscription identifiers start at 1.
            self.next_id += 1;
            let id = self.next_id;
            self.routes.insert(
                filter.to_string(),
                Route {
                    id,
                    subscribers: Vec::new(),
                },
            );
        }
        let route = self.routes.get_mut(filter).expect("inserted above");
        route.subscribers.push((key, sender));
        (key, route.id)
    }

    /// One event of the connection.
    fn handle(&mut self, event: Event) {
        match event {
            Event::Outgoing(Outgoing::Publish(pkid)) => {
                if let Some(waiter) = self.queued_publishes.pop_front() {
                    self.publishes.insert(pkid, waiter);
                }
            }
            Event::Outgoing(Outgoing::Subscribe(pkid)) => {
                if let Some(waiter) = self.queued_subscribes.pop_front() {
                    self.subscribes.insert(pkid, waiter);
                }
            }
            Event::Incoming(Packet::PubAck(ack)) => {
                if let Some(waiter) = self.publishes.remove(&ack.pkid) {
                    let answer = match ack.reason {
                        PubAckReason::Success | PubAckReason::NoMatchingSubscribers => Ok(()),
                        reason => Err(format!("{reason:?}")),
                    };
                    let _ = waiter.send(answer);
                }
            }
            Event::Incoming(Packet::SubAck(ack)) => {
                if let Some(waiter) = self.subscribes.remove(&ack.pkid) {
                    let refused = ack
                        .return_codes
                        .iter()
                        .find(|code| !matches!(code, SubscribeReasonCode::Success(_)));
                    let answer = match refused {
                        None => Ok(()),
                        Some(code) => Err(format!("{code:?}")),
                    };
                    let _ = waiter.send(answer);
                }
            }
            Event::Incoming(Packet::Publish(publish)) => self.deliver(publish),
            _ => {}
        }
    }

    /// Hands an incoming message to the subscriptions it was sent for: those of its
    /// subscription identifiers, or (a broker that sends none) those whose filter matches.
    fn deliver(&mut self, publish: Publish) {
        let address = String::from_utf8_lossy(&publish.topic).into_owned();
        let properties = publish.properties.unwrap_or_default();
        let ids = properties.subscription_identifiers;
        let message = ReceivedMessage {
            headers: properties.user_properties,
            payload: publish.payload,
            content_type: properties.content_type,
            address,
        };
        for (filter, route) in &mut self.routes {
            let wanted = if ids.is_empty() {
                topic_matches(filter, &message.address)
            } else {
                ids.contains(&route.id)
            };
            if wanted {
                route
                    .subscribers
                    .retain(|(_, sender)| sender.send(Ok(message.clone())).is_ok());
            }
        }
    }

    /// The connection ended: every waiter and subscription learns why.
    fn lose(&mut self, err: MessageError) {
        self.queued_publishes.clear();
        self.queued_subscribes.clear();
        self.publishes.clear();
        self.subscribes.clear();
        for (_, route) in self.routes.drain() {
            for (_, sender) in route.subscribers {
                let _ = sender.send(Err(err.clone()));
            }
        }
        self.lost = Some(err);
    }
}

/// Drives the event loop until the connection ends, then fails what still waits on it.
async fn drive(
    mut eventloop: EventLoop,
    shared: Arc<Mutex<Shared>>,
    connected: oneshot::Sender<Result<(), MessageError>>,
    broker: String,
) {
    let mut connected = Some(connected);
    let err = loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                if let Some(connected) = connected.take() {
                    let _ = connected.send(Ok(()));
                }
            }
            Ok(Event::Outgoing(Outgoing::Disconnect)) => {
                break MessageError::new(
                    MessageErrorKind::Connect,
                    format!("the connection to {broker} is closed"),
                );
            }
            Ok(event) => lock(&shared).handle(event),
            Err(err) => break connection_error(&err, &broker, connected.is_some()),
        }
    };
    if let Some(connected) = connected.take() {
        let _ = connected.send(Err(err.clone()));
    }
    lock(&shared).lose(err);
}

/// A one-line cause, e.g. `connection refused to 127.0.0.1:1883`.
fn connection_error(err: &ConnectionError, broker: &str, connecting: bool) -> MessageError {
    match err {
        ConnectionError::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            MessageError::new(
                MessageErrorKind::Connect,
                format!("connection refused to {broker}"),
            )
        }
        ConnectionError::Timeout(_) => MessageError::new(
            MessageErrorKind::Timeout,
            format!("connecting to {broker} timed out"),
        ),
        ConnectionError::ConnectionRefused(code) => MessageError::new(
            MessageErrorKind::Connect,
            format!("the broker at {broker} refused the connection ({code:?})"),
        ),
        err if connecting => MessageError::new(
            MessageErrorKind::Connect,
            format!("cannot connect to {broker} ({})", lowercase_first(err)),
        ),
        err => MessageError::new(
            MessageErrorKind::Connect,
            format!("lost the connection to {broker} ({})", lowercase_first(err)),
        ),
    }
}

/// rumqttc's messages start with a capital (`I/O: …`, `Mqtt state: …`).
fn lowercase_first(err: &ConnectionError) -> String {
    let text = err.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if !text.starts_with("I/O") => first.to_lowercase().chain(chars).collect(),
        _ => text,
    }
}

/// Whether the MQTT topic filter `filter` (`+` one level, `#` the rest) matches `topic`.
fn topic_matches(filter: &str, topic: &str) -> bool {
    // Wildcards at the first level never match the broker's own `$` topics.
    if topic.starts_with('$') && filter.starts_with(['+', '#']) {
        return false;
    }
    let mut levels = topic.split('/');
    for part in filter.split('/') {
        match (part, levels.next()) {
            ("#", _) => return true,
            ("+", Some(_)) => {}
            (part, Some(level)) if part == level => {}
            _ => return false,
        }
    }
    levels.next().is_none()
}

/// A client id no other connection has: 23 characters, the most MQTT 3.1.1 brokers must take.
fn client_id() -> String {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos() as u64);
    let mixed =
        nanos ^ (u64::from(std::process::id()) << 40) ^ COUNT.fetch_add(1, Ordering::Relaxed);
    format!("arazzo-{mixed:016x}")
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every change under these locks leaves the state consistent, even one cut by a panic.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The messages of one topic filter on one connection.
struct MqttSubscription {
    receiver: mpsc::UnboundedReceiver<Result<ReceivedMessage, MessageError>>,
    connection: Arc<Connection>,
    filter: String,
    key: u64,
}

#[async_trait::async_trait]
impl Subscription for MqttSubscription {
    async fn next(&mut self) -> Result<ReceivedMessage, MessageError> {
        match self.receiver.recv().await {
            Some(message) => message,
            None => Err(self.connection.lost().unwrap_or_else(|| {
                MessageError::new(MessageErrorKind::Connect, "the subscription is closed")
            })),
        }
    }
}

impl Drop for MqttSubscription {
    fn drop(&mut self) {
        let mut shared = self.connection.shared();
        let Some(route) = shared.routes.get_mut(&self.filter) else {
            return;
        };
        route.subscribers.retain(|(key, _)| *key != self.key);
        if route.subscribers.is_empty() {
            shared.routes.remove(&self.filter);
            // Under the lock: a new subscription to the filter queues its SUBSCRIBE after this.
            let _ = self.connection.client.try_unsubscribe(self.filter.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_filters_match_like_mqtt() {
        assert!(topic_matches("a/b", "a/b"));
        assert!(!topic_matches("a/b", "a/b/c"));
        assert!(!topic_matches("a/b/c", "a/b"));
        assert!(topic_matches("a/+/c", "a/b/c"));
        assert!(!topic_matches("a/+", "a/b/c"));
        assert!(topic_matches("a/#", "a/b/c"));
        assert!(topic_matches("a/#", "a"));
        assert!(topic_matches("#", "a/b"));
        assert!(!topic_matches("#", "$SYS/uptime"));
        assert!(topic_matches("$SYS/#", "$SYS/uptime"));
    }

    #[test]
    fn client_ids_differ_and_fit_mqtt_3() {
        let (first, second) = (client_id(), client_id());
        assert_ne!(first, second);
        assert_eq!(first.len(), 23);
    }

    #[tokio::test]
    async fn secure_mqtt_and_other_protocols_are_refused() {
        let executor = MqttExecutor::new();
        for protocol in ["secure-mqtt", "kafka"] {
            let target = ChannelTarget::new(protocol, "127.0.0.1:9", "t");
            let err = executor
                .send(&target, &OutgoingMessage::default())
                .await
                .unwrap_err();
            assert_eq!(err.kind, MessageErrorKind::Unsupported, "{err}");
            assert!(err.message.contains(protocol), "{err}");
        }
    }

    #[tokio::test]
    async fn wildcard_topics_cannot_be_sent_to() {
        let target = ChannelTarget::new("mqtt", "127.0.0.1:9", "orders/+");
        let err = MqttExecutor::new()
            .send(&target, &OutgoingMessage::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind, MessageErrorKind::Other, "{err}");
    }
}
