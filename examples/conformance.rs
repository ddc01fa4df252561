//! The conformance server: `cargo run --release --example conformance`. Listens on
//! `$CONFORMANCE_ADDR` (default `127.0.0.1:8080`) and prints `listening on http://ADDR` once it
//! accepts connections; with `CONFORMANCE_ORIGINS` set to a list it refuses, it prints why and
//! exits before listening. `--cors-report` prints every `#[cors]` route's policy as a table,
//! `--cors-report=json` as JSON, and exits; `RUST_LOG=cors_runtime=debug` logs the reason of
//! every refused CORS request.

use std::io::Write;

use actix_web::HttpServer;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    // `RUST_LOG=cors_runtime=debug` shows why each CORS request is refused; unset, nothing.
    env_logger::init();
    // `--cors-report` (a table) or `--cors-report=json`: every #[cors] route's policy, then exit.
    if let Some(format) = std::env::args().nth(1) {
        let json = match format.as_str() {
            "--cors-report" => false,
            "--cors-report=json" => true,
            other => {
                eprintln!("unknown argument `{other}`: the arguments are --cors-report and --cors-report=json");
                std::process::exit(2);
            }
        };
        let text = match cors_runtime::report(cors_workspace_tests::conformance::app()) {
            Ok(report) if json => format!("{}\n", serde_json::to_string_pretty(&report)?),
            Ok(report) => report.to_string(),
            Err(errors) => {
                eprintln!("{errors}");
                std::process::exit(1);
            }
        };
        // A reader that stops early (`| head`) is no error.
        let _ = std::io::stdout().write_all(text.as_bytes());
        return Ok(());
    }
    // The tenants' database and its settings (`CONFORMANCE_DB`, `CONFORMANCE_TENANT_TTL_MS`,
    // `CONFORMANCE_LOOKUP_TIMEOUT_MS`): a value that cannot be used is said, and the server never
    // listens.
    if let Err(error) = cors_workspace_tests::conformance::tenant_routes::tenants() {
        eprintln!("{error}");
        std::process::exit(1);
    }
    // Configured origins (`CONFORMANCE_ORIGINS`) are checked before the server starts; a refused
    // value is reported, entry by entry, and the server never listens.
    if let Err(errors) = cors_runtime::check(cors_workspace_tests::conformance::app()) {
        eprintln!("{errors}");
        std::process::exit(1);
    }
    let addr = std::env::var("CONFORMANCE_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let server = HttpServer::new(cors_workspace_tests::conformance::app)
        .workers(2)
        .bind(&addr)?;
    // `bind` has put the socket in the listening state: connections are accepted from here on.
    let bound = server.addrs().first().map_or(addr, ToString::to_string);
    println!("listening on http://{bound}");
    std::io::stdout().flush()?;
    server.run().await
}
