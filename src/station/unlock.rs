//! Signing in: backoff and lockout before the password is even tried, the keyslot and the
//! signed directory, the grants, and a required password change when the password was reset
//! or is too old. Every failure is an event.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::accounts::availability::Unavailable;
use crate::accounts::directory::key_field;
use crate::accounts::keyring;
use crate::accounts::policy::Policy;
use crate::accounts::{Directory, Role, UserRecord, UserStatus, directory, lockout, sign_in_failures, users};
use crate::crypto::keyslot;
use crate::crypto::{CryptoError, Password};
use crate::ledger::{Action, NewEvent};
use crate::{Error, Result, details};

use super::Station;
use super::session::{Session, SessionUser};
use crate::accounts::trust::{open_grants, verified_directory};

impl Station {
    /// Unlock a session for `user`. A wrong password or unknown user is recorded and answered
    /// with [`Error::AuthenticationFailed`]; a locked, waiting or disabled account with
    /// [`Error::AccountUnavailable`]. A session whose password must change first is unlocked
    /// but can do nothing except [`Station::change_password`].
    pub fn unlock(&mut self, user: &str, password: &Password) -> Result<()> {
        self.lock();
        // Whatever happened before, a new sign-in starts with no witness.
        self.witness = None;
        let policy = self.policy_before_sign_in();
        let row = users::by_name(&self.conn, user)?;
        if let Some(row) = &row {
            self.begin_attempt(row, &policy, "sign-in")?;
        }
        match self.open_session(user, password) {
            Ok((session, slot_update)) => {
                let event = NewEvent {
                    actor: session.user().name.clone(),
                    action: Action::AuthLogin,
                    subject: session.user().name.clone(),
                    level: None,
                    item: None,
                    details: details! {
                        "user": session.user().id.to_string(),
                        "directory_version": session.directory().version,
                        "password_change_required": session.password_change_required().is_some(),
                    },
                };
                // Sync clients running as the session opens: shown, and recorded once.
                let clients = self.running_client_events(&session.user().name);
                let user_id = session.user().id;
                let identity = session.identity_id();
                let now = self.now();
                let idle = time::Duration::minutes(i64::from(session.directory().policy().idle_lock_minutes));
                self.idle.watch(session.key_cell(), idle);
                // The session is in place for its own sign-in event, which it MACs.
                self.session = Some(session);
                let signed_in = self.write(|tx, events| {
                    lockout::clear(tx, user_id)?;
                    if let Some(slot) = &slot_update {
                        // Same salt and parameters: only the generation and the blob move.
                        keyring::reseal_keyslot(tx, identity, slot.generation.saturating_sub(1), slot, &now)?;
                    }
                    events.push(event);
                    events.extend(clients);
                    Ok(())
                });
                if let Err(error) = signed_in {
                    // Nothing was written: no session, and no checkpoint for it.
                    self.session = None;
                    self.idle.unwatch();
                    return Err(error);
                }
                // Before this sign-in's checkpoint signs them: rows no session wrote. If
                // they cannot be checked, nothing signs them either.
                match self.report_unaccounted_events() {
                    Ok(()) => self.checkpoint_quietly("unlock"),
                    Err(error) => {
                        self.checkpoint_error = Some(Error::integrity(
                            "custody ledger",
                            format!(
                                "the events since the newest checkpoint could not be checked, so none was signed: {error}"
                            ),
                        ));
                    }
                }
                Ok(())
            }
            Err(Error::AuthenticationFailed { .. }) => {
                let attempts_left = match &row {
                    Some(row) => self.attempt_failed(row, &policy, "wrong password")?,
                    None => return Err(self.unknown_name_failed(user, "wrong password or unknown user", &policy)?),
                };
                Err(Error::AuthenticationFailed {
                    attempts_left: Some(attempts_left),
                })
            }
            Err(error @ Error::AccountUnavailable { .. }) => {
                self.record_failed_login(user, "account disabled")?;
                Err(error)
            }
            Err(other) => Err(other),
        }
    }

