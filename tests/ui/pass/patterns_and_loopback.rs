//! Subdomain patterns, loopback origins with ports, and the explicit opt-in for plain http
//! with credentials.
#![deny(warnings, missing_docs)]

use actix_web::{get, App, Responder};
use cors_runtime::cors;

/// Patterns with and without ports.
#[cors(
    origins = ["https://*.example.com", "https://*.example.org:8443", "http://*.localhost:5173"],
    credentials
)]
#[get("/patterns")]
pub async fn patterns() -> impl Responder {
    "patterns"
}

/// Loopback over plain http needs no opt-in, even with credentials.
#[cors(
    origins = ["http://localhost:3000", "http://127.0.0.1:8080", "http://[::1]:9000", "http://localhost"],
    credentials
)]
#[get("/loopback")]
pub async fn loopback() -> impl Responder {
    "loopback"
}

/// Plain http to another host with credentials, explicitly accepted.
#[cors(
    origins = ["http://intranet.example.com"],
    credentials,
    insecure_allow_http_with_credentials
)]
#[get("/intranet")]
pub async fn intranet() -> impl Responder {
    "intranet"
}

/// IDN hosts in their punycode form, IPv4 and IPv6 addresses.
#[cors(origins = ["https://xn--bcher-kva.example", "https://192.0.2.1", "https://[2001:db8::1]:8443"])]
#[get("/addresses")]
pub async fn addresses() -> impl Responder {
    "addresses"
}

fn main() {
    let _app = App::new()
        .service(patterns)
        .service(loopback)
        .service(intranet)
        .service(addresses);
}
