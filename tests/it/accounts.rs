//! Accounts, clearances, rotation, approvals and session security, through the library with
//! an injected clock (no sleeping), and at the crypto layer where the issue asks for it.

use strongroom::accounts::availability::Unavailable;
use strongroom::accounts::keyring::{self, KeyKind};
use strongroom::accounts::{Role, users};
use strongroom::crypto::wrap;
use strongroom::progress::Progress;
use strongroom::station::ImportOptions;
use strongroom::{Error, IdentityId, Level, Station};
use time::Duration;

use crate::support::PASSWORD as ALICE_PW;
use crate::support::accounts::{BOB_PW, CAROL_PW, DAVE_PW, fixture, item_dek, steal_keys};
use crate::support::fake_media::{register, stick_probes};
use crate::support::station::{pw, switch};

#[test]
fn a_disabled_users_own_keys_cannot_open_what_they_lost() {
    let (fx, mut station) = fixture();
    let before = fx.import(&mut station, "before.txt", Level::Secret);
    let (identity, secret, grants) = steal_keys(&fx, "bob", BOB_PW);
    let old_secret_key = grants
        .iter()
        .find(|g| g.kind == KeyKind::Level && g.level == Level::Secret)
        .map(|g| keyring::open_grant(identity, &secret, g).unwrap())
        .unwrap();
    // Before: bob's key opens the item's DEK.
    let (aad, wrapped) = item_dek(&fx, &before);
    assert!(wrap::open(&old_secret_key, &aad, &wrapped).is_ok());

    station.disable_user("bob", "left the unit").unwrap();
    let after = fx.import(&mut station, "after.txt", Level::Secret);

    // After: every DEK at the level is wrapped under a new generation bob never received.
    for control in [&before, &after] {
        let (aad, wrapped) = item_dek(&fx, control);
        assert!(wrap::open(&old_secret_key, &aad, &wrapped).is_err(), "{control}");
    }
    // He holds no grant any more; his copies only open the retired generation.
    assert!(keyring::grants_of(&fx.db(), identity).unwrap().is_empty());
    for grant in &grants {
        let key = keyring::open_grant(identity, &secret, grant).unwrap();
        let (aad, wrapped) = item_dek(&fx, &after);
        assert!(wrap::open(&key, &aad, &wrapped).is_err());
    }
    // And he cannot sign in (exit 4 class), which is recorded.
    station.lock();
    assert!(matches!(
        station.unlock("bob", &pw(BOB_PW)),
        Err(Error::AccountUnavailable { .. })
    ));
    assert_eq!(fx.actions().last().unwrap(), "auth.login_failed");
    // The officer still reads both items.
    station.unlock("alice", &pw(ALICE_PW)).unwrap();
    for control in [&before, &after] {
        let out = fx.files.join(format!("{control}.out"));
        station
            .export(control, &out, false, "checked by the test", &Progress::new())
            .unwrap();
    }
}

#[test]
fn lowering_a_clearance_rotates_only_the_levels_lost() {
    let (fx, mut station) = fixture();
    let secret_item = fx.import(&mut station, "s.txt", Level::Secret);
    let conf_item = fx.import(&mut station, "c.txt", Level::Confidential);
    let (identity, secret, grants) = steal_keys(&fx, "bob", BOB_PW);
    let key_of = |level| {
        grants
            .iter()
            .find(|g| g.kind == KeyKind::Level && g.level == level)
            .map(|g| keyring::open_grant(identity, &secret, g).unwrap())
            .unwrap()
    };
    station
        .set_clearance("bob", Level::Confidential, "need to know ended")
        .unwrap();
    let (aad, wrapped) = item_dek(&fx, &secret_item);
    assert!(wrap::open(&key_of(Level::Secret), &aad, &wrapped).is_err());
    // Confidential was not rotated: his key still opens it, as it should.
    let (aad, wrapped) = item_dek(&fx, &conf_item);
    assert!(wrap::open(&key_of(Level::Confidential), &aad, &wrapped).is_ok());
    let dir = station.session().unwrap().directory().clone();
    assert_eq!(dir.level(Level::Secret).unwrap().generation, 2);
    assert_eq!(dir.level(Level::TopSecret).unwrap().generation, 1);
    assert_eq!(dir.level(Level::Confidential).unwrap().generation, 1);
    // bob now sees confidential but not secret.
    switch(&mut station, "bob", BOB_PW);
    assert!(station.item(&conf_item).is_ok());
    assert!(station.item(&secret_item).is_err());
    // Raising it again grants the current secret key.
    switch(&mut station, "alice", ALICE_PW);
    station
        .set_clearance("bob", Level::Secret, "back on the project")
        .unwrap();
    switch(&mut station, "bob", BOB_PW);
    assert!(station.item(&secret_item).is_ok());
}