    /// The newest stored directory, verified from the admin key a keyslot remembers, and
    /// refused if older than the slot's version or any version the ledger names (DESIGN.md
    /// §2 "Rollback"). Used at sign-in, for a witness and for a recovery.
    pub(super) fn directory_for_slot(&self, contents: &keyslot::SlotContents) -> Result<Directory> {
        let seen = super::directory_floor(&self.conn, &self.station_id)?;
        verified_directory(&self.conn, &self.station_id, contents, seen)
    }

    /// Whether `row` is the only active security officer, as the newest directory states it
    /// (read before any key can verify it, like the policy: a forged row fails at sign-in).
    fn sole_officer(&self, row: &UserRecord) -> bool {
        let Some(directory) = directory::load_latest(&self.conn)
            .ok()
            .and_then(|(_, body, _)| serde_json::from_slice::<Directory>(&body).ok())
        else {
            return false;
        };
        let officers: Vec<&str> = directory
            .users
            .iter()
            .filter(|u| u.role == Role::Officer && u.status == UserStatus::Active)
            .map(|u| u.name.as_str())
            .collect();
        officers == [row.name.as_str()]
    }

    /// The policy to apply before anyone has signed in: the newest directory's, read
    /// without a key to verify it (the verified one is applied right after the password).
    pub(super) fn policy_before_sign_in(&self) -> Policy {
        directory::load_latest(&self.conn)
            .ok()
            .and_then(|(_, body, _)| serde_json::from_slice::<Directory>(&body).ok())
            .map(|d| d.policy())
            .unwrap_or_default()
    }

    /// Before a password is tried (sign-in, witness, password change): refuse a locked or
    /// waiting account, recording the refused attempt. (Attempts started in parallel
    /// processes all pass this check; each failure still counts. docs/THREAT-MODEL.md.)
    pub(super) fn begin_attempt(&mut self, row: &UserRecord, policy: &Policy, context: &str) -> Result<()> {
        let now_time = self.clock.now();
        let (id, name) = (row.id, row.name.clone());
        let sole_officer = self.sole_officer(row);
        // Failures are counted even when the station refuses other writes (a rolled-back
        // directory, say): a lost row must not buy unlimited guesses.
        let refusal = self.write_bookkeeping(|tx, events| {
            let refused = lockout::of(tx, id)?.and_then(|f| f.refusal(policy, now_time, sole_officer));
            match refused {
                Some(refusal) => {
                    let now = now_time.unix_timestamp();
                    refused_sign_in(tx, events, &name, &format!("{context}: {}", refusal.reason), now)?;
                    Ok(Some(refusal.state))
                }
                None => Ok(None),
            }
        })?;
        match refusal {
            Some(state) => Err(Error::AccountUnavailable {
                user: row.name.clone(),
                state,
            }),
            None => Ok(()),
        }
    }

    /// An attempt failed: count and record it, and lock the account at the policy's limit.
    /// Returns the attempts left before that limit (the same count the row and the event hold).
    pub(super) fn attempt_failed(&mut self, row: &UserRecord, policy: &Policy, reason: &str) -> Result<u32> {
        let now = self.now();
        let (id, name, limit) = (row.id, row.name.clone(), policy.lockout_attempts);
        let sole_officer = self.sole_officer(row);
        let wait_minutes = policy.last_officer_wait_minutes();
        self.write_bookkeeping(|tx, events| {
            let count = lockout::count_failure(tx, id, &now)?;
            events.push(NewEvent {
                actor: name.clone(),
                action: Action::AuthLoginFailed,
                subject: name.clone(),
                level: None,
                item: None,
                details: details! { "reason": reason, "failures": count },
            });
            if count >= limit {
                // The last officer is never locked out (nobody could unlock them): they wait
                // the policy's long wait instead, and the alert says so.
                let mut details = details! { "user": id.to_string(), "failures": count, "limit": limit };
                if sole_officer {
                    details.insert("waits_minutes".into(), serde_json::json!(wait_minutes));
                } else {
                    lockout::lock(tx, id, &now)?;
                }
                events.push(NewEvent {
                    actor: name.clone(),
                    action: Action::AuthLockout,
                    subject: name.clone(),
                    level: None,
                    item: None,
                    details,
                });
            }
            Ok(limit.saturating_sub(count))
        })
    }

