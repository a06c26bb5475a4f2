//! Ed25519 signatures for the signed directory (admin key) and ledger checkpoints (station
//! signing key). Messages are domain-separated by a context label chosen by the caller.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use super::{CryptoError, Key32, random};

/// An Ed25519 signing key, wiped on drop (the dalek type zeroizes itself).
#[derive(Clone)]
pub struct SignKey(SigningKey);

impl SignKey {
    /// A fresh random key.
    pub fn random() -> Result<SignKey, CryptoError> {
        Ok(SignKey(SigningKey::from_bytes(&random::array::<32>()?)))
    }

    /// From the 32-byte seed held in a grant.
    pub fn from_seed(seed: &Key32) -> SignKey {
        SignKey(SigningKey::from_bytes(seed.expose()))
    }

    /// The 32-byte seed, for granting.
    pub fn seed(&self) -> Key32 {
        Key32::from_bytes(self.0.to_bytes())
    }

    /// The public key.
    pub fn public(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    /// Sign `context ‖ 0x00 ‖ message`.
    pub fn sign(&self, context: &str, message: &[u8]) -> [u8; 64] {
        self.0.sign(&framed(context, message)).to_bytes()
    }

    /// Sign raw bytes with no framing (for externally specified formats such as C2SP notes).
    pub fn sign_raw(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

/// Verify a signature made by [`SignKey::sign`].
pub fn verify(public: &[u8; 32], context: &str, message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
    verify_raw(public, &framed(context, message), signature)
}

/// Verify a signature over raw bytes (strict: no malleable or small-order keys).
pub fn verify_raw(public: &[u8; 32], message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
    let key = VerifyingKey::from_bytes(public).map_err(|_| CryptoError::Malformed("Ed25519 public key"))?;
    let sig: [u8; 64] = signature
        .try_into()
        .map_err(|_| CryptoError::Malformed("Ed25519 signature"))?;
    key.verify_strict(message, &Signature::from_bytes(&sig))
        .map_err(|_| CryptoError::BadSignature)
}

fn framed(context: &str, message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(context.len() + 1 + message.len());
    out.extend_from_slice(context.as_bytes());
    out.push(0);
    out.extend_from_slice(message);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_context_separation() {
        let key = SignKey::random().unwrap();
        let sig = key.sign("strongroom/v1/directory", b"body");
        verify(&key.public(), "strongroom/v1/directory", b"body", &sig).unwrap();
        assert!(verify(&key.public(), "strongroom/v1/other", b"body", &sig).is_err());
        assert!(verify(&key.public(), "strongroom/v1/directory", b"bodY", &sig).is_err());
        let again = SignKey::from_seed(&key.seed());
        assert_eq!(again.public(), key.public());
    }
}
