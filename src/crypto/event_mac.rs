//! The MAC a session puts on every event it writes: HMAC-SHA256 of the event's canonical
//! bytes under a key derived from the station signing key, which every active user holds.
//! Anyone with the OS account can append a row to the events table; only a signed-in
//! session (or the recovery identity) can MAC it, so the next sign-in reports rows no
//! session wrote before a checkpoint signs them (DESIGN.md §4 "Trust model").

use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::sign::SignKey;
use super::{CryptoError, Key32};

/// HKDF info of the event MAC key.
const INFO: &[u8] = b"strongroom/v1/event-mac";

/// The key that MACs events, derived from one generation of the station signing key.
pub struct EventMacKey(Key32);

impl EventMacKey {
    /// Derive it from the station signing key's seed.
    pub fn from_signing(key: &SignKey) -> Result<EventMacKey, CryptoError> {
        let seed = key.seed();
        let mut okm = zeroize::Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(None, seed.expose())
            .expand(INFO, okm.as_mut())
            .map_err(|_| CryptoError::Malformed("HKDF output length"))?;
        Ok(EventMacKey(Key32::from_bytes(*okm)))
    }

    /// The MAC of one event's canonical bytes.
    pub fn mac_of(&self, canonical: &[u8]) -> Result<[u8; 32], CryptoError> {
        let mut hmac = self.hmac()?;
        hmac.update(canonical);
        Ok(hmac.finalize().into_bytes().into())
    }

    /// Whether `mac` is this key's MAC of `canonical` (compared in constant time).
    pub fn verifies(&self, canonical: &[u8], mac: &[u8]) -> bool {
        let Ok(mut hmac) = self.hmac() else {
            return false;
        };
        hmac.update(canonical);
        hmac.verify_slice(mac).is_ok()
    }

    fn hmac(&self) -> Result<Hmac<Sha256>, CryptoError> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.expose())
            .map_err(|_| CryptoError::Malformed("HMAC key length"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mac_verifies_only_for_its_bytes_and_its_key() {
        let key = SignKey::from_seed(&Key32::from_bytes([7; 32]));
        let other = SignKey::from_seed(&Key32::from_bytes([8; 32]));
        let mac = EventMacKey::from_signing(&key).unwrap();
        let seal = mac.mac_of(b"{\"seq\":1}").unwrap();
        assert!(mac.verifies(b"{\"seq\":1}", &seal));
        assert!(!mac.verifies(b"{\"seq\":2}", &seal));
        assert!(
            !EventMacKey::from_signing(&other)
                .unwrap()
                .verifies(b"{\"seq\":1}", &seal)
        );
        assert!(!mac.verifies(b"{\"seq\":1}", &seal[..31]));
    }
}