#[test]
fn a_session_opened_before_a_rotation_cannot_write() {
    let (fx, mut officer) = fixture();
    let mut operator = Station::open(&fx.root).unwrap();
    operator.unlock("bob", &pw(BOB_PW)).unwrap();
    let mut other = Station::open(&fx.root).unwrap();
    other.unlock("carol", &pw(CAROL_PW)).unwrap();
    // alice lowers carol: the secret and top-secret keys rotate under carol's open session.
    officer
        .set_clearance("carol", Level::Confidential, "reassigned")
        .unwrap();
    let path = fx.files.join("late.txt");
    std::fs::write(&path, b"late").unwrap();
    let plan_for = |station: &Station| station.plan_import(std::slice::from_ref(&path), false).unwrap();
    let options = ImportOptions::at(Level::Secret);
    let events = fx.actions().len();
    assert!(matches!(
        other.import(plan_for(&other), &options, &Progress::new()),
        Err(Error::SessionOutOfDate { .. })
    ));
    assert!(!other.is_unlocked(), "the stale session is locked");
    // bob's own account did not change, but the secret key he holds was retired.
    assert!(matches!(
        operator.import(plan_for(&operator), &options, &Progress::new()),
        Err(Error::SessionOutOfDate { .. })
    ));
    assert_eq!(fx.actions().len(), events, "nothing was written under a retired key");
    // Signing in again gives the new generation.
    operator.unlock("bob", &pw(BOB_PW)).unwrap();
    operator
        .import(plan_for(&operator), &options, &Progress::new())
        .unwrap();
}

#[test]
fn recovery_still_works_after_two_rotations_and_an_admin_succession() {
    let (fx, mut station) = fixture();
    let item = fx.import(&mut station, "ts.txt", Level::TopSecret);
    station.disable_user("carol", "left").unwrap();
    station.set_clearance("bob", Level::Internal, "moved").unwrap();
    let dir = station.session().unwrap().directory().clone();
    assert_eq!(dir.level(Level::TopSecret).unwrap().generation, 2);
    assert_eq!(dir.level(Level::Secret).unwrap().generation, 3);
    station.lock();
    // The recovery slot was made under the first admin key; it follows the succession.
    station
        .recover("alice", &fx.recovery, &pw("a recovered passphrase"))
        .unwrap();
    station.unlock("alice", &pw("a recovered passphrase")).unwrap();
    station
        .export(
            &item,
            &fx.files.join("ts.out"),
            false,
            "checked by the test",
            &Progress::new(),
        )
        .unwrap();
    // A re-enabled officer (slot made under the first admin key) signs in through the chain.
    station.enable_user("carol", "returned").unwrap();
    switch(&mut station, "carol", CAROL_PW);
    assert!(station.session().unwrap().admin_key().is_ok());
    station.item(&item).unwrap();
}

#[test]
fn a_second_successor_of_the_admin_key_is_tampering() {
    let (fx, mut station) = fixture();
    station.disable_user("carol", "left").unwrap();
    station.lock();
    let conn = fx.db();
    conn.execute(
        "INSERT INTO admin_successions (previous_key, next_key, body, signature, created_at)
         SELECT previous_key, next_key, body, signature, created_at FROM admin_successions",
        [],
    )
    .unwrap();
    assert!(matches!(
        station.unlock("alice", &pw(ALICE_PW)),
        Err(Error::Integrity { detail, .. }) if detail.contains("2 successors")
    ));
}

