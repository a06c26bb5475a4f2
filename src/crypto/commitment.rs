//! Commitments to level keys, published in the signed directory so a grant is accepted only
//! if the key it opens is the one the officers signed for.

use sha2::{Digest, Sha256};

use crate::Level;

use super::Key32;

/// SHA-256(`"strongroom/v1/lk-commit"` ‖ level byte ‖ u32_be(generation) ‖ LK).
pub fn level_key(level: Level, generation: u32, key: &Key32) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"strongroom/v1/lk-commit");
    h.update([level.as_byte()]);
    h.update(generation.to_be_bytes());
    h.update(key.expose());
    h.finalize().into()
}
