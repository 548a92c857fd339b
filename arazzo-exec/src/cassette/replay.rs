//! [`ReplayExecutor`]: answers from a [`Cassette`], without any network.

use std::path::Path;
use std::sync::Mutex;

use super::{Cassette, CassetteError, Exchange, MatchPolicy, request_summary};
use crate::executor::{Executor, ExecutorError, ExecutorErrorKind, Request, Response};

/// How the error of a request the cassette cannot answer begins (its kind is
/// [`ExecutorErrorKind::NoRecording`]): what a step report's error starts with when the
/// cassette, not the workflow, is out of date.
pub const NO_RECORDING: &str = "no recorded exchange";

/// Answers requests from recorded exchanges: no socket is opened.
///
/// Each request is answered by the **first unused exchange, in cassette order, whose request
/// matches** under the cassette's [`MatchPolicy`]; that exchange is then used up. So repeated
/// identical requests (polling) get the recorded responses in order, and requests sent in
/// another order than recorded still find theirs.
///
/// A request that no unused exchange matches is an [`ExecutorError`] of kind
/// [`ExecutorErrorKind::NoRecording`] whose message shows the expected request (the closest
/// unused exchange: same method and path first) and the actual one, and the first difference.
/// The engine makes that the step's error.
///
/// ```
/// use arazzo_exec::{Cassette, Executor, ReplayExecutor, Request};
///
/// let cassette = Cassette::from_yaml(r#"
/// exchanges:
/// - request: {method: GET, url: "https://api.example/pets/1"}
///   response: {status: 200, headers: [{content-type: application/json}], body: {name: Rex}}
/// "#)?;
/// let replay = ReplayExecutor::new(cassette);
/// let request = Request {
///     method: http::Method::GET,
///     url: "https://api.example/pets/1".parse()?,
///     headers: vec![],
///     body: None,
/// };
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let response = replay.execute(&request).await?;
/// assert_eq!(response.body, r#"{"name":"Rex"}"#);
/// // Used up: the same request again has no recording.
/// let again = replay.execute(&request).await.unwrap_err();
/// assert!(again.message.starts_with("no recorded exchange left for `GET https://api.example/pets/1`"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ReplayExecutor {
    exchanges: Vec<Exchange>,
    policy: MatchPolicy,
    used: Mutex<Vec<bool>>,
}

impl ReplayExecutor {
    /// Answers from `cassette`, matching with its policy.
    pub fn new(cassette: Cassette) -> ReplayExecutor {
        ReplayExecutor {
            used: Mutex::new(vec![false; cassette.exchanges.len()]),
            exchanges: cassette.exchanges,
            policy: cassette.policy,
        }
    }

    /// Answers from the cassette file at `path`.
    ///
    /// # Errors
    /// When the file cannot be read or is not a cassette.
    pub fn from_path(path: impl AsRef<Path>) -> Result<ReplayExecutor, CassetteError> {
        Ok(ReplayExecutor::new(Cassette::from_path(path)?))
    }

    /// Replaces the cassette's matching policy.
    pub fn with_policy(mut self, policy: MatchPolicy) -> ReplayExecutor {
        self.policy = policy;
        self
    }

    /// The matching policy.
    pub fn policy(&self) -> &MatchPolicy {
        &self.policy
    }

    /// The exchanges no request has used yet (e.g. because the workflow stopped early or no
    /// longer sends them).
    pub fn unused(&self) -> Vec<&Exchange> {
        let used = self.used.lock().unwrap_or_else(|err| err.into_inner());
        self.exchanges
            .iter()
            .zip(used.iter())
            .filter(|(_, used)| !**used)
            .map(|(exchange, _)| exchange)
            .collect()
    }

    fn answer(&self, request: &Request) -> Result<Response, ExecutorError> {
        let mut used = self.used.lock().unwrap_or_else(|err| err.into_inner());
        let unused = || (0..self.exchanges.len()).filter(|index| !used[*index]);
        let matches = |index: &usize, request: &Request| {
            self.policy
                .check(&self.exchanges[*index].request, request)
                .is_ok()
        };
        // A cassette recorded with `--server api=http://localhost:8080` replays without it:
        // when no exchange matches exactly, one that matches on another origin (scheme, host,
        // port) does.
        let found = unused().find(|index| matches(index, request)).or_else(|| {
            unused().find(|index| {
                with_origin_of(request, &self.exchanges[*index].request.url)
                    .is_some_and(|moved| matches(index, &moved))
            })
        });
        if let Some(index) = found {
            used[index] = true;
            return Ok(self.exchanges[index].to_response());
        }
        let actual = request_summary(request);
        let same_route = |index: &usize| {
            let recorded = &self.exchanges[*index].request;
            recorded
                .method
                .eq_ignore_ascii_case(request.method.as_str())
                && url::Url::parse(&recorded.url).is_ok_and(|url| url.path() == request.url.path())
        };
        let closest = unused().find(same_route).or_else(|| unused().next());
        let message = match closest {
            None => format!(
                "{NO_RECORDING} left for `{} {}` (the cassette's {} exchanges are used)\n  \
                 actual:   {actual}",
                request.method,
                request.url,
                self.exchanges.len()
            ),
            Some(index) => {
                let expected = &self.exchanges[index].request;
                let difference = self
                    .policy
                    .check(expected, request)
                    .expect_err("no unused exchange matches");
                format!(
                    "{NO_RECORDING} matches `{} {}`\n  expected: {}\n  actual:   {actual}\n  \
                     first difference: {difference}",
                    request.method,
                    request.url,
                    expected.summary()
                )
            }
        };
        Err(ExecutorError::new(ExecutorErrorKind::NoRecording, message))
    }
}

