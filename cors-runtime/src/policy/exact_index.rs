//! An open-addressing index over a fixed set of byte strings, built once: a lookup costs one
//! hash of the probe and a comparison or two, whatever the number of keys. It holds positions
//! only; the caller keeps the keys (header values for exact origins, patterns for static route
//! paths) and hands them to [`ExactIndex::find`] for the final comparison.

/// Slot marker for "no key here".
const EMPTY: u32 = u32::MAX;

/// Multiplier of the hash: an odd 64-bit constant with well-spread bits.
const MIX: u64 = 0x9e37_79b9_7f4a_7c15;

/// Hashes eight bytes at a time (an origin or a path is a few words). The index is fixed once
/// built from configured keys, so a client cannot grow a probe chain by choosing inputs: the
/// longest chain is bounded by the configuration, not by requests.
pub(crate) const fn hash(bytes: &[u8]) -> u64 {
    const fn mix(hash: u64, word: u64) -> u64 {
        let hash = (hash ^ word).wrapping_mul(MIX);
        hash ^ (hash >> 29)
    }
    let mut hash = (bytes.len() as u64).wrapping_mul(MIX);
    let mut rest = bytes;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        hash = mix(hash, u64::from_le_bytes(*word));
        rest = tail;
    }
    if !rest.is_empty() {
        // The last eight bytes, overlapping words already mixed: one load instead of a loop.
        // Shorter inputs fall back to the bytes one by one.
        if let Some((_, last)) = bytes.split_last_chunk::<8>() {
            hash = mix(hash, u64::from_le_bytes(*last));
        } else {
            let mut i = 0;
            while i < rest.len() {
                hash = mix(hash, rest[i] as u64);
                i += 1;
            }
        }
    }
    // A product's low bits depend only on its factors' low bits: the bytes at the top of a word
    // (the last digits of `/items123`) would never reach the home slot, taken from the low
    // bits. One more multiplication after folding the top half down spreads every byte.
    let hash = (hash ^ (hash >> 32)).wrapping_mul(MIX);
    hash ^ (hash >> 32)
}

/// The slot a key's hash starts probing at.
#[allow(clippy::cast_possible_truncation)] // only the low bits are kept, by design
const fn home_slot(bytes: &[u8], slots: usize) -> usize {
    hash(bytes) as usize & (slots - 1)
}

/// Up to this many keys are compared one by one, lengths first: for the one or two origins of
/// most policies and the few paths of a small app, that is cheaper than hashing the probe.
const LINEAR_UP_TO: usize = 8;

/// Positions of distinct keys, laid out for lookup.
pub(crate) enum ExactIndex {
    /// Few keys: their lengths, by position. A probe is compared only with keys of its length.
    Linear(Box<[usize]>),
    /// Each slot holds the position of a key or [`EMPTY`]. The size is a power of two above
    /// twice the number of keys, which keeps probe chains short and guarantees that every
    /// lookup ends at an empty slot.
    Hashed(Box<[u32]>),
}

