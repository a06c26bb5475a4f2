//! A classification level's key together with its generation, so the two always travel as
//! one value (the generation is bound into every wrap the key makes).

use super::Key32;

/// The key of one classification level at one generation.
#[derive(Clone)]
pub struct LevelKey {
    /// Which generation of the level's key this is (1 at creation, +1 at each rotation).
    pub generation: u32,
    /// The key.
    pub key: Key32,
}

impl LevelKey {
    /// `key` as generation `generation`.
    pub fn new(generation: u32, key: Key32) -> LevelKey {
        LevelKey { generation, key }
    }
}
