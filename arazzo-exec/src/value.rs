//! Values written in a document (parameter values, payloads): parsed once, evaluated per run.

use arazzo_expr::{EvalError, Expression, Mode, ValueExpr};

use crate::context::Scope;
use serde_json::{Map, Value};

/// A JSON value whose strings may be runtime expressions or `{$…}` templates, parsed once.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueTree {
    /// A value with no expression in it.
    Literal(Value),
    /// A whole runtime expression: evaluates to a typed value.
    Expression(Expression),
    /// A string with embedded expressions: evaluates to a string.
    Template(arazzo_expr::Template),
    /// An array with expressions somewhere inside.
    Array(Vec<ValueTree>),
    /// An object with expressions somewhere inside; keys are never evaluated.
    Object(Vec<(String, ValueTree)>),
}

/// What evaluating a [`ValueTree`] gives.
#[derive(Debug, Clone, PartialEq)]
pub enum Evaluated {
    /// A value.
    Value(Value),
    /// An input that was not given (`$inputs.<name>`), or an output of a step that has not run
    /// (`$steps.<id>.outputs.<name>`, e.g. skipped by a `goto`): the member or parameter is
    /// left out.
    Absent,
}

impl ValueTree {
    /// Parses every string of `value` (see [`arazzo_expr::parse_value`]).
    ///
    /// # Errors
    /// The first string that starts like an expression but does not parse.
    pub fn parse(value: &Value) -> Result<ValueTree, arazzo_expr::ParseError> {
        Ok(match value {
            Value::String(text) => match arazzo_expr::parse_value(text, Mode::Lenient)?.value {
                ValueExpr::Expression(expression) => ValueTree::Expression(expression),
                ValueExpr::Template(template) => ValueTree::Template(template),
                ValueExpr::Literal(_) => ValueTree::Literal(value.clone()),
            },
            Value::Array(items) => {
                let trees = items
                    .iter()
                    .map(ValueTree::parse)
                    .collect::<Result<Vec<_>, _>>()?;
                if trees
                    .iter()
                    .all(|tree| matches!(tree, ValueTree::Literal(_)))
                {
                    ValueTree::Literal(value.clone())
                } else {
                    ValueTree::Array(trees)
                }
            }
            Value::Object(members) => {
                let trees = members
                    .iter()
                    .map(|(key, member)| Ok((key.clone(), ValueTree::parse(member)?)))
                    .collect::<Result<Vec<_>, arazzo_expr::ParseError>>()?;
                if trees
                    .iter()
                    .all(|(_, tree)| matches!(tree, ValueTree::Literal(_)))
                {
                    ValueTree::Literal(value.clone())
                } else {
                    ValueTree::Object(trees)
                }
            }
            other => ValueTree::Literal(other.clone()),
        })
    }

    /// Evaluates the tree. Whole expressions keep their JSON type; templates give strings.
    /// An object member or array item that is an input not given, or an output of a step that
    /// has not run, is left out (an optional input that is absent leaves its property out), and
    /// so is a template that embeds one.
    ///
    /// # Errors
    /// Any other expression that does not resolve.
    pub(crate) fn evaluate(&self, ctx: &Scope<'_>) -> Result<Evaluated, EvalError> {
        Ok(Evaluated::Value(match self {
            ValueTree::Literal(value) => value.clone(),
            ValueTree::Expression(expression) => match arazzo_expr::evaluate(expression, ctx) {
                Ok(value) => value,
                Err(EvalError::Unresolved { .. }) if is_absent(expression, ctx) => {
                    return Ok(Evaluated::Absent);
                }
                Err(err) => return Err(err),
            },
            ValueTree::Template(template) => match arazzo_expr::render_template(template, ctx) {
                Ok(text) => Value::String(text),
                // The same rule as for a bare expression: `Bearer {$inputs.token}` without the
                // token goes, rather than failing the step.
                Err(EvalError::Unresolved { .. })
                    if template.expressions().any(|expression| {
                        arazzo_expr::evaluate(expression, ctx).is_err()
                            && is_absent(expression, ctx)
                    }) =>
                {
                    return Ok(Evaluated::Absent);
                }
                Err(err) => return Err(err),
            },
            ValueTree::Array(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    if let Evaluated::Value(value) = item.evaluate(ctx)? {
                        values.push(value);
                    }
                }
                Value::Array(values)
            }
            ValueTree::Object(members) => {
                let mut object = Map::with_capacity(members.len());
                for (key, member) in members {
                    if let Evaluated::Value(value) = member.evaluate(ctx)? {
                        object.insert(key.clone(), value);
                    }
                }
                Value::Object(object)
            }
        }))
    }
}

/// Whether an unresolved expression names something absent rather than wrong: an input that
/// was not given, or an output of a step that has not run.
fn is_absent(expression: &Expression, scope: &Scope<'_>) -> bool {
    match expression {
        Expression::Inputs { .. } => true,
        Expression::Steps { step_id, .. } => !scope.steps.contains_key(&step_id.value),
        _ => false,
    }
}
