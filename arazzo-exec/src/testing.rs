//! Snapshot tests of workflows in your own test suite (cargo feature `testing`).
//!
//! A workflow, its inputs and a cassette (recorded once with `arazzo run --record`) become an
//! [insta](https://insta.rs) snapshot test: the workflow runs through a [`ReplayExecutor`]
//! (no network), and its report, made deterministic by [`snapshot_report`](crate::snapshot_report)
//! (durations, dates and secrets normalised), is compared with the committed snapshot. Any
//! change in what the workflow sends or receives is a reviewable diff (`cargo insta review`,
//! or `INSTA_UPDATE=always cargo test` then `git diff`); with `CI` set insta writes nothing
//! and a difference fails the test.
//!
//! ```toml
//! [dev-dependencies]
//! arazzo-exec = { version = "0.1", features = ["testing"] }
//! ```
//!
//! # Example
//!
//! In `tests/workflows.rs` (relative paths are from the package root, where `cargo test`
//! runs); here the cassette was recorded with the secret redacted and another `sentAt`, which
//! its `match` policy ignores:
//!
//! ```
//! # let arazzo = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/workflows/redacted-secrets/arazzo.yaml");
//! # let cassette = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/workflows/redacted-secrets/cassette.yaml");
//! // #[test]
//! // fn send_event() {
//! //     let arazzo = "workflows/send-event/arazzo.yaml";
//! //     let cassette = "workflows/send-event/cassette.yaml";
//! let inputs = serde_json::json!({"apiKey": "live-key-0427", "user": "ada", "sentAt": "2025-01-01T00:00:00Z"});
//! // The snapshot goes to `snapshots/<test file>__send_event.snap`. On the first run there
//! // is none: insta writes `snapshots/<test file>__send_event.snap.new` and the test fails;
//! // review and accept it (`cargo insta review`, or `INSTA_UPDATE=always cargo test` once),
//! // then commit the `.snap`. With `CI` set, nothing is written and the test fails.
//! //     arazzo_exec::assert_workflow_snapshot!(arazzo, "send-event", inputs, cassette);
//! // or inline, as here:
//! arazzo_exec::assert_workflow_snapshot!(arazzo, "send-event", inputs, cassette, @r"
//! workflow_id: send-event
//! outcome:
//!   status: passed
//! steps:
//! - step_id: send
//!   request:
//!     method: POST
//!     url: https://events.example/v1/events?api_key=***
//!     headers:
//!     - X-API-KEY: '***'
//!     - Content-Type: application/json
//!     body:
//!       event: signup
//!       user: ada
//!       sentAt: '[timestamp]'
//!   response:
//!     status: 202
//!     headers:
//!     - content-type: application/json
//!     body:
//!       id: evt-1
//!       receivedAt: '[timestamp]'
//!   criteria:
//!   - condition: $statusCode == 202
//!     passed: true
//!   outputs:
//!     eventId: evt-1
//!   outcome: passed
//!   duration: '[duration]'
//! outputs:
//!   eventId: evt-1
//! duration: '[duration]'
//! ");
//! // }
//! ```

use std::path::Path;

use serde_json::Value;

use crate::{Engine, ManualClock, Plan, ReplayExecutor, SourceOptions};

#[doc(hidden)]
pub use insta as __insta;

/// Runs workflow `workflow_id` of the Arazzo document at `path` with `inputs`, answering every
/// request from the cassette at `cassette`, and returns the deterministic report text
/// ([`snapshot_report`](crate::snapshot_report)). Retry delays are not waited for.
///
/// Call it from a plain `#[test]` (it runs its own single-threaded tokio runtime).
///
/// # Panics
/// When the document does not load, the cassette cannot be read, or the workflow cannot start
/// (unknown id, invalid inputs), with the reason. A step that fails, or a request the cassette
/// has no recording for, is not a panic: it is in the report.
pub fn snapshot_workflow(
    path: impl AsRef<Path>,
    workflow_id: &str,
    inputs: Value,
    cassette: impl AsRef<Path>,
) -> String {
    snapshot_workflow_with(
        path,
        workflow_id,
        inputs,
        cassette,
        &SourceOptions::default(),
    )
}

/// [`snapshot_workflow`] with source options, e.g. the same `servers` overrides as when the
/// cassette was recorded.
///
/// # Panics
/// As [`snapshot_workflow`].
pub fn snapshot_workflow_with(
    path: impl AsRef<Path>,
    workflow_id: &str,
    inputs: Value,
    cassette: impl AsRef<Path>,
    options: &SourceOptions,
) -> String {
    let path = path.as_ref();
    let cassette = cassette.as_ref();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    let replay =
        ReplayExecutor::from_path(cassette).unwrap_or_else(|err| panic!("{}", error_chain(&err)));
    let plan = runtime
        .block_on(Plan::load(path, options))
        .unwrap_or_else(|err| panic!("cannot load `{}`: {}", path.display(), error_chain(&err)));
    let engine = Engine::new(plan, replay).with_clock(std::sync::Arc::new(ManualClock::new(
        std::time::SystemTime::now(),
    )));
    let report = runtime
        .block_on(engine.run(workflow_id, inputs))
        .unwrap_or_else(|err| panic!("cannot run `{workflow_id}`: {err}"));
    crate::snapshot_report(&report)
}

/// Asserts that a workflow's report, replayed from a cassette, matches its insta snapshot.
///
/// `assert_workflow_snapshot!(path, workflow_id, inputs, cassette)` runs
/// [`snapshot_workflow`] and compares the text with the snapshot file insta names after the
/// test (`snapshots/<module>__<test>.snap`); add `, @"…"` for an inline snapshot. Your crate
/// needs no insta dependency of its own (install `cargo-insta` to review changes).
///
/// See the [module](crate::testing) example.
#[macro_export]
macro_rules! assert_workflow_snapshot {
    ($path:expr, $workflow_id:expr, $inputs:expr, $cassette:expr $(,)?) => {{
        let workflow_report =
            $crate::testing::snapshot_workflow($path, $workflow_id, $inputs, $cassette);
        $crate::testing::__insta::assert_snapshot!(workflow_report);
    }};
    ($path:expr, $workflow_id:expr, $inputs:expr, $cassette:expr, @$snapshot:literal $(,)?) => {{
        let workflow_report =
            $crate::testing::snapshot_workflow($path, $workflow_id, $inputs, $cassette);
        $crate::testing::__insta::assert_snapshot!(workflow_report, @$snapshot);
    }};
}

/// An error and its causes, one line.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
