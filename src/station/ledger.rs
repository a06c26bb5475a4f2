//! The custody ledger through the station: officers verify the log, and the result is
//! itself an event.

use std::collections::HashMap;

use crate::UserId;
use crate::accounts::decision::AdminKeys;
use crate::accounts::permissions::Permission;
use crate::accounts::{Role, users};
use crate::ledger::note::Verifier;
use crate::ledger::query::{self, EventFilter};
use crate::ledger::verify::{self, Report};
use crate::ledger::{Action, NewEvent, StoredEvent, checkpoint, unaccounted};
use crate::vault::history;
use crate::{Error, Result, details};

use super::{Access, Station};

impl Station {
    /// The station's verifier key (`strongroom/<id>+<key id>+<key>`), from the verified
    /// directory, for pinning on another machine.
    pub fn verifier_key(&self) -> Result<Verifier> {
        let session = self.session_for(Access::Keys)?;
        Verifier::new(
            &checkpoint::origin(&self.station_id),
            session.directory().signing_key_bytes()?,
        )
        .map_err(|e| Error::integrity("station signing key", e.to_string()))
    }

    /// Check a bundle against this station's own current key (officers): that what was
    /// written is whole and signed. Pins kept on the station itself prove nothing to an
    /// auditor (DESIGN.md §4), so nothing is pinned or saved; the audit is `audit verify` on
    /// another machine.
    pub fn self_check_bundle(&self, dir: &std::path::Path) -> Result<crate::ledger::bundle::BundleReport> {
        self.session_for(Access::Permitted(Permission::LedgerVerify, None))?;
        let mut pins = crate::ledger::bundle::Pins::default();
        // This station's current key, whatever epoch the bundle is in.
        pins.trust(&self.verifier_key()?.encode(), true)?;
        Ok(crate::ledger::bundle::verify(dir, &mut pins))
    }

    /// Events matching `filter`, after seq `after`, at most `limit`: officers see every event,
    /// others only those within their clearance.
    pub fn query_events(&self, filter: &EventFilter, after: Option<u64>, limit: u64) -> Result<Vec<StoredEvent>> {
        let user = self.session_for(Access::Ready)?.user();
        let mut filter = filter.clone();
        if user.role != Role::Officer {
            filter.max_level = Some(filter.max_level.map_or(user.clearance, |l| l.min(user.clearance)));
        }
        query::query(&self.conn, &filter, after, limit)
    }

    /// Recompute and check the whole custody log (officers only). The outcome is recorded
    /// as a `ledger.verify` event after the check, so it never affects what it reports.
    pub fn verify_ledger(&mut self) -> Result<Report> {
        let session = self.session_for(Access::Permitted(Permission::LedgerVerify, None))?;
        let actor = session.user().name.clone();
        let verifier = self.verifier_key()?;
        let mut report = verify::verify(&self.conn, &self.station_id, &verifier)?;
        // Every item row against its custody history (findings 4 and 5 of issue 23).
        let names: HashMap<UserId, String> = users::names(&self.conn)?.into_iter().collect();
        let admin_keys = AdminKeys::load(&self.conn, &self.station_id)?;
        let (checked, item_findings) =
            history::check_all(&self.conn, &names, &|seq, event| admin_keys.vouch_for(seq, event))?;
        report.items_checked = checked;
        report.warnings = self.guard_warnings()?;
        report.ok &= item_findings.is_empty();
        report.item_findings = item_findings;
        let mut details = details! {
            "ok": report.ok,
            "events": report.events,
            "checkpoints": report.checkpoints,
            "verified_size": report.verified_size,
            "items_checked": report.items_checked,
            "item_findings": report.item_findings.len(),
        };
        if let Some(bad) = &report.first_bad {
            details.insert("first_bad_seq".into(), serde_json::json!(bad.seq));
            details.insert("problem".into(), serde_json::json!(bad.problem.as_str()));
        }
        let now = self.now();
        let damage = report.first_bad.clone();
        self.write(|tx, events| {
            if let Some(bad) = &damage {
                checkpoint::record_damage(tx, bad.seq, bad.problem.as_str(), &bad.detail, &now)?;
            }
            events.push(NewEvent {
                actor: actor.clone(),
                action: Action::LedgerVerify,
                subject: "station".into(),
                level: None,
                item: None,
                details,
            });
            Ok(())
        })?;
        Ok(report)
    }
}

