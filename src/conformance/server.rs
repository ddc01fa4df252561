//! The conformance server's process: what `cargo run --example conformance` runs, and what the
//! tests that need whole processes of it (several replicas, memory) run in child processes.
//!
//! Listens on `$CONFORMANCE_ADDR` (default `127.0.0.1:8080`) and prints `listening on
//! http://ADDR` once it accepts connections; with `CONFORMANCE_ORIGINS` set to a list it refuses,
//! it prints why and exits before listening. `--cors-report` prints every `#[cors]` route's
//! policy as a table, `--cors-report=json` as JSON, and exits.

use std::io::Write;

use actix_web::HttpServer;

/// Runs the server (or prints the report) as `args` (the program's arguments, without its name)
/// ask; returns the process's exit code on a refusal, after saying why.
///
/// # Errors
/// The server's: the address cannot be bound, or the report cannot be written.
pub fn main(mut args: impl Iterator<Item = String>) -> std::io::Result<i32> {
    // `--cors-report` (a table) or `--cors-report=json`: every #[cors] route's policy, then exit.
    if let Some(format) = args.next() {
        let json = match format.as_str() {
            "--cors-report" => false,
            "--cors-report=json" => true,
            other => {
                eprintln!(
                    "unknown argument `{other}`: the arguments are --cors-report and --cors-report=json"
                );
                return Ok(2);
            }
        };
        let text = match cors_runtime::report(super::app()) {
            Ok(report) if json => format!("{}\n", serde_json::to_string_pretty(&report)?),
            Ok(report) => report.to_string(),
            Err(errors) => {
                eprintln!("{errors}");
                return Ok(1);
            }
        };
        // A reader that stops early (`| head`) is no error.
        let _ = std::io::stdout().write_all(text.as_bytes());
        return Ok(0);
    }
    // The tenants' database and its settings (`CONFORMANCE_DB`, `CONFORMANCE_TENANT_TTL_MS`,
    // `CONFORMANCE_LOOKUP_TIMEOUT_MS`): a value that cannot be used is said, and the server never
    // listens.
    let feed = match super::tenant_routes::tenants() {
        Ok(tenants) => tenants.take_feed(),
        Err(error) => {
            eprintln!("{error}");
            return Ok(1);
        }
    };
    // Configured origins (`CONFORMANCE_ORIGINS`) are checked before the server starts; a refused
    // value is reported, entry by entry, and the server never listens.
    if let Err(errors) = cors_runtime::check(super::app()) {
        eprintln!("{errors}");
        return Ok(1);
    }
    let addr = std::env::var("CONFORMANCE_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    actix_web::rt::System::new().block_on(async move {
        // With PostgreSQL: one listening connection for the process, on its main thread.
        if let Some(feed) = feed {
            actix_web::rt::spawn(feed);
        }
        let server = HttpServer::new(super::app).workers(2).bind(&addr)?;
        // `bind` has put the socket in the listening state: connections are accepted from here on.
        let bound = server.addrs().first().map_or(addr, ToString::to_string);
        println!("listening on http://{bound}");
        std::io::stdout().flush()?;
        server.run().await.map(|()| 0)
    })
}
