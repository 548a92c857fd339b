//! The real `arazzo` binary: exit codes and which stream gets what.

use std::path::Path;
use std::process::Command;

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
