//! The `pass-through` contender's middleware: the least any CORS middleware on actix-web does
//! per request, and nothing else. It decides nothing and writes no header; what it costs is the
//! price of being a middleware that may answer by itself (its own future, and the response's
//! body type widened to `EitherBody`), which `#[cors]`' app-level layer pays too.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::task::{ready as ready_poll, Context, Poll};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::Error;

/// The middleware.
pub struct PassThrough;

impl<S, B> Transform<S, ServiceRequest> for PassThrough
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = PassThroughService<S>;
    type InitError = ();
    type Future = Ready<Result<PassThroughService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(PassThroughService { service }))
    }
}

/// Its service.
pub struct PassThroughService<S> {
    service: S,
}

impl<S, B> Service<ServiceRequest> for PassThroughService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Passed<S::Future>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        Passed {
            inner: self.service.call(request),
        }
    }
}

pin_project_lite::pin_project! {
    /// The app's answer, awaited and handed on.
    pub struct Passed<F> {
        #[pin]
        inner: F,
    }
}

impl<F, B> Future for Passed<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B, BoxBody>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let outcome = ready_poll!(self.project().inner.poll(cx));
        Poll::Ready(outcome.map(ServiceResponse::map_into_left_body))
    }
}
