//! Synced and network folders at the station (DESIGN.md §6): the vault is not created or
//! opened inside one (an officer may record an override for a folder shown not to sync),
//! exports into one are refused before anything is decrypted (an officer may override below
//! the policy's level, never secret and above), and imports from one are recorded as an
//! exposure. Every override is an event signed with the admin key, so a row added with SQL
//! overrides nothing.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde_json::{Value, json};

use crate::accounts::decision::{self, AdminKeys};
use crate::cloud::catalogue::Catalogue;
use crate::cloud::destination::{self, Refusal, Verdict};
use crate::cloud::detector::Detector;
use crate::cloud::scan::{Processes, Scan, Sources};
use crate::ledger::Action;
use crate::ledger::events::{self, NewEvent};
use crate::vault::items::ItemRow;
use crate::{Error, Level, Result, details};

use super::Station;
use super::custody::item_event;

/// The rule every refusal names.
pub const RULE: &str = "cloud-sync";

/// Where the station's cloud checks look (tests inject fixture homes and mount tables).
#[derive(Clone, Debug)]
pub struct CloudSources(pub Sources);

impl Default for CloudSources {
    /// This machine as this process sees it, without the walk of the homes (a destination's
    /// ancestors are checked for markers one by one instead).
    fn default() -> Self {
        CloudSources(Sources {
            walk: None,
            ..Sources::this_machine()
        })
    }
}

/// Whether opening checks the vault's location.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LocationCheck {
    /// Refuse a vault inside a synced or network folder unless an officer's override
    /// names each folder.
    #[default]
    Enforce,
    /// Open anyway, so that an officer can record an override
    /// ([`Station::override_vault_location`]); nothing else should be done with it.
    ForOverride,
}

/// An officer's override of an export's refusal: the event that records it and the key
/// that signs it.
pub(super) struct ExportOverride {
    /// The event.
    pub event: NewEvent,
    /// The officer's admin key.
    pub admin: crate::crypto::sign::SignKey,
}

impl ExportOverride {
    /// Append the signed event inside the export's transaction.
    pub fn append(
        &self,
        tx: &rusqlite::Transaction<'_>,
        now: time::OffsetDateTime,
        mac: Option<&crate::crypto::event_mac::EventMacKey>,
    ) -> Result<u64> {
        let decide = |body: &[u8]| decision::sign(&self.admin, body);
        events::append_signed(tx, now, &self.event, mac, Some(&decide))
    }
}

/// The imported files that came from a synced or network folder, checked once per directory.
#[derive(Default)]
pub(super) struct Exposures {
    by_dir: std::collections::HashMap<PathBuf, Vec<Refusal>>,
    items: std::collections::HashMap<crate::ItemId, PathBuf>,
}

impl Exposures {
    /// Check the directory `source` is read from (once per directory), for item `id`.
    pub fn note(&mut self, station: &mut Station, id: crate::ItemId, source: &Path) {
        let Some(dir) = source.parent() else {
            return;
        };
        if !self.by_dir.contains_key(dir) {
            let refusals = match station.cloud_check(dir) {
                Verdict::Refused { refusals, .. } => refusals
                    .into_iter()
                    .filter(|r| r.relation == destination::Relation::Inside)
                    .collect(),
                Verdict::Clear { .. } | Verdict::Doubt { .. } => Vec::new(),
            };
            self.by_dir.insert(dir.to_path_buf(), refusals);
        }
        if self.by_dir.get(dir).is_some_and(|r| !r.is_empty()) {
            self.items.insert(id, dir.to_path_buf());
        }
    }

