//! Loading source descriptions and resolving step targets: `specs/sources/**`, the official
//! examples and the Amberflo files. No test touches the network: remote sources must be
//! refused before any request.

use std::path::Path;

use arazzo_model::{Diagnostic, Document, Rule, Severity, SourceFile};
use arazzo_sources::{
    MessageTarget, ResolveErrorKind, SourceErrorKind, SourceOptions, Sources, StepCall,
    check_targets, document_url, parse_server_override, servers_from_env,
};

use crate::util::spec;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The document at a `specs/` path and its sources, loaded with `options`.
async fn load_with(relative: &str, options: &SourceOptions) -> (Document, Sources) {
    let path = spec(relative);
    let document = arazzo_model::from_path(&path).unwrap();
    let url = document_url(&path).unwrap();
    let sources = Sources::load(&document, &url, options)
        .await
        .unwrap_or_else(|err| panic!("{relative}: {err}"));
    (document, sources)
}

async fn load(relative: &str) -> (Document, Sources) {
    load_with(relative, &SourceOptions::default()).await
}

/// An inline Arazzo document, as if it were the file `relative` (its sources resolve next to it).
async fn load_inline(relative: &str, yaml: &str) -> Result<Sources, arazzo_sources::SourceError> {
    let document = arazzo_model::from_yaml(yaml).unwrap();
    let url = document_url(spec(relative)).unwrap();
    Sources::load(&document, &url, &SourceOptions::default()).await
}

/// "METHOD base-url-and-path" of the operation a step calls.
fn call(sources: &Sources, document: &Document, step_id: &str) -> String {
    let step = document.workflows[0]
        .steps
        .iter()
        .find(|step| step.step_id == step_id)
        .unwrap();
    let operation = sources
        .operation(step)
        .unwrap_or_else(|err| panic!("{step_id}: {err}"));
    let base = operation.base_url().unwrap().as_str().trim_end_matches('/');
    format!("{} {base}{}", operation.method, operation.path)
}

/// The diagnostics of [`check_targets`] for a document file, for `tests/model.rs`.
pub fn target_diagnostics(file: &SourceFile, path: &Path) -> Vec<Diagnostic> {
    let Ok(document) = file.document() else {
        return Vec::new();
    };
    let url = document_url(path).unwrap();
    let sources = runtime().block_on(Sources::load_partial(
        &document,
        &url,
        &SourceOptions::default(),
    ));
    check_targets(&document, &sources)
        .into_iter()
        .map(|problem| problem.into_diagnostic(file))
        .collect()
}

#[tokio::test]
async fn official_openapi_examples_load_with_the_typed_view() {
    let yaml = r#"
arazzo: 1.0.1
info: {title: every official OpenAPI example, version: 1.0.0}
sourceDescriptions:
  - {name: fapi, url: ./FAPI-PAR.openapi.yaml}
  - {name: bnpl, url: ./bnpl-openapi.yaml}
  - {name: oauth, url: ./oauth.openapi.yaml}
  - {name: coupons, url: ./pet-coupons.openapi.yaml, type: openapi}
workflows:
  - workflowId: none
    steps: [{stepId: none, operationId: $sourceDescriptions.fapi.Par}]
"#;
    let sources = load_inline("upstream/examples/1.0.0/all.arazzo.yaml", yaml)
        .await
        .unwrap();
    let mut versions = Vec::new();
    for (name, operations) in [("fapi", 5), ("bnpl", 7), ("oauth", 2), ("coupons", 11)] {
        let openapi = sources.openapi(name).unwrap();
        assert_eq!(openapi.operations().len(), operations, "{name}");
        let spec = openapi.spec().unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(spec.operations().count(), operations, "{name}");
        versions.push(openapi.document()["openapi"].as_str().unwrap().to_string());
    }
    assert_eq!(versions, ["3.0.0", "3.0.0", "3.1.0", "3.0.3"]);
}

