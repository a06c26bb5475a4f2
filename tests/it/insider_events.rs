//! Events nobody can account for (issue 23, finding 6): rows an insider appends to the
//! events table with SQL. The events table refuses UPDATE and DELETE, but not INSERT, and
//! a checkpoint signs whatever is there; so every sign-in first checks each event after the
//! newest checkpoint for its session MAC and records one `ledger.alert` for those without.

use serde_json::{Value, json};
use strongroom::Level;
use strongroom::accounts::keyring::{self, KeyKind};
use strongroom::accounts::{Directory, decision, directory_copy};
use strongroom::crypto::Key32;
use strongroom::crypto::sign::SignKey;

use crate::support::accounts::{BOB_PW, CAROL_PW, fixture, steal_keys};
use crate::support::files::hex;
use crate::support::station::{LibVault, pw};
use crate::support::{PASSWORD, insider};

fn findings(vault: &LibVault) -> Vec<Value> {
    insider::events(&vault.db())
        .into_iter()
        .filter(|e| e["action"] == "ledger.alert")
        .collect()
}

#[test]
fn a_sign_in_reports_events_no_session_wrote_once_before_signing_them() {
    let (vault, mut station) = LibVault::new();
    let control = vault.import(&mut station, "survey.tif", Level::Secret);
    station.lock();

    // With the OS account only: an acknowledgement, a reclassification, and a failed
    // sign-in (which the station itself writes with no session, so it proves nothing).
    let db = vault.db();
    let acknowledge = insider::append_event(
        &db,
        "alice",
        "alert.acknowledge",
        "station",
        json!({ "alert": 1, "comment": "fine" }),
    );
    let reclassify = insider::append_event(
        &db,
        "alice",
        "item.reclassify",
        &control,
        json!({ "from": "secret", "to": "confidential" }),
    );
    insider::append_event(
        &db,
        "mallory",
        "auth.login_failed",
        "mallory",
        json!({ "reason": "wrong password" }),
    );
    // An event whose bytes were changed after the session MACed them is not the session's
    // either: copy a real event's MAC onto a forged one.
    let copied: i64 = db
        .query_row("SELECT MAX(seq) + 1 FROM events", [], |r| r.get(0))
        .unwrap();
    db.execute(
        "INSERT INTO events (seq, time, actor, action, subject, level, item, canonical, leaf, mac)
         SELECT ?1, time, actor, action, subject, level, item,
                CAST(replace(CAST(canonical AS TEXT), '\"seq\":' || seq, '\"seq\":' || ?1) AS BLOB), leaf, mac
         FROM events WHERE action = 'item.import'",
        [copied],
    )
    .unwrap();

    station.unlock("alice", &pw(PASSWORD)).unwrap();
    let found = findings(&vault);
    assert_eq!(found.len(), 1, "{found:?}");
    let details = &found[0]["details"];
    assert_eq!(details["finding"], "unaccounted_events");
    assert_eq!(details["seqs"], json!([acknowledge, reclassify, copied]));
    assert_eq!(details["count"], 3);
    assert_eq!(found[0]["actor"], "system");
    // The finding is an alert officers see.
    assert!(station.alerts().unwrap().iter().any(|a| a.action == "ledger.alert"));

    // Signed by this sign-in's checkpoint, they are not reported again.
    station.lock();
    station.unlock("alice", &pw(PASSWORD)).unwrap();
    assert_eq!(findings(&vault).len(), 1);
}

#[test]
fn an_inserted_finding_hides_nothing() {
    let (vault, mut station) = LibVault::new();
    station.lock();
    let db = vault.db();
    // A forged finding that claims everything up to seq 10^9 was already checked.
    let forged = insider::append_event(
        &db,
        "system",
        "ledger.alert",
        "station",
        json!({ "finding": "unaccounted_events", "count": 1, "seqs": [0], "through": 1_000_000_000 }),
    );
    let inserted = insider::append_event(
        &db,
        "alice",
        "alert.acknowledge",
        "station",
        json!({ "alert": 0, "comment": "x" }),
    );
    station.unlock("alice", &pw(PASSWORD)).unwrap();
    let found = findings(&vault);
    let real = found.last().unwrap();
    assert_eq!(real["details"]["seqs"], json!([forged, inserted]));
}

/// The admin key carol holds while she is an officer (what she could keep after she goes).
fn carols_admin_key(vault: &LibVault) -> SignKey {
    let (identity, secret, grants) = steal_keys(vault, "carol", CAROL_PW);
    let admin_grant = grants.iter().find(|g| g.kind == KeyKind::Admin).unwrap();
    SignKey::from_seed(&keyring::open_grant(identity, &secret, admin_grant).unwrap())
}

/// A lockout alert for bob (policy: one attempt), open for officers.
fn lockout_alert(vault: &LibVault, station: &mut strongroom::Station) -> u64 {
    station.set_policy("lockout-attempts", "1").unwrap();
    station.lock();
    assert!(station.unlock("bob", &pw("not bob's password")).is_err());
    vault.clock.advance(time::Duration::seconds(2));
    station.unlock("alice", &pw(PASSWORD)).unwrap();
    let alerts = station.alerts().unwrap();
    let lockout = alerts
        .iter()
        .find(|a| a.action == "auth.lockout")
        .expect("a lockout alert");
    lockout.seq
}

