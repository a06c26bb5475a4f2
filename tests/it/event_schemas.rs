//! Every event a real workflow writes validates against `schemas/events/event.schema.json`
//! and the schema of its action; every action has a schema. The validator below implements
//! exactly the JSON Schema keywords those files use, and is itself tested.

use std::path::Path;

use serde_json::Value;
use strongroom::accounts::Role;
use strongroom::crypto::Password;
use strongroom::crypto::kdf::KdfParams;
use strongroom::ledger::Action;
use strongroom::progress::Progress;
use strongroom::station::{ImportOptions, InitOptions};
use strongroom::time::ManualClock;
use strongroom::{Level, Station};

/// Check `value` against `schema` (keywords: type, enum, required, properties,
/// additionalProperties, items, minLength, maxLength, minimum). Returns the first violation.
fn validate(schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(kind) = schema.get("type").and_then(Value::as_str) {
        let ok = match kind {
            "object" => value.is_object(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            "array" => value.is_array(),
            other => return Err(format!("{at}: unsupported type keyword {other}")),
        };
        if !ok {
            return Err(format!("{at}: expected {kind}, found {value}"));
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {options:?}"));
    }
    if let Some(text) = value.as_str() {
        let len = text.chars().count() as u64;
        if schema.get("minLength").and_then(Value::as_u64).is_some_and(|m| len < m) {
            return Err(format!("{at}: too short"));
        }
        if schema.get("maxLength").and_then(Value::as_u64).is_some_and(|m| len > m) {
            return Err(format!("{at}: too long"));
        }
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_i64), value.as_i64())
        && n < min
    {
        return Err(format!("{at}: below {min}"));
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            validate(items, item, &format!("{at}[{i}]"))?;
        }
    }
    if let Some(object) = value.as_object() {
        for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let name = name.as_str().unwrap_or_default();
            if !object.contains_key(name) {
                return Err(format!("{at}: missing {name}"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, item) in object {
            match properties.and_then(|p| p.get(name)) {
                Some(sub) => validate(sub, item, &format!("{at}.{name}"))?,
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    return Err(format!("{at}: unexpected property {name}"));
                }
                None => {}
            }
        }
    }
    Ok(())
}

fn schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas/events")
        .join(format!("{name}.schema.json"));
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|_| panic!("no schema {}", path.display()))).unwrap()
}

#[test]
fn the_validator_rejects_what_the_schemas_forbid() {
    let envelope = schema("event");
    let good = serde_json::json!({"seq": 0, "time": "2026-11-23T15:04:05.250Z", "actor": "alice", "action": "auth.login", "subject": "alice", "level": null, "details": {}});
    validate(&envelope, &good, "event").unwrap();
    for (field, bad) in [
        ("seq", Value::from(-1)),
        ("level", Value::from("restricted")),
        ("action", Value::from("item.eat")),
        ("time", Value::from("yesterday")),
    ] {
        let mut event = good.clone();
        event[field] = bad;
        assert!(validate(&envelope, &event, "event").is_err(), "{field}");
    }
    let mut extra = good.clone();
    extra["title"] = Value::from("leaked");
    assert!(validate(&envelope, &extra, "event").is_err());
    let login = schema("auth.login");
    assert!(validate(&login, &serde_json::json!({"user": "x"}), "details").is_err());
}

#[test]
fn every_action_has_a_schema() {
    let envelope = schema("event");
    let listed: Vec<&str> = envelope["properties"]["action"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for action in Action::ALL {
        assert!(
            listed.contains(&action.as_str()),
            "{} missing from event.schema.json",
            action.as_str()
        );
        schema(action.as_str());
    }
}

#[test]
fn events_of_a_real_workflow_validate() {
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("vault");
    let password = Password::from("correct horse battery staple");
    let (mut station, code) = Station::init(
        &root,
        "alice",
        &password,
        InitOptions {
            kdf: Some(KdfParams::FLOOR),
            clock: clock.clone(),
        },
    )
    .unwrap();
    station
        .add_user(
            "bob",
            Role::Operator,
            Level::Secret,
            &Password::from("operator passphrase 1"),
        )
        .unwrap();
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
    station.recover("alice", &code, &password).unwrap();
    station.unlock("alice", &password).unwrap();

    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let (a, b) = (files.join("a.tif"), files.join("b.tif"));
    std::fs::write(&a, b"alpha").unwrap();
    std::fs::write(&b, b"bravo").unwrap();
    let options = ImportOptions {
        level: Level::Secret,
        title: None,
        notes: None,
    };
    // The second file vanishes before it is read: the batch is abandoned (import_aborted).
    let plan = station.plan_import(&[a.clone(), b.clone()], false).unwrap();
    std::fs::remove_file(&b).unwrap();
    assert!(station.import(&plan, &options, &Progress::new()).is_err());
    let plan = station.plan_import(std::slice::from_ref(&a), false).unwrap();
    let item = station.import(&plan, &options, &Progress::new()).unwrap().remove(0);
    let control = item.control_number.to_string();
    station
        .export(&control, &files.join("out.tif"), false, &Progress::new())
        .unwrap();
    station.verify_ledger().unwrap();

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
    assert!(station.alerts().unwrap().is_empty());
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

    // Two-person actions: a request approved later, a request denied, a witness.
    let second = files.join("c.tif");
    std::fs::write(&second, b"charlie").unwrap();
    let plan = station.plan_import(std::slice::from_ref(&second), false).unwrap();
    let other = station.import(&plan, &options, &Progress::new()).unwrap().remove(0);
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
    // Idle: the station drops the keys after the policy's ten minutes.
    clock.advance(time::Duration::minutes(11));
    assert!(station.poll_idle().unwrap());
    station.unlock("alice", &password).unwrap();

    // An insider edits a query column; verify finds it and an officer starts a new epoch.
    let insider = rusqlite::Connection::open(root.join("strongroom.db")).unwrap();
    insider
        .execute_batch("DROP TRIGGER events_are_append_only_update; UPDATE events SET subject = 'x' WHERE seq = 2;")
        .unwrap();
    assert!(!station.verify_ledger().unwrap().ok);
    station.start_epoch("subject of seq 2 edited").unwrap();
    drop(station);
    // A dead exporter's recorded temp file, swept at the next open (export_aborted).
    let conn = rusqlite::Connection::open(root.join("strongroom.db")).unwrap();
    conn.execute(
        "INSERT INTO export_temps (path, item, owner, created_at) VALUES (?1, ?2, 'dead', '2026-01-01T00:00:00.000Z')",
        rusqlite::params![
            files.join(".strongroom-x.part").to_str().unwrap().as_bytes(),
            item.id.as_bytes().to_vec()
        ],
    )
    .unwrap();
    let station = Station::open(&root).unwrap();
    drop(station);

    let envelope = schema("event");
    let mut seen = std::collections::BTreeSet::new();
    let mut stmt = conn.prepare("SELECT canonical FROM events ORDER BY seq").unwrap();
    let events: Vec<Value> = stmt
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|b| serde_json::from_slice(&b.unwrap()).unwrap())
        .collect();
    for event in &events {
        validate(&envelope, event, "event").unwrap_or_else(|e| panic!("{e} in {event}"));
        let action = event["action"].as_str().unwrap();
        validate(&schema(action), &event["details"], action).unwrap_or_else(|e| panic!("{e} in {event}"));
        seen.insert(action.to_string());
    }
    for action in Action::ALL {
        assert!(
            seen.contains(action.as_str()),
            "the workflow wrote no {} event",
            action.as_str()
        );
    }
}
