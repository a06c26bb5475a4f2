//! The events the guard writes, made from what it found. One function per event, so their
//! details are defined in one place (and checked against `schemas/events/` by the schema
//! test). Details name mount points, interfaces and identities in plain: none of them is
//! vault metadata.

use serde_json::{Value, json};

use crate::Level;
use crate::details;
use crate::guard::copies::CopyFound;
use crate::guard::media::Medium;
use crate::guard::network::NetState;
use crate::ledger::{Action, NewEvent};

/// The actor of every event the guard writes.
pub const ACTOR: &str = "guard";

/// What an alert of the guard is about (`details.finding`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardFinding {
    /// A network interface appeared on an air-gapped station.
    NewInterface,
    /// A removable medium was mounted while the station was networked.
    MediumWhileNetworked,
    /// The station became networked while a removable medium was mounted.
    NetworkWhileMedium,
    /// The stored directory is older than one the guard verified before.
    DirectoryRolledBack,
    /// The stored directory does not verify from the guard's state.
    DirectoryRefused,
    /// A vault item's content was found outside the vault, in no recorded export
    /// destination, from no medium.
    VaultMaterial,
    /// A removable medium outside the register was mounted (or its marker did not verify).
    UnregisteredMedium,
}

impl GuardFinding {
    /// Stable name, in `details.finding`.
    pub fn as_str(self) -> &'static str {
        match self {
            GuardFinding::NewInterface => "new_interface",
            GuardFinding::MediumWhileNetworked => "medium_while_networked",
            GuardFinding::NetworkWhileMedium => "network_while_medium",
            GuardFinding::DirectoryRolledBack => "directory_rolled_back",
            GuardFinding::DirectoryRefused => "directory_refused",
            GuardFinding::VaultMaterial => "vault_material",
            GuardFinding::UnregisteredMedium => "unregistered_medium",
        }
    }
}

/// An event of the guard: `action` about `subject` with `details` (no level, no item).
pub fn event(action: Action, subject: &str, details: serde_json::Map<String, Value>) -> NewEvent {
    NewEvent {
        actor: ACTOR.into(),
        action,
        subject: subject.into(),
        level: None,
        item: None,
        details,
    }
}

/// A medium as event details describe it.
pub fn medium_json(medium: &Medium) -> Value {
    let mut value = json!({
        "mount_point": medium.mount_point.to_string_lossy(),
        "fstype": medium.fstype,
        "source": medium.source,
        "device": format!("{}:{}", medium.device.0, medium.device.1),
        "why": serde_json::to_value(medium.why).unwrap_or(Value::Null),
    });
    if let Some(identity) = &medium.identity {
        value["filesystem"] = json!(identity.kind.as_str());
        value["uuid"] = json!(identity.uuid);
        if let Some(label) = &identity.label {
            value["label"] = json!(label);
        }
    }
    for (key, field) in [
        ("unconfirmed", &medium.unconfirmed),
        ("model", &medium.model),
        ("serial", &medium.serial),
    ] {
        if let Some(text) = field {
            value[key] = json!(text);
        }
    }
    value
}

/// The interfaces a state names (empty when air-gapped).
fn interfaces(state: &NetState) -> Vec<String> {
    match state {
        NetState::AirGapped => Vec::new(),
        NetState::Networked { interfaces } => interfaces.clone(),
    }
}

/// `guard.start`.
pub fn start(
    pid: u32,
    directory_version: u64,
    interval_seconds: u64,
    net: &NetState,
    media: usize,
    unwatched_dirs: usize,
) -> NewEvent {
    event(
        Action::GuardStart,
        "station",
        details! {
            "pid": pid,
            "interval_seconds": interval_seconds,
            "verified_directory_version": directory_version,
            "network": net.as_str(),
            "interfaces": interfaces(net),
            "media": media,
            "unwatched_dirs": unwatched_dirs,
        },
    )
}

/// `guard.heartbeat`, with the directories the copy watch could not cover (watches ran
/// out; they are scanned every minute instead).
pub fn heartbeat(interval_seconds: u64, net: &NetState, media: usize, unwatched_dirs: usize) -> NewEvent {
    event(
        Action::GuardHeartbeat,
        "station",
        details! {
            "interval_seconds": interval_seconds,
            "network": net.as_str(),
            "interfaces": interfaces(net),
            "media": media,
            "unwatched_dirs": unwatched_dirs,
        },
    )
}

/// `network.change`.
pub fn network_change(from: &NetState, to: &NetState, flaps: u32) -> NewEvent {
    event(
        Action::NetworkChange,
        "station",
        details! {
            "from": from.as_str(),
            "to": to.as_str(),
            "interfaces": interfaces(to),
            "flaps": flaps,
        },
    )
}

/// `media.mount` (`at_start`: already mounted when the guard started), with the register's
/// verdict on it.
pub fn media_mount(medium: &Medium, at_start: bool, registration: Value) -> NewEvent {
    let mut details = details! { "medium": medium_json(medium), "registration": registration };
    if at_start {
        details.insert("at_start".into(), json!(true));
    }
    event(Action::MediaMount, &medium.name(), details)
}

/// `media.unmount`.
pub fn media_unmount(medium: &Medium) -> NewEvent {
    event(
        Action::MediaUnmount,
        &medium.name(),
        details! { "medium": medium_json(medium) },
    )
}

/// `guard.alert` with `finding` and its facts.
pub fn alert(finding: GuardFinding, subject: &str, mut facts: serde_json::Map<String, Value>) -> NewEvent {
    facts.insert("finding".into(), json!(finding.as_str()));
    event(Action::GuardAlert, subject, facts)
}

/// The details every copy event carries: the medium, size, SHA-256, the network state, the
/// destination directory in plain and the file name sealed to `level`'s sealing key (absent,
/// and said so, when no trusted directory gave that key).
fn copy_details(
    copy: &CopyFound,
    level: Level,
    sealed: Option<&(u32, String)>,
    net: &NetState,
) -> serde_json::Map<String, Value> {
    let mut details = details! {
        "medium": medium_json(&copy.medium),
        "size": copy.size,
        "sha256": crate::encoding::hex::encode(&copy.sha256),
        "network": net.as_str(),
        "interfaces": interfaces(net),
        "destination_dir": copy.path.parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default(),
        "sealing_level": level.name(),
    };
    match sealed {
        Some((generation, name)) => {
            details.insert("destination_name_sealed".into(), json!(name));
            details.insert("sealing_generation".into(), json!(generation));
        }
        None => {
            details.insert(
                "name_not_sealed".into(),
                json!("no trusted directory gave the sealing key"),
            );
        }
    }
    details
}

/// `guard.copy`: a file in a protected destination is a medium's file.
pub fn copy(copy: &CopyFound, level: Level, sealed: Option<&(u32, String)>, net: &NetState) -> NewEvent {
    event(
        Action::GuardCopy,
        &copy.medium.name(),
        copy_details(copy, level, sealed, net),
    )
}

/// `guard.copy.alert`: the same, while the station is networked.
pub fn copy_alert(copy: &CopyFound, level: Level, sealed: Option<&(u32, String)>, net: &NetState) -> NewEvent {
    event(
        Action::GuardCopyAlert,
        &copy.medium.name(),
        copy_details(copy, level, sealed, net),
    )
}