#[test]
fn edited_or_replayed_key_material_is_refused() {
    let (fx, mut station) = fixture();
    let item = fx.import(&mut station, "s.txt", Level::Secret);
    let (identity, _, old_grants) = steal_keys(&fx, "bob", BOB_PW);
    station.set_clearance("bob", Level::Confidential, "moved").unwrap();
    station.lock();
    // Replay: bob's old secret grant put back by SQL gives him nothing (wrong generation).
    let conn = fx.db();
    let old = old_grants
        .iter()
        .find(|g| g.kind == KeyKind::Level && g.level == Level::Secret)
        .unwrap();
    conn.execute(
        "INSERT INTO grants (identity_id, key_kind, level, generation, sealed) VALUES (?1, 0, 3, ?2, ?3)",
        rusqlite::params![identity.as_bytes().to_vec(), old.generation, old.sealed],
    )
    .unwrap();
    // The user row says secret again: refused, it disagrees with the signed directory.
    conn.execute("UPDATE users SET clearance = 3 WHERE name = 'bob'", [])
        .unwrap();
    assert!(matches!(
        station.unlock("bob", &pw(BOB_PW)),
        Err(Error::Integrity { detail, .. }) if detail.contains("disagrees with the signed directory")
    ));
    conn.execute("UPDATE users SET clearance = 2 WHERE name = 'bob'", [])
        .unwrap();
    station.unlock("bob", &pw(BOB_PW)).unwrap();
    assert!(station.item(&item).is_err());

    // A recovery public key swapped in the identities table is never sealed to: grants
    // follow the signed directory.
    switch(&mut station, "alice", ALICE_PW);
    let intruder = strongroom::crypto::seal::SecretKey::random().unwrap();
    conn.execute(
        "UPDATE identities SET public_key = ?1 WHERE kind = 'recovery'",
        rusqlite::params![intruder.public().to_vec()],
    )
    .unwrap();
    station.disable_user("carol", "left").unwrap();
    let recovery: Vec<u8> = conn
        .query_row("SELECT id FROM identities WHERE kind = 'recovery'", [], |r| r.get(0))
        .unwrap();
    let recovery = IdentityId::from_slice(&recovery).unwrap();
    for grant in keyring::grants_of(&conn, recovery).unwrap() {
        assert!(keyring::open_grant(recovery, &intruder, &grant).is_err());
    }
    station.lock();
    station
        .recover("alice", &fx.recovery, &pw("recovered passphrase 2"))
        .unwrap();

    // A level-key grant replaced by another identity's is refused at unlock.
    let alice = users::by_name(&conn, "alice").unwrap().unwrap();
    let bob = users::by_name(&conn, "bob").unwrap().unwrap();
    conn.execute(
        "UPDATE grants SET sealed = (SELECT sealed FROM grants WHERE identity_id = ?2 AND key_kind = 0 AND level = 0)
         WHERE identity_id = ?1 AND key_kind = 0 AND level = 0",
        rusqlite::params![alice.identity.as_bytes().to_vec(), bob.identity.as_bytes().to_vec()],
    )
    .unwrap();
    assert!(matches!(
        station.unlock("alice", &pw("recovered passphrase 2")),
        Err(Error::Integrity { subject, detail }) if subject == "key grants" && detail.contains("unclassified")
    ));
}

