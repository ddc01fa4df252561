//! `Vary` (R14): every answer that depends on request headers must say which, or a shared cache
//! serves one origin's answer to another.

use std::cell::RefCell;

use actix_web::http::header::map::Removed;
use actix_web::http::header::{HeaderMap, HeaderValue, VARY};

/// What preflight answers vary on: the origin and both request headers that decide them.
pub(crate) const PREFLIGHT_VARY: HeaderValue = HeaderValue::from_static(
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
);

/// `Vary` of an actual response that had none.
pub(crate) const ORIGIN_ONLY: HeaderValue = HeaderValue::from_static("Origin");

/// Adds `Origin` to the response's `Vary`, keeping whatever the handler already put there.
///
/// The common case (no `Vary` yet) costs one insertion of a static value, the same as writing
/// the header by hand. A handler's own `Vary` is merged into one line (for caches that read
/// only the first), and the merged values are remembered per thread: a handler sets the same
/// few `Vary` values again and again, and a remembered one is handed out without allocating.
#[inline(always)]
pub(crate) fn append_origin(headers: &mut HeaderMap) {
    let mut previous = headers.insert(VARY, ORIGIN_ONLY);
    match previous.next() {
        Some(first) => keep_handlers_vary(headers, first, previous),
        // The map had no `Vary`: what `insert` returned holds nothing, and dropping it would
        // cost a call on every response.
        None => std::mem::forget(previous),
    }
}

/// The handler set `Vary` (`first`, then the rest of its lines): `Origin` is added to it. Out
/// of line: most handlers set none.
#[cold]
#[inline(never)]
fn keep_handlers_vary(headers: &mut HeaderMap, first: HeaderValue, mut previous: Removed) {
    let Some(second) = previous.next() else {
        if let Some(merged) = merged_one(&first) {
            headers.insert(VARY, merged);
        }
        return;
    };
    let lines: Vec<HeaderValue> = [first, second].into_iter().chain(previous).collect();
    if lines.iter().any(names_origin) {
        restore(headers, lines);
        return;
    }
    let mut merged = Vec::new();
    for line in &lines {
        merged.extend_from_slice(line.as_bytes());
        merged.extend_from_slice(b", ");
    }
    merged.extend_from_slice(b"Origin");
    match HeaderValue::from_bytes(&merged) {
        Ok(value) => {
            headers.insert(VARY, value);
        }
        // The parts were valid header values joined by ASCII, so this does not happen; if it
        // did, the handler's lines are kept as they were.
        Err(_) => restore(headers, lines),
    }
}

/// Whether a `Vary` line already covers `Origin` (it names it, or says `*`).
fn names_origin(line: &HeaderValue) -> bool {
    line.as_bytes()
        .split(|&byte| byte == b',')
        .map(<[u8]>::trim_ascii)
        .any(|token| token == b"*" || token.eq_ignore_ascii_case(b"origin"))
}

/// Puts the handler's `Vary` lines back as they were.
fn restore(headers: &mut HeaderMap, lines: Vec<HeaderValue>) {
    headers.remove(VARY);
    for line in lines {
        headers.append(VARY, line);
    }
}

/// Merged values remembered per thread, at most this many.
const REMEMBERED: usize = 16;

thread_local! {
    /// (handler's `Vary`, the same with `Origin` added).
    static MERGED: RefCell<Vec<(HeaderValue, HeaderValue)>> = const { RefCell::new(Vec::new()) };
}

/// The value replacing a handler's single `Vary` line: `None` when the line covers `Origin`
/// already and the answer should keep the handler's line as it is.
fn merged_one(line: &HeaderValue) -> Option<HeaderValue> {
    let remembered = MERGED
        .try_with(|merged| {
            let merged = merged.try_borrow().ok()?;
            merged
                .iter()
                .find(|(handler, _)| handler == line)
                .map(|(_, with_origin)| with_origin.clone())
        })
        .ok()
        .flatten();
    if let Some(value) = remembered {
        return Some(value);
    }
    if names_origin(line) {
        return Some(line.clone());
    }
    let mut merged = Vec::with_capacity(line.len() + b", Origin".len());
    merged.extend_from_slice(line.as_bytes());
    merged.extend_from_slice(b", Origin");
    let value = HeaderValue::from_bytes(&merged)
        .ok()
        .unwrap_or_else(|| line.clone());
    let _ = MERGED.try_with(|remembered| {
        if let Ok(mut remembered) = remembered.try_borrow_mut() {
            if remembered.len() < REMEMBERED {
                remembered.push((line.clone(), value.clone()));
            }
        }
    });
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vary_after(existing: &[&'static str]) -> Vec<String> {
        let mut headers = HeaderMap::new();
        for value in existing {
            headers.append(VARY, HeaderValue::from_static(value));
        }
        append_origin(&mut headers);
        headers
            .get_all(VARY)
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn appends_without_replacing() {
        assert_eq!(vary_after(&[]), ["Origin"]);
        assert_eq!(
            vary_after(&["Accept-Encoding"]),
            ["Accept-Encoding, Origin"]
        );
        assert_eq!(
            vary_after(&["Accept", "Cookie"]),
            ["Accept, Cookie, Origin"]
        );
        assert_eq!(vary_after(&["accept, origin"]), ["accept, origin"]);
        assert_eq!(vary_after(&["*"]), ["*"]);
        assert_eq!(vary_after(&["Accept", "Origin"]), ["Accept", "Origin"]);
    }

    /// The merged value a handler's single `Vary` line gets, with where its bytes live.
    fn merged_value(line: &'static str) -> HeaderValue {
        let mut headers = HeaderMap::new();
        headers.insert(VARY, HeaderValue::from_static(line));
        append_origin(&mut headers);
        headers.get(VARY).cloned().expect("a Vary line")
    }

    #[test]
    fn a_merge_is_remembered_and_handed_out_again_without_allocating() {
        // The first merge allocates a value; a remembered one is a clone of it, sharing its
        // bytes. Without the memory, every merge would allocate bytes of its own.
        let first = merged_value("Cookie");
        let again = merged_value("Cookie");
        assert_eq!(again, "Cookie, Origin");
        assert_eq!(first.as_bytes().as_ptr(), again.as_bytes().as_ptr());
        // More distinct values than are remembered still merge correctly, freshly.
        for i in 0..2 * REMEMBERED {
            let line: &'static str = Box::leak(format!("X-Variant-{i}").into_boxed_str());
            assert_eq!(vary_after(&[line]), [format!("{line}, Origin")]);
        }
        let beyond: &'static str =
            Box::leak(format!("X-Variant-{}", 2 * REMEMBERED - 1).into_boxed_str());
        let (one, two) = (merged_value(beyond), merged_value(beyond));
        assert_eq!(one, two);
        assert_ne!(
            one.as_bytes().as_ptr(),
            two.as_bytes().as_ptr(),
            "not remembered: full"
        );
    }
}
