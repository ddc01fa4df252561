//! The header writers, one small file per header concern, each of one shape:
//! `write(headers, put, what)` puts its header (if the policy has one) into a response's map,
//! and [`actual`] and [`preflight`] put them together. They write what a decision
//! (`crate::decide`) granted; they decide nothing.

pub(crate) mod actual;
mod allow_headers;
mod allow_methods;
mod allow_origin;
mod expose_headers;
pub(crate) mod guard;
mod max_age;
pub(crate) mod preflight;
pub(crate) mod vary;

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

/// How a header goes into a map: an actual response's map is the handler's, so a grant is
/// inserted (replacing whatever the handler set, R2); a preflight answer's map is new and empty,
/// so appending cannot duplicate anything and is cheaper.
#[derive(Clone, Copy)]
pub(crate) enum Put {
    Insert,
    Append,
}

impl Put {
    #[inline]
    fn put(self, headers: &mut HeaderMap, name: HeaderName, value: HeaderValue) {
        match self {
            Self::Insert => {
                headers.insert(name, value);
            }
            Self::Append => headers.append(name, value),
        }
    }
}
