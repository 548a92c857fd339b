//! `arazzo test FILE|DIR…`: every workflow of every document found, each document run as
//! `run --all` does (its workflows share `$workflows`), with a summary: a table, JUnit, TAP or
//! JSON. An invalid document is reported with its diagnostics and the others still run.

use std::io::Write;
use std::path::{Path, PathBuf};

use arazzo_exec::{Outcome, WorkflowReport};
use arazzo_model::SourceFile;
use serde::Serialize;
use serde_json::Value;

use crate::args::{DocumentArgs, Environment, RunArgs, TestArgs, TestFormat};
use crate::cmd::run::{run_live, verdict};
use crate::error::CliError;
use crate::exit;
use crate::human;
use crate::prepare::{Selection, prepare_selected};
use crate::render;

/// The extensions of the files a folder is searched for.
const EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

/// What became of one document.
#[derive(Serialize)]
struct DocumentResult {
    /// The document, as found.
    file: String,
    /// Whether it could be run (valid, sources loaded, inputs fitting).
    valid: bool,
    /// Why not, as `arazzo run` says it (diagnostics included).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// Its exit code when it could not run (3 invalid, 4 a runtime error).
    #[serde(skip)]
    code: u8,
    /// The reports of the workflows run, in order.
    workflows: Vec<WorkflowReport>,
}

/// The counts of a suite.
#[derive(Serialize, Default)]
struct Summary {
    workflows: usize,
    passed: usize,
    failed: usize,
    errors: usize,
    invalid_documents: usize,
}

/// The JSON report of `arazzo test`.
#[derive(Serialize)]
struct TestReport<'r> {
    documents: &'r [DocumentResult],
    summary: Summary,
}

/// Runs every selected workflow of every document of `args.paths` and prints the results.
pub fn run(
    args: &TestArgs,
    env: &Environment,
    out: &mut dyn Write,
    err: &mut (dyn Write + Send),
    color: bool,
) -> Result<(), CliError> {
    let files = find_documents(&args.paths)?;
    check_names(args, &files)?;
    let human = args.format == TestFormat::Human;
    let mut err = err;
    let mut documents = Vec::new();
    for (path, file) in &files {
        if !args.workflows.is_empty() && !has_workflow(file.as_ref(), &args.workflows) {
            continue;
        }
        let run_args = run_args(args, path, file.as_ref());
        let selection = match args.workflows.is_empty() {
            true => Selection::All,
            false => Selection::Among(&args.workflows),
        };
        let name = path.display().to_string();
        let mut prepared = match prepare_selected(&run_args, env, selection) {
            Ok(prepared) => prepared,
            Err(error) => {
                let code = exit::exit_code(&error);
                if code != exit::INVALID && code != exit::RUNTIME {
                    return Err(error);
                }
                writeln!(err, "{name}:")?;
                error.write(err, color)?;
                let mut text = Vec::new();
                error.write(&mut text, false)?;
                documents.push(DocumentResult {
                    file: name,
                    valid: false,
                    error: Some(String::from_utf8_lossy(&text).trim_end().to_string()),
                    code,
                    workflows: Vec::new(),
                });
                continue;
            }
        };
        if prepared.runs.is_empty() {
            continue;
        }
        if human {
            writeln!(err, "{name}:")?;
        }
        for reading in &prepared.readings {
            writeln!(err, "{}", render::diagnostic_line(&name, reading, color))?;
        }
        let (reports, back) = run_live(&mut prepared, human, true, args.verbose, color, err)?;
        err = back;
        if let Some(warning) = prepared.unused_warning() {
            writeln!(err, "{warning}")?;
        }
        documents.push(DocumentResult {
            file: name,
            valid: true,
            error: None,
            code: exit::OK,
            workflows: reports,
        });
    }
    let report = TestReport {
        summary: summary(&documents),
        documents: &documents,
    };
    match args.format {
        TestFormat::Human => write_table(&documents, &report.summary, out)?,
        TestFormat::Json => render::write_json(out, &report)?,
        TestFormat::Junit => writeln!(out, "{}", junit(&documents).map_err(anyhow::Error::from)?)?,
        TestFormat::Tap => write_tap(&documents, out)?,
    }
    if let Some(path) = &args.output {
        render::write_json_file(path, &report).map_err(|output| CliError::Unwritten {
            output: Some(output),
            cassette: None,
        })?;
    }
    // The worst wins: a runtime error, an invalid document, a failed workflow.
    let code = |document: &DocumentResult| match verdict(&document.workflows) {
        Ok(()) => document.code,
        Err(error) => exit::exit_code(&error),
    };
    match documents.iter().map(code).max().unwrap_or(exit::OK) {
        exit::RUNTIME => Err(CliError::RunErrored),
        exit::INVALID => Err(CliError::InvalidDocuments),
        exit::WORKFLOW_FAILED => Err(CliError::WorkflowFailed),
        _ => Ok(()),
    }
}

