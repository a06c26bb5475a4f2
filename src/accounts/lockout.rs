//! Failed sign-ins per account: the count since the last success, when the last one was, and
//! whether the account is locked until an officer unlocks it. The policy turns the count into
//! a wait (exponential backoff) and a limit (lockout).
//!
//! The counter lives in the database everyone at the station can write, so it slows down
//! guessing through Strongroom itself; against someone who copies the database, the Argon2id
//! cost of each guess is the protection (docs/THREAT-MODEL.md).

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::accounts::availability::Unavailable;
use crate::accounts::policy::Policy;
use crate::{Result, UserId};

/// The failure record of one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failures {
    /// Failed sign-ins in a row.
    pub count: u32,
    /// When the last one happened.
    pub last: OffsetDateTime,
    /// When the account was locked, if it is.
    pub locked_at: Option<OffsetDateTime>,
}

/// Why an attempt is refused before its password is tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// For the ledger: `account locked` or `attempted during backoff`.
    pub reason: &'static str,
    /// For the person: the account's state, and through it the ways back in.
    pub state: Unavailable,
}

impl Failures {
    /// Whether an attempt on the account `name` at `now` must be refused under `policy`:
    /// locked until an officer unlocks it, or still inside the wait after the last failure.
    /// The last security officer (`sole_officer`) is never locked out, since nobody could
    /// unlock them: at the policy's limit they wait the policy's long wait instead.
    pub fn refusal(&self, policy: &Policy, now: OffsetDateTime, sole_officer: bool) -> Option<Refusal> {
        if self.locked_at.is_some() {
            return Some(Refusal {
                reason: "account locked",
                state: Unavailable::Locked { failures: self.count },
            });
        }
        let last_officer = sole_officer && self.count >= policy.lockout_attempts;
        let mut wait = policy.backoff_seconds(self.count);
        if last_officer {
            wait = wait.max(u64::from(policy.last_officer_wait_minutes()) * 60);
        }
        let until = self.last + time::Duration::seconds(i64::try_from(wait).unwrap_or(i64::MAX));
        if until > now {
            let left = until - now;
            let seconds = left.whole_seconds() + i64::from(left.subsec_nanoseconds() > 0);
            return Some(Refusal {
                reason: "attempted during backoff",
                state: Unavailable::Waiting {
                    failures: self.count,
                    seconds: u64::try_from(seconds).unwrap_or(1).max(1),
                    last_officer,
                },
            });
        }
        None
    }
}

/// The record of `user`, if it has failed since its last success.
pub fn of(conn: &Connection, user: UserId) -> Result<Option<Failures>> {
    let row: Option<(i64, String, Option<String>)> = conn
        .query_row(
            "SELECT failures, last_failure, locked_at FROM login_failures WHERE user_id = ?1",
            params![user],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(row.map(|(count, last, locked)| Failures {
        count: u32::try_from(count).unwrap_or(u32::MAX),
        // An unreadable time counts as "just now": the wait is kept, never skipped.
        last: OffsetDateTime::parse(&last, &Rfc3339).unwrap_or(OffsetDateTime::now_utc()),
        locked_at: locked.map(|t| OffsetDateTime::parse(&t, &Rfc3339).unwrap_or(OffsetDateTime::now_utc())),
    }))
}

/// Count a failed attempt at `now`. Returns the count including this one.
pub fn count_failure(tx: &Transaction<'_>, user: UserId, now: &str) -> Result<u32> {
    let count: i64 = tx.query_row(
        "INSERT INTO login_failures (user_id, failures, last_failure) VALUES (?1, 1, ?2)
         ON CONFLICT (user_id) DO UPDATE SET failures = failures + 1, last_failure = excluded.last_failure
         RETURNING failures",
        params![user, now],
        |r| r.get(0),
    )?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// Lock the account (the failures reached the policy's limit).
pub fn lock(tx: &Transaction<'_>, user: UserId, now: &str) -> Result<()> {
    tx.execute(
        "UPDATE login_failures SET locked_at = COALESCE(locked_at, ?2) WHERE user_id = ?1",
        params![user, now],
    )?;
    Ok(())
}

/// Forget the failures of `user` (a successful sign-in, or an officer's unlock).
pub fn clear(tx: &Transaction<'_>, user: UserId) -> Result<bool> {
    let removed = tx.execute("DELETE FROM login_failures WHERE user_id = ?1", params![user])?;
    Ok(removed > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(seconds)
    }

    #[test]
    fn an_attempt_waits_out_the_backoff_and_a_locked_account_for_an_officer() {
        let policy = Policy::default();
        // Three failures: the wait is 4 s from the last one (base 1 s, doubling).
        let failures = Failures {
            count: 3,
            last: at(100),
            locked_at: None,
        };
        let waiting = failures.refusal(&policy, at(101), false).unwrap();
        assert_eq!(waiting.reason, "attempted during backoff");
        let wait = |failures, seconds| Unavailable::Waiting {
            failures,
            seconds,
            last_officer: false,
        };
        assert_eq!(waiting.state, wait(3, 3));
        // A part of a second left is rounded up, never down to zero.
        let nearly = failures.refusal(&policy, at(103) + time::Duration::milliseconds(500), false);
        assert_eq!(nearly.unwrap().state, wait(3, 1));
        assert_eq!(failures.refusal(&policy, at(104), false), None);
        // Locked: refused however long ago, naming the way out.
        let locked = Failures {
            locked_at: Some(at(100)),
            ..failures
        };
        let refused = locked.refusal(&policy, at(1_000_000), false).unwrap();
        assert_eq!(refused.reason, "account locked");
        assert_eq!(refused.state, Unavailable::Locked { failures: 3 });
        // The last officer at the limit is not locked but waits the policy's long wait.
        let limit = Failures {
            count: policy.lockout_attempts,
            last: at(100),
            locked_at: None,
        };
        let long = i64::from(policy.last_officer_wait_minutes()) * 60;
        let last = limit.refusal(&policy, at(100 + long - 1), true).unwrap();
        assert_eq!(
            last.state,
            Unavailable::Waiting {
                failures: policy.lockout_attempts,
                seconds: 1,
                last_officer: true
            }
        );
        assert_eq!(limit.refusal(&policy, at(100 + long), true), None);
        // Anyone else waits only the backoff at that count.
        let backoff = policy.backoff_seconds(limit.count) as i64;
        assert!(backoff < long);
        assert_eq!(limit.refusal(&policy, at(100 + backoff), false), None);
    }
}
