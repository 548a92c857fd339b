//! Fetching and parsing source descriptions: every document once, `file:` from disk, `http(s)`
//! only when allowed; Arazzo sources recursively, each URL once (so cycles end).

use std::collections::HashMap;
use std::sync::Arc;

use arazzo_model::{Document, SourceDescription, SourceFile, SourceType};
use indexmap::IndexMap;
use serde_json::Value;
use url::Url;

use crate::asyncapi::AsyncApi;
use crate::bare_server;
use crate::error::{SourceError, SourceErrorKind};
#[cfg(feature = "fetch")]
use crate::fetch::Remote;
use crate::openapi::OpenApi;
use crate::refs::referenced_documents;
use crate::server::env_key;
use crate::{DocumentSources, Entry, SourceOptions};

/// Every OpenAPI document loaded (sources and files reached through `$ref`s), by URL without
/// fragment; a document that could not be loaded keeps its error, reported when a `$ref` needs it.
#[derive(Debug, Default)]
pub(crate) struct Documents(pub(crate) HashMap<Url, Result<SourceFile, SourceErrorKind>>);

impl Documents {
    /// The document holding `url` (its fragment ignored), with the URL it is stored under.
    ///
    /// # Errors
    /// Why the document is not available, e.g. "`https://…` is remote: …".
    pub(crate) fn get(&self, url: &Url) -> Result<(&Url, &Value), String> {
        let mut key = url.clone();
        key.set_fragment(None);
        match self.0.get_key_value(&key) {
            Some((url, Ok(file))) => Ok((url, file.value())),
            Some((_, Err(err))) => Err(err.to_string()),
            None => Err(format!("`{key}` was not loaded")),
        }
    }
}

/// A source description once fetched, before its operations are built.
enum Draft {
    OpenApi(Url),
    AsyncApi(Url),
    Arazzo(usize),
    Failed(SourceError),
}

struct Loader<'o> {
    options: &'o SourceOptions,
    remote: Remote,
    documents: Documents,
    /// The Arazzo documents (the root first) with their sources.
    scopes: Vec<(Document, Url, IndexMap<String, Draft>)>,
    arazzo_urls: HashMap<Url, usize>,
    /// Relative source URLs found elsewhere than beside their document, by scope and name.
    relocated: HashMap<(usize, String), Url>,
    /// Sources whose URL is a bare server, described from their steps, by scope and name.
    bare: std::collections::HashSet<(usize, String)>,
}

/// Loads the sources of `document` and, recursively, of its Arazzo sources; a source that
/// cannot be loaded becomes an [`Entry::Failed`]. The root document's scope is the first.
pub(crate) async fn sources(
    document: &Document,
    document_url: &Url,
    options: &SourceOptions,
) -> Vec<DocumentSources> {
    let mut loader = Loader {
        options,
        remote: Remote::default(),
        documents: Documents::default(),
        scopes: vec![(document.clone(), document_url.clone(), IndexMap::new())],
        arazzo_urls: HashMap::from([(without_fragment(document_url), 0)]),
        relocated: HashMap::new(),
        bare: Default::default(),
    };
    let mut next = 0;
    while next < loader.scopes.len() {
        let sources = loader.scopes[next].0.source_descriptions.clone();
        let base = loader.scopes[next].1.clone();
        for source in &sources {
            let draft = match loader.source(next, source, &base).await {
                Ok(draft) => draft,
                Err(kind) => Draft::Failed(SourceError {
                    name: source.name.clone(),
                    kind,
                }),
            };
            // A duplicate name is a validation error; the first one is used.
            loader.scopes[next]
                .2
                .entry(source.name.clone())
                .or_insert(draft);
        }
        next += 1;
    }
    loader.finish()
}

