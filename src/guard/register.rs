//! The register of authorized media (issue 29): read from the ledger, never from a table an
//! insider could edit. Every change to it — registration, issue to a holder, return,
//! retirement, destruction — is an officer's decision event signed by the admin key
//! (`accounts::decision`); an event no admin key in force at its seq signed counts for
//! nothing. The register then says, for a mounted medium and the marker read from it,
//! whether it is authorized and to what level.

use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use crate::Result;
use crate::accounts::decision::AdminKeys;
use crate::guard::media::Medium;
use crate::guard::medium_record::{self, MarkerError, MediumRecord, SignedRecord};
use crate::ledger::Action;

/// The actions that change the register, all officers' decisions.
pub const REGISTER_ACTIONS: [Action; 5] = [
    Action::MediaRegister,
    Action::MediaIssue,
    Action::MediaReturn,
    Action::MediaRetire,
    Action::MediaDestroy,
];

/// Where a registered medium stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MediumStatus {
    /// Authorized (until its expiry, if it has one).
    Active,
    /// Taken out of use by an officer; its marker no longer authorizes it.
    Retired,
    /// Recorded as destroyed.
    Destroyed,
}

impl MediumStatus {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            MediumStatus::Active => "active",
            MediumStatus::Retired => "retired",
            MediumStatus::Destroyed => "destroyed",
        }
    }
}

/// One change to a medium's entry, as the ledger records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The event's seq.
    pub seq: u64,
    /// When (RFC 3339 UTC).
    pub time: String,
    /// The officer who decided.
    pub actor: String,
    /// `media.register`, `media.issue` …
    pub action: String,
    /// To whom it was issued, or the reason given.
    pub note: String,
}

/// A medium in the register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The signed record, as registered (and as the medium's marker must carry it).
    pub signed: SignedRecord,
    /// Where it stands.
    pub status: MediumStatus,
    /// Who holds it now (issued to and not returned).
    pub holder: Option<String>,
    /// Its history, oldest first.
    pub changes: Vec<Change>,
}

impl Entry {
    /// The record.
    pub fn record(&self) -> &MediumRecord {
        &self.signed.record
    }

    /// Whether it is past its expiry at `now`.
    pub fn expired_at(&self, now: OffsetDateTime) -> bool {
        expiry(self.record()).is_some_and(|at| now >= at)
    }

    /// Its status as shown at `now`: `expired` for an entry in use past its expiry.
    pub fn status_at(&self, now: OffsetDateTime) -> &'static str {
        match self.status {
            MediumStatus::Active if self.expired_at(now) => "expired",
            status => status.as_str(),
        }
    }
}

/// The expiry of `record`, if it has one that parses.
fn expiry(record: &MediumRecord) -> Option<OffsetDateTime> {
    let text = record.expires.as_deref()?;
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

/// The register: every medium registered on this station, oldest first, and how many
/// register events no admin key accounts for (rows added with SQL: ignored).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Register {
    /// The media.
    pub entries: Vec<Entry>,
    /// Register events that were ignored (no admin key in force signed them, or they name
    /// no medium of the register).
    pub ignored: u64,
}

/// Read the register from the ledger of `station`, counting only events `keys` vouch for.
/// `anchor` is an admin key the caller trusts from elsewhere (the session's keyslot, the
/// guard's root-owned state): the ledger's chain of admin keys must include it, or the
/// ledger's first directory was replaced. A ledger with events missing is refused too (a
/// deleted retirement would otherwise un-retire a medium).
pub fn load(conn: &Connection, station: &str, keys: &AdminKeys, anchor: &[u8; 32]) -> Result<Register> {
    if !keys.all().contains(anchor) {
        return Err(crate::Error::integrity(
            "media register",
            "the ledger's admin keys do not lead to this station's admin key (its first directory was replaced)",
        ));
    }
    let (count, next): (i64, i64) =
        conn.query_row("SELECT COUNT(*), COALESCE(MAX(seq), -1) + 1 FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    if count != next {
        return Err(crate::Error::integrity(
            "media register",
            format!("{} events are missing from the ledger", next - count),
        ));
    }
    let mut stmt =
        conn.prepare("SELECT seq, canonical FROM events WHERE action IN (?1, ?2, ?3, ?4, ?5) ORDER BY seq")?;
    let names = REGISTER_ACTIONS.map(|a| a.as_str());
    let mut rows = stmt.query(params![names[0], names[1], names[2], names[3], names[4]])?;
    let mut register = Register::default();
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let seq = seq.max(0) as u64;
        let canonical: Vec<u8> = row.get(1)?;
        let applied = keys.vouch_for(seq, &canonical) && register.apply(seq, &canonical, station);
        if !applied {
            register.ignored += 1;
        }
    }
    Ok(register)
}

