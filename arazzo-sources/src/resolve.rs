//! What a step calls: an `operationId` (bare or `$sourceDescriptions.<name>.<id>`: an OpenAPI
//! operationId or an AsyncAPI operation key), an `operationPath`
//! (`{$sourceDescriptions.<name>.url}#/paths/<path>/<method>`) or a `channelPath`
//! (`{$sourceDescriptions.<name>.url}#/channels/<key>`), looked up in the indices built at
//! load.

use arazzo_expr::pointer::{escape, unescape};
use arazzo_model::{Step, StepKind, StepTarget};

use crate::asyncapi::MessageTarget;
use crate::error::{ResolveError, ResolveErrorKind};
use crate::openapi::OpenApi;
use crate::{Entry, Operation, Sources};

const QUALIFIED: &str = "$sourceDescriptions.<name>.<operationId>";
const OPERATION_PATH: &str = "{$sourceDescriptions.<name>.url}#<JSON pointer>";
const CHANNEL_PATH: &str = "{$sourceDescriptions.<name>.url}#/channels/<key>";

/// What a step calls, resolved against its sources: the one resolution that
/// [`Sources::operation`], [`check_targets`](crate::check_targets) and the engine share.
#[derive(Debug, Clone, Copy)]
pub enum StepCall<'a> {
    /// An OpenAPI operation (`operationId` or `operationPath`).
    OpenApi(&'a Operation),
    /// An AsyncAPI operation (`operationId`: the key of `operations`) or channel
    /// (`channelPath`).
    AsyncApi(MessageTarget<'a>),
    /// A workflow: the step's `workflowId`, of this document or
    /// `$sourceDescriptions.<name>.<workflowId>`, is the caller's to resolve.
    Workflow,
}

impl StepCall<'_> {
    /// What kind of step this makes it.
    pub fn kind(&self) -> StepKind {
        match self {
            StepCall::OpenApi(_) => StepKind::OpenApi,
            StepCall::AsyncApi(_) => StepKind::AsyncApi,
            StepCall::Workflow => StepKind::Workflow,
        }
    }
}

