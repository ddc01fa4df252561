//! Compile-time behaviour of `#[cors]`: every refused configuration fails with its expected
//! message at its token (`tests/ui/fail/*.rs` and their `.stderr`), and every accepted form
//! compiles under `#![deny(warnings, missing_docs)]` (`tests/ui/pass/*.rs`).
//!
//! After an intended change to a message, regenerate the expectations with
//! `TRYBUILD=overwrite cargo test --test ui` and review the diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
