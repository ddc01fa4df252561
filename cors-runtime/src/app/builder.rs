//! Routes registered builder-style, and a scope's default policy: the two ways actix-web declares
//! routes that a `#[cors]` attribute cannot sit on.
//!
//! - [`resource`] is `web::resource` with a policy: its routes are added with the same methods
//!   (`.route(web::get().to(handler))`, `.to(handler)`, `.guard(...)`, `.wrap(...)`), and it
//!   registers itself with the layer as a `#[cors]` route would. The methods it serves are read
//!   from its routes' guards when it is registered (each route's guards are asked whether they
//!   pass a plain request of each method), and checked against its policy when the app is built.
//! - [`scope`] is `web::scope` with a default policy for every route under it — attribute or
//!   builder style, nested scopes included — that has no policy of its own. It registers, inside
//!   the scope, a marker whose place in the resource map gives the scope's full path.
//! - [`no_cors`] is the policy of a route that opted out: no CORS at all, even under a scope
//!   with a default.
//!
//! Policies are written with `cors_policy!` (the attribute's keys, checked when the crate
//! compiles); what the macro could not know — the methods — is checked when the app is built.

use std::borrow::Cow;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use actix_service::{ServiceFactory, Transform};
use actix_web::body::MessageBody;
use actix_web::dev::{AppService, HttpServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::guard::{Guard, GuardContext};
use actix_web::http::Method;
use actix_web::{Error, FromRequest, Handler, Resource, Responder, Route, Scope};

use super::register::{register_entry, Registration};
use super::route::{EntryKind, PolicyRef, RouteGuards};

/// A policy for a builder-style resource or a scope, made with `cors_policy!` — or
/// [`no_cors`].
#[derive(Clone, Copy)]
pub struct CorsPolicy(PolicyRef);

/// The value `cors_policy!` expands to. Not a public API.
#[doc(hidden)]
#[must_use]
pub const fn builder_policy(policy: PolicyRef) -> CorsPolicy {
    CorsPolicy(policy)
}

/// No CORS at all: the policy of a route (or a nested scope) that opts out of its scope's
/// default. Its answers get no CORS header, and a preflight to it is refused (403).
#[must_use]
pub const fn no_cors() -> CorsPolicy {
    CorsPolicy(PolicyRef::none())
}

/// The methods a resource's routes are probed with: every route is asked whether its guards
/// pass a plain request of each.
const PROBED: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
    Method::OPTIONS,
];

/// A guard shared between the resource actix-web serves and the layer's record of it.
#[derive(Clone)]
struct SharedGuard(Rc<dyn Guard>);

impl Guard for SharedGuard {
    fn check(&self, context: &GuardContext<'_>) -> bool {
        self.0.check(context)
    }
}

/// `web::resource(path)` with `policy`: a builder-style route the layer treats as a `#[cors]`
/// route — preflights, decoration, refusals by other middleware, the guard on writes, the
/// report.
///
/// ```
/// use actix_web::{web, App, HttpResponse};
/// use cors_runtime::{cors_policy, CorsFirst};
///
/// async fn built() -> HttpResponse { HttpResponse::Ok().body("built") }
///
/// let app = App::new()
///     .service(
///         cors_runtime::resource(
///             "/built",
///             cors_policy!(origins = ["https://app.example.com"], credentials, headers = ["content-type"]),
///         )
///         .route(web::get().to(built))
///         .route(web::post().to(built)),
///     )
///     .wrap(CorsFirst::new());
/// # drop(app);
/// ```
#[must_use]
pub fn resource(path: &str, policy: CorsPolicy) -> CorsResource {
    CorsResource {
        path: path.to_owned(),
        policy,
        inner: Resource::new(path),
        methods: Vec::new(),
        guards: Vec::new(),
        name: None,
    }
}

/// A builder-style resource with its policy ([`resource`]).
pub struct CorsResource<T = Resource> {
    path: String,
    policy: CorsPolicy,
    inner: T,
    /// What the routes serve, as probed.
    methods: Vec<Method>,
    guards: Vec<SharedGuard>,
    name: Option<String>,
}

