//! Verifying an audit bundle on any machine, with no vault: every file against the manifest,
//! every checkpoint against the station key in force at its size (the pinned key, followed
//! through the key-change notes the bundle carries and those accepted here before), every
//! event against the signed roots, and the log against the last checkpoint this machine
//! accepted. Files are streamed with bounded line and file sizes, so a junk file costs
//! time, not memory.

use std::collections::BTreeMap;
use std::path::Path;

use crate::encoding::base64;
use crate::ledger::key_change_note::{self, KeyChange};
use crate::ledger::keys_in_force::{self, KeyChain, Link, key_id};
use crate::ledger::merkle::{self, Hash, TreeBuilder};
use crate::ledger::note::{NoteError, Verifier};
use crate::ledger::{checkpoint, epoch};

use super::files::{check_files, for_lines, line_seq, read_proofs, read_small};
use super::outcome::{BundleError, BundleReport, TrustStep, fail, untrusted};
use super::{AcceptedCheckpoint, AcceptedKeyChange, FORMAT, Manifest, Pin, Pins};

/// Verify the bundle in `dir` against `pins`; on success the pin's last checkpoint moves to
/// the bundle's (the caller saves the pins).
pub fn verify(dir: &Path, pins: &mut Pins) -> BundleReport {
    let mut report = BundleReport::default();
    match check(dir, pins, &mut report) {
        Ok(()) => report.ok = true,
        Err(e) => report.error = Some(e),
    }
    report
}

