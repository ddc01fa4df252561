//! The WebSocket every example serves at its `/ws` (the conformance routes, the playground, the
//! cross-site API): upgraded, sends the text frame `hello`, then closes. What the tests check is
//! whether the handshake reached it at all (R21); this is what it does when one does.

use actix_web::{web, HttpRequest, HttpResponse};

/// Upgrades `request`, and on its own task sends `hello` and closes.
///
/// # Errors
/// When the request is not a WebSocket handshake (actix-ws answers it 400).
pub(crate) fn upgrade(
    request: &HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let (response, mut session, _messages) = actix_ws::handle(request, body)?;
    actix_web::rt::spawn(async move {
        if session.text("hello").await.is_ok() {
            let _ = session.close(None).await;
        }
    });
    Ok(response)
}
