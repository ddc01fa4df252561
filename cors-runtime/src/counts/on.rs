//! The `metrics` feature on: handles registered once — a route's when its app is built, a
//! provider's at its first use — then counting is an increment through a handle, with no
//! allocation and no label built per request.

use std::cell::OnceCell;
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Key, Label, Metadata};

use super::{GuardOutcome, Judged, LookupOutcome, RefusalKind};

/// Where the counts come from, for exporters that show it.
static METADATA: Metadata<'static> =
    Metadata::new("cors_runtime", metrics::Level::INFO, Some(module_path!()));

fn key(name: &'static str, labels: Vec<Label>) -> Key {
    Key::from_parts(name, labels)
}

fn counter(name: &'static str, labels: Vec<Label>) -> Counter {
    metrics::with_recorder(|recorder| {
        describe(recorder);
        recorder.register_counter(&key(name, labels), &METADATA)
    })
}

/// What each metric means, said to the recorder once (exporters print it as `# HELP`).
fn describe(recorder: &dyn metrics::Recorder) {
    static DESCRIBED: std::sync::Once = std::sync::Once::new();
    DESCRIBED.call_once(|| {
        let counters = [
            ("cors_preflights_total", "CORS preflights answered, by route and outcome"),
            (
                "cors_responses_total",
                "Actual requests carrying Origin, by route and whether their answer got CORS headers",
            ),
            (
                "cors_guard_total",
                "Writes and WebSocket handshakes the guard judged (R20, R21), by route, request and outcome",
            ),
            ("cors_refusals_total", "CORS refusals, by route and reason"),
            (
                "cors_would_refuse_total",
                "Writes and handshakes report-only mode let in, by route and the reason it would refuse",
            ),
            ("cors_tenant_lookups_total", "Tenant origin lookups, by provider and outcome"),
            (
                "cors_tenant_feed_notifications_total",
                "Changes the provider's change feed delivered",
            ),
            (
                "cors_tenant_feed_beats_total",
                "Heartbeats of the provider's change feed, sent and heard back on its listening session",
            ),
        ];
        for (name, help) in counters {
            recorder.describe_counter(name.into(), None, help.into());
        }
        recorder.describe_histogram(
            "cors_tenant_lookup_duration_seconds".into(),
            Some(metrics::Unit::Seconds),
            "How long tenant origin lookups took".into(),
        );
        recorder.describe_gauge(
            "cors_tenant_feed_connected".into(),
            None,
            "1 while the provider's change feed hears changes, 0 once it is lost".into(),
        );
        recorder.describe_gauge(
            "cors_tenant_feed_unheard_seconds".into(),
            Some(metrics::Unit::Seconds),
            "Seconds since the provider's change feed last proved that it hears every change \
             (a heartbeat heard back); -1 while it never has"
                .into(),
        );
    });
}

/// One route's counters, shared by the copies of the route in its app's table.
#[derive(Clone)]
pub(crate) struct RouteCounts(Rc<RouteHandles>);

struct RouteHandles {
    route: String,
    /// `cors_preflights_total`: granted, refused.
    preflights: [Counter; 2],
    /// `cors_responses_total`: granted, refused.
    responses: [Counter; 2],
    /// `cors_guard_total`: by request (write, websocket) and outcome; registered when first
    /// counted, so that a route serving no write shows no write series.
    guard: [[OnceCell<Counter>; 3]; 2],
    /// `cors_refusals_total` and `cors_would_refuse_total`, by reason; registered when first
    /// counted (18 reasons, most of which a route never gives).
    refusals: [OnceCell<Counter>; RefusalKind::ALL.len()],
    would_refuse: [OnceCell<Counter>; RefusalKind::ALL.len()],
}

const OUTCOMES: [&str; 2] = ["granted", "refused"];

