//! Reading a container: every chunk authenticated, count and length checked against the
//! header, trailing bytes refused. Plaintext goes only to the caller's writer, which must
//! not publish it before this returns Ok and the digest matches the record.

use std::io::{Read, Write};

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Tag};

use crate::crypto::seal::{self, SecretKey};
use crate::crypto::{CryptoError, Key32};
use crate::progress::Progress;

use super::encrypt::{chunk_nonce, read_full};
use super::pipeline::{self, HashAt, Source};
use super::{Digest, Header, KeySource, StreamError, TAG_LEN};

/// The key to open an object with.
pub enum DecryptKey<'a> {
    /// The object's DEK (key source 0).
    Dek(&'a Key32),
    /// The sealing private key its header names (key source 1).
    Sealing(&'a SecretKey),
}

/// Decrypt the chunks that follow a header already read from `src`. Returns the SHA-256 of
/// the plaintext written to `dst`.
pub fn decrypt<R: Read + Send, W: Write + Send>(
    src: R,
    header: &Header,
    header_bytes: &[u8],
    key: DecryptKey<'_>,
    mut dst: W,
    progress: &Progress,
) -> Result<Digest, StreamError> {
    let content_key = match (&header.key_source, key) {
        (KeySource::Wrapped, DecryptKey::Dek(dek)) => dek.clone(),
        (
            KeySource::Sealed {
                recipient, ephemeral, ..
            },
            DecryptKey::Sealing(secret),
        ) => {
            if secret.public() != *recipient {
                return Err(StreamError::Crypto(CryptoError::Malformed(
                    "sealing key (object sealed to another key)",
                )));
            }
            seal::from_sender(secret, ephemeral, seal::SEAL_INFO)?
        }
        _ => return Err(StreamError::Header("key source does not match the key given".into())),
    };
    let cipher = Aes256Gcm::new(content_key.expose().into());
    let count = header.chunk_count();
    let transform = |index: u64, buf: &mut Vec<u8>| -> Result<(), StreamError> {
        let body_len = buf.len() - TAG_LEN;
        let tag = Tag::try_from(&buf[body_len..]).map_err(|_| StreamError::Chunk(index))?;
        let nonce = chunk_nonce(&header.nonce_prefix, index, index + 1 == count);
        cipher
            .decrypt_inout_detached(&nonce, header_bytes, (&mut buf[..body_len]).into(), &tag)
            .map_err(|_| StreamError::Chunk(index))?;
        buf.truncate(body_len);
        Ok(())
    };
    let write = |buf: &[u8]| {
        dst.write_all(buf).map_err(StreamError::Write)?;
        progress.advance(buf.len() as u64);
        Ok(())
    };
    pipeline::run(
        count,
        header.chunk_size as usize + TAG_LEN,
        header.chunk_plain_len(0) + TAG_LEN,
        CipherSource { src, header },
        HashAt::Output,
        &transform,
        write,
        progress,
    )
}

struct CipherSource<'h, R> {
    src: R,
    header: &'h Header,
}

impl<R: Read + Send> Source for CipherSource<'_, R> {
    fn chunk(&mut self, index: u64, buf: &mut Vec<u8>) -> Result<(), StreamError> {
        let want = self.header.chunk_plain_len(index) + TAG_LEN;
        buf.resize(want, 0);
        if read_full(&mut self.src, buf).map_err(StreamError::Read)? < want {
            return Err(StreamError::Truncated(index));
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), StreamError> {
        let mut probe = [0u8; 1];
        match read_full(&mut self.src, &mut probe).map_err(StreamError::Read)? {
            0 => Ok(()),
            _ => Err(StreamError::Trailing(self.header.chunk_count())),
        }
    }
}
