//! An open-addressing index over a fixed set of byte strings, built once: a lookup costs one
//! hash of the probe and a comparison or two, whatever the number of keys. It holds positions
//! only; the caller keeps the keys (header values for exact origins, patterns for static route
//! paths) and hands them to [`ExactIndex::find`] for the final comparison.

/// Slot marker for "no key here".
const EMPTY: u64 = u64::MAX;

/// Multipliers of the hash: odd 64-bit constants with well-spread bits.
const MIX: u64 = 0x9e37_79b9_7f4a_7c15;
const MIX_2: u64 = 0xbf58_476d_1ce4_e5b9;

/// The 128-bit product of `a` and `b`, its halves folded together: every bit of either factor
/// reaches every bit of the result, in one multiplication.
#[allow(clippy::cast_possible_truncation)] // the halves, by design
const fn fold(a: u64, b: u64) -> u64 {
    let product = (a as u128).wrapping_mul(b as u128);
    (product as u64) ^ ((product >> 64) as u64)
}

/// The little-endian word of the eight bytes at `bytes[start..]`; 0 where there are fewer.
const fn word_at(bytes: &[u8], start: usize) -> u64 {
    if start > bytes.len() {
        return 0;
    }
    match bytes.split_at(start).1.first_chunk::<8>() {
        Some(word) => u64::from_le_bytes(*word),
        None => 0,
    }
}

/// Hashes sixteen bytes a step (an origin or a path is a few words). The index is fixed once
/// built from configured keys, so a client cannot grow a probe chain by choosing inputs: the
/// longest chain is bounded by the configuration, not by requests.
pub(crate) const fn hash(bytes: &[u8]) -> u64 {
    let length = bytes.len();
    let mut hash = (length as u64).wrapping_mul(MIX);
    // Every sixteen bytes but the last sixteen.
    let mut start = 0;
    while length - start > 16 {
        hash = fold(
            word_at(bytes, start) ^ MIX ^ hash,
            word_at(bytes, start + 8) ^ MIX_2,
        );
        start += 16;
    }
    // The last sixteen (overlapping bytes already mixed, for a longer input), or the two words
    // of a shorter one, or its bytes one by one below eight: the length, mixed in first, tells
    // the overlaps apart.
    let (first, second) = if length >= 16 {
        (word_at(bytes, length - 16), word_at(bytes, length - 8))
    } else if length >= 8 {
        (word_at(bytes, 0), word_at(bytes, length - 8))
    } else {
        let mut word = 0;
        let mut i = 0;
        while i < length {
            word |= (bytes[i] as u64) << (8 * i);
            i += 1;
        }
        (word, 0)
    };
    fold(first ^ MIX ^ hash, second ^ MIX_2)
}

/// A slot's content: the key's position in the low half, the top half of its hash in the high
/// half. A probe compares a key only when the halves agree, so keys of one length that share a
/// chain (`https://o1.example` … `https://o9.example`) cost no comparison of bytes.
const fn slot_of(position: u32, hash: u64) -> u64 {
    (hash & 0xffff_ffff_0000_0000) | position as u64
}

/// Whether `a` and `b` hold the same bytes: a word at a time, the last word overlapping, in line
/// and without a call to `memcmp` — which would make the probe save and restore every register
/// it uses, for the one comparison a probe whose hash agreed makes.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let length = a.len();
    if length != b.len() {
        return false;
    }
    if length < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let mut start = 0;
    while start + 8 < length {
        if word_at(a, start) != word_at(b, start) {
            return false;
        }
        start += 8;
    }
    word_at(a, length - 8) == word_at(b, length - 8)
}

/// Up to this many keys are compared one by one, lengths first: for the one or two origins of
/// most policies and the few paths of a small app, that is cheaper than hashing the probe.
const LINEAR_UP_TO: usize = 8;

/// Positions of distinct keys, laid out for lookup.
pub(crate) enum ExactIndex {
    /// One key: most policies list one origin. Compared in line, without a call.
    One,
    /// Few keys: their lengths, by position. A probe is compared only with keys of its length.
    Linear(Box<[usize]>),
    /// Each slot holds a key's position and the top of its hash ([`slot_of`]), or [`EMPTY`].
    /// The size is a power of two above twice the number of keys, which keeps probe chains
    /// short and guarantees that every lookup ends at an empty slot.
    Hashed(Box<[u64]>),
}

