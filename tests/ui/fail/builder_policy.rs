//! `cors_policy!`, the policy of a builder-style resource or a scope: the attribute's rules, each
//! error at its token; a shared policy that does not exist.
use actix_web::{web, App, HttpResponse};
use cors_runtime::{cors_policy, CorsFirst};

async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    let _wildcard_with_credentials = cors_policy!(origins = ["*"], credentials);
    let _missing_origins = cors_policy!(credentials);
    let _unknown_key = cors_policy!(origins = ["https://app.example.com"], origin = ["x"]);
    let _bad_origin = cors_policy!(origins = ["https://app.example.com/"]);
    let _trace = cors_policy!(origins = ["https://app.example.com"], methods = [TRACE]);
    let _no_reason = cors_policy!(origins = ["https://app.example.com"], allow_cross_origin_writes = " ");
    let _nowhere = cors_policy!(policy = NOWHERE);
    let _app = App::new()
        .service(
            cors_runtime::resource("/x", cors_policy!(origins = ["null"]))
                .route(web::get().to(handler)),
        )
        .wrap(CorsFirst::new());
}
