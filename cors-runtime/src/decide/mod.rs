//! The decisions, as pure functions from a policy and the request read once
//! ([`CorsRequest`](crate::request::CorsRequest)) to a [`Grant`] or a [`Refusal`] that carries
//! everything needed to explain it: who may read a route's answers ([`actual`], [`preflight`])
//! and who may act on it, its writes and WebSocket handshakes ([`guard`]). Nothing here writes a header or logs: the layer hands a
//! grant to the header writers (`crate::respond`) and a refusal to the explanations
//! (`crate::explain`), and the fuzz targets call these same functions.

pub(crate) mod guard;
mod origin;
mod preflight;
mod resolve;

use actix_web::http::header::HeaderValue;

use crate::counts::RefusalKind;
use crate::policy::lists::RequestedHeaderRefusal;

pub(crate) use guard::{guard, GuardRefusal, GuardRow, Requester};
pub(crate) use origin::listed;
pub(crate) use preflight::{preflight, NoRouteTakes};
pub(crate) use resolve::{after_lookup, resolve, Resolution};

/// What a policy grants a request: the `Access-Control-Allow-Origin` to answer with.
#[derive(Clone, Debug)]
pub(crate) enum Grant {
    /// `*`, for every request, with or without `Origin`.
    Any,
    /// This origin: the configured value, or the request's own for a pattern.
    Origin(HeaderValue),
}

/// The answer of an `origins = ["*"]` policy.
const ANY_ORIGIN: HeaderValue = HeaderValue::from_static("*");

impl Grant {
    /// Whether the answer depends on the request's `Origin` (R14): for every policy but a plain
    /// `*`.
    #[inline]
    pub(crate) const fn varies(&self) -> bool {
        matches!(self, Self::Origin(_))
    }

    /// `Access-Control-Allow-Origin`.
    #[inline]
    pub(crate) fn into_allow_origin(self) -> HeaderValue {
        match self {
            Self::Any => ANY_ORIGIN,
            Self::Origin(value) => value,
        }
    }
}

/// Why a request gets no CORS grant, with what explains it. Only a policy that varies by
/// `Origin` refuses (a plain `*` grants every request), so every refusal is answered with
/// `Vary: Origin`.
#[derive(Clone, Debug)]
pub(crate) struct Refusal<'r> {
    pub(crate) reason: Reason<'r>,
    /// What the origin alone was granted, when the refusal is about something else (a
    /// preflight's method or headers): development mode answers with it, so that the browser
    /// names what is missing.
    pub(crate) origin_grant: Option<Grant>,
}

/// Why a request is refused. Each carries the part of the request it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason<'r> {
    /// No `Origin`: a same-origin request, or none from a browser. Answered like a refusal,
    /// but there is nothing to report about it.
    OriginAbsent,
    /// Several `Origin` headers (R3).
    OriginRepeated,
    /// An `Origin` the policy does not allow: a stranger, or a malformed or empty value.
    OriginNotAllowed(&'r HeaderValue),
    /// `Access-Control-Request-Method` was repeated (R3).
    MethodRepeated,
    /// No `#[cors]` route of the path serves the requested method.
    MethodNotServed(&'r [u8]),
    /// The route's policy does not allow the requested method (R8).
    MethodNotAllowed(&'r [u8]),
    /// A requested header is not allowed, or there are too many (R9).
    Headers(RequestedHeaderRefusal<'r>),
    /// Several `#[cors]` routes with different policies serve the method, and the preflight
    /// satisfies none of their guards.
    NoGuardPasses,
    /// A write (R20) or a WebSocket handshake (R21) from an origin the route does not trust:
    /// answered 403 before the app runs.
    Guard(GuardRefusal<'r>),
    /// A preflight to a route that opted out of CORS (`no_cors()`): nothing is granted on it.
    OptedOut,
    /// A tenant route's request for which the provider names no tenant, from an origin that is
    /// not one every tenant trusts.
    NoTenant(&'r HeaderValue),
    /// An origin that is neither one every tenant trusts nor one of this tenant's.
    NotAmongTenant {
        origin: &'r HeaderValue,
        tenant: &'r str,
    },
    /// The tenant's origins could not be looked up (an error, or the timeout): refused until a
    /// lookup succeeds.
    TenantLookupFailed {
        origin: &'r HeaderValue,
        tenant: &'r str,
    },
}

impl<'r> From<Reason<'r>> for Refusal<'r> {
    fn from(reason: Reason<'r>) -> Self {
        Self {
            reason,
            origin_grant: None,
        }
    }
}

impl Reason<'_> {
    /// Whether the refusal is worth reporting: every one but a request without `Origin`.
    pub(crate) const fn is_reported(&self) -> bool {
        !matches!(self, Self::OriginAbsent)
    }

    /// The refusal as `cors_refusals_total` counts it: `None` for a request without `Origin`,
    /// which nothing refused.
    pub(crate) fn counted(&self) -> Option<RefusalKind> {
        Some(match self {
            Self::OriginAbsent => return None,
            Self::OriginRepeated => RefusalKind::OriginRepeated,
            Self::OriginNotAllowed(value) | Self::NoTenant(value)
                if value.as_bytes() == b"null" =>
            {
                RefusalKind::OriginNull
            }
            Self::OriginNotAllowed(value) if !looks_like_an_origin(value.as_bytes()) => {
                RefusalKind::OriginMalformed
            }
            Self::OriginNotAllowed(_) => RefusalKind::OriginNotAllowed,
            Self::MethodRepeated => RefusalKind::MethodRepeated,
            Self::MethodNotServed(_) => RefusalKind::MethodNotServed,
            Self::MethodNotAllowed(_) => RefusalKind::MethodNotAllowed,
            Self::Headers(RequestedHeaderRefusal::NotAllowed(_)) => RefusalKind::HeaderNotAllowed,
            Self::Headers(RequestedHeaderRefusal::TooMany) => RefusalKind::HeadersTooMany,
            Self::NoGuardPasses => RefusalKind::NoGuardPasses,
            Self::Guard(refusal) => refusal.counted(),
            Self::OptedOut => RefusalKind::OptedOut,
            Self::NoTenant(_) => RefusalKind::NoTenant,
            Self::NotAmongTenant { .. } => RefusalKind::NotAmongTenant,
            Self::TenantLookupFailed { .. } => RefusalKind::TenantLookupFailed,
        })
    }
}

/// Whether `value` has an origin's shape: a scheme of letters, `://` and something after it. It
/// runs on every counted refusal, so it reads only as far as the scheme.
fn looks_like_an_origin(value: &[u8]) -> bool {
    let scheme = value
        .iter()
        .take_while(|byte| byte.is_ascii_alphabetic())
        .count();
    scheme > 0 && value.len() > scheme + 3 && value[scheme..].starts_with(b"://")
}