#[tokio::test]
async fn amberflo_operation_ids_resolve_to_method_path_and_server() {
    let (document, sources) =
        load("amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml").await;
    let calls: Vec<String> = [
        "createMeter",
        "createCustomer",
        "assignPlan",
        "ingestFirstUsage",
    ]
    .iter()
    .map(|step| call(&sources, &document, step))
    .collect();
    assert_eq!(
        calls,
        [
            "POST https://app.amberflo.io/meters",
            "POST https://app.amberflo.io/customers",
            "POST https://app.amberflo.io/payments/pricing/amberflo/customer-pricing",
            "POST https://app.amberflo.io/ingest",
        ]
    );
}

#[tokio::test]
async fn server_overrides_replace_the_base_of_one_source() {
    let (_, url) = parse_server_override("meteringApi=http://127.0.0.1:8080/metering").unwrap();
    let options = SourceOptions {
        servers: [("meteringApi".to_string(), url)].into(),
        ..SourceOptions::default()
    };
    let (document, sources) = load_with(
        "amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml",
        &options,
    )
    .await;
    assert_eq!(
        call(&sources, &document, "createMeter"),
        "POST http://127.0.0.1:8080/metering/meters"
    );
    assert_eq!(
        call(&sources, &document, "createCustomer"),
        "POST https://app.amberflo.io/customers"
    );
}

#[tokio::test]
async fn env_server_overrides_apply_unless_a_server_argument_wins() {
    let vars = [
        ("ARAZZO_SERVER_BILLINGAPI", "http://127.0.0.1:9000"),
        ("ARAZZO_SERVER_METERINGAPI", "http://127.0.0.1:9001"),
        // Another document's source: ignored.
        ("ARAZZO_SERVER_SOMETHING_ELSE", "http://127.0.0.1:9002"),
        ("HOME", "/root"),
    ];
    let (_, argument) = parse_server_override("meteringApi=http://127.0.0.1:8080").unwrap();
    let options = SourceOptions {
        servers: [("meteringApi".to_string(), argument)].into(),
        env_servers: servers_from_env(vars).unwrap(),
        ..SourceOptions::default()
    };
    let (document, sources) = load_with(
        "amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml",
        &options,
    )
    .await;
    assert_eq!(
        call(&sources, &document, "createCustomer"),
        "POST http://127.0.0.1:9000/customers"
    );
    assert_eq!(
        call(&sources, &document, "ingestFirstUsage"),
        "POST http://127.0.0.1:8080/ingest"
    );
}

#[tokio::test]
async fn a_server_override_must_name_an_openapi_source() {
    let (_, url) = parse_server_override("meteringAPI=http://127.0.0.1:8080").unwrap();
    let options = SourceOptions {
        servers: [("meteringAPI".to_string(), url)].into(),
        ..SourceOptions::default()
    };
    let path = spec("amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml");
    let document = arazzo_model::from_path(&path).unwrap();
    let err = Sources::load(&document, &document_url(&path).unwrap(), &options)
        .await
        .unwrap_err();
    assert_eq!(
        err.kind,
        SourceErrorKind::UnknownOverride {
            available: vec!["meteringApi".to_string(), "billingApi".to_string()],
            help: Some("did you mean `meteringApi`?".to_string())
        }
    );
}

#[test]
fn a_server_override_naming_no_source_is_a_usage_error() {
    let output = crate::util::arazzo(&[
        "run",
        &crate::util::arg("amberflo/workflows/amberflo-launch-usage-based-product-workflow.yml"),
        "--inputs",
        &crate::util::arg("amberflo/inputs.json"),
        "--server",
        "billingAPI=http://127.0.0.1:9",
    ]);
    assert_eq!(output.code, 2, "{}", output.transcript());
    assert_eq!(
        output.stderr,
        "error[usage]: source `billingAPI`: a server override names no OpenAPI source description; the document's are meteringApi, billingApi; did you mean `billingApi`?\n"
    );
}

