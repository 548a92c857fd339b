//! The exit codes of `arazzo`, in one place: the table of the README.

use crate::error::CliError;

/// Every selected workflow passed; the documents are valid (warnings allowed); or stdout is
/// a closed pipe (`arazzo list … | head`).
pub const OK: u8 = 0;
/// A workflow ran and failed (a success criterion or a failure action `end`), a snapshot
/// differs from the committed one (or there is none), or `fix --check` would change a file.
pub const WORKFLOW_FAILED: u8 = 1;
/// The command line is wrong (clap's own code for usage errors): bad arguments, inputs or a
/// `--replay` cassette that cannot be read, a `--fail` fault matching no operation, nothing to
/// mock.
pub const USAGE: u8 = 2;
/// A document or a source description is invalid or could not be read or parsed (or, for
/// `fix`, edited in place), or the inputs do not fit the workflow; nothing was sent.
pub const INVALID: u8 = 3;
/// A runtime error: transport, evaluation, a limit of the run reached, no run of the load
/// mode finished, a feature not supported yet, the mock cannot listen, a file that cannot be
/// written.
pub const RUNTIME: u8 = 4;
/// Interrupted (Ctrl-C or SIGTERM) before the end: what finished was reported (128 + SIGINT,
/// as shells give an interrupted command).
pub const INTERRUPTED: u8 = 130;

/// The exit code of a command that did not succeed: the README's table, row by row.
pub(crate) fn exit_code(error: &CliError) -> u8 {
    match error {
        CliError::ClosedPipe => OK,
        CliError::WorkflowFailed | CliError::SnapshotDiffers | CliError::WouldChange => {
            WORKFLOW_FAILED
        }
        CliError::Arguments(_)
        | CliError::Usage(_)
        | CliError::Inputs(_)
        | CliError::Cassette(_)
        | CliError::NothingToMock
        | CliError::Mock(_) => USAGE,
        CliError::Read(_)
        | CliError::Invalid(_)
        | CliError::InvalidDocuments
        | CliError::Source(_)
        | CliError::Plan(_)
        | CliError::InvalidInputs { .. } => INVALID,
        CliError::Unsupported(_)
        | CliError::RunErrored
        | CliError::NothingRan
        | CliError::Listen(_)
        | CliError::Unwritten { .. }
        | CliError::Runtime(_) => RUNTIME,
        CliError::Interrupted => INTERRUPTED,
    }
}
