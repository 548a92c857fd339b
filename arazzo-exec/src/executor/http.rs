//! [`HttpExecutor`]: real HTTP through one `reqwest::Client`.

use std::time::Duration;

use bytes::{Bytes, BytesMut};

use super::{Executor, ExecutorError, ExecutorErrorKind, Request, Response};

/// Sends requests over HTTP(S) with one pooled `reqwest::Client` (rustls).
///
/// Redirects are never followed (a `302` is a response the workflow may expect, with its
/// `Location` header); connect and request timeouts and a response-size cap are applied.
#[derive(Debug, Clone)]
pub struct HttpExecutor {
    client: reqwest::Client,
    max_body: usize,
}

/// Configures an [`HttpExecutor`].
#[derive(Debug, Clone)]
pub struct HttpExecutorBuilder {
    connect_timeout: Duration,
    timeout: Duration,
    max_body: usize,
}

impl Default for HttpExecutorBuilder {
    fn default() -> Self {
        HttpExecutorBuilder {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body: 16 * 1024 * 1024,
        }
    }
}

impl HttpExecutorBuilder {
    /// How long connecting may take (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a whole request may take, body included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest response body accepted, in bytes (default 16 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Builds the executor.
    ///
    /// # Errors
    /// When the TLS backend cannot be initialised.
    pub fn build(self) -> Result<HttpExecutor, ExecutorError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(concat!("arazzo/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| {
                ExecutorError::new(
                    ExecutorErrorKind::Other,
                    format!("cannot build the HTTP client: {err}"),
                )
            })?;
        Ok(HttpExecutor {
            client,
            max_body: self.max_body,
        })
    }
}

impl HttpExecutor {
    /// An executor with the default settings.
    ///
    /// # Errors
    /// When the TLS backend cannot be initialised.
    pub fn new() -> Result<HttpExecutor, ExecutorError> {
        HttpExecutorBuilder::default().build()
    }

    /// A builder for other settings.
    pub fn builder() -> HttpExecutorBuilder {
        HttpExecutorBuilder::default()
    }
}

#[async_trait::async_trait]
impl Executor for HttpExecutor {
    async fn execute(&self, request: &Request) -> Result<Response, ExecutorError> {
        let mut builder = self
            .client
            .request(request.method.clone(), request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let mut response = builder
            .send()
            .await
            .map_err(|err| transport_error(&err, &request.url))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = BytesMut::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| transport_error(&err, &request.url))?
        {
            if body.len() + chunk.len() > self.max_body {
                return Err(ExecutorError::new(
                    ExecutorErrorKind::TooLarge,
                    format!(
                        "the response from {} is larger than {} bytes",
                        origin(&request.url),
                        self.max_body
                    ),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body: Bytes::from(body),
        })
    }
}

/// `host:port` of a URL, for messages.
fn origin(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// A one-line cause, e.g. `connection refused to 127.0.0.1:9`.
fn transport_error(err: &reqwest::Error, url: &url::Url) -> ExecutorError {
    let target = origin(url);
    if err.is_timeout() {
        return ExecutorError::new(
            ExecutorErrorKind::Timeout,
            format!("timed out waiting for {target}"),
        );
    }
    // reqwest's own message is generic ("error sending request"); the root cause says why.
    let mut cause: &dyn std::error::Error = err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let reason = cause.to_string();
    let lower = reason.to_lowercase();
    if err.is_connect() {
        let what = if lower.contains("refused") {
            "connection refused".to_string()
        } else {
            format!("cannot connect ({reason})")
        };
        return ExecutorError::new(ExecutorErrorKind::Connect, format!("{what} to {target}"));
    }
    ExecutorError::new(
        ExecutorErrorKind::Other,
        format!("request to {target} failed: {reason}"),
    )
}