impl<T> CorsResource<Resource<T>>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = Error, InitError = ()>,
{
    /// Adds a route, as `Resource::route`; the methods its guards pass are recorded.
    #[must_use]
    pub fn route(mut self, route: Route) -> Self {
        self.record(&probe(&route));
        self.inner = self.inner.route(route);
        self
    }

    /// Adds a route serving every method, as `Resource::to`.
    #[must_use]
    pub fn to<F, Args>(mut self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.record(&PROBED);
        self.inner = self.inner.to(handler);
        self
    }

    /// Names the resource, as `Resource::name`; messages about it use the name.
    #[must_use]
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self.inner = self.inner.name(name);
        self
    }

    /// Adds a guard, as `Resource::guard`; the layer consults it too, to tell apart resources
    /// sharing a path.
    #[must_use]
    pub fn guard<G: Guard + 'static>(mut self, guard: G) -> Self {
        let shared = SharedGuard(Rc::new(guard));
        self.guards.push(shared.clone());
        self.inner = self.inner.guard(shared);
        self
    }

    /// Adds data for the resource's handlers, as `Resource::app_data`.
    #[must_use]
    pub fn app_data<U: 'static>(mut self, data: U) -> Self {
        self.inner = self.inner.app_data(data);
        self
    }

    /// Wraps the resource in a middleware, as `Resource::wrap`. The layer still runs first.
    pub fn wrap<M, B>(
        self,
        middleware: M,
    ) -> CorsResource<
        Resource<
            impl ServiceFactory<
                ServiceRequest,
                Config = (),
                Response = ServiceResponse<B>,
                Error = Error,
                InitError = (),
            >,
        >,
    >
    where
        M: Transform<
                T::Service,
                ServiceRequest,
                Response = ServiceResponse<B>,
                Error = Error,
                InitError = (),
            > + 'static,
        B: MessageBody,
    {
        CorsResource {
            path: self.path,
            policy: self.policy,
            inner: self.inner.wrap(middleware),
            methods: self.methods,
            guards: self.guards,
            name: self.name,
        }
    }

    fn record(&mut self, methods: &[Method]) {
        for method in methods {
            if !self.methods.contains(method) {
                self.methods.push(method.clone());
            }
        }
    }
}

/// The methods whose plain request `route`'s guards pass: its service is built (a handler's is
/// at hand at once) and asked. The requests are `actix_web::test::TestRequest`'s: actix-web
/// offers no other way to make a `ServiceRequest` outside a server (its constructor is private),
/// and a route's guards can be asked only through one. It runs once per route, when the app is
/// built, never per request. A route whose service is not ready at once, or whose guards need
/// more than a method (a header, a host), serves none that can be read this way; its resource's
/// policy must then list `methods`, which is said when the app is built.
fn probe(route: &Route) -> Vec<Method> {
    let building = pin!(route.new_service(()));
    let Poll::Ready(Ok(service)) = building.poll(&mut Context::from_waker(Waker::noop())) else {
        return Vec::new();
    };
    PROBED
        .into_iter()
        .filter(|method| {
            let mut request = actix_web::test::TestRequest::default()
                .method(method.clone())
                .to_srv_request();
            service.check(&mut request)
        })
        .collect()
}

impl<T> HttpServiceFactory for CorsResource<T>
where
    T: HttpServiceFactory,
{
    fn register(self, config: &mut AppService) {
        self.inner.register(config);
        let guards: Rc<[Rc<dyn Guard>]> = self.guards.into_iter().map(|guard| guard.0).collect();
        register_entry(
            config,
            Registration {
                handler: Cow::Owned(
                    self.name
                        .unwrap_or_else(|| format!("resource {}", self.path)),
                ),
                kind: self.policy.0.kind(),
                policy: self.policy.0,
                path: self.path,
                methods: self
                    .methods
                    .iter()
                    .map(|method| method.as_str().to_owned())
                    .collect(),
                guards: RouteGuards::Shared(guards),
            },
        );
    }
}

