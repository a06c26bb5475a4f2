//! An audit bundle packed into one file, so that libFuzzer can mutate a whole bundle: each
//! file is a line `=== <relative path>` followed by the file's bytes, up to the next line
//! that starts with `=== ` (so only the last file may lack a final newline). A section named
//! `pins.json` is not part of the bundle: it is the verifying machine's pin file.
//!
//! Used by the `bundle` and `pins` targets and by the `make_seeds` example, each of which
//! needs only part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};
use strongroom::encoding::hex;
use strongroom::ledger::bundle::Manifest;

/// The marker that starts a section, at the start of the input or of a line.
const MARKER: &[u8] = b"=== ";
/// The section that holds the pin file rather than a bundle file.
pub const PINS: &str = "pins.json";

/// The sections of a packed bundle by path. Bytes before the first marker are ignored; a
/// later section of the same path replaces an earlier one.
pub fn sections(data: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut starts = Vec::new();
    for i in 0..data.len() {
        if data[i..].starts_with(MARKER) && (i == 0 || data[i - 1] == b'\n') {
            starts.push(i);
        }
    }
    let mut out = BTreeMap::new();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(data.len());
        let section = &data[start + MARKER.len()..end];
        let (name, body) = match section.iter().position(|&b| b == b'\n') {
            Some(n) => (&section[..n], &section[n + 1..]),
            None => (section, &section[section.len()..]),
        };
        if let Ok(name) = std::str::from_utf8(name) {
            out.insert(name.to_string(), body.to_vec());
        }
    }
    out
}

/// Whether `name` is a path this harness writes: one or two plain components of
/// `[A-Za-z0-9._-]`, not `.` or `..`. Anything else is left out of the directory.
fn writable(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    !name.is_empty()
        && name.len() <= 64
        && parts.len() <= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && *p != "."
                && *p != ".."
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        })
}

/// Write the bundle sections (all but [`PINS`]) into `dir`, emptied first. When
/// `manifest.json` parses as a manifest, the hash of every file it names that the input
/// carries is set to that file's real SHA-256, as anyone who edits a bundle can do, so
/// mutated contents get past the hash check to the parsers behind it; names of missing files
/// and unnamed extra files are kept, so those checks are reached too.
pub fn write(dir: &Path, sections: &BTreeMap<String, Vec<u8>>) -> std::io::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let mut hashes = BTreeMap::new();
    for (name, bytes) in sections {
        if name == "manifest.json" || name == PINS || !writable(name) {
            continue;
        }
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // A name that is also a directory of another section (`a` and `a/b`) is skipped.
        if std::fs::write(&path, bytes).is_ok() {
            hashes.insert(name.clone(), hex::encode(&Sha256::digest(bytes)));
        }
    }
    if let Some(manifest) = sections.get("manifest.json") {
        let bytes = match serde_json::from_slice::<Manifest>(manifest) {
            Ok(mut parsed) => {
                for (name, hash) in parsed.files.iter_mut() {
                    if let Some(real) = hashes.get(name) {
                        hash.clone_from(real);
                    }
                }
                serde_json::to_vec_pretty(&parsed).map_err(std::io::Error::other)?
            }
            Err(_) => manifest.to_vec(),
        };
        std::fs::write(dir.join("manifest.json"), bytes)?;
    }
    Ok(())
}

/// Pack the bundle in `dir` (and a pin file, if given) in the layout above: the manifest
/// first, then the other files by path; a newline is added to a file that lacks one.
pub fn pack(dir: &Path, pins: Option<&[u8]>) -> std::io::Result<Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
        Ok(())
    }
    let mut names = Vec::new();
    walk(dir, dir, &mut names)?;
    names.sort_by_key(|n| (n != "manifest.json", n.clone()));
    let mut out = Vec::new();
    for name in names {
        out.extend_from_slice(MARKER);
        out.extend_from_slice(name.as_bytes());
        out.push(b'\n');
        let bytes = std::fs::read(dir.join(&name))?;
        out.extend_from_slice(&bytes);
        // The next marker must start a line (the manifest is written without a final newline;
        // JSON allows one).
        if !bytes.ends_with(b"\n") {
            out.push(b'\n');
        }
    }
    if let Some(pins) = pins {
        out.extend_from_slice(MARKER);
        out.extend_from_slice(PINS.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(pins);
    }
    Ok(out)
}
