//! The pluggable seams: an [`Executor`] sends a fully resolved [`Request`] and returns the
//! [`Response`]; a [`MessageExecutor`] sends and receives the messages of AsyncAPI steps. The
//! engine never sees reqwest or a broker client; tests and embedding tools plug their own.

mod http;
mod memory;
mod message;
#[cfg(feature = "mqtt")]
mod mqtt;
#[cfg(feature = "nats")]
mod nats;

use std::sync::Arc;

use bytes::Bytes;

pub use self::http::{HttpExecutor, HttpExecutorBuilder};
pub use self::memory::{MemoryBroker, SentMessage};
pub use self::message::{
    ChannelTarget, MessageError, MessageErrorKind, MessageExecutor, MessageRouter, OutgoingMessage,
    ReceivedMessage, Subscription,
};
#[cfg(feature = "mqtt")]
pub use self::mqtt::{MqttExecutor, MqttExecutorBuilder};
#[cfg(feature = "nats")]
pub use self::nats::{NatsExecutor, NatsExecutorBuilder};

/// An HTTP request with every runtime expression already substituted.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The method.
    pub method: ::http::Method,
    /// The full URL, query string included.
    pub url: url::Url,
    /// Header fields in the order they are sent; names as written.
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<Bytes>,
}

/// An HTTP response, read whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The status code. Any status is a response: a 500 is `Ok`, not an error.
    pub status: u16,
    /// Header fields in the order received; names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

impl Response {
    /// The first value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

/// The first value of header `name` in `headers`, matched case-insensitively.
pub(crate) fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// A request got no response.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ExecutorError {
    /// What kind of failure.
    pub kind: ExecutorErrorKind,
    /// One line for people, e.g. `connection refused to 127.0.0.1:9`; a replay mismatch
    /// ([`ExecutorErrorKind::NoRecording`]) adds lines with the expected and actual request.
    pub message: String,
}

/// The kinds of [`ExecutorError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExecutorErrorKind {
    /// Nothing answered: refused, unreachable, DNS, TLS.
    Connect,
    /// The connect or request timeout passed.
    Timeout,
    /// The response body is larger than the configured cap.
    TooLarge,
    /// No recorded exchange matches (replay executors).
    NoRecording,
    /// Anything else.
    Other,
}

impl ExecutorError {
    /// An error of `kind` with a message.
    pub fn new(kind: ExecutorErrorKind, message: impl Into<String>) -> Self {
        ExecutorError {
            kind,
            message: message.into(),
        }
    }
}

/// Sends resolved requests. Implemented by [`HttpExecutor`] and by test doubles.
///
/// Only [`execute`](Executor::execute) is required. The trait is dyn-compatible: the engine
/// holds an `Arc<dyn Executor>`, so a tool embedding it plugs its own implementation (a
/// recording proxy, an in-process service, a replay of recorded traffic). Implement it with
/// `#[arazzo_exec::async_trait]` on the `impl` (the crate re-exports `async-trait`'s
/// attribute; see the crate example).
#[async_trait::async_trait]
pub trait Executor: Send + Sync {
    /// Sends `request` and waits for the whole response. Any HTTP status is `Ok`; `Err` means
    /// there was no response.
    async fn execute(&self, request: &Request) -> Result<Response, ExecutorError>;
}

#[async_trait::async_trait]
impl<E: Executor + ?Sized> Executor for Arc<E> {
    async fn execute(&self, request: &Request) -> Result<Response, ExecutorError> {
        (**self).execute(request).await
    }
}

#[async_trait::async_trait]
impl<E: Executor + ?Sized> Executor for Box<E> {
    async fn execute(&self, request: &Request) -> Result<Response, ExecutorError> {
        (**self).execute(request).await
    }
}

#[async_trait::async_trait]
impl<E: Executor + ?Sized> Executor for &E {
    async fn execute(&self, request: &Request) -> Result<Response, ExecutorError> {
        (**self).execute(request).await
    }
}
