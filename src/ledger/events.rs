//! The events table: append inside the caller's transaction, read back for queries.
//!
//! An event's stored bytes are the RFC 8785 form of exactly
//! `{seq, time, actor, action, subject, level, details}`. The table rejects UPDATE and DELETE
//! by trigger. `details` never carry encrypted metadata (titles, names, notes): only ids,
//! control numbers, levels, sizes, hashes and user names.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::crypto::event_mac::EventMacKey;
use crate::crypto::sign::SignKey;
use crate::encoding::canonical;
use crate::{Error, ItemId, Level, Result};

/// Defines [`Action`], the list of every action and their stable names from one table, so a
/// new action is in [`Action::ALL`] (and so in the schema test) the moment it exists.
macro_rules! actions {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal,)*) => {
        /// What happened. The string form is stable: it is in every stored event.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Action {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Action {
            /// Every action, in the order of the table (derived from it, not kept by hand).
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            /// The stable name stored in events.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }
        }
    };
}

actions! {
    /// The vault was created.
    StationInit = "station.init",
    /// A user account was created.
    UserCreate = "user.create",
    /// A user unlocked a session.
    AuthLogin = "auth.login",
    /// A sign-in failed (wrong password or unknown user).
    AuthLoginFailed = "auth.login_failed",
    /// A user changed their own password.
    UserPasswordChange = "user.password_change",
    /// A user's identity was replaced through the recovery code.
    UserRecover = "user.recover",
    /// An item entered the vault.
    ItemImport = "item.import",
    /// An import was abandoned and its pending row and object removed.
    ItemImportAborted = "item.import_aborted",
    /// An item's plaintext was written out of the vault.
    ItemExport = "item.export",
    /// An export's leftover temp file was removed after a crash.
    ItemExportAborted = "item.export_aborted",
    /// An officer let an export into, or the vault stay in, a cloud-synced or network
    /// folder (signed with the admin key).
    CloudOverride = "cloud.override",
    /// Material was imported from a cloud-synced or network folder: it had left the air gap.
    CloudExposure = "cloud.exposure",
    /// A sync client was running while a session was unlocked (once per unlock).
    CloudClient = "cloud.client",
    /// The guard found a vault item's content in a cloud-synced or network folder.
    CloudMaterialAlert = "cloud.material.alert",
    /// The guard found a file marked with a classification in a cloud-synced or network folder.
    CloudMarkingAlert = "cloud.marking.alert",
    /// An officer verified the custody log (the result is in the details).
    LedgerVerify = "ledger.verify",
    /// An officer started a new log epoch after damage was found (first event of the epoch).
    LedgerEpoch = "ledger.epoch",
    /// An account was locked after too many failed sign-ins.
    AuthLockout = "auth.lockout",
    /// The station dropped a session's keys after the idle time.
    AuthIdleLock = "auth.idle_lock",
    /// An officer disabled an account (its keys were rotated away).
    UserDisable = "user.disable",
    /// An officer re-enabled a disabled account.
    UserEnable = "user.enable",
    /// An officer unlocked an account locked by failed sign-ins.
    UserUnlock = "user.unlock",
    /// An officer reset a password (new identity, change forced at login).
    UserReset = "user.reset",
    /// An officer raised or lowered a clearance.
    UserClearance = "user.clearance",
    /// An officer changed a role.
    UserRole = "user.role",
    /// Level keys, the signing key or the admin key were replaced.
    KeyRotate = "key.rotate",
    /// An officer changed a policy setting (old and new value).
    PolicyChange = "policy.change",
    /// A two-person request was made.
    RequestCreate = "request.create",
    /// An officer approved a request.
    RequestApprove = "request.approve",
    /// An officer denied a request.
    RequestDeny = "request.deny",
    /// An item was crypto-erased and its ciphertext removed.
    ItemDestroy = "item.destroy",
    /// An item's level was changed.
    ItemReclassify = "item.reclassify",
    /// Someone acknowledged an alert, with a comment.
    AlertAcknowledge = "alert.acknowledge",
    /// The cleanup at open found a recorded leftover that is not what Strongroom made (a row
    /// or file changed outside it) and kept it.
    SweepAlert = "sweep.alert",
    /// An officer put back the newest signed directory from the ledger's copy after its row
    /// was lost.
    DirectoryRebuild = "directory.rebuild",
    /// A sign-in found events after the newest checkpoint that no session wrote.
    LedgerAlert = "ledger.alert",
    /// A custody rule needs an officer's attention: an officer destroyed an item whose
    /// custodian is someone else.
    CustodyAlert = "custody.alert",
    /// An officer issued a new recovery code: a new recovery identity, every key replaced.
    RecoveryReissue = "recovery.reissue",
    /// An officer enabled the guard: a new guard key in the signed directory.
    GuardEnable = "guard.enable",
    /// An officer retired the guard key.
    GuardDisable = "guard.disable",
    /// The guard started watching (signed by the guard key).
    GuardStart = "guard.start",
    /// The guard is still watching (signed by the guard key, at the policy interval).
    GuardHeartbeat = "guard.heartbeat",
    /// The guard found something an officer must see: a new network interface on an
    /// air-gapped station, a medium while networked, a directory rolled back.
    GuardAlert = "guard.alert",
    /// The station went from air-gapped to networked or back (signed by the guard key).
    NetworkChange = "network.change",
    /// A removable medium was mounted (signed by the guard key).
    MediaMount = "media.mount",
    /// A removable medium was unmounted (signed by the guard key).
    MediaUnmount = "media.unmount",
    /// A file in a protected destination is a copy of a file on a mounted medium (signed by
    /// the guard key).
    GuardCopy = "guard.copy",
    /// The same, while the station was networked: an alert (signed by the guard key).
    GuardCopyAlert = "guard.copy.alert",
    /// An officer released a quarantine entry as a vault item (its `item.import` follows in
    /// the same transaction).
    QuarantineRelease = "quarantine.release",
    /// An officer destroyed a quarantine entry.
    QuarantineDestroy = "quarantine.destroy",
    /// An officer registered a removable medium as authorized (its `AK`-signed record).
    MediaRegister = "media.register",
    /// An officer issued a registered medium to a holder.
    MediaIssue = "media.issue",
    /// A registered medium came back to the officer.
    MediaReturn = "media.return",
    /// An officer took a registered medium out of use.
    MediaRetire = "media.retire",
    /// An officer recorded a registered medium as destroyed.
    MediaDestroy = "media.destroy",
    /// An item's level was raised: its object re-encrypted under a fresh DEK at the higher
    /// level (`object_version` names the new ciphertext).
    ItemRaise = "item.raise",
    /// The custodian (or an officer) offered custody of an item to another user.
    CustodyOffer = "custody.offer",
    /// The user offered custody accepted it: they are the custodian now.
    CustodyAccept = "custody.accept",
    /// An offer of custody was declined by its recipient or withdrawn by its maker.
    CustodyDecline = "custody.decline",
    /// An officer moved an item to another custodian without an offer (a leaver's holdings).
    CustodyReassign = "custody.reassign",
    /// An item's retention date was set, changed or cleared.
    CustodyRetention = "custody.retention",
    /// A custody step was refused for a reason an officer should see (custody offered to
    /// someone not cleared for the item, an offer accepted by someone it was not made to, a
    /// raise to a level the actor does not hold, a destroyed item offered).
    CustodyRefused = "custody.refused",
    /// A user checked every item row against its object and its history (counts in the
    /// details).
    InventoryAudit = "inventory.audit",
}

