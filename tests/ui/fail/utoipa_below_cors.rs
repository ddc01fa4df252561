// utoipa's attribute below #[cors]: its item would be generated inside the route's registration,
// out of reach of `#[openapi(paths(...))]`, so the order is refused with the order to use
use actix_web::{App, Responder};
#[allow(unused_imports)]
use actix_web::get;
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"])]
#[utoipa::path(responses((status = 200, description = "the items")))]
#[get("/items")]
async fn items() -> impl Responder {
    "items"
}

fn main() {
    let _app = App::new().service(items);
}
