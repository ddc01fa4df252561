//! `Access-Control-Request-Headers` parsing: allowed exactly when the model says.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "model.rs"]
mod model;

fuzz_target!(|data: &[u8]| {
    let lists = model::values(data);
    let allowed = cors_runtime::fuzzing::request_headers_allowed(&lists);
    assert_eq!(
        allowed,
        model::request_headers_allowed(&lists),
        "lists {lists:?}"
    );
});
