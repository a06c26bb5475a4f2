use super::*;
use crate::Level;
use crate::crypto::Key32;
use crate::custody::certificate::*;

pub(crate) fn sample(items: usize) -> Certificate {
    Certificate {
        format: FORMAT.into(),
        number: number(2026, 7),
        station: "0123456789abcdef".into(),
        destroyed_at: "2026-12-07T10:00:00.000Z".into(),
        subject: Subject::Items,
        performed_by: Person {
            name: "alice".into(),
            title: Some("Security Officer 安全保密员".into()),
            organization: Some("Survey Office 测绘局".into()),
            location: None,
        },
        validated_by: None,
        validation: None,
        reason: "retention ended 保管期满".into(),
        media: MediaInformation {
            media_type: "vault items".into(),
            source: "station".into(),
            classification: Level::Secret,
            backed_up: "unknown".into(),
            backup_location: "none known".into(),
        },
        sanitization: Sanitization {
            method_type: "purge".into(),
            method: "crypto erase".into(),
            tool: TOOL.into(),
            verification_method: "row read back".into(),
            verification_result: "key erased".into(),
        },
        post_sanitization_classification: Level::Unclassified,
        destination: "none".into(),
        items: (0..items as u64)
            .map(|i| DestroyedItem {
                control_number: format!("SR-2026-{:06}", i + 1),
                level: Level::Secret,
                category: "raster".into(),
                size: 1000 + i,
                sha256: "ab".repeat(32),
                seq: 10 + i,
            })
            .collect(),
        medium: None,
        ledger: LedgerRecord {
            origin: "strongroom/0123456789abcdef".into(),
            first_seq: 10,
            last_seq: 10 + items as u64 - 1,
            checkpoint_size: 10 + items as u64,
            checkpoint_root: "AAAA".into(),
        },
    }
}

pub(crate) fn key(byte: u8) -> SignKey {
    SignKey::from_seed(&Key32::from_bytes([byte; 32]))
}

pub(crate) fn signed_bytes_of(certificate: &Certificate, admin: &SignKey) -> Vec<u8> {
    let signed = sign(certificate, "alice", "2026-12-07T10:00:01.000Z", admin, Vec::new()).unwrap();
    serde_json::to_vec_pretty(&signed).unwrap()
}

#[test]
fn a_signed_certificate_opens_under_its_key() {
    let admin = key(3);
    let bytes = signed_bytes_of(&sample(3), &admin);
    let (opened, signer) = open(&bytes).unwrap();
    assert_eq!(signer, admin.public());
    assert_eq!(opened.certificate, sample(3));
}

#[test]
fn any_edit_or_truncation_is_refused() {
    let bytes = signed_bytes_of(&sample(2), &key(3));
    let text = String::from_utf8(bytes.clone()).unwrap();
    // One byte of content changed: a size, a hash digit, a name.
    for (from, to) in [("1001", "1002"), ("abab", "abac"), ("alice", "alica")] {
        let edited = text.replacen(from, to, 1);
        assert_ne!(edited, text);
        assert!(open(edited.as_bytes()).is_err(), "{from} -> {to}");
    }
    assert!(matches!(open(&bytes[..bytes.len() - 2]), Err(Refusal::Malformed(_))));
    // Every single-byte flip outside the whitespace between members is refused.
    for at in (0..bytes.len()).step_by(3) {
        if bytes[at].is_ascii_whitespace() {
            continue;
        }
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x01;
        assert!(open(&flipped).is_err(), "flip at {at}: {}", bytes[at] as char);
    }
}

#[test]
fn a_member_added_or_spelled_another_way_is_refused() {
    let bytes = signed_bytes_of(&sample(1), &key(3));
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    value["certificate"]["items"][0]["level"] = "机密".into(); // parses as secret, spelled otherwise
    assert!(open(&serde_json::to_vec(&value).unwrap()).is_err());
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    value["certificate"]["extra"] = 1.into();
    assert!(open(&serde_json::to_vec(&value).unwrap()).is_err());
}

#[test]
fn contradictions_are_refused_even_when_signed() {
    let mut certificate = sample(2);
    certificate.items[1].seq = certificate.items[0].seq;
    assert!(matches!(
        open(&signed_bytes_of(&certificate, &key(3))),
        Err(Refusal::Inconsistent(_))
    ));
    let mut certificate = sample(1);
    certificate.items[0].level = Level::TopSecret;
    assert!(open(&signed_bytes_of(&certificate, &key(3))).is_err());
}

#[test]
fn a_member_given_twice_is_refused() {
    let bytes = signed_bytes_of(&sample(1), &key(3));
    let text = String::from_utf8(bytes).unwrap();
    // A second `reason` before the real one: as a value the last would win unseen.
    let doubled = text.replacen("\"reason\":", "\"reason\": \"OTHER\",\n    \"reason\":", 1);
    assert_ne!(doubled, text);
    assert!(matches!(open(doubled.as_bytes()), Err(Refusal::Malformed(_))));
}

#[test]
fn times_must_be_written_as_the_format_writes_them_and_signing_follows_destruction() {
    let admin = key(3);
    let certificate = sample(1);
    for (signed_at, ok) in [
        ("2026-12-07T10:00:01.000Z", true),
        ("2026-12-07T09:59:59.999Z", false), // before the destruction
        ("", false),
        ("2026-12-07T10:00:01Z", false),
    ] {
        let signed = sign(&certificate, "alice", signed_at, &admin, Vec::new()).unwrap();
        let bytes = serde_json::to_vec(&signed).unwrap();
        assert_eq!(open(&bytes).is_ok(), ok, "{signed_at:?}");
    }
}

#[test]
fn a_ledger_of_another_station_is_refused() {
    for (origin, ok) in [
        ("strongroom/0123456789abcdef", true),
        ("strongroom/0123456789abcdef/e2", true),
        ("strongroom/fedcba9876543210", false),
        ("strongroom/0123456789abcdef/e", false),
        ("strongroom/0123456789abcdef/x2", false),
    ] {
        let mut certificate = sample(1);
        certificate.ledger.origin = origin.into();
        assert_eq!(check_consistent(&certificate).is_ok(), ok, "{origin}");
    }
}
