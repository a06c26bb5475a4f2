//! Classification markings in a file found in a synced folder: in its name, or in its first
//! KiB (a document's banner line) — SECRET, TOP SECRET, CONFIDENTIAL, 秘密, 机密, 绝密, and
//! a site's own patterns. A placeholder of a virtual-files client is never read: reading it
//! downloads it (research/cloud-sync.md §1 (c)). The guard's watch of synced folders uses
//! this; alone it only reads.

use std::io::Read;
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

/// Every marking in `text`, the site's own `patterns` (plain substrings) too. English
/// markings are matched with `_` and `-` read as spaces and runs of spaces as one
/// (`TOP_SECRET`, `TOP  SECRET`).
pub fn markings_in(text: &str, patterns: &[String]) -> Vec<String> {
    let spaced: String = text
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut out: Vec<String> = MARKINGS
        .iter()
        .filter(|m| {
            if m.is_ascii() {
                whole_word(&spaced, m)
            } else {
                text.contains(*m)
            }
        })
        .map(|m| m.to_string())
        .collect();
    out.extend(
        patterns
            .iter()
            .filter(|p| !p.is_empty() && text.contains(p.as_str()))
            .cloned(),
    );
    out
}

/// The highest built-in marking in `text`, else the first site pattern found.
pub fn marking_in(text: &str, patterns: &[String]) -> Option<String> {
    let found = markings_in(text, patterns);
    found
        .iter()
        .filter_map(|m| level_of(m).map(|l| (l, m)))
        .max_by_key(|(l, _)| *l)
        .map(|(_, m)| m.clone())
        .or_else(|| found.first().cloned())
}

/// Whether `word` stands in `text` with no letter or digit either side.
fn whole_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Whether `path` is a placeholder whose content is not on this machine: a hollow
/// virtual file (below), or a file on a network or remote FUSE mount.
pub fn is_placeholder(path: &Path, table: &[Mount]) -> bool {
    is_virtual_file(path) || mounts::holding(table, path).is_some_and(|m| m.reach() == Reach::Network)
}

/// Whether `path` is a virtual-files client's placeholder on a local disk: a suffix-VFS file
/// (`.nextcloud`, `.owncloud`) or one carrying Nextcloud's hydration attribute, and hollow
/// (no data blocks). A file with data is read whatever its name or attributes say: anyone
/// can name a file `.owncloud` or set a `user.` attribute to hide it from the guard.
pub fn is_virtual_file(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let hollow = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.blocks() == 0);
    if !hollow {
        return false;
    }
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

/// The markings of a file in a synced folder: in its name, and, unless it is a
/// placeholder, in its first KiB (a regular file only, decided on its descriptor, never
/// through a link). Every one is returned: the caller seals at the highest.
pub fn judge(path: &Path, table: &[Mount], patterns: &[String]) -> Vec<Marking> {
    let Some(name) = path.file_name() else {
        return Vec::new();
    };
    let mut out: Vec<Marking> = markings_in(&name.to_string_lossy(), patterns)
        .into_iter()
        .map(|marking| Marking {
            marking,
            place: Place::Name,
        })
        .collect();
    if is_placeholder(path, table) {
        return out;
    }
    let Ok(file) = super::regular_file::open(path, false) else {
        return out;
    };
    let mut head = Vec::with_capacity(CONTENT_BYTES);
    if file.take(CONTENT_BYTES as u64).read_to_end(&mut head).is_err() {
        return out;
    }
    let text = String::from_utf8_lossy(&head);
    out.extend(markings_in(&text, patterns).into_iter().map(|marking| Marking {
        marking,
        place: Place::Content,
    }));
    out
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
    fn separators_and_several_markings_find_the_highest() {
        let none: &[String] = &[];
        assert_eq!(marking_in("TOP_SECRET plan", none).as_deref(), Some("TOP SECRET"));
        assert_eq!(marking_in("TOP-SECRET plan", none).as_deref(), Some("TOP SECRET"));
        assert_eq!(marking_in("TOP  SECRET", none).as_deref(), Some("TOP SECRET"));
        assert_eq!(marking_in("CONFIDENTIAL 绝密.doc", none).as_deref(), Some("绝密"));
        let all = markings_in("CONFIDENTIAL 绝密 KESTREL", &["KESTREL".to_string()]);
        assert_eq!(all, ["CONFIDENTIAL", "绝密", "KESTREL"]);
    }

    fn places(found: &[Marking]) -> Vec<(&str, Place)> {
        found.iter().map(|m| (m.marking.as_str(), m.place.clone())).collect()
    }

    #[test]
    fn names_and_first_kibs_are_read_and_placeholders_never() {
        let dir = tempfile::tempdir().unwrap();
        let none: &[String] = &[];
        let named = dir.path().join("SECRET harbour.tif");
        std::fs::write(&named, b"pixels").unwrap();
        assert_eq!(places(&judge(&named, &[], none)), [("SECRET", Place::Name)]);
        let banner = dir.path().join("CONFIDENTIAL plan.txt");
        std::fs::write(&banner, "UNCLASSIFIED header\nTOP SECRET\nbody").unwrap();
        assert_eq!(
            places(&judge(&banner, &[], none)),
            [
                ("CONFIDENTIAL", Place::Name),
                ("TOP SECRET", Place::Content),
                ("SECRET", Place::Content)
            ],
            "both places, every marking"
        );
        let late = dir.path().join("late.txt");
        let mut text = "x".repeat(CONTENT_BYTES);
        text.push_str(" SECRET");
        std::fs::write(&late, text).unwrap();
        assert!(judge(&late, &[], none).is_empty(), "past the first KiB");
        // A hollow suffix-VFS placeholder: only its name is looked at.
        let placeholder = dir.path().join("plan.txt.nextcloud");
        std::fs::File::create(&placeholder).unwrap().set_len(4096).unwrap();
        assert!(is_virtual_file(&placeholder));
        assert!(judge(&placeholder, &[], none).is_empty());
        // One with data is no placeholder, whatever its name: it is read.
        let posing = dir.path().join("brief.txt.owncloud");
        std::fs::write(&posing, "SECRET").unwrap();
        assert!(!is_virtual_file(&posing));
        assert_eq!(places(&judge(&posing, &[], none)), [("SECRET", Place::Content)]);
        // A file on a network mount: its content is not read.
        let table = crate::mounts::parse(&format!(
            "40 22 0:50 / {} rw - fuse.rclone drive: rw\n",
            dir.path().display()
        ));
        assert_eq!(
            places(&judge(&banner, &table, none)),
            [("CONFIDENTIAL", Place::Name)],
            "on a remote mount"
        );
        // A symlink is not read through, nor a FIFO opened.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&banner, &link).unwrap();
        assert!(judge(&link, &[], none).is_empty());
        let fifo = dir.path().join("fifo");
        let c_fifo = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid path; mkfifo only creates the node.
        assert_eq!(unsafe { libc::mkfifo(c_fifo.as_ptr(), 0o600) }, 0);
        assert!(judge(&fifo, &[], none).is_empty());
    }
}
