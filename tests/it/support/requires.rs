//! What a test needs from the machine (root, FUSE, a program), checked at its start. A test
//! that cannot run here says so by name on the terminal (`SKIPPED <test>: <reason>`, written
//! past the harness's output capture) and returns; under `CI=true` it fails instead, because
//! CI runs as root with every tool installed (`.ci/run`), so a skip there would hide a test.
//! Only the user id is checked: root without the capability to mount fails in the mount
//! helper, loudly, rather than skipping.

use std::io::Write;
use std::path::Path;

/// Whether the tests run as root (CI does).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Root, for `why` (e.g. "mounting a tmpfs"). False (with a report) when the test must skip.
pub fn root(why: &str) -> bool {
    is_root() || skip(&format!("{why} needs root"))
}

/// Root, `/dev/fuse` and each of `programs` on the PATH.
pub fn fuse_with(why: &str, programs: &[&str]) -> bool {
    if !root(why) {
        return false;
    }
    if !Path::new("/dev/fuse").exists() {
        return skip(&format!("{why} needs /dev/fuse"));
    }
    programs.iter().all(|p| program(why, p))
}

/// `name` on the PATH.
pub fn program(why: &str, name: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
        .unwrap_or(false);
    found || skip(&format!("{why} needs `{name}` (installed by .ci/run)"))
}

/// Report the running test as skipped, or fail it under CI. Always returns false.
fn skip(reason: &str) -> bool {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{test} cannot run: {reason}; CI must run every test");
    }
    // One write of the whole line, on a line of its own (the harness may be mid-line), so it
    // is not interleaved with other tests' output and `^SKIPPED` finds it.
    let line = format!("\nSKIPPED {test}: {reason}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
    false
}
