use super::*;
use crate::accounts::directory::{DirectoryUser, UserStatus};
use crate::vault::history::{History, Offer};
use crate::{IdentityId, UserId};

fn item(custodian: &str) -> History {
    History {
        import_seq: 3,
        level: Level::Secret,
        importer: custodian.into(),
        imported_at: "2026-12-01T10:00:00.000Z".into(),
        custodian: custodian.into(),
        category: "raster".into(),
        control_number: "SR-2026-000001".into(),
        size: Some(5),
        sha256: "00".repeat(32),
        destroyed: false,
        object_version: 0,
        retain_until: None,
        offer: None,
        destruction: None,
    }
}

fn user(name: &str, clearance: Level, status: UserStatus) -> DirectoryUser {
    DirectoryUser {
        id: UserId(uuid::Uuid::nil()),
        name: name.into(),
        role: Role::Operator,
        clearance,
        status,
        identity: IdentityId(uuid::Uuid::nil()),
        public_key: String::new(),
    }
}

fn offered(to: &str, expires_at: &str) -> History {
    let mut h = item("alice");
    h.offer = Some(Offer {
        seq: 9,
        by: "alice".into(),
        from: "alice".into(),
        to: to.into(),
        offered_at: "2026-12-01T11:00:00.000Z".into(),
        expires_at: expires_at.into(),
        note: None,
    });
    h
}

#[test]
fn only_the_custodian_or_an_officer_offers_to_a_cleared_active_user() {
    let bob = user("bob", Level::Secret, UserStatus::Active);
    assert!(check_offer(&item("alice"), "alice", Role::Operator, "bob", Some(&bob)).is_ok());
    assert!(check_offer(&item("alice"), "olga", Role::Officer, "bob", Some(&bob)).is_ok());
    let other = check_offer(&item("alice"), "carol", Role::Operator, "bob", Some(&bob)).unwrap_err();
    assert!(other.record && other.error.to_string().contains("only the custodian"));
    let low = user("bob", Level::Confidential, UserStatus::Active);
    let uncleared = check_offer(&item("alice"), "alice", Role::Operator, "bob", Some(&low)).unwrap_err();
    assert!(uncleared.record && uncleared.error.to_string().contains("cleared to confidential"));
    let gone = user("bob", Level::Secret, UserStatus::Disabled);
    let disabled = check_offer(&item("alice"), "alice", Role::Operator, "bob", Some(&gone)).unwrap_err();
    assert!(disabled.record && disabled.error.to_string().contains("disabled"));
    let nobody = check_offer(&item("alice"), "alice", Role::Operator, "zed", None).unwrap_err();
    assert!(!nobody.record && nobody.error.to_string().contains("no user called zed"));
    let own = check_offer(&item("alice"), "alice", Role::Operator, "alice", None).unwrap_err();
    assert!(own.error.to_string().contains("already holds"));
    let mut destroyed = item("alice");
    destroyed.destroyed = true;
    let refused = check_offer(&destroyed, "alice", Role::Operator, "bob", Some(&bob)).unwrap_err();
    assert!(refused.record && refused.error.to_string().contains("was destroyed"));
}

#[test]
fn an_offer_is_accepted_only_by_its_recipient_before_it_lapses() {
    let h = offered("bob", "2026-12-04T11:00:00.000Z");
    assert_eq!(check_accept(&h, "bob", "2026-12-02T00:00:00.000Z").unwrap().seq, 9);
    let carol = check_accept(&h, "carol", "2026-12-02T00:00:00.000Z").unwrap_err();
    assert!(carol.record && carol.error.to_string().contains("made to bob, not to carol"));
    let late = check_accept(&h, "bob", "2026-12-04T11:00:00.001Z").unwrap_err();
    assert!(late.error.to_string().contains("no offer"));
    assert!(check_accept(&item("alice"), "bob", "2026-12-02T00:00:00.000Z").is_err());
}

#[test]
fn an_offer_is_declined_by_its_recipient_or_withdrawn_by_its_side() {
    let h = offered("bob", "2026-12-04T11:00:00.000Z");
    let now = "2026-12-02T00:00:00.000Z";
    assert!(check_decline(&h, "bob", Role::Operator, now).is_ok());
    assert!(check_decline(&h, "alice", Role::Operator, now).is_ok());
    assert!(check_decline(&h, "olga", Role::Officer, now).is_ok());
    let carol = check_decline(&h, "carol", Role::Operator, now).unwrap_err();
    assert!(carol.record);
}

#[test]
fn reassignment_names_the_present_custodian() {
    let bob = user("bob", Level::TopSecret, UserStatus::Active);
    assert!(check_reassign(&item("alice"), "alice", "bob", Some(&bob)).is_ok());
    assert!(check_reassign(&item("alice"), "carol", "bob", Some(&bob)).is_err());
    let low = user("bob", Level::Internal, UserStatus::Active);
    assert!(check_reassign(&item("alice"), "alice", "bob", Some(&low)).is_err());
}
