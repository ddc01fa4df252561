//! The marker's service, built with its app once the app's resource map is complete: the moment a
//! route's full path is first known, so the moment to compile it, to say it cannot serve, or that
//! no layer will answer for it.

use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::dev::{always_ready, Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpResponse};

use super::compile::{compile, say_app_cannot_start};
use super::missing_layer;
use super::route::RouteEntry;

/// The marker's service factory. Building it happens once the app's resource map is complete,
/// which is when the route's full path is first known: the moment to compile the route, and to
/// say that it cannot serve, or that no layer will answer for it. The factory is dropped once the
/// app is built; the service it builds keeps the entry alive for as long as the app serves.
pub(crate) struct MarkerFactory {
    pub(crate) entry: Rc<RouteEntry>,
}

impl ServiceFactory<ServiceRequest> for MarkerFactory {
    type Response = ServiceResponse;
    type Error = Error;
    type Config = ();
    type Service = MarkerService;
    type InitError = ();
    type Future = Ready<Result<MarkerService, ()>>;

    fn new_service(&self, (): ()) -> Self::Future {
        if compile(&self.entry).is_err() {
            // The route must never serve without its policy: the app is not built, and a
            // server refuses to start.
            say_app_cannot_start(&self.entry);
            return ready(Err(()));
        }
        missing_layer::check(&self.entry);
        ready(Ok(MarkerService {
            _entry: Rc::clone(&self.entry),
        }))
    }
}

/// Never called: no request path matches the marker. Should one ever be routed here, it is
/// answered as if nothing were there.
pub(crate) struct MarkerService {
    _entry: Rc<RouteEntry>,
}

impl Service<ServiceRequest> for MarkerService {
    type Response = ServiceResponse;
    type Error = Error;
    type Future = Ready<Result<ServiceResponse, Error>>;

    always_ready!();

    fn call(&self, request: ServiceRequest) -> Self::Future {
        ready(Ok(request.into_response(HttpResponse::NotFound())))
    }
}
