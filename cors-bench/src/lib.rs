//! The contenders and scenarios of BENCHMARKS.md. Every contender serves the same handler on
//! `/r` (or `/api/r`, inside a scope with an authentication layer) under the same policy: exact
//! origin(s) with credentials, headers `x-token` and `content-type`, expose `x-total-count`,
//! max age 600.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE, AUTHORIZATION, VARY,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{from_fn, Next};
use actix_web::test::TestRequest;
use actix_web::{get, post, route, web, App, Error, HttpRequest, HttpResponse, Responder};
use cors_runtime::{cors, CorsFirst};

mod origins;
pub mod pass_through;
pub use origins::many_origin;

include!(concat!(env!("OUT_DIR"), "/many_origins.rs"));

/// The one origin of the small policies.
pub const APP_ORIGIN: &str = "https://app.example.com";

/// Who answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contender {
    /// The handler alone, no CORS at all.
    Bare,
    /// The floor: the bare handler's response with, added by the handler itself, the four
    /// static headers an allowed GET gets under the policy; and beside it a plain `OPTIONS`
    /// handler answering 204 with the six static headers of the policy's preflight answer. What
    /// every CORS implementation on actix-web pays for writing those headers into the header
    /// map, without deciding anything.
    BareWithHeaders,
    /// The bare handler behind a middleware that does nothing but what any CORS middleware on
    /// actix-web must do at least: take the request, await the app's answer and hand it on with
    /// its body type widened (`EitherBody`, for the preflights it answers itself).
    PassThrough,
    /// `#[cors]` on the handler.
    Cors,
    /// The `actix-cors` middleware on the app, configured with the same policy.
    ActixCors,
}

impl Contender {
    pub const ALL: [Self; 5] = [
        Self::Bare,
        Self::BareWithHeaders,
        Self::PassThrough,
        Self::Cors,
        Self::ActixCors,
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Bare => "bare",
            Self::BareWithHeaders => "bare+headers",
            Self::PassThrough => "pass-through",
            Self::Cors => "cors",
            Self::ActixCors => "actix-cors",
        }
    }

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// Which origins the policy lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origins {
    One,
    Hundred,
    Thousand,
    /// `https://*.example.com`.
    Pattern,
    /// The one origin, from configuration (`origins = config("bench")`) instead of a literal.
    Configured,
    /// The one origin, literal, on a tenant's path (`/t/{tenant}/r`): what a tenant route is
    /// compared with.
    TenantPathLiteral,
    /// The tenant's one origin, from a provider (`origins = tenant(...)`), its cache warm.
    Tenant,
}

/// What the client sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    Allowed,
    Refused,
    NoOrigin,
    Preflight,
    /// A `POST` from the allowed origin, without Fetch Metadata.
    AllowedPost,
    /// A `POST` from the allowed origin, with `Sec-Fetch-Site: same-origin`.
    AllowedPostSameOrigin,
    /// A cross-site `POST` from an origin the route does not trust: `#[cors]` refuses it (R20).
    CrossSitePost,
}

/// A request ready to be sent many times.
pub struct Prepared {
    method: Method,
    path: &'static str,
    headers: Vec<(&'static str, HeaderValue)>,
}

impl Prepared {
    #[must_use]
    pub fn test_request(&self) -> TestRequest {
        self.headers.iter().fold(
            TestRequest::default()
                .method(self.method.clone())
                .uri(self.path),
            |request, (name, value)| request.insert_header((*name, value.clone())),
        )
    }
}

/// One row of the results table.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    pub name: &'static str,
    pub origins: Origins,
    pub request: Request,
    /// The bare handler has no answer to a preflight, and no policy size.
    pub bare_applies: bool,
    /// The route sits in a scope (`/api`) behind an authentication layer, and the request
    /// carries the credentials it wants.
    pub scoped: bool,
}

