//! What a provider may read of a request to tell its tenant: what a preflight carries as well
//! as the request it announces.

use actix_web::dev::ServiceRequest;
use actix_web::http::header::HOST;
use actix_web::http::Method;

use std::borrow::Cow;

use super::{identity, ParamPlan};

/// A request to a tenant route, as [`TenantOrigins::tenant`](crate::tenant::TenantOrigins::tenant)
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

    /// The path parameter `name` of the route's full pattern (scope prefixes included),
    /// percent-decoded exactly as actix-web's `web::Path` extraction decodes it, so that the
    /// tenant named here is the one a handler taking `web::Path<String>` serves: `/t/a%2Bb/data`
    /// is tenant `a+b` to both. `None` when the pattern has no such parameter, or when the value
    /// is not UTF-8 once decoded (`%FF`): such a request is for no tenant. Borrows the path unless
    /// something in the value is escaped.
    #[must_use]
    pub fn param(&self, name: &str) -> Option<Cow<'r, str>> {
        identity::path_value(self.params.param(self.path, name)?)
    }

    /// The host the request was sent to, as DNS compares hosts: lower case, without the port and
    /// without a trailing dot — `ACME.app.example.com:8443` and `acme.app.example.com.` are both
    /// `acme.app.example.com`; an IPv6 literal keeps its brackets (`[::1]`). From `Host`, or the
    /// URI's authority in HTTP/2; never from `Forwarded` headers, which a client may set. `None`
    /// when there is none, or it is not a host (userinfo, spaces, an empty label).
    #[must_use]
    pub fn host(&self) -> Option<Cow<'r, str>> {
        identity::dns_host(self.host?)
    }

    /// The one label in front of `.base` in [`host`](Self::host), for apps that give each
    /// tenant a subdomain: with `base` `app.example.com`, `ACME.app.example.com:8443` is tenant
    /// `acme`. `None` for the base itself, for a host with several labels in front of it
    /// (`a.b.app.example.com`: a tenant is one label), for another domain (`acme.app.example.com.evil.net`,
    /// `evilapp.example.com`) and for an IP address. `base` is compared as DNS compares names
    /// (case and a trailing dot ignored).
    #[must_use]
    pub fn subdomain_of(&self, base: &str) -> Option<Cow<'r, str>> {
        let host = self.host()?;
        let label_len = identity::label_before(&host, base)?;
        Some(match host {
            Cow::Borrowed(host) => Cow::Borrowed(&host[..label_len]),
            Cow::Owned(mut host) => {
                host.truncate(label_len);
                Cow::Owned(host)
            }
        })
    }

    /// The host exactly as the client wrote it, port included (`ACME.app.example.com:8443`).
    /// Derive a tenant from [`host`](Self::host) instead, unless the app itself compares hosts
    /// byte for byte.
    #[must_use]
    pub const fn raw_host(&self) -> Option<&'r str> {
        self.host
    }

    /// The request's method: `OPTIONS` for a preflight.
    #[must_use]
    pub const fn method(&self) -> &'r Method {
        self.method
    }

    /// The request's path, as routing matched it: every escape decoded but `%2F`, `%2B` and
    /// `%25`. Read a tenant from [`param`](Self::param), which decodes those too.
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
        assert_eq!(read.raw_host(), Some("acme.app.example.com:8443"));
        assert_eq!(read.host().as_deref(), Some("acme.app.example.com"));
        assert_eq!(read.param("tenant").as_deref(), Some("acme"));
        assert_eq!(read.method(), Method::GET);
        assert_eq!(read.path(), "/t/acme/data");
        // Without `Host`, the URI's authority (HTTP/2).
        let request = TestRequest::get()
            .uri("https://globex.app.example.com/t/globex/data")
            .to_srv_request();
        let read = TenantRequest::of(&request, &plan);
        assert_eq!(read.host().as_deref(), Some("globex.app.example.com"));
        assert_eq!(
            read.subdomain_of("app.example.com").as_deref(),
            Some("globex")
        );
    }

    #[test]
    fn a_subdomain_is_one_label_in_front_of_the_base() {
        let plan = ParamPlan::new("/data");
        let tenant_of = |host: &str, base: &str| {
            let request = TestRequest::get()
                .uri("/data")
                .insert_header((HOST, host))
                .to_srv_request();
            TenantRequest::of(&request, &plan)
                .subdomain_of(base)
                .map(Cow::into_owned)
        };
        let base = "app.example.com";
        assert_eq!(
            tenant_of("acme.app.example.com", base).as_deref(),
            Some("acme")
        );
        // Case, port and a trailing dot, on either side, do not make another tenant.
        assert_eq!(
            tenant_of("ACME.App.Example.com:8443", base).as_deref(),
            Some("acme")
        );
        assert_eq!(
            tenant_of("acme.app.example.com.", base).as_deref(),
            Some("acme")
        );
        assert_eq!(
            tenant_of("acme.app.example.com", "APP.example.com.").as_deref(),
            Some("acme")
        );
        for not_a_tenant in [
            "app.example.com",
            "a.b.app.example.com",
            "evilapp.example.com",
            "acme.app.example.com.evil.net",
            ".app.example.com",
            "127.0.0.1",
            "[::1]:8080",
        ] {
            assert_eq!(tenant_of(not_a_tenant, base), None, "{not_a_tenant}");
        }
        assert_eq!(tenant_of("acme.app.example.com", ""), None);
    }
}
