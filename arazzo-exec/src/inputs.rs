//! Workflow inputs: checked against the workflow's `inputs` JSON Schema before anything is
//! sent, typed from command-line text, and told apart when secret.

use jsonschema::error::ValidationErrorKind;
use serde_json::{Value, json};

use arazzo_model::{json_type, schema_types};
use arazzo_sources::is_secret_name;

/// A workflow's `inputs` schema, compiled once.
#[derive(Debug)]
pub struct InputSchema {
    validator: jsonschema::Validator,
    /// The schema with a top-level `$ref` into the document followed.
    resolved: Value,
}

/// One problem with the inputs given to a workflow.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputProblem {
    /// The JSON pointer of the offending input (`/meterValue`), empty for the whole object.
    pub pointer: String,
    /// What is wrong, without the value (which may be secret).
    pub message: String,
}

impl std::fmt::Display for InputProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl InputSchema {
    /// Compiles the `inputs` of the workflow at `index` of the Arazzo document `document`
    /// (its JSON value): `$ref`s such as `#/components/inputs/x` resolve against the document.
    ///
    /// # Errors
    /// When the schema does not compile (its message).
    pub fn compile(document: &Value, index: usize) -> Result<Option<InputSchema>, String> {
        InputSchema::compile_at(document, index, None)
    }

    /// [`InputSchema::compile`] for the document at `url`: `$ref`s to other files
    /// (`./schemas/user.json#/$defs/User`) resolve against it, when both are local files.
    ///
    /// # Errors
    /// When the schema does not compile, or a file it refers to cannot be read.
    pub fn compile_at(
        document: &Value,
        index: usize,
        url: Option<&url::Url>,
    ) -> Result<Option<InputSchema>, String> {
        let Some(schema) = document["workflows"][index].get("inputs") else {
            return Ok(None);
        };
        // The whole document is the schema resource, so that pointers into it resolve; none of
        // its top-level fields is a JSON Schema keyword, so only the `$ref` applies.
        let mut root = document.clone();
        root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        root["$ref"] = json!(format!("#/workflows/{index}/inputs"));
        let mut options = jsonschema::draft202012::options().with_retriever(LocalFiles {
            local: url.is_some_and(|url| url.scheme() == "file"),
        });
        if let Some(url) = url {
            options = options.with_base_uri(url.as_str());
        }
        let validator = options.build(&root).map_err(|err| err.to_string())?;
        let resolved = match external_ref(schema, url) {
            Some(resolved) => resolved,
            None => arazzo_model::follow_local_ref(document, schema).clone(),
        };
        Ok(Some(InputSchema {
            validator,
            resolved,
        }))
    }

    /// Every problem with `inputs`.
    pub fn check(&self, inputs: &Value) -> Vec<InputProblem> {
        self.validator
            .iter_errors(inputs)
            .map(|err| {
                let pointer = err.instance_path().as_str().to_string();
                let name = pointer.trim_start_matches('/').replace('/', ".");
                // A problem of the inputs object itself has no input name to show.
                let subject = match name.is_empty() {
                    true => "the inputs".to_string(),
                    false => format!("input `{name}`"),
                };
                let message = match err.kind() {
                    ValidationErrorKind::Required { property } => {
                        let property = property.as_str().unwrap_or_default();
                        match name.is_empty() {
                            true => format!("missing required input `{property}`"),
                            false => {
                                format!("input `{name}` is missing its required field `{property}`")
                            }
                        }
                    }
                    ValidationErrorKind::Type { kind } => {
                        format!(
                            "{subject} must be of type {}, got {}",
                            schema_types(kind),
                            json_type(err.instance())
                        )
                    }
                    _ if is_secret_name(&name) => format!("{subject} is not valid"),
                    _ => format!("{subject}: {err}"),
                };
                InputProblem { pointer, message }
            })
            .collect()
    }

