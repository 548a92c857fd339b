//! Engine overhead without the network (issue 8, item 3): the Amberflo workflow (4 steps)
//! answered from its cassette by the [`ReplayExecutor`], and by an in-memory executor that
//! echoes each request, per run; divide by 4 for the cost per step. Each replayed run gets a
//! fresh executor (a cassette answers each request once), built outside the timing.
//!
//! `cargo bench -p arazzo-exec --bench engine` (not run in CI; `bench/run.sh` runs it).

use std::sync::Arc;

use arazzo_exec::{
    Cassette, Engine, Executor, ExecutorError, Plan, ReplayExecutor, Request, Response,
    SourceOptions, WorkflowReport,
};
use divan::Bencher;
use serde_json::Value;

fn main() {
    divan::main();
}

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/workflows/amberflo");
const WORKFLOW: &str = "launch-usage-based-product";

/// What every benchmark needs: the plan, the cassette, the inputs and a runtime.
struct Fixture {
    runtime: tokio::runtime::Runtime,
    plan: Arc<Plan>,
    cassette: Cassette,
    inputs: Value,
}

impl Fixture {
    fn load() -> Fixture {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let plan = runtime
            .block_on(Plan::load(
                format!("{SCENARIO}/arazzo.yaml"),
                &SourceOptions::default(),
            ))
            .expect("the scenario plans");
        let cassette =
            Cassette::from_path(format!("{SCENARIO}/cassette.yaml")).expect("the cassette");
        let inputs =
            std::fs::read_to_string(format!("{SCENARIO}/inputs.json")).expect("the inputs");
        Fixture {
            runtime,
            plan: Arc::new(plan),
            cassette,
            inputs: serde_json::from_str(&inputs).expect("JSON inputs"),
        }
    }

    /// One run of the workflow through `engine`, which must pass.
    fn run(&self, engine: &Engine, inputs: Value) -> WorkflowReport {
        let report = self
            .runtime
            .block_on(engine.run(WORKFLOW, inputs))
            .expect("the inputs are valid");
        assert!(report.passed());
        report
    }
}

/// A whole run (4 steps) answered by a fresh `ReplayExecutor`: request matching included.
#[divan::bench]
fn run_replayed(bencher: Bencher<'_, '_>) {
    let fixture = Fixture::load();
    bencher
        .with_inputs(|| {
            let replay = ReplayExecutor::new(fixture.cassette.clone());
            (
                Engine::new(fixture.plan.clone(), replay),
                fixture.inputs.clone(),
            )
        })
        .bench_local_values(|(engine, inputs)| fixture.run(&engine, inputs));
}

/// Answers every request with the recorded response of the same path (no matching).
struct Canned {
    responses: Vec<(String, Response)>,
}

#[async_trait::async_trait]
impl Executor for Canned {
    async fn execute(&self, request: &Request) -> Result<Response, ExecutorError> {
        let found = self
            .responses
            .iter()
            .find(|(path, _)| path == request.url.path())
            .map(|(_, response)| response.clone());
        found.ok_or_else(|| {
            ExecutorError::new(
                arazzo_exec::ExecutorErrorKind::Other,
                "no canned response".to_string(),
            )
        })
    }
}

/// A whole run (4 steps) with responses from memory: the engine alone (build the requests,
/// redact, check the criteria, evaluate the outputs, build the report).
#[divan::bench]
fn run_canned(bencher: Bencher<'_, '_>) {
    let fixture = Fixture::load();
    let responses = fixture
        .cassette
        .exchanges
        .iter()
        .map(|exchange| {
            let url = url::Url::parse(&exchange.request.url).expect("a recorded URL");
            (url.path().to_string(), exchange.to_response())
        })
        .collect();
    let engine = Engine::new(fixture.plan.clone(), Canned { responses });
    bencher
        .with_inputs(|| fixture.inputs.clone())
        .bench_local_values(|inputs| fixture.run(&engine, inputs));
}