pub const SCENARIOS: [Scenario; 14] = [
    Scenario {
        name: "allowed-get",
        origins: Origins::One,
        request: Request::Allowed,
        bare_applies: true,
        scoped: false,
    },
    Scenario {
        name: "refused-origin",
        origins: Origins::One,
        request: Request::Refused,
        bare_applies: true,
        scoped: false,
    },
    Scenario {
        name: "no-origin",
        origins: Origins::One,
        request: Request::NoOrigin,
        bare_applies: true,
        scoped: false,
    },
    Scenario {
        name: "preflight",
        origins: Origins::One,
        request: Request::Preflight,
        bare_applies: false,
        scoped: false,
    },
    Scenario {
        name: "allowed-get-100-origins",
        origins: Origins::Hundred,
        request: Request::Allowed,
        bare_applies: false,
        scoped: false,
    },
    Scenario {
        name: "allowed-get-1000-origins",
        origins: Origins::Thousand,
        request: Request::Allowed,
        bare_applies: false,
        scoped: false,
    },
    Scenario {
        name: "allowed-get-pattern",
        origins: Origins::Pattern,
        request: Request::Allowed,
        bare_applies: false,
        scoped: false,
    },
    Scenario {
        name: "allowed-get-configured",
        origins: Origins::Configured,
        request: Request::Allowed,
        bare_applies: false,
        scoped: false,
    },
    Scenario {
        name: "allowed-get-tenant-path-literal",
        origins: Origins::TenantPathLiteral,
        request: Request::Allowed,
        bare_applies: false,
        scoped: false,
    },
    Scenario {
        name: "allowed-get-tenant",
        origins: Origins::Tenant,
        request: Request::Allowed,
        bare_applies: false,
        scoped: false,
    },
    Scenario {
        name: "allowed-get-auth-scope",
        origins: Origins::One,
        request: Request::Allowed,
        bare_applies: true,
        scoped: true,
    },
    Scenario {
        name: "allowed-post",
        origins: Origins::One,
        request: Request::AllowedPost,
        bare_applies: true,
        scoped: false,
    },
    Scenario {
        name: "allowed-post-same-origin",
        origins: Origins::One,
        request: Request::AllowedPostSameOrigin,
        bare_applies: true,
        scoped: false,
    },
    Scenario {
        name: "cross-site-post",
        origins: Origins::One,
        request: Request::CrossSitePost,
        bare_applies: true,
        scoped: false,
    },
];

#[must_use]
pub fn scenario(name: &str) -> Option<Scenario> {
    SCENARIOS.into_iter().find(|s| s.name == name)
}

impl Scenario {
    /// The origin the client sends when it is meant to be allowed: the last listed one for the
    /// large policies, so a linear scan would pay its worst case.
    #[must_use]
    pub fn allowed_origin(&self) -> String {
        match self.origins {
            Origins::One | Origins::Configured | Origins::TenantPathLiteral | Origins::Tenant => {
                APP_ORIGIN.to_owned()
            }
            Origins::Hundred => many_origin(99),
            Origins::Thousand => many_origin(999),
            Origins::Pattern => "https://tenant.example.com".to_owned(),
        }
    }