/// An event to append.
#[derive(Clone, Debug)]
pub struct NewEvent {
    /// Who acted: a user name, or `system`.
    pub actor: String,
    /// What happened.
    pub action: Action,
    /// What it happened to: a control number, a user name or `station`.
    pub subject: String,
    /// The classification level concerned, if any.
    pub level: Option<Level>,
    /// The item concerned, if any (also a query column).
    pub item: Option<ItemId>,
    /// Action-specific facts (a JSON object; never encrypted metadata).
    pub details: Map<String, Value>,
}

/// An event as stored. Serializes as its canonical JSON (with `details`).
#[derive(Clone, Debug)]
pub struct StoredEvent {
    /// Position in the log, from 0.
    pub seq: u64,
    /// RFC 3339 UTC with milliseconds.
    pub time: String,
    /// Who acted.
    pub actor: String,
    /// What happened.
    pub action: String,
    /// What it happened to.
    pub subject: String,
    /// Level, if any.
    pub level: Option<Level>,
    /// The canonical bytes (the event itself).
    pub canonical: Vec<u8>,
}

impl StoredEvent {
    /// The canonical bytes parsed back to JSON.
    pub fn json(&self) -> Result<Value> {
        serde_json::from_slice(&self.canonical)
            .map_err(|e| Error::integrity(format!("event {}", self.seq), e.to_string()))
    }
}