#[test]
fn lockout_and_backoff_follow_the_injected_clock() {
    let (fx, mut station) = fixture();
    station.lock();
    let wrong = pw("not bob's password at all");
    let failed = |left| Error::AuthenticationFailed {
        attempts_left: Some(left),
    };
    let waiting = |failures, seconds| Unavailable::Waiting {
        failures,
        seconds,
        last_officer: false,
    };
    let same = |got: Result<(), Error>, want: Error| {
        assert_eq!(format!("{:?}", got.unwrap_err()), format!("{want:?}"));
    };
    let unavailable = |got: Result<(), Error>, want: Unavailable| match got {
        Err(Error::AccountUnavailable { state, .. }) => assert_eq!(state, want),
        other => panic!("expected {want:?}, got {other:?}"),
    };
    // 1st failure: a 1 s wait; trying inside it is refused without trying the password.
    same(station.unlock("bob", &wrong), failed(4));
    unavailable(station.unlock("bob", &pw(BOB_PW)), waiting(1, 1));
    fx.clock.advance(Duration::seconds(1));
    same(station.unlock("bob", &wrong), failed(3));
    // 2nd failure: 2 s. 3rd: 4 s.
    fx.clock.advance(Duration::seconds(1));
    unavailable(station.unlock("bob", &wrong), waiting(2, 1));
    fx.clock.advance(Duration::seconds(1));
    same(station.unlock("bob", &wrong), failed(2));
    fx.clock.advance(Duration::seconds(3));
    unavailable(station.unlock("bob", &wrong), waiting(3, 1));
    fx.clock.advance(Duration::seconds(1));
    same(station.unlock("bob", &wrong), failed(1));
    fx.clock.advance(Duration::seconds(8));
    same(station.unlock("bob", &wrong), failed(0));
    // 5th failure (the default limit): locked, even with the right password, at any time.
    fx.clock.advance(Duration::days(1));
    let locked = station.unlock("bob", &pw(BOB_PW));
    unavailable(locked, Unavailable::Locked { failures: 5 });
    // What was shown, what is stored and what was recorded agree: five wrong passwords,
    // each event numbered, the lockout at five; the refused tries are recorded as refusals.
    let stored: i64 = fx
        .db()
        .query_row("SELECT failures FROM login_failures", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 5);
    let events = crate::support::insider::events(&fx.db());
    let counted: Vec<i64> = events
        .iter()
        .filter(|e| e["action"] == "auth.login_failed" && e["subject"] == "bob")
        .filter_map(|e| e["details"]["failures"].as_i64())
        .collect();
    assert_eq!(counted, [1, 2, 3, 4, 5]);
    let refusals = events
        .iter()
        .filter(|e| e["action"] == "auth.login_failed" && e["details"]["failures"].is_null())
        .filter(|e| {
            let reason = e["details"]["reason"].as_str().unwrap_or_default();
            reason.contains("backoff") || reason.contains("locked") || e["details"]["repeated"].is_number()
        })
        .count();
    assert!(refusals >= 1, "refused tries are recorded apart from the counted ones");
    let lockout = events.iter().find(|e| e["action"] == "auth.lockout").unwrap();
    assert_eq!(lockout["details"]["failures"], 5);
    assert_eq!(lockout["details"]["limit"], 5);
    // An officer unlocks it; a success clears the count.
    station.unlock("alice", &pw(ALICE_PW)).unwrap();
}

#[test]
fn reset_and_expired_passwords_force_a_change() {
    let (fx, mut station) = fixture();
    station
        .reset_password("bob", &pw("temporary passphrase"), "forgot it")
        .unwrap();
    switch(&mut station, "bob", "temporary passphrase");
    assert!(station.session().unwrap().password_change_required().is_some());
    assert!(matches!(
        station.list_items(),
        Err(Error::PasswordChangeRequired { .. })
    ));
    station
        .change_password(&pw("temporary passphrase"), &pw("bob's own new passphrase"))
        .unwrap();
    station.list_items().unwrap();
    // The old password (before the reset) no longer opens anything.
    station.lock();
    assert!(station.unlock("bob", &pw(BOB_PW)).is_err());

    // 90 days later (the default), the password has expired.
    fx.clock.advance(Duration::days(91));
    station.unlock("bob", &pw("bob's own new passphrase")).unwrap();
    assert!(
        matches!(station.list_items(), Err(Error::PasswordChangeRequired { reason, .. }) if reason.contains("90 days"))
    );
    station
        .change_password(&pw("bob's own new passphrase"), &pw("bob's newest passphrase"))
        .unwrap();
    station.list_items().unwrap();
    // The policy decides the age.
    switch(&mut station, "alice", "correct horse battery staple");
    assert!(matches!(
        station.list_items(),
        Err(Error::PasswordChangeRequired { .. })
    ));
}

