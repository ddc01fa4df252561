// methods browsers can never send
use actix_web::{App, Responder};
#[allow(unused_imports)]
use actix_web::{get, route};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"], methods = [CONNECT, TRACE, TRACK])]
#[route("/", method = "GET", method = "CONNECT", method = "TRACE")]
async fn handler() -> impl Responder {
    "handler"
}

fn main() {
    // No follow-on error here: on refusal the route is still emitted.
    let _app = App::new().service(handler);
}
