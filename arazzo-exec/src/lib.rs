//! The Arazzo workflow engine: runs the workflows of an Arazzo 1.0.x document against real
//! APIs, through a pluggable [`Executor`].
//!
//! The stages are distinct types: a [`arazzo_model::Document`] is loaded and validated, its
//! source descriptions are loaded into [`Sources`], a [`Plan`] resolves every step's target
//! and parses every expression once, and an [`Engine`] runs a planned workflow through an
//! [`Executor`] — [`HttpExecutor`] (reqwest, rustls, no redirects) or your own — returning a
//! [`WorkflowReport`] with every request, response, criterion and output (secrets redacted).
//!
//! # Example
//!
//! A custom executor (here an in-process fake of the Amberflo API that echoes the request
//! body) plugged into the engine:
//!
//! ```
//! use arazzo_exec::{Engine, Executor, ExecutorError, Plan, Request, Response, SourceOptions};
//! use serde_json::json;
//!
//! struct Echo;
//!
//! #[arazzo_exec::async_trait]
//! impl Executor for Echo {
//!     async fn execute(&self, request: &Request) -> Result<Response, ExecutorError> {
//!         let body = request.body.clone().unwrap_or_default();
//!         let headers = vec![("content-type".to_string(), "application/json".to_string())];
//!         Ok(Response { status: 200, headers, body })
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml");
//! let plan = Plan::load(path, &SourceOptions::default()).await?;
//! let engine = Engine::new(plan, Echo);
//! let inputs = json!({
//!     "apiKey": "k-123", "meterApiName": "api-calls", "displayName": "API Calls",
//!     "type": "sum_of_all_usage", "customerId": "cust-1", "customerName": "Acme",
//!     "productId": "1", "meterValue": 5, "meterTimeInMillis": 1718153645993u64
//! });
//! let report = engine.run("launch-usage-based-product", inputs).await?;
//! assert!(report.passed());
//! assert_eq!(report.outputs["customerId"], "cust-1");
//! assert_eq!(report.steps.len(), 4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With real HTTP, the engine runs through [`HttpExecutor`]; here against a local server
//! standing in for both Amberflo APIs, its address given as a server override (what
//! `arazzo run --server billingApi=URL` does):
//!
//! ```
//! use arazzo_exec::{Engine, HttpExecutor, Plan, SourceOptions};
//! use serde_json::json;
//! use wiremock::matchers::method;
//! use wiremock::{Mock, MockServer, ResponseTemplate};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let api = MockServer::start().await;
//! let answer = json!({"meterApiName": "m", "customerId": "c-1", "productId": "1"});
//! Mock::given(method("POST"))
//!     .respond_with(ResponseTemplate::new(200).set_body_json(answer))
//!     .mount(&api).await;
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml");
//! let mut options = SourceOptions::default();
//! for source in ["billingApi", "meteringApi"] {
//!     options.servers.insert(source.to_string(), api.uri().parse()?);
//! }
//! let engine = Engine::new(Plan::load(path, &options).await?, HttpExecutor::new()?);
//! let inputs = json!({
//!     "apiKey": "k", "meterApiName": "m", "displayName": "M", "type": "t",
//!     "customerId": "c-1", "customerName": "Acme", "productId": "1",
//!     "meterValue": 5, "meterTimeInMillis": 1
//! });
//! let report = engine.run("launch-usage-based-product", inputs).await?;
//! assert!(report.passed());
//! assert_eq!(report.outputs["assignedProductId"], "1");
//! assert_eq!(api.received_requests().await.map(|sent| sent.len()), Some(4));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Beside the run path
//!
//! - [`cassette`]: record a run ([`cassette::Recording`]), write it as a YAML
//!   [`cassette::Cassette`] (secrets redacted), replay it with no network
//!   ([`cassette::ReplayExecutor`]).
//! - [`snapshot`]: a report made deterministic, to commit and compare
//!   ([`snapshot::snapshot_report`]).
//! - [`repeat`]: the load mode, one workflow run many times at once ([`repeat::LoadTest`]).
//! - [`redact`]: the [`redact::Redactor`] every report goes through.
//! - [`auth`]: credentials for the OpenAPI security schemes, from the environment.
//! - [`sources`]: the source descriptions, loaded and indexed.
//! - `testing` (feature): workflows as insta snapshot tests.
//!
//! # Crate features
//!
//! - `testing` (off by default): the `testing` module, to make a workflow replayed from a
//!   cassette an [insta](https://insta.rs) snapshot test in a few lines
//!   (`assert_workflow_snapshot!`).
//! - `mqtt`, `nats` (off by default): the [`MessageExecutor`] transports of AsyncAPI steps on
//!   MQTT 5 (`MqttExecutor`, rumqttc) and NATS (`NatsExecutor`, async-nats), both pure Rust;
//!   [`MemoryBroker`] is always built.

