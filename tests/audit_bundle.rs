//! Audit bundles: exported on the station, verified with no vault against a pinned key,
//! newer bundles accepted, forks and every kind of edit rejected (exit 6), older bundles
//! warned about.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{TestVault, code, stderr};
use serde_json::Value;
use sha2::{Digest, Sha256};

struct Auditor {
    config: tempfile::TempDir,
}

impl Auditor {
    fn new() -> Auditor {
        Auditor {
            config: tempfile::tempdir().unwrap(),
        }
    }

    /// Run `audit ...` on a machine with no vault.
    fn run(&self, args: &[&str]) -> Output {
        std::process::Command::new(common::bin())
            .env("STRONGROOM_CONFIG_DIR", self.config.path())
            .env_remove("STRONGROOM_VAULT")
            .args(args)
            .output()
            .unwrap()
    }

    fn trust(&self, bundle: &Path) {
        let vkey = std::fs::read_to_string(bundle.join("station.vkey")).unwrap();
        let out = self.run(&["audit", "trust", vkey.trim()]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }

    fn verify(&self, bundle: &Path) -> (i32, Value) {
        let out = self.run(&["audit", "verify", bundle.to_str().unwrap(), "--json"]);
        let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("no report: {}", stderr(&out)));
        (code(&out), report)
    }
}

fn activity(vault: &TestVault, tag: &str) {
    let a = vault.file(&format!("{tag}-a.tif"), tag.as_bytes());
    let b = vault.file(&format!("{tag}-b.kml"), tag.as_bytes());
    let controls = vault.import(&[&a, &b], "confidential");
    let dest = vault.scratch(&format!("{tag}-out.tif"));
    vault.ok(&["export", &controls[0], "--to", dest.to_str().unwrap()]);
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

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn assert_rejected(auditor: &Auditor, bundle: &Path, expect: &str) -> Value {
    let (code, report) = auditor.verify(bundle);
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
    // Unknown key: refused until pinned.
    assert_rejected(&auditor, &first, "unknown station key");
    auditor.trust(&first);
    let (code, report) = auditor.verify(&first);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["filtered"], false);

    // A copy of the vault as it is now: someone will roll the station back to it later.
    let backup = vault.dir.path().join("vault-backup");
    copy_dir(&vault.root, &backup);

    activity(&vault, "two");
    let second = export(&vault, "second", &[]);
    let (code, report) = auditor.verify(&second);
    assert_eq!(code, 0, "a newer consistent bundle must verify: {report}");
    assert!(report["warnings"].as_array().unwrap().is_empty(), "{report}");

    // The first bundle again: older than what was accepted, a warning, not tampering.
    let (code, report) = auditor.verify(&first);
    assert_eq!(code, 0, "{report}");
    assert!(
        report["warnings"][0]
            .as_str()
            .unwrap()
            .contains("older than the pinned checkpoint"),
        "{report}"
    );

    // Roll the station back to the copy and make a different history past the pinned size.
    std::fs::remove_dir_all(&vault.root).unwrap();
    copy_dir(&backup, &vault.root);
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
    auditor.trust(&original);
    assert_eq!(auditor.verify(&original).0, 0);
    let fresh = |name: &str| {
        let copy = vault.dir.path().join(name);
        copy_dir(&original, &copy);
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
    let two = TestVault::new();
    activity(&two, "two");
    let bundle_two = export(&two, "two", &[]);
    let auditor = Auditor::new();
    auditor.trust(&bundle_one);
    assert_rejected(&auditor, &bundle_two, "unknown station key");
    // Station two's key presented as station one's: refused by the pin.
    let b = one.dir.path().join("mixed");
    copy_dir(&bundle_one, &b);
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
    auditor.trust(&bundle);
    let (code, report) = auditor.verify(&bundle);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["filtered"], true);

    let edited = vault.dir.path().join("exports-edited");
    copy_dir(&bundle, &edited);
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
    assert_eq!(
        code(&vault.run(&["ledger", "export", "--csv", csv.to_str().unwrap()])),
        1
    );
    assert_eq!(code(&vault.run(&["ledger", "export"])), 2);
}

#[test]
fn a_complete_bundle_relabelled_as_filtered_is_rejected() {
    let vault = TestVault::new();
    activity(&vault, "one");
    let original = export(&vault, "complete", &[]);
    let auditor = Auditor::new();
    auditor.trust(&original);
    // Claim a filter without naming one.
    let b = vault.dir.path().join("relabelled");
    copy_dir(&original, &b);
    let path = b.join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["filtered"] = Value::Bool(true);
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    assert_rejected(&auditor, &b, "filtered");
    // A filtered bundle whose events do not match its declared filter.
    let filtered = export(&vault, "exports", &["--action", "item.export"]);
    let b = vault.dir.path().join("wrong-filter");
    copy_dir(&filtered, &b);
    let path = b.join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["filters"]["action"] = Value::from("item.import");
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    assert_rejected(&auditor, &b, "does not match the filters");
    // A symlink in place of a bundle file is not followed.
    let b = vault.dir.path().join("symlinked");
    copy_dir(&original, &b);
    std::fs::remove_file(b.join("station.vkey")).unwrap();
    std::os::unix::fs::symlink(original.join("station.vkey"), b.join("station.vkey")).unwrap();
    assert_rejected(&auditor, &b, "not a regular file");
}
