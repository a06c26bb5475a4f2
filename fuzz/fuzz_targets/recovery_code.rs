//! Typed recovery codes: normalization must refuse or succeed, never panic.
//! Run: `cargo fuzz run recovery_code`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strongroom::crypto::{Password, recovery_code};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = recovery_code::normalize(&Password::from(text));
    }
});