impl RouteCounts {
    /// The counters of the route whose full pattern is `pattern`, registered with the recorder
    /// installed now.
    pub(crate) fn new(pattern: &str) -> Self {
        let by_outcome = |name: &'static str| {
            OUTCOMES.map(|outcome| {
                counter(
                    name,
                    vec![
                        Label::new("route", pattern.to_owned()),
                        Label::new("outcome", outcome),
                    ],
                )
            })
        };
        Self(Rc::new(RouteHandles {
            route: pattern.to_owned(),
            preflights: by_outcome("cors_preflights_total"),
            responses: by_outcome("cors_responses_total"),
            guard: Default::default(),
            refusals: Default::default(),
            would_refuse: Default::default(),
        }))
    }

    #[inline]
    pub(crate) fn preflight(&self, granted: bool) {
        self.0.preflights[usize::from(!granted)].increment(1);
    }

    #[inline]
    pub(crate) fn response(&self, granted: bool) {
        self.0.responses[usize::from(!granted)].increment(1);
    }

    pub(crate) fn guard(&self, request: Judged, outcome: GuardOutcome) {
        let handles = &self.0;
        handles.guard[request as usize][outcome as usize]
            .get_or_init(|| {
                counter(
                    "cors_guard_total",
                    vec![
                        Label::new("route", handles.route.clone()),
                        Label::new(
                            "request",
                            match request {
                                Judged::Write => "write",
                                Judged::Websocket => "websocket",
                            },
                        ),
                        Label::new(
                            "outcome",
                            match outcome {
                                GuardOutcome::Allowed => "allowed",
                                GuardOutcome::Refused => "refused",
                                GuardOutcome::WouldRefuse => "would_refuse",
                            },
                        ),
                    ],
                )
            })
            .increment(1);
    }

    pub(crate) fn refusal(&self, reason: RefusalKind) {
        self.by_reason(&self.0.refusals, "cors_refusals_total", reason);
    }

    pub(crate) fn would_refuse(&self, reason: RefusalKind) {
        self.by_reason(&self.0.would_refuse, "cors_would_refuse_total", reason);
    }

    fn by_reason(&self, cells: &[OnceCell<Counter>], name: &'static str, reason: RefusalKind) {
        cells[reason as usize]
            .get_or_init(|| {
                counter(
                    name,
                    vec![
                        Label::new("route", self.0.route.clone()),
                        Label::new("reason", reason.label()),
                    ],
                )
            })
            .increment(1);
    }
}

/// One provider's counters: its lookups' registered at its first lookup, its feed's when a feed
/// first reports (a provider without a feed shows no feed series).
pub(crate) struct ProviderCounts {
    provider: &'static str,
    lookups: OnceLock<LookupHandles>,
    feed: OnceLock<FeedHandles>,
}

struct LookupHandles {
    /// `cors_tenant_lookups_total`: loaded, failed, timed out.
    outcomes: [Counter; 3],
    duration: Histogram,
}

struct FeedHandles {
    connected: Gauge,
    notifications: Counter,
    /// `cors_tenant_feed_beats_total`: sent, heard.
    beats: [Counter; 2],
    unheard: Gauge,
}

impl ProviderCounts {
    pub(crate) fn new(provider: &'static str) -> Self {
        Self {
            provider,
            lookups: OnceLock::new(),
            feed: OnceLock::new(),
        }
    }

    fn labels(&self) -> Vec<Label> {
        vec![Label::new("provider", self.provider)]
    }

    pub(crate) fn lookup(&self, outcome: LookupOutcome, took: Duration) {
        let handles = self.lookups.get_or_init(|| LookupHandles {
            outcomes: ["loaded", "failed", "timed_out"].map(|outcome| {
                counter(
                    "cors_tenant_lookups_total",
                    vec![
                        Label::new("provider", self.provider),
                        Label::new("outcome", outcome),
                    ],
                )
            }),
            duration: metrics::with_recorder(|recorder| {
                recorder.register_histogram(
                    &key("cors_tenant_lookup_duration_seconds", self.labels()),
                    &METADATA,
                )
            }),
        });
        handles.outcomes[outcome as usize].increment(1);
        handles.duration.record(took.as_secs_f64());
    }

    fn feed(&self) -> &FeedHandles {
        self.feed.get_or_init(|| FeedHandles {
            connected: metrics::with_recorder(|recorder| {
                recorder
                    .register_gauge(&key("cors_tenant_feed_connected", self.labels()), &METADATA)
            }),
            notifications: counter("cors_tenant_feed_notifications_total", self.labels()),
            beats: ["sent", "heard"].map(|direction| {
                counter(
                    "cors_tenant_feed_beats_total",
                    vec![
                        Label::new("provider", self.provider),
                        Label::new("direction", direction),
                    ],
                )
            }),
            unheard: metrics::with_recorder(|recorder| {
                recorder.register_gauge(
                    &key("cors_tenant_feed_unheard_seconds", self.labels()),
                    &METADATA,
                )
            }),
        })
    }

    pub(crate) fn feed_connected(&self, connected: bool) {
        self.feed().connected.set(if connected { 1.0 } else { 0.0 });
    }

    pub(crate) fn notification(&self) {
        self.feed().notifications.increment(1);
    }

    pub(crate) fn beat_sent(&self) {
        self.feed().beats[0].increment(1);
    }

    pub(crate) fn beat_heard(&self) {
        let feed = self.feed();
        feed.beats[1].increment(1);
        feed.unheard.set(0.0);
    }

    /// How long the feed has not proved that it hears (`None`: it never has).
    pub(crate) fn feed_silence(&self, unheard: Option<Duration>) {
        self.feed()
            .unheard
            .set(unheard.map_or(-1.0, |unheard| unheard.as_secs_f64()));
    }
}
