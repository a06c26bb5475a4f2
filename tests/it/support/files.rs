//! Small file and byte helpers every test module shares: a private copy of a directory tree,
//! SHA-256 of a file, and hex both ways.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Copy the tree `from` to `to` (created) with private modes: directories 0700, files 0600,
/// as a vault keeps them (git does not keep modes, and a vault refuses loose ones).
pub fn copy_private(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a copied directory");
    std::fs::set_permissions(to, PermissionsExt::from_mode(0o700)).expect("directory mode");
    for entry in std::fs::read_dir(from).expect("read a directory to copy") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_private(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
            std::fs::set_permissions(&target, PermissionsExt::from_mode(0o600)).expect("file mode");
        }
    }
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> String {
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

/// Bytes of an even-length hex string (test vectors; panics on anything else).
pub fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// Plain files standing where a vault's 256 fan-out directories (`objects/00` … `objects/ff`)
/// would be made, so that moving a new object into place fails after its pending row is
/// written: a failure on the vault's side in the middle of an import. Only fan-out names not
/// already taken are blocked; `remove` takes the blockers away.
pub struct ObjectDirBlockers(Vec<std::path::PathBuf>);

/// Block every free fan-out directory name under `objects`.
pub fn block_object_dirs(objects: &Path) -> ObjectDirBlockers {
    let blockers: Vec<_> = (0..=255u8)
        .map(|b| objects.join(format!("{b:02x}")))
        .filter(|path| !path.exists())
        .collect();
    for path in &blockers {
        std::fs::write(path, b"not a directory").expect("write a blocker");
    }
    ObjectDirBlockers(blockers)
}

impl ObjectDirBlockers {
    /// Take the blockers away.
    pub fn remove(self) {
        for path in &self.0 {
            std::fs::remove_file(path).expect("remove a blocker");
        }
    }
}
