//! The floor of the sequential benchmark (issue 8, item 2): the four HTTP requests of the
//! Amberflo workflow sent by a bare `reqwest` loop, no workflow engine, one keep-alive
//! connection, each response body read and parsed as JSON. Prints one JSON object with
//! iterations per second and the resident memory after 1, 10, 100… iterations.
//!
//! ```text
//! cargo run --release -p arazzo-exec --example raw_floor -- http://127.0.0.1:4010/ 100000
//! ```

use std::time::Instant;

use serde_json::{Value, json};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(base), Some(iterations)) = (args.next(), args.next()) else {
        eprintln!("usage: raw_floor BASE_URL ITERATIONS");
        std::process::exit(2);
    };
    let base = url::Url::parse(&base)?;
    let iterations: u64 = iterations.parse()?;
    let calls = [
        (
            "meters",
            json!({"meterApiName": "api-calls", "displayName": "API Calls", "type": "sum_of_all_usage", "dimensions": []}),
        ),
        (
            "customers",
            json!({"customerId": "cust-0001", "customerName": "Acme Corp", "customerEmail": "billing@acme.example", "lifecycleStage": "ACTIVE"}),
        ),
        (
            "payments/pricing/amberflo/customer-pricing",
            json!({"customerId": "cust-0001", "productId": "1"}),
        ),
        (
            "ingest",
            json!({"meterApiName": "api-calls", "customerId": "cust-0001", "meterValue": 5, "meterTimeInMillis": 1718153645993u64}),
        ),
    ];
    let calls: Vec<(url::Url, Vec<u8>)> = calls
        .iter()
        .map(|(path, body)| Ok((base.join(path)?, body.to_string().into_bytes())))
        .collect::<Result<_, url::ParseError>>()?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    arazzo_sources::install_tls_provider();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut memory = Vec::new();
    let mut next_sample = 1;
    let mut not_ok = 0u64;
    let started = Instant::now();
    runtime.block_on(async {
        for iteration in 1..=iterations {
            for (url, body) in &calls {
                let response = client
                    .post(url.clone())
                    .header("content-type", "application/json")
                    .header("x-api-key", "bench-key")
                    .body(body.clone())
                    .send()
                    .await?;
                let status = response.status();
                let body: Value = serde_json::from_slice(&response.bytes().await?)?;
                if status != 200 || !body.is_object() {
                    not_ok += 1;
                }
            }
            if iteration == next_sample || iteration == iterations {
                memory.push(json!({"iterations": iteration, "rss_bytes": resident_memory()}));
                next_sample *= 10;
            }
        }
        Ok::<(), Box<dyn std::error::Error>>(())
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let report = json!({
        "tool": "raw reqwest loop",
        "iterations": iterations,
        "requests": iterations * 4,
        "not_ok": not_ok,
        "seconds": seconds,
        "iterations_per_second": iterations as f64 / seconds,
        "memory": memory,
    });
    println!("{report}");
    if not_ok > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// The resident set size of this process, from `/proc/self/status` (Linux).
fn resident_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}
