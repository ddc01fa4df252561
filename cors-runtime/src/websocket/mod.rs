//! Open WebSockets and the lists that admitted them: [`OriginWatch`], the handler's handle on
//! the trust of the origin that opened its socket — checked again whenever the tenant's origins
//! or the configured list that admitted it may have changed, on every replica — and, with the
//! `actix-ws` feature, the close that tells the page why (code 1008, policy violation).
//!
//! Revoked means revoked, including what is already open: a handshake is decided once, but a
//! socket lives on; an origin a tenant removed, or a partner dropped from a configured list,
//! must not keep a socket that acts with the user's cookies.

// Inside: what the layer hands a handshake a changeable list admitted (`admission`), the
// extractor and its watch (`watch`), and the close with 1008 (`close`, feature `actix-ws`).

mod admission;
#[cfg(feature = "actix-ws")]
mod close;
mod watch;

pub(crate) use admission::{hand_if_watched, AdmittedBy};
#[cfg(feature = "actix-ws")]
pub use close::{close_for_revoked_origin, REVOKED_ORIGIN};
pub use watch::OriginWatch;
