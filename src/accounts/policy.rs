//! The station's policy: one typed record of the rules officers may tune (lockout, idle lock,
//! password age, two-person threshold, export and guard rules).
//!
//! It travels inside the signed directory, so it is signed by the admin key, versioned with
//! it and protected from roll-back by the same keyslot check. A directory without a policy
//! means the defaults below.

use serde::{Deserialize, Serialize};

use crate::{Error, Level, Result};

/// What the guard does with a file copied from removable media while the station is
/// networked (the guard issue reads this).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GuardResponse {
    /// Record an alert and leave the file.
    Alert,
    /// Record an alert and move the file into quarantine, sealed.
    Quarantine,
}

/// The policy. Every field has a default and a range; [`Policy::set`] enforces both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Failed sign-ins in a row before the account locks until an officer unlocks it.
    pub lockout_attempts: u32,
    /// Wait after the first failed sign-in; it doubles with each further failure.
    pub backoff_base_seconds: u32,
    /// Longest wait between failed sign-ins.
    pub backoff_cap_seconds: u32,
    /// Minutes without activity after which the station drops the session's keys.
    pub idle_lock_minutes: u32,
    /// Days after which a password must be changed at login.
    pub password_max_age_days: u32,
    /// Destruction, downgrade and export to removable media of items at or above this level
    /// need a second person.
    pub two_person_level: Level,
    /// Highest level whose items may be exported at all.
    pub export_max_level: Level,
    /// Events between interval checkpoints.
    pub checkpoint_interval: u32,
    /// What the guard does with a copy from removable media on a networked station.
    pub guard_response: GuardResponse,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            lockout_attempts: 5,
            backoff_base_seconds: 1,
            backoff_cap_seconds: 300,
            idle_lock_minutes: 10,
            password_max_age_days: 90,
            two_person_level: Level::Secret,
            export_max_level: Level::TopSecret,
            checkpoint_interval: 256,
            guard_response: GuardResponse::Quarantine,
        }
    }
}

/// The names `policy set` accepts, in display order.
pub const KEYS: [&str; 9] = [
    "lockout-attempts",
    "backoff-base-seconds",
    "backoff-cap-seconds",
    "idle-lock-minutes",
    "password-max-age-days",
    "two-person-level",
    "export-max-level",
    "checkpoint-interval",
    "guard-response",
];

impl Policy {
    /// Every setting as (name, value), in [`KEYS`] order.
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        KEYS.iter().map(|k| (*k, self.get(k).unwrap_or_default())).collect()
    }

    /// One setting's value as text.
    pub fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "lockout-attempts" => self.lockout_attempts.to_string(),
            "backoff-base-seconds" => self.backoff_base_seconds.to_string(),
            "backoff-cap-seconds" => self.backoff_cap_seconds.to_string(),
            "idle-lock-minutes" => self.idle_lock_minutes.to_string(),
            "password-max-age-days" => self.password_max_age_days.to_string(),
            "two-person-level" => self.two_person_level.name().to_string(),
            "export-max-level" => self.export_max_level.name().to_string(),
            "checkpoint-interval" => self.checkpoint_interval.to_string(),
            "guard-response" => match self.guard_response {
                GuardResponse::Alert => "alert".into(),
                GuardResponse::Quarantine => "quarantine".into(),
            },
            _ => return None,
        })
    }

    /// Change one setting, checking its range. Returns the old value as text.
    pub fn set(&mut self, key: &str, value: &str) -> Result<String> {
        let old = self.get(key).ok_or_else(|| {
            Error::InvalidInput(format!("unknown policy setting '{key}'; known: {}", KEYS.join(", ")))
        })?;
        let number = |min: u32, max: u32| -> Result<u32> {
            value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| Error::InvalidInput(format!("{key} must be a whole number from {min} to {max}")))
        };
        let level = || -> Result<Level> {
            value
                .trim()
                .parse::<Level>()
                .map_err(|_| Error::InvalidInput(format!("{key} must be a level (unclassified … top-secret)")))
        };
        let mut next = self.clone();
        match key {
            "lockout-attempts" => next.lockout_attempts = number(1, 100)?,
            "backoff-base-seconds" => next.backoff_base_seconds = number(0, 3600)?,
            "backoff-cap-seconds" => next.backoff_cap_seconds = number(0, 86_400)?,
            "idle-lock-minutes" => next.idle_lock_minutes = number(1, 1440)?,
            "password-max-age-days" => next.password_max_age_days = number(1, 3650)?,
            "two-person-level" => next.two_person_level = level()?,
            "export-max-level" => next.export_max_level = level()?,
            "checkpoint-interval" => next.checkpoint_interval = number(1, 1_000_000)?,
            "guard-response" => {
                next.guard_response = match value.trim() {
                    "alert" => GuardResponse::Alert,
                    "quarantine" => GuardResponse::Quarantine,
                    _ => return Err(Error::InvalidInput(format!("{key} must be alert or quarantine"))),
                }
            }
            _ => return Err(Error::InvalidInput(format!("unknown policy setting '{key}'"))),
        }
        if next.backoff_cap_seconds < next.backoff_base_seconds {
            return Err(Error::InvalidInput(
                "backoff-cap-seconds may not be below backoff-base-seconds".into(),
            ));
        }
        *self = next;
        Ok(old)
    }

    /// Seconds to wait after the `failures`-th failed sign-in in a row: base, 2·base,
    /// 4·base … up to the cap.
    pub fn backoff_seconds(&self, failures: u32) -> u64 {
        if failures == 0 {
            return 0;
        }
        let doublings = (failures - 1).min(40);
        let wait = u64::from(self.backoff_base_seconds).saturating_mul(1u64 << doublings);
        wait.min(u64::from(self.backoff_cap_seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = Policy {
            backoff_cap_seconds: 10,
            ..Policy::default()
        };
        let waits: Vec<u64> = (0..7).map(|n| policy.backoff_seconds(n)).collect();
        assert_eq!(waits, [0, 1, 2, 4, 8, 10, 10]);
        assert_eq!(policy.backoff_seconds(u32::MAX), 10);
    }

    #[test]
    fn set_checks_names_ranges_and_returns_the_old_value() {
        let mut policy = Policy::default();
        assert_eq!(policy.set("lockout-attempts", "3").unwrap(), "5");
        assert_eq!(policy.lockout_attempts, 3);
        assert_eq!(policy.set("two-person-level", "confidential").unwrap(), "secret");
        assert_eq!(policy.two_person_level, Level::Confidential);
        assert!(policy.set("lockout-attempts", "0").is_err());
        assert!(policy.set("idle-lock-minutes", "ten").is_err());
        assert!(policy.set("no-such-thing", "1").is_err());
        assert!(policy.set("guard-response", "ignore").is_err());
        assert!(policy.set("backoff-cap-seconds", "0").is_err());
    }

    #[test]
    fn entries_list_every_key() {
        let entries = Policy::default().entries();
        assert_eq!(entries.len(), KEYS.len());
        assert!(entries.iter().all(|(_, v)| !v.is_empty()));
    }
}
