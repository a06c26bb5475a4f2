//! The two-person rule (issue: accounts): destruction, downgrade and export to removable
//! media of items at or above the policy's threshold need a second person, either an officer
//! who signs in as witness in the same session, or an officer's approval of a request made
//! earlier. Approvals are signed with the admin key, so SQL cannot approve anything, and an
//! approval is used once.

use rusqlite::Transaction;

use crate::accounts::approval::{self, Decider};
use crate::accounts::permissions::Permission;
use crate::accounts::requests::{self, NewRequest, Request, RequestKind, RequestStatus};
use crate::accounts::{Role, UserStatus, keyring, lockout, users};
use crate::crypto::{CryptoError, Password, keyslot};
use crate::ledger::{Action, NewEvent};
use crate::vault::items::ItemRow;
use crate::{Error, Level, Result, UserId, details};

use super::{Access, Station};

/// An officer who signed in as the second person for the next two-person action.
#[derive(Clone, Debug)]
pub struct Witness {
    /// Their user id.
    pub id: UserId,
    /// Their login name.
    pub name: String,
    /// Their clearance.
    pub clearance: Level,
}

/// The name of user `id` in `names` (empty if absent).
pub(super) fn name_in(names: &[(UserId, String)], id: UserId) -> String {
    names
        .iter()
        .find(|(u, _)| *u == id)
        .map(|(_, n)| n.clone())
        .unwrap_or_default()
}

/// How a two-person action was authorised, for its event.
pub(super) enum SecondPerson {
    /// Below the threshold: none needed.
    NotNeeded,
    /// A witness signed in.
    Witness(Witness),
    /// An approved request.
    Approved(Request),
}

impl SecondPerson {
    /// Add who authorised the action to an event's details.
    pub fn describe(&self, details: &mut serde_json::Map<String, serde_json::Value>, names: impl Fn(UserId) -> String) {
        match self {
            SecondPerson::NotNeeded => {}
            SecondPerson::Witness(w) => {
                details.insert("witness".into(), serde_json::json!(w.name));
            }
            SecondPerson::Approved(r) => {
                details.insert("request".into(), serde_json::json!(r.id));
                if let Some(officer) = r.decided_by {
                    details.insert("approved_by".into(), serde_json::json!(names(officer)));
                }
            }
        }
    }

    /// Inside the action's transaction: an approved request is used up.
    pub fn consume(&self, tx: &Transaction<'_>) -> Result<()> {
        if let SecondPerson::Approved(request) = self {
            requests::mark_used(tx, request.id)?;
        }
        Ok(())
    }
}

impl Station {
    /// The second person for a two-person action on something that is not an item (a
    /// quarantine entry, at `level`): requests name items, so only a witness signed in for
    /// this session counts.
    pub(super) fn witness_for(&self, level: Level, what: &str) -> Result<SecondPerson> {
        let session = self.session_for(Access::Keys)?;
        if level < session.directory().policy().two_person_level {
            return Ok(SecondPerson::NotNeeded);
        }
        let me = session.user().id;
        match self.witness.clone().filter(|(owner, _)| *owner == me) {
            Some((_, witness)) if witness.clearance >= level => Ok(SecondPerson::Witness(witness)),
            Some((_, witness)) => Err(Error::Denied {
                rule: "two-person",
                message: format!(
                    "the witness {} is cleared to {}, not {level}",
                    witness.name, witness.clearance
                ),
            }),
            None => Err(Error::Denied {
                rule: "two-person",
                message: format!(
                    "{what} at {level} needs a second person: another security officer signs in as witness"
                ),
            }),
        }
    }
}

impl Station {
    /// After the action's transaction committed: a witness who authorised it is used up.
    pub(super) fn spend(&mut self, second: &SecondPerson) {
        if matches!(second, SecondPerson::Witness(_)) {
            self.witness = None;
        }
    }

    /// Add who authorised a two-person action to its event's details, by name.
    pub(super) fn describe_second(
        &self,
        second: &SecondPerson,
        details: &mut serde_json::Map<String, serde_json::Value>,
    ) -> Result<()> {
        let names = users::names(&self.conn)?;
        second.describe(details, |id| name_in(&names, id));
        Ok(())
    }

    /// Drop the witness signed in for this session (the action they came for failed).
    pub fn forget_witness(&mut self) {
        self.witness = None;
    }

