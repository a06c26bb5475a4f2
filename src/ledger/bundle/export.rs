//! Writing an audit bundle from the station's database. The bundle is assembled in a hidden
//! sibling directory and renamed into place, so a failed export leaves no half bundle.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

use crate::encoding::base64;
use crate::encoding::hex;
use crate::ledger::merkle::{self, Tree};
use crate::ledger::note::Verifier;
use crate::ledger::query;
use crate::ledger::query::EventFilter;
use crate::ledger::{checkpoint, key_change_note};
use crate::{Error, Result};

use super::{FORMAT, Manifest, ProofLine};

/// Write a bundle of the log up to its latest checkpoint into `out` (which must not exist,
/// or be an empty directory). Only events matching `filter` are carried when it filters.
pub fn export(
    conn: &Connection,
    station_id: &str,
    verifier: &Verifier,
    filter: &EventFilter,
    out: &Path,
    now: &str,
) -> Result<Manifest> {
    if out.exists() && std::fs::read_dir(out).map_err(|e| Error::io(out, e))?.next().is_some() {
        return Err(Error::InvalidInput(format!(
            "{} is not empty; choose a new directory for the bundle",
            out.display()
        )));
    }
    let epoch = crate::ledger::epoch::current(conn)?;
    let checkpoints: Vec<checkpoint::StoredCheckpoint> = checkpoint::all(conn)?
        .into_iter()
        .filter(|c| c.epoch == epoch.number)
        .collect();
    let latest = checkpoints
        .iter()
        .max_by_key(|c| c.tree_size)
        .ok_or_else(|| Error::InvalidInput("the ledger has no checkpoint yet".into()))?;
    let size = latest.tree_size;

    // The epoch's whole tree up to its latest checkpoint, recomputed from the events' bytes.
    let start = epoch.start_seq;
    let mut leaves = Vec::with_capacity(size as usize);
    {
        let mut stmt = conn.prepare("SELECT seq, canonical FROM events WHERE seq >= ?1 AND seq < ?2 ORDER BY seq")?;
        let mut rows = stmt.query(params![start as i64, (start + size) as i64])?;
        while let Some(row) = rows.next()? {
            let seq = row.get::<_, i64>(0)? as u64;
            if seq != start + leaves.len() as u64 {
                return Err(damaged(start + leaves.len() as u64));
            }
            leaves.push(merkle::leaf_hash(&row.get::<_, Vec<u8>>(1)?));
        }
    }
    if leaves.len() as u64 != size {
        return Err(damaged(start + leaves.len() as u64));
    }
    let tree = Tree::new(leaves);
    if tree.root_at(size as usize) != latest.root {
        return Err(Error::LedgerDamaged {
            detail: "the log no longer matches its latest checkpoint".into(),
            first_bad: None,
        });
    }

    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging = parent.join(format!(".strongroom-bundle-{}", crate::ItemId::random()?));
    let result = write_files(
        conn,
        &staging,
        station_id,
        verifier,
        filter,
        &tree,
        &checkpoints,
        epoch,
        size,
        now,
    );
    match result {
        Ok(manifest) => {
            if out.exists() {
                std::fs::remove_dir(out).map_err(|e| Error::io(out, e))?;
            }
            std::fs::rename(&staging, out).map_err(|e| Error::io(out, e))?;
            Ok(manifest)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

fn damaged(seq: u64) -> Error {
    Error::LedgerDamaged {
        detail: format!("event {seq} is missing"),
        first_bad: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn write_files(
    conn: &Connection,
    dir: &Path,
    station_id: &str,
    verifier: &Verifier,
    filter: &EventFilter,
    tree: &Tree,
    checkpoints: &[checkpoint::StoredCheckpoint],
    epoch: crate::ledger::epoch::Epoch,
    size: u64,
    now: &str,
) -> Result<Manifest> {
    let start = epoch.start_seq;
    let io = |path: &Path, e: std::io::Error| Error::io(path, e);
    std::fs::create_dir_all(dir.join("checkpoints")).map_err(|e| io(dir, e))?;
    std::fs::create_dir_all(dir.join("proofs")).map_err(|e| io(dir, e))?;
    let mut files = BTreeMap::new();
    let mut put = |name: &str, bytes: &[u8]| -> Result<()> {
        let path = dir.join(name);
        let mut file = std::fs::File::create(&path).map_err(|e| io(&path, e))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| io(&path, e))?;
        files.insert(name.to_string(), hex::encode(&Sha256::digest(bytes)));
        Ok(())
    };

    put("station.vkey", format!("{}\n", verifier.encode()).as_bytes())?;

    // Events: all of them, or the filtered ones, below the latest checkpoint.
    let filtered = filter.is_filtered();
    let mut events = Vec::new();
    let mut carried: Vec<u64> = Vec::new();
    let mut after = start.checked_sub(1);
    loop {
        let page = query::query(conn, filter, after, 10_000)?;
        let Some(last) = page.last() else { break };
        after = Some(last.seq);
        for event in page.into_iter().filter(|e| e.seq >= start && e.seq < start + size) {
            events.extend_from_slice(&event.canonical);
            events.push(b'\n');
            carried.push(event.seq);
        }
        if after.is_some_and(|a| a + 1 >= start + size) {
            break;
        }
    }
    put("events.jsonl", &events)?;

    // Every checkpoint once per size.
    let mut by_size: BTreeMap<u64, &checkpoint::StoredCheckpoint> = BTreeMap::new();
    for cp in checkpoints.iter().filter(|c| c.tree_size <= size && c.tree_size > 0) {
        by_size.entry(cp.tree_size).or_insert(cp);
    }
    for (cp_size, cp) in &by_size {
        put(&format!("checkpoints/{cp_size:012}.note"), cp.note.as_bytes())?;
    }
    // Every key-change note signed by both its keys, of any epoch: an auditor pinned to any
    // earlier key follows them to the current one. Notes that are not are `ledger verify`
    // findings; carrying them would only make the bundle unverifiable.
    let mut change_sizes = Vec::new();
    let mut key_changes = 0u64;
    for row in key_change_note::all(conn)? {
        let Ok(change) = key_change_note::parse(&row.note) else {
            continue;
        };
        if key_changes == 0 {
            std::fs::create_dir_all(dir.join("key-changes")).map_err(|e| io(dir, e))?;
        }
        put(&format!("key-changes/{:08}.note", row.id), row.note.as_bytes())?;
        key_changes += 1;
        if change.epoch == epoch.number && change.tree_size > 0 && change.tree_size <= size {
            change_sizes.push(change.tree_size);
        }
    }
    // A consistency proof to the latest from each checkpoint and key change of the epoch.
    let proof_sizes: std::collections::BTreeSet<u64> = by_size.keys().copied().chain(change_sizes).collect();
    let mut consistency = Vec::new();
    for from in proof_sizes {
        let hashes = tree
            .consistency_proof(from as usize, size as usize)
            .map_err(|e| Error::InvalidInput(e.to_string()))?;
        push_line(&mut consistency, from, size, &hashes)?;
    }
    put("proofs/consistency.jsonl", &consistency)?;
    if filtered {
        let mut inclusion = Vec::new();
        for seq in &carried {
            let hashes = tree
                .inclusion_proof((*seq - start) as usize, size as usize)
                .map_err(|e| Error::InvalidInput(e.to_string()))?;
            push_line(&mut inclusion, *seq, size, &hashes)?;
        }
        put("proofs/inclusion.jsonl", &inclusion)?;
    }

    let mut filters = BTreeMap::new();
    if let Some(item) = filter.item {
        filters.insert("item".into(), item.to_string());
    }
    for (name, value) in [
        ("actor", &filter.actor),
        ("action", &filter.action),
        ("since", &filter.since),
        ("until", &filter.until),
    ] {
        if let Some(value) = value {
            filters.insert(name.into(), value.clone());
        }
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        station: station_id.into(),
        origin: crate::ledger::epoch::origin(station_id, epoch.number),
        epoch: epoch.number,
        epoch_start_seq: start,
        verifier_key: verifier.encode(),
        created_at: now.into(),
        filtered,
        filters,
        events: carried.len() as u64,
        first_seq: carried.first().copied(),
        last_seq: carried.last().copied(),
        checkpoints: by_size.len() as u64,
        key_changes,
        latest_size: size,
        files,
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::InvalidInput(e.to_string()))?;
    let path = dir.join("manifest.json");
    let mut file = std::fs::File::create(&path).map_err(|e| io(&path, e))?;
    file.write_all(&text)
        .and_then(|()| file.sync_all())
        .map_err(|e| io(&path, e))?;
    Ok(manifest)
}

fn push_line(out: &mut Vec<u8>, from: u64, to: u64, hashes: &[merkle::Hash]) -> Result<()> {
    let line = ProofLine {
        from,
        to,
        hashes: hashes.iter().map(|h| base64::encode(h)).collect(),
    };
    serde_json::to_writer(&mut *out, &line).map_err(|e| Error::InvalidInput(e.to_string()))?;
    out.push(b'\n');
    Ok(())
}
