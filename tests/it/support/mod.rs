//! Shared fixtures of the integration tests, one copy each: a vault driven through the real
//! binary (`cli`), a vault driven through the library (`station`), vaults made once per
//! process and copied (`template`), what an insider does to the database (`insider`),
//! signing-key changes made through the library (`signing`), small mounted file systems
//! (`mounts`), the one pseudo-random generator (`random`), file and hex helpers (`files`),
//! and what a test needs from the machine (`requires`: root, FUSE, tools), which reports a
//! test it cannot run by name instead of letting it pass silently.

pub mod accounts;
pub mod auditor;
pub mod cli;
pub mod fake_media;
pub mod files;
pub mod guard;
pub mod guard_scene;
pub mod insider;
pub mod mounts;
pub mod random;
pub mod requires;
pub mod signing;
pub mod station;
pub mod template;

pub use cli::{TestVault, code, stderr, stdout};
pub use files::{block_object_dirs, hex, sha256_file, unhex};
pub use random::{Rng, pseudo_random};

/// The repository's root (schemas, fixtures): this package lives in `tests/it`.
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Wait until `check` holds or `child` exits (at most two minutes): a process killed at a
/// moment a test chose.
pub fn wait_until(child: &mut std::process::Child, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        if child.try_wait().expect("child status").is_some() || check() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    panic!("the child neither reached the moment nor exited in 120 s");
}

/// The officer every test vault starts with.
pub const OFFICER: &str = "alice";
/// Her password.
pub const PASSWORD: &str = "correct horse battery staple";

/// The time the library helpers record where a fixed time is needed.
pub const NOW: &str = "2026-11-23T12:00:00.000Z";
