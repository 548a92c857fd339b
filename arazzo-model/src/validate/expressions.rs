//! Expression fields: every runtime expression, template and condition of the document is
//! parsed with `arazzo-expr`, and the names it refers to (`$steps.<id>`, `$workflows.<id>`,
//! `$sourceDescriptions.<name>`, `$components.<kind>.<key>`, outputs, inputs) must exist.

use arazzo_expr::{ComponentKind, Expression, Mode, ParseError, Span, WorkflowField};
use serde_json::Value;

use super::{Finding, did_you_mean};
use crate::criterion::CriterionError;
use crate::error::Rule;
use crate::{
    Criterion, Document, OrReusable, OutputValue, SpecVersion, Step, StepTarget, Workflow,
    escape_pointer_token,
};

/// Runs the expression rules on `document`, whose JSON value is `value`.
pub(super) fn check(
    document: &Document,
    value: &Value,
    version: SpecVersion,
    findings: &mut Vec<Finding>,
) {
    let mut check = Check {
        document,
        value,
        version,
        findings,
    };
    for (index, workflow) in document.workflows.iter().enumerate() {
        check.workflow(&format!("/workflows/{index}"), workflow);
    }
    if let Some(components) = &document.components {
        let scope = Scope::default();
        for (key, parameter) in &components.parameters {
            let pointer = format!("/components/parameters/{}/value", escape_pointer_token(key));
            check.tree(&pointer, &parameter.value, &scope);
        }
        for (key, action) in &components.success_actions {
            let pointer = format!("/components/successActions/{}", escape_pointer_token(key));
            check.criteria(&pointer, "criteria", &action.criteria, &scope);
        }
        for (key, action) in &components.failure_actions {
            let pointer = format!("/components/failureActions/{}", escape_pointer_token(key));
            check.criteria(&pointer, "criteria", &action.criteria, &scope);
        }
    }
}

/// What names an expression may refer to where it is written.
#[derive(Default)]
struct Scope<'a> {
    workflow: Option<&'a Workflow>,
    step: Option<&'a Step>,
}

struct Check<'a> {
    document: &'a Document,
    value: &'a Value,
    version: SpecVersion,
    findings: &'a mut Vec<Finding>,
}

/// What the expression rules read from a success or failure action.
trait ActionParts {
    fn criteria(&self) -> &[Criterion];
    fn parameters(&self) -> &[OrReusable<crate::Parameter>];
}

impl ActionParts for crate::SuccessAction {
    fn criteria(&self) -> &[Criterion] {
        &self.criteria
    }
    fn parameters(&self) -> &[OrReusable<crate::Parameter>] {
        &self.parameters
    }
}

impl ActionParts for crate::FailureAction {
    fn criteria(&self) -> &[Criterion] {
        &self.criteria
    }
    fn parameters(&self) -> &[OrReusable<crate::Parameter>] {
        &self.parameters
    }
}

/// The `stepId`s that the workflow's `goto` actions (inline or referenced) go to.
fn goto_steps(document: &Document, workflow: &Workflow) -> Vec<String> {
    let components = document.components.as_ref();
    let success = workflow
        .steps
        .iter()
        .flat_map(|step| &step.on_success)
        .chain(&workflow.success_actions)
        .filter_map(|item| item.resolve(components))
        .filter(|action| action.action_type == crate::SuccessActionType::Goto)
        .filter_map(|action| action.step_id);
    let failure = workflow
        .steps
        .iter()
        .flat_map(|step| &step.on_failure)
        .chain(&workflow.failure_actions)
        .filter_map(|item| item.resolve(components))
        .filter(|action| action.action_type == crate::FailureActionType::Goto)
        .filter_map(|action| action.step_id);
    success.chain(failure).collect()
}

