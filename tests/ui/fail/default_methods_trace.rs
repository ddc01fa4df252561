// without `methods`, a route's TRACE / CONNECT would be allowed: refused like listing them
use actix_web::{App, Responder};
#[allow(unused_imports)]
use actix_web::{route, trace};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"])]
#[trace("/trace")]
async fn only_trace() -> impl Responder {
    "trace"
}

#[cors(origins = ["https://app.example.com"])]
#[route("/mixed", method = "GET", method = "TRACE", method = "PUT")]
async fn mixed() -> impl Responder {
    "mixed"
}

fn main() {
    // No follow-on error here: on refusal the route is still emitted.
    let _app = App::new().service(only_trace).service(mixed);
}
