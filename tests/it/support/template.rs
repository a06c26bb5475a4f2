//! One vault `init`ed per test process and copied for each test that needs a fresh one: an
//! `init` costs two Argon2id derivations at the floor (the officer's slot and the recovery
//! slot), a copy costs none, and a few dozen tests start from a new vault. Copies share the
//! station id, keys and recovery code; a test that needs a second, different station uses
//! `TestVault::fresh`. The template is removed when the test process exits.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::cli::TestVault;

/// The template vault and its recovery code.
struct Template {
    root: PathBuf,
    recovery_code: String,
}

static TEMPLATE: OnceLock<Template> = OnceLock::new();

/// Remove the template's directory (registered with `atexit`).
extern "C" fn remove_template() {
    if let Some(template) = TEMPLATE.get()
        && let Some(dir) = template.root.parent()
    {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The template, made by the first caller.
fn template() -> &'static Template {
    TEMPLATE.get_or_init(|| {
        let made = TestVault::fresh();
        // Kept past the TempDir: removed at exit instead.
        let dir = made.dir.keep();
        // SAFETY: registers a plain function with no arguments; it runs once at exit.
        unsafe { libc::atexit(remove_template) };
        Template {
            root: dir.join("vault"),
            recovery_code: made.recovery_code,
        }
    })
}

/// Copy the template vault to `to` (which must not exist); returns its recovery code.
pub fn copy_to(to: &Path) -> String {
    let template = template();
    copy_tree(&template.root, to);
    template.recovery_code.clone()
}

/// Copy a directory tree with its permission bits (0700 directories, 0600 files).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir(to).expect("copy a vault directory");
    let mode = std::fs::metadata(from).expect("template directory").permissions();
    for entry in std::fs::read_dir(from).expect("read template") {
        let entry = entry.expect("template entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a vault file");
        }
    }
    std::fs::set_permissions(to, mode).expect("directory mode");
}
