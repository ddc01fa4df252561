//! The conformance server: `cargo run --release --example conformance`. Listens on
//! `$CONFORMANCE_ADDR` (default `127.0.0.1:8080`) and prints `listening on http://ADDR` once it
//! accepts connections; with `CONFORMANCE_ORIGINS` set to a list it refuses, it prints why and
//! exits before listening.

use std::io::Write;

use actix_web::HttpServer;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
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
