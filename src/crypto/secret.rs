//! Zeroizing containers for keys and passwords. They deliberately implement neither
//! `Debug` nor `Display`, so a secret cannot end up in a log line or an error message.

use zeroize::Zeroizing;

use super::{CryptoError, random};

/// A 256-bit symmetric key (level key, DEK, KEK, seal key), wiped on drop.
#[derive(Clone)]
pub struct Key32(Zeroizing<[u8; 32]>);

impl Key32 {
    /// A fresh random key.
    pub fn random() -> Result<Key32, CryptoError> {
        Ok(Key32(Zeroizing::new(random::array::<32>()?)))
    }

    /// Take ownership of key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Key32 {
        Key32(Zeroizing::new(bytes))
    }

    /// Copy key bytes out of a slice that must be 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Key32, CryptoError> {
        let array: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::Malformed("32-byte key"))?;
        Ok(Key32::from_bytes(array))
    }

    /// The raw key bytes.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

/// A password or recovery code as typed, wiped on drop.
pub struct Password(Zeroizing<String>);

impl Password {
    /// Take ownership of the text.
    pub fn new(text: String) -> Password {
        Password(Zeroizing::new(text))
    }

    /// The password text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Password {
    fn from(text: &str) -> Password {
        Password::new(text.to_string())
    }
}
