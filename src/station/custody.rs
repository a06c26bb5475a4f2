//! Custody steps: offering an item to another user, accepting or declining the offer, an
//! officer's reassignment of a leaver's holdings, retention dates and the Due list. Each
//! step is a permission check, one rule from `custody::transfer` or `custody::retention`
//! on the item's history, and its event with the row change in one transaction.

use std::collections::HashMap;

use crate::accounts::Role;
use crate::accounts::decision::{self, AdminKeys};
use crate::accounts::permissions::Permission;
use crate::custody::retention::{self, DueItem};
use crate::custody::transfer::{self, Refusal};
use crate::ledger::{Action, NewEvent, events};
use crate::time::rfc3339_millis;
use crate::vault::history::{self, History};
use crate::vault::items::{self, ItemRow};
use crate::{ControlNumber, Error, ItemId, Level, Result, details};

use super::custody_settled::settled;
use super::{Access, Station};

/// An open offer of custody, as `custody pending` lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PendingOffer {
    /// Item uuid.
    pub item: String,
    /// Control number.
    pub control_number: String,
    /// Level.
    pub level: Level,
    /// The custodian now.
    pub from: String,
    /// Who is offered custody.
    pub to: String,
    /// Who made the offer.
    pub by: String,
    /// When.
    pub offered_at: String,
    /// When it lapses.
    pub expires_at: String,
    /// The offerer's note.
    pub note: Option<String>,
}

/// What a reassignment moved, and what it left.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Reassignment {
    /// Control numbers moved.
    pub moved: Vec<String>,
    /// Items of the leaver that could not be moved, and why (an officer looks at them).
    pub skipped: Vec<Skipped>,
}

/// An item a reassignment left where it was.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// Control number.
    pub control_number: String,
    /// Why it could not be moved.
    pub why: String,
}

impl Station {
    /// Every item's history from the ledger (lowerings and reassignments counted only with
    /// an officer's signature).
    pub(super) fn histories(&self) -> Result<HashMap<ItemId, History>> {
        let keys = AdminKeys::load(&self.conn, &self.station_id)?;
        history::all(&self.conn, &|seq, event| keys.vouch_for(seq, event))
    }

