//! Certificates of destruction (issue 31) through the real binary: one signed certificate
//! for a batch with a witness, its PDF (the font embedded and subset, the Chinese and the
//! control numbers extractable), offline verification against a pinned admin key with and
//! without a bundle, and every refusal: an edited, re-signed or truncated certificate, a
//! bundle without its events, another station's pin, an operator's certificate before an
//! officer signs it, and a certificate row edited in the database.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::auditor::Auditor;
use crate::support::{TestVault, code, requires, stderr, stdout};

const CAROL_PW: &str = "carol's long passphrase";
const BOB_PW: &str = "bob's long passphrase";

/// alice (officer) with carol (officer, witness) and bob (operator, confidential): made
/// once per process and copied; returns carol's and bob's password files.
fn vault() -> (TestVault, PathBuf, PathBuf) {
    let vault = TestVault::from_template("certificates", |vault| {
        vault.add_ready_user("carol", "officer", "top-secret", CAROL_PW);
        vault.add_ready_user("bob", "operator", "confidential", BOB_PW);
    });
    let carol = vault.file("carol-pw", format!("{CAROL_PW}\n").as_bytes());
    let bob = vault.file("bob-pw", format!("{BOB_PW}\n").as_bytes());
    (vault, carol, bob)
}

fn with_witness<'a>(args: &[&'a str], witness: &'a Path) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend([
        "--witness",
        "carol",
        "--witness-password-file",
        witness.to_str().unwrap(),
    ]);
    all
}

fn export(vault: &TestVault, number: &str, name: &str) -> PathBuf {
    let out = vault.dir.path().join(name);
    vault.ok(&["certificate", "export", number, "--out", out.to_str().unwrap()]);
    out
}

fn bundle(vault: &TestVault, name: &str) -> PathBuf {
    let out = vault.dir.path().join(name);
    vault.ok(&["ledger", "export", "--out", out.to_str().unwrap()]);
    out
}

fn poppler(why: &str) -> bool {
    ["pdftotext", "pdffonts"].iter().all(|p| requires::program(why, p))
}

