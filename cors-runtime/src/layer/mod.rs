//! [`CorsFirst`]: the app-level middleware that applies each `#[cors]` route's policy before any
//! other middleware sees the request, and after every other middleware has answered it.
//!
//! It has to be at the app's edge. A preflight carries no credentials, so an authentication
//! layer on a scope refuses it; a refusal of an actual request by such a layer never reaches the
//! route. Both are the route's answers all the same, and the browser shows them to page script
//! only with the route's CORS headers. actix-web runs an app's middleware before any scope's,
//! and the last `.wrap(...)` of an `App` first; so `CorsFirst` is wrapped last.
//!
//! Per request: the route it is for is found ([`AppRoutes`]), what the decision needs of the
//! request read once ([`CorsRequest`] for a preflight, `Origin` for the others, and what the
//! guard on writes and handshakes asks for through [`requester`]), the decisions made
//! ([`crate::decide`]) before the request goes in — the request, headers included, is moved into
//! the app, and nothing here may keep a reference to it — and the grant written on the way out
//! ([`future`], [`crate::respond`]).

mod changing;
mod cors_error;
mod future;
mod requester;
mod tenant;

use std::cell::OnceCell;
use std::future::{ready, Ready};
use std::marker::PhantomData;
use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderValue, ORIGIN};
use actix_web::http::Method;
use actix_web::{Error, HttpResponse};

pub use future::CorsFirstFuture;

use self::future::{Decoration, Outcome};
use self::requester::Requester;
use crate::app::missing_layer;
use crate::app::route::AppRoute;
use crate::app::table::{AppRoutes, PreflightTarget};
use crate::counts::{self, GuardOutcome};
use crate::decide::{self, GuardRefusal, Reason, Refusal, Resolution};
use crate::explain::{self, dev_mode, RouteName};
use crate::policy::Policy;
use crate::request::{CorsRequest, PreflightAsk, Values};
use crate::respond;
use crate::tenant::handed::Handed;

/// Answers the preflights of every `#[cors]` route of the app and puts the route's CORS headers
/// on every response of it — the handler's, an extractor's error, and a refusal by any
/// middleware inside the app (authentication on a scope, rate limiting) alike. One per app, as
/// its last `.wrap(...)`, so that it runs first:
///
/// ```
/// use actix_web::middleware::{from_fn, Next};
/// use actix_web::{body::MessageBody, dev, get, web, App, Error, Responder};
/// use cors_runtime::{cors, CorsFirst};
///
/// #[cors(origins = ["https://app.example.com"], credentials, headers = ["authorization"])]
/// #[get("/me")]
/// async fn me() -> impl Responder { "me" }
///
/// async fn require_token(
///     request: dev::ServiceRequest,
///     next: Next<impl MessageBody>,
/// ) -> Result<dev::ServiceResponse<impl MessageBody>, Error> {
///     if !request.headers().contains_key("authorization") {
///         return Err(actix_web::error::ErrorUnauthorized("login required"));
///     }
///     next.call(request).await
/// }
///
/// let app = App::new()
///     .service(web::scope("/api").wrap(from_fn(require_token)).service(me))
///     .wrap(CorsFirst::new());
/// # drop(app);
/// ```
///
/// Routes without `#[cors]` are left alone. A `#[cors]` route in an app without this layer
/// gets no CORS headers, and a warning naming the route is logged when the app starts.
pub struct CorsFirst {
    armed: missing_layer::Armed,
    /// Development mode ([`crate::explain`]).
    explain: bool,
    /// The guard on writes and WebSocket handshakes refuses (`false`), or only reports.
    guard_reports_only: bool,
    /// Built per worker thread, like every actix-web app: never sent between threads.
    not_send: PhantomData<Rc<()>>,
}

impl CorsFirst {
    /// The layer. Create it inside the closure that builds the `App`.
    #[must_use]
    pub fn new() -> Self {
        let explain = dev_mode::requested_by_environment();
        if explain {
            crate::startup::say::development_mode_is_on();
        }
        Self {
            armed: missing_layer::Armed::new(),
            explain,
            guard_reports_only: false,
            not_send: PhantomData,
        }
    }

