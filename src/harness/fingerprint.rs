//! 128-bit fingerprints of states: what a search remembers of a state it has seen
//! (`migwiz check`'s visited set, the linearizability checker's cache).
//!
//! What `Hash` feeds is written to a reused buffer and hashed in one pass of xxh3: fed to
//! xxh3 field by field, a state's many small writes cost a fifth of a search (issue 24).
//! Two states with one fingerprint would be taken for one: at 2^32 states the chance is
//! about 2^-64.
//!
//! ```
//! use migwiz::harness::fingerprint;
//!
//! let mut buffer = Vec::new();
//! let a = fingerprint::of(&("JDOE", 3u32), &mut buffer);
//! assert_eq!(a, fingerprint::of(&("JDOE", 3u32), &mut buffer));
//! assert_ne!(a, fingerprint::of(&("JDOE", 4u32), &mut buffer));
//! ```

use std::hash::{Hash, Hasher};

/// A `Hasher` that writes what it is fed into a byte buffer: a state's encoding.
pub struct Encoder<'b>(&'b mut Vec<u8>);

impl Hasher for Encoder<'_> {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    fn finish(&self) -> u64 {
        0 // never asked: the bytes are hashed whole by `of_fed`
    }
}

/// The fingerprint of what `feed` writes to its encoder; `buffer` is reused between calls.
pub fn of_fed(buffer: &mut Vec<u8>, feed: impl FnOnce(&mut Encoder<'_>)) -> u128 {
    buffer.clear();
    feed(&mut Encoder(buffer));
    xxhash_rust::xxh3::xxh3_128(buffer)
}

/// The fingerprint of `value` as its `Hash` writes it.
pub fn of<T: Hash>(value: &T, buffer: &mut Vec<u8>) -> u128 {
    of_fed(buffer, |h| value.hash(h))
}