#[tokio::test]
async fn fapi_par_case_mismatch_suggests_the_real_operation_id() {
    let (document, sources) = load("upstream/examples/1.0.0/FAPI-PAR.arazzo.yaml").await;
    let steps = &document.workflows[0].steps;
    let err = sources.operation(&steps[0]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown operation `PAR` in source `auth-api`; did you mean `Par`?"
    );
    // `Authorization` is also a Link Object's operationId; the operation is the one under paths.
    let authorization = sources.operation(&steps[1]).unwrap();
    assert_eq!(
        (authorization.method.as_str(), authorization.path.as_str()),
        ("GET", "/as/authorize.oauth2")
    );
    assert_eq!(
        authorization.base_url().unwrap().as_str(),
        "https://api.uat.example.com/"
    );
}

#[tokio::test]
async fn remote_sources_are_refused_without_allow_remote() {
    for (relative, name, url) in [
        (
            "upstream/examples/1.0.0/LoginAndRetrievePets.arazzo.yaml",
            "petStoreDescription",
            "https://raw.githubusercontent.com/swagger-api/swagger-petstore/master/src/main/resources/openapi.yaml",
        ),
        (
            "upstream/examples/1.0.0/bnpl-arazzo.yaml",
            "BnplApi",
            "https://raw.githubusercontent.com/OAI/Arazzo-Specification/main/examples/1.0.0/bnpl-openapi.yaml",
        ),
    ] {
        let path = spec(relative);
        let document = arazzo_model::from_path(&path).unwrap();
        let err = Sources::load(
            &document,
            &document_url(&path).unwrap(),
            &SourceOptions::default(),
        )
        .await
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("source `{name}`: `{url}` is remote: fetching it needs --allow-remote")
        );
    }
}

#[tokio::test]
async fn operation_path_to_a_path_item_says_to_add_the_method() {
    let (document, sources) = load("sources/login-and-retrieve-pets.arazzo.yaml").await;
    let steps = &document.workflows[0].steps;
    let login = sources.operation(&steps[0]).unwrap();
    assert_eq!(login.operation_id.as_deref(), Some("loginUser"));
    let err = sources.operation(&steps[1]).unwrap_err();
    assert!(matches!(err.kind, ResolveErrorKind::PathItem { .. }));
    assert_eq!(
        err.to_string(),
        "operationPath `{$sourceDescriptions.petStoreDescription.url}#/paths/~1pet~1findByStatus` \
         points at a path item, not an operation; add the method, e.g. \
         `{$sourceDescriptions.petStoreDescription.url}#/paths/~1pet~1findByStatus/get`"
    );
    // Its server `/api/v3` is relative to a local file: requests need an override.
    assert_eq!(
        login.base_url().unwrap_err().to_string(),
        format!(
            "source `petStoreDescription`: GET /user/login has no http(s) server (its servers give \
             `{}`); pass --server petStoreDescription=URL or set ARAZZO_SERVER_PETSTOREDESCRIPTION",
            login.server
        )
    );
    assert_eq!(login.server.as_str(), "file:///api/v3");
}

#[tokio::test]
async fn qualified_and_bare_operation_ids() {
    let (_, sources) = load("sources/pets.arazzo.yaml").await;
    let at = |id: &str| {
        let operation = sources.operation_by_id(id).unwrap();
        format!(
            "{} {} {}",
            operation.source, operation.method, operation.path
        )
    };
    assert_eq!(at("$sourceDescriptions.shop.findPets"), "shop GET /pets");
    assert_eq!(
        at("$sourceDescriptions.petStore.findPets"),
        "petStore GET /pets"
    );
    assert_eq!(at("getPet"), "petStore GET /pets/{petId}");
    assert_eq!(at("placeOrder"), "shop POST /orders");

    let err = sources.operation_by_id("findPets").unwrap_err();
    assert_eq!(
        err.to_string(),
        "operationId `findPets` is defined by several sources (petStore, shop); \
         qualify it, e.g. `$sourceDescriptions.petStore.findPets`"
    );
    let err = sources
        .operation_by_id("$sourceDescriptions.nested.list")
        .unwrap_err();
    assert_eq!(
        err.kind,
        ResolveErrorKind::NotOpenApi {
            name: "nested".into()
        }
    );
    let err = sources
        .operation_by_id("$sourceDescriptions.petstore.findPets")
        .unwrap_err();
    assert_eq!(err.help.as_deref(), Some("did you mean `petStore`?"));
}