    /// Add the exposure event of `row`, if its file came from a synced folder.
    pub fn record(&self, row: &ItemRow, events: &mut Vec<NewEvent>) {
        let Some(dir) = self.items.get(&row.id) else {
            return;
        };
        let refusals = self.by_dir.get(dir).map(Vec::as_slice).unwrap_or_default();
        let details = details! {
            "item": row.id.to_string(),
            "control_number": row.control.to_string(),
            "source_dir": dir.to_string_lossy().into_owned(),
            "folders": folders_json(refusals),
        };
        let actor = events.last().map(|e| e.actor.clone()).unwrap_or_default();
        events.push(item_event(&actor, Action::CloudExposure, row, details));
    }
}

impl Station {
    /// The synced and network folders of this machine (cached; rescanned when a
    /// configuration file or the mount table changes).
    pub fn cloud_scan(&mut self) -> &Scan {
        let sources = &self.cloud_sources;
        self.cloud
            .get_or_insert_with(|| Detector::new(sources.0.clone()))
            .scan()
    }

    /// What the status strip shows: the enforced folders and the running clients, from a
    /// scan at most half a minute old.
    pub fn cloud_strip(&mut self) -> crate::cloud::finding::CloudStrip {
        let sources = &self.cloud_sources;
        let detector = self.cloud.get_or_insert_with(|| Detector::new(sources.0.clone()));
        let scan = detector.scan_within(std::time::Duration::from_secs(30));
        crate::cloud::finding::CloudStrip::of(&scan.findings, &scan.clients)
    }

    /// Scan again now, whatever changed (the running clients above all).
    pub fn cloud_rescan(&mut self) -> &Scan {
        // A detector made now has just scanned.
        let fresh = self.cloud.is_none();
        let sources = &self.cloud_sources;
        let detector = self.cloud.get_or_insert_with(|| Detector::new(sources.0.clone()));
        if fresh { detector.scan() } else { detector.rescan() }
    }

    /// One `cloud.client` event per sync client running now, for a sign-in by `actor`.
    pub(super) fn running_client_events(&mut self, actor: &str) -> Vec<NewEvent> {
        // Only the process list: the other layers are not needed to name a client.
        let processes = self.cloud_sources.0.processes.list();
        crate::cloud::processes::clients(Catalogue::bundled(), &processes)
            .iter()
            .map(|client| {
                let mut details = details! {
                    "provider": client.provider.clone(),
                    "provider_name": client.provider_name.clone(),
                    "pid": client.pid,
                    "exe": client.exe.to_string_lossy().into_owned(),
                };
                if let Some(uid) = client.uid {
                    details.insert("uid".into(), uid.into());
                }
                NewEvent {
                    actor: actor.to_string(),
                    action: Action::CloudClient,
                    subject: client.provider.clone(),
                    level: None,
                    item: None,
                    details,
                }
            })
            .collect()
    }

    /// Why `to` is refused as an export destination in (or containing) a synced or network
    /// folder, in one sentence; `None` when it is clear.
    pub fn synced_destination(&mut self, to: &Path) -> Option<String> {
        match self.cloud_check(to) {
            Verdict::Clear { .. } => None,
            Verdict::Refused { refusals, .. } => Some(describe(&refusals)),
            Verdict::Doubt { reason } => Some(format!("not shown to be outside synced folders: {reason}")),
        }
    }

    /// Whether `path` lies in (or contains) a synced or network folder.
    pub fn cloud_check(&mut self, path: &Path) -> Verdict {
        let sources = &self.cloud_sources;
        self.cloud
            .get_or_insert_with(|| Detector::new(sources.0.clone()))
            .check(path)
    }

