//! The lines `cors_runtime` logs while a test runs, captured by a `log` logger — the way
//! env_logger users see them: tracing forwards its events to `log` when no subscriber is set.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};

use log::{Level, LevelFilter, Log, Metadata, Record};

/// Each line with the thread that logged it: an actix-web test runs its app on its own thread,
/// so a test reads only what it caused even while the binary's other tests log too.
static RECORDS: Mutex<Vec<(ThreadId, Level, String)>> = Mutex::new(Vec::new());
/// The tests that capture share the maximum level: one at a time.
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
                .push((thread::current().id(), record.level(), line));
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

/// Every line this thread logged since the last call, with its level; other threads' lines
/// are dropped.
pub fn take() -> Vec<(Level, String)> {
    let here = thread::current().id();
    std::mem::take(&mut *RECORDS.lock().unwrap_or_else(PoisonError::into_inner))
        .into_iter()
        .filter(|(thread, _, _)| *thread == here)
        .map(|(_, level, line)| (level, line))
        .collect()
}