    /// The path the route answers on: `/r` for reads, `/w` for writes, `/t/acme/r` for a
    /// tenant's reads.
    #[must_use]
    pub const fn path(&self) -> &'static str {
        let write = matches!(
            self.request,
            Request::AllowedPost | Request::AllowedPostSameOrigin | Request::CrossSitePost
        );
        if matches!(self.origins, Origins::TenantPathLiteral | Origins::Tenant) {
            return TENANT_PATH;
        }
        match (self.scoped, write) {
            (true, _) => "/api/r",
            (false, true) => "/w",
            (false, false) => "/r",
        }
    }

    /// The request headers as (name, value) pairs, and the method.
    #[must_use]
    pub fn request_parts(&self) -> (Method, Vec<(&'static str, String)>) {
        let (method, mut headers) = self.cors_parts();
        if self.scoped && method != Method::OPTIONS {
            headers.push(("authorization", "Bearer bench".to_owned()));
        }
        (method, headers)
    }

    fn cors_parts(&self) -> (Method, Vec<(&'static str, String)>) {
        match self.request {
            Request::Allowed => (Method::GET, vec![("origin", self.allowed_origin())]),
            Request::Refused => (
                Method::GET,
                vec![("origin", "https://evil.example".to_owned())],
            ),
            Request::NoOrigin => (Method::GET, Vec::new()),
            Request::AllowedPost => (Method::POST, vec![("origin", self.allowed_origin())]),
            Request::AllowedPostSameOrigin => (
                Method::POST,
                vec![
                    ("origin", self.allowed_origin()),
                    ("sec-fetch-site", "same-origin".to_owned()),
                ],
            ),
            Request::CrossSitePost => (
                Method::POST,
                vec![
                    ("origin", "https://evil.example".to_owned()),
                    ("sec-fetch-site", "cross-site".to_owned()),
                    ("cookie", "session=1".to_owned()),
                ],
            ),
            Request::Preflight => (
                Method::OPTIONS,
                vec![
                    ("origin", self.allowed_origin()),
                    ("access-control-request-method", "GET".to_owned()),
                    ("access-control-request-headers", "x-token".to_owned()),
                ],
            ),
        }
    }

    /// The request headers as header values, built once so that the measured loop only clones
    /// them (a reference-count increment), whatever the scenario.
    #[must_use]
    pub fn prepared(&self) -> Prepared {
        let (method, headers) = self.request_parts();
        Prepared {
            method,
            path: self.path(),
            headers: headers
                .into_iter()
                .map(|(name, value)| (name, HeaderValue::from_str(&value).expect("visible ASCII")))
                .collect(),
        }
    }

    /// What a correct answer looks like, checked before measuring so that a broken path can
    /// never be what gets timed.
    #[must_use]
    pub fn expected(&self, contender: Contender) -> (StatusCode, Option<String>) {
        let allow_origin = match (contender, self.request) {
            (Contender::Bare | Contender::PassThrough, _)
            | (_, Request::Refused | Request::NoOrigin | Request::CrossSitePost) => None,
            (Contender::BareWithHeaders, _) => Some(APP_ORIGIN.to_owned()),
            _ => Some(self.allowed_origin()),
        };
        let status = match self.request {
            Request::Preflight if contender == Contender::ActixCors => StatusCode::OK,
            Request::Preflight => StatusCode::NO_CONTENT,
            // R20: only `#[cors]` refuses a cross-site write, before the handler.
            Request::CrossSitePost if contender == Contender::Cors => StatusCode::FORBIDDEN,
            _ => StatusCode::OK,
        };
        (status, allow_origin)
    }
}

#[get("/r")]
async fn bare() -> &'static str {
    "ok"
}

/// The same handler for `POST`, on a path of its own, so the `GET` and preflight scenarios are
/// routed exactly as before.
#[post("/w")]
async fn bare_post() -> &'static str {
    "ok"
}

/// The bare handler's answer, and the four static headers of an allowed GET inserted into its
/// header map: the response is built exactly as the bare handler's is, so the difference is the
/// header writes alone.
struct WithCorsHeaders(&'static str);

impl Responder for WithCorsHeaders {
    type Body = <&'static str as Responder>::Body;

    fn respond_to(self, request: &HttpRequest) -> HttpResponse<Self::Body> {
        let mut response = self.0.respond_to(request);
        let headers = response.headers_mut();
        headers.insert(
            ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static(APP_ORIGIN),
        );
        headers.insert(
            ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        headers.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("x-total-count"),
        );
        headers.insert(VARY, HeaderValue::from_static("Origin"));
        response
    }
}

#[get("/r")]
async fn bare_with_headers() -> WithCorsHeaders {
    WithCorsHeaders("ok")
}

/// A hand-written preflight answer: 204 and the six static headers `#[cors]` answers the
/// preflight scenario with, deciding nothing.
#[route("/r", method = "OPTIONS")]
async fn preflight_with_headers() -> HttpResponse {
    let mut response = HttpResponse::new(StatusCode::NO_CONTENT);
    let headers = response.headers_mut();
    headers.insert(
        VARY,
        HeaderValue::from_static(
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        ),
    );
    headers.insert(
        ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static(APP_ORIGIN),
    );
    headers.insert(
        ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    headers.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET"),
    );
    headers.insert(
        ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("x-token, content-type"),
    );
    headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}

/// The authentication layer of the scoped scenario: a request without `Authorization` is
/// refused before it reaches the route.
async fn require_token(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if !request.headers().contains_key(AUTHORIZATION) {
        return Err(actix_web::error::ErrorUnauthorized("login required"));
    }
    next.call(request).await
}

/// Mounts `service` at the app's root, or in the `/api` scope behind [`require_token`].
fn mount<F>(config: &mut web::ServiceConfig, scoped: bool, service: F)
where
    F: actix_web::dev::HttpServiceFactory + 'static,
{
    if scoped {
        config.service(
            web::scope("/api")
                .wrap(from_fn(require_token))
                .service(service),
        );
    } else {
        config.service(service);
    }
}

#[cors(
    origins = ["https://app.example.com"],
    credentials,
    headers = ["x-token", "content-type"],
    expose = ["x-total-count"],
    max_age = 600
)]
#[get("/r")]
async fn with_cors() -> &'static str {
    "ok"
}

