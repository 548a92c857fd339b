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
    /// The member becomes `key: value` (its parent's field of that name in the spec).
    Rename {
        /// The field's spec name.
        key: String,
        /// Its value.
        value: Value,
    },
    /// The value becomes `value`, the path (relative to the document) of a new file that
    /// `arazzo fix` writes with `contents`: an OpenAPI description made for a bare-server
    /// source (`compat-base-url-source`).
    ReplaceWithFile {
        /// The new value: the file's path, relative to the document.
        value: Value,
        /// The file's contents.
        contents: String,
    },
    /// An item is added at the end of the sequence at the pointer (a source description the
    /// dialect leaves implicit).
    Append(Value),
    /// A member `key: value` is added to the mapping at the pointer (a required field the
    /// dialect leaves out, whose value is only a name).
    Insert {
        /// The field.
        key: String,
        /// Its value.
        value: Value,
    },
}

impl Reading {
    /// What was read, one lowercase line.
    pub fn message(&self) -> String {
        let written = shown(&self.written);
        match &self.edit {
            Edit::Replace(value) | Edit::ReplaceWithFile { value, .. } => {
                format!("read `{written}` as `{}` ({})", shown(value), self.dialect)
            }
            Edit::Remove => format!("ignored `{}: {written}` ({})", self.key(), self.dialect),
            Edit::Rename { key, value } => format!(
                "read `{}: {written}` as `{key}: {}` ({})",
                self.key(),
                shown(value),
                self.dialect
            ),
            Edit::Insert { key, value } => {
                format!(
                    "read with `{key}: {}` added ({})",
                    shown(value),
                    self.dialect
                )
            }
            Edit::Append(value) => {
                format!("read with `{}` added ({})", shown(value), self.dialect)
            }
        }
    }

    /// The last token of the pointer: the member's key.
    fn key(&self) -> String {
        arazzo_expr::pointer::unescape(last_token(&self.pointer))
    }

