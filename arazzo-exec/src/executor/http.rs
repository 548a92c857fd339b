//! [`HttpExecutor`]: real HTTP through one `reqwest::Client`.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use arazzo_sources::client_builder;
use bytes::{Bytes, BytesMut};

use super::{Executor, ExecutorError, ExecutorErrorKind, Request, Response};

/// Sends requests over HTTP(S) with pooled `reqwest::Client`s (rustls).
///
/// Redirects are never followed (a `302` is a response the workflow may expect, with its
/// `Location` header); connect and request timeouts and a response-size cap are applied.
///
/// The clients are built on first use, one for `https` and one for plain `http`: loading the
/// system's root certificates (a third of a short run's time) happens only when a request
/// needs them. Clones share the clients and their connection pools.
#[derive(Debug, Clone)]
pub struct HttpExecutor {
    settings: HttpExecutorBuilder,
    /// For `https` URLs: the platform's root certificates.
    tls: Arc<OnceLock<reqwest::Client>>,
    /// For `http` URLs: no root certificates loaded (none is needed).
    plain: Arc<OnceLock<reqwest::Client>>,
    /// A proxy variable names an `https` proxy: plain `http` requests need the roots too.
    https_proxy: bool,
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
    /// None at present: the HTTP clients are built on first use, and a client that cannot be
    /// built (the TLS backend) fails that request.
    pub fn build(self) -> Result<HttpExecutor, ExecutorError> {
        Ok(HttpExecutor {
            max_body: self.max_body,
            settings: self,
            tls: Arc::default(),
            plain: Arc::default(),
            https_proxy: https_proxy_configured(),
        })
    }

    /// A client; `with_roots: false` loads no root certificate (for plain `http` only).
    fn client(&self, with_roots: bool) -> Result<reqwest::Client, ExecutorError> {
        let mut builder = client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(concat!("arazzo/", env!("CARGO_PKG_VERSION")));
        if !with_roots {
            builder = builder.tls_certs_only([]);
        }
        builder.build().map_err(|err| {
            ExecutorError::new(
                ExecutorErrorKind::Other,
                format!("cannot build the HTTP client: {err}"),
            )
        })
    }
}

impl HttpExecutor {
    /// The client for `url`, built on first use.
    fn client_for(&self, url: &url::Url) -> Result<&reqwest::Client, ExecutorError> {
        let with_roots = url.scheme() != "http" || self.https_proxy;
        let cell = if with_roots { &self.tls } else { &self.plain };
        if let Some(client) = cell.get() {
            return Ok(client);
        }
        let client = self.settings.client(with_roots)?;
        Ok(cell.get_or_init(|| client))
    }

    /// An executor with the default settings.
    ///
    /// # Errors
    /// As [`HttpExecutorBuilder::build`].
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
            .client_for(&request.url)?
            .request(request.method.clone(), request.url.clone());
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

/// Whether a proxy environment variable names an `https` proxy.
fn https_proxy_configured() -> bool {
    ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .filter_map(std::env::var_os)
        .any(|proxy| proxy.to_string_lossy().trim().starts_with("https"))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// reqwest has no TLS provider of its own in this build: the `https` client must be built
    /// on the one `install_tls_provider` puts in place (a missing provider panics here).
    #[tokio::test]
    async fn https_requests_run_on_the_installed_provider() {
        let unused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = unused.local_addr().unwrap().port();
        drop(unused);
        let executor = HttpExecutor::new().unwrap();
        let request = Request {
            method: http::Method::GET,
            url: format!("https://127.0.0.1:{port}/").parse().unwrap(),
            headers: Vec::new(),
            body: None,
        };
        let err = executor.execute(&request).await.unwrap_err();
        assert_eq!(err.kind, ExecutorErrorKind::Connect, "{err}");
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
