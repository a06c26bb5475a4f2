//! The station's policy: one typed record of the rules officers may tune (lockout, idle lock,
//! password age, two-person threshold, export and guard rules).
//!
//! It travels inside the signed directory, so it is signed by the admin key, versioned with
//! it and protected from roll-back by the same keyslot check. A directory without a policy
//! means the defaults below.

use serde::{Deserialize, Serialize};

use crate::accounts::settings::{SETTINGS, Setting};
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

/// What the guard does when a medium outside the register is mounted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaResponse {
    /// Record an alert.
    Alert,
    /// Record an alert and de-authorize the USB device (root, sysfs).
    Block,
}

impl MediaResponse {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaResponse::Alert => "alert",
            MediaResponse::Block => "block",
        }
    }
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
    /// Exports of items at or above this level need a reason (recorded in the ledger).
    /// Absent in policies signed before it existed: then [`DEFAULT_EXPORT_REASON_LEVEL`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_reason_level: Option<Level>,
    /// Minutes the last security officer waits after reaching the lockout limit (they are
    /// never locked out: nobody could unlock them). Absent: [`DEFAULT_LAST_OFFICER_WAIT_MINUTES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_officer_wait_minutes: Option<u32>,
    /// Whether acknowledging an alert needs a comment. Absent: no (the comment is optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_comment_required: Option<bool>,
    /// Minutes between the guard's heartbeat events. Absent: [`DEFAULT_GUARD_HEARTBEAT_MINUTES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard_heartbeat_minutes: Option<u32>,
    /// Network interfaces the guard leaves out of the air-gap decision (an officer's list,
    /// by name). Absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_ignore: Option<Vec<String>>,
    /// The level at which the guard seals a copy whose content is no vault item's (its level
    /// unknown). Absent: top-secret, never weaker than any item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard_unknown_level: Option<Level>,
    /// What the guard does when a medium outside the register is mounted. Absent: alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unregistered_media: Option<MediaResponse>,
    /// Whether items below the two-person level may be exported to a medium outside the
    /// register (at and above it a registered medium is always needed). Absent: yes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unregistered_media_exports: Option<bool>,
    /// Hours an offer of custody stays open before it lapses. Absent: 72.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_offer_hours: Option<u32>,
    /// Default retention of a new unclassified item, in days (0 or absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days_unclassified: Option<u32>,
    /// Default retention of a new internal item, in days (0 or absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days_internal: Option<u32>,
    /// Default retention of a new confidential item, in days (0 or absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days_confidential: Option<u32>,
    /// Default retention of a new secret item, in days (0 or absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days_secret: Option<u32>,
    /// Default retention of a new top-secret item, in days (0 or absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days_top_secret: Option<u32>,
    /// The organization certificates of destruction name. Absent: none given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_organization: Option<String>,
    /// The place certificates of destruction name. Absent: none given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_location: Option<String>,
    /// People's titles on certificates (`name=title; …`). Absent: none given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_titles: Option<String>,
    /// An officer may export items below this level into a synced or network folder, the
    /// override recorded (never secret and above). Absent: [`DEFAULT_CLOUD_OVERRIDE_BELOW`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_override_below: Option<Level>,
    /// A site's own classification markings (`; `-separated), which the guard looks for in
    /// files in synced folders beside the built-in ones. Absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_marking_patterns: Option<String>,
}

/// Exports into a synced folder may be overridden below this level when the policy does not
/// say: unclassified and internal items only.
pub const DEFAULT_CLOUD_OVERRIDE_BELOW: Level = Level::Confidential;

/// The highest `cloud-override-below` a policy may set: no override ever reaches secret.
pub const MAX_CLOUD_OVERRIDE_BELOW: Level = Level::Secret;

/// Minutes between guard heartbeats when the policy does not say.
pub const DEFAULT_GUARD_HEARTBEAT_MINUTES: u32 = 5;

/// The last officer's wait at the lockout limit when the policy does not say.
pub const DEFAULT_LAST_OFFICER_WAIT_MINUTES: u32 = 60;

/// The level from which exports need a reason when the policy does not say.
pub const DEFAULT_EXPORT_REASON_LEVEL: Level = Level::Confidential;

