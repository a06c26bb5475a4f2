//! Audit bundles as `strongroom audit verify` reads them (docs/LEDGER.md §5.3): manifest,
//! `station.vkey`, checkpoint and key-change notes, `events.jsonl` and the proof lines. The
//! input is a whole bundle packed into one file (`=== <path>` lines, `support/bundle_layout.rs`);
//! the target writes it into a fresh directory under `$TMPDIR` with the manifest's hashes fixed
//! for the files present (as anyone editing a bundle can), and runs `bundle::verify` against
//! the input's `pins.json` section, or else a pin of the bundle's own `station.vkey`. (The
//! bundle reader has no byte-level entry point: it streams files from the directory.)
//! A note whose signature lines are all by the keys of seeds 32 × 0x01 and 0x02 (the
//! generated seed bundle's station keys) is signed again after mutation, as the holder of
//! those keys could sign anything: otherwise no mutation of a checkpoint or key change would
//! survive its signature, and the key-chain and checkpoint logic behind it would go unfuzzed.
//!
//! Must hold: no panic; a rejected bundle reports an error and leaves the pins as they were;
//! an accepted one reports no error and, without warnings, pins its latest checkpoint.
//! Run: `cargo fuzz run bundle`.
#![no_main]

#[path = "../support/bundle_layout.rs"]
mod bundle_layout;

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use strongroom::crypto::Key32;
use strongroom::crypto::sign::SignKey;
use strongroom::ledger::bundle::{self, Pins};
use strongroom::ledger::note::{self, Verifier};

struct Scratch {
    dir: PathBuf,
    keys: Vec<(SignKey, Verifier)>,
}

fn scratch() -> &'static Scratch {
    static SCRATCH: OnceLock<Scratch> = OnceLock::new();
    SCRATCH.get_or_init(|| {
        let key = |seed: u8| {
            let key = SignKey::from_seed(&Key32::from_bytes([seed; 32]));
            let verifier = Verifier::new("strongroom/0123456789abcdef", key.public()).expect("key name");
            (key, verifier)
        };
        Scratch {
            dir: std::env::temp_dir().join(format!("strongroom-fuzz-bundle-{}", std::process::id())),
            keys: vec![key(0x01), key(0x02)],
        }
    })
}

/// The note signed again by the known keys of its signature lines, in their order.
fn resign(keys: &[(SignKey, Verifier)], bytes: &[u8]) -> Option<Vec<u8>> {
    let (text, signatures) = note::parse(std::str::from_utf8(bytes).ok()?).ok()?;
    let signers = signatures
        .iter()
        .map(|s| {
            keys.iter()
                .find(|(_, v)| v.name == s.name && v.id == s.id)
                .map(|(k, _)| k)
        })
        .collect::<Option<Vec<&SignKey>>>()?;
    let name = &signatures.first()?.name;
    if signatures.iter().any(|s| s.name != *name) {
        return None;
    }
    note::sign_many(text, name, &signers).ok().map(String::into_bytes)
}

fuzz_target!(|data: &[u8]| {
    let scratch = scratch();
    let mut sections = bundle_layout::sections(data);
    for (name, bytes) in sections.iter_mut() {
        if name.ends_with(".note")
            && let Some(signed) = resign(&scratch.keys, bytes)
        {
            *bytes = signed;
        }
    }
    if bundle_layout::write(&scratch.dir, &sections).is_err() {
        return;
    }
    let mut pins: Pins = match sections.get(bundle_layout::PINS) {
        Some(bytes) => match serde_json::from_slice(bytes) {
            Ok(pins) => pins,
            Err(_) => return,
        },
        None => {
            let mut pins = Pins::default();
            if let Ok(vkey) = std::fs::read_to_string(scratch.dir.join("station.vkey")) {
                let _ = pins.trust(&vkey, false);
            }
            pins
        }
    };
    let before = pins.stations.clone();
    let report = bundle::verify(&scratch.dir, &mut pins);
    if report.ok {
        assert!(report.error.is_none());
        assert!(!report.pinned_key.is_empty());
        if report.warnings.is_empty() {
            assert!(
                pins.stations.values().any(|p| p.size == report.latest_size),
                "an accepted bundle without warnings moves its pin to the latest checkpoint"
            );
        }
    } else {
        assert!(report.error.is_some());
        assert!(report.pinned_key.is_empty());
        assert_eq!(pins.stations, before, "a rejected bundle changed the pins");
    }
});
