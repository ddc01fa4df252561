//! What the layer hands a WebSocket handshake it admitted because the handshake's `Origin` is
//! among a list that may change — a tenant's origins, or a configured list — so that the
//! handler's [`OriginWatch`](super::OriginWatch) can watch that list for as long as the socket
//! is open.
//!
//! Made only for such handshakes (a `GET` asking to upgrade, from an origin a changeable list
//! granted, that R21 would not let in anyway), and kept in the request's extensions: one small
//! allocation per watched handshake, none on any other request.

use std::sync::Arc;

use actix_web::dev::ServiceRequest;
use actix_web::http::header::HeaderValue;
use actix_web::http::Method;
use actix_web::HttpMessage;

use crate::decide::{self, Requester};
use crate::policy::Policy;
use crate::request::Values;
use crate::tenant::source::TenantSource;

/// A handshake admitted by a changeable list.
#[derive(Clone)]
pub(crate) struct Admission {
    /// The `Origin` the list granted.
    pub(crate) origin: HeaderValue,
    /// The route's policy: its literals, its configured list, its flags.
    pub(crate) policy: &'static Policy,
    pub(crate) by: AdmittedBy,
}

/// Which list admitted it.
#[derive(Clone)]
pub(crate) enum AdmittedBy {
    /// The route's configured list, `config("name")` (the name is the policy's).
    Configured,
    /// A tenant's origins, from its provider.
    Tenant {
        source: Arc<TenantSource>,
        tenant: Arc<str>,
    },
}

/// Hands `request` its admission when it is a WebSocket handshake that `by`'s list admitted:
/// its origin, one value, granted by that list (`granted_by_list`), for the request's
/// credentials, and not let in by R21 whatever the list says. Out of line, and not generic (the
/// request is read through `dyn Requester`): only `GET`s of a route with a changeable list, whose
/// origin that list granted, come here, and none of it is compiled into the app's crate — where
/// the layer's generic code is, whose inlining the allowed `GET` depends on.
#[inline(never)]
pub(crate) fn hand_if_watched<'r>(
    request: &'r ServiceRequest,
    policy: &'static Policy,
    origin: Values<'r>,
    requester: &dyn Requester<'r>,
    host: decide::guard::OwnHost,
    by: &dyn Fn() -> AdmittedBy,
) {
    if *request.method() != Method::GET || !requester.is_websocket() {
        return;
    }
    let Some(value) = origin.one() else {
        return;
    };
    // A cookie-bearing handshake on a route without credentials was not admitted by the list.
    if !policy.credentials && requester.has_cookie() {
        return;
    }
    if decide::guard::handshake_admitted_without_the_list(origin, requester, host) {
        return;
    }
    request.extensions_mut().insert(Admission {
        origin: value.clone(),
        policy,
        by: by(),
    });
}
