//! A fresh identity for an account: its id, X25519 key pair and the keyslot that opens it
//! with a password. Made before the transaction that stores it (Argon2id is slow), for a new
//! account, a password reset by an officer and a reset through the recovery code alike.

use crate::crypto::Password;
use crate::crypto::kdf::KdfParams;
use crate::crypto::keyslot::{self, Keyslot, SlotContents};
use crate::crypto::seal::SecretKey;
use crate::{IdentityId, Result};

/// A new identity with its keyslot.
pub struct NewIdentity {
    /// Its id (bound into the keyslot and every grant).
    pub id: IdentityId,
    /// Its public key (for the directory entry and the grants sealed to it).
    pub public: [u8; 32],
    /// Its keyslot, generation 1.
    pub slot: Keyslot,
}

impl NewIdentity {
    /// A random identity whose keyslot opens with `password` (Argon2id `params`) and
    /// remembers the admin key and directory version it was made under (the floor below
    /// which an older directory is refused at unlock).
    pub fn create(
        password: &Password,
        params: KdfParams,
        admin_public: [u8; 32],
        directory_version: u64,
    ) -> Result<NewIdentity> {
        let secret = SecretKey::random()?;
        let public = secret.public();
        let id = IdentityId::random()?;
        let contents = SlotContents {
            identity: secret,
            admin_public,
            directory_version,
        };
        let slot = keyslot::create(password, id.as_bytes(), 1, params, &contents)?;
        Ok(NewIdentity { id, public, slot })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keyslot_opens_with_its_password_to_the_identity_it_names() {
        let password = Password::from("correct horse battery staple");
        let made = NewIdentity::create(&password, KdfParams::FLOOR, [7; 32], 12).unwrap();
        let opened = keyslot::open(&password, made.id.as_bytes(), &made.slot).unwrap();
        assert_eq!(opened.identity.public(), made.public);
        assert_eq!((opened.admin_public, opened.directory_version), ([7; 32], 12));
        assert_eq!(made.slot.generation, 1);
        assert!(
            keyslot::open(
                &Password::from("another password entirely"),
                made.id.as_bytes(),
                &made.slot
            )
            .is_err()
        );
        // Bound to its id: the slot copied to another identity's row does not open.
        let other = IdentityId::random().unwrap();
        assert!(keyslot::open(&password, other.as_bytes(), &made.slot).is_err());
    }
}
