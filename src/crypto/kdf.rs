//! Argon2id password hashing for keyslots: parameters, the enforced floor and calibration.
//!
//! Floor (RFC 9106's second recommendation): m ≥ 64 MiB and t ≥ 3. A slot below it is
//! refused at open, so a tampered database cannot weaken an existing slot silently.

use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Params, Version};

use super::{CryptoError, Key32, Password};

/// Argon2id cost parameters, stored in each keyslot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes over memory.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfParams {
    /// The lowest parameters ever accepted: 64 MiB, 3 passes, 4 lanes.
    pub const FLOOR: KdfParams = KdfParams {
        m_kib: 64 * 1024,
        t: 3,
        p: 4,
    };
    /// Memory aimed for at calibration where the machine allows it.
    pub const TARGET_MEMORY_KIB: u32 = 256 * 1024;
    /// Highest memory accepted when opening a slot (guards against a DoS by an edited slot).
    pub const MAX_MEMORY_KIB: u32 = 4 * 1024 * 1024;

    /// Refuse parameters below the floor (or absurdly high ones).
    pub fn check(self) -> Result<(), CryptoError> {
        if self.m_kib < Self::FLOOR.m_kib || self.t < Self::FLOOR.t {
            return Err(CryptoError::WeakKdf(format!(
                "Argon2id m={} KiB, t={} is below the floor m≥{} KiB, t≥{}",
                self.m_kib,
                self.t,
                Self::FLOOR.m_kib,
                Self::FLOOR.t
            )));
        }
        if self.p == 0 || self.p > 16 || self.m_kib > Self::MAX_MEMORY_KIB || self.t > 64 {
            return Err(CryptoError::WeakKdf(format!(
                "Argon2id m={} KiB, t={}, p={} is out of the supported range",
                self.m_kib, self.t, self.p
            )));
        }
        Ok(())
    }
}

/// Derive a 32-byte key-encryption key from a password and salt.
pub fn derive_kek(password: &[u8], salt: &[u8; 16], params: KdfParams) -> Result<Key32, CryptoError> {
    params.check()?;
    let argon_params =
        Params::new(params.m_kib, params.t, params.p, Some(32)).map_err(|e| CryptoError::WeakKdf(e.to_string()))?;
    let mut arena = Arena::new(argon_params.block_count())?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
    let mut out = [0u8; 32];
    argon
        .hash_password_into_with_memory(password, salt, &mut out, arena.blocks())
        .map_err(|e| CryptoError::WeakKdf(e.to_string()))?;
    drop(arena);
    let key = Key32::from_bytes(out);
    zeroize::Zeroize::zeroize(&mut out);
    Ok(key)
}

/// The memory Argon2id works in: an anonymous mapping of its own, backed by huge pages where
/// the kernel has them (64 MiB is 16 384 page faults in 4 KiB pages and 32 in 2 MiB ones,
/// and the algorithm's data-dependent reads miss the TLB less), left out of core dumps, and
/// wiped before it is unmapped: it holds state derived from the password, which the
/// crate's own allocation would leave in freed memory.
struct Arena {
    ptr: std::ptr::NonNull<argon2::Block>,
    blocks: usize,
    bytes: usize,
}

impl Arena {
    /// Map `blocks` zeroed blocks.
    fn new(blocks: usize) -> Result<Arena, CryptoError> {
        let out_of_memory = || CryptoError::WeakKdf(format!("cannot map {blocks} KiB for Argon2id"));
        let bytes = blocks
            .checked_mul(std::mem::size_of::<argon2::Block>())
            .filter(|b| *b > 0)
            .ok_or_else(out_of_memory)?;
        // SAFETY: a new private anonymous mapping (no file, no fixed address); the result is
        // checked against MAP_FAILED before use.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(out_of_memory());
        }
        // SAFETY: advice on the mapping just made, of its exact length; either may fail
        // (no transparent huge pages here) without harm, so the results are not checked.
        unsafe {
            libc::madvise(ptr, bytes, libc::MADV_HUGEPAGE);
            libc::madvise(ptr, bytes, libc::MADV_DONTDUMP);
        }
        let ptr = std::ptr::NonNull::new(ptr.cast::<argon2::Block>()).ok_or_else(out_of_memory)?;
        Ok(Arena { ptr, blocks, bytes })
    }

    /// The blocks, zeroed at first.
    fn blocks(&mut self) -> &mut [argon2::Block] {
        // SAFETY: the mapping holds `blocks` blocks, page-aligned (more than a block's 64
        // bytes), zero-filled by the kernel (a valid block: 128 u64), and lives as long as
        // `self`, which this borrow cannot outlive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.blocks) }
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        // SAFETY: the mapping is `bytes` long and no borrow of it is left (`blocks` borrows
        // `self`); after the wipe it is unmapped once.
        unsafe {
            let all = std::slice::from_raw_parts_mut(self.ptr.as_ptr().cast::<u8>(), self.bytes);
            zeroize::Zeroize::zeroize(all);
            libc::munmap(self.ptr.as_ptr().cast(), self.bytes);
        }
    }
}

