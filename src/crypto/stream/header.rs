//! The container header: fixed big-endian fields, its bytes the AAD of every chunk.
//!
//! ```text
//! magic "SROBJ\0" (6) | version u16 = 1 | key source u8
//!   [source 1: level u8 | generation u32 | recipient pk (32) | ephemeral pk (32)]
//! item uuid (16) | chunk size u32 | nonce prefix (7) | plaintext length u64
//! ```

use std::io::Read;

use crate::Level;

use super::{MAX_CHUNK, MIN_CHUNK, StreamError, TAG_LEN};

/// The 6 magic bytes at the start of every object.
pub const MAGIC: &[u8; 6] = b"SROBJ\0";
const VERSION: u16 = 1;

/// Where the content key comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// 0: a DEK wrapped in the database under the level key.
    Wrapped,
    /// 1: sealed to a level's sealing public key (made by the guard while locked).
    Sealed {
        /// Level of the sealing key.
        level: Level,
        /// Generation of the sealing key.
        generation: u32,
        /// The recipient sealing public key.
        recipient: [u8; 32],
        /// The sender's ephemeral public key.
        ephemeral: [u8; 32],
    },
}

/// A parsed header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Key source.
    pub key_source: KeySource,
    /// Item uuid bytes.
    pub item: [u8; 16],
    /// Plaintext bytes per chunk (all but the last chunk are full).
    pub chunk_size: u32,
    /// Random nonce prefix.
    pub nonce_prefix: [u8; 7],
    /// Plaintext length.
    pub plaintext_len: u64,
}

impl Header {
    /// Encode to bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(113);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_be_bytes());
        match &self.key_source {
            KeySource::Wrapped => out.push(0),
            KeySource::Sealed {
                level,
                generation,
                recipient,
                ephemeral,
            } => {
                out.push(1);
                out.push(level.as_byte());
                out.extend_from_slice(&generation.to_be_bytes());
                out.extend_from_slice(recipient);
                out.extend_from_slice(ephemeral);
            }
        }
        out.extend_from_slice(&self.item);
        out.extend_from_slice(&self.chunk_size.to_be_bytes());
        out.extend_from_slice(&self.nonce_prefix);
        out.extend_from_slice(&self.plaintext_len.to_be_bytes());
        out
    }

    /// Number of chunks: at least one (an empty plaintext is one empty final chunk).
    pub fn chunk_count(&self) -> u64 {
        self.plaintext_len.div_ceil(u64::from(self.chunk_size)).max(1)
    }

    /// Plaintext length of chunk `index`.
    pub fn chunk_plain_len(&self, index: u64) -> usize {
        let cs = u64::from(self.chunk_size);
        let start = index * cs;
        (self.plaintext_len.saturating_sub(start)).min(cs) as usize
    }

    /// Total object length: header plus every chunk with its tag.
    pub fn object_len(&self) -> u64 {
        self.encode().len() as u64 + self.plaintext_len + self.chunk_count() * TAG_LEN as u64
    }

    /// Length of an object with a wrapped key (source 0), before writing it.
    pub fn wrapped_object_len(plaintext_len: u64, chunk_size: u32) -> u64 {
        const WRAPPED_HEADER_LEN: u64 = 44;
        WRAPPED_HEADER_LEN
            + plaintext_len
            + plaintext_len.div_ceil(u64::from(chunk_size.max(1))).max(1) * TAG_LEN as u64
    }

    /// Check the limits of version 1.
    pub fn validate(&self) -> Result<(), StreamError> {
        if !(MIN_CHUNK..=MAX_CHUNK).contains(&self.chunk_size) {
            return Err(StreamError::Header(format!(
                "chunk size {} is outside {MIN_CHUNK}..={MAX_CHUNK}",
                self.chunk_size
            )));
        }
        if self.chunk_count() > 1u64 << 32 {
            return Err(StreamError::Header(format!(
                "plaintext length {} needs more than 2^32 chunks",
                self.plaintext_len
            )));
        }
        Ok(())
    }

    /// Read and validate a header; returns it with its exact bytes (the chunk AAD).
    pub fn read(src: &mut impl Read) -> Result<(Header, Vec<u8>), StreamError> {
        let mut raw = vec![0u8; 9];
        read_exact(src, &mut raw)?;
        if &raw[..6] != MAGIC {
            return Err(StreamError::Header("not a Strongroom object (bad magic)".into()));
        }
        let version = u16::from_be_bytes([raw[6], raw[7]]);
        if version != VERSION {
            return Err(StreamError::Header(format!("unsupported container version {version}")));
        }
        let key_source = match raw[8] {
            0 => KeySource::Wrapped,
            1 => {
                let mut extra = [0u8; 69];
                read_exact(src, &mut extra)?;
                raw.extend_from_slice(&extra);
                let level = Level::from_byte(extra[0])
                    .ok_or_else(|| StreamError::Header(format!("unknown level byte {}", extra[0])))?;
                KeySource::Sealed {
                    level,
                    generation: u32::from_be_bytes(take(&extra[1..5])),
                    recipient: take(&extra[5..37]),
                    ephemeral: take(&extra[37..69]),
                }
            }
            other => return Err(StreamError::Header(format!("unknown key source {other}"))),
        };
        let mut rest = [0u8; 35];
        read_exact(src, &mut rest)?;
        raw.extend_from_slice(&rest);
        let header = Header {
            key_source,
            item: take(&rest[..16]),
            chunk_size: u32::from_be_bytes(take(&rest[16..20])),
            nonce_prefix: take(&rest[20..27]),
            plaintext_len: u64::from_be_bytes(take(&rest[27..35])),
        };
        header.validate()?;
        Ok((header, raw))
    }
}

fn take<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[..N]);
    out
}

fn read_exact(src: &mut impl Read, buf: &mut [u8]) -> Result<(), StreamError> {
    src.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => StreamError::Header("truncated header".into()),
        _ => StreamError::Read(e),
    })
}