impl serde::Serialize for StoredEvent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let value: Value = serde_json::from_slice(&self.canonical).map_err(serde::ser::Error::custom)?;
        value.serialize(s)
    }
}

/// Append `event` inside `tx` (the transaction that makes the change it records), with the
/// writing session's MAC when there is a session (`crypto::event_mac`). Returns its
/// sequence number.
pub fn append(tx: &Transaction<'_>, time: OffsetDateTime, event: &NewEvent, mac: Option<&EventMacKey>) -> Result<u64> {
    append_signed(tx, time, event, mac, None)
}

/// Signature context of the guard's signature on an event it writes (docs/FORMAT.md §11).
pub const GUARD_EVENT_CONTEXT: &str = "strongroom/v1/guard-event";

/// The actions the guard writes with no session open, each signed by the guard key. A
/// sign-in accepts them only with a signature the directory's guard key verifies.
pub const WRITTEN_BY_THE_GUARD: &[Action] = &[
    Action::GuardStart,
    Action::GuardHeartbeat,
    Action::GuardAlert,
    Action::NetworkChange,
    Action::MediaMount,
    Action::MediaUnmount,
    Action::GuardCopy,
    Action::GuardCopyAlert,
    Action::CloudMaterialAlert,
    Action::CloudMarkingAlert,
];

/// Append an event the guard writes with no session: signed by the guard key over its
/// canonical bytes (DESIGN.md §4, "events written with no session").
pub fn append_by_guard(tx: &Transaction<'_>, time: OffsetDateTime, event: &NewEvent, key: &SignKey) -> Result<u64> {
    insert(tx, time, event, Seal::Guard(key), None)
}

/// The `details.decision` member of an officer's decision, made from the event's canonical
/// bytes without it (`accounts::decision::sign`).
pub type Decide<'a> = &'a dyn Fn(&[u8]) -> Value;

/// [`append`], and for an officer's decision, `decide` adds `details.decision` signed over
/// the rest of the event (seq and time included).
pub fn append_signed(
    tx: &Transaction<'_>,
    time: OffsetDateTime,
    event: &NewEvent,
    mac: Option<&EventMacKey>,
    decide: Option<Decide<'_>>,
) -> Result<u64> {
    let seal = match mac {
        Some(key) => Seal::Mac(key),
        None => Seal::None,
    };
    insert(tx, time, event, seal, decide)
}

