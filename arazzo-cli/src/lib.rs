//! The `arazzo` command line, as a library so that tests run it in-process.
//!
//! [`run`] takes the arguments and the output streams and returns the exit code; `main` only
//! wires it to the process. The exit codes are in [`exit`].

mod args;
mod cmd;
pub mod exit;
mod junit;
mod render;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

pub use args::{
    Cli, Command, Environment, Format, LimitArgs, ListFormat, LoadArgs, MockArgs, RunArgs,
    RunFormat, SnapshotArgs,
};

/// Runs `arazzo` with `args` (the first is the program name), writing to `stdout` and
/// `stderr`; `color` turns on ANSI colours (only when stdout is a terminal).
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    stdout: &mut dyn Write,
    stderr: &mut (dyn Write + Send),
    color: bool,
) -> ExitCode {
    run_with_env(args, std::env::vars(), stdout, stderr, color)
}

/// [`run`] reading `env` instead of the process's environment (the `ARAZZO_INPUT_*`,
/// `ARAZZO_SERVER_*` and `ARAZZO_AUTH_*` variables): tests give each run its own.
pub fn run_with_env(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    env: impl IntoIterator<Item = (String, String)>,
    stdout: &mut dyn Write,
    stderr: &mut (dyn Write + Send),
    color: bool,
) -> ExitCode {
    let mut cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let text = if color {
                err.render().ansi().to_string()
            } else {
                err.render().to_string()
            };
            let stream: &mut dyn Write = if err.use_stderr() { stderr } else { stdout };
            let _ = write!(stream, "{text}");
            return exit::code(code);
        }
    };
    let env = Environment(env.into_iter().collect());
    match &mut cli.command {
        Command::Run(args) => args.document.env = env,
        Command::Snapshot(args) => args.document.env = env,
        _ => {}
    }
    let result = match cli.command {
        Command::Validate {
            files,
            format,
            allow_remote,
            allow_private,
        } => {
            let options = arazzo_exec::SourceOptions {
                allow_remote,
                allow_private,
                ..arazzo_exec::SourceOptions::default()
            };
            cmd::validate::run(&files, format, &options, stdout, color)
        }
        Command::List { file, format } => cmd::list::run(&file, format, stdout),
        Command::Run(args) => cmd::run::run(&args, stdout, stderr, color),
        Command::Snapshot(args) => cmd::snapshot::run(&args, stdout, stderr, color),
        Command::Mock(args) => cmd::mock::run(&args, stdout, stderr, color),
    };
    match result {
        Ok(code) => exit::code(code),
        // A closed pipe (e.g. `arazzo list x | head`) is not an error.
        Err(err) if is_broken_pipe(&err) => exit::code(exit::OK),
        Err(err) => {
            let _ = writeln!(stderr, "error: {err:#}");
            exit::code(exit::RUNTIME)
        }
    }
}

/// Whether `err` comes from writing to a closed pipe, however it was wrapped (serde_json
/// writers wrap the io error in their own).
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let kind = match (
            cause.downcast_ref::<std::io::Error>(),
            cause.downcast_ref::<serde_json::Error>(),
        ) {
            (Some(io), _) => Some(io.kind()),
            (None, Some(json)) => json.io_error_kind(),
            (None, None) => None,
        };
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that went away: every write fails as on a closed pipe.
    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_ends_quietly_with_exit_0() {
        let file = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../specs/amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml"
        );
        for format in ["human", "json"] {
            let mut stderr = Vec::new();
            let code = run(
                ["arazzo", "list", file, "--format", format],
                &mut ClosedPipe,
                &mut stderr,
                false,
            );
            assert_eq!(code, ExitCode::from(exit::OK), "{format}");
            assert!(stderr.is_empty(), "{}", String::from_utf8_lossy(&stderr));
        }
    }
}
