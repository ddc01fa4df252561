//! What [`crate::check`] and [`crate::report`] learn of an app's [`CorsFirst`](super::CorsFirst):
//! they build the app without serving it, so the layer's settings are noted, on this thread,
//! when the layer is made — the app-wide guard, its exemptions and their problems — and the
//! app's routes without `#[cors]` are asked of the layer itself, with one request it answers
//! without passing it on (a probe: an unused method, while this thread's flag is up).

use std::cell::{Cell, RefCell};

use actix_web::http::Method;

/// The settings of one layer made on this thread.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LayerNote {
    /// When it was made: after the routes registered before it.
    pub(crate) order: u64,
    pub(crate) guard_every_route: bool,
    /// The app-wide guard's exempted patterns, as written.
    pub(crate) exemptions: Vec<String>,
    /// Why the app cannot start: exemptions that are no pattern.
    pub(crate) problems: Vec<String>,
    pub(crate) report_only: bool,
    pub(crate) forwarded_host: bool,
}

/// The notes kept per thread: apps are built one after another, and only the latest matter.
const NOTES_KEPT: usize = 16;

thread_local! {
    static NOTES: RefCell<Vec<LayerNote>> = const { RefCell::new(Vec::new()) };
    static PROBING: Cell<bool> = const { Cell::new(false) };
    static PROBED: RefCell<Option<Probed>> = const { RefCell::new(None) };
}

/// Notes `note`, replacing the note of the same layer.
pub(crate) fn note(note: LayerNote) {
    let _ = NOTES.try_with(|notes| {
        let mut notes = notes.borrow_mut();
        notes.retain(|kept| kept.order != note.order);
        if notes.len() >= NOTES_KEPT {
            notes.remove(0);
        }
        notes.push(note);
    });
}

/// The latest layer made on this thread: an app's own is made just before the app is built.
pub(crate) fn latest() -> Option<LayerNote> {
    NOTES
        .try_with(|notes| notes.borrow().iter().max_by_key(|note| note.order).cloned())
        .ok()
        .flatten()
}

/// The probe's method: a token no client has a reason to send, and which is a probe only while
/// this thread asks for one (a client sending it gets the app's answer, like any request).
pub(crate) fn probe_method() -> Method {
    Method::from_bytes(b"CORS-RUNTIME-PROBE").unwrap_or(Method::TRACE)
}

/// Whether `method` is a probe this thread asked for.
pub(crate) fn is_probe(method: &Method) -> bool {
    method.as_str() == "CORS-RUNTIME-PROBE" && PROBING.try_with(Cell::get).unwrap_or(false)
}

/// Records what a probe learned.
pub(crate) fn probed(answer: Probed) {
    let _ = PROBED.try_with(|probed| *probed.borrow_mut() = Some(answer));
}

/// What the layer says of itself to a probe, and the app's routes without `#[cors]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Probed {
    pub(crate) guard_every_route: bool,
    pub(crate) exemptions: Vec<String>,
    pub(crate) report_only: bool,
    pub(crate) forwarded_host: bool,
    /// The full paths of the app's routes without `#[cors]`.
    pub(crate) plain: Vec<String>,
}

/// Sends the probe `send` makes — a service's `call`, which reaches the layer before it returns
/// its future — and awaits its answer, with this thread's flag up; what the layer answered, if a
/// probe reached it.
pub(crate) async fn probing<F: std::future::Future>(send: impl FnOnce() -> F) -> Option<Probed> {
    let _ = PROBED.try_with(|probed| probed.borrow_mut().take());
    let _ = PROBING.try_with(|probing| probing.set(true));
    let _answer = send().await;
    let _ = PROBING.try_with(|probing| probing.set(false));
    PROBED
        .try_with(|probed| probed.borrow_mut().take())
        .ok()
        .flatten()
}
