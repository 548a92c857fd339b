//! A step's request: parameters, body and URL resolved against the run state.

use arazzo_model::ParameterIn;
use arazzo_sources::style::{PATH_VALUE, Serialized, Style, serialize, text};
use bytes::Bytes;
use percent_encoding::{AsciiSet, utf8_percent_encode};
use serde_json::Value;

use crate::auth::Credential;
use crate::context::{ExchangeView, Scope};
use crate::executor::{Request, header};
use crate::plan::{Call, StepPlan};
use crate::report::{StepError, StepErrorKind};
use crate::value::Evaluated;

/// Characters escaped in a cookie's name and value: what RFC 6265's `cookie-octet` does not
/// allow (controls, space, `"`, `,`, `;`, `\`, non-ASCII), `%` (the escape itself) and, for
/// names, `=`: a value `a; admin=true` must not add a cookie.
const COOKIE_OCTETS: &AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b',')
    .add(b';')
    .add(b'\\')
    .add(b'%')
    .add(b'=');

/// The default media type of a body when neither the step nor the operation names one.
const DEFAULT_CONTENT_TYPE: &str = "application/json";

/// The media type of form bodies, encoded from an object or replaced into by field.
const FORM: &str = "application/x-www-form-urlencoded";

/// Builds the step's request, and the exchange its expressions will read.
///
/// # Errors
/// A parameter or payload expression that does not resolve, a path parameter without a
/// value, a bad payload replacement, or a URL that does not parse (one line each).
pub(crate) fn build(
    step: &StepPlan,
    scope: &Scope<'_>,
    credentials: &[Credential],
) -> Result<(Request, ExchangeView), StepError> {
    assemble(step, scope, credentials)
        .map_err(|message| StepError::new(StepErrorKind::Request, message))
}

fn assemble(
    step: &StepPlan,
    scope: &Scope<'_>,
    credentials: &[Credential],
) -> Result<(Request, ExchangeView), String> {
    let Call::Operation(operation) = &step.call else {
        unreachable!("only operation steps send requests");
    };
    let mut exchange = ExchangeView {
        method: operation.method.to_string(),
        ..ExchangeView::default()
    };
    let mut cookies = Vec::new();
    for parameter in &step.parameters {
        let value = match parameter.value.evaluate(scope) {
            Ok(Evaluated::Value(value)) => value,
            Ok(Evaluated::Absent) => continue,
            Err(err) => return Err(format!("parameter `{}`: {err}", parameter.name)),
        };
        let Some(location) = parameter.location else {
            continue;
        };
        let name = &parameter.name;
        // Serialized as the OpenAPI parameter of the same name and location says; one the
        // operation does not declare is sent as given, in the location's default style.
        let declared = operation.parameter(name, location);
        match (
            serialize(name, &value, Style::of(location, declared)),
            location,
        ) {
            (Serialized::Pairs(pairs), _) => exchange.query.extend(pairs),
            (Serialized::Text(text), ParameterIn::Path) => exchange.path.push((name.clone(), text)),
            (Serialized::Text(text), ParameterIn::Cookie) => cookies.push(cookie(name, &text)),
            (Serialized::Text(text), _) => exchange.request_headers.push((name.clone(), text)),
        }
    }
    // Credentials of the operation's security schemes, where the step did not set its own.
    for credential in credentials {
        match credential {
            Credential::Header(name, value) => {
                if header(&exchange.request_headers, name).is_none() {
                    exchange.request_headers.push((name.clone(), value.clone()));
                }
            }
            Credential::Query(name, value) => {
                if !exchange.query.iter().any(|(existing, _)| existing == name) {
                    exchange.query.push((name.clone(), value.clone()));
                }
            }
            Credential::Cookie(name, value) => {
                let set = cookie(name, "");
                if !cookies
                    .iter()
                    .any(|cookie: &String| cookie.starts_with(&set))
                {
                    cookies.push(cookie(name, value));
                }
            }
        }
    }
    if !cookies.is_empty() {
        exchange
            .request_headers
            .push(("Cookie".to_string(), cookies.join("; ")));
    }

    let mut path = operation.path.clone();
    for (name, value) in &exchange.path {
        path = path.replace(
            &format!("{{{name}}}"),
            &utf8_percent_encode(value, PATH_VALUE).to_string(),
        );
    }
    if let Some(start) = path.find('{') {
        let name = path[start + 1..].split('}').next().unwrap_or_default();
        return Err(format!(
            "path parameter `{name}` of `{}` has no value",
            operation.path
        ));
    }
    // URL parsers remove `.` and `..` segments, percent-encoded (`%2E`) or not: such a value
    // would send the request to another path (`/users/../profile` is `/profile`).
    if let Some(segment) = path
        .split('/')
        .find(|segment| matches!(*segment, "." | ".."))
    {
        return Err(format!(
            "path parameters make `{path}` from `{}`: its `{segment}` segment would be removed and the request sent to another path",
            operation.path
        ));
    }
    let base = operation.base_url().map_err(|err| err.to_string())?;
    let mut url = operation_url(base, &path)?;
    if !exchange.query.is_empty() {
        url.query_pairs_mut().extend_pairs(exchange.query.iter());
    }
    exchange.url = url.to_string();

    let body = match &step.body {
        Some(plan) => {
            let mut payload = match &plan.payload {
                Some(tree) => match tree.evaluate(scope) {
                    Ok(Evaluated::Value(value)) => value,
                    Ok(Evaluated::Absent) => Value::Null,
                    Err(err) => return Err(format!("request body: {err}")),
                },
                None => Value::Null,
            };
            let content_type = plan
                .content_type
                .clone()
                .or_else(|| {
                    operation
                        .request_body
                        .as_ref()?
                        .content_types
                        .first()
                        .cloned()
                })
                .unwrap_or_else(|| DEFAULT_CONTENT_TYPE.to_string());
            for (target, tree) in &plan.replacements {
                let value = match tree.evaluate(scope) {
                    Ok(Evaluated::Value(value)) => value,
                    Ok(Evaluated::Absent) => continue,
                    Err(err) => return Err(format!("replacement `{target}`: {err}")),
                };
                replace(&mut payload, target, value, &content_type)?;
            }
            let bytes = encode(&payload, &content_type);
            if header(&exchange.request_headers, "content-type").is_none() {
                exchange
                    .request_headers
                    .push(("Content-Type".to_string(), content_type));
            }
            exchange.request_body = Some(payload);
            Some(bytes)
        }
        None => None,
    };

    for (name, value) in &exchange.request_headers {
        check_header(name, value)?;
    }
    let request = Request {
        method: operation.method.clone(),
        url,
        headers: exchange.request_headers.clone(),
        body,
    };
    Ok((request, exchange))
}