/// Derive a KEK from a typed password.
pub fn derive_from_password(password: &Password, salt: &[u8; 16], params: KdfParams) -> Result<Key32, CryptoError> {
    derive_kek(password.expose().as_bytes(), salt, params)
}

/// Pick parameters that take 0.5–1 s here: 256 MiB and 4 lanes where memory allows, passes
/// added to land near 0.75 s; memory lowered (never below the floor) if one run at 256 MiB
/// already takes most of a second.
pub fn calibrate() -> Result<KdfParams, CryptoError> {
    // The fastest of two runs: the first also pays for starting the lane threads.
    let probe = |params: KdfParams| -> Result<Duration, CryptoError> {
        let mut best = Duration::MAX;
        for _ in 0..2 {
            let start = Instant::now();
            derive_kek(b"calibration", &[0u8; 16], params)?;
            best = best.min(start.elapsed());
        }
        Ok(best)
    };
    let mut params = KdfParams {
        m_kib: KdfParams::TARGET_MEMORY_KIB,
        t: 3,
        p: 4,
    };
    if !enough_memory(params.m_kib) {
        params.m_kib = KdfParams::FLOOR.m_kib;
    }
    let mut took = probe(params)?;
    while took > Duration::from_millis(900) && params.m_kib > KdfParams::FLOOR.m_kib {
        params.m_kib = (params.m_kib / 2).max(KdfParams::FLOOR.m_kib);
        took = probe(params)?;
    }
    // Time grows linearly with passes: scale up to land near 0.75 s.
    if took < Duration::from_millis(600) {
        let per_pass = took.as_secs_f64() / f64::from(params.t);
        let wanted = (0.75 / per_pass.max(1e-6)).floor() as u32;
        params.t = wanted.clamp(params.t, 64);
    }
    Ok(params)
}

/// Whether the machine has at least four times `m_kib` of available memory.
fn enough_memory(m_kib: u32) -> bool {
    let Ok(info) = std::fs::read_to_string("/proc/meminfo") else {
        return true;
    };
    info.lines()
        .find_map(|line| line.strip_prefix("MemAvailable:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .is_none_or(|available| available >= u64::from(m_kib) * 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_floor_is_refused() {
        for weak in [
            KdfParams {
                m_kib: 32 * 1024,
                t: 3,
                p: 4,
            },
            KdfParams {
                m_kib: 64 * 1024,
                t: 2,
                p: 4,
            },
            KdfParams {
                m_kib: 64 * 1024,
                t: 3,
                p: 0,
            },
        ] {
            assert!(matches!(
                derive_kek(b"pw", &[0; 16], weak),
                Err(CryptoError::WeakKdf(_))
            ));
        }
        KdfParams::FLOOR.check().unwrap();
    }

    /// The derivation in the station's own mapping gives what the crate's allocation gives.
    #[test]
    fn the_arena_changes_nothing_in_the_key() {
        let (password, salt) = (b"correct horse battery staple", [7u8; 16]);
        let key = derive_kek(password, &salt, KdfParams::FLOOR).unwrap();
        let params = Params::new(64 * 1024, 3, 4, Some(32)).unwrap();
        let mut expected = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(password, &salt, &mut expected)
            .unwrap();
        assert_eq!(key.expose(), &expected);
    }
}
