//! `origins = tenant(...)`: the provider is a type that implements `TenantOrigins`; `also` is a
//! literal list, never `*`, judged with the route's flags.
use std::borrow::Cow;

use actix_web::{get, post, Responder};
use cors_runtime::{cors, tenant::{BoxError, TenantOrigins, TenantRequest}};

struct Tenants;

impl TenantOrigins for Tenants {
    fn tenant<'r>(&self, request: &TenantRequest<'r>) -> Option<Cow<'r, str>> {
        request.param("tenant")
    }
    async fn origins(&self, _tenant: &str) -> Result<Vec<String>, BoxError> {
        Ok(Vec::new())
    }
}

struct NotAProvider;

#[cors(origins = tenant())]
#[get("/a/{tenant}")]
async fn no_provider() -> impl Responder {
    ""
}

#[cors(origins = tenant(Tenants, also = ["*"]))]
#[get("/b/{tenant}")]
async fn wildcard_beside_tenants() -> impl Responder {
    ""
}

#[cors(origins = tenant(Tenants, also = ["https://admin.example.com/"]))]
#[get("/c/{tenant}")]
async fn also_not_an_origin() -> impl Responder {
    ""
}

#[cors(origins = tenant(Tenants, fallback = ["https://admin.example.com"]))]
#[get("/d/{tenant}")]
async fn unknown_argument() -> impl Responder {
    ""
}

#[cors(origins = tenant(Tenants, also = ["http://admin.example.com"]), credentials)]
#[post("/e/{tenant}")]
async fn plain_http_with_credentials() -> impl Responder {
    ""
}

#[cors(origins = tenant(NotAProvider))]
#[get("/f/{tenant}")]
async fn not_a_provider() -> impl Responder {
    ""
}

fn main() {}