impl Register {
    /// The entry of medium `id` (its full UUID, or a prefix of at least 8 characters that
    /// names one medium).
    pub fn find(&self, id: &str) -> Option<&Entry> {
        let id = id.trim().to_ascii_lowercase();
        if let Some(exact) = self.entries.iter().find(|e| e.record().medium == id) {
            return Some(exact);
        }
        if id.len() < 8 {
            return None;
        }
        let mut matching = self.entries.iter().filter(|e| e.record().medium.starts_with(&id));
        let first = matching.next()?;
        matching.next().is_none().then_some(first)
    }

    /// The active entries registered for file system `fs_uuid`.
    pub fn active_for(&self, fs_uuid: &str) -> Vec<&Entry> {
        self.entries
            .iter()
            .filter(|e| e.status == MediumStatus::Active && e.record().fs_uuid.eq_ignore_ascii_case(fs_uuid))
            .collect()
    }

    /// Apply one vouched event; false when it changes nothing (malformed, unknown medium,
    /// or not a step its entry's status allows).
    fn apply(&mut self, seq: u64, canonical: &[u8], station: &str) -> bool {
        let Ok(event) = serde_json::from_slice::<Value>(canonical) else {
            return false;
        };
        let text = |key: &str| event[key].as_str().unwrap_or_default().to_string();
        let (action, details) = (text("action"), &event["details"]);
        let change = |note: &str| Change {
            seq,
            time: text("time"),
            actor: text("actor"),
            action: action.clone(),
            note: note.to_string(),
        };
        if action == Action::MediaRegister.as_str() {
            let Ok(signed) = serde_json::from_value::<SignedRecord>(details["record"].clone()) else {
                return false;
            };
            // The record must be one the deciding key signed, for this station, and new.
            let decided_by = details["decision"]["admin_key"].as_str();
            let record = &signed.record;
            let fresh = !self.entries.iter().any(|e| e.record().medium == record.medium);
            if decided_by != Some(signed.admin_key.as_str())
                || record.station != station
                || !fresh
                || !medium_record::signature_verifies(&signed)
            {
                return false;
            }
            self.entries.push(Entry {
                signed,
                status: MediumStatus::Active,
                holder: None,
                changes: vec![change("")],
            });
            return true;
        }
        let medium = details["medium"].as_str().unwrap_or_default();
        let Some(entry) = self.entries.iter_mut().find(|e| e.record().medium == medium) else {
            return false;
        };
        let live = entry.status == MediumStatus::Active;
        let note = match action.as_str() {
            "media.issue" if live && entry.holder.is_none() => {
                let to = details["to"].as_str().unwrap_or_default();
                entry.holder = Some(to.to_string());
                to.to_string()
            }
            "media.return" if entry.holder.is_some() && entry.status != MediumStatus::Destroyed => {
                entry.holder = None;
                details["from"].as_str().unwrap_or_default().to_string()
            }
            "media.retire" if live => {
                entry.status = MediumStatus::Retired;
                details["reason"].as_str().unwrap_or_default().to_string()
            }
            "media.destroy" if entry.status != MediumStatus::Destroyed => {
                entry.status = MediumStatus::Destroyed;
                entry.holder = None;
                details["reason"].as_str().unwrap_or_default().to_string()
            }
            _ => return false,
        };
        entry.changes.push(change(&note));
        true
    }
}

/// Why a mounted medium is not authorized.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unregistered {
    /// Its file system could not be identified (its superblock was not read).
    #[error("its file system could not be identified ({0})")]
    NoIdentity(String),
    /// It carries no marker.
    #[error("it carries no register marker")]
    NoMarker,
    /// Its marker could not be read.
    #[error("its marker could not be read: {0}")]
    Unreadable(String),
    /// Its marker does not verify.
    #[error("{0}")]
    Marker(MarkerError),
    /// Its marker verifies but the register has no such medium (or another record of it).
    #[error("its marker names medium {0}, which this station's register does not hold as issued")]
    NotInRegister(String),
    /// Registered, then retired or destroyed.
    #[error("medium {medium} was {status} in the register")]
    NotActive {
        /// The medium id.
        medium: String,
        /// `retired` or `destroyed`.
        status: &'static str,
    },
    /// Another medium mounted now has the same file-system UUID: the two cannot be told
    /// apart by it, so neither counts as registered.
    #[error("another mounted medium ({0}) has the same file-system UUID, so neither can be told apart")]
    DuplicateUuid(String),
    /// The device reports a serial other than the one registered (a cloned file system).
    #[error("the device's serial {found} is not the registered {expected}")]
    OtherDevice {
        /// The registered serial.
        expected: String,
        /// The device's.
        found: String,
    },
}

