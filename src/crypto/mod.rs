//! The only module that touches ciphers, KDFs and signatures.
//!
//! Keys live in zeroizing types with no `Debug` or `Display`; every wrap carries
//! purpose-separated associated data so a wrapped value moved to another row, column or
//! purpose no longer decrypts. docs/FORMAT.md specifies each format byte for byte.

pub mod commitment;
pub mod error;
pub mod event_mac;
pub mod kdf;
pub mod keyslot;
pub mod level_key;
pub mod random;
pub mod recovery_code;
pub mod seal;
pub mod secret;
pub mod sign;
pub mod stream;
pub mod wrap;

pub use error::CryptoError;
pub use level_key::LevelKey;
pub use secret::{Key32, Password};
