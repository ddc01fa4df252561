//! [`CorsTenant`]: the tenant the layer decided a request's CORS for, handed to the handler, so
//! that an app derives its tenant in one place — its provider — and serves the tenant whose
//! origins were checked.

use std::fmt;
use std::future::{ready, Ready};
use std::ops::Deref;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};

use super::handed;

/// The tenant of a request to an `origins = tenant(...)` route: what the provider's
/// [`tenant`](crate::tenant::TenantOrigins::tenant) returned for it, the very value the layer looked the
/// tenant's origins up by. A handler that serves this tenant serves the one whose origins
/// granted the request — even if middleware inside the app rewrote the path or the host after
/// the decision.
///
/// ```
/// use std::borrow::Cow;
/// use actix_web::{get, App, Responder};
/// use cors_runtime::{cors, tenant::{BoxError, CorsTenant, TenantOrigins, TenantRequest}};
///
/// struct Tenants;
///
/// impl TenantOrigins for Tenants {
///     fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
///         request.param("tenant")
///     }
///     async fn origins(&self, _tenant: &str) -> Result<Vec<String>, BoxError> {
///         Ok(Vec::new())
///     }
/// }
///
/// #[cors(origins = tenant(Tenants), credentials)]
/// #[get("/t/{tenant}/data")]
/// async fn data(tenant: CorsTenant) -> impl Responder {
///     format!("data {tenant}")
/// }
/// # drop(App::new().service(data));
/// ```
///
/// The layer hands it to every request of a tenant route that goes into the app, with or
/// without `Origin`. Extracting it fails with `404 Not Found` when the provider names no tenant
/// for the request (or a name longer than [`TenantCache::longest_tenant`](crate::tenant::TenantCache::longest_tenant)),
/// and on a route that is not a tenant route; take `Option<CorsTenant>` to answer that case
/// yourself. Middleware inside the app reads it too, with [`CorsTenant::of`]. It costs no
/// allocation: each worker keeps the tenants of its requests in flight in one table.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CorsTenant(Arc<str>);

impl CorsTenant {
    /// The tenant's name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The tenant the layer decided `request` for, while the request is on its way through
    /// the layer (its handler and the middleware inside the app); `None` on a route that is not
    /// a tenant route, or when the provider named no tenant. What the extractor returns, for
    /// middleware (`CorsTenant::of(service_request.request())`):
    ///
    /// ```
    /// use actix_web::{body::MessageBody, dev::{ServiceRequest, ServiceResponse}, middleware::Next, Error};
    /// use cors_runtime::tenant::CorsTenant;
    ///
    /// async fn tenant_in_logs(
    ///     request: ServiceRequest,
    ///     next: Next<impl MessageBody>,
    /// ) -> Result<ServiceResponse<impl MessageBody>, Error> {
    ///     if let Some(tenant) = CorsTenant::of(request.request()) {
    ///         tracing::info!(%tenant, "serving");
    ///     }
    ///     next.call(request).await
    /// }
    /// let app = actix_web::App::new()
    ///     .wrap(actix_web::middleware::from_fn(tenant_in_logs))
    ///     .wrap(cors_runtime::CorsFirst::new());
    /// # drop(app);
    /// ```
    #[must_use]
    pub fn of(request: &HttpRequest) -> Option<Self> {
        handed::tenant_of(request.head()).map(Self)
    }
}

impl Deref for CorsTenant {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for CorsTenant {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CorsTenant {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl fmt::Debug for CorsTenant {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_tuple("CorsTenant")
            .field(&&*self.0)
            .finish()
    }
}

impl PartialEq<str> for CorsTenant {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for CorsTenant {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

/// Why [`CorsTenant`] could not be extracted: the request is for no tenant. Answered `404 Not
/// Found`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoCorsTenant;

impl fmt::Display for NoCorsTenant {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("the request is for no tenant")
    }
}

impl std::error::Error for NoCorsTenant {}

impl ResponseError for NoCorsTenant {
    fn status_code(&self) -> StatusCode {
        StatusCode::NOT_FOUND
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::NotFound().body("no such tenant")
    }
}

impl FromRequest for CorsTenant {
    type Error = NoCorsTenant;
    type Future = Ready<Result<Self, NoCorsTenant>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::of(request).ok_or(NoCorsTenant))
    }
}
