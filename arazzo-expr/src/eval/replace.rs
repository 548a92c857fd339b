//! Payload Replacement targets: XPath on XML text, JSONPath on JSON values (checklist §7.2).

use serde_json::Value;

use crate::error::EvalError;
use crate::eval::language::compile_jsonpath;
use crate::eval::xpath;

/// Sets the text of the elements, or the value of the attributes, that the XPath expression
/// `target` selects in the XML text `xml` (a Payload Replacement on an XML payload), and returns
/// the new XML text.
///
/// # Errors
/// When `xml` is not XML, `target` is not an XPath expression, selects nothing, or selects
/// something other than attributes and elements holding only text; without the `xpath`
/// feature, always ([`EvalError::XPathFeature`]).
pub fn replace_in_xml(xml: &str, target: &str, value: &str) -> Result<String, EvalError> {
    xpath::replace(xml, target, value)
}

/// Replaces every node that the RFC 9535 JSONPath query `target` selects in `payload` with
/// `value` (a Payload Replacement with `targetSelectorType: jsonpath`), and returns how many
/// were replaced. A node inside another selected node is replaced with it, and not counted.
/// JSONPath selects existing nodes only, so it never creates a member: `0` means nothing
/// matched, for the caller to report.
///
/// ```
/// use arazzo_expr::replace_in_json;
/// use serde_json::json;
///
/// let mut order = json!({"items": [{"sku": "ABC123", "quantity": 1}, {"sku": "X", "quantity": 2}]});
/// let replaced = replace_in_json(&mut order, "$.items[?(@.sku=='ABC123')].quantity", &json!(5));
/// assert_eq!(replaced, Ok(1));
/// assert_eq!(order["items"][0]["quantity"], 5);
/// assert_eq!(replace_in_json(&mut order, "$.missing", &json!(5)), Ok(0));
/// ```
///
/// # Errors
///
/// [`EvalError::InvalidJsonPath`] when `target` is not an RFC 9535 query.
pub fn replace_in_json(
    payload: &mut Value,
    target: &str,
    value: &Value,
) -> Result<usize, EvalError> {
    let path = compile_jsonpath(target).map_err(|reason| EvalError::InvalidJsonPath {
        query: target.to_owned(),
        reason,
    })?;
    let mut pointers: Vec<String> = path
        .query_located(payload)
        .dedup()
        .locations()
        .map(|location| location.to_json_pointer())
        .collect();
    // Shorter first, so that a selected ancestor drops its selected descendants.
    pointers.sort_by_key(String::len);
    let mut outermost: Vec<String> = Vec::new();
    for pointer in pointers {
        let inside = outermost.iter().any(|outer| {
            pointer
                .strip_prefix(outer.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
        });
        if !inside {
            outermost.push(pointer);
        }
    }
    for pointer in &outermost {
        if let Some(node) = payload.pointer_mut(pointer) {
            *node = value.clone();
        }
    }
    Ok(outermost.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_selected_node_is_replaced() {
        let mut payload = json!({"a": [{"n": 1}, {"n": 2}, {"m": 3}], "b": {"n": 4}});
        assert_eq!(replace_in_json(&mut payload, "$..n", &json!(0)), Ok(3));
        assert_eq!(
            payload,
            json!({"a": [{"n": 0}, {"n": 0}, {"m": 3}], "b": {"n": 0}})
        );
        // Duplicates in the node list count once.
        assert_eq!(
            replace_in_json(&mut payload, "$.a[0,0]", &json!("x")),
            Ok(1)
        );
        assert_eq!(payload["a"][0], "x");
        // The root itself.
        assert_eq!(replace_in_json(&mut payload, "$", &json!([])), Ok(1));
        assert_eq!(payload, json!([]));
    }

    #[test]
    fn nested_selections_replace_the_outermost() {
        let mut payload = json!({"a": {"a": {"a": 1}}, "ab": {"x": 1}});
        // `$..a` selects `/a`, `/a/a` and `/a/a/a`; `/ab` is a sibling, not a descendant.
        assert_eq!(replace_in_json(&mut payload, "$..a", &json!(7)), Ok(1));
        assert_eq!(payload, json!({"a": 7, "ab": {"x": 1}}));
        let mut keys = json!({"a/b": 1, "a": {"b": 2}});
        assert_eq!(replace_in_json(&mut keys, "$['a/b']", &json!(0)), Ok(1));
        assert_eq!(keys, json!({"a/b": 0, "a": {"b": 2}}));
    }

    #[test]
    fn nothing_matched_and_invalid_targets() {
        let mut payload = json!({"a": 1});
        assert_eq!(replace_in_json(&mut payload, "$.b", &json!(2)), Ok(0));
        assert_eq!(payload, json!({"a": 1}));
        assert!(matches!(
            replace_in_json(&mut payload, "$.a ==", &json!(2)),
            Err(EvalError::InvalidJsonPath { .. })
        ));
        assert!(matches!(
            replace_in_json(&mut payload, "/a", &json!(2)),
            Err(EvalError::InvalidJsonPath { .. })
        ));
    }
}
