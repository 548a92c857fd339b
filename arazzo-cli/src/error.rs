//! Why a command did not succeed, and how that is said on stderr. The exit code of each is
//! in [`crate::exit::exit_code`].

use std::io::Write;

use arazzo_exec::{CassetteError, InputProblem, PlanError};
use arazzo_mock::MockError;
use arazzo_model::{SourceFile, Validation};
use arazzo_sources::SourceError;

use crate::render;

/// A command that did not succeed: what went wrong, with what is needed to say it. Some
/// only end the command: the output said it already (a failed workflow, a snapshot that
/// differs).
#[derive(Debug)]
pub(crate) enum CliError {
    /// Standard output was closed (`arazzo list … | head`): the reader went away, which is
    /// no failure.
    ClosedPipe,
    /// A workflow ran and failed, or in the load mode a run did: the report says how.
    WorkflowFailed,
    /// The snapshot differs from the committed one, or there is none: the diff or the reason
    /// was printed.
    SnapshotDiffers,
    /// `fix --check`: a file would change (the diff was printed).
    WouldChange,
    /// clap refused the command line.
    Arguments(clap::Error),
    /// Options that cannot be used, alone or together, or that name what is not there.
    Usage(String),
    /// `--input`, `--inputs` or `--inputs-csv` cannot be read or parsed.
    Inputs(String),
    /// The `--replay` cassette cannot be read.
    Cassette(CassetteError),
    /// `--mock` on a document without an OpenAPI source description.
    NothingToMock,
    /// The mock cannot serve what it was given: a fault matching no operation, no operation.
    Mock(MockError),
    /// The document cannot be read or parsed.
    Read(arazzo_model::LoadError),
    /// The document is invalid: its diagnostics.
    Invalid(Box<(SourceFile, Validation)>),
    /// A document given to `validate` or `list` is invalid or cannot be read: their output
    /// says which.
    InvalidDocuments,
    /// A source description cannot be loaded.
    Source(SourceError),
    /// A step cannot be planned (validation finds these first).
    Plan(PlanError),
    /// The inputs break the workflow's schema, or name inputs no workflow takes.
    InvalidInputs {
        /// Every problem.
        problems: Vec<InputProblem>,
        /// What they are the inputs of: ``workflow `id` ``, `--inputs-csv`.
        of: String,
    },
    /// A step uses a feature of the specification that is not run yet.
    Unsupported(PlanError),
    /// A run stopped on an error (transport, evaluation, a limit of the run): the report says
    /// which.
    RunErrored,
    /// The load mode finished no run.
    NothingRan,
    /// The mock cannot listen on its address.
    Listen(MockError),
    /// After the report was printed: the report (`--output`) or the cassette (`--record`)
    /// could not be written.
    Unwritten {
        /// Why the `--output` file was not written.
        output: Option<anyhow::Error>,
        /// Why the `--record` cassette was not written.
        cassette: Option<CassetteError>,
    },
    /// Anything else: a file or stream that cannot be read or written, an HTTP client that
    /// cannot start.
    Runtime(anyhow::Error),
    /// Ctrl-C or SIGTERM stopped the load mode: its partial report was printed.
    Interrupted,
}

impl CliError {
    /// Says what went wrong on `err` (nothing when the output said it already).
    pub(crate) fn write(&self, err: &mut dyn Write, color: bool) -> std::io::Result<()> {
        let line = |id: &str, message: &str| render::one_line_error(id, message, color);
        match self {
            CliError::ClosedPipe
            | CliError::WorkflowFailed
            | CliError::SnapshotDiffers
            | CliError::WouldChange
            | CliError::InvalidDocuments
            | CliError::RunErrored
            | CliError::Interrupted => Ok(()),
            CliError::Arguments(clap) => match color {
                true => write!(err, "{}", clap.render().ansi()),
                false => write!(err, "{}", clap.render()),
            },
            CliError::Usage(message) => writeln!(err, "{}", line("usage", message)),
            CliError::Inputs(message) => writeln!(err, "{}", line("inputs", message)),
            CliError::Cassette(cassette) => {
                writeln!(err, "{}", line("cassette", &with_causes(cassette)))
            }
            CliError::NothingToMock => writeln!(
                err,
                "{}",
                line(
                    "mock",
                    "--mock: the document has no OpenAPI source description to mock"
                )
            ),
            CliError::Mock(mock) | CliError::Listen(mock) => {
                writeln!(err, "{}", line("mock", &mock.to_string()))
            }
            CliError::Read(read) => writeln!(err, "{}", line("load", &read.to_string())),
            CliError::Invalid(invalid) => {
                let (file, validation) = invalid.as_ref();
                for diagnostic in validation.errors() {
                    writeln!(err, "{}\n", render::diagnostic(file, diagnostic, color))?;
                }
                writeln!(err, "{}: invalid, nothing was sent", file.name())
            }
            CliError::Source(source) => writeln!(err, "{}", line("source", &source.to_string())),
            CliError::Plan(plan) => writeln!(err, "{}", line("invalid", &plan.to_string())),
            CliError::InvalidInputs { problems, of } => {
                for problem in problems {
                    writeln!(err, "{}", line("inputs", &problem.message))?;
                }
                writeln!(err, "invalid inputs for {of}, nothing was sent")
            }
            CliError::Unsupported(plan) => {
                writeln!(err, "{}", line("unsupported", &plan.to_string()))
            }
            CliError::NothingRan => writeln!(err, "no run finished: nothing was tested"),
            CliError::Unwritten { output, cassette } => {
                if let Some(output) = output {
                    writeln!(err, "error: {output:#}")?;
                }
                match cassette {
                    Some(cassette) => writeln!(err, "{}", line("record", &with_causes(cassette))),
                    None => Ok(()),
                }
            }
            CliError::Runtime(runtime) => writeln!(err, "error: {runtime:#}"),
        }
    }
}

/// An error and its causes, as anyhow's `{:#}` shows them (`cannot write x.yaml: permission
/// denied`).
fn with_causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        message = format!("{message}: {next}");
        cause = next.source();
    }
    message
}

impl From<anyhow::Error> for CliError {
    /// A write to a closed pipe is [`CliError::ClosedPipe`], however it was wrapped
    /// (serde_json writers wrap the io error in their own).
    fn from(err: anyhow::Error) -> CliError {
        let broken_pipe = err.chain().any(|cause| {
            let kind = match (
                cause.downcast_ref::<std::io::Error>(),
                cause.downcast_ref::<serde_json::Error>(),
            ) {
                (Some(io), _) => Some(io.kind()),
                (None, Some(json)) => json.io_error_kind(),
                (None, None) => None,
            };
            kind == Some(std::io::ErrorKind::BrokenPipe)
        });
        match broken_pipe {
            true => CliError::ClosedPipe,
            false => CliError::Runtime(err),
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(err: std::io::Error) -> CliError {
        anyhow::Error::from(err).into()
    }
}

impl From<serde_json::Error> for CliError {
    fn from(err: serde_json::Error) -> CliError {
        anyhow::Error::from(err).into()
    }
}

impl From<MockError> for CliError {
    fn from(err: MockError) -> CliError {
        match err {
            MockError::Source(source) => CliError::Source(source),
            MockError::Bind { .. } => CliError::Listen(err),
            other => CliError::Mock(other),
        }
    }
}

impl From<PlanError> for CliError {
    fn from(err: PlanError) -> CliError {
        match err {
            PlanError::Unsupported { .. } => CliError::Unsupported(err),
            other => CliError::Plan(other),
        }
    }
}
