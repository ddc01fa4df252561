// origins from configuration: the form of the source, its default (checked now) and the flags
use actix_web::{App, Responder};
#[allow(unused_imports)]
use actix_web::get;
use cors_runtime::cors;

#[cors(origins = env())]
#[get("/a")]
async fn no_variable() -> impl Responder {
    "a"
}

#[cors(origins = env("CORS_ORIGINS", defaults = ["https://app.example.com"]))]
#[get("/b")]
async fn misspelt_default() -> impl Responder {
    "b"
}

#[cors(origins = env("CORS_ORIGINS", default = ["https://app.example.com/"]), credentials)]
#[get("/c")]
async fn bad_default() -> impl Responder {
    "c"
}

#[cors(origins = vars("CORS_ORIGINS"))]
#[get("/d")]
async fn unknown_source() -> impl Responder {
    "d"
}

#[cors(origins = config("partners"), insecure_allow_http_with_credentials)]
#[get("/e")]
async fn opt_in_without_credentials() -> impl Responder {
    "e"
}

#[cors(origins = config(partners))]
#[get("/f")]
async fn config_name_not_a_string() -> impl Responder {
    "f"
}

fn main() {
    let _app = App::new()
        .service(no_variable)
        .service(misspelt_default)
        .service(bad_default)
        .service(unknown_source)
        .service(opt_in_without_credentials)
        .service(config_name_not_a_string);
}
