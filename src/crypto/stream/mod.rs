//! The `.sro` container, version 1: a chunked AES-256-GCM STREAM whose header is the AAD of
//! every chunk (DESIGN.md §3, docs/FORMAT.md).
//!
//! Chunk i is sealed with nonce = 7-byte prefix ‖ u32_be(i) ‖ last flag, so chunks cannot be
//! reordered, dropped, duplicated or appended, and each plaintext has exactly one encoding.
//! Encryption and decryption run across all cores while SHA-256 of the plaintext runs on its
//! own thread; memory is bounded by the bytes in flight, not a chunk count.
//! This module never writes plaintext anywhere but the writer its caller hands it.

mod decrypt;
mod encrypt;
mod error;
mod header;
mod pipeline;

pub use decrypt::{DecryptKey, decrypt};
pub use encrypt::{EncryptKey, encrypt, encrypt_with};
pub use error::StreamError;
pub use header::{Header, KeySource, MAGIC};

/// Smallest chunk size allowed (64 KiB).
pub const MIN_CHUNK: u32 = 64 * 1024;
/// Largest chunk size allowed (16 MiB).
pub const MAX_CHUNK: u32 = 16 * 1024 * 1024;
/// Default chunk size (1 MiB).
pub const DEFAULT_CHUNK: u32 = 1024 * 1024;
/// Tag bytes after every chunk.
pub const TAG_LEN: usize = 16;
/// Bytes of chunk buffers kept in flight at most (but at least three chunks).
pub const IN_FLIGHT_BYTES: usize = 24 * 1024 * 1024;

/// A SHA-256 digest.
pub type Digest = [u8; 32];

#[cfg(test)]
mod tests;