/// `name=value` for a `Cookie` header, each percent-encoded where RFC 6265 forbids.
fn cookie(name: &str, value: &str) -> String {
    format!(
        "{}={}",
        utf8_percent_encode(name, COOKIE_OCTETS),
        utf8_percent_encode(value, COOKIE_OCTETS)
    )
}

/// A header HTTP can carry (a parameter, a credential, the content type): CR and LF (which
/// would start another header), other control characters and non-ASCII text are refused here,
/// with the header's name, not when the request is sent. The value is not shown: it may be a
/// secret.
fn check_header(name: &str, value: &str) -> Result<(), String> {
    if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(format!("header `{name}`: not a valid header name"));
    }
    if http::HeaderValue::from_str(value).is_err() {
        return Err(format!(
            "header `{name}`: its value has a character an HTTP header cannot carry (CR, LF, another control character or non-ASCII text)"
        ));
    }
    Ok(())
}

/// Whether `content_type` is `application/x-www-form-urlencoded` (parameters allowed).
fn is_form(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(FORM))
}

/// The body of `request` as text when its content type is a form: what reports show of it
/// (the fields as sent, not the payload they were encoded from).
pub(crate) fn form_text(request: &Request) -> Option<&str> {
    let content_type = header(&request.headers, "content-type")?;
    let body = request.body.as_ref()?;
    is_form(content_type)
        .then(|| std::str::from_utf8(body).ok())
        .flatten()
}

/// The body bytes: a string payload verbatim; an object as a form for
/// `application/x-www-form-urlencoded`; anything else as JSON.
fn encode(payload: &Value, content_type: &str) -> Bytes {
    match payload {
        Value::String(text) => Bytes::from(text.clone()),
        Value::Object(members) if is_form(content_type) => {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            for (key, value) in members {
                form.append_pair(key, &text(value));
            }
            Bytes::from(form.finish())
        }
        other => Bytes::from(serde_json::to_vec(other).unwrap_or_default()),
    }
}

