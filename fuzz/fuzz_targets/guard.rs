//! The guard on writes and WebSocket handshakes (R20, R21): the production decision lets a
//! request in exactly when the model of `CORS-PROTOCOL.md`'s tables does, whatever the method,
//! `Sec-Fetch-Site` and `Origin` bytes, the cookie and the route's policy.
#![no_main]

use cors_runtime::fuzzing::GuardPolicy;
use libfuzzer_sys::fuzz_target;

#[path = "model.rs"]
mod model;

fuzz_target!(|data: &[u8]| {
    // A first byte of flags, then three sections: method, `Sec-Fetch-Site` values, `Origin`
    // values (NUL never occurs in a value).
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let policy = match flags & 0b11 {
        0 => GuardPolicy::Credentialed,
        1 => GuardPolicy::Uncredentialed,
        2 => GuardPolicy::Anyone,
        _ => GuardPolicy::OptedOut,
    };
    let (websocket, cookie) = (flags & 0b100 != 0, flags & 0b1000 != 0);
    let mut sections = rest.splitn(3, |&b| b == 0);
    let method = sections.next().unwrap_or_default();
    let sites = model::values(sections.next().unwrap_or_default());
    let origins = model::values(sections.next().unwrap_or_default());
    if cors_runtime::__private::actix_web::http::Method::from_bytes(method).is_err() {
        return;
    }
    let passed =
        cors_runtime::fuzzing::guard(policy, method, websocket, &sites, &origins, cookie);
    let expected = model::guard_passes(policy, method, websocket, &sites, &origins, cookie);
    assert_eq!(
        passed, expected,
        "{policy:?} {method:?} websocket={websocket} sites={sites:?} origins={origins:?} \
         cookie={cookie}"
    );
});