fn run_tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_batch_destroyed_before_a_witness_has_one_signed_certificate_an_auditor_can_check() {
    let (vault, carol, _) = vault();
    vault.ok(&["policy", "set", "certificate-organization", "Survey Office 测绘局"]);
    vault.ok(&[
        "policy",
        "set",
        "certificate-titles",
        "alice=Security Officer 安全保密员; carol=王堃",
    ]);
    let a = vault.file("harbour-secret-survey.tif", b"survey of the harbour");
    let b = vault.file("ridge-plan.kml", b"<kml>ridge</kml>");
    let controls = vault.import(&[&a, &b], "secret");
    let report = vault.json(&with_witness(
        &[
            "destroy",
            &controls[0],
            &controls[1],
            "--reason",
            "retention ended 保管期满",
            "--yes",
        ],
        &carol,
    ));
    let number = report["certificate"].as_str().unwrap().to_string();
    assert_eq!(report["signed"], true);
    assert_eq!(report["items"].as_array().unwrap().len(), 2);
    assert!(vault.object_files().is_empty(), "both ciphertexts are gone");
    // One certificate, both events naming it.
    let listed = vault.json(&["certificate", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["status"], "signed");
    let destroyed: Vec<Value> = vault
        .events()
        .into_iter()
        .filter(|e| e["action"] == "item.destroy")
        .collect();
    assert_eq!(destroyed.len(), 2);
    assert!(destroyed.iter().all(|e| e["details"]["certificate"] == number.as_str()));
    assert!(destroyed.iter().all(|e| e["details"]["witness"] == "carol"));

    let out = export(&vault, &number, "cert");
    let json_text = std::fs::read_to_string(out.join("certificate.json")).unwrap();
    let json: Value = serde_json::from_str(&json_text).unwrap();
    let schema: Value = serde_json::from_str(include_str!("../../schemas/certificate.schema.json")).unwrap();
    let validator = jsonschema::options().build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&json).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let c = &json["certificate"];
    assert_eq!(c["validated_by"]["name"], "carol");
    assert_eq!(c["validation"], "witness");
    assert_eq!(c["performed_by"]["organization"], "Survey Office 测绘局");
    assert_eq!(c["media"]["classification"], "secret");
    assert_eq!(c["items"][1]["control_number"], controls[1].as_str());
    // No title or file name of what was destroyed.
    assert!(!json_text.contains("harbour") && !json_text.contains("ridge"));
    // Exporting again never overwrites.
    let again = vault.run(&["certificate", "export", &number, "--out", out.to_str().unwrap()]);
    assert_ne!(code(&again), 0);

    if poppler("reading the certificate's PDF") {
        let pdf = out.join("certificate.pdf");
        let fonts = run_tool("pdffonts", &[pdf.to_str().unwrap()]);
        let line = fonts
            .lines()
            .find(|l| l.contains("NotoSansCJKsc-Regular"))
            .unwrap_or_else(|| panic!("the bundled font is not in the PDF:\n{fonts}"));
        let columns: Vec<&str> = line.split_whitespace().collect();
        // name, type (3 words), encoding, emb, sub, uni, object id (2)
        assert_eq!(
            &columns[columns.len() - 5..columns.len() - 2],
            ["yes", "yes", "yes"],
            "{line}"
        );
        let text = run_tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
        for wanted in [
            controls[0].as_str(),
            controls[1].as_str(),
            number.as_str(),
            "机密",
            "SECRET",
            "销毁证明",
            "测绘局",
            "保管期满",
            "carol",
            "王<U+5803>", // 堃 is not in the font: shown by code point, never dropped
        ] {
            assert!(text.contains(wanted), "{wanted} missing from the PDF text:\n{text}");
        }
        assert!(!text.contains("harbour"));
    }

    // Off the station: refused until the admin key is pinned, then valid.
    let auditor = Auditor::new();
    let file = out.join("certificate.json");
    let (status, report, err) = auditor.verify_certificate(&file, None);
    assert_eq!(status, 6, "{err}");
    assert!(err.contains("audit trust strongroom-admin/"), "{err}");
    assert_eq!(report["ok"], false);
    auditor.trust_file(&out.join("ak.vkey"));
    let shown = auditor.run(&["audit", "verify-certificate", file.to_str().unwrap()]);
    assert_eq!(code(&shown), 0, "{}", stderr(&shown));
    assert!(
        stdout(&shown).contains("signature valid; ledger inclusion not shown"),
        "{}",
        stdout(&shown)
    );
    // With the station's bundle, the events' inclusion is proven.
    let bundle = bundle(&vault, "bundle");
    auditor.trust_file(&bundle.join("station.vkey"));
    let (status, report, err) = auditor.verify_certificate(&file, Some(&bundle));
    assert_eq!(status, 0, "{err}");
    assert_eq!(report["inclusion_shown"], true);

    // One byte edited, anywhere in the content: refused.
    let bytes = json_text.as_bytes();
    for (i, at) in [
        json_text.find("\"size\"").unwrap() + 8,
        json_text.find("\"sha256\"").unwrap() + 12,
        json_text.find("carol").unwrap(),
        json_text.find("\"seq\"").unwrap() + 7,
    ]
    .into_iter()
    .enumerate()
    {
        let mut edited = bytes.to_vec();
        edited[at] = if edited[at] == b'1' { b'2' } else { b'1' };
        let path = vault.file(&format!("edited{i}.json"), &edited);
        let (status, _, err) = auditor.verify_certificate(&path, None);
        assert_eq!(status, 6, "edit at {at}: {err}");
    }
    // Truncated: refused.
    let path = vault.file("truncated.json", &bytes[..bytes.len() / 2]);
    assert_eq!(auditor.verify_certificate(&path, None).0, 6);
    // Re-signed by a key that is not the station's admin key: refused, even though its
    // signature verifies.
    let mut signed: strongroom::custody::certificate::document::SignedCertificate =
        serde_json::from_str(&json_text).unwrap();
    signed.certificate.items.remove(1);
    signed.certificate.ledger.last_seq = signed.certificate.items[0].seq;
    let forger = strongroom::crypto::sign::SignKey::random().unwrap();
    let forged = strongroom::custody::certificate::document::sign(
        &signed.certificate,
        "mallory",
        &signed.signed_at,
        &forger,
        Vec::new(),
    )
    .unwrap();
    let path = vault.file("resigned.json", &serde_json::to_vec_pretty(&forged).unwrap());
    let (status, _, err) = auditor.verify_certificate(&path, None);
    assert_eq!(status, 6, "{err}");
    assert!(err.contains("neither the key pinned here"), "{err}");
}