#[tokio::test]
async fn link_object_operation_ids_are_not_operations() {
    let (_, sources) = load("sources/pets.arazzo.yaml").await;
    let err = sources.operation_by_id("linkedOnly").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown operation `linkedOnly` in sources `petStore`, `shop`"
    );
}

#[tokio::test]
async fn operation_paths_are_percent_decoded_and_unescaped() {
    let (_, sources) = load("sources/pets.arazzo.yaml").await;
    for path in [
        "{$sourceDescriptions.petStore.url}#/paths/~1pets~1%7BpetId%7D/get",
        "{$sourceDescriptions.petStore.url}#/paths/~1pets~1{petId}/get",
    ] {
        assert_eq!(
            sources
                .operation_by_path(path)
                .unwrap()
                .operation_id
                .as_deref(),
            Some("getPet")
        );
    }
    let me = sources
        .operation_by_path("{$sourceDescriptions.shop.url}#/paths/~1users~1~0me/get")
        .unwrap();
    assert_eq!(me.path, "/users/~me");

    let err = sources
        .operation_by_path("{$sourceDescriptions.shop.url}#/paths/~1orders/get")
        .unwrap_err();
    assert_eq!(
        err.help.as_deref(),
        Some("path `/orders` (`#/paths/~1orders`) has only post")
    );
    let err = sources
        .operation_by_path("{$sourceDescriptions.shop.url}#/components/schemas")
        .unwrap_err();
    assert!(
        matches!(err.kind, ResolveErrorKind::NotAnOperation { .. }),
        "{err}"
    );
    let err = sources
        .operation_by_path("{$sourceDescriptions.shop.url}#/paths/~1order/post")
        .unwrap_err();
    assert_eq!(err.help.as_deref(), Some("did you mean `/orders`?"));
}