impl Policy {
    /// The site's own markings (`cloud-marking-patterns`), each trimmed, empty ones left out.
    pub fn cloud_marking_patterns(&self) -> Vec<String> {
        self.cloud_marking_patterns
            .as_deref()
            .unwrap_or_default()
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Items below this level may be exported into a synced folder by an officer's override.
    pub fn cloud_override_below(&self) -> Level {
        self.cloud_override_below
            .unwrap_or(DEFAULT_CLOUD_OVERRIDE_BELOW)
            .min(MAX_CLOUD_OVERRIDE_BELOW)
    }

    /// The level from which exports need a reason.
    pub fn export_reason_level(&self) -> Level {
        self.export_reason_level.unwrap_or(DEFAULT_EXPORT_REASON_LEVEL)
    }

    /// Minutes the last security officer waits at the lockout limit.
    pub fn last_officer_wait_minutes(&self) -> u32 {
        self.last_officer_wait_minutes
            .unwrap_or(DEFAULT_LAST_OFFICER_WAIT_MINUTES)
    }

    /// Whether acknowledging an alert needs a comment.
    pub fn alert_comment_required(&self) -> bool {
        self.alert_comment_required.unwrap_or(false)
    }

    /// Minutes between the guard's heartbeats.
    pub fn guard_heartbeat_minutes(&self) -> u32 {
        self.guard_heartbeat_minutes.unwrap_or(DEFAULT_GUARD_HEARTBEAT_MINUTES)
    }

    /// Interfaces the guard leaves out of the air-gap decision.
    pub fn network_ignore(&self) -> Vec<String> {
        self.network_ignore.clone().unwrap_or_default()
    }

    /// The level of a copy whose content is no vault item's.
    pub fn guard_unknown_level(&self) -> Level {
        self.guard_unknown_level.unwrap_or(Level::TopSecret)
    }

    /// What the guard does with an unregistered medium.
    pub fn unregistered_media(&self) -> MediaResponse {
        self.unregistered_media.unwrap_or(MediaResponse::Alert)
    }

    /// Whether items below the two-person level may go to an unregistered medium.
    pub fn unregistered_media_exports(&self) -> bool {
        self.unregistered_media_exports.unwrap_or(true)
    }

    /// Hours an offer of custody stays open.
    pub fn transfer_offer_hours(&self) -> u32 {
        self.transfer_offer_hours
            .unwrap_or(crate::custody::transfer::DEFAULT_OFFER_HOURS)
    }

    /// Default retention of a new item at `level`, in days (0: none).
    pub fn retention_days(&self, level: Level) -> u32 {
        match level {
            Level::Unclassified => self.retention_days_unclassified,
            Level::Internal => self.retention_days_internal,
            Level::Confidential => self.retention_days_confidential,
            Level::Secret => self.retention_days_secret,
            Level::TopSecret => self.retention_days_top_secret,
        }
        .unwrap_or(0)
    }
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
            export_reason_level: None,
            last_officer_wait_minutes: None,
            alert_comment_required: None,
            guard_heartbeat_minutes: None,
            network_ignore: None,
            guard_unknown_level: None,
            unregistered_media: None,
            unregistered_media_exports: None,
            transfer_offer_hours: None,
            retention_days_unclassified: None,
            retention_days_internal: None,
            retention_days_confidential: None,
            retention_days_secret: None,
            retention_days_top_secret: None,
            certificate_organization: None,
            cloud_override_below: None,
            certificate_location: None,
            certificate_titles: None,
            cloud_marking_patterns: None,
        }
    }
}

impl GuardResponse {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            GuardResponse::Alert => "alert",
            GuardResponse::Quarantine => "quarantine",
        }
    }
}