/// Loads the OpenAPI document at `url` on its own, without an Arazzo document, as the source
/// named `name` (with the documents its `$ref`s reach, and the same fixups as a source).
pub(crate) async fn openapi(
    name: &str,
    url: &Url,
    options: &SourceOptions,
) -> Result<OpenApi, SourceError> {
    let failed = |kind| SourceError {
        name: name.to_string(),
        kind,
    };
    let mut loader = Loader {
        options,
        remote: Remote::default(),
        documents: Documents::default(),
        scopes: Vec::new(),
        arazzo_urls: HashMap::new(),
        relocated: HashMap::new(),
        bare: Default::default(),
    };
    let url = without_fragment(url);
    let location = shown(&url);
    let file = loader.read(&url, &location).await.map_err(failed)?;
    detect(file.value(), &location, Some(SourceType::Openapi)).map_err(failed)?;
    loader.documents.0.insert(url.clone(), Ok(file));
    loader.load_referenced(&url).await;
    let server = options
        .servers
        .get(name)
        .or_else(|| options.env_servers.get(&env_key(name)));
    OpenApi::build(name, url, &Arc::new(loader.documents), server).map_err(failed)
}

impl Loader<'_> {
    async fn source(
        &mut self,
        scope: usize,
        source: &SourceDescription,
        base: &Url,
    ) -> Result<Draft, SourceErrorKind> {
        let written = source.url.as_str();
        let mut url = base
            .join(written)
            .map(|url| without_fragment(&url))
            .map_err(|err| SourceErrorKind::Url {
                url: written.to_string(),
                reason: err.to_string(),
            })?;
        check_origin(base, &url)?;
        if let Some(found) = relocate(written, &url, base, self.options) {
            self.relocated
                .insert((scope, source.name.clone()), found.clone());
            url = found;
        }
        if let Some(&scope) = self.arazzo_urls.get(&url) {
            return Ok(Draft::Arazzo(scope));
        }
        let bare = (!matches!(
            source.source_type,
            Some(SourceType::Arazzo | SourceType::Asyncapi)
        ) && bare_server::is_bare_server(&url))
        .then(|| bare_server::description(&self.scopes[scope].0, &source.name, &url))
        .flatten();
        if let Some(description) = bare {
            // One description per source (two sources may name one server).
            let mut key = url.clone();
            key.query_pairs_mut()
                .append_pair("arazzo-source", &source.name);
            let file = SourceFile::parse(
                format!("{written} (described by its steps).json"),
                description.to_string(),
            )
            .map_err(|err| SourceErrorKind::Parse(err.to_string()))?;
            self.documents.0.insert(key.clone(), Ok(file));
            self.bare.insert((scope, source.name.clone()));
            return Ok(Draft::OpenApi(key));
        }
        if let Some(loaded) = self.documents.0.get(&url) {
            let file = loaded.as_ref().map_err(Clone::clone)?;
            return Ok(match detect(file.value(), written, source.source_type)? {
                SourceType::Asyncapi => Draft::AsyncApi(url),
                _ => Draft::OpenApi(url),
            });
        }
        let mut file = self.read(&url, written).await?;
        let kind = detect(file.value(), written, source.source_type)?;
        if kind == SourceType::Asyncapi
            && file.value()["asyncapi"]
                .as_str()
                .is_some_and(|version| version.starts_with("2."))
        {
            // Decision D2: indexed as the AsyncAPI 3 document it converts to.
            let converted = crate::asyncapi2::to_v3(file.value());
            file = SourceFile::parse(format!("{written} (as AsyncAPI 3)"), converted.to_string())
                .map_err(|err| SourceErrorKind::Parse(err.to_string()))?;
        }
        if kind == SourceType::Arazzo {
            let document = file
                .document()
                .map_err(|err| SourceErrorKind::Parse(err.to_string()))?;
            let scope = self.scopes.len();
            self.scopes.push((document, url.clone(), IndexMap::new()));
            self.arazzo_urls.insert(url, scope);
            return Ok(Draft::Arazzo(scope));
        }
        self.documents.0.insert(url.clone(), Ok(file));
        self.load_referenced(&url).await;
        Ok(match kind {
            SourceType::Asyncapi => Draft::AsyncApi(url),
            _ => Draft::OpenApi(url),
        })
    }

    /// Loads the files that `$ref`s of the document at `url` point into, transitively.
    async fn load_referenced(&mut self, url: &Url) {
        let mut queue = vec![url.clone()];
        while let Some(holder) = queue.pop() {
            let Some(Ok(file)) = self.documents.0.get(&holder) else {
                continue;
            };
            for target in referenced_documents(file.value(), &holder) {
                // Not read; `follow` refuses the `$ref` with the reason.
                if self.documents.0.contains_key(&target) || check_origin(&holder, &target).is_err()
                {
                    continue;
                }
                let loaded = self.read(&target, &shown(&target)).await;
                if loaded.is_ok() {
                    queue.push(target.clone());
                }
                self.documents.0.insert(target, loaded);
            }
        }
    }

    /// Reads and parses the document at `url`; `shown` names it in messages.
    async fn read(&mut self, url: &Url, shown: &str) -> Result<SourceFile, SourceErrorKind> {
        let text = match url.scheme() {
            "file" => {
                let path = url.to_file_path().map_err(|()| SourceErrorKind::Url {
                    url: shown.to_string(),
                    reason: "not a local path".to_string(),
                })?;
                // Read in place: a description is a few KiB, and `tokio::fs` would start a
                // blocking-pool thread, which costs more than the read.
                arazzo_model::read_regular_file(&path, arazzo_model::MAX_FILE_BYTES).map_err(
                    |err| SourceErrorKind::Read {
                        location: shown.to_string(),
                        reason: io_reason(&err),
                    },
                )?
            }
            "http" | "https" => self.fetch(url).await?,
            scheme => {
                return Err(SourceErrorKind::Url {
                    url: shown.to_string(),
                    reason: format!("unsupported scheme `{scheme}` (use a file path or http(s))"),
                });
            }
        };
        SourceFile::parse(shown, text).map_err(|err| SourceErrorKind::Parse(err.to_string()))
    }

    async fn fetch(&mut self, url: &Url) -> Result<String, SourceErrorKind> {
        if !self.options.allow_remote {
            return Err(SourceErrorKind::RemoteNotAllowed {
                url: url.to_string(),
            });
        }
        self.remote.get(url, self.options.allow_private).await
    }

    /// Builds every OpenAPI and AsyncAPI source's index, now that every document is loaded.
    fn finish(self) -> Vec<DocumentSources> {
        let documents = Arc::new(self.documents);
        let options = self.options;
        let mut relocated = self.relocated;
        let server = |name: &str| {
            let from_env = || options.env_servers.get(&env_key(name));
            options.servers.get(name).or_else(from_env)
        };
        self.scopes
            .into_iter()
            .enumerate()
            .map(|(scope, (document, url, drafts))| {
                let entries = drafts
                    .into_iter()
                    .map(|(name, draft)| {
                        let entry = match draft {
                            Draft::OpenApi(url) => {
                                match OpenApi::build(&name, url, &documents, server(&name)) {
                                    Ok(openapi) => Entry::OpenApi(Arc::new(openapi)),
                                    Err(kind) => Entry::Failed(SourceError {
                                        name: name.clone(),
                                        kind,
                                    }),
                                }
                            }
                            Draft::AsyncApi(url) => match AsyncApi::build(&name, url, &documents) {
                                Ok(asyncapi) => Entry::AsyncApi(Arc::new(asyncapi)),
                                Err(kind) => Entry::Failed(SourceError {
                                    name: name.clone(),
                                    kind,
                                }),
                            },
                            Draft::Arazzo(scope) => Entry::Arazzo(scope),
                            Draft::Failed(err) => Entry::Failed(err),
                        };
                        (name, entry)
                    })
                    .collect();
                let bare = document
                    .source_descriptions
                    .iter()
                    .filter(|source| self.bare.contains(&(scope, source.name.clone())))
                    .map(|source| source.name.clone())
                    .collect();
                let moved = document
                    .source_descriptions
                    .iter()
                    .filter_map(|source| {
                        let found = relocated.remove(&(scope, source.name.clone()))?;
                        Some((source.name.clone(), found))
                    })
                    .collect();
                DocumentSources::new(document, url, entries, moved, bare)
            })
            .collect()
    }
}

