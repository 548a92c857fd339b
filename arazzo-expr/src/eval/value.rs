//! Loose comparison of simple conditions (checklist §5.2) and template stringification.

use std::cmp::Ordering;

use serde_json::{Number, Value};

use crate::ast::CompareOp;

/// Compares two operand values; `None` (missing) behaves as `null`.
pub(crate) fn compare(op: CompareOp, left: Option<&Value>, right: Option<&Value>) -> bool {
    let left = left.unwrap_or(&Value::Null);
    let right = right.unwrap_or(&Value::Null);
    match op {
        CompareOp::Eq => loose_eq(left, right),
        CompareOp::Ne => !loose_eq(left, right),
        CompareOp::Lt => loose_cmp(left, right) == Some(Ordering::Less),
        CompareOp::Le => matches!(
            loose_cmp(left, right),
            Some(Ordering::Less | Ordering::Equal)
        ),
        CompareOp::Gt => loose_cmp(left, right) == Some(Ordering::Greater),
        CompareOp::Ge => matches!(
            loose_cmp(left, right),
            Some(Ordering::Greater | Ordering::Equal)
        ),
    }
}

/// `null` equals only `null`; a number and a numeric string compare as numbers; strings
/// compare case-insensitively; a boolean equals the string `true`/`false` in any case;
/// arrays and objects compare structurally.
fn loose_eq(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Null, Value::Null) => true,
        (Value::Number(a), Value::Number(b)) => compare_numbers(a, b) == Some(Ordering::Equal),
        (Value::Number(number), Value::String(text))
        | (Value::String(text), Value::Number(number)) => numeric(text)
            .is_some_and(|parsed| compare_numbers(number, &parsed) == Some(Ordering::Equal)),
        (Value::String(a), Value::String(b)) => a.to_lowercase() == b.to_lowercase(),
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Bool(flag), Value::String(text)) | (Value::String(text), Value::Bool(flag)) => {
            text.to_lowercase() == flag.to_string()
        }
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) => left == right,
        _ => false,
    }
}

/// Ordering: numbers (a string is coerced when the other side is a number), or two strings
/// case-insensitively; anything else is unordered, so every ordering operator is false.
fn loose_cmp(left: &Value, right: &Value) -> Option<Ordering> {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => compare_numbers(a, b),
        (Value::Number(number), Value::String(text)) => compare_numbers(number, &numeric(text)?),
        (Value::String(text), Value::Number(number)) => compare_numbers(&numeric(text)?, number),
        (Value::String(a), Value::String(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
        _ => None,
    }
}

/// A string holding exactly a JSON number (`"42"`, `"-1.5e3"`; not `" 42"` or `"+1"`).
fn numeric(text: &str) -> Option<Number> {
    if text.trim() != text {
        return None;
    }
    text.parse().ok()
}

enum Num {
    Int(i128),
    Float(f64),
}

fn num(number: &Number) -> Num {
    if let Some(int) = number.as_i64() {
        Num::Int(int.into())
    } else if let Some(int) = number.as_u64() {
        Num::Int(int.into())
    } else {
        Num::Float(number.as_f64().unwrap_or(f64::NAN))
    }
}

/// Exact for integers (no rounding through `f64`, so `9007199254740993 != 9007199254740992`).
fn compare_numbers(a: &Number, b: &Number) -> Option<Ordering> {
    match (num(a), num(b)) {
        (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
        (Num::Float(a), Num::Float(b)) => a.partial_cmp(&b),
        (Num::Int(a), Num::Float(b)) => int_float(a, b),
        (Num::Float(a), Num::Int(b)) => int_float(b, a).map(Ordering::reverse),
    }
}

fn int_float(int: i128, float: f64) -> Option<Ordering> {
    if float.is_nan() {
        return None;
    }
    let floor = float.floor();
    // Every i64/u64 fits in i128, and floats beyond ±2^127 are beyond every integer we hold.
    if floor >= 2f64.powi(127) {
        return Some(Ordering::Less);
    }
    if floor < -(2f64.powi(127)) {
        return Some(Ordering::Greater);
    }
    match int.cmp(&(floor as i128)) {
        Ordering::Equal if float > floor => Some(Ordering::Less),
        ordering => Some(ordering),
    }
}

/// The text a template embeds for a value, and what a regex criterion matches against.
pub(crate) fn to_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn holds(op: CompareOp, left: Value, right: Value) -> bool {
        compare(op, Some(&left), Some(&right))
    }

    #[test]
    fn integers_keep_precision() {
        assert!(!holds(
            CompareOp::Eq,
            json!(9007199254740993u64),
            json!(9007199254740992u64)
        ));
        assert!(holds(
            CompareOp::Gt,
            json!(9007199254740993u64),
            json!(9007199254740992.0)
        ));
        assert!(holds(
            CompareOp::Eq,
            json!(u64::MAX),
            json!(u64::MAX.to_string())
        ));
        assert!(holds(CompareOp::Lt, json!(-1), json!(u64::MAX)));
        assert!(holds(CompareOp::Eq, json!(2), json!(2.0)));
        assert!(holds(CompareOp::Lt, json!(2), json!(2.5)));
        assert!(holds(CompareOp::Gt, json!(-2), json!(-2.5)));
        assert!(holds(CompareOp::Lt, json!(i64::MAX), json!(1e300)));
    }

    #[test]
    fn missing_is_null() {
        assert!(compare(CompareOp::Eq, None, Some(&Value::Null)));
        assert!(!compare(CompareOp::Ne, None, Some(&Value::Null)));
        assert!(compare(CompareOp::Ne, None, Some(&json!(0))));
        assert!(!compare(CompareOp::Lt, None, Some(&json!(1))));
        assert!(!compare(CompareOp::Ge, None, None));
    }

    #[test]
    fn strings() {
        assert!(holds(CompareOp::Eq, json!("ÄBC"), json!("äbc")));
        assert!(holds(CompareOp::Lt, json!("apple"), json!("Banana")));
        // Two strings compare as text even when both look numeric.
        assert!(holds(CompareOp::Lt, json!("10"), json!("9")));
        assert!(holds(CompareOp::Gt, json!("10"), json!(9)));
        assert!(!holds(CompareOp::Eq, json!(" 10"), json!(10)));
        assert!(!holds(CompareOp::Lt, json!("abc"), json!(10)));
        assert!(holds(CompareOp::Eq, json!("TRUE"), json!(true)));
        assert!(!holds(CompareOp::Eq, json!("1"), json!(true)));
    }

    #[test]
    fn structures_compare_structurally_and_are_unordered() {
        assert!(holds(CompareOp::Eq, json!({"a": [1]}), json!({"a": [1]})));
        assert!(!holds(CompareOp::Eq, json!({"a": "X"}), json!({"a": "x"})));
        assert!(!holds(CompareOp::Le, json!([1]), json!([1])));
        assert!(!holds(CompareOp::Eq, json!([]), json!(null)));
    }

    #[test]
    fn texts() {
        assert_eq!(to_text(&json!("a")), "a");
        assert_eq!(to_text(&json!(200)), "200");
        assert_eq!(to_text(&json!(null)), "null");
        assert_eq!(to_text(&json!({"a": [true]})), r#"{"a":[true]}"#);
    }
}