/// The one-origin policy on the `POST` of the same path: its writes are guarded (R20).
#[cors(
    origins = ["https://app.example.com"],
    credentials,
    headers = ["x-token", "content-type"],
    expose = ["x-total-count"],
    max_age = 600
)]
#[post("/w")]
async fn with_cors_post() -> &'static str {
    "ok"
}

#[cors(
    origins = ["https://*.example.com"],
    credentials,
    headers = ["x-token", "content-type"],
    expose = ["x-total-count"],
    max_age = 600
)]
#[get("/r")]
async fn with_cors_pattern() -> &'static str {
    "ok"
}

/// The one-origin policy, its origin set by the application at startup.
#[cors(
    origins = config("bench"),
    credentials,
    headers = ["x-token", "content-type"],
    expose = ["x-total-count"],
    max_age = 600
)]
#[get("/r")]
async fn with_cors_configured() -> &'static str {
    "ok"
}

/// The path of the tenant scenarios: tenant `acme`.
pub const TENANT_PATH: &str = "/t/acme/r";

/// The one-origin policy, literal, on a tenant's path.
#[cors(
    origins = ["https://app.example.com"],
    credentials,
    headers = ["x-token", "content-type"],
    expose = ["x-total-count"],
    max_age = 600
)]
#[get("/t/{tenant}/r")]
async fn with_cors_tenant_path() -> &'static str {
    "ok"
}

/// The tenants of the benchmark: `acme` has the one origin. Kept in memory: the warm path is
/// what is measured, and a cold lookup costs what the application's store costs.
pub struct BenchTenants;

impl cors_runtime::tenant::TenantOrigins for BenchTenants {
    fn tenant<'r>(
        &self,
        request: &cors_runtime::tenant::TenantRequest<'r>,
    ) -> Option<std::borrow::Cow<'r, str>> {
        request.param("tenant")
    }

    async fn origins(&self, tenant: &str) -> Result<Vec<String>, cors_runtime::tenant::BoxError> {
        Ok(if tenant == "acme" {
            vec![APP_ORIGIN.to_owned()]
        } else {
            Vec::new()
        })
    }
}

/// The same policy, its origins the tenant's.
#[cors(
    origins = tenant(crate::BenchTenants),
    credentials,
    headers = ["x-token", "content-type"],
    expose = ["x-total-count"],
    max_age = 600
)]
#[get("/t/{tenant}/r")]
async fn with_cors_tenant() -> &'static str {
    "ok"
}

/// The bare handler on the tenant's path, for actix-cors.
#[get("/t/{tenant}/r")]
async fn bare_tenant() -> &'static str {
    "ok"
}

/// The app of the contenders without CORS middleware: the bare handler, or the handler writing
/// the headers itself.
pub fn plain_app(
    contender: Contender,
    scoped: bool,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new().configure(|config| match contender {
        Contender::BareWithHeaders => {
            mount(config, scoped, bare_with_headers);
            mount(config, scoped, preflight_with_headers);
            mount(config, scoped, bare_post);
        }
        Contender::Bare | Contender::PassThrough | Contender::Cors | Contender::ActixCors => {
            mount(config, scoped, bare);
            mount(config, scoped, bare_post);
        }
    })
}

