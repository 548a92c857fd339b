//! [`MemoryBroker`]: a broker inside the process, for engine tests, mocks and replays.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc;

use super::message::{
    ChannelTarget, MessageError, MessageErrorKind, MessageExecutor, OutgoingMessage,
    ReceivedMessage, Subscription,
};

/// A broker in memory: every message sent to an address reaches every subscription open on
/// that address at the time, in the order sent. Nothing is kept for later subscribers (like
/// MQTT without retain, NATS), and no address has wildcards.
///
/// It takes every protocol and server: targets are told apart by [`ChannelTarget::address`]
/// alone, so one broker stands in for all of a run's brokers. Headers and content type are
/// delivered as sent. Clones share the broker.
#[derive(Debug, Clone, Default)]
pub struct MemoryBroker {
    inner: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    subscribers: HashMap<String, Vec<mpsc::UnboundedSender<ReceivedMessage>>>,
    sent: Vec<SentMessage>,
}

/// A message [`MemoryBroker`] took, with its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    /// Where it was sent.
    pub channel: ChannelTarget,
    /// What was sent.
    pub message: OutgoingMessage,
}

impl MemoryBroker {
    /// An empty broker.
    pub fn new() -> Self {
        MemoryBroker::default()
    }

    /// Every message sent so far, in order (delivered or not).
    pub fn sent(&self) -> Vec<SentMessage> {
        self.state().sent.clone()
    }

    /// How many subscriptions are open on `address`: a mock answers a request only once the
    /// workflow listens for the answer.
    pub fn subscribers(&self, address: &str) -> usize {
        let mut state = self.state();
        match state.subscribers.get_mut(address) {
            Some(senders) => {
                senders.retain(|sender| !sender.is_closed());
                senders.len()
            }
            None => 0,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent across a panic (every change is one push or retain).
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait::async_trait]
impl MessageExecutor for MemoryBroker {
    async fn send(
        &self,
        channel: &ChannelTarget,
        message: &OutgoingMessage,
    ) -> Result<(), MessageError> {
        let mut state = self.state();
        if let Some(senders) = state.subscribers.get_mut(&channel.address) {
            let received = ReceivedMessage {
                address: channel.address.clone(),
                headers: message.headers.clone(),
                payload: message.payload.clone(),
                content_type: message.content_type.clone(),
            };
            senders.retain(|sender| sender.send(received.clone()).is_ok());
        }
        state.sent.push(SentMessage {
            channel: channel.clone(),
            message: message.clone(),
        });
        Ok(())
    }

    async fn subscribe(
        &self,
        channel: &ChannelTarget,
    ) -> Result<Box<dyn Subscription>, MessageError> {
        let (sender, receiver) = mpsc::unbounded_channel();
        self.state()
            .subscribers
            .entry(channel.address.clone())
            .or_default()
            .push(sender);
        Ok(Box::new(MemorySubscription {
            receiver,
            _broker: self.clone(),
        }))
    }
}

/// A subscription to a [`MemoryBroker`] address; it keeps the broker alive.
struct MemorySubscription {
    receiver: mpsc::UnboundedReceiver<ReceivedMessage>,
    _broker: MemoryBroker,
}

#[async_trait::async_trait]
impl Subscription for MemorySubscription {
    async fn next(&mut self) -> Result<ReceivedMessage, MessageError> {
        // `recv` is cancellation-safe; the sender lives in the broker this subscription holds,
        // so `None` cannot happen while the subscription exists.
        self.receiver.recv().await.ok_or_else(|| {
            MessageError::new(MessageErrorKind::Other, "the in-memory broker is gone")
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;

    use super::*;

    fn target(address: &str) -> ChannelTarget {
        ChannelTarget::new("kafka", "localhost:9092", address)
    }

    fn message(payload: &'static str) -> OutgoingMessage {
        OutgoingMessage {
            headers: vec![
                ("orderRequestId".to_string(), "42".to_string()),
                ("b".to_string(), "1".to_string()),
                ("b".to_string(), "2".to_string()),
            ],
            payload: Bytes::from_static(payload.as_bytes()),
            content_type: Some("application/json".to_string()),
        }
    }

    /// A bounded wait for a message that must come (or, with `None`, must not).
    async fn next_within(subscription: &mut dyn Subscription) -> Option<ReceivedMessage> {
        tokio::time::timeout(Duration::from_millis(50), subscription.next())
            .await
            .ok()
            .map(Result::unwrap)
    }

    #[tokio::test]
    async fn memory_broker_fans_out_to_every_subscription_of_the_address() {
        let broker = MemoryBroker::new();
        let mut first = broker.subscribe(&target("confirm-order")).await.unwrap();
        let mut second = broker.subscribe(&target("confirm-order")).await.unwrap();
        let mut other = broker.subscribe(&target("place-order")).await.unwrap();
        broker
            .send(&target("confirm-order"), &message("{\"orderId\":1}"))
            .await
            .unwrap();
        broker
            .send(&target("confirm-order"), &message("{\"orderId\":2}"))
            .await
            .unwrap();
        for subscription in [&mut first, &mut second] {
            let received = next_within(subscription.as_mut()).await.unwrap();
            assert_eq!(received.address, "confirm-order");
            assert_eq!(received.payload, "{\"orderId\":1}");
            assert_eq!(received.headers, message("").headers);
            assert_eq!(received.header("ORDERREQUESTID"), Some("42"));
            assert_eq!(received.content_type.as_deref(), Some("application/json"));
            let received = next_within(subscription.as_mut()).await.unwrap();
            assert_eq!(received.payload, "{\"orderId\":2}");
        }
        assert_eq!(next_within(other.as_mut()).await, None);
    }

    #[tokio::test]
    async fn memory_broker_keeps_nothing_for_later_subscriptions() {
        let broker = MemoryBroker::new();
        broker
            .send(&target("confirm-order"), &message("early"))
            .await
            .unwrap();
        let mut late = broker.subscribe(&target("confirm-order")).await.unwrap();
        assert_eq!(next_within(late.as_mut()).await, None);
        broker
            .send(&target("confirm-order"), &message("on time"))
            .await
            .unwrap();
        assert_eq!(next_within(late.as_mut()).await.unwrap().payload, "on time");
        let sent = broker.sent();
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0].message.payload, "early");
        assert_eq!(sent[1].channel, target("confirm-order"));
    }

    #[tokio::test]
    async fn memory_subscription_survives_an_abandoned_wait() {
        let broker = MemoryBroker::new();
        let mut subscription = broker.subscribe(&target("a")).await.unwrap();
        assert_eq!(next_within(subscription.as_mut()).await, None);
        broker.send(&target("a"), &message("after")).await.unwrap();
        assert_eq!(
            next_within(subscription.as_mut()).await.unwrap().payload,
            "after"
        );
    }

    #[tokio::test]
    async fn memory_broker_counts_open_subscriptions() {
        let broker = MemoryBroker::new();
        assert_eq!(broker.subscribers("a"), 0);
        let first = broker.subscribe(&target("a")).await.unwrap();
        let second = broker.subscribe(&target("a")).await.unwrap();
        assert_eq!(broker.subscribers("a"), 2);
        drop(first);
        assert_eq!(broker.subscribers("a"), 1);
        drop(second);
        broker.send(&target("a"), &message("nobody")).await.unwrap();
        assert_eq!(broker.subscribers("a"), 0);
    }
}
