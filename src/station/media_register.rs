//! The register of authorized media (issue 29): officers register a mounted medium (an
//! `AK`-signed record, written on the medium as its marker), issue it to a holder, take it
//! back, retire or destroy it. Each step is an officer's decision event signed by the admin
//! key; the register is read back from those events alone (`guard::register`).

use std::path::{Path, PathBuf};

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::accounts::UserStatus;
use crate::accounts::decision::{self, AdminKeys};
use crate::accounts::permissions::Permission;
use crate::custody::certificate::{DestroyedMedium, build};
use crate::guard::media::{self, Medium};
use crate::guard::medium_record::{FORMAT, MediumRecord};
use crate::guard::register::{self, Entry, MediumStatus, Register, Unregistered};
use crate::guard::{marker_file, seen_media, state};
use crate::ledger::{Action, NewEvent, events};
use crate::mounts::Mount;
use crate::{Error, Level, Result, details};

use super::{Access, Station};

/// What an officer asks to register.
#[derive(Clone, Debug)]
pub struct Registration {
    /// Where the medium is mounted.
    pub mount_point: PathBuf,
    /// Its label in the register (what is written on it).
    pub label: String,
    /// The highest level it may carry.
    pub level: Level,
    /// Its custodian (a user cleared for the level).
    pub custodian: String,
    /// When it stops being authorized: `YYYY-MM-DD` (through that day, UTC) or RFC 3339.
    pub expires: Option<String>,
}

/// A medium mounted now, with the register's verdict on it.
#[derive(Clone, Debug, Serialize)]
pub struct MountedMedium {
    /// The medium as the probes read it.
    pub medium: Medium,
    /// Its register entry, when it is authorized now.
    pub entry: Option<Entry>,
    /// Why it is not, otherwise.
    pub unregistered: Option<String>,
    /// The reason's stable code (`no_marker`, `marker_expired` …).
    pub code: Option<&'static str>,
}

impl Station {
    /// The register as the ledger's signed events make it. Needs a session.
    pub fn media_register_list(&self) -> Result<Register> {
        let anchor = self.admin_anchor()?;
        let keys = AdminKeys::load(&self.conn, &self.station_id)?;
        register::load(&self.conn, &self.station_id, &keys, &anchor)
    }

    /// The admin key the session's keyslot vouches for: the ledger's chain must include it.
    fn admin_anchor(&self) -> Result<[u8; 32]> {
        self.session_for(Access::Quietly)?.directory().admin_key_bytes()
    }

