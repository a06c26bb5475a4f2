//! Shared fixtures of the integration tests, one copy each: a vault driven through the real
//! binary (`cli`), a vault driven through the library (`station`), what an insider does to
//! the database (`insider`), a vault made once per process and copied (`template`), signing-key changes made through the library (`signing`), the
//! one pseudo-random generator (`random`), and what a test needs from the machine
//! (`requires`: root, FUSE, tools), which reports a test it cannot run by name instead of
//! letting it pass silently.

pub mod cli;
pub mod insider;
pub mod mounts;
pub mod random;
pub mod requires;
pub mod signing;
pub mod station;
pub mod template;

pub use cli::{TestVault, code, stderr, stdout};
pub use random::{Rng, pseudo_random};

/// The officer every test vault starts with.
pub const OFFICER: &str = "alice";
/// Her password.
pub const PASSWORD: &str = "correct horse battery staple";

/// The time the library helpers record where a fixed time is needed.
pub const NOW: &str = "2026-11-23T12:00:00.000Z";

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path).expect("open for hashing");
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).expect("read for hashing");
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    hex(&hasher.finalize())
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
