//! Generates the `#[cors]` handlers whose policies list 100 and 1,000 exact origins (an
//! attribute needs them written out), so no such file has to be kept in the repository.

use std::fmt::Write;

fn main() {
    let mut source = String::new();
    for count in [100, 1000] {
        let origins: Vec<String> = (0..count)
            .map(|i| format!("\"{}\"", many_origin(i)))
            .collect();
        writeln!(
            source,
            "/// Policy with {count} exact origins.\n\
             #[::cors_runtime::cors(origins = [{}], credentials, headers = [\"x-token\", \"content-type\"], \
             expose = [\"x-total-count\"], max_age = 600)]\n\
             #[::actix_web::get(\"/r\")]\n\
             pub async fn origins_{count}() -> &'static str {{ \"ok\" }}\n",
            origins.join(", ")
        )
        .unwrap();
    }
    let out = std::env::var("OUT_DIR").unwrap();
    std::fs::write(format!("{out}/many_origins.rs"), source).unwrap();
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/origins.rs");
}

include!("src/origins.rs");