    /// Check an export destination before anything is decrypted. Refused: an error naming
    /// the provider and evidence, unless `override_reason` is given by an officer for an
    /// item below the policy's level; then the signed event to append with the export.
    pub(super) fn check_export_destination(
        &mut self,
        to: &Path,
        row: &ItemRow,
        override_reason: Option<&str>,
        override_below: Level,
    ) -> Result<Option<ExportOverride>> {
        let refusals = match self.cloud_check(to) {
            Verdict::Clear { .. } => return Ok(None),
            Verdict::Refused { refusals, .. } => refusals,
            Verdict::Doubt { reason } => {
                return Err(Error::Denied {
                    rule: RULE,
                    message: format!(
                        "{} is not shown to be outside cloud-synced and network folders ({reason}): nothing was decrypted",
                        to.display()
                    ),
                });
            }
        };
        let refused = || Error::Denied {
            rule: RULE,
            message: format!(
                "exports into cloud-synced or network folders are refused: {} {}; nothing was decrypted",
                to.display(),
                describe(&refusals)
            ),
        };
        let Some(reason) = override_reason.map(str::trim).filter(|r| !r.is_empty()) else {
            return Err(refused());
        };
        let session = self.session_for(super::Access::Ready)?;
        if session.user().role != crate::accounts::Role::Officer {
            return Err(Error::Denied {
                rule: RULE,
                message: format!("only a security officer may override: {}", refused()),
            });
        }
        if row.level >= override_below {
            return Err(Error::Denied {
                rule: RULE,
                message: format!(
                    "{} is {}: overrides are allowed below {} only ({})",
                    row.control,
                    row.level,
                    override_below,
                    refused()
                ),
            });
        }
        let actor = session.user().name.clone();
        let admin = session.admin_key()?;
        let details = details! {
            "scope": "export",
            "item": row.id.to_string(),
            "control_number": row.control.to_string(),
            "destination_dir": to.parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default(),
            "folders": folders_json(&refusals),
            "reason": crate::text::capped(reason, 1000),
        };
        Ok(Some(ExportOverride {
            event: item_event(&actor, Action::CloudOverride, row, details),
            admin,
        }))
    }

    /// Record an officer's override for every synced or network folder the vault's own
    /// location meets (a stale configuration, a folder shown not to sync): the vault then
    /// opens there. Signed with the admin key.
    pub fn override_vault_location(&mut self, reason: &str) -> Result<Vec<Refusal>> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::InvalidInput(
                "an override needs a reason, recorded in the ledger".into(),
            ));
        }
        let session = self.session_for(super::Access::Ready)?;
        if session.user().role != crate::accounts::Role::Officer {
            return Err(Error::Denied {
                rule: RULE,
                message: "only a security officer records an override for the vault's location".into(),
            });
        }
        let actor = session.user().name.clone();
        let admin = session.admin_key()?;
        let root = self.paths.root.clone();
        let refusals = match self.cloud_check(&root) {
            Verdict::Clear { .. } => return Ok(Vec::new()),
            Verdict::Refused { refusals, .. } => refusals,
            Verdict::Doubt { reason } => {
                return Err(Error::Denied {
                    rule: RULE,
                    message: format!(
                        "the vault's location cannot be resolved reliably ({reason}): no override is recorded"
                    ),
                });
            }
        };
        let event = NewEvent {
            actor,
            action: Action::CloudOverride,
            subject: root.to_string_lossy().into_owned(),
            level: None,
            item: None,
            details: details! {
                "scope": "vault",
                "vault": root.to_string_lossy().into_owned(),
                "folders": folders_json(&refusals),
                "reason": crate::text::capped(reason, 1000),
            },
        };
        let mac = self.event_mac_key();
        let now = self.clock.now();
        self.write(|tx, _| {
            let decide = |body: &[u8]| decision::sign(&admin, body);
            events::append_signed(tx, now, &event, mac.as_ref(), Some(&decide))?;
            Ok(())
        })?;
        Ok(refusals)
    }

    /// Overrides recorded for the vault's location, as `(provider, folder)` pairs.
    pub fn vault_location_overrides(&self) -> Result<Vec<(String, PathBuf)>> {
        vault_overrides(&self.conn, &self.station_id)
    }
}

