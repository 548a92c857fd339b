//! The six official examples of `specs/upstream/examples/1.0.0/`, each as a runnable copy in
//! `specs/examples/<name>/` (every change to the official file is listed, with its reason, in
//! `specs/examples/README.md`), run end to end as a user would:
//! `arazzo run FILE --inputs inputs.json --mock [--workflow ID]`. The built-in mock answers as
//! each OpenAPI description says (security, parameters and bodies checked), so a run that passes
//! sent what the descriptions require. What went on the wire is read back from a cassette
//! recorded during the run (`--record`); the originals' diagnostics are pinned by `upstream.rs`.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use crate::util::{arazzo, spec, temp_dir};

/// One `arazzo run … --mock --format json --record` of an example.
struct Run {
    code: u8,
    transcript: String,
    report: Value,
    /// The recorded exchanges, in order (nested workflows' requests included).
    exchanges: Vec<Value>,
}

impl Run {
    fn passed(&self) -> &Run {
        assert_eq!(self.code, 0, "{}", self.transcript);
        assert_eq!(
            self.report["outcome"]["status"], "passed",
            "{}",
            self.transcript
        );
        self
    }

    /// The ids of the steps that ran, in order.
    fn steps(&self) -> Vec<&str> {
        self.report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|step| step["step_id"].as_str().unwrap())
            .collect()
    }

    fn step(&self, id: &str) -> &Value {
        self.report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|step| step["step_id"] == id)
            .unwrap_or_else(|| panic!("no step `{id}`: {}", self.transcript))
    }

    /// The action a step took, as the report says it (`goto step `x` (`name`)`, `end (`name`)`).
    fn action(&self, id: &str) -> &str {
        self.step(id)["action"].as_str().unwrap_or_default()
    }

    /// `METHOD /path` of every request sent, in order.
    fn requests(&self) -> Vec<String> {
        self.exchanges
            .iter()
            .map(|exchange| {
                let request = &exchange["request"];
                let url = url(request);
                format!("{} {}", request["method"].as_str().unwrap(), url.path())
            })
            .collect()
    }

    fn request(&self, index: usize) -> &Value {
        &self.exchanges[index]["request"]
    }
}

