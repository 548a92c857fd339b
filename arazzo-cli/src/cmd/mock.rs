//! `arazzo mock OPENAPI...`: serve OpenAPI descriptions from the built-in mock until Ctrl-C;
//! and the in-process mock of `arazzo run --mock`.

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::time::Duration;

use arazzo_mock::{Exchange, Fault, MockOptions, MockServer};
use arazzo_model::SourceFile;
use arazzo_sources::{OpenApi, SourceOptions, Sources};

use crate::args::MockArgs;
use crate::{exit, render};

/// Serves the descriptions until Ctrl-C; see the README.
pub fn run(
    args: &MockArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> anyhow::Result<u8> {
    let faults = match parse_faults(&args.fails) {
        Ok(faults) => faults,
        Err(message) => {
            writeln!(err, "{}", render::one_line_error("usage", &message, color))?;
            return Ok(exit::USAGE);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let options = SourceOptions {
        allow_remote: args.allow_remote,
        allow_private: args.allow_private,
        ..SourceOptions::default()
    };
    let mut apis = Vec::new();
    for location in &args.files {
        match runtime.block_on(OpenApi::read(location, &options)) {
            Ok(api) => apis.push(api),
            Err(source) => {
                writeln!(
                    err,
                    "{}",
                    render::one_line_error("source", &source.to_string(), color)
                )?;
                return Ok(exit::INVALID);
            }
        }
    }
    let log = !args.quiet && std::io::stderr().is_terminal();
    let (sender, mut exchanges) = tokio::sync::mpsc::unbounded_channel::<Exchange>();
    let options = MockOptions {
        bind: SocketAddr::new(args.bind, args.port),
        echo: !args.no_echo,
        faults,
        delay: Duration::from_millis(args.delay_ms.unwrap_or(0)),
        log: log.then(|| {
            let log: arazzo_mock::Logger = std::sync::Arc::new(move |exchange: &Exchange| {
                let _ = sender.send(exchange.clone());
            });
            log
        }),
    };
    let mock = match runtime.block_on(MockServer::start(&apis, options)) {
        Ok(mock) => mock,
        Err(start) => {
            writeln!(
                err,
                "{}",
                render::one_line_error("mock", &start.to_string(), color)
            )?;
            return Ok(match start {
                arazzo_mock::MockError::Fault { .. } => exit::USAGE,
                _ => exit::RUNTIME,
            });
        }
    };
    for warning in mock.warnings() {
        writeln!(err, "warning: {warning}")?;
    }
    let routes = mock.routes();
    writeln!(
        out,
        "mock of {} on {} ({} operations; Ctrl-C stops)",
        plural(apis.len(), "OpenAPI description"),
        mock.url(),
        routes.len()
    )?;
    let width = routes.iter().map(|route| route.path.len()).max();
    let id_width = routes
        .iter()
        .map(|route| route.operation_id.as_deref().map_or(1, str::len))
        .max();
    let (width, id_width) = (width.unwrap_or(0), id_width.unwrap_or(0));
    for route in routes {
        writeln!(
            out,
            "  {:7} {:width$}  {}  {:id_width$}  ({})",
            route.method.as_str(),
            route.path,
            route.status,
            route.operation_id.as_deref().unwrap_or("-"),
            route.source,
        )?;
    }
    out.flush()?;
    runtime.block_on(async {
        let stop = stopped();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                Some(exchange) = exchanges.recv() => {
                    let _ = writeln!(
                        err,
                        "{} {} {} {:.2} ms",
                        exchange.method,
                        exchange.path,
                        exchange.status.as_u16(),
                        exchange.duration.as_secs_f64() * 1000.0
                    );
                }
            }
        }
    });
    runtime.block_on(mock.stop());
    Ok(exit::OK)
}

/// Resolves on Ctrl-C, or on SIGTERM on Unix (e.g. `kill`, `timeout`).
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// For `arazzo run --mock`: starts a mock of every OpenAPI source of the document (nested
/// Arazzo sources included) on a free 127.0.0.1 port, logging nothing, and points those
/// sources at it through [`SourceOptions::servers`]. A source already given a `--server`
/// keeps it and is not mocked. `None` when the document or its sources cannot be loaded: the
/// plan reports why.
///
/// # Errors
/// A message when no source can be mocked, a fault is wrong, or the mock cannot start.
pub async fn for_run(
    file: &SourceFile,
    options: &mut SourceOptions,
    fails: &[String],
    delay_ms: Option<u64>,
) -> Result<Option<MockServer>, String> {
    let faults = parse_faults(fails)?;
    let Ok(document) = file.document() else {
        return Ok(None);
    };
    let Ok(url) = arazzo_sources::document_url(file.name()) else {
        return Ok(None);
    };
    let Ok(loaded) = Sources::load(&document, &url, options).await else {
        return Ok(None);
    };
    let mut found = Vec::new();
    collect_openapi(&document, &loaded, &mut HashSet::new(), &mut found);
    let mocked: Vec<(String, &OpenApi)> = found
        .iter()
        .filter(|(name, _)| !options.servers.contains_key(name))
        .filter_map(|(name, sources)| Some((name.clone(), sources.openapi(name)?)))
        .collect();
    if mocked.is_empty() {
        return Err("--mock: the document has no OpenAPI source description to mock".to_string());
    }
    let mock_options = MockOptions {
        faults,
        delay: Duration::from_millis(delay_ms.unwrap_or(0)),
        ..MockOptions::default()
    };
    let mock = MockServer::start(mocked.iter().map(|(_, api)| *api), mock_options)
        .await
        .map_err(|err| err.to_string())?;
    // Sources with http(s) servers keep their URLs: the run's executor routes their requests
    // to the mock (`Routed`), so reports and cassettes read like real runs. The
    // others (no server, a relative one) are pointed at the mock.
    for (name, api) in mocked {
        if api
            .operations()
            .iter()
            .any(|operation| operation.base_url().is_err())
        {
            options.servers.insert(name, mock.url());
        }
    }
    Ok(Some(mock))
}

/// The names of the OpenAPI sources of `document` and, recursively, of its Arazzo sources,
/// each with the sources holding it.
fn collect_openapi(
    document: &arazzo_model::Document,
    sources: &Sources,
    seen: &mut HashSet<String>,
    found: &mut Vec<(String, Sources)>,
) {
    if !seen.insert(sources.document_url().to_string()) {
        return;
    }
    for source in &document.source_descriptions {
        if sources.openapi(&source.name).is_some() {
            if !found.iter().any(|(name, _)| *name == source.name) {
                found.push((source.name.clone(), sources.clone()));
            }
        } else if let Some(nested) = sources.arazzo(&source.name) {
            collect_openapi(nested.document, &nested.sources, seen, found);
        }
    }
}

fn parse_faults(fails: &[String]) -> Result<Vec<Fault>, String> {
    fails
        .iter()
        .map(|text| text.parse::<Fault>().map_err(|err| err.to_string()))
        .collect()
}

fn plural(count: usize, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        _ => format!("{count} {noun}s"),
    }
}
