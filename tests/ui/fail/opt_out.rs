//! `#[cors(none)]` opts one route out of CORS and stands alone; a builder-style resource opts out
//! with `no_cors()`; a shared policy cannot opt out.
use actix_web::{get, Responder};
use cors_runtime::{cors, cors_policy};

#[cors(none, origins = ["https://app.example.com"])]
#[get("/a")]
async fn none_beside_origins() -> impl Responder {
    ""
}

cors_runtime::policy! {
    pub(crate) NOBODY { none }
}

fn main() {
    let _builder = cors_policy!(none);
}