/// Runs `file` with `inputs` against the built-in mock.
fn run_file(file: &Path, inputs: &Path, workflow: Option<&str>) -> Run {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let dir_guard = temp_dir(&format!(
        "examples-{}",
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    let dir = dir_guard.path().to_path_buf();
    let cassette = dir.join("cassette.yaml");
    let (file, inputs, cassette_arg) = (
        file.display().to_string(),
        inputs.display().to_string(),
        cassette.display().to_string(),
    );
    let mut args = vec![
        "run",
        file.as_str(),
        "--inputs",
        inputs.as_str(),
        "--mock",
        "--format",
        "json",
        "--record",
        cassette_arg.as_str(),
    ];
    if let Some(workflow) = workflow {
        args.extend(["--workflow", workflow]);
    }
    let output = arazzo(&args);
    let transcript = output.transcript();
    let report =
        serde_json::from_str(&output.stdout).unwrap_or_else(|err| panic!("{err}: {transcript}"));
    let exchanges = std::fs::read_to_string(&cassette)
        .map(|text| yaml_serde::from_str::<Value>(&text).unwrap())
        .map(|cassette| {
            cassette["exchanges"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .unwrap_or_default();
    std::fs::remove_dir_all(&dir).ok();
    Run {
        code: output.code,
        transcript,
        report,
        exchanges,
    }
}

/// Runs the example of `specs/examples/<folder>/` with its `inputs.json`.
fn run_example(folder: &str, file: &str, workflow: Option<&str>) -> Run {
    let folder = spec(&format!("examples/{folder}"));
    run_file(&folder.join(file), &folder.join("inputs.json"), workflow)
}

/// A recorded request's URL.
fn url(request: &Value) -> reqwest::Url {
    reqwest::Url::parse(request["url"].as_str().unwrap()).unwrap()
}

/// A recorded request's query parameters, in order.
fn query(request: &Value) -> Vec<(String, String)> {
    url(request).query_pairs().into_owned().collect()
}

/// A recorded request's header, by name (case-insensitive).
fn header<'r>(request: &'r Value, name: &str) -> Option<&'r str> {
    request["headers"]
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|header| header.iter())
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .and_then(|(_, value)| value.as_str())
}

/// A recorded form body (`text:`), decoded.
fn form(request: &Value) -> Vec<(String, String)> {
    let text = request["text"].as_str().expect("a text body");
    reqwest::Url::parse(&format!("http://form/?{text}"))
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn inputs_of(folder: &str) -> Value {
    let path = spec(&format!("examples/{folder}/inputs.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_official_example_has_a_runnable_copy() {
    let upstream = spec("upstream/examples/1.0.0");
    let mut official: Vec<String> = std::fs::read_dir(&upstream)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".arazzo.yaml") || name.ends_with("-arazzo.yaml"))
        .collect();
    official.sort();
    let copies = [
        (
            "ExtendedParametersExample",
            "ExtendedParametersExample.arazzo.yaml",
        ),
        ("FAPI-PAR", "FAPI-PAR.arazzo.yaml"),
        ("LoginAndRetrievePets", "LoginAndRetrievePets.arazzo.yaml"),
        ("bnpl", "bnpl-arazzo.yaml"),
        ("oauth", "oauth.arazzo.yaml"),
        ("pet-coupons", "pet-coupons.arazzo.yaml"),
    ];
    assert_eq!(
        official,
        copies
            .iter()
            .map(|(_, file)| file.to_string())
            .collect::<Vec<_>>()
    );
    for (folder, file) in copies {
        let path = spec(&format!("examples/{folder}/{file}"));
        let output = arazzo(&["validate", &path.display().to_string()]);
        assert_eq!(output.code, 0, "{}", output.transcript());
        assert!(
            !output.stdout.contains("warning"),
            "{}",
            output.transcript()
        );
        assert!(spec(&format!("examples/{folder}/inputs.json")).is_file());
    }
}

#[test]
fn extended_parameters_reach_every_step() {
    // `animals.yaml` (written for the copy) requires the workflow-level cookie and header on
    // both operations and the step's `authentication` cookie on `postAnimal`: the mock would
    // answer 400/401 to a request without them.
    let run = run_example(
        "ExtendedParametersExample",
        "ExtendedParametersExample.arazzo.yaml",
        None,
    );
    run.passed();
    assert_eq!(run.steps(), ["post-step", "get-step"]);
    assert_eq!(run.requests(), ["POST /animals", "GET /animals/random"]);
    for index in 0..2 {
        let request = run.request(index);
        assert_eq!(header(request, "workflowLevelParamTwo"), Some("someValue"));
        // Cookies are redacted in cassettes; that they were right is the mock's 2xx.
        assert_eq!(header(request, "Cookie"), Some("***"));
    }
    assert_eq!(run.step("post-step")["response"]["status"], 201);
    assert_eq!(run.step("get-step")["response"]["body"]["name"], "Rafiki");
}

#[test]
fn login_and_retrieve_pets_sends_the_session_token() {
    let run = run_example(
        "LoginAndRetrievePets",
        "LoginAndRetrievePets.arazzo.yaml",
        None,
    );
    run.passed();
    assert_eq!(run.steps(), ["loginStep", "getPetStep"]);
    assert_eq!(run.requests(), ["GET /user/login", "GET /pet/findByStatus"]);
    // The password is a secret input: redacted wherever it appears.
    assert_eq!(
        query(run.request(0)),
        pairs(&[("username", "user1"), ("password", "***")])
    );
    // The operationPath (now ending at `/get`) resolved; the token is the login body, sent as
    // the `Authorization` header that the mock requires for `petstore_auth`.
    assert_eq!(query(run.request(1)), pairs(&[("status", "available")]));
    assert_eq!(header(run.request(1), "Authorization"), Some("***"));
    assert_eq!(
        run.step("loginStep")["outputs"],
        json!({
            "tokenExpires": "2030-01-01T00:00:00Z",
            "rateLimit": "5000",
            // An output named like a secret is redacted in the report.
            "sessionToken": "***"
        })
    );
    let pets = &run.report["outputs"]["available"];
    assert_eq!(pets[0]["name"], "doggie");
    assert_eq!(pets.as_array().unwrap().len(), 2);
}

#[test]
fn fapi_par_pushes_a_form_then_exchanges_the_code() {
    let run = run_example("FAPI-PAR", "FAPI-PAR.arazzo.yaml", None);
    run.passed();
    assert_eq!(run.steps(), ["PARStep", "AuthzCodeStep", "TokenStep"]);
    assert_eq!(
        run.requests(),
        [
            "POST /as/par.oauth2",
            "GET /as/authorize.oauth2",
            "POST /as/token.oauth2"
        ]
    );
    let inputs = inputs_of("FAPI-PAR");

    // PAR: the object payload encoded as the form its requestBody now declares (RFC 9126); the
    // object-valued `client_assertion` query parameter is JSON text (`content: application/json`).
    let par = run.request(0);
    assert_eq!(
        header(par, "Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    let sent: serde_json::Map<String, Value> = form(par)
        .into_iter()
        .map(|(name, value)| (name, Value::String(value)))
        .collect();
    assert_eq!(Value::Object(sent), inputs["PARrequestBody"]);
    let sent = query(par);
    assert_eq!(
        sent[..2],
        pairs(&[
            ("client_id", "tpp-client-4711"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:grant-type:jwt-bearer"
            )
        ])
    );
    assert_eq!(sent[2].0, "client_assertion");
    let assertion: Value = serde_json::from_str(&sent[2].1).unwrap();
    assert_eq!(assertion, inputs["client_assertion"]);

    // Authorization: the PAR's `request_uri`; its 302 is the step's response (not followed).
    let authorize = run.request(1);
    assert_eq!(
        query(authorize),
        pairs(&[
            (
                "request_uri",
                "urn:ietf:params:oauth:request_uri:bwc4JK-ESC0w8acc191e-Y1LTC2"
            ),
            ("client_id", "tpp-client-4711")
        ])
    );
    assert_eq!(run.step("AuthzCodeStep")["response"]["status"], 302);

    // Token: the JSON template with the code from the authorization response.
    let token = run.request(2);
    assert_eq!(header(token, "Content-Type"), Some("application/json"));
    assert_eq!(
        token["body"],
        json!({
            "grant_type": "authorization_code",
            "code": "SplxlOBeZQQYbYS6WxSbIA",
            "redirect_uri": "https://tpp.example.com/callback",
            "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        })
    );
    let tokens = &run.report["outputs"]["access_token"];
    assert_eq!(tokens["expires_in"], 3600);
    assert!(tokens.get("access_token").is_some(), "{tokens}");
}

#[test]
fn oauth_refresh_flow_calls_the_authorization_code_flow() {
    let file = "oauth.arazzo.yaml";
    let run = run_example("oauth", file, Some("refresh-token-flow"));
    run.passed();
    assert_eq!(run.steps(), ["do-the-auth-flow", "do-the-refresh"]);
    // The workflow step's `in`-less parameters became the called workflow's inputs.
    let nested = &run.step("do-the-auth-flow")["workflow"];
    assert_eq!(nested["workflow_id"], "authorization-code-flow");
    assert_eq!(
        run.requests(),
        ["GET /authorize", "POST /oauth/token", "POST /oauth/token"]
    );
    assert_eq!(
        query(run.request(0)),
        pairs(&[
            ("client_id", "example-app"),
            ("redirect_uri", "https://app.example.com/callback"),
            ("response_type", "code"),
            ("scope", "read"),
            ("state", "12345"),
        ])
    );
    assert_eq!(
        form(run.request(1)),
        pairs(&[
            ("grant_type", "authorization_code"),
            ("code", "SplxlOBeZQQYbYS6WxSbIA"),
            ("redirect_uri", "https://app.example.com/callback"),
            ("client_id", "example-app"),
            ("client_secret", "***"),
        ])
    );
    // `$outputs.refresh_token` of the called workflow, then the `client_id` the OpenAPI requires.
    assert_eq!(
        form(run.request(2)),
        pairs(&[
            ("grant_type", "refresh_token"),
            // A token from a response: redacted by its field name in the recording.
            ("refresh_token", "***"),
            ("client_id", "example-app"),
        ])
    );
    // An output named like a secret is redacted in the report.
    assert_eq!(
        run.step("do-the-auth-flow")["outputs"]["my_refresh_token"],
        "***"
    );
    assert_eq!(run.report["outputs"]["expires_in"], 3600);
    // The corrected RFC 9535 query holds on a body with a token.
    let criteria = &run.step("do-the-refresh")["criteria"];
    assert_eq!(criteria[1]["passed"], true, "{criteria}");

    let run = run_example("oauth", file, Some("client-credentials-flow"));
    run.passed();
    assert_eq!(
        form(run.request(0)),
        pairs(&[
            ("client_id", "example-app"),
            ("client_secret", "***"),
            ("grant_type", "client_credentials"),
        ])
    );
    assert_eq!(run.report["outputs"]["access_token"], "***");

    let run = run_example("oauth", file, Some("authorization-code-flow"));
    run.passed();
    assert_eq!(run.steps(), ["browser-authorize", "get-access-token"]);
    assert_eq!(run.report["outputs"]["refresh_token"], "***");
}

#[test]
fn pet_coupons_reuses_parameters_and_the_place_order_workflow() {
    let file = "pet-coupons.arazzo.yaml";
    let run = run_example("pet-coupons", file, Some("apply-coupon"));
    run.passed();
    assert_eq!(run.steps(), ["find-pet", "find-coupons", "place-order"]);
    assert_eq!(
        run.requests(),
        [
            "GET /pet/findByTags",
            "GET /pet/42/coupons",
            "POST /store/order"
        ]
    );
    // The array input, exploded as the OpenAPI `tags` parameter says.
    assert_eq!(
        query(run.request(0)),
        pairs(&[("tags", "puppy"), ("tags", "dalmatian")])
    );
    for index in 0..2 {
        assert_eq!(header(run.request(index), "Authorization"), Some("***"));
    }
    // The called workflow's body: the pet and coupon found; `quantity` was not passed, so it is
    // left out.
    assert_eq!(
        run.request(2)["body"],
        json!({"petId": 42, "couponCode": "PUPPY15", "status": "placed", "complete": false})
    );
    // A workflow step's `$statusCode` is the called workflow's last response.
    assert_eq!(
        run.step("place-order")["criteria"][0],
        json!({"condition": "$statusCode == 200", "passed": true})
    );
    assert_eq!(run.report["outputs"]["apply_coupon_pet_order_id"], 10);

    // Reusable parameters: `page` keeps 1, `pageSize` overrides the component's 100 with 10.
    let run = run_example("pet-coupons", file, Some("buy-available-pet"));
    run.passed();
    assert_eq!(
        run.requests(),
        ["GET /pet/findByStatus", "POST /store/order"]
    );
    assert_eq!(
        query(run.request(0)),
        pairs(&[("status", "available"), ("page", "1"), ("pageSize", "10")])
    );
    assert_eq!(
        run.request(1)["body"],
        json!({"petId": 7, "status": "placed", "complete": false})
    );
    assert_eq!(run.report["outputs"]["buy_pet_order_id"], 10);

    let run = run_example("pet-coupons", file, Some("place-order"));
    run.passed();
    assert_eq!(
        run.request(0)["body"],
        json!({"petId": 42, "quantity": 2, "couponCode": "PUPPY15", "status": "placed", "complete": false})
    );
    assert_eq!(run.report["outputs"]["workflow_order_id"], 10);
}

/// Runs a copy of the bnpl example with some text of its files replaced (each replaced text
/// must occur once): other mock data, or another version of a step.
fn run_bnpl_variant(name: &str, replacements: &[(&str, &str, &str)], inputs: &Path) -> Run {
    let dir_guard = temp_dir(&format!("examples-bnpl-{name}"));
    let dir = dir_guard.path().to_path_buf();
    for file in ["bnpl-arazzo.yaml", "bnpl-openapi.yaml"] {
        let mut text = std::fs::read_to_string(spec(&format!("examples/bnpl/{file}"))).unwrap();
        for (target, from, to) in replacements {
            if *target == file {
                assert_eq!(text.matches(from).count(), 1, "{file}: {from}");
                text = text.replace(from, to);
            }
        }
        std::fs::write(dir.join(file), text).unwrap();
    }
    let run = run_file(&dir.join("bnpl-arazzo.yaml"), inputs, None);
    std::fs::remove_dir_all(&dir).ok();
    run
}

const ENROLLED: &str = r#"{"customer": {"uri": "https://bnpl.example.com/customers/c-1"},
    "products": [{"productCode": "TV-55", "purchaseAmount": {"currency": "EUR", "amount": 499.0}}]}"#;

const NO_ELIGIBILITY_CHECK: (&str, &str, &str) = (
    "bnpl-openapi.yaml",
    "eligibilityCheckRequired: true",
    "eligibilityCheckRequired: false",
);

#[test]
fn bnpl_new_customer_not_eligible_ends_the_workflow() {
    let run = run_example("bnpl", "bnpl-arazzo.yaml", None);
    run.passed();
    assert_eq!(
        run.steps(),
        [
            "checkLoanCanBeProvided",
            "getCustomerTermsAndConditions",
            "createCustomer"
        ]
    );
    // The first matching action wins: `existingCustomerNotEligible` (the flag is absent from the
    // answer) is passed over for the corrected RFC 9535 query.
    assert_eq!(
        run.action("checkLoanCanBeProvided"),
        "goto step `getCustomerTermsAndConditions` (`qualifyingProductsFound`)"
    );
    assert_eq!(
        run.action("getCustomerTermsAndConditions"),
        "goto step `createCustomer` (`eligibilityCheckRequired`)"
    );
    // The mock answers the lowest documented 2xx, 200: "customer is not eligible".
    assert_eq!(
        run.action("createCustomer"),
        "end (`customerIsNotEligible`)"
    );
    let inputs = inputs_of("bnpl");
    // A new customer has no `uri`: the optional `customer` member is left out.
    assert_eq!(
        run.request(0)["body"],
        json!({"products": inputs["products"]})
    );
    assert_eq!(
        run.request(2)["body"],
        json!({
            "firstName": "Ada",
            "lastName": "Lovelace",
            "dateOfBirth": "1990-12-10T00:00:00Z",
            "postalCode": "EC1A 1BB",
            "termsAndConditionsAccepted": true
        })
    );
    // The plan was never retrieved: its output is listed as unresolved, not fatal.
    assert_eq!(
        run.report["unresolved_outputs"][0][0],
        "finalizedPaymentPlan"
    );
}

#[test]
fn bnpl_enrolled_customer_runs_to_the_end_once_new_customer_is_left_out() {
    let inputs_dir_guard = temp_dir("examples-bnpl-enrolled-inputs");
    let inputs_dir = inputs_dir_guard.path().to_path_buf();
    let inputs = inputs_dir.join("inputs.json");
    std::fs::write(&inputs, ENROLLED).unwrap();

    // `newCustomer` reads an output of `createCustomer`, which did not run (the goto skipped
    // it): the member is left out, as an input not given would be, and the workflow runs on.
    let run = run_bnpl_variant("enrolled", &[NO_ELIGIBILITY_CHECK], &inputs);
    run.passed();
    assert_eq!(
        run.steps(),
        [
            "checkLoanCanBeProvided",
            "getCustomerTermsAndConditions",
            "initiateBnplTransaction",
            "authenticateCustomerAndAuthorizeLoan",
            "retrieveFinalizedPaymentPlan",
            "updateOrderStatus"
        ]
    );

    // Without that member, the rest of the workflow runs: every goto, the redirect, the PATCH.
    let without_new_customer = (
        "bnpl-arazzo.yaml",
        "        newCustomer: $steps.createCustomer.outputs.customer\n",
        "",
    );
    let run = run_bnpl_variant(
        "enrolled-only",
        &[NO_ELIGIBILITY_CHECK, without_new_customer],
        &inputs,
    );
    run.passed();
    assert_eq!(
        run.steps(),
        [
            "checkLoanCanBeProvided",
            "getCustomerTermsAndConditions",
            "initiateBnplTransaction",
            "authenticateCustomerAndAuthorizeLoan",
            "retrieveFinalizedPaymentPlan",
            "updateOrderStatus"
        ]
    );
    assert_eq!(
        run.action("getCustomerTermsAndConditions"),
        "goto step `initiateBnplTransaction` (`eligibilityCheckNotRequired`)"
    );
    assert_eq!(
        run.action("initiateBnplTransaction"),
        "goto step `authenticateCustomerAndAuthorizeLoan` (`CustomerAuthorizationRequired`)"
    );
    assert_eq!(
        run.request(0)["body"]["customer"],
        "https://bnpl.example.com/customers/c-1"
    );
    // The eligible product codes and the total of the first answer.
    assert_eq!(
        run.request(2)["body"],
        json!({
            "enrolledCustomer": "https://bnpl.example.com/customers/c-1",
            "products": ["TV-55"],
            "totalAmount": {"currency": "EUR", "amount": 499.0}
        })
    );
    assert_eq!(
        query(run.request(3)),
        pairs(&[("AuthorizationToken", "0d6f1a2e-8c3b-4f7a-9e21-5b7c0e4e9a10")])
    );
    let authorize = run.step("authenticateCustomerAndAuthorizeLoan");
    assert_eq!(authorize["response"]["status"], 302);
    assert_eq!(
        authorize["outputs"]["redirectUrl"],
        "https://bnpl.example.com/customer-authorization?session=5b7c0e4e"
    );
    assert_eq!(
        run.requests()[4..],
        [
            "GET /loan-transactions/LT-1001",
            "PATCH /loan-transactions/LT-1001/status"
        ]
    );
    assert_eq!(run.request(5)["body"], json!({"status": "Completed"}));
    assert_eq!(run.step("updateOrderStatus")["response"]["status"], 204);
    let plan = &run.report["outputs"]["finalizedPaymentPlan"];
    assert_eq!(plan["status"], "Finalised");
    assert_eq!(plan["paymentSchedule"].as_array().unwrap().len(), 2);

    // No `redirectAuthToken` in the answer: `== null` holds for the absent member, and the
    // authorization step is skipped.
    let no_token = (
        "bnpl-openapi.yaml",
        "                redirectAuthToken: 0d6f1a2e-8c3b-4f7a-9e21-5b7c0e4e9a10\n",
        "",
    );
    let run = run_bnpl_variant(
        "no-token",
        &[NO_ELIGIBILITY_CHECK, without_new_customer, no_token],
        &inputs,
    );
    run.passed();
    assert_eq!(
        run.action("initiateBnplTransaction"),
        "goto step `retrieveFinalizedPaymentPlan` (`CustomerAuthorizationNotRequired`)"
    );
    assert_eq!(
        run.steps()[3..],
        ["retrieveFinalizedPaymentPlan", "updateOrderStatus"]
    );
    std::fs::remove_dir_all(&inputs_dir).ok();
}

#[test]
fn bnpl_end_actions_and_the_rfc_9535_trap() {
    let inputs = spec("examples/bnpl/inputs.json");

    // No qualifying product: the workflow ends after the first step.
    let none = (
        "bnpl-openapi.yaml",
        "productCodes:\n                  - TV-55",
        "productCodes: []",
    );
    let run = run_bnpl_variant("no-products", &[none], &inputs);
    run.passed();
    assert_eq!(run.steps(), ["checkLoanCanBeProvided"]);
    assert_eq!(
        run.action("checkLoanCanBeProvided"),
        "end (`qualifyingProductsNotFound`)"
    );

    // The flag answered `false`: the first action, `existingCustomerNotEligible`, ends it.
    let flag = (
        "bnpl-openapi.yaml",
        "              example:\n                productCodes:",
        "              example:\n                existingCustomerNotEligible: false\n                productCodes:",
    );
    let run = run_bnpl_variant("flag", &[flag], &inputs);
    run.passed();
    assert_eq!(
        run.action("checkLoanCanBeProvided"),
        "end (`existingCustomerNotEligible`)"
    );

    // The official queries, on an answer that has a product: under RFC 9535 `@` is each member
    // of the body, never the body, so `count(@.products) > 0` is false and `== 0` is true; the
    // workflow ends as if nothing qualified.
    let official = [
        (
            "bnpl-arazzo.yaml",
            "$[?length($.productCodes) > 0]",
            "$[?count(@.products) > 0]",
        ),
        (
            "bnpl-arazzo.yaml",
            "$[?length($.productCodes) == 0]",
            "$[?count(@.products) == 0]",
        ),
    ];
    let run = run_bnpl_variant("official-queries", &official, &inputs);
    run.passed();
    assert_eq!(run.steps(), ["checkLoanCanBeProvided"]);
    assert_eq!(
        run.action("checkLoanCanBeProvided"),
        "end (`qualifyingProductsNotFound`)"
    );
}
