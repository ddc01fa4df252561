//! Answering preflights (R5–R10, R12, R14) for one route path.
//!
//! actix-web does not route `OPTIONS` to a `#[get]` resource at all, so the macro registers,
//! beside the route, a second resource on the same path whose guard accepts only real
//! preflights (R6) asking for a method this handler serves. The handler and its guards never see
//! a preflight (the macro registers this resource before a route that serves `OPTIONS` itself);
//! another `#[cors]` handler on the same path registers its own resource for its own methods, so
//! each answers with its own policy.

use std::future::{ready, Ready};

use actix_web::dev::{
    always_ready, AppService, ResourceDef, Service, ServiceFactory, ServiceRequest, ServiceResponse,
};
use actix_web::guard::{Guard, GuardContext};
use actix_web::http::header::{HeaderMap, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY};
use actix_web::http::{Method, StatusCode};
use actix_web::{Error, HttpResponse};

use crate::policy::{Policy, PolicySpec};
use crate::vary::PREFLIGHT_VARY;

/// Registers the preflight resource for `path`, for the `served` methods of the handler.
pub fn register_preflight(
    config: &mut AppService,
    path: &'static str,
    served: &'static [&'static str],
    spec: &'static PolicySpec,
) {
    let policy = spec.policy();
    // Mirrors how actix-web registers a `Resource`, so scopes and prefixes apply alike.
    let rdef = if (config.is_root() || !path.is_empty()) && !path.starts_with('/') {
        ResourceDef::new(format!("/{path}"))
    } else {
        ResourceDef::new(path)
    };
    let guard: Box<dyn Guard> = Box::new(PreflightGuard { served });
    config.register_service(rdef, Some(vec![guard]), PreflightFactory { policy }, None);
}

/// Accepts `OPTIONS` requests carrying `Origin` and an `Access-Control-Request-Method` that the
/// handler serves. An `OPTIONS` without the latter is an ordinary request (R6) and goes on to
/// whatever else is registered for the path.
struct PreflightGuard {
    served: &'static [&'static str],
}

impl Guard for PreflightGuard {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        let head = ctx.head();
        if head.method != Method::OPTIONS || !head.headers().contains_key(ORIGIN) {
            return false;
        }
        head.headers()
            .get(ACCESS_CONTROL_REQUEST_METHOD)
            .is_some_and(|method| {
                self.served
                    .iter()
                    .any(|served| served.as_bytes() == method.as_bytes())
            })
    }
}

struct PreflightFactory {
    policy: &'static Policy,
}

impl ServiceFactory<ServiceRequest> for PreflightFactory {
    type Response = ServiceResponse;
    type Error = Error;
    type Config = ();
    type Service = PreflightService;
    type InitError = ();
    type Future = Ready<Result<PreflightService, ()>>;

    fn new_service(&self, (): ()) -> Self::Future {
        ready(Ok(PreflightService {
            policy: self.policy,
        }))
    }
}

struct PreflightService {
    policy: &'static Policy,
}

impl Service<ServiceRequest> for PreflightService {
    type Response = ServiceResponse;
    type Error = Error;
    type Future = Ready<Result<ServiceResponse, Error>>;

    always_ready!();

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let mut response = HttpResponse::new(StatusCode::NO_CONTENT);
        if !answer(self.policy, req.headers(), response.headers_mut()) {
            *response.status_mut() = StatusCode::FORBIDDEN;
        }
        ready(Ok(req.into_response(response)))
    }
}

/// Writes the preflight answer's headers; returns whether the preflight is allowed. A refusal
/// (R3, R7) carries only `Vary`, so a cache cannot hand it to a request that would be allowed.
pub(crate) fn answer(policy: &Policy, request: &HeaderMap, response: &mut HeaderMap) -> bool {
    // The answer's header map is new and empty: appending cannot duplicate anything.
    response.append(VARY, PREFLIGHT_VARY);
    let verdict = policy.origins.verdict(request);
    let mut methods = request.get_all(ACCESS_CONTROL_REQUEST_METHOD);
    let method_allowed = match (methods.next(), methods.next()) {
        (Some(method), None) => policy.methods.allows(method.as_bytes()),
        _ => false,
    };
    if !verdict.is_allowed() || !method_allowed || !policy.headers.allows_request(request) {
        return false;
    }
    policy.origin_headers(verdict, |name, value| response.append(name, value));
    policy.methods.append_to(response);
    policy.headers.append_to(response);
    policy.max_age.append_to(response);
    true
}
