//! What a step calls: an `operationId` (bare or `$sourceDescriptions.<name>.<id>`) or an
//! `operationPath` (`{$sourceDescriptions.<name>.url}#/paths/<path>/<method>`), looked up in
//! the indices built at load.

use arazzo_expr::pointer::{escape, unescape};
use arazzo_model::{Step, StepTarget};

use crate::error::{ResolveError, ResolveErrorKind};
use crate::openapi::OpenApi;
use crate::{Entry, Operation, Sources};

const QUALIFIED: &str = "$sourceDescriptions.<name>.<operationId>";
const OPERATION_PATH: &str = "{$sourceDescriptions.<name>.url}#<JSON pointer>";

impl Sources {
    /// The operation a step calls.
    ///
    /// # Errors
    /// When the step calls a workflow, or its `operationId`/`operationPath` does not resolve
    /// (see [`Sources::operation_by_id`] and [`Sources::operation_by_path`]).
    pub fn operation(&self, step: &Step) -> Result<&Operation, ResolveError> {
        match step.target() {
            Some(StepTarget::OperationId(id)) => self.operation_by_id(id),
            Some(StepTarget::OperationPath(path)) => self.operation_by_path(path),
            _ => Err(ResolveError::new(ResolveErrorKind::NotAnOperationStep {
                step_id: step.step_id.clone(),
            })),
        }
    }

    /// The operation named by an `operationId` as a step writes it: bare (searched in every
    /// OpenAPI source; it must be defined by exactly one) or
    /// `$sourceDescriptions.<name>.<operationId>` (searched in that source only).
    /// operationIds are case-sensitive; a near miss is suggested.
    ///
    /// # Errors
    /// [`ResolveErrorKind::UnknownOperation`], [`ResolveErrorKind::AmbiguousOperation`],
    /// [`ResolveErrorKind::UnknownSource`], [`ResolveErrorKind::NotOpenApi`],
    /// [`ResolveErrorKind::SourceUnavailable`] or [`ResolveErrorKind::Syntax`].
    pub fn operation_by_id(&self, operation_id: &str) -> Result<&Operation, ResolveError> {
        let Some(qualified) = operation_id.strip_prefix("$sourceDescriptions.") else {
            return self.bare_operation(operation_id);
        };
        let (name, id) = qualified.split_once('.').ok_or_else(|| {
            ResolveError::new(ResolveErrorKind::Syntax {
                target: operation_id.to_string(),
                expected: QUALIFIED,
            })
        })?;
        let openapi = self.openapi_entry(name)?;
        openapi.operation_by_id(id).ok_or_else(|| {
            ResolveError::new(ResolveErrorKind::UnknownOperation {
                operation_id: id.to_string(),
                sources: vec![name.to_string()],
            })
            .help(did_you_mean(
                id,
                openapi.operations().iter().filter_map(id_of),
            ))
        })
    }

    fn bare_operation(&self, operation_id: &str) -> Result<&Operation, ResolveError> {
        let scope = self.scope();
        let defined_in = scope.operation_ids.get(operation_id);
        match defined_in.map(Vec::as_slice).unwrap_or_default() {
            [one] => Ok(self
                .entry_openapi(*one)
                .and_then(|openapi| openapi.operation_by_id(operation_id))
                .expect("the operationId index points at OpenAPI sources defining the id")),
            [] => {
                if let Some(failed) = scope.entries.values().find_map(Entry::failed) {
                    return Err(ResolveError::new(ResolveErrorKind::SourceUnavailable {
                        name: failed.name.clone(),
                    }));
                }
                let sources = scope.openapi().map(|openapi| openapi.name().to_string());
                let candidates = scope.openapi().flat_map(|openapi| openapi.operations());
                Err(ResolveError::new(ResolveErrorKind::UnknownOperation {
                    operation_id: operation_id.to_string(),
                    sources: sources.collect(),
                })
                .help(did_you_mean(operation_id, candidates.filter_map(id_of))))
            }
            several => {
                let sources: Vec<String> = several
                    .iter()
                    .filter_map(|&at| self.entry_openapi(at))
                    .map(|openapi| openapi.name().to_string())
                    .collect();
                let help = format!(
                    "qualify it, e.g. `$sourceDescriptions.{}.{operation_id}`",
                    sources[0]
                );
                Err(ResolveError::new(ResolveErrorKind::AmbiguousOperation {
                    operation_id: operation_id.to_string(),
                    sources,
                })
                .help(help))
            }
        }
    }