    /// The spec form, as a help line.
    pub fn help(&self) -> String {
        match &self.edit {
            Edit::Replace(value) => format!("write `{}` (`arazzo fix` does)", shown(value)),
            Edit::Remove => "remove it (`arazzo fix` does)".to_string(),
            Edit::Rename { key, value } | Edit::Insert { key, value } => {
                format!("write `{key}: {}` (`arazzo fix` does)", shown(value))
            }
            Edit::Append(value) => format!("add `{}` (`arazzo fix` does)", shown(value)),
            Edit::ReplaceWithFile { value, .. } => {
                format!(
                    "write `{}` (`arazzo fix` does, and writes that file)",
                    shown(value)
                )
            }
        }
    }
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(text) if text.trim().is_empty() => "''".to_string(),
        Value::String(text) => text.trim().to_string(),
        other => crate::fix::flow(other, crate::Format::Yaml),
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
    for section in ["workflows", "components"] {
        if let Some(value) = root.get_mut(section) {
            read_empty_fields(value, &mut format!("/{section}"), &mut readings);
        }
    }
    read_x_operations(root, &mut readings);
    let sources = source_names(root);
    name_component_actions(root, &mut readings);
    if let Some(Value::Array(workflows)) = value.get_mut("workflows") {
        for (w, workflow) in workflows.iter_mut().enumerate() {
            let outputs = step_outputs(workflow);
            let mut at = format!("/workflows/{w}");
            read_step_outputs(workflow, &mut at, &outputs, &mut readings);
        }
    }
    read_criteria(value, &mut String::new(), &mut readings);
    let Some(Value::Array(workflows)) = value.get_mut("workflows") else {
        return readings;
    };
    let workflow_outputs: Vec<(String, Vec<String>)> = workflows
        .iter()
        .filter_map(|workflow| {
            let id = workflow.get("workflowId")?.as_str()?.to_string();
            let names = workflow
                .get("outputs")?
                .as_object()?
                .keys()
                .cloned()
                .collect();
            Some((id, names))
        })
        .collect();
    for (w, workflow) in workflows.iter_mut().enumerate() {
        for field in ["successActions", "failureActions"] {
            if let Some(Value::Array(actions)) = workflow.get_mut(field) {
                read_actions(actions, &format!("/workflows/{w}/{field}"), &mut readings);
            }
        }
        read_braced_outputs(workflow, &format!("/workflows/{w}"), &mut readings);
        read_callee_outputs(
            workflow,
            &format!("/workflows/{w}"),
            &workflow_outputs,
            &mut readings,
        );
        if let Some(workflow) = workflow.as_object_mut() {
            read_outputs_list(workflow, &format!("/workflows/{w}"), &mut readings);
            read_depends_on(
                workflow,
                &format!("/workflows/{w}"),
                "$workflows.",
                &mut readings,
            );
        }
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

/// Redocly Respect's `x-operation: {url, method}` on a step that names nothing else to call:
/// the step calls `operationPath: {$sourceDescriptions.<server>.url}#/paths/<path>/<method>`
/// on a source whose `url` is the URL's server (`https://api.example.com`), one the document
/// has or one added, which is then described by the steps that call it
/// (`compat-base-url-source`). A URL with a query or a fragment stays as written.
fn read_x_operations(root: &mut Map<String, Value>, readings: &mut Vec<Reading>) {
    const DIALECT: &str = "Redocly Respect's `x-operation`";
    let mut servers: Vec<(String, String)> = match root.get("sourceDescriptions") {
        Some(Value::Array(sources)) => sources
            .iter()
            .filter_map(|source| {
                let url = source
                    .get("url")?
                    .as_str()?
                    .trim_end_matches('/')
                    .to_string();
                Some((url, source.get("name")?.as_str()?.to_string()))
            })
            .collect(),
        _ => return,
    };
    let mut added = Vec::new();
    let Some(Value::Array(workflows)) = root.get_mut("workflows") else {
        return;
    };
    for (w, workflow) in workflows.iter_mut().enumerate() {
        let Some(Value::Array(steps)) = workflow.get_mut("steps") else {
            continue;
        };
        for (s, step) in steps.iter_mut().enumerate() {
            let Some(step) = step.as_object_mut() else {
                continue;
            };
            if ["operationId", "operationPath", "workflowId", "channelPath"]
                .iter()
                .any(|field| step.contains_key(*field))
            {
                continue;
            }
            let Some((server, path, method)) = step.get("x-operation").and_then(x_operation) else {
                continue;
            };
            let name = match servers.iter().find(|(url, _)| *url == server) {
                Some((_, name)) => name.clone(),
                None => {
                    let name = server_source_name(&server, &servers);
                    let source =
                        serde_json::json!({"name": name, "url": server, "type": "openapi"});
                    servers.push((server.clone(), name.clone()));
                    added.push(source);
                    name
                }
            };
            let operation_path = Value::String(format!(
                "{{$sourceDescriptions.{name}.url}}#/paths/{}/{method}",
                arazzo_expr::pointer::escape(&path)
            ));
            let written = step.shift_remove("x-operation").unwrap_or_default();
            step.insert("operationPath".to_string(), operation_path.clone());
            readings.push(Reading {
                rule: Rule::CompatXOperation,
                pointer: format!("/workflows/{w}/steps/{s}/x-operation"),
                written,
                edit: Edit::Rename {
                    key: "operationPath".to_string(),
                    value: operation_path,
                },
                dialect: DIALECT,
            });
        }
    }
    let Some(Value::Array(sources)) = root.get_mut("sourceDescriptions") else {
        return;
    };
    for source in added {
        sources.push(source.clone());
        readings.push(Reading {
            rule: Rule::CompatXOperation,
            pointer: "/sourceDescriptions".to_string(),
            written: Value::Null,
            edit: Edit::Append(source),
            dialect: DIALECT,
        });
    }
}

/// The server (`https://host:port`), path and lowercase method of an `x-operation`; `None`
/// unless it is exactly an http(s) `url` without query or fragment and a known `method`.
fn x_operation(operation: &Value) -> Option<(String, String, String)> {
    let members = operation.as_object()?;
    if members.keys().any(|key| key != "url" && key != "method") {
        return None;
    }
    let url = url::Url::parse(members.get("url")?.as_str()?).ok()?;
    let method = members.get("method")?.as_str()?.to_ascii_lowercase();
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    if !matches!(url.scheme(), "http" | "https")
        || url.query().is_some()
        || url.fragment().is_some()
        || !METHODS.contains(&method.as_str())
    {
        return None;
    }
    let server = url.origin().ascii_serialization();
    Some((server, url.path().to_string(), method))
}

/// A source name for `server` (`https://api.example.com` → `api-example-com`) that no source
/// of `taken` has.
fn server_source_name(server: &str, taken: &[(String, String)]) -> String {
    let host = server.split_once("://").map_or(server, |(_, rest)| rest);
    let base: String = host
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    (1..)
        .map(|n| match n {
            1 => base.clone(),
            n => format!("{base}-{n}"),
        })
        .find(|name| !taken.iter().any(|(_, taken)| taken == name))
        .unwrap_or(base)
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
    let has_body = step.contains_key("requestBody");
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
        "Jentic's `source#/paths/…`, the 1.1 schema tests' `$sourceDescriptions.source#/paths/…`",
        &|path| spec_operation_path(path, sources),
    );
    rewrite(
        "workflowId",
        Rule::CompatWorkflowRef,
        "the Arazzo drafts, usearazzo's toolkit: `.workflows.<id>` or `#/workflows/<id>`",
        &legacy_workflow_ref,
    );
    rewrite(
        "operationPath",
        Rule::CompatMethodPath,
        "strefethen's arazzo-cli: `METHOD /path`",
        &|path| method_path(path, sources, has_body),
    );
    // A JSON pointer written in `operationId`: the field is `operationPath`.
    if let Some(Value::String(id)) = step.get("operationId")
        && !step.contains_key("operationPath")
        && let Some(path) = spec_operation_path(&id.replace("#", ".url#"), sources)
            .or_else(|| spec_operation_path(id, sources))
    {
        let written = step.shift_remove("operationId").unwrap_or_default();
        step.insert("operationPath".to_string(), Value::String(path.clone()));
        readings.push(Reading {
            rule: Rule::CompatOperationIdPath,
            pointer: format!("{at}/operationId"),
            written,
            edit: Edit::Rename {
                key: "operationPath".to_string(),
                value: Value::String(path),
            },
            dialect: "usearazzo's toolkit: a JSON pointer in `operationId`",
        });
    }
    for field in ["onSuccess", "onFailure"] {
        if let Some(Value::Array(actions)) = step.get_mut(field) {
            read_actions(actions, &format!("{at}/{field}"), readings);
        }
    }
    read_depends_on(step, at, "$steps.", readings);
    read_channel_parameters(step, at, readings);
    read_outputs_list(step, at, readings);
    read_braceless(step, at, readings);
}

/// `in: path` on a parameter of an AsyncAPI step (one with `action` or `channelPath`): the
/// AsyncAPI counterpart of a path parameter is a channel-address parameter, `in: channel`.
fn read_channel_parameters(step: &mut Map<String, Value>, at: &str, readings: &mut Vec<Reading>) {
    if !step.contains_key("action") && !step.contains_key("channelPath") {
        return;
    }
    let Some(Value::Array(parameters)) = step.get_mut("parameters") else {
        return;
    };
    for (index, parameter) in parameters.iter_mut().enumerate() {
        let Some(location) = parameter.get_mut("in") else {
            continue;
        };
        if location != "path" {
            continue;
        }
        let read_as = Value::String("channel".to_string());
        readings.push(Reading {
            rule: Rule::CompatChannelParameter,
            pointer: format!("{at}/parameters/{index}/in"),
            written: std::mem::replace(location, read_as.clone()),
            edit: Edit::Replace(read_as),
            dialect: "the Arazzo 1.1 drafts' examples: `in: path` on an AsyncAPI step",
        });
    }
}

/// `outputs` written as a list of one-member maps, `- status: $statusCode` (the Arazzo 1.1
/// drafts' examples), read as the map of those members; a list with a repeated name, or an
/// item of another shape, stays as written.
fn read_outputs_list(object: &mut Map<String, Value>, at: &str, readings: &mut Vec<Reading>) {
    let Some(Value::Array(items)) = object.get("outputs") else {
        return;
    };
    let mut outputs = Map::new();
    for item in items {
        let Some(member) = item.as_object().filter(|member| member.len() == 1) else {
            return;
        };
        let Some((name, value)) = member.iter().next() else {
            return;
        };
        if outputs.insert(name.clone(), value.clone()).is_some() {
            return;
        }
    }
    let read_as = Value::Object(outputs);
    readings.push(Reading {
        rule: Rule::CompatOutputsList,
        pointer: format!("{at}/outputs"),
        written: object
            .insert("outputs".to_string(), read_as.clone())
            .unwrap_or_default(),
        edit: Edit::Replace(read_as),
        dialect: "the Arazzo 1.1 drafts' examples: `outputs` as a list",
    });
}

/// The success or failure actions `actions` (at `at`) of a workflow or step: their own
/// `condition`s read as criteria, then their names.
fn read_actions(actions: &mut [Value], at: &str, readings: &mut Vec<Reading>) {
    for (index, action) in actions.iter_mut().enumerate() {
        if let Some(action) = action.as_object_mut() {
            read_action_condition(action, &format!("{at}/{index}"), readings);
        }
    }
    name_actions(actions, at, readings);
}

/// `{type: goto, condition: $statusCode == 404}` (the Arazzo 1.1 drafts' examples) →
/// `criteria: [{condition: $statusCode == 404}]`. An action with both stays as written: which
/// one holds is not obvious.
fn read_action_condition(action: &mut Map<String, Value>, at: &str, readings: &mut Vec<Reading>) {
    if action.contains_key("criteria") || !action.get("condition").is_some_and(Value::is_string) {
        return;
    }
    let written = action.shift_remove("condition").unwrap_or_default();
    let criteria = Value::Array(vec![serde_json::json!({ "condition": written.clone() })]);
    action.insert("criteria".to_string(), criteria.clone());
    readings.push(Reading {
        rule: Rule::CompatActionCondition,
        pointer: format!("{at}/condition"),
        written,
        edit: Edit::Rename {
            key: "criteria".to_string(),
            value: criteria,
        },
        dialect: "the Arazzo 1.1 drafts' examples: a `condition` on an action",
    });
}

/// A `dependsOn` entry written as an expression, `$steps.<id>` (step) or `$workflows.<id>`
/// (workflow), where the field takes the id.
fn read_depends_on(
    object: &mut Map<String, Value>,
    at: &str,
    root: &str,
    readings: &mut Vec<Reading>,
) {
    let Some(Value::Array(items)) = object.get_mut("dependsOn") else {
        return;
    };
    for (index, item) in items.iter_mut().enumerate() {
        let Value::String(text) = item else {
            continue;
        };
        let Some(id) = text.trim().strip_prefix(root) else {
            continue;
        };
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c))
        {
            continue;
        }
        let read_as = Value::String(id.to_string());
        readings.push(Reading {
            rule: Rule::CompatDependsOnExpression,
            pointer: format!("{at}/dependsOn/{index}"),
            written: std::mem::replace(item, read_as.clone()),
            edit: Edit::Replace(read_as),
            dialect: "the Arazzo 1.1 drafts' examples: an expression in `dependsOn`",
        });
    }
}

