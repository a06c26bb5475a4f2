//! Destroying items: crypto-erase (each wrapped DEK and its metadata wiped in the same
//! transaction as the events and the certificate of destruction), then removal of the
//! ciphertext, overwritten once. At or above the policy's two-person level a second person
//! is needed (`approvals.rs`): one witness covers a whole batch.

use crate::accounts::Role;
use crate::accounts::permissions::Permission;
use crate::accounts::requests::RequestKind;
use crate::custody::certificate::DestroyedItem;
use crate::custody::certificate::build::{self, ItemFacts};
use crate::ledger::{Action, NewEvent, events as ledger_events};
use crate::vault::history::History;
use crate::vault::items::{self, ItemRow};
use crate::{Error, Level, Result, db, details};

use super::approvals::SecondPerson;
use super::certificates::Issue;
use super::{Access, Station};

/// What was destroyed, and its certificate.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DestroyReport {
    /// The certificate's number.
    pub certificate: String,
    /// Whether an officer's admin key signed it already (otherwise an officer signs it later).
    pub signed: bool,
    /// The items, in the order given.
    pub items: Vec<Destroyed>,
}

/// One destroyed item.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Destroyed {
    /// Control number.
    pub control_number: String,
    /// Its level.
    pub level: Level,
    /// Plaintext size.
    pub size: u64,
    /// Plaintext SHA-256 (hex), for the record.
    pub sha256: String,
}

/// Most items one destruction takes (its certificate stays a printable size).
pub const MAX_BATCH: usize = 10_000;

impl Station {
    /// Destroy one item for `reason` ([`Station::destroy_items`] with one reference).
    pub fn destroy_item(&mut self, reference: &str, reason: &str) -> Result<DestroyReport> {
        self.destroy_items(&[reference.to_string()], reason)
    }

