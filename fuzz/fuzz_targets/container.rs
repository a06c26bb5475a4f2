//! Untrusted object bytes: header parsing and chunk decryption must refuse or succeed, never
//! panic, and never allocate beyond the pipeline's bound. Run: `cargo fuzz run container`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strongroom::crypto::Key32;
use strongroom::crypto::stream::{DecryptKey, Header, decrypt};
use strongroom::progress::Progress;

fuzz_target!(|data: &[u8]| {
    let mut reader = data;
    if let Ok((header, raw)) = Header::read(&mut reader) {
        // The DEK of the FORMAT.md §11.2 vectors, so the seeds decrypt and mutations go deep.
        let key = Key32::from_bytes([0x11; 32]);
        let _ = decrypt(
            reader,
            &header,
            &raw,
            DecryptKey::Dek(&key),
            std::io::sink(),
            &Progress::new(),
        );
    }
});