    /// Sign in `name` as witness for the next two-person action of this session: an active
    /// officer other than the session user, with their own password. A wrong password counts
    /// as a failed sign-in of the witness.
    pub fn add_witness(&mut self, name: &str, password: &Password) -> Result<Witness> {
        let session = self.session_for(Access::Ready)?;
        let me = session.user().id;
        if session.user().name == name {
            return Err(Error::Denied {
                rule: "two-person",
                message: "the witness must be another person".into(),
            });
        }
        let denied = |message: String| Error::Denied {
            rule: "two-person",
            message,
        };
        // The witness's password is guessed no faster than at sign-in.
        let policy = self.session_for(Access::Ready)?.directory().policy();
        let Some(row) = users::by_name(&self.conn, name)? else {
            return Err(self.unknown_name_failed(name, "witness: unknown user", &policy)?);
        };
        self.begin_attempt(&row, &policy, "witness")?;
        let slot = keyring::keyslot(&self.conn, row.identity)?
            .ok_or_else(|| Error::integrity(format!("account {name}"), "it has no keyslot"))?;
        let contents = match keyslot::open(password, row.identity.as_bytes(), &slot) {
            Ok(contents) => contents,
            Err(CryptoError::Authentication) => {
                let attempts_left = self.attempt_failed(&row, &policy, "wrong password as witness")?;
                return Err(Error::AuthenticationFailed {
                    attempts_left: Some(attempts_left),
                });
            }
            Err(other) => return Err(Error::integrity(format!("keyslot of {name}"), other.to_string())),
        };
        let directory = self.directory_for_slot(&contents)?;
        let entry = directory
            .user(name)
            .filter(|e| e.id == row.id && e.identity == row.identity)
            .ok_or_else(|| Error::integrity(format!("account {name}"), "it disagrees with the signed directory"))?;
        if entry.status != UserStatus::Active {
            return Err(Error::AccountUnavailable {
                user: name.into(),
                state: crate::accounts::availability::Unavailable::Disabled,
            });
        }
        if entry.role != Role::Officer {
            return Err(denied(format!("{name} is not a security officer and cannot witness")));
        }
        if let Some(reason) = self.password_change_reason(&row, &directory.policy())? {
            return Err(denied(format!(
                "{name} must choose a new password ({reason}) before witnessing anything"
            )));
        }
        let witness = Witness {
            id: row.id,
            name: name.to_string(),
            clearance: entry.clearance,
        };
        let user = row.id;
        self.write(|tx, _| lockout::clear(tx, user).map(|_| ()))?;
        self.witness = Some((me, witness.clone()));
        Ok(witness)
    }

    /// Decide how a two-person action on `row` is authorised: not needed below the
    /// threshold; else the signed-in witness, else this user's approved request. With
    /// neither, a request is made (or the open one named) and [`Error::ApprovalRequired`]
    /// returned.
    pub(super) fn second_person(
        &mut self,
        kind: RequestKind,
        row: &ItemRow,
        target_level: Option<Level>,
        reason: &str,
    ) -> Result<SecondPerson> {
        let session = self.session_for(Access::Keys)?;
        let policy = session.directory().policy();
        if row.level < policy.two_person_level {
            return Ok(SecondPerson::NotNeeded);
        }
        let me = session.user().clone();
        // A witness counts only for the session that signed them in, and is used up only
        // when the action's transaction commits (`Station::spend`): a failure keeps them.
        if let Some((_, witness)) = self.witness.clone().filter(|(owner, _)| *owner == me.id) {
            if witness.clearance < row.level {
                return Err(Error::Denied {
                    rule: "two-person",
                    message: format!(
                        "the witness {} is cleared to {}, not {}",
                        witness.name, witness.clearance, row.level
                    ),
                });
            }
            return Ok(SecondPerson::Witness(witness));
        }
        let open = requests::open_for(&self.conn, kind, row.id, me.id, target_level)?;
        let open = match open {
            Some(request) if request.status == RequestStatus::Approved => {
                let admin = self.session_for(Access::Keys)?.directory().admin_key_bytes()?;
                let target = (row.id, row.level);
                let now = self.clock.now();
                if approval::in_force(&self.conn, &self.station_id, &admin, &request, target, now)? {
                    return Ok(SecondPerson::Approved(request));
                }
                // Too old: it is expired and a new request is made below.
                let id = request.id;
                self.write(|tx, _| requests::expire(tx, id))?;
                None
            }
            other => other,
        };
        if let Some(request) = open {
            return Err(Error::ApprovalRequired {
                request: request.id,
                message: format!(
                    "request {} ({} {}) is still pending; a security officer approves it",
                    request.id,
                    kind.as_str(),
                    row.control
                ),
            });
        }
        let now = self.now();
        let new = NewRequest {
            kind,
            item: row.id,
            level: row.level,
            target_level,
            requested_by: me.id,
            reason,
        };
        let control = row.control.to_string();
        let id = self.write(|tx, events| {
            let id = requests::insert(tx, &new, &now)?;
            let mut details = details! {
                "request": id,
                "kind": kind.as_str(),
                "item": row.id.to_string(),
                "control_number": control.clone(),
                "reason": reason,
            };
            if let Some(target) = target_level {
                details.insert("target_level".into(), serde_json::json!(target.name()));
            }
            events.push(NewEvent {
                actor: me.name.clone(),
                action: Action::RequestCreate,
                subject: control.clone(),
                level: Some(row.level),
                item: Some(row.id),
                details,
            });
            Ok(id)
        })?;
        Err(Error::ApprovalRequired {
            request: id,
            message: format!(
                "{} of {control} ({}) needs a second person: request {id} was made; once a security officer approves it, do this again (or have an officer witness it now)",
                kind.as_str(),
                row.level
            ),
        })
    }

