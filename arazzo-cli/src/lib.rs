//! The `arazzo` command line, as a library so that tests run it in-process and other tools
//! reuse its printers.
//!
//! [`run`] takes the arguments and the output streams and returns the exit code; `main` only
//! wires it to the process. The exit codes are in [`exit`]. For a tool embedding the engine
//! (`arazzo_exec`): [`human`] prints a run's step lines (live, as an `Observer`) and outcome,
//! [`junit`] writes a report as JUnit XML, [`render`] shows an invalid document's
//! diagnostics with their source lines (`arazzo_model::validate` gives them); the in-process
//! mock is the `arazzo_mock` crate (`MockServer::start`).

mod args;
mod cmd;
mod error;
pub mod exit;
pub mod human;
mod inputs;
pub mod junit;
mod prepare;
pub mod render;
mod routed;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::error::CliError;
pub use args::{
    Cli, ColorChoice, Command, Environment, Format, LimitArgs, ListFormat, LoadArgs, MockArgs,
    RunArgs, RunFormat, SnapshotArgs, TestArgs, TestFormat,
};

/// Which of the output streams are terminals: colour is used on a terminal only, unless
/// `--color`, `NO_COLOR` or `CLICOLOR_FORCE` say otherwise (see [`colors`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Terminals {
    /// Standard output is a terminal.
    pub stdout: bool,
    /// Standard error is a terminal.
    pub stderr: bool,
}

/// Whether each stream (stdout, stderr) gets ANSI colours: `--color always|never` decides;
/// with `auto`, a non-empty `NO_COLOR` turns colour off, a `CLICOLOR_FORCE` other than `0`
/// turns it on, else a stream has colour when it is a terminal. Decided per stream, so that
/// `arazzo run … 2>err.log` writes no escape codes into the log.
pub fn colors(choice: ColorChoice, env: &Environment, terminals: Terminals) -> (bool, bool) {
    let set = |name: &str| {
        env.vars()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    };
    match choice {
        ColorChoice::Always => (true, true),
        ColorChoice::Never => (false, false),
        ColorChoice::Auto if set("NO_COLOR").is_some_and(|value| !value.is_empty()) => {
            (false, false)
        }
        ColorChoice::Auto if set("CLICOLOR_FORCE").is_some_and(|value| value != "0") => {
            (true, true)
        }
        ColorChoice::Auto => (terminals.stdout, terminals.stderr),
    }
}

/// Runs `arazzo` with `args` (the first is the program name), writing to `stdout` and
/// `stderr`, which are terminals as `terminals` says (for colours).
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    stdout: &mut dyn Write,
    stderr: &mut (dyn Write + Send),
    terminals: Terminals,
) -> ExitCode {
    run_with_env(args, std::env::vars(), stdout, stderr, terminals)
}

/// [`run`] reading `env` instead of the process's environment (the `ARAZZO_INPUT_*`,
/// `ARAZZO_SERVER_*` and `ARAZZO_AUTH_*` variables, `NO_COLOR` and `CLICOLOR_FORCE`): tests
/// give each run its own.
pub fn run_with_env(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    env: impl IntoIterator<Item = (String, String)>,
    stdout: &mut dyn Write,
    stderr: &mut (dyn Write + Send),
    terminals: Terminals,
) -> ExitCode {
    let env = Environment(env.into_iter().collect());
    let (result, err_color) = match Cli::try_parse_from(args) {
        Ok(cli) => {
            let (out_color, err_color) = colors(cli.color, &env, terminals);
            let result = match cli.command {
                Command::Validate {
                    files,
                    format,
                    sources,
                } => cmd::validate::run(&files, format, &sources.options(), stdout, out_color),
                Command::Fix {
                    files,
                    write,
                    check,
                    to,
                    sources,
                } => {
                    let mode = match (write, check) {
                        (true, _) => cmd::fix::Mode::Write,
                        (_, true) => cmd::fix::Mode::Check,
                        _ => cmd::fix::Mode::Diff,
                    };
                    let upgrade = to.is_some();
                    cmd::fix::run(&files, mode, upgrade, &sources.options(), stdout, out_color)
                }
                Command::List { file, format } => cmd::list::run(&file, format, stdout),
                Command::Run(args) => cmd::run::run(&args, &env, stdout, stderr, err_color),
                Command::Test(args) => cmd::test::run(&args, &env, stdout, stderr, err_color),
                Command::Snapshot(args) => cmd::snapshot::run(&args, &env, stdout, stderr),
                Command::Mock(args) => cmd::mock::run(&args, stdout, stderr),
            };
            (result, err_color)
        }
        // `--help` and `--version`.
        Err(help) if !help.use_stderr() => {
            let (out_color, _) = colors(ColorChoice::Auto, &env, terminals);
            let _ = match out_color {
                true => write!(stdout, "{}", help.render().ansi()),
                false => write!(stdout, "{}", help.render()),
            };
            return ExitCode::from(exit::OK);
        }
        Err(usage) => {
            let (_, err_color) = colors(ColorChoice::Auto, &env, terminals);
            (Err(CliError::Arguments(usage)), err_color)
        }
    };
    match result {
        Ok(()) => ExitCode::from(exit::OK),
        Err(error) => {
            let _ = error.write(stderr, err_color);
            ExitCode::from(exit::exit_code(&error))
        }
    }
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

    /// What `arazzo run nope.yml` writes on stderr, given the terminals, flags and variables.
    fn stderr_of(terminals: Terminals, flags: &[&str], env: &[(&str, &str)]) -> String {
        let env = env
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()));
        let args = ["arazzo", "run", "nope.yml"].iter().chain(flags);
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        run_with_env(args.copied(), env, &mut stdout, &mut stderr, terminals);
        String::from_utf8(stderr).unwrap()
    }

    #[test]
    fn colour_is_decided_per_stream_and_by_the_conventions() {
        let colored = |text: String| text.contains('\u{1b}');
        let stdout_only = Terminals {
            stdout: true,
            stderr: false,
        };
        let both = Terminals {
            stdout: true,
            stderr: true,
        };
        // `arazzo run nope.yml 2>err.log` on a terminal: the log gets no escape codes.
        assert!(!colored(stderr_of(stdout_only, &[], &[])));
        assert!(colored(stderr_of(both, &[], &[])));
        assert!(!colored(stderr_of(both, &[], &[("NO_COLOR", "1")])));
        // An empty NO_COLOR does not count (no-color.org).
        assert!(colored(stderr_of(both, &[], &[("NO_COLOR", "")])));
        assert!(colored(stderr_of(
            Terminals::default(),
            &[],
            &[("CLICOLOR_FORCE", "1")]
        )));
        assert!(!colored(stderr_of(
            Terminals::default(),
            &[],
            &[("CLICOLOR_FORCE", "0")]
        )));
        assert!(!colored(stderr_of(both, &["--color", "never"], &[])));
        assert!(colored(stderr_of(
            Terminals::default(),
            &["--color", "always"],
            &[("NO_COLOR", "1")]
        )));
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
                Terminals::default(),
            );
            assert_eq!(code, ExitCode::from(exit::OK), "{format}");
            assert!(stderr.is_empty(), "{}", String::from_utf8_lossy(&stderr));
        }
    }
}