    /// Report-only mode of the guard on cross-origin writes and WebSocket handshakes (R20,
    /// R21), for rolling it out on an existing app: every request it would refuse is let in and
    /// logged at `WARN` (target `cors_runtime`) with the route, the origin, `Sec-Fetch-Site` and
    /// the row; nothing is refused. CORS itself is unchanged. Said once when the app starts.
    #[must_use]
    pub fn report_only_guard(mut self) -> Self {
        crate::startup::say::guard_reports_only();
        self.guard_reports_only = true;
        self
    }

    /// Development mode: refusals explained to the browser (an `x-cors-refusal` header, and
    /// preflight answers that make the browser name the method or header it lacks). Debug
    /// builds only: in a release build the call compiles and does nothing but say once, at
    /// `WARN`, that it was ignored — so code written in debug builds as released, and
    /// development mode cannot reach production by accident. `CORS_RUNTIME_EXPLAIN=1` does the
    /// same without a code change, and is ignored by release builds too.
    #[must_use]
    pub fn explain_refusals(mut self) -> Self {
        if cfg!(debug_assertions) {
            if !self.explain {
                crate::startup::say::development_mode_is_on();
            }
            self.explain = true;
        } else {
            crate::startup::say::development_mode_ignored_in_release();
        }
        self
    }
}

impl Default for CorsFirst {
    fn default() -> Self {
        Self::new()
    }
}

impl Clone for CorsFirst {
    fn clone(&self) -> Self {
        Self {
            armed: missing_layer::Armed::new(),
            explain: self.explain,
            guard_reports_only: self.guard_reports_only,
            not_send: PhantomData,
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for CorsFirst
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsFirstService<S>;
    type InitError = ();
    type Future = Ready<Result<CorsFirstService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        self.armed.disarm();
        ready(Ok(CorsFirstService {
            service: Rc::new(service),
            routes: OnceCell::new(),
            settings: Settings {
                explain: self.explain,
                guard_reports_only: self.guard_reports_only,
            },
        }))
    }
}

/// The per-worker service of [`CorsFirst`].
pub struct CorsFirstService<S> {
    /// Shared with the requests that wait for a tenant lookup ([`tenant`]).
    service: Rc<S>,
    /// The app's `#[cors]` routes, compiled when the app was built and linked to this layer by
    /// its first request.
    routes: OnceCell<AppRoutes>,
    settings: Settings,
}

/// How the layer answers: what it was built with.
#[derive(Clone, Copy)]
pub(crate) struct Settings {
    /// Development mode ([`crate::explain`]).
    explain: bool,
    /// The guard on writes and handshakes only reports.
    guard_reports_only: bool,
}

/// What becomes of an actual request to a `#[cors]` route, decided before the app sees it.
pub(crate) enum Next {
    /// Into the app, its answer then given this decision's headers.
    Go(Outcome),
    /// Answered here: the guard refused it. Boxed: a response is large, and the common paths
    /// move this value.
    Stop(Box<HttpResponse>),
}

/// What becomes of an `OPTIONS` request.
enum Preflight<'a, 'r> {
    /// A preflight to a `#[cors]` route, answered.
    Answered(HttpResponse),
    /// A preflight to a tenant route whose tenant's origins are not at hand: answered once
    /// they are looked up.
    LookUp(&'a AppRoute, String),
    /// Not a preflight to a `#[cors]` path: its `Origin`, read, for the route it is for.
    NotOne(Values<'r>),
}

impl<S, B> Service<ServiceRequest> for CorsFirstService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFirstFuture<S::Future, B>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let routes = self
            .routes
            .get_or_init(|| AppRoutes::of_app(request.request()));
        // Only an `OPTIONS` can be a preflight. Any other request is read once its route is
        // known to be a `#[cors]` route, and not at all otherwise.
        let mut origin = None;
        if *request.method() == Method::OPTIONS {
            match self.settings.preflight(routes, &request) {
                Preflight::Answered(answer) => {
                    return CorsFirstFuture::answered(request.into_response(answer));
                }
                Preflight::LookUp(route, tenant) => {
                    let route = route.clone();
                    return tenant::preflight_after_lookup(self.settings, route, request, tenant);
                }
                Preflight::NotOne(read) => origin = Some(read),
            }
        }
        let Some(route) = routes.for_actual(&request) else {
            return CorsFirstFuture::passed(self.service.call(request));
        };
        if let Some(changing) = &route.changing {
            return changing::actual(&self.service, self.settings, route, changing, request);
        }
        let origin = origin.unwrap_or_else(|| Values::of(request.headers(), &ORIGIN));
        let next = self.settings.actual(
            route,
            &request,
            origin,
            decide::listed(route.policy, origin),
        );
        go(&*self.service, request, route.policy, next, None)
    }
}

/// `request` into the app, or answered here, as `next` says; a tenant route's request with the
/// tenant `handed` to the app's code while it is in there. Always inlined: on the common paths
/// it is the app's call, and a call of its own cost more than the rest of it.
#[inline(always)]
pub(crate) fn go<S, B>(
    service: &S,
    request: ServiceRequest,
    policy: &'static Policy,
    next: Next,
    handed: Option<Handed>,
) -> CorsFirstFuture<S::Future, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
{
    match next {
        Next::Go(outcome) => CorsFirstFuture::decorated(
            service.call(request),
            Decoration {
                policy,
                outcome,
                handed,
            },
        ),
        Next::Stop(answer) => {
            // Refused before the app: nothing of it will ask for the tenant.
            Handed::take_back_any(handed);
            CorsFirstFuture::answered(request.into_response(*answer))
        }
    }
}

impl Settings {
    /// What becomes of an actual request to `route`, from the decision on its `Origin`: the
    /// guard on writes and handshakes (R20, R21) first, then its CORS grant or refusal. Always
    /// inlined: its result is then never moved through memory.
    #[inline(always)]
    pub(crate) fn actual(
        self,
        route: &AppRoute,
        request: &ServiceRequest,
        origin: Values<'_>,
        decision: Result<decide::Grant, Reason<'_>>,
    ) -> Next {
        // Who may act on the route (R20, R21), before anything of the app runs.
        match decide::guard(
            route.policy,
            request.method(),
            origin,
            decision.is_ok(),
            &Requester(request),
        ) {
            Err(refused) => {
                if let Some(answer) = self.guard_refused(route, request, origin, refused) {
                    return Next::Stop(Box::new(answer));
                }
            }
            Ok(Some(judged)) => route.counts.guard(judged, GuardOutcome::Allowed),
            Ok(None) => {}
        }
        if counts::ON && !origin.is_absent() {
            route.counts.response(decision.is_ok());
            if let Some(reason) = decision.as_ref().err().and_then(Reason::counted) {
                route.counts.refusal(reason);
            }
        }
        Next::Go(match decision {
            Ok(grant) => Outcome::Granted(grant),
            Err(reason) if reason.is_reported() && (self.explain || explain::listened()) => {
                Outcome::Refused(self.refused_request(route, request, origin, &reason))
            }
            Err(_) => Outcome::Refused(None),
        })
    }

