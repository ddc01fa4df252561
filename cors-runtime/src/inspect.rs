//! Building an app once, as a server's worker will, without serving it: to check its routes'
//! configured origins before the server starts ([`check`]), and to list its routes.
//!
//! actix-web registers an app's services, completes its resource map and builds its service
//! factories in one synchronous step when the app is turned into a service; the routes
//! registered in that step on this thread are exactly the app's.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

use actix_service::{IntoServiceFactory, ServiceFactory};
use actix_web::body::MessageBody;
use actix_web::dev::{AppConfig, ServiceRequest, ServiceResponse};
use actix_web::{App, Error};

use crate::configured::{EntryProblem, OriginsError, OriginsSource};
use crate::policy::PolicyError;
use crate::routes::{self, RouteEntry};

thread_local! {
    static INSPECTING: Cell<bool> = const { Cell::new(false) };
}

/// Whether an app is being built only to be inspected: its build says nothing of its own.
pub(crate) fn is_inspecting() -> bool {
    INSPECTING.with(Cell::get)
}

/// One `#[cors]` route path of an inspected app.
pub(crate) struct InspectedRoute {
    pub(crate) entry: Rc<RouteEntry>,
    pub(crate) pattern: String,
}

/// The `#[cors]` routes of `app`, in registration order, with their full paths.
pub(crate) fn routes_of<T, B>(app: App<T>) -> Vec<InspectedRoute>
where
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = Error,
            InitError = (),
        > + 'static,
    T::Future: 'static,
    B: MessageBody + 'static,
{
    let first = routes::next_order();
    let was_inspecting = INSPECTING.with(|inspecting| inspecting.replace(true));
    let factory = app.into_factory();
    // Registering happens here, synchronously; the future (never polled) keeps the resource
    // map, and so the routes' full paths, alive until it is dropped.
    let building = factory.new_service(AppConfig::default());
    let routes = routes::registered_entries()
        .into_iter()
        .filter(|entry| entry.order >= first)
        .map(|entry| {
            let pattern = entry.pattern();
            InspectedRoute { entry, pattern }
        })
        .collect();
    drop(building);
    INSPECTING.with(|inspecting| inspecting.set(was_inspecting));
    routes
}

/// Builds `app` as a worker will, without serving it, and returns the refusals of its routes'
/// configured origins: call it in `main` before the server starts, with the same app.
///
/// ```
/// use actix_web::{get, App, Responder};
/// use cors_runtime::{cors, CorsFirst};
///
/// #[cors(origins = config("front-ends"), credentials)]
/// #[get("/account")]
/// async fn account() -> impl Responder { "account" }
///
/// fn app() -> App<impl actix_web::dev::ServiceFactory<
///     actix_web::dev::ServiceRequest,
///     Config = (),
///     Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
///     Error = actix_web::Error,
///     InitError = (),
/// >> {
///     App::new().service(account).wrap(CorsFirst::new())
/// }
///
/// cors_runtime::set_origins("front-ends", ["https://app.example.com", "https://App.example.com/"]);
/// let errors = cors_runtime::check(app()).unwrap_err();
/// assert_eq!(
///     errors.to_string(),
///     "the #[cors] route GET /account (handler `account`) takes its origins from the origins \
///      set as `front-ends`: entry 2 `https://App.example.com/`: an origin never ends with `/`: \
///      browsers send `https://app.example.com`; write that"
/// );
/// ```
///
/// Without this check, such an app does not start either: building it fails, logging the same
/// errors, and `HttpServer::run` returns an error.
///
/// # Errors
/// Every refused configured value of every route, each naming the route, the source and the
/// entry.
pub fn check<T, B>(app: App<T>) -> Result<(), ConfigErrors>
where
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = Error,
            InitError = (),
        > + 'static,
    T::Future: 'static,
    B: MessageBody + 'static,
{
    let mut errors = Vec::new();
    for route in routes_of(app) {
        if let Err(refusal) = route.entry.policy() {
            errors.extend(ConfigError::all(&route.entry, &route.pattern, refusal));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ConfigErrors(errors))
    }
}

/// One refused configured value of one route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The route's methods and full path: `GET /account`.
    pub route: String,
    /// The handler's name.
    pub handler: &'static str,
    /// Where the refused origins came from.
    pub source: OriginsSource,
    /// Position (from 1) and text of the refused entry, when the refusal is about one.
    pub entry: Option<(usize, String)>,
    /// What is wrong and what to write instead: the words the compile error uses for the same
    /// value written in the attribute.
    pub message: String,
}

impl ConfigError {
    pub(crate) fn all(entry: &RouteEntry, pattern: &str, refusal: PolicyError) -> Vec<Self> {
        let route = format!("{} {pattern}", entry.methods.join(", "));
        let OriginsError { source, problems } = match refusal {
            PolicyError::Origins(refusal) => refusal,
            PolicyError::Unreadable => OriginsError {
                source: OriginsSource::Code,
                problems: vec![EntryProblem {
                    entry: None,
                    message: "the code `#[cors]` generated for it comes from another version of \
                              cors-macros than this cors-runtime reads: use the two from one \
                              release"
                        .to_owned(),
                }],
            },
        };
        problems
            .into_iter()
            .map(
                |EntryProblem {
                     entry: refused,
                     message,
                 }| Self {
                    route: route.clone(),
                    handler: entry.handler,
                    source: source.clone(),
                    entry: refused,
                    message,
                },
            )
            .collect()
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "the #[cors] route {} (handler `{}`) takes its origins from {}: ",
            self.route, self.handler, self.source
        )?;
        if let Some((position, text)) = &self.entry {
            write!(formatter, "entry {position} `{text}`: ")?;
        }
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Every refused configured value of an app, one per line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, error) in self.0.iter().enumerate() {
            if position > 0 {
                formatter.write_str("\n")?;
            }
            write!(formatter, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}