pub mod auth;
pub mod cassette;
mod clock;
mod conformance;
mod context;
mod engine;
mod error;
mod executor;
mod inputs;
mod plan;
mod prepare;
pub mod redact;
pub mod repeat;
mod report;
mod request;
pub mod snapshot;
#[cfg(feature = "testing")]
pub mod testing;
mod value;

// The run path: plan, engine, executor seam, reports.

/// The attribute an [`Executor`] or [`Clock`] implementation needs (`#[arazzo_exec::async_trait]`
/// on the `impl`), re-exported so that a crate implementing them needs no `async-trait` of its
/// own.
pub use async_trait::async_trait;
pub use clock::{Clock, ManualClock, SystemClock};
pub use engine::{Engine, Limits, NoObserver, Observer, Session};
pub use error::{PlanError, RunError};
pub use executor::{
    ChannelTarget, Executor, ExecutorError, ExecutorErrorKind, HttpExecutor, HttpExecutorBuilder,
    MemoryBroker, MessageError, MessageErrorKind, MessageExecutor, MessageRouter, OutgoingMessage,
    ReceivedMessage, Request, Response, SentMessage, Subscription,
};
#[cfg(feature = "mqtt")]
pub use executor::{MqttExecutor, MqttExecutorBuilder};
#[cfg(feature = "nats")]
pub use executor::{NatsExecutor, NatsExecutorBuilder};
pub use inputs::{InputProblem, InputSchema};
pub use prepare::{PrepareError, validate};
/// The old name of [`PrepareError`], kept for one release (it shadowed `arazzo_model::LoadError`).
#[deprecated(note = "renamed `PrepareError`")]
pub type LoadError = PrepareError;
pub use plan::{Plan, WorkflowPlan};
pub use report::{
    CriterionRecord, Outcome, Reached, RequestRecord, ResponseRecord, StepError, StepErrorKind,
    StepOutcome, StepReport, WorkflowReport,
};

/// The source descriptions, moved to the `arazzo-sources` crate: this path is kept for one
/// release.
pub use arazzo_sources as sources;
pub use arazzo_sources::{SourceOptions, Sources, install_tls_provider};

// Before the modules above were public (and the sources a crate of their own) these were at
// the root; kept one release for the programs that import them from there, hidden from the
// front page.
#[doc(hidden)]
pub use arazzo_model::{json_type, schema_types};
#[doc(hidden)]
pub use auth::{credential_key, credentials_from_env};
#[doc(hidden)]
pub use cassette::{
    Body, Cassette, CassetteError, Exchange, MatchPolicy, NO_RECORDING, RecordedRequest,
    RecordedResponse, Recording, ReplayExecutor,
};
#[doc(hidden)]
pub use redact::{REDACTED, Redactor, is_secret_name};
#[doc(hidden)]
pub use repeat::{
    FailureCount, Latency, LoadOptions, LoadProgress, LoadReport, LoadStop, LoadTest, MemorySample,
};
#[doc(hidden)]
pub use snapshot::{
    DATE_PLACEHOLDER, DURATION_PLACEHOLDER, TIMESTAMP_PLACEHOLDER, snapshot_report,
};
