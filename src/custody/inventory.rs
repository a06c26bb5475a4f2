//! The inventory: every item row checked against its object file (present, a regular file,
//! of the length its size and chunk size give, its header naming this item) and against its
//! history (the same check `ledger verify` runs, `vault::history::check_all`); every file
//! in `objects/` that no row claims; and items whose custodian is disabled. `--deep` also
//! decrypts each object the user is cleared for and compares its SHA-256 with the record
//! (the station passes that step in, since only it holds keys).
//!
//! It only reads: it never removes, repairs or rewrites anything it finds.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::BufReader;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::crypto::stream::Header;
use crate::progress::Progress;
use crate::vault::history::ItemFinding;
use crate::vault::items::{ItemRow, ItemStatus};
use crate::vault::layout::VaultPaths;
use crate::{Error, ItemId, Level, Result};

/// One item whose object is not what its row says.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ObjectFinding {
    /// Control number.
    pub control_number: String,
    /// Level.
    pub level: Level,
    /// What is wrong.
    pub problem: String,
}

/// An item held by a user who can no longer sign in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Stranded {
    /// Control number.
    pub control_number: String,
    /// Level.
    pub level: Level,
    /// The disabled custodian.
    pub custodian: String,
}

/// The decrypting pass's counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DeepCounts {
    /// Objects decrypted and hashed.
    pub checked: u64,
    /// Objects above the user's clearance, not opened.
    pub above_clearance: u64,
    /// Plaintext bytes hashed.
    pub bytes: u64,
}

/// What an inventory found.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// Active item rows checked.
    pub items: u64,
    /// Destroyed item rows checked (their object must be gone).
    pub destroyed: u64,
    /// Object files found in `objects/`.
    pub objects: u64,
    /// Items whose object is missing.
    pub missing: Vec<ObjectFinding>,
    /// Items whose object is there but wrong (length, header, content).
    pub mismatched: Vec<ObjectFinding>,
    /// Files in `objects/` that no active item claims (path relative to the vault).
    pub orphans: Vec<String>,
    /// Rows that disagree with their history.
    pub history: Vec<ItemFinding>,
    /// Active items whose custodian is disabled.
    pub disabled_custodians: Vec<Stranded>,
    /// The decrypting pass, if one ran.
    pub deep: Option<DeepCounts>,
}

impl Report {
    /// Whether anything was found that an officer must look at.
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty()
            && self.mismatched.is_empty()
            && self.orphans.is_empty()
            && self.history.is_empty()
            && self.disabled_custodians.is_empty()
    }

    /// The counts recorded in an `inventory.audit` event.
    pub fn counts(&self) -> serde_json::Value {
        serde_json::json!({
            "items": self.items,
            "destroyed": self.destroyed,
            "objects": self.objects,
            "missing": self.missing.len(),
            "mismatched": self.mismatched.len(),
            "orphans": self.orphans.len(),
            "history": self.history.len(),
            "disabled_custodians": self.disabled_custodians.len(),
        })
    }
}

/// Check `rows` (every settled item row) against the objects under `paths`. `history` is the
/// history check's findings, `disabled` the names of disabled users, `names` user ids to
/// names. Object problems are found without keys.
pub fn check_objects(
    paths: &VaultPaths,
    rows: &[ItemRow],
    names: &HashMap<crate::UserId, String>,
    disabled: &HashSet<String>,
    progress: &Progress,
) -> Result<Report> {
    let mut report = Report::default();
    let mut claimed: HashSet<(ItemId, u32)> = HashSet::new();
    progress.add_files(rows.len() as u64);
    for row in rows {
        if progress.is_cancelled() {
            return Err(Error::Cancelled);
        }
        match row.status {
            ItemStatus::Active => {
                report.items += 1;
                claimed.insert((row.id, row.object_version));
                if let Some(problem) = object_problem(paths, row) {
                    let finding = ObjectFinding {
                        control_number: row.control.to_string(),
                        level: row.level,
                        problem: problem.1,
                    };
                    if problem.0 {
                        report.missing.push(finding);
                    } else {
                        report.mismatched.push(finding);
                    }
                }
                let custodian = names
                    .get(&row.custodian)
                    .cloned()
                    .unwrap_or_else(|| row.custodian.to_string());
                if disabled.contains(&custodian) {
                    report.disabled_custodians.push(Stranded {
                        control_number: row.control.to_string(),
                        level: row.level,
                        custodian,
                    });
                }
            }
            ItemStatus::Destroyed => report.destroyed += 1,
            ItemStatus::Pending => {}
        }
        progress.file_done();
    }
    report.orphans = orphans(paths, &claimed, &mut report.objects)?;
    Ok(report)
}