    /// Destroy items for `reason`, under one certificate. Only each item's custodian (as its
    /// custody history states it) or a security officer may; an officer destroying another
    /// custodian's item raises an alert. At or above the two-person level a witness signed in
    /// for this session covers the batch; without one, each such item needs its own approved
    /// request ([`crate::Error::ApprovalRequired`] otherwise, with the requests made). All or
    /// nothing: one refusal destroys nothing.
    pub fn destroy_items(&mut self, references: &[String], reason: &str) -> Result<DestroyReport> {
        self.refresh_session()?;
        if references.is_empty() || references.len() > MAX_BATCH {
            return Err(Error::InvalidInput(format!("name 1 to {MAX_BATCH} items to destroy")));
        }
        if reason.trim().is_empty() {
            return Err(Error::InvalidInput("a destruction needs a reason".into()));
        }
        let mut found: Vec<(ItemRow, History)> = Vec::with_capacity(references.len());
        for reference in references {
            let (row, history) = self.find_item(reference)?;
            if found.iter().any(|(r, _)| r.id == row.id) {
                return Err(Error::InvalidInput(format!("{} is named twice", row.control)));
            }
            let user = self
                .session_for(Access::Permitted(Permission::RequestDestruction, Some(row.level)))?
                .user();
            if user.role != Role::Officer && user.name != history.custodian {
                return Err(Error::Denied {
                    rule: "custodian",
                    message: format!(
                        "only the custodian of {} ({}) or a security officer may destroy it",
                        row.control, history.custodian
                    ),
                });
            }
            found.push((row, history));
        }
        let seconds = self.seconds_for(&found, reason)?;
        let actor = self.session_for(Access::Keys)?.user().name.clone();
        let mut destroy_events = Vec::with_capacity(found.len());
        let mut alerts = Vec::new();
        let mut facts = Vec::with_capacity(found.len());
        for ((row, history), second) in found.iter().zip(&seconds) {
            let sha256 = crate::encoding::hex::encode(&row.sha256);
            let mut details = details! {
                "item": row.id.to_string(),
                "control_number": row.control.to_string(),
                "size": row.size,
                "sha256": sha256.clone(),
                "reason": reason,
            };
            self.describe_second(second, &mut details)?;
            destroy_events.push(NewEvent {
                actor: actor.clone(),
                action: Action::ItemDestroy,
                subject: row.control.to_string(),
                level: Some(row.level),
                item: Some(row.id),
                details,
            });
            // Someone else's item: the officers hear of it.
            if actor != history.custodian {
                alerts.push(NewEvent {
                    actor: actor.clone(),
                    action: Action::CustodyAlert,
                    subject: row.control.to_string(),
                    level: Some(row.level),
                    item: Some(row.id),
                    details: details! {
                        "finding": "destroyed_by_another",
                        "item": row.id.to_string(),
                        "control_number": row.control.to_string(),
                        "custodian": history.custodian.clone(),
                        "destroyed_by": actor.clone(),
                    },
                });
            }
            let exports = ledger_events::for_item(&self.conn, row.id)?
                .iter()
                .filter(|e| e.action == Action::ItemExport.as_str())
                .count() as u64;
            facts.push(ItemFacts {
                item: DestroyedItem {
                    control_number: row.control.to_string(),
                    level: row.level,
                    category: row.category.as_str().to_string(),
                    size: row.size,
                    sha256,
                    seq: 0,
                },
                exports,
            });
        }
        let validation = self.validation_of(&seconds)?;
        let ids: Vec<_> = found.iter().map(|(row, _)| row.id).collect();
        let issue = Issue {
            events: destroy_events,
            validation,
            reason: reason.to_string(),
            decided: false,
        };
        let certificate = self.issue_certificate(
            issue,
            alerts,
            |tx, now| {
                for id in &ids {
                    items::erase(tx, *id, now)?;
                }
                for second in &seconds {
                    second.consume(tx)?;
                }
                // The verification the certificate states: read back before the commit.
                for id in &ids {
                    if !items::is_erased(tx, *id)? {
                        return Err(Error::integrity(
                            format!("item {id}"),
                            "its key or metadata is still in the row",
                        ));
                    }
                }
                Ok(())
            },
            move |occasion, seqs| {
                let items = facts
                    .into_iter()
                    .zip(seqs)
                    .map(|(mut f, seq)| {
                        f.item.seq = *seq;
                        f
                    })
                    .collect();
                build::for_items(occasion, items)
            },
        )?;
        for second in &seconds {
            self.spend(second);
        }
        // The keys are gone; now the ciphertext. A failure here leaves an undecryptable
        // file, which the next open removes; it is reported, never hidden.
        for (row, _) in &found {
            crate::vault::layout::overwrite_and_remove(&self.paths.object_version(row.id, row.object_version))?;
        }
        db::checkpoint_truncate(&self.conn)?;
        Ok(DestroyReport {
            certificate: certificate.number,
            signed: certificate.signed,
            items: found
                .iter()
                .map(|(row, _)| Destroyed {
                    control_number: row.control.to_string(),
                    level: row.level,
                    size: row.size,
                    sha256: crate::encoding::hex::encode(&row.sha256),
                })
                .collect(),
        })
    }

    /// The second person for each item. A witness covers the batch; items below the
    /// threshold need none; any other item needs its own approved request, and when some
    /// lack one, every missing request is made and the first named in the refusal.
    fn seconds_for(&mut self, found: &[(ItemRow, History)], reason: &str) -> Result<Vec<SecondPerson>> {
        let mut seconds = Vec::with_capacity(found.len());
        let mut missing: Vec<Error> = Vec::new();
        for (row, _) in found {
            match self.second_person(RequestKind::Destroy, row, None, reason) {
                Ok(second) => seconds.push(second),
                Err(error @ Error::ApprovalRequired { .. }) => missing.push(error),
                Err(other) => return Err(other),
            }
        }
        match missing.len() {
            0 => Ok(seconds),
            1 => Err(missing.remove(0)),
            n => {
                let ids: Vec<String> = missing
                    .iter()
                    .filter_map(|e| match e {
                        Error::ApprovalRequired { request, .. } => Some(request.to_string()),
                        _ => None,
                    })
                    .collect();
                let first = match &missing[0] {
                    Error::ApprovalRequired { request, .. } => *request,
                    _ => 0,
                };
                Err(Error::ApprovalRequired {
                    request: first,
                    message: format!(
                        "{n} items of the batch need a second person: requests {} are made or pending; once a security officer approves them, do this again (or have an officer witness the batch now)",
                        ids.join(", ")
                    ),
                })
            }
        }
    }
}
