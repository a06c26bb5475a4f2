//! Classification markings in a file found in a synced folder: in its name, or in its first
//! KiB (a document's banner line) — SECRET, TOP SECRET, CONFIDENTIAL, 秘密, 机密, 绝密, and
//! a site's own patterns. A placeholder of a virtual-files client is never read: reading it
//! downloads it (research/cloud-sync.md §1 (c)). The guard's watch of synced folders uses
//! this; alone it only reads.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::mounts::{self, Mount, Reach};

/// The level a built-in marking stands for (a site pattern's is the policy's level for
/// unknown material).
pub fn level_of(marking: &str) -> Option<crate::Level> {
    use crate::Level;
    match marking {
        "TOP SECRET" | "绝密" => Some(Level::TopSecret),
        "SECRET" | "机密" => Some(Level::Secret),
        "CONFIDENTIAL" | "秘密" => Some(Level::Confidential),
        _ => None,
    }
}

/// The markings looked for. English ones count as whole upper-case words (`SECRETARY` and
/// `secret` in running text do not); Chinese ones anywhere.
pub const MARKINGS: [&str; 6] = ["TOP SECRET", "SECRET", "CONFIDENTIAL", "绝密", "机密", "秘密"];

/// Bytes of content read at most.
pub const CONTENT_BYTES: usize = 1024;

/// Where a marking was found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Place {
    /// In the file's name.
    Name,
    /// In its first KiB.
    Content,
}

/// A marking found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Marking {
    /// The marking (one of [`MARKINGS`], or a site pattern).
    pub marking: String,
    /// Where.
    pub place: Place,
}

/// The first marking in `text`, checking the site's own `patterns` (plain substrings) too.
pub fn marking_in(text: &str, patterns: &[String]) -> Option<String> {
    for marking in MARKINGS {
        let found = if marking.is_ascii() {
            whole_word(text, marking)
        } else {
            text.contains(marking)
        };
        if found {
            return Some(marking.to_string());
        }
    }
    patterns
        .iter()
        .find(|p| !p.is_empty() && text.contains(p.as_str()))
        .cloned()
}

/// Whether `word` stands in `text` with no letter or digit either side.
fn whole_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Whether `path` is a placeholder whose content is not on this machine: a suffix-VFS file
/// (`.nextcloud`, `.owncloud`), a file carrying Nextcloud's hydration attribute, or a file on
/// a network or remote FUSE mount.
pub fn is_placeholder(path: &Path, table: &[Mount]) -> bool {
    is_virtual_file(path) || mounts::holding(table, path).is_some_and(|m| m.reach() == Reach::Network)
}

/// Whether `path` is a virtual-files client's placeholder on a local disk: a suffix-VFS file
/// (`.nextcloud`, `.owncloud`) or a file carrying Nextcloud's hydration attribute.
pub fn is_virtual_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.ends_with(".nextcloud") || name.ends_with(".owncloud") || has_xattr(path, "user.nextcloud.hydrate_exec")
}

/// Whether `path` (not followed) carries the extended attribute `name`.
fn has_xattr(path: &Path, name: &str) -> bool {
    let (Ok(path), Ok(name)) = (
        std::ffi::CString::new(path.as_os_str().as_encoded_bytes()),
        std::ffi::CString::new(name),
    ) else {
        return false;
    };
    // SAFETY: both are valid NUL-terminated strings; a null buffer of size 0 asks only for
    // the value's size.
    let size = unsafe { libc::lgetxattr(path.as_ptr(), name.as_ptr(), std::ptr::null_mut(), 0) };
    size >= 0
}

/// The marking of a file in a synced folder: its name first; then, unless it is a
/// placeholder, its first KiB (a regular file only, opened without following a symlink and
/// without blocking on a FIFO).
pub fn judge(path: &Path, table: &[Mount], patterns: &[String]) -> Option<Marking> {
    let name = path.file_name()?.to_string_lossy();
    if let Some(marking) = marking_in(&name, patterns) {
        return Some(Marking {
            marking,
            place: Place::Name,
        });
    }
    if is_placeholder(path, table) {
        return None;
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut head = Vec::with_capacity(CONTENT_BYTES);
    file.take(CONTENT_BYTES as u64).read_to_end(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head);
    marking_in(&text, patterns).map(|marking| Marking {
        marking,
        place: Place::Content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markings_count_as_whole_words_in_english_and_anywhere_in_chinese() {
        let none: &[String] = &[];
        assert_eq!(marking_in("SECRET//NOFORN survey", none).as_deref(), Some("SECRET"));
        assert_eq!(
            marking_in("report TOP SECRET draft", none).as_deref(),
            Some("TOP SECRET")
        );
        assert_eq!(marking_in("CONFIDENTIAL.pdf", none).as_deref(), Some("CONFIDENTIAL"));
        assert_eq!(marking_in("港口测绘（机密★10年）.tif", none).as_deref(), Some("机密"));
        assert_eq!(marking_in("绝密-导弹阵地.kml", none).as_deref(), Some("绝密"));
        for ordinary in [
            "SECRETARY notes",
            "secret santa",
            "Dropbox-notes",
            "confidentiality.txt",
            "TOPSECRETS",
        ] {
            assert_eq!(marking_in(ordinary, none), None, "{ordinary}");
        }
        let site = ["PROJECT-KESTREL".to_string()];
        assert_eq!(
            marking_in("kestrel PROJECT-KESTREL map", &site).as_deref(),
            Some("PROJECT-KESTREL")
        );
    }

    #[test]
    fn names_and_first_kibs_are_read_and_placeholders_never() {
        let dir = tempfile::tempdir().unwrap();
        let none: &[String] = &[];
        let named = dir.path().join("SECRET harbour.tif");
        std::fs::write(&named, b"pixels").unwrap();
        assert_eq!(judge(&named, &[], none).unwrap().place, Place::Name);
        let banner = dir.path().join("plan.txt");
        std::fs::write(&banner, "UNCLASSIFIED header\nSECRET\nbody").unwrap();
        assert_eq!(judge(&banner, &[], none).unwrap().place, Place::Content);
        let late = dir.path().join("late.txt");
        let mut text = "x".repeat(CONTENT_BYTES);
        text.push_str(" SECRET");
        std::fs::write(&late, text).unwrap();
        assert_eq!(judge(&late, &[], none), None, "past the first KiB");
        // A suffix-VFS placeholder and a file on a network mount: not read.
        let placeholder = dir.path().join("plan.txt.nextcloud");
        std::fs::write(&placeholder, "SECRET").unwrap();
        assert_eq!(judge(&placeholder, &[], none), None);
        let table = crate::mounts::parse(&format!(
            "40 22 0:50 / {} rw - fuse.rclone drive: rw\n",
            dir.path().display()
        ));
        assert_eq!(judge(&banner, &table, none), None, "on a remote mount");
        // A FIFO or a symlink is not opened.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&banner, &link).unwrap();
        assert_eq!(judge(&link, &[], none), None);
    }
}
