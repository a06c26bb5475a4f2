//! The guard's root-owned state: what `strongroom guard enable` (an officer, run as root)
//! tells the guard to trust, and the highest directory version the guard has verified since.
//!
//! Two files per station in the guard directory (`/var/lib/strongroom/guard` unless
//! `STRONGROOM_GUARD_DIR` says otherwise):
//! - `<station>.json`, mode 0644: station id, vault path, `AK`, directory version, the guard's
//!   public key. Readable by the station's own account, which refuses a directory older than
//!   the version in it (DESIGN.md §2 "Rollback"), and writable by root alone.
//! - `<station>.key`, mode 0600: the guard key's seed. Root alone reads it.
//!
//! Anything not owned by root, or writable by anyone else, is refused: the station's OS
//! account must not be able to make the guard trust another admin key. This module never
//! writes anything but these two files.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::crypto::Key32;
use crate::crypto::sign::SignKey;
use crate::encoding::hex;
use crate::{Error, Result};

/// Format label of the state file.
pub const FORMAT: &str = "strongroom/v1/guard-state";

/// Where the guard's state lives when `STRONGROOM_GUARD_DIR` is not set.
pub const DEFAULT_DIR: &str = "/var/lib/strongroom/guard";

/// The state file is never longer than this (a hostile huge file is refused unread).
const MAX_STATE_BYTES: u64 = 64 * 1024;

/// What the guard trusts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardState {
    /// Always [`FORMAT`].
    pub format: String,
    /// Station id of the vault.
    pub station: String,
    /// The vault directory (absolute).
    pub vault: PathBuf,
    /// The admin public key (hex) the directory is verified from; successions are followed.
    pub admin_key: String,
    /// The highest directory version verified; a lower one is a rollback.
    pub directory_version: u64,
    /// The guard's public key (hex), as the directory names it.
    pub guard_key: String,
    /// Mount points under these count as removable media (an officer's configuration at
    /// `guard enable`, for readers sysfs reports as fixed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removable_roots: Vec<PathBuf>,
}

impl GuardState {
    /// The admin key bytes.
    pub fn admin_key_bytes(&self) -> Result<[u8; 32]> {
        hex::decode::<32>(&self.admin_key).ok_or_else(|| refused("admin_key is not a 32-byte hex key"))
    }
}

/// The guard directory: `STRONGROOM_GUARD_DIR` or [`DEFAULT_DIR`].
pub fn guard_dir() -> PathBuf {
    std::env::var_os("STRONGROOM_GUARD_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| PathBuf::from(DEFAULT_DIR), PathBuf::from)
}

/// The state file of `station` in `dir`.
pub fn state_path(dir: &Path, station: &str) -> PathBuf {
    dir.join(format!("{station}.json"))
}

/// The key file of `station` in `dir`.
pub fn key_path(dir: &Path, station: &str) -> PathBuf {
    dir.join(format!("{station}.key"))
}

fn refused(why: impl Into<String>) -> Error {
    Error::integrity("guard state", why.into())
}

/// Refuse `path` unless root owns it and nobody else may write it (`private`: or read it).
fn check_owned_by_root(path: &Path, meta: &fs::Metadata, private: bool) -> Result<()> {
    if meta.uid() != 0 {
        return Err(Error::Denied {
            rule: "guard-state",
            message: format!(
                "{} belongs to uid {}, not root: anyone with that account could change what the guard trusts; run `guard enable` again as root",
                path.display(),
                meta.uid()
            ),
        });
    }
    let forbidden = if private { 0o077 } else { 0o022 };
    if meta.mode() & forbidden != 0 {
        return Err(Error::Denied {
            rule: "guard-state",
            message: format!(
                "{} is open to other users (mode {:o}); run `guard enable` again as root",
                path.display(),
                meta.mode() & 0o777
            ),
        });
    }
    Ok(())
}

/// Read `path` (at most [`MAX_STATE_BYTES`]) after checking it and its directory.
fn read_checked(path: &Path, private: bool) -> Result<Option<Vec<u8>>> {
    let dir = path.parent().unwrap_or(Path::new("/"));
    let dir_meta = match fs::metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(dir, e)),
    };
    check_owned_by_root(dir, &dir_meta, false)?;
    let file = match fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(refused(format!("{} is not a regular file", path.display())));
    }
    check_owned_by_root(path, &meta, private)?;
    if meta.len() > MAX_STATE_BYTES {
        return Err(refused(format!(
            "{} is {} bytes, too long to be a guard state",
            path.display(),
            meta.len()
        )));
    }
    let mut bytes = Vec::new();
    file.take(MAX_STATE_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    Ok(Some(bytes))
}

/// The state of `station` in `dir`, checked (root-owned, not writable by others, well
/// formed, naming `station`). `None` when no guard was enabled here.
pub fn load(dir: &Path, station: &str) -> Result<Option<GuardState>> {
    let path = state_path(dir, station);
    let Some(bytes) = read_checked(&path, false)? else {
        return Ok(None);
    };
    let state: GuardState =
        serde_json::from_slice(&bytes).map_err(|e| refused(format!("{} is not a guard state: {e}", path.display())))?;
    if state.format != FORMAT {
        return Err(refused(format!("{} has format '{}'", path.display(), state.format)));
    }
    if state.station != station {
        return Err(refused(format!(
            "{} belongs to station {}, not {station}",
            path.display(),
            state.station
        )));
    }
    state.admin_key_bytes()?;
    hex::decode::<32>(&state.guard_key).ok_or_else(|| refused("guard_key is not a 32-byte hex key"))?;
    Ok(Some(state))
}