    /// One medium of the register, by id (or an unambiguous prefix of 8 characters or more).
    pub fn media_register_show(&self, id: &str) -> Result<Entry> {
        self.media_register_list()?
            .find(id)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("medium {id} in the register")))
    }

    /// The removable media mounted now (under the guard's removable roots), each judged
    /// against the register.
    pub fn media_mounted(&mut self) -> Result<Vec<MountedMedium>> {
        self.session_for(Access::Quietly)?;
        let media = self.removable_media_now()?;
        let now = self.clock.now();
        let mut out = Vec::new();
        for medium in media.iter().cloned() {
            let verdict = self.judge_medium(&medium, &media, now)?;
            out.push(MountedMedium {
                code: verdict.as_ref().err().map(Unregistered::code),
                unregistered: verdict.as_ref().err().map(ToString::to_string),
                entry: verdict.ok(),
                medium,
            });
        }
        Ok(out)
    }

    /// Register the medium mounted at `request.mount_point`: its record signed by the admin
    /// key, written on it as its marker, then the `media.register` event. A medium whose
    /// file system is already registered and active is refused (two media with one UUID
    /// cannot be told apart by it).
    pub fn media_register(&mut self, request: &Registration) -> Result<Entry> {
        self.refresh_session()?;
        let session = self.session_for(Access::Permitted(Permission::MediaRegister, None))?;
        let actor = session.user().name.clone();
        let label = request.label.trim();
        if label.is_empty() || label.chars().count() > 64 || label.chars().any(char::is_control) {
            return Err(Error::InvalidInput(
                "a medium's label is 1–64 characters, no control characters".into(),
            ));
        }
        let custodian = session
            .directory()
            .users
            .iter()
            .find(|u| u.name == request.custodian)
            .ok_or_else(|| Error::NotFound(format!("user {}", request.custodian)))?;
        if custodian.status != UserStatus::Active || custodian.clearance < request.level {
            return Err(Error::Denied {
                rule: "clearance",
                message: format!(
                    "{} cannot be the custodian of a {} medium (cleared to {}, {})",
                    custodian.name,
                    request.level,
                    custodian.clearance,
                    if custodian.status == UserStatus::Active {
                        "active"
                    } else {
                        "disabled"
                    }
                ),
            });
        }
        let custodian = custodian.name.clone();
        let now = self.clock.now();
        let expires = request.expires.as_deref().map(|text| expiry(text, now)).transpose()?;
        let admin = session.admin_key()?;

        let medium = self.medium_at_mount_point(&request.mount_point)?;
        let identity = medium.identity.clone().ok_or_else(|| {
            Error::InvalidInput(format!(
                "the file system on {} could not be identified ({}); register it as root, or with the guard running",
                medium.mount_point.display(),
                medium.unconfirmed.as_deref().unwrap_or("no superblock was read")
            ))
        })?;
        let listed = self.media_register_list()?;
        if let Some(taken) = listed.active_for(&identity.uuid).first() {
            return Err(Error::Denied {
                rule: "media-register",
                message: format!(
                    "file system {} is already registered as medium {} ({}); two media with one UUID cannot be told apart: retire that entry or re-format this medium",
                    identity.uuid,
                    taken.record().medium,
                    taken.record().label
                ),
            });
        }
        let record = MediumRecord {
            format: FORMAT,
            medium: uuid::Builder::from_random_bytes(crate::crypto::random::array::<16>()?)
                .into_uuid()
                .to_string(),
            station: self.station_id.clone(),
            fs_uuid: identity.uuid.clone(),
            label: label.to_string(),
            serial: medium.serial.clone(),
            level: request.level,
            custodian,
            issued_at: crate::time::rfc3339_millis(now),
            expires,
        };
        let signed = record.sign(&admin).map_err(|e| Error::InvalidInput(e.to_string()))?;
        let marker = signed.to_marker().map_err(|e| Error::InvalidInput(e.to_string()))?;
        // The marker first: a register entry whose medium carries no marker would be
        // refused at every mount; a marker with no entry authorizes nothing.
        marker_file::write(&medium.mount_point, &marker).map_err(|e| Error::InvalidInput(e.to_string()))?;
        let event = NewEvent {
            actor,
            action: Action::MediaRegister,
            subject: signed.record.medium.clone(),
            level: Some(request.level),
            item: None,
            details: details! {
                "medium": signed.record.medium.clone(),
                "record": serde_json::to_value(&signed).map_err(|e| Error::InvalidInput(e.to_string()))?,
                "mount_point": medium.mount_point.to_string_lossy(),
            },
        };
        self.decide(&admin, event)?;
        self.media_register_show(&signed.record.medium)
    }

    /// Issue a registered, active medium to `to` (cleared for its level).
    pub fn media_issue(&mut self, id: &str, to: &str) -> Result<Entry> {
        let entry = self.media_register_show(id)?;
        let session = self.session_for(Access::Permitted(Permission::MediaRegister, None))?;
        if entry.status != MediumStatus::Active {
            return Err(refused(&entry, "issued"));
        }
        if entry.expired_at(self.clock.now()) {
            return Err(Error::Denied {
                rule: "media-register",
                message: format!(
                    "medium {} expired at {}; register it again to use it",
                    entry.record().label,
                    entry.record().expires.as_deref().unwrap_or_default()
                ),
            });
        }
        if let Some(holder) = &entry.holder {
            return Err(Error::Denied {
                rule: "media-register",
                message: format!(
                    "medium {} is held by {holder}; it comes back first",
                    entry.record().label
                ),
            });
        }
        let user = session.directory().users.iter().find(|u| u.name == to);
        let cleared = user.is_some_and(|u| u.status == UserStatus::Active && u.clearance >= entry.record().level);
        if !cleared {
            return Err(Error::Denied {
                rule: "clearance",
                message: format!(
                    "{to} is not an active user cleared for {}, the level of medium {}",
                    entry.record().level,
                    entry.record().label
                ),
            });
        }
        self.media_step(&entry, Action::MediaIssue, details! { "to": to })
    }

    /// Take a medium back from its holder.
    pub fn media_return(&mut self, id: &str) -> Result<Entry> {
        let entry = self.media_register_show(id)?;
        self.session_for(Access::Permitted(Permission::MediaRegister, None))?;
        let Some(holder) = entry.holder.clone() else {
            return Err(Error::InvalidInput(format!(
                "medium {} is not issued to anyone",
                entry.record().label
            )));
        };
        self.media_step(&entry, Action::MediaReturn, details! { "from": holder })
    }

    /// Take a medium out of use: its marker authorizes nothing from now on.
    pub fn media_retire(&mut self, id: &str, reason: &str) -> Result<Entry> {
        let entry = self.media_register_show(id)?;
        self.session_for(Access::Permitted(Permission::MediaRegister, None))?;
        if entry.status != MediumStatus::Active {
            return Err(refused(&entry, "retired"));
        }
        self.media_step(
            &entry,
            Action::MediaRetire,
            details! { "reason": needs_reason(reason)? },
        )
    }

    /// Record a medium as destroyed (a witness at or above the two-person level, as for
    /// items), with its certificate of destruction in the same transaction.
    pub fn media_destroy(&mut self, id: &str, reason: &str) -> Result<(Entry, String)> {
        let entry = self.media_register_show(id)?;
        let session = self.session_for(Access::Permitted(Permission::MediaRegister, None))?;
        let actor = session.user().name.clone();
        if entry.status == MediumStatus::Destroyed {
            return Err(refused(&entry, "destroyed"));
        }
        let reason = needs_reason(reason)?;
        let second = self.witness_for(entry.record().level, "destroying a registered medium")?;
        let mut details = details! { "reason": reason };
        self.describe_second(&second, &mut details)?;
        if let Some(holder) = &entry.holder {
            details.insert("held_by".into(), holder.as_str().into());
        }
        let record = entry.record().clone();
        details.insert("medium".into(), record.medium.clone().into());
        details.insert("label".into(), record.label.clone().into());
        let event = NewEvent {
            actor,
            action: Action::MediaDestroy,
            subject: record.medium.clone(),
            level: Some(record.level),
            item: None,
            details,
        };
        let issue = super::certificates::Issue {
            events: vec![event],
            validation: self.validation_of(std::slice::from_ref(&second))?,
            reason: reason.to_string(),
            decided: true,
        };
        let issued = self.issue_certificate(
            issue,
            Vec::new(),
            |tx, _| second.consume(tx),
            |occasion, seqs| {
                let medium = DestroyedMedium {
                    medium: record.medium.clone(),
                    label: record.label.clone(),
                    fs_uuid: record.fs_uuid.clone(),
                    serial: record.serial.clone(),
                    seq: seqs.first().copied().unwrap_or_default(),
                };
                build::for_medium(occasion, medium, record.level)
            },
        )?;
        self.spend(&second);
        Ok((self.media_register_show(&record.medium)?, issued.number))
    }

    /// An officer's step on a registered medium: its decision event, signed by the admin key.
    fn media_step(
        &mut self,
        entry: &Entry,
        action: Action,
        mut details: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Entry> {
        let session = self.session_for(Access::Permitted(Permission::MediaRegister, None))?;
        let admin = session.admin_key()?;
        let medium = entry.record().medium.clone();
        details.insert("medium".into(), medium.clone().into());
        details.insert("label".into(), entry.record().label.clone().into());
        let event = NewEvent {
            actor: session.user().name.clone(),
            action,
            subject: medium.clone(),
            level: Some(entry.record().level),
            item: None,
            details,
        };
        let mac = self.event_mac_key();
        let time = self.clock.now();
        self.write(|tx, _| {
            let decide = |body: &[u8]| decision::sign(&admin, body);
            events::append_signed(tx, time, &event, mac.as_ref(), Some(&decide))?;
            Ok(())
        })?;
        self.media_register_show(&medium)
    }

    /// Append an officer's decision event signed with `admin`.
    fn decide(&mut self, admin: &crate::crypto::sign::SignKey, event: NewEvent) -> Result<()> {
        let mac = self.event_mac_key();
        let time = self.clock.now();
        self.write(|tx, _| {
            let decide = |body: &[u8]| decision::sign(admin, body);
            events::append_signed(tx, time, &event, mac.as_ref(), Some(&decide))?;
            Ok(())
        })
    }

    /// The removable media mounted now, under the guard's removable roots.
    pub(super) fn removable_media_now(&mut self) -> Result<Vec<Medium>> {
        let mounts = self.mounts_now()?;
        self.removable_media_in(&mounts)
    }

    /// The mount table now (through the station's probes).
    fn mounts_now(&mut self) -> Result<Vec<Mount>> {
        self.guard_probes
            .mounts
            .mounts()
            .map_err(|e| Error::io("/proc/self/mountinfo", e))
    }

    /// The removable media among `mounts`, under the guard's removable roots.
    fn removable_media_in(&mut self, mounts: &[Mount]) -> Result<Vec<Medium>> {
        let mut roots = Vec::new();
        if let Ok(Some(s)) = state::load(&self.guard_dir, &self.station_id) {
            roots.extend(s.removable_roots.iter().cloned());
        }
        let mut media = media::removable_media(mounts, self.guard_probes.devices.as_ref(), &roots);
        // A user cannot read the device: the guard's signed record of this mount names it.
        let guard_key = self
            .session
            .as_ref()
            .and_then(|s| s.directory().guard_key_bytes().ok().flatten());
        if let Some(key) = guard_key {
            for medium in media.iter_mut().filter(|m| m.identity.is_none()) {
                medium.identity = seen_media::identity_seen(&self.conn, &key, medium)?;
            }
        }
        Ok(media)
    }

    /// The medium mounted exactly at `point`.
    fn medium_at_mount_point(&mut self, point: &Path) -> Result<Medium> {
        let resolved = std::fs::canonicalize(point).map_err(|e| Error::io(point, e))?;
        self.removable_media_now()?
            .into_iter()
            .find(|m| m.mount_point == resolved)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "{} is not the mount point of a removable medium (under /media, /run/media, a USB or MMC device, or a removable root the guard was enabled with)",
                    point.display()
                ))
            })
    }

    /// The removable medium holding `path`, if the mount that holds it (the topmost at the
    /// deepest mount point above it, its links resolved) is one, with every medium mounted
    /// now. A relative path is taken from the working directory, as the export takes it.
    pub(super) fn medium_holding(&mut self, path: &Path) -> Result<Option<Holding>> {
        let absolute = std::path::absolute(path).map_err(|e| Error::io(path, e))?;
        let Some(existing) = absolute.ancestors().find(|p| p.exists()) else {
            return Ok(None);
        };
        let resolved = std::fs::canonicalize(existing).map_err(|e| Error::io(existing, e))?;
        let mounts = self.mounts_now()?;
        let Some(holding) = crate::mounts::holding(&mounts, &resolved).cloned() else {
            return Ok(None);
        };
        let mounted = self.removable_media_in(&mounts)?;
        let medium = mounted
            .iter()
            .find(|m| m.mount_point == holding.point && m.source == holding.source && m.fstype == holding.fstype)
            .cloned();
        Ok(medium.map(|medium| Holding { medium, mounted }))
    }

    /// The register's verdict on `medium`, mounted now beside `mounted`.
    pub(super) fn judge_medium(
        &self,
        medium: &Medium,
        mounted: &[Medium],
        now: OffsetDateTime,
    ) -> Result<std::result::Result<Entry, Unregistered>> {
        let anchor = self.admin_anchor()?;
        let marker = marker_file::read(&medium.mount_point);
        register::judge_mounted(&self.conn, &self.station_id, &anchor, medium, mounted, marker, now)
    }
}

