//! An error from inside the app (an authentication middleware refusing the request, say) on its
//! way out of a `#[cors]` route, answering with that route's CORS headers.
//!
//! A middleware's `Err` carries no request, and the layer must not keep one of its own while the
//! inner services run: actix-web's `headers_mut()`, `extensions_mut()` and its router need the
//! only reference, and panic otherwise. So the error stays an error, wrapped: whoever turns it
//! into a response (actix-web's dispatcher, an outer middleware) gets the inner error's response
//! with the CORS headers added. Unlike `InternalError::from_response`, which hands its stored
//! response out once and a 500 after that, [`CorsError::error_response`] can be called any
//! number of times — loggers and tracing middleware do call it.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::decide::Grant;
use crate::policy::Policy;
use crate::respond::actual::decorate;

/// The inner error and what the route's policy granted the request.
pub(crate) struct CorsError {
    error: actix_web::Error,
    policy: &'static Policy,
    grant: Option<Grant>,
}

impl CorsError {
    pub(crate) fn wrap(
        error: actix_web::Error,
        policy: &'static Policy,
        grant: Option<Grant>,
    ) -> actix_web::Error {
        Self {
            error,
            policy,
            grant,
        }
        .into()
    }
}

impl fmt::Debug for CorsError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.error, formatter)
    }
}

impl fmt::Display for CorsError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, formatter)
    }
}

impl ResponseError for CorsError {
    fn status_code(&self) -> StatusCode {
        self.error.as_response_error().status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = self.error.error_response();
        decorate(self.policy, response.headers_mut(), self.grant.clone());
        response
    }
}
