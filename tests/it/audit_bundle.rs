//! Audit bundles: exported on the station, verified with no vault against a pinned key,
//! newer bundles accepted, forks and every kind of edit rejected (exit 6), older bundles
//! warned about.

use std::path::{Path, PathBuf};

use crate::support::TestVault;
use crate::support::auditor::Auditor;
use crate::support::cli::export_args;
use serde_json::Value;
use sha2::{Digest, Sha256};
use strongroom::crypto::sign::SignKey;
use strongroom::ledger::query::EventFilter;
use strongroom::ledger::{bundle, key_change_note, note};

fn activity(vault: &TestVault, tag: &str) {
    let a = vault.file(&format!("{tag}-a.tif"), tag.as_bytes());
    let b = vault.file(&format!("{tag}-b.kml"), tag.as_bytes());
    let controls = vault.import(&[&a, &b], "confidential");
    let dest = vault.scratch(&format!("{tag}-out.tif"));
    vault.ok(&export_args(&controls[0], dest.to_str().unwrap(), &[]));
}

fn export(vault: &TestVault, name: &str, extra: &[&str]) -> PathBuf {
    let out = vault.dir.path().join(name);
    let mut args = vec!["ledger", "export", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    vault.ok(&args);
    out
}

/// Rewrite a file and fix its hash in the manifest, as someone covering their tracks would.
fn rewrite(bundle: &Path, name: &str, f: impl FnOnce(&mut Vec<u8>)) {
    let path = bundle.join(name);
    let mut bytes = std::fs::read(&path).unwrap();
    f(&mut bytes);
    std::fs::write(&path, &bytes).unwrap();
    let manifest_path = bundle.join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    manifest["files"][name] = Value::String(digest);
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

fn assert_rejected(auditor: &Auditor, bundle: &Path, expect: &str) -> Value {
    let (code, report) = auditor.verify_bundle(bundle);
    assert_eq!(code, 6, "{report}");
    assert_eq!(report["ok"], false);
    let reason = report["error"]["reason"].as_str().unwrap();
    assert!(reason.contains(expect), "expected '{expect}' in: {reason}");
    report
}

#[test]
fn a_bundle_verifies_on_another_machine_then_a_newer_one_and_a_fork_is_rejected() {
    let vault = TestVault::new();
    activity(&vault, "one");
    let first = export(&vault, "first", &[]);
    let auditor = Auditor::new();
    // Unknown key: refused until pinned; the report names the key to pin, with no command in
    // the library's words.
    let refused = assert_rejected(&auditor, &first, "unknown station key");
    assert_eq!(refused["error"]["trust"]["step"], "pin_key");
    assert!(
        refused["error"]["trust"]["key"]
            .as_str()
            .unwrap()
            .starts_with("strongroom/")
    );
    assert!(!refused["error"]["reason"].as_str().unwrap().contains('`'));
    auditor.trust_file(&first.join("station.vkey"));
    let (code, report) = auditor.verify_bundle(&first);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["filtered"], false);

    // A copy of the vault as it is now: someone will roll the station back to it later.
    let backup = vault.dir.path().join("vault-backup");
    crate::support::files::copy_private(&vault.root, &backup);

    activity(&vault, "two");
    let second = export(&vault, "second", &[]);
    let (code, report) = auditor.verify_bundle(&second);
    assert_eq!(code, 0, "a newer consistent bundle must verify: {report}");
    assert!(report["warnings"].as_array().unwrap().is_empty(), "{report}");

    // The first bundle again: accepted here before, so an archive (OK, said so), and the pin
    // stays at the newer one (DESIGN.md §4).
    let (code, report) = auditor.verify_bundle(&first);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["archive"], true, "{report}");
    assert!(report["warnings"].as_array().unwrap().is_empty(), "{report}");

    // Roll the station back to the copy and make a different history past the pinned size.
    std::fs::remove_dir_all(&vault.root).unwrap();
    crate::support::files::copy_private(&backup, &vault.root);
    for tag in ["fork-a", "fork-b", "fork-c"] {
        activity(&vault, tag);
    }
    let forked = export(&vault, "forked", &[]);
    assert_rejected(&auditor, &forked, "forked");
}

