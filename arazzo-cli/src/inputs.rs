//! Where the inputs of a run come from: `ARAZZO_INPUT_<name>` variables, `--inputs FILE`,
//! `--input NAME=VALUE`, and in the load mode `{n}` and the rows of `--inputs-csv`.

use std::path::Path;
use std::sync::Arc;

use arazzo_exec::{InputSchema, Plan};
use serde_json::{Map, Value};

use crate::args::DocumentArgs;
use crate::error::CliError;

/// Prefix of the environment variables giving inputs: `ARAZZO_INPUT_<name>` (name as written).
const INPUT_ENV_PREFIX: &str = "ARAZZO_INPUT_";

/// The placeholder of the run number (from 1) in inputs: `--input customerId=cust-{n}`.
const RUN_NUMBER: &str = "{n}";

/// The inputs given to a run, as read, before they are typed by a workflow's schema:
/// `ARAZZO_INPUT_<name>` variables, then `--inputs FILE`, then `--input NAME=VALUE` (each
/// overriding the one before). An inputs file whose top-level members are all workflows of
/// the document, each an object, gives each workflow its own inputs.
pub(crate) struct Given {
    env: Vec<(String, String)>,
    /// Every environment variable, for the members of an `env` input (`$inputs.env.NAME`).
    process: Vec<(String, String)>,
    file: File,
    flags: Vec<(String, String)>,
}

/// What an inputs file gave.
enum File {
    /// No file.
    None,
    /// The same inputs for every workflow.
    Shared(Map<String, Value>),
    /// Inputs by workflow id.
    ByWorkflow(Map<String, Value>),
}

impl Given {
    /// Reads the inputs `document` and `env` give (the file once: it may be stdin), for a
    /// document with these workflows.
    pub(crate) fn read<'a>(
        document: &DocumentArgs,
        env: impl Iterator<Item = (String, String)>,
        workflow_ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<Given, CliError> {
        let process: Vec<(String, String)> = env.collect();
        let env = process
            .iter()
            .filter_map(|(key, text)| {
                Some((
                    key.strip_prefix(INPUT_ENV_PREFIX)?.to_string(),
                    text.clone(),
                ))
            })
            .collect();
        let flags = document
            .inputs
            .iter()
            .map(|pair| match pair.split_once('=') {
                Some((name, text)) => Ok((name.to_string(), text.to_string())),
                None => Err(CliError::Inputs(format!(
                    "`--input {pair}`: expected NAME=VALUE"
                ))),
            })
            .collect::<Result<_, _>>()?;
        let file = match &document.inputs_file {
            Some(path) => {
                let members = read_file(path)?;
                let ids: Vec<&str> = workflow_ids.into_iter().collect();
                let by_workflow = !members.is_empty()
                    && members
                        .iter()
                        .all(|(key, value)| ids.contains(&key.as_str()) && value.is_object());
                match by_workflow {
                    true => File::ByWorkflow(members),
                    false => File::Shared(members),
                }
            }
            None => File::None,
        };
        Ok(Given {
            env,
            process,
            file,
            flags,
        })
    }

    /// The inputs of the workflow `workflow_id`, text typed by its inputs `schema`.
    pub(crate) fn of(&self, workflow_id: &str, schema: Option<&InputSchema>) -> Map<String, Value> {
        let typed = |name: &str, text: &str| match schema {
            Some(schema) => schema.coerce(name, text),
            None => Value::String(text.to_string()),
        };
        let mut inputs = Map::new();
        for (name, text) in &self.env {
            inputs.insert(name.clone(), typed(name, text));
        }
        let file = match &self.file {
            File::None => None,
            File::Shared(members) => Some(members),
            File::ByWorkflow(by_id) => by_id.get(workflow_id).and_then(Value::as_object),
        };
        for (name, value) in file.into_iter().flatten() {
            let value = match schema {
                Some(schema) => schema.integral(name, value.clone()),
                None => value.clone(),
            };
            inputs.insert(name.clone(), value);
        }
        for (name, text) in &self.flags {
            inputs.insert(name.clone(), typed(name, text));
        }
        self.fill_env(&mut inputs, schema);
        inputs
    }