    /// The operation named by an `operationPath`:
    /// `{$sourceDescriptions.<name>.url}#<JSON pointer>`, the pointer (percent-decoded, RFC 6901
    /// `~1`/`~0` escapes) landing on an Operation Object, `/paths/<path>/<method>`.
    ///
    /// # Errors
    /// [`ResolveErrorKind::PathItem`] for a pointer to a Path Item,
    /// [`ResolveErrorKind::NotAnOperation`] for any other place, and the source errors of
    /// [`Sources::operation_by_id`].
    pub fn operation_by_path(&self, operation_path: &str) -> Result<&Operation, ResolveError> {
        let syntax = || {
            ResolveError::new(ResolveErrorKind::Syntax {
                target: operation_path.to_string(),
                expected: OPERATION_PATH,
            })
        };
        let (name, fragment) = operation_path
            .strip_prefix("{$sourceDescriptions.")
            .and_then(|rest| rest.split_once(".url}#"))
            .ok_or_else(syntax)?;
        let openapi = self.openapi_entry(name)?;
        let pointer = percent_encoding::percent_decode_str(fragment)
            .decode_utf8()
            .map_err(|_| syntax())?;
        let tokens: Vec<String> = match pointer.strip_prefix('/') {
            Some(pointer) => pointer.split('/').map(unescape).collect(),
            None => Vec::new(),
        };
        let not_an_operation = || {
            ResolveError::new(ResolveErrorKind::NotAnOperation {
                operation_path: operation_path.to_string(),
                name: name.to_string(),
            })
        };
        let (path, method) = match tokens.as_slice() {
            [paths, path, rest @ ..] if paths == "paths" && rest.len() <= 1 => {
                (path.as_str(), rest.first())
            }
            _ => {
                return Err(not_an_operation().help(
                    "operations are at `#/paths/<path>/<method>`, e.g. `#/paths/~1pets/get`"
                        .to_string(),
                ));
            }
        };
        let Some(mut operations) = openapi.path(path) else {
            return Err(not_an_operation().help(
                did_you_mean(path, openapi.paths())
                    .unwrap_or_else(|| format!("source `{name}` has no path `{path}`")),
            ));
        };
        let Some(method) = method else {
            let example = operations.next().map(|operation| {
                format!(
                    "add the method, e.g. `{operation_path}/{}`",
                    operation.method.as_str().to_ascii_lowercase()
                )
            });
            return Err(ResolveError::new(ResolveErrorKind::PathItem {
                operation_path: operation_path.to_string(),
            })
            .help(example));
        };
        let methods: Vec<&Operation> = operations.collect();
        methods
            .iter()
            .find(|operation| operation.method.as_str().to_ascii_lowercase() == *method)
            .copied()
            .ok_or_else(|| {
                let has: Vec<String> = methods
                    .iter()
                    .map(|operation| operation.method.as_str().to_ascii_lowercase())
                    .collect();
                not_an_operation().help(format!(
                    "path `{path}` (`#/paths/{}`) has {}",
                    escape(path),
                    match has.as_slice() {
                        [] => "no operations".to_string(),
                        _ => format!("only {}", has.join(", ")),
                    }
                ))
            })
    }

    /// The OpenAPI source named `name` in this document's sources.
    fn openapi_entry(&self, name: &str) -> Result<&OpenApi, ResolveError> {
        let scope = self.scope();
        match scope.entries.get(name) {
            Some(Entry::OpenApi(openapi)) => Ok(openapi),
            Some(Entry::Arazzo(_)) => Err(ResolveError::new(ResolveErrorKind::NotOpenApi {
                name: name.to_string(),
            })),
            Some(Entry::Failed(_)) => Err(ResolveError::new(ResolveErrorKind::SourceUnavailable {
                name: name.to_string(),
            })),
            None => Err(ResolveError::new(ResolveErrorKind::UnknownSource {
                name: name.to_string(),
            })
            .help(did_you_mean(name, scope.entries.keys().map(String::as_str)))),
        }
    }

    fn entry_openapi(&self, at: usize) -> Option<&OpenApi> {
        match self.scope().entries.get_index(at) {
            Some((_, Entry::OpenApi(openapi))) => Some(openapi),
            _ => None,
        }
    }
}

fn id_of(operation: &Operation) -> Option<&str> {
    operation.operation_id.as_deref()
}

/// "did you mean `x`?" for the candidate closest to `name` ignoring case (so `PAR` finds
/// `Par`), if one is close enough: the model's rule, so every suggestion reads the same.
pub(crate) use arazzo_model::did_you_mean;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_ignores_case_and_rejects_far_names() {
        let ids = ["Par", "Authorization", "Token"];
        assert_eq!(
            did_you_mean("PAR", ids.into_iter()).as_deref(),
            Some("did you mean `Par`?")
        );
        assert_eq!(
            did_you_mean("Tokn", ids.into_iter()).as_deref(),
            Some("did you mean `Token`?")
        );
        assert_eq!(did_you_mean("refresh", ids.into_iter()), None);
    }
}