#[test]
fn every_edit_to_a_bundle_is_rejected() {
    let vault = TestVault::new();
    activity(&vault, "one");
    activity(&vault, "two");
    let original = export(&vault, "bundle", &[]);
    let auditor = Auditor::new();
    auditor.trust_file(&original.join("station.vkey"));
    assert_eq!(auditor.verify_bundle(&original).0, 0);
    let fresh = |name: &str| {
        let copy = vault.dir.path().join(name);
        crate::support::files::copy_private(&original, &copy);
        copy
    };

    // A changed line, the manifest left alone: the file hash gives it away.
    let b = fresh("edited-plain");
    let text = std::fs::read_to_string(b.join("events.jsonl"))
        .unwrap()
        .replacen("alice", "mallo", 1);
    std::fs::write(b.join("events.jsonl"), text).unwrap();
    assert_rejected(&auditor, &b, "changed after the bundle was written");

    // The same with the manifest's hash fixed: the signed roots give it away.
    let b = fresh("edited");
    rewrite(&b, "events.jsonl", |bytes| {
        let text = String::from_utf8(bytes.clone())
            .unwrap()
            .replacen("\"actor\":\"alice\"", "\"actor\":\"mallo\"", 1);
        *bytes = text.into_bytes();
    });
    assert_rejected(&auditor, &b, "differs from what checkpoint");

    let lines = |b: &Path| -> Vec<String> {
        std::fs::read_to_string(b.join("events.jsonl"))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let set_lines = |lines: Vec<String>| move |bytes: &mut Vec<u8>| *bytes = (lines.join("\n") + "\n").into_bytes();

    let b = fresh("missing-line");
    let mut l = lines(&b);
    l.remove(3);
    rewrite(&b, "events.jsonl", set_lines(l));
    let report = assert_rejected(&auditor, &b, "event 3 is missing");
    assert_eq!(report["error"]["seq"], 3);

    let b = fresh("swapped");
    let mut l = lines(&b);
    l.swap(4, 5);
    rewrite(&b, "events.jsonl", set_lines(l));
    assert_eq!(assert_rejected(&auditor, &b, "line")["error"]["seq"], 4);

    let b = fresh("extra-line");
    let mut l = lines(&b);
    let last = l.last().unwrap().clone();
    l.push(last);
    rewrite(&b, "events.jsonl", set_lines(l));
    assert_rejected(&auditor, &b, "repeats or reorders");

    let b = fresh("truncated");
    let mut l = lines(&b);
    l.truncate(l.len() - 2);
    rewrite(&b, "events.jsonl", set_lines(l));
    assert_rejected(&auditor, &b, "ends at");

    // A checkpoint re-signed with another key.
    let b = fresh("re-signed");
    let note_name = std::fs::read_dir(b.join("checkpoints"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name()
        .to_string_lossy()
        .into_owned();
    let name = format!("checkpoints/{note_name}");
    rewrite(&b, &name, |bytes| {
        let text = String::from_utf8(bytes.clone()).unwrap();
        let (body, _) = strongroom::ledger::note::parse(&text).unwrap();
        let origin = body.lines().next().unwrap().to_string();
        let impostor = strongroom::crypto::sign::SignKey::random().unwrap();
        *bytes = strongroom::ledger::note::sign(body, &origin, &impostor)
            .unwrap()
            .into_bytes();
    });
    assert_rejected(&auditor, &b, "no valid signature");

    // Missing and extra files, a malformed manifest, a 2 GiB junk events file.
    let b = fresh("missing-file");
    std::fs::remove_file(b.join("proofs/consistency.jsonl")).unwrap();
    assert_rejected(&auditor, &b, "consistency.jsonl");
    let b = fresh("extra-file");
    std::fs::write(b.join("notes.txt"), b"hello").unwrap();
    assert_rejected(&auditor, &b, "not part of the bundle");
    let b = fresh("bad-manifest");
    std::fs::write(b.join("manifest.json"), b"{ not json").unwrap();
    assert_rejected(&auditor, &b, "manifest");
    let b = fresh("junk");
    std::fs::File::create(b.join("events.jsonl"))
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    assert_rejected(&auditor, &b, "changed after the bundle was written");
    rewrite(&b, "station.vkey", |_| {});
    assert_rejected(&auditor, &b, "changed after the bundle was written");
}

#[test]
fn a_bundle_from_another_station_or_mixed_stations_is_rejected() {
    let one = TestVault::new();
    activity(&one, "one");
    let bundle_one = export(&one, "one", &[]);
    let two = TestVault::fresh();
    activity(&two, "two");
    let bundle_two = export(&two, "two", &[]);
    let auditor = Auditor::new();
    auditor.trust_file(&bundle_one.join("station.vkey"));
    assert_rejected(&auditor, &bundle_two, "unknown station key");
    // Station two's key presented as station one's: refused by the pin.
    let b = one.dir.path().join("mixed");
    crate::support::files::copy_private(&bundle_one, &b);
    let other_note = std::fs::read_dir(bundle_two.join("checkpoints"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let target = format!(
        "checkpoints/{}",
        std::fs::read_dir(b.join("checkpoints"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .file_name()
            .to_string_lossy()
    );
    let foreign = std::fs::read(other_note).unwrap();
    rewrite(&b, &target, |bytes| *bytes = foreign);
    assert_rejected(&auditor, &b, "no valid signature");
}

#[test]
fn a_filtered_bundle_proves_each_event_it_carries() {
    let vault = TestVault::new();
    activity(&vault, "one");
    activity(&vault, "two");
    let bundle = export(&vault, "exports", &["--action", "item.export"]);
    let manifest: Value = serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["filtered"], true);
    assert_eq!(manifest["events"], 2);
    let auditor = Auditor::new();
    auditor.trust_file(&bundle.join("station.vkey"));
    let (code, report) = auditor.verify_bundle(&bundle);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["filtered"], true);

    let edited = vault.dir.path().join("exports-edited");
    crate::support::files::copy_private(&bundle, &edited);
    rewrite(&edited, "events.jsonl", |bytes| {
        *bytes = String::from_utf8(bytes.clone())
            .unwrap()
            .replacen("\"actor\":\"alice\"", "\"actor\":\"mallo\"", 1)
            .into_bytes();
    });
    let seq = std::fs::read_to_string(bundle.join("events.jsonl"))
        .unwrap()
        .lines()
        .next()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["seq"].clone())
        .unwrap();
    let report = assert_rejected(&auditor, &edited, "is not the event the log holds");
    assert_eq!(report["error"]["seq"], seq);
}

#[test]
fn csv_export_for_spreadsheets_uses_the_same_filters() {
    let vault = TestVault::new();
    activity(&vault, "one");
    let csv = vault.dir.path().join("exports.csv");
    vault.ok(&[
        "ledger",
        "export",
        "--csv",
        csv.to_str().unwrap(),
        "--action",
        "item.export",
    ]);
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "seq,time,actor,action,subject,level,details");
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].contains(",alice,item.export,SR-"), "{text}");
    // Never overwritten; and --out or --csv is required.
    vault.run(&["ledger", "export", "--csv", csv.to_str().unwrap()]).code(1);
    vault.run(&["ledger", "export"]).code(2);
}

#[test]
fn a_complete_bundle_relabelled_as_filtered_is_rejected() {
    let vault = TestVault::new();
    activity(&vault, "one");
    let original = export(&vault, "complete", &[]);
    let auditor = Auditor::new();
    auditor.trust_file(&original.join("station.vkey"));
    // Claim a filter without naming one.
    let b = vault.dir.path().join("relabelled");
    crate::support::files::copy_private(&original, &b);
    let path = b.join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["filtered"] = Value::Bool(true);
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    assert_rejected(&auditor, &b, "filtered");
    // A filtered bundle whose events do not match its declared filter.
    let filtered = export(&vault, "exports", &["--action", "item.export"]);
    let b = vault.dir.path().join("wrong-filter");
    crate::support::files::copy_private(&filtered, &b);
    let path = b.join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["filters"]["action"] = Value::from("item.import");
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    assert_rejected(&auditor, &b, "does not match the filters");
    // A symlink in place of a bundle file is not followed.
    let b = vault.dir.path().join("symlinked");
    crate::support::files::copy_private(&original, &b);
    std::fs::remove_file(b.join("station.vkey")).unwrap();
    std::os::unix::fs::symlink(original.join("station.vkey"), b.join("station.vkey")).unwrap();
    assert_rejected(&auditor, &b, "not a regular file");
}

// Station signing-key changes. The station code that replaces the key when a user is
// disabled comes later: the change is recorded through the library, and bundles signed by
// the new key are exported through the library with it as the station's current key.

/// Export the complete (or filtered) log through the library, with `key` as the current key.
fn export_with_key(vault: &TestVault, name: &str, key: &SignKey, filter: &EventFilter) -> PathBuf {
    let out = vault.dir.path().join(name);
    bundle::export(
        &vault.db(),
        &vault.station_id(),
        &vault.verifier(key),
        filter,
        &out,
        crate::support::NOW,
    )
    .unwrap();
    out
}

/// A vault whose first bundle an auditor accepted, then whose key k0 was replaced by k1,
/// with more work checkpointed by k1. Returns the vault, the first bundle, k0 and k1.
fn key_changed_vault() -> (TestVault, PathBuf, SignKey, SignKey) {
    let vault = TestVault::new();
    activity(&vault, "one");
    let first = export(&vault, "first", &[]);
    let k0 = vault.signing_key();
    let k1 = SignKey::random().unwrap();
    vault.change_signing_key(&k0, &k1);
    activity(&vault, "two");
    vault.checkpoint_with(&k1).unwrap();
    (vault, first, k0, k1)
}

fn pinned(auditor: &Auditor) -> Value {
    let pins: Value = serde_json::from_slice(&std::fs::read(auditor.config.path().join("pins.json")).unwrap()).unwrap();
    pins["stations"].as_object().unwrap().values().next().unwrap().clone()
}

/// Remove a key-change note from a bundle and from its manifest, as someone covering their
/// tracks would.
fn drop_key_change(bundle: &Path, name: &str) {
    std::fs::remove_file(bundle.join(name)).unwrap();
    let manifest_path = bundle.join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["files"].as_object_mut().unwrap().remove(name);
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    set_key_change_count(bundle, 0);
}

fn set_key_change_count(bundle: &Path, count: u64) {
    let manifest_path = bundle.join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["key_changes"] = Value::from(count);
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

fn key_change_file(bundle: &Path) -> String {
    let entry = std::fs::read_dir(bundle.join("key-changes"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    format!("key-changes/{}", entry.file_name().to_string_lossy())
}

#[test]
fn a_bundle_across_a_key_change_verifies_against_the_old_pin_and_moves_it() {
    let (vault, first, k0, k1) = key_changed_vault();
    let auditor = Auditor::new();
    auditor.trust_file(&first.join("station.vkey"));
    assert_eq!(auditor.verify_bundle(&first).0, 0);
    assert_eq!(pinned(&auditor)["verifier_key"], vault.verifier(&k0).encode());
    assert!(
        pinned(&auditor).get("key_changes").is_none(),
        "pin files keep their shape"
    );

    let second = export_with_key(&vault, "second", &k1, &EventFilter::default());
    let manifest: Value = serde_json::from_slice(&std::fs::read(second.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["key_changes"], 1);
    let (code, report) = auditor.verify_bundle(&second);
    assert_eq!(code, 0, "{report}");
    assert!(report["warnings"].as_array().unwrap().is_empty(), "{report}");
    assert_eq!(report["key_changes"], 1);
    assert_eq!(report["pinned_key"], vault.verifier(&k1).encode());
    let pin = pinned(&auditor);
    assert_eq!(pin["verifier_key"], vault.verifier(&k1).encode());
    assert_eq!(pin["key_changes"][0]["old_key"], vault.verifier(&k0).encode());
    assert_eq!(pin["size"], report["latest_size"]);

    // The first bundle, signed only by k0 before the change and accepted then, is an
    // archive, not a failure.
    let (code, report) = auditor.verify_bundle(&first);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["archive"], true, "{report}");
    // A filtered bundle across the change proves its events against k1's checkpoint.
    let filter = EventFilter {
        action: Some("item.export".into()),
        ..Default::default()
    };
    let filtered = export_with_key(&vault, "filtered", &k1, &filter);
    let (code, report) = auditor.verify_bundle(&filtered);
    assert_eq!(code, 0, "{report}");
    // The retired key cannot be pinned again on this machine, even as a new epoch.
    let old = vault.verifier(&k0).encode();
    auditor.run(&["audit", "trust", &old]).code(5);
    auditor.run(&["audit", "trust", "--epoch", &old]).code(5);

    // A later bundle, after a second change, follows both notes from the moved pin.
    let k2 = SignKey::random().unwrap();
    vault.change_signing_key(&k1, &k2);
    activity(&vault, "three");
    vault.checkpoint_with(&k2).unwrap();
    let third = export_with_key(&vault, "third", &k2, &EventFilter::default());
    let (code, report) = auditor.verify_bundle(&third);
    assert_eq!(code, 0, "{report}");
    assert_eq!(pinned(&auditor)["verifier_key"], vault.verifier(&k2).encode());
    assert_eq!(pinned(&auditor)["key_changes"].as_array().unwrap().len(), 2);
}

#[test]
fn a_bundle_whose_key_changed_without_a_note_or_with_a_forged_one_is_rejected() {
    let (vault, first, k0, k1) = key_changed_vault();
    let original = export_with_key(&vault, "second", &k1, &EventFilter::default());
    let auditor = Auditor::new();
    auditor.trust_file(&first.join("station.vkey"));
    let fresh = |name: &str| {
        let copy = vault.dir.path().join(name);
        crate::support::files::copy_private(&original, &copy);
        copy
    };
    let note_file = key_change_file(&original);
    let station = vault.station_id();
    let name = format!("strongroom/{station}");

    // No note: the new key has nothing linking it to the pinned one.
    let b = fresh("no-note");
    drop_key_change(&b, &note_file);
    assert_rejected(&auditor, &b, "carries no key-change note");

    // The note signed by one key only.
    let stored = std::fs::read_to_string(original.join(&note_file)).unwrap();
    let (text, _) = note::parse(&stored).unwrap();
    for (signer, missing) in [(&k0, "not signed by the new key"), (&k1, "not signed by the old key")] {
        let b = fresh(&format!("one-signature-{missing}").replace(' ', "-"));
        let forged = note::sign(text, &name, signer).unwrap();
        rewrite(&b, &note_file, |bytes| *bytes = forged.into_bytes());
        assert_rejected(&auditor, &b, missing);
    }

    // A note from the retired key to a key of the forger's, beside the real one.
    let b = fresh("two-successors");
    let change = key_change_note::parse(&stored).unwrap();
    let other = SignKey::random().unwrap();
    let forged = key_change_note::sign(&station, 0, &k0, &other, change.tree_size, &change.root).unwrap();
    std::fs::write(b.join("key-changes/00000099.note"), &forged).unwrap();
    rewrite(&b, "key-changes/00000099.note", |_| {});
    set_key_change_count(&b, 2);
    assert_rejected(&auditor, &b, "two successors");

    // The forger's note in place of the real one: the bundle's key is out of reach.
    let b = fresh("replaced-note");
    rewrite(&b, &note_file, |bytes| *bytes = forged.clone().into_bytes());
    assert_rejected(&auditor, &b, "do not lead to");

    // A note of two keys of the forger's at the last tree size there is, with the epoch said
    // to start at seq 1: the seq it would name is past u64, and the bundle is rejected with
    // no seq instead of crashing the verifier (found by fuzzing the bundle reader).
    let b = fresh("size-at-the-end-of-u64");
    let (x, y) = (SignKey::random().unwrap(), SignKey::random().unwrap());
    let far = key_change_note::sign(&station, 0, &x, &y, u64::MAX, &change.root).unwrap();
    rewrite(&b, &note_file, |bytes| *bytes = far.into_bytes());
    let manifest_path = b.join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["epoch_start_seq"] = Value::from(1);
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    let report = assert_rejected(&auditor, &b, "");
    assert!(report["error"]["seq"].is_null(), "{report}");

    // None of that moved the pin.
    assert_eq!(pinned(&auditor)["verifier_key"], vault.verifier(&k0).encode());
    assert_eq!(auditor.verify_bundle(&original).0, 0);
}

#[test]
fn a_bundle_with_a_checkpoint_by_the_retired_key_is_rejected() {
    let (vault, first, k0, k1) = key_changed_vault();
    let auditor = Auditor::new();
    auditor.trust_file(&first.join("station.vkey"));
    // Someone who kept the retired key signs the log past the change.
    activity(&vault, "by-the-disabled-user");
    vault.insider_checkpoint(&k0);
    let bundle = export_with_key(&vault, "retired", &k1, &EventFilter::default());
    let report = assert_rejected(&auditor, &bundle, "retired key");
    assert!(report["error"]["seq"].is_u64(), "{report}");
}

#[test]
fn a_complete_bundle_below_the_pin_that_was_never_accepted_is_a_rollback() {
    let vault = TestVault::new();
    activity(&vault, "one");
    // A bundle made now but never shown to this auditor, and a copy of the vault.
    let unseen = export(&vault, "unseen", &[]);
    let backup = vault.dir.path().join("vault-backup");
    crate::support::files::copy_private(&vault.root, &backup);
    activity(&vault, "two");
    let newer = export(&vault, "newer", &[]);
    let auditor = Auditor::new();
    auditor.trust_file(&newer.join("station.vkey"));
    let (code, report) = auditor.verify_bundle(&newer);
    assert_eq!(code, 0, "{report}");
    let pinned_size = report["latest_size"].clone();
    // The unseen bundle ends at a checkpoint the newer one carried and proved: an archive.
    let (code, report) = auditor.verify_bundle(&unseen);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["archive"], true, "{report}");
    // The station rolled back to the copy: its complete log stops below the pin, at a
    // checkpoint this machine never accepted.
    std::fs::remove_dir_all(&vault.root).unwrap();
    crate::support::files::copy_private(&backup, &vault.root);
    let rolled = export(&vault, "rolled", &[]);
    assert_rejected(&auditor, &rolled, "rolled back");
    // A filtered bundle claims no completeness: older than the pin is a warning.
    let rolled_filtered = export(&vault, "rolled-filtered", &["--action", "item.export"]);
    let (code, report) = auditor.verify_bundle(&rolled_filtered);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["archive"], false);
    assert!(
        report["warnings"][0]
            .as_str()
            .unwrap()
            .contains("older than the pinned"),
        "{report}"
    );
    // None of them moved the pin.
    let (code, report) = auditor.verify_bundle(&newer);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["latest_size"], pinned_size);
}
