//! Every event a real workflow writes validates against `schemas/events/event.schema.json`
//! and the schema of its action, with a full JSON Schema validator (the `jsonschema` crate,
//! formats checked); every action of the enum has a schema and every schema an action.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;
use strongroom::accounts::Role;
use strongroom::cloud::environment::Environment;
use strongroom::cloud::processes::ProcessInfo;
use strongroom::cloud::scan::{Processes, Sources};
use strongroom::crypto::Password;
use strongroom::ledger::Action;
use strongroom::progress::Progress;
use strongroom::station::cloud::CloudSources;
use strongroom::station::{ExportChoices, ImportOptions};

use crate::support::accounts::add_ready_user;
use crate::support::station::LibVault;
use strongroom::{Level, Station};

fn schema_dir() -> PathBuf {
    crate::support::repo_root().join("schemas/events")
}

/// The schema file `<name>.schema.json`, checked against the JSON Schema meta-schema.
fn schema_json(name: &str) -> Value {
    let path = schema_dir().join(format!("{name}.schema.json"));
    let text = std::fs::read(&path).unwrap_or_else(|_| panic!("no schema {}", path.display()));
    let schema: Value = serde_json::from_slice(&text).unwrap();
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("{} is not a valid JSON Schema: {e}", path.display());
    }
    schema
}

