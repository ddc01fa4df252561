//! Routes without `#[cors]` under the app-wide guard (R23, opt-in:
//! [`CorsFirst::guard_every_route`](super::CorsFirst::guard_every_route)): a write from another
//! site — a form any site can post with the user's cookie, once the session cookie is
//! `SameSite=None` for a front end on another domain — is refused with `403` before any
//! middleware or handler runs; the exempted paths (an OpenID Connect `form_post` callback, a
//! payment provider's return) are left alone. `#[cors]` routes keep their own policy (R20).
//!
//! A route without `#[cors]` has no pattern of its own in the layer: a request's route is named,
//! in counts and log lines, by the pattern actix-web's resource map finds for its path (bounded by
//! the app's routes), or `(no route)` — never by the path as sent.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::ORIGIN;
use actix_web::Error;

use super::requester::Requester;
use super::{CorsFirstFuture, Settings};
use crate::app::route::path::PathMatcher;
use crate::counts::{self, GuardOutcome, RouteCounts};
use crate::decide::{self, GuardRefusal, Reason};
use crate::explain::{self, dev_mode, RouteName};
use crate::request::Values;
use crate::respond;

/// How a route without `#[cors]` is named when its path matches no resource of the app.
const NO_ROUTE: &str = "(no route)";

/// The app-wide guard as the app set it: its exempted paths.
#[derive(Clone, Default)]
pub(crate) struct AppWideGuard {
    pub(crate) exempt: Vec<Exemption>,
}

/// A path pattern the app-wide guard leaves alone, as written, with its matcher — or why it
/// has none (the app then does not start).
#[derive(Clone)]
pub(crate) struct Exemption {
    pub(crate) pattern: String,
    pub(crate) matcher: Result<PathMatcher, String>,
}

impl Exemption {
    /// `pattern`, checked: a full path as actix-web writes one (`/hooks/sso`,
    /// `/payments/{provider}/return`, `/oidc/{rest}*`).
    pub(crate) fn new(pattern: &str) -> Self {
        let matcher = if pattern.starts_with('/') {
            PathMatcher::new(pattern).map_err(|_| {
                "it is not a path pattern actix-web accepts (`/hooks/sso`, `/pay/{id}/return`, \
                 `/oidc/{rest}*`)"
                    .to_owned()
            })
        } else {
            Err("a path pattern starts with `/`".to_owned())
        };
        Self {
            pattern: pattern.to_owned(),
            matcher,
        }
    }

    fn covers(&self, path: &str) -> bool {
        self.matcher
            .as_ref()
            .is_ok_and(|matcher| matcher.matches(path))
    }
}

impl AppWideGuard {
    /// Why the app cannot start: each exemption that is no pattern, as a message.
    pub(crate) fn problems(&self) -> Vec<String> {
        self.exempt
            .iter()
            .filter_map(|exemption| {
                exemption.matcher.as_ref().err().map(|why| {
                    format!(
                        "the app-wide guard's exemption `{}` cannot be used: {why}",
                        crate::policy::configured::AsWritten(&exemption.pattern)
                    )
                })
            })
            .collect()
    }
}

/// The guard in one worker's layer: the settings, and the counts of each route it judged.
pub(crate) struct PlainRoutes {
    guard: AppWideGuard,
    /// By the route's pattern: as many as the app has routes, plus one.
    counts: RefCell<HashMap<String, RouteCounts>>,
}

impl PlainRoutes {
    pub(crate) fn new(guard: AppWideGuard) -> Self {
        Self {
            guard,
            counts: RefCell::default(),
        }
    }

    /// Its exempted patterns, as written.
    pub(crate) fn exemptions(&self) -> Vec<String> {
        self.guard
            .exempt
            .iter()
            .map(|exemption| exemption.pattern.clone())
            .collect()
    }

    fn counts(&self, pattern: &str) -> RouteCounts {
        self.counts
            .borrow_mut()
            .entry(pattern.to_owned())
            .or_insert_with(|| RouteCounts::new(pattern))
            .clone()
    }
}

/// The pattern of the route `request` is for, as actix-web's resource map finds it.
fn pattern_of(request: &ServiceRequest) -> String {
    request
        .request()
        .resource_map()
        .match_pattern(request.path())
        .unwrap_or_else(|| NO_ROUTE.to_owned())
}

/// A request no `#[cors]` route takes, in an app with the app-wide guard: into the app, or —
/// a write from another origin to a path not exempted — answered `403` here.
#[inline(never)]
pub(super) fn actual<S, B>(
    service: &Rc<S>,
    settings: Settings,
    plain: &PlainRoutes,
    request: ServiceRequest,
) -> CorsFirstFuture<S::Future, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    let refused = {
        let origin = Values::of(request.headers(), &ORIGIN);
        match decide::guard::plain_write(
            request.method(),
            origin,
            &Requester(&request),
            settings.own_host(),
        ) {
            Ok(None) => None,
            _ if plain.guard.exempt.iter().any(|e| e.covers(request.path())) => None,
            Ok(Some(judged)) => {
                if counts::ON {
                    plain
                        .counts(&pattern_of(&request))
                        .guard(judged, GuardOutcome::Allowed);
                }
                None
            }
            Err(refusal) => refuse(settings, plain, &request, origin, refusal),
        }
    };
    match refused {
        Some(answer) => CorsFirstFuture::answered(request.into_response(answer)),
        None => CorsFirstFuture::passed(service.call(request)),
    }
}

/// A write the guard refuses: counted and said; its answer — `None` in report-only mode, where
/// it goes on.
#[cold]
#[inline(never)]
fn refuse(
    settings: Settings,
    plain: &PlainRoutes,
    request: &ServiceRequest,
    origin: Values<'_>,
    refusal: GuardRefusal<'_>,
) -> Option<actix_web::HttpResponse> {
    let pattern = pattern_of(request);
    let counts = plain.counts(&pattern);
    let name = RouteName {
        method: request.method().as_str().as_bytes(),
        pattern: pattern.into(),
    };
    let reason = Reason::Guard(refusal);
    let no_policy = crate::policy::opted_out();
    if settings.guard_reports_only {
        counts.guard(refusal.judged(), GuardOutcome::WouldRefuse);
        counts.would_refuse(refusal.counted());
        explain::report_guard(false, &name, origin, refusal.site, &reason, no_policy);
        return None;
    }
    counts.guard(refusal.judged(), GuardOutcome::Refused);
    counts.refusal(refusal.counted());
    if explain::listened() {
        explain::report_guard(true, &name, origin, refusal.site, &reason, no_policy);
    }
    let mut answer = respond::guard::forbidden();
    if settings.explain {
        if let Some(value) = dev_mode::reason_value(&reason, no_policy) {
            answer.headers_mut().insert(dev_mode::REFUSAL_HEADER, value);
        }
    }
    Some(answer)
}
