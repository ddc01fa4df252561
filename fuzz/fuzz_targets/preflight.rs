//! The preflight decision: allowed exactly when the origin, the single requested method and
//! every requested header are; an allowed answer names exactly the requesting origin, a
//! refusal names nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "model.rs"]
mod model;

fuzz_target!(|data: &[u8]| {
    // Three sections: origins, methods, requested-header lists (NUL never occurs in a value).
    let mut sections = data.splitn(3, |&b| b == 0);
    let origins = model::values(sections.next().unwrap_or_default());
    let methods = model::values(sections.next().unwrap_or_default());
    let lists = model::values(sections.next().unwrap_or_default());
    let (allowed, allow_origin) = cors_runtime::fuzzing::preflight(&origins, &methods, &lists);
    let origin_ok = matches!(origins.as_slice(), [origin] if model::origin_allowed(origin));
    let method_ok =
        matches!(methods.as_slice(), [method] if *method == b"GET" || *method == b"POST");
    let expected = origin_ok && method_ok && model::request_headers_allowed(&lists);
    assert_eq!(allowed, expected, "{origins:?} {methods:?} {lists:?}");
    let expected_origin = if allowed {
        origins.first().map(|o| o.to_vec())
    } else {
        None
    };
    assert_eq!(allow_origin, expected_origin);
});
