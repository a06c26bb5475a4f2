//! What is on a mounted medium, by size: the guard asks "does a file of this size exist on
//! any medium?" for every file finished in a protected destination, and hashes only when the
//! answer is yes.
//!
//! Compact on purpose: one `(size, directory)` pair per file (12 bytes) and one path per
//! directory, never a map of full paths, so a medium with a million files costs a few tens of
//! MiB. A match lists only the directories that hold files of that size. The walk is bounded
//! (files, depth), never follows links, and stays on the medium's file system.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// At most this many files are indexed on one medium; beyond it the index says it is
/// partial (the guard's status shows it).
pub const MAX_FILES: usize = 4_000_000;

/// Directories deeper than this are not walked.
pub const MAX_DEPTH: usize = 64;

/// The files of one medium, by size.
#[derive(Debug, Default)]
pub struct MediumIndex {
    /// Every directory walked, by id.
    dirs: Vec<PathBuf>,
    /// (size, directory id), sorted by size.
    files: Vec<(u64, u32)>,
    /// Files indexed (several of one size in one directory share an entry).
    count: usize,
    /// The walk stopped at a limit: some files are not in the index.
    pub partial: bool,
}

impl MediumIndex {
    /// Walk the medium mounted at `root` (its own file system only).
    pub fn build(root: &Path) -> std::io::Result<MediumIndex> {
        let device = std::fs::symlink_metadata(root)?.dev();
        let mut index = MediumIndex::default();
        let mut stack: Vec<(PathBuf, usize)> = vec![(root.to_path_buf(), 0)];
        let mut seen: HashSet<(u64, u64)> = HashSet::new();
        while let Some((dir, depth)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let Ok(id) = u32::try_from(index.dirs.len()) else {
                index.partial = true;
                break;
            };
            index.dirs.push(dir);
            for entry in entries.flatten() {
                let Ok(meta) = entry.metadata() else { continue };
                if meta.dev() != device {
                    continue;
                }
                if meta.is_dir() {
                    if depth + 1 >= MAX_DEPTH || !seen.insert((meta.dev(), meta.ino())) {
                        index.partial |= depth + 1 >= MAX_DEPTH;
                        continue;
                    }
                    stack.push((entry.path(), depth + 1));
                } else if meta.is_file() {
                    if index.count >= MAX_FILES {
                        index.partial = true;
                        break;
                    }
                    index.count += 1;
                    index.files.push((meta.len(), id));
                }
            }
        }
        index.files.sort_unstable();
        index.files.dedup();
        index.files.shrink_to_fit();
        index.dirs.shrink_to_fit();
        Ok(index)
    }

    /// How many files are indexed.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Whether a file of `size` bytes was on the medium.
    pub fn has_size(&self, size: u64) -> bool {
        self.files.binary_search_by_key(&size, |(s, _)| *s).is_ok()
    }

    /// The files of `size` bytes on the medium now (listed afresh from the directories that
    /// held one, so a renamed or removed file is not offered).
    pub fn files_of_size(&self, size: u64) -> Vec<PathBuf> {
        let start = self.files.partition_point(|(s, _)| *s < size);
        let mut out = Vec::new();
        for (_, dir) in self.files[start..].iter().take_while(|(s, _)| *s == size) {
            let Some(dir) = self.dirs.get(*dir as usize) else {
                continue;
            };
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            for entry in entries.flatten() {
                if entry
                    .metadata()
                    .is_ok_and(|m| m.is_file() && m.len() == size && !m.file_type().is_symlink())
                {
                    out.push(entry.path());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Note a file written to the medium after it was indexed (the guard watches media too).
    pub fn add(&mut self, path: &Path, size: u64) {
        let Some(dir) = path.parent() else { return };
        let id = match self.dirs.iter().position(|d| d == dir) {
            Some(id) => id,
            None => {
                self.dirs.push(dir.to_path_buf());
                self.dirs.len() - 1
            }
        };
        let Ok(id) = u32::try_from(id) else { return };
        let at = self.files.partition_point(|entry| *entry < (size, id));
        if self.files.get(at) != Some(&(size, id)) {
            self.files.insert(at, (size, id));
        }
        self.count += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_found_by_size_in_the_directories_that_hold_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("one.tif"), vec![1u8; 100]).unwrap();
        std::fs::write(root.join("a/b/two.tif"), vec![2u8; 100]).unwrap();
        std::fs::write(root.join("a/three.las"), vec![3u8; 7]).unwrap();
        // A link loop and a link out of the medium are not followed.
        std::os::unix::fs::symlink(root, root.join("a/loop")).unwrap();
        std::os::unix::fs::symlink("/etc", root.join("etc")).unwrap();
        let index = MediumIndex::build(root).unwrap();
        assert_eq!(index.len(), 3);
        assert!(!index.partial);
        assert!(index.has_size(100) && index.has_size(7) && !index.has_size(8));
        assert_eq!(
            index.files_of_size(100),
            [root.join("a/b/two.tif"), root.join("one.tif")]
        );
        // Removed since: not offered.
        std::fs::remove_file(root.join("one.tif")).unwrap();
        assert_eq!(index.files_of_size(100), [root.join("a/b/two.tif")]);
        // Added since, in a new directory.
        std::fs::create_dir(root.join("new")).unwrap();
        std::fs::write(root.join("new/four"), vec![4u8; 55]).unwrap();
        let mut index = index;
        index.add(&root.join("new/four"), 55);
        assert_eq!(index.files_of_size(55), [root.join("new/four")]);
    }
}