    /// A write or handshake the guard refuses: its reason said, and its answer — `None` in
    /// report-only mode, where the request goes on. Out of line: the common paths never come
    /// here.
    #[cold]
    #[inline(never)]
    fn guard_refused(
        self,
        route: &AppRoute,
        request: &ServiceRequest,
        origin: Values<'_>,
        refused: GuardRefusal<'_>,
    ) -> Option<HttpResponse> {
        let name = RouteName {
            method: request.method().as_str().as_bytes(),
            pattern: route.full_pattern(request),
        };
        let reason = Reason::Guard(refused);
        if self.guard_reports_only {
            route
                .counts
                .guard(refused.judged(), GuardOutcome::WouldRefuse);
            route.counts.would_refuse(refused.counted());
            explain::report_guard(false, &name, origin, refused.site, &reason, route.policy);
            return None;
        }
        route.counts.guard(refused.judged(), GuardOutcome::Refused);
        route.counts.refusal(refused.counted());
        if explain::listened() {
            explain::report_guard(true, &name, origin, refused.site, &reason, route.policy);
        }
        let mut answer = respond::guard::forbidden();
        if self.explain {
            if let Some(value) = dev_mode::reason_value(&reason, route.policy) {
                answer.headers_mut().insert(dev_mode::REFUSAL_HEADER, value);
            }
        }
        Some(answer)
    }

