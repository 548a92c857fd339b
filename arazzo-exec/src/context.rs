//! The run state as seen by runtime expressions: [`Scope`] implements `arazzo_expr::Context`.

use std::borrow::Cow;
use std::collections::HashMap;

use arazzo_expr::{ComponentKind, Context, HttpMessage, header_value};
use arazzo_model::Document;
use indexmap::IndexMap;
use serde_json::Value;

/// The outputs of the steps that have run, by step id.
pub(crate) type StepOutputs = HashMap<String, IndexMap<String, Value>>;

/// The inputs and outputs of a workflow that has run, for `$workflows.<id>.…`.
#[derive(Debug, Clone, Default)]
pub(crate) struct WorkflowResult {
    pub inputs: Value,
    pub outputs: IndexMap<String, Value>,
    pub passed: bool,
}

/// The workflows of one document that have run, by workflow id.
pub(crate) type WorkflowResults = HashMap<String, WorkflowResult>;

/// One step's HTTP exchange, as expressions read it (the cassette's [`crate::Exchange`] is
/// the recorded one).
#[derive(Debug, Default)]
pub(crate) struct ExchangeView {
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub path: Vec<(String, String)>,
    pub request_body: Option<Value>,
    pub response: Option<ResponseView>,
}

/// A response with its body parsed once.
#[derive(Debug)]
pub(crate) struct ResponseView {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

/// What a step's expressions can see: the workflow's inputs, earlier steps' outputs, the
/// document, and (while the step runs) its exchange.
pub(crate) struct Scope<'a> {
    pub document: &'a Document,
    pub workflow_id: &'a str,
    pub inputs: &'a Value,
    pub steps: &'a StepOutputs,
    /// The workflows of this document that have run (dependencies, called workflows).
    pub workflows: Option<&'a WorkflowResults>,
    /// `$outputs`: the outputs of the workflow the current step called.
    pub outputs: Option<&'a IndexMap<String, Value>>,
    pub exchange: Option<&'a ExchangeView>,
}

impl<'a> Scope<'a> {
    /// What a step's expressions see before its request: no exchange, no called workflow.
    pub(crate) fn new(
        document: &'a Document,
        workflow_id: &'a str,
        inputs: &'a Value,
        steps: &'a StepOutputs,
        workflows: Option<&'a WorkflowResults>,
    ) -> Scope<'a> {
        Scope {
            document,
            workflow_id,
            inputs,
            steps,
            workflows,
            outputs: None,
            exchange: None,
        }
    }
}

fn lookup<'a>(pairs: &'a [(String, String)], name: &str) -> Option<Cow<'a, Value>> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| Cow::Owned(Value::String(value.clone())))
}

impl Context for Scope<'_> {
    fn url(&self) -> Option<Cow<'_, Value>> {
        self.exchange
            .map(|exchange| Cow::Owned(Value::String(exchange.url.clone())))
    }

    fn method(&self) -> Option<Cow<'_, Value>> {
        self.exchange
            .map(|exchange| Cow::Owned(Value::String(exchange.method.clone())))
    }

    fn status_code(&self) -> Option<Cow<'_, Value>> {
        let response = self.exchange?.response.as_ref()?;
        Some(Cow::Owned(Value::from(response.status)))
    }

    fn header(&self, message: HttpMessage, name: &str) -> Option<Cow<'_, Value>> {
        let exchange = self.exchange?;
        let headers = match message {
            HttpMessage::Request => &exchange.request_headers,
            HttpMessage::Response => &exchange.response.as_ref()?.headers,
        };
        let pairs = headers
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()));
        header_value(pairs, name).map(|value| Cow::Owned(Value::String(value)))
    }

    fn query(&self, message: HttpMessage, name: &str) -> Option<Cow<'_, Value>> {
        match message {
            HttpMessage::Request => lookup(&self.exchange?.query, name),
            HttpMessage::Response => None,
        }
    }

    fn path(&self, message: HttpMessage, name: &str) -> Option<Cow<'_, Value>> {
        match message {
            HttpMessage::Request => lookup(&self.exchange?.path, name),
            HttpMessage::Response => None,
        }
    }

    fn body(&self, message: HttpMessage) -> Option<Cow<'_, Value>> {
        let exchange = self.exchange?;
        let body = match message {
            HttpMessage::Request => exchange.request_body.as_ref(),
            HttpMessage::Response => exchange.response.as_ref()?.body.as_ref(),
        };
        body.map(Cow::Borrowed)
    }

    fn input(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.inputs.get(name).map(Cow::Borrowed)
    }

    fn output(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.outputs?.get(name).map(Cow::Borrowed)
    }

    fn step_output(&self, step_id: &str, name: &str) -> Option<Cow<'_, Value>> {
        self.steps.get(step_id)?.get(name).map(Cow::Borrowed)
    }

    fn workflow_input(&self, workflow_id: &str, name: &str) -> Option<Cow<'_, Value>> {
        if workflow_id == self.workflow_id {
            return self.input(name);
        }
        self.workflows?
            .get(workflow_id)?
            .inputs
            .get(name)
            .map(Cow::Borrowed)
    }

    fn workflow_output(&self, workflow_id: &str, name: &str) -> Option<Cow<'_, Value>> {
        self.workflows?
            .get(workflow_id)?
            .outputs
            .get(name)
            .map(Cow::Borrowed)
    }

    fn source_description(&self, name: &str, reference: &str) -> Option<Cow<'_, Value>> {
        let source = self.document.source(name)?;
        match reference {
            "url" => Some(Cow::Owned(Value::String(source.url.clone()))),
            "name" => Some(Cow::Owned(Value::String(source.name.clone()))),
            _ => None,
        }
    }

    fn component(&self, kind: ComponentKind, key: &str) -> Option<Cow<'_, Value>> {
        let components = self.document.components.as_ref()?;
        let value = match kind {
            ComponentKind::Parameters => serde_json::to_value(components.parameters.get(key)?),
            ComponentKind::SuccessActions => {
                serde_json::to_value(components.success_actions.get(key)?)
            }
            ComponentKind::FailureActions => {
                serde_json::to_value(components.failure_actions.get(key)?)
            }
            ComponentKind::Inputs => return components.inputs.get(key).map(Cow::Borrowed),
        };
        value.ok().map(Cow::Owned)
    }
}
