//! Host package of the workspace: it owns `examples/` and `tests/`, and holds the routes the
//! `conformance` example serves so the integration tests exercise exactly the same code.
//!
//! It is compiled under the strictest lints a user might choose, which is how CI checks that the
//! code `#[cors]` generates is clean under them.
#![deny(warnings, missing_docs)]
#![warn(clippy::pedantic)]

pub mod conformance;
#[cfg(feature = "tls")]
pub mod cross_site;
mod handler_runs;
mod hello_socket;
pub mod playground;
mod policies;
pub mod tenant_db;
pub mod tenant_pg;

/// The README's Rust snippets, compiled as doc-tests so the quickstart stays true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
