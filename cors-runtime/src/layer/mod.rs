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
pub(crate) mod noted;
pub(crate) mod plain;
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
use self::plain::{AppWideGuard, Exemption, PlainRoutes};
use self::requester::Requester;
use crate::app::missing_layer;
use crate::app::route::AppRoute;
use crate::app::table::{AppRoutes, PreflightTarget};
use crate::counts::{self, GuardOutcome};
use crate::decide::guard::OwnHost;
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
/// Routes without `#[cors]` are left alone — unless [`guard_every_route`](Self::guard_every_route)
/// asks that writes from other sites to them be refused too (R23). A `#[cors]` route in an app
/// without this layer gets no CORS headers, and a warning naming the route is logged when the app
/// starts.
pub struct CorsFirst {
    armed: missing_layer::Armed,
    /// Development mode ([`crate::explain`]).
    explain: bool,
    /// The guard on writes and WebSocket handshakes refuses (`false`), or only reports.
    guard_reports_only: bool,
    /// Whether the app-wide guard on routes without `#[cors]` is on (R23).
    guard_every_route: bool,
    /// Its exemptions.
    app_wide: AppWideGuard,
    /// Whether the host a reverse proxy forwards is the request's own.
    trust_forwarded_host: bool,
    /// When it was made, among this thread's registrations: what `check` and `report` find it
    /// by ([`noted`]).
    order: u64,
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
            guard_every_route: false,
            app_wide: AppWideGuard::default(),
            trust_forwarded_host: false,
            order: crate::app::route::entry::take_order(),
            not_send: PhantomData,
        }
        .noted()
    }

    /// Notes its settings for `check` and `report`.
    fn noted(self) -> Self {
        noted::note(noted::LayerNote {
            order: self.order,
            guard_every_route: self.guard_every_route,
            exemptions: self
                .app_wide
                .exempt
                .iter()
                .map(|exemption| exemption.pattern.clone())
                .collect(),
            problems: self.app_wide.problems(),
            report_only: self.guard_reports_only,
            forwarded_host: self.trust_forwarded_host,
        });
        self
    }

    /// The app-wide guard (R23): every route *without* `#[cors]` refuses writes from other
    /// origins too — a request whose method is not `GET`, `HEAD` or `OPTIONS`, with
    /// `Sec-Fetch-Site: cross-site` or `same-site`, or, from a browser without Fetch Metadata, an
    /// `Origin` that is not the request's own `Host` (or is `null`) — with `403`, before any
    /// middleware or handler runs, and no `Access-Control-*` header. `same-origin` and `none`
    /// (the user typed it) pass, and so do requests with neither header: curl, webhooks, other
    /// servers. `#[cors]` routes keep their own policy (R20), and paths can be left out with
    /// [`exempt_from_guard`](Self::exempt_from_guard).
    ///
    /// Why: a credentialed API called from a front end on another site needs its session cookie
    /// `SameSite=None`, and from then on every plain form of the app — settings, `/logout`, an
    /// upload — accepts a post from any other site, with the user's cookie. Report-only mode
    /// ([`report_only_guard`](Self::report_only_guard)), refusal reasons, metrics and the audit
    /// report cover it as they cover routes. Without it, the app says once, at its first request,
    /// how many routes without `#[cors]` take writes from anywhere.
    ///
    /// ```
    /// use actix_web::{post, App, Responder};
    /// use cors_runtime::CorsFirst;
    ///
    /// #[post("/settings")]
    /// async fn settings() -> impl Responder { "saved" }
    ///
    /// #[post("/auth/callback")]
    /// async fn callback() -> impl Responder { "signed in" }
    ///
    /// let app = App::new().service(settings).service(callback).wrap(
    ///     CorsFirst::new()
    ///         .guard_every_route()
    ///         // The identity provider's page posts its form_post answer here, from its site.
    ///         .exempt_from_guard("/auth/callback"),
    /// );
    /// # drop(app);
    /// ```
    #[must_use]
    pub fn guard_every_route(mut self) -> Self {
        self.guard_every_route = true;
        self.noted()
    }

    /// Leaves the paths `pattern` matches — a full path as actix-web writes one: `/hooks/sso`,
    /// `/payments/{provider}/return`, `/oidc/{rest}*` — out of the app-wide guard
    /// ([`guard_every_route`](Self::guard_every_route)): an OpenID Connect `form_post` callback, a
    /// payment provider's return, a webhook a browser posts. Checked when the app starts: a
    /// pattern that is not one stops the app, naming it (and [`crate::check`] returns it).
    #[must_use]
    pub fn exempt_from_guard(mut self, pattern: &str) -> Self {
        self.app_wide.exempt.push(Exemption::new(pattern));
        self.noted()
    }

    /// The guards compare an `Origin` with the host a reverse proxy forwards (`Forwarded`,
    /// `X-Forwarded-Host`, as actix-web's `ConnectionInfo` reads them) instead of the `Host` as
    /// received. Only for an app behind a proxy that sets those headers itself, replacing any a
    /// client sent: otherwise a client chooses the host it is compared with. It matters only to
    /// browsers without Fetch Metadata (the others say `same-origin`); the `Host` a proxy passes
    /// on unchanged needs nothing.
    #[must_use]
    pub fn trust_forwarded_host(mut self) -> Self {
        self.trust_forwarded_host = true;
        self.noted()
    }

    /// Report-only mode of the guard on cross-origin writes and WebSocket handshakes (R20,
    /// R21, and the app-wide guard, R23), for rolling it out on an existing app: every request it
    /// would refuse is let in and logged at `WARN` (target `cors_runtime`) with the route, the
    /// origin, `Sec-Fetch-Site` and the row — the first of each route and reason, then counts at
    /// most every 10 s; nothing is refused. CORS itself is unchanged. Said once when the app
    /// starts.
    #[must_use]
    pub fn report_only_guard(mut self) -> Self {
        crate::startup::say::guard_reports_only();
        self.guard_reports_only = true;
        self.noted()
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
            guard_every_route: self.guard_every_route,
            app_wide: self.app_wide.clone(),
            trust_forwarded_host: self.trust_forwarded_host,
            order: self.order,
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
        // An exemption that is no pattern stops the app, as a refused configuration does.
        let problems = self.app_wide.problems();
        if !problems.is_empty() {
            for problem in problems {
                crate::startup::say::once(
                    crate::startup::say::Level::Error,
                    &format!("{problem}; the app is not started"),
                );
            }
            return ready(Err(()));
        }
        ready(Ok(CorsFirstService {
            service: Rc::new(service),
            routes: OnceCell::new(),
            plain: self
                .guard_every_route
                .then(|| PlainRoutes::new(self.app_wide.clone())),
            settings: Settings {
                explain: self.explain,
                guard_reports_only: self.guard_reports_only,
                trust_forwarded_host: self.trust_forwarded_host,
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
    /// The app-wide guard on routes without `#[cors]`, when the app asked for it.
    plain: Option<PlainRoutes>,
    settings: Settings,
}

/// How the layer answers: what it was built with. Four bytes, aligned: three `bool`s alone make
/// an odd-sized value that each copy assembles from two loads.
#[derive(Clone, Copy)]
#[repr(C, align(4))]
pub(crate) struct Settings {
    /// Development mode ([`crate::explain`]).
    explain: bool,
    /// The guard on writes and handshakes only reports.
    guard_reports_only: bool,
    /// The host a reverse proxy forwards is the request's own.
    trust_forwarded_host: bool,
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
        let routes = self.routes.get_or_init(|| self.first_request(&request));
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
            return self.not_cors(routes, request);
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

impl<S, B> CorsFirstService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    /// A request no `#[cors]` route takes: into the app — past the app-wide guard (R23), when
    /// the app asked for it — or, for `check` and `report`, their probe, answered here. Out of
    /// line: the `#[cors]` routes' paths never come here.
    #[inline(never)]
    fn not_cors(
        &self,
        routes: &AppRoutes,
        request: ServiceRequest,
    ) -> CorsFirstFuture<S::Future, B> {
        if noted::is_probe(request.method()) {
            noted::probed(noted::Probed {
                guard_every_route: self.plain.is_some(),
                exemptions: self
                    .plain
                    .as_ref()
                    .map(PlainRoutes::exemptions)
                    .unwrap_or_default(),
                report_only: self.settings.guard_reports_only,
                forwarded_host: self.settings.trust_forwarded_host,
                plain: plain_paths(routes, &request),
            });
            return CorsFirstFuture::answered(
                request.into_response(HttpResponse::NoContent().finish()),
            );
        }
        match &self.plain {
            Some(plain) => plain::actual(&self.service, self.settings, plain, request),
            None => CorsFirstFuture::passed(self.service.call(request)),
        }
    }

    /// The layer's first request: its app's `#[cors]` routes linked into its table; and, once per
    /// process, how many routes have no `#[cors]` and what guards their writes.
    #[cold]
    fn first_request(&self, request: &ServiceRequest) -> AppRoutes {
        let routes = AppRoutes::of_app(request.request());
        let plain = plain_paths(&routes, request);
        if !plain.is_empty() {
            let shown: Vec<&str> = plain.iter().take(5).map(String::as_str).collect();
            let more = if plain.len() > shown.len() {
                ", …"
            } else {
                ""
            };
            if self.plain.is_some() {
                tracing::info!(
                    target: "cors_runtime",
                    routes = plain.len(),
                    "CORS: the app-wide guard refuses writes from other sites to the {} routes \
                     without #[cors] ({}{more}), exempted paths aside (R23)",
                    plain.len(),
                    shown.join(", ")
                );
            } else if crate::startup::say::first_time("unguarded plain routes") {
                tracing::info!(
                    target: "cors_runtime",
                    routes = plain.len(),
                    "CORS: {} routes have no #[cors] ({}{more}): a write another site sends to \
                     them, with the user's cookies, reaches their handlers; \
                     CorsFirst::guard_every_route() refuses those (R23)",
                    plain.len(),
                    shown.join(", ")
                );
            }
        }
        routes
    }
}

/// The full paths of the app's routes that have no `#[cors]`, from its resource map.
fn plain_paths(routes: &AppRoutes, request: &ServiceRequest) -> Vec<String> {
    crate::app::plain_routes::all_paths(request.request().resource_map())
        .into_iter()
        .filter(|path| {
            !path.contains(crate::app::route::entry::MARKER) && !routes.covers_pattern(path)
        })
        .collect()
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
    /// Where the guards read the request's own host from.
    #[inline(always)]
    pub(crate) const fn own_host(self) -> OwnHost {
        if self.trust_forwarded_host {
            OwnHost::Forwarded
        } else {
            OwnHost::AsReceived
        }
    }

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
            self.own_host(),
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
            Ok(grant) => {
                // Development mode only, which release builds never have: compiled out there.
                if cfg!(debug_assertions) && self.explain && route.policy.credentials {
                    dev_mode::cookies_withheld(
                        || route.full_pattern(request),
                        request,
                        origin.one().map_or(&[][..], HeaderValue::as_bytes),
                    );
                }
                Outcome::Granted(grant)
            }
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
