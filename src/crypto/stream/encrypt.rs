//! Writing a container: header first, then the chunks in order.

use std::io::{ErrorKind, Read, Write};

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};

use crate::Level;
use crate::crypto::seal::{self, SecretKey};
use crate::crypto::{Key32, random};
use crate::progress::Progress;

use super::pipeline::{self, HashAt, Source};
use super::{Digest, Header, KeySource, StreamError, TAG_LEN};

/// The key an object is written under.
pub enum EncryptKey<'a> {
    /// A fresh DEK the caller wraps into the database (key source 0).
    Dek(&'a Key32),
    /// Sealed to a level's sealing public key (key source 1).
    Sealed {
        /// Level of the sealing key.
        level: Level,
        /// Its generation.
        generation: u32,
        /// Its public key, taken from the verified directory.
        recipient: [u8; 32],
    },
}

/// Encrypt exactly `plaintext_len` bytes of `src` into `dst`. A source that turns out shorter
/// or longer is refused (it changed while being read). Returns the plaintext's SHA-256.
pub fn encrypt<R: Read + Send, W: Write + Send>(
    src: R,
    dst: W,
    key: EncryptKey<'_>,
    item: [u8; 16],
    chunk_size: u32,
    plaintext_len: u64,
    progress: &Progress,
) -> Result<Digest, StreamError> {
    let ephemeral = match key {
        EncryptKey::Sealed { .. } => Some(SecretKey::random()?),
        EncryptKey::Dek(_) => None,
    };
    encrypt_with(
        src,
        dst,
        key,
        item,
        chunk_size,
        plaintext_len,
        random::array::<7>()?,
        ephemeral,
        progress,
    )
}

/// [`encrypt`] with the nonce prefix and ephemeral key chosen by the caller: for the test
/// vectors in docs/FORMAT.md only. Real objects always use fresh random values.
#[allow(clippy::too_many_arguments)]
#[doc(hidden)]
pub fn encrypt_with<R: Read + Send, W: Write + Send>(
    src: R,
    mut dst: W,
    key: EncryptKey<'_>,
    item: [u8; 16],
    chunk_size: u32,
    plaintext_len: u64,
    nonce_prefix: [u8; 7],
    ephemeral: Option<SecretKey>,
    progress: &Progress,
) -> Result<Digest, StreamError> {
    let (key_source, content_key) = match key {
        EncryptKey::Dek(dek) => (KeySource::Wrapped, dek.clone()),
        EncryptKey::Sealed {
            level,
            generation,
            recipient,
        } => {
            let eph = match ephemeral {
                Some(eph) => eph,
                None => SecretKey::random()?,
            };
            let (ephemeral, key) = seal::to_recipient_with(eph, &recipient, seal::SEAL_INFO)?;
            (
                KeySource::Sealed {
                    level,
                    generation,
                    recipient,
                    ephemeral,
                },
                key,
            )
        }
    };
    let header = Header {
        key_source,
        item,
        chunk_size,
        nonce_prefix,
        plaintext_len,
    };
    header.validate()?;
    let aad = header.encode();
    dst.write_all(&aad).map_err(StreamError::Write)?;

    let cipher = Aes256Gcm::new(content_key.expose().into());
    let count = header.chunk_count();
    let transform = |index: u64, buf: &mut Vec<u8>| -> Result<(), StreamError> {
        let nonce = chunk_nonce(&nonce_prefix, index, index + 1 == count);
        let tag = cipher
            .encrypt_inout_detached(&nonce, &aad, buf.as_mut_slice().into())
            .map_err(|_| StreamError::Chunk(index))?;
        buf.extend_from_slice(&tag);
        Ok(())
    };
    let source = PlainSource { src, header: &header };
    let write = |buf: &[u8]| {
        dst.write_all(buf).map_err(StreamError::Write)?;
        progress.advance((buf.len() - TAG_LEN) as u64);
        Ok(())
    };
    let digest = pipeline::run(
        count,
        chunk_size as usize + TAG_LEN,
        header.chunk_plain_len(0) + TAG_LEN,
        source,
        HashAt::Input,
        &transform,
        write,
        progress,
    )?;
    Ok(digest)
}

/// The nonce of chunk `index`: prefix ‖ u32_be(index) ‖ last flag.
pub(super) fn chunk_nonce(prefix: &[u8; 7], index: u64, last: bool) -> aes_gcm::aead::Nonce<Aes256Gcm> {
    let mut nonce = [0u8; 12];
    nonce[..7].copy_from_slice(prefix);
    nonce[7..11].copy_from_slice(&(index as u32).to_be_bytes());
    nonce[11] = u8::from(last);
    Nonce::from(nonce)
}

struct PlainSource<'h, R> {
    src: R,
    header: &'h Header,
}

impl<R: Read + Send> Source for PlainSource<'_, R> {
    fn chunk(&mut self, index: u64, buf: &mut Vec<u8>) -> Result<(), StreamError> {
        let want = self.header.chunk_plain_len(index);
        buf.resize(want, 0);
        let got = read_full(&mut self.src, buf).map_err(StreamError::Read)?;
        if got < want {
            return Err(StreamError::SourceChanged {
                expected: self.header.plaintext_len,
            });
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), StreamError> {
        let mut probe = [0u8; 1];
        match read_full(&mut self.src, &mut probe).map_err(StreamError::Read)? {
            0 => Ok(()),
            _ => Err(StreamError::SourceChanged {
                expected: self.header.plaintext_len,
            }),
        }
    }
}

/// Read until `buf` is full or the source ends; returns the bytes read.
pub(super) fn read_full(src: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match src.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
