//! X25519 sealing: grants (a key sealed to an identity) and the sealed container key source.
//!
//! Both use an ephemeral X25519 key, HKDF-SHA256 with salt = ephemeral pk ‖ recipient pk and
//! a purpose label as info, and refuse an all-zero shared secret. A grant blob is
//! `ephemeral pk (32) ‖ wrap blob` where the wrap is AES-256-GCM under the derived key with the
//! `grant` AAD (see `wrap`).

use hkdf::Hkdf;
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::{CryptoError, Key32, random, wrap};

/// HKDF info for grants.
pub const GRANT_INFO: &[u8] = b"strongroom/v1/grant";
/// HKDF info for sealed containers.
pub const SEAL_INFO: &[u8] = b"strongroom/v1/seal";

/// An X25519 private key (identity or sealing key), wiped on drop.
#[derive(Clone)]
pub struct SecretKey(StaticSecret);

impl SecretKey {
    /// A fresh random key pair's secret.
    pub fn random() -> Result<SecretKey, CryptoError> {
        Ok(SecretKey::from_bytes(random::array::<32>()?))
    }

    /// From stored bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> SecretKey {
        SecretKey(StaticSecret::from(bytes))
    }

    /// From a stored slice of 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<SecretKey, CryptoError> {
        let array: [u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::Malformed("X25519 secret key"))?;
        Ok(SecretKey::from_bytes(array))
    }

    /// The bytes, for wrapping into a keyslot. Wiped on drop.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The matching public key.
    pub fn public(&self) -> [u8; 32] {
        PublicKey::from(&self.0).to_bytes()
    }
}

/// Derive the shared key for (ephemeral, recipient), refusing the all-zero secret.
fn derive(
    secret: &StaticSecret,
    peer: &[u8; 32],
    eph_pk: &[u8; 32],
    recipient_pk: &[u8; 32],
    info: &[u8],
) -> Result<Key32, CryptoError> {
    let shared = secret.diffie_hellman(&PublicKey::from(*peer));
    if !shared.was_contributory() {
        return Err(CryptoError::LowOrderPoint);
    }
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(eph_pk);
    salt[32..].copy_from_slice(recipient_pk);
    let mut okm = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(&salt), shared.as_bytes())
        .expand(info, okm.as_mut())
        .map_err(|_| CryptoError::Malformed("HKDF output length"))?;
    Ok(Key32::from_bytes(*okm))
}

/// Sender side: a fresh ephemeral key agreed with `recipient_pk`. Returns the ephemeral
/// public key and the derived key.
pub fn to_recipient(recipient_pk: &[u8; 32], info: &[u8]) -> Result<([u8; 32], Key32), CryptoError> {
    to_recipient_with(SecretKey::random()?, recipient_pk, info)
}

/// Sender side with a chosen ephemeral secret (test vectors only).
pub fn to_recipient_with(
    ephemeral: SecretKey,
    recipient_pk: &[u8; 32],
    info: &[u8],
) -> Result<([u8; 32], Key32), CryptoError> {
    let eph_pk = ephemeral.public();
    let key = derive(&ephemeral.0, recipient_pk, &eph_pk, recipient_pk, info)?;
    Ok((eph_pk, key))
}

/// Recipient side: the key for an ephemeral public key received.
pub fn from_sender(recipient: &SecretKey, eph_pk: &[u8; 32], info: &[u8]) -> Result<Key32, CryptoError> {
    let recipient_pk = recipient.public();
    derive(&recipient.0, eph_pk, eph_pk, &recipient_pk, info)
}

/// Seal a secret (a 32-byte key) to an identity as a grant.
pub fn grant(recipient_pk: &[u8; 32], aad: &[u8], secret: &[u8]) -> Result<Vec<u8>, CryptoError> {
    seal_to(
        GRANT_INFO,
        SecretKey::random()?,
        random::array()?,
        recipient_pk,
        aad,
        secret,
    )
}

/// [`grant`] with the ephemeral key and nonce chosen by the caller: for the test vectors in
/// docs/FORMAT.md only.
#[doc(hidden)]
pub fn grant_with(
    ephemeral: SecretKey,
    nonce: [u8; wrap::NONCE_LEN],
    recipient_pk: &[u8; 32],
    aad: &[u8],
    secret: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    seal_to(GRANT_INFO, ephemeral, nonce, recipient_pk, aad, secret)
}

/// Open a grant with the identity's secret key.
pub fn open_grant(recipient: &SecretKey, aad: &[u8], blob: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    open_from(GRANT_INFO, recipient, aad, blob)
}

/// Seal a short value (a host file name) to a level's sealing public key, so that only holders
/// of that level can read it. Used where events must name something without revealing it.
pub fn seal_value(recipient_pk: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    seal_to(
        SEAL_INFO,
        SecretKey::random()?,
        random::array()?,
        recipient_pk,
        aad,
        plaintext,
    )
}

/// [`seal_value`] with the ephemeral key and nonce chosen by the caller: test vectors only.
#[doc(hidden)]
pub fn seal_value_with(
    ephemeral: SecretKey,
    nonce: [u8; wrap::NONCE_LEN],
    recipient_pk: &[u8; 32],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    seal_to(SEAL_INFO, ephemeral, nonce, recipient_pk, aad, plaintext)
}

/// Open a value made by [`seal_value`] with the sealing private key.
pub fn open_value(recipient: &SecretKey, aad: &[u8], blob: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    open_from(SEAL_INFO, recipient, aad, blob)
}

/// `ephemeral pk ‖ wrap blob`, the wrap under the key agreed for `info`.
fn seal_to(
    info: &[u8],
    ephemeral: SecretKey,
    nonce: [u8; wrap::NONCE_LEN],
    recipient_pk: &[u8; 32],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let (eph_pk, key) = to_recipient_with(ephemeral, recipient_pk, info)?;
    let mut out = eph_pk.to_vec();
    out.extend(wrap::seal_with_nonce(&key, nonce, aad, plaintext)?);
    Ok(out)
}

fn open_from(info: &[u8], recipient: &SecretKey, aad: &[u8], blob: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let (eph, rest) = blob
        .split_first_chunk::<32>()
        .ok_or(CryptoError::Malformed("sealed value (too short)"))?;
    let key = from_sender(recipient, eph, info)?;
    wrap::open(&key, aad, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_opens_only_for_its_recipient_and_context() {
        let alice = SecretKey::random().unwrap();
        let bob = SecretKey::random().unwrap();
        let blob = grant(&alice.public(), b"ctx", &[9; 32]).unwrap();
        assert_eq!(&open_grant(&alice, b"ctx", &blob).unwrap()[..], &[9; 32]);
        assert!(open_grant(&bob, b"ctx", &blob).is_err());
        assert!(open_grant(&alice, b"other", &blob).is_err());
    }

    #[test]
    fn low_order_public_key_is_refused() {
        assert!(matches!(
            to_recipient(&[0u8; 32], SEAL_INFO),
            Err(CryptoError::LowOrderPoint)
        ));
        let me = SecretKey::random().unwrap();
        assert!(matches!(
            from_sender(&me, &[0u8; 32], SEAL_INFO),
            Err(CryptoError::LowOrderPoint)
        ));
    }
}