fn check(dir: &Path, pins: &mut Pins, report: &mut BundleReport) -> Result<(), BundleError> {
    let manifest: Manifest = serde_json::from_slice(&read_small(&dir.join("manifest.json"))?)
        .map_err(|e| fail(None, format!("manifest.json is not a bundle manifest: {e}")))?;
    if manifest.format != FORMAT || manifest.origin != epoch::origin(&manifest.station, manifest.epoch) {
        return Err(fail(None, "manifest.json is not a Strongroom audit bundle manifest"));
    }
    if manifest
        .epoch_start_seq
        .checked_add(manifest.latest_size)
        .is_none_or(|end| end > i64::MAX as u64)
    {
        return Err(fail(None, "manifest.json gives an impossible range"));
    }
    if manifest.filtered == manifest.filters.is_empty() {
        return Err(fail(
            None,
            "manifest.json says the bundle is filtered but names no filter, or the reverse",
        ));
    }
    report.origin = manifest.origin.clone();
    report.filtered = manifest.filtered;
    report.latest_size = manifest.latest_size;
    check_files(dir, &manifest)?;

    // The key: this station's, and the station pinned on this machine.
    let vkey = String::from_utf8(read_small(&dir.join("station.vkey"))?)
        .map_err(|_| fail(None, "station.vkey is not text"))?;
    let verifier = Verifier::parse(&vkey).map_err(|e| fail(None, format!("station.vkey: {e}")))?;
    if verifier.encode() != manifest.verifier_key || verifier.name != checkpoint::origin(&manifest.station) {
        return Err(fail(None, "station.vkey does not match the manifest"));
    }
    let pin = pins.stations.get(&verifier.name).cloned().ok_or_else(|| {
        untrusted(
            None,
            format!(
                "unknown station key {}: no key is pinned for this station on this machine yet",
                verifier.name
            ),
            TrustStep::PinKey { key: verifier.encode() },
        )
    })?;
    // The station's keys: the pinned one, and those the key changes lead to and from.
    let (keys, carried) = key_chain_from_pin(dir, &manifest, &verifier, &pin)?;
    report.key_changes = carried.len() as u64;
    let start = manifest.epoch_start_seq;

    // Checkpoints: each a note signed by the station key in force at its size, for this origin.
    let mut roots: BTreeMap<u64, Hash> = BTreeMap::new();
    for name in manifest.files.keys().filter(|n| n.starts_with("checkpoints/")) {
        let text =
            String::from_utf8(read_small(&dir.join(name))?).map_err(|_| fail(None, format!("{name} is not text")))?;
        let (key, body) = keys.open(&text).ok_or_else(|| {
            fail(
                None,
                format!("{name}: {}", NoteError::Unverified(verifier.name.clone())),
            )
        })?;
        let (origin, size, root) =
            checkpoint::parse_body(body).ok_or_else(|| fail(None, format!("{name} is not a checkpoint")))?;
        if origin != manifest.origin {
            return Err(fail(None, format!("{name} is a checkpoint of another log ({origin})")));
        }
        if !keys.in_force(key, manifest.epoch, size) {
            let seq = keys
                .changes()
                .get(key)
                .filter(|l| l.change.epoch == manifest.epoch)
                .map_or(start, |l| start + l.change.tree_size);
            return Err(fail(
                Some(seq),
                format!("{name} is {}", keys.out_of_force(key, manifest.epoch, size)),
            ));
        }
        if roots.insert(size, root).is_some_and(|other| other != root) {
            return Err(fail(
                Some(size),
                format!("two checkpoints of size {size} disagree: the log was forked"),
            ));
        }
    }
    report.checkpoints = roots.len() as u64;
    let (&latest, &latest_root) = roots
        .last_key_value()
        .ok_or_else(|| fail(None, "the bundle carries no checkpoint"))?;
    if latest != manifest.latest_size {
        return Err(fail(None, "the manifest's latest size is not the latest checkpoint's"));
    }

    // Each checkpoint and each key change of this epoch is consistent with the latest.
    let changes_here: Vec<&Link> = carried.iter().filter(|l| l.change.epoch == manifest.epoch).collect();
    let mut consistency: BTreeMap<u64, Vec<Hash>> = BTreeMap::new();
    read_proofs(
        &dir.join("proofs/consistency.jsonl"),
        latest,
        (roots.len() + changes_here.len()) as u64,
        &mut consistency,
    )?;
    for (size, root) in &roots {
        let proof = consistency
            .get(size)
            .ok_or_else(|| fail(Some(*size), format!("no consistency proof from checkpoint {size}")))?;
        merkle::verify_consistency(*size, latest, root, &latest_root, proof).map_err(|_| {
            fail(
                Some(*size),
                format!("checkpoint {size} is not consistent with checkpoint {latest}: the log was forked"),
            )
        })?;
    }
    for link in changes_here {
        let KeyChange {
            tree_size: size, root, ..
        } = link.change;
        let forked = || {
            fail(
                Some(start + size),
                format!(
                    "{} (the key change at size {size}) is not consistent with checkpoint {latest}: the log was forked",
                    link.label
                ),
            )
        };
        if size == 0 {
            if root != merkle::empty_root() {
                return Err(forked());
            }
            continue;
        }
        if size > latest {
            return Err(fail(
                Some(start + latest),
                format!(
                    "{} is a key change at size {size}, beyond the bundle's latest checkpoint {latest}",
                    link.label
                ),
            ));
        }
        if roots.get(&size).is_some_and(|r| *r != root) {
            return Err(forked());
        }
        let proof = consistency.get(&size).ok_or_else(|| {
            fail(
                Some(start + size),
                format!(
                    "no consistency proof from the key change at size {size} ({})",
                    link.label
                ),
            )
        })?;
        merkle::verify_consistency(size, latest, &root, &latest_root, proof).map_err(|_| forked())?;
    }

    // Events against the signed roots.
    let pinned_root = if manifest.filtered {
        check_filtered(dir, &manifest, latest, &latest_root, report)?;
        roots.get(&pin.size).copied()
    } else {
        check_complete(dir, manifest.epoch_start_seq, &roots, latest, pin.size, report)?
    };
    if report.events != manifest.events {
        return Err(fail(
            None,
            format!(
                "the manifest says {} events, events.jsonl holds {}",
                manifest.events, report.events
            ),
        ));
    }

    // Against what this machine accepted before: a new epoch is accepted only when an officer
    // here says so; an earlier epoch is old news.
    let mut pin = pin;
    if manifest.epoch > pin.epoch && pin.accept_new_epoch {
        // Accepted here: the new epoch's log starts afresh; the old epoch's last checkpoint
        // stays accepted (a bundle ending there is an archive).
        pin.remember_current();
        pin = Pin {
            epoch: manifest.epoch,
            size: 0,
            root: String::new(),
            accept_new_epoch: false,
            ..pin
        };
    }
    if manifest.epoch > pin.epoch {
        return Err(untrusted(
            Some(manifest.epoch_start_seq),
            format!(
                "the station started epoch {} at seq {} (damage was found before it); accept it only if its officers told you so",
                manifest.epoch, manifest.epoch_start_seq
            ),
            TrustStep::AcceptNewEpoch { key: verifier.encode() },
        ));
    }
    let latest_root_text = base64::encode(&latest_root);
    // The furthest this machine accepted in the bundle's epoch (after `audit trust --epoch`
    // with a new key the pin restarts at 0, but what was accepted before still counts).
    let floor = pin.highest_accepted(manifest.epoch);
    if pin.accepted_before(manifest.epoch, latest, &latest_root_text) && (latest < floor || manifest.epoch < pin.epoch)
    {
        report.archive = true;
    } else if manifest.epoch < pin.epoch {
        report.warnings.push(format!(
            "a bundle of epoch {}, before the accepted epoch {}",
            manifest.epoch, pin.epoch
        ));
    } else if floor > latest && !manifest.filtered {
        return Err(fail(
            Some(latest),
            format!(
                "a complete log that ends at size {latest}, below the checkpoint of size {floor} accepted here, at a checkpoint never accepted here: the station was rolled back"
            ),
        ));
    } else if floor > latest {
        report.warnings.push(format!(
            "older than the pinned checkpoint (size {latest} < {floor}): consistency not proven"
        ));
    } else if pin.size > 0 {
        let expected = base64::decode(&pin.root).and_then(|r| Hash::try_from(r).ok());
        match (pinned_root, expected) {
            (Some(found), Some(expected)) if found != expected => {
                return Err(fail(
                    Some(pin.size),
                    format!(
                        "the log differs from the checkpoint of size {} accepted before: it was forked",
                        pin.size
                    ),
                ));
            }
            (Some(_), Some(_)) => {}
            _ => report.warnings.push(format!(
                "consistency with the pinned checkpoint (size {}) not proven by this bundle",
                pin.size
            )),
        }
    }
    if latest >= pin.size && report.warnings.is_empty() && !report.archive {
        // Every checkpoint the bundle proved consistent with its newest one is accepted too:
        // an older bundle that ends at one of them is an archive, not a rollback.
        pin.remember_current();
        for (size, root) in roots.range(..latest) {
            pin.remember(AcceptedCheckpoint {
                epoch: manifest.epoch,
                size: *size,
                root: base64::encode(root),
            });
        }
        pin = Pin {
            verifier_key: keys.latest().encode(),
            size: latest,
            root: base64::encode(&latest_root),
            accept_new_epoch: false,
            key_changes: keys.changes().iter().map(|l| accepted(&l.change)).collect(),
            ..pin
        };
        pins.stations.insert(verifier.name.clone(), pin.clone());
    }
    report.pinned_key = pin.verifier_key;
    Ok(())
}