/// Sets `value` at `target` of `payload`. For a JSON payload `target` is a JSON pointer: an
/// existing member or index is replaced; a new member of an existing object is added; `-`
/// appends to an array. For a form (`application/x-www-form-urlencoded`) it names a field,
/// as a pointer (`/name`) or bare (`name`). For an XML payload (a string) it is an XPath
/// expression selecting the elements or attributes to set.
fn replace(
    payload: &mut Value,
    target: &str,
    value: Value,
    content_type: &str,
) -> Result<(), String> {
    if is_form(content_type) {
        let name = form_field(target)?;
        match payload {
            Value::String(form) => {
                *form = replace_field(form, &name, &text(&value));
            }
            Value::Object(members) => {
                members.insert(name, value);
            }
            _ => {
                return Err(format!(
                    "replacement target `{target}`: a form payload is an object or `name=value&…` text"
                ));
            }
        }
        return Ok(());
    }
    if let Value::String(text) = payload {
        // A text payload: an XPath target into XML (the only text a target can address).
        if !content_type.contains("xml") {
            return Err(format!(
                "replacement target `{target}`: a `{content_type}` text payload cannot be addressed; use `{{$…}}` templates in it"
            ));
        }
        let replaced =
            arazzo_expr::replace_in_xml(text, target, &arazzo_sources::style::text(&value))
                .map_err(|err| format!("replacement target `{target}`: {err}"))?;
        *payload = Value::String(replaced);
        return Ok(());
    }
    if target.is_empty() {
        *payload = value;
        return Ok(());
    }
    let (parent_pointer, last) = target
        .rsplit_once('/')
        .ok_or_else(|| format!("replacement target `{target}` is not a JSON pointer"))?;
    let key = arazzo_expr::pointer::unescape(last);
    let parent = payload.pointer_mut(parent_pointer).ok_or_else(|| {
        format!("replacement target `{target}`: `{parent_pointer}` is not in the payload")
    })?;
    match parent {
        Value::Object(members) => {
            members.insert(key, value);
        }
        Value::Array(items) if key == "-" => items.push(value),
        Value::Array(items) => {
            let slot = key
                .parse::<usize>()
                .ok()
                .and_then(|index| items.get_mut(index))
                .ok_or_else(|| {
                    format!("replacement target `{target}`: no index `{key}` in the array")
                })?;
            *slot = value;
        }
        _ => {
            return Err(format!(
                "replacement target `{target}`: `{parent_pointer}` is not an object or array"
            ));
        }
    }
    Ok(())
}

/// The form field a replacement `target` names: `/name` (a JSON pointer of one token, `~1`
/// and `~0` unescaped) or `name`.
fn form_field(target: &str) -> Result<String, String> {
    let Some(pointer) = target.strip_prefix('/') else {
        return match target.is_empty() {
            true => Err("replacement target ``: a form field needs a name".to_string()),
            false => Ok(target.to_string()),
        };
    };
    if pointer.contains('/') {
        return Err(format!(
            "replacement target `{target}`: a form has no nested fields (write `/name` or `name`)"
        ));
    }
    Ok(arazzo_expr::pointer::unescape(pointer))
}

/// `form` (`a=1&b=2`) with field `name` set to `value`: the first field of that name takes
/// it and later ones are dropped (a field set to one value, as a JSON member is), or it is
/// appended; every other field keeps its text and its place.
fn replace_field(form: &str, name: &str, value: &str) -> String {
    let set = format!(
        "{}={}",
        url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>(),
        url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
    );
    let mut set = Some(set);
    let mut fields = Vec::new();
    for field in form.split('&').filter(|field| !field.is_empty()) {
        let named = url::form_urlencoded::parse(field.as_bytes())
            .next()
            .is_some_and(|(field_name, _)| field_name == name);
        match (named, set.take()) {
            (false, unused) => {
                set = unused;
                fields.push(field.to_string());
            }
            (true, Some(set)) => fields.push(set),
            (true, None) => {}
        }
    }
    fields.extend(set);
    fields.join("&")
}