/// Where a relative source URL whose file is not beside its document (at `beside`) is: the
/// first of `--sources-root`, the document's parent folders up to the repository root (the
/// first with `.git`; up to the current directory without one) and the current directory
/// that has it. Jentic's catalogue writes source URLs relative to the repository root.
fn relocate(written: &str, beside: &Url, base: &Url, options: &SourceOptions) -> Option<Url> {
    let relative = written.split('#').next().unwrap_or_default();
    if beside.scheme() != "file"
        || base.scheme() != "file"
        || relative.is_empty()
        || relative.starts_with('/')
        || Url::parse(relative).is_ok()
        || beside.to_file_path().ok()?.exists()
    {
        return None;
    }
    let document_dir = base.to_file_path().ok()?.parent()?.to_path_buf();
    let cwd = std::env::current_dir().ok();
    let mut dirs: Vec<std::path::PathBuf> = options.sources_root.iter().cloned().collect();
    let ancestors: Vec<&std::path::Path> = document_dir.ancestors().skip(1).collect();
    let repository = ancestors.iter().position(|dir| dir.join(".git").exists());
    let bound = repository.or_else(|| {
        let cwd = cwd.as_deref()?;
        ancestors.iter().position(|dir| *dir == cwd)
    });
    if let Some(bound) = bound {
        dirs.extend(ancestors[..=bound].iter().map(|dir| dir.to_path_buf()));
    }
    dirs.extend(cwd);
    dirs.iter().find_map(|dir| {
        let found = Url::from_directory_path(dir).ok()?.join(relative).ok()?;
        found.to_file_path().ok()?.is_file().then_some(found)
    })
}