#[test]
fn a_bundle_without_the_event_or_another_stations_pin_is_refused() {
    let (vault, _, _) = vault();
    let src = vault.file("plan.tif", b"plan");
    let control = vault.import(&[&src], "internal").remove(0);
    let before = bundle(&vault, "before");
    let number = vault.json(&["destroy", &control, "--reason", "superseded", "--yes"])["certificate"]
        .as_str()
        .unwrap()
        .to_string();
    let out = export(&vault, &number, "cert");
    let file = out.join("certificate.json");

    // A bundle made before the destruction lacks its event.
    let auditor = Auditor::new();
    auditor.trust_file(&out.join("ak.vkey"));
    auditor.trust_file(&before.join("station.vkey"));
    let (status, report, err) = auditor.verify_certificate(&file, Some(&before));
    assert_eq!(status, 6, "{err}");
    assert!(report["error"].as_str().unwrap().contains("lacks event"), "{report}");

    // A machine that pinned another station's admin key only.
    let other = TestVault::fresh();
    let src = other.file("x.tif", b"x");
    let theirs = other.import(&[&src], "internal").remove(0);
    let their_number = other.json(&["destroy", &theirs, "--reason", "x", "--yes"])["certificate"]
        .as_str()
        .unwrap()
        .to_string();
    let their_out = export(&other, &their_number, "theirs");
    let elsewhere = Auditor::new();
    elsewhere.trust_file(&their_out.join("ak.vkey"));
    let (status, report, _) = elsewhere.verify_certificate(&file, None);
    assert_eq!(status, 6);
    assert!(report["error"].as_str().unwrap().contains("is pinned"), "{report}");
    // The other station's key moved under this station's name in the pin file: refused.
    let pins_path = elsewhere.config.path().join("pins.json");
    let mut pins: Value = serde_json::from_slice(&std::fs::read(&pins_path).unwrap()).unwrap();
    let their_station = other.station_id();
    let entry = pins["admin_keys"][&their_station].clone();
    pins["admin_keys"][vault.station_id()] = entry;
    std::fs::write(&pins_path, serde_json::to_vec(&pins).unwrap()).unwrap();
    let (status, report, _) = elsewhere.verify_certificate(&file, None);
    assert_eq!(status, 6);
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("neither the key pinned here"),
        "{report}"
    );
}

