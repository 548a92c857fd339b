//! `arazzo snapshot FILE`: run a workflow and print, check or update its deterministic report.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use arazzo_exec::{NoObserver, WorkflowReport};

use crate::args::{Environment, RunArgs, SnapshotArgs};
use crate::error::CliError;
use crate::prepare::prepare;

/// The first lines of every snapshot file.
const HEADER: &str = "\
# arazzo snapshot: the report of a run, with durations, dates and secrets normalised.
# `arazzo snapshot --check` compares a new run with this file; `--update` rewrites it.
";

/// Runs the workflow and prints its snapshot, or checks or updates the snapshot file. A
/// workflow that fails is not an error here: its failure is in the snapshot.
pub fn run(
    args: &SnapshotArgs,
    env: &Environment,
    out: &mut dyn Write,
    err: &mut (dyn Write + Send),
) -> Result<(), CliError> {
    let run_args = RunArgs {
        document: args.document.clone(),
        replay: args.replay.clone(),
        mock: args.mock,
        limits: args.limits.clone(),
        ..RunArgs::default()
    };
    let mut prepared = prepare(&run_args, env)?;
    for reading in &prepared.readings {
        let line = crate::render::diagnostic_line(&prepared.file_name, reading, false);
        writeln!(err, "{line}")?;
    }
    let reports = prepared.run(&NoObserver)?;
    let report = reports.first().ok_or(CliError::NothingRan)?;
    let mut text = format!("{HEADER}{}", arazzo_exec::snapshot_report(report));
    if args.mock {
        text = without_mock_port(&text);
    }
    let path = || {
        args.snapshot
            .clone()
            .unwrap_or_else(|| default_path(&args.document.file, &report.workflow_id))
    };
    let verdict = if args.update {
        let path = path();
        std::fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
        writeln!(err, "wrote {}", path.display())?;
        Ok(())
    } else if args.check {
        let stale = args.replay.as_ref().and(unrecorded_step(report));
        check(&path(), &text, stale, out, err)
    } else {
        out.write_all(text.as_bytes())?;
        Ok(())
    };
    if let Some(warning) = prepared.unused_warning() {
        writeln!(err, "{warning}")?;
    }
    prepared.end();
    verdict
}

/// The first step (of the workflow or of one it called) whose request the cassette could not
/// answer.
fn unrecorded_step(report: &WorkflowReport) -> Option<String> {
    report.steps.iter().find_map(|step| {
        let unrecorded = step
            .error_message()
            .is_some_and(|error| error.starts_with(arazzo_exec::NO_RECORDING));
        match (unrecorded, step.workflow.as_deref()) {
            (true, _) => Some(step.step_id.clone()),
            (false, Some(called)) => unrecorded_step(called),
            (false, None) => None,
        }
    })
}

/// Compares `text` with the file at `path`: equal, or [`CliError::SnapshotDiffers`] with a
/// unified diff on `out`.
/// `stale` names a step whose request the replayed cassette had no answer for: then the
/// cassette is out of date, and `--update` would commit that error.
fn check(
    path: &Path,
    text: &str,
    stale: Option<String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), CliError> {
    let committed = match arazzo_model::read_regular_file(path, arazzo_model::MAX_FILE_BYTES) {
        Ok(committed) => committed,
        Err(read) if read.kind() == std::io::ErrorKind::NotFound => {
            writeln!(
                err,
                "no snapshot at {}: review the output of `arazzo snapshot`, then write it with --update",
                path.display()
            )?;
            return Err(CliError::SnapshotDiffers);
        }
        Err(read) => {
            let read = anyhow::Error::from(read).context(format!("cannot read {}", path.display()));
            return Err(read.into());
        }
    };
    if committed == text {
        writeln!(err, "snapshot {} matches", path.display())?;
        return Ok(());
    }
    let committed_name = format!("{} (committed)", path.display());
    let diff = similar::TextDiff::from_lines(committed.as_str(), text);
    write!(
        out,
        "{}",
        diff.unified_diff()
            .context_radius(3)
            .header(&committed_name, "this run")
    )?;
    match stale {
        Some(step_id) => writeln!(
            err,
            "snapshot {} differs because the cassette has no recorded answer for step `{step_id}` \
             (the inputs or the workflow changed): the cassette is out of date, not the snapshot; \
             record it again (`arazzo run … --record CASSETTE`), then run this with --update",
            path.display()
        )?,
        None => writeln!(
            err,
            "snapshot {} differs: review the diff; if the change is intended, run again with --update",
            path.display()
        )?,
    }
    Err(CliError::SnapshotDiffers)
}

/// `text` with the port of every `http://127.0.0.1:PORT` URL (the mock's: a free port, new
/// on each run) replaced by `[port]`.
fn without_mock_port(text: &str) -> String {
    const ORIGIN: &str = "http://127.0.0.1:";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(ORIGIN) {
        let (before, after) = rest.split_at(at + ORIGIN.len());
        out.push_str(before);
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            out.push_str("[port]");
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// `<FILE without extension>.<workflow id>.snapshot.yaml`, next to FILE.
fn default_path(file: &Path, workflow_id: &str) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    file.with_file_name(format!("{stem}.{workflow_id}.snapshot.yaml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mock_ports_are_placeholders() {
        assert_eq!(
            without_mock_port(
                "url: http://127.0.0.1:40123/meters\nx: http://127.0.0.1:/ 127.0.0.1:9"
            ),
            "url: http://127.0.0.1:[port]/meters\nx: http://127.0.0.1:/ 127.0.0.1:9"
        );
    }

    #[test]
    fn default_path_is_next_to_the_document() {
        assert_eq!(
            default_path(Path::new("specs/w/arazzo.yaml"), "w"),
            PathBuf::from("specs/w/arazzo.w.snapshot.yaml")
        );
    }
}
