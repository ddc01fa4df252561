// R1: an `xn--` label that is not valid punycode (found by the validator's property test)
use actix_web::{App, Responder};
#[allow(unused_imports)]
use actix_web::{get, route};
use cors_runtime::cors;

#[cors(origins = ["https://xn--0.example.com"])]
#[get("/")]
async fn handler() -> impl Responder {
    "handler"
}

fn main() {
    // No follow-on error here: on refusal the route is still emitted.
    let _app = App::new().service(handler);
}
