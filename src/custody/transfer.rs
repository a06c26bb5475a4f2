//! Transfers of custody: an offer by the custodian (or an officer) to a user cleared for the
//! item, accepted or declined by that user; an offer lapses after the policy's time. An
//! officer may instead reassign a leaver's holdings. Each rule here returns the refusal to
//! show, and whether the attempt is one an officer should see in the ledger.

use crate::accounts::Role;
use crate::accounts::directory::{DirectoryUser, UserStatus};
use crate::vault::history::{History, Offer};
use crate::{Error, Level};

/// Default hours an offer of custody stays open (policy `transfer-offer-hours`).
pub const DEFAULT_OFFER_HOURS: u32 = 72;

/// A refusal, and whether it is security-relevant (recorded as a `custody.refused` event).
#[derive(Debug)]
pub struct Refusal {
    /// The error to return.
    pub error: Error,
    /// Record the attempt in the ledger.
    pub record: bool,
    /// The attempt's short name in the event (`offer`, `accept`, `raise`, …).
    pub attempt: &'static str,
}

fn refuse(attempt: &'static str, record: bool, rule: &'static str, message: String) -> Refusal {
    Refusal {
        error: Error::Denied { rule, message },
        record,
        attempt,
    }
}

/// Whether `actor` (with `role`) may act for the custodian of an item: the custodian
/// themself or a security officer.
pub fn acts_for_custodian(history: &History, actor: &str, role: Role) -> bool {
    role == Role::Officer || history.custodian == actor
}

/// May `actor` offer custody of the item to `recipient` (the directory's entry, if any)?
pub fn check_offer(
    history: &History,
    actor: &str,
    role: Role,
    to: &str,
    recipient: Option<&DirectoryUser>,
) -> Result<(), Refusal> {
    let control = &history.control_number;
    if history.destroyed {
        return Err(refuse(
            "offer",
            true,
            "destroyed",
            format!("{control} was destroyed; custody of it can no longer move"),
        ));
    }
    if !acts_for_custodian(history, actor, role) {
        return Err(refuse(
            "offer",
            true,
            "custodian",
            format!(
                "only the custodian of {control} ({}) or a security officer may offer it",
                history.custodian
            ),
        ));
    }
    if to == history.custodian {
        return Err(refuse(
            "offer",
            false,
            "custodian",
            format!("{to} already holds {control}"),
        ));
    }
    check_recipient(history.level, control, to, recipient).map_err(|(record, rule, message)| Refusal {
        error: Error::Denied { rule, message },
        record,
        attempt: "offer",
    })
}

/// May `to` hold an item at `level`? An unknown user is an input error; a disabled or
/// uncleared one a denial worth recording.
pub fn check_recipient(
    level: Level,
    control: &str,
    to: &str,
    recipient: Option<&DirectoryUser>,
) -> Result<(), (bool, &'static str, String)> {
    let Some(user) = recipient else {
        return Err((false, "unknown-user", format!("there is no user called {to}")));
    };
    if user.status != UserStatus::Active {
        return Err((true, "disabled", format!("{to} is disabled and cannot hold {control}")));
    }
    if user.clearance < level {
        return Err((
            true,
            "clearance",
            format!(
                "{to} is cleared to {}, not {level}, the level of {control}",
                user.clearance
            ),
        ));
    }
    Ok(())
}

/// The offer `actor` may accept now, or why not. `now` is an RFC 3339 time as events write it.
pub fn check_accept<'h>(history: &'h History, actor: &str, now: &str) -> Result<&'h Offer, Refusal> {
    let control = &history.control_number;
    let offer = open_offer(history, now).ok_or_else(|| {
        refuse(
            "accept",
            true,
            "no-offer",
            format!("no offer of {control} is open to {actor}"),
        )
    })?;
    if offer.to != actor {
        return Err(refuse(
            "accept",
            true,
            "not-yours",
            format!("the offer of {control} was made to {}, not to {actor}", offer.to),
        ));
    }
    Ok(offer)
}

/// The offer `actor` may decline (its recipient) or withdraw (its maker, the custodian or an
/// officer).
pub fn check_decline<'h>(history: &'h History, actor: &str, role: Role, now: &str) -> Result<&'h Offer, Refusal> {
    let control = &history.control_number;
    let offer = open_offer(history, now)
        .ok_or_else(|| refuse("decline", false, "no-offer", format!("no offer of {control} is open")))?;
    if offer.to == actor || offer.by == actor || acts_for_custodian(history, actor, role) {
        Ok(offer)
    } else {
        Err(refuse(
            "decline",
            true,
            "not-yours",
            format!(
                "the offer of {control} is between {} and {}; only they or an officer may end it",
                offer.by, offer.to
            ),
        ))
    }
}

/// The item's offer if one is open at `now` (not lapsed).
pub fn open_offer<'h>(history: &'h History, now: &str) -> Option<&'h Offer> {
    history
        .offer
        .as_ref()
        .filter(|o| !history.destroyed && now <= o.expires_at.as_str())
}

/// May an officer reassign the item from `from` to `to`?
pub fn check_reassign(
    history: &History,
    from: &str,
    to: &str,
    recipient: Option<&DirectoryUser>,
) -> Result<(), Refusal> {
    if history.custodian != from || history.destroyed {
        return Err(refuse(
            "reassign",
            false,
            "custodian",
            format!("{} is not held by {from}", history.control_number),
        ));
    }
    check_recipient(history.level, &history.control_number, to, recipient).map_err(|(record, rule, message)| Refusal {
        error: Error::Denied { rule, message },
        record,
        attempt: "reassign",
    })
}

#[cfg(test)]
mod tests;
