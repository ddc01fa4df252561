//! [`OriginWatch`]: the handler's handle on the trust of the origin that opened its WebSocket,
//! and the check that runs again whenever that trust may have ended.

use std::convert::Infallible;
use std::fmt;
use std::future::{poll_fn, ready, Future, Ready};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::rt::time::{sleep_until, Instant as TokioInstant};
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use super::admission::{Admission, AdmittedBy};
use crate::decide;
use crate::policy::configured::SOCKETS as CONFIGURED_SOCKETS;
use crate::request::Values;
use crate::tenant::source::LookupFailed;
use crate::watchers::Watching;

/// The first wait before checking again an origin whose list could not be read (the store
/// failing); it doubles up to [`RETRY_AT_MOST`] while it keeps failing.
const RETRY_FIRST: Duration = Duration::from_millis(250);
/// The longest wait between two checks of an origin whose list cannot be read.
const RETRY_AT_MOST: Duration = Duration::from_secs(2);

/// The trust of the origin that opened a WebSocket, watched for as long as the socket is open:
/// an extractor for the handshake's handler.
///
/// CORS decides a request once; a WebSocket lives on. When the guard (R21) let a handshake in
/// because its `Origin` is among a list that can change — a tenant's origins
/// (`origins = tenant(...)`), or a configured list (`origins = config("...")`) — this handle
/// watches that list: whenever the origin may have stopped being trusted (a change to the
/// tenant heard by the change feed or made with
/// [`invalidate`](crate::tenant::TenantOriginsHandle::invalidate), a list set again with
/// [`set_origins`](crate::config::set_origins), a cached list that no feed vouches for any
/// more), the origin is checked again, by the rules a new request is decided by, and
/// [`revoked`](Self::revoked) returns once it is no longer trusted. The handler closes the socket
/// then — with the `actix-ws` feature, `OriginWatch::close_on_revocation` closes
/// an actix-ws session with close code 1008 (policy violation):
///
/// ```
/// use actix_web::{get, rt, web, Error, HttpRequest, HttpResponse};
/// use actix_ws::{CloseCode, Message};
/// use cors_runtime::{cors, websocket::OriginWatch};
/// use futures_util::future::{select, Either};
///
/// #[cors(origins = config("partners"), credentials)]
/// #[get("/live")]
/// async fn live(request: HttpRequest, body: web::Payload, mut watch: OriginWatch) -> Result<HttpResponse, Error> {
///     let (response, mut session, mut messages) = actix_ws::handle(&request, body)?;
///     rt::spawn(async move {
///         loop {
///             // `revoked` is cancel-safe: a new one each turn loses nothing.
///             let revoked = std::pin::pin!(watch.revoked());
///             match select(revoked, std::pin::pin!(messages.recv())).await {
///                 Either::Left(((), _)) => {
///                     let _ = session.close(Some(CloseCode::Policy.into())).await;
///                     return;
///                 }
///                 Either::Right((Some(Ok(Message::Text(text))), _)) => {
///                     if session.text(text).await.is_err() {
///                         return;
///                     }
///                 }
///                 Either::Right((Some(Ok(_)), _)) => {}
///                 Either::Right((None | Some(Err(_)), _)) => return,
///             }
///         }
///     });
///     Ok(response)
/// }
/// # let _ = cors_runtime::config::set_origins("partners", ["https://partner.example"]);
/// # drop(actix_web::App::new().service(live));
/// ```
///
/// **What is watched.** Only what a changeable list admitted: a handshake let in by a literal
/// origin, by `Sec-Fetch-Site: same-origin` or by an `Origin` naming the server's own host — or
/// any request that is not a handshake of a `#[cors]` route — gets a handle that is never
/// revoked ([`is_watched`](Self::is_watched) is `false`).
///
/// **When it fires.** With a change feed, every replica hears a tenant's change within
/// milliseconds and checks its sockets at once (one lookup per tenant per process, shared with
/// the requests); `set_origins` is checked synchronously. A list no feed vouches for is checked
/// again when its lifetime, or the feed's lease, ends.
///
/// **When the store cannot answer** (a database outage), the socket stays open: closing every
/// socket on a database blip would be a failure of its own, and its origin was trusted when
/// last known. It is checked again every 250 ms doubling to 2 s, and closed once the store
/// answers that its origin is gone. New handshakes are refused meanwhile (a failed lookup
/// refuses).
///
/// **What it costs.** Nothing on any HTTP request: the layer hands the handshake's admission to
/// this extractor only for watched handshakes. A watched socket holds one subscription to its
/// list's changes (one entry per tenant or configured name with open sockets, given back when
/// the last of them ends) and one boxed future; `revoked` is cancel-safe — the check under way
/// lives in the handle, so awaiting it inside `select!` in a loop loses nothing.
pub struct OriginWatch {
    /// The origin that opened the socket, when a changeable list admitted it.
    origin: Option<String>,
    /// The watch: checks the origin again whenever its list may have changed, and ends when
    /// the origin is no longer trusted. `None` when nothing is watched, or once it has ended.
    watching: Option<Pin<Box<dyn Future<Output = ()>>>>,
    revoked: bool,
}

impl OriginWatch {
    /// Whether the socket was admitted by a list that can change, and so can be revoked.
    #[must_use]
    pub fn is_watched(&self) -> bool {
        self.origin.is_some()
    }

    /// The origin that opened the socket, when it is watched.
    #[must_use]
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// Whether the origin has been found no longer trusted (after [`revoked`](Self::revoked)
    /// returned).
    #[must_use]
    pub fn is_revoked(&self) -> bool {
        self.revoked
    }

