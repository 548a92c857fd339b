//! The query languages of criteria and selectors, their versions (the Expression Type Object)
//! and how each version is evaluated (see the crate's decisions 13, 14 and 17).

use crate::error::EvalError;
use crate::limits::{self, Syntax};

/// JSONPath versions (Expression Type Object).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonPathVersion {
    /// RFC 9535, the default.
    Rfc9535,
    /// `draft-goessner-dispatch-jsonpath-00`: evaluated by the RFC 9535 engine only when the
    /// query uses the syntax both define alike, else an unsupported version (see the crate's
    /// `# Decisions`).
    DraftGoessner,
}

/// XPath versions (Expression Type Object).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XPathVersion {
    /// XPath 3.1, the default.
    XPath31,
    /// `xpath-30`: evaluated by the XPath 3.1 engine (3.1 is backward compatible with 3.0).
    XPath30,
    /// `xpath-20`: evaluated by the XPath 3.1 engine (3.0 and 3.1 are backward compatible
    /// with 2.0).
    XPath20,
    /// `xpath-10`: not supported (XPath 1.0's conversions differ from 3.1's); such criteria and
    /// selectors fail with [`EvalError::UnsupportedVersion`].
    XPath10,
}

impl JsonPathVersion {
    /// The version for its name, `rfc9535` or `draft-goessner-dispatch-jsonpath-00`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "rfc9535" => Some(JsonPathVersion::Rfc9535),
            "draft-goessner-dispatch-jsonpath-00" => Some(JsonPathVersion::DraftGoessner),
            _ => None,
        }
    }

    /// The name used in `version`.
    pub fn name(self) -> &'static str {
        match self {
            JsonPathVersion::Rfc9535 => "rfc9535",
            JsonPathVersion::DraftGoessner => "draft-goessner-dispatch-jsonpath-00",
        }
    }
}

impl XPathVersion {
    /// The version for its name, `xpath-31`, `xpath-30`, `xpath-20` or `xpath-10`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "xpath-31" => Some(XPathVersion::XPath31),
            "xpath-30" => Some(XPathVersion::XPath30),
            "xpath-20" => Some(XPathVersion::XPath20),
            "xpath-10" => Some(XPathVersion::XPath10),
            _ => None,
        }
    }

    /// The name used in `version`.
    pub fn name(self) -> &'static str {
        match self {
            XPathVersion::XPath31 => "xpath-31",
            XPathVersion::XPath30 => "xpath-30",
            XPathVersion::XPath20 => "xpath-20",
            XPathVersion::XPath10 => "xpath-10",
        }
    }
}

/// Why a `type` (with an Expression Type Object's `version`) names no language of a criterion
/// or a selector.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TypeError {
    /// `type: jsonpointer` on a Criterion Object (a pointer selects, it does not test).
    #[error(
        "`jsonpointer` is a selector type, not a criterion type; use `simple`, `regex`, `jsonpath` or `xpath`"
    )]
    JsonPointerCriterion,
    /// `type: asyncapi`, `type: jmespath`.
    #[error("unknown {role} type `{name}`; expected {expected}")]
    UnknownType {
        /// `criterion` or `selector`.
        role: &'static str,
        /// The type as written.
        name: String,
        /// The types of that role, in words.
        expected: &'static str,
    },
    /// `{type: xpath, version: rfc9535}`, `{type: regex, version: x}`.
    #[error("`{type_name}` has no version `{version}`; expected {expected}")]
    UnknownVersion {
        /// The type.
        type_name: String,
        /// The version as written.
        version: String,
        /// The versions of that type, in words.
        expected: &'static str,
    },
}

/// The versions of a language, in words, for [`TypeError::UnknownVersion`].
pub(crate) fn versions_of(type_name: &str) -> &'static str {
    match type_name {
        "jsonpath" => "`rfc9535` or `draft-goessner-dispatch-jsonpath-00`",
        "xpath" => "`xpath-31`, `xpath-30`, `xpath-20` or `xpath-10`",
        "jsonpointer" => "`rfc6901`",
        _ => "none (only `jsonpath`, `xpath` and `jsonpointer` have versions)",
    }
}

