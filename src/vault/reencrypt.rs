//! Re-encrypting an object under a fresh DEK (raising an item's level): the old object is
//! decrypted on one thread into a pipe and encrypted from it on another into a new file, so
//! the plaintext never lands on disk and memory stays bounded by the two streams' chunks in
//! flight. Nothing is named in `objects/` here; the caller renames the new file in.

use std::fs::OpenOptions;
use std::io::PipeWriter;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::crypto::Key32;
use crate::crypto::stream::{self, EncryptKey, StreamError};
use crate::progress::Progress;
use crate::{Error, ItemId, Result};

/// Write a new object at `out` (created, 0600, data synced) holding the plaintext that
/// `decrypt` writes into the pipe it is given, encrypted under `dek`. Returns the
/// plaintext's SHA-256 as the encrypting side saw it. On any failure `out` is removed.
pub fn reencrypt(
    out: &Path,
    dek: &Key32,
    item: ItemId,
    chunk_size: u32,
    size: u64,
    progress: &Progress,
    decrypt: impl FnOnce(PipeWriter) -> Result<()> + Send,
) -> Result<[u8; 32]> {
    let result = reencrypt_inner(out, dek, item, chunk_size, size, progress, decrypt);
    if result.is_err() {
        let _ = std::fs::remove_file(out);
    }
    result
}

fn reencrypt_inner(
    out: &Path,
    dek: &Key32,
    item: ItemId,
    chunk_size: u32,
    size: u64,
    progress: &Progress,
    decrypt: impl FnOnce(PipeWriter) -> Result<()> + Send,
) -> Result<[u8; 32]> {
    crate::vault::layout::check_free_space(out, stream::Header::wrapped_object_len(size, chunk_size))?;
    let output = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .map_err(|e| Error::io(out, e))?;
    let (reader, writer) = std::io::pipe().map_err(|e| Error::io(out, e))?;
    let (encrypted, decrypted) = std::thread::scope(|scope| {
        let decrypting = scope.spawn(move || decrypt(writer));
        let encrypted = stream::encrypt(
            &reader,
            &output,
            EncryptKey::Dek(dek),
            *item.as_bytes(),
            chunk_size,
            size,
            progress,
        );
        // The decrypting side may be blocked writing: closing the pipe's end ends it.
        drop(reader);
        let decrypted = decrypting
            .join()
            .unwrap_or_else(|_| Err(Error::integrity("re-encryption", "the decrypting thread panicked")));
        (encrypted, decrypted)
    });
    // The decrypting side's error says what was wrong with the old object; it comes first.
    decrypted?;
    let digest = encrypted.map_err(|e| match e {
        StreamError::Write(io) => Error::io(out, io),
        StreamError::Cancelled => Error::Cancelled,
        other => Error::integrity(format!("item {item}"), format!("re-encryption failed: {other}")),
    })?;
    output.sync_data().map_err(|e| Error::io(out, e))?;
    Ok(digest)
}