    /// Members of the `env` input the schema declares and the inputs do not give, from the
    /// environment variables of their names (Redocly Respect's `$inputs.env.NAME`).
    fn fill_env(&self, inputs: &mut Map<String, Value>, schema: Option<&InputSchema>) {
        let Some(schema) = schema else {
            return;
        };
        let names = schema.environment_names();
        let found: Vec<(&str, &str)> = names
            .iter()
            .filter_map(|name| {
                let (_, text) = self.process.iter().find(|(key, _)| key == name)?;
                Some((*name, text.as_str()))
            })
            .collect();
        if found.is_empty() {
            return;
        }
        let env = inputs
            .entry("env")
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(env) = env else {
            return;
        };
        for (name, text) in found {
            env.entry(name)
                .or_insert_with(|| Value::String(text.to_string()));
        }
    }
}

/// The inputs of a run of one workflow, as [`Given`] says (the tests' shorthand).
#[cfg(test)]
fn collect(
    document: &DocumentArgs,
    schema: Option<&InputSchema>,
    env: impl Iterator<Item = (String, String)>,
) -> Result<Map<String, Value>, CliError> {
    Ok(Given::read(document, env, ["w"])?.of("w", schema))
}

/// An inputs file (`-`: stdin), which must hold an object.
fn read_file(path: &Path) -> Result<Map<String, Value>, CliError> {
    let text = if path == Path::new("-") {
        arazzo_model::read_capped(std::io::stdin(), arazzo_model::MAX_FILE_BYTES)
            .map_err(|err| format!("cannot read inputs from stdin: {err}"))
    } else {
        arazzo_model::read_regular_file(path, arazzo_model::MAX_FILE_BYTES)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))
    };
    match parse_inputs(path, &text.map_err(CliError::Inputs)?)? {
        Value::Object(members) => Ok(members),
        _ => Err(CliError::Inputs(format!(
            "{}: the inputs must be an object",
            path.display()
        ))),
    }
}

/// An inputs file: JSON when it is named `.json` or (on stdin) starts with `{`, else YAML.
/// JSON is parsed as JSON: a YAML parser refuses JSON's surrogate-pair escapes (`"\ud83d\ude00"`).
fn parse_inputs(path: &Path, text: &str) -> Result<Value, CliError> {
    let json = match path.extension() {
        Some(extension) => extension.eq_ignore_ascii_case("json"),
        None => path == Path::new("-") && text.trim_start().starts_with('{'),
    };
    let parsed = if json {
        serde_json::from_str(text).map_err(|err| {
            let position = format!(" at line {} column {}", err.line(), err.column());
            let message = err.to_string();
            let message = message.strip_suffix(&position).unwrap_or(&message);
            format!(
                "{}:{}:{}: {message}",
                path.display(),
                err.line(),
                err.column()
            )
        })
    } else {
        yaml_serde::from_str(text).map_err(|err| format!("{}: {err}", path.display()))
    };
    parsed.map_err(CliError::Inputs)
}

/// The inputs of a workflow's runs: the collected ones, and in the load mode the rows of
/// `--inputs-csv`.
pub(crate) struct RunInputs {
    plan: Arc<Plan>,
    workflow_id: String,
    collected: Map<String, Value>,
    csv: Option<Csv>,
}

impl RunInputs {
    /// The `collected` inputs of the workflow `workflow_id` of `plan`, and the rows of `csv`.
    pub(crate) fn new(
        plan: Arc<Plan>,
        workflow_id: &str,
        collected: Map<String, Value>,
        csv: Option<&Path>,
    ) -> Result<RunInputs, CliError> {
        Ok(RunInputs {
            plan,
            workflow_id: workflow_id.to_string(),
            collected,
            csv: csv.map(Csv::read).transpose().map_err(CliError::Inputs)?,
        })
    }

    /// Checks the inputs of the first run against the workflow's schema (in the load mode,
    /// every run would fail the same way: said once, like a single run does).
    pub(crate) fn check(&self, load: bool) -> Result<(), CliError> {
        let Some(schema) = self.schema() else {
            return Ok(());
        };
        let invalid = |problems: Vec<_>, of: String| match problems.is_empty() {
            true => Ok(()),
            false => Err(CliError::InvalidInputs { problems, of }),
        };
        let workflow = format!("workflow `{}`", self.workflow_id);
        if !load {
            return invalid(schema.check(&self.once()), workflow);
        }
        let first = self.for_run(1);
        let unknown = self.plan.unknown_inputs(&self.workflow_id, &first);
        invalid(unknown, "--inputs-csv".to_string())?;
        invalid(schema.check(&first), format!("{workflow} (run 1)"))
    }

