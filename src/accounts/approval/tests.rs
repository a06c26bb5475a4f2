//! Approval rules: who decides, and which stored approvals still count.

use super::*;
use crate::accounts::requests::RequestKind;
use crate::db;

const STATION: &str = "0123456789abcdef";
const APPROVED_AT: &str = "2026-12-06T10:00:00.000Z";

fn request(status: RequestStatus) -> Request {
    Request {
        id: 7,
        kind: RequestKind::Destroy,
        item: ItemId::random().unwrap(),
        level: Level::Secret,
        target_level: None,
        requested_by: UserId::random().unwrap(),
        requested_at: "2026-12-06T09:00:00.000Z".into(),
        reason: "superseded".into(),
        status,
        decided_by: None,
        decided_at: None,
        decision_note: None,
        signature: None,
    }
}

/// `request` approved by a fresh officer at [`APPROVED_AT`] with `admin`.
fn approved(mut request: Request, admin: &SignKey) -> Request {
    let officer = UserId::random().unwrap();
    request.signature = Some(sign(STATION, &request, officer, APPROVED_AT, admin).unwrap());
    request.status = RequestStatus::Approved;
    request.decided_by = Some(officer);
    request.decided_at = Some(APPROVED_AT.into());
    request
}

fn at(text: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
}

fn database() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = db::open(&dir.path().join("strongroom.db"), true).unwrap();
    (dir, conn)
}

#[test]
fn an_officer_decides_only_others_pending_requests_within_clearance() {
    let pending = request(RequestStatus::Pending);
    let officer = |id, clearance| Decider {
        id,
        name: "carol",
        clearance,
    };
    check_decidable(
        &pending,
        Level::Secret,
        &officer(UserId::random().unwrap(), Level::Secret),
    )
    .unwrap();
    let own = check_decidable(
        &pending,
        Level::Secret,
        &officer(pending.requested_by, Level::TopSecret),
    );
    assert!(matches!(own, Err(Error::Denied { rule: "two-person", .. })));
    let low = check_decidable(
        &pending,
        Level::Secret,
        &officer(UserId::random().unwrap(), Level::Confidential),
    );
    assert!(matches!(low, Err(Error::Denied { rule: "clearance", .. })));
    let decided = request(RequestStatus::Denied);
    let again = check_decidable(
        &decided,
        Level::Secret,
        &officer(UserId::random().unwrap(), Level::Secret),
    );
    assert!(matches!(
        again,
        Err(Error::Denied {
            rule: "request-state",
            ..
        })
    ));
    // A request row whose level was lowered by SQL is not decided at the lower level.
    let relabelled = check_decidable(
        &pending,
        Level::TopSecret,
        &officer(UserId::random().unwrap(), Level::Secret),
    );
    assert!(matches!(relabelled, Err(Error::Integrity { .. })), "{relabelled:?}");
}

#[test]
fn a_signed_approval_counts_for_its_item_and_level_for_a_day() {
    let (_dir, conn) = database();
    let admin = SignKey::random().unwrap();
    let request = approved(request(RequestStatus::Pending), &admin);
    let target = (request.item, request.level);
    let check = |now| in_force(&conn, STATION, &admin.public(), &request, target, at(now));
    assert!(check("2026-12-07T10:00:00.000Z").unwrap());
    assert!(!check("2026-12-07T10:00:00.001Z").unwrap(), "older than a day");
    // Another item or level than the request names is refused.
    let other_item = (ItemId::random().unwrap(), request.level);
    let refused = in_force(&conn, STATION, &admin.public(), &request, other_item, at(APPROVED_AT));
    assert!(matches!(refused, Err(Error::Integrity { .. })));
    let lower = (request.item, Level::Confidential);
    assert!(in_force(&conn, STATION, &admin.public(), &request, lower, at(APPROVED_AT)).is_err());
}

#[test]
fn an_approval_changed_by_sql_or_signed_by_another_key_is_refused() {
    let (_dir, conn) = database();
    let admin = SignKey::random().unwrap();
    let request = approved(request(RequestStatus::Pending), &admin);
    let now = at(APPROVED_AT);
    let refused = |r: &Request, key: &[u8; 32]| {
        let target = (r.item, r.level);
        matches!(
            in_force(&conn, STATION, key, r, target, now),
            Err(Error::Integrity { .. })
        )
    };
    // Set to approved without a signature.
    let mut unsigned = request.clone();
    unsigned.signature = None;
    assert!(refused(&unsigned, &admin.public()));
    // Pointed at another item (and the item's level) after signing.
    let mut moved = request.clone();
    moved.item = ItemId::random().unwrap();
    assert!(refused(&moved, &admin.public()));
    // Its approval time moved forward to outlive the lifetime.
    let mut later = request.clone();
    later.decided_at = Some("2026-12-09T10:00:00.000Z".into());
    assert!(refused(&later, &admin.public()));
    // Signed by an admin key that is not the one in force.
    assert!(refused(&request, &SignKey::random().unwrap().public()));
    assert!(!refused(&request, &admin.public()));
}

#[test]
fn an_approval_the_ledger_records_as_used_never_counts_again() {
    let (_dir, conn) = database();
    let admin = SignKey::random().unwrap();
    let request = approved(request(RequestStatus::Pending), &admin);
    let target = (request.item, request.level);
    assert!(in_force(&conn, STATION, &admin.public(), &request, target, at(APPROVED_AT)).unwrap());
    // The request row is copied back as approved after its destruction was recorded.
    conn.execute(
        "INSERT INTO events (seq, time, actor, action, subject, canonical)
         VALUES (1, ?1, 'alice', 'item.destroy', 'SR-2026-000001', ?2)",
        rusqlite::params![APPROVED_AT, br#"{"details":{"request":7}}"#.to_vec()],
    )
    .unwrap();
    let used = in_force(&conn, STATION, &admin.public(), &request, target, at(APPROVED_AT));
    assert!(matches!(used, Err(Error::Integrity { .. })), "{used:?}");
}
