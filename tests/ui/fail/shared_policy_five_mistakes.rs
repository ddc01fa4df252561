// five mistakes, in the definition and in the override, give five errors
use actix_web::{App, Responder};
#[allow(unused_imports)]
use actix_web::get;
use cors_runtime::cors;

cors_runtime::policy! {
    SHARED {
        origins = ["https://app.example.com", "https://App.example.com"],
        credentials,
        headers = ["cookie"],
    }
}

#[cors(policy = SHARED, headers = ["x-token", "X-Token"], expose = ["*"], max_age = 86401)]
#[get("/a")]
async fn handler() -> impl Responder {
    "a"
}

fn main() {
    let _app = App::new().service(handler);
}
