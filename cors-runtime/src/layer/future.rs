//! The future of one request through the layer: a preflight's answer, handed out; or the app's
//! answer awaited and then, for a `#[cors]` route, given the route's headers; or, for a tenant
//! route whose tenant's origins are being looked up, all of that once they are
//! (`super::tenant`).

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{HeaderMap, HeaderValue};
use actix_web::Error;

use super::cors_error::CorsError;
use crate::decide::Grant;
use crate::policy::Policy;
use crate::respond::actual::decorate;
use crate::tenant::handed::Handed;

/// What an actual response of a `#[cors]` route gets on its way out.
pub(crate) struct Decoration {
    pub(crate) policy: &'static Policy,
    pub(crate) outcome: Outcome,
    /// A tenant route's: the tenant handed to the app's code, taken back when the app has
    /// answered or the future is dropped.
    pub(crate) handed: Option<Handed>,
}

/// The decision, as the response needs it. One enum rather than two options: it is moved and
/// dropped with every request.
pub(crate) enum Outcome {
    Granted(Grant),
    /// With the reason, in development mode (boxed: it is rare, and the future stays small).
    Refused(Option<Box<HeaderValue>>),
}

impl Outcome {
    fn into_grant(self) -> Option<Grant> {
        match self {
            Self::Granted(grant) => Some(grant),
            Self::Refused(_) => None,
        }
    }
}

/// What a request waiting for a tenant lookup becomes: a boxed future, made only on that path.
pub(crate) type Waiting<B> =
    Pin<Box<dyn Future<Output = Result<ServiceResponse<EitherBody<B, BoxBody>>, Error>>>>;

pin_project_lite::pin_project! {
    /// A preflight's answer, or the app's answer awaited and then, for a `#[cors]` route,
    /// given the route's headers.
    pub struct CorsFirstFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }

    impl<F, B> PinnedDrop for CorsFirstFuture<F, B> {
        fn drop(this: Pin<&mut Self>) {
            // Dropped before the app answered (a client that went away): the tenant handed to
            // the request is taken back here.
            if let StateProjection::Decorated { decoration, .. } = this.project().state.project() {
                Handed::take_back_any(decoration.handed.take());
            }
        }
    }
}

pin_project_lite::pin_project! {
    #[project = StateProjection]
    #[project_replace = StateTaken]
    enum State<F, B> {
        // Answered here (a preflight), until handed out. Boxed: a response is large, and every
        // request's future would otherwise be as large and moved as often.
        Answered { response: Box<ServiceResponse> },
        // A `#[cors]` route's answer, awaited.
        Decorated { #[pin] inner: F, decoration: Decoration },
        // Any other route's answer, awaited and passed on untouched.
        Passed { #[pin] inner: F },
        // A tenant route's request, waiting for its tenant's origins, then decided.
        Waiting { waiting: Waiting<B> },
        // Handed out.
        Done,
    }
}

impl<F, B> CorsFirstFuture<F, B> {
    pub(crate) fn answered(response: ServiceResponse) -> Self {
        Self {
            state: State::Answered {
                response: Box::new(response),
            },
        }
    }

    pub(crate) const fn decorated(inner: F, decoration: Decoration) -> Self {
        Self {
            state: State::Decorated { inner, decoration },
        }
    }

    pub(crate) const fn passed(inner: F) -> Self {
        Self {
            state: State::Passed { inner },
        }
    }

    pub(crate) fn waiting(waiting: Waiting<B>) -> Self {
        Self {
            state: State::Waiting { waiting },
        }
    }
}

impl<F, B> Future for CorsFirstFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B, BoxBody>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        match state.as_mut().project() {
            StateProjection::Decorated { inner, decoration } => {
                // Decorated where the inner future's answer lies, then moved once, into this
                // one's: the response is large.
                let mut polled = inner.poll(cx);
                let Poll::Ready(outcome) = &mut polled else {
                    return Poll::Pending;
                };
                let policy = decoration.policy;
                let decided = std::mem::replace(&mut decoration.outcome, Outcome::Refused(None));
                Handed::take_back_any(decoration.handed.take());
                state.set(State::Done);
                let grant = match outcome {
                    Ok(response) => {
                        match decided {
                            Outcome::Granted(grant) => {
                                decorate(policy, response.headers_mut(), Some(grant));
                            }
                            Outcome::Refused(explanation) => {
                                refused(policy, response.headers_mut(), explanation);
                            }
                        }
                        None
                    }
                    Err(_) => decided.into_grant(),
                };
                match polled {
                    // A closure of its own, not `map_into_left_body`: its instance of
                    // `map_body` is then called from here alone, and inlined.
                    Poll::Ready(Ok(response)) => {
                        Poll::Ready(Ok(response.map_body(|_, body| EitherBody::left(body))))
                    }
                    Poll::Ready(Err(error)) => {
                        Poll::Ready(Err(CorsError::wrap(error, policy, grant)))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
            StateProjection::Passed { inner } => {
                let outcome = ready!(inner.poll(cx));
                state.set(State::Done);
                Poll::Ready(outcome.map(ServiceResponse::map_into_left_body))
            }
            _ => poll_other(state, cx),
        }
    }
}

/// A refused request's response: no CORS headers, `Vary: Origin`, and in development mode the
/// reason. Out of line, like every path but the two common ones, so that LLVM inlines what
/// those two call.
#[inline(never)]
fn refused(policy: &Policy, headers: &mut HeaderMap, explanation: Option<Box<HeaderValue>>) {
    decorate(policy, headers, None);
    if let Some(explanation) = explanation {
        headers.insert(crate::explain::dev_mode::REFUSAL_HEADER, *explanation);
    }
}

/// The rare states: a preflight's answer handed out, a tenant lookup awaited, or polled again.
#[inline(never)]
fn poll_other<F, B>(
    mut state: Pin<&mut State<F, B>>,
    cx: &mut Context<'_>,
) -> Poll<Result<ServiceResponse<EitherBody<B, BoxBody>>, Error>>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    if let StateProjection::Waiting { waiting } = state.as_mut().project() {
        let outcome = ready!(waiting.as_mut().poll(cx));
        state.set(State::Done);
        return Poll::Ready(outcome);
    }
    Poll::Ready(match state.project_replace(State::Done) {
        StateTaken::Answered { response } => Ok((*response).map_into_right_body()),
        _ => Err(polled_again()),
    })
}

/// A caller bug (polling a finished future), answered without panicking.
fn polled_again() -> Error {
    actix_web::error::ErrorInternalServerError("CORS future polled after completion")
}
#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::Pin;

    use actix_web::body::BoxBody;

    use super::{CorsFirstFuture, Error, ServiceResponse};

    /// Every request's future is moved a few times on its way through actix-web: it must not
    /// carry a response (a preflight's is boxed) or anything else large.
    #[test]
    fn the_future_of_a_request_stays_small() {
        type AppFuture = Pin<Box<dyn Future<Output = Result<ServiceResponse, Error>>>>;
        let size = std::mem::size_of::<CorsFirstFuture<AppFuture, BoxBody>>();
        assert!(size <= 80, "{size} bytes");
        assert!(std::mem::size_of::<ServiceResponse>() > 80);
    }
}