impl Policy {
    /// Every setting as (name, value), in [`SETTINGS`] order.
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        SETTINGS.iter().map(|s| (s.name, s.get(self))).collect()
    }

    /// One setting's value as text.
    pub fn get(&self, key: &str) -> Option<String> {
        Setting::named(key).map(|s| s.get(self))
    }

    /// Change one setting, checking its range. Returns the old value as text.
    pub fn set(&mut self, key: &str, value: &str) -> Result<String> {
        let setting = Setting::named(key).ok_or_else(|| {
            let known: Vec<&str> = SETTINGS.iter().map(|s| s.name).collect();
            Error::InvalidInput(format!("unknown policy setting '{key}'; known: {}", known.join(", ")))
        })?;
        let old = setting.get(self);
        let mut next = self.clone();
        setting.set(&mut next, value)?;
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
    use crate::accounts::settings::Field;

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
    fn the_network_ignore_list_takes_interface_names_only() {
        let mut policy = Policy::default();
        policy.set("network-ignore", " virbr0, docker0 ,virbr0").unwrap();
        assert_eq!(policy.network_ignore(), ["virbr0", "docker0"]);
        assert_eq!(policy.get("network-ignore").unwrap(), "virbr0,docker0");
        for bad in ["eth0;rm", "a_name_longer_than_15", "wl an0", "eth0/x"] {
            assert!(policy.set("network-ignore", bad).is_err(), "{bad}");
        }
        policy.set("network-ignore", "").unwrap();
        assert!(policy.network_ignore().is_empty());
    }

    #[test]
    fn entries_list_every_key() {
        let entries = Policy::default().entries();
        assert_eq!(entries.len(), SETTINGS.len());
        // Every value shows, but a list or a text may be empty (no interface ignored, no
        // organization named, no site marking).
        let may_be_empty = |name: &str| {
            Setting::named(name).is_some_and(|s| matches!(s.field, Field::Names { .. } | Field::Text { .. }))
        };
        assert!(entries.iter().all(|(k, v)| !v.is_empty() || may_be_empty(k)));
    }

    /// Each setting reads and writes its own field: set to a value other than the default,
    /// exactly that one field of the serialized policy changes, and it reads back.
    #[test]
    fn every_setting_writes_its_own_field_and_reads_it_back() {
        let defaults = serde_json::to_value(Policy::default()).unwrap();
        for setting in &SETTINGS {
            let mut policy = Policy::default();
            let other = match setting.field {
                Field::Number { min, max, get, .. } => {
                    let now = get(&policy);
                    if now < max { now + 1 } else { min }.to_string()
                }
                Field::Level { get, .. } => if get(&policy) == Level::Internal {
                    "confidential"
                } else {
                    "internal"
                }
                .to_string(),
                Field::Choice { choices, get, .. } => {
                    let now = get(&policy);
                    choices.iter().find(|c| **c != now).unwrap().to_string()
                }
                Field::Switch { get, .. } => if get(&policy) { "no" } else { "yes" }.to_string(),
                Field::Names { .. } => "wlan0,virbr0".to_string(),
                Field::Text { .. } if setting.name == "certificate-titles" => "alice=Security Officer".to_string(),
                Field::Text { .. } => "Survey Office 测绘局".to_string(),
            };
            if setting.name == "backoff-base-seconds" {
                policy.backoff_cap_seconds = 3600;
            }
            let before = serde_json::to_value(&policy).unwrap();
            policy.set(setting.name, &other).unwrap();
            assert_eq!(policy.get(setting.name).unwrap(), other, "{}", setting.name);
            let after = serde_json::to_value(&policy).unwrap();
            let changed: Vec<&String> = after
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, v)| before[k.as_str()] != **v)
                .map(|(k, _)| k)
                .collect();
            assert_eq!(changed, [&setting.name.replace('-', "_")], "{}", setting.name);
            assert!(!setting.help_en.is_empty() && !setting.help_zh.is_empty());
        }
        // And the list covers every field of the record (optional ones once set).
        let full = Policy {
            export_reason_level: Some(DEFAULT_EXPORT_REASON_LEVEL),
            last_officer_wait_minutes: Some(DEFAULT_LAST_OFFICER_WAIT_MINUTES),
            alert_comment_required: Some(false),
            guard_heartbeat_minutes: Some(DEFAULT_GUARD_HEARTBEAT_MINUTES),
            network_ignore: Some(Vec::new()),
            guard_unknown_level: Some(Level::TopSecret),
            unregistered_media: Some(MediaResponse::Alert),
            unregistered_media_exports: Some(true),
            transfer_offer_hours: Some(72),
            retention_days_unclassified: Some(0),
            retention_days_internal: Some(0),
            retention_days_confidential: Some(0),
            retention_days_secret: Some(0),
            retention_days_top_secret: Some(0),
            certificate_organization: Some("Survey Office".into()),
            certificate_location: Some("Room 4".into()),
            certificate_titles: Some("alice=Security Officer".into()),
            cloud_override_below: Some(DEFAULT_CLOUD_OVERRIDE_BELOW),
            cloud_marking_patterns: Some("EYES ONLY; 内部资料".into()),
            ..Policy::default()
        };
        let full = serde_json::to_value(&full).unwrap();
        assert_eq!(full.as_object().unwrap().len(), SETTINGS.len());
        assert!(defaults.get("export_reason_level").is_none(), "absent until set");
    }

    /// A directory body signed by today's schema (policy included, every field present)
    /// still parses and re-serializes byte for byte: the directory is verified that way, so
    /// a field added without `Option` and `skip_serializing_if` would fail every vault.
    #[test]
    fn the_frozen_policy_of_today_round_trips_byte_for_byte() {
        let frozen = r#"{"backoff_base_seconds":1,"backoff_cap_seconds":300,"checkpoint_interval":256,"export_max_level":"top-secret","guard_response":"quarantine","idle_lock_minutes":10,"lockout_attempts":5,"password_max_age_days":90,"two_person_level":"secret"}"#;
        let policy: Policy = serde_json::from_str(frozen).unwrap();
        assert_eq!(policy, Policy::default());
        let value = serde_json::to_value(&policy).unwrap();
        let again = crate::encoding::canonical::to_vec(&value).unwrap();
        assert_eq!(String::from_utf8(again).unwrap(), frozen);
    }

    /// docs/FORMAT.md describes the policy member of the directory with every setting.
    #[test]
    fn the_format_document_names_every_setting() {
        let format = include_str!("../../docs/FORMAT.md");
        let row = format
            .lines()
            .find(|l| l.starts_with("| `policy` |"))
            .expect("FORMAT.md describes the directory's policy member");
        for setting in &SETTINGS {
            let field = format!("\"{}\"", setting.name.replace('-', "_"));
            assert!(row.contains(&field), "FORMAT.md's policy row lacks {field}");
        }
    }
}
