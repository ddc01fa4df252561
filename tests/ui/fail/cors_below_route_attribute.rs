// `#[cors]` written under the route attribute: the error explains the order.
use actix_web::{get, App, Responder};
use cors_runtime::cors;

#[get("/")]
#[cors(origins = ["https://app.example.com"])]
async fn handler() -> impl Responder {
    "handler"
}

fn main() {
    let _app = App::new().service(handler);
}