    /// A failed sign-in under a name with no lockout counter (unknown user, disabled
    /// account, recovery code): recorded once per name and window, the rest counted.
    /// Returns the name's failures in its current counting window.
    pub(super) fn record_failed_login(&mut self, user: &str, reason: &str) -> Result<u64> {
        let now = self.clock.now().unix_timestamp();
        self.write_bookkeeping(|tx, events| refused_sign_in(tx, events, user, reason, now))
    }

    /// A password tried for a name with no account: recorded, and answered as an account
    /// would be (its tries in the counting window count down the same way), so the answer
    /// does not tell an unknown name from a wrong password.
    pub(super) fn unknown_name_failed(&mut self, name: &str, reason: &str, policy: &Policy) -> Result<Error> {
        let tried = self.record_failed_login(name, reason)?;
        let left = policy
            .lockout_attempts
            .saturating_sub(u32::try_from(tried).unwrap_or(u32::MAX));
        Ok(Error::AuthenticationFailed {
            attempts_left: Some(left),
        })
    }

    /// Record the counting windows of failed sign-ins that are over (at open).
    pub(super) fn close_sign_in_windows(&mut self) -> Result<()> {
        let now = self.clock.now().unix_timestamp();
        if !sign_in_failures::any_expired(&self.conn, now)? {
            return Ok(());
        }
        self.write_bookkeeping(|tx, events| {
            for closed in sign_in_failures::close_expired(tx, now)? {
                events.push(repeated_failures(&closed));
            }
            Ok(())
        })
    }

    /// Open the account's keyslot and grants. When the admin key has been replaced since the
    /// keyslot was written, also returns the keyslot rewritten under the current key and
    /// directory version, so the slot stops depending on the old key's succession record.
    fn open_session(
        &self,
        name: &str,
        password: &Password,
    ) -> Result<(Session, Option<crate::crypto::keyslot::Keyslot>)> {
        let Some(row) = users::by_name(&self.conn, name)? else {
            // Spend the same Argon2id time as a real attempt, so timing does not tell an
            // unknown user from a wrong password.
            if let Some(slot) = keyring::any_keyslot(&self.conn)? {
                let _ = keyslot::open(password, &[0u8; 16], &slot);
            }
            return Err(Error::AUTHENTICATION_FAILED);
        };
        let slot = keyring::keyslot(&self.conn, row.identity)?
            .ok_or_else(|| Error::integrity(format!("account {name}"), "it has no keyslot"))?;
        let (contents, kek) =
            keyslot::open_keeping_key(password, row.identity.as_bytes(), &slot).map_err(|e| match e {
                CryptoError::Authentication => Error::AUTHENTICATION_FAILED,
                other => Error::integrity(format!("keyslot of {name}"), other.to_string()),
            })?;
        let directory = self.directory_for_slot(&contents)?;
        let entry = directory
            .user(name)
            .ok_or_else(|| Error::integrity("signed directory", format!("it does not list {name}")))?;
        let agrees = entry.id == row.id
            && entry.identity == row.identity
            && key_field("public_key", &entry.public_key)? == contents.identity.public()
            && entry.role == row.role
            && entry.clearance == row.clearance
            && entry.status == row.status;
        if !agrees {
            return Err(Error::integrity(
                format!("account {name}"),
                "the user row disagrees with the signed directory; the account database was changed outside Strongroom",
            ));
        }
        if entry.status == UserStatus::Disabled {
            return Err(Error::AccountUnavailable {
                user: name.to_string(),
                state: Unavailable::Disabled,
            });
        }
        // The slot remembers the newest directory it verified and the admin key in force, so a
        // directory rolled back below it is refused at the next unlock even if the events that
        // name newer versions are cut (DESIGN.md §2 "Rollback").
        let admin_public = directory.admin_key_bytes()?;
        let slot_update = if contents.admin_public != admin_public || contents.directory_version < directory.version {
            let newer = keyslot::SlotContents {
                identity: contents.identity.clone(),
                admin_public,
                directory_version: directory.version,
            };
            Some(keyslot::reseal(&slot, &kek, row.identity.as_bytes(), &newer)?)
        } else {
            None
        };
        let keys = open_grants(
            &self.conn,
            &directory,
            row.identity,
            contents.identity,
            entry.clearance,
            entry.role == Role::Officer,
        )?;
        let password_change = self.password_change_reason(&row, &directory.policy())?;
        let session = Session::new(
            SessionUser {
                id: row.id,
                name: name.to_string(),
                role: entry.role,
                clearance: entry.clearance,
            },
            row.identity,
            keys,
            directory,
            password_change,
        );
        Ok((session, slot_update))
    }

