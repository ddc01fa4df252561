// `#[cors]` without a route attribute under it.
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"])]
async fn handler() -> &'static str {
    "handler"
}

fn main() {
    let _ = handler;
}
