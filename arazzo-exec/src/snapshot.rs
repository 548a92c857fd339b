//! Deterministic text of a [`WorkflowReport`], meant to be committed and compared: what
//! changes from one run to the next is replaced by a placeholder.

use serde_json::Value;

use crate::report::WorkflowReport;

/// Replaces every duration of the report.
pub const DURATION_PLACEHOLDER: &str = "[duration]";
/// Replaces a date-time (RFC 3339 / ISO 8601, e.g. `2024-06-12T01:34:05.993Z`) in any text.
pub const TIMESTAMP_PLACEHOLDER: &str = "[timestamp]";
/// Replaces an HTTP date (IMF-fixdate, e.g. `Wed, 12 Jun 2024 01:34:05 GMT`) in any text.
pub const DATE_PLACEHOLDER: &str = "[date]";

/// Members whose contents are data from the wire or the workflow, not report structure: a
/// `duration` member inside them is left alone.
const DATA_MEMBERS: &[&str] = &["request", "response", "outputs", "unresolved_outputs"];

/// The report as YAML, the same on every run of the same exchanges:
///
/// - every `duration` of the report (the workflow's, each step's, nested workflows') is
///   `[duration]`;
/// - date-times anywhere (RFC 3339 / ISO 8601 with a time: `2024-06-12T01:34:05Z`,
///   `2024-06-12 01:34:05.993+02:00`) become `[timestamp]`, and HTTP dates (the `date`,
///   `last-modified`, `expires` headers: `Wed, 12 Jun 2024 01:34:05 GMT`) become `[date]`;
///   plain dates (`2024-06-12`) and numbers (epoch milliseconds) are kept: they are usually
///   data the workflow chose;
/// - header fields are one-entry maps (`- content-type: application/json`), as in cassettes;
/// - secrets are `***`, as in every report.
///
/// `arazzo snapshot` prints this text; the `testing` module (feature `testing`) snapshots it
/// with insta.
pub fn snapshot_report(report: &WorkflowReport) -> String {
    let mut value = serde_json::to_value(report).expect("a report is plain data");
    normalize(&mut value, false);
    yaml_serde::to_string(&value).expect("a report is plain data")
}

fn normalize(value: &mut Value, in_data: bool) {
    match value {
        Value::String(text) => {
            if let Some(normalized) = normalize_text(text) {
                *text = normalized;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| normalize(item, in_data)),
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                if !in_data && key == "duration" && member.is_number() {
                    *member = Value::String(DURATION_PLACEHOLDER.to_string());
                } else {
                    if !in_data && (key == "request" || key == "response") {
                        headers_as_maps(member);
                    }
                    normalize(member, in_data || DATA_MEMBERS.contains(&key.as_str()));
                }
            }
        }
        _ => {}
    }
}

/// A request or response record's `headers`, `[[name, value]]` pairs in the report, as
/// one-entry maps (`- content-type: application/json`), as in cassettes.
fn headers_as_maps(record: &mut Value) {
    let Some(Value::Array(headers)) = record.get_mut("headers") else {
        return;
    };
    for header in headers.iter_mut() {
        if let Value::Array(pair) = header
            && let [Value::String(name), value] = pair.as_slice()
        {
            let mut map = serde_json::Map::new();
            map.insert(name.clone(), value.clone());
            *header = Value::Object(map);
        }
    }
}

/// `text` with date-times and HTTP dates replaced, or `None` when it has none.
fn normalize_text(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let boundary = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        let found = if boundary {
            date_time_len(&bytes[at..])
                .map(|len| (len, TIMESTAMP_PLACEHOLDER))
                .or_else(|| http_date_len(&bytes[at..]).map(|len| (len, DATE_PLACEHOLDER)))
        } else {
            None
        };
        match found {
            Some((len, placeholder)) => {
                out.push_str(&text[copied..at]);
                out.push_str(placeholder);
                at += len;
                copied = at;
            }
            None => at += 1,
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// Matches `bytes` against a shape where `9` is a digit, `A` a letter and anything else
/// itself.
fn shape(bytes: &[u8], shape: &str) -> bool {
    bytes.len() >= shape.len()
        && shape
            .bytes()
            .zip(bytes)
            .all(|(expected, byte)| match expected {
                b'9' => byte.is_ascii_digit(),
                b'A' => byte.is_ascii_alphabetic(),
                other => *byte == other,
            })
}

/// The length of a date-time at the start of `bytes`: `YYYY-MM-DD` `T`/`t`/space `HH:MM:SS`,
/// then optional `.fraction` and `Z` or `±HH:MM`.
fn date_time_len(bytes: &[u8]) -> Option<usize> {
    if !shape(bytes, "9999-99-99") || !matches!(bytes.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    if !shape(&bytes[11..], "99:99:99") {
        return None;
    }
    let mut len = 19;
    if bytes.get(len) == Some(&b'.') {
        let digits = bytes[len + 1..]
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        if digits > 0 {
            len += 1 + digits;
        }
    }
    match bytes.get(len) {
        Some(b'Z' | b'z') => len += 1,
        Some(b'+' | b'-') if shape(&bytes[len + 1..], "99:99") => len += 6,
        _ => {}
    }
    Some(len)
}

/// The length of an IMF-fixdate at the start of `bytes`: `Wed, 12 Jun 2024 01:34:05 GMT`.
fn http_date_len(bytes: &[u8]) -> Option<usize> {
    const DAYS: &[&[u8]] = &[b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    let shaped = shape(bytes, "AAA, 99 AAA 9999 99:99:99 GMT");
    (shaped && DAYS.contains(&&bytes[..3])).then_some(29)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_and_http_dates_are_replaced() {
        let cases = [
            ("2024-06-12T01:34:05Z", Some("[timestamp]")),
            ("at 2024-06-12T01:34:05.993+02:00.", Some("at [timestamp].")),
            ("2024-06-12 01:34:05", Some("[timestamp]")),
            ("Wed, 12 Jun 2024 01:34:05 GMT", Some("[date]")),
            (
                "from Wed, 12 Jun 2024 01:34:05 GMT to 2024-06-13t00:00:00z",
                Some("from [date] to [timestamp]"),
            ),
            ("2024-06-12", None),
            ("12024-06-12T01:34:05Z", None),
            ("Xed, 12 Jun 2024 01:34:05 GMT", None),
            ("1718153645993", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(normalize_text(text).as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn durations_only_in_the_report_structure() {
        let mut value = serde_json::json!({
            "duration": 1.5,
            "request": {"headers": [["Accept", "text/plain"]], "body": [["a", "b"]]},
            "steps": [{"duration": 2.0, "response": {"body": {"duration": 3}}, "outputs": {"duration": 4}}],
            "workflows": [{"duration": 5.0}]
        });
        normalize(&mut value, false);
        assert_eq!(
            value,
            serde_json::json!({
                "duration": "[duration]",
                "request": {"headers": [{"Accept": "text/plain"}], "body": [["a", "b"]]},
                "steps": [{"duration": "[duration]", "response": {"body": {"duration": 3}}, "outputs": {"duration": 4}}],
                "workflows": [{"duration": "[duration]"}]
            })
        );
    }
}