    /// Returns once the origin that opened the socket is no longer trusted by the route: never,
    /// for a socket that is not watched. Cancel-safe.
    pub async fn revoked(&mut self) {
        poll_fn(|context| {
            if self.revoked {
                return Poll::Ready(());
            }
            let Some(watching) = &mut self.watching else {
                return Poll::Pending;
            };
            match watching.as_mut().poll(context) {
                Poll::Ready(()) => {
                    self.watching = None;
                    self.revoked = true;
                    Poll::Ready(())
                }
                Poll::Pending => Poll::Pending,
            }
        })
        .await;
    }

    /// The handle of a handshake `admission` let in: watching starts now, with a check of its
    /// own (the list may have changed since the layer decided).
    fn watching(admission: Admission) -> Self {
        let origin = String::from_utf8_lossy(admission.origin.as_bytes()).into_owned();
        let subscription = match &admission.by {
            AdmittedBy::Tenant { source, tenant } => {
                Subscription::Tenant(source.sockets.subscribe(Arc::clone(tenant)))
            }
            AdmittedBy::Configured => Subscription::Configured(
                CONFIGURED_SOCKETS.subscribe(admission.policy.config_name().to_owned()),
            ),
        };
        Self {
            origin: Some(origin),
            watching: Some(Box::pin(watch(admission, subscription))),
            revoked: false,
        }
    }

    /// A handle that is never revoked.
    fn unwatched() -> Self {
        Self {
            origin: None,
            watching: None,
            revoked: false,
        }
    }
}

impl FromRequest for OriginWatch {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let admission = request.extensions().get::<Admission>().cloned();
        ready(Ok(admission.map_or_else(Self::unwatched, Self::watching)))
    }
}

impl fmt::Debug for OriginWatch {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("OriginWatch")
            .field("origin", &self.origin)
            .field("revoked", &self.revoked)
            .finish_non_exhaustive()
    }
}

/// A socket's subscription to its list's changes.
enum Subscription {
    Tenant(Watching<Arc<str>>),
    Configured(Watching<String>),
}

impl Subscription {
    fn seen(&mut self) {
        match self {
            Self::Tenant(watching) => watching.seen(),
            Self::Configured(watching) => watching.seen(),
        }
    }

    async fn changed(&mut self) {
        match self {
            Self::Tenant(watching) => watching.changed().await,
            Self::Configured(watching) => watching.changed().await,
        }
    }
}

/// What a check of the origin found.
enum Verdict {
    /// Still trusted; to be checked again by this time, when the list it was found in may no
    /// longer be vouched for (`None`: only when told of a change).
    Trusted(Option<Instant>),
    /// No longer trusted.
    Revoked,
    /// The list could not be read (the store failing): the socket stays open, and is checked
    /// again soon.
    Unknown,
}

/// Checks `admission`'s origin whenever its list may have changed, until it is no longer
/// trusted.
async fn watch(admission: Admission, mut subscription: Subscription) {
    let mut retry = RETRY_FIRST;
    loop {
        // Every change told so far is covered by the check that starts now.
        subscription.seen();
        let again_at = match check(&admission).await {
            Verdict::Revoked => {
                tracing::debug!(
                    target: "cors_runtime",
                    origin = %crate::request::Shown(admission.origin.as_bytes()),
                    "an open WebSocket's origin is no longer trusted: the handler is told to close it"
                );
                return;
            }
            Verdict::Trusted(again_at) => {
                retry = RETRY_FIRST;
                again_at
            }
            Verdict::Unknown => {
                let again_at = Instant::now() + retry;
                retry = (retry * 2).min(RETRY_AT_MOST);
                Some(again_at)
            }
        };
        let mut changed = std::pin::pin!(subscription.changed());
        let mut deadline =
            std::pin::pin!(again_at.map(|at| sleep_until(TokioInstant::from_std(at))));
        // Whichever comes first: a change told, or the time to check again.
        poll_fn(|context| {
            if changed.as_mut().poll(context).is_ready() {
                return Poll::Ready(());
            }
            match deadline.as_mut().as_pin_mut() {
                Some(deadline) => deadline.poll(context),
                None => Poll::Pending,
            }
        })
        .await;
    }
}

/// Whether `admission`'s origin is still trusted by its route, decided as a new request's
/// origin would be: the route's literals and configured list as they are now, then the
/// tenant's origins — this worker's view of the cache, or a lookup shared with the requests.
async fn check(admission: &Admission) -> Verdict {
    let origin = std::slice::from_ref(&admission.origin);
    let listed = decide::listed(admission.policy, Values::from_slice(origin));
    let AdmittedBy::Tenant { source, tenant } = &admission.by else {
        return if listed.is_ok() {
            Verdict::Trusted(None)
        } else {
            Verdict::Revoked
        };
    };
    if listed.is_ok() {
        // A literal every tenant trusts lets it in: literals do not change.
        return Verdict::Trusted(None);
    }
    let sets = match source.warm(tenant) {
        Some(sets) => Ok(sets),
        None => Arc::clone(source).load(tenant.to_string()).await,
    };
    match sets {
        Err(LookupFailed) => Verdict::Unknown,
        Ok(sets) => {
            if sets
                .for_policy(admission.policy)
                .find(&admission.origin)
                .is_some()
            {
                Verdict::Trusted(Some(source.usable_until(&sets)))
            } else {
                Verdict::Revoked
            }
        }
    }
}
