use super::*;
use crate::accounts::succession::Succession;
use crate::crypto::sign::SignKey;
use crate::custody::certificate::document::tests::{key, sample};
use crate::ledger::bundle::AdminPin;

const STATION: &str = "0123456789abcdef";

/// A succession record from `old` to `new`, issued at `at`, signed by `old`.
fn succession(old: &SignKey, new: &SignKey, at: &str) -> CarriedSuccession {
    let body = Succession {
        format: crate::accounts::succession::FORMAT.into(),
        station: STATION.into(),
        previous_key: hex::encode(&old.public()),
        next_key: hex::encode(&new.public()),
        directory_version: 2,
        issued_at: at.into(),
    };
    let bytes = crate::custody::certificate::canonical_of(&body).unwrap();
    CarriedSuccession {
        signature: hex::encode(&old.sign(crate::accounts::succession::FORMAT, &bytes)),
        body,
    }
}

/// A certificate file signed by `signer` at `signed_at`, carrying `chain`.
fn file(
    dir: &Path,
    name: &str,
    signer: &SignKey,
    signed_at: &str,
    chain: Vec<CarriedSuccession>,
) -> std::path::PathBuf {
    let signed = document::sign(&sample(1), "alice", signed_at, signer, chain).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(&signed).unwrap()).unwrap();
    path
}

fn pins_at(key: &SignKey) -> Pins {
    let mut pins = Pins::default();
    pins.admin_keys.insert(
        STATION.into(),
        AdminPin {
            key: hex::encode(&key.public()),
            retired: Vec::new(),
        },
    );
    pins
}

#[test]
fn the_pinned_key_and_its_successors_are_trusted_and_the_pin_follows_them() {
    let dir = tempfile::tempdir().unwrap();
    let (k0, k1, k2) = (key(10), key(11), key(12));
    let mut pins = pins_at(&k0);
    let by_k0 = file(dir.path(), "a.json", &k0, "2026-12-07T10:00:01.000Z", Vec::new());
    assert!(verify(&by_k0, &mut pins, None).ok);
    // Signed by k1 carrying k0→k1→k2: trusted; the pin moves to k2, k0 and k1 retired.
    let chain = vec![
        succession(&k0, &k1, "2026-12-08T00:00:00.000Z"),
        succession(&k1, &k2, "2026-12-09T00:00:00.000Z"),
    ];
    let by_k1 = file(dir.path(), "b.json", &k1, "2026-12-08T12:00:00.000Z", chain);
    let report = verify(&by_k1, &mut pins, None);
    assert!(report.ok, "{:?}", report.error);
    let pin = &pins.admin_keys[STATION];
    assert_eq!(pin.key, hex::encode(&k2.public()));
    assert_eq!(pin.retired.len(), 2);
    // k1 signing after its replacement, carrying nothing: refused (the pin remembers).
    let late = file(dir.path(), "c.json", &k1, "2026-12-10T00:00:00.000Z", Vec::new());
    let report = verify(&late, &mut pins, None);
    assert!(report.error.unwrap().contains("after it was replaced"));
    // k0 signing before its replacement still counts.
    assert!(verify(&by_k0, &mut pins, None).ok);
}

#[test]
fn a_retired_key_cannot_carry_a_successor_of_its_own_choosing() {
    let dir = tempfile::tempdir().unwrap();
    let (k0, k1, forged) = (key(20), key(21), key(22));
    let mut pins = pins_at(&k0);
    let shown = vec![succession(&k0, &k1, "2026-12-08T00:00:00.000Z")];
    assert!(
        verify(
            &file(dir.path(), "a.json", &k1, "2026-12-08T01:00:00.000Z", shown),
            &mut pins,
            None
        )
        .ok
    );
    // The holder of the retired k0 signs later and carries a record k0 → forged dated far
    // in the future: a fork from what this machine knows.
    let fork = vec![succession(&k0, &forged, "9999-01-01T00:00:00.000Z")];
    let report = verify(
        &file(dir.path(), "b.json", &k0, "2026-12-09T00:00:00.000Z", fork),
        &mut pins,
        None,
    );
    assert!(report.error.unwrap().contains("two successors"));
    // Or carries nothing: k0 is retired here since 2026-12-08.
    let report = verify(
        &file(dir.path(), "c.json", &k0, "2026-12-09T00:00:00.000Z", Vec::new()),
        &mut pins,
        None,
    );
    assert!(report.error.unwrap().contains("after it was replaced"));
    // A key this machine never heard of: refused, whatever it signs.
    let report = verify(
        &file(dir.path(), "d.json", &forged, "2026-12-09T00:00:00.000Z", Vec::new()),
        &mut pins,
        None,
    );
    assert!(report.error.unwrap().contains("neither the key pinned here"));
}

#[test]
fn a_carried_record_not_signed_by_the_key_it_replaces_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (k0, k1, other) = (key(30), key(31), key(32));
    let mut pins = pins_at(&k0);
    let mut record = succession(&k0, &k1, "2026-12-08T00:00:00.000Z");
    record.signature = succession(&other, &k1, "2026-12-08T00:00:00.000Z").signature;
    let report = verify(
        &file(dir.path(), "a.json", &k1, "2026-12-08T01:00:00.000Z", vec![record]),
        &mut pins,
        None,
    );
    assert!(!report.ok);
    assert_eq!(
        pins.admin_keys[STATION].key,
        hex::encode(&k0.public()),
        "the pin did not move"
    );
}
