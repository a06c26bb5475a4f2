//! The rules of an officer's approval of a two-person request: who may decide it, what the
//! admin key signs, and when a stored approval still counts. The signature covers everything
//! the approval permits, so SQL can neither approve a request nor point an approval at
//! another item or level, and an approval the ledger records as used never counts again.

use rusqlite::Connection;

use crate::accounts::requests::{self, APPROVAL_CONTEXT, Request, RequestStatus};
use crate::crypto::sign::{self, SignKey};
use crate::{Error, ItemId, Level, Result, UserId};

/// How long an approval may wait to be used.
pub const LIFETIME: time::Duration = time::Duration::hours(24);

/// The officer deciding a request.
pub struct Decider<'a> {
    /// Their user id.
    pub id: UserId,
    /// Their login name.
    pub name: &'a str,
    /// Their clearance.
    pub clearance: Level,
}

/// Whether `officer` may decide `request`, about an item whose level is now `item_level`:
/// never their own, only while pending, only cleared to the item's level, and only if the
/// request names the level the item has.
pub fn check_decidable(request: &Request, item_level: Level, officer: &Decider<'_>) -> Result<()> {
    let id = request.id;
    if item_level != request.level {
        return Err(Error::integrity(
            format!("request {id}"),
            "it names another level than its item has; the request table was changed outside Strongroom",
        ));
    }
    if request.requested_by == officer.id {
        return Err(Error::Denied {
            rule: "two-person",
            message: format!("{} cannot decide their own request {id}", officer.name),
        });
    }
    if request.status != RequestStatus::Pending {
        return Err(Error::Denied {
            rule: "request-state",
            message: format!("request {id} is already {}", request.status.as_str()),
        });
    }
    if request.level > officer.clearance {
        return Err(Error::Denied {
            rule: "clearance",
            message: format!(
                "request {id} concerns a {} item; {} is cleared to {}",
                request.level, officer.name, officer.clearance
            ),
        });
    }
    Ok(())
}

/// The admin key's signature approving `request` by `officer` at `now`.
pub fn sign(station: &str, request: &Request, officer: UserId, now: &str, admin: &SignKey) -> Result<Vec<u8>> {
    let body = requests::approval_body(station, request, officer, now)?;
    Ok(admin.sign(APPROVAL_CONTEXT, &body).to_vec())
}

/// Whether the approved `request` still permits its action on the item `item` at `level`:
/// refused (as tampering) unless the admin key `admin` signed it as it is stored, it names
/// this item and level, and the ledger does not record it as used; false once it is older
/// than [`LIFETIME`] at `now`.
pub fn in_force(
    conn: &Connection,
    station: &str,
    admin: &[u8; 32],
    request: &Request,
    (item, level): (ItemId, Level),
    now: time::OffsetDateTime,
) -> Result<bool> {
    let refused = |why: &str| {
        Error::integrity(
            format!("request {}", request.id),
            format!("{why}; the request table was changed outside Strongroom"),
        )
    };
    let (Some(officer), Some(at), Some(signature)) = (request.decided_by, &request.decided_at, &request.signature)
    else {
        return Err(refused("its approval is not signed by the admin key"));
    };
    let body = requests::approval_body(station, request, officer, at)?;
    sign::verify(admin, APPROVAL_CONTEXT, &body, signature)
        .map_err(|_| refused("its approval is not signed by the admin key"))?;
    if request.level != level || request.item != item {
        return Err(refused("it names another level or item than the item has"));
    }
    if requests::used_in_ledger(conn, request.id)? {
        return Err(refused("the ledger records it as used already"));
    }
    let approved_at = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .map_err(|_| refused("its approval time is malformed"))?;
    Ok(now - approved_at <= LIFETIME)
}

#[cfg(test)]
mod tests;