/// Whether `name` is a declared name, or a declared name followed by `.` navigation.
fn declares<'k>(mut names: impl Iterator<Item = &'k String>, name: &str) -> bool {
    names.any(|declared| {
        name == declared
            || name
                .strip_prefix(declared.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

impl<'a> Check<'a> {
    fn workflow(&mut self, pointer: &str, workflow: &'a Workflow) {
        let scope = Scope {
            workflow: Some(workflow),
            step: None,
        };
        for (key, output) in &workflow.outputs {
            let output_pointer = format!("{pointer}/outputs/{}", escape_pointer_token(key));
            self.output(&output_pointer, output, &scope);
        }
        for (index, dependency) in workflow.depends_on.iter().enumerate() {
            if dependency.starts_with('$') {
                self.expression(
                    &format!("{pointer}/dependsOn/{index}"),
                    dependency,
                    &scope,
                    false,
                );
            }
        }
        self.parameters(
            &format!("{pointer}/parameters"),
            &workflow.parameters,
            &scope,
        );
        for (index, action) in workflow.success_actions.iter().enumerate() {
            let action_pointer = format!("{pointer}/successActions/{index}");
            self.action(&action_pointer, action, &scope);
        }
        for (index, action) in workflow.failure_actions.iter().enumerate() {
            let action_pointer = format!("{pointer}/failureActions/{index}");
            self.action(&action_pointer, action, &scope);
        }
        for (index, step) in workflow.steps.iter().enumerate() {
            self.step(&format!("{pointer}/steps/{index}"), workflow, step);
        }
    }

    fn step(&mut self, pointer: &str, workflow: &'a Workflow, step: &'a Step) {
        let scope = Scope {
            workflow: Some(workflow),
            step: Some(step),
        };
        // Target fields: syntax only; the names they hold are checked by the structural rules.
        match step.target() {
            Some(StepTarget::OperationId(id)) if id.starts_with('$') => {
                self.expression(&format!("{pointer}/operationId"), id, &scope, false);
            }
            Some(StepTarget::WorkflowId(id)) if id.starts_with('$') => {
                self.expression(&format!("{pointer}/workflowId"), id, &scope, false);
            }
            Some(StepTarget::ChannelPath(path)) => {
                let field = format!("{pointer}/channelPath");
                self.parsed(
                    &field,
                    path,
                    arazzo_expr::parse_template(path, Mode::Lenient).map(|parsed| parsed.warnings),
                );
            }
            Some(StepTarget::OperationPath(path)) => {
                let field = format!("{pointer}/operationPath");
                self.parsed(
                    &field,
                    path,
                    arazzo_expr::parse_template(path, Mode::Lenient).map(|parsed| parsed.warnings),
                );
            }
            _ => {}
        }
        self.parameters(&format!("{pointer}/parameters"), &step.parameters, &scope);
        if let Some(body) = &step.request_body {
            if let Some(payload) = &body.payload {
                self.tree(&format!("{pointer}/requestBody/payload"), payload, &scope);
            }
            for (index, replacement) in body.replacements.iter().enumerate() {
                let value_pointer = format!("{pointer}/requestBody/replacements/{index}/value");
                self.tree(&value_pointer, &replacement.value, &scope);
            }
        }
        self.criteria(pointer, "successCriteria", &step.success_criteria, &scope);
        for (key, output) in &step.outputs {
            self.output(
                &format!("{pointer}/outputs/{}", escape_pointer_token(key)),
                output,
                &scope,
            );
        }
        if let Some(Value::String(id)) = &step.correlation_id
            && id.starts_with('$')
        {
            self.expression(&format!("{pointer}/correlationId"), id, &scope, true);
        }
        for (index, action) in step.on_success.iter().enumerate() {
            self.action(&format!("{pointer}/onSuccess/{index}"), action, &scope);
        }
        for (index, action) in step.on_failure.iter().enumerate() {
            self.action(&format!("{pointer}/onFailure/{index}"), action, &scope);
        }
    }

    /// An output: a runtime expression, or a Selector Object whose `context` is one.
    fn output(&mut self, pointer: &str, output: &OutputValue, scope: &Scope<'a>) {
        match output {
            OutputValue::Expression(expression) => {
                self.expression(pointer, expression, scope, true);
            }
            OutputValue::Selector(selector) => {
                self.expression(
                    &format!("{pointer}/context"),
                    &selector.context,
                    scope,
                    true,
                );
            }
        }
    }

    fn parameters(
        &mut self,
        pointer: &str,
        list: &[OrReusable<crate::Parameter>],
        scope: &Scope<'a>,
    ) {
        for (index, item) in list.iter().enumerate() {
            match item {
                OrReusable::Object(parameter) => {
                    self.tree(&format!("{pointer}/{index}/value"), &parameter.value, scope);
                }
                OrReusable::Reusable(reusable) => {
                    self.expression(
                        &format!("{pointer}/{index}/reference"),
                        &reusable.reference,
                        scope,
                        false,
                    );
                    if let Some(value) = &reusable.value {
                        self.tree(&format!("{pointer}/{index}/value"), value, scope);
                    }
                }
            }
        }
    }

    fn action<T: ActionParts>(&mut self, pointer: &str, item: &OrReusable<T>, scope: &Scope<'a>) {
        match item {
            OrReusable::Object(action) => {
                self.criteria(pointer, "criteria", action.criteria(), scope);
                let parameters = format!("{pointer}/parameters");
                self.parameters(&parameters, action.parameters(), scope);
            }
            OrReusable::Reusable(reusable) => {
                self.expression(
                    &format!("{pointer}/reference"),
                    &reusable.reference,
                    scope,
                    false,
                );
            }
        }
    }

    fn criteria(&mut self, pointer: &str, field: &str, criteria: &[Criterion], scope: &Scope<'a>) {
        for (index, criterion) in criteria.iter().enumerate() {
            let criterion_pointer = format!("{pointer}/{field}/{index}");
            if criterion.context.is_none() && criterion.criterion_type.is_some() {
                continue; // the schema rule `criterion-context` reports it
            }
            match criterion.parse(Mode::Lenient) {
                Ok(parsed) => {
                    let condition = format!("{criterion_pointer}/condition");
                    self.warnings(&condition, &criterion.condition, parsed.warnings);
                    if let Some(context) = parsed.value.context() {
                        self.references(&format!("{criterion_pointer}/context"), context, scope);
                    }
                    for expression in parsed.value.condition_expressions() {
                        self.references(&condition, expression, scope);
                    }
                }
                Err(CriterionError::Context(err)) => {
                    self.syntax(&format!("{criterion_pointer}/context"), &err);
                }
                Err(CriterionError::Condition(err)) => {
                    self.syntax(&format!("{criterion_pointer}/condition"), &err);
                }
                Err(err @ CriterionError::Type(_)) => {
                    let message = err.to_string();
                    self.findings.push(Finding::error(
                        Rule::ExpressionSyntax,
                        format!("{criterion_pointer}/type"),
                        message,
                    ));
                }
            }
        }
    }

    /// Every string of a value (parameter value, payload) that is an expression or template.
    fn tree(&mut self, pointer: &str, value: &Value, scope: &Scope<'a>) {
        match value {
            Value::String(text) => match arazzo_expr::parse_value(text, Mode::Lenient) {
                Ok(parsed) => {
                    if let arazzo_expr::ValueExpr::Literal(_) = &parsed.value {
                        self.dollar_text(pointer, text);
                    }
                    self.warnings(pointer, text, parsed.warnings);
                    for expression in parsed.value.expressions() {
                        self.references(pointer, expression, scope);
                    }
                }
                Err(err) => self.syntax(pointer, &err),
            },
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.tree(&format!("{pointer}/{index}"), item, scope);
                }
            }
            Value::Object(members) => {
                for (key, member) in members {
                    self.tree(
                        &format!("{pointer}/{}", escape_pointer_token(key)),
                        member,
                        scope,
                    );
                }
            }
            _ => {}
        }
    }

    /// `dollar-text`: a value that looks like an expression of an unknown root (`$input.key`,
    /// `$faker.name`) is sent as the text it is, which is rarely what was meant.
    fn dollar_text(&mut self, pointer: &str, text: &str) {
        let Some(rest) = text.strip_prefix('$') else {
            return;
        };
        let root_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let (root, after) = rest.split_at(root_len);
        if root.is_empty() || !root.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return;
        }
        const TYPOS: [(&str, &str); 9] = [
            ("input", "inputs"),
            ("step", "steps"),
            ("workflow", "workflows"),
            ("output", "outputs"),
            ("sourceDescription", "sourceDescriptions"),
            ("component", "components"),
            ("responses", "response"),
            ("requests", "request"),
            ("status", "statusCode"),
        ];
        let help = match TYPOS.iter().find(|(typo, _)| *typo == root) {
            Some((_, root)) => format!("did you mean `${root}{after}`?"),
            None if root == "faker" => {
                "`$faker` is Redocly Respect's test-data generator, which arazzo does not have: give the value as an input".to_string()
            }
            None => "a runtime expression starts with `$inputs`, `$steps`, `$response`…; to send the text, this warning can be ignored".to_string(),
        };
        self.findings.push(
            Finding::warning(
                Rule::DollarText,
                pointer,
                format!("`{text}` is sent as text: `${root}` is not a runtime expression"),
            )
            .help(help),
        );
    }

    /// A field that must be one whole runtime expression.
    fn expression(&mut self, pointer: &str, text: &str, scope: &Scope<'a>, check_references: bool) {
        match arazzo_expr::parse_expression(text, Mode::Lenient) {
            Ok(parsed) => {
                self.warnings(pointer, text, parsed.warnings);
                if check_references {
                    self.references(pointer, &parsed.value, scope);
                } else {
                    self.version_form(pointer, &parsed.value);
                }
            }
            Err(err) => self.syntax(pointer, &err),
        }
    }

    fn parsed(
        &mut self,
        pointer: &str,
        text: &str,
        result: Result<Vec<arazzo_expr::Warning>, ParseError>,
    ) {
        match result {
            Ok(warnings) => self.warnings(pointer, text, warnings),
            Err(err) => self.syntax(pointer, &err),
        }
    }

    fn syntax(&mut self, pointer: &str, err: &ParseError) {
        self.findings.push(
            Finding::error(Rule::ExpressionSyntax, pointer, err.to_string()).within(err.span.start),
        );
    }

    /// The lenient forms of `text` (the string the spans refer to), each a warning whose fix
    /// is `text` with every lenient form that has an ABNF form written in it.
    fn warnings(&mut self, pointer: &str, text: &str, warnings: Vec<arazzo_expr::Warning>) {
        let fixed =
            spec_text(text, &warnings).map(|fixed| crate::Edit::Replace(Value::String(fixed)));
        for warning in warnings {
            let mut finding = Finding::warning(Rule::ExpressionLenient, pointer, warning.message)
                .within(warning.span.start);
            finding.fix = fixed.clone();
            self.findings.push(finding);
        }
    }

    fn unknown(
        &mut self,
        rule: Rule,
        pointer: &str,
        span: Span,
        message: String,
        name: &str,
        candidates: Vec<&str>,
    ) {
        let finding = Finding::error(rule, pointer, message).within(span.start);
        self.findings
            .push(finding.maybe_help(did_you_mean(name, candidates)));
    }

    /// `$steps.<id>.outputs` of a step that runs after the one reading it. Arazzo 1.1: "When
    /// no `dependsOn` is used in a workflow …, implementations SHOULD produce an error"; a
    /// warning in 1.0 documents, and where a `goto` goes back (the later step may have run on
    /// an earlier pass).
    fn forward_reference(
        &mut self,
        pointer: &str,
        step_id: &arazzo_expr::Spanned<String>,
        workflow: &Workflow,
        target: &Step,
        scope: &Scope<'a>,
    ) {
        let Some(reader) = scope.step else {
            return;
        };
        let position = |id: &str| workflow.steps.iter().position(|step| step.step_id == id);
        let (Some(here), Some(there)) = (position(&reader.step_id), position(&target.step_id))
        else {
            return;
        };
        if there <= here {
            return;
        }
        let goes_back = goto_steps(self.document, workflow)
            .iter()
            .any(|id| position(id).is_some_and(|index| index <= here));
        let uses_depends_on = workflow
            .steps
            .iter()
            .any(|step| !step.depends_on.is_empty());
        let message = format!(
            "step `{}` reads `$steps.{}`, which runs later",
            reader.step_id, step_id.value
        );
        let finding = if self.version >= SpecVersion::V1_1 && !goes_back && !uses_depends_on {
            Finding::error(Rule::ForwardReference, pointer, message)
        } else {
            Finding::warning(Rule::ForwardReference, pointer, message)
        };
        self.findings
            .push(finding.within(step_id.span.start).help(format!(
                "move step `{}` before `{}`",
                target.step_id, reader.step_id
            )));
    }

    /// A form of the expression language the document's Arazzo version does not have
    /// (`$message` in 1.0, `$components.inputs` in 1.1): refused, saying which version has it.
    fn version_form(&mut self, pointer: &str, expression: &Expression) {
        let Some(form) = expression.version_form() else {
            return;
        };
        let (has_it, help) = match self.version {
            SpecVersion::V1_0 => (
                form.value.in_arazzo_1_0(),
                format!(
                    "`{}` is Arazzo 1.1: declare `arazzo: 1.1.0` to use it",
                    form.value.name()
                ),
            ),
            SpecVersion::V1_1 => (
                form.value.in_arazzo_1_1(),
                "reference the input's schema with `$ref: '#/components/inputs/<key>'`".to_string(),
            ),
        };
        if !has_it {
            self.findings.push(
                Finding::error(Rule::ExpressionSyntax, pointer, form.value.refusal())
                    .within(form.span.start)
                    .help(help),
            );
        }
    }

    /// The names `expression` refers to exist, in a form of the document's version.
    fn references(&mut self, pointer: &str, expression: &Expression, scope: &Scope<'a>) {
        self.version_form(pointer, expression);
        let document = self.document;
        match expression {
            Expression::Steps {
                step_id, output, ..
            } => {
                let Some(workflow) = scope.workflow else {
                    return;
                };
                match workflow.step(&step_id.value) {
                    None => self.unknown(
                        Rule::UnknownStep,
                        pointer,
                        step_id.span,
                        format!(
                            "`$steps.{}` is not a step of workflow `{}`",
                            step_id.value, workflow.workflow_id
                        ),
                        &step_id.value,
                        workflow
                            .steps
                            .iter()
                            .map(|step| step.step_id.as_str())
                            .collect(),
                    ),
                    Some(step) if !declares(step.outputs.keys(), &output.value) => self.unknown(
                        Rule::UnknownOutput,
                        pointer,
                        output.span,
                        format!("step `{}` has no output `{}`", step.step_id, output.value),
                        &output.value,
                        step.outputs.keys().map(String::as_str).collect(),
                    ),
                    Some(target) => {
                        self.forward_reference(pointer, step_id, workflow, target, scope);
                    }
                }
            }
            Expression::Workflows {
                workflow_id,
                field,
                name,
                ..
            } => match document.workflow(&workflow_id.value) {
                None => self.unknown(
                    Rule::UnknownWorkflow,
                    pointer,
                    workflow_id.span,
                    format!(
                        "`$workflows.{}` is not a workflow of this document",
                        workflow_id.value
                    ),
                    &workflow_id.value,
                    document
                        .workflows
                        .iter()
                        .map(|workflow| workflow.workflow_id.as_str())
                        .collect(),
                ),
                Some(workflow)
                    if *field == WorkflowField::Outputs
                        && !declares(workflow.outputs.keys(), &name.value) =>
                {
                    self.unknown(
                        Rule::UnknownOutput,
                        pointer,
                        name.span,
                        format!(
                            "workflow `{}` has no output `{}`",
                            workflow.workflow_id, name.value
                        ),
                        &name.value,
                        workflow.outputs.keys().map(String::as_str).collect(),
                    );
                }
                Some(workflow) if *field == WorkflowField::Inputs => {
                    self.input(pointer, workflow, name);
                }
                Some(_) => {}
            },
            Expression::SourceDescriptions { name, .. }
                if document.source(&name.value).is_none() =>
            {
                self.unknown(
                    Rule::UnknownSource,
                    pointer,
                    name.span,
                    format!("`{}` is not a source description name", name.value),
                    &name.value,
                    document
                        .source_descriptions
                        .iter()
                        .map(|source| source.name.as_str())
                        .collect(),
                );
            }
            Expression::Components { kind, key, .. } => {
                let components = document.components.clone().unwrap_or_default();
                let keys: Vec<&String> = match kind {
                    ComponentKind::Parameters => components.parameters.keys().collect(),
                    ComponentKind::SuccessActions => components.success_actions.keys().collect(),
                    ComponentKind::FailureActions => components.failure_actions.keys().collect(),
                    ComponentKind::Inputs => components.inputs.keys().collect(),
                };
                if !keys.contains(&&key.value) {
                    let candidates = keys.iter().map(|key| key.as_str()).collect();
                    self.unknown(
                        Rule::UnknownComponent,
                        pointer,
                        key.span,
                        format!(
                            "`$components.{}.{}` does not name a component",
                            kind.as_str(),
                            key.value
                        ),
                        &key.value,
                        candidates,
                    );
                }
            }
            Expression::Inputs { name, .. } => {
                if let Some(workflow) = scope.workflow {
                    self.input(pointer, workflow, name);
                }
            }
            Expression::Outputs { name, .. } => {
                let callee = scope
                    .step
                    .and_then(|step| step.workflow_id.as_deref())
                    .and_then(|id| document.workflow(id));
                if let Some(callee) = callee
                    && !declares(callee.outputs.keys(), &name.value)
                {
                    self.unknown(
                        Rule::UnknownOutput,
                        pointer,
                        name.span,
                        format!(
                            "workflow `{}` has no output `{}`",
                            callee.workflow_id, name.value
                        ),
                        &name.value,
                        callee.outputs.keys().map(String::as_str).collect(),
                    );
                }
            }
            _ => {}
        }
    }

    /// An input the workflow's `inputs` schema does not declare is a warning: JSON Schema
    /// allows undeclared properties unless told otherwise.
    fn input(&mut self, pointer: &str, workflow: &Workflow, name: &arazzo_expr::Name) {
        let Some(schema) = &workflow.inputs else {
            return;
        };
        let schema = crate::follow_local_ref(self.value, schema);
        let Some(properties) = schema["properties"].as_object() else {
            return;
        };
        if !declares(properties.keys(), &name.value) {
            let finding = Finding::warning(
                Rule::UnknownInput,
                pointer,
                format!(
                    "workflow `{}` declares no input `{}`",
                    workflow.workflow_id, name.value
                ),
            )
            .within(name.span.start);
            let candidates = properties.keys().map(String::as_str);
            self.findings
                .push(finding.maybe_help(did_you_mean(&name.value, candidates)));
        }
    }
}

/// `text` with each lenient form that has an ABNF form replaced by it (`$response.body.a` →
/// `$response.body#/a`), or `None` when there is none. A span whose text does not read as its
/// ABNF form (a warning about another string) is left alone.
fn spec_text(text: &str, warnings: &[arazzo_expr::Warning]) -> Option<String> {
    let mut forms: Vec<(std::ops::Range<usize>, &str)> = warnings
        .iter()
        .filter_map(|warning| {
            let form = warning.spec_form.as_deref()?;
            let range = warning.span.range();
            let written = text.get(range.clone())?;
            let read = arazzo_expr::parse_expression(written, Mode::Lenient).ok()?;
            (read.value.to_string() == form).then_some((range, form))
        })
        .collect();
    forms.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    forms.dedup_by_key(|(range, _)| range.start);
    if forms.is_empty() || forms.windows(2).any(|pair| pair[1].0.end > pair[0].0.start) {
        return None;
    }
    let mut fixed = text.to_string();
    for (range, form) in forms {
        fixed.replace_range(range, form);
    }
    Some(fixed)
}
