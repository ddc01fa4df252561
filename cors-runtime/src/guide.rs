//! Guides: how to use the crate in a real app, one page per subject. Documentation only — the
//! modules hold no items; every Rust example on these pages is compiled as a doc-test.
//!
//! - [`real_apps`]: `configure` functions, scopes whose middleware authenticates, guards.
//! - [`writes_and_websockets`]: who may act on a route, as well as read it (R20, R21).
//! - [`configuration`]: origins from the environment or the app's configuration.
//! - [`tenants`]: each tenant's origins from the application's database.
//! - [`replicas`]: several replicas sharing one PostgreSQL, revocations reaching all at once.
//! - [`metrics`]: every decision counted; rolling the guard out on a dashboard.
//! - [`operating`]: the runbook — every `WARN` and `ERROR` line, the alerts, the connections,
//!   what happens in an outage, a failover, a misconfigured pooler.
//! - [`diagnostics`]: why a request was refused; development mode; the audit report.
//! - [`shared_policies`]: one policy for many routes.
//! - [`builder_routes`]: routes registered builder-style, a scope's default, opting out.
//! - [`from_actix_cors`]: every `actix_cors::Cors` method's key, and what behaves differently.
//! - [`runtime`]: every kind of request and its answer; how the attribute and the layer work.
//! - [`compile_errors`]: every policy refused at compile time, by its message.
//! - [`protocol`]: the rules R1–R23 the code and the tests cite, each linked to its standard.
//! - [`limits`]: what the crate does not do.
//!
//! The attribute's own reference is on [`cors`](crate::cors).

#[doc = include_str!("../docs/real_apps.md")]
pub mod real_apps {}

#[doc = include_str!("../docs/writes_and_websockets.md")]
pub mod writes_and_websockets {}

#[doc = include_str!("../docs/configuration.md")]
pub mod configuration {}

#[doc = include_str!("../docs/tenants.md")]
pub mod tenants {}

#[doc = include_str!("../docs/replicas.md")]
pub mod replicas {}

#[doc = include_str!("../docs/metrics.md")]
pub mod metrics {}

#[doc = include_str!("../docs/operating.md")]
pub mod operating {}

#[doc = include_str!("../docs/diagnostics.md")]
pub mod diagnostics {}

#[doc = include_str!("../docs/shared_policies.md")]
pub mod shared_policies {}

#[doc = include_str!("../docs/builder_routes.md")]
pub mod builder_routes {}

#[doc = include_str!("../docs/from_actix_cors.md")]
pub mod from_actix_cors {}

#[doc = include_str!("../docs/runtime.md")]
pub mod runtime {}

#[doc = include_str!("../docs/compile_errors.md")]
pub mod compile_errors {}

#[doc = include_str!("../docs/protocol.md")]
pub mod protocol {}

#[doc = include_str!("../docs/limits.md")]
pub mod limits {}
