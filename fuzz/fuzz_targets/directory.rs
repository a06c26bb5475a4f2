//! The signed directory (docs/FORMAT.md §9, src/accounts/directory.rs): the input is a body as
//! stored in `directories.body`, checked with `directory::verify`. The target signs it with the
//! admin key of seed 32 × 0x77 (the FORMAT.md §11.9 vector's, which the seeds name), so
//! mutations get past the signature to the parser and the canonical-form check; the input's
//! first 64 bytes are also tried as a signature over the rest.
//!
//! Must hold: no panic; verify accepts only with the key that signed, and only a body that
//! names that key; an accepted body is canonical (the parsed directory serializes to the body
//! byte for byte and signs to the same signature); a changed signature or another key is
//! refused. Run: `cargo fuzz run directory`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use strongroom::accounts::directory::{self, SIGNING_CONTEXT};
use strongroom::crypto::Key32;
use strongroom::crypto::sign::SignKey;

struct Keys {
    admin: SignKey,
    public: [u8; 32],
    other: [u8; 32],
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let admin = SignKey::from_seed(&Key32::from_bytes([0x77; 32]));
        Keys {
            public: admin.public(),
            other: SignKey::from_seed(&Key32::from_bytes([0x78; 32])).public(),
            admin,
        }
    })
}

fuzz_target!(|body: &[u8]| {
    let keys = keys();
    let signature = keys.admin.sign(SIGNING_CONTEXT, body);
    if let Ok(parsed) = directory::verify(body, &signature, &keys.public) {
        assert_eq!(
            parsed.body().ok().as_deref(),
            Some(body),
            "an accepted body is not canonical"
        );
        assert_eq!(parsed.admin_key_bytes().ok(), Some(keys.public));
        let signed = parsed.clone().sign(&keys.admin).expect("an accepted directory signs");
        assert_eq!(signed.signature, signature);
        assert_eq!(signed.body, body);
    }
    assert!(directory::verify(body, &signature, &keys.other).is_err());
    let mut changed = signature;
    changed[body.len() % 64] ^= 1 << (body.len() % 8);
    assert!(directory::verify(body, &changed, &keys.public).is_err());

    if body.len() >= 64 {
        let (claimed, rest) = body.split_at(64);
        if directory::verify(rest, claimed, &keys.public).is_ok() {
            assert_eq!(
                claimed,
                keys.admin.sign(SIGNING_CONTEXT, rest),
                "a forged signature verified"
            );
        }
    }
});
