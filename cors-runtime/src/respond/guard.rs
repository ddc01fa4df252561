//! The answer to a write or WebSocket handshake the guard refuses (R20, R21): 403, before any
//! middleware, handler or body read; no `Access-Control-*` header (R3); `Vary: Origin`, as on
//! every answer of a route that depends on the origin (R14).

use actix_web::http::header::VARY;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::vary::ORIGIN_ONLY;

pub(crate) fn forbidden() -> HttpResponse {
    let mut response = HttpResponse::new(StatusCode::FORBIDDEN);
    response.headers_mut().append(VARY, ORIGIN_ONLY);
    response
}
