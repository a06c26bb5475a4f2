//! Verifier pin files (`pins.json`, docs/LEDGER.md §5.2, src/ledger/bundle/pins.rs): the input
//! is written to a pin file under `$TMPDIR` and read with `Pins::load`; what loads is saved with
//! `Pins::save` and loaded again, `trust`ed with the old key of the bundle below, and used to
//! verify a fixed audit bundle that crosses a station key change (`seeds/bundle/key-change`,
//! keys of seeds 32 × 0x01 and 32 × 0x02), so the pinned key, epoch, checkpoint and accepted
//! key changes of the input are all read.
//!
//! Must hold: no panic; load(save(pins)) == pins; `trust(key)` succeeds only by pinning that
//! key; a rejected bundle leaves the pins as they were. Run: `cargo fuzz run pins`.
#![no_main]

#[path = "../support/bundle_layout.rs"]
mod bundle_layout;

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use strongroom::ledger::bundle::{self, Pins};
use strongroom::ledger::note::Verifier;

/// The bundle every input's pins verify (written once per process).
const BUNDLE: &[u8] = include_bytes!("../seeds/bundle/key-change");

struct Scratch {
    pins: PathBuf,
    bundle: PathBuf,
    old_key: String,
}

fn scratch() -> &'static Scratch {
    static DIR: OnceLock<Scratch> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("strongroom-fuzz-pins-{}", std::process::id()));
        let bundle = root.join("bundle");
        bundle_layout::write(&bundle, &bundle_layout::sections(BUNDLE)).expect("write the fixed bundle");
        let old_key = std::fs::read_to_string(bundle.join("key-changes/00000001.note"))
            .ok()
            .and_then(|note| note.lines().nth(2).map(str::to_string))
            .expect("the fixed bundle's key-change note");
        Scratch {
            pins: root.join("pins.json"),
            bundle,
            old_key,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let scratch = scratch();
    if std::fs::write(&scratch.pins, data).is_err() {
        return;
    }
    let Ok(mut pins) = Pins::load(&scratch.pins) else {
        return;
    };
    if pins.save().is_ok() {
        let again = Pins::load(&scratch.pins).expect("a saved pin file loads");
        assert_eq!(again.stations, pins.stations, "load(save(pins)) != pins");
    }

    let mut trusting = pins.clone();
    if trusting.trust(&scratch.old_key, false).is_ok() {
        let key = Verifier::parse(&scratch.old_key).expect("the fixed key parses");
        assert_eq!(trusting.stations[&key.name].verifier_key, key.encode());
    }

    let before = pins.stations.clone();
    let report = bundle::verify(&scratch.bundle, &mut pins);
    if report.ok {
        assert!(report.error.is_none());
    } else {
        assert!(report.error.is_some());
        assert_eq!(pins.stations, before, "a rejected bundle changed the pins");
    }
});
