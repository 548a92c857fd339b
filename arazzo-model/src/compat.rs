//! Other tools' dialects of Arazzo: constructs that are not the spec's but have one obvious
//! meaning, read as their spec form.
//!
//! Most Arazzo documents are written for Redocly Respect, Jentic's runner, Speakeasy or
//! strefethen's CLI, by generators or by hand. Each construct below is rewritten in the parsed
//! value, before validation and planning, so that the rest of the engine sees only the spec
//! form; every rewrite is kept as a [`Reading`], which validation reports as a `compat-…`
//! warning (an error with `--strict`) and `arazzo fix` writes back into the text.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::Rule;

/// One construct of another dialect, and the spec form it was read as.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The `compat-…` rule that read it.
    pub rule: Rule,
    /// The JSON pointer of the value (or member) as written.
    pub pointer: String,
    /// What the document says.
    pub written: Value,
    /// How the engine reads it.
    pub edit: Edit,
    /// The tools whose dialect this is, for the message ("Redocly Respect").
    pub dialect: &'static str,
}

/// The spec form of a [`Reading`]: what `arazzo fix` writes at its pointer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Edit {
    /// The value becomes this one.
    Replace(Value),
    /// The member goes (the spec has no such field, and it means nothing to a run).
    Remove,
}

impl Reading {
    /// What was read, one lowercase line.
    pub fn message(&self) -> String {
        let written = shown(&self.written);
        match &self.edit {
            Edit::Replace(value) => {
                format!("read `{written}` as `{}` ({})", shown(value), self.dialect)
            }
            Edit::Remove => {
                let key = self.pointer.rsplit('/').next().unwrap_or_default();
                let key = arazzo_expr::pointer::unescape(key);
                format!("ignored `{key}: {written}` ({})", self.dialect)
            }
        }
    }