/// The chain of station keys through the pinned key: the key changes this machine accepted
/// before, then the bundle's notes (each signed by both its keys). Returns it with the notes
/// the bundle carries. A second successor of a key, a note that does not connect, or a bundle
/// key the chain does not reach is a rejection.
fn key_chain_from_pin(
    dir: &Path,
    manifest: &Manifest,
    verifier: &Verifier,
    pin: &Pin,
) -> Result<(KeyChain, Vec<Link>), BundleError> {
    let bad_pin = |what: String| {
        fail(
            None,
            format!("the pin file's entry for {} is damaged: {what}", verifier.name),
        )
    };
    let pinned = Verifier::parse(&pin.verifier_key).map_err(|e| bad_pin(e.to_string()))?;
    let mut links = Vec::new();
    for change in &pin.key_changes {
        let change = from_accepted(change, &manifest.station).ok_or_else(|| bad_pin("a key change".into()))?;
        links.push(Link {
            label: format!(
                "the key change accepted here at size {} of {}",
                change.tree_size, change.origin
            ),
            change,
        });
    }
    let mut carried = Vec::new();
    for name in manifest.files.keys().filter(|n| n.starts_with("key-changes/")) {
        let text =
            String::from_utf8(read_small(&dir.join(name))?).map_err(|_| fail(None, format!("{name} is not text")))?;
        let change = key_change_note::parse(&text).map_err(|e| fail(None, format!("{name}: {e}")))?;
        if change.old.name != verifier.name {
            return Err(fail(
                None,
                format!("{name} is a key change of another station ({})", change.old.name),
            ));
        }
        if change.epoch > manifest.epoch {
            return Err(fail(
                None,
                format!(
                    "{name} is a key change in epoch {}, after the bundle's epoch {}",
                    change.epoch, manifest.epoch
                ),
            ));
        }
        carried.push(Link {
            label: name.clone(),
            change,
        });
    }
    if carried.len() as u64 != manifest.key_changes {
        return Err(fail(
            None,
            format!(
                "the manifest says {} key-change notes, the bundle carries {}",
                manifest.key_changes,
                carried.len()
            ),
        ));
    }
    links.extend(carried.iter().cloned());
    let (keys, problems) = keys_in_force::build(&pinned, links);
    if let Some(problem) = problems.into_iter().next() {
        // Both numbers come from the bundle: a sum past u64 names no seq.
        let seq = (problem.epoch == manifest.epoch)
            .then(|| manifest.epoch_start_seq.checked_add(problem.tree_size))
            .flatten();
        return Err(fail(seq, problem.detail));
    }
    if keys.position(verifier).is_none() {
        if carried.is_empty() {
            return Err(untrusted(
                None,
                format!(
                    "the bundle is signed by key {}, not by the key {} pinned for this station, and carries no key-change note: a new station key is followed only through a note signed by the old and the new key, or accepted here if the station's officers announced it some other way",
                    key_id(verifier),
                    key_id(&pinned)
                ),
                TrustStep::AcceptNewEpoch { key: verifier.encode() },
            ));
        }
        return Err(fail(
            None,
            format!(
                "the bundle is signed by key {}, which its key-change notes do not lead to from the key {} pinned for this station",
                key_id(verifier),
                key_id(&pinned)
            ),
        ));
    }
    Ok((keys, carried))
}