/// A language of an Expression Type Object with its version.
pub(crate) enum Versioned {
    JsonPath(JsonPathVersion),
    XPath(XPathVersion),
    JsonPointer,
}

/// The language and version of a `type` and `version` (`None`: the default version); `Ok(None)`
/// when `type_name` is no Expression Type Object language.
pub(crate) fn versioned(
    type_name: &str,
    version: Option<&str>,
) -> Result<Option<Versioned>, TypeError> {
    let unknown = |version: &str| TypeError::UnknownVersion {
        type_name: type_name.to_owned(),
        version: version.to_owned(),
        expected: versions_of(type_name),
    };
    Ok(Some(match (type_name, version) {
        ("jsonpath", None) => Versioned::JsonPath(JsonPathVersion::Rfc9535),
        ("jsonpath", Some(version)) => Versioned::JsonPath(
            JsonPathVersion::from_name(version).ok_or_else(|| unknown(version))?,
        ),
        ("xpath", None) => Versioned::XPath(XPathVersion::XPath31),
        ("xpath", Some(version)) => {
            Versioned::XPath(XPathVersion::from_name(version).ok_or_else(|| unknown(version))?)
        }
        ("jsonpointer", None | Some("rfc6901")) => Versioned::JsonPointer,
        (_, Some(version)) => return Err(unknown(version)),
        _ => return Ok(None),
    }))
}

/// Parses a JSONPath query whose nesting is bounded; the error is the reason it is refused.
pub(crate) fn compile_jsonpath(query: &str) -> Result<serde_json_path::JsonPath, String> {
    limits::check_bounds(query, Syntax::JsonPath)?;
    serde_json_path::JsonPath::parse(query).map_err(|err| err.to_string())
}

/// Compiles a query of the given JSONPath version for the RFC 9535 engine: an RFC 9535 query
/// as it is; a draft-goessner query only when it uses no filter (`?`), script expression
/// (`(`) or negative number (`-`), the syntax whose draft meaning (JavaScript's truthiness,
/// coercions and indexing) differs from RFC 9535.
pub(crate) fn compile_versioned(
    query: &str,
    version: JsonPathVersion,
) -> Result<serde_json_path::JsonPath, EvalError> {
    let invalid = |reason| EvalError::InvalidJsonPath {
        query: query.to_owned(),
        reason,
    };
    match version {
        JsonPathVersion::Rfc9535 => compile_jsonpath(query).map_err(invalid),
        JsonPathVersion::DraftGoessner => {
            let unsupported = |reason: String| EvalError::UnsupportedVersion {
                version: version.name(),
                reason,
            };
            if outside_strings(query).any(|ch| matches!(ch, '?' | '(' | '-')) {
                return Err(unsupported(format!(
                    "`{query}` uses a filter, a script expression or a negative number, whose draft meaning differs from RFC 9535; write it as RFC 9535 (`type: jsonpath`)"
                )));
            }
            compile_jsonpath(query).map_err(|reason| {
                unsupported(format!(
                    "`{query}` is not in the syntax the draft shares with RFC 9535: {reason}"
                ))
            })
        }
    }
}

/// Refuses the XPath versions the 3.1 engine cannot stand in for.
pub(crate) fn check_xpath_version(version: XPathVersion) -> Result<(), EvalError> {
    match version {
        XPathVersion::XPath10 => Err(EvalError::UnsupportedVersion {
            version: version.name(),
            reason: "XPath 1.0's type conversions, numbers and comparisons differ from XPath 3.1's, the only engine; use `xpath-31`".to_owned(),
        }),
        XPathVersion::XPath31 | XPathVersion::XPath30 | XPathVersion::XPath20 => Ok(()),
    }
}

