//! Is this finished file a copy from a mounted medium? A file of the same size on a medium is
//! a candidate; the SHA-256 of both decides. Hashes of the media's files are cached by
//! device, inode, size and modification time, so a burst of copies from one stick hashes each
//! source once. Only regular files are read, never through a link, and a file that changes
//! while it is hashed is not judged (it is looked at again when it is finished).

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::guard::media::Medium;
use crate::guard::medium_index::MediumIndex;

/// Files larger than this whose allocated blocks cover less than an eighth of their size
/// are not read (sparse: mostly holes).
const SPARSE_FROM: u64 = 16 << 20;

/// At most this many source hashes are kept; beyond it the cache starts afresh.
const MAX_CACHED: usize = 65_536;

/// A file and what identifies its content without reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Stamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i128,
    /// The change time too: an in-place rewrite with the old mtime put back still moves it.
    ctime_ns: i128,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.len(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
        }
    }
}

/// What a hashed file was, from the very descriptor that was read (not from its path, which
/// its owner can point elsewhere meanwhile).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hashed {
    /// SHA-256 of its content.
    pub sha256: [u8; 32],
    /// Its size.
    pub size: u64,
    /// Device and inode.
    pub identity: (u64, u64),
    /// Its owner and group.
    pub owner: (u32, u32),
    /// Its hard-link count.
    pub links: u64,
}

/// The SHA-256 of the regular file at `path` and its size.
pub fn sha256_file(path: &Path) -> std::io::Result<([u8; 32], u64)> {
    hash_file(path).map(|h| (h.sha256, h.size))
}

/// Hash the regular file at `path`: opened without following a link and without blocking (a
/// FIFO put there), refused if it changed while read; what it was comes from the descriptor.
pub fn hash_file(path: &Path) -> std::io::Result<Hashed> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let before = file.metadata()?;
    if !before.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut reader = &file;
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        hasher.update(&buf[..n]);
    }
    let after = file.metadata()?;
    if total != before.len() || Stamp::of(&after) != Stamp::of(&before) {
        return Err(std::io::Error::other("the file changed while it was read"));
    }
    Ok(Hashed {
        sha256: hasher.finalize().into(),
        size: total,
        identity: (after.dev(), after.ino()),
        owner: (after.uid(), after.gid()),
        links: after.nlink(),
    })
}

/// A copy found: a finished file whose content is a medium's file.
#[derive(Clone, Debug)]
pub struct CopyFound {
    /// The copy.
    pub path: PathBuf,
    /// Its size.
    pub size: u64,
    /// Its SHA-256.
    pub sha256: [u8; 32],
    /// The medium it came from.
    pub medium: Medium,
    /// The file on the medium it equals.
    pub source: PathBuf,
    /// The copy's device and inode when it was hashed (containment touches only that file).
    pub identity: (u64, u64),
    /// Its owner and group, from the descriptor that was hashed.
    pub owner: (u32, u32),
    /// Its hard-link count then.
    pub links: u64,
}

/// A finished file whose content is a vault item's (as the ledger's import events state its
/// size and SHA-256), found where no medium put it: material that left the vault by another
/// path, unless it lies in a recorded export destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaterialFound {
    /// Where it is.
    pub path: PathBuf,
    /// Its size.
    pub size: u64,
    /// Its SHA-256 (a vault item's).
    pub sha256: [u8; 32],
}

/// What judging a finished file found.
#[derive(Clone, Debug)]
pub enum Found {
    /// A copy of a mounted medium's file.
    Copy(Box<CopyFound>),
    /// A vault item's content, from no medium.
    Material(MaterialFound),
}

/// The media mounted now, indexed, and the hashes of their files seen so far; and the sizes
/// and hashes of the vault's items.
#[derive(Default)]
pub struct CopyMatcher {
    media: Vec<(Medium, MediumIndex)>,
    /// The vault items' plaintext hashes by size.
    vault: HashMap<u64, Vec<[u8; 32]>>,
    cache: HashMap<Stamp, [u8; 32]>,
    /// Files judged already, as they were (a close and a scan of its directory both name a
    /// new file; it is one copy). A file renamed elsewhere is judged again at its new path.
    judged: std::collections::HashSet<(Stamp, PathBuf)>,
}