/// The removable medium a path is on, and every medium mounted beside it.
pub(super) struct Holding {
    /// The medium.
    pub medium: Medium,
    /// Every removable medium mounted now (it among them).
    pub mounted: Vec<Medium>,
}

/// A refusal for a step the entry's status does not allow.
fn refused(entry: &Entry, step: &str) -> Error {
    Error::Denied {
        rule: "media-register",
        message: format!(
            "medium {} ({}) is {} and cannot be {step}",
            entry.record().label,
            entry.record().medium,
            entry.status.as_str()
        ),
    }
}

fn needs_reason(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::InvalidInput(
            "this step needs a reason, recorded in the ledger".into(),
        ));
    }
    Ok(reason.to_string())
}

/// An expiry from `YYYY-MM-DD` (authorized through that day, UTC) or RFC 3339; it must be
/// after `now`.
fn expiry(text: &str, now: OffsetDateTime) -> Result<String> {
    let text = text.trim();
    let day = time::format_description::parse_borrowed::<2>("[year]-[month]-[day]")
        .map_err(|e| Error::InvalidInput(e.to_string()))?;
    let at = match time::Date::parse(text, &day) {
        Ok(day) => day
            .next_day()
            .map(|d| d.midnight().assume_utc())
            .ok_or_else(|| Error::InvalidInput(format!("expiry {text} is out of range")))?,
        Err(_) => OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
            Error::InvalidInput(format!(
                "expiry '{text}' is not a date (YYYY-MM-DD) or an RFC 3339 time"
            ))
        })?,
    };
    if at <= now {
        return Err(Error::InvalidInput(format!("expiry {text} is not in the future")));
    }
    Ok(crate::time::rfc3339_millis(at.to_offset(time::UtcOffset::UTC)))
}
