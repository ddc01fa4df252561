//! Every behaviour one process can test at once, a module each (the index: `tests/README.md`).
//! Tests that need a process of their own — a global allocator, environment variables read once,
//! messages said once per process, the metrics recorder's counts, fixed ports, child processes —
//! are binaries of their own beside this one.

#[path = "../common/mod.rs"]
mod common;

mod builder_routes;
mod conformance;
mod docs;
mod guard;
mod hostile;
mod layouts;
mod many_origins;
mod neighbours;
mod properties;
mod real_apps;
mod refusal_reasons;
mod report;
mod revoked_sockets;
mod routes;
mod tenants;
