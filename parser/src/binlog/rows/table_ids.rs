//! Maps keyed by table id, hashed for that key.
//!
//! Every rows event looks its table's map up by id, and every TABLE_MAP event its
//! previous map (millions of times in a log of small transactions); the standard
//! hasher spends more on an 8-byte key than the rest of such a lookup. Table ids are
//! read from the input, so a fixed hash would let a crafted log pile its ids into one
//! bucket: the mix here is keyed with a random seed per map, as the standard one is.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// A map from table id to `V`.
pub type TableIdMap<V> = HashMap<u64, V, TableIdState>;

/// Builds the hashers of one [`TableIdMap`], with its random seed.
#[derive(Debug, Clone, Copy)]
pub struct TableIdState {
    seed: u64,
}

impl Default for TableIdState {
    fn default() -> Self {
        TableIdState {
            seed: RandomState::new().hash_one(0u64),
        }
    }
}

impl BuildHasher for TableIdState {
    type Hasher = TableIdHasher;

    fn build_hasher(&self) -> TableIdHasher {
        TableIdHasher { state: self.seed }
    }
}

/// Hashes a table id (a `u64`) by mixing it into the seed.
#[derive(Debug, Clone, Copy)]
pub struct TableIdHasher {
    state: u64,
}

impl Hasher for TableIdHasher {
    fn write_u64(&mut self, id: u64) {
        self.state = mix(self.state ^ id);
    }

    /// Keys other than a `u64` (a [`TableIdMap`] has none) are mixed in a byte at a time.
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.state = mix(self.state ^ u64::from(byte));
        }
    }

    fn finish(&self) -> u64 {
        self.state
    }
}

/// A bijective mix in which every input bit changes about half the output bits
/// (MurmurHash3's 64-bit finaliser): the low bits a table indexes by depend on the
/// whole id, so ids that differ only in high bits do not share buckets.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_differ_in_high_bits_spread_over_the_low_bits() {
        let state = TableIdState { seed: 0 };
        let buckets: std::collections::HashSet<u64> = (0..256u64)
            .map(|i| state.hash_one(i << 40) & 0xff)
            .collect();
        assert!(buckets.len() > 128, "{} buckets of 256", buckets.len());
    }

    #[test]
    fn a_map_finds_what_it_holds() {
        let mut map = TableIdMap::default();
        for id in 0..1000u64 {
            map.insert(id * 7919, id);
        }
        assert!((0..1000u64).all(|id| map.get(&(id * 7919)) == Some(&id)));
        assert_eq!(map.get(&1), None);
    }
}
