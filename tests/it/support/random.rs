//! The one pseudo-random generator of the tests and benchmarks (xorshift64*): deterministic
//! file contents, kill times and sizes from a seed, so a failure can be replayed. Not for
//! keys. Standalone (std only) so `benches/` can include this file with `#[path]`.
#![allow(dead_code)]

/// A seeded xorshift64* generator.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value, zero included).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..bound` (`bound` > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// Fill `buf`, eight bytes per step (fast enough for files of hundreds of MiB).
    pub fn fill(&mut self, buf: &mut [u8]) {
        let mut chunks = buf.chunks_exact_mut(8);
        for chunk in &mut chunks {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        let last = self.next_u64().to_le_bytes();
        rest.copy_from_slice(&last[..rest.len()]);
    }
}

/// `len` deterministic pseudo-random bytes for `seed`.
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut out = vec![0u8; len];
    Rng::new(seed).fill(&mut out);
    out
}

#[cfg(test)]
mod tests {
    /// The generator is part of recorded known answers (the 4 GiB file's SHA-256 in
    /// `import_edge_cases`): its output may not change unnoticed.
    #[test]
    fn the_generator_gives_its_recorded_bytes() {
        let hex: String = super::pseudo_random(16, 1).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "7a48219ae2b3830d679dfef1794cc454");
    }
}
