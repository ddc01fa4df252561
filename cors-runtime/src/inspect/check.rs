//! [`check`]: every refused configuration of an app's routes, before the server starts.

use actix_web::body::MessageBody;
use actix_web::App;

use super::{inspected, AppFactory};
use crate::startup::errors::ConfigErrors;

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
/// // Fine for a route without credentials, so `set_origins` keeps it; this route has them.
/// cors_runtime::config::set_origins("front-ends", ["https://app.example.com", "http://partner.example"])
///     .unwrap();
/// let errors = cors_runtime::check(app()).unwrap_err();
/// assert_eq!(
///     errors.to_string(),
///     "the #[cors] route GET /account (handler `account`) takes its origins from the origins \
///      set as `front-ends`: entry 2 `http://partner.example`: `http://partner.example` is plain \
///      http with `credentials`: anyone on the network path can impersonate it and read the \
///      user's data; use `https://`, or add `insecure_allow_http_with_credentials` if you accept \
///      that risk"
/// );
/// ```
///
/// Without this check, such an app does not start either: building it fails, logging the same
/// errors, and `HttpServer::run` returns an error.
///
/// # Errors
/// What stops the app's `#[cors]` routes from serving: one error per refused source of
/// configuration, naming every route that uses it and each refused entry. Its `Debug` is its
/// `Display`, so `cors_runtime::check(app())?` in a `main` returning `Result` prints the message.
pub fn check<T, B>(app: App<T>) -> Result<(), ConfigErrors>
where
    T: AppFactory<B>,
    B: MessageBody + 'static,
{
    let errors = super::report::all_errors(&inspected(app, false));
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ConfigErrors(errors))
    }
}