/// Names each action of `actions` (at `at`) that has none after its type: `retry`, then
/// `retry-2`… (strefethen's arazzo-cli leaves names out; a name only labels the action).
fn name_actions(actions: &mut [Value], at: &str, readings: &mut Vec<Reading>) {
    let mut names: Vec<String> = actions
        .iter()
        .filter_map(|action| Some(action.get("name")?.as_str()?.to_string()))
        .collect();
    for (index, action) in actions.iter_mut().enumerate() {
        let Some(action) = action.as_object_mut() else {
            continue;
        };
        if let Some(Value::String(reference)) = action.get("name")
            && reference.starts_with("$components.")
            && !action.contains_key("type")
            && !action.contains_key("reference")
        {
            let reference = Value::String(reference.clone());
            let written = action.shift_remove("name").unwrap_or_default();
            action.insert("reference".to_string(), reference.clone());
            readings.push(Reading {
                rule: Rule::CompatActionReference,
                pointer: format!("{at}/{index}/name"),
                written,
                edit: Edit::Rename {
                    key: "reference".to_string(),
                    value: reference,
                },
                dialect: "strefethen's arazzo-cli: a component named in `name`",
            });
            continue;
        }
        if action.contains_key("name") || action.contains_key("reference") {
            continue;
        }
        let base = action
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("action")
            .to_string();
        let name = (1..)
            .map(|n| match n {
                1 => base.clone(),
                n => format!("{base}-{n}"),
            })
            .find(|name| !names.contains(name))
            .unwrap_or(base);
        names.push(name.clone());
        insert_name(action, &format!("{at}/{index}"), name, readings);
    }
}

fn insert_name(
    action: &mut Map<String, Value>,
    pointer: &str,
    name: String,
    readings: &mut Vec<Reading>,
) {
    action.insert("name".to_string(), Value::String(name.clone()));
    readings.push(Reading {
        rule: Rule::CompatActionName,
        pointer: pointer.to_string(),
        written: Value::Null,
        edit: Edit::Insert {
            key: "name".to_string(),
            value: Value::String(name),
        },
        dialect: "strefethen's arazzo-cli: an action without `name`",
    });
}

/// The actions of the document's components without `name`, named after their key.
fn name_component_actions(root: &mut Map<String, Value>, readings: &mut Vec<Reading>) {
    let Some(Value::Object(components)) = root.get_mut("components") else {
        return;
    };
    for section in ["successActions", "failureActions"] {
        let Some(Value::Object(actions)) = components.get_mut(section) else {
            continue;
        };
        for (key, action) in actions.iter_mut() {
            if let Some(action) = action.as_object_mut()
                && !action.contains_key("name")
            {
                let at = format!(
                    "/components/{section}/{}",
                    arazzo_expr::pointer::escape(key)
                );
                insert_name(action, &at, key.clone(), readings);
            }
        }
    }
}

/// `POST /pets`, `/pets/{id}` (GET, or POST with a request body) and `{petStore}./pets`
/// (strefethen's forms) → `{$sourceDescriptions.petStore.url}#/paths/~1pets/post`. Without a
/// `{source}.` prefix the document must have one source, the only reading.
fn method_path(path: &str, sources: &[String], has_body: bool) -> Option<String> {
    const METHODS: [&str; 8] = [
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
    ];
    let (method, rest) = match path.trim().split_once(' ') {
        Some((method, rest)) if METHODS.contains(&method) => (method, rest.trim_start()),
        _ => (if has_body { "POST" } else { "GET" }, path.trim()),
    };
    let (source, template) = match rest.strip_prefix('{') {
        Some(named) => {
            let (name, template) = named.split_once("}.")?;
            (sources.iter().find(|source| *source == name)?, template)
        }
        None => match sources {
            [only] => (only, rest),
            _ => return None,
        },
    };
    if !template.starts_with('/') || template.contains(['#', ' ', '?']) {
        return None;
    }
    Some(format!(
        "{{$sourceDescriptions.{source}.url}}#/paths/{}/{}",
        arazzo_expr::pointer::escape(template),
        method.to_ascii_lowercase()
    ))
}

/// Fields for which an empty string can only mean "absent" (each names something, or is an
/// expression), as generators serialising zero values write them (`workflowId: ''` beside a
/// `stepId`, `reference: ''` on an inline parameter).
const NAMING_FIELDS: [&str; 6] = [
    "reference",
    "context",
    "workflowId",
    "stepId",
    "operationId",
    "operationPath",
];

/// The list fields a generator writes as `null` when it has nothing for them.
const LIST_FIELDS: [&str; 5] = [
    "onSuccess",
    "onFailure",
    "successCriteria",
    "parameters",
    "dependsOn",
];

/// Removes every [`NAMING_FIELDS`] member holding `""`, and every [`LIST_FIELDS`] one holding
/// `null`, from the objects of the document's workflows and components, not looking into what
/// users write freely (payloads, values, inputs schemas, outputs).
fn read_empty_fields(value: &mut Value, pointer: &mut String, readings: &mut Vec<Reading>) {
    walk(value, pointer, &mut |pointer, value| {
        if matches!(
            last_token(pointer),
            "payload" | "value" | "inputs" | "outputs"
        ) {
            return false;
        }
        if let Value::Object(members) = value {
            for field in LIST_FIELDS {
                if members.get(field).is_some_and(Value::is_null) {
                    members.shift_remove(field);
                    readings.push(Reading {
                        rule: Rule::CompatEmptyField,
                        pointer: format!("{pointer}/{field}"),
                        written: Value::Null,
                        edit: Edit::Remove,
                        dialect: "a generator's zero value for an absent field",
                    });
                }
            }
            for field in NAMING_FIELDS {
                if members.get(field).is_some_and(|value| value == "") {
                    members.shift_remove(field);
                    readings.push(Reading {
                        rule: Rule::CompatEmptyField,
                        pointer: format!("{pointer}/{field}"),
                        written: Value::String(String::new()),
                        edit: Edit::Remove,
                        dialect: "a generator's zero value for an absent field",
                    });
                }
            }
        }
        true
    });
}

