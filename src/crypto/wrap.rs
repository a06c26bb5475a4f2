//! AES-256-GCM wraps of keys and metadata with purpose-separated associated data.
//!
//! Blob layout: 12-byte random nonce ‖ ciphertext ‖ 16-byte tag.
//! AAD: `"strongroom/v1/" ‖ purpose ‖ 0x00 ‖ fixed-width ids ‖ u32_be(generation)`.
//! The ids and generation bind a value to its row and key generation, so a value copied to
//! another row, column or purpose fails to decrypt.

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use zeroize::Zeroizing;

use super::{CryptoError, Key32, random};

/// Nonce length of every wrap.
pub const NONCE_LEN: usize = 12;
/// Tag length of every wrap.
pub const TAG_LEN: usize = 16;

/// What a wrapped value is; each purpose has its own AAD label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// An identity's private key in a password or recovery keyslot.
    Keyslot,
    /// A key sealed to an identity (X25519 grant).
    Grant,
    /// An item's data-encryption key under its level key.
    Dek,
    /// An item's title.
    MetaTitle,
    /// An item's original file name.
    MetaName,
    /// An item's notes.
    MetaNotes,
    /// A level's sealing private key under the current level key.
    SealingKey,
    /// A host file name sealed to a level's sealing public key (named in events).
    SealedName,
}

impl Purpose {
    /// The label written into the AAD.
    pub fn label(self) -> &'static str {
        match self {
            Purpose::Keyslot => "keyslot",
            Purpose::Grant => "grant",
            Purpose::Dek => "dek",
            Purpose::MetaTitle => "meta/title",
            Purpose::MetaName => "meta/name",
            Purpose::MetaNotes => "meta/notes",
            Purpose::SealingKey => "sealing-key",
            Purpose::SealedName => "sealed-name",
        }
    }
}

/// Build the associated data for a wrap.
pub fn aad(purpose: Purpose, ids: &[&[u8]], generation: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"strongroom/v1/");
    out.extend_from_slice(purpose.label().as_bytes());
    out.push(0);
    for id in ids {
        out.extend_from_slice(id);
    }
    out.extend_from_slice(&generation.to_be_bytes());
    out
}

/// Encrypt `plaintext` under `key` with a fresh random nonce.
pub fn seal(key: &Key32, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    seal_with_nonce(key, random::array::<NONCE_LEN>()?, aad, plaintext)
}

/// Encrypt with a given nonce: only for test vectors and for callers that made the nonce
/// from the random source themselves.
pub fn seal_with_nonce(
    key: &Key32,
    nonce: [u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let cipher = Aes256Gcm::new(key.expose().into());
    let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let tag = cipher
        .encrypt_inout_detached(&Nonce::from(nonce), aad, (&mut out[NONCE_LEN..]).into())
        .map_err(|_| CryptoError::Malformed("plaintext too long"))?;
    out.extend_from_slice(&tag);
    Ok(out)
}

/// Decrypt a blob made by [`seal`]; the plaintext is wiped on drop.
pub fn open(key: &Key32, aad: &[u8], blob: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if blob.len() < NONCE_LEN + TAG_LEN {
        return Err(CryptoError::Malformed("wrapped value (too short)"));
    }
    let (nonce, rest) = blob.split_at(NONCE_LEN);
    let (body, tag) = rest.split_at(rest.len() - TAG_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CryptoError::Malformed("nonce"))?;
    let tag = Tag::try_from(tag).map_err(|_| CryptoError::Malformed("tag"))?;
    let mut plain = Zeroizing::new(body.to_vec());
    Aes256Gcm::new(key.expose().into())
        .decrypt_inout_detached(&Nonce::from(nonce), aad, plain.as_mut_slice().into(), &tag)
        .map_err(|_| CryptoError::Authentication)?;
    Ok(plain)
}

/// Decrypt a wrapped 32-byte key.
pub fn open_key(key: &Key32, aad: &[u8], blob: &[u8]) -> Result<Key32, CryptoError> {
    Key32::from_slice(&open(key, aad, blob)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_context_binding() {
        let key = Key32::from_bytes([7; 32]);
        let item_a = [1u8; 16];
        let item_b = [2u8; 16];
        let ad = aad(Purpose::MetaTitle, &[&item_a, &[3]], 1);
        let blob = seal(&key, &ad, b"Harbour survey").unwrap();
        assert_eq!(&open(&key, &ad, &blob).unwrap()[..], b"Harbour survey");
        // Same key, other row, other purpose, other generation: all refused.
        for other in [
            aad(Purpose::MetaTitle, &[&item_b, &[3]], 1),
            aad(Purpose::MetaName, &[&item_a, &[3]], 1),
            aad(Purpose::MetaTitle, &[&item_a, &[3]], 2),
        ] {
            assert!(matches!(open(&key, &other, &blob), Err(CryptoError::Authentication)));
        }
        let mut flipped = blob.clone();
        flipped[20] ^= 1;
        assert!(open(&key, &ad, &flipped).is_err());
        assert!(open(&key, &ad, &blob[..10]).is_err());
    }
}