/// A pin file's record of a key change.
fn accepted(change: &KeyChange) -> AcceptedKeyChange {
    AcceptedKeyChange {
        old_key: change.old.encode(),
        new_key: change.new.encode(),
        epoch: change.epoch,
        size: change.tree_size,
        root: base64::encode(&change.root),
    }
}

/// The key change a pin file records (trusted: this machine accepted it).
fn from_accepted(accepted: &AcceptedKeyChange, station: &str) -> Option<KeyChange> {
    Some(KeyChange {
        origin: epoch::origin(station, accepted.epoch),
        epoch: accepted.epoch,
        old: Verifier::parse(&accepted.old_key).ok()?,
        new: Verifier::parse(&accepted.new_key).ok()?,
        tree_size: accepted.size,
        root: base64::decode(&accepted.root).and_then(|r| Hash::try_from(r).ok())?,
    })
}

/// An unfiltered bundle: every event from 0, each checkpoint's root recomputed. Returns the
/// root at the pinned size, if the bundle reaches it.
fn check_complete(
    dir: &Path,
    start: u64,
    roots: &BTreeMap<u64, Hash>,
    latest: u64,
    pinned: u64,
    report: &mut BundleReport,
) -> Result<Option<Hash>, BundleError> {
    let mut builder = TreeBuilder::new();
    let mut pinned_root = None;
    let mut last_good = 0u64;
    for_lines(&dir.join("events.jsonl"), |index, line| {
        let expected = start + index;
        let seq = line_seq(line).ok_or_else(|| fail(Some(expected), format!("line {} is not an event", index + 1)))?;
        if seq != expected {
            let reason = if seq > expected {
                format!("event {expected} is missing (line {} is event {seq})", index + 1)
            } else {
                format!("line {} repeats or reorders event {seq}", index + 1)
            };
            return Err(fail(Some(expected.min(seq)), reason));
        }
        builder.push(merkle::leaf_hash(line));
        let size = builder.size();
        if let Some(root) = roots.get(&size) {
            if builder.root() != *root {
                return Err(fail(
                    Some(start + last_good),
                    format!(
                        "an event in seq {}..{} differs from what checkpoint {size} signed",
                        start + last_good,
                        start + size - 1
                    ),
                ));
            }
            last_good = size;
        }
        if size == pinned {
            pinned_root = Some(builder.root());
        }
        Ok(())
    })?;
    report.events = builder.size();
    if builder.size() != latest {
        let reason = if builder.size() < latest {
            format!(
                "events.jsonl ends at {} events; the latest checkpoint covers {latest}",
                builder.size()
            )
        } else {
            format!(
                "events.jsonl holds {} events, more than the {latest} its checkpoints sign",
                builder.size()
            )
        };
        return Err(fail(Some(builder.size().min(latest)), reason));
    }
    Ok(pinned_root)
}

