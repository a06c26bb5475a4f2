//! Publishing a change to the accounts: the session lends its keys to an
//! [`accounts::rotation::Rotation`](crate::accounts::rotation::Rotation), which holds the
//! rules; the station writes it with the items it rewraps, the ledger's key-change note and
//! the events, in one transaction, and the acting officer's session takes the new keys.

use std::collections::BTreeMap;

use rusqlite::Transaction;

use crate::accounts::Directory;
use crate::accounts::rotation::{KeyPlan, LentKeys, Rotation, Target};
use crate::accounts::{directory_copy, trust};
use crate::crypto::event_mac::EventMacKey;
use crate::ledger::{Action, NewEvent, events, key_change_note};
use crate::vault::items;
use crate::{Result, db, details};

use super::{Access, Station};

impl Station {
    /// Sign and store `next` (a successor of the session's directory with the target's
    /// entry already edited), replacing the keys `plan` names, rebuilding the target's grants
    /// (after `first`, which creates or re-points the target's rows) and appending `event`
    /// (plus a `key.rotate` event when keys were replaced). The acting officer's session
    /// then holds the new keys.
    pub(super) fn publish(
        &mut self,
        next: Directory,
        plan: KeyPlan,
        target: Target,
        first: impl FnOnce(&Transaction<'_>) -> Result<()>,
        event: NewEvent,
    ) -> Result<Directory> {
        let session = self.session_for(Access::Keys)?;
        let officer = session.user().clone();
        let mut levels = BTreeMap::new();
        for level in officer.clearance.at_or_below() {
            levels.insert(level, session.level_key(level)?);
        }
        let (signing_generation, admin_generation) = session.key_generations()?;
        let lent = LentKeys {
            officer: officer.name.clone(),
            levels,
            signing: (signing_generation, session.signing_key()?),
            admin: (admin_generation, session.admin_key()?),
        };
        let (own_identity, own_secret) = session.identity()?;
        let before = session.directory().clone();
        let published = self.publish_with(&before, lent, next, plan, target, first, event)?;

        // The acting officer now holds the new keys.
        let keys = trust::open_grants(
            &self.conn,
            &published,
            own_identity,
            own_secret,
            officer.clearance,
            true,
        )?;
        if let Some(session) = self.session.as_mut()
            && session.has_keys()
        {
            session.replace_keys(keys);
            session.set_directory(published.clone());
        }
        // The write above may have tried an interval checkpoint with the retired key.
        self.checkpoint_quietly("rotation");
        Ok(published)
    }

    /// [`Station::publish`] with keys lent by whoever acts (an officer's session, or the
    /// recovery identity, which has no session), over the directory `before` they verified.
    /// The actor of the `key.rotate` event is the lender.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn publish_with(
        &mut self,
        before: &Directory,
        lent: LentKeys,
        next: Directory,
        plan: KeyPlan,
        target: Target,
        first: impl FnOnce(&Transaction<'_>) -> Result<()>,
        event: NewEvent,
    ) -> Result<Directory> {
        let actor = event.actor.clone();
        let mac = EventMacKey::from_signing(&lent.signing.1)?;
        let rotation = Rotation::prepare(before, next, plan, lent, target)?;
        let published = rotation.directory().clone();
        let mut event = event;
        event
            .details
            .insert("directory".into(), directory_copy::details(rotation.signed())?);
        let station_id = self.station_id.clone();
        let now_time = self.clock.now();
        let now = crate::time::rfc3339_millis(now_time);
        let rotate_event = (!rotation.plan().is_empty()).then(|| NewEvent {
            actor: actor.clone(),
            action: Action::KeyRotate,
            subject: "station".into(),
            level: None,
            item: None,
            details: details! {
                "reason": event.action.as_str(),
                "levels": rotation.rotated_levels().iter().map(|(l, g)| serde_json::json!({"level": l.name(), "generation": g})).collect::<Vec<_>>(),
                "signing_key_replaced": rotation.plan().signing,
                "admin_key_replaced": rotation.plan().admin,
                "directory_version": published.version,
            },
        });

        self.write(|tx, _| {
            first(tx)?;
            for change in rotation.level_changes() {
                items::rewrap_level(tx, change.level, change.old, change.new)?;
            }
            let succession = rotation.apply(tx, &station_id, &now)?;
            let mut event = event.clone();
            if let Some(record) = succession {
                event.details.insert("admin_succession".into(), record);
            }
            // MACed with the signing key in force until this change; the key-change
            // checkpoint below covers them.
            events::append(tx, now_time, &event, Some(&mac))?;
            if let Some(rotate) = &rotate_event {
                events::append(tx, now_time, rotate, Some(&mac))?;
            }
            if let Some((old, new)) = rotation.signing_change() {
                key_change_note::record(tx, &station_id, old, new, &now)?;
            }
            Ok(())
        })?;
        drop(rotation);
        // Retired key material must not linger in the WAL.
        let _ = db::checkpoint_truncate(&self.conn);
        Ok(published)
    }
}