impl ExactIndex {
    /// Indexes `keys` (distinct) by their position.
    pub(crate) fn new<'k>(keys: impl ExactSizeIterator<Item = &'k [u8]>) -> Self {
        if keys.len() == 1 {
            return Self::One;
        }
        if keys.len() <= LINEAR_UP_TO {
            return Self::Linear(keys.map(<[u8]>::len).collect());
        }
        let size = (2 * keys.len() + 1).next_power_of_two();
        let mut slots = vec![EMPTY; size];
        for (position, key) in keys.enumerate() {
            let hash = hash(key);
            #[allow(clippy::cast_possible_truncation)] // the low bits, by design
            let mut slot = hash as usize & (size - 1);
            while slots[slot] != EMPTY {
                slot = (slot + 1) & (size - 1);
            }
            // Policies and apps stay far below u32::MAX keys.
            if let Ok(position) = u32::try_from(position) {
                slots[slot] = slot_of(position, hash);
            }
        }
        Self::Hashed(slots.into_boxed_slice())
    }

    /// The position of the key equal to `probe` among `keys`, the keys the index was built
    /// from, in the same order. Always inlined: for one key it is a length test and a
    /// comparison, for a few a loop over their lengths; only a hashed index is a call.
    #[inline(always)]
    pub(crate) fn find<K: AsRef<[u8]>>(&self, probe: &[u8], keys: &[K]) -> Option<usize> {
        match self {
            Self::One => keys
                .first()
                .is_some_and(|key| key.as_ref() == probe)
                .then_some(0),
            Self::Linear(lengths) => lengths
                .iter()
                .zip(keys)
                .position(|(&length, key)| length == probe.len() && key.as_ref() == probe),
            Self::Hashed(slots) => Self::probe(slots, probe, keys),
        }
    }

    /// The lookup through the slots of a hashed index.
    #[inline(never)]
    fn probe<K: AsRef<[u8]>>(slots: &[u64], probe: &[u8], keys: &[K]) -> Option<usize> {
        let hash = hash(probe);
        let mask = slots.len() - 1;
        #[allow(clippy::cast_possible_truncation)] // the low bits, by design
        let mut slot = hash as usize & mask;
        loop {
            let content = *slots.get(slot)?;
            if content == EMPTY {
                return None;
            }
            // The high halves agree: the same key, or (rarely) another of the same hash top.
            if (content ^ hash) >> 32 == 0 {
                #[allow(clippy::cast_possible_truncation)] // the low half is the position
                let position = content as u32 as usize;
                if same_bytes(keys.get(position)?.as_ref(), probe) {
                    return Some(position);
                }
            }
            slot = (slot + 1) & mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slot a key's hash starts probing at.
    #[allow(clippy::cast_possible_truncation)] // only the low bits are kept, by design
    const fn home_slot(bytes: &[u8], slots: usize) -> usize {
        hash(bytes) as usize & (slots - 1)
    }

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
                ExactIndex::One => unreachable!("several keys"),
                ExactIndex::Linear(_) => assert!(!hashed),
                ExactIndex::Hashed(slots) => assert!(hashed && slots.len() == 32),
            }
            for (position, key) in keys.iter().enumerate() {
                assert_eq!(index.find(key.as_bytes(), &keys), Some(position));
            }
            for other in [
                "https://a.example/",
                "https://A.example",
                "https://a.exampl",
                "https://o8.example",
                "",
                "null",
            ] {
                assert_eq!(index.find(other.as_bytes(), &keys), None, "{other}");
            }
        }
    }

    #[test]
    fn bytes_are_the_same_exactly_when_they_are_equal() {
        for length in 0..40 {
            let a: Vec<u8> = (0..length).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(same_bytes(&a, &a.clone()), "{length}");
            for position in 0..length {
                let mut b = a.clone();
                b[position] ^= 1;
                assert!(!same_bytes(&a, &b), "{length}: byte {position} differs");
            }
            let mut longer = a.clone();
            longer.push(b'z');
            assert!(!same_bytes(&a, &longer), "{length}: one longer");
        }
    }

    #[test]
    fn an_empty_index_finds_nothing() {
        let index = ExactIndex::new(std::iter::empty());
        assert_eq!(index.find(b"https://a.example", &[] as &[&[u8]]), None);
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
                    .position(|&slot| slot != EMPTY && (slot & 0xffff_ffff) as usize == position)
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
            for (position, key) in keys.iter().enumerate() {
                assert_eq!(index.find(key.as_bytes(), &keys), Some(position));
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
