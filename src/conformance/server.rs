//! The conformance server's process: what `cargo run --example conformance` runs, and what the
//! tests that need whole processes of it (several replicas, memory) run in child processes.
//!
//! Listens on `$CONFORMANCE_ADDR` (default `127.0.0.1:8080`) and prints `listening on
//! http://ADDR` once it accepts connections — `https://ADDR`, HTTP/2 by ALPN and HTTP/1.1, with
//! `CONFORMANCE_TLS_CERT` and `CONFORMANCE_TLS_KEY` (PEM files; the `tls` feature); with
//! `CONFORMANCE_ORIGINS` set to a list it refuses, it prints why and exits before listening. `--cors-report` prints every `#[cors]` route's
//! policy as a table, `--cors-report=json` as JSON, and exits.

use std::io::Write;

use actix_web::HttpServer;

/// The server's TLS configuration, when `CONFORMANCE_TLS_CERT` and `CONFORMANCE_TLS_KEY` are set.
#[cfg(feature = "tls")]
type Tls = Option<rustls::ServerConfig>;
#[cfg(not(feature = "tls"))]
type Tls = Option<std::convert::Infallible>;

/// Reads `CONFORMANCE_TLS_CERT` and `CONFORMANCE_TLS_KEY`: both, or neither.
fn tls_config() -> Result<Tls, String> {
    let cert = std::env::var_os("CONFORMANCE_TLS_CERT");
    let key = std::env::var_os("CONFORMANCE_TLS_KEY");
    match (cert, key) {
        (None, None) => Ok(None),
        (Some(_), None) | (None, Some(_)) => Err(
            "CONFORMANCE_TLS_CERT and CONFORMANCE_TLS_KEY go together: set both (PEM files), or \
             neither"
                .to_owned(),
        ),
        #[cfg(feature = "tls")]
        (Some(cert), Some(key)) => {
            super::tls::server_config(std::path::Path::new(&cert), std::path::Path::new(&key))
                .map(Some)
        }
        #[cfg(not(feature = "tls"))]
        (Some(_), Some(_)) => Err(
            "CONFORMANCE_TLS_CERT is set, and this build has no TLS: build with the `tls` \
             feature (on by default)"
                .to_owned(),
        ),
    }
}

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
    let tls = match tls_config() {
        Ok(tls) => tls,
        Err(error) => {
            eprintln!("{error}");
            return Ok(1);
        }
    };
    actix_web::rt::System::new().block_on(async move {
        // With PostgreSQL: one listening connection for the process, on its main thread.
        if let Some(feed) = feed {
            actix_web::rt::spawn(feed);
        }
        let server = HttpServer::new(super::app).workers(2);
        let (server, scheme) = match tls {
            #[cfg(feature = "tls")]
            Some(config) => (server.bind_rustls_0_23(&addr, config)?, "https"),
            #[cfg(not(feature = "tls"))]
            Some(never) => match never {},
            None => (server.bind(&addr)?, "http"),
        };
        // `bind` has put the socket in the listening state: connections are accepted from here on.
        let bound = server.addrs().first().map_or(addr, ToString::to_string);
        println!("listening on {scheme}://{bound}");
        std::io::stdout().flush()?;
        server.run().await.map(|()| 0)
    })
}