    /// Approve a pending request (officers, never their own, cleared to the item's level).
    pub fn approve_request(&mut self, id: u64, note: &str) -> Result<Request> {
        self.decide_request(id, true, note)
    }

    /// Deny a pending request (officers, never their own).
    pub fn deny_request(&mut self, id: u64, note: &str) -> Result<Request> {
        self.decide_request(id, false, note)
    }

    fn decide_request(&mut self, id: u64, approve: bool, note: &str) -> Result<Request> {
        let officer = self
            .session_for(Access::Permitted(Permission::ApproveRequest, None))?
            .user()
            .clone();
        let request = requests::get(&self.conn, id)?.ok_or_else(|| Error::NotFound(format!("request {id}")))?;
        // The level that matters is the item's as its custody history states it, not what
        // the request row (or the item row) says: a row changed outside Strongroom is refused.
        let item = crate::vault::items::get(&self.conn, request.item)?
            .ok_or_else(|| Error::NotFound(format!("the item of request {id}")))?;
        let names: std::collections::HashMap<_, _> = users::names(&self.conn)?.into_iter().collect();
        let admin_keys = crate::accounts::decision::AdminKeys::load(&self.conn, &self.station_id)?;
        let history = crate::vault::history::check(&self.conn, &item, &names, &|seq, event| {
            admin_keys.vouch_for(seq, event)
        })?;
        let decider = Decider {
            id: officer.id,
            name: &officer.name,
            clearance: officer.clearance,
        };
        approval::check_decidable(&request, history.level, &decider)?;
        let now = self.now();
        let signature = if approve {
            let admin = self.session_for(Access::Keys)?.admin_key()?;
            Some(approval::sign(&self.station_id, &request, officer.id, &now, &admin)?)
        } else {
            None
        };
        let control = item.control.to_string();
        let requester = users::names(&self.conn)?
            .into_iter()
            .find(|(uid, _)| *uid == request.requested_by)
            .map(|(_, n)| n)
            .unwrap_or_default();
        self.write(|tx, events| {
            requests::decide(tx, id, signature.as_deref(), officer.id, note, &now)?;
            events.push(NewEvent {
                actor: officer.name.clone(),
                action: if approve {
                    Action::RequestApprove
                } else {
                    Action::RequestDeny
                },
                subject: control.clone(),
                level: Some(request.level),
                item: Some(request.item),
                details: details! {
                    "request": id,
                    "kind": request.kind.as_str(),
                    "item": request.item.to_string(),
                    "control_number": control.clone(),
                    "requested_by": requester,
                    "note": note,
                },
            });
            Ok(())
        })?;
        requests::get(&self.conn, id)?.ok_or_else(|| Error::NotFound(format!("request {id}")))
    }
}
