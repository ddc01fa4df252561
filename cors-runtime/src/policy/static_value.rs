//! Header values that live as long as the process, for the policies' grants.
//!
//! Every allowed response gets clones of its policy's values. A value built at run time from a
//! `String` holds reference-counted bytes, so each clone and each drop would touch an atomic
//! counter; a value over `'static` bytes is cloned by copying a pointer. Policies are compiled
//! once per process and kept, so their texts may as well be kept too: each distinct text is
//! stored once (interned), which bounds what is kept by the number of distinct values however
//! many apps and workers are built.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use actix_web::http::header::HeaderValue;
use actix_web::web::Bytes;

static INTERNED: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Mutex::default);

/// The one process-wide copy of `text`.
fn interned(text: &str) -> &'static str {
    let Ok(mut kept) = INTERNED.lock() else {
        // A thread panicked while holding the lock. Keeping one more copy is still correct.
        return Box::leak(text.into());
    };
    if let Some(&kept_text) = kept.get(text) {
        return kept_text;
    }
    let leaked: &'static str = Box::leak(text.into());
    kept.insert(leaked);
    leaked
}

/// `text` as a header value over `'static` bytes; `None` when it is not a valid header value
/// (the validator accepted every policy text, so that does not happen for them).
pub(crate) fn header_value(text: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(text).ok()?;
    HeaderValue::from_maybe_shared(Bytes::from_static(interned(text).as_bytes())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_one_copy_and_invalid_ones_are_refused() {
        let first = header_value("https://app.example.com").unwrap();
        let second = header_value(&String::from("https://app.example.com")).unwrap();
        assert_eq!(first, "https://app.example.com");
        assert_eq!(first.as_bytes().as_ptr(), second.as_bytes().as_ptr());
        assert!(header_value("line\nbreak").is_none());
    }
}
