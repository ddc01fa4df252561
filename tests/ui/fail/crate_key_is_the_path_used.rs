// the generated code reaches the runtime through `crate = "..."` alone
use actix_web::{App, Responder};
#[allow(unused_imports)]
use actix_web::get;

mod facade {}

#[cors_runtime::cors(crate = "crate::facade::runtime", origins = ["https://app.example.com"])]
#[get("/a")]
async fn handler() -> impl Responder {
    "a"
}

fn main() {
    let _app = App::new().service(handler);
}
