//! `Origin` matching: the runtime echoes exactly the one `Origin` the model allows, and nothing
//! else, ever.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "model.rs"]
mod model;

fuzz_target!(|data: &[u8]| {
    let origins = model::values(data);
    let answer = cors_runtime::fuzzing::allow_origin(&origins);
    let expected = match origins.as_slice() {
        [origin] if model::origin_allowed(origin) => Some(origin.to_vec()),
        _ => None,
    };
    assert_eq!(answer, expected, "origins {origins:?}");
});
