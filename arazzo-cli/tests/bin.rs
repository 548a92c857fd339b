//! The real `arazzo` binary: exit codes and which stream gets what.

use std::path::Path;
use std::process::Command;

/// Waits for `child` to exit, at most `limit` (else kills it and fails with `what`); its exit
/// status and what it wrote on stdout.
fn finish_within(
    child: &mut std::process::Child,
    limit: std::time::Duration,
    what: &str,
) -> (std::process::ExitStatus, String) {
    use std::io::Read;
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("{what}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut stdout = String::new();
    if let Some(mut pipe) = child.stdout.take() {
        pipe.read_to_string(&mut stdout).unwrap();
    }
    (status, stdout)
}

fn arazzo(args: &[&str]) -> std::process::Output {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    Command::new(env!("CARGO_BIN_EXE_arazzo"))
        .args(args)
        .current_dir(specs)
        .output()
        .expect("the binary runs")
}

#[test]
fn validate_valid_file_exits_0() {
    let output = arazzo(&[
        "validate",
        "upstream/examples/1.0.0/pet-coupons.arazzo.yaml",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "upstream/examples/1.0.0/pet-coupons.arazzo.yaml: valid\n"
    );
    assert!(output.stderr.is_empty());
}

#[test]
fn validate_invalid_file_exits_3_without_colour_when_piped() {
    let output = arazzo(&["validate", "model/fail/unknown-step.arazzo.yaml"]);
    assert_eq!(output.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("error[unknown-step]:"), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}'),
        "no ANSI codes when stdout is not a terminal"
    );
}

#[test]
fn usage_error_exits_2_on_stderr() {
    let output = arazzo(&["validate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("Usage"));
}

#[test]
fn version_prints_the_version() {
    let output = arazzo(&["--version"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("arazzo {}", env!("CARGO_PKG_VERSION"))
    );
}

/// `build.rs` hands this list to the linker; `bench/symbol-order.sh` writes it. A broken
/// rewrite (empty, repeated or mangled lines) would silently lose the layout.
#[test]
fn the_function_layout_lists_each_symbol_once() {
    let list = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("link/symbol-order.txt"),
    )
    .expect("the list is in the package");
    let names: Vec<&str> = list.lines().collect();
    assert!(names.len() > 500, "only {} names", names.len());
    assert!(names.contains(&"main"));
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "a name is listed twice");
    for name in names {
        assert!(
            !name.is_empty() && !name.contains(char::is_whitespace),
            "not a symbol name: {name:?}"
        );
    }
}

/// The load mode handles SIGTERM like Ctrl-C: it stops starting runs, prints the partial
/// report and exits 130 (it used to die without a report, or exit 0 when interrupted).
#[test]
fn load_mode_reports_and_exits_130_on_sigterm() {
    use std::process::Stdio;
    use std::time::Duration;

    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut child = Command::new(env!("CARGO_BIN_EXE_arazzo"))
        .args([
            "run",
            "limits/limits.arazzo.yaml",
            "--workflow",
            "ping-once",
            "--mock",
            "--delay-ms",
            "20",
            "--repeat",
            "100000",
            "--format",
            "json",
        ])
        .current_dir(specs)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // Long enough for the mock to start and some runs to finish.
    std::thread::sleep(Duration::from_millis(1500));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let (status, stdout) = finish_within(
        &mut child,
        Duration::from_secs(20),
        "the load mode did not stop within 20 s of SIGTERM",
    );
    assert_eq!(status.code(), Some(130), "{stdout}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON report");
    assert_eq!(report["interrupted"], true);
    assert!(report["runs"].as_u64().unwrap() > 0, "{report}");
}

/// On a terminal (a pseudo-terminal from util-linux `script`) the load mode shows its live
/// progress line and ends: it used to deadlock there, `main` holding the stderr lock that the
/// progress task waited for.
#[test]
fn load_mode_on_a_terminal_shows_progress_and_ends() {
    use std::process::Stdio;
    use std::time::Duration;

    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let command = format!(
        "{} run limits/limits.arazzo.yaml --workflow ping-once --mock --delay-ms 5 --repeat 200 --concurrency 4",
        env!("CARGO_BIN_EXE_arazzo")
    );
    let mut child = Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .current_dir(specs)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux `script` runs");
    let (status, terminal) = finish_within(
        &mut child,
        Duration::from_secs(60),
        "the load mode did not end on a terminal within 60 s (deadlock?)",
    );
    assert_eq!(status.code(), Some(0), "{terminal}");
    assert!(
        terminal.contains("/200 runs"),
        "no progress line: {terminal}"
    );
    assert!(terminal.contains("200 runs in"), "no summary: {terminal}");
}

/// Each step's line is printed as the step finishes, with the retry wait it starts: a slow
/// run no longer looks frozen (the lines used to come all at the end).
#[test]
fn step_lines_are_printed_as_steps_finish() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::time::Duration;

    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut child = Command::new(env!("CARGO_BIN_EXE_arazzo"))
        .args([
            "run",
            "limits/limits.arazzo.yaml",
            "--workflow",
            "retry-later",
            "--mock",
            "--fail",
            "/busy=503",
        ])
        .current_dir(specs)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let stderr = child.stderr.take().unwrap();
    let (sender, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    // The run then waits 60 s before its retry: the line must come before that.
    let line = lines.recv_timeout(Duration::from_secs(20));
    child.kill().unwrap();
    child.wait().unwrap();
    let line = line.expect("a step line within 20 s, while the run waits to retry");
    assert!(line.starts_with("FAIL busy"), "{line}");
    assert!(line.ends_with("-> retry 1/3 in 60.0 s (`later`)"), "{line}");
}

/// On a terminal, step marks have colour; stderr redirected to a file gets none, though
/// stdout is still the terminal (colour used to be decided by stdout for both).
#[test]
fn colour_on_the_terminal_and_none_in_a_redirected_log() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("err.log");
    let bin = env!("CARGO_BIN_EXE_arazzo");
    let on_terminal = format!(
        "{bin} run limits/limits.arazzo.yaml --workflow ping-once --mock; {bin} run nope.yml 2>{}",
        log.display()
    );
    let output = Command::new("script")
        .args(["--quiet", "--command", &on_terminal, "/dev/null"])
        .current_dir(specs)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux `script` runs");
    let terminal = String::from_utf8_lossy(&output.stdout);
    assert!(
        terminal.contains("\u{1b}[32mok  \u{1b}[0m ping"),
        "{terminal}"
    );
    let log = std::fs::read_to_string(log).unwrap();
    assert!(log.starts_with("error[load]"), "{log}");
    assert!(!log.contains('\u{1b}'), "{log}");
}
