//! A mock HTTP server from OpenAPI 3.0/3.1 descriptions: run a workflow without the real API
//! (`arazzo mock`, `arazzo run --mock`), and the target of the engine's benchmarks.
//!
//! [`MockServer::start`] compiles every operation of the given descriptions (loaded with
//! [`OpenApi::read`](arazzo_sources::OpenApi::read), the loader the engine uses) and serves
//! them over HTTP/1.1 with keep-alive, on hyper and the current tokio runtime:
//!
//! - **Routing**: concrete paths first, then path templates (`/pets/{petId}`, most literal
//!   segments first); a server base path (`/v1`) may prefix the request path. An unknown path
//!   is 404, an unknown method on a known path 405 (with `Allow`).
//! - **Security** (401): one of the operation's security requirements (or the document's) must
//!   be met: an `apiKey` header, query parameter or cookie, or an `Authorization` header of the
//!   `http` scheme (`Bearer` for `oauth2`/`openIdConnect`). Any non-empty value is accepted:
//!   the mock checks that credentials are sent, not which.
//! - **Validation** (400; 415 for a content type the operation does not take): required
//!   parameters, their types (the text read as the schema's type) and schemas; the body against
//!   its schema (JSON, or form fields). The answer is an RFC 9457 problem
//!   (`application/problem+json`) whose `detail` names every problem and whose `errors` list
//!   them (`in`, `name`, `message`): `missing required field `customerId` in the request body`.
//! - **Response**: the operation's lowest `2xx` response (else `2XX` as 200, else the lowest
//!   `3xx` for an operation that only redirects, else `default` as 200), with its example: the
//!   media type's `example`, else among its `examples` the one marked `x-microcks-default:
//!   true`, else the first; else the schema's example or a value generated from the schema
//!   ([`example_for`]). Bodies are serialised once, at start.
//! - **Echo** ([`MockOptions::echo`], on by default): fields of the request body, and path
//!   parameters, are copied into the response where its schema has a property of the same name
//!   and type, so that `customerId` sent is `customerId` returned; when the request body is a
//!   record of an array property of the response (it has every required field of the items),
//!   the array holds that record. The mock keeps no state between requests.
//! - **Faults** ([`Fault`], [`MockOptions::delay`]): chosen paths answer a chosen status, and
//!   every answer can be delayed.
//!
//! # Example
//!
//! ```
//! use arazzo_sources::{OpenApi, SourceOptions};
//! use arazzo_mock::{MockOptions, MockServer};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/amberflo/openapi/amberflo-billing-openapi.yaml");
//! let api = OpenApi::read(path, &SourceOptions::default()).await?;
//! let mock = MockServer::start([&api], MockOptions::default()).await?;
//!
//! arazzo_sources::install_tls_provider(); // reqwest has no TLS provider of its own here
//! let client = reqwest::Client::new();
//! let customers = mock.url().join("customers")?;
//! let sent = r#"{"customerId": "cust-1", "customerName": "Acme"}"#;
//! let response = client.post(customers.clone()).header("X-API-KEY", "any")
//!     .header("content-type", "application/json").body(sent).send().await?;
//! assert_eq!(response.status(), 200);
//! let customer: serde_json::Value = serde_json::from_str(&response.text().await?)?;
//! assert_eq!(customer["customerId"], "cust-1"); // echoed
//! assert_eq!(customer["enabled"], true); // from the example
//!
//! let response = client.post(customers).header("content-type", "application/json")
//!     .body(sent).send().await?;
//! assert_eq!(response.status(), 401);
//! assert!(response.text().await?.contains("missing header `X-API-KEY`"));
//!
//! mock.stop().await; // the port is released
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod check;
mod echo;
mod error;
mod example;
mod mock;
mod operation;
mod problem;
mod route;
mod server;

pub use error::MockError;
pub use example::example_for;
pub use server::{Answered, Fault, Logger, MockOptions, MockServer, Route};

/// The old name of [`Answered`], kept for one release.
#[deprecated(note = "renamed `Answered`")]
pub type Exchange = Answered;
