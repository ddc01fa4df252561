//! Invalidation counts, so that an invalidation is never undone by what was read before it.
//!
//! - The **global** count moves on every invalidation: a worker's copy of a list
//!   ([`super::TenantRoute::warm`]) carries the count it was taken under, and is used only while
//!   it is current. Any invalidation makes every copy be read again from the shared cache — a
//!   hash lookup, no load.
//! - A count per **stripe** of tenants (a tenant's stripe is a hash of its name) moves on every
//!   invalidation of a tenant of the stripe: a lookup carries its tenant's stripe count from when
//!   it began, and a list whose stripe moved meanwhile expires the moment it is stored. Striped, so
//!   that a change feed busy with other tenants does not keep one tenant's lookups from being kept
//!   (1 in [`STRIPES`] shares a stripe), and bounded, whatever tenants are named.
//!
//! Each invalidation counts both on both sides of the cache's own: before, so that a lookup that
//! began earlier is not kept; after, so that a copy taken just before the cache forgot the
//! tenant is no longer current.

use std::sync::atomic::{AtomicU64, Ordering};

/// How many stripes the tenants are spread over.
pub(crate) const STRIPES: usize = 64;

pub(crate) struct Epochs {
    global: AtomicU64,
    stripes: [AtomicU64; STRIPES],
}

impl Epochs {
    pub(crate) fn new() -> Self {
        Self {
            global: AtomicU64::new(0),
            stripes: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    /// How many invalidations there have been, of any tenant.
    #[inline]
    pub(crate) fn global(&self) -> u64 {
        self.global.load(Ordering::Acquire)
    }

    /// How many invalidations there have been of `tenant`'s stripe.
    pub(crate) fn of(&self, tenant: &str) -> u64 {
        self.stripes[stripe(tenant)].load(Ordering::Acquire)
    }

    /// Runs `forget` (the cache forgetting `tenant`), counted on both sides.
    pub(crate) fn invalidating(&self, tenant: &str, forget: impl FnOnce()) {
        let stripe = &self.stripes[stripe(tenant)];
        self.global.fetch_add(1, Ordering::AcqRel);
        stripe.fetch_add(1, Ordering::AcqRel);
        forget();
        stripe.fetch_add(1, Ordering::AcqRel);
        self.global.fetch_add(1, Ordering::AcqRel);
    }

    /// Runs `forget` (the cache forgetting every tenant), counted on both sides in every stripe.
    pub(crate) fn invalidating_all(&self, forget: impl FnOnce()) {
        let count = || {
            self.global.fetch_add(1, Ordering::AcqRel);
            for stripe in &self.stripes {
                stripe.fetch_add(1, Ordering::AcqRel);
            }
        };
        count();
        forget();
        count();
    }
}

/// The stripe of `tenant`: FNV-1a of its bytes.
fn stripe(tenant: &str) -> usize {
    let hash = tenant
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    // The modulus keeps the index below STRIPES, so it fits any usize.
    usize::try_from(hash % STRIPES as u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalidation_moves_its_tenant_s_stripe_and_the_global_count_only() {
        let epochs = Epochs::new();
        let (acme, globex) = (epochs.of("acme"), epochs.of("globex"));
        assert_ne!(
            stripe("acme"),
            stripe("globex"),
            "the test needs two stripes"
        );
        epochs.invalidating("acme", || {
            // Counted before the cache forgets.
            assert_ne!(epochs.of("acme"), acme);
        });
        assert_ne!(epochs.of("acme"), acme);
        assert_eq!(epochs.of("globex"), globex);
        assert_eq!(epochs.global(), 2);
        epochs.invalidating_all(|| {});
        assert_ne!(epochs.of("globex"), globex);
        assert_eq!(epochs.global(), 4);
        // Tenants spread over the stripes.
        let used: std::collections::HashSet<usize> =
            (0..1_000).map(|n| stripe(&format!("tenant-{n}"))).collect();
        assert_eq!(used.len(), STRIPES);
    }
}
