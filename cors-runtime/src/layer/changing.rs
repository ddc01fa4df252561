//! An actual request to a route whose origins may change while the app serves: a tenant's
//! (`super::tenant`), or a configured list. Decided as any route's; in addition, a WebSocket
//! handshake such a list admitted is handed what the handler's
//! [`OriginWatch`](crate::websocket::OriginWatch) needs to watch the list for as long as the
//! socket is open (`crate::websocket`). Routes whose origins never change do not come here.

use std::rc::Rc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::ORIGIN;
use actix_web::http::Method;
use actix_web::Error;

use super::requester::Requester;
use super::{go, tenant, CorsFirstFuture, Settings};
use crate::app::route::{AppRoute, Changing};
use crate::decide;
use crate::request::Values;
use crate::websocket::{self, AdmittedBy};

/// `request`, an actual request to `route`, whose origins `changing` says where from.
#[inline(never)]
pub(super) fn actual<S, B>(
    service: &Rc<S>,
    settings: Settings,
    route: &AppRoute,
    changing: &Changing,
    request: ServiceRequest,
) -> CorsFirstFuture<S::Future, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    match changing {
        Changing::Tenant(link) => tenant::actual(service, settings, route, link, request),
        Changing::Configured => {
            let origin = Values::of(request.headers(), &ORIGIN);
            let decision = decide::listed(route.policy, origin);
            if decision.is_ok() && *request.method() == Method::GET {
                websocket::hand_if_watched(
                    &request,
                    route.policy,
                    origin,
                    &Requester(&request),
                    settings.own_host(),
                    &|| AdmittedBy::Configured,
                );
            }
            let next = settings.actual(route, &request, origin, decision);
            go(&**service, request, route.policy, next, None)
        }
    }
}
