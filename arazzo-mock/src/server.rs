//! The HTTP/1.1 server (hyper on tokio, keep-alive): accepts connections until stopped, then
//! lets requests in flight finish.

use std::convert::Infallible;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arazzo_sources::OpenApi;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use url::Url;

use crate::error::MockError;
use crate::mock::{Mock, problem};
use crate::problem::Problem;

/// The largest request body read (larger ones get 413).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// How long [`MockServer::stop`] lets requests in flight finish.
const GRACE: Duration = Duration::from_secs(2);

/// Called once per answered request (e.g. to print a log line).
pub type Logger = Arc<dyn Fn(&Answered) + Send + Sync>;

/// How a mock server behaves.
#[derive(Clone)]
pub struct MockOptions {
    /// Where to listen: `127.0.0.1:0` (a free port on the loopback interface) by default.
    pub bind: SocketAddr,
    /// Echo: copy the request body's fields (and path parameters) into the response where its
    /// schema has a property of the same name and type. On by default.
    pub echo: bool,
    /// Requests to these paths answer the fault's status (after the credentials check).
    pub faults: Vec<Fault>,
    /// Added before every answer.
    pub delay: Duration,
    /// Called after every answer; `None` (the default) logs nothing.
    pub log: Option<Logger>,
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            echo: true,
            faults: Vec::new(),
            delay: Duration::ZERO,
            log: None,
        }
    }
}

impl fmt::Debug for MockOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockOptions")
            .field("bind", &self.bind)
            .field("echo", &self.echo)
            .field("faults", &self.faults)
            .field("delay", &self.delay)
            .field("log", &self.log.is_some())
            .finish()
    }
}

/// Fault injection: every request to `path` answers `status` with a problem body, once its
/// credentials pass. Written `PATH=STATUS` (`/ingest=500`); `path` is a path template of the
/// descriptions (`/pets/{petId}`: every pet) or a concrete path (`/pets/1`: that one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The path template or concrete path.
    pub path: String,
    /// The status answered: an error, 400 to 599.
    pub status: u16,
}

impl FromStr for Fault {
    type Err = MockError;

    fn from_str(text: &str) -> Result<Fault, MockError> {
        let invalid = |reason: &str| MockError::Fault {
            fault: text.to_string(),
            reason: reason.to_string(),
        };
        let (path, status) = text
            .rsplit_once('=')
            .ok_or_else(|| invalid("expected PATH=STATUS, e.g. `/ingest=500`"))?;
        if !path.starts_with('/') {
            return Err(invalid("the path must start with `/`"));
        }
        let status = status
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|status| (400..600).contains(status))
            .ok_or_else(|| invalid("the status must be an error status, 400 to 599"))?;
        Ok(Fault {
            path: path.to_string(),
            status,
        })
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.path, self.status)
    }
}

/// One answered request, as given to [`MockOptions::log`].
#[derive(Debug, Clone)]
pub struct Answered {
    /// The request's method.
    pub method: Method,
    /// The request's path and query, the values of apiKey query parameters and of
    /// parameters with secret-like names (`token`, `api_key`) as `***`.
    pub path: String,
    /// The status answered.
    pub status: StatusCode,
    /// From the request's head read to the answer ready (the delay included).
    pub duration: Duration,
}

/// An operation being served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Its method.
    pub method: Method,
    /// Its path template (`/pets/{petId}`).
    pub path: String,
    /// The status a valid request gets.
    pub status: u16,
    /// Its `operationId`, if any.
    pub operation_id: Option<String>,
    /// The name of the description it comes from (see [`OpenApi::name`]).
    pub source: String,
}

/// A running mock server. It stops with [`MockServer::stop`] (waiting for requests in
/// flight) or when dropped (without waiting).
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    routes: Vec<Route>,
    warnings: Vec<String>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

/// What every connection shares.
struct Shared {
    mock: Mock,
    delay: Duration,
    log: Option<Logger>,
}

