//! Which request of this worker was handed which tenant: what [`super::CorsTenant`] reads.
//!
//! The layer decides a tenant route's request before the app sees it, and the handler (or
//! middleware inside the app) asks for the tenant later. Keeping the tenant in the request's
//! extensions would cost a box, an allocation, on every tenant request; instead each worker keeps
//! one table, request → tenant, whose room is reused from request to request. A request is known
//! by the address of its head, which is its own while it is in flight; the entry lives exactly as
//! long as the request's way through the layer ([`Handed`], kept by the layer's future and taken
//! back when it ends, answered or dropped), so a later request that reuses the head never finds
//! it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::num::NonZeroUsize;
use std::sync::Arc;

use actix_web::dev::RequestHead;

thread_local! {
    /// The tenants handed to the requests in flight on this worker.
    static HANDED: RefCell<HashMap<NonZeroUsize, Arc<str>, BuildHasherDefault<AddressHasher>>> =
        RefCell::new(HashMap::default());
}

/// Room for this many requests in flight is kept once they are answered; a burst of more is
/// given back when the last of it is.
const ROOM_KEPT: usize = 1024;

/// A request's key: the address of its head.
fn key_of(head: &RequestHead) -> NonZeroUsize {
    let address = std::ptr::from_ref(head).addr();
    // A reference is never null.
    NonZeroUsize::new(address).unwrap_or(NonZeroUsize::MIN)
}

/// The tenant handed to the request with this head, while its way through the layer lasts.
pub(crate) fn tenant_of(head: &RequestHead) -> Option<Arc<str>> {
    HANDED
        .try_with(|handed| {
            handed
                .try_borrow()
                .ok()
                .and_then(|handed| handed.get(&key_of(head)).cloned())
        })
        .ok()
        .flatten()
}

/// `tenant` handed to one request: its entry's key. Not a guard that removes the entry when
/// dropped — a field with a `Drop` would add its check to the drop of every request's future —
/// but handed back explicitly, with [`Handed::take_back`], by whoever holds it: the layer's
/// future when the app has answered, or when it is dropped unanswered (a client that went away).
pub(crate) struct Handed(NonZeroUsize);

impl Handed {
    /// Hands `tenant` to the request with this head.
    pub(crate) fn hand(head: &RequestHead, tenant: Arc<str>) -> Self {
        let key = key_of(head);
        let _ = HANDED.try_with(|handed| {
            if let Ok(mut handed) = handed.try_borrow_mut() {
                handed.insert(key, tenant);
            }
        });
        Self(key)
    }

    /// Takes back the tenant handed to a request, if one was: what the layer's future does
    /// when the app has answered or the future is dropped, and what a refusal before the app
    /// does. Always inlined: a call of its own on every request's way out would cost more than
    /// the test.
    #[inline(always)]
    pub(crate) fn take_back_any(handed: Option<Self>) {
        if let Some(handed) = handed {
            handed.take_back();
        }
    }

    /// Takes the tenant back: the request's way through the layer has ended. The table keeps
    /// its room for the next requests, unless a burst left it far larger than it now needs.
    pub(crate) fn take_back(&self) {
        let _ = HANDED.try_with(|handed| {
            if let Ok(mut handed) = handed.try_borrow_mut() {
                handed.remove(&self.0);
                if handed.is_empty() && handed.capacity() > ROOM_KEPT {
                    handed.shrink_to(ROOM_KEPT);
                }
            }
        });
    }
}

/// Takes the tenant back when dropped: for the slow path's own future, which holds its request
/// through a lookup and the app's answer.
pub(crate) struct HandedUntilDropped(pub(crate) Handed);

impl Drop for HandedUntilDropped {
    fn drop(&mut self) {
        self.0.take_back();
    }
}

/// Hashes an address: one multiplication, its high bits folded down (addresses differ in their
/// middle bits; the table takes its buckets from the low ones and its tags from the high ones).
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, value: u64) {
        let product = (self.0 ^ value).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = product ^ (product >> 29);
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_is_handed_until_it_is_taken_back() {
        let first = RequestHead::default();
        let second = RequestHead::default();
        let handed = Handed::hand(&first, Arc::from("acme"));
        assert_eq!(tenant_of(&first).as_deref(), Some("acme"));
        assert_eq!(tenant_of(&second), None, "another request has none");
        {
            let _other = HandedUntilDropped(Handed::hand(&second, Arc::from("globex")));
            assert_eq!(tenant_of(&second).as_deref(), Some("globex"));
            assert_eq!(tenant_of(&first).as_deref(), Some("acme"));
        }
        assert_eq!(tenant_of(&second), None, "gone with its guard");
        handed.take_back();
        assert_eq!(tenant_of(&first), None);
    }

    #[test]
    fn a_burst_gives_its_room_back_once_answered() {
        let heads: Vec<RequestHead> = (0..4 * ROOM_KEPT).map(|_| RequestHead::default()).collect();
        let handed: Vec<Handed> = heads
            .iter()
            .map(|head| Handed::hand(head, Arc::from("acme")))
            .collect();
        assert!(heads.iter().all(|head| tenant_of(head).is_some()));
        for one in &handed {
            one.take_back();
        }
        let room = HANDED.with(|handed| handed.borrow().capacity());
        assert!(room <= 2 * ROOM_KEPT, "room for {room} kept");
    }
}