/// The documents `paths` name: files as given, and in folders (searched recursively, hidden
/// entries left out, in name order) the YAML and JSON files whose root has an `arazzo`
/// member; each with its parsed file when it parses.
fn find_documents(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Option<SourceFile>)>, CliError> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            search(path, &mut found)?;
        } else {
            found.push((path.clone(), SourceFile::read(path).ok()));
        }
    }
    if found.is_empty() {
        let paths: Vec<String> = paths
            .iter()
            .map(|path| path.display().to_string())
            .collect();
        return Err(CliError::Usage(format!(
            "no Arazzo document in {}",
            paths.join(", ")
        )));
    }
    Ok(found)
}

fn search(dir: &Path, found: &mut Vec<(PathBuf, Option<SourceFile>)>) -> Result<(), CliError> {
    let cannot =
        |err: std::io::Error| CliError::Usage(format!("cannot read {}: {err}", dir.display()));
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(cannot)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()
        .map_err(cannot)?;
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            search(&path, found)?;
            continue;
        }
        let extension = path.extension().unwrap_or_default().to_string_lossy();
        if !EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str()) {
            continue;
        }
        match SourceFile::read(&path) {
            Ok(file) if file.value().get("arazzo").is_some() => found.push((path, Some(file))),
            Ok(_) => {}
            // A file that does not parse is a document when it says it is one: it is then
            // reported invalid rather than left out.
            Err(_) if says_arazzo(&path) => found.push((path, None)),
            Err(_) => {}
        }
    }
    Ok(())
}

/// Whether a file that does not parse has a line starting with an `arazzo` member.
fn says_arazzo(path: &Path) -> bool {
    let Ok(text) = arazzo_model::read_regular_file(path, arazzo_model::MAX_FILE_BYTES) else {
        return false;
    };
    text.lines().any(|line| {
        let line = line.trim_start_matches(['{', ' ', '\t']);
        line.starts_with("arazzo:") || line.starts_with("\"arazzo\"")
    })
}

/// The names `--workflow` and `--server` give must each be in some document.
fn check_names(args: &TestArgs, files: &[(PathBuf, Option<SourceFile>)]) -> Result<(), CliError> {
    let values = |pointer: &str, member: &str| -> Vec<String> {
        files
            .iter()
            .filter_map(|(_, file)| file.as_ref()?.value().pointer(pointer)?.as_array().cloned())
            .flatten()
            .filter_map(|item| Some(item.get(member)?.as_str()?.to_string()))
            .collect()
    };
    let workflows = values("/workflows", "workflowId");
    for id in &args.workflows {
        if !workflows.contains(id) {
            return Err(CliError::Usage(format!(
                "no document has a workflow `{id}`; they have {}",
                workflows.join(", ")
            )));
        }
    }
    let sources = values("/sourceDescriptions", "name");
    for server in &args.servers {
        let name = server_source(server);
        if !sources.iter().any(|source| source == name) {
            return Err(CliError::Usage(format!(
                "--server {server}: no document has a source `{name}`; they have {}",
                sources.join(", ")
            )));
        }
    }
    Ok(())
}

/// Whether the document (when it parses) has one of these workflows: one without them is
/// left out, invalid or not.
fn has_workflow(file: Option<&SourceFile>, ids: &[String]) -> bool {
    let Some(workflows) = file.and_then(|file| file.value().get("workflows")?.as_array().cloned())
    else {
        return false;
    };
    workflows.iter().any(|workflow| {
        let id = workflow.get("workflowId").and_then(Value::as_str);
        id.is_some_and(|id| ids.iter().any(|asked| asked == id))
    })
}

/// The arguments of `run --all` for the document at `path`: its inputs file (the one beside
/// it unless `--inputs` is given), the `--server`s naming its sources.
fn run_args(args: &TestArgs, path: &Path, file: Option<&SourceFile>) -> RunArgs {
    let has_source = |server: &&String| {
        let name = server_source(server);
        file.and_then(|file| file.value().get("sourceDescriptions")?.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .any(|source| source.get("name").and_then(Value::as_str) == Some(name))
    };
    RunArgs {
        document: DocumentArgs {
            file: path.to_path_buf(),
            workflow: None,
            inputs: args.inputs.clone(),
            inputs_file: args.inputs_file.clone().or_else(|| inputs_beside(path)),
            servers: args.servers.iter().filter(has_source).cloned().collect(),
            sources: args.sources.clone(),
        },
        all: true,
        verbose: args.verbose,
        replay: args.replay.clone(),
        mock: args.mock,
        fails: args.fails.clone(),
        delay_ms: args.delay_ms,
        limits: args.limits.clone(),
        ..RunArgs::default()
    }
}

/// The source a `--server SOURCE=URL` names.
fn server_source(server: &str) -> &str {
    server.split_once('=').map_or(server, |(name, _)| name)
}

/// `<FILE without extension>.inputs.yaml` (or `.yml`, `.json`) beside the document, if there
/// is one.
pub(crate) fn inputs_beside(path: &Path) -> Option<PathBuf> {
    let stem = path.file_stem()?.to_string_lossy();
    EXTENSIONS
        .iter()
        .map(|extension| path.with_file_name(format!("{stem}.inputs.{extension}")))
        .find(|candidate| candidate.is_file())
}

/// What a workflow's report says, in a word.
fn result(report: &WorkflowReport) -> &'static str {
    match report.outcome {
        Outcome::Passed => "passed",
        Outcome::Failed { .. } | Outcome::DependencyFailed { .. } => "failed",
        Outcome::Error { .. } => "error",
    }
}