/// Why an active row's object is not right: (missing?, what), or none.
fn object_problem(paths: &VaultPaths, row: &ItemRow) -> Option<(bool, String)> {
    let path = paths.object_version(row.id, row.object_version);
    let file = match fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Some((true, format!("its object {} is missing", relative(paths, &path))));
        }
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Some((false, "its object is a symbolic link".into()));
        }
        Err(e) => return Some((false, format!("its object cannot be read: {e}"))),
    };
    let meta = match file.metadata() {
        Ok(meta) => meta,
        Err(e) => return Some((false, format!("its object cannot be read: {e}"))),
    };
    if !meta.is_file() {
        return Some((false, "its object is not a regular file".into()));
    }
    let expected = Header::wrapped_object_len(row.size, row.chunk_size);
    if meta.len() != expected {
        return Some((
            false,
            format!("its object is {} bytes; {expected} expected", meta.len()),
        ));
    }
    match Header::read(&mut BufReader::with_capacity(128, &file)) {
        Ok((header, _)) if header.item != *row.id.as_bytes() => {
            Some((false, "its object belongs to another item".into()))
        }
        Ok((header, _)) if header.plaintext_len != row.size || header.chunk_size != row.chunk_size => {
            Some((false, "its object's header disagrees with its row".into()))
        }
        Ok(_) => None,
        Err(e) => Some((false, format!("its object's header is damaged: {e}"))),
    }
}

/// Every file under `objects/` that is not a claimed (item, version), counting them all.
fn orphans(paths: &VaultPaths, claimed: &HashSet<(ItemId, u32)>, count: &mut u64) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let objects = &paths.objects;
    let dirs = fs::read_dir(objects).map_err(|e| Error::io(objects, e))?;
    for dir in dirs {
        let dir = dir.map_err(|e| Error::io(objects, e))?;
        let path = dir.path();
        if !dir.file_type().map_err(|e| Error::io(&path, e))?.is_dir() {
            found.push(relative(paths, &path));
            continue;
        }
        // A directory that cannot be read is itself a finding: the objects in it cannot be
        // accounted for.
        let entries = match fs::read_dir(&path) {
            Ok(entries) => entries,
            Err(e) => {
                found.push(format!("{} (cannot be read: {e})", relative(paths, &path)));
                continue;
            }
        };
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&path, e))?;
            *count += 1;
            let name = entry.file_name();
            let known = parse_object_name(&name.to_string_lossy()).is_some_and(|(id, version)| {
                claimed.contains(&(id, version)) && paths.object_version(id, version) == entry.path()
            });
            if !known {
                found.push(relative(paths, &entry.path()));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// `<uuid>.sro` → (uuid, 0); `<uuid>.<n>.sro` → (uuid, n).
pub fn parse_object_name(name: &str) -> Option<(ItemId, u32)> {
    let stem = name.strip_suffix(".sro")?;
    let (id, version) = match stem.split_once('.') {
        Some((id, n)) if !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit()) => (id, n.parse().ok()?),
        Some(_) => return None,
        None => (stem, 0),
    };
    if id.len() != 36 {
        return None;
    }
    Some((ItemId(uuid::Uuid::parse_str(id).ok()?), version))
}

fn relative(paths: &VaultPaths, path: &Path) -> String {
    path.strip_prefix(&paths.root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_parse_with_their_version() {
        let id = "0b8f0f0e-8c4e-4d55-9d7a-0c2f1e3a4b5c";
        assert_eq!(parse_object_name(&format!("{id}.sro")).unwrap().1, 0);
        assert_eq!(parse_object_name(&format!("{id}.3.sro")).unwrap().1, 3);
        for bad in [
            format!("{id}.03.sro"),
            format!("{id}.x.sro"),
            format!("{id}.sro.tmp"),
            "short.sro".to_string(),
            format!("{id}..sro"),
        ] {
            assert!(parse_object_name(&bad).is_none(), "{bad}");
        }
    }
}