/// The guard key of `station`, checked against the public key its state names.
pub fn load_key(dir: &Path, state: &GuardState) -> Result<SignKey> {
    let path = key_path(dir, &state.station);
    let bytes = read_checked(&path, true)?
        .ok_or_else(|| refused(format!("{} is missing; run `guard enable` again", path.display())))?;
    let text = String::from_utf8_lossy(&bytes);
    let seed = hex::decode::<32>(text.trim()).ok_or_else(|| refused(format!("{} is not a key", path.display())))?;
    let key = SignKey::from_seed(&Key32::from_bytes(seed));
    if hex::encode(&key.public()) != state.guard_key {
        return Err(refused(format!(
            "{} does not hold the key its state names",
            path.display()
        )));
    }
    Ok(key)
}

/// Write `contents` to `path` with `mode` through a temporary file, synced, then renamed
/// over (a crash leaves the old file or the new one, never half of one).
fn write_atomic(path: &Path, contents: &[u8], mode: u32) -> Result<()> {
    // A temporary name of its own per file and process (the key and the state never share).
    let temp = path.with_file_name(format!(
        ".{}.{}.tmp",
        path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
        std::process::id()
    ));
    let _ = fs::remove_file(&temp);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&temp)
        .map_err(|e| Error::io(&temp, e))?;
    file.write_all(contents).map_err(|e| Error::io(&temp, e))?;
    file.sync_all().map_err(|e| Error::io(&temp, e))?;
    fs::rename(&temp, path).map_err(|e| Error::io(path, e))?;
    let dir = path.parent().unwrap_or(Path::new("/"));
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// Make the guard directory (root-owned, 0755) if it is missing, and check it.
fn prepare_dir(dir: &Path) -> Result<()> {
    if !dir.exists() {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).map_err(|e| Error::io(dir, e))?;
    }
    let meta = fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    check_owned_by_root(dir, &meta, false)
}

/// Write a new state and its key (at `guard enable`, as root).
pub fn create(dir: &Path, state: &GuardState, key: &SignKey) -> Result<()> {
    prepare_dir(dir)?;
    let seed = key.seed();
    let mut text = zeroize::Zeroizing::new(hex::encode(seed.expose()));
    text.push('\n');
    write_atomic(&key_path(dir, &state.station), text.as_bytes(), 0o600)?;
    save(dir, state)
}

/// Write the state back (a higher directory version verified, an admin key succession).
pub fn save(dir: &Path, state: &GuardState) -> Result<()> {
    prepare_dir(dir)?;
    let mut bytes = serde_json::to_vec_pretty(state).map_err(|e| Error::InvalidInput(e.to_string()))?;
    bytes.push(b'\n');
    write_atomic(&state_path(dir, &state.station), &bytes, 0o644)
}

/// Remove the key (at `guard disable`); the state stays, so its version still guards
/// against a rollback.
pub fn retire_key(dir: &Path, station: &str) -> Result<()> {
    let path = key_path(dir, station);
    match fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(&path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(station: &str) -> GuardState {
        GuardState {
            format: FORMAT.into(),
            station: station.into(),
            vault: "/srv/vault".into(),
            admin_key: "11".repeat(32),
            directory_version: 3,
            guard_key: String::new(),
            removable_roots: Vec::new(),
        }
    }

    #[test]
    fn a_state_round_trips_and_its_key_matches() {
        let dir = tempfile::tempdir().unwrap();
        let guard_dir = dir.path().join("guard");
        let key = SignKey::random().unwrap();
        let mut s = state("0123456789abcdef");
        s.guard_key = hex::encode(&key.public());
        if unsafe { libc::geteuid() } != 0 {
            // Only root can own these files; the CLI tests run the same checks as root.
            assert!(create(&guard_dir, &s, &key).is_err());
            return;
        }
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        create(&guard_dir, &s, &key).unwrap();
        let loaded = load(&guard_dir, "0123456789abcdef").unwrap().unwrap();
        assert_eq!(loaded, s);
        assert_eq!(load_key(&guard_dir, &loaded).unwrap().public(), key.public());
        assert!(load(&guard_dir, "fedcba9876543210").unwrap().is_none());
        // Group-writable: refused, naming the file.
        let path = state_path(&guard_dir, "0123456789abcdef");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o664)).unwrap();
        let err = load(&guard_dir, "0123456789abcdef").unwrap_err().to_string();
        assert!(err.contains("open to other users"), "{err}");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        // Hostile contents: huge, not JSON, another station's.
        fs::write(&path, vec![b' '; 70_000]).unwrap();
        assert!(
            load(&guard_dir, "0123456789abcdef")
                .unwrap_err()
                .to_string()
                .contains("too long")
        );
        fs::write(&path, b"{not json").unwrap();
        assert!(
            load(&guard_dir, "0123456789abcdef")
                .unwrap_err()
                .to_string()
                .contains("not a guard state")
        );
        let mut other = s.clone();
        other.station = "fedcba9876543210".into();
        fs::write(&path, serde_json::to_vec(&other).unwrap()).unwrap();
        let err = load(&guard_dir, "0123456789abcdef").unwrap_err().to_string();
        assert!(err.contains("belongs to station fedcba9876543210"), "{err}");
    }
}
