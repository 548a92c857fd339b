//! `arazzo fix FILE...`: the constructs of other dialects written in the spec's form.

use std::io::Write;
use std::path::PathBuf;

use arazzo_exec::SourceOptions;
use arazzo_model::{Edit, Severity, SourceFile, SpecVersion};

use crate::error::CliError;
use crate::render;

/// What `fix` does with a file it can fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Print the diff.
    Diff,
    /// Print the diff and save the file.
    Write,
    /// Print the diff; fail when there is one.
    Check,
}

/// The version `--to 1.1` writes.
const UPGRADE_VERSION: &str = "1.1.0";

/// Fixes every file (sources found with `options`), printing a unified diff of each change;
/// `upgrade` also makes 1.0.x documents Arazzo 1.1 (`--to 1.1`).
pub fn run(
    files: &[PathBuf],
    mode: Mode,
    upgrade: bool,
    options: &SourceOptions,
    out: &mut dyn Write,
    color: bool,
) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // `fix` reads the dialects: `--strict` would only turn what it fixes into errors.
    let options = SourceOptions {
        strict: false,
        ..options.clone()
    };
    let (mut changed, mut failed) = (false, false);
    for path in files {
        let file = match SourceFile::read(path) {
            Ok(file) => file,
            Err(err) => {
                failed = true;
                writeln!(
                    out,
                    "{}",
                    render::one_line_error("load", &err.to_string(), color)
                )?;
                continue;
            }
        };
        let validation = runtime.block_on(arazzo_exec::validate(&file, &options));
        // A lenient expression's fix is made on the text as the readings left it, so it holds
        // theirs: it goes last, and the last edit of a value is the one written.
        let mut fixes: Vec<&arazzo_model::Diagnostic> = validation
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.fix.is_some())
            .collect();
        fixes.sort_by_key(|diagnostic| diagnostic.rule == arazzo_model::Rule::ExpressionLenient);
        let mut edits: Vec<(String, Edit)> = fixes
            .into_iter()
            .filter_map(|diagnostic| Some((diagnostic.pointer.clone(), diagnostic.fix.clone()?)))
            .collect();
        let upgrading = upgrade
            && file
                .value()
                .get("arazzo")
                .and_then(serde_json::Value::as_str)
                .and_then(SpecVersion::of)
                == Some(SpecVersion::V1_0);
        if upgrading {
            let version = serde_json::Value::String(UPGRADE_VERSION.to_string());
            edits.push(("/arazzo".to_string(), Edit::Replace(version)));
        }
        if edits.is_empty() {
            continue;
        }
        let fixed = match arazzo_model::fix::apply(&file, &edits) {
            Ok(fixed) => fixed,
            Err(err) => {
                failed = true;
                let message = format!("{}: {err}", file.name());
                writeln!(out, "{}", render::one_line_error("fix", &message, color))?;
                continue;
            }
        };
        // What 1.1 refuses that 1.0 allowed (e.g. a step reading a later step's outputs): the
        // upgrade is not written, and each problem is named.
        if upgrading {
            let problems = upgrade_problems(file.name(), &fixed, &options, &runtime);
            if !problems.is_empty() {
                failed = true;
                for problem in problems {
                    writeln!(out, "{}", render::one_line_error("fix", &problem, color))?;
                }
                continue;
            }
        }
        changed = true;
        let diff = similar::TextDiff::from_lines(file.text(), &fixed);
        let name = file.name();
        write!(
            out,
            "{}",
            diff.unified_diff().context_radius(2).header(name, name)
        )?;
        // Files the fix creates (an OpenAPI description for a bare-server source), shown as
        // new files and written before the document that points at them.
        let dir = path.parent().unwrap_or(std::path::Path::new(""));
        let mut created = Vec::new();
        let mut conflict = false;
        for (_, edit) in &edits {
            let Edit::ReplaceWithFile { value, contents } = edit else {
                continue;
            };
            let Some(relative) = value.as_str() else {
                continue;
            };
            let target = dir.join(relative.trim_start_matches("./"));
            let shown = target.display().to_string();
            match std::fs::read_to_string(&target) {
                Ok(existing) if existing == *contents => continue,
                Ok(_) => {
                    (failed, conflict) = (true, true);
                    let message = format!(
                        "{name}: {shown} exists: not overwritten, the document left as it is"
                    );
                    writeln!(out, "{}", render::one_line_error("fix", &message, color))?;
                    created.clear();
                    break;
                }
                Err(_) => {}
            }
            let diff = similar::TextDiff::from_lines("", contents.as_str());
            write!(out, "{}", diff.unified_diff().header("/dev/null", &shown))?;
            created.push((target, contents));
        }
        if conflict {
            continue;
        }
        if mode == Mode::Write {
            for (target, contents) in created {
                std::fs::write(&target, contents).map_err(|err| {
                    CliError::Runtime(anyhow::anyhow!("cannot write {}: {err}", target.display()))
                })?;
            }
            std::fs::write(path, &fixed)
                .map_err(|err| CliError::Runtime(anyhow::anyhow!("cannot write {name}: {err}")))?;
        }
    }
    if failed {
        return Err(CliError::InvalidDocuments);
    }
    match (mode, changed) {
        (Mode::Check, true) => Err(CliError::WouldChange),
        _ => Ok(()),
    }
}

/// The errors of `text`, the upgraded document, as `file:line:col: message (rule)` lines.
fn upgrade_problems(
    name: &str,
    text: &str,
    options: &SourceOptions,
    runtime: &tokio::runtime::Runtime,
) -> Vec<String> {
    let file = match SourceFile::parse(name, text.to_string()) {
        Ok(file) => file,
        Err(err) => return vec![err.to_string()],
    };
    let validation = runtime.block_on(arazzo_exec::validate(&file, options));
    validation
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == Severity::Error)
        .map(|diagnostic| {
            let at = diagnostic
                .location
                .map(|at| format!(":{at}"))
                .unwrap_or_default();
            format!(
                "{name}{at}: as Arazzo {UPGRADE_VERSION}: {} ({})",
                diagnostic.message, diagnostic.rule
            )
        })
        .collect()
}
