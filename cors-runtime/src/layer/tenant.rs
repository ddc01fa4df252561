//! The slow path of a tenant route: its tenant's origins are not in the cache, so the request
//! waits for the lookup — as a future of its own, so that the worker serves other requests
//! meanwhile — and is then decided exactly as on the fast path (`super::Settings`). A lookup
//! that fails or times out refuses the origin; nothing here answers 5xx.

use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::ORIGIN;
use actix_web::http::Method;
use actix_web::Error;

use super::requester::Requester;
use super::{go, CorsFirstFuture, Settings};
use crate::app::route::AppRoute;
use crate::decide::{self, Reason, Refusal, Resolution};
use crate::request::{CorsRequest, Values};
use crate::tenant::handed::{Handed, HandedUntilDropped};
use crate::tenant::source::{LookupFailed, TenantSource};
use crate::tenant::TenantRoute;
use crate::websocket::{self, AdmittedBy};

/// The route's tenant source (present: only tenant routes come here).
fn source_of(route: &AppRoute) -> Option<Arc<TenantSource>> {
    route.tenant().map(|link| Arc::clone(&link.source))
}

/// An actual request to `route`, a tenant route: its tenant handed to the app's code
/// ([`crate::tenant::CorsTenant`]), and its origin decided from the literals every tenant
/// trusts, else from the tenant's origins — at once when they are at hand, else once they are
/// looked up.
#[inline(never)]
pub(super) fn actual<S, B>(
    service: &Rc<S>,
    settings: Settings,
    route: &AppRoute,
    link: &TenantRoute,
    request: ServiceRequest,
) -> CorsFirstFuture<S::Future, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    let origin = Values::of(request.headers(), &ORIGIN);
    let tenant = link.tenant_of(&request);
    let listed = decide::listed(route.policy, origin);
    let (decision, handed) = match decide::resolve(route.policy, link, tenant.as_deref(), listed) {
        Resolution::Decided(decision, sets) => {
            if let (Ok(_), Some(sets)) = (&decision, &sets) {
                if *request.method() == Method::GET {
                    hand_if_watched(
                        settings,
                        &request,
                        route,
                        origin,
                        &link.source,
                        &sets.tenant,
                    );
                }
            }
            // The name the decision used: the cached lists' own when they decided.
            let handed = tenant.as_ref().map(|tenant| {
                let name =
                    sets.map_or_else(|| Arc::from(&**tenant), |sets| Arc::clone(&sets.tenant));
                Handed::hand(request.head(), name)
            });
            (decision, handed)
        }
        Resolution::LookUp => {
            let tenant = tenant.map(std::borrow::Cow::into_owned).unwrap_or_default();
            return actual_after_lookup(
                Rc::clone(service),
                settings,
                route.clone(),
                request,
                tenant,
            );
        }
    };
    let next = settings.actual(route, &request, origin, decision);
    go(&**service, request, route.policy, next, handed)
}

/// An actual request to `route`, decided once `tenant`'s origins are looked up.
fn actual_after_lookup<S, B>(
    service: Rc<S>,
    settings: Settings,
    route: AppRoute,
    request: ServiceRequest,
    tenant: String,
) -> CorsFirstFuture<S::Future, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    let source = source_of(&route);
    let handed = HandedUntilDropped(Handed::hand(request.head(), Arc::from(tenant.as_str())));
    CorsFirstFuture::waiting(Box::pin(async move {
        let looked_up = match &source {
            Some(source) => Arc::clone(source).load(tenant.clone()).await,
            None => Err(LookupFailed),
        };
        let next = {
            let origin = Values::of(request.headers(), &ORIGIN);
            let listed = decide::listed(route.policy, origin);
            let by_literal = listed.is_ok();
            let decision = decide::after_lookup(route.policy, &tenant, listed, &looked_up);
            if let (Ok(_), false, Ok(sets), Some(source)) =
                (&decision, by_literal, &looked_up, &source)
            {
                if *request.method() == Method::GET {
                    hand_if_watched(settings, &request, &route, origin, source, &sets.tenant);
                }
            }
            settings.actual(&route, &request, origin, decision)
        };
        // Held to the end of the app's answer, or of this future if it is dropped first.
        let answer = go(&*service, request, route.policy, next, None).await;
        drop(handed);
        answer
    }))
}

/// Hands a handshake the tenant's own origins admitted what the handler's `OriginWatch` needs.
fn hand_if_watched(
    settings: Settings,
    request: &ServiceRequest,
    route: &AppRoute,
    origin: Values<'_>,
    source: &Arc<TenantSource>,
    tenant: &Arc<str>,
) {
    websocket::hand_if_watched(
        request,
        route.policy,
        origin,
        &Requester(request),
        settings.own_host(),
        &|| AdmittedBy::Tenant {
            source: Arc::clone(source),
            tenant: Arc::clone(tenant),
        },
    );
}

/// A preflight to `route`, answered once `tenant`'s origins are looked up.
pub(super) fn preflight_after_lookup<F, B>(
    settings: Settings,
    route: AppRoute,
    request: ServiceRequest,
    tenant: String,
) -> CorsFirstFuture<F, B>
where
    B: 'static,
{
    let source = source_of(&route);
    CorsFirstFuture::waiting(Box::pin(async move {
        let looked_up = match source {
            Some(source) => source.load(tenant.clone()).await,
            None => Err(LookupFailed),
        };
        let answer = {
            let cors = CorsRequest::read(request.method(), request.headers());
            match &cors.preflight {
                Some(ask) => {
                    let listed = decide::listed(route.policy, cors.origin);
                    let origin = decide::after_lookup(route.policy, &tenant, listed, &looked_up);
                    match ask.method() {
                        Some(method) => {
                            settings.answer_preflight(&route, &request, &cors, ask, method, origin)
                        }
                        // Read as a preflight with one method before the lookup: the same
                        // headers cannot say otherwise now, but should they, it is refused.
                        None => settings.refused_preflight(
                            &route,
                            &request,
                            &cors,
                            ask,
                            &Refusal::from(Reason::MethodRepeated),
                        ),
                    }
                }
                None => crate::respond::preflight::answer(route.policy, &route.allow_methods, None),
            }
        };
        Ok(request.into_response(answer).map_into_right_body())
    }))
}
