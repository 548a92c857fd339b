//! `arazzo validate FILE...`

use std::io::Write;
use std::path::PathBuf;

use arazzo_exec::SourceOptions;
use arazzo_model::{Severity, SourceFile};
use serde_json::json;

use crate::args::Format;
use crate::error::CliError;
use crate::render;

/// Validates every file (sources loaded with `options`), and lists the problems of each.
pub fn run(
    files: &[PathBuf],
    format: Format,
    options: &SourceOptions,
    out: &mut dyn Write,
    color: bool,
) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut valid = true;
    let mut reports = Vec::new();
    for path in files {
        let source = match SourceFile::read(path) {
            Ok(source) => source,
            Err(err) => {
                valid = false;
                match format {
                    Format::Human => writeln!(
                        out,
                        "{}",
                        render::one_line_error("load", &err.to_string(), color)
                    )?,
                    Format::Json => reports.push(json!({
                        "file": path.display().to_string(),
                        "valid": false,
                        "error": {
                            "message": err.kind.to_string(),
                            "location": err.location,
                            "pointer": err.pointer,
                        },
                    })),
                }
                continue;
            }
        };
        let validation = runtime.block_on(arazzo_exec::validate(&source, options));
        valid &= validation.is_valid();
        match format {
            Format::Human => {
                for diagnostic in &validation.diagnostics {
                    writeln!(out, "{}\n", render::diagnostic(&source, diagnostic, color))?;
                }
                writeln!(out, "{}", summary(&source, &validation.diagnostics))?;
            }
            Format::Json => reports.push(json!({
                "file": source.name(),
                "valid": validation.is_valid(),
                "diagnostics": validation.diagnostics,
            })),
        }
    }
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, &json!({ "files": reports }))?;
        writeln!(out)?;
    }
    match valid {
        true => Ok(()),
        false => Err(CliError::InvalidDocuments),
    }
}

fn summary(source: &SourceFile, diagnostics: &[arazzo_model::Diagnostic]) -> String {
    let count = |severity| {
        diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => format!("{}: valid", source.name()),
        (0, _) => format!("{}: valid, {}", source.name(), plural(warnings, "warning")),
        _ => format!(
            "{}: invalid, {}, {}",
            source.name(),
            plural(errors, "error"),
            plural(warnings, "warning")
        ),
    }
}
