//! Shared helpers: fixture paths, the in-process CLI, insta settings.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The `specs/` folder.
pub fn specs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../specs")
        .canonicalize()
        .expect("specs/ exists")
}

/// A path under `specs/`.
pub fn spec(relative: &str) -> PathBuf {
    specs().join(relative)
}

/// What a CLI run printed, and its exit code.
pub struct Output {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// stdout, stderr and the exit code in one text, for snapshots.
    pub fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `arazzo` in-process; absolute `specs/` paths print as `specs/…`.
pub fn arazzo(args: &[&str]) -> Output {
    arazzo_with_env(args, std::env::vars())
}

/// [`arazzo`] with `env` as its environment instead of the process's (credentials,
/// `ARAZZO_*` variables), so that tests running at once each have their own.
pub fn arazzo_with_env(args: &[&str], env: impl IntoIterator<Item = (String, String)>) -> Output {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let argv = std::iter::once("arazzo").chain(args.iter().copied());
    let terminals = arazzo_cli::Terminals::default();
    let exit = arazzo_cli::run_with_env(argv, env, &mut stdout, &mut stderr, terminals);
    let code = (0..=255u8)
        .find(|code| ExitCode::from(*code) == exit)
        .expect("an exit code is a byte");
    let specs = specs().display().to_string();
    let clean = |bytes: Vec<u8>| {
        String::from_utf8(bytes)
            .expect("utf-8 output")
            .replace(&specs, "specs")
    };
    Output {
        code,
        stdout: clean(stdout),
        stderr: clean(stderr),
    }
}

/// A wiremock server answering as `mocks` say, on a runtime of its own that lives as long as
/// the value.
pub struct LocalApi {
    runtime: tokio::runtime::Runtime,
    /// The server.
    pub server: wiremock::MockServer,
}

impl LocalApi {
    /// Starts the server with these mocks mounted.
    pub fn start(mocks: Vec<wiremock::Mock>) -> LocalApi {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(async {
            let server = wiremock::MockServer::start().await;
            for mock in mocks {
                mock.mount(&server).await;
            }
            server
        });
        LocalApi { runtime, server }
    }

    /// The requests received so far.
    pub fn received(&self) -> Vec<wiremock::Request> {
        self.runtime
            .block_on(self.server.received_requests())
            .unwrap_or_default()
    }
}

/// A fresh, empty temporary folder for one test (its name says which), removed when dropped.
pub fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("arazzo-tests-{name}-"))
        .tempdir()
        .unwrap()
}

/// A `specs/` path as a string argument.
pub fn arg(relative: &str) -> String {
    spec(relative).display().to_string()
}

/// `arazzo validate`'s whole validation of a file: the model's rules and the source checks.
pub fn validate_fully(file: &arazzo_model::SourceFile) -> arazzo_model::Validation {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(arazzo_exec::validate(
        file,
        &arazzo_exec::SourceOptions::default(),
    ))
}

/// Copies the folder `from` into `to`, recursively (fixtures that a test edits).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        match entry.file_type().unwrap().is_dir() {
            true => copy_tree(&entry.path(), &target),
            false => drop(std::fs::copy(entry.path(), target).unwrap()),
        }
    }
}
