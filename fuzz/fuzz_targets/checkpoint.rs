//! Checkpoints as audit bundles carry them (`checkpoints/<size>.note`, docs/LEDGER.md §3.1,
//! src/ledger/checkpoint.rs): the input is a signed note, opened as `audit verify` does with
//! the station key of seed 32 × 0x01 (`strongroom/0123456789abcdef`, which signs seeds) or
//! the `sum.golang.org` key (a real checkpoint is a seed); its text goes to
//! `checkpoint::parse_body` whether or not it opens, and so does the whole input.
//!
//! Must hold: no panic; a parsed body's fields written out with `checkpoint::body` are the
//! text's first three lines byte for byte, and parse back to the same fields; a body opens
//! only if signed by the key (re-signed with the station key, it opens with it and not with
//! the key of seed 32 × 0x02). Run: `cargo fuzz run checkpoint`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use strongroom::crypto::Key32;
use strongroom::crypto::sign::SignKey;
use strongroom::ledger::checkpoint;
use strongroom::ledger::note::{self, Verifier};

const NAME: &str = "strongroom/0123456789abcdef";
const SUMDB_VKEY: &str = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

struct Keys {
    station: SignKey,
    verifiers: [Verifier; 2],
    other: Verifier,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let station = SignKey::from_seed(&Key32::from_bytes([0x01; 32]));
        let other = SignKey::from_seed(&Key32::from_bytes([0x02; 32]));
        Keys {
            verifiers: [
                Verifier::new(NAME, station.public()).expect("key name"),
                Verifier::parse(SUMDB_VKEY).expect("the sum.golang.org key"),
            ],
            other: Verifier::new(NAME, other.public()).expect("key name"),
            station,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    check_body(input);
    let Ok((text, _)) = note::parse(input) else {
        return;
    };
    check_body(text);
    let keys = keys();
    for verifier in &keys.verifiers {
        if let Ok(opened) = note::open(input, verifier) {
            assert_eq!(opened, text);
        }
    }
    if let Some((origin, size, root)) = checkpoint::parse_body(text) {
        let body = checkpoint::body(&origin, size, &root);
        let signed = note::sign(&body, NAME, &keys.station).expect("a checkpoint body can be signed");
        assert_eq!(note::open(&signed, &keys.verifiers[0]), Ok(body.as_str()));
        assert!(note::open(&signed, &keys.other).is_err());
    }
});

/// Round trip of the body parser.
fn check_body(text: &str) {
    let Some((origin, size, root)) = checkpoint::parse_body(text) else {
        return;
    };
    let body = checkpoint::body(&origin, size, &root);
    // The first three lines, each with its newline (the last may lack it in a bare text).
    assert!(
        format!("{text}\n").starts_with(&body),
        "checkpoint::body does not write back the parsed lines"
    );
    assert_eq!(checkpoint::parse_body(&body), Some((origin, size, root)));
}
