// R1: browsers compress IPv6
use actix_web::{App, Responder};
#[allow(unused_imports)]
use actix_web::{get, route};
use cors_runtime::cors;

#[cors(origins = ["http://[0:0:0:0:0:0:0:1]:8080", "http://[::ZZ]"])]
#[get("/")]
async fn handler() -> impl Responder {
    "handler"
}

fn main() {
    // No follow-on error here: on refusal the route is still emitted.
    let _app = App::new().service(handler);
}