impl Station {
    /// Write an audit bundle (officers only) of the log up to a checkpoint written now.
    pub fn export_bundle(
        &mut self,
        filter: &EventFilter,
        out: &std::path::Path,
    ) -> Result<crate::ledger::bundle::Manifest> {
        self.session_for(Access::Permitted(Permission::LedgerExport, None))?;
        let verifier = self.verifier_key()?;
        // Cover every event so far; on a damaged log this is refused and the bundle stops at
        // the last good checkpoint's events only if they still match it. The refusal is kept
        // for the caller to show (`checkpoint_error`), not dropped.
        self.checkpoint_error = self.checkpoint("export").err();
        let now = self.now();
        crate::ledger::bundle::export(&self.conn, &self.station_id, &verifier, filter, out, &now)
    }
}

impl Station {
    /// Write the events matching `filter` as CSV to a new file (officers only).
    pub fn export_csv(&self, filter: &EventFilter, path: &std::path::Path) -> Result<u64> {
        self.session_for(Access::Permitted(Permission::LedgerExport, None))?;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => Error::InvalidInput(format!("{} already exists", path.display())),
                _ => Error::io(path, e),
            })?;
        let mut out = std::io::BufWriter::new(file);
        let rows = crate::ledger::csv::write(&self.conn, filter, &mut out);
        if rows.is_err() {
            let _ = std::fs::remove_file(path);
        }
        rows
    }
}

impl Station {
    /// Start a new log epoch (officers only), after verification found damage: the new log
    /// begins with a `ledger.epoch` event naming the last good checkpoint and the first bad
    /// seq, and checkpoints resume under the origin `strongroom/<station-id>/e<N>`.
    pub fn start_epoch(&mut self, reason: &str) -> Result<crate::ledger::epoch::Epoch> {
        use crate::ledger::epoch;
        let session = self.session_for(Access::Permitted(Permission::LedgerVerify, None))?;
        if reason.trim().is_empty() {
            return Err(Error::InvalidInput(
                "a new epoch needs a reason, recorded in the ledger".into(),
            ));
        }
        let first_bad = epoch::unresolved_damage(&self.conn)?.ok_or_else(|| {
            Error::InvalidInput(
                "no damage is recorded (a verification records it); an intact log needs no new epoch".into(),
            )
        })?;
        let actor = session.user().name.clone();
        let station_id = self.station_id.clone();
        let current = epoch::current(&self.conn)?;
        let last_good = checkpoint::latest_in(&self.conn, current.number)?;
        let next = epoch::Epoch {
            number: current.number + 1,
            start_seq: crate::ledger::events::count(&self.conn)?,
        };
        let now = self.now();
        let reason = reason.trim().to_string();
        let mut details = details! {
            "epoch": next.number,
            "origin": epoch::origin(&station_id, next.number),
            "previous_origin": epoch::origin(&station_id, current.number),
            "first_bad_seq": first_bad,
            "reason": reason.clone(),
        };
        if let Some(cp) = &last_good {
            details.insert(
                "last_checkpoint".into(),
                serde_json::json!({ "size": cp.tree_size, "root": crate::encoding::base64::encode(&cp.root) }),
            );
        }
        self.write(|tx, events| {
            // The epoch starts with its own first event, appended in this transaction.
            if crate::ledger::events::count(tx)? != next.start_seq {
                return Err(Error::integrity(
                    "custody ledger",
                    "events were appended while the epoch was being started; try again",
                ));
            }
            epoch::start(tx, next.number, next.start_seq, &reason, &now)?;
            events.push(NewEvent {
                actor: actor.clone(),
                action: Action::LedgerEpoch,
                subject: "station".into(),
                level: None,
                item: None,
                details,
            });
            Ok(())
        })?;
        self.checkpoint("epoch")?;
        Ok(next)
    }
}

impl Station {
    /// At sign-in, before its checkpoint signs them: record one `ledger.alert` for events
    /// after the newest checkpoint that no session wrote (no valid MAC), so officers see
    /// rows appended with SQL instead of a checkpoint quietly vouching for them.
    pub(super) fn report_unaccounted_events(&mut self) -> Result<()> {
        let Some(key) = self.event_mac_key() else {
            return Ok(());
        };
        let guard = match self.session.as_ref() {
            Some(session) => session.directory().guard_key_bytes()?,
            None => None,
        };
        let from = unaccounted::first_unchecked(&self.conn, &key)?;
        let Some(found) = unaccounted::find(&self.conn, from, &key, guard.as_ref())? else {
            return Ok(());
        };
        self.write(|_, events| {
            events.push(NewEvent {
                actor: "system".into(),
                action: Action::LedgerAlert,
                subject: "station".into(),
                level: None,
                item: None,
                details: details! {
                    "finding": unaccounted::FINDING,
                    "count": found.count,
                    "seqs": found.seqs,
                    "through": found.through,
                },
            });
            Ok(())
        })
    }
}
