// mistakes in a shared policy are reported where it is defined, even before any use
use actix_web::App;

cors_runtime::policy! {
    pub EXPORTED {
        origins = ["https://app.example.com"],
    }
}

cors_runtime::policy! {
    BROKEN {
        origins = ["https://app.example.com/", "null"],
        expose = ["set-cookie"],
        max_age = 100000,
        allow_everything,
    }
}

fn main() {
    let _app = App::new();
}