impl Unregistered {
    /// A stable short name for events and the app.
    pub fn code(&self) -> &'static str {
        match self {
            Unregistered::NoIdentity(_) => "no_identity",
            Unregistered::NoMarker => "no_marker",
            Unregistered::Unreadable(_) => "unreadable_marker",
            Unregistered::Marker(MarkerError::TooLarge) => "marker_too_large",
            Unregistered::Marker(MarkerError::Malformed(_)) => "marker_malformed",
            Unregistered::Marker(MarkerError::BadSignature) => "marker_bad_signature",
            Unregistered::Marker(MarkerError::OtherStation(_)) => "marker_other_station",
            Unregistered::Marker(MarkerError::OtherFileSystem { .. }) => "marker_other_file_system",
            Unregistered::Marker(MarkerError::Expired(_)) => "marker_expired",
            Unregistered::NotInRegister(_) => "not_in_register",
            Unregistered::NotActive { .. } => "not_active",
            Unregistered::DuplicateUuid(_) => "duplicate_uuid",
            Unregistered::OtherDevice { .. } => "other_device",
        }
    }
}

/// What a mounted medium shows: the facts the judgement needs.
pub struct Presented<'a> {
    /// The file-system UUID its superblock gave, or why there is none.
    pub fs_uuid: std::result::Result<String, String>,
    /// The device's serial, where sysfs has one.
    pub serial: Option<&'a str>,
    /// The marker read from its root: `Ok(None)` when it has none.
    pub marker: std::result::Result<Option<Vec<u8>>, String>,
}

/// Judge a mounted medium: its marker must verify under one of the station's admin keys,
/// for this station, this file system and `now`, name an active entry of the register with
/// exactly that signed record, and (where the device and the record both have one) the
/// registered serial.
pub fn judge<'r>(
    register: &'r Register,
    trusted: &[[u8; 32]],
    station: &str,
    medium: &Presented<'_>,
    now: OffsetDateTime,
) -> std::result::Result<&'r Entry, Unregistered> {
    let fs_uuid = medium
        .fs_uuid
        .as_ref()
        .map_err(|why| Unregistered::NoIdentity(why.clone()))?;
    let bytes = match &medium.marker {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(Unregistered::NoMarker),
        Err(why) => return Err(Unregistered::Unreadable(why.clone())),
    };
    let record = medium_record::verify_marker(bytes, trusted, station, fs_uuid, now).map_err(Unregistered::Marker)?;
    let entry = register
        .entries
        .iter()
        .find(|e| e.record() == &record)
        .ok_or_else(|| Unregistered::NotInRegister(record.medium.clone()))?;
    if entry.status != MediumStatus::Active {
        return Err(Unregistered::NotActive {
            medium: record.medium.clone(),
            status: entry.status.as_str(),
        });
    }
    // Registered with a serial: the device must report that very serial (a clone of the
    // file system on a device reporting none is not it either).
    if let Some(expected) = &record.serial
        && medium.serial != Some(expected.as_str())
    {
        return Err(Unregistered::OtherDevice {
            expected: expected.clone(),
            found: medium.serial.unwrap_or("none").to_string(),
        });
    }
    Ok(entry)
}

/// Judge `medium`, mounted now beside `mounted` (the media mounted now, it among them),
/// against the register in `conn`: `marker` is what was read from its root (by whoever may
/// read it: root for the guard).
pub fn judge_mounted(
    conn: &Connection,
    station: &str,
    anchor: &[u8; 32],
    medium: &Medium,
    mounted: &[Medium],
    marker: std::result::Result<Option<Vec<u8>>, String>,
    now: OffsetDateTime,
) -> Result<std::result::Result<Entry, Unregistered>> {
    if let Some(uuid) = medium.identity.as_ref().map(|i| &i.uuid) {
        let twin = mounted.iter().find(|other| {
            other.key() != medium.key()
                && other.device != medium.device
                && other
                    .identity
                    .as_ref()
                    .is_some_and(|i| i.uuid.eq_ignore_ascii_case(uuid))
        });
        if let Some(twin) = twin {
            return Ok(Err(Unregistered::DuplicateUuid(twin.mount_point.display().to_string())));
        }
    }
    let keys = AdminKeys::load(conn, station)?;
    let register = load(conn, station, &keys, anchor)?;
    let presented = Presented {
        fs_uuid: medium.identity.as_ref().map(|i| i.uuid.clone()).ok_or_else(|| {
            medium
                .unconfirmed
                .clone()
                .unwrap_or_else(|| "no superblock was read".into())
        }),
        serial: medium.serial.as_deref(),
        marker,
    };
    Ok(judge(&register, &keys.all(), station, &presented, now).cloned())
}

/// A verdict as events and the app show it: `{"status": "registered", medium, label, level,
/// custodian, holder?, expires?}` or `{"status": "unregistered", code, why}`.
pub fn verdict_json(verdict: &std::result::Result<Entry, Unregistered>) -> Value {
    match verdict {
        Ok(entry) => {
            let record = entry.record();
            let mut value = serde_json::json!({
                "status": "registered",
                "medium": record.medium,
                "label": record.label,
                "level": record.level.name(),
                "custodian": record.custodian,
            });
            if let Some(holder) = &entry.holder {
                value["holder"] = holder.as_str().into();
            }
            if let Some(expires) = &record.expires {
                value["expires"] = expires.as_str().into();
            }
            value
        }
        Err(why) => serde_json::json!({
            "status": "unregistered",
            "code": why.code(),
            "why": why.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests;
