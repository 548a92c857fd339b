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
mod sources;
