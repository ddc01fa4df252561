//! Building an app once, as a server's worker will, without serving it: to check its routes
//! before the server starts ([`check`]) and to list them ([`report`]).
//!
//! actix-web registers an app's services, completes its resource map and builds its service
//! factories in one synchronous step when the app is turned into a service; the routes
//! registered in that step on this thread are exactly the app's.

mod check;
mod fields;
mod report;

pub use check::check;
pub use fields::{HandshakesGuard, OriginsFrom, PolicyFrom, WritesGuard};
pub use report::{report, Report, RouteReport};

use std::rc::Rc;

use actix_service::{IntoServiceFactory, ServiceFactory};
use actix_web::body::MessageBody;
use actix_web::dev::{AppConfig, ServiceRequest, ServiceResponse};
use actix_web::{App, Error};

use crate::app::compile::compile;

/// The service factory of an `App` — what every `App::new()...` builds — as [`check`] and
/// [`report`] take it: one name for the bounds they share.
pub trait AppFactory<B>:
    ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<B>,
        Error = Error,
        InitError = (),
        Future = Self::Building,
    > + 'static
{
    /// The future that builds the app's service (kept, never polled, while it is inspected).
    type Building: 'static;
}

impl<T, B> AppFactory<B> for T
where
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = Error,
            InitError = (),
        > + 'static,
    T::Future: 'static,
{
    type Building = T::Future;
}
use crate::app::route::{self, RouteEntry};

/// The `#[cors]` routes of `app`, in registration order.
pub(crate) fn routes_of<T, B>(app: App<T>) -> Vec<Rc<RouteEntry>>
where
    T: AppFactory<B>,
    B: MessageBody + 'static,
{
    let first = route::next_order();
    crate::startup::say::quietly(|| {
        let factory = app.into_factory();
        // Registering happens here, synchronously; the future (never polled) keeps the resource
        // map, and so the routes' full paths, alive until it is dropped.
        let building = factory.new_service(AppConfig::default());
        let mut routes: Vec<Rc<RouteEntry>> = route::live_apps()
            .iter()
            .flat_map(|app| app.entries())
            .filter(|entry| entry.order >= first)
            .collect();
        routes.sort_by_key(|entry| entry.order);
        // Compiled while the resource map is complete.
        for route in &routes {
            let _ = compile(route);
        }
        drop(building);
        routes
    })
}
