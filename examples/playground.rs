//! The playground: `cargo run --example playground`, then open the printed page in a browser.
//!
//! One process serves the API on `localhost:8700` and the page from two other origins:
//! `localhost:8701`, which the policies name, and `localhost:8702`, which only one handler names.

use std::io::Write;

use cors_workspace_tests::playground::{self, API_PORT, PAGE_ORIGIN, STRANGER_ORIGIN};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let (api, explained, page) = playground::servers()?;
    println!("API on http://localhost:{API_PORT}");
    println!("open {PAGE_ORIGIN}/ (the origin the policies allow)");
    println!("and {STRANGER_ORIGIN}/ (an origin most policies refuse)");
    std::io::stdout().flush()?;
    actix_web::rt::spawn(page);
    actix_web::rt::spawn(explained);
    api.await
}