/// The handler under `#[cors]` with the scenario's policy, and the app's `CorsFirst` layer.
pub fn cors_app(
    origins: Origins,
    scoped: bool,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .configure(|config| match origins {
            Origins::One => {
                mount(config, scoped, with_cors);
                mount(config, scoped, with_cors_post);
            }
            Origins::Hundred => mount(config, scoped, origins_100),
            Origins::Thousand => mount(config, scoped, origins_1000),
            Origins::Pattern => mount(config, scoped, with_cors_pattern),
            Origins::Configured => {
                cors_runtime::config::set_origins("bench", [APP_ORIGIN]).expect("a valid origin");
                mount(config, scoped, with_cors_configured);
            }
            Origins::TenantPathLiteral => mount(config, scoped, with_cors_tenant_path),
            Origins::Tenant => {
                static REGISTERED: std::sync::Once = std::sync::Once::new();
                REGISTERED.call_once(|| {
                    drop(cors_runtime::tenant::register_tenant_origins(
                        BenchTenants,
                        cors_runtime::tenant::TenantCache::new(),
                    ));
                });
                mount(config, scoped, with_cors_tenant);
            }
        })
        .wrap(CorsFirst::new())
}

/// The bare handler behind `actix-cors` configured with the scenario's policy.
pub fn actix_cors_app(
    origins: Origins,
    scoped: bool,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let mut cors = actix_cors::Cors::default()
        .supports_credentials()
        .allowed_methods(["GET"])
        .allowed_headers(["x-token", "content-type"])
        .expose_headers(["x-total-count"])
        .max_age(600);
    cors = match origins {
        Origins::One | Origins::Configured | Origins::TenantPathLiteral => {
            cors.allowed_origin(APP_ORIGIN)
        }
        // actix-cors' synchronous predicate, reading the tenant from the path and its origins
        // from memory: what an app would do with it.
        Origins::Tenant => cors.allowed_origin_fn(|origin, head| {
            let tenant = head.uri.path().split('/').nth(2).unwrap_or_default();
            tenant == "acme" && origin == APP_ORIGIN
        }),
        Origins::Hundred => (0..100).fold(cors, |c, i| c.allowed_origin(&many_origin(i))),
        Origins::Thousand => (0..1000).fold(cors, |c, i| c.allowed_origin(&many_origin(i))),
        Origins::Pattern => cors.allowed_origin_fn(|origin, _| {
            origin
                .as_bytes()
                .strip_prefix(b"https://")
                .is_some_and(|rest| {
                    rest.len() > ".example.com".len() && rest.ends_with(b".example.com")
                })
        }),
    };
    App::new()
        .configure(|config| {
            mount(config, scoped, bare);
            mount(config, scoped, bare_post);
            mount(config, scoped, bare_tenant);
        })
        .wrap(cors)
}

/// Calls `$body` with `$app` bound to the initialised service of `$contender` for
/// `$scenario`; a macro because actix-cors' service has a type of its own.
#[macro_export]
macro_rules! with_service {
    ($contender:expr, $scenario:expr, |$app:ident| $body:expr) => {
        match $contender {
            $crate::Contender::ActixCors => {
                let $app = ::actix_web::test::init_service($crate::actix_cors_app(
                    $scenario.origins,
                    $scenario.scoped,
                ))
                .await;
                $body
            }
            $crate::Contender::Cors => {
                let $app = ::actix_web::test::init_service($crate::cors_app(
                    $scenario.origins,
                    $scenario.scoped,
                ))
                .await;
                $body
            }
            $crate::Contender::PassThrough => {
                let $app = ::actix_web::test::init_service(
                    $crate::plain_app($crate::Contender::Bare, $scenario.scoped)
                        .wrap($crate::pass_through::PassThrough),
                )
                .await;
                $body
            }
            contender => {
                let $app =
                    ::actix_web::test::init_service($crate::plain_app(contender, $scenario.scoped))
                        .await;
                $body
            }
        }
    };
}
