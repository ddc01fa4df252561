// R20: an opt-out on a route serving only GET, HEAD or OPTIONS would do nothing
use actix_web::{App, Responder};
#[allow(unused_imports)]
use actix_web::{get, route};
use cors_runtime::cors;

#[cors(
    origins = ["https://app.example.com"],
    allow_cross_origin_writes = "an identity provider posts here"
)]
#[route("/reads", method = "GET", method = "HEAD")]
async fn reads() -> impl Responder {
    "reads"
}

fn main() {
    let _app = App::new().service(reads);
}