/// A filtered bundle: each event carries an inclusion proof against the latest checkpoint.
fn check_filtered(
    dir: &Path,
    manifest: &Manifest,
    latest: u64,
    latest_root: &Hash,
    report: &mut BundleReport,
) -> Result<(), BundleError> {
    let start = manifest.epoch_start_seq;
    let expected_events = manifest.events;
    let mut proofs: BTreeMap<u64, Vec<Hash>> = BTreeMap::new();
    read_proofs(
        &dir.join("proofs/inclusion.jsonl"),
        latest,
        expected_events,
        &mut proofs,
    )?;
    let mut previous: Option<u64> = None;
    let mut count = 0u64;
    for_lines(&dir.join("events.jsonl"), |index, line| {
        let seq = line_seq(line).ok_or_else(|| fail(None, format!("line {} is not an event", index + 1)))?;
        if previous.is_some_and(|p| seq <= p) {
            return Err(fail(Some(seq), format!("line {} is out of order", index + 1)));
        }
        previous = Some(seq);
        if !matches_filters(line, &manifest.filters) {
            return Err(fail(
                Some(seq),
                format!("event {seq} does not match the filters the manifest declares"),
            ));
        }
        let proof = proofs
            .get(&seq)
            .ok_or_else(|| fail(Some(seq), format!("event {seq} has no inclusion proof")))?;
        let index = seq
            .checked_sub(start)
            .ok_or_else(|| fail(Some(seq), format!("event {seq} is before this epoch")))?;
        merkle::verify_inclusion(index, latest, &merkle::leaf_hash(line), proof, latest_root).map_err(|_| {
            fail(
                Some(seq),
                format!("event {seq} is not the event the log holds at that seq"),
            )
        })?;
        count += 1;
        Ok(())
    })?;
    report.events = count;
    Ok(())
}

/// Whether an event line matches the bundle's declared filters.
fn matches_filters(line: &[u8], filters: &BTreeMap<String, String>) -> bool {
    let Ok(event) = serde_json::from_slice::<serde_json::Value>(line) else {
        return false;
    };
    let text = |field: &str| event[field].as_str().unwrap_or_default().to_string();
    filters.iter().all(|(name, value)| match name.as_str() {
        "item" => event["details"]["item"].as_str() == Some(value.as_str()),
        "actor" => text("actor") == *value,
        "action" => text("action") == *value,
        "since" => text("time").as_str() >= value.as_str(),
        "until" => text("time").as_str() < value.as_str(),
        _ => false,
    })
}