impl ExactIndex {
    /// Indexes `keys` (distinct) by their position.
    pub(crate) fn new<'k>(keys: impl ExactSizeIterator<Item = &'k [u8]>) -> Self {
        if keys.len() <= LINEAR_UP_TO {
            return Self::Linear(keys.map(<[u8]>::len).collect());
        }
        let size = (2 * keys.len() + 1).next_power_of_two();
        let mut slots = vec![EMPTY; size];
        for (position, key) in keys.enumerate() {
            let mut slot = home_slot(key, size);
            while slots[slot] != EMPTY {
                slot = (slot + 1) & (size - 1);
            }
            // Policies and apps stay far below u32::MAX keys.
            slots[slot] = u32::try_from(position).unwrap_or(EMPTY);
        }
        Self::Hashed(slots.into_boxed_slice())
    }

    /// The position of the key equal to `probe`; `key_at` returns the key at a position.
    #[inline]
    pub(crate) fn find<'a>(
        &self,
        probe: &[u8],
        key_at: impl Fn(usize) -> &'a [u8],
    ) -> Option<usize> {
        let slots = match self {
            Self::Linear(lengths) => {
                return lengths
                    .iter()
                    .enumerate()
                    .find(|&(position, &length)| length == probe.len() && key_at(position) == probe)
                    .map(|(position, _)| position);
            }
            Self::Hashed(slots) => slots,
        };
        let mask = slots.len() - 1;
        let mut slot = home_slot(probe, slots.len());
        loop {
            let position = slots[slot];
            if position == EMPTY {
                return None;
            }
            let position = position as usize;
            if key_at(position) == probe {
                return Some(position);
            }
            slot = (slot + 1) & mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [&str; 3] = [
        "https://a.example",
        "https://b.example",
        "http://localhost:3000",
    ];

    /// The keys, and as many more as it takes for the index to hash them.
    fn keys(hashed: bool) -> Vec<String> {
        let mut keys: Vec<String> = KEYS.iter().map(|&key| key.to_owned()).collect();
        if hashed {
            keys.extend((0..LINEAR_UP_TO).map(|i| format!("https://o{i}.example")));
        }
        keys
    }

    #[test]
    fn every_key_is_found_and_nothing_else() {
        for hashed in [false, true] {
            let keys = keys(hashed);
            let index = ExactIndex::new(keys.iter().map(String::as_bytes));
            match &index {
                ExactIndex::Linear(_) => assert!(!hashed),
                ExactIndex::Hashed(slots) => assert!(hashed && slots.len() == 32),
            }
            let key_at = |position: usize| keys[position].as_bytes();
            for (position, key) in keys.iter().enumerate() {
                assert_eq!(index.find(key.as_bytes(), key_at), Some(position));
            }
            for other in [
                "https://a.example/",
                "https://A.example",
                "https://a.exampl",
                "https://o8.example",
                "",
                "null",
            ] {
                assert_eq!(index.find(other.as_bytes(), key_at), None, "{other}");
            }
        }
    }

    #[test]
    fn an_empty_index_finds_nothing() {
        let index = ExactIndex::new(std::iter::empty());
        assert_eq!(index.find(b"https://a.example", |_| &[]), None);
    }

    /// How far from its home slot each key of `index` lies.
    fn distances(index: &ExactIndex, keys: &[String]) -> Vec<usize> {
        let ExactIndex::Hashed(slots) = index else {
            panic!("a hashed index");
        };
        keys.iter()
            .enumerate()
            .map(|(position, key)| {
                let at = slots
                    .iter()
                    .position(|&slot| slot as usize == position)
                    .expect("every key has a slot");
                (at + slots.len() - home_slot(key.as_bytes(), slots.len())) & (slots.len() - 1)
            })
            .collect()
    }

    #[test]
    fn a_thousand_similar_keys_are_found_in_a_probe_or_two() {
        // What the one-hash lookup promises: origins and paths that differ in a digit or two
        // (the benchmark's 1,000 origins, an app's numbered paths) spread over the slots.
        for keys in [
            (0..1000)
                .map(|i| format!("https://o{i}.example.net"))
                .collect::<Vec<_>>(),
            (0..1000).map(|i| format!("/api/v1/items{i}")).collect(),
            (0..1000).map(|i| format!("{i:08}")).collect(),
            // Shorter than a word: hashed byte by byte.
            (0..1000).map(|i| format!("/p{i}")).collect(),
        ] {
            let index = ExactIndex::new(keys.iter().map(String::as_bytes));
            let distances = distances(&index, &keys);
            let longest = distances.iter().max().copied().unwrap_or(0);
            let mean = distances.iter().sum::<usize>() as f64 / distances.len() as f64;
            assert!(longest <= 16, "{}: longest chain {longest}", keys[0]);
            assert!(mean <= 1.0, "{}: mean distance {mean}", keys[0]);
            let key_at = |position: usize| keys[position].as_bytes();
            for (position, key) in keys.iter().enumerate() {
                assert_eq!(index.find(key.as_bytes(), key_at), Some(position));
            }
        }
    }

    #[test]
    fn the_hash_reads_every_byte() {
        // Keys of one length that differ in a single byte anywhere must hash apart, or a large
        // set of similar names would degrade into one long probe chain.
        let base = b"https://o123.example.net".to_vec();
        let mut hashes = std::collections::HashSet::new();
        for position in 0..base.len() {
            let mut changed = base.clone();
            changed[position] ^= 1;
            hashes.insert(hash(&changed));
        }
        assert_eq!(hashes.len(), base.len());
    }
}
