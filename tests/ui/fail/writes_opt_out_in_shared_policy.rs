// R20: the opt-out belongs to one route, never to a shared policy all its users inherit
use actix_web::{App, Responder};
#[allow(unused_imports)]
use actix_web::{post, route};
use cors_runtime::cors;

cors_runtime::policy! {
    pub(crate) OPEN {
        origins = ["https://app.example.com"],
        credentials,
        allow_cross_origin_writes = "every route of the policy",
    }
}

#[cors(policy = OPEN)]
#[post("/uses")]
async fn uses() -> impl Responder {
    "uses"
}

fn main() {
    let _app = App::new().service(uses);
}
