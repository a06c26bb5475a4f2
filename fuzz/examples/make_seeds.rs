//! Writes the fuzz seeds that are computed rather than copied (see fuzz/README.md):
//!
//! - `make_seeds gen SEEDS_DIR`: an audit bundle of station `0123456789abcdef` across a
//!   station key change (old key of seed 32 × 0x01, new key 32 × 0x02, as in the
//!   docs/LEDGER.md §3.6 vector), written with the library's own signing, tree and proof
//!   functions the way `ledger export` lays it out, verified with `bundle::verify`; its
//!   checkpoint notes; and the pin files before and after that verification.
//! - `make_seeds pack BUNDLE_DIR [PINS_FILE]`: a bundle written by `strongroom ledger
//!   export`, packed for the `bundle` target, on stdout.
//!
//! Run: `cargo run --manifest-path fuzz/Cargo.toml --example make_seeds -- gen fuzz/seeds`.

#[path = "../support/bundle_layout.rs"]
mod bundle_layout;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use strongroom::encoding::hex;
use strongroom::crypto::Key32;
use strongroom::crypto::sign::SignKey;
use strongroom::ledger::bundle::{self, FORMAT, Manifest, Pins};
use strongroom::ledger::merkle::{self, Tree};
use strongroom::ledger::note::{self, Verifier};
use strongroom::encoding::base64;
use strongroom::ledger::{checkpoint, key_change_note};

const STATION: &str = "0123456789abcdef";
const TIME: &str = "2026-11-23T15:04:05.250Z";

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["gen", seeds] => generate(Path::new(seeds)),
        ["pack", dir] => pack(Path::new(dir), None),
        ["pack", dir, pins] => pack(Path::new(dir), Some(Path::new(pins))),
        _ => Err("usage: make_seeds gen SEEDS_DIR | make_seeds pack BUNDLE_DIR [PINS_FILE]".into()),
    }
}

fn pack(dir: &Path, pins: Option<&Path>) -> Result<(), Failure> {
    let pins = pins.map(std::fs::read).transpose()?;
    std::io::stdout().write_all(&bundle_layout::pack(dir, pins.as_deref())?)?;
    Ok(())
}

/// An event line in canonical form (docs/FORMAT.md §10).
fn event(seq: u64, action: &str) -> String {
    format!(
        r#"{{"action":"{action}","actor":"alice","details":{{"directory_version":1}},"level":null,"seq":{seq},"subject":"station","time":"{TIME}"}}"#
    )
}

fn generate(seeds: &Path) -> Result<(), Failure> {
    let name = checkpoint::origin(STATION);
    let old = SignKey::from_seed(&Key32::from_bytes([0x01; 32]));
    let new = SignKey::from_seed(&Key32::from_bytes([0x02; 32]));
    let old_verifier = Verifier::new(&name, old.public())?;
    let new_verifier = Verifier::new(&name, new.public())?;

    // Six events; the old key signs checkpoints 2 and 4 and hands over at 4; the new key
    // signs 6, the latest.
    let actions = [
        "station.init",
        "auth.login",
        "auth.logout",
        "auth.login",
        "user.disable",
        "auth.logout",
    ];
    let events: Vec<String> = actions.iter().enumerate().map(|(i, a)| event(i as u64, a)).collect();
    let tree = Tree::new(events.iter().map(|e| merkle::leaf_hash(e.as_bytes())).collect());
    let latest = events.len() as u64;
    let checkpoint_note =
        |size: u64, key: &SignKey| note::sign(&checkpoint::body(&name, size, &tree.root_at(size as usize)), &name, key);

    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    files.insert(
        "station.vkey".into(),
        format!("{}\n", new_verifier.encode()).into_bytes(),
    );
    files.insert(
        "events.jsonl".into(),
        events.iter().map(|e| format!("{e}\n")).collect::<String>().into_bytes(),
    );
    for (size, key) in [(2, &old), (4, &old), (latest, &new)] {
        files.insert(
            format!("checkpoints/{size:012}.note"),
            checkpoint_note(size, key)?.into_bytes(),
        );
    }
    let change = key_change_note::sign(STATION, 0, &old, &new, 4, &tree.root_at(4))?;
    files.insert("key-changes/00000001.note".into(), change.into_bytes());
    let mut consistency = String::new();
    for from in [2, 4, latest] {
        let hashes: Vec<String> = tree
            .consistency_proof(from as usize, latest as usize)?
            .iter()
            .map(|h| base64::encode(h))
            .collect();
        consistency.push_str(&serde_json::json!({"from": from, "to": latest, "hashes": hashes}).to_string());
        consistency.push('\n');
    }
    files.insert("proofs/consistency.jsonl".into(), consistency.into_bytes());

    let manifest = Manifest {
        format: FORMAT.into(),
        station: STATION.into(),
        origin: name.clone(),
        epoch: 0,
        epoch_start_seq: 0,
        verifier_key: new_verifier.encode(),
        created_at: TIME.into(),
        filtered: false,
        filters: BTreeMap::new(),
        events: latest,
        first_seq: Some(0),
        last_seq: Some(latest - 1),
        checkpoints: 3,
        key_changes: 1,
        latest_size: latest,
        files: files
            .iter()
            .map(|(n, b)| (n.clone(), hex::encode(&Sha256::digest(b))))
            .collect(),
    };
    let work = std::env::temp_dir().join(format!("strongroom-make-seeds-{}", std::process::id()));
    let dir = work.join("bundle");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("manifest.json"), serde_json::to_vec_pretty(&manifest)?)?;
    for (n, bytes) in &files {
        let path = dir.join(n);
        std::fs::create_dir_all(path.parent().ok_or("a bundle path has a parent")?)?;
        std::fs::write(path, bytes)?;
    }

    // A machine that pinned the old key accepts the bundle, and moves its pin to the new key.
    let pins_path = work.join("pins.json");
    let mut pins = Pins::load(&pins_path)?;
    pins.trust(&old_verifier.encode(), false)?;
    pins.save()?;
    let trusted = std::fs::read(&pins_path)?;
    let report = bundle::verify(&dir, &mut pins);
    if !report.ok {
        return Err(format!("the generated bundle does not verify: {:?}", report.error).into());
    }
    pins.save()?;
    let moved = std::fs::read(&pins_path)?;

    let out = |sub: &str, file: &str, bytes: &[u8]| -> Result<(), Failure> {
        let path: PathBuf = seeds.join(sub);
        std::fs::create_dir_all(&path)?;
        std::fs::write(path.join(file), bytes)?;
        Ok(())
    };
    out("bundle", "key-change", &bundle_layout::pack(&dir, None)?)?;
    out(
        "bundle",
        "key-change-pinned-old",
        &bundle_layout::pack(&dir, Some(&trusted))?,
    )?;
    out("pins", "old-key-trusted.json", &trusted)?;
    out("pins", "after-key-change.json", &moved)?;
    out(
        "checkpoint",
        "station-old-key-2.note",
        &files["checkpoints/000000000002.note"],
    )?;
    out(
        "checkpoint",
        "station-new-key-6.note",
        &files["checkpoints/000000000006.note"],
    )?;
    let epoch_origin = format!("{name}/e1");
    let empty = checkpoint::body(&epoch_origin, 0, &merkle::empty_root());
    out(
        "checkpoint",
        "station-epoch1-empty.note",
        note::sign(&empty, &name, &old)?.as_bytes(),
    )?;
    out(
        "signed_note",
        "checkpoint-old-key.note",
        &files["checkpoints/000000000004.note"],
    )?;
    std::fs::remove_dir_all(&work)?;
    Ok(())
}
