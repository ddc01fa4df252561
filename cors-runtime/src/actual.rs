//! CORS headers on actual (non-preflight) responses (R2–R4, R13, R14, R16).
//!
//! The macro appends this middleware as the route's last `wrap`, which makes it the outermost
//! one on the resource: it sees handler errors, extractor errors (they are already responses by
//! then) and errors of the user's own route middleware, and decorates them all.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::task::{ready as ready_poll, Context, Poll};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::{Error, HttpRequest};

use crate::allow_origin::OriginVerdict;
use crate::policy::{Policy, PolicySpec};
use crate::vary;

/// The middleware the macro attaches to every `#[cors]` route.
pub struct CorsMiddleware {
    policy: &'static Policy,
}

impl CorsMiddleware {
    /// Middleware for the route whose policy is `spec` (compiled here on first use, when the
    /// app is built).
    #[must_use]
    pub fn new(spec: &'static PolicySpec) -> Self {
        Self {
            policy: spec.policy(),
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for CorsMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsService<S>;
    type InitError = ();
    type Future = Ready<Result<CorsService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CorsService {
            service,
            policy: self.policy,
        }))
    }
}

/// The per-worker service built from [`CorsMiddleware`].
pub struct CorsService<S> {
    service: S,
    policy: &'static Policy,
}

impl<S, B> Service<ServiceRequest> for CorsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFuture<S::Future>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        // Decided before the handler runs: the request headers are moved into the handler.
        let verdict = self.policy.origins.verdict(req.headers());
        // Kept only to turn an inner middleware's error into a decorated response.
        let request = req.request().clone();
        CorsFuture {
            inner: self.service.call(req),
            pending: Some((verdict, request)),
            policy: self.policy,
        }
    }
}

pin_project_lite::pin_project! {
    /// Awaits the inner service, then adds the CORS headers.
    pub struct CorsFuture<F> {
        #[pin]
        inner: F,
        pending: Option<(OriginVerdict, HttpRequest)>,
        policy: &'static Policy,
    }
}

impl<F, B> Future for CorsFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let outcome = ready_poll!(this.inner.poll(cx));
        let Some((verdict, request)) = this.pending.take() else {
            // Polled again after completion: a caller bug, answered without panicking.
            return Poll::Ready(Err(actix_web::error::ErrorInternalServerError(
                "CORS future polled after completion",
            )));
        };
        let mut response = match outcome {
            Ok(response) => response.map_into_left_body(),
            Err(error) => ServiceResponse::from_err(error, request).map_into_right_body(),
        };
        decorate(this.policy, response.headers_mut(), verdict);
        Poll::Ready(Ok(response))
    }
}

/// Headers of an actual response: allow-origin (and credentials) plus expose for an allowed
/// origin, nothing for a refused one (R3), and `Vary: Origin` whenever the policy is not `*`
/// (R14), refusals and requests without `Origin` included.
pub(crate) fn decorate(
    policy: &Policy,
    headers: &mut actix_web::http::header::HeaderMap,
    verdict: OriginVerdict,
) {
    if verdict.is_allowed() {
        policy.expose.insert_into(headers);
        policy.origin_headers(verdict, |name, value| {
            headers.insert(name, value);
        });
    }
    if policy.varies_by_origin() {
        vary::append_origin(headers);
    }
}
