//! C2SP signed notes and verifier keys (src/ledger/note.rs, docs/LEDGER.md §3.1), the
//! envelope of every checkpoint and key-change note and the text of `station.vkey`: the input
//! goes to `note::parse`, to `note::open` with two known keys (the Go note package's
//! `PeterNeumann` and the key of seed 32 × 0x01, which sign seeds), and to `Verifier::parse`.
//!
//! Must hold: no panic; a parsed note written out again is the input byte for byte (one
//! encoding per note); `open` succeeds exactly when a signature line of the key verifies;
//! the parsed text signed again opens with the signing key and not with another key; a parsed
//! verifier key is written back as read (the key id in lower case). Run: `cargo fuzz run signed_note`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use strongroom::crypto::Key32;
use strongroom::crypto::sign::SignKey;
use strongroom::encoding::base64;
use strongroom::ledger::note::{self, Verifier};

/// The Go note package's published example key (tests/it/ledger_vectors.rs).
const PETER_SEED: [u8; 32] = [
    0x81, 0x0a, 0x14, 0x02, 0xd5, 0x14, 0x6c, 0x8d, 0x84, 0xf2, 0x44, 0x33, 0x30, 0xf5, 0x40, 0x80, 0xeb, 0xf9, 0x8e,
    0xe1, 0x7d, 0x9c, 0x74, 0xf6, 0x25, 0x2f, 0xc5, 0xd5, 0xc7, 0x28, 0x31, 0x73,
];

struct Keys {
    signers: Vec<(SignKey, Verifier)>,
    other: Verifier,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let key = |seed: [u8; 32], name: &str| {
            let key = SignKey::from_seed(&Key32::from_bytes(seed));
            let verifier = Verifier::new(name, key.public()).expect("a valid key name");
            (key, verifier)
        };
        Keys {
            signers: vec![
                key(PETER_SEED, "PeterNeumann"),
                key([0x01; 32], "strongroom/0123456789abcdef"),
            ],
            other: key([0x02; 32], "strongroom/0123456789abcdef").1,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_verifier_key(text);
    let keys = keys();
    let parsed = note::parse(text);
    for (_, verifier) in &keys.signers {
        let opened = note::open(text, verifier);
        match &parsed {
            Ok((body, signatures)) => {
                let verifies = signatures.iter().any(|s| s.verifies(body, verifier));
                assert_eq!(opened.is_ok(), verifies);
                if let Ok(opened) = opened {
                    assert_eq!(opened, *body);
                }
            }
            Err(e) => assert_eq!(opened.err().as_ref(), Some(e)),
        }
    }
    let Ok((body, signatures)) = parsed else {
        return;
    };

    // One encoding per note: the parts written out again are the input.
    let mut again = format!("{body}\n");
    for s in &signatures {
        let mut blob = s.id.to_vec();
        blob.extend_from_slice(&s.signature);
        again.push_str(&format!("\u{2014} {} {}\n", s.name, base64::encode(&blob)));
    }
    assert_eq!(again, text, "a parsed note does not write back to its input");

    // Signing the parsed text again: opens with the signer, not with another key.
    let (key, verifier) = &keys.signers[1];
    let signed = note::sign(body, &verifier.name, key).expect("a parsed text can be signed");
    assert_eq!(note::open(&signed, verifier), Ok(body));
    assert!(note::open(&signed, &keys.other).is_err());
    assert_eq!(note::parse(&signed).map(|(t, s)| (t, s.len())), Ok((body, 1)));
});

/// `station.vkey` and the keys inside key-change notes: what parses writes back as read.
fn check_verifier_key(text: &str) {
    let Ok(verifier) = Verifier::parse(text) else {
        return;
    };
    let mut parts = text.trim().splitn(3, '+');
    let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        panic!("a parsed verifier key has three parts");
    };
    assert_eq!(verifier.encode(), format!("{name}+{}+{key}", id.to_ascii_lowercase()));
    assert_eq!(Verifier::parse(&verifier.encode()), Ok(verifier));
}
