//! `GET /metrics` (no `#[cors]`): every decision of the conformance routes, counted by
//! `cors-runtime`'s `metrics` feature, in Prometheus' text format through
//! `metrics-exporter-prometheus`.
//!
//! The recorder is installed once per process, when the first app is configured — before any
//! route registers its counters. A process that already has another recorder (a test's) answers
//! `503` here.

use std::sync::OnceLock;

use actix_web::{get, HttpResponse};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Buckets of `cors_tenant_lookup_duration_seconds`: a warm database answers in a millisecond,
/// the lookup timeout is a second.
const LOOKUP_BUCKETS: [f64; 9] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0];

/// The process's Prometheus recorder, installed on first use; `None` when another recorder was
/// installed first.
pub fn prometheus() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    metrics_exporter_prometheus::Matcher::Full(
                        "cors_tenant_lookup_duration_seconds".to_owned(),
                    ),
                    &LOOKUP_BUCKETS,
                )
                .ok()?
                .install_recorder()
                .ok()
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