/// A validator for `<name>.schema.json`, formats (`date-time`) included.
fn schema(name: &str) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema_json(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The first violation of `value`, as text.
fn validate(validator: &jsonschema::Validator, value: &Value) -> Result<(), String> {
    validator
        .validate(value)
        .map_err(|e| format!("{e} at {}", e.instance_path()))
}

#[test]
fn the_schemas_reject_what_they_forbid() {
    let envelope = schema("event");
    let good = serde_json::json!({"seq": 0, "time": "2026-11-23T15:04:05.250Z", "actor": "alice", "action": "auth.login", "subject": "alice", "level": null, "details": {}});
    validate(&envelope, &good).unwrap();
    for (field, bad) in [
        ("seq", Value::from(-1)),
        ("seq", Value::from(1.5)),
        ("level", Value::from("restricted")),
        ("action", Value::from("item.eat")),
        ("time", Value::from("yesterday")),
        // Right length, wrong shape: only the pattern catches these.
        ("time", Value::from("2026-11-23 15:04:05.250Z")),
        ("time", Value::from("2026-11-23T15:04:05,250Z")),
        // Right shape, impossible date: only the date-time format catches it.
        ("time", Value::from("2026-13-23T15:04:05.250Z")),
    ] {
        let mut event = good.clone();
        event[field] = bad.clone();
        assert!(validate(&envelope, &event).is_err(), "{field} = {bad}");
    }
    let mut extra = good.clone();
    extra["title"] = Value::from("leaked");
    assert!(validate(&envelope, &extra).is_err());
    let login = schema("auth.login");
    assert!(validate(&login, &serde_json::json!({"user": "x"})).is_err());

    let export = schema("item.export");
    let details = serde_json::json!({
        "item": "0b8e3f4c-2f7a-4a53-9a43-3d5f0f2b9c11",
        "control_number": "SR-2026-000042",
        "destination_dir": "/media/stick",
        "destination_name_sealed": "ab".repeat(64),
        "sealing_generation": 1,
        "size": 5,
        "sha256": "0f".repeat(32),
    });
    validate(&export, &details).unwrap();
    for (field, bad) in [
        ("item", "0B8E3F4C-2F7A-4A53-9A43-3D5F0F2B9C11"),
        ("item", "0b8e3f4c_2f7a_4a53_9a43_3d5f0f2b9c11"),
        ("control_number", "SR-2026-00004x"),
        ("sha256", &"0F".repeat(32)),
        ("destination_name_sealed", &"zz".repeat(64)),
    ] {
        let mut edited = details.clone();
        edited[field] = Value::from(bad);
        assert!(validate(&export, &edited).is_err(), "{field} = {bad}");
    }
}

#[test]
fn every_action_has_a_schema_and_every_schema_an_action() {
    let envelope = schema_json("event");
    let listed: BTreeSet<&str> = envelope["properties"]["action"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let actions: BTreeSet<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    assert_eq!(
        listed, actions,
        "event.schema.json lists exactly the actions of the enum"
    );
    let files: BTreeSet<String> = std::fs::read_dir(schema_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".schema.json").map(str::to_string))
        .filter(|n| n != "event")
        .collect();
    let actions: BTreeSet<String> = actions.into_iter().map(str::to_string).collect();
    assert_eq!(files, actions, "one details schema per action, and no other");
    for name in &files {
        schema(name);
    }
}

#[test]
fn events_of_a_real_workflow_validate() {
    let (vault, mut station) = LibVault::new();
    let (clock, root, code) = (vault.clock.clone(), vault.root.clone(), &vault.recovery);
    let password = Password::from(crate::support::PASSWORD);
    add_ready_user(
        &mut station,
        "bob",
        Role::Operator,
        Level::Secret,
        "operator passphrase 1",
    );
    station.lock();
    assert!(
        station
            .unlock("alice", &Password::from("wrong password, really"))
            .is_err()
    );
    clock.advance(time::Duration::seconds(2));
    station.unlock("alice", &password).unwrap();
    station
        .change_password(&password, &Password::from("a second passphrase"))
        .unwrap();
    station.recover("alice", code, &password).unwrap();
    station.unlock("alice", &password).unwrap();

    let files = vault.files.clone();
    let (a, b) = (files.join("a.tif"), files.join("b.tif"));
    std::fs::write(&a, b"alpha").unwrap();
    std::fs::write(&b, b"bravo").unwrap();
    let options = ImportOptions::at(Level::Secret);
    // The files cannot be moved into objects/ after their pending rows are written: the
    // group is abandoned, and its control numbers are explained (import_aborted).
    let blockers = crate::support::block_object_dirs(&station.paths().objects);
    let plan = station.plan_import(&[a.clone(), b.clone()], false).unwrap();
    assert!(station.import(plan, &options, &Progress::new()).is_err());
    blockers.remove();
    let plan = station.plan_import(std::slice::from_ref(&a), false).unwrap();
    let item = station
        .import(plan, &options, &Progress::new())
        .unwrap()
        .imported
        .remove(0);
    let control = item.control_number.to_string();
    station
        .export(
            &control,
            &files.join("out.tif"),
            false,
            "checked by the test",
            &Progress::new(),
        )
        .unwrap();
    station.verify_ledger().unwrap();

    // Cloud: a home whose Syncthing folder is ~/Sync, with the client running. Signing in
    // records the client; an import from the folder is an exposure; an officer's export
    // into it is an override.
    drop(station);
    let home = files.join("home");
    syncthing_home(&home);
    let syncthing = ProcessInfo {
        pid: 4242,
        exe: Some("/usr/bin/syncthing".into()),
        cmd: vec!["syncthing".into(), "serve".into()],
        uid: Some(1000),
    };
    let sources = Sources {
        environments: vec![Environment::for_home(&home)],
        mount_table: Some(String::new()),
        processes: Processes::Given(vec![syncthing]),
        walk: None,
        skip: Vec::new(),
    };
    let mut station = vault.reopen(|options| options.cloud = CloudSources(sources));
    let synced = home.join("Sync/received.tif");
    std::fs::write(&synced, b"came through the sync").unwrap();
    let plan = station.plan_import(&[synced], false).unwrap();
    let internal = ImportOptions::at(Level::Internal);
    let received = station
        .import(plan, &internal, &Progress::new())
        .unwrap()
        .imported
        .remove(0);
    let choices = ExportChoices {
        reason: "back to the archive".into(),
        cloud_override: Some("the archive's folder; sync paused".into()),
        ..ExportChoices::default()
    };
    let to = home.join("Sync/back.tif");
    station
        .export_with(&received.control_number.to_string(), &to, &choices, &Progress::new())
        .unwrap();

    // Accounts: lockout and unlock, reset, clearance, disable, enable, role, policy.
    let bob_pw = Password::from("operator passphrase 1");
    let carol_pw = Password::from("carol's passphrase");
    station
        .add_user("carol", Role::Operator, Level::Internal, &carol_pw)
        .unwrap();
    station.set_policy("lockout-attempts", "2").unwrap();
    station.lock();
    for _ in 0..2 {
        assert!(
            station
                .unlock("carol", &Password::from("not carol's password"))
                .is_err()
        );
        clock.advance(time::Duration::minutes(1));
    }
    station.unlock("alice", &password).unwrap();
    let lockout = station.alerts().unwrap().remove(0);
    assert_eq!(lockout.action, "auth.lockout");
    station
        .acknowledge_alert(lockout.seq, "carol called; she mistyped after her holiday")
        .unwrap();
    // alice's own use of the recovery code: the only officer may close it herself.
    let recovered = station.alerts().unwrap().remove(0);
    assert_eq!(recovered.action, "user.recover");
    station
        .acknowledge_alert(recovered.seq, "I lost my password; the code is to be reissued")
        .unwrap();
    assert!(station.alerts().unwrap().is_empty());
    station.reissue_recovery_code("the old code was used").unwrap();
    let reissued = station.alerts().unwrap().remove(0);
    assert_eq!(reissued.action, "recovery.reissue");
    station
        .acknowledge_alert(reissued.seq, "the new code is in the safe")
        .unwrap();
    let guarded = crate::support::requires::root("the guard's events (its state belongs to root)");
    if guarded {
        exercise_the_guard(&mut station, &vault);
    }
    station.enable_user("carol", "she remembered").unwrap();
    station
        .reset_password("carol", &Password::from("temporary passphrase"), "forgot it")
        .unwrap();
    station
        .set_clearance("carol", Level::Unclassified, "project ended")
        .unwrap();
    station.disable_user("carol", "left the unit").unwrap();
    station.enable_user("carol", "came back").unwrap();
    station
        .set_role("bob", Role::Officer, "deputy security officer")
        .unwrap();

    // An officer destroys an item whose custodian is bob: a custody alert.
    station.lock();
    station.unlock("bob", &bob_pw).unwrap();
    let bobs_file = files.join("bob.txt");
    std::fs::write(&bobs_file, b"bob's note").unwrap();
    let plan = station.plan_import(std::slice::from_ref(&bobs_file), false).unwrap();
    let bobs = station
        .import(plan, &ImportOptions::at(Level::Internal), &Progress::new())
        .unwrap()
        .imported
        .remove(0);
    station.lock();
    station.unlock("alice", &password).unwrap();
    station
        .destroy_item(&bobs.control_number.to_string(), "filed twice")
        .unwrap();

    // Two-person actions: a request approved later, a request denied, a witness.
    let second = files.join("c.tif");
    std::fs::write(&second, b"charlie").unwrap();
    let plan = station.plan_import(std::slice::from_ref(&second), false).unwrap();
    let other = station
        .import(plan, &options, &Progress::new())
        .unwrap()
        .imported
        .remove(0);
    let other_control = other.control_number.to_string();
    let request = match station.destroy_item(&other_control, "superseded") {
        Err(strongroom::Error::ApprovalRequired { request, .. }) => request,
        other => panic!("expected a request, got {other:?}"),
    };
    station.lock();
    station.unlock("bob", &bob_pw).unwrap();
    station.approve_request(request, "checked").unwrap();
    station.lock();
    station.unlock("alice", &password).unwrap();
    station.destroy_item(&other_control, "superseded").unwrap();
    let request = match station.downgrade_item(&control, Level::Confidential, "releasable") {
        Err(strongroom::Error::ApprovalRequired { request, .. }) => request,
        other => panic!("expected a request, got {other:?}"),
    };
    station.lock();
    station.unlock("bob", &bob_pw).unwrap();
    station.deny_request(request, "not yet").unwrap();
    station.lock();
    station.unlock("alice", &password).unwrap();
    station.add_witness("bob", &bob_pw).unwrap();
    station
        .downgrade_item(&control, Level::Confidential, "releasable")
        .unwrap();
    // Custody: retention, an offer withdrawn and one accepted, a raise refused (bob holds
    // no top-secret key) and one done, a reassignment, an inventory.
    station
        .set_retention(&control, Some("2099-01-01"), "kept for the survey")
        .unwrap();
    station.offer_custody(&control, "bob", Some("for the survey")).unwrap();
    station.decline_custody(&control).unwrap();
    station.offer_custody(&control, "bob", None).unwrap();
    station.lock();
    station.unlock("bob", &bob_pw).unwrap();
    station.accept_custody(&control).unwrap();
    assert!(
        station
            .raise_item(&control, Level::TopSecret, "too sensitive", &Progress::new())
            .is_err()
    );
    station.lock();
    station.unlock("alice", &password).unwrap();
    station
        .raise_item(&control, Level::Secret, "more sensitive than thought", &Progress::new())
        .unwrap();
    station
        .reassign_custody("bob", "alice", "bob moves to another unit")
        .unwrap();
    station.inventory(true, &Progress::new()).unwrap();
    // A lost directory row: an officer puts it back from the ledger's copy.
    let newest = station.session().unwrap().directory().version;
    station.lock();
    rusqlite::Connection::open(root.join("strongroom.db"))
        .unwrap()
        .execute("DELETE FROM directories WHERE version = ?1", [newest as i64])
        .unwrap();
    station.rebuild_directory("alice", &password).unwrap();
    // A row appended with SQL: the next sign-in reports it (ledger.alert).
    crate::support::insider::append_event(
        &rusqlite::Connection::open(root.join("strongroom.db")).unwrap(),
        "alice",
        "ledger.verify",
        "station",
        serde_json::json!({ "ok": true, "events": 0, "checkpoints": 0, "verified_size": 0 }),
    );
    station.unlock("alice", &password).unwrap();
    // Idle: the station drops the keys after the policy's ten minutes.
    clock.advance(time::Duration::minutes(11));
    assert!(station.poll_idle().unwrap());
    station.unlock("alice", &password).unwrap();

    // An insider edits a query column; verify finds it and an officer starts a new epoch.
    crate::support::insider::unguarded(&root)
        .execute("UPDATE events SET subject = 'x' WHERE seq = 2", [])
        .unwrap();
    assert!(!station.verify_ledger().unwrap().ok);
    station.start_epoch("subject of seq 2 edited").unwrap();
    drop(station);
    // A dead exporter's recorded temp file, swept at the next open (export_aborted), and a
    // recorded path that is no temp of Strongroom's, kept and reported (sweep.alert).
    let conn = rusqlite::Connection::open(root.join("strongroom.db")).unwrap();
    for name in [".strongroom-0f0e0d0c-0b0a-4908-8706-050403020100.part", "thesis.doc"] {
        conn.execute(
            "INSERT INTO export_temps (path, item, owner, created_at) VALUES (?1, ?2, 'dead', '2026-01-01T00:00:00.000Z')",
            rusqlite::params![files.join(name).to_str().unwrap().as_bytes(), item.id.as_bytes().to_vec()],
        )
        .unwrap();
    }
    let station = Station::open(&root).unwrap();
    drop(station);

    let envelope = schema("event");
    let mut seen = BTreeSet::new();
    let mut stmt = conn.prepare("SELECT canonical FROM events ORDER BY seq").unwrap();
    let events: Vec<Value> = stmt
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|b| serde_json::from_slice(&b.unwrap()).unwrap())
        .collect();
    for event in &events {
        validate(&envelope, event).unwrap_or_else(|e| panic!("{e} in {event}"));
        let action = event["action"].as_str().unwrap();
        validate(&schema(action), &event["details"]).unwrap_or_else(|e| panic!("{e} in {event}"));
        seen.insert(action.to_string());
    }
    for action in Action::ALL {
        let needs_the_guard = ["guard.", "quarantine.", "media.", "cloud.material.", "cloud.marking."]
            .iter()
            .any(|p| action.as_str().starts_with(p));
        if !guarded && needs_the_guard {
            continue;
        }
        assert!(
            seen.contains(action.as_str()),
            "the workflow wrote no {} event",
            action.as_str()
        );
    }
}

