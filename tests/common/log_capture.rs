//! The lines `cors_runtime` logs while a test runs, captured by a `log` logger — the way
//! env_logger users see them: tracing forwards its events to `log` when no subscriber is set.

use std::sync::{Mutex, MutexGuard, PoisonError};

use log::{Level, LevelFilter, Log, Metadata, Record};

static RECORDS: Mutex<Vec<(Level, String)>> = Mutex::new(Vec::new());
/// The tests of one binary share the logger: one at a time, each reading what it caused.
static SERIAL: Mutex<()> = Mutex::new(());

struct Capture;

impl Log for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &Record<'_>) {
        if record.target() == "cors_runtime" {
            let line = record.args().to_string();
            RECORDS
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((record.level(), line));
        }
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture;

/// Captures from now on, up to `max`, forgetting what earlier tests recorded; the guard keeps
/// the other tests of the binary waiting until this one is done.
pub fn install(max: LevelFilter) -> MutexGuard<'static, ()> {
    let guard = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    // Installed by the first test of the binary; the later ones find it there.
    let _ = log::set_logger(&CAPTURE);
    log::set_max_level(max);
    take();
    guard
}

/// Every line recorded since the last call, with its level.
pub fn take() -> Vec<(Level, String)> {
    std::mem::take(&mut *RECORDS.lock().unwrap_or_else(PoisonError::into_inner))
}
