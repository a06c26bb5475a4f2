//! Round trips over chunk boundaries and every tamper class, at the container layer.
//! Test-only: the parent module declares it under #[cfg(test)].

use std::io::{self, Cursor, Write};

use proptest::prelude::*;
use sha2::{Digest as _, Sha256};

use super::*;
use crate::Level;
use crate::crypto::Key32;
use crate::crypto::seal::SecretKey;
use crate::progress::Progress;

const CS: u32 = MIN_CHUNK;

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn seal_dek(plain: &[u8], key: &Key32, cs: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let digest = encrypt(
        Cursor::new(plain),
        &mut out,
        EncryptKey::Dek(key),
        [5; 16],
        cs,
        plain.len() as u64,
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(plain)));
    out
}

fn open_dek(object: &[u8], key: &Key32) -> Result<Vec<u8>, StreamError> {
    let mut src = Cursor::new(object);
    let (header, raw) = Header::read(&mut src)?;
    let mut out = Vec::new();
    let digest = decrypt(src, &header, &raw, DecryptKey::Dek(key), &mut out, &Progress::new())?;
    assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(&out)));
    Ok(out)
}

#[test]
fn round_trips_at_chunk_boundaries() {
    let key = Key32::from_bytes([1; 32]);
    let cs = CS as usize;
    for len in [0, 1, cs - 1, cs, cs + 1, 3 * cs, 5 * cs + 17] {
        let plain = data(len);
        let object = seal_dek(&plain, &key, CS);
        let header_len = 44;
        let chunks = (len.div_ceil(cs)).max(1);
        assert_eq!(object.len(), header_len + len + chunks * TAG_LEN, "length {len}");
        assert_eq!(object.len() as u64, Header::wrapped_object_len(len as u64, CS));
        assert_eq!(open_dek(&object, &key).unwrap(), plain, "length {len}");
    }
}

#[test]
fn each_encryption_is_fresh() {
    let key = Key32::from_bytes([1; 32]);
    assert_ne!(seal_dek(b"same", &key, CS), seal_dek(b"same", &key, CS));
}