/// How a non-default version is evaluated, for failure reasons: `None` for the defaults.
pub(crate) fn jsonpath_note(version: JsonPathVersion) -> Option<&'static str> {
    match version {
        JsonPathVersion::Rfc9535 => None,
        JsonPathVersion::DraftGoessner => Some(
            "draft-goessner-dispatch-jsonpath-00, evaluated by the RFC 9535 engine on the syntax both share",
        ),
    }
}

/// How a non-default version is evaluated, for failure reasons: `None` for the default.
pub(crate) fn xpath_note(version: XPathVersion) -> Option<&'static str> {
    match version {
        XPathVersion::XPath31 | XPathVersion::XPath10 => None,
        XPathVersion::XPath30 => {
            Some("xpath-30, evaluated by the XPath 3.1 engine, which is backward compatible")
        }
        XPathVersion::XPath20 => {
            Some("xpath-20, evaluated by the XPath 3.1 engine, which is backward compatible")
        }
    }
}

/// The characters of a JSONPath query outside its string literals (`'…'`, `"…"`, `\` escapes).
fn outside_strings(query: &str) -> impl Iterator<Item = char> + '_ {
    let mut quote = None;
    let mut escaped = false;
    query.chars().filter(move |&ch| match quote {
        Some(_) if escaped => {
            escaped = false;
            false
        }
        Some(_) if ch == '\\' => {
            escaped = true;
            false
        }
        Some(open) => {
            if ch == open {
                quote = None;
            }
            false
        }
        None if ch == '\'' || ch == '"' => {
            quote = Some(ch);
            false
        }
        None => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goessner_queries_run_only_on_the_shared_syntax() {
        let goessner = JsonPathVersion::DraftGoessner;
        for shared in [
            "$..author",
            "$.store.book[0,1]",
            "$['a?b']['c-d']",
            "$.a[1:3]",
            "$.*",
        ] {
            assert!(compile_versioned(shared, goessner).is_ok(), "{shared}");
        }
        for other in ["$[?(@.isbn)]", "$.a[(@.length-1)]", "$.a[-1]", "$.a[-2:]"] {
            let err = compile_versioned(other, goessner).unwrap_err();
            assert!(
                matches!(
                    err,
                    EvalError::UnsupportedVersion {
                        version: "draft-goessner-dispatch-jsonpath-00",
                        ..
                    }
                ),
                "{other}: {err:?}"
            );
        }
        // Outside the shared syntax RFC 9535 refuses it too: unsupported, not "invalid".
        let err = compile_versioned("$.a-b", goessner).unwrap_err();
        assert!(matches!(err, EvalError::UnsupportedVersion { .. }));
        let err = compile_versioned("$.a[", goessner).unwrap_err();
        assert!(err.to_string().starts_with(
            "draft-goessner-dispatch-jsonpath-00 is not supported: `$.a[` is not in the syntax the draft shares with RFC 9535"
        ));
        // RFC 9535 queries keep their filters.
        assert!(compile_versioned("$[?@.a == -1]", JsonPathVersion::Rfc9535).is_ok());
    }

    #[test]
    fn versions_by_name() {
        assert!(matches!(
            versioned("jsonpath", Some("rfc9535")),
            Ok(Some(Versioned::JsonPath(JsonPathVersion::Rfc9535)))
        ));
        assert!(matches!(
            versioned("xpath", Some("xpath-31")),
            Ok(Some(Versioned::XPath(XPathVersion::XPath31)))
        ));
        assert_eq!(
            versioned("xpath", Some("rfc9535"))
                .err()
                .unwrap()
                .to_string(),
            "`xpath` has no version `rfc9535`; expected `xpath-31`, `xpath-30`, `xpath-20` or `xpath-10`"
        );
        assert!(matches!(versioned("regex", None), Ok(None)));
        assert!(versioned("regex", Some("x")).is_err());
        assert!(check_xpath_version(XPathVersion::XPath10).is_err());
        assert!(check_xpath_version(XPathVersion::XPath20).is_ok());
    }
}