/// Calls `visit` with every value under `value` (itself first) and its JSON pointer
/// (`pointer` is `value`'s), looking inside the ones for which it returns `true`.
fn walk(value: &mut Value, pointer: &mut String, visit: &mut dyn FnMut(&str, &mut Value) -> bool) {
    if !visit(pointer, value) {
        return;
    }
    let len = pointer.len();
    match value {
        Value::Object(members) => {
            for (key, child) in members.iter_mut() {
                pointer.push('/');
                pointer.push_str(&arazzo_expr::pointer::escape(key));
                walk(child, pointer, visit);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                pointer.push_str(&format!("/{index}"));
                walk(item, pointer, visit);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// The last token of a JSON pointer, as escaped.
fn last_token(pointer: &str) -> &str {
    pointer.rsplit('/').next().unwrap_or_default()
}

/// The output names each step of `workflow` declares, by step id.
fn step_outputs(workflow: &Value) -> Vec<(String, Vec<String>)> {
    let Some(Value::Array(steps)) = workflow.get("steps") else {
        return Vec::new();
    };
    steps
        .iter()
        .filter_map(|step| {
            let id = step.get("stepId")?.as_str()?.to_string();
            let names = step.get("outputs")?.as_object()?.keys().cloned().collect();
            Some((id, names))
        })
        .collect()
}

/// `$steps.<id>.<name>` without `.outputs.` (Jentic's runner reads it) in every string of a
/// workflow, when `<name>` is an output step `<id>` declares: `$steps.<id>.outputs.<name>`.
fn read_step_outputs(
    value: &mut Value,
    pointer: &mut String,
    outputs: &[(String, Vec<String>)],
    readings: &mut Vec<Reading>,
) {
    for_each_string(value, pointer, &mut |pointer, text| {
        if let Some(read_as) = with_outputs(text, outputs) {
            readings.push(Reading {
                rule: Rule::CompatStepOutput,
                pointer: pointer.to_string(),
                written: Value::String(std::mem::replace(text, read_as.clone())),
                edit: Edit::Replace(Value::String(read_as)),
                dialect: "Jentic's runner: `$steps.<id>.<output>`",
            });
        }
    });
}

/// Calls `found` with every string of `value` and its JSON pointer (`pointer` is the value's).
fn for_each_string(
    value: &mut Value,
    pointer: &mut String,
    found: &mut dyn FnMut(&str, &mut String),
) {
    walk(value, pointer, &mut |pointer, value| {
        if let Value::String(text) = value {
            found(pointer, text);
        }
        true
    });
}

/// The values a step sends (parameter values, the payload, replacement values), each string
/// with an expression embedded without braces (`Bearer $inputs.token`, as Redocly Respect
/// substitutes it) given its braces: `Bearer {$inputs.token}`.
fn read_braceless(step: &mut Map<String, Value>, at: &str, readings: &mut Vec<Reading>) {
    let mut read = |pointer: &str, text: &mut String| {
        if let Some(read_as) = with_braces(text) {
            readings.push(Reading {
                rule: Rule::CompatBracelessExpression,
                pointer: pointer.to_string(),
                written: Value::String(std::mem::replace(text, read_as.clone())),
                edit: Edit::Replace(Value::String(read_as)),
                dialect: "Redocly Respect: an expression embedded without braces",
            });
        }
    };
    let mut sent: Vec<(String, &mut Value)> = Vec::new();
    for (field, value) in step.iter_mut() {
        match (field.as_str(), value) {
            ("parameters", Value::Array(parameters)) => {
                for (index, parameter) in parameters.iter_mut().enumerate() {
                    if let Some(value) = parameter.get_mut("value") {
                        sent.push((format!("{at}/parameters/{index}/value"), value));
                    }
                }
            }
            ("requestBody", Value::Object(body)) => {
                for (key, value) in body.iter_mut() {
                    match (key.as_str(), value) {
                        ("payload", value) => {
                            sent.push((format!("{at}/requestBody/payload"), value));
                        }
                        ("replacements", Value::Array(replacements)) => {
                            for (index, replacement) in replacements.iter_mut().enumerate() {
                                if let Some(value) = replacement.get_mut("value") {
                                    let pointer =
                                        format!("{at}/requestBody/replacements/{index}/value");
                                    sent.push((pointer, value));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    for (mut pointer, value) in sent {
        for_each_string(value, &mut pointer, &mut read);
    }
}

/// The runtime-expression sources a braceless token must start with to be read as one.
const EMBEDDED_SOURCES: [&str; 5] = [
    "$inputs.",
    "$steps.",
    "$workflows.",
    "$response.",
    "$components.",
];

/// `text` with braces around each `$…` token that starts a word, names a known source and
/// parses as an expression; `None` when there is none, or when the whole text is one
/// expression (a bare expression is the spec's form).
fn with_braces(text: &str) -> Option<String> {
    if !text.contains('$')
        || arazzo_expr::parse_expression(text.trim(), arazzo_expr::Mode::Lenient).is_ok()
    {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 4);
    let mut changed = false;
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let starts_word = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | ',' | '=' | ':'));
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| {
                c.is_whitespace() || matches!(c, ',' | ';' | ')' | '\'' | '"' | '{' | '}')
            })
            .unwrap_or(tail.len());
        let token = tail[..end].trim_end_matches(['.', ':']);
        let inside_braces = rest[..at].ends_with('{');
        let expression = starts_word
            && !inside_braces
            && EMBEDDED_SOURCES
                .iter()
                .any(|source| token.starts_with(source))
            && arazzo_expr::parse_expression(token, arazzo_expr::Mode::Lenient).is_ok();
        out.push_str(&rest[..at]);
        if expression {
            out.push('{');
            out.push_str(token);
            out.push('}');
            changed = true;
            rest = &tail[token.len()..];
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// `text` with `.outputs` put into each `$steps.<id>.<name>` that names a declared output.
fn with_outputs(text: &str, outputs: &[(String, Vec<String>)]) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find("$steps.") {
        let tail = &rest[at + "$steps.".len()..];
        out.push_str(&rest[..at + "$steps.".len()]);
        rest = tail;
        let id_len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(tail.len());
        let (id, after) = tail.split_at(id_len);
        let Some(name) = after.strip_prefix('.') else {
            continue;
        };
        let Some((_, names)) = outputs.iter().find(|(step, _)| step == id) else {
            continue;
        };
        let declared = names.iter().any(|output| {
            name.strip_prefix(output.as_str()).is_some_and(|end| {
                !end.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            })
        });
        if name.starts_with("outputs.") || !declared {
            continue;
        }
        out.push_str(id);
        out.push_str(".outputs.");
        rest = name;
        changed = true;
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// `$steps.<call>.outputs.<name>` where step `<call>` calls a workflow of the document that
/// has output `<name>` and the step does not declare it (strefethen's arazzo-cli and WSO2's
/// tools read the callee's outputs through the step): the step gets the output
/// `<name>: $outputs.<name>`, the spec's way to pass it on; in the step's own outputs the
/// expression is read as `$outputs.<name>`.
fn read_callee_outputs(
    workflow: &mut Value,
    at: &str,
    workflow_outputs: &[(String, Vec<String>)],
    readings: &mut Vec<Reading>,
) {
    const DIALECT: &str =
        "strefethen's arazzo-cli, WSO2's tools: a called workflow's outputs read through its step";
    let Some(Value::Array(steps)) = workflow.get("steps") else {
        return;
    };
    // (step index, step id, the callee's output names, the step's own output names)
    let calls: Vec<(usize, String, Vec<String>, Vec<String>)> = steps
        .iter()
        .enumerate()
        .filter_map(|(index, step)| {
            let id = step.get("stepId")?.as_str()?.to_string();
            let callee = step.get("workflowId")?.as_str()?;
            let (_, names) = workflow_outputs.iter().find(|(id, _)| id == callee)?;
            let own = step
                .get("outputs")
                .and_then(Value::as_object)
                .map(|outputs| outputs.keys().cloned().collect())
                .unwrap_or_default();
            Some((index, id, names.clone(), own))
        })
        .collect();
    if calls.is_empty() {
        return;
    }
    // The callee outputs each call step is read through, in the order first met.
    let mut wanted: Vec<(usize, String)> = Vec::new();
    let mut pointer = at.to_string();
    for_each_string(workflow, &mut pointer, &mut |pointer, text| {
        for (index, id, names, own) in &calls {
            let prefix = format!("$steps.{id}.outputs.");
            let own_outputs = format!("{at}/steps/{index}/outputs/");
            for name in names {
                let reference = format!("{prefix}{name}");
                let found = text.match_indices(&reference).any(|(start, _)| {
                    !text[start + reference.len()..]
                        .starts_with(|c: char| c.is_ascii_alphanumeric() || "_-".contains(c))
                });
                if !found || own.contains(name) {
                    continue;
                }
                if pointer.starts_with(&own_outputs) && text.trim() == reference {
                    let read_as = format!("$outputs.{name}");
                    readings.push(Reading {
                        rule: Rule::CompatCalleeOutput,
                        pointer: pointer.to_string(),
                        written: Value::String(std::mem::replace(text, read_as.clone())),
                        edit: Edit::Replace(Value::String(read_as)),
                        dialect: DIALECT,
                    });
                } else if !wanted.contains(&(*index, name.clone())) {
                    wanted.push((*index, name.clone()));
                }
            }
        }
    });
    let Some(Value::Array(steps)) = workflow.get_mut("steps") else {
        return;
    };
    for (index, ..) in &calls {
        let Some(step) = steps.get_mut(*index).and_then(Value::as_object_mut) else {
            continue;
        };
        let names = wanted.iter().filter(|(step, _)| step == index);
        let added: Map<String, Value> = names
            .map(|(_, name)| (name.clone(), Value::String(format!("$outputs.{name}"))))
            .collect();
        if added.is_empty() {
            continue;
        }
        let step_at = format!("{at}/steps/{index}");
        let mut read = |pointer: String, key: String, value: Value| {
            readings.push(Reading {
                rule: Rule::CompatCalleeOutput,
                pointer,
                written: Value::Null,
                edit: Edit::Insert { key, value },
                dialect: DIALECT,
            });
        };
        match step.get_mut("outputs") {
            Some(Value::Object(outputs)) if !outputs.is_empty() => {
                for (name, output) in added {
                    outputs.insert(name.clone(), output.clone());
                    read(format!("{step_at}/outputs"), name, output);
                }
            }
            _ => {
                let outputs = Value::Object(added);
                step.insert("outputs".to_string(), outputs.clone());
                read(step_at, "outputs".to_string(), outputs);
            }
        }
    }
}

/// Every criterion of the document (steps, actions, components), wherever it is: a simple
/// condition in Speakeasy's forms becomes a spec condition.
fn read_criteria(value: &mut Value, pointer: &mut String, readings: &mut Vec<Reading>) {
    walk(value, pointer, &mut |pointer, value| {
        let Value::Array(criteria) = value else {
            return true;
        };
        if !matches!(last_token(pointer), "successCriteria" | "criteria") {
            return true;
        }
        for (index, criterion) in criteria.iter_mut().enumerate() {
            let at = format!("{pointer}/{index}");
            if let Value::String(condition) = criterion {
                let read_as = serde_json::json!({ "condition": condition.clone() });
                readings.push(Reading {
                    rule: Rule::CompatCriterionString,
                    pointer: at.clone(),
                    written: std::mem::replace(criterion, read_as.clone()),
                    edit: Edit::Replace(read_as),
                    dialect: "the Arazzo 1.1 drafts' examples: a condition string as a criterion",
                });
            }
            read_condition(criterion, &at, readings);
        }
        false
    });
}

/// A simple criterion's condition that does not parse, read in Speakeasy's forms: a bare word
/// compared (`== application/json`), or a JSON value the context must hold.
fn read_condition(criterion: &mut Value, pointer: &str, readings: &mut Vec<Reading>) {
    let Some(members) = criterion.as_object_mut() else {
        return;
    };
    if members
        .get("context")
        .is_some_and(|context| context == "response")
    {
        let read_as = Value::String("$response.body".to_string());
        readings.push(Reading {
            rule: Rule::CompatContextWord,
            pointer: format!("{pointer}/context"),
            written: members
                .insert("context".to_string(), read_as.clone())
                .unwrap_or_default(),
            edit: Edit::Replace(read_as),
            dialect: "usearazzo's toolkit: `context: response`",
        });
    }
    read_jsonpath_comparison(members, pointer, readings);
    if let Some(Value::String(condition)) = members.get_mut("condition")
        && let Some(read_as) = body_shorthand(condition)
    {
        readings.push(Reading {
            rule: Rule::CompatBodyShorthand,
            pointer: format!("{pointer}/condition"),
            written: Value::String(std::mem::replace(condition, read_as.clone())),
            edit: Edit::Replace(Value::String(read_as)),
            dialect: "WSO2's arazzo tools: `$body` for the response body",
        });
    }
    let simple = criterion
        .get("type")
        .is_none_or(|kind| kind.as_str() == Some("simple"));
    let context = criterion
        .get("context")
        .and_then(Value::as_str)
        .map(str::to_string);
    let Some(Value::String(condition)) = criterion.get_mut("condition") else {
        return;
    };
    if !simple {
        return;
    }
    let parses =
        |text: &str| arazzo_expr::parse_condition(text, arazzo_expr::Mode::Lenient).is_ok();
    // Status ranges first, so that `2XX` is not quoted as a word; then bare words.
    let ranged = status_ranges(condition);
    let words = quote_bare_words(ranged.as_deref().unwrap_or(condition));
    let quoted = match (ranged, words) {
        (Some(_), Some((read_as, _))) | (Some(read_as), None) => Some((
            read_as,
            Rule::CompatStatusRange,
            "Speakeasy's `$statusCode == 2XX`, an OpenAPI status range",
        )),
        (None, Some((read_as, Rule::CompatDoubleQuoted))) => Some((
            read_as,
            Rule::CompatDoubleQuoted,
            "strefethen's arazzo-cli: a `\"double-quoted\"` string",
        )),
        (None, Some((read_as, rule))) => {
            Some((read_as, rule, "Speakeasy's unquoted `== application/json`"))
        }
        (None, None) => None,
    };
    let body = || {
        let read_as = body_literal(context.as_deref()?, condition)?;
        Some((
            read_as,
            Rule::CompatBodyLiteral,
            "Speakeasy's JSON value as a condition",
        ))
    };
    // The string scans above are cheap; only a condition they would change is parsed (every
    // criterion of every document passes through here at load).
    let body_like = condition.trim_start().starts_with(['{', '[', '"']);
    if (quoted.is_none() && !body_like) || parses(condition) {
        return;
    }
    let Some((read_as, rule, dialect)) = quoted
        .filter(|(read_as, ..)| parses(read_as))
        .or_else(|| body().filter(|(read_as, ..)| parses(read_as)))
    else {
        return;
    };
    readings.push(Reading {
        rule,
        pointer: format!("{pointer}/condition"),
        written: Value::String(std::mem::replace(condition, read_as.clone())),
        edit: Edit::Replace(Value::String(read_as)),
        dialect,
    });
}

/// `$body.score > 750` (WSO2) → `$response.body.score > 750`: each `$body` that is a whole
/// token (not `$bodyX`). `None` when there is none.
fn body_shorthand(condition: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = condition;
    let mut found = false;
    while let Some(at) = rest.find("$body") {
        let after = &rest[at + "$body".len()..];
        let whole = !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        let quoted = rest[..at].matches('\'').count() % 2 == 1;
        out.push_str(&rest[..at]);
        out.push_str(if whole && !quoted {
            "$response.body"
        } else {
            "$body"
        });
        found |= whole && !quoted;
        rest = after;
    }
    out.push_str(rest);
    found.then_some(out)
}

/// A `jsonpath` criterion whose condition is a comparison written the JavaScript way, on a
/// body context: `$.access_token != null`, `$.status == 'x'`, `#/petId == 4` (as the
/// official OAuth example writes it). RFC 9535 has no such query; Respect and Jentic evaluate
/// it as false. Read as the simple condition it spells, `$response.body#/access_token !=
/// null`: the condition replaced, `type` (and `version`) ignored.
fn read_jsonpath_comparison(
    criterion: &mut Map<String, Value>,
    pointer: &str,
    readings: &mut Vec<Reading>,
) {
    if criterion.get("type").and_then(Value::as_str) != Some("jsonpath") {
        return;
    }
    let (Some(Value::String(context)), Some(Value::String(condition))) =
        (criterion.get("context"), criterion.get("condition"))
    else {
        return;
    };
    let context = context.trim();
    // The expressions that take a `#` pointer: the condition's path goes there.
    const POINTABLE: [&str; 7] = [
        "$response.body",
        "$request.body",
        "$message.payload",
        "$inputs.",
        "$outputs.",
        "$steps.",
        "$workflows.",
    ];
    if !POINTABLE.iter().any(|root| context.starts_with(root)) {
        return;
    }
    let Some(read_as) = comparison_on(context, condition.trim()) else {
        return;
    };
    const DIALECT: &str = "the official OAuth example, the 1.1 schema tests, Jentic: a JavaScript-style comparison as JSONPath";
    let written = criterion
        .insert("condition".to_string(), Value::String(read_as.clone()))
        .unwrap_or_default();
    readings.push(Reading {
        rule: Rule::CompatJsonpathComparison,
        pointer: format!("{pointer}/condition"),
        written,
        edit: Edit::Replace(Value::String(read_as)),
        dialect: DIALECT,
    });
    for field in ["type", "version"] {
        if let Some(written) = criterion.shift_remove(field) {
            readings.push(Reading {
                rule: Rule::CompatJsonpathComparison,
                pointer: format!("{pointer}/{field}"),
                written,
                edit: Edit::Remove,
                dialect: DIALECT,
            });
        }
    }
}

/// `$.a.b == 1` or `#/a/b == 1` on `context` → `<context>#/a/b == 1`; `None` unless the text
/// is a member path, one comparison operator and an operand without another path. `.length`
/// is left alone: on an array it means the size, which no simple condition spells.
fn comparison_on(context: &str, condition: &str) -> Option<String> {
    let (path, rest) = condition.split_once(' ')?;
    let tokens: Vec<String> = if let Some(members) = path.strip_prefix("$.") {
        members
            .split('.')
            .map(arazzo_expr::pointer::escape)
            .collect()
    } else if let Some(pointer) = path.strip_prefix("#/") {
        pointer.split('/').map(str::to_string).collect()
    } else {
        return None;
    };
    let named = |token: &String| {
        !token.is_empty()
            && token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '~'))
    };
    if tokens.is_empty() || !tokens.iter().all(named) || tokens.last()? == "length" {
        return None;
    }
    let rest = rest.trim_start();
    let op = ["==", "!=", "<=", ">=", "<", ">"]
        .into_iter()
        .find(|op| rest.starts_with(op))?;
    let operand = rest[op.len()..].trim();
    if operand.is_empty() || operand.starts_with("$.") || operand.contains(['[', '@', '?']) {
        return None;
    }
    let base = match context.split_once('#') {
        Some((expression, pointer)) => format!("{expression}#{}", pointer.trim_end_matches('/')),
        None => format!("{context}#"),
    };
    Some(format!("{base}/{} {op} {operand}", tokens.join("/")))
}

/// `$statusCode == 2XX` → `($statusCode >= 200 && $statusCode < 300)` (and `!=` its negation):
/// the OpenAPI response-code ranges `1XX`…`5XX`. `None` when there is none.
fn status_ranges(condition: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = condition;
    let mut found = false;
    while let Some(at) = rest.find("$statusCode") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "$statusCode".len()..];
        let trimmed = after.trim_start();
        let (op, tail) = match (trimmed.strip_prefix("=="), trimmed.strip_prefix("!=")) {
            (Some(tail), _) => ("==", tail),
            (_, Some(tail)) => ("!=", tail),
            _ => {
                out.push_str("$statusCode");
                rest = after;
                continue;
            }
        };
        let tail = tail.trim_start();
        let class = match tail.as_bytes() {
            [digit @ b'1'..=b'5', b'X' | b'x', b'X' | b'x', next @ ..]
                if next.first().is_none_or(|c| !c.is_ascii_alphanumeric()) =>
            {
                u16::from(digit - b'0')
            }
            _ => {
                out.push_str("$statusCode");
                rest = after;
                continue;
            }
        };
        let (low, high) = (class * 100, class * 100 + 100);
        out.push_str(&match op {
            "==" => format!("($statusCode >= {low} && $statusCode < {high})"),
            _ => format!("($statusCode < {low} || $statusCode >= {high})"),
        });
        rest = &tail[3..];
        found = true;
    }
    out.push_str(rest);
    found.then_some(out)
}

/// `$response.header.Content-Type == application/json` →
/// `$response.header.Content-Type == 'application/json'`: each operand after a comparison that
/// is a bare word (not a quoted string, number, `true`, `false`, `null` or expression) quoted.
/// A `"double-quoted"` operand becomes `'single-quoted'`. `None` when there is no such word;
/// the rule says which reading it is (a bare word wins over double quotes).
fn quote_bare_words(condition: &str) -> Option<(String, Rule)> {
    let mut out = String::with_capacity(condition.len() + 8);
    let mut rest = condition;
    let mut quoted_any = false;
    let mut double_quoted = false;
    while let Some(at) = rest.find(['=', '!', '<', '>']) {
        let op_len = match &rest.as_bytes()[at..] {
            [b'=' | b'!' | b'<' | b'>', b'=', ..] => 2,
            [b'<' | b'>', ..] => 1,
            _ => {
                out.push_str(&rest[..=at]);
                rest = &rest[at + 1..];
                continue;
            }
        };
        if rest[..at].matches('\'').count() % 2 == 1 {
            // Inside a quoted string.
            out.push_str(&rest[..at + op_len]);
            rest = &rest[at + op_len..];
            continue;
        }
        out.push_str(&rest[..at + op_len]);
        rest = &rest[at + op_len..];
        let spaces = rest.len() - rest.trim_start().len();
        out.push_str(&rest[..spaces]);
        rest = &rest[spaces..];
        if let Some(inner) = rest.strip_prefix('"')
            && let Some(close) = inner.find('"')
        {
            out.push('\'');
            out.push_str(&inner[..close].replace('\'', "''"));
            out.push('\'');
            double_quoted = true;
            rest = &inner[close + 1..];
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '&' | '|'))
            .unwrap_or(rest.len());
        let word = &rest[..end];
        let literal = word.is_empty()
            || word.starts_with(['\'', '$', '('])
            || matches!(word, "true" | "false" | "null")
            || word.parse::<f64>().is_ok();
        if literal {
            out.push_str(word);
        } else {
            out.push('\'');
            out.push_str(&word.replace('\'', "''"));
            out.push('\'');
            quoted_any = true;
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    match (quoted_any, double_quoted) {
        (true, _) => Some((out, Rule::CompatUnquotedLiteral)),
        (false, true) => Some((out, Rule::CompatDoubleQuoted)),
        (false, false) => None,
    }
}

/// A condition that is a JSON object, array or string, on a `$response.body` context: every
/// value it holds (its leaves) must be at the same place of the body, read as one condition of
/// comparisons joined by `&&` (`$response.body#/domain/verified == true && …`; a string is
/// the whole body). An empty object or array asks only that the body is there.
fn body_literal(context: &str, condition: &str) -> Option<String> {
    let base = context.trim();
    if !(base == "$response.body" || base.starts_with("$response.body#/")) {
        return None;
    }
    let trimmed = condition.trim();
    if !trimmed.starts_with(['{', '[', '"']) {
        return None;
    }
    let expected: Value = serde_json::from_str(trimmed).ok()?;
    let mut comparisons = Vec::new();
    leaves(&expected, &mut String::new(), &mut |pointer, leaf| {
        let at = match base.strip_prefix("$response.body#") {
            Some(prefix) => format!("$response.body#{prefix}{pointer}"),
            None if pointer.is_empty() => "$response.body".to_string(),
            None => format!("$response.body#{pointer}"),
        };
        comparisons.push(format!("{at} == {}", condition_literal(leaf)));
    });
    if comparisons.is_empty() {
        comparisons.push(format!("{base} != null"));
    }
    Some(comparisons.join(" && "))
}

/// Calls `found` with each scalar of `value` and its JSON pointer (tokens percent-encoded where
/// a condition would end them).
fn leaves(value: &Value, pointer: &mut String, found: &mut dyn FnMut(&str, &Value)) {
    let len = pointer.len();
    let mut child = |token: &str, item: &Value, pointer: &mut String| {
        pointer.push('/');
        pointer.push_str(&condition_token(token));
        leaves(item, pointer, found);
        pointer.truncate(len);
    };
    match value {
        Value::Object(members) => {
            for (key, item) in members {
                child(key, item, pointer);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                child(&index.to_string(), item, pointer);
            }
        }
        scalar => found(pointer, scalar),
    }
}

/// A JSON pointer token as a condition can hold it: RFC 6901 escapes, then the characters
/// that end a token in a condition percent-encoded (the pointer is a URI fragment).
fn condition_token(token: &str) -> String {
    let mut out = String::new();
    for ch in arazzo_expr::pointer::escape(token).chars() {
        if ch.is_whitespace() || "%{}()[]=!<>&|'\"".contains(ch) || ch.is_control() {
            let mut buffer = [0u8; 4];
            for byte in ch.encode_utf8(&mut buffer).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(ch);
        }
    }
    out
}

/// A JSON scalar as a condition literal (`'text'` with `''` for a quote).
fn condition_literal(value: &Value) -> String {
    match value {
        Value::String(text) => format!("'{}'", text.replace('\'', "''")),
        other => other.to_string(),
    }
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
    // `$sourceDescriptions.x.url#/…`, and `$sourceDescriptions.x#/…` (the 1.1 schema tests).
    let source = match before.strip_prefix("$sourceDescriptions.") {
        Some(reference) => reference.strip_suffix(".url").unwrap_or(reference),
        None => before,
    };
    sources
        .iter()
        .any(|name| name == source)
        .then(|| format!("{{$sourceDescriptions.{source}.url}}#{fragment}"))
}

/// `$sourceDescriptions.flows.workflows.onboard` (the drafts) and
/// `$sourceDescriptions.flows#/workflows/onboard` (a pointer to the workflow by its id, as
/// usearazzo's toolkit writes it) → `$sourceDescriptions.flows.onboard`. A pointer by index
/// (`#/workflows/0`) is left as written: it names a workflow only once that document is read.
fn legacy_workflow_ref(id: &str) -> Option<String> {
    let rest = id.strip_prefix("$sourceDescriptions.")?;
    let (source, workflow) = rest
        .split_once(".workflows.")
        .or_else(|| rest.split_once("#/workflows/"))?;
    let named = !workflow.is_empty()
        && !workflow.contains('/')
        && !workflow.bytes().all(|byte| byte.is_ascii_digit());
    (!source.contains('.') && named).then(|| format!("$sourceDescriptions.{source}.{workflow}"))
}

/// Every output of the workflows and their steps written as a template of one whole
/// expression, `{$response.body}`: the expression (outputs are expressions, not templates).
fn read_braced_outputs(workflow: &mut Value, at: &str, readings: &mut Vec<Reading>) {
    let mut outputs: Vec<(String, &mut Value)> = Vec::new();
    let Some(workflow) = workflow.as_object_mut() else {
        return;
    };
    for (key, value) in workflow.iter_mut() {
        match (key.as_str(), value) {
            ("outputs", value) => outputs.push((format!("{at}/outputs"), value)),
            ("steps", Value::Array(steps)) => {
                for (index, step) in steps.iter_mut().enumerate() {
                    if let Some(value) = step.get_mut("outputs") {
                        outputs.push((format!("{at}/steps/{index}/outputs"), value));
                    }
                }
            }
            _ => {}
        }
    }
    for (pointer, value) in outputs {
        let Value::Object(members) = value else {
            continue;
        };
        for (name, value) in members.iter_mut() {
            let Value::String(text) = value else {
                continue;
            };
            let Some(inner) = text
                .trim()
                .strip_prefix("{$")
                .and_then(|rest| rest.strip_suffix('}'))
            else {
                continue;
            };
            let expression = format!("${inner}");
            if inner.contains(['{', '}'])
                || arazzo_expr::parse_expression(&expression, arazzo_expr::Mode::Lenient).is_err()
            {
                continue;
            }
            readings.push(Reading {
                rule: Rule::CompatBracedOutput,
                pointer: format!("{pointer}/{}", arazzo_expr::pointer::escape(name)),
                written: Value::String(std::mem::replace(text, expression.clone())),
                edit: Edit::Replace(Value::String(expression)),
                dialect: "an output written as a template, `{$…}`",
            });
        }
    }
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
    fn speakeasy_conditions_take_the_spec_form() {
        let (value, readings) = read_json(json!({
            "arazzo": "1.0.0",
            "workflows": [{"workflowId": "w", "steps": [{"stepId": "a", "successCriteria": [
                {"condition": "$statusCode == 200"},
                {"condition": "$response.header.Content-Type == application/json"},
                {"condition": "$response.body#/email == Trystan_Crooks@hotmail.com && $statusCode == 200"},
                {"context": "$response.body", "condition": "{\"id\": 7, \"a b\": {\"ok\": true}, \"tags\": [\"x'y\"]}"},
                {"context": "$response.body", "condition": "[]"},
                {"context": "$response.body", "condition": "$[?@.id == 1]", "type": "jsonpath"},
                {"condition": "$response.body#/name == Hello World"},
                {"context": "$response.body", "condition": "\"x-file: example.file\"\n"},
                {"condition": "$statusCode == 2XX && $response.header.X != 5xx"},
                {"condition": "$statusCode != 5XX"}
            ]}]}]
        }));
        let criteria = &value["workflows"][0]["steps"][0]["successCriteria"];
        assert_eq!(criteria[0]["condition"], "$statusCode == 200");
        assert_eq!(
            criteria[1]["condition"],
            "$response.header.Content-Type == 'application/json'"
        );
        assert_eq!(
            criteria[2]["condition"],
            "$response.body#/email == 'Trystan_Crooks@hotmail.com' && $statusCode == 200"
        );
        assert_eq!(
            criteria[3]["condition"],
            "$response.body#/id == 7 && $response.body#/a%20b/ok == true && $response.body#/tags/0 == 'x''y'"
        );
        assert_eq!(criteria[4]["condition"], "$response.body != null");
        assert_eq!(
            criteria[5]["condition"], "$[?@.id == 1]",
            "not a simple condition"
        );
        assert_eq!(
            criteria[6]["condition"], "$response.body#/name == Hello World",
            "two words: left as an error"
        );
        assert_eq!(
            criteria[7]["condition"],
            "$response.body == 'x-file: example.file'"
        );
        assert_eq!(
            criteria[8]["condition"],
            "($statusCode >= 200 && $statusCode < 300) && $response.header.X != '5xx'",
            "a range only for the status code; the header's `5xx` is a word"
        );
        assert_eq!(
            criteria[9]["condition"],
            "($statusCode < 500 || $statusCode >= 600)"
        );
        let rules: Vec<&str> = readings.iter().map(|reading| reading.rule.id()).collect();
        assert_eq!(
            rules,
            [
                "compat-unquoted-literal",
                "compat-unquoted-literal",
                "compat-body-literal",
                "compat-body-literal",
                "compat-body-literal",
                "compat-status-range",
                "compat-status-range"
            ]
        );
    }

    #[test]
    fn step_outputs_without_outputs_take_the_spec_form() {
        let (value, readings) = read_json(json!({
            "arazzo": "1.0.1",
            "workflows": [{"workflowId": "w", "steps": [
                {"stepId": "login", "outputs": {"token": "$response.body#/t", "outputs": "x"}},
                {"stepId": "use", "parameters": [
                    {"name": "a", "value": "Bearer {$steps.login.token}"},
                    {"name": "b", "value": "$steps.login.outputs.token"},
                    {"name": "c", "value": "$steps.login.tokenish"},
                    {"name": "d", "value": "$steps.other.token"}
                ], "successCriteria": [{"condition": "$steps.login.token != null"}]}
            ], "outputs": {"t": "$steps.login.token"}}]
        }));
        let step = &value["workflows"][0]["steps"][1];
        assert_eq!(
            step["parameters"][0]["value"],
            "Bearer {$steps.login.outputs.token}"
        );
        assert_eq!(step["parameters"][1]["value"], "$steps.login.outputs.token");
        assert_eq!(
            step["parameters"][2]["value"], "$steps.login.tokenish",
            "not a declared output"
        );
        assert_eq!(
            step["parameters"][3]["value"], "$steps.other.token",
            "no such step"
        );
        assert_eq!(
            step["successCriteria"][0]["condition"],
            "$steps.login.outputs.token != null"
        );
        assert_eq!(
            value["workflows"][0]["outputs"]["t"],
            "$steps.login.outputs.token"
        );
        assert_eq!(readings.len(), 3);
        assert!(
            readings
                .iter()
                .all(|reading| reading.rule == Rule::CompatStepOutput)
        );
    }

    #[test]
    fn strefethen_targets_actions_and_literals_take_the_spec_form() {
        let (value, readings) = read_json(json!({
            "arazzo": "1.0.0",
            "sourceDescriptions": [{"name": "httpbin", "url": "https://httpbin.org"}],
            "components": {"failureActions": {"again": {"type": "retry", "retryLimit": 2}}},
            "workflows": [{"workflowId": "w", "failureActions": [{"type": "end"}], "steps": [
                {"stepId": "a", "operationPath": "POST /post", "requestBody": {"payload": {}}},
                {"stepId": "b", "operationPath": "/status/{code}", "onFailure": [
                    {"type": "retry", "retryLimit": 1}, {"name": "retry", "type": "end"},
                    {"type": "retry"}, {"name": "$components.failureActions.again"}
                ]},
                {"stepId": "c", "operationPath": "{httpbin}./get",
                 "successCriteria": [{"condition": "$response.body#/m == \"PATCH\" && $statusCode == 200", "context": ""}]},
                {"stepId": "d", "operationPath": "GET {other}./get"},
                {"stepId": "e", "operationId": "$sourceDescriptions.httpbin#/paths/~1pets/get",
                 "parameters": [{"name": "p", "in": "query", "value": "", "reference": ""}]}
            ]}]
        }));
        let steps = &value["workflows"][0]["steps"];
        let url = "{$sourceDescriptions.httpbin.url}#/paths";
        assert_eq!(steps[0]["operationPath"], format!("{url}/~1post/post"));
        assert_eq!(
            steps[1]["operationPath"],
            format!("{url}/~1status~1{{code}}/get")
        );
        assert_eq!(steps[2]["operationPath"], format!("{url}/~1get/get"));
        assert_eq!(
            steps[3]["operationPath"], "GET {other}./get",
            "no such source"
        );
        assert_eq!(steps[4]["operationPath"], format!("{url}/~1pets/get"));
        assert!(steps[4].get("operationId").is_none());
        let names: Vec<&Value> = (0..3).map(|i| &steps[1]["onFailure"][i]["name"]).collect();
        assert_eq!(names, ["retry-2", "retry", "retry-3"]);
        assert_eq!(
            steps[1]["onFailure"][3],
            json!({"reference": "$components.failureActions.again"})
        );
        assert_eq!(value["workflows"][0]["failureActions"][0]["name"], "end");
        assert_eq!(
            value["components"]["failureActions"]["again"]["name"],
            "again"
        );
        assert_eq!(
            steps[2]["successCriteria"][0],
            json!({"condition": "$response.body#/m == 'PATCH' && $statusCode == 200"})
        );
        assert_eq!(
            steps[4]["parameters"][0],
            json!({"name": "p", "in": "query", "value": ""}),
            "an empty value is a value"
        );
        let rules: Vec<&str> = readings.iter().map(|reading| reading.rule.id()).collect();
        assert_eq!(
            rules,
            [
                "compat-empty-field",
                "compat-empty-field",
                "compat-action-name",
                "compat-double-quoted",
                "compat-action-name",
                "compat-method-path",
                "compat-method-path",
                "compat-action-name",
                "compat-action-name",
                "compat-action-reference",
                "compat-method-path",
                "compat-operation-id-path",
            ]
        );
        let renamed = readings.last().unwrap();
        assert_eq!(
            renamed.message(),
            "read `operationId: $sourceDescriptions.httpbin#/paths/~1pets/get` as `operationPath: {$sourceDescriptions.httpbin.url}#/paths/~1pets/get` (usearazzo's toolkit: a JSON pointer in `operationId`)"
        );
    }

    #[test]
    fn wso2_usearazzo_and_javascript_style_criteria_take_the_spec_form() {
        let (value, readings) = read_json(json!({
            "arazzo": "1.0.1",
            "workflows": [{"workflowId": "w", "steps": [{"stepId": "a", "successCriteria": [
                {"condition": "$body.score > 750 && $bodyCount == 1 && $response.body#/x == '$body'"},
                {"context": "response", "condition": "$statusCode == 200", "type": "simple"},
                {"context": "$response.body", "condition": "$.access_token != null", "type": "jsonpath"},
                {"context": "$response.body#/links/", "condition": "#/0/rel == 'self'", "type": "jsonpath", "version": "draft-goessner-dispatch-jsonpath-00"},
                {"context": "$response.body#/links", "condition": "$.length == 5", "type": "jsonpath"},
                {"context": "$response.body", "condition": "$[?@.id == 1]", "type": "jsonpath"},
                {"context": "$response.body", "condition": "$.a == $.b", "type": "jsonpath"}
            ]}]}]
        }));
        let criteria = &value["workflows"][0]["steps"][0]["successCriteria"];
        assert_eq!(
            criteria[0]["condition"],
            "$response.body.score > 750 && $bodyCount == 1 && $response.body#/x == '$body'"
        );
        assert_eq!(criteria[1]["context"], "$response.body");
        assert_eq!(
            criteria[2],
            json!({"context": "$response.body", "condition": "$response.body#/access_token != null"})
        );
        assert_eq!(
            criteria[3],
            json!({"context": "$response.body#/links/", "condition": "$response.body#/links/0/rel == 'self'"})
        );
        for (at, why) in [(4, "a size"), (5, "a real query"), (6, "two paths")] {
            assert_eq!(criteria[at]["type"], "jsonpath", "{why}");
        }
        let rules: Vec<&str> = readings.iter().map(|reading| reading.rule.id()).collect();
        assert_eq!(
            rules,
            [
                "compat-body-shorthand",
                "compat-context-word",
                "compat-jsonpath-comparison",
                "compat-jsonpath-comparison",
                "compat-jsonpath-comparison",
                "compat-jsonpath-comparison",
                "compat-jsonpath-comparison",
            ]
        );
    }

    #[test]
    fn expressions_embedded_without_braces_get_them_in_what_a_step_sends() {
        let (value, readings) = read_json(json!({
            "arazzo": "1.0.1",
            "workflows": [{"workflowId": "w", "steps": [{"stepId": "a",
                "parameters": [
                    {"name": "Authorization", "in": "header", "value": "Bearer $inputs.token"},
                    {"name": "b", "in": "query", "value": "$inputs.token"},
                    {"name": "c", "in": "query", "value": "Bearer {$inputs.token}"},
                    {"name": "d", "in": "query", "value": "costs $5, see $input.typo"}
                ],
                "requestBody": {"payload": {"note": "by $steps.login.outputs.user, at $response.header.Date"},
                                "replacements": [{"target": "/x", "value": "id=$inputs.id;"}]},
                "outputs": {"o": "$response.body"}
            }]}]
        }));
        let step = &value["workflows"][0]["steps"][0];
        let values: Vec<&Value> = (0..4).map(|i| &step["parameters"][i]["value"]).collect();
        assert_eq!(
            values,
            [
                "Bearer {$inputs.token}",
                "$inputs.token",
                "Bearer {$inputs.token}",
                "costs $5, see $input.typo"
            ]
        );
        assert_eq!(
            step["requestBody"]["payload"]["note"],
            "by {$steps.login.outputs.user}, at {$response.header.Date}"
        );
        assert_eq!(
            step["requestBody"]["replacements"][0]["value"],
            "id={$inputs.id};"
        );
        let pointers: Vec<&str> = readings
            .iter()
            .map(|reading| reading.pointer.as_str())
            .collect();
        assert_eq!(
            pointers,
            [
                "/workflows/0/steps/0/parameters/0/value",
                "/workflows/0/steps/0/requestBody/payload/note",
                "/workflows/0/steps/0/requestBody/replacements/0/value"
            ]
        );
    }

    #[test]
    fn workflow_pointers_and_braced_outputs_take_the_spec_form() {
        let (value, readings) = read_json(json!({
            "arazzo": "1.0.1",
            "workflows": [{"workflowId": "w", "steps": [
                {"stepId": "a", "workflowId": "$sourceDescriptions.child#/workflows/child-flow",
                 "outputs": {"whole": "{$outputs.x}", "text": "id {$outputs.y}", "two": "{$inputs.a}{$inputs.b}"}},
                {"stepId": "b", "workflowId": "$sourceDescriptions.child#/workflows/0"}
            ], "outputs": {"r": " {$steps.a.outputs.whole} "}}]
        }));
        let steps = &value["workflows"][0]["steps"];
        assert_eq!(
            steps[0]["workflowId"],
            "$sourceDescriptions.child.child-flow"
        );
        assert_eq!(
            steps[1]["workflowId"], "$sourceDescriptions.child#/workflows/0",
            "by index"
        );
        assert_eq!(
            steps[0]["outputs"],
            json!({"whole": "$outputs.x", "text": "id {$outputs.y}", "two": "{$inputs.a}{$inputs.b}"})
        );
        assert_eq!(
            value["workflows"][0]["outputs"]["r"],
            "$steps.a.outputs.whole"
        );
        let rules: Vec<&str> = readings.iter().map(|reading| reading.rule.id()).collect();
        assert_eq!(
            rules,
            [
                "compat-braced-output",
                "compat-braced-output",
                "compat-workflow-ref"
            ]
        );
    }

    #[test]
    fn a_bare_path_needs_its_source_when_there_are_several() {
        let sources = ["a".to_string(), "b".to_string()];
        assert_eq!(method_path("/get", &sources, false), None);
        assert_eq!(
            method_path("DELETE {b}./pets/{id}", &sources, true).as_deref(),
            Some("{$sourceDescriptions.b.url}#/paths/~1pets~1{id}/delete")
        );
        assert_eq!(method_path("/get?x=1", &sources[..1], false), None);
        assert_eq!(method_path("FETCH /get", &sources[..1], false), None);
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
