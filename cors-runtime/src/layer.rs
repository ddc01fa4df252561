//! [`CorsFirst`]: the app-level middleware that applies each `#[cors]` route's policy before any
//! other middleware sees the request, and after every other middleware has answered it.
//!
//! It has to be at the app's edge. A preflight carries no credentials, so an authentication
//! layer on a scope refuses it; a refusal of an actual request by such a layer never reaches the
//! route. Both are the route's answers all the same, and the browser shows them to page script
//! only with the route's CORS headers. actix-web runs an app's middleware before any scope's,
//! and the last `.wrap(...)` of an `App` first; so `CorsFirst` is wrapped last.

use std::cell::OnceCell;
use std::future::{ready, Future, Ready};
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{ready as ready_poll, Context, Poll};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::HeaderValue;
use actix_web::Error;

use crate::actual::decorate;
use crate::allow_origin::OriginVerdict;
use crate::app_routes::{AppRoute, AppRoutes, PreflightTarget};
use crate::cors_error::CorsError;
use crate::missing_layer;
use crate::policy::Policy;
use crate::preflight;
use crate::refusal;

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
    /// Built per worker thread, like every actix-web app: never sent between threads.
    not_send: PhantomData<Rc<()>>,
}

impl CorsFirst {
    /// The layer. Create it inside the closure that builds the `App`.
    #[must_use]
    pub fn new() -> Self {
        let explain = crate::explain::requested_by_environment();
        if explain {
            crate::diagnostics::announce_development_mode();
        }
        Self {
            armed: missing_layer::Armed::new(),
            explain,
            not_send: PhantomData,
        }
    }

    /// Development mode: refusals explained to the browser (an `x-cors-refusal` header, and
    /// preflight answers that make the browser name the method or header it lacks). Debug
    /// builds only: a release build does not compile a call to it, so it cannot reach
    /// production by accident. `CORS_RUNTIME_EXPLAIN=1` does the same without a code change.
    #[cfg(debug_assertions)]
    #[must_use]
    pub fn explain_refusals(mut self) -> Self {
        if !self.explain {
            crate::diagnostics::announce_development_mode();
        }
        self.explain = true;
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
            not_send: PhantomData,
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for CorsFirst
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsFirstService<S>;
    type InitError = ();
    type Future = Ready<Result<CorsFirstService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        self.armed.disarm();
        ready(Ok(CorsFirstService {
            service,
            routes: OnceCell::new(),
            explain: self.explain,
        }))
    }
}

/// The per-worker service of [`CorsFirst`].
pub struct CorsFirstService<S> {
    service: S,
    /// The app's `#[cors]` routes, gathered from its resource map by the first request.
    routes: OnceCell<AppRoutes>,
    explain: bool,
}

impl<S, B> Service<ServiceRequest> for CorsFirstService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFirstFuture<S::Future>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let routes = self
            .routes
            .get_or_init(|| AppRoutes::of_app(request.request()));
        if let Some(requested) = preflight::preflight_method(request.head()) {
            let target = routes.for_preflight(&request, requested);
            if !matches!(target, PreflightTarget::NotCors) {
                let answer = preflight::respond(target, &request, self.explain);
                return CorsFirstFuture::answered(request.into_response(answer));
            }
        }
        // Decided before the request goes in: the request, headers included, is moved into the
        // app, and nothing here may keep a reference to it.
        let Some(route) = routes.for_actual(&request) else {
            return CorsFirstFuture::passed(self.service.call(request));
        };
        let verdict = route.policy.origins.verdict(request.headers());
        let explanation =
            if matches!(verdict, OriginVerdict::Refused) && (self.explain || refusal::listened()) {
                self.refused(route, &request)
            } else {
                None
            };
        CorsFirstFuture::decorated(
            self.service.call(request),
            Decoration {
                policy: route.policy,
                verdict,
                explanation,
            },
        )
    }
}