/// `request` sent to the origin of the URL `recorded` instead of its own.
fn with_origin_of(request: &Request, recorded: &str) -> Option<Request> {
    let recorded = url::Url::parse(recorded).ok()?;
    if recorded.origin() == request.url.origin() {
        return None;
    }
    let mut moved = request.clone();
    moved.url.set_scheme(recorded.scheme()).ok()?;
    moved.url.set_host(recorded.host_str()).ok()?;
    moved.url.set_port(recorded.port()).ok()?;
    Some(moved)
}

#[async_trait::async_trait]
impl Executor for ReplayExecutor {
    async fn execute(&self, request: &Request) -> Result<Response, ExecutorError> {
        self.answer(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cassette::{Body, RecordedRequest, RecordedResponse};
    use serde_json::json;

    fn exchange(url: &str, body: serde_json::Value, status: u16) -> Exchange {
        Exchange {
            request: RecordedRequest {
                method: "POST".into(),
                url: url.into(),
                headers: vec![],
                body: Some(Body::Json(body)),
            },
            response: RecordedResponse {
                status,
                headers: vec![],
                body: None,
            },
        }
    }

    fn request(url: &str, body: serde_json::Value) -> Request {
        Request {
            method: http::Method::POST,
            url: url.parse().unwrap(),
            headers: vec![],
            body: Some(body.to_string().into()),
        }
    }

    #[test]
    fn first_unused_match_in_order() {
        let replay = ReplayExecutor::new(Cassette::new(vec![
            exchange("https://a.example/poll", json!({}), 202),
            exchange("https://a.example/other", json!({}), 200),
            exchange("https://a.example/poll", json!({}), 201),
        ]));
        let poll = request("https://a.example/poll", json!({}));
        assert_eq!(replay.answer(&poll).unwrap().status, 202);
        assert_eq!(replay.answer(&poll).unwrap().status, 201);
        assert_eq!(replay.unused().len(), 1);
        let error = replay.answer(&poll).unwrap_err();
        assert_eq!(error.kind, ExecutorErrorKind::NoRecording);
        // The closest unused exchange is shown even when its route differs.
        assert_eq!(
            error.message,
            "no recorded exchange matches `POST https://a.example/poll`\n  \
             expected: POST https://a.example/other {}\n  \
             actual:   POST https://a.example/poll {}\n  \
             first difference: url: expected `https://a.example/other`, got `https://a.example/poll`"
        );
    }

    #[test]
    fn an_exchange_recorded_on_another_origin_answers_when_none_matches_exactly() {
        let replay = ReplayExecutor::new(Cassette::new(vec![
            exchange("http://localhost:8080/pets", json!({"n": 1}), 201),
            exchange("https://api.example/pets", json!({"n": 1}), 200),
        ]));
        let sent = request("https://api.example/pets", json!({"n": 1}));
        assert_eq!(
            replay.answer(&sent).unwrap().status,
            200,
            "the exact match first"
        );
        assert_eq!(
            replay.answer(&sent).unwrap().status,
            201,
            "then the other origin"
        );
        let other_path = request("https://api.example/cats", json!({"n": 1}));
        assert!(replay.answer(&other_path).is_err());
    }

    #[test]
    fn mismatch_shows_expected_and_actual() {
        let replay = ReplayExecutor::new(Cassette::new(vec![
            exchange("https://a.example/x", json!({"n": 1}), 200),
            exchange(
                "https://a.example/meters",
                json!({"name": "api-calls"}),
                200,
            ),
        ]));
        let error = replay
            .answer(&request(
                "https://a.example/meters",
                json!({"name": "other"}),
            ))
            .unwrap_err();
        assert_eq!(
            error.message,
            "no recorded exchange matches `POST https://a.example/meters`\n  \
             expected: POST https://a.example/meters {\"name\":\"api-calls\"}\n  \
             actual:   POST https://a.example/meters {\"name\":\"other\"}\n  \
             first difference: body `/name`: expected `\"api-calls\"`, got `\"other\"`"
        );
    }
}
