//! `arazzo mock OPENAPI...`: serve OpenAPI descriptions from the built-in mock until Ctrl-C.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::time::Duration;

use arazzo_mock::{Answered, MockOptions, MockServer};
use arazzo_sources::{OpenApi, SourceOptions};

use crate::args::{MockArgs, parse_faults};
use crate::error::CliError;

/// Serves the descriptions until Ctrl-C; see the README.
pub fn run(args: &MockArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), CliError> {
    let faults = parse_faults(&args.fails).map_err(CliError::Usage)?;
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
        let api = runtime.block_on(OpenApi::read(location, &options));
        apis.push(api.map_err(CliError::Source)?);
    }
    let log = !args.quiet && std::io::stderr().is_terminal();
    let (sender, mut exchanges) = tokio::sync::mpsc::unbounded_channel::<Answered>();
    let options = MockOptions {
        bind: SocketAddr::new(args.bind, args.port),
        echo: !args.no_echo,
        faults,
        delay: Duration::from_millis(args.delay_ms.unwrap_or(0)),
        log: log.then(|| {
            let log: arazzo_mock::Logger = std::sync::Arc::new(move |exchange: &Answered| {
                let _ = sender.send(exchange.clone());
            });
            log
        }),
    };
    let mock = runtime.block_on(MockServer::start(&apis, options))?;
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
    Ok(())
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

fn plural(count: usize, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        _ => format!("{count} {noun}s"),
    }
}
