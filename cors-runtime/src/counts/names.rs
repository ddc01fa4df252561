//! The names of the metrics this crate records (the `metrics` feature), and the buckets
//! recommended for its histogram: public as `cors_runtime::metrics`, so that an app's recorder
//! set-up and its dashboards name them from one place.

/// CORS preflights answered, by `route` and `outcome` (`granted`, `refused`).
pub const PREFLIGHTS_TOTAL: &str = "cors_preflights_total";
/// Actual requests carrying `Origin`, by `route` and whether their answer got CORS headers
/// (`outcome` = `granted`, `refused`).
pub const RESPONSES_TOTAL: &str = "cors_responses_total";
/// Writes and WebSocket handshakes the guard judged (R20, R21), by `route`, `request` (`write`,
/// `websocket`) and `outcome` (`allowed`, `refused`, `would_refuse`).
pub const GUARD_TOTAL: &str = "cors_guard_total";
/// Refusals, by `route` and `reason`.
pub const REFUSALS_TOTAL: &str = "cors_refusals_total";
/// What report-only mode let in, by `route` and the `reason` it would have refused.
pub const WOULD_REFUSE_TOTAL: &str = "cors_would_refuse_total";
/// Tenant lookups, by `provider` and `outcome` (`loaded`, `failed`, `timed_out`, `shed`: refused
/// at once, too many lookups in flight).
pub const TENANT_LOOKUPS_TOTAL: &str = "cors_tenant_lookups_total";
/// How long tenant lookups took, by `provider`: a histogram — record it with
/// [`LOOKUP_DURATION_BUCKETS`].
pub const TENANT_LOOKUP_DURATION_SECONDS: &str = "cors_tenant_lookup_duration_seconds";
/// 1 while the provider's change feed hears changes, 0 once it is lost (a gauge).
pub const TENANT_FEED_CONNECTED: &str = "cors_tenant_feed_connected";
/// Changes the provider's change feed delivered.
pub const TENANT_FEED_NOTIFICATIONS_TOTAL: &str = "cors_tenant_feed_notifications_total";
/// The change feed's heartbeats, by `direction` (`sent`, `heard`).
pub const TENANT_FEED_BEATS_TOTAL: &str = "cors_tenant_feed_beats_total";
/// Seconds since the change feed last proved that it hears every change; -1 while it never has
/// (a gauge).
pub const TENANT_FEED_UNHEARD_SECONDS: &str = "cors_tenant_feed_unheard_seconds";
/// How full the store's queue of notifications not yet delivered is, from 0 to 1, as the feed
/// last read it (PostgreSQL's `pg_notification_queue_usage()`; a gauge). A full queue makes every
/// `NOTIFY` — so every write to the tenants' table — fail at commit.
pub const TENANT_FEED_QUEUE_USAGE: &str = "cors_tenant_feed_queue_usage";

/// The buckets recommended for [`TENANT_LOOKUP_DURATION_SECONDS`], in seconds: a warm database
/// answers in about a millisecond, the default lookup timeout is a second. Recorded as a
/// histogram (not a summary), its quantiles can be computed across replicas:
/// `histogram_quantile(0.99, sum by (le) (rate(cors_tenant_lookup_duration_seconds_bucket[5m])))`.
pub const LOOKUP_DURATION_BUCKETS: [f64; 12] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];
