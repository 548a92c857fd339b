//! Error answers as RFC 9457 problem details (`application/problem+json`), naming every
//! problem found with the request.

use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

/// The media type of problem answers.
pub(crate) const PROBLEM_JSON: HeaderValue = HeaderValue::from_static("application/problem+json");

/// An error answer: its status and what is wrong.
#[derive(Debug)]
pub(crate) struct Problem {
    pub(crate) status: StatusCode,
    /// The problems found, in request order (security, path, query, header, cookie, body).
    pub(crate) issues: Vec<Issue>,
    /// Replaces the issues' messages as `detail` when set (a fault, a missing route).
    pub(crate) detail: Option<String>,
    /// The `WWW-Authenticate` value of a 401 for an `Authorization` scheme.
    pub(crate) challenge: Option<HeaderValue>,
}

/// One problem with a request.
#[derive(Debug)]
pub(crate) struct Issue {
    /// Where: `path`, `query`, `header`, `cookie`, `body` or `security`.
    pub(crate) location: &'static str,
    /// The parameter, the body field (`address.city`), or the security scheme; empty for the
    /// whole body.
    pub(crate) name: String,
    /// What is wrong, a whole sentence: "missing required field `customerId` in the request body".
    pub(crate) message: String,
}

impl Problem {
    /// A problem with one issue.
    pub(crate) fn one(
        status: StatusCode,
        location: &'static str,
        name: &str,
        message: String,
    ) -> Problem {
        Problem {
            status,
            issues: vec![Issue {
                location,
                name: name.to_string(),
                message,
            }],
            detail: None,
            challenge: None,
        }
    }

    /// A problem described by `detail` alone.
    pub(crate) fn detail(status: StatusCode, detail: String) -> Problem {
        Problem {
            status,
            issues: Vec::new(),
            detail: Some(detail),
            challenge: None,
        }
    }

    /// The JSON body: `type`, `title`, `status`, `detail` (the messages joined by `; `) and
    /// `errors` (`in`, `name`, `message` of each issue).
    pub(crate) fn body(&self) -> Bytes {
        let detail = match &self.detail {
            Some(detail) => detail.clone(),
            None => self
                .issues
                .iter()
                .map(|issue| issue.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        };
        let mut body = json!({
            "type": "about:blank",
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": detail,
        });
        if !self.issues.is_empty() {
            body["errors"] = Value::Array(
                self.issues
                    .iter()
                    .map(|issue| {
                        json!({"in": issue.location, "name": issue.name, "message": issue.message})
                    })
                    .collect(),
            );
        }
        Bytes::from(body.to_string())
    }
}
