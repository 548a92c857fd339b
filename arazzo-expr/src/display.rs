//! `Display` for the syntax tree: the canonical source text, which parses back to the same tree.

use std::fmt::{self, Display, Formatter};

use crate::ast::{
    Comparable, Condition, Expression, Literal, MessagePart, MessageSource, Navigation, Operand,
    Spanned, Template, TemplatePart, ValueExpr, WorkflowField,
};
use crate::pointer::JsonPointer;

fn pointer(f: &mut Formatter<'_>, pointer: &Option<Spanned<JsonPointer>>) -> fmt::Result {
    match pointer {
        Some(pointer) => write!(f, "#{}", pointer.value.to_uri_fragment()),
        None => Ok(()),
    }
}

impl Display for Expression {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expression::Url { .. } => f.write_str("$url"),
            Expression::Method { .. } => f.write_str("$method"),
            Expression::StatusCode { .. } => f.write_str("$statusCode"),
            Expression::Request { source, .. } => write!(f, "$request.{source}"),
            Expression::Response { source, .. } => write!(f, "$response.{source}"),
            Expression::Inputs {
                name, pointer: ptr, ..
            } => {
                write!(f, "$inputs.{}", name.value)?;
                pointer(f, ptr)
            }
            Expression::Outputs {
                name, pointer: ptr, ..
            } => {
                write!(f, "$outputs.{}", name.value)?;
                pointer(f, ptr)
            }
            Expression::Steps {
                step_id,
                output,
                pointer: ptr,
                ..
            } => {
                write!(f, "$steps.{}.outputs.{}", step_id.value, output.value)?;
                pointer(f, ptr)
            }
            Expression::Workflows {
                workflow_id,
                field,
                name,
                pointer: ptr,
                ..
            } => {
                let field = match field {
                    WorkflowField::Inputs => "inputs",
                    WorkflowField::Outputs => "outputs",
                };
                write!(f, "$workflows.{}.{field}.{}", workflow_id.value, name.value)?;
                pointer(f, ptr)
            }
            Expression::SourceDescriptions {
                name, reference, ..
            } => {
                write!(f, "$sourceDescriptions.{}.{}", name.value, reference.value)
            }
            Expression::Components { kind, key, .. } => {
                write!(f, "$components.{}.{}", kind.as_str(), key.value)
            }
            Expression::Message {
                part: MessagePart::Header(name),
                ..
            } => write!(f, "$message.header.{}", name.value),
            Expression::Message {
                part: MessagePart::Payload(ptr),
                ..
            } => {
                f.write_str("$message.payload")?;
                pointer(f, ptr)
            }
            Expression::SelfUri { .. } => f.write_str("$self"),
        }
    }
}

impl Display for MessageSource {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            MessageSource::Header(name) => write!(f, "header.{}", name.value),
            MessageSource::Query(name) => write!(f, "query.{}", name.value),
            MessageSource::Path(name) => write!(f, "path.{}", name.value),
            MessageSource::Body(ptr) => {
                f.write_str("body")?;
                pointer(f, ptr)
            }
        }
    }
}

impl Display for Template {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                TemplatePart::Text(text) => f.write_str(&text.value)?,
                TemplatePart::Expression(expression) => write!(f, "{{{}}}", expression.value)?,
            }
        }
        Ok(())
    }
}

impl Display for Condition {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        fn join(f: &mut Formatter<'_>, operands: &[Condition], separator: &str) -> fmt::Result {
            for (at, operand) in operands.iter().enumerate() {
                if at > 0 {
                    f.write_str(separator)?;
                }
                write!(f, "{operand}")?;
            }
            Ok(())
        }
        match self {
            Condition::Or { operands, .. } => join(f, operands, " || "),
            Condition::And { operands, .. } => join(f, operands, " && "),
            Condition::Not { operand, .. } => write!(f, "!{operand}"),
            Condition::Group { inner, .. } => write!(f, "({inner})"),
            Condition::Comparison {
                left, op, right, ..
            } => write!(f, "{left} {} {right}", op.as_str()),
            Condition::Value(comparable) => write!(f, "{comparable}"),
        }
    }
}

impl Display for Comparable {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Comparable::Literal(literal) => write!(f, "{}", literal.value),
            Comparable::Operand(operand) => write!(f, "{operand}"),
        }
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(value) => write!(f, "{value}"),
            Literal::Number(number) => write!(f, "{number}"),
            Literal::String(text) => write!(f, "'{}'", text.replace('\'', "''")),
        }
    }
}

impl Display for Operand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expression)?;
        self.navigation
            .iter()
            .try_for_each(|step| write!(f, "{step}"))
    }
}

impl Display for Navigation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Navigation::Member(name) => write!(f, ".{}", name.value),
            Navigation::Index(index) => write!(f, "[{}]", index.value),
        }
    }
}

impl Display for ValueExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ValueExpr::Expression(expression) => write!(f, "{expression}"),
            ValueExpr::Template(template) => write!(f, "{template}"),
            ValueExpr::Literal(text) => f.write_str(text),
        }
    }
}