impl<S> CorsFirstService<S> {
    /// Says why an actual request's origin was refused; returns the explanation for the
    /// browser in development mode. Out of line: the common paths never come here.
    #[cold]
    #[inline(never)]
    fn refused(&self, route: &AppRoute, request: &ServiceRequest) -> Option<Box<HeaderValue>> {
        let method = request.method().as_str();
        let explained = refusal::Explained {
            reason: refusal::Reason::Origin,
            policy: route.policy,
            request: request.headers(),
            method,
        };
        let name = preflight::RouteName {
            method,
            pattern: &route.pattern,
        };
        refusal::report("request", &name, &explained);
        if self.explain {
            crate::explain::reason_value(&explained).map(Box::new)
        } else {
            None
        }
    }
}

/// What an actual response of a `#[cors]` route gets on its way out.
struct Decoration {
    policy: &'static Policy,
    verdict: OriginVerdict,
    /// The refusal's reason, in development mode (boxed: it is rare, and the future stays
    /// small).
    explanation: Option<Box<HeaderValue>>,
}

pin_project_lite::pin_project! {
    /// A preflight's answer, or the app's answer awaited and then, for a `#[cors]` route,
    /// given the route's headers.
    pub struct CorsFirstFuture<F> {
        #[pin]
        state: State<F>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProjection]
    #[project_replace = StateTaken]
    enum State<F> {
        // Answered here (a preflight), until handed out. Boxed: a response is large, and every
        // request's future would otherwise be as large and moved as often.
        Answered { response: Box<ServiceResponse> },
        // A `#[cors]` route's answer, awaited.
        Decorated { #[pin] inner: F, decoration: Decoration },
        // Any other route's answer, awaited and passed on untouched.
        Passed { #[pin] inner: F },
        // Handed out.
        Done,
    }
}

impl<F> CorsFirstFuture<F> {
    fn answered(response: ServiceResponse) -> Self {
        Self {
            state: State::Answered {
                response: Box::new(response),
            },
        }
    }

    const fn decorated(inner: F, decoration: Decoration) -> Self {
        Self {
            state: State::Decorated { inner, decoration },
        }
    }

    const fn passed(inner: F) -> Self {
        Self {
            state: State::Passed { inner },
        }
    }
}

impl<F, B> Future for CorsFirstFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B, BoxBody>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        match state.as_mut().project() {
            StateProjection::Passed { inner } => {
                let outcome = ready_poll!(inner.poll(cx));
                state.set(State::Done);
                Poll::Ready(outcome.map(ServiceResponse::map_into_left_body))
            }
            StateProjection::Decorated { inner, decoration } => {
                let outcome = ready_poll!(inner.poll(cx));
                let policy = decoration.policy;
                let verdict = std::mem::replace(&mut decoration.verdict, OriginVerdict::Absent);
                let explanation = decoration.explanation.take();
                state.set(State::Done);
                Poll::Ready(match outcome {
                    // Mapped first, then decorated where it lies: the response, which is large,
                    // is moved as little as can be.
                    Ok(response) => Ok({
                        let mut response = response.map_into_left_body();
                        let headers = response.headers_mut();
                        decorate(policy, headers, verdict);
                        if let Some(explanation) = explanation {
                            headers.insert(crate::explain::REFUSAL_HEADER, *explanation);
                        }
                        response
                    }),
                    Err(error) => Err(CorsError::wrap(error, policy, verdict)),
                })
            }
            StateProjection::Answered { .. } | StateProjection::Done => {
                Poll::Ready(match state.project_replace(State::Done) {
                    StateTaken::Answered { response } => Ok((*response).map_into_right_body()),
                    _ => Err(polled_again()),
                })
            }
        }
    }
}

/// A caller bug (polling a finished future), answered without panicking.
fn polled_again() -> Error {
    actix_web::error::ErrorInternalServerError("CORS future polled after completion")
}
#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::Pin;

    use super::{CorsFirstFuture, Error, ServiceResponse};

    /// Every request's future is moved a few times on its way through actix-web: it must not
    /// carry a response (a preflight's is boxed) or anything else large.
    #[test]
    fn the_future_of_a_request_stays_small() {
        type AppFuture = Pin<Box<dyn Future<Output = Result<ServiceResponse, Error>>>>;
        let size = std::mem::size_of::<CorsFirstFuture<AppFuture>>();
        assert!(size <= 80, "{size} bytes");
        assert!(std::mem::size_of::<ServiceResponse>() > 80);
    }
}
