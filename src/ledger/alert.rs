//! An alert as a person reads it: who, what, when and what to do next, as typed values both
//! front ends word for themselves (the CLI adds commands, the app buttons and Chinese), read
//! from the alert event's own canonical bytes.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::StoredEvent;
use crate::Level;

/// One open alert, explained.
#[derive(Clone, Debug, Serialize)]
pub struct Alert {
    /// The alert event's seq (what an acknowledgement names).
    pub seq: u64,
    /// When it happened (RFC 3339 UTC).
    pub time: String,
    /// The event's action (`auth.lockout`, `custody.alert`, …).
    pub action: String,
    /// Who acted (a user name, `recovery` or `system`).
    pub actor: String,
    /// What it is about (a user name, a control number or `station`).
    pub subject: String,
    /// The level concerned, if any.
    pub level: Option<Level>,
    /// What happened.
    pub finding: Finding,
    /// What an officer does about it, the usual step first.
    pub next: Vec<NextStep>,
}

/// What an alert reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// An account reached the lockout limit.
    Lockout {
        /// The account.
        user: String,
        /// Failed sign-ins in a row.
        failures: u64,
        /// The last officer is not locked but waits this many minutes.
        waits_minutes: Option<u64>,
    },
    /// The recovery code gave an account a new password.
    RecoveryUsed {
        /// The account.
        user: String,
    },
    /// An officer issued a new recovery code.
    RecoveryReissued {
        /// The officer.
        by: String,
        /// Their reason.
        reason: String,
    },
    /// An officer destroyed an item whose custodian is someone else.
    DestroyedByAnother {
        /// The item.
        control_number: String,
        /// Its custodian.
        custodian: String,
        /// The officer who destroyed it.
        destroyed_by: String,
    },
    /// The cleanup at open found a recorded leftover that is not what Strongroom made, and
    /// kept it.
    LeftoverKept {
        /// Where it is, if known.
        path: Option<String>,
        /// Why it was kept.
        reason: String,
    },
    /// Events that no session wrote (rows added with SQL).
    UnaccountedEvents {
        /// How many.
        count: u64,
        /// The first of them.
        first: Option<u64>,
    },
    /// The guard saw a new network interface on an air-gapped station.
    NewInterface {
        /// Its name.
        interface: String,
    },
    /// The guard saw a removable medium mounted while the station was networked.
    MediumWhileNetworked {
        /// The medium (label, UUID or mount point).
        medium: String,
    },
    /// The guard saw the station become networked while a medium was mounted.
    NetworkWhileMedium,
    /// The guard found the signed directory older than one it verified before, or not
    /// verifying from its state.
    DirectoryDistrusted {
        /// Why, in the guard's words.
        why: String,
    },
    /// The guard found a file copied from a removable medium while the station was networked.
    CopyWhileNetworked {
        /// The medium.
        medium: String,
        /// The directory the copy is in.
        directory: String,
        /// The quarantine entry it was sealed into, if it was contained.
        quarantine: Option<String>,
    },
    /// The guard found a vault item's content outside the vault, in no recorded export
    /// destination, from no medium.
    VaultMaterial {
        /// The item, by control number (absent if the guard could not name it).
        item: Option<String>,
        /// The directory it is in.
        directory: String,
    },
    /// The guard found a vault item's content in a cloud-synced or network folder.
    CloudMaterial {
        /// The item, by control number (absent if the guard could not name it).
        item: Option<String>,
        /// The provider's name (`Dropbox`, `NFS share` …).
        provider: String,
        /// The directory the file is in.
        directory: String,
        /// The quarantine entry it was sealed into, if it was contained.
        quarantine: Option<String>,
    },
    /// The guard found a file marked with a classification in a cloud-synced or network folder.
    CloudMarking {
        /// The marking (`SECRET`, `机密`, a site pattern).
        marking: String,
        /// The provider's name.
        provider: String,
        /// The directory the file is in.
        directory: String,
        /// The quarantine entry it was sealed into, if it was contained.
        quarantine: Option<String>,
    },
    /// A removable medium outside the register was mounted.
    UnregisteredMedium {
        /// The medium.
        medium: String,
        /// Why it is not authorized.
        why: String,
        /// What the guard did: `alert`, `blocked`, `not_usb` (could not block), `block_failed`.
        response: String,
    },
    /// An alert this version does not explain (a newer action).
    Other,
}

