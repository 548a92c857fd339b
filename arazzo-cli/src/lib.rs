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

pub use args::{Cli, Command, Format, LoadArgs, MockArgs, RunArgs, RunFormat, SnapshotArgs};

/// Runs `arazzo` with `args` (the first is the program name), writing to `stdout` and
/// `stderr`; `color` turns on ANSI colours (only when stdout is a terminal).
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    color: bool,
) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
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

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<std::io::Error>()
        .is_some_and(|err| err.kind() == std::io::ErrorKind::BrokenPipe)
}
