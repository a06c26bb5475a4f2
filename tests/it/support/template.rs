//! Vaults made once per test process and copied for each test that needs a fresh one. An
//! `init` costs two Argon2id derivations at the floor (the officer's slot and the recovery
//! slot) and each added user one more; a copy costs none, and most tests start from a new
//! vault. Copies of one template share the station id, keys and recovery code: a test that
//! needs a second, different station makes its own (`TestVault::fresh`). Templates are
//! removed when the test process exits.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// A template vault and its recovery code.
struct Template {
    root: PathBuf,
    recovery_code: String,
}

/// Where the templates live: one temporary directory per process.
static DIR: OnceLock<PathBuf> = OnceLock::new();
/// One template, made by the first test that asks for it.
type Slot = Arc<OnceLock<Template>>;
/// The templates made so far, by name.
static MADE: Mutex<Option<HashMap<&'static str, Slot>>> = Mutex::new(None);

/// Remove the templates' directory (registered with `atexit`).
extern "C" fn remove_templates() {
    if let Some(dir) = DIR.get() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn dir() -> &'static Path {
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("template dir").keep();
        // SAFETY: registers a plain function with no arguments; it runs once at exit.
        unsafe { libc::atexit(remove_templates) };
        dir
    })
}

/// Copy the template `name` to `to` (which must not exist), making it first with `make` if
/// this process has not: `make` creates a vault at the path it is given and returns the
/// recovery code. Returns the recovery code.
pub fn copy(name: &'static str, to: &Path, make: impl FnOnce(&Path) -> String) -> String {
    let cell = {
        let mut made = MADE.lock().unwrap_or_else(|p| p.into_inner());
        made.get_or_insert_with(HashMap::new).entry(name).or_default().clone()
    };
    let template = cell.get_or_init(|| {
        let root = dir().join(name);
        // What a panicking `make` left behind, so the next test fails with its own error.
        let _ = std::fs::remove_dir_all(&root);
        let recovery_code = make(&root);
        Template { root, recovery_code }
    });
    super::files::copy_private(&template.root, to);
    template.recovery_code.clone()
}
