//! What the guard on writes and handshakes reads of a request beyond its `Origin`
//! ([`decide::Requester`](crate::decide::Requester)), each when a row of the guard needs it.

use actix_web::dev::ServiceRequest;
use actix_web::http::header::{HeaderName, COOKIE, HOST, UPGRADE};

use crate::decide::guard::{same_host, OwnHost};
use crate::request::Values;

/// `Sec-Fetch-Site` (Fetch Metadata): not among the `http` crate's standard names.
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// A request as the guard reads it.
pub(super) struct Requester<'r>(pub(super) &'r ServiceRequest);

impl<'r> crate::decide::Requester<'r> for Requester<'r> {
    fn fetch_site(&self) -> Values<'r> {
        Values::of(self.0.headers(), &SEC_FETCH_SITE)
    }

    fn has_cookie(&self) -> bool {
        self.0.headers().contains_key(COOKIE)
    }

    /// As broad as actix-web's own handshake check (`Upgrade` containing `websocket`, in any
    /// case), so that nothing actix-web would upgrade escapes the guard.
    fn is_websocket(&self) -> bool {
        self.0.headers().get_all(UPGRADE).any(|value| {
            value
                .as_bytes()
                .windows(b"websocket".len())
                .any(|window| window.eq_ignore_ascii_case(b"websocket"))
        })
    }

    /// The `Host` as received — its header, or an HTTP/2 request's `:authority` — unless the
    /// app trusts the host its reverse proxy forwards: a client can send `X-Forwarded-Host`, and
    /// only the app knows whether a proxy in front of it replaces it.
    fn is_own_host(&self, authority: &str, host: OwnHost) -> bool {
        if host == OwnHost::Forwarded {
            return same_host(self.0.connection_info().host(), authority);
        }
        let received = self
            .0
            .headers()
            .get(HOST)
            .and_then(|host| host.to_str().ok())
            .or_else(|| self.0.uri().authority().map(|authority| authority.as_str()));
        received.is_some_and(|own| same_host(own, authority))
    }
}
