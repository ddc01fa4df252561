//! `GET /metrics` (no `#[cors]`): every decision of the conformance routes, counted by
//! `cors-runtime`'s `metrics` feature, in Prometheus' text format through
//! `metrics-exporter-prometheus`.
//!
//! The recorder is installed once per process, when the first app is configured — before any
//! route registers its counters. A process that already has another recorder (a test's) answers
//! `503` here.

use std::sync::OnceLock;

use actix_web::{get, HttpResponse};
use cors_runtime::metrics::{LOOKUP_DURATION_BUCKETS, TENANT_LOOKUP_DURATION_SECONDS};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's Prometheus recorder, installed on first use — the metrics guide's own set-up
/// (its lookup durations a histogram with the recommended buckets; `tests/behaviours/docs.rs`
/// checks that the guide says exactly this) —; `None` when another recorder was installed first.
pub fn prometheus() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            // The metrics guide's set-up, from here:
            let prometheus = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(TENANT_LOOKUP_DURATION_SECONDS.to_owned()),
                    &LOOKUP_DURATION_BUCKETS,
                )
                .ok()?
                .install_recorder()
                .ok()?;
            // … to here.
            Some(prometheus)
        })
        .as_ref()
}

/// The counts, in Prometheus' text exposition format.
#[get("/metrics")]
pub async fn metrics() -> HttpResponse {
    match prometheus() {
        Some(handle) => {
            // The recorder leaves its upkeep (draining histograms) to the caller.
            handle.run_upkeep();
            HttpResponse::Ok()
                .content_type("text/plain; version=0.0.4; charset=utf-8")
                .body(handle.render())
        }
        None => HttpResponse::ServiceUnavailable().body("another metrics recorder is installed"),
    }
}
