//! The conformance server: `cargo run --release --example conformance`. Listens on
//! `$CONFORMANCE_ADDR` (default `127.0.0.1:8080`) and prints `listening on http://ADDR` once it
//! accepts connections; with `CONFORMANCE_ORIGINS` set to a list it refuses, it prints why and
//! exits before listening. `--cors-report` prints every `#[cors]` route's policy as a table,
//! `--cors-report=json` as JSON, and exits; `RUST_LOG=cors_runtime=debug` logs the reason of
//! every refused CORS request. The process itself is `cors_workspace_tests::conformance::server`.

fn main() -> std::io::Result<()> {
    // `RUST_LOG=cors_runtime=debug` shows why each CORS request is refused; unset, nothing.
    env_logger::init();
    let code = cors_workspace_tests::conformance::server::main(std::env::args().skip(1))?;
    if code != 0 {
        std::process::exit(code);
    }
    Ok(())
}