impl CopyMatcher {
    /// Index a medium just mounted (or already mounted at start).
    pub fn add_medium(&mut self, medium: Medium) {
        // A medium that cannot be walked (pulled out meanwhile) offers nothing to match.
        let index = MediumIndex::build(&medium.mount_point).unwrap_or_default();
        self.media.retain(|(m, _)| m.key() != medium.key());
        self.media.push((medium, index));
    }

    /// Forget a medium unmounted.
    pub fn remove_medium(&mut self, medium: &Medium) {
        self.media.retain(|(m, _)| m.key() != medium.key());
    }

    /// The media indexed, with how many files each holds and whether the walk stopped at a limit.
    pub fn indexed(&self) -> Vec<(PathBuf, usize, bool)> {
        self.media
            .iter()
            .map(|(m, i)| (m.mount_point.clone(), i.len(), i.partial))
            .collect()
    }

    /// Whether any medium is indexed (without one, nothing can be a copy).
    pub fn has_media(&self) -> bool {
        !self.media.is_empty()
    }

    /// The vault items' sizes and hashes (replacing those known).
    pub fn set_vault_content(&mut self, items: impl IntoIterator<Item = (u64, [u8; 32])>) {
        self.vault.clear();
        for (size, sha256) in items {
            let hashes = self.vault.entry(size).or_default();
            if !hashes.contains(&sha256) {
                hashes.push(sha256);
            }
        }
    }

    /// Whether a finished file can be anything: a medium is mounted, or the vault holds items.
    pub fn has_anything(&self) -> bool {
        self.has_media() || !self.vault.is_empty()
    }

    /// Whether `path` is on one of the media (a copy between media is not onto this machine).
    pub fn on_a_medium(&self, path: &Path) -> bool {
        self.media.iter().any(|(m, _)| path.starts_with(&m.mount_point))
    }

    /// The SHA-256 of a medium's file, cached by its stamp.
    fn source_hash(&mut self, path: &Path) -> Option<[u8; 32]> {
        let stamp = Stamp::of(&std::fs::symlink_metadata(path).ok()?);
        if let Some(hash) = self.cache.get(&stamp) {
            return Some(*hash);
        }
        let (hash, _) = sha256_file(path).ok()?;
        if self.cache.len() >= MAX_CACHED {
            self.cache.clear();
        }
        self.cache.insert(stamp, hash);
        Some(hash)
    }