#[test]
fn an_operators_certificate_awaits_an_officer_and_an_edited_row_is_caught() {
    let (vault, _, bob) = vault();
    let src = vault.file("notes.pdf", b"bob's notes");
    let out = vault.run_as(
        "bob",
        &bob,
        &["import", src.to_str().unwrap(), "--level", "confidential", "--json"],
    );
    let control = serde_json::from_slice::<Value>(&out.get_output().stdout).unwrap()["imported"][0]["control_number"]
        .as_str()
        .unwrap()
        .to_string();
    let out = vault.run_as(
        "bob",
        &bob,
        &["destroy", &control, "--reason", "draft", "--yes", "--json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["signed"], false);
    let number = report["certificate"].as_str().unwrap().to_string();
    // Not exported unsigned; bob cannot sign it.
    let dir = vault.dir.path().join("unsigned");
    let refused = vault.run_as(
        "bob",
        &bob,
        &["certificate", "export", &number, "--out", dir.to_str().unwrap()],
    );
    assert_eq!(code(&refused), 5, "{}", stderr(&refused));
    assert!(!dir.join("certificate.json").exists());
    assert_eq!(code(&vault.run_as("bob", &bob, &["certificate", "sign", &number])), 5);
    assert_eq!(vault.json(&["certificate", "show", &number])["signed"], Value::Null);

    // An insider edits the stored body before an officer signs: the officer's signing and
    // every export refuse it, and the listing says so.
    let db = vault.db();
    db.execute(
        "UPDATE certificates SET body = CAST(replace(CAST(body AS TEXT), '\"reason\":\"draft\"', '\"reason\":\"routine\"') AS BLOB)",
        [],
    )
    .unwrap();
    let listed = vault.json(&["certificate", "list"]);
    assert_eq!(listed[0]["status"], "disagrees-with-ledger", "{listed}");
    let refused = vault.run(&["certificate", "sign", &number]);
    assert_eq!(code(&refused), 6, "{}", stderr(&refused));
    db.execute(
        "UPDATE certificates SET body = CAST(replace(CAST(body AS TEXT), '\"reason\":\"routine\"', '\"reason\":\"draft\"') AS BLOB)",
        [],
    )
    .unwrap();
    // Put right, an officer signs it and it verifies.
    vault.ok(&["certificate", "sign", &number]);
    let out = export(&vault, &number, "signed");
    let auditor = Auditor::new();
    auditor.trust_file(&out.join("ak.vkey"));
    let (status, report, err) = auditor.verify_certificate(&out.join("certificate.json"), None);
    assert_eq!(status, 0, "{err}");
    assert_eq!(report["signed_by"], "alice");
}

/// bob (operator, confidential) imports `names` and destroys them together; returns the
/// control numbers and the certificate's number (awaiting an officer).
fn bob_destroys(vault: &TestVault, bob: &Path, names: &[&str]) -> (Vec<String>, String) {
    let mut controls = Vec::new();
    for name in names {
        let src = vault.file(name, name.as_bytes());
        let out = vault.run_as(
            "bob",
            bob,
            &["import", src.to_str().unwrap(), "--level", "internal", "--json"],
        );
        let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        controls.push(json["imported"][0]["control_number"].as_str().unwrap().to_string());
    }
    let mut args = vec!["destroy"];
    args.extend(controls.iter().map(String::as_str));
    args.extend(["--reason", "drafts", "--yes", "--json"]);
    let out = vault.run_as("bob", bob, &args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    (controls, report["certificate"].as_str().unwrap().to_string())
}

fn set_body(vault: &TestVault, number: &str, edit: impl Fn(&mut Value)) {
    let db = vault.db();
    let body: Vec<u8> = db
        .query_row("SELECT body FROM certificates WHERE number = ?1", [number], |r| {
            r.get(0)
        })
        .unwrap();
    let mut value: Value = serde_json::from_slice(&body).unwrap();
    edit(&mut value);
    db.execute(
        "UPDATE certificates SET body = ?2 WHERE number = ?1",
        rusqlite::params![number, serde_json::to_vec(&value).unwrap()],
    )
    .unwrap();
}

#[test]
fn an_officer_never_signs_what_the_ledger_does_not_prove() {
    let (vault, _, bob) = vault();
    let (controls, number) = bob_destroys(&vault, &bob, &["one.txt", "two.txt"]);
    // An item left out, and the form's fields reworded: the officer's signing rebuilds the
    // certificate from the ledger and refuses what disagrees with it.
    set_body(&vault, &number, |body| {
        body["items"].as_array_mut().unwrap().remove(0);
        body["ledger"]["first_seq"] = body["items"][0]["seq"].clone();
        body["media"]["backed_up"] = "no".into();
    });
    let listed = vault.json(&["certificate", "list"]);
    assert_eq!(listed[0]["status"], "disagrees-with-ledger", "{listed}");
    let refused = vault.run(&["certificate", "sign", &number]);
    assert_eq!(code(&refused), 6, "{}", stderr(&refused));
    // Only the wording changed (every item kept): still refused.
    let (_, second) = bob_destroys(&vault, &bob, &["three.txt"]);
    set_body(&vault, &second, |body| {
        body["destination"] = "incinerated off site".into();
        body["post_sanitization_classification"] = "top-secret".into();
    });
    assert_eq!(code(&vault.run(&["certificate", "sign", &second])), 6);

    // A destruction that never happened: an event row appended by hand for an item still
    // in the vault, listed by the certificate as its own. No checkpoint written with the
    // destruction covers it, and none that `ledger verify` proves: nothing is signed.
    let (_, third) = bob_destroys(&vault, &bob, &["four.txt"]);
    let src = vault.file("five.txt", b"five");
    let out = vault.run_as(
        "bob",
        &bob,
        &["import", src.to_str().unwrap(), "--level", "internal", "--json"],
    );
    let alive: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let alive = &alive["imported"][0];
    let hash = Value::from(crate::support::sha256_file(&src));
    let db = vault.db();
    let events = crate::support::insider::events(&db);
    let real = events
        .iter()
        .find(|e| e["action"] == "item.destroy" && e["details"]["certificate"] == third.as_str())
        .unwrap()
        .clone();
    let seq = events.last().unwrap()["seq"].as_i64().unwrap() + 1;
    let mut forged = real.clone();
    forged["seq"] = seq.into();
    forged["subject"] = alive["control_number"].clone();
    forged["details"]["control_number"] = alive["control_number"].clone();
    forged["details"]["item"] = alive["id"].clone();
    forged["details"]["sha256"] = hash.clone();
    forged["details"]["size"] = alive["size"].clone();
    crate::support::insider::insert_event_at(&db, seq, &forged);
    set_body(&vault, &third, |body| {
        let mut item = body["items"][0].clone();
        item["control_number"] = alive["control_number"].clone();
        item["sha256"] = hash.clone();
        item["size"] = alive["size"].clone();
        item["seq"] = seq.into();
        body["items"].as_array_mut().unwrap().push(item);
        body["ledger"]["last_seq"] = seq.into();
        let media_type = body["media"]["media_type"]
            .as_str()
            .unwrap()
            .replace("1 encrypted vault item", "2 encrypted vault items");
        body["media"]["media_type"] = media_type.into();
    });
    let refused = vault.run(&["certificate", "sign", &third]);
    assert_eq!(code(&refused), 6, "{}", stderr(&refused));
    // Its checkpoint is not one written with those events, nor does any checkpoint prove them.
    let why = stderr(&refused);
    assert!(why.contains("checkpoint") || why.contains("does not prove"), "{why}");
    let dir = vault.dir.path().join("forged");
    assert_ne!(
        code(&vault.run(&["certificate", "export", &third, "--out", dir.to_str().unwrap()])),
        0
    );
    assert!(controls.len() == 2);
}

#[test]
fn a_mixed_batch_agrees_and_a_deleted_certificate_is_named_and_its_number_never_reused() {
    let (vault, carol, _) = vault();
    let low = vault.file("low.tif", b"low");
    let high = vault.file("high.tif", b"high");
    let low = vault.import(&[&low], "confidential").remove(0);
    let high = vault.import(&[&high], "secret").remove(0);
    // Only the secret item needs the witness; one certificate covers both, and agrees.
    let report = vault.json(&with_witness(
        &["destroy", &low, &high, "--reason", "superseded", "--yes"],
        &carol,
    ));
    let first = report["certificate"].as_str().unwrap().to_string();
    let shown = vault.json(&["certificate", "show", &first]);
    assert_eq!(shown["ledger_disagrees"], Value::Null, "{shown}");
    assert_eq!(shown["certificate"]["validated_by"]["name"], "carol");
    export(&vault, &first, "mixed");

    // The newest row deleted by an insider: the listing names it (exit 6) and the next
    // destruction takes a new number.
    vault
        .db()
        .execute("DELETE FROM certificates WHERE number = ?1", [&first])
        .unwrap();
    let out = vault.run(&["certificate", "list"]);
    assert_eq!(code(&out), 6);
    assert!(
        stdout(&out).contains(&format!("certificate {first}")),
        "{}",
        stdout(&out)
    );
    let src = vault.file("next.tif", b"next");
    let next = vault.import(&[&src], "internal").remove(0);
    let again = vault.json(&["destroy", &next, "--reason", "x", "--yes"]);
    assert_ne!(again["certificate"], first.as_str());
}

#[test]
fn a_pending_certificate_is_signed_after_a_new_epoch_only_where_the_log_is_proven() {
    let (vault, _, bob) = vault();
    let (_, before_damage) = bob_destroys(&vault, &bob, &["one.txt"]);
    let src = vault.file("three.txt", b"three");
    vault
        .run_as("bob", &bob, &["import", src.to_str().unwrap(), "--level", "internal"])
        .success();
    let damaged: i64 = vault
        .db()
        .query_row("SELECT MAX(seq) FROM events WHERE action = 'item.import'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let (_, after_damage) = bob_destroys(&vault, &bob, &["two.txt"]);
    // An insider edits the import between the two destructions; an officer finds it and
    // starts a new epoch.
    crate::support::insider::unguarded(&vault.root)
        .execute("UPDATE events SET subject = 'x' WHERE seq = ?1", [damaged])
        .unwrap();
    assert_eq!(code(&vault.run(&["ledger", "verify"])), 6);
    vault.ok(&["ledger", "epoch", "--reason", "import edited outside Strongroom"]);
    // The destruction before the damage is proven by its checkpoint: signed and exported.
    vault.ok(&["certificate", "sign", &before_damage]);
    export(&vault, &before_damage, "before");
    // The one after it lies in the damaged range: never signed.
    let refused = vault.run(&["certificate", "sign", &after_damage]);
    assert_eq!(code(&refused), 6, "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("does not prove its events"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn a_clock_set_back_never_makes_a_certificate_signed_before_its_destruction() {
    let (vault, mut station) = crate::support::station::LibVault::new();
    vault.clock.advance(time::Duration::minutes(10));
    let control = vault.import(&mut station, "ahead.tif", strongroom::Level::Internal);
    // The clock goes back ten minutes: the destruction's events keep the later time.
    vault.clock.advance(time::Duration::minutes(-10));
    let report = station.destroy_item(&control, "superseded").unwrap();
    let view = station.certificate(&report.certificate).unwrap();
    assert_eq!(view.status(), "signed", "{:?}", view.ledger_disagrees);
    let signed = view.signed.unwrap();
    assert!(signed.signed_at >= view.certificate.destroyed_at);
}