/// Refuse a vault at `root` that meets a synced or network folder no signed override names.
pub(super) fn check_vault_location(
    conn: &Connection,
    root: &Path,
    sources: &CloudSources,
    check: LocationCheck,
) -> Result<()> {
    if check == LocationCheck::ForOverride {
        return Ok(());
    }
    let mut sources = sources.0.clone();
    sources.processes = Processes::Skipped;
    let scan = crate::cloud::scan::scan(Catalogue::bundled(), &sources);
    let refusals = match destination::check(Catalogue::bundled(), &scan, root) {
        Verdict::Clear { .. } => return Ok(()),
        Verdict::Refused { refusals, .. } => refusals,
        Verdict::Doubt { reason } => {
            return Err(Error::Denied {
                rule: RULE,
                message: format!(
                    "the vault's location is not shown to be outside cloud-synced and network folders: {reason}"
                ),
            });
        }
    };
    let station: String = conn
        .query_row("SELECT station_id FROM station", [], |r| r.get(0))
        .map_err(|_| Error::integrity("station record", "missing; the vault is incomplete"))?;
    let overridden = vault_overrides(conn, &station)?;
    let open: Vec<Refusal> = refusals
        .into_iter()
        .filter(|r| !overridden.iter().any(|(p, f)| *p == r.provider && *f == r.root))
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    Err(Error::Denied {
        rule: RULE,
        message: format!(
            "the vault at {} {}; move it, or a security officer records an override for a folder shown not to sync",
            root.display(),
            describe(&open)
        ),
    })
}

/// Refuse to create a vault at `root` inside a synced or network folder (no override: there
/// is no officer yet, and another place can always be chosen).
pub(super) fn check_new_vault_location(root: &Path, sources: &CloudSources) -> Result<()> {
    let scan = crate::cloud::scan::scan(Catalogue::bundled(), &sources.0);
    match destination::check(Catalogue::bundled(), &scan, root) {
        Verdict::Clear { .. } => Ok(()),
        Verdict::Refused { refusals, .. } => Err(Error::Denied {
            rule: RULE,
            message: format!(
                "a vault is not created in cloud-synced or network folders: {} {}",
                root.display(),
                describe(&refusals)
            ),
        }),
        Verdict::Doubt { reason } => Err(Error::Denied {
            rule: RULE,
            message: format!(
                "the vault's location is not shown to be outside cloud-synced and network folders: {reason}"
            ),
        }),
    }
}

/// The `(provider, folder)` pairs of vault overrides whose admin-key signature verifies
/// under a key in force at their seq.
fn vault_overrides(conn: &Connection, station: &str) -> Result<Vec<(String, PathBuf)>> {
    let mut statement = conn.prepare("SELECT canonical FROM events WHERE action = ?1 ORDER BY seq")?;
    let rows: Vec<Vec<u8>> = statement
        .query_map([Action::CloudOverride.as_str()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let keys = AdminKeys::load(conn, station)?;
    let mut out = Vec::new();
    for bytes in rows {
        let Some((key, seq)) = decision::signer(&bytes) else {
            continue;
        };
        if !keys.in_force_at(&key, seq) {
            continue;
        }
        let Ok(event) = serde_json::from_slice::<Value>(&bytes) else {
            continue;
        };
        let details = &event["details"];
        if event["action"] != Action::CloudOverride.as_str() || details["scope"] != "vault" {
            continue;
        }
        for folder in details["folders"].as_array().into_iter().flatten() {
            if let (Some(provider), Some(root)) = (folder["provider"].as_str(), folder["folder"].as_str()) {
                out.push((provider.to_string(), PathBuf::from(root)));
            }
        }
    }
    Ok(out)
}

/// The folders refused, for an event's details.
fn folders_json(refusals: &[Refusal]) -> Value {
    refusals
        .iter()
        .map(|r| {
            json!({
                "provider": r.provider,
                "folder": r.root.to_string_lossy(),
                "evidence": r.evidence.iter().map(|e| e.describe()).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// Every refusal in one clause.
fn describe(refusals: &[Refusal]) -> String {
    refusals.iter().map(Refusal::describe).collect::<Vec<_>>().join("; ")
}