/// One thing an officer can do about an alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// Speak to the person the alert is about, to learn whether it was them.
    CheckWithThePerson,
    /// Unlock the account once it is clear who tried.
    UnlockTheAccount,
    /// Issue a new recovery code: the used one was typed and may have been seen.
    ReissueTheRecoveryCode,
    /// Store the new recovery code safely; the old one no longer works.
    SecureTheNewCode,
    /// Review why the item was destroyed, with its custodian.
    ReviewTheDestruction,
    /// Look at the file that was kept, then remove it by hand if it is safe.
    InspectTheLeftover,
    /// Verify the custody ledger and look at the events named.
    VerifyTheLedger,
    /// Find the device that brought the network (a modem, a phone, a dongle) and remove it.
    RemoveTheNetworkDevice,
    /// Find out who mounted the medium and what was copied to or from it.
    CheckTheMedium,
    /// Find the plaintext copy of vault material, learn how it got there, and remove it.
    FindTheMaterial,
    /// Learn from the sync client's history (or the share's) whether the file left the
    /// machine already, and report it as a spill if it did.
    CheckWhatSynced,
    /// Acknowledge it with a comment once it is understood.
    Acknowledge,
}

impl Alert {
    /// The alert that `event` (one of `events::is_alert`'s actions) reports. Who, what and
    /// when are read from its canonical bytes, which the hash chain covers, never from the
    /// query columns an insider can edit.
    pub fn from_event(event: &StoredEvent) -> Alert {
        let json = event.json().unwrap_or(Value::Null);
        let field = |key: &str, column: &str| json[key].as_str().unwrap_or(column).to_string();
        let event = &StoredEvent {
            actor: field("actor", "?"),
            action: field("action", &event.action),
            subject: field("subject", "?"),
            time: field("time", &event.time),
            ..event.clone()
        };
        let details = json["details"].clone();
        let text = |key: &str| details[key].as_str().unwrap_or_default().to_string();
        let (finding, mut next) = match event.action.as_str() {
            "auth.lockout" => (
                Finding::Lockout {
                    user: event.subject.clone(),
                    failures: details["failures"].as_u64().unwrap_or(0),
                    waits_minutes: details["waits_minutes"].as_u64(),
                },
                if details["waits_minutes"].is_u64() {
                    vec![NextStep::CheckWithThePerson]
                } else {
                    vec![NextStep::CheckWithThePerson, NextStep::UnlockTheAccount]
                },
            ),
            "user.recover" => (
                Finding::RecoveryUsed {
                    user: event.subject.clone(),
                },
                vec![NextStep::CheckWithThePerson, NextStep::ReissueTheRecoveryCode],
            ),
            "recovery.reissue" => (
                Finding::RecoveryReissued {
                    by: event.actor.clone(),
                    reason: text("reason"),
                },
                vec![NextStep::CheckWithThePerson, NextStep::SecureTheNewCode],
            ),
            "custody.alert" => (
                Finding::DestroyedByAnother {
                    control_number: text("control_number"),
                    custodian: text("custodian"),
                    destroyed_by: text("destroyed_by"),
                },
                vec![NextStep::ReviewTheDestruction],
            ),
            "sweep.alert" => (
                Finding::LeftoverKept {
                    path: details["path"].as_str().map(str::to_string),
                    reason: text("reason"),
                },
                vec![NextStep::InspectTheLeftover],
            ),
            "ledger.alert" => (
                Finding::UnaccountedEvents {
                    count: details["count"].as_u64().unwrap_or(0),
                    first: details["seqs"][0].as_u64(),
                },
                vec![NextStep::VerifyTheLedger],
            ),
            "guard.copy.alert" => (
                Finding::CopyWhileNetworked {
                    medium: event.subject.clone(),
                    directory: text("destination_dir"),
                    quarantine: details["quarantine"].as_str().map(str::to_string),
                },
                vec![NextStep::CheckTheMedium, NextStep::RemoveTheNetworkDevice],
            ),
            "cloud.material.alert" => (
                Finding::CloudMaterial {
                    item: details["control_number"].as_str().map(str::to_string),
                    provider: text("provider_name"),
                    directory: text("destination_dir"),
                    quarantine: details["quarantine"].as_str().map(str::to_string),
                },
                vec![
                    NextStep::CheckWhatSynced,
                    NextStep::CheckWithThePerson,
                    NextStep::FindTheMaterial,
                ],
            ),
            "cloud.marking.alert" => (
                Finding::CloudMarking {
                    marking: text("marking"),
                    provider: text("provider_name"),
                    directory: text("destination_dir"),
                    quarantine: details["quarantine"].as_str().map(str::to_string),
                },
                vec![NextStep::CheckWhatSynced, NextStep::CheckWithThePerson],
            ),
            "guard.alert" => match details["finding"].as_str().unwrap_or_default() {
                "new_interface" => (
                    Finding::NewInterface {
                        interface: event.subject.clone(),
                    },
                    vec![NextStep::RemoveTheNetworkDevice],
                ),
                "medium_while_networked" => (
                    Finding::MediumWhileNetworked {
                        medium: event.subject.clone(),
                    },
                    vec![NextStep::CheckTheMedium, NextStep::RemoveTheNetworkDevice],
                ),
                "network_while_medium" => (
                    Finding::NetworkWhileMedium,
                    vec![NextStep::RemoveTheNetworkDevice, NextStep::CheckTheMedium],
                ),
                "directory_rolled_back" => (
                    Finding::DirectoryDistrusted {
                        why: format!(
                            "the stored directory is version {}, older than version {} the guard verified",
                            details["stored_version"], details["seen_version"]
                        ),
                    },
                    vec![NextStep::VerifyTheLedger],
                ),
                "vault_material" => (
                    Finding::VaultMaterial {
                        item: details["control_number"].as_str().map(str::to_string),
                        directory: text("destination_dir"),
                    },
                    vec![NextStep::CheckWithThePerson, NextStep::FindTheMaterial],
                ),
                "unregistered_medium" => (
                    Finding::UnregisteredMedium {
                        medium: event.subject.clone(),
                        why: text("why"),
                        response: text("response"),
                    },
                    vec![NextStep::CheckTheMedium],
                ),
                "directory_refused" => (
                    Finding::DirectoryDistrusted { why: text("why") },
                    vec![NextStep::VerifyTheLedger],
                ),
                _ => (Finding::Other, Vec::new()),
            },
            _ => (Finding::Other, Vec::new()),
        };
        next.push(NextStep::Acknowledge);
        Alert {
            seq: event.seq,
            time: event.time.clone(),
            action: event.action.clone(),
            actor: event.actor.clone(),
            subject: event.subject.clone(),
            level: event.level,
            finding,
            next,
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Lockout {
                user,
                failures,
                waits_minutes: None,
            } => write!(f, "{user} was locked out after {failures} failed sign-ins"),
            Finding::Lockout {
                user,
                failures,
                waits_minutes: Some(minutes),
            } => write!(
                f,
                "{user}, the last security officer, failed {failures} sign-ins and waits {minutes} minutes"
            ),
            Finding::RecoveryUsed { user } => write!(f, "the recovery code gave {user} a new password"),
            Finding::RecoveryReissued { by, reason } => {
                write!(f, "{by} issued a new recovery code ({reason})")
            }
            Finding::DestroyedByAnother {
                control_number,
                custodian,
                destroyed_by,
            } => write!(f, "{destroyed_by} destroyed {control_number}, held by {custodian}"),
            Finding::LeftoverKept {
                path: Some(path),
                reason,
            } => {
                write!(f, "a leftover at {path} was kept: {reason}")
            }
            Finding::LeftoverKept { path: None, reason } => write!(f, "a leftover was kept: {reason}"),
            Finding::UnaccountedEvents { count, first } => match first {
                Some(first) => write!(f, "{count} event(s) no session wrote, from seq {first}"),
                None => write!(f, "{count} event(s) no session wrote"),
            },
            Finding::NewInterface { interface } => {
                write!(
                    f,
                    "a new network interface {interface} appeared on the air-gapped station"
                )
            }
            Finding::MediumWhileNetworked { medium } => {
                write!(
                    f,
                    "removable medium {medium} was mounted while the station was networked"
                )
            }
            Finding::NetworkWhileMedium => {
                write!(f, "the station became networked while a removable medium was mounted")
            }
            Finding::DirectoryDistrusted { why } => write!(f, "the guard does not trust the signed directory: {why}"),
            Finding::CopyWhileNetworked { medium, directory, .. } => write!(
                f,
                "a file from removable medium {medium} was copied into {directory} while the station was networked"
            ),
            Finding::VaultMaterial { item, directory } => write!(
                f,
                "the content of vault item {} was found in {directory}, where no export put it",
                item.as_deref().unwrap_or("(unnamed)")
            ),
            Finding::CloudMaterial {
                item,
                provider,
                directory,
                ..
            } => write!(
                f,
                "the content of vault item {} was found in {directory}, a folder synced or shared by {provider}",
                item.as_deref().unwrap_or("(unnamed)")
            ),
            Finding::CloudMarking {
                marking,
                provider,
                directory,
                ..
            } => write!(
                f,
                "a file marked {marking} was found in {directory}, a folder synced or shared by {provider}"
            ),
            Finding::UnregisteredMedium { medium, why, response } => {
                write!(
                    f,
                    "removable medium {medium}, which is not in the register, was mounted: {why}"
                )?;
                match response.as_str() {
                    "blocked" => write!(f, "; its USB device was blocked"),
                    "not_usb" => write!(f, "; it is not a USB device and could not be blocked"),
                    "block_failed" => write!(f, "; blocking its USB device failed"),
                    _ => Ok(()),
                }
            }
            Finding::Other => write!(f, "see the event's details"),
        }
    }
}

