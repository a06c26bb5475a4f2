//! Keyslots: an identity's X25519 private key wrapped under a key derived from a password
//! (or the recovery code) with Argon2id.
//!
//! Payload (72 bytes): identity secret key (32) ‖ admin public key the slot was made under
//! (32) ‖ u64_be directory version it saw. Wrapped with AAD purpose `keyslot`, ids = the
//! identity's 16-byte uuid, generation = the slot generation (bumped by every rewrap).

use zeroize::Zeroizing;

use super::kdf::{self, KdfParams};
use super::seal::SecretKey;
use super::wrap::{self, Purpose};
use super::{CryptoError, Key32, Password, random};

/// A keyslot as stored.
#[derive(Clone, Debug)]
pub struct Keyslot {
    /// Argon2id salt.
    pub salt: [u8; 16],
    /// Argon2id parameters.
    pub params: KdfParams,
    /// Slot generation, part of the AAD.
    pub generation: u32,
    /// Wrapped payload.
    pub blob: Vec<u8>,
}

/// What a keyslot protects.
pub struct SlotContents {
    /// The identity's private key.
    pub identity: SecretKey,
    /// The admin public key the slot holder trusts to sign the directory.
    pub admin_public: [u8; 32],
    /// The directory version the slot saw; an older directory is refused.
    pub directory_version: u64,
}

/// The AAD of a keyslot.
pub fn aad(identity_id: &[u8; 16], generation: u32) -> Vec<u8> {
    wrap::aad(Purpose::Keyslot, &[identity_id], generation)
}

/// Wrap `contents` under `secret` with a fresh salt.
pub fn create(
    secret: &Password,
    identity_id: &[u8; 16],
    generation: u32,
    params: KdfParams,
    contents: &SlotContents,
) -> Result<Keyslot, CryptoError> {
    let salt = random::array::<16>()?;
    let kek = kdf::derive_from_password(secret, &salt, params)?;
    let blob = wrap::seal(&kek, &aad(identity_id, generation), &encode(contents))?;
    Ok(Keyslot {
        salt,
        params,
        generation,
        blob,
    })
}

/// The 72-byte payload of a slot.
pub fn encode(contents: &SlotContents) -> Zeroizing<Vec<u8>> {
    let mut plain = Zeroizing::new(Vec::with_capacity(72));
    plain.extend_from_slice(contents.identity.to_bytes().as_ref());
    plain.extend_from_slice(&contents.admin_public);
    plain.extend_from_slice(&contents.directory_version.to_be_bytes());
    plain
}

/// Open a slot. Parameters below the floor are refused before any work is done.
pub fn open(secret: &Password, identity_id: &[u8; 16], slot: &Keyslot) -> Result<SlotContents, CryptoError> {
    open_keeping_key(secret, identity_id, slot).map(|(contents, _)| contents)
}

/// [`open`], also returning the key derived from the password, so the slot can be
/// [`reseal`]ed without a second Argon2id derivation.
pub fn open_keeping_key(
    secret: &Password,
    identity_id: &[u8; 16],
    slot: &Keyslot,
) -> Result<(SlotContents, Key32), CryptoError> {
    slot.params.check()?;
    let kek = kdf::derive_from_password(secret, &slot.salt, slot.params)?;
    let plain = wrap::open(&kek, &aad(identity_id, slot.generation), &slot.blob)?;
    if plain.len() != 72 {
        return Err(CryptoError::Malformed("keyslot payload"));
    }
    let mut admin_public = [0u8; 32];
    admin_public.copy_from_slice(&plain[32..64]);
    let mut version = [0u8; 8];
    version.copy_from_slice(&plain[64..72]);
    let contents = SlotContents {
        identity: SecretKey::from_slice(&plain[..32])?,
        admin_public,
        directory_version: u64::from_be_bytes(version),
    };
    Ok((contents, kek))
}

/// `slot` rewritten with `contents` under the same salt and derived key `kek` (from
/// [`open_keeping_key`]): the next generation, a fresh nonce. Unlock uses it to make a slot
/// remember the newest directory version it verified.
pub fn reseal(
    slot: &Keyslot,
    kek: &Key32,
    identity_id: &[u8; 16],
    contents: &SlotContents,
) -> Result<Keyslot, CryptoError> {
    let generation = slot
        .generation
        .checked_add(1)
        .ok_or(CryptoError::Malformed("keyslot generation"))?;
    let blob = wrap::seal(kek, &aad(identity_id, generation), &encode(contents))?;
    Ok(Keyslot {
        salt: slot.salt,
        params: slot.params,
        generation,
        blob,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_opens_with_its_password_only_and_refuses_weak_params() {
        let contents = SlotContents {
            identity: SecretKey::random().unwrap(),
            admin_public: [4; 32],
            directory_version: 9,
        };
        let id = [1u8; 16];
        let slot = create(
            &Password::from("correct horse battery"),
            &id,
            1,
            KdfParams::FLOOR,
            &contents,
        )
        .unwrap();
        let opened = open(&Password::from("correct horse battery"), &id, &slot).unwrap();
        assert_eq!(opened.identity.public(), contents.identity.public());
        assert_eq!(opened.directory_version, 9);
        assert!(matches!(
            open(&Password::from("wrong"), &id, &slot),
            Err(CryptoError::Authentication)
        ));
        assert!(open(&Password::from("correct horse battery"), &[2u8; 16], &slot).is_err());
        let mut weak = slot.clone();
        weak.params.m_kib = 8 * 1024;
        assert!(matches!(
            open(&Password::from("correct horse battery"), &id, &weak),
            Err(CryptoError::WeakKdf(_))
        ));
    }

    #[test]
    fn a_resealed_slot_opens_with_the_same_password_and_says_what_it_was_given() {
        let password = Password::from("correct horse battery staple");
        let identity = [3u8; 16];
        let contents = SlotContents {
            identity: SecretKey::random().unwrap(),
            admin_public: [4; 32],
            directory_version: 2,
        };
        let slot = create(&password, &identity, 1, KdfParams::FLOOR, &contents).unwrap();
        let (opened, kek) = open_keeping_key(&password, &identity, &slot).unwrap();
        let newer = SlotContents {
            directory_version: 9,
            ..opened
        };
        let resealed = reseal(&slot, &kek, &identity, &newer).unwrap();
        assert_eq!((resealed.salt, resealed.generation), (slot.salt, 2));
        assert_ne!(resealed.blob, slot.blob);
        let again = open(&password, &identity, &resealed).unwrap();
        assert_eq!(again.directory_version, 9);
        assert_eq!(again.identity.public(), contents.identity.public());
        // The old row stays a valid slot of generation 1: only the stored row moves on.
        assert_eq!(open(&password, &identity, &slot).unwrap().directory_version, 2);
    }
}