#[tokio::test]
async fn openapi_3_0_fixups_merge_parameters_and_resolve_sibling_files() {
    let (_, sources) = load("sources/pets.arazzo.yaml").await;
    let find = sources
        .operation_by_id("$sourceDescriptions.petStore.findPets")
        .unwrap();
    let parameters: Vec<String> = find
        .parameters
        .iter()
        .map(|parameter| {
            format!(
                "{} {} {} {}",
                parameter.location.as_str(),
                parameter.name,
                parameter.required,
                parameter
                    .schema
                    .as_ref()
                    .map(|schema| schema.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        parameters,
        [
            // The operation's own `limit` wins over the path item's; 3.0 bounds upgraded.
            r#"query limit true {"type":"integer","exclusiveMinimum":0}"#,
            // From ./common.yaml, whose own `#/components/schemas/Size` is common.yaml's.
            r#"query pageSize false {"type":"integer","exclusiveMaximum":100}"#,
            // Inherited from the path item.
            r#"header X-Trace false {"type":"string"}"#,
        ]
    );

    let get = sources.operation_by_id("getPet").unwrap();
    assert_eq!(get.parameters[0].name, "petId");
    assert_eq!(
        get.parameters[0].schema.as_ref().unwrap()["pattern"],
        "^[0-9a-f]{8}$"
    );

    let add = sources.operation_by_id("addPet").unwrap();
    let body = add.request_body.as_ref().unwrap();
    assert!(body.required);
    assert_eq!(body.content_types, ["application/json", "application/xml"]);

    // oas3 alone rejects this document (boolean exclusiveMinimum); the typed view reads it,
    // with `nullable` and the other file's schema carried over.
    let spec = sources.openapi("petStore").unwrap().spec().unwrap();
    let pet = serde_json::to_value(&spec.components.as_ref().unwrap().schemas["Pet"]).unwrap();
    assert_eq!(
        pet["properties"]["nickname"]["type"],
        serde_json::json!(["string", "null"])
    );
    assert_eq!(pet["properties"]["age"]["exclusiveMinimum"], 0);
    assert_eq!(
        pet["properties"]["owner"]["properties"]["name"]["type"],
        serde_json::json!(["string", "null"])
    );
}

#[tokio::test]
async fn servers_by_level_with_variables_and_relative_urls() {
    let (_, sources) = load("sources/pets.arazzo.yaml").await;
    let server = |id: &str| sources.operation_by_id(id).unwrap().server.to_string();
    // Document level, variables replaced by their defaults.
    assert_eq!(
        server("$sourceDescriptions.petStore.findPets"),
        "https://eu.petstore.example.com/v1"
    );
    // Operation level.
    assert_eq!(server("addPet"), "https://write.petstore.example.com/");
    // Path level, relative to the OpenAPI file.
    assert_eq!(server("getPet"), "file:///pets-api/v2");
    // No servers at all: `/`, relative to the file, which is no http server.
    let order = sources.operation_by_id("placeOrder").unwrap();
    assert_eq!(order.server.scheme(), "file");
    assert!(order.base_url().is_err());
}

#[tokio::test]
async fn nested_arazzo_sources_load_once_and_resolve_in_their_own_scope() {
    let (_, sources) = load("sources/pets.arazzo.yaml").await;
    let nested = sources.arazzo("nested").unwrap();
    assert_eq!(nested.document.info.title, "nested (sources fixture)");
    // The nested document's sources: its `parent` is the root document (the cycle ends).
    let parent = nested.sources.arazzo("parent").unwrap();
    assert_eq!(parent.url, sources.document_url());
    // A bare id ambiguous at the root is unique among the nested document's sources.
    let step = &nested.document.workflows[0].steps[0];
    let operation = nested.sources.operation(step).unwrap();
    assert_eq!(
        (operation.source.as_str(), operation.path.as_str()),
        ("pets", "/pets")
    );
}

#[tokio::test]
async fn unreadable_and_unsupported_sources_name_the_source_and_the_file() {
    let yaml = "arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions:\n  - {name: petStore, url: ./petstore.yaml}\nworkflows: [{workflowId: w, steps: [{stepId: s, operationId: x}]}]\n";
    let err = load_inline("sources/inline.arazzo.yaml", yaml)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "source `petStore`: cannot read ./petstore.yaml: no such file or directory"
    );
    let swagger = yaml.replace("./petstore.yaml", "./swagger.json");
    let err = load_inline("sources/inline.arazzo.yaml", &swagger)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "source `petStore`: ./swagger.json is Swagger 2.0, which is not supported; convert it to OpenAPI 3.0 or 3.1"
    );
    let mismatch = yaml.replace("./petstore.yaml", "./nested.arazzo.yaml, type: openapi");
    let err = load_inline("sources/inline.arazzo.yaml", &mismatch)
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind, SourceErrorKind::TypeMismatch { .. }),
        "{err}"
    );
}