    /// The spec form, as a help line.
    pub fn help(&self) -> String {
        match &self.edit {
            Edit::Replace(value) => format!("write `{}` (`arazzo fix` does)", shown(value)),
            Edit::Remove => "remove it (`arazzo fix` does)".to_string(),
        }
    }
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Rewrites the dialect constructs of an Arazzo document's value into their spec form,
/// returning what was read. Values that are not Arazzo documents (no root `arazzo` member)
/// are left alone.
pub(crate) fn read(value: &mut Value) -> Vec<Reading> {
    let Some(root) = value.as_object_mut() else {
        return Vec::new();
    };
    if !root.contains_key("arazzo") {
        return Vec::new();
    }
    let mut readings = Vec::new();
    if let Some(schema) = root.shift_remove("$schema") {
        readings.push(Reading {
            rule: Rule::CompatSchemaKey,
            pointer: "/$schema".to_string(),
            written: schema,
            edit: Edit::Remove,
            dialect: "a JSON Schema hint of editors and JaredCE's runner",
        });
    }
    let sources = source_names(root);
    let Some(Value::Array(workflows)) = root.get_mut("workflows") else {
        return readings;
    };
    for (w, workflow) in workflows.iter_mut().enumerate() {
        let Some(Value::Array(steps)) = workflow.get_mut("steps") else {
            continue;
        };
        for (s, step) in steps.iter_mut().enumerate() {
            let Some(step) = step.as_object_mut() else {
                continue;
            };
            let at = format!("/workflows/{w}/steps/{s}");
            read_step(step, &at, &sources, &mut readings);
        }
    }
    readings
}

fn source_names(root: &Map<String, Value>) -> Vec<String> {
    let Some(Value::Array(sources)) = root.get("sourceDescriptions") else {
        return Vec::new();
    };
    sources
        .iter()
        .filter_map(|source| source.get("name")?.as_str())
        .map(str::to_string)
        .collect()
}

fn read_step(
    step: &mut Map<String, Value>,
    at: &str,
    sources: &[String],
    readings: &mut Vec<Reading>,
) {
    let mut rewrite = |field: &str, rule, dialect, spec: &dyn Fn(&str) -> Option<String>| {
        let Some(Value::String(written)) = step.get_mut(field) else {
            return;
        };
        let Some(read_as) = spec(written) else {
            return;
        };
        readings.push(Reading {
            rule,
            pointer: format!("{at}/{field}"),
            written: Value::String(std::mem::replace(written, read_as.clone())),
            edit: Edit::Replace(Value::String(read_as)),
            dialect,
        });
    };
    rewrite(
        "operationId",
        Rule::CompatOperationId,
        "Redocly Respect's `source.operationId`",
        &|id| qualified_operation_id(id, sources),
    );
    rewrite(
        "operationPath",
        Rule::CompatOperationPath,
        "Jentic's `source#/paths/…`",
        &|path| spec_operation_path(path, sources),
    );
    rewrite(
        "workflowId",
        Rule::CompatWorkflowRef,
        "the Arazzo drafts' `$sourceDescriptions.<name>.workflows.<id>`",
        &legacy_workflow_ref,
    );
}

/// `petStore.getPet` → `$sourceDescriptions.petStore.getPet`, when `petStore` is a source
/// description of the document (an id with a dot that names no source is left as it is).
fn qualified_operation_id(id: &str, sources: &[String]) -> Option<String> {
    let (source, rest) = id.split_once('.')?;
    (!rest.is_empty() && sources.iter().any(|name| name == source))
        .then(|| format!("$sourceDescriptions.{id}"))
}

/// `petStore#/paths/~1pets/get` (a source name before the fragment) and
/// `$sourceDescriptions.petStore.url#/paths/…` (the expression without its braces) →
/// `{$sourceDescriptions.petStore.url}#/paths/~1pets/get`.
fn spec_operation_path(path: &str, sources: &[String]) -> Option<String> {
    let (before, fragment) = path.split_once('#')?;
    if !fragment.starts_with('/') {
        return None;
    }
    let source = match before.strip_prefix("$sourceDescriptions.") {
        Some(reference) => reference.strip_suffix(".url")?,
        None => before,
    };
    sources
        .iter()
        .any(|name| name == source)
        .then(|| format!("{{$sourceDescriptions.{source}.url}}#{fragment}"))
}

/// `$sourceDescriptions.flows.workflows.onboard` → `$sourceDescriptions.flows.onboard`.
fn legacy_workflow_ref(id: &str) -> Option<String> {
    let rest = id.strip_prefix("$sourceDescriptions.")?;
    let (source, workflow) = rest.split_once(".workflows.")?;
    (!source.contains('.') && !workflow.is_empty())
        .then(|| format!("$sourceDescriptions.{source}.{workflow}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_json(mut value: Value) -> (Value, Vec<Reading>) {
        let readings = read(&mut value);
        (value, readings)
    }

    #[test]
    fn step_targets_of_other_dialects_take_the_spec_form() {
        let (value, readings) = read_json(json!({
            "arazzo": "1.0.1",
            "sourceDescriptions": [{"name": "petStore", "url": "p.yaml"}, {"name": "flows", "url": "f.yaml"}],
            "workflows": [{"workflowId": "w", "steps": [
                {"stepId": "a", "operationId": "petStore.getPet"},
                {"stepId": "b", "operationId": "pets.list"},
                {"stepId": "c", "operationPath": "petStore#/paths/~1pets/get"},
                {"stepId": "d", "operationPath": "$sourceDescriptions.petStore.url#/paths/~1pets/post"},
                {"stepId": "e", "operationPath": "{$sourceDescriptions.petStore.url}#/paths/~1pets/put"},
                {"stepId": "f", "operationPath": "other#/paths/~1pets/get"},
                {"stepId": "g", "workflowId": "$sourceDescriptions.flows.workflows.onboard"}
            ]}]
        }));
        let steps = &value["workflows"][0]["steps"];
        assert_eq!(
            steps[0]["operationId"],
            "$sourceDescriptions.petStore.getPet"
        );
        assert_eq!(steps[1]["operationId"], "pets.list", "`pets` is no source");
        assert_eq!(
            steps[2]["operationPath"],
            "{$sourceDescriptions.petStore.url}#/paths/~1pets/get"
        );
        assert_eq!(
            steps[3]["operationPath"],
            "{$sourceDescriptions.petStore.url}#/paths/~1pets/post"
        );
        assert_eq!(
            steps[5]["operationPath"], "other#/paths/~1pets/get",
            "`other` is no source"
        );
        assert_eq!(steps[6]["workflowId"], "$sourceDescriptions.flows.onboard");
        let rules: Vec<(&str, &str)> = readings
            .iter()
            .map(|reading| (reading.rule.id(), reading.pointer.as_str()))
            .collect();
        assert_eq!(
            rules,
            [
                ("compat-operation-id", "/workflows/0/steps/0/operationId"),
                (
                    "compat-operation-path",
                    "/workflows/0/steps/2/operationPath"
                ),
                (
                    "compat-operation-path",
                    "/workflows/0/steps/3/operationPath"
                ),
                ("compat-workflow-ref", "/workflows/0/steps/6/workflowId"),
            ]
        );
        assert_eq!(
            readings[0].message(),
            "read `petStore.getPet` as `$sourceDescriptions.petStore.getPet` (Redocly Respect's `source.operationId`)"
        );
        assert_eq!(
            readings[0].help(),
            "write `$sourceDescriptions.petStore.getPet` (`arazzo fix` does)"
        );
    }

    #[test]
    fn a_root_schema_key_is_ignored_and_other_documents_are_left_alone() {
        let (value, readings) =
            read_json(json!({"$schema": "https://x/schema", "arazzo": "1.0.1"}));
        assert_eq!(value, json!({"arazzo": "1.0.1"}));
        assert_eq!(readings[0].edit, Edit::Remove);
        assert!(
            readings[0]
                .message()
                .starts_with("ignored `$schema: https://x/schema`")
        );
        let openapi = json!({"$schema": "x", "openapi": "3.1.0", "paths": {}});
        assert!(read_json(openapi.clone()).1.is_empty());
        assert_eq!(read_json(openapi.clone()).0, openapi);
    }
}
