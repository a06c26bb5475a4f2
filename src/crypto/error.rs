//! Errors of the crypto layer, before the caller says which item or record they concern.

/// A cryptographic operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// AEAD authentication failed: wrong key, or the bytes or their context were changed.
    #[error("authentication failed (wrong key, or the data or its context was changed)")]
    Authentication,
    /// A stored value has the wrong shape.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// The key agreement produced the all-zero secret (a low-order public key).
    #[error("refused a low-order X25519 public key (all-zero shared secret)")]
    LowOrderPoint,
    /// A signature did not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// Key-derivation parameters are below the enforced floor or otherwise unusable.
    #[error("key derivation parameters refused: {0}")]
    WeakKdf(String),
    /// The operating system's random source failed.
    #[error("the system random source failed: {0}")]
    Random(String),
}

impl From<CryptoError> for crate::Error {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::Random(why) => crate::Error::io("the system random source", std::io::Error::other(why)),
            other => crate::Error::integrity("stored key material", other.to_string()),
        }
    }
}