#[test]
fn the_idle_timer_drops_the_keys_by_itself() {
    let (fx, station) = fixture();
    drop(station);
    let mut station = fx.reopen(|o| o.idle_poll = std::time::Duration::from_millis(5));
    fx.clock.advance(Duration::minutes(9));
    station.list_items().unwrap(); // activity restarts the idle time
    fx.clock.advance(Duration::minutes(9));
    std::thread::yield_now();
    assert!(station.is_unlocked());
    fx.clock.advance(Duration::minutes(2));
    // The timer thread, not a call into the station, drops the keys.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while station.is_unlocked() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(!station.is_unlocked());
    assert!(matches!(station.list_items(), Err(Error::NotUnlocked)));
    assert!(station.poll_idle().unwrap());
    assert_eq!(fx.actions().last().unwrap(), "auth.idle_lock");
    // The policy sets the time.
    station.unlock("alice", &pw(ALICE_PW)).unwrap();
    station.set_policy("idle-lock-minutes", "1").unwrap();
    fx.clock.advance(Duration::seconds(61));
    assert!(station.poll_idle().unwrap());
}

#[test]
fn two_person_rule_for_destruction_and_downgrade() {
    let (fx, mut station) = fixture();
    // bob holds what he imports (only the custodian or an officer destroys an item).
    switch(&mut station, "bob", BOB_PW);
    let low = fx.import(&mut station, "low.txt", Level::Confidential);
    let high = fx.import(&mut station, "high.txt", Level::Secret);
    // Below the threshold: no second person.
    station.destroy_item(&low, "obsolete").unwrap();
    assert!(station.item(&low).is_err());
    // At secret: a request is made (exit 7 class) and nothing is destroyed.
    let request = match station.destroy_item(&high, "obsolete") {
        Err(Error::ApprovalRequired { request, .. }) => request,
        other => panic!("{other:?}"),
    };
    // Asking again names the same pending request.
    assert!(
        matches!(station.destroy_item(&high, "obsolete"), Err(Error::ApprovalRequired { request: r, .. }) if r == request)
    );
    // An operator cannot approve; a forged approval by SQL is refused.
    assert!(matches!(
        station.approve_request(request, "me"),
        Err(Error::Denied { .. })
    ));
    fx.db()
        .execute(
            "UPDATE requests SET status = 'approved' WHERE id = ?1",
            [request as i64],
        )
        .unwrap();
    assert!(matches!(
        station.destroy_item(&high, "obsolete"),
        Err(Error::Integrity { detail, .. }) if detail.contains("not signed by the admin key")
    ));
    fx.db()
        .execute("UPDATE requests SET status = 'pending' WHERE id = ?1", [request as i64])
        .unwrap();
    // An officer approves; approving twice is refused.
    switch(&mut station, "alice", ALICE_PW);
    station.approve_request(request, "confirmed with the owner").unwrap();
    assert!(matches!(
        station.approve_request(request, "again"),
        Err(Error::Denied { .. })
    ));
    switch(&mut station, "bob", BOB_PW);
    station.destroy_item(&high, "obsolete").unwrap();
    assert!(station.item(&high).is_err());
    let log = fx.actions();
    assert_eq!(log.iter().filter(|a| *a == "item.destroy").count(), 2);

    // Self-approval is refused: an officer's own request needs another officer.
    switch(&mut station, "alice", ALICE_PW);
    let ts = fx.import(&mut station, "ts.txt", Level::TopSecret);
    let own = match station.downgrade_item(&ts, Level::Secret, "releasable") {
        Err(Error::ApprovalRequired { request, .. }) => request,
        other => panic!("{other:?}"),
    };
    assert!(matches!(
        station.approve_request(own, "mine"),
        Err(Error::Denied { rule: "two-person", .. })
    ));
    // A witness who is not an officer, or is the user themselves, is refused.
    assert!(matches!(
        station.add_witness("bob", &pw(BOB_PW)),
        Err(Error::Denied { .. })
    ));
    assert!(matches!(
        station.add_witness("alice", &pw(ALICE_PW)),
        Err(Error::Denied { .. })
    ));
    assert!(matches!(
        station.add_witness("carol", &pw("wrong")),
        Err(Error::AuthenticationFailed { .. })
    ));
    // (That wrong password counts against carol like a failed sign-in: wait out the backoff.)
    fx.clock.advance(Duration::seconds(2));
    // carol denies the request; with carol as witness the downgrade goes through.
    switch(&mut station, "carol", CAROL_PW);
    station.deny_request(own, "use a witness").unwrap();
    switch(&mut station, "alice", ALICE_PW);
    station.add_witness("carol", &pw(CAROL_PW)).unwrap();
    station.downgrade_item(&ts, Level::Secret, "releasable").unwrap();
    assert_eq!(station.item(&ts).unwrap().summary.level, Level::Secret);
    // bob (secret) can now read it: its DEK is under the secret key.
    switch(&mut station, "bob", BOB_PW);
    station
        .export(
            &ts,
            &fx.files.join("ts.out"),
            false,
            "checked by the test",
            &Progress::new(),
        )
        .unwrap();
    assert_eq!(std::fs::read(fx.files.join("ts.out")).unwrap(), b"ts.txt");
    let conn = fx.db();
    let details: String = conn
        .query_row(
            "SELECT json_extract(canonical, '$.details.witness') FROM events WHERE action = 'item.reclassify'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(details, "carol");
}

#[test]
fn export_to_removable_media_needs_a_second_person() {
    let (fx, station) = fixture();
    drop(station);
    let usb = fx.files.join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let probe_root = usb.clone();
    let mut station = fx.reopen(|o| {
        o.removable = Box::new(move |p| p.starts_with(&probe_root));
        o.guard_probes = stick_probes(&usb, "7F77-D098");
    });
    register(&mut station, &usb, Level::Secret, "bob");
    let high = fx.import(&mut station, "high.txt", Level::Secret);
    switch(&mut station, "bob", BOB_PW);
    let request = match station.export(&high, &usb.join("out"), false, "checked by the test", &Progress::new()) {
        Err(Error::ApprovalRequired { request, .. }) => request,
        other => panic!("{other:?}"),
    };
    let written: Vec<_> = std::fs::read_dir(&usb)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != ".strongroom-medium.json")
        .collect();
    assert!(
        written.is_empty(),
        "nothing was written but the register's marker: {written:?}"
    );
    // A fixed disk needs nobody.
    station
        .export(
            &high,
            &fx.files.join("fixed.out"),
            false,
            "checked by the test",
            &Progress::new(),
        )
        .unwrap();
    switch(&mut station, "carol", CAROL_PW);
    station.approve_request(request, "ok").unwrap();
    switch(&mut station, "bob", BOB_PW);
    station
        .export(&high, &usb.join("out"), false, "checked by the test", &Progress::new())
        .unwrap();
    // The approval was used once.
    assert!(matches!(
        station.export(
            &high,
            &usb.join("again"),
            false,
            "checked by the test",
            &Progress::new()
        ),
        Err(Error::ApprovalRequired { .. })
    ));
    // A witness is used up only by an action that happens: an export that fails after the
    // witness was checked (its directory is missing) keeps them for the next attempt.
    station.add_witness("carol", &pw(CAROL_PW)).unwrap();
    assert!(matches!(
        station.export(
            &high,
            &usb.join("missing").join("out"),
            false,
            "checked by the test",
            &Progress::new()
        ),
        Err(Error::Io { .. })
    ));
    station
        .export(
            &high,
            &usb.join("witnessed"),
            false,
            "checked by the test",
            &Progress::new(),
        )
        .unwrap();
    assert!(matches!(
        station.export(
            &high,
            &usb.join("witnessed-again"),
            false,
            "checked by the test",
            &Progress::new()
        ),
        Err(Error::ApprovalRequired { .. })
    ));
    // The policy can forbid exporting secret at all.
    switch(&mut station, "alice", ALICE_PW);
    station.set_policy("export-max-level", "confidential").unwrap();
    assert!(matches!(
        station.export(
            &high,
            &fx.files.join("no.out"),
            false,
            "checked by the test",
            &Progress::new()
        ),
        Err(Error::Denied {
            rule: "export-policy",
            ..
        })
    ));
}

