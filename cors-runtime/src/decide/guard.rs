//! The guard on a route's writes and WebSocket handshakes (R20, R21): the origins a route's
//! policy trusts to read its answers are the only ones trusted to act on it with the user's
//! cookies. Decided before any middleware, handler or body read; a refusal is answered 403.
//!
//! The rows are those of R20 and R21 ([the protocol page](crate::guide::protocol)), first
//! matching row wins. Only rows that pass are ever taken out of order (row 2 before row 1: both
//! pass, and row 2 needs nothing more read), so the row a refusal names is the row the table
//! names. Each header is read at most once, and only when a row needs it ([`Requester`]).

use actix_web::http::header::HeaderValue;
use actix_web::http::Method;

use crate::counts::{self, Judged, RefusalKind};
use crate::policy::Policy;
use crate::request::Values;

/// What the guard may read of a request beyond its `Origin`, each when a row needs it.
pub(crate) trait Requester<'r> {
    /// `Sec-Fetch-Site`, every value.
    fn fetch_site(&self) -> Values<'r>;
    /// Whether the request carries a `Cookie` header.
    fn has_cookie(&self) -> bool;
    /// Whether it asks to upgrade to a WebSocket (`Upgrade: websocket`).
    fn is_websocket(&self) -> bool;
    /// Whether `authority` (`host[:port]` of an `Origin`) is the request's own host, as `host`
    /// says to read it.
    fn is_own_host(&self, authority: &str, host: OwnHost) -> bool;
}

/// Where the request's own host comes from. A parameter of the guard, not of the request it
/// reads: the allowed `GET` never asks for the host, and a field it had to fill cost it 7
/// instructions (BENCHMARKS.md, issue 32).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OwnHost {
    /// Its `Host` as received, or an HTTP/2 request's `:authority`: the default.
    AsReceived,
    /// The host a reverse proxy forwards (`Forwarded`, `X-Forwarded-Host`, as actix-web's
    /// `ConnectionInfo` reads them), when the app says its proxy sets them
    /// (`CorsFirst::trust_forwarded_host`).
    Forwarded,
}

/// Which row of R20 refused a write, or that R21 refused a handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GuardRow {
    /// R20 row 3: `Sec-Fetch-Site` says the request comes from another origin.
    CrossSiteFetch,
    /// R20 row 5: `Origin` is `null`, malformed, has user info or a path, or is repeated.
    OriginNamesNoHost,
    /// R20 row 7: an origin the route does not trust, and not the server's own host.
    UntrustedOrigin,
    /// R21: a WebSocket handshake from an origin the route does not trust.
    Handshake,
}

/// A write or handshake refused: the row, and the request's `Sec-Fetch-Site`, which every row
/// that refuses has read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GuardRefusal<'r> {
    pub(crate) row: GuardRow,
    pub(crate) site: Values<'r>,
    /// Refused by the app-wide guard (R23): a write to a route without `#[cors]`.
    pub(crate) app_wide: bool,
}

/// `Sec-Fetch-Site` values meaning the request's initiator is the server's own origin (or the
/// user, typing the address): row 1.
fn from_the_same_origin(site: &HeaderValue) -> bool {
    site == "same-origin" || site == "none"
}

impl GuardRefusal<'_> {
    /// What the refused request was.
    pub(crate) const fn judged(&self) -> Judged {
        match self.row {
            GuardRow::Handshake => Judged::Websocket,
            GuardRow::CrossSiteFetch | GuardRow::OriginNamesNoHost | GuardRow::UntrustedOrigin => {
                Judged::Write
            }
        }
    }

    /// Its reason, as `cors_refusals_total` counts it.
    pub(crate) const fn counted(&self) -> RefusalKind {
        match self.row {
            GuardRow::CrossSiteFetch => RefusalKind::CrossSiteWrite,
            GuardRow::OriginNamesNoHost => RefusalKind::WriteOriginMalformed,
            GuardRow::UntrustedOrigin => RefusalKind::WriteOriginUntrusted,
            GuardRow::Handshake => RefusalKind::CrossSiteHandshake,
        }
    }
}