    /// Judge the finished file at `path`: hashed only when a medium holds a file of its size
    /// or a vault item has it. `Ok(None)`: neither a copy from a medium nor vault material.
    pub fn judge(&mut self, path: &Path) -> std::io::Result<Option<Found>> {
        let meta = std::fs::symlink_metadata(path)?;
        if !meta.is_file() || meta.len() == 0 || self.on_a_medium(path) {
            return Ok(None);
        }
        let size = meta.len();
        // A large file that is mostly holes (`truncate -s`) holds almost nothing: it is not
        // read, so sizes alone cannot make root read terabytes of zeros.
        if size > SPARSE_FROM && meta.blocks().saturating_mul(512) < size / 8 {
            return Ok(None);
        }
        let candidates: Vec<(usize, PathBuf)> = self
            .media
            .iter()
            .enumerate()
            .filter(|(_, (_, index))| index.has_size(size))
            .flat_map(|(i, (_, index))| index.files_of_size(size).into_iter().map(move |p| (i, p)))
            .collect();
        let in_vault = self.vault.get(&size);
        if candidates.is_empty() && in_vault.is_none() {
            return Ok(None);
        }
        // Only files that are hashed are remembered (a close and a scan of its directory
        // both name a new file; it is one finding).
        if !self.judged.insert((Stamp::of(&meta), path.to_path_buf())) {
            return Ok(None);
        }
        if self.judged.len() >= MAX_CACHED {
            self.judged.clear();
        }
        let hashed = hash_file(path)?;
        for (medium, source) in candidates {
            if self.source_hash(&source) == Some(hashed.sha256) {
                return Ok(Some(Found::Copy(Box::new(CopyFound {
                    path: path.to_path_buf(),
                    size: hashed.size,
                    sha256: hashed.sha256,
                    medium: self.media[medium].0.clone(),
                    source,
                    identity: hashed.identity,
                    owner: hashed.owner,
                    links: hashed.links,
                }))));
            }
        }
        let material = self
            .vault
            .get(&size)
            .is_some_and(|hashes| hashes.contains(&hashed.sha256));
        Ok(material.then(|| {
            Found::Material(MaterialFound {
                path: path.to_path_buf(),
                size: hashed.size,
                sha256: hashed.sha256,
            })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::media::Why;

    fn medium(root: &Path) -> Medium {
        Medium {
            mount_point: root.to_path_buf(),
            fstype: "ext4".into(),
            source: "/dev/loop9".into(),
            device: (7, 9),
            identity: None,
            unconfirmed: None,
            model: None,
            serial: None,
            why: Why::ConfiguredRoot,
            usb: false,
            user_mount: None,
        }
    }

    #[test]
    fn a_copy_matches_by_content_and_a_file_of_the_same_size_does_not() {
        let stick = tempfile::tempdir().unwrap();
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(stick.path().join("survey")).unwrap();
        std::fs::write(stick.path().join("survey/harbour.tif"), b"classified harbour survey").unwrap();
        let mut matcher = CopyMatcher::default();
        matcher.add_medium(medium(stick.path()));
        std::fs::copy(stick.path().join("survey/harbour.tif"), home.path().join("h.tif")).unwrap();
        let Some(Found::Copy(found)) = matcher.judge(&home.path().join("h.tif")).unwrap() else {
            panic!("a copy")
        };
        assert_eq!(found.source, stick.path().join("survey/harbour.tif"));
        assert_eq!(found.size, 25);
        // Same size, other content: no copy.
        std::fs::write(home.path().join("other"), b"an unrelated file of 25 b").unwrap();
        assert!(matcher.judge(&home.path().join("other")).unwrap().is_none());
        // A link to the copy is not read through.
        std::os::unix::fs::symlink(home.path().join("h.tif"), home.path().join("link")).unwrap();
        assert!(matcher.judge(&home.path().join("link")).unwrap().is_none());
        // The medium gone: nothing matches.
        matcher.remove_medium(&medium(stick.path()));
        assert!(matcher.judge(&home.path().join("h.tif")).unwrap().is_none());
    }

    #[test]
    fn a_vault_items_content_is_material_wherever_no_medium_put_it() {
        let home = tempfile::tempdir().unwrap();
        let content = b"the plaintext of a vault item";
        let sha: [u8; 32] = Sha256::digest(content).into();
        let mut matcher = CopyMatcher::default();
        assert!(!matcher.has_anything());
        matcher.set_vault_content([(content.len() as u64, sha), (3, [0; 32])]);
        assert!(matcher.has_anything());
        std::fs::write(home.path().join("kept.tif"), content).unwrap();
        let found = matcher.judge(&home.path().join("kept.tif")).unwrap();
        let Some(Found::Material(found)) = found else {
            panic!("{found:?}")
        };
        assert_eq!((found.size, found.sha256), (content.len() as u64, sha));
        // The same size, another content: nothing.
        std::fs::write(home.path().join("other.tif"), b"THE PLAINTEXT OF A VAULT ITEM").unwrap();
        assert!(matcher.judge(&home.path().join("other.tif")).unwrap().is_none());
    }

    #[test]
    fn a_large_file_of_holes_is_not_read() {
        let home = tempfile::tempdir().unwrap();
        let size = 64u64 << 20;
        let mut matcher = CopyMatcher::default();
        // Zeros of that size are a vault item's content: only the holes keep it from a read.
        let zeros: [u8; 32] = {
            let mut hasher = Sha256::new();
            hasher.update(vec![0u8; size as usize]);
            hasher.finalize().into()
        };
        matcher.set_vault_content([(size, zeros)]);
        let sparse = std::fs::File::create(home.path().join("holes.bin")).unwrap();
        sparse.set_len(size).unwrap();
        assert!(matcher.judge(&home.path().join("holes.bin")).unwrap().is_none());
        // Written out, the same bytes are read and found.
        std::fs::write(home.path().join("dense.bin"), vec![0u8; size as usize]).unwrap();
        assert!(matches!(
            matcher.judge(&home.path().join("dense.bin")).unwrap(),
            Some(Found::Material(_))
        ));
    }
}