#[test]
fn only_an_officers_signed_acknowledgement_closes_an_alert() {
    let (vault, mut station) = fixture();
    // carol's admin key, kept from while she was an officer.
    let carol_admin = carols_admin_key(&vault);
    let alert = lockout_alert(&vault, &mut station);
    let is_open = |station: &strongroom::Station| station.alerts().unwrap().iter().any(|a| a.seq == alert);

    // An acknowledgement appended with SQL closes nothing.
    let details = json!({ "alert": alert, "alert_action": "auth.lockout", "comment": "closed by SQL" });
    insider::append_event(&vault.db(), "alice", "alert.acknowledge", "bob", details.clone());
    assert!(is_open(&station));

    // Nor does one signed with carol's admin key after that key was replaced.
    station.disable_user("carol", "left the unit").unwrap();
    let db = vault.db();
    let seq: i64 = db
        .query_row("SELECT MAX(seq) + 1 FROM events", [], |r| r.get(0))
        .unwrap();
    let time: String = db.query_row("SELECT MAX(time) FROM events", [], |r| r.get(0)).unwrap();
    let mut forged = json!({
        "seq": seq, "time": time, "actor": "carol", "action": "alert.acknowledge",
        "subject": "bob", "level": null, "details": details,
    });
    let body = serde_json::to_vec(&forged).unwrap();
    forged["details"]["decision"] = decision::sign(&carol_admin, &body);
    assert!(
        decision::signer(&serde_json::to_vec(&forged).unwrap()).is_some(),
        "a well-formed signature"
    );
    insider::append_event(&db, "carol", "alert.acknowledge", "bob", forged["details"].clone());
    assert!(is_open(&station));

    // An officer's signed acknowledgement closes it.
    station.acknowledge_alert(alert, "bob mistyped; unlocked him").unwrap();
    assert!(!is_open(&station));
}

#[test]
fn operators_do_not_acknowledge_alerts() {
    let (vault, mut station) = fixture();
    let alert = lockout_alert(&vault, &mut station);
    station.enable_user("bob", "called the desk").unwrap();
    station.lock();
    vault.clock.advance(time::Duration::seconds(2));
    station.unlock("bob", &pw(BOB_PW)).unwrap();
    assert!(matches!(
        station.acknowledge_alert(alert, "it was me"),
        Err(strongroom::Error::Denied { rule: "role", .. })
    ));
}

#[test]
fn decisions_placed_out_of_order_or_under_a_forged_first_key_close_nothing() {
    let (vault, mut station) = fixture();
    let carol_admin = carols_admin_key(&vault);
    let alert = lockout_alert(&vault, &mut station);
    let is_open = |station: &strongroom::Station| station.alerts().unwrap().iter().any(|a| a.seq == alert);
    let before_disable: i64 = vault
        .db()
        .query_row("SELECT MAX(seq) + 1 FROM events", [], |r| r.get(0))
        .unwrap();
    station.disable_user("carol", "left the unit").unwrap();
    let db = vault.db();
    let time: String = db.query_row("SELECT MAX(time) FROM events", [], |r| r.get(0)).unwrap();
    let signed_ack = |key: &SignKey, seq: i64| {
        let mut ack = json!({
            "seq": seq, "time": time, "actor": "carol", "action": "alert.acknowledge", "subject": "bob",
            "level": null, "details": { "alert": alert, "alert_action": "auth.lockout", "comment": "backdated" },
        });
        let body = serde_json::to_vec(&ack).unwrap();
        ack["details"]["decision"] = decision::sign(key, &body);
        ack
    };

    // Backdated: signed with carol's old key, naming a seq from before her key was replaced,
    // stored at the end of the log.
    let end: i64 = db
        .query_row("SELECT MAX(seq) + 1 FROM events", [], |r| r.get(0))
        .unwrap();
    insider::insert_event_at(&db, end, &signed_ack(&carol_admin, before_disable));
    assert!(is_open(&station));
    // Below zero, where no check looks: the same.
    insider::insert_event_at(&db, -5, &signed_ack(&carol_admin, -5));
    assert!(is_open(&station));

    // A forged first directory at seq -1, naming a key of the insider's, signed by it; then
    // an acknowledgement signed by that key at the end of the log.
    let mallory = SignKey::from_seed(&Key32::from_bytes([0x4d; 32]));
    let init = insider::events(&db).into_iter().find(|e| e["seq"] == 0).unwrap();
    let mut first: Directory = serde_json::from_value(init["details"]["directory"]["body"].clone()).unwrap();
    first.admin_key = hex(&mallory.public());
    let forged_copy = directory_copy::details(&first.sign(&mallory).unwrap()).unwrap();
    let mut forged_init = init.clone();
    forged_init["seq"] = json!(-1);
    forged_init["details"]["directory"] = forged_copy;
    insider::insert_event_at(&db, -1, &forged_init);
    let end: i64 = db
        .query_row("SELECT MAX(seq) + 1 FROM events", [], |r| r.get(0))
        .unwrap();
    insider::insert_event_at(&db, end, &signed_ack(&mallory, end));
    assert!(is_open(&station));

    // A directory signed by carol's replaced key, far newer than any real one, raises no
    // rollback floor: sign-in and import go on.
    let mut newer = station.session().unwrap().directory().clone();
    newer.version = 1_000_000_000;
    newer.admin_key = hex(&carol_admin.public());
    let copy = directory_copy::details(&newer.sign(&carol_admin).unwrap()).unwrap();
    insider::append_event(
        &db,
        "carol",
        "policy.change",
        "idle-lock-minutes",
        json!({ "setting": "idle-lock-minutes", "old": "15", "new": "1", "directory_version": 1_000_000_000, "directory": copy }),
    );
    station.lock();
    station.unlock("alice", &pw(PASSWORD)).unwrap();
    vault.import(&mut station, "after.txt", Level::Secret);

    // The officer's verify reports the rows below zero.
    let report = station.verify_ledger().unwrap();
    assert!(
        report.findings.iter().any(|f| f.detail.contains("negative seq")),
        "{:?}",
        report.findings
    );
}
