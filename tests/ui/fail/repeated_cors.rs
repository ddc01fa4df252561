// Two `#[cors]` on one handler.
use actix_web::{get, App, Responder};
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"])]
#[cors(origins = ["https://admin.example.com"])]
#[get("/")]
async fn handler() -> impl Responder {
    "handler"
}

fn main() {
    let _app = App::new().service(handler);
}
