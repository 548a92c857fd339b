//! [`Recording`]: wraps any executor and keeps the transcript of what went through it.

use std::sync::Mutex;

use super::{Cassette, Exchange};
use crate::executor::{Executor, ExecutorError, Request, Response};
use crate::redact::Redactor;

/// Wraps an executor and keeps every request it sent and what came back (the transcript), to
/// pin in a test exactly what a workflow sent, or to write a cassette that a
/// [`ReplayExecutor`](super::ReplayExecutor) answers from later.
///
/// The engine takes its executor by value: share the recording through an `Arc` to read the
/// transcript after the run.
///
/// ```
/// use std::sync::Arc;
/// use arazzo_exec::{Cassette, Executor, Recording, Redactor, ReplayExecutor, Request};
///
/// let cassette = Cassette::from_yaml(r#"
/// exchanges:
/// - request: {method: GET, url: "https://api.example/pets?api_key=***"}
///   response: {status: 204}
/// "#)?;
/// let recording = Arc::new(Recording::new(ReplayExecutor::new(cassette)));
/// let executor: Arc<dyn Executor> = recording.clone();
/// let request = Request {
///     method: http::Method::GET,
///     url: "https://api.example/pets?api_key=s3cr3t".parse()?,
///     headers: vec![],
///     body: None,
/// };
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// executor.execute(&request).await?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// assert_eq!(recording.transcript()[0].0, request);
/// // Written out, the secret is redacted. After an `Engine::run`, pass the run's redactor:
/// // `recording.cassette(&report.redactor)`.
/// let written = recording.cassette(&Redactor::new(["s3cr3t".to_string()]));
/// assert_eq!(written.exchanges[0].request.url, "https://api.example/pets?api_key=***");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct Recording<E> {
    inner: E,
    transcript: Mutex<Vec<(Request, Result<Response, ExecutorError>)>>,
}

impl<E> Recording<E> {
    /// Records what goes through `inner`.
    pub fn new(inner: E) -> Recording<E> {
        Recording {
            inner,
            transcript: Mutex::default(),
        }
    }

    /// The wrapped executor.
    pub fn inner(&self) -> &E {
        &self.inner
    }

    /// Every request sent so far, in order, with its response or the error it got. Nothing
    /// is redacted: this is what went on the wire.
    pub fn transcript(&self) -> Vec<(Request, Result<Response, ExecutorError>)> {
        self.transcript
            .lock()
            .unwrap_or_else(|err| err.into_inner())
            .clone()
    }

    /// The exchanges that got a response, as a cassette with the default match policy, with
    /// secrets replaced by `***` (see [`Exchange::new`]). Requests that got no response are
    /// left out.
    ///
    /// Pass the run's redactor, [`WorkflowReport::redactor`](crate::WorkflowReport::redactor):
    /// it knows the credentials the engine added (`ARAZZO_AUTH_*`, scheme inputs, OAuth2
    /// secrets and tokens) as well as the secret inputs; the token request of an OAuth2 grant
    /// is in the transcript too.
    pub fn cassette(&self, redactor: &Redactor) -> Cassette {
        let transcript = self
            .transcript
            .lock()
            .unwrap_or_else(|err| err.into_inner());
        Cassette::new(
            transcript
                .iter()
                .filter_map(|(request, response)| {
                    let response = response.as_ref().ok()?;
                    Some(Exchange::new(request, response, redactor))
                })
                .collect(),
        )
    }
}

#[async_trait::async_trait]
impl<E: Executor> Executor for Recording<E> {
    async fn execute(&self, request: &Request) -> Result<Response, ExecutorError> {
        let result = self.inner.execute(request).await;
        self.transcript
            .lock()
            .unwrap_or_else(|err| err.into_inner())
            .push((request.clone(), result.clone()));
        result
    }
}
