//! The warning for a `#[cors]` route whose app has no [`CorsFirst`](crate::CorsFirst) layer:
//! such a route answers no preflight and sends no CORS header, and a browser reports only "CORS
//! error", so the app says so, naming the route, when it starts.
//!
//! When actix-web builds an app, it first registers every service, then builds them; the
//! app's middleware comes last. A `CorsFirst` value therefore exists, not yet turned into a
//! service, while the routes of its app are built: each live, untransformed layer is counted on
//! its thread ([`Armed`]), and a route built while the count is zero is in an app without one.
//! (The count can only err towards silence: two apps built at once on one thread, only one of
//! them with a layer.)

use std::cell::Cell;

use super::route::RouteEntry;
use crate::startup::say::{self, Level};

thread_local! {
    static ARMED_LAYERS: Cell<usize> = const { Cell::new(0) };
}

/// One count in [`ARMED_LAYERS`] for as long as its layer has not been turned into a service.
pub(crate) struct Armed(Cell<bool>);

impl Armed {
    pub(crate) fn new() -> Self {
        ARMED_LAYERS.with(|count| count.set(count.get() + 1));
        Self(Cell::new(true))
    }

    pub(crate) fn disarm(&self) {
        if self.0.replace(false) {
            ARMED_LAYERS.with(|count| count.set(count.get().saturating_sub(1)));
        }
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        // `try_with`: a layer dropped during thread teardown has nothing left to count.
        if self.0.replace(false) {
            let _ = ARMED_LAYERS.try_with(|count| count.set(count.get().saturating_sub(1)));
        }
    }
}

/// Warns about `entry` if no layer is being built beside it.
pub(crate) fn check(entry: &RouteEntry) {
    if ARMED_LAYERS.with(Cell::get) > 0 {
        return;
    }
    let message = format!(
        "the #[cors] route {} (handler `{}`) is in an App without the `cors_runtime::CorsFirst` \
         layer: it answers no preflight and sends no CORS header. Add \
         `.wrap(cors_runtime::CorsFirst::new())` to the App, as its last `.wrap(...)`",
        entry.label(),
        entry.handler,
    );
    say::once(Level::Warn, &message);
}