    /// The value of input `name` written as text on a command line: parsed as JSON when the
    /// schema types the input as a number, integer, boolean, array, object or null (and the
    /// text parses), kept as a string otherwise.
    pub fn coerce(&self, name: &str, text: &str) -> Value {
        let declared = &self.resolved["properties"][name]["type"];
        let is_string = match declared {
            Value::String(kind) => kind == "string",
            Value::Array(kinds) => kinds.iter().any(|kind| kind == "string"),
            _ => false,
        };
        if declared.is_null() || is_string {
            return Value::String(text.to_string());
        }
        let value = serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()));
        self.integral(name, value)
    }

    /// `value` as an integer when the schema types input `name` as one and the value is a
    /// whole number written as a float: JSON reads `-0` and `5.0` as floats, which would be
    /// sent as `-0.0` and `5.0`.
    pub fn integral(&self, name: &str, value: Value) -> Value {
        let declared = &self.resolved["properties"][name]["type"];
        let integer = match declared {
            Value::String(kind) => kind == "integer",
            Value::Array(kinds) => kinds.iter().any(|kind| kind == "integer"),
            _ => false,
        };
        match value.as_f64() {
            Some(number) if integer && value.is_f64() && number.fract() == 0.0 => {
                // Whole floats within ±2^53 convert exactly; larger ones stay as they are.
                if number.abs() < 9_007_199_254_740_992.0 {
                    #[allow(clippy::cast_possible_truncation)]
                    Value::from(number as i64)
                } else {
                    value
                }
            }
            _ => value,
        }
    }

    /// Whether the schema lets in names it does not list: `additionalProperties` other than
    /// `false`, or `patternProperties`, written out. JSON Schema's default allows any name,
    /// but a workflow's inputs list what it reads, so an unlisted name is taken for a typo.
    pub fn is_open(&self) -> bool {
        let schema = &self.resolved;
        schema.get("patternProperties").is_some()
            || schema
                .get("additionalProperties")
                .is_some_and(|additional| additional != &Value::Bool(false))
    }

    /// The names the schema lists, in order.
    pub fn names(&self) -> Vec<&str> {
        self.resolved["properties"]
            .as_object()
            .map(|properties| properties.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// The members of the `env` input the schema declares, read from the environment variables
    /// of those names when not given (Redocly Respect's `$inputs.env.NAME`).
    pub fn environment_names(&self) -> Vec<&str> {
        arazzo_model::environment_inputs(&self.resolved)
    }

    /// The names of the inputs that hold secrets: `format: password`, or a secret-like name.
    pub fn secret_names(&self) -> Vec<String> {
        let Some(properties) = self.resolved["properties"].as_object() else {
            return Vec::new();
        };
        properties
            .iter()
            .filter(|(name, property)| property["format"] == "password" || is_secret_name(name))
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// The values of the secret inputs in `inputs` (see [`InputSchema::secret_names`]), as
    /// text, for a [`Redactor`](crate::Redactor).
    /// The members of the `env` input count as inputs of their own (`AUTH_TOKEN` is secret).
    pub fn secret_values(&self, inputs: &Value) -> Vec<String> {
        let text = |value: &Value| match value {
            Value::String(text) => Some(text.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        };
        let env = &self.resolved["properties"]["env"]["properties"];
        let env_secrets = self
            .environment_names()
            .into_iter()
            .filter(|name| env[*name]["format"] == "password" || is_secret_name(name))
            .filter_map(|name| text(inputs.get("env")?.get(name)?));
        self.secret_names()
            .into_iter()
            .filter_map(|name| text(inputs.get(&name)?))
            .chain(env_secrets)
            .collect()
    }
}

/// The schema a top-level `$ref` to another local file points at (its properties give the
/// input names and types), when `schema` is one and the document is a local file.
fn external_ref(schema: &Value, url: Option<&url::Url>) -> Option<Value> {
    let target = schema.get("$ref")?.as_str()?;
    if target.starts_with('#') {
        return None;
    }
    let url = url?.join(target).ok()?;
    let mut file_url = url.clone();
    file_url.set_fragment(None);
    let uri = jsonschema::uri::from_str(file_url.as_str()).ok()?;
    let file = jsonschema::Retrieve::retrieve(&LocalFiles { local: true }, &uri).ok()?;
    let fragment = url.fragment().unwrap_or_default();
    let pointer = percent_encoding::percent_decode_str(fragment)
        .decode_utf8()
        .ok()?;
    file.pointer(&pointer).cloned()
}

/// Reads the files input schemas refer to: local ones only, and only from a local document
/// (a remote document reaches no file, as for its sources).
struct LocalFiles {
    local: bool,
}

impl jsonschema::Retrieve for LocalFiles {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let url = url::Url::parse(uri.as_str())?;
        let path = match (self.local, url.scheme()) {
            (true, "file") => url
                .to_file_path()
                .map_err(|()| format!("`{url}` is not a local path"))?,
            _ => {
                return Err(format!(
                    "`{url}` is not a local file beside the document: input schemas are read from local files only"
                )
                .into());
            }
        };
        let file = arazzo_model::SourceFile::read(&path).map_err(|err| err.to_string())?;
        Ok(file.value().clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Value {
        json!({
            "workflows": [{"inputs": {"$ref": "#/components/inputs/order"}}],
            "components": {"inputs": {"order": {
                "type": "object",
                "required": ["apiKey", "quantity"],
                "properties": {
                    "apiKey": {"type": "string"},
                    "quantity": {"type": "integer"},
                    "note": {"type": "string"},
                    "pin": {"type": "string", "format": "password"}
                }
            }}}
        })
    }

    #[test]
    fn inputs_are_checked_through_refs_into_the_document() {
        let schema = InputSchema::compile(&document(), 0).unwrap().unwrap();
        assert!(
            schema
                .check(&json!({"apiKey": "k", "quantity": 2}))
                .is_empty()
        );
        let problems: Vec<String> = schema
            .check(&json!({"quantity": "two"}))
            .into_iter()
            .map(|problem| problem.message)
            .collect();
        assert_eq!(
            problems,
            [
                "missing required input `apiKey`",
                "input `quantity` must be of type `integer`, got a string"
            ]
        );
        let root: Vec<String> = schema
            .check(&json!([1]))
            .into_iter()
            .map(|problem| problem.message)
            .collect();
        assert_eq!(root, ["the inputs must be of type `object`, got an array"]);
    }

    #[test]
    fn command_line_text_is_typed_by_the_schema() {
        let schema = InputSchema::compile(&document(), 0).unwrap().unwrap();
        assert_eq!(schema.coerce("quantity", "5"), json!(5));
        assert_eq!(schema.coerce("quantity", "five"), json!("five"));
        assert_eq!(schema.coerce("note", "5"), json!("5"));
        assert_eq!(schema.coerce("undeclared", "5"), json!("5"));
    }

    #[test]
    fn secret_inputs_by_format_or_name() {
        let schema = InputSchema::compile(&document(), 0).unwrap().unwrap();
        assert_eq!(schema.secret_names(), ["apiKey", "pin"]);
    }
}
