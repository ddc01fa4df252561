//! What a provider may read of a request to tell its tenant: what a preflight carries as well
//! as the request it announces.

use actix_web::dev::ServiceRequest;
use actix_web::http::header::HOST;
use actix_web::http::Method;

use super::ParamPlan;

/// A request to a tenant route, as [`TenantOrigins::tenant`](crate::TenantOrigins::tenant)
/// sees it. For a preflight, [`method`](Self::method) is `OPTIONS` and the path is the one of
/// the request it announces.
pub struct TenantRequest<'r> {
    method: &'r Method,
    path: &'r str,
    host: Option<&'r str>,
    params: &'r ParamPlan,
}

impl<'r> TenantRequest<'r> {
    pub(crate) fn of(request: &'r ServiceRequest, params: &'r ParamPlan) -> Self {
        let host = request
            .headers()
            .get(HOST)
            .and_then(|host| host.to_str().ok())
            .or_else(|| {
                request
                    .uri()
                    .authority()
                    .map(|authority| authority.as_str())
            });
        Self {
            method: request.method(),
            path: request.match_info().as_str(),
            host,
            params,
        }
    }

    /// The path parameter `name` of the route's full pattern (scope prefixes included), as the
    /// path carries it (not percent-decoded); `None` when the pattern has no such parameter.
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&'r str> {
        self.params.param(self.path, name)
    }

    /// The host the request was sent to, as the client wrote it (`Host`, or the URI's
    /// authority in HTTP/2), port included: `acme.app.example.com:8443`. Not taken from
    /// `Forwarded` headers, which a client may set.
    #[must_use]
    pub const fn host(&self) -> Option<&'r str> {
        self.host
    }

    /// The request's method: `OPTIONS` for a preflight.
    #[must_use]
    pub const fn method(&self) -> &'r Method {
        self.method
    }

    /// The request's path.
    #[must_use]
    pub const fn path(&self) -> &'r str {
        self.path
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn a_provider_reads_the_host_the_method_and_the_path() {
        let plan = ParamPlan::new("/t/{tenant}/data");
        let request = TestRequest::get()
            .uri("/t/acme/data")
            .insert_header((HOST, "acme.app.example.com:8443"))
            .to_srv_request();
        let read = TenantRequest::of(&request, &plan);
        assert_eq!(read.host(), Some("acme.app.example.com:8443"));
        assert_eq!(read.method(), Method::GET);
        assert_eq!(read.path(), "/t/acme/data");
        // Without `Host`, the URI's authority (HTTP/2).
        let request = TestRequest::get()
            .uri("https://globex.app.example.com/t/globex/data")
            .to_srv_request();
        let read = TenantRequest::of(&request, &plan);
        assert_eq!(read.host(), Some("globex.app.example.com"));
    }
}