#[test]
fn the_last_holder_remains_and_officers_grant_only_what_they_hold() {
    let (_fx, mut station) = fixture();
    station.disable_user("carol", "left").unwrap();
    // Nobody administers their own account (so the last officer cannot remove themselves).
    assert!(matches!(
        station.disable_user("alice", "x"),
        Err(Error::Denied {
            rule: "separation-of-duties",
            ..
        })
    ));
    station.set_role("bob", Role::Officer, "deputy").unwrap();
    switch(&mut station, "bob", BOB_PW);
    // alice is the last active user cleared to top-secret.
    assert!(matches!(
        station.disable_user("alice", "x"),
        Err(Error::Denied {
            rule: "last-holder",
            ..
        })
    ));
    assert!(matches!(
        station.set_clearance("alice", Level::Secret, "x"),
        Err(Error::Denied {
            rule: "last-holder",
            ..
        })
    ));
    // bob (secret) cannot grant top-secret.
    station
        .add_user("dave", Role::Operator, Level::Secret, &pw(DAVE_PW))
        .unwrap();
    assert!(matches!(
        station.set_clearance("dave", Level::TopSecret, "x"),
        Err(Error::Denied { rule: "clearance", .. })
    ));
    assert!(matches!(
        station.add_user("erin", Role::Operator, Level::TopSecret, &pw("erin's long passphrase")),
        Err(Error::Denied { rule: "clearance", .. })
    ));
    // Once bob holds top-secret, alice can go; her admin and signing keys go with her.
    switch(&mut station, "alice", ALICE_PW);
    station.set_clearance("bob", Level::TopSecret, "x").unwrap();
    switch(&mut station, "bob", BOB_PW);
    let before = station.session().unwrap().directory().clone();
    station.disable_user("alice", "retired").unwrap();
    let after = station.session().unwrap().directory().clone();
    assert_ne!(before.admin_key, after.admin_key);
    assert_ne!(before.signing_key, after.signing_key);
    station.lock();
    assert!(matches!(
        station.unlock("alice", &pw(ALICE_PW)),
        Err(Error::AccountUnavailable { .. })
    ));
    station.unlock("dave", &pw(DAVE_PW)).unwrap();
}

