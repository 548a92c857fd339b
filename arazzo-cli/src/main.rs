//! The `arazzo` binary: see the `arazzo_cli` library for everything it does.

use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let terminals = arazzo_cli::Terminals {
        stdout: std::io::stdout().is_terminal(),
        stderr: std::io::stderr().is_terminal(),
    };
    let mut stdout = std::io::stdout().lock();
    // Line-buffered like stdout: `run` writes a step's line in many pieces, each of which
    // would otherwise be its own system call. Not locked for the whole program: the load
    // mode's progress line is drawn on stderr by another task, which would wait for the lock
    // forever.
    let mut stderr = std::io::LineWriter::new(std::io::stderr());
    arazzo_cli::run(std::env::args_os(), &mut stdout, &mut stderr, terminals)
}
