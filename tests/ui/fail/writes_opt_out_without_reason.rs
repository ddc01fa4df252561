// R20: the opt-out of the guard on cross-origin writes carries its reason
use actix_web::{App, Responder};
#[allow(unused_imports)]
use actix_web::{get, post, route};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"], credentials, allow_cross_origin_writes = "  ")]
#[post("/callback")]
async fn callback() -> impl Responder {
    "callback"
}

#[cors(origins = ["https://app.example.com"], credentials, allow_cross_origin_writes)]
#[post("/bare")]
async fn bare() -> impl Responder {
    "bare"
}

fn main() {
    let _app = App::new().service(callback).service(bare);
}