#[test]
fn an_approval_is_used_once_for_its_item_and_level_within_a_day() {
    let (fx, station) = fixture();
    drop(station);
    let usb = fx.files.join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let probe_root = usb.clone();
    let mut station = fx.reopen(|o| {
        o.removable = Box::new(move |p| p.starts_with(&probe_root));
        o.guard_probes = stick_probes(&usb, "7F77-D098");
    });
    register(&mut station, &usb, Level::Secret, "bob");
    let high = fx.import(&mut station, "high.txt", Level::Secret);
    switch(&mut station, "bob", BOB_PW);
    let ask = |station: &mut Station, name: &str| match station.export(
        &high,
        &usb.join(name),
        false,
        "checked by the test",
        &Progress::new(),
    ) {
        Err(Error::ApprovalRequired { request, .. }) => request,
        other => panic!("{other:?}"),
    };
    let first = ask(&mut station, "1");
    switch(&mut station, "carol", CAROL_PW);
    station.approve_request(first, "ok").unwrap();
    switch(&mut station, "bob", BOB_PW);
    station
        .export(&high, &usb.join("1"), false, "checked by the test", &Progress::new())
        .unwrap();
    // SQL puts the used approval back: the ledger says it was used, so it is refused.
    fx.db()
        .execute("UPDATE requests SET status = 'approved' WHERE id = ?1", [first as i64])
        .unwrap();
    assert!(matches!(
        station.export(&high, &usb.join("2"), false, "checked by the test", &Progress::new()),
        Err(Error::Integrity { detail, .. }) if detail.contains("used already")
    ));
    fx.db()
        .execute("UPDATE requests SET status = 'used' WHERE id = ?1", [first as i64])
        .unwrap();
    // A request whose level was lowered by SQL is refused at approval.
    let second = ask(&mut station, "2");
    fx.db()
        .execute("UPDATE requests SET level = 1 WHERE id = ?1", [second as i64])
        .unwrap();
    switch(&mut station, "carol", CAROL_PW);
    assert!(matches!(
        station.approve_request(second, "ok"),
        Err(Error::Integrity { .. })
    ));
    fx.db()
        .execute("UPDATE requests SET level = 3 WHERE id = ?1", [second as i64])
        .unwrap();
    station.approve_request(second, "ok").unwrap();
    // An approval left for more than a day expires, and a new request is made.
    fx.clock.advance(Duration::hours(25));
    switch(&mut station, "bob", BOB_PW);
    let third = ask(&mut station, "3");
    assert_ne!(third, second);
    // Replacing the admin key (an officer is demoted) expires outstanding approvals.
    switch(&mut station, "carol", CAROL_PW);
    station.approve_request(third, "ok").unwrap();
    switch(&mut station, "alice", ALICE_PW);
    station
        .add_user("dave", Role::Officer, Level::Secret, &pw(DAVE_PW))
        .unwrap();
    station.set_role("dave", Role::Operator, "reassigned").unwrap();
    switch(&mut station, "bob", BOB_PW);
    let fourth = ask(&mut station, "4");
    assert_ne!(fourth, third);
}

