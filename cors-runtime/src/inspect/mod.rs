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
use crate::layer::noted::{self, Probed};

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

/// What building an app once shows: its `#[cors]` routes, in registration order, and — when
/// asked — what its layer says of itself and of the app's routes without `#[cors]`.
pub(crate) struct Inspected {
    pub(crate) routes: Vec<Rc<RouteEntry>>,
    /// What the layer answered the probe with, when one reached it.
    pub(crate) layer: Option<Probed>,
    /// Why the app's layer would not start (its settings' problems), when building it failed.
    pub(crate) layer_problems: Vec<String>,
}

/// Builds `app` once: its routes registered and compiled; with `probe`, its service built and
/// asked, through its layer, for the layer's settings and the app's routes without `#[cors]`;
/// the problems of the layer's settings either way (a layer that cannot start).
pub(crate) fn inspected<T, B>(app: App<T>, probe: bool) -> Inspected
where
    T: AppFactory<B>,
    B: MessageBody + 'static,
{
    let first = route::next_order();
    crate::startup::say::quietly(|| {
        let factory = app.into_factory();
        // Registering happens here, synchronously; the future keeps the resource map, and so
        // the routes' full paths, alive until it is dropped.
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
        // The layer made for this app: the latest on this thread.
        let layer_problems = noted::latest()
            .map(|note| note.problems)
            .unwrap_or_default();
        let layer = if probe && layer_problems.is_empty() {
            probed(building)
        } else {
            drop(building);
            None
        };
        Inspected {
            routes,
            layer,
            layer_problems,
        }
    })
}

/// The app's service, built from `building`, asked by a probe; what the layer answered.
fn probed<F, S, B>(building: F) -> Option<Probed>
where
    F: std::future::Future<Output = Result<S, ()>> + 'static,
    S: actix_service::Service<actix_http::Request, Response = ServiceResponse<B>, Error = Error>,
{
    let ask = async move {
        let service = building.await.ok()?;
        let request = actix_web::test::TestRequest::default()
            .method(noted::probe_method())
            .uri("/")
            .to_request();
        noted::probing(|| service.call(request)).await
    };
    // On a runtime of its own when none runs here (a `main` before its server); else polled
    // here, where building an app and a probe answered by the layer never wait.
    if tokio::runtime::Handle::try_current().is_err() {
        actix_web::rt::System::new().block_on(ask)
    } else {
        let mut ask = std::pin::pin!(ask);
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        (0..64).find_map(
            |_| match std::future::Future::poll(ask.as_mut(), &mut context) {
                std::task::Poll::Ready(answer) => Some(answer),
                std::task::Poll::Pending => None,
            },
        )?
    }
}