    /// What becomes of `request`, an `OPTIONS`.
    #[inline(never)]
    fn preflight<'a, 'r>(
        self,
        routes: &'a AppRoutes,
        request: &'r ServiceRequest,
    ) -> Preflight<'a, 'r> {
        let cors = CorsRequest::read(request.method(), request.headers());
        let Some(ask) = &cors.preflight else {
            return Preflight::NotOne(cors.origin);
        };
        match routes.for_preflight(request, ask) {
            PreflightTarget::NotCors => Preflight::NotOne(cors.origin),
            PreflightTarget::Route(route, method) => {
                let listed = decide::listed(route.policy, cors.origin);
                let Some(link) = route.tenant() else {
                    return Preflight::Answered(
                        self.answer_preflight(route, request, &cors, ask, method, listed),
                    );
                };
                let tenant = link.tenant_of(request);
                match decide::resolve(route.policy, link, tenant.as_deref(), listed) {
                    Resolution::Decided(origin, _) => Preflight::Answered(
                        self.answer_preflight(route, request, &cors, ask, method, origin),
                    ),
                    Resolution::LookUp => Preflight::LookUp(
                        route,
                        tenant.map(std::borrow::Cow::into_owned).unwrap_or_default(),
                    ),
                }
            }
            PreflightTarget::Refused(fact, route) => {
                let refusal = Refusal {
                    reason: fact.into(),
                    // What the origin alone would be granted, for development mode.
                    origin_grant: decide::listed(route.policy, cors.origin).ok(),
                };
                Preflight::Answered(self.refused_preflight(route, request, &cors, ask, &refusal))
            }
        }
    }

    /// A preflight's answer, from the decision on its origin.
    pub(crate) fn answer_preflight(
        self,
        route: &AppRoute,
        whole: &ServiceRequest,
        request: &CorsRequest<'_>,
        ask: &PreflightAsk<'_>,
        method: &[u8],
        origin: Result<decide::Grant, Reason<'_>>,
    ) -> HttpResponse {
        match decide::preflight(origin, route.policy, &route.allow_methods, ask, method) {
            Ok(grant) => {
                route.counts.preflight(true);
                respond::preflight::answer(route.policy, &route.allow_methods, Some(grant))
            }
            Err(refusal) => self.refused_preflight(route, whole, request, ask, &refusal),
        }
    }

    /// A refused preflight's answer, its reason said. Out of line: the common paths never come
    /// here.
    #[cold]
    #[inline(never)]
    pub(crate) fn refused_preflight(
        self,
        route: &AppRoute,
        whole: &ServiceRequest,
        request: &CorsRequest<'_>,
        ask: &PreflightAsk<'_>,
        refusal: &Refusal<'_>,
    ) -> HttpResponse {
        route.counts.preflight(false);
        if let Some(reason) = refusal.reason.counted() {
            route.counts.refusal(reason);
        }
        let mut answer = respond::preflight::answer(route.policy, &route.allow_methods, None);
        if explain::listened() {
            let name = RouteName {
                method: ask
                    .method
                    .all()
                    .first()
                    .map_or(&[][..], HeaderValue::as_bytes),
                pattern: route.full_pattern(whole),
            };
            explain::report(
                "preflight",
                &name,
                request.origin,
                &refusal.reason,
                route.policy,
            );
        }
        if self.explain {
            dev_mode::preflight(&mut answer, refusal, route.policy, &route.allow_methods);
        }
        answer
    }

    /// Says why an actual request's origin was refused; returns the explanation for the
    /// browser in development mode. Out of line: the common paths never come here.
    #[cold]
    #[inline(never)]
    fn refused_request(
        self,
        route: &AppRoute,
        request: &ServiceRequest,
        origin: Values<'_>,
        reason: &Reason<'_>,
    ) -> Option<Box<HeaderValue>> {
        if explain::listened() {
            let name = RouteName {
                method: request.method().as_str().as_bytes(),
                pattern: route.full_pattern(request),
            };
            explain::report("request", &name, origin, reason, route.policy);
        }
        if self.explain {
            dev_mode::reason_value(reason, route.policy).map(Box::new)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CorsFirst;
    use crate::startup::say;

    /// Code that calls `explain_refusals` compiles in both profiles; `.ci/run` runs this test
    /// with `--release` as well.
    #[test]
    fn explain_refusals_compiles_in_every_build_and_explains_in_debug_builds_only() {
        let layer = CorsFirst::new().explain_refusals();
        assert_eq!(layer.explain, cfg!(debug_assertions));
        // A release build said, once, that it ignored the call.
        let said_ignored = !say::first_time(say::DEVELOPMENT_MODE_IGNORED);
        assert_eq!(said_ignored, !cfg!(debug_assertions));
    }
}
