//! Key-change notes from audit bundles (`key-changes/*.note`): parsing and checking both
//! signatures must refuse or succeed, never panic. Run: `cargo fuzz run key_change_note`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strongroom::ledger::key_change_note;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(change) = key_change_note::parse(text) {
            // Whatever parses states its text exactly.
            assert!(text.starts_with(&change.text()));
        }
    }
});
