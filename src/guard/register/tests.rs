use super::*;
use crate::Level;
use crate::crypto::sign::SignKey;
use crate::guard::medium_record::FORMAT;

const STATION: &str = "0123456789abcdef";

fn record(medium: &str, fs_uuid: &str) -> MediumRecord {
    MediumRecord {
        format: FORMAT,
        medium: medium.into(),
        station: STATION.into(),
        fs_uuid: fs_uuid.into(),
        label: "专用U盘 01".into(),
        serial: Some("SERIAL-1".into()),
        level: Level::Secret,
        custodian: "alice".into(),
        issued_at: "2026-12-07T12:00:00.000Z".into(),
        expires: Some("2027-01-01T00:00:00Z".into()),
    }
}

/// An event's canonical JSON as the ledger would hold it (vouching is `load`'s business).
fn event(seq: u64, action: &str, details: Value) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "seq": seq, "time": "2026-12-07T12:00:00.000Z", "actor": "olga", "action": action,
        "subject": "m", "level": null, "details": details,
    }))
    .unwrap()
}

fn registered(ak: &SignKey, record: MediumRecord) -> (Register, SignedRecord) {
    let signed = record.sign(ak).unwrap();
    let mut register = Register::default();
    let details = serde_json::json!({
        "record": signed, "decision": {"admin_key": signed.admin_key, "signature": "00"},
    });
    assert!(register.apply(1, &event(1, "media.register", details), STATION));
    (register, signed)
}

fn now() -> OffsetDateTime {
    OffsetDateTime::parse("2026-12-08T09:00:00Z", &time::format_description::well_known::Rfc3339).unwrap()
}

#[test]
fn registration_needs_a_record_the_deciding_key_signed_for_this_station_once() {
    let ak = SignKey::random().unwrap();
    let (mut register, signed) = registered(&ak, record("m1", "7F77-D098"));
    let details = |signed: &SignedRecord, key: &str| serde_json::json!({"record": signed, "decision": {"admin_key": key, "signature": "00"}});
    // The same medium again, a record another key signed than the deciding one, another
    // station's record, and a record whose signature does not verify: nothing changes.
    let other = SignKey::random().unwrap();
    let by_other = record("m2", "1111-2222").sign(&other).unwrap();
    let mut elsewhere = record("m3", "3333-4444");
    elsewhere.station = "fedcba9876543210".into();
    let elsewhere = elsewhere.sign(&ak).unwrap();
    let mut forged = record("m4", "5555-6666").sign(&ak).unwrap();
    forged.record.level = Level::TopSecret;
    for (i, (signed, key)) in [
        (&signed, signed.admin_key.clone()),
        (&by_other, signed.admin_key.clone()),
        (&elsewhere, elsewhere.admin_key.clone()),
        (&forged, forged.admin_key.clone()),
    ]
    .into_iter()
    .enumerate()
    {
        let seq = 2 + i as u64;
        assert!(
            !register.apply(seq, &event(seq, "media.register", details(signed, &key)), STATION),
            "case {i}"
        );
    }
    assert_eq!(register.entries.len(), 1);
    assert_eq!(register.find("m1").map(|e| e.status), Some(MediumStatus::Active));
}

