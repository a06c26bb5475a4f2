//! Why an account cannot sign in now, and what lets it sign in again: typed values both
//! front ends word for themselves (the CLI names a command, the app offers a button), so no
//! one parses a sentence and no library message names a command.

use std::fmt;

/// Why an account may not sign in now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Unavailable {
    /// Locked after `failures` failed sign-ins in a row.
    Locked {
        /// Failed sign-ins counted when it locked (as stored and recorded).
        failures: u32,
    },
    /// Inside the wait that follows `failures` failed sign-ins.
    Waiting {
        /// Failed sign-ins in a row so far.
        failures: u32,
        /// Whole seconds left (rounded up, never 0).
        seconds: u64,
        /// The last security officer at the lockout limit: never locked (nobody could
        /// unlock them), they wait the policy's long wait instead.
        last_officer: bool,
    },
    /// Disabled by a security officer.
    Disabled,
}

/// One way an account gets back in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "way", rename_all = "snake_case")]
pub enum WayBack {
    /// A security officer unlocks the account (its failures are forgotten).
    OfficerUnlocks,
    /// A security officer enables the account again.
    OfficerEnables,
    /// The user recovers the account with the station's recovery code (a new password).
    RecoveryCode,
    /// Try again after this many seconds.
    Wait {
        /// Seconds left.
        seconds: u64,
    },
}

impl Unavailable {
    /// The ways back in, the usual one first.
    pub fn ways_back(&self) -> Vec<WayBack> {
        match *self {
            Unavailable::Locked { .. } => vec![WayBack::OfficerUnlocks, WayBack::RecoveryCode],
            Unavailable::Waiting {
                seconds, last_officer, ..
            } => {
                let mut ways = vec![WayBack::Wait { seconds }];
                if last_officer {
                    ways.push(WayBack::RecoveryCode);
                }
                ways
            }
            Unavailable::Disabled => vec![WayBack::OfficerEnables],
        }
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unavailable::Locked { failures } => write!(
                f,
                "locked after {failures} failed sign-ins: a security officer can unlock it, or its user can recover it with the recovery code"
            ),
            Unavailable::Waiting {
                failures,
                seconds,
                last_officer: false,
            } => write!(f, "waiting after {failures} failed sign-ins: try again in {seconds} s"),
            Unavailable::Waiting { failures, seconds, .. } => write!(
                f,
                "waiting after {failures} failed sign-ins: as the last security officer it is not locked; try again in {seconds} s, or recover it with the recovery code"
            ),
            Unavailable::Disabled => write!(f, "disabled: a security officer can enable it again"),
        }
    }
}

/// The suffix of a failed password: how many tries are left before the account locks (or,
/// for the last officer, before the long wait).
pub fn attempts_left_text(left: &Option<u32>) -> String {
    match left {
        None => String::new(),
        Some(0) => "; no attempts left".into(),
        Some(1) => "; 1 attempt left".into(),
        Some(n) => format!("; {n} attempts left"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_names_its_ways_back() {
        assert_eq!(
            Unavailable::Locked { failures: 5 }.ways_back(),
            [WayBack::OfficerUnlocks, WayBack::RecoveryCode]
        );
        let waiting = |last_officer| Unavailable::Waiting {
            failures: 5,
            seconds: 3600,
            last_officer,
        };
        assert_eq!(waiting(false).ways_back(), [WayBack::Wait { seconds: 3600 }]);
        assert_eq!(
            waiting(true).ways_back(),
            [WayBack::Wait { seconds: 3600 }, WayBack::RecoveryCode]
        );
        assert_eq!(Unavailable::Disabled.ways_back(), [WayBack::OfficerEnables]);
        // The words name no command: the front ends add those.
        for state in [
            Unavailable::Locked { failures: 5 },
            waiting(true),
            Unavailable::Disabled,
        ] {
            let text = state.to_string();
            assert!(!text.contains("strongroom") && !text.contains('`'), "{text}");
        }
        assert_eq!(
            serde_json::to_value(waiting(true)).unwrap(),
            serde_json::json!({"state": "waiting", "failures": 5, "seconds": 3600, "last_officer": true})
        );
    }
}