#[test]
fn check_targets_reports_every_broken_target_and_source() {
    let path = spec("sources/broken-targets.arazzo.yaml");
    let file = SourceFile::read(&path).unwrap();
    let problems: Vec<(String, Rule, Severity, String)> = target_diagnostics(&file, &path)
        .into_iter()
        .map(|d| {
            let help = d.help.map(|help| format!(" | {help}")).unwrap_or_default();
            (
                d.pointer,
                d.rule,
                d.severity,
                format!("{}{help}", d.message),
            )
        })
        .collect();
    let expected = [
        (
            "/sourceDescriptions/2/url",
            Rule::SourceUnavailable,
            Severity::Error,
            "source `missing`: cannot read ./missing.openapi.yaml: no such file or directory",
        ),
        (
            "/sourceDescriptions/3/url",
            Rule::SourceUnavailable,
            Severity::Warning,
            "source `remote`: `https://example.invalid/openapi.yaml` is remote: fetching it needs \
             --allow-remote | pass --allow-remote to check the steps that use it",
        ),
        (
            "/workflows/0/steps/0/operationId",
            Rule::UnknownOperation,
            Severity::Error,
            "unknown operation `FindPets` in source `petStore` | did you mean `findPets`?",
        ),
        (
            "/workflows/0/steps/1/operationId",
            Rule::AmbiguousOperationId,
            Severity::Error,
            "operationId `findPets` is defined by several sources (petStore, shop) | qualify it, \
             e.g. `$sourceDescriptions.petStore.findPets`",
        ),
        (
            "/workflows/0/steps/2/operationPath",
            Rule::OperationPathTarget,
            Severity::Error,
            "operationPath `{$sourceDescriptions.petStore.url}#/paths/~1pets` points at a path \
             item, not an operation | add the method, e.g. \
             `{$sourceDescriptions.petStore.url}#/paths/~1pets/get`",
        ),
        (
            "/workflows/0/steps/3/operationPath",
            Rule::OperationPathTarget,
            Severity::Error,
            "operationPath `{$sourceDescriptions.shop.url}#/paths/~1orders/get` does not point at \
             an operation of source `shop` | path `/orders` (`#/paths/~1orders`) has only post",
        ),
        (
            "/workflows/0/steps/4/operationId",
            Rule::UnknownOperation,
            Severity::Error,
            "unknown operation `linkedOnly` in source `petStore`",
        ),
    ];
    let expected: Vec<(String, Rule, Severity, String)> = expected
        .into_iter()
        .map(|(pointer, rule, severity, message)| {
            (pointer.to_string(), rule, severity, message.to_string())
        })
        .collect();
    assert_eq!(problems, expected);
}

/// Each step's (pointer, rule, message | help) from [`check_targets`], for a `specs/` document.
fn target_problems(relative: &str) -> Vec<String> {
    let path = spec(relative);
    let file = SourceFile::read(&path).unwrap();
    target_diagnostics(&file, &path)
        .into_iter()
        .map(|d| {
            let help = d.help.map(|help| format!(" | {help}")).unwrap_or_default();
            format!("{} {} {}{help}", d.pointer, d.rule, d.message)
        })
        .collect()
}

fn step<'d>(document: &'d Document, step_id: &str) -> &'d arazzo_model::Step {
    document.workflows[0].step(step_id).unwrap()
}

/// The AsyncAPI target of a step, or why it has none.
fn message_target<'s>(sources: &'s Sources, step: &arazzo_model::Step) -> MessageTarget<'s> {
    match sources.call(step) {
        Ok(StepCall::AsyncApi(target)) => target,
        other => panic!("{}: {other:?}", step.step_id),
    }
}

#[tokio::test]
async fn asyncapi_sources_without_type_resolve_operations_and_channels() {
    let (document, sources) = load("asyncapi/orders.arazzo.yaml").await;
    assert!(check_targets(&document, &sources).is_empty());
    assert!(matches!(
        sources.call(step(&document, "find")),
        Ok(StepCall::OpenApi(operation)) if operation.path == "/pets"
    ));

    let place = message_target(&sources, step(&document, "place"));
    assert_eq!(place.source.name(), "orders");
    assert_eq!(place.operation.map(|o| o.key.as_str()), Some("placeOrder"));
    assert_eq!(place.address(), Some("place-order"));
    let messages: Vec<&str> = place.messages.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(messages, ["placeOrder.message"]);
    assert_eq!(
        place.messages[0].content_type.as_deref(),
        Some("application/json")
    );
    let servers: Vec<(&str, &str, &str)> = place
        .servers()
        .iter()
        .map(|s| (s.key.as_str(), s.host.as_str(), s.protocol.as_str()))
        .collect();
    assert_eq!(servers, [("localKafka", "localhost:9092", "kafka")]);

    // Decision D5: the receive after the send on `placeOrder` listens on its reply.
    let confirmed = message_target(&sources, step(&document, "confirmed"));
    assert_eq!(confirmed.listen(false).channel.key, "place-order");
    let reply = confirmed.listen(true);
    assert_eq!(reply.channel.key, "confirm-order");
    assert_eq!(reply.messages[0].key, "confirmOrder.message");
    let watched = message_target(&sources, step(&document, "watched"));
    assert!(watched.operation.is_none());
    assert_eq!(watched.channel.key, "confirm-order");
    assert_eq!(
        watched.messages[0]
            .correlation_id
            .as_ref()
            .map(|c| c.location.as_str()),
        Some("$message.header#/orderRequestId")
    );

    // The OpenAPI API says what an AsyncAPI target is, bare ids included.
    let err = sources.operation(step(&document, "place")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`$sourceDescriptions.orders.placeOrder` is an AsyncAPI operation of source `orders`, \
         not an OpenAPI operation"
    );
    assert!(matches!(
        sources.operation_by_id("placeOrder").unwrap_err().kind,
        ResolveErrorKind::AsyncApiTarget {
            what: "operation",
            ..
        }
    ));
    assert_eq!(sources.asyncapi("orders").unwrap().channels().count(), 2);
    assert!(sources.asyncapi("petStore").is_none());
}