#[test]
fn custody_steps_follow_the_status_they_need() {
    let ak = SignKey::random().unwrap();
    let (mut register, _) = registered(&ak, record("m1", "7F77-D098"));
    let step = |register: &mut Register, seq: u64, action: &str, details: Value| {
        register.apply(seq, &event(seq, action, details), STATION)
    };
    assert!(!step(
        &mut register,
        2,
        "media.return",
        serde_json::json!({"medium": "m1", "from": "bob"})
    ));
    assert!(step(
        &mut register,
        3,
        "media.issue",
        serde_json::json!({"medium": "m1", "to": "bob"})
    ));
    assert!(!step(
        &mut register,
        4,
        "media.issue",
        serde_json::json!({"medium": "m1", "to": "carol"})
    ));
    assert_eq!(register.find("m1").unwrap().holder.as_deref(), Some("bob"));
    assert!(!step(
        &mut register,
        5,
        "media.issue",
        serde_json::json!({"medium": "nope", "to": "bob"})
    ));
    assert!(step(
        &mut register,
        6,
        "media.retire",
        serde_json::json!({"medium": "m1", "reason": "worn"})
    ));
    // A retired medium is not issued again, but still comes back and can be destroyed.
    assert!(step(
        &mut register,
        7,
        "media.return",
        serde_json::json!({"medium": "m1", "from": "bob"})
    ));
    assert!(!step(
        &mut register,
        8,
        "media.issue",
        serde_json::json!({"medium": "m1", "to": "bob"})
    ));
    assert!(step(
        &mut register,
        9,
        "media.destroy",
        serde_json::json!({"medium": "m1", "reason": "shredded"})
    ));
    assert!(!step(
        &mut register,
        10,
        "media.destroy",
        serde_json::json!({"medium": "m1", "reason": "twice"})
    ));
    let entry = register.find("m1").unwrap();
    assert_eq!(entry.status, MediumStatus::Destroyed);
    let actions: Vec<&str> = entry.changes.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "media.register",
            "media.issue",
            "media.retire",
            "media.return",
            "media.destroy"
        ]
    );
}

#[test]
fn a_mounted_medium_is_judged_by_its_marker_and_the_register() {
    let ak = SignKey::random().unwrap();
    let trusted = [ak.public()];
    let (mut register, signed) = registered(&ak, record("m1", "7F77-D098"));
    let marker = signed.to_marker().unwrap();
    let presented = |uuid: &str, serial: Option<&'static str>, marker: Option<Vec<u8>>| Presented {
        fs_uuid: Ok(uuid.to_string()),
        serial,
        marker: Ok(marker),
    };
    let judge_it = |register: &Register, p: Presented<'_>| {
        judge(register, &trusted, STATION, &p, now()).map(|e| e.record().medium.clone())
    };
    assert_eq!(
        judge_it(
            &register,
            presented("7f77-d098", Some("SERIAL-1"), Some(marker.clone()))
        ),
        Ok("m1".to_string())
    );
    // Registered with a serial, the device must report it: a clone on a device reporting
    // none is refused too.
    assert!(matches!(
        judge_it(&register, presented("7F77-D098", None, Some(marker.clone()))),
        Err(Unregistered::OtherDevice { .. })
    ));
    // A cloned file system on another device.
    assert!(matches!(
        judge_it(
            &register,
            presented("7F77-D098", Some("SERIAL-2"), Some(marker.clone()))
        ),
        Err(Unregistered::OtherDevice { .. })
    ));
    // The marker copied onto another medium; none at all; no identity.
    assert!(matches!(
        judge_it(&register, presented("AAAA-BBBB", None, Some(marker.clone()))),
        Err(Unregistered::Marker(MarkerError::OtherFileSystem { .. }))
    ));
    assert_eq!(
        judge_it(&register, presented("7F77-D098", None, None)),
        Err(Unregistered::NoMarker)
    );
    let unidentified = Presented {
        fs_uuid: Err("unreadable".into()),
        serial: None,
        marker: Ok(Some(marker.clone())),
    };
    assert!(matches!(
        judge(&register, &trusted, STATION, &unidentified, now()),
        Err(Unregistered::NoIdentity(_))
    ));
    // A record the key signed but the register never held (an officer's key used off the
    // books), and a retired medium.
    let unbooked = record("m9", "7F77-D098").sign(&ak).unwrap().to_marker().unwrap();
    assert_eq!(
        judge_it(&register, presented("7F77-D098", None, Some(unbooked))),
        Err(Unregistered::NotInRegister("m9".into()))
    );
    let retire = event(2, "media.retire", serde_json::json!({"medium": "m1", "reason": "lost"}));
    assert!(register.apply(2, &retire, STATION));
    assert!(matches!(
        judge_it(&register, presented("7F77-D098", None, Some(marker))),
        Err(Unregistered::NotActive { status: "retired", .. })
    ));
}
