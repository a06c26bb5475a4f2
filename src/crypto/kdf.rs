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
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
    let mut out = [0u8; 32];
    argon
        .hash_password_into(password, salt, &mut out)
        .map_err(|e| CryptoError::WeakKdf(e.to_string()))?;
    let key = Key32::from_bytes(out);
    zeroize::Zeroize::zeroize(&mut out);
    Ok(key)
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
}