    /// Offer custody of an item to `to`. Only its custodian or an officer may; `to` must be
    /// an active user cleared for its level. The offer lapses after the policy's hours.
    pub fn offer_custody(&mut self, reference: &str, to: &str, note: Option<&str>) -> Result<PendingOffer> {
        self.refresh_session()?;
        let (row, history) = self.find_item(reference)?;
        let session = self.session_for(Access::Permitted(Permission::RequestTransfer, Some(row.level)))?;
        let user = session.user().clone();
        let recipient = session.directory().users.iter().find(|u| u.name == to).cloned();
        let hours = session.directory().policy().transfer_offer_hours();
        if let Err(refusal) = transfer::check_offer(&history, &user.name, user.role, to, recipient.as_ref()) {
            return Err(self.refused(&row, refusal, to));
        }
        let now = self.clock.now();
        let expires_at = rfc3339_millis(now + time::Duration::hours(i64::from(hours)));
        let mut details = details! {
            "item": row.id.to_string(),
            "control_number": row.control.to_string(),
            "from": history.custodian.clone(),
            "to": to,
            "expires_at": expires_at.clone(),
        };
        if let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) {
            details.insert("note".into(), note.into());
        }
        let event = item_event(&user.name, Action::CustodyOffer, &row, details);
        self.write_step(
            &row,
            event,
            |_| Ok(()),
            |h, seq| h.offer.as_ref().is_some_and(|o| o.seq == seq),
        )?;
        Ok(PendingOffer {
            item: row.id.to_string(),
            control_number: row.control.to_string(),
            level: row.level,
            from: history.custodian,
            to: to.to_string(),
            by: user.name,
            offered_at: rfc3339_millis(now),
            expires_at,
            note: note.map(str::to_string),
        })
    }

    /// Accept the offer of an item made to this user: they become its custodian.
    pub fn accept_custody(&mut self, reference: &str) -> Result<()> {
        self.refresh_session()?;
        let (row, history) = self.find_item(reference)?;
        let session = self.session_for(Access::Permitted(Permission::View, Some(row.level)))?;
        let user = session.user().clone();
        let now = self.now();
        let offer = match transfer::check_accept(&history, &user.name, &now) {
            Ok(offer) => offer.clone(),
            Err(refusal) => return Err(self.refused(&row, refusal, &user.name)),
        };
        let details = details! {
            "item": row.id.to_string(),
            "control_number": row.control.to_string(),
            "offer": offer.seq,
            "from": offer.from.clone(),
            "to": user.name.clone(),
        };
        let event = item_event(&user.name, Action::CustodyAccept, &row, details);
        self.write_step(
            &row,
            event,
            |tx| items::set_custodian(tx, row.id, user.id, &now),
            |h, _| h.custodian == user.name,
        )?;
        Ok(())
    }

    /// Decline an offer made to this user, or withdraw one this user (or an officer, or the
    /// custodian) made.
    pub fn decline_custody(&mut self, reference: &str) -> Result<()> {
        self.refresh_session()?;
        let (row, history) = self.find_item(reference)?;
        let session = self.session_for(Access::Permitted(Permission::View, Some(row.level)))?;
        let user = session.user().clone();
        let offer = match transfer::check_decline(&history, &user.name, user.role, &self.now()) {
            Ok(offer) => offer.clone(),
            Err(refusal) => return Err(self.refused(&row, refusal, &user.name)),
        };
        let details = details! {
            "item": row.id.to_string(),
            "control_number": row.control.to_string(),
            "offer": offer.seq,
            "to": offer.to.clone(),
        };
        let event = item_event(&user.name, Action::CustodyDecline, &row, details);
        self.write_step(
            &row,
            event,
            |_| Ok(()),
            |h, _| h.offer.as_ref().is_none_or(|o| o.seq != offer.seq),
        )?;
        Ok(())
    }

    /// Offers open now that concern this user (made to them, by them, or of their items);
    /// an officer sees every open offer at or below their clearance.
    pub fn pending_offers(&self) -> Result<Vec<PendingOffer>> {
        let session = self.session_for(Access::Permitted(Permission::View, None))?;
        let user = session.user().clone();
        let now = self.now();
        let mut out: Vec<PendingOffer> = self
            .histories()?
            .into_iter()
            .filter(|(_, h)| h.level <= user.clearance)
            .filter_map(|(id, h)| {
                let offer = transfer::open_offer(&h, &now)?;
                let mine = [&offer.to, &offer.by, &offer.from].contains(&&user.name);
                (mine || user.role == Role::Officer).then(|| PendingOffer {
                    item: id.to_string(),
                    control_number: h.control_number.clone(),
                    level: h.level,
                    from: offer.from.clone(),
                    to: offer.to.clone(),
                    by: offer.by.clone(),
                    offered_at: offer.offered_at.clone(),
                    expires_at: offer.expires_at.clone(),
                    note: offer.note.clone(),
                })
            })
            .collect();
        out.sort_by(|a, b| a.control_number.cmp(&b.control_number));
        Ok(out)
    }

    /// Move every item `from` holds to `to` (an officer, for a leaver): one signed
    /// `custody.reassign` per item, all in one transaction. The holdings are read from the
    /// items' histories; an item that cannot be moved (its row disagrees with its history,
    /// or it is above the officer's clearance) is left where it is and named in `skipped`,
    /// and the others move. Refused outright when `to` may not hold one of them.
    pub fn reassign_custody(&mut self, from: &str, to: &str, reason: &str) -> Result<Reassignment> {
        self.refresh_session()?;
        let session = self.session_for(Access::Permitted(Permission::ReassignCustody, None))?;
        let officer = session.user().clone();
        let admin = session.admin_key()?;
        let directory = session.directory().clone();
        if !directory.users.iter().any(|u| u.name == from) {
            return Err(Error::InvalidInput(format!("there is no user called {from}")));
        }
        let recipient = directory.users.iter().find(|u| u.name == to).cloned();
        if reason.trim().is_empty() {
            return Err(Error::InvalidInput("a reassignment needs a reason".into()));
        }
        let mut held: Vec<String> = self
            .histories()?
            .into_values()
            .filter(|h| !h.destroyed && h.custodian == from)
            .map(|h| h.control_number)
            .collect();
        held.sort_by_key(|c| ControlNumber::parse(c).map(|c| (c.year, c.serial)));
        let mut planned = Vec::new();
        let mut skipped = Vec::new();
        for control in held {
            match self.find_item(&control) {
                Ok((row, history)) => {
                    if let Err(refusal) = transfer::check_reassign(&history, from, to, recipient.as_ref()) {
                        return Err(self.refused(&row, refusal, to));
                    }
                    planned.push(row);
                }
                Err(error) => skipped.push(Skipped {
                    control_number: control,
                    why: error.to_string(),
                }),
            }
        }
        let Some(recipient) = recipient else {
            return Err(Error::InvalidInput(format!("there is no user called {to}")));
        };
        if planned.is_empty() && skipped.is_empty() {
            return Err(Error::NotFound(format!("items held by {from}")));
        }
        let (station, mac, time, now) = (
            self.station_id.clone(),
            self.event_mac_key(),
            self.clock.now(),
            self.now(),
        );
        let events: Vec<NewEvent> = planned
            .iter()
            .map(|row| {
                item_event(
                    &officer.name,
                    Action::CustodyReassign,
                    row,
                    details! {
                        "item": row.id.to_string(),
                        "control_number": row.control.to_string(),
                        "from": from,
                        "to": to,
                        "reason": reason,
                    },
                )
            })
            .collect();
        let mut moved = Vec::new();
        self.write(|tx, _| {
            for (row, event) in planned.iter().zip(&events) {
                let control = row.control.to_string();
                items::set_custodian(tx, row.id, recipient.id, &now)?;
                let decide = |body: &[u8]| decision::sign(&admin, body);
                events::append_signed(tx, time, event, mac.as_ref(), Some(&decide))?;
                settled(tx, &station, row.id, &control, |h| h.custodian == to)?;
                moved.push(control);
            }
            Ok(())
        })?;
        Ok(Reassignment { moved, skipped })
    }

    /// Set, change or clear (`None`) an item's retention date: its custodian or an officer.
    /// A date already past is refused.
    pub fn set_retention(&mut self, reference: &str, date: Option<&str>, reason: &str) -> Result<Option<String>> {
        self.refresh_session()?;
        let (row, history) = self.find_item(reference)?;
        let session = self.session_for(Access::Permitted(Permission::SetRetention, Some(row.level)))?;
        let user = session.user().clone();
        if !transfer::acts_for_custodian(&history, &user.name, user.role) {
            return Err(Error::Denied {
                rule: "custodian",
                message: format!(
                    "only the custodian of {} ({}) or a security officer may set its retention date",
                    row.control, history.custodian
                ),
            });
        }
        let date = date.map(|d| retention::check_new(d, self.clock.now())).transpose()?;
        let mut details = details! {
            "item": row.id.to_string(),
            "control_number": row.control.to_string(),
            "from": history.retain_until.clone(),
            "to": date.clone(),
        };
        if !reason.trim().is_empty() {
            details.insert("reason".into(), reason.trim().into());
        }
        let event = item_event(&user.name, Action::CustodyRetention, &row, details);
        self.write_step(&row, event, |_| Ok(()), |h, _| h.retain_until == date)?;
        Ok(date)
    }

    /// Items whose retention date has come, at or below this user's clearance.
    pub fn due_items(&self) -> Result<Vec<DueItem>> {
        let clearance = self
            .session_for(Access::Permitted(Permission::View, None))?
            .user()
            .clearance;
        let histories = self.histories()?;
        Ok(retention::due(&histories, clearance, self.clock.now()))
    }

    /// The active items a user holds (control numbers), from their histories: what
    /// disabling them would strand.
    pub fn holdings_of(&self, user: &str) -> Result<Vec<String>> {
        self.session_for(Access::Ready)?;
        let mut held: Vec<String> = self
            .histories()?
            .into_values()
            .filter(|h| !h.destroyed && h.custodian == user)
            .map(|h| h.control_number)
            .collect();
        held.sort();
        Ok(held)
    }

    /// Record a refused attempt an officer should see (`custody.refused`) and return its
    /// error; an attempt not worth recording only returns the error.
    pub(super) fn refused(&mut self, row: &ItemRow, refusal: Refusal, other: &str) -> Error {
        if refusal.record
            && let Ok(session) = self.session_for(Access::Ready)
        {
            let actor = session.user().name.clone();
            let event = item_event(
                &actor,
                Action::CustodyRefused,
                row,
                details! {
                    "item": row.id.to_string(),
                    "control_number": row.control.to_string(),
                    "attempt": refusal.attempt,
                    "other": other,
                    "why": refusal.error.to_string(),
                },
            );
            // The refusal is what the user must see, whether or not it could be recorded.
            let _ = self.write(|_, events| {
                events.push(event);
                Ok(())
            });
        }
        refusal.error
    }
}

/// An event about one item: its control number as subject, its level, its id.
pub(super) fn item_event(
    actor: &str,
    action: Action,
    row: &ItemRow,
    details: serde_json::Map<String, serde_json::Value>,
) -> NewEvent {
    NewEvent {
        actor: actor.to_string(),
        action,
        subject: row.control.to_string(),
        level: Some(row.level),
        item: Some(row.id),
        details,
    }
}