/// What vouches for an event's bytes.
enum Seal<'a> {
    /// Nothing (written with no session: failed sign-ins, the cleanup at open).
    None,
    /// The writing session's MAC.
    Mac(&'a EventMacKey),
    /// The guard key's signature.
    Guard(&'a SignKey),
}

fn insert(
    tx: &Transaction<'_>,
    time: OffsetDateTime,
    event: &NewEvent,
    seal: Seal<'_>,
    decide: Option<Decide<'_>>,
) -> Result<u64> {
    let last: Option<(i64, String)> = tx
        .query_row("SELECT seq, time FROM events ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let seq = last.as_ref().map_or(0, |(seq, _)| seq + 1);
    // Times never go backwards in the log (a clock set back is flattened to the last time),
    // so time order is seq order; the fixed-width format compares like the instants.
    let mut time = crate::time::rfc3339_millis(time);
    if let Some((_, last_time)) = last
        && last_time > time
    {
        time = last_time;
    }
    let mut body = json!({
        "seq": seq,
        "time": time,
        "actor": event.actor,
        "action": event.action.as_str(),
        "subject": event.subject,
        "level": event.level.map(Level::name),
        "details": Value::Object(event.details.clone()),
    });
    let to_bytes =
        |body: &Value| canonical::to_vec(body).map_err(|e| Error::InvalidInput(format!("event details: {e}")));
    let mut bytes = to_bytes(&body)?;
    if let Some(decide) = decide {
        body["details"]["decision"] = decide(&bytes);
        bytes = to_bytes(&body)?;
    }
    let leaf = crate::ledger::merkle::leaf_hash(&bytes);
    let (mac, guard_signature) = match seal {
        Seal::None => (None, None),
        Seal::Mac(key) => (Some(key.mac_of(&bytes)?.to_vec()), None),
        Seal::Guard(key) => (None, Some(key.sign(GUARD_EVENT_CONTEXT, &bytes).to_vec())),
    };
    tx.execute(
        "INSERT INTO events (seq, time, actor, action, subject, level, item, canonical, leaf, mac, guard_signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            seq,
            time,
            event.actor,
            event.action.as_str(),
            event.subject,
            event.level.map(|l| i64::from(l.as_byte())),
            event.item,
            bytes,
            leaf.to_vec(),
            mac,
            guard_signature
        ],
    )?;
    Ok(seq as u64)
}

/// Events from `from_seq` on, oldest first, at most `limit`.
pub fn list(conn: &Connection, from_seq: u64, limit: u64) -> Result<Vec<StoredEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, time, actor, action, subject, level, canonical FROM events
         WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![from_seq as i64, limit as i64], row_to_event)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The newest `limit` events with one of `actions`, newest first (the app's recent copies).
pub fn latest_of(conn: &Connection, actions: &[Action], limit: u64) -> Result<Vec<StoredEvent>> {
    let names: Vec<Value> = actions.iter().map(|a| json!(a.as_str())).collect();
    let mut stmt = conn.prepare_cached(
        "SELECT seq, time, actor, action, subject, level, canonical FROM events
         WHERE seq >= 0 AND action IN (SELECT value FROM json_each(?1)) ORDER BY seq DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![Value::Array(names).to_string(), limit as i64], row_to_event)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The first event with `action` whose `details.<key>` is the text `value` (the alert that
/// names a quarantine entry), or none.
pub fn first_with_detail(conn: &Connection, action: Action, key: &str, value: &str) -> Result<Option<StoredEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, time, actor, action, subject, level, canonical FROM events
         WHERE seq >= 0 AND action = ?1 AND json_valid(CAST(canonical AS TEXT))
           AND json_extract(CAST(canonical AS TEXT), '$.details.' || ?2) = ?3
         ORDER BY seq LIMIT 1",
    )?;
    Ok(stmt
        .query_row(params![action.as_str(), key, value], row_to_event)
        .optional()?)
}

/// The guard's alerts that may record a quarantine entry (`details.quarantine`).
pub const CONTAINING_ALERTS: &[Action] = &[
    Action::GuardCopyAlert,
    Action::CloudMaterialAlert,
    Action::CloudMarkingAlert,
];

/// The alert that recorded quarantine entry `id` (hex), the first of any of
/// [`CONTAINING_ALERTS`].
pub fn quarantine_alert(conn: &Connection, id: &str) -> Result<Option<StoredEvent>> {
    let mut first: Option<StoredEvent> = None;
    for action in CONTAINING_ALERTS {
        if let Some(event) = first_with_detail(conn, *action, "quarantine", id)?
            && first.as_ref().is_none_or(|f| event.seq < f.seq)
        {
            first = Some(event);
        }
    }
    Ok(first)
}

/// Events about one item, oldest first.
pub fn for_item(conn: &Connection, item: ItemId) -> Result<Vec<StoredEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, time, actor, action, subject, level, canonical FROM events
         WHERE item = ?1 AND seq >= 0 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![item], row_to_event)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Number of events, taken as the next seq (O(log n); gaps are verify's business).
pub fn count(conn: &Connection) -> Result<u64> {
    let n: Option<i64> = conn
        .query_row("SELECT COALESCE(MAX(seq) + 1, 0) FROM events", [], |r| r.get(0))
        .optional()?;
    Ok(n.unwrap_or(0) as u64)
}

pub(crate) fn row_to_event(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredEvent> {
    let level: Option<i64> = row.get(5)?;
    Ok(StoredEvent {
        seq: row.get::<_, i64>(0)? as u64,
        time: row.get(1)?,
        actor: row.get(2)?,
        action: row.get(3)?,
        subject: row.get(4)?,
        level: level.and_then(|l| u8::try_from(l).ok()).and_then(Level::from_byte),
        canonical: row.get(6)?,
    })
}

/// The actions whose events name a signed directory version (`details.directory_version`):
/// every publication of a directory (which carries its signed copy, `accounts::directory_copy`),
/// and each sign-in (the version it verified).
pub const NAMING_DIRECTORY_VERSION: &[Action] = &[
    Action::StationInit,
    Action::UserCreate,
    Action::AuthLogin,
    Action::UserRecover,
    Action::UserDisable,
    Action::UserEnable,
    Action::UserReset,
    Action::UserClearance,
    Action::UserRole,
    Action::KeyRotate,
    Action::PolicyChange,
    Action::DirectoryRebuild,
    Action::RecoveryReissue,
    Action::GuardEnable,
    Action::GuardDisable,
];

/// Build a details object from pairs.
#[macro_export]
macro_rules! details {
    ($($key:literal : $value:expr),* $(,)?) => {{
        let mut map = serde_json::Map::new();
        $( map.insert($key.to_string(), serde_json::json!($value)); )*
        map
    }};
}

/// Whether events of `action` are alerts: an account lockout, a use or replacement of the
/// recovery code, and every `*.alert` action.
pub fn is_alert(action: Action) -> bool {
    matches!(
        action,
        Action::AuthLockout | Action::UserRecover | Action::RecoveryReissue
    ) || action.as_str().ends_with(".alert")
}

/// The alert actions as an SQL list (`'auth.lockout', …`): names from the action table only.
fn alert_actions_sql() -> String {
    Action::ALL
        .iter()
        .filter(|a| is_alert(**a))
        .map(|a| format!("'{}'", a.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Alert events (account lockouts, uses of the recovery code, and `*.alert` actions) that
/// no acknowledgement closes yet, newest first. An `alert.acknowledge` closes an alert only
/// if it comes after it, names its seq and action, and `closes` (given its row seq and
/// canonical bytes) says an officer's admin key signed it (`accounts::decision`): a row
/// appended with SQL, or a signed one copied elsewhere, closes nothing.
pub fn open_alerts(conn: &Connection, closes: impl Fn(u64, &[u8]) -> bool) -> Result<Vec<StoredEvent>> {
    // Named one by one so the read walks the action index, not the whole table.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT seq, action FROM events WHERE action IN ({}) AND seq >= 0 ORDER BY seq DESC",
        alert_actions_sql()
    ))?;
    let alerts: std::collections::BTreeMap<i64, String> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut acks = conn.prepare_cached(
        "SELECT seq, CAST(json_extract(canonical, '$.details.alert') AS INTEGER),
                json_extract(canonical, '$.details.alert_action'), canonical FROM events
         WHERE action = 'alert.acknowledge' AND seq >= 0 AND json_valid(CAST(canonical AS TEXT))",
    )?;
    let mut closed = std::collections::BTreeSet::new();
    let mut rows = acks.query([])?;
    while let Some(row) = rows.next()? {
        let (seq, alert, action, canonical): (i64, Option<i64>, Option<String>, Vec<u8>) =
            (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
        let Some(alert) = alert else {
            continue;
        };
        let names_it = alerts.get(&alert).is_some_and(|a| Some(a) == action.as_ref());
        if names_it && alert < seq && !closed.contains(&alert) && closes(seq as u64, &canonical) {
            closed.insert(alert);
        }
    }
    let mut out = Vec::new();
    for seq in alerts.keys().rev().filter(|s| !closed.contains(*s)).take(10_000) {
        out.extend(list(conn, *seq as u64, 1)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reading the alerts walks the action index: its cost follows the alerts and their
    /// acknowledgements, not the millions of other events.
    #[test]
    fn alert_reads_use_the_action_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrations::apply(&mut conn, std::path::Path::new(":memory:")).unwrap();
        let plan = |sql: &str| -> String {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let rows = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap();
            rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("\n")
        };
        let alerts = plan(&format!(
            "SELECT seq, action FROM events WHERE action IN ({}) AND seq >= 0 ORDER BY seq DESC",
            alert_actions_sql()
        ));
        let acks = plan(
            "SELECT seq FROM events WHERE action = 'alert.acknowledge' AND seq >= 0 AND json_valid(CAST(canonical AS TEXT))",
        );
        for found in [&alerts, &acks] {
            assert!(found.contains("INDEX events_by_action"), "{found}");
            assert!(!found.contains("SCAN events"), "{found}");
        }
        assert!(alert_actions_sql().contains("'recovery.reissue'"));
        assert!(alert_actions_sql().contains("'custody.alert'"));
    }

    /// The rollback check reads exactly the actions whose schema names a directory version.
    #[test]
    fn the_actions_naming_a_directory_version_are_those_whose_schema_does() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/events");
        for action in Action::ALL {
            let path = dir.join(format!("{}.schema.json", action.as_str()));
            let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let names = schema["properties"].get("directory_version").is_some();
            assert_eq!(
                names,
                NAMING_DIRECTORY_VERSION.contains(action),
                "{}: schema and NAMING_DIRECTORY_VERSION disagree",
                action.as_str()
            );
        }
    }
}
