//! The integration tests of the workspace, one binary (ripgrep style: each extra test binary is
//! another link on the 2-core CI machines). Fixtures live in `specs/`; snapshots in `snapshots/`.

mod util;

// Runtime expressions, templates and conditions: `specs/expr/**`.
mod expr;
// Loading and validating documents: `specs/model/**` and the Amberflo fixture.
mod model;
// The official examples and schema-test fixtures: `specs/upstream/**`.
mod upstream;
// The `arazzo` command line, in-process.
mod cli;
// Running workflows over real HTTP against local servers: the Amberflo fixture and its
// failure cases.
mod run;
// Control flow: actions, retries, loops, workflow steps, dependsOn (`specs/flow/`).
mod flow;
mod sources;
// The built-in mock: `arazzo-mock`, `arazzo mock`, `arazzo run --mock`.
mod mock;
// The official examples, corrected where they cannot run (`specs/examples/`), against the mock.
mod examples;
// Cassettes: record / replay, and the replay scenarios of `specs/workflows/` (no socket).
mod replay;
// `arazzo snapshot`, and the `arazzo_exec::testing` insta helper used as a user would.
mod snapshot;
// The load mode: `arazzo run --repeat N --concurrency C` and `arazzo_exec::LoadTest`.
mod load;
// The bounds of a run: nesting depth, step budget, deadline, timeout, response size.
mod limits;
// Secrets: no credential in any output (reports, cassettes, snapshots, the mock's log).
mod secrets;
// Untrusted documents and servers: origins, private addresses, caps, hostile values.
mod untrusted;
// Other tools' dialects: `compat-…` readings, `--strict`, `arazzo fix` (`specs/compat/`).
mod compat;
// Arazzo 1.1 documents beside 1.0.x: version dispatch, the 1.1 rules, `fix --to 1.1`.
mod v1_1;
// Several workflows in one run: `run --all`, `arazzo test` (`specs/suite/`).
mod suite;
// The message transports of AsyncAPI steps against mosquitto and nats-server, started here.
mod brokers;
