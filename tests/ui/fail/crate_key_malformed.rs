// `crate = "..."` takes a path to cors_runtime, as a string
use actix_web::{App, Responder};
#[allow(unused_imports)]
use actix_web::get;
use cors_runtime::cors;

#[cors(crate = cors_runtime, origins = ["https://app.example.com"])]
#[get("/a")]
async fn not_a_string() -> impl Responder {
    "a"
}

#[cors(crate = "not a path", origins = ["https://app.example.com"])]
#[get("/b")]
async fn not_a_path() -> impl Responder {
    "b"
}

#[cors(crate, origins = ["https://app.example.com"])]
#[get("/c")]
async fn no_value() -> impl Responder {
    "c"
}

fn main() {
    let _app = App::new().service(not_a_string).service(not_a_path).service(no_value);
}