fn summary(documents: &[DocumentResult]) -> Summary {
    let mut summary = Summary::default();
    for document in documents {
        summary.invalid_documents += usize::from(!document.valid);
        for report in &document.workflows {
            summary.workflows += 1;
            match report.outcome {
                Outcome::Passed => summary.passed += 1,
                Outcome::Failed { .. } | Outcome::DependencyFailed { .. } => summary.failed += 1,
                Outcome::Error { .. } => summary.errors += 1,
            }
        }
    }
    summary
}

/// The summary table: a row per workflow (and per invalid document), then the counts and
/// the outcome of each workflow that did not pass.
fn write_table(
    documents: &[DocumentResult],
    summary: &Summary,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut rows = vec![[
        "document".to_string(),
        "workflow".to_string(),
        "result".to_string(),
        "steps".to_string(),
        "duration".to_string(),
    ]];
    for document in documents {
        if !document.valid {
            let result = match document.code {
                exit::INVALID => "invalid",
                _ => "error",
            };
            let dash = || "-".to_string();
            rows.push([
                document.file.clone(),
                dash(),
                result.to_string(),
                dash(),
                dash(),
            ]);
        }
        for report in &document.workflows {
            rows.push([
                document.file.clone(),
                report.workflow_id.clone(),
                result(report).to_string(),
                human::steps_run(report).to_string(),
                human::milliseconds(report.duration),
            ]);
        }
    }
    let widths: Vec<usize> = (0..5)
        .map(|column| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        let text = cells.join("  ");
        writeln!(out, "{}", render::terminal_text(text.trim_end(), false))?;
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    writeln!(
        out,
        "\n{}: {} passed, {} failed, {}; {}",
        plural(summary.workflows, "workflow", "workflows"),
        summary.passed,
        summary.failed,
        plural(summary.errors, "error", "errors"),
        plural(
            summary.invalid_documents,
            "invalid document",
            "invalid documents"
        ),
    )?;
    for report in documents.iter().flat_map(|document| &document.workflows) {
        if !report.passed() {
            let text = human::outcome_line(report);
            writeln!(out, "{}", render::terminal_text(&text, false))?;
        }
    }
    Ok(())
}

/// TAP 14: a test point per workflow and per document that could not run, with why in a
/// YAML block.
fn write_tap(documents: &[DocumentResult], out: &mut dyn Write) -> std::io::Result<()> {
    let points: usize = documents
        .iter()
        .map(|document| document.workflows.len() + usize::from(!document.valid))
        .sum();
    writeln!(out, "TAP version 14\n1..{points}")?;
    let mut number = 0;
    let mut point = |out: &mut dyn Write, ok: bool, name: &str, why: Option<String>| {
        number += 1;
        let status = if ok { "ok" } else { "not ok" };
        writeln!(out, "{status} {number} - {}", tap_text(name))?;
        if let Some(why) = why {
            // A JSON string is a YAML scalar: any message fits on one line.
            let message = Value::String(why).to_string();
            writeln!(out, "  ---\n  message: {message}\n  ...")?;
        }
        Ok::<(), std::io::Error>(())
    };
    for document in documents {
        if !document.valid {
            point(out, false, &document.file, document.error.clone())?;
        }
        for report in &document.workflows {
            let name = format!("{}: {}", document.file, report.workflow_id);
            let why = (!report.passed()).then(|| human::outcome_line(report));
            point(out, report.passed(), &name, why)?;
        }
    }
    Ok(())
}

/// A test point's description: one line, without the `#` that would start a directive.
fn tap_text(text: &str) -> String {
    render::terminal_text(text, false).replace('#', "\\#")
}

/// JUnit: a test suite per workflow, named `<document>: <workflow>`; a document that could
/// not run is a suite with one erring test case.
fn junit(documents: &[DocumentResult]) -> Result<String, quick_junit::SerializeError> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut junit = Report::new("arazzo");
    for document in documents {
        if let Some(error) = &document.error {
            let mut suite = TestSuite::new(document.file.as_str());
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(error.lines().last().unwrap_or_default());
            status.set_description(error.as_str());
            suite.add_test_case(TestCase::new("document", status));
            junit.add_test_suite(suite);
        }
        let prefix = format!("{}: ", document.file);
        junit.add_test_suites(crate::junit::suites(&document.workflows, &prefix));
    }
    junit.to_string()
}