#[test]
fn sealed_objects_open_with_the_sealing_secret_only() {
    let sealing = SecretKey::random().unwrap();
    let plain = data(3 * CS as usize + 5);
    let mut out = Vec::new();
    let key = EncryptKey::Sealed {
        level: Level::Secret,
        generation: 2,
        recipient: sealing.public(),
    };
    encrypt(
        Cursor::new(&plain),
        &mut out,
        key,
        [9; 16],
        CS,
        plain.len() as u64,
        &Progress::new(),
    )
    .unwrap();
    let mut src = Cursor::new(&out[..]);
    let (header, raw) = Header::read(&mut src).unwrap();
    assert_eq!(raw.len(), 113);
    assert!(matches!(
        header.key_source,
        KeySource::Sealed {
            level: Level::Secret,
            generation: 2,
            ..
        }
    ));
    let mut back = Vec::new();
    decrypt(
        src.clone(),
        &header,
        &raw,
        DecryptKey::Sealing(&sealing),
        &mut back,
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(back, plain);
    let other = SecretKey::random().unwrap();
    assert!(
        decrypt(
            src.clone(),
            &header,
            &raw,
            DecryptKey::Sealing(&other),
            Vec::new(),
            &Progress::new()
        )
        .is_err()
    );
    let dek = Key32::from_bytes([1; 32]);
    assert!(matches!(
        decrypt(src, &header, &raw, DecryptKey::Dek(&dek), Vec::new(), &Progress::new()),
        Err(StreamError::Header(_))
    ));
}

fn chunk_offset(index: usize) -> usize {
    44 + index * (CS as usize + TAG_LEN)
}

#[test]
fn tampering_is_detected_and_names_the_chunk() {
    let key = Key32::from_bytes([2; 32]);
    let plain = data(4 * CS as usize + 100);
    let object = seal_dek(&plain, &key, CS);

    let mut flipped = object.clone();
    flipped[chunk_offset(2) + 10] ^= 0x01;
    assert!(matches!(open_dek(&flipped, &key), Err(StreamError::Chunk(2))));

    let mut swapped = object.clone();
    let a = chunk_offset(1)..chunk_offset(2);
    let b = chunk_offset(2)..chunk_offset(3);
    let chunk1 = object[a.clone()].to_vec();
    swapped[a].copy_from_slice(&object[b.clone()]);
    swapped[b].copy_from_slice(&chunk1);
    assert!(matches!(open_dek(&swapped, &key), Err(StreamError::Chunk(1))));

    // Truncation at a chunk boundary (drop the last chunk) and inside a chunk.
    assert!(matches!(
        open_dek(&object[..chunk_offset(4)], &key),
        Err(StreamError::Truncated(4))
    ));
    assert!(matches!(
        open_dek(&object[..chunk_offset(3) + 7], &key),
        Err(StreamError::Truncated(3))
    ));

    let mut extended = object.clone();
    extended.extend_from_slice(b"extra");
    assert!(matches!(open_dek(&extended, &key), Err(StreamError::Trailing(5))));

    // Header edits: plaintext length, item id, magic, version.
    let mut len_edit = object.clone();
    len_edit[43] ^= 0x01;
    assert!(open_dek(&len_edit, &key).is_err());
    let mut item_edit = object.clone();
    item_edit[9] ^= 0x01;
    assert!(matches!(open_dek(&item_edit, &key), Err(StreamError::Chunk(0))));
    let mut magic = object.clone();
    magic[0] = b'X';
    assert!(matches!(open_dek(&magic, &key), Err(StreamError::Header(_))));
    let mut version = object.clone();
    version[7] = 2;
    assert!(matches!(open_dek(&version, &key), Err(StreamError::Header(_))));

    // A wrong key fails at the first chunk.
    assert!(matches!(
        open_dek(&object, &Key32::from_bytes([3; 32])),
        Err(StreamError::Chunk(0))
    ));
}

#[test]
fn the_last_chunk_cannot_be_dropped_to_fake_a_shorter_file() {
    // Rewrite the header to claim 4 full chunks and drop the real last one: the old
    // chunk 3 was not sealed as last, so it fails.
    let key = Key32::from_bytes([2; 32]);
    let plain = data(4 * CS as usize + 100);
    let object = seal_dek(&plain, &key, CS);
    let mut forged = object[..chunk_offset(4)].to_vec();
    forged[36..44].copy_from_slice(&(4 * u64::from(CS)).to_be_bytes());
    assert!(open_dek(&forged, &key).is_err());
}

#[test]
fn chunk_size_and_length_limits_are_enforced() {
    let key = Key32::from_bytes([2; 32]);
    let mut out = Vec::new();
    for bad in [MIN_CHUNK - 1, MAX_CHUNK + 1] {
        assert!(matches!(
            encrypt(
                Cursor::new(b""),
                &mut out,
                EncryptKey::Dek(&key),
                [0; 16],
                bad,
                0,
                &Progress::new()
            ),
            Err(StreamError::Header(_))
        ));
    }
    let too_long = u64::from(MIN_CHUNK) * ((1u64 << 32) + 1);
    assert!(matches!(
        encrypt(
            Cursor::new(b""),
            &mut out,
            EncryptKey::Dek(&key),
            [0; 16],
            MIN_CHUNK,
            too_long,
            &Progress::new()
        ),
        Err(StreamError::Header(_))
    ));
}

#[test]
fn a_source_that_changes_length_is_refused() {
    let key = Key32::from_bytes([2; 32]);
    let plain = data(1000);
    for declared in [999u64, 1001] {
        let result = encrypt(
            Cursor::new(&plain),
            Vec::new(),
            EncryptKey::Dek(&key),
            [0; 16],
            CS,
            declared,
            &Progress::new(),
        );
        assert!(
            matches!(result, Err(StreamError::SourceChanged { .. })),
            "declared {declared}"
        );
    }
}

/// A writer that fails like a full disk after `room` bytes.
struct FullDisk {
    room: usize,
}

impl Write for FullDisk {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() > self.room {
            return Err(io::Error::from_raw_os_error(libc::ENOSPC));
        }
        self.room -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn disk_full_is_reported_as_a_write_error() {
    let key = Key32::from_bytes([2; 32]);
    let plain = data(10 * CS as usize);
    let result = encrypt(
        Cursor::new(&plain),
        FullDisk { room: 3 * CS as usize },
        EncryptKey::Dek(&key),
        [0; 16],
        CS,
        plain.len() as u64,
        &Progress::new(),
    );
    assert!(matches!(result, Err(StreamError::Write(e)) if e.raw_os_error() == Some(libc::ENOSPC)));
    let object = seal_dek(&plain, &key, CS);
    let mut src = Cursor::new(&object[..]);
    let (header, raw) = Header::read(&mut src).unwrap();
    let result = decrypt(
        src,
        &header,
        &raw,
        DecryptKey::Dek(&key),
        FullDisk { room: CS as usize },
        &Progress::new(),
    );
    assert!(matches!(result, Err(StreamError::Write(_))));
}

#[test]
fn cancel_stops_the_stream() {
    let key = Key32::from_bytes([2; 32]);
    let plain = data(4 * CS as usize);
    let progress = Progress::new();
    progress.cancel();
    let result = encrypt(
        Cursor::new(&plain),
        Vec::new(),
        EncryptKey::Dek(&key),
        [0; 16],
        CS,
        plain.len() as u64,
        &progress,
    );
    assert!(matches!(result, Err(StreamError::Cancelled)));
}

#[test]
fn a_one_chunk_object_is_cancelled_too_and_a_one_chunk_round_trip_holds() {
    // One chunk runs without the pipeline's threads: the same checks apply.
    let key = Key32::from_bytes([3; 32]);
    let plain = data(5000);
    let progress = Progress::new();
    progress.cancel();
    let result = encrypt(
        Cursor::new(&plain),
        Vec::new(),
        EncryptKey::Dek(&key),
        [0; 16],
        CS,
        plain.len() as u64,
        &progress,
    );
    assert!(matches!(result, Err(StreamError::Cancelled)));
    let object = seal_dek(&plain, &key, CS);
    assert_eq!(open_dek(&object, &key).unwrap(), plain);
    let empty = seal_dek(&[], &key, CS);
    assert_eq!(open_dek(&empty, &key).unwrap(), Vec::<u8>::new());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn random_sizes_and_chunk_sizes_round_trip(len in 0usize..400_000, cs_kib in 64u32..200, seed in any::<u8>()) {
        let key = Key32::from_bytes([seed; 32]);
        let plain: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(seed)).collect();
        let object = seal_dek(&plain, &key, cs_kib * 1024);
        prop_assert_eq!(open_dek(&object, &key).unwrap(), plain);
    }
}