    /// The workflow these are the inputs of.
    pub(crate) fn workflow_id(&self) -> &str {
        &self.workflow_id
    }

    /// How many rows `--inputs-csv` has.
    pub(crate) fn csv_rows(&self) -> Option<u64> {
        self.csv.as_ref().map(|csv| csv.rows.len() as u64)
    }

    /// The inputs of a single run, as collected.
    pub(crate) fn once(&self) -> Value {
        Value::Object(self.collected.clone())
    }

    /// The inputs of run `n` of the load mode: the collected ones, overridden by the run's CSV
    /// row, with `{n}` replaced by the run number; text is typed by the workflow's schema.
    pub(crate) fn for_run(&self, n: u64) -> Value {
        let schema = self.schema();
        let number = n.to_string();
        let typed = |name: &str, text: &str| {
            let text = text.replace(RUN_NUMBER, &number);
            match schema {
                Some(schema) => schema.coerce(name, &text),
                None => Value::String(text),
            }
        };
        let mut inputs = self.collected.clone();
        for (name, value) in &mut inputs {
            match value {
                Value::String(text) if text.contains(RUN_NUMBER) => *value = typed(name, text),
                other => replace_run_number(other, &number),
            }
        }
        if let Some(csv) = &self.csv {
            let row = &csv.rows[((n - 1) % csv.rows.len() as u64) as usize];
            for (name, cell) in csv.header.iter().zip(row) {
                if !cell.is_empty() {
                    inputs.insert(name.clone(), typed(name, cell));
                }
            }
        }
        Value::Object(inputs)
    }

    fn schema(&self) -> Option<&InputSchema> {
        self.plan
            .workflow(&self.workflow_id)
            .and_then(|workflow| workflow.inputs())
    }
}

/// Replaces `{n}` in every string inside `value`.
fn replace_run_number(value: &mut Value, number: &str) {
    match value {
        Value::String(text) if text.contains(RUN_NUMBER) => {
            *text = text.replace(RUN_NUMBER, number);
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| replace_run_number(item, number)),
        Value::Object(members) => members
            .values_mut()
            .for_each(|member| replace_run_number(member, number)),
        _ => {}
    }
}

/// `--inputs-csv`: a header row of input names, then one row per run.
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn read(path: &Path) -> Result<Csv, String> {
        let fail = |err: csv::Error| format!("{}: {err}", path.display());
        let text = arazzo_model::read_regular_file(path, arazzo_model::MAX_FILE_BYTES)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(fail)?
            .iter()
            .map(str::to_string)
            .collect();
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|record| Ok(record?.iter().map(str::to_string).collect()))
            .collect::<Result<_, csv::Error>>()
            .map_err(fail)?;
        if rows.is_empty() {
            return Err(format!("{}: no rows after the header", path.display()));
        }
        Ok(Csv { header, rows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn document(extra: &[&str]) -> DocumentArgs {
        let argv = ["arazzo", "run", "x.yaml"]
            .into_iter()
            .chain(extra.iter().copied());
        match crate::args::Cli::parse_from(argv).command {
            crate::args::Command::Run(args) => args.document,
            _ => unreachable!(),
        }
    }

    #[test]
    fn inputs_layer_env_then_file_then_flags() {
        let env = [
            (
                "ARAZZO_INPUT_customerId".to_string(),
                "from-env".to_string(),
            ),
            ("ARAZZO_INPUT_meterValue".to_string(), "1".to_string()),
            ("HOME".to_string(), "/root".to_string()),
        ];
        let inputs = collect(
            &document(&["--input", "meterValue=7", "--input", "x=a=b"]),
            None,
            env.into_iter(),
        )
        .unwrap();
        assert_eq!(
            Value::Object(inputs),
            serde_json::json!({"customerId": "from-env", "meterValue": "7", "x": "a=b"})
        );
        let novalue = collect(&document(&["--input", "novalue"]), None, std::iter::empty());
        assert!(novalue.is_err());
    }

    #[test]
    fn run_number_is_replaced_at_any_depth() {
        let mut value = serde_json::json!({"a": ["x-{n}", {"b": "{n}{n}"}], "c": 1});
        replace_run_number(&mut value, "7");
        assert_eq!(
            value,
            serde_json::json!({"a": ["x-7", {"b": "77"}], "c": 1})
        );
    }
}