#[tokio::test]
async fn asyncapi_2_sources_are_read_as_their_3_0_form() {
    let (document, sources) = load("asyncapi/legacy.arazzo.yaml").await;
    assert!(check_targets(&document, &sources).is_empty());
    // Decision D2: `publish` is what the application receives (a workflow sends it).
    let place = message_target(&sources, step(&document, "place"));
    assert_eq!(
        place.operation.map(|o| o.key.as_str()),
        Some("placeLegacyOrder")
    );
    assert_eq!(
        place.operation.map(|o| o.action),
        Some(arazzo_model::MessageAction::Receive)
    );
    assert_eq!(place.address(), Some("shop/orders/{region}"));
    assert!(place.channel.parameters.contains_key("region"));
    let messages: Vec<&str> = place.messages.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(messages, ["Order", "cancel"]);
    let servers: Vec<(&str, &str)> = place
        .servers()
        .iter()
        .map(|s| (s.host.as_str(), s.protocol.as_str()))
        .collect();
    assert_eq!(servers, [("127.0.0.1:1883", "mqtt")]);
    let on_order = sources
        .asyncapi("legacy")
        .unwrap()
        .operation("onOrder")
        .unwrap();
    assert_eq!(on_order.action, arazzo_model::MessageAction::Send);
    // The channel, by its 2.x name; its messages' correlation id, through the components.
    let watch = message_target(&sources, step(&document, "watch"));
    assert_eq!(
        watch.messages[0]
            .correlation_id
            .as_ref()
            .map(|c| c.location.as_str()),
        Some("$message.header#/orderId")
    );
}

#[test]
fn check_targets_reports_asyncapi_steps_that_do_not_fit_their_sources() {
    let expected = [
        "/workflows/0/steps/0/operationId unknown-operation unknown operation `placeOrdr` in \
         source `events` | did you mean `placeOrder`?",
        "/workflows/0/steps/1/channelPath channel-path source `events` has no channel \
         `shop/confirmations` | `shop/confirmations` is the address of channel \
         `confirmations`: write `#/channels/confirmations`",
        "/workflows/0/steps/2 step-kind AsyncAPI step `noAction` has no `action` | add \
         `action: send` or `action: receive`",
        "/workflows/0/steps/3/action step-kind step `openApiReceive` calls an OpenAPI \
         operation: `action` applies only to AsyncAPI steps | remove `action`",
        "/workflows/0/steps/4/parameters/0/in parameter-in parameter `orderId` is `in: query`, \
         which an AsyncAPI step (it takes `header` and `channel`) cannot use",
        "/workflows/0/steps/5/correlationId step-kind step `uncorrelated` has a \
         `correlationId`, but no message it receives on channel `orders` of source `events` \
         defines one: no message could match it | declare where the messages carry it \
         (`correlationId: {location: $message.header#/…}`) in the AsyncAPI document, or remove \
         the step's `correlationId`",
        "/workflows/0/steps/6/channelPath channel-path source `petStore` is an OpenAPI \
         description, not an AsyncAPI description",
        "/workflows/0/steps/7/operationPath operation-path-target source `events` is an \
         AsyncAPI description, not an OpenAPI description",
    ];
    assert_eq!(target_problems("asyncapi/broken.arazzo.yaml"), expected);
}