    /// Why the user must choose a new password now, if they must.
    pub(super) fn password_change_reason(&self, row: &UserRecord, policy: &Policy) -> Result<Option<String>> {
        let Some((changed_at, must_change)) = users::password_state(&self.conn, row.id)? else {
            return Ok(None);
        };
        if must_change {
            return Ok(Some("a security officer chose this password".into()));
        }
        // An unreadable date counts as expired: the safe reading.
        let age = OffsetDateTime::parse(&changed_at, &Rfc3339).map(|t| self.clock.now() - t);
        let limit = time::Duration::days(i64::from(policy.password_max_age_days));
        match age {
            Ok(age) if age < limit => Ok(None),
            _ => Ok(Some(format!(
                "the password is older than {} days",
                policy.password_max_age_days
            ))),
        }
    }
}

/// Record a failed sign-in under `typed`, the name as typed (escaped and capped at 64 bytes
/// here, so a hostile name can neither forge output nor bloat the ledger): an event for the
/// first failure of the name's window, a count for the rest (`accounts::sign_in_failures`).
fn refused_sign_in(
    tx: &rusqlite::Transaction<'_>,
    events: &mut Vec<NewEvent>,
    typed: &str,
    reason: &str,
    now: i64,
) -> Result<u64> {
    // A possible account name (≤ 64 characters) is kept whole; anything else is escaped and
    // cut to 64 bytes.
    let name = if super::init::validate_user_name(typed).is_ok() {
        typed.to_string()
    } else {
        crate::text::capped(typed, sign_in_failures::MAX_NAME_BYTES)
    };
    let noted = sign_in_failures::note(tx, &name, reason, now)?;
    if let Some(closed) = &noted.closed {
        events.push(repeated_failures(closed));
    }
    if noted.first {
        events.push(NewEvent {
            actor: name.clone(),
            action: Action::AuthLoginFailed,
            subject: name,
            level: None,
            item: None,
            details: details! { "reason": reason },
        });
    }
    Ok(noted.in_window)
}

/// The one event for the failures of a window after its first.
fn repeated_failures(closed: &sign_in_failures::Closed) -> NewEvent {
    let start = time::OffsetDateTime::from_unix_timestamp(closed.window_start)
        .map(crate::time::rfc3339_millis)
        .unwrap_or_default();
    NewEvent {
        actor: closed.name.clone(),
        action: Action::AuthLoginFailed,
        subject: closed.name.clone(),
        level: None,
        item: None,
        details: details! {
            "reason": closed.reason.clone(),
            "repeated": closed.repeated,
            "window_start": start,
            "window_seconds": sign_in_failures::WINDOW_SECONDS,
        },
    }
}
