//! Reading an audit bundle's files safely: every file against the manifest (no extra,
//! missing, symlinked or outside file), small files and lines of bounded size, and the proof
//! lines. `read.rs` decides what the contents prove.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::encoding::base64;
use crate::encoding::hex;
use crate::ledger::merkle::Hash;

use super::outcome::{BundleError, fail};
use super::{Manifest, ProofLine};

/// Longest line accepted in a `.jsonl` file.
const MAX_LINE: usize = 1 << 20;
/// Largest manifest, key or note accepted.
const MAX_SMALL_FILE: u64 = 1 << 20;

/// Every file named in the manifest exists and hashes right; no other file is present.
pub(super) fn check_files(dir: &Path, manifest: &Manifest) -> Result<(), BundleError> {
    for (name, expected) in &manifest.files {
        if name.contains("..") || name.starts_with('/') {
            return Err(fail(
                None,
                format!("the manifest names a file outside the bundle: {name}"),
            ));
        }
        let path = dir.join(name);
        let kind = std::fs::symlink_metadata(&path).map_err(|e| fail(None, format!("{name}: {e}")))?;
        if !kind.file_type().is_file() {
            return Err(fail(None, format!("{name} is not a regular file")));
        }
        let file = File::open(&path).map_err(|e| fail(None, format!("{name}: {e}")))?;
        let mut hasher = Sha256::new();
        let mut reader = BufReader::with_capacity(1 << 20, file);
        loop {
            let buf = reader.fill_buf().map_err(|e| fail(None, format!("{name}: {e}")))?;
            if buf.is_empty() {
                break;
            }
            hasher.update(buf);
            let n = buf.len();
            reader.consume(n);
        }
        if hex::encode(&hasher.finalize()) != *expected {
            return Err(fail(None, format!("{name} was changed after the bundle was written")));
        }
    }
    for path in list_files(dir, dir).map_err(|e| fail(None, format!("{}: {e}", dir.display())))? {
        let name = path.to_string_lossy().into_owned();
        if name != "manifest.json" && !manifest.files.contains_key(&name) {
            return Err(fail(None, format!("{name} is not part of the bundle")));
        }
    }
    Ok(())
}

fn list_files(root: &Path, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        // Symlinks are never followed: a linked directory is listed as an unknown entry.
        if entry.file_type()?.is_dir() {
            out.extend(list_files(root, &path)?);
        } else {
            out.push(path.strip_prefix(root).map(Path::to_path_buf).unwrap_or(path));
        }
    }
    Ok(out)
}

pub(super) fn read_small(path: &Path) -> Result<Vec<u8>, BundleError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = File::open(path).map_err(|e| fail(None, format!("{name}: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_SMALL_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(None, format!("{name}: {e}")))?;
    if bytes.len() as u64 > MAX_SMALL_FILE {
        return Err(fail(
            None,
            format!("{name} is larger than a bundle file of its kind can be"),
        ));
    }
    Ok(bytes)
}

/// Each line of a `.jsonl` file, bounded in length.
pub(super) fn for_lines(
    path: &Path,
    mut each: impl FnMut(u64, &[u8]) -> Result<(), BundleError>,
) -> Result<(), BundleError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = File::open(path).map_err(|e| fail(None, format!("{name}: {e}")))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::new();
    let mut index = 0u64;
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| fail(None, format!("{name}: {e}")))?;
        if n == 0 {
            return Ok(());
        }
        if line.last() != Some(&b'\n') {
            return Err(fail(
                None,
                format!("{name}: line {} is too long or unterminated", index + 1),
            ));
        }
        line.pop();
        each(index, &line)?;
        index += 1;
    }
}

/// Read proof lines (at most `max_lines`, each at most 128 hashes: enough for any tree).
pub(super) fn read_proofs(
    path: &Path,
    latest: u64,
    max_lines: u64,
    out: &mut BTreeMap<u64, Vec<Hash>>,
) -> Result<(), BundleError> {
    for_lines(path, |index, line| {
        if index >= max_lines {
            return Err(fail(
                None,
                "a proof file holds more proofs than the bundle has events or checkpoints",
            ));
        }
        let proof: ProofLine = serde_json::from_slice(line).map_err(|_| fail(None, "a proof line is malformed"))?;
        if proof.hashes.len() > 128 {
            return Err(fail(Some(proof.from), "a proof is longer than any tree needs"));
        }
        if proof.to != latest {
            return Err(fail(Some(proof.from), "a proof is against another tree size"));
        }
        let hashes = proof
            .hashes
            .iter()
            .map(|h| base64::decode(h).and_then(|b| Hash::try_from(b).ok()))
            .collect::<Option<Vec<Hash>>>()
            .ok_or_else(|| fail(Some(proof.from), "a proof hash is malformed"))?;
        out.insert(proof.from, hashes);
        Ok(())
    })
}

/// The seq an event line claims.
pub(super) fn line_seq(line: &[u8]) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Seq {
        seq: u64,
    }
    serde_json::from_slice::<Seq>(line).ok().map(|s| s.seq)
}