/// The decision of the guard for a request to a route with `policy`: `Ok` to let it in — with
/// what it judged, when it had to (a write or handshake from another origin, or without Fetch
/// Metadata; not a read, nor a same-origin request) — or the row that refuses it. `granted` is
/// the CORS decision on the request's `Origin` (R2–R4).
#[inline(always)]
pub(crate) fn guard<'r>(
    policy: &Policy,
    method: &Method,
    origin: Values<'r>,
    granted: bool,
    request: &impl Requester<'r>,
    host: OwnHost,
) -> Result<Option<Judged>, GuardRefusal<'r>> {
    // Row 2: exactly one `Origin`, allowed for this request's credentials. A route with
    // `credentials` trusts its origins with cookies; one without trusts them only without
    // (`*` never trusts a cookie-bearing request).
    let trusted =
        || granted && origin.one().is_some() && (policy.credentials || !request.has_cookie());
    if *method == Method::GET {
        // R21. Without `Origin` it is no browser's handshake; a trusted origin may open one; a
        // plain GET is a read, and CORS decides who may read it.
        if origin.is_absent() {
            return Ok(None);
        }
        if trusted() {
            // A trusted read or handshake: let in. Whether it was a handshake matters only to
            // its count, so the `Upgrade` header is read only when decisions are counted.
            return Ok((counts::ON && request.is_websocket()).then_some(Judged::Websocket));
        }
        if !request.is_websocket() {
            return Ok(None);
        }
        let site = request.fetch_site();
        if site.one().is_some_and(|site| site == "same-origin") {
            return Ok(None);
        }
        if authority(origin).is_some_and(|own| request.is_own_host(own, host)) {
            return Ok(Some(Judged::Websocket));
        }
        return Err(GuardRefusal {
            row: GuardRow::Handshake,
            site,
            app_wide: false,
        });
    }
    if *method == Method::HEAD || *method == Method::OPTIONS || policy.spec.writes_opt_out.is_some()
    {
        return Ok(None);
    }
    // R20, a write.
    if trusted() {
        return Ok(Some(Judged::Write)); // row 2
    }
    let site = request.fetch_site();
    if site.one().is_some_and(from_the_same_origin) {
        return Ok(None); // row 1
    }
    if site.all().iter().any(|value| !value.is_empty()) {
        return Err(GuardRefusal {
            row: GuardRow::CrossSiteFetch,
            site,
            app_wide: false,
        }); // row 3
    }
    if origin.is_absent() {
        return Ok(Some(Judged::Write)); // row 4: no browser sent it
    }
    let Some(authority) = authority(origin) else {
        return Err(GuardRefusal {
            row: GuardRow::OriginNamesNoHost,
            site,
            app_wide: false,
        }); // row 5
    };
    if request.is_own_host(authority, host) {
        return Ok(Some(Judged::Write)); // row 6
    }
    Err(GuardRefusal {
        row: GuardRow::UntrustedOrigin,
        site,
        app_wide: false,
    }) // row 7
}

/// The app-wide guard (R23, opt-in: `CorsFirst::guard_every_route`): a write — any method but
/// `GET`, `HEAD` and `OPTIONS` — to a route without `#[cors]`, judged by R20's rows with no origin
/// trusted: `Sec-Fetch-Site` `same-origin` or `none` let in, any other value refused; without it,
/// no `Origin` let in (curl, webhooks, servers), an `Origin` naming no host (`null`) refused, one
/// naming the request's own host let in, any other refused. Out of line: only writes to routes
/// without `#[cors]`, in an app that asked for it, come here.
#[inline(never)]
pub(crate) fn plain_write<'r>(
    method: &Method,
    origin: Values<'r>,
    request: &impl Requester<'r>,
    host: OwnHost,
) -> Result<Option<Judged>, GuardRefusal<'r>> {
    if *method == Method::GET || *method == Method::HEAD || *method == Method::OPTIONS {
        return Ok(None);
    }
    // R20 for a policy that trusts no origin, and opts no write out.
    guard(
        crate::policy::opted_out(),
        method,
        origin,
        false,
        request,
        host,
    )
    .map_err(|refused| GuardRefusal {
        app_wide: true,
        ..refused
    })
}

/// Whether a WebSocket handshake from `origin` would be let in by R21 whatever the route's
/// origins are: `Sec-Fetch-Site: same-origin`, or an `Origin` naming the request's own host. Such
/// a socket does not depend on the route's list, and nothing revokes it.
pub(crate) fn handshake_admitted_without_the_list<'r>(
    origin: Values<'r>,
    request: &dyn Requester<'r>,
    host: OwnHost,
) -> bool {
    request
        .fetch_site()
        .one()
        .is_some_and(|site| site == "same-origin")
        || authority(origin).is_some_and(|own| request.is_own_host(own, host))
}

/// The `host[:port]` of the request's one `Origin`, when it is `scheme://host[:port]` and
/// nothing else: `None` for `null`, a malformed value, user info, a path, or several `Origin`s.
fn authority(origin: Values<'_>) -> Option<&str> {
    let text = origin.one()?.to_str().ok()?;
    let (scheme, authority) = text.split_once("://")?;
    let scheme_ok = !scheme.is_empty()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    let authority_ok = !authority.is_empty()
        && !authority
            .bytes()
            .any(|b| matches!(b, b'/' | b'?' | b'#' | b'@' | b'\\') || b.is_ascii_whitespace());
    (scheme_ok && authority_ok).then_some(authority)
}

/// The request's own host compared with an origin's `host[:port]`, without regard to case.
pub(crate) fn same_host(own: &str, authority: &str) -> bool {
    own.eq_ignore_ascii_case(authority)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_names_a_host_only_as_scheme_host_and_port() {
        let one = |text: &'static str| {
            let headers = [HeaderValue::from_static(text)];
            authority(Values::from_slice(&headers)).map(str::to_owned)
        };
        assert_eq!(
            one("https://app.example.com").as_deref(),
            Some("app.example.com")
        );
        assert_eq!(
            one("http://127.0.0.1:8080").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(one("http://[::1]:8080").as_deref(), Some("[::1]:8080"));
        for none in [
            "null",
            "",
            "https://",
            "https://a@b.example",
            "https://a.example/path",
            "https://a.example?q",
            "app.example.com",
            "://a.example",
            "https://a .example",
        ] {
            assert_eq!(one(none), None, "{none}");
        }
        let two = [
            HeaderValue::from_static("https://a.example"),
            HeaderValue::from_static("https://a.example"),
        ];
        assert_eq!(authority(Values::from_slice(&two)), None);
    }
}