#[test]
fn witness_passwords_count_toward_lockout_and_a_witness_lasts_one_session() {
    let (fx, mut station) = fixture();
    let high = fx.import(&mut station, "high.txt", Level::Secret);
    station.set_policy("lockout-attempts", "2").unwrap();
    station.set_policy("backoff-base-seconds", "0").unwrap();
    // Wrong witness passwords lock carol's account like wrong sign-ins.
    for _ in 0..2 {
        assert!(matches!(
            station.add_witness("carol", &pw("not carol's password")),
            Err(Error::AuthenticationFailed { .. })
        ));
    }
    assert!(matches!(
        station.add_witness("carol", &pw(CAROL_PW)),
        Err(Error::AccountUnavailable { .. })
    ));
    station.enable_user("carol", "it was alice testing").unwrap();
    // A witness signed in before an idle lock does not carry over to the next session.
    station.add_witness("carol", &pw(CAROL_PW)).unwrap();
    fx.clock.advance(Duration::minutes(11));
    assert!(station.poll_idle().unwrap());
    station.unlock("alice", &pw(ALICE_PW)).unwrap();
    assert!(matches!(
        station.destroy_item(&high, "no witness now"),
        Err(Error::ApprovalRequired { .. })
    ));
    // A witness who must change their password cannot witness.
    station
        .reset_password("carol", &pw("temporary passphrase"), "test")
        .unwrap();
    assert!(matches!(
        station.add_witness("carol", &pw("temporary passphrase")),
        Err(Error::Denied { rule: "two-person", .. })
    ));
}

#[test]
fn names_sealed_before_a_rotation_still_unseal_after_it() {
    let (fx, mut station) = fixture();
    let item = fx.import(&mut station, "s.txt", Level::Secret);
    station
        .export(
            &item,
            &fx.files.join("out.txt"),
            false,
            "checked by the test",
            &Progress::new(),
        )
        .unwrap();
    station.disable_user("bob", "left").unwrap();
    station.set_clearance("carol", Level::Confidential, "moved").unwrap();
    let conn = fx.db();
    let (generation, sealed): (u32, String) = conn
        .query_row(
            "SELECT json_extract(canonical, '$.details.sealing_generation'), json_extract(canonical, '$.details.destination_name_sealed') FROM events WHERE action = 'item.export'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(generation, 1);
    let name = station.unseal_name(Level::Secret, generation, &sealed).unwrap();
    assert_eq!(name, "out.txt");
    assert_eq!(
        station
            .session()
            .unwrap()
            .directory()
            .level(Level::Secret)
            .unwrap()
            .generation,
        3
    );
}
