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
