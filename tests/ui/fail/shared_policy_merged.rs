// the merged policy is checked: each error at its token, in the shared definition or the handler
use actix_web::{App, Responder};
#[allow(unused_imports)]
use actix_web::{get, post};
use cors_runtime::cors;

cors_runtime::policy! {
    FRONT_ENDS {
        origins = ["https://app.example.com"],
        credentials,
    }
}

#[cors(policy = FRONT_ENDS, headers = ["*"])]
#[get("/a")]
async fn star_headers_with_shared_credentials() -> impl Responder {
    "a"
}

#[cors(policy = FRONT_ENDS, origins = ["https://app.example.com", "*"])]
#[post("/b")]
async fn origins_added() -> impl Responder {
    "b"
}

fn main() {
    let _app = App::new()
        .service(star_headers_with_shared_credentials)
        .service(origins_added);
}
