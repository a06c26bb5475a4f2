//! What the guard's app tests share: enabling the guard on a fixture's vault, and the root
//! the guard's state needs.

use strongroom::crypto::Password;

use super::{ALICE_PW, Fixture};

/// Enable the guard on the fixture's vault (alice, through the library): its state goes in
/// the fixture's own guard directory.
pub(super) fn enable_guard(fx: &Fixture) {
    let mut station = strongroom::Station::open_with(
        &fx.root,
        strongroom::station::OpenOptions {
            guard_dir: fx.guard_dir(),
            ..strongroom::station::OpenOptions::with_clock(fx.clock.clone())
        },
    )
    .unwrap();
    station.unlock("alice", &Password::from(ALICE_PW)).unwrap();
    station.guard_enable(Vec::new()).unwrap();
}

/// Root, which the guard's state needs; under CI a test that cannot run fails.
pub(super) fn root_or_skip(test: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return true;
    }
    assert!(
        std::env::var("CI").is_err(),
        "{test} needs root; CI must run every test"
    );
    eprintln!("\nSKIPPED {test}: the guard's state belongs to root");
    false
}
