//! The close of an actix-ws session whose origin was revoked: code 1008, policy violation
//! (RFC 6455 §7.4.1), with a reason a page can read (`CloseEvent.reason`).

use super::OriginWatch;

/// The reason sent with the close (`CloseEvent.reason` in the page).
pub const REVOKED_ORIGIN: &str = "origin no longer trusted";

/// Closes `session` with code 1008 (policy violation) and [`REVOKED_ORIGIN`].
///
/// # Errors
/// The session was already closed.
pub async fn close_for_revoked_origin(session: actix_ws::Session) -> Result<(), actix_ws::Closed> {
    session
        .close(Some(actix_ws::CloseReason {
            code: actix_ws::CloseCode::Policy,
            description: Some(REVOKED_ORIGIN.to_owned()),
        }))
        .await
}

impl OriginWatch {
    /// Waits until the origin that opened the socket is no longer trusted ([`revoked`](Self::revoked)),
    /// then closes `session` (a clone of the handler's: actix-ws sessions are cheap to clone)
    /// with code 1008, policy violation. Never returns for a socket that is not watched.
    ///
    /// # Errors
    /// The session was already closed when the origin was revoked.
    pub async fn close_on_revocation(
        &mut self,
        session: actix_ws::Session,
    ) -> Result<(), actix_ws::Closed> {
        self.revoked().await;
        close_for_revoked_origin(session).await
    }
}