/// Enable the guard, run it in-process on a network and media the test sets (an interface
/// appearing and coming up, a stick mounted and pulled), then disable it: every guard event.
fn exercise_the_guard(station: &mut Station, vault: &LibVault) {
    use std::time::{Duration, Instant};
    use strongroom::guard::probes::fixed::{FixedDevices, FixedMounts, FixedNetwork, link, only_loopback};
    use strongroom::guard::superblock::{FsKind, Identity};
    use strongroom::guard::{Config, Guard, Probes};

    station.guard_enable(Vec::new()).unwrap();
    let network = FixedNetwork::default();
    *network.0.lock().unwrap() = only_loopback();
    let mounts = FixedMounts::default();
    // A fake sysfs: the second stick (8:33) hangs from USB device 1-3, so blocking it writes
    // `0` into that device's `authorized`.
    let sysfs = vault.files.join("sys");
    let usb = sysfs.join("devices/pci0000:00/usb1/1-3");
    std::fs::create_dir_all(usb.join("1-3:1.0/block/sdc/sdc1")).unwrap();
    std::fs::write(usb.join("authorized"), "1").unwrap();
    std::fs::write(usb.join("idVendor"), "0781").unwrap();
    std::fs::create_dir_all(sysfs.join("dev/block")).unwrap();
    std::os::unix::fs::symlink(usb.join("1-3:1.0/block/sdc/sdc1"), sysfs.join("dev/block/8:33")).unwrap();
    let mut devices = FixedDevices {
        removable: vec![(8, 17), (8, 33)],
        sysfs: Some(sysfs.clone()),
        ..FixedDevices::default()
    };
    devices.nodes.insert("/dev/sdb1".into(), (8, 17));
    devices.nodes.insert("/dev/sdc1".into(), (8, 33));
    devices.identities.insert(
        "/dev/sdc1".into(),
        Identity {
            kind: FsKind::Fat,
            uuid: "1234-ABCD".into(),
            label: None,
        },
    );
    devices.identities.insert(
        "/dev/sdb1".into(),
        Identity {
            kind: FsKind::Exfat,
            uuid: "7F77-D098".into(),
            label: Some("EXLABEL".into()),
        },
    );
    // A directory standing in for the stick (the mount table says it is one), and one for a
    // home the guard protects.
    let stick = vault.files.join("stick");
    let home = vault.files.join("home");
    std::fs::create_dir_all(&stick).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    // A folder Syncthing shares in that home: the guard watches it for cloud alerts.
    syncthing_home(&home);
    std::fs::write(stick.join("survey.tif"), b"the survey on the stick").unwrap();
    // The same content is a vault item at internal: copies of it are sealed at internal.
    let item = vault.files.join("survey-item.tif");
    std::fs::write(&item, b"the survey on the stick").unwrap();
    // And a plan that is on no stick: its plaintext outside the vault is reported unless an
    // export recorded where it went.
    let plan_file = vault.files.join("plan.pdf");
    std::fs::write(&plan_file, b"the harbour plan, on no stick").unwrap();
    let plan = station.plan_import(&[item, plan_file], false).unwrap();
    let imported = station
        .import(plan, &ImportOptions::at(Level::Internal), &Progress::new())
        .unwrap();
    let plan_control = imported
        .imported
        .iter()
        .find(|i| i.title == "plan.pdf")
        .unwrap()
        .control_number
        .to_string();
    // The stick is registered (at internal: no witness), issued and returned; unregistered
    // media are blocked.
    *mounts.0.lock().unwrap() =
        strongroom::mounts::parse(&format!("40 22 8:17 / {} rw - fuseblk /dev/sdb1 rw\n", stick.display()));
    let mut officer = vault.reopen(|o| {
        o.guard_probes = Probes {
            mounts: Box::new(mounts.clone()),
            network: Box::new(network.clone()),
            devices: Box::new(devices.clone()),
        }
    });
    let registered = officer
        .media_register(&strongroom::station::Registration {
            mount_point: stick.clone(),
            label: "专用U盘 07".into(),
            level: Level::Internal,
            custodian: "alice".into(),
            expires: Some("2099-12-31".into()),
        })
        .unwrap();
    let medium_id = registered.record().medium.clone();
    officer.media_issue(&medium_id, "bob").unwrap();
    officer.media_return(&medium_id).unwrap();
    officer.set_policy("unregistered-media", "block").unwrap();
    drop(officer);
    mounts.0.lock().unwrap().clear();
    let config = Config {
        vault: vault.root.clone(),
        guard_dir: vault.guard_dir(),
        removable_roots: Vec::new(),
        heartbeat: Some(Duration::from_secs(1)),
        copies: Some(strongroom::guard::daemon::CopyWatchConfig {
            defaults: false,
            extra: vec![home.clone()],
        }),
    };
    let probes = Probes {
        mounts: Box::new(mounts.clone()),
        network: Box::new(network.clone()),
        devices: Box::new(devices),
    };
    let mut guard = Guard::start(config, probes).unwrap();
    *mounts.0.lock().unwrap() =
        strongroom::mounts::parse(&format!("40 22 8:17 / {} rw - fuseblk /dev/sdb1 rw\n", stick.display()));
    guard.on_mounts().unwrap();
    // An unregistered stick: an alert, and its USB device de-authorized.
    let stick2 = vault.files.join("stick2");
    std::fs::create_dir_all(&stick2).unwrap();
    mounts.0.lock().unwrap().push(
        strongroom::mounts::parse(&format!(
            "41 22 8:33 / {} rw - fuseblk /dev/sdc1 rw\n",
            stick2.display()
        ))
        .remove(0),
    );
    guard.on_mounts().unwrap();
    assert_eq!(std::fs::read_to_string(usb.join("authorized")).unwrap(), "0");
    mounts.0.lock().unwrap().pop();
    guard.on_mounts().unwrap();
    // A copy while air-gapped, then one while networked (an alert).
    let copy_into = |guard: &mut Guard, name: &str, action: &str| {
        std::fs::copy(stick.join("survey.tif"), home.join(name)).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let written = || {
            crate::support::insider::events(&rusqlite::Connection::open(vault.root.join("strongroom.db")).unwrap())
                .iter()
                .any(|e| e["action"] == action)
        };
        while !written() {
            assert!(Instant::now() < deadline, "no {action}");
            std::thread::sleep(Duration::from_millis(20));
            guard.on_destinations().unwrap();
        }
    };
    copy_into(&mut guard, "one.tif", "guard.copy");
    // Exported on purpose into the home (recorded), then copied on to the desk: only the
    // copy on the desk is reported, once it has waited for an export to record itself.
    let exports = home.join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    station
        .export(&plan_control, &exports, false, "for the briefing", &Progress::new())
        .unwrap();
    std::fs::create_dir_all(home.join("desk")).unwrap();
    std::fs::copy(exports.join("plan.pdf"), home.join("desk/plan.pdf")).unwrap();
    let material = |vault: &LibVault| {
        crate::support::insider::events(&rusqlite::Connection::open(vault.root.join("strongroom.db")).unwrap())
            .into_iter()
            .filter(|e| e["action"] == "guard.alert" && e["details"]["finding"] == "vault_material")
            .collect::<Vec<_>>()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        std::thread::sleep(Duration::from_millis(50));
        guard.on_destinations().unwrap();
        guard.on_timer(Instant::now() + Duration::from_secs(6)).unwrap();
        if !material(vault).is_empty() || Instant::now() > deadline {
            break;
        }
    }
    let found = material(vault);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["subject"], plan_control.as_str());
    assert_eq!(
        found[0]["details"]["destination_dir"],
        home.join("desk").to_str().unwrap()
    );
    // In the synced folder: a marked file and the plan's content (root's files: reported,
    // not contained).
    std::fs::write(home.join("Sync/brief.txt"), "机密\nthe harbour approaches".as_bytes()).unwrap();
    std::fs::copy(exports.join("plan.pdf"), home.join("Sync/plan.pdf")).unwrap();
    let cloud_alerts = || {
        crate::support::insider::events(&rusqlite::Connection::open(vault.root.join("strongroom.db")).unwrap())
            .into_iter()
            .filter(|e| {
                e["action"]
                    .as_str()
                    .is_some_and(|a| a.starts_with("cloud.") && a.ends_with(".alert"))
            })
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while cloud_alerts() < 2 {
        assert!(Instant::now() < deadline, "no cloud alerts");
        std::thread::sleep(Duration::from_millis(50));
        guard.on_destinations().unwrap();
        guard.on_timer(Instant::now() + Duration::from_secs(6)).unwrap();
    }
    let now = Instant::now();
    network.0.lock().unwrap().links.push(link(4, "wwan0", false));
    guard.on_network(now).unwrap();
    network.0.lock().unwrap().links[1] = link(4, "wwan0", true);
    guard.on_network(now).unwrap();
    copy_into(&mut guard, "two.tif", "guard.copy.alert");
    // Two copies by a user (a root file is never contained): sealed into the quarantine.
    {
        use std::os::unix::fs::PermissionsExt;
        for dir in [vault.files.parent().unwrap(), &vault.files] {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o711)).unwrap();
        }
        std::os::unix::fs::chown(&home, Some(65534), Some(65534)).unwrap();
        for name in ["three.tif", "four.tif"] {
            let copy = home.join(name);
            std::fs::copy(stick.join("survey.tif"), &copy).unwrap();
            std::os::unix::fs::chown(&copy, Some(65534), Some(65534)).unwrap();
            let deadline = Instant::now() + Duration::from_secs(10);
            while copy.exists() {
                assert!(Instant::now() < deadline, "{name} was not contained");
                guard.on_destinations().unwrap();
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    mounts.0.lock().unwrap().clear();
    guard.on_mounts().unwrap();
    guard.on_timer(now + Duration::from_secs(2)).unwrap();
    assert_eq!(guard.pending(), 0, "every event was written");
    drop(guard);
    // One entry released as an item, the other destroyed (internal: no second person).
    let entries = station.quarantine_list().unwrap();
    assert_eq!(entries.len(), 2);
    assert!(
        entries.iter().all(|e| e.level == Level::Internal),
        "sealed at the item's level"
    );
    let release = strongroom::station::Release {
        level: Level::Internal,
        title: None,
        reason: "a copy of our own item".into(),
    };
    station
        .quarantine_release(&entries[0].id, &release, &Progress::new())
        .unwrap();
    station.quarantine_destroy(&entries[1].id, "a second copy").unwrap();
    station.media_retire(&medium_id, "worn out").unwrap();
    let (destroyed, number) = station.media_destroy(&medium_id, "shredded").unwrap();
    assert_eq!(destroyed.status, strongroom::guard::register::MediumStatus::Destroyed);
    // The medium's certificate: signed by the officer's admin key, agreeing with the ledger,
    // printable.
    let certificate = station.certificate(&number).unwrap();
    assert_eq!(certificate.status(), "signed");
    let body = &certificate.certificate;
    assert_eq!(body.subject, strongroom::custody::certificate::Subject::Medium);
    assert_eq!(body.medium.as_ref().unwrap().medium, medium_id);
    assert_eq!(body.sanitization.method_type, "destroy");
    assert!(station.certificate_pdf(&number).unwrap().starts_with(b"%PDF-"));
    let events =
        crate::support::insider::events(&rusqlite::Connection::open(vault.root.join("strongroom.db")).unwrap());
    let mount = events
        .iter()
        .find(|e| e["action"] == "media.mount" && e["subject"] == "EXLABEL")
        .unwrap();
    assert_eq!(mount["details"]["registration"]["status"], "registered", "{mount}");
    assert_eq!(mount["details"]["registration"]["medium"], medium_id.as_str());
    let blocked = events
        .iter()
        .find(|e| e["action"] == "guard.alert" && e["details"]["finding"] == "unregistered_medium")
        .unwrap();
    assert_eq!(blocked["details"]["code"], "no_marker", "{blocked}");
    assert_eq!(blocked["details"]["response"], "blocked", "{blocked}");
    station.guard_disable().unwrap();
}

/// Make `home` one whose Syncthing configuration shares `~/Sync`.
fn syncthing_home(home: &std::path::Path) {
    std::fs::create_dir_all(home.join(".config/syncthing")).unwrap();
    std::fs::create_dir_all(home.join("Sync")).unwrap();
    std::fs::write(
        home.join(".config/syncthing/config.xml"),
        "<configuration><folder path=\"~/Sync\"/></configuration>",
    )
    .unwrap();
}