impl fmt::Display for NextStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NextStep::CheckWithThePerson => "check with the person concerned that it was them",
            NextStep::UnlockTheAccount => "unlock the account once that is clear",
            NextStep::ReissueTheRecoveryCode => "issue a new recovery code (the used one may have been seen)",
            NextStep::SecureTheNewCode => "make sure the new code is written down and locked away",
            NextStep::ReviewTheDestruction => "review the destruction with the item's custodian",
            NextStep::InspectTheLeftover => "inspect the kept file and remove it by hand if it is safe",
            NextStep::VerifyTheLedger => "verify the custody ledger and look at the events named",
            NextStep::RemoveTheNetworkDevice => {
                "find the device that brought the network (modem, phone, dongle) and remove it"
            }
            NextStep::CheckTheMedium => "find out who mounted the medium and what was copied",
            NextStep::FindTheMaterial => "find the plaintext copy, learn how it got there, and remove it",
            NextStep::CheckWhatSynced => {
                "learn from the sync client's or the share's history whether the file left the machine, and report a spill if it did"
            }
            NextStep::Acknowledge => "acknowledge the alert once it is understood",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str, actor: &str, subject: &str, details: Value) -> StoredEvent {
        let json = serde_json::json!({"seq": 7, "time": "2026-12-07T10:00:00.000Z", "actor": actor,
            "action": action, "subject": subject, "level": null, "details": details});
        StoredEvent {
            seq: 7,
            time: "2026-12-07T10:00:00.000Z".into(),
            actor: actor.into(),
            action: action.into(),
            subject: subject.into(),
            level: None,
            canonical: serde_json::to_vec(&json).unwrap(),
        }
    }

    #[test]
    fn each_alert_says_who_what_when_and_what_next() {
        let lockout = Alert::from_event(&event(
            "auth.lockout",
            "bob",
            "bob",
            serde_json::json!({"user": "x", "failures": 5, "limit": 5}),
        ));
        assert_eq!(
            lockout.finding.to_string(),
            "bob was locked out after 5 failed sign-ins"
        );
        assert_eq!(
            lockout.next,
            [
                NextStep::CheckWithThePerson,
                NextStep::UnlockTheAccount,
                NextStep::Acknowledge
            ]
        );
        assert_eq!((lockout.seq, lockout.time.as_str()), (7, "2026-12-07T10:00:00.000Z"));
        let last = Alert::from_event(&event(
            "auth.lockout",
            "alice",
            "alice",
            serde_json::json!({"user": "x", "failures": 5, "limit": 5, "waits_minutes": 60}),
        ));
        assert!(!last.next.contains(&NextStep::UnlockTheAccount));
        let destroyed = Alert::from_event(&event(
            "custody.alert",
            "alice",
            "SR-2026-000001",
            serde_json::json!({"finding": "destroyed_by_another", "item": "i", "control_number": "SR-2026-000001",
                "custodian": "bob", "destroyed_by": "alice"}),
        ));
        assert_eq!(
            destroyed.finding.to_string(),
            "alice destroyed SR-2026-000001, held by bob"
        );
        let json = serde_json::to_value(&destroyed).unwrap();
        assert_eq!(json["finding"]["kind"], "destroyed_by_another");
        assert_eq!(json["next"][0], "review_the_destruction");
        // A newer action is still shown, with its event to read.
        let other = Alert::from_event(&event("cloud.alert", "system", "station", serde_json::json!({})));
        assert_eq!(other.finding, Finding::Other);
        assert_eq!(other.next, [NextStep::Acknowledge]);
    }
}
