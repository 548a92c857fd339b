//! The exit codes of `arazzo`, in one place (listed in the README).

use std::process::ExitCode;

/// Every selected workflow passed; the documents are valid.
pub const OK: u8 = 0;
/// A workflow ran and failed (a success criterion or a failure action `end`).
pub const WORKFLOW_FAILED: u8 = 1;
/// The command line is wrong (clap's own code for usage errors).
pub const USAGE: u8 = 2;
/// A document is invalid or could not be loaded; nothing was sent.
pub const INVALID: u8 = 3;
/// A runtime error: transport, source description, evaluation.
pub const RUNTIME: u8 = 4;

/// Interrupted (Ctrl-C or SIGTERM) before the end: what finished was reported (128 + SIGINT,
/// as shells give an interrupted command).
pub const INTERRUPTED: u8 = 130;

/// The process exit code for one of the codes above.
pub fn code(code: u8) -> ExitCode {
    ExitCode::from(code)
}
