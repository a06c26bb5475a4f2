//! Events nobody can account for (issue 23, finding 6): rows an insider appends to the
//! events table with SQL. The events table refuses UPDATE and DELETE, but not INSERT, and
//! a checkpoint signs whatever is there; so every sign-in first checks each event after the
//! newest checkpoint for its session MAC and records one `ledger.alert` for those without.

use serde_json::{Value, json};
use strongroom::Level;
use strongroom::accounts::decision;
use strongroom::accounts::keyring::{self, KeyKind};
use strongroom::crypto::sign::SignKey;

use crate::support::accounts::{BOB_PW, CAROL_PW, fixture, steal_keys};
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
    let (identity, secret, grants) = steal_keys(&vault, "carol", CAROL_PW);
    let admin_grant = grants.iter().find(|g| g.kind == KeyKind::Admin).unwrap();
    let carol_admin = SignKey::from_seed(&keyring::open_grant(identity, &secret, admin_grant).unwrap());
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