/// `web::scope(path)` with a default policy: every route under it — attribute or builder style,
/// in nested scopes too — that has no policy of its own gets `policy`. A route's own `#[cors]`
/// replaces it whole (to extend it, name a shared policy: `policy = ...`); [`no_cors`] opts a
/// route out.
///
/// ```
/// use actix_web::{get, App, Responder};
/// use cors_runtime::{cors_policy, CorsFirst};
///
/// #[get("/orders")]
/// async fn orders() -> impl Responder { "orders" }
///
/// let app = App::new()
///     .service(
///         cors_runtime::scope("/api", cors_policy!(origins = ["https://app.example.com"], credentials))
///             .service(orders),
///     )
///     .wrap(CorsFirst::new());
/// # drop(app);
/// ```
///
/// The layer knows the routes under the scope only by their paths (actix-web keeps no table of
/// routes it could read): a request gets the default when a resource of the app matches its path.
/// A preflight may ask for the policy's `methods`, or, without them, for `GET`, `HEAD` and
/// `POST`.
#[must_use]
pub fn scope(path: &str, policy: CorsPolicy) -> CorsScope {
    CorsScope {
        policy,
        inner: Scope::new(path),
    }
}

/// A scope with a default policy ([`scope`]).
pub struct CorsScope<T = Scope> {
    policy: CorsPolicy,
    inner: T,
}

impl<T> CorsScope<Scope<T>>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = Error, InitError = ()>,
{
    /// Adds a service, as `Scope::service`.
    #[must_use]
    pub fn service<F: HttpServiceFactory + 'static>(mut self, factory: F) -> Self {
        self.inner = self.inner.service(factory);
        self
    }

    /// Adds a route, as `Scope::route`.
    #[must_use]
    pub fn route(mut self, path: &str, route: Route) -> Self {
        self.inner = self.inner.route(path, route);
        self
    }

    /// Runs a `configure` function on the scope, as `Scope::configure`.
    #[must_use]
    pub fn configure<F>(mut self, configure: F) -> Self
    where
        F: FnOnce(&mut actix_web::web::ServiceConfig),
    {
        self.inner = self.inner.configure(configure);
        self
    }

    /// Adds data for the scope's handlers, as `Scope::app_data`.
    #[must_use]
    pub fn app_data<U: 'static>(mut self, data: U) -> Self {
        self.inner = self.inner.app_data(data);
        self
    }

    /// Wraps the scope in a middleware, as `Scope::wrap`. The layer still runs first.
    pub fn wrap<M, B>(
        self,
        middleware: M,
    ) -> CorsScope<
        Scope<
            impl ServiceFactory<
                ServiceRequest,
                Config = (),
                Response = ServiceResponse<B>,
                Error = Error,
                InitError = (),
            >,
        >,
    >
    where
        M: Transform<
                T::Service,
                ServiceRequest,
                Response = ServiceResponse<B>,
                Error = Error,
                InitError = (),
            > + 'static,
        B: MessageBody,
    {
        CorsScope {
            policy: self.policy,
            inner: self.inner.wrap(middleware),
        }
    }
}

impl<T, B> HttpServiceFactory for CorsScope<Scope<T>>
where
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    fn register(self, config: &mut AppService) {
        // The marker goes inside the scope: its place in the resource map is the scope's path.
        self.inner
            .service(ScopeDefault(self.policy))
            .register(config);
    }
}

/// The marker of a scope's default policy.
struct ScopeDefault(CorsPolicy);

impl HttpServiceFactory for ScopeDefault {
    fn register(self, config: &mut AppService) {
        let kind = match self.0 .0.kind() {
            EntryKind::OptedOut => EntryKind::ScopeOptedOut,
            _ => EntryKind::ScopeDefault,
        };
        register_entry(
            config,
            Registration {
                handler: Cow::Borrowed("scope default"),
                kind,
                policy: self.0 .0,
                path: String::new(),
                // What a preflight may ask for without the policy's `methods`.
                methods: ["GET", "HEAD", "POST"].map(str::to_owned).to_vec(),
                guards: RouteGuards::Fns(&[]),
            },
        );
    }
}
