//! Why a container could not be written or read.

use std::io;

use crate::crypto::CryptoError;

/// A container failure. Callers attach the item and path.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The header is not a valid version-1 header.
    #[error("bad container header: {0}")]
    Header(String),
    /// A chunk failed authentication (changed, moved or from another object).
    #[error("chunk {0} failed authentication")]
    Chunk(u64),
    /// The file ends before the header says it should.
    #[error("truncated: chunk {0} is missing or short")]
    Truncated(u64),
    /// Bytes follow the last chunk.
    #[error("unexpected bytes after the last chunk ({0})")]
    Trailing(u64),
    /// The source's length differs from what was declared (it changed while being read).
    #[error("the source changed while it was read (expected {expected} bytes)")]
    SourceChanged {
        /// Bytes declared at the start.
        expected: u64,
    },
    /// Reading the source failed.
    #[error("read failed: {0}")]
    Read(#[source] io::Error),
    /// Writing the destination failed.
    #[error("write failed: {0}")]
    Write(#[source] io::Error),
    /// The caller cancelled.
    #[error("cancelled")]
    Cancelled,
    /// Key agreement or key handling failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}
