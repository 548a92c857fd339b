//! [`Routed`]: send a workflow's requests to a running mock while every report, recording and
//! snapshot keeps the URLs of the OpenAPI description.

use arazzo_exec::{Executor, ExecutorError, Request, Response};
use url::Url;

/// An executor that sends every request to `origin` (a mock's URL), changing only the
/// scheme, host and port: `https://app.amberflo.io/meters` is served by
/// `http://127.0.0.1:4010/meters`. The engine, and a [`arazzo_exec::Recording`] wrapped around
/// this executor, see the request as written, so a cassette recorded against the mock replays
/// without it.
#[derive(Debug, Clone)]
pub(crate) struct Routed<E> {
    inner: E,
    origin: Url,
}

impl<E> Routed<E> {
    /// Routes the requests `inner` sends to `origin`.
    pub(crate) fn new(inner: E, origin: Url) -> Routed<E> {
        Routed { inner, origin }
    }
}

#[arazzo_exec::async_trait]
impl<E: Executor> Executor for Routed<E> {
    async fn execute(&self, request: &Request) -> Result<Response, ExecutorError> {
        let mut routed = request.clone();
        // Both are special schemes with a host, so none of these can fail.
        let _ = routed.url.set_scheme(self.origin.scheme());
        let _ = routed.url.set_host(self.origin.host_str());
        let _ = routed.url.set_port(self.origin.port_or_known_default());
        self.inner.execute(&routed).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[derive(Default)]
    struct Seen(Mutex<Vec<String>>);

    #[arazzo_exec::async_trait]
    impl Executor for Seen {
        async fn execute(&self, request: &Request) -> Result<Response, ExecutorError> {
            self.0.lock().unwrap().push(request.url.to_string());
            Ok(Response {
                status: 200,
                headers: Vec::new(),
                body: Default::default(),
            })
        }
    }

    #[tokio::test]
    async fn only_the_origin_changes() {
        let routed = Routed::new(
            Seen::default(),
            Url::parse("http://127.0.0.1:4010/").unwrap(),
        );
        let request = Request {
            method: "GET".parse().unwrap(),
            url: Url::parse("https://api.example.com/v1/pets?status=sold").unwrap(),
            headers: Vec::new(),
            body: None,
        };
        routed.execute(&request).await.unwrap();
        assert_eq!(
            routed.inner.0.lock().unwrap()[0],
            "http://127.0.0.1:4010/v1/pets?status=sold"
        );
    }
}
