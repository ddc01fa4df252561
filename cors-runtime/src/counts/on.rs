//! The `metrics` feature on: handles registered once — a route's when its app is built, a
//! provider's at its first use — then counting is an increment through a handle, with no
//! allocation and no label built per request.

use std::cell::OnceCell;
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Key, Label, Metadata};

use super::names::{
    GUARD_TOTAL, PREFLIGHTS_TOTAL, REFUSALS_TOTAL, RESPONSES_TOTAL, TENANT_FEED_BEATS_TOTAL,
    TENANT_FEED_CONNECTED, TENANT_FEED_NOTIFICATIONS_TOTAL, TENANT_FEED_QUEUE_USAGE,
    TENANT_FEED_UNHEARD_SECONDS, TENANT_LOOKUPS_TOTAL, TENANT_LOOKUP_DURATION_SECONDS,
    WOULD_REFUSE_TOTAL,
};
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
            (PREFLIGHTS_TOTAL, "CORS preflights answered, by route and outcome"),
            (
                RESPONSES_TOTAL,
                "Actual requests carrying Origin, by route and whether their answer got CORS headers",
            ),
            (
                GUARD_TOTAL,
                "Writes and WebSocket handshakes the guard judged (R20, R21), by route, request and outcome",
            ),
            (REFUSALS_TOTAL, "CORS refusals, by route and reason"),
            (
                WOULD_REFUSE_TOTAL,
                "Writes and handshakes report-only mode let in, by route and the reason it would refuse",
            ),
            (TENANT_LOOKUPS_TOTAL, "Tenant origin lookups, by provider and outcome"),
            (
                TENANT_FEED_NOTIFICATIONS_TOTAL,
                "Changes the provider's change feed delivered",
            ),
            (
                TENANT_FEED_BEATS_TOTAL,
                "Heartbeats of the provider's change feed, sent and heard back on its listening session",
            ),
        ];
        for (name, help) in counters {
            recorder.describe_counter(name.into(), None, help.into());
        }
        recorder.describe_histogram(
            TENANT_LOOKUP_DURATION_SECONDS.into(),
            Some(metrics::Unit::Seconds),
            "How long tenant origin lookups took".into(),
        );
        recorder.describe_gauge(
            TENANT_FEED_CONNECTED.into(),
            None,
            "1 while the provider's change feed hears changes, 0 once it is lost".into(),
        );
        recorder.describe_gauge(
            TENANT_FEED_QUEUE_USAGE.into(),
            None,
            "How full the store's queue of undelivered notifications is, 0 to 1, as the \
             provider's change feed last read it (PostgreSQL: pg_notification_queue_usage())"
                .into(),
        );
        recorder.describe_gauge(
            TENANT_FEED_UNHEARD_SECONDS.into(),
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
            preflights: by_outcome(PREFLIGHTS_TOTAL),
            responses: by_outcome(RESPONSES_TOTAL),
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
                    GUARD_TOTAL,
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
        self.by_reason(&self.0.refusals, REFUSALS_TOTAL, reason);
    }

    pub(crate) fn would_refuse(&self, reason: RefusalKind) {
        self.by_reason(&self.0.would_refuse, WOULD_REFUSE_TOTAL, reason);
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
    /// `cors_tenant_lookups_total`: loaded, failed, timed out, shed.
    outcomes: [Counter; 4],
    duration: Histogram,
}

struct FeedHandles {
    connected: Gauge,
    notifications: Counter,
    /// `cors_tenant_feed_beats_total`: sent, heard.
    beats: [Counter; 2],
    unheard: Gauge,
    queue_usage: Gauge,
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

    fn lookup_handles(&self) -> &LookupHandles {
        self.lookups.get_or_init(|| LookupHandles {
            outcomes: ["loaded", "failed", "timed_out", "shed"].map(|outcome| {
                counter(
                    TENANT_LOOKUPS_TOTAL,
                    vec![
                        Label::new("provider", self.provider),
                        Label::new("outcome", outcome),
                    ],
                )
            }),
            duration: metrics::with_recorder(|recorder| {
                recorder.register_histogram(
                    &key(TENANT_LOOKUP_DURATION_SECONDS, self.labels()),
                    &METADATA,
                )
            }),
        })
    }

    pub(crate) fn lookup(&self, outcome: LookupOutcome, took: Duration) {
        let handles = self.lookup_handles();
        handles.outcomes[outcome as usize].increment(1);
        handles.duration.record(took.as_secs_f64());
    }

    /// A lookup not made: too many in flight (no duration: it took none).
    pub(crate) fn lookup_shed(&self) {
        self.lookup_handles().outcomes[LookupOutcome::Shed as usize].increment(1);
    }

    fn feed(&self) -> &FeedHandles {
        self.feed.get_or_init(|| FeedHandles {
            connected: metrics::with_recorder(|recorder| {
                recorder.register_gauge(&key(TENANT_FEED_CONNECTED, self.labels()), &METADATA)
            }),
            notifications: counter(TENANT_FEED_NOTIFICATIONS_TOTAL, self.labels()),
            beats: ["sent", "heard"].map(|direction| {
                counter(
                    TENANT_FEED_BEATS_TOTAL,
                    vec![
                        Label::new("provider", self.provider),
                        Label::new("direction", direction),
                    ],
                )
            }),
            unheard: metrics::with_recorder(|recorder| {
                recorder.register_gauge(&key(TENANT_FEED_UNHEARD_SECONDS, self.labels()), &METADATA)
            }),
            queue_usage: metrics::with_recorder(|recorder| {
                recorder.register_gauge(&key(TENANT_FEED_QUEUE_USAGE, self.labels()), &METADATA)
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

    pub(crate) fn queue_usage(&self, usage: f64) {
        self.feed().queue_usage.set(usage);
    }

    /// How long the feed has not proved that it hears (`None`: it never has).
    pub(crate) fn feed_silence(&self, unheard: Option<Duration>) {
        self.feed()
            .unheard
            .set(unheard.map_or(-1.0, |unheard| unheard.as_secs_f64()));
    }
}