/// A third-party AMQP workflow: its AsyncAPI and OpenAPI steps resolve; its two receive
/// steps filter by a `correlationId` that no message of the AsyncAPI document locates (D9).
#[tokio::test]
async fn the_amqp_example_resolves_and_its_correlation_ids_match_nothing() {
    let relative = "asyncapi/frankkilcommins/amqp/support-ticket-workflow.amqp1.arazzo.yaml";
    let path = spec(relative);
    let document = arazzo_model::from_path(&path).unwrap();
    let sources = Sources::load(
        &document,
        &document_url(&path).unwrap(),
        &SourceOptions::default(),
    )
    .await
    .unwrap();
    let kinds: Vec<&str> = document.workflows[0]
        .steps
        .iter()
        .map(|step| match sources.call(step) {
            Ok(StepCall::OpenApi(_)) => "openapi",
            Ok(StepCall::AsyncApi(_)) => "asyncapi",
            other => panic!("{}: {other:?}", step.step_id),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "openapi", "openapi", "openapi", "asyncapi", "asyncapi", "asyncapi", "openapi"
        ]
    );
    let ack = message_target(&sources, step(&document, "WaitForAck"));
    assert_eq!(ack.address(), Some("support.tickets.acknowledged"));
    assert_eq!(ack.servers()[0].protocol, "amqp1");
    assert_eq!(ack.messages[0].name.as_deref(), Some("ticketAcknowledged"));
    let problems: Vec<String> = check_targets(&document, &sources)
        .iter()
        .map(|p| format!("{} {} {}", p.pointer, p.rule, p.message))
        .map(|problem| problem.split(" has a").next().unwrap().to_string())
        .collect();
    assert_eq!(
        problems,
        [
            "/workflows/0/steps/3/correlationId step-kind step `WaitForVerification`",
            "/workflows/0/steps/5/correlationId step-kind step `WaitForAck`",
        ]
    );
}

/// A channel's key is what `channelPath` names; its address may hold `{parameters}`.
#[tokio::test]
async fn channel_paths_name_keys_not_addresses() {
    let yaml = "arazzo: 1.1.0\ninfo: {title: t, version: v}\nsourceDescriptions:\n  - {name: devices, url: ./mqtt/device-config-mqtt.asyncapi.yaml, type: asyncapi}\nworkflows:\n  - workflowId: w\n    steps:\n      - {stepId: send, channelPath: '{$sourceDescriptions.devices.url}#/channels/deviceConfig', action: send}\n";
    let sources = load_inline("asyncapi/frankkilcommins/flow.arazzo.yaml", yaml)
        .await
        .unwrap();
    let target = sources
        .channel_by_path("{$sourceDescriptions.devices.url}#/channels/deviceConfig")
        .unwrap();
    assert_eq!(target.address(), Some("devices/{deviceId}/config"));
    assert_eq!(
        target.channel.parameters["deviceId"]["location"],
        "$message.payload#/deviceId"
    );
    assert_eq!(target.servers()[0].host, "mqtt.example.com");
    let err = sources
        .channel_by_path("{$sourceDescriptions.devices.url}#/channels/deviceconfig")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "source `devices` has no channel `deviceconfig`; did you mean `deviceConfig`?"
    );
}

/// The engine does not run AsyncAPI steps yet: `run` refuses the document at planning, exit
/// 4, before any request (the OpenAPI step before it is not sent either).
#[test]
fn run_refuses_asyncapi_steps_before_sending_anything() {
    let out = crate::util::arazzo(&[
        "run",
        &crate::util::arg("asyncapi/orders.arazzo.yaml"),
        "--mock",
        "--input",
        "requestId=r1",
    ]);
    assert_eq!(out.code, 4, "{}", out.transcript());
    assert_eq!(
        out.stderr,
        "error[unsupported]: step `place`: AsyncAPI steps (sending and receiving messages) are \
         not supported yet\n"
    );
    assert!(out.stdout.is_empty(), "{}", out.transcript());
}