/// Without the `fetch` feature: every remote document is refused, saying why.
#[cfg(not(feature = "fetch"))]
#[derive(Default)]
struct Remote {}

#[cfg(not(feature = "fetch"))]
impl Remote {
    async fn get(&mut self, url: &Url, _allow_private: bool) -> Result<String, SourceErrorKind> {
        Err(SourceErrorKind::FetchUnavailable {
            url: url.to_string(),
        })
    }
}

/// The kind of document, from its root field, checked against the declared `type`.
fn detect(
    value: &Value,
    shown: &str,
    declared: Option<SourceType>,
) -> Result<SourceType, SourceErrorKind> {
    let field = |name: &str| {
        value.get(name).map(|version| match version {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
    };
    let unsupported = |found: String| SourceErrorKind::Unsupported {
        location: shown.to_string(),
        found,
    };
    let found = if let Some(version) = field("openapi") {
        if !version.starts_with("3.") {
            return Err(unsupported(format!("OpenAPI {version}")));
        }
        SourceType::Openapi
    } else if let Some(version) = field("swagger") {
        return Err(unsupported(format!("Swagger {version}")));
    } else if let Some(version) = field("asyncapi") {
        if !version.starts_with("3.") && !version.starts_with("2.") {
            return Err(SourceErrorKind::UnsupportedAsyncApi {
                location: shown.to_string(),
                version,
            });
        }
        SourceType::Asyncapi
    } else if field("arazzo").is_some() {
        SourceType::Arazzo
    } else {
        return Err(SourceErrorKind::UnknownKind {
            location: shown.to_string(),
        });
    };
    match declared {
        Some(declared) if declared != found => Err(SourceErrorKind::TypeMismatch {
            location: shown.to_string(),
            declared: type_name(declared).to_string(),
            found: type_name(found).to_string(),
        }),
        _ => Ok(found),
    }
}

fn type_name(source_type: SourceType) -> &'static str {
    match source_type {
        SourceType::Openapi => "openapi",
        SourceType::Arazzo => "arazzo",
        SourceType::Asyncapi => "asyncapi",
    }
}

/// The same-origin rule: a document fetched over http(s) may only reach documents of its own
/// scheme, host and port (so never a local file); a local document may reach any.
///
/// # Errors
/// [`SourceErrorKind::CrossOrigin`] when `from` is remote and `to` is of another origin.
pub(crate) fn check_origin(from: &Url, to: &Url) -> Result<(), SourceErrorKind> {
    if matches!(from.scheme(), "http" | "https") && from.origin() != to.origin() {
        return Err(SourceErrorKind::CrossOrigin {
            from: from.to_string(),
            to: shown(to),
        });
    }
    Ok(())
}

fn without_fragment(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    url
}

/// How a document reached through a `$ref` is named in messages: its path, or its URL.
fn shown(url: &Url) -> String {
    match url.to_file_path() {
        Ok(path) if url.scheme() == "file" => path.display().to_string(),
        _ => url.to_string(),
    }
}

/// An I/O error as a lowercase reason without the OS error number: "no such file or directory".
pub fn io_reason(err: &std::io::Error) -> String {
    plain_reason(&err.to_string())
}

/// An error message as a lowercase reason without any OS error number.
pub(crate) fn plain_reason(text: &str) -> String {
    let text = match text.rfind(" (os error") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn detect_tells_the_kind_from_the_root_field() {
        let detect = |value: Value, declared| detect(&value, "x.yaml", declared);
        assert_eq!(
            detect(json!({"openapi": "3.1.0"}), None),
            Ok(SourceType::Openapi)
        );
        assert_eq!(
            detect(json!({"arazzo": "1.0.1"}), None),
            Ok(SourceType::Arazzo)
        );
        assert_eq!(
            detect(json!({"swagger": "2.0"}), Some(SourceType::Openapi))
                .unwrap_err()
                .to_string(),
            "x.yaml is Swagger 2.0, which is not supported; convert it to OpenAPI 3.0 or 3.1"
        );
        assert_eq!(
            detect(json!({"arazzo": "1.0.1"}), Some(SourceType::Openapi))
                .unwrap_err()
                .to_string(),
            "x.yaml is declared `type: openapi` but is an arazzo document"
        );
        assert!(matches!(
            detect(json!({"info": {}}), None),
            Err(SourceErrorKind::UnknownKind { .. })
        ));
        assert_eq!(
            detect(json!({"asyncapi": "3.0.0"}), None),
            Ok(SourceType::Asyncapi)
        );
        assert_eq!(
            detect(json!({"asyncapi": "3.0.0"}), Some(SourceType::Openapi))
                .unwrap_err()
                .to_string(),
            "x.yaml is declared `type: openapi` but is an asyncapi document"
        );
    }

    #[test]
    fn asyncapi_1_is_refused_saying_what_to_do_and_2_is_read() {
        let err = detect(
            &json!({"asyncapi": "1.2.0"}),
            "x.yaml",
            Some(SourceType::Asyncapi),
        );
        assert_eq!(
            err.unwrap_err().to_string(),
            "x.yaml is AsyncAPI 1.2.0, which is not supported: only AsyncAPI 2.x and 3.x are; \
             convert it with `asyncapi convert x.yaml --target-version 3.0.0`"
        );
        assert_eq!(
            detect(&json!({"asyncapi": "2.6.0"}), "x.yaml", None).unwrap(),
            SourceType::Asyncapi
        );
    }

    #[cfg(not(feature = "fetch"))]
    #[tokio::test]
    async fn without_fetch_a_remote_source_names_the_feature() {
        let options = SourceOptions {
            allow_remote: true,
            ..SourceOptions::default()
        };
        let url = Url::parse("https://api.test/pets.yaml").unwrap();
        let err = openapi("pets", &url, &options).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "source `pets`: `https://api.test/pets.yaml` is remote: fetching remote sources needs \
             the `fetch` feature of arazzo-sources"
        );
    }

    #[test]
    fn io_reasons_are_lowercase_without_the_os_error() {
        let err = std::fs::read("/definitely/not/here.yaml").unwrap_err();
        assert_eq!(io_reason(&err), "no such file or directory");
    }
}
