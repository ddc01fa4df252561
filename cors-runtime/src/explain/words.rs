//! A refusal in words: what was refused and, for an origin, the allowed one it nearly matches.

use std::fmt;

use super::near_miss;
use crate::decide::{GuardRow, Reason};
use crate::policy::lists::RequestedHeaderRefusal;
use crate::policy::Policy;
use crate::request::{Shown, SHOWN_AT_MOST};

/// A refusal's reason, with the policy that refused it.
pub(crate) struct Explained<'a, 'r> {
    pub(crate) reason: &'a Reason<'r>,
    pub(crate) policy: &'a Policy,
}

impl fmt::Display for Explained<'_, '_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let method = Shown;
        match *self.reason {
            Reason::OriginAbsent => formatter.write_str("the request has no `Origin` header"),
            Reason::OriginRepeated => {
                formatter.write_str("the request has more than one `Origin` header")
            }
            Reason::OriginNotAllowed(value) => match value.to_str() {
                // Longer than any origin a browser sends: nothing it could nearly match.
                Ok(origin) if origin.len() > SHOWN_AT_MOST => {
                    formatter.write_str("the origin is not allowed")
                }
                Ok(origin) if !origin.is_empty() => {
                    match near_miss::nearest(origin, &self.policy.origins.current()) {
                        Some(near) => write!(
                            formatter,
                            "the origin is not allowed; it nearly matches the allowed `{}`: {}",
                            near.allowed, near.difference
                        ),
                        None => formatter.write_str("the origin is not allowed"),
                    }
                }
                _ => formatter.write_str("`Origin` is empty or not an origin a browser sends"),
            },
            Reason::MethodNotAllowed(requested) => write!(
                formatter,
                "the method `{}` is not allowed (methods are compared case-sensitively)",
                method(requested)
            ),
            Reason::MethodNotServed(requested) => write!(
                formatter,
                "no #[cors] route of this path serves the method `{}`",
                method(requested)
            ),
            Reason::MethodRepeated => {
                formatter.write_str("`Access-Control-Request-Method` is given more than once")
            }
            Reason::Headers(RequestedHeaderRefusal::NotAllowed(item)) => {
                match std::str::from_utf8(item) {
                    Ok(name) if cors_policy::token::is_token(name) => write!(
                        formatter,
                        "the request header `{}` is not allowed",
                        Shown::text(&name.to_ascii_lowercase())
                    ),
                    _ => formatter.write_str(
                        "`Access-Control-Request-Headers` holds something that is not a header \
                         name",
                    ),
                }
            }
            Reason::Headers(RequestedHeaderRefusal::TooMany) => formatter.write_str(
                "`Access-Control-Request-Headers` lists more than 64 headers, more than a browser \
                 does",
            ),
            Reason::NoGuardPasses => formatter.write_str(
                "several #[cors] routes serve this path and method with different policies, and \
                 the preflight satisfies none of their guards",
            ),
            Reason::OptedOut => formatter
                .write_str("the route opted out of CORS (`no_cors()`): no origin is granted on it"),
            Reason::NoTenant(_) => formatter.write_str(
                "the provider names no tenant for this request, and the origin is not one every \
                 tenant trusts",
            ),
            Reason::NotAmongTenant { tenant, .. } => write!(
                formatter,
                "the origin is not among tenant `{}`'s origins",
                Shown::text(tenant)
            ),
            Reason::TenantLookupFailed { tenant, .. } => write!(
                formatter,
                "tenant lookup failed (tenant `{}`): the origin is refused until it succeeds",
                Shown::text(tenant)
            ),
            Reason::Guard(refusal) if refusal.app_wide => formatter.write_str(match refusal.row {
                GuardRow::CrossSiteFetch | GuardRow::Handshake => {
                    "a write from another site to a route without #[cors]: `Sec-Fetch-Site` says \
                     so (R23)"
                }
                GuardRow::OriginNamesNoHost => {
                    "a write to a route without #[cors] whose `Origin` names no host (`null`, \
                     malformed, or more than one) (R23)"
                }
                GuardRow::UntrustedOrigin => {
                    "a write to a route without #[cors] from an origin that is not this server's \
                     own host (R23)"
                }
            }),
            Reason::Guard(refusal) => {
                formatter.write_str(match refusal.row {
                    GuardRow::CrossSiteFetch => {
                        "a write from another site: `Sec-Fetch-Site` says so, and the origin is not \
                         one the route trusts (R20, row 3)"
                    }
                    GuardRow::OriginNamesNoHost => {
                        "a write whose `Origin` names no host (`null`, malformed, or more than one) \
                         (R20, row 5)"
                    }
                    GuardRow::UntrustedOrigin => {
                        "a write from an origin the route does not trust, and not this server's own \
                         host (R20, row 7)"
                    }
                    GuardRow::Handshake => {
                        "a WebSocket handshake from an origin the route does not trust (R21)"
                    }
                })?;
                if !self.policy.credentials {
                    formatter.write_str(
                        "; without `credentials` the route trusts its origins only with no \
                         cookies",
                    )?;
                }
                Ok(())
            }
        }
    }
}
