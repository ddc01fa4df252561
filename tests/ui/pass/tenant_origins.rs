//! Origins by tenant: a provider by path, with `also`, `credentials` and headers, and through a
//! shared policy — under `#![deny(warnings, missing_docs)]`.
#![deny(warnings, missing_docs, unreachable_pub)]

use actix_web::App;
use cors_runtime::CorsFirst;

mod tenants {
    use std::borrow::Cow;

    use cors_runtime::{tenant::{BoxError, TenantOrigins, TenantRequest}};

    /// Each tenant's origins, from the database.
    pub(crate) struct Tenants;

    impl TenantOrigins for Tenants {
        fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
            request.param("tenant")
        }
        async fn origins(&self, tenant: &str) -> Result<Vec<String>, BoxError> {
            Ok(vec![format!("https://{tenant}.example.com")])
        }
    }

    cors_runtime::policy! {
        /// The tenants' front ends.
        pub(crate) TENANT_FRONT_ENDS {
            origins = tenant(crate::tenants::Tenants, also = ["https://admin.example.com"]),
            credentials,
        }
    }
}

mod handlers {
    use actix_web::{get, post, Responder};
    use cors_runtime::cors;

    use crate::tenants::TENANT_FRONT_ENDS;

    /// A tenant's data.
    #[cors(
        origins = tenant(crate::tenants::Tenants, also = ["https://admin.example.com"]),
        credentials,
        headers = ["content-type"]
    )]
    #[get("/t/{tenant}/data")]
    pub(crate) async fn data() -> impl Responder {
        "data"
    }

    /// A tenant's settings, through the shared policy.
    #[cors(policy = TENANT_FRONT_ENDS, headers = ["content-type"])]
    #[post("/t/{tenant}/settings")]
    pub(crate) async fn settings() -> impl Responder {
        "settings"
    }

    /// Without `also`.
    #[cors(origins = tenant(super::tenants::Tenants))]
    #[get("/t/{tenant}/public")]
    pub(crate) async fn public() -> impl Responder {
        "public"
    }
}

fn main() {
    let handle = cors_runtime::tenant::register_tenant_origins(tenants::Tenants, cors_runtime::tenant::TenantCache::new());
    drop(handle);
    drop(
        App::new()
            .service(handlers::data)
            .service(handlers::settings)
            .service(handlers::public)
            .wrap(CorsFirst::new()),
    );
}