/// `path` (its parameters substituted and encoded) appended to the server's `base` URL.
fn operation_url(base: &url::Url, path: &str) -> Result<url::Url, String> {
    if base.query().is_none() && base.fragment().is_none() {
        // The base is parsed already: only the path is new (parsing the whole URL again,
        // host and all, was a tenth of a sequential run's time).
        let mut url = base.clone();
        url.set_path(&format!("{}{path}", base.path().trim_end_matches('/')));
        return Ok(url);
    }
    let base = base.as_str().trim_end_matches('/');
    url::Url::parse(&format!("{base}{path}"))
        .map_err(|err| format!("invalid URL `{base}{path}`: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const JSON: &str = "application/json";

    #[test]
    fn replacements_set_members_and_items() {
        let mut payload = json!({"a": {"b": 1}, "list": [1, 2]});
        replace(&mut payload, "/a/b", json!(10), JSON).unwrap();
        replace(&mut payload, "/a/c", json!("new"), JSON).unwrap();
        replace(&mut payload, "/list/0", json!(0), JSON).unwrap();
        replace(&mut payload, "/list/-", json!(3), JSON).unwrap();
        assert_eq!(
            payload,
            json!({"a": {"b": 10, "c": "new"}, "list": [0, 2, 3]})
        );
        assert!(
            replace(&mut payload, "/missing/x", json!(1), JSON)
                .unwrap_err()
                .contains("not in the payload")
        );
        assert!(replace(&mut payload, "/list/9", json!(1), JSON).is_err());
        let mut text = json!("a=1");
        let err = replace(&mut text, "/a", json!(2), "text/plain").unwrap_err();
        assert!(err.contains("cannot be addressed"), "{err}");
    }

    #[test]
    fn form_replacements_set_fields_by_name_in_their_place() {
        const FORM_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";
        let mut form = json!("a=1&b=x%20y&c=3");
        replace(&mut form, "/a", json!("new value"), FORM_TYPE).unwrap();
        replace(&mut form, "c", json!(30), FORM_TYPE).unwrap();
        replace(&mut form, "/d~1e", json!("&"), FORM_TYPE).unwrap();
        // Untouched fields keep their text (`%20`, not `+`).
        assert_eq!(form, json!("a=new+value&b=x%20y&c=30&d%2Fe=%26"));
        let mut repeated = json!("tag=1&keep=k&tag=2");
        replace(&mut repeated, "tag", json!("only"), FORM).unwrap();
        assert_eq!(repeated, json!("tag=only&keep=k"));
        let mut empty = json!("");
        replace(&mut empty, "/a", json!(null), FORM).unwrap();
        assert_eq!(empty, json!("a="));

        let mut object = json!({"a": "1", "b": "2"});
        replace(&mut object, "/a", json!("one"), FORM).unwrap();
        replace(&mut object, "b", json!(2), FORM).unwrap();
        assert_eq!(encode(&object, FORM), Bytes::from("a=one&b=2"));

        let err = replace(&mut form, "/a/b", json!(1), FORM).unwrap_err();
        assert!(err.contains("no nested fields"), "{err}");
        let err = replace(&mut form, "", json!(1), FORM).unwrap_err();
        assert!(err.contains("needs a name"), "{err}");
        let err = replace(&mut json!([1]), "/0", json!(1), FORM).unwrap_err();
        assert!(err.contains("a form payload is an object"), "{err}");
    }

    #[test]
    fn a_form_is_recognised_with_parameters_and_in_any_case() {
        assert!(is_form("application/x-www-form-urlencoded"));
        assert!(is_form("Application/X-WWW-Form-Urlencoded ; charset=utf-8"));
        assert!(!is_form("application/json"));
        assert!(!is_form("application/x-www-form-urlencoded-not"));
    }

    #[cfg(feature = "xpath")]
    #[test]
    fn xpath_replacements_in_xml_payloads() {
        let mut xml = json!(r#"<order id="1"><qty>1</qty><note/></order>"#);
        replace(&mut xml, "/order/qty", json!(5), "application/xml").unwrap();
        replace(&mut xml, "/order/@id", json!("A-7"), "application/xml").unwrap();
        replace(&mut xml, "//note", json!("rush"), "application/xml").unwrap();
        assert_eq!(
            xml,
            json!(r#"<order id="A-7"><qty>5</qty><note>rush</note></order>"#)
        );
        let err = replace(&mut xml, "/order/missing", json!(1), "application/xml").unwrap_err();
        assert!(err.contains("selects nothing"), "{err}");
        let err = replace(&mut xml, "/order", json!(1), "application/xml").unwrap_err();
        assert!(err.contains("child elements"), "{err}");
    }

    #[test]
    fn operation_urls_keep_the_base_path_and_the_encoding() {
        let url = |base: &str, path: &str| {
            operation_url(&base.parse().unwrap(), path)
                .unwrap()
                .to_string()
        };
        assert_eq!(url("http://h:1", "/pets/7"), "http://h:1/pets/7");
        assert_eq!(url("http://h:1/", "/pets"), "http://h:1/pets");
        assert_eq!(url("https://h/api/v3/", "/pets"), "https://h/api/v3/pets");
        assert_eq!(
            url("https://h/api/v3", "/a%2Fb%20c"),
            "https://h/api/v3/a%2Fb%20c"
        );
        assert_eq!(
            url("https://h/api?key=1", "/pets"),
            "https://h/api?key=1/pets"
        );
    }

    #[test]
    fn bodies_are_encoded_by_media_type() {
        let object = json!({"grant_type": "client credentials", "n": 1});
        assert_eq!(
            encode(&object, "application/x-www-form-urlencoded"),
            Bytes::from("grant_type=client+credentials&n=1")
        );
        assert_eq!(
            encode(&object, "application/json"),
            Bytes::from(r#"{"grant_type":"client credentials","n":1}"#)
        );
        assert_eq!(
            encode(&json!("<a>{x}</a>"), "application/xml"),
            Bytes::from("<a>{x}</a>")
        );
    }
}
