// a policy that does not exist
use actix_web::{App, Responder};
#[allow(unused_imports)]
use actix_web::get;
use cors_runtime::cors;

#[cors(policy = NO_SUCH_POLICY, max_age = 60)]
#[get("/a")]
async fn handler() -> impl Responder {
    "a"
}

fn main() {
    let _app = App::new().service(handler);
}
