// `#[cors]` on something that is not a handler function.
use cors_runtime::cors;

#[cors(origins = ["https://app.example.com"])]
struct Handler;

fn main() {
    let _ = Handler;
}