/// What an `operationId` names.
enum Callee<'a> {
    OpenApi(&'a Operation),
    AsyncApi(MessageTarget<'a>),
}

impl<'a> From<Callee<'a>> for StepCall<'a> {
    fn from(callee: Callee<'a>) -> StepCall<'a> {
        match callee {
            Callee::OpenApi(operation) => StepCall::OpenApi(operation),
            Callee::AsyncApi(target) => StepCall::AsyncApi(target),
        }
    }
}

impl Sources {
    /// What a step calls: an OpenAPI operation, an AsyncAPI operation or channel, or a
    /// workflow (not resolved here).
    ///
    /// # Errors
    /// When the step names no single target, or its `operationId`, `operationPath` or
    /// `channelPath` does not resolve (see [`Sources::operation_by_id`],
    /// [`Sources::operation_by_path`] and [`Sources::channel_by_path`]).
    pub fn call(&self, step: &Step) -> Result<StepCall<'_>, ResolveError> {
        match step.target() {
            Some(StepTarget::OperationId(id)) => self.callee_by_id(id).map(StepCall::from),
            Some(StepTarget::OperationPath(path)) => {
                self.operation_by_path(path).map(StepCall::OpenApi)
            }
            Some(StepTarget::ChannelPath(path)) => {
                self.channel_by_path(path).map(StepCall::AsyncApi)
            }
            Some(StepTarget::WorkflowId(_)) => Ok(StepCall::Workflow),
            None => Err(ResolveError::new(ResolveErrorKind::NotAnOperationStep {
                step_id: step.step_id.clone(),
            })),
        }
    }

    /// The OpenAPI operation a step calls.
    ///
    /// # Errors
    /// When the step calls a workflow ([`ResolveErrorKind::NotAnOperationStep`]) or an
    /// AsyncAPI operation or channel ([`ResolveErrorKind::AsyncApiTarget`]), or its target
    /// does not resolve (see [`Sources::call`]).
    pub fn operation(&self, step: &Step) -> Result<&Operation, ResolveError> {
        match self.call(step)? {
            StepCall::OpenApi(operation) => Ok(operation),
            StepCall::AsyncApi(target) => {
                let written = step
                    .operation_id
                    .as_deref()
                    .or(step.channel_path.as_deref())
                    .unwrap_or_default();
                Err(asyncapi_target(written, target))
            }
            StepCall::Workflow => Err(ResolveError::new(ResolveErrorKind::NotAnOperationStep {
                step_id: step.step_id.clone(),
            })),
        }
    }

    /// The OpenAPI operation named by an `operationId` as a step writes it: bare (searched in
    /// every OpenAPI and AsyncAPI source; it must be defined by exactly one) or
    /// `$sourceDescriptions.<name>.<operationId>` (searched in that source only).
    /// operationIds are case-sensitive; a near miss is suggested.
    ///
    /// # Errors
    /// [`ResolveErrorKind::UnknownOperation`], [`ResolveErrorKind::AmbiguousOperation`],
    /// [`ResolveErrorKind::UnknownSource`], [`ResolveErrorKind::NotOpenApi`],
    /// [`ResolveErrorKind::SourceUnavailable`], [`ResolveErrorKind::Syntax`], or
    /// [`ResolveErrorKind::AsyncApiTarget`] when it names an AsyncAPI operation.
    pub fn operation_by_id(&self, operation_id: &str) -> Result<&Operation, ResolveError> {
        match self.callee_by_id(operation_id)? {
            Callee::OpenApi(operation) => Ok(operation),
            Callee::AsyncApi(target) => Err(asyncapi_target(operation_id, target)),
        }
    }

    /// What an `operationId` names: an OpenAPI operationId, or the key of an AsyncAPI
    /// operation (AsyncAPI 3 operations have no `operationId` field).
    fn callee_by_id(&self, operation_id: &str) -> Result<Callee<'_>, ResolveError> {
        let Some(qualified) = operation_id.strip_prefix("$sourceDescriptions.") else {
            return self.bare_callee(operation_id);
        };
        let (name, id) = qualified.split_once('.').ok_or_else(|| {
            ResolveError::new(ResolveErrorKind::Syntax {
                target: operation_id.to_string(),
                expected: QUALIFIED,
            })
        })?;
        callee_in(name, self.entry(name)?, id)
    }

    fn bare_callee(&self, operation_id: &str) -> Result<Callee<'_>, ResolveError> {
        let scope = self.scope();
        let defined_in = scope.operation_ids.get(operation_id);
        match defined_in.map(Vec::as_slice).unwrap_or_default() {
            [one] => {
                let (name, entry) = scope
                    .entries
                    .get_index(*one)
                    .expect("the operationId index points into the entries");
                callee_in(name, entry, operation_id)
            }
            [] => {
                if let Some(failed) = scope.entries.values().find_map(Entry::failed) {
                    return Err(ResolveError::new(ResolveErrorKind::SourceUnavailable {
                        name: failed.name.clone(),
                    }));
                }
                let searched = scope
                    .entries
                    .iter()
                    .filter(|(_, entry)| matches!(entry, Entry::OpenApi(_) | Entry::AsyncApi(_)));
                let sources = searched.clone().map(|(name, _)| name.clone()).collect();
                let candidates = searched.flat_map(|(_, entry)| entry.operation_ids());
                Err(ResolveError::new(ResolveErrorKind::UnknownOperation {
                    operation_id: operation_id.to_string(),
                    sources,
                })
                .help(did_you_mean(operation_id, candidates)))
            }
            several => {
                let sources: Vec<String> = several
                    .iter()
                    .filter_map(|&at| scope.entries.get_index(at))
                    .map(|(name, _)| name.clone())
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

    /// The AsyncAPI channel named by a `channelPath`:
    /// `{$sourceDescriptions.<name>.url}#/channels/<key>`, the key percent-decoded and
    /// JSON-pointer-unescaped (`~1` is `/`). The key is the channel's key in `channels`, not
    /// its address; the candidate messages are all the channel's.
    ///
    /// # Errors
    /// [`ResolveErrorKind::Syntax`], [`ResolveErrorKind::WrongSourceKind`] for a source that
    /// is not AsyncAPI, [`ResolveErrorKind::UnknownChannel`] (with the channel whose address
    /// it is, or a near key), and the source errors of [`Sources::operation_by_id`].
    pub fn channel_by_path(&self, channel_path: &str) -> Result<MessageTarget<'_>, ResolveError> {
        let syntax = || {
            ResolveError::new(ResolveErrorKind::Syntax {
                target: channel_path.to_string(),
                expected: CHANNEL_PATH,
            })
        };
        let (name, fragment) = channel_path
            .strip_prefix("{$sourceDescriptions.")
            .and_then(|rest| rest.split_once(".url}#"))
            .ok_or_else(syntax)?;
        let pointer = percent_encoding::percent_decode_str(fragment)
            .decode_utf8()
            .map_err(|_| syntax())?;
        let key = pointer
            .strip_prefix("/channels/")
            .filter(|key| !key.is_empty() && !key.contains('/'))
            .map(unescape)
            .ok_or_else(syntax)?;
        let asyncapi = match self.entry(name)? {
            Entry::AsyncApi(asyncapi) => asyncapi,
            other => {
                return Err(ResolveError::new(ResolveErrorKind::WrongSourceKind {
                    name: name.to_string(),
                    found: other.kind(),
                    expected: "an AsyncAPI description",
                }));
            }
        };
        asyncapi.channel_target(&key).ok_or_else(|| {
            let by_address = asyncapi
                .channels()
                .find(|channel| channel.address.as_deref() == Some(key.as_str()))
                .map(|channel| {
                    format!(
                        "`{key}` is the address of channel `{}`: write `#/channels/{}`",
                        channel.key,
                        escape(&channel.key)
                    )
                });
            let keys = asyncapi.channels().map(|channel| channel.key.as_str());
            let help = by_address.or_else(|| did_you_mean(&key, keys));
            ResolveError::new(ResolveErrorKind::UnknownChannel {
                channel: key.clone(),
                name: name.to_string(),
            })
            .help(help)
        })
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

    /// The source named `name` in this document's sources, loaded.
    fn entry(&self, name: &str) -> Result<&Entry, ResolveError> {
        let scope = self.scope();
        match scope.entries.get(name) {
            Some(Entry::Failed(_)) => Err(ResolveError::new(ResolveErrorKind::SourceUnavailable {
                name: name.to_string(),
            })),
            Some(entry) => Ok(entry),
            None => Err(ResolveError::new(ResolveErrorKind::UnknownSource {
                name: name.to_string(),
            })
            .help(did_you_mean(name, scope.entries.keys().map(String::as_str)))),
        }
    }

    /// The OpenAPI source named `name` in this document's sources.
    fn openapi_entry(&self, name: &str) -> Result<&OpenApi, ResolveError> {
        match self.entry(name)? {
            Entry::OpenApi(openapi) => Ok(openapi),
            Entry::Arazzo(_) => Err(ResolveError::new(ResolveErrorKind::NotOpenApi {
                name: name.to_string(),
            })),
            other => Err(ResolveError::new(ResolveErrorKind::WrongSourceKind {
                name: name.to_string(),
                found: other.kind(),
                expected: "an OpenAPI description",
            })),
        }
    }
}

/// What the id `id` names in the source `name`.
fn callee_in<'a>(name: &str, entry: &'a Entry, id: &str) -> Result<Callee<'a>, ResolveError> {
    let found = match entry {
        Entry::OpenApi(openapi) => openapi.operation_by_id(id).map(Callee::OpenApi),
        Entry::AsyncApi(asyncapi) => asyncapi.operation_target(id).map(Callee::AsyncApi),
        Entry::Arazzo(_) => {
            return Err(ResolveError::new(ResolveErrorKind::NotOpenApi {
                name: name.to_string(),
            }));
        }
        Entry::Failed(_) => {
            return Err(ResolveError::new(ResolveErrorKind::SourceUnavailable {
                name: name.to_string(),
            }));
        }
    };
    found.ok_or_else(|| {
        ResolveError::new(ResolveErrorKind::UnknownOperation {
            operation_id: id.to_string(),
            sources: vec![name.to_string()],
        })
        .help(did_you_mean(id, entry.operation_ids()))
    })
}

/// An OpenAPI operation asked for where `written` names the AsyncAPI `target`.
fn asyncapi_target(written: &str, target: MessageTarget<'_>) -> ResolveError {
    ResolveError::new(ResolveErrorKind::AsyncApiTarget {
        target: written.to_string(),
        what: match target.operation {
            Some(_) => "operation",
            None => "channel",
        },
        name: target.source.name().to_string(),
    })
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