impl MockServer {
    /// Compiles every operation of `apis` and serves them on [`MockOptions::bind`], from a
    /// task of the current tokio runtime (which must have the I/O and time drivers enabled).
    ///
    /// # Errors
    /// No operation to serve, a fault matching no operation, or the address cannot be bound.
    pub async fn start<'a>(
        apis: impl IntoIterator<Item = &'a OpenApi>,
        options: MockOptions,
    ) -> Result<MockServer, MockError> {
        let mut warnings = Vec::new();
        let mock = Mock::new(apis, options.echo, &options.faults, &mut warnings)?;
        let routes = mock.routes();
        let bind_failed = |err: std::io::Error| MockError::Bind {
            addr: options.bind,
            reason: arazzo_sources::io_reason(&err),
        };
        let listener = TcpListener::bind(options.bind).await.map_err(bind_failed)?;
        let addr = listener.local_addr().map_err(bind_failed)?;
        let shared = Arc::new(Shared {
            mock,
            delay: options.delay,
            log: options.log,
        });
        let (shutdown, stopped) = watch::channel(false);
        let task = tokio::spawn(serve(listener, shared, stopped));
        Ok(MockServer {
            addr,
            routes,
            warnings,
            shutdown,
            task: Some(task),
        })
    }

    /// The address listened on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port listened on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The base URL, `http://127.0.0.1:PORT/` (an unspecified bind address such as `0.0.0.0`
    /// is given as the loopback address).
    pub fn url(&self) -> Url {
        let ip = match self.addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => Ipv4Addr::LOCALHOST.into(),
            ip if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
            ip => ip,
        };
        let authority = SocketAddr::new(ip, self.addr.port());
        Url::parse(&format!("http://{authority}/")).expect("an address makes a URL")
    }

    /// The operations served, in document order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// What could not be compiled (a schema: its values are then not checked) or is defined
    /// twice.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Stops accepting connections, lets requests in flight finish (idle keep-alive
    /// connections are closed at once; at most 2 s), and releases the port.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            _ = stopped.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // E.g. too many open files: wait for connections to close.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let shared = Arc::clone(&shared);
                let mut stopped = stopped.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| respond(Arc::clone(&shared), request));
                    let connection = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(connection);
                    tokio::select! {
                        _ = connection.as_mut() => {}
                        _ = stopped.changed() => {
                            connection.as_mut().graceful_shutdown();
                            let _ = connection.await;
                        }
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}

async fn respond(
    shared: Arc<Shared>,
    request: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let response = match Limited::new(body, MAX_BODY).collect().await {
        Ok(body) => shared
            .mock
            .handle(&parts.method, &parts.uri, &parts.headers, &body.to_bytes()),
        Err(err) => {
            let (status, detail) = match err.downcast_ref::<http_body_util::LengthLimitError>() {
                Some(_) => (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("the request body is larger than {MAX_BODY} bytes"),
                ),
                None => (
                    StatusCode::BAD_REQUEST,
                    format!("the request body cannot be read: {err}"),
                ),
            };
            problem(&Problem::detail(status, detail))
        }
    };
    if !shared.delay.is_zero() {
        tokio::time::sleep(shared.delay).await;
    }
    if let Some(log) = &shared.log {
        log(&Answered {
            method: parts.method,
            path: shared.mock.logged_path(&parts.uri),
            status: response.status(),
            duration: started.elapsed(),
        });
    }
    Ok(response.map(Full::new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_parsed() {
        assert_eq!(
            "/pets/{petId}=503".parse::<Fault>().unwrap(),
            Fault {
                path: "/pets/{petId}".to_string(),
                status: 503
            }
        );
        let err = |text: &str| text.parse::<Fault>().unwrap_err().to_string();
        assert_eq!(
            err("/ingest"),
            "fault `/ingest`: expected PATH=STATUS, e.g. `/ingest=500`"
        );
        assert_eq!(
            err("/ingest=600"),
            "fault `/ingest=600`: the status must be an error status, 400 to 599"
        );
        assert_eq!(
            err("/ingest=100"),
            "fault `/ingest=100`: the status must be an error status, 400 to 599"
        );
        assert_eq!(
            err("ingest=500"),
            "fault `ingest=500`: the path must start with `/`"
        );
    }
}
