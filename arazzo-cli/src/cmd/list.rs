//! `arazzo list FILE`: what a person needs to call each workflow.

use std::io::Write;
use std::path::Path;

use arazzo_model::{Document, SourceFile, StepTarget, Workflow};
use serde::Serialize;
use serde_json::Value;

use crate::args::ListFormat as Format;
use crate::error::CliError;

#[derive(Serialize)]
struct WorkflowSummary<'a> {
    workflow_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    inputs: Vec<InputSummary>,
    steps: Vec<StepSummary<'a>>,
    outputs: &'a indexmap::IndexMap<String, arazzo_model::OutputValue>,
}

#[derive(Serialize)]
struct InputSummary {
    name: String,
    #[serde(rename = "type")]
    input_type: String,
    required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

#[derive(Serialize)]
struct StepSummary<'a> {
    step_id: &'a str,
    calls: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

/// Lists the workflows of one document, or says on `out` why it cannot be loaded.
pub fn run(path: &Path, format: Format, out: &mut dyn Write) -> Result<(), CliError> {
    let (source, document) = match SourceFile::read(path).and_then(|source| {
        let document = source.document()?;
        Ok((source, document))
    }) {
        Ok(loaded) => loaded,
        Err(err) => {
            writeln!(out, "error[load]: {err}")?;
            return Err(CliError::InvalidDocuments);
        }
    };
    let summaries: Vec<WorkflowSummary<'_>> = document
        .workflows
        .iter()
        .map(|workflow| summarize(source.value(), &document, workflow))
        .collect();
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &summaries)?;
            writeln!(out)?;
        }
        Format::Human => {
            writeln!(out, "{} ({})", document.info.title, source.name())?;
            write_sources(out, path, &document)?;
            for summary in &summaries {
                write_human(out, summary)?;
            }
        }
    }
    Ok(())
}

/// Each source description with its servers (what `--server NAME=URL` and
/// `ARAZZO_SERVER_<NAME>` replace), for OpenAPI sources read from local files.
fn write_sources(out: &mut dyn Write, path: &Path, document: &Document) -> std::io::Result<()> {
    if document.source_descriptions.is_empty() {
        return Ok(());
    }
    let loaded = arazzo_sources::document_url(path).ok().and_then(|url| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        let options = arazzo_sources::SourceOptions::default();
        Some(runtime.block_on(arazzo_sources::Sources::load_partial(
            document, &url, &options,
        )))
    });
    writeln!(out, "\nsources:")?;
    let width = document
        .source_descriptions
        .iter()
        .map(|source| source.name.len())
        .max()
        .unwrap_or(0);
    for description in &document.source_descriptions {
        let name = &description.name;
        let servers = match loaded
            .as_ref()
            .map(|sources| (sources.openapi(name), sources.failure(name)))
        {
            Some((Some(openapi), _)) => {
                let urls: Vec<&str> = openapi.document()["servers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|server| server["url"].as_str())
                    .collect();
                let urls = match urls.is_empty() {
                    true => "no servers".to_string(),
                    false => urls.join(", "),
                };
                format!(
                    "  {urls}  (--server {name}=URL or {})",
                    arazzo_sources::server_env_var(name)
                )
            }
            Some((None, Some(failure))) => format!("  not loaded: {}", failure.kind),
            _ => String::new(),
        };
        writeln!(
            out,
            "  {name:width$}  {}{servers}",
            crate::render::terminal_text(&description.url, false)
        )?;
    }
    Ok(())
}

fn summarize<'a>(
    root: &Value,
    document: &'a Document,
    workflow: &'a Workflow,
) -> WorkflowSummary<'a> {
    let _ = document;
    WorkflowSummary {
        workflow_id: &workflow.workflow_id,
        summary: workflow.summary.as_deref(),
        inputs: workflow
            .inputs
            .as_ref()
            .map(|schema| inputs(root, schema))
            .unwrap_or_default(),
        steps: workflow
            .steps
            .iter()
            .map(|step| StepSummary {
                step_id: &step.step_id,
                calls: match step.target() {
                    Some(StepTarget::OperationId(id)) => match step.action {
                        Some(action) => format!("{} {id}", action.as_str()),
                        None => id.to_string(),
                    },
                    Some(StepTarget::OperationPath(path)) => path.to_string(),
                    Some(StepTarget::ChannelPath(path)) => match step.action {
                        Some(action) => format!("{} {path}", action.as_str()),
                        None => path.to_string(),
                    },
                    Some(StepTarget::WorkflowId(id)) => format!("workflow {id}"),
                    None => "?".to_string(),
                },
                description: step
                    .description
                    .as_deref()
                    .map(|text| text.lines().next().unwrap_or_default()),
            })
            .collect(),
        outputs: &workflow.outputs,
    }
}

/// The inputs of an input schema: its properties, after following a `$ref` into the document.
fn inputs(root: &Value, schema: &Value) -> Vec<InputSummary> {
    let schema = arazzo_model::follow_local_ref(root, schema);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema["properties"].as_object() else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(name, property)| {
            let property = arazzo_model::follow_local_ref(root, property);
            let mut input_type = match &property["type"] {
                Value::String(single) => single.clone(),
                Value::Array(several) => several
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("|"),
                _ => "any".to_string(),
            };
            if property["format"] == "password" {
                input_type.push_str(" (secret)");
            }
            InputSummary {
                name: name.clone(),
                input_type,
                required: required.contains(&name.as_str()),
                description: property["description"].as_str().map(str::to_string),
            }
        })
        .collect()
}

fn write_human(out: &mut dyn Write, summary: &WorkflowSummary<'_>) -> std::io::Result<()> {
    writeln!(out)?;
    match summary.summary {
        Some(text) => writeln!(out, "workflow {}: {text}", summary.workflow_id)?,
        None => writeln!(out, "workflow {}", summary.workflow_id)?,
    }
    if !summary.inputs.is_empty() {
        writeln!(out, "  inputs:")?;
        let width = summary
            .inputs
            .iter()
            .map(|input| input.name.len())
            .max()
            .unwrap_or(0);
        let type_width = summary
            .inputs
            .iter()
            .map(|input| input.input_type.len())
            .max()
            .unwrap_or(0);
        for input in &summary.inputs {
            let required = if input.required {
                "required"
            } else {
                "optional"
            };
            let description = input.description.as_deref().unwrap_or_default();
            let line = format!(
                "    {:width$}  {:type_width$}  {required}  {description}",
                input.name, input.input_type
            );
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    writeln!(out, "  steps:")?;
    let width = summary
        .steps
        .iter()
        .map(|step| step.step_id.len())
        .max()
        .unwrap_or(0);
    let calls_width = summary
        .steps
        .iter()
        .map(|step| step.calls.len())
        .max()
        .unwrap_or(0);
    for (index, step) in summary.steps.iter().enumerate() {
        let description = step.description.unwrap_or_default();
        let line = format!(
            "    {}. {:width$}  {:calls_width$}  {description}",
            index + 1,
            step.step_id,
            step.calls
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    if !summary.outputs.is_empty() {
        writeln!(out, "  outputs:")?;
        let width = summary.outputs.keys().map(String::len).max().unwrap_or(0);
        for (name, expression) in summary.outputs {
            writeln!(out, "    {name:width$}  {expression}")?;
        }
    }
    Ok(())
}
