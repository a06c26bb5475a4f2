//! The settings officers may tune, one list that `policy show|set`, the app's editor, the
//! docs check and the tests all read: each with its name, values, meaning in English and
//! Chinese, and how it reads and writes its field of [`Policy`].

use crate::accounts::policy::{GuardResponse, MediaResponse, Policy};
use crate::{Error, Level, Result};

/// At most this many interfaces in the guard's ignore list.
const MAX_IGNORED_INTERFACES: usize = 64;

/// What values a setting takes, and how it reads and writes its field.
#[derive(Clone, Copy)]
pub enum Field {
    /// A whole number in `min..=max`.
    Number {
        /// Smallest allowed.
        min: u32,
        /// Largest allowed.
        max: u32,
        /// Read the field.
        get: fn(&Policy) -> u32,
        /// Write the field.
        set: fn(&mut Policy, u32),
    },
    /// A classification level.
    Level {
        /// Read the field.
        get: fn(&Policy) -> Level,
        /// Write the field.
        set: fn(&mut Policy, Level),
    },
    /// A list of names (network interfaces), written comma-separated; empty for none.
    Names {
        /// Read the field.
        get: fn(&Policy) -> Vec<String>,
        /// Write the field.
        set: fn(&mut Policy, Vec<String>),
    },
    /// Yes or no.
    Switch {
        /// Read the field.
        get: fn(&Policy) -> bool,
        /// Write the field.
        set: fn(&mut Policy, bool),
    },
    /// Free text for certificates (an organization, a place, people's titles): printable,
    /// at most `max_chars` characters, and `check`ed for its shape.
    Text {
        /// Longest allowed, in characters.
        max_chars: usize,
        /// Refuses a value of the wrong shape, saying why.
        check: fn(&str) -> std::result::Result<(), String>,
        /// Read the field.
        get: fn(&Policy) -> String,
        /// Write the field (empty: back to the default).
        set: fn(&mut Policy, String),
    },
    /// One of a few named choices (what the guard does, what an export may do).
    Choice {
        /// The choices, as written in `policy set`.
        choices: &'static [&'static str],
        /// Read the field as one of `choices`.
        get: fn(&Policy) -> &'static str,
        /// Write the field from one of `choices` (anything else is refused before).
        set: fn(&mut Policy, &str),
    },
}

/// One setting an officer may tune: its name in `policy set` and the app's editor, its
/// values, and what it means in English and Chinese. [`SETTINGS`] is the one list that
/// `policy show|set`, the app's editor, the docs check and the tests all read.
pub struct Setting {
    /// Name in `policy set` and the editor.
    pub name: &'static str,
    /// What it means (English).
    pub help_en: &'static str,
    /// What it means (Chinese).
    pub help_zh: &'static str,
    /// Its values and field.
    pub field: Field,
}

/// Every setting, in display order. A setting added later must be an `Option` field with
/// `skip_serializing_if` (DESIGN.md §2, "Extending signed records").
pub const SETTINGS: [Setting; 28] = [
    Setting {
        name: "lockout-attempts",
        help_en: "Failed sign-ins in a row before the account locks until an officer unlocks it",
        help_zh: "连续登录失败多少次后锁定账户，须由安全员解锁",
        field: Field::Number {
            min: 1,
            max: 100,
            get: |p| p.lockout_attempts,
            set: |p, v| p.lockout_attempts = v,
        },
    },
    Setting {
        name: "backoff-base-seconds",
        help_en: "Wait after the first failed sign-in; it doubles with each further failure",
        help_zh: "首次登录失败后的等待秒数，之后每次失败加倍",
        field: Field::Number {
            min: 0,
            max: 3600,
            get: |p| p.backoff_base_seconds,
            set: |p, v| p.backoff_base_seconds = v,
        },
    },
    Setting {
        name: "last-officer-wait-minutes",
        help_en: "The last security officer is never locked out: at the limit they wait this long instead",
        help_zh: "最后一名安全保密员不会被锁定：达到次数上限后改为等待这么多分钟",
        field: Field::Number {
            min: 1,
            max: 1440,
            get: |p| p.last_officer_wait_minutes(),
            set: |p, v| p.last_officer_wait_minutes = Some(v),
        },
    },
    Setting {
        name: "backoff-cap-seconds",
        help_en: "Longest wait between failed sign-ins",
        help_zh: "登录失败之间的最长等待秒数",
        field: Field::Number {
            min: 0,
            max: 86_400,
            get: |p| p.backoff_cap_seconds,
            set: |p, v| p.backoff_cap_seconds = v,
        },
    },
    Setting {
        name: "idle-lock-minutes",
        help_en: "Minutes without activity after which the station locks",
        help_zh: "无操作多少分钟后工作站自动锁定",
        field: Field::Number {
            min: 1,
            max: 1440,
            get: |p| p.idle_lock_minutes,
            set: |p, v| p.idle_lock_minutes = v,
        },
    },
    Setting {
        name: "password-max-age-days",
        help_en: "Days after which a password must be changed at sign-in",
        help_zh: "密码使用多少天后须在登录时更换",
        field: Field::Number {
            min: 1,
            max: 3650,
            get: |p| p.password_max_age_days,
            set: |p, v| p.password_max_age_days = v,
        },
    },
    Setting {
        name: "two-person-level",
        help_en: "Destruction, downgrade and export to removable media at or above this level need a second person",
        help_zh: "此密级及以上的销毁、降密和导出到移动介质须第二人参与",
        field: Field::Level {
            get: |p| p.two_person_level,
            set: |p, v| p.two_person_level = v,
        },
    },
    Setting {
        name: "export-max-level",
        help_en: "Highest level whose items may be exported at all",
        help_zh: "允许导出的最高密级",
        field: Field::Level {
            get: |p| p.export_max_level,
            set: |p, v| p.export_max_level = v,
        },
    },
    Setting {
        name: "export-reason-level",
        help_en: "Exports of items at or above this level need a reason, recorded in the ledger",
        help_zh: "导出此密级及以上的条目须填写事由，记入台账",
        field: Field::Level {
            get: |p| p.export_reason_level(),
            set: |p, v| p.export_reason_level = Some(v),
        },
    },
    Setting {
        name: "checkpoint-interval",
        help_en: "Events between signed ledger checkpoints",
        help_zh: "两个签名日志检查点之间的事件数",
        field: Field::Number {
            min: 1,
            max: 1_000_000,
            get: |p| p.checkpoint_interval,
            set: |p, v| p.checkpoint_interval = v,
        },
    },
    Setting {
        name: "guard-response",
        help_en: "What the guard does with a copy from removable media on a networked station",
        help_zh: "联网时发现从移动介质复制的文件，守卫如何处置",
        field: Field::Choice {
            choices: &["alert", "quarantine"],
            get: |p| p.guard_response.as_str(),
            set: |p, v| {
                p.guard_response = if v == "alert" {
                    GuardResponse::Alert
                } else {
                    GuardResponse::Quarantine
                }
            },
        },
    },
    Setting {
        name: "alert-comment-required",
        help_en: "Whether an officer must write a comment to acknowledge an alert",
        help_zh: "安全保密员确认警报时是否必须填写说明",
        field: Field::Switch {
            get: |p| p.alert_comment_required(),
            set: |p, v| p.alert_comment_required = Some(v),
        },
    },
    Setting {
        name: "guard-heartbeat-minutes",
        help_en: "Minutes between the guard's heartbeat records; a longer gap means the guard was not watching",
        help_zh: "守卫心跳记录的间隔分钟数；间隔更长说明守卫未在监视",
        field: Field::Number {
            min: 1,
            max: 1440,
            get: |p| p.guard_heartbeat_minutes(),
            set: |p, v| p.guard_heartbeat_minutes = Some(v),
        },
    },
    Setting {
        name: "network-ignore",
        help_en: "Network interfaces the guard leaves out of the air-gap state (comma-separated names)",
        help_zh: "守卫判断物理隔离状态时忽略的网络接口（名称以逗号分隔）",
        field: Field::Names {
            get: |p| p.network_ignore(),
            set: |p, v| p.network_ignore = Some(v),
        },
    },
    Setting {
        name: "guard-unknown-level",
        help_en: "The level at which the guard seals a copy whose content is no vault item's",
        help_zh: "内容与保险库条目均不相符的副本，守卫按此密级封存",
        field: Field::Level {
            get: |p| p.guard_unknown_level(),
            set: |p, v| p.guard_unknown_level = Some(v),
        },
    },
    Setting {
        name: "unregistered-media",
        help_en: "What the guard does when a medium outside the register is mounted: alert, or alert and block the USB device",
        help_zh: "挂载未登记的存储介质时守卫的处置：告警，或告警并阻断该外接设备",
        field: Field::Choice {
            choices: &["alert", "block"],
            get: |p| p.unregistered_media().as_str(),
            set: |p, v| {
                p.unregistered_media = Some(if v == "block" {
                    MediaResponse::Block
                } else {
                    MediaResponse::Alert
                })
            },
        },
    },
    Setting {
        name: "cloud-override-below",
        help_en: "An officer may export items below this level into a cloud-synced or network folder, the override recorded (secret and above never)",
        help_zh: "低于此密级的条目，安全员可记录例外后导出到云同步或网络文件夹（秘密及以上一律不可）",
        field: Field::Choice {
            choices: &["unclassified", "internal", "confidential", "secret"],
            get: |p| p.cloud_override_below().name(),
            set: |p, v| p.cloud_override_below = v.parse().ok(),
        },
    },
    Setting {
        name: "cloud-marking-patterns",
        help_en: "A site's own classification markings the guard looks for in synced folders, beside SECRET, 机密 and the others: separated by semicolons",
        help_zh: "本单位自定的密级标识，守护进程在云同步文件夹中与“秘密”“机密”等一并查找；以分号分隔",
        field: Field::Text {
            max_chars: 2000,
            check: check_patterns,
            get: |p| p.cloud_marking_patterns.clone().unwrap_or_default(),
            set: |p, v| p.cloud_marking_patterns = Some(v).filter(|v| !v.trim().is_empty()),
        },
    },
    Setting {
        name: "unregistered-media-exports",
        help_en: "Whether items below the two-person level may be exported to a medium outside the register",
        help_zh: "低于双人控制密级的条目是否可导出到未登记的存储介质",
        field: Field::Choice {
            choices: &["allow", "refuse"],
            get: |p| {
                if p.unregistered_media_exports() {
                    "allow"
                } else {
                    "refuse"
                }
            },
            set: |p, v| p.unregistered_media_exports = Some(v == "allow"),
        },
    },
    Setting {
        name: "transfer-offer-hours",
        help_en: "Hours an offer of custody stays open before it lapses",
        help_zh: "保管权移交邀约的有效小时数，过期作废",
        field: Field::Number {
            min: 1,
            max: 720,
            get: |p| p.transfer_offer_hours(),
            set: |p, v| p.transfer_offer_hours = Some(v),
        },
    },
    Setting {
        name: "retention-days-unclassified",
        help_en: "Days a new unclassified item is kept before it is due for destruction (0: no default date)",
        help_zh: "新入库的公开级条目默认保留天数，到期列入待销毁清单（0：不设默认日期）",
        field: Field::Number {
            min: 0,
            max: 36_500,
            get: |p| p.retention_days_unclassified.unwrap_or(0),
            set: |p, v| p.retention_days_unclassified = Some(v),
        },
    },
    Setting {
        name: "retention-days-internal",
        help_en: "Days a new internal item is kept before it is due for destruction (0: no default date)",
        help_zh: "新入库的内部级条目默认保留天数，到期列入待销毁清单（0：不设默认日期）",
        field: Field::Number {
            min: 0,
            max: 36_500,
            get: |p| p.retention_days_internal.unwrap_or(0),
            set: |p, v| p.retention_days_internal = Some(v),
        },
    },
    Setting {
        name: "retention-days-confidential",
        help_en: "Days a new confidential item is kept before it is due for destruction (0: no default date)",
        help_zh: "新入库的秘密级条目默认保留天数，到期列入待销毁清单（0：不设默认日期）",
        field: Field::Number {
            min: 0,
            max: 36_500,
            get: |p| p.retention_days_confidential.unwrap_or(0),
            set: |p, v| p.retention_days_confidential = Some(v),
        },
    },
    Setting {
        name: "retention-days-secret",
        help_en: "Days a new secret item is kept before it is due for destruction (0: no default date)",
        help_zh: "新入库的机密级条目默认保留天数，到期列入待销毁清单（0：不设默认日期）",
        field: Field::Number {
            min: 0,
            max: 36_500,
            get: |p| p.retention_days_secret.unwrap_or(0),
            set: |p, v| p.retention_days_secret = Some(v),
        },
    },
    Setting {
        name: "retention-days-top-secret",
        help_en: "Days a new top-secret item is kept before it is due for destruction (0: no default date)",
        help_zh: "新入库的绝密级条目默认保留天数，到期列入待销毁清单（0：不设默认日期）",
        field: Field::Number {
            min: 0,
            max: 36_500,
            get: |p| p.retention_days_top_secret.unwrap_or(0),
            set: |p, v| p.retention_days_top_secret = Some(v),
        },
    },
    Setting {
        name: "certificate-organization",
        help_en: "The organization named on certificates of destruction",
        help_zh: "销毁证明上署名的单位",
        field: Field::Text {
            max_chars: 120,
            check: |_| Ok(()),
            get: |p| p.certificate_organization.clone().unwrap_or_default(),
            set: |p, v| p.certificate_organization = Some(v).filter(|v| !v.is_empty()),
        },
    },
    Setting {
        name: "certificate-location",
        help_en: "The place named on certificates of destruction (site, building, room)",
        help_zh: "销毁证明上注明的地点（单位、楼宇、房间）",
        field: Field::Text {
            max_chars: 120,
            check: |_| Ok(()),
            get: |p| p.certificate_location.clone().unwrap_or_default(),
            set: |p, v| p.certificate_location = Some(v).filter(|v| !v.is_empty()),
        },
    },
    Setting {
        name: "certificate-titles",
        help_en: "People's titles on certificates of destruction: name=title, separated by semicolons",
        help_zh: "销毁证明上人员的职务：用户名=职务，以分号分隔",
        field: Field::Text {
            max_chars: 2000,
            check: check_titles,
            get: |p| p.certificate_titles.clone().unwrap_or_default(),
            set: |p, v| p.certificate_titles = Some(v).filter(|v| !v.is_empty()),
        },
    },
];

/// `name=title; name=title`: each entry has a name and a title (the certificate names people
/// by their login name and this title).
fn check_titles(value: &str) -> std::result::Result<(), String> {
    for entry in value.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        match entry.split_once('=') {
            Some((name, title)) if !name.trim().is_empty() && !title.trim().is_empty() => {}
            _ => return Err(format!("'{entry}' is not name=title")),
        }
    }
    Ok(())
}

/// Site markings: each at least three characters (a shorter one would match nearly every
/// file) and at most 100.
fn check_patterns(value: &str) -> std::result::Result<(), String> {
    for pattern in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let chars = pattern.chars().count();
        if chars < 3 && pattern.is_ascii() || chars < 2 {
            return Err(format!(
                "'{pattern}' is too short to be a marking: it would match ordinary files"
            ));
        }
        if chars > 100 {
            return Err(format!(
                "'{}…' is longer than 100 characters",
                pattern.chars().take(20).collect::<String>()
            ));
        }
    }
    Ok(())
}

/// The title `certificate-titles` gives the user `name`, if any.
pub fn title_of(policy: &Policy, name: &str) -> Option<String> {
    let titles = policy.certificate_titles.as_deref()?;
    titles
        .split(';')
        .filter_map(|entry| entry.split_once('='))
        .find(|(n, _)| n.trim() == name)
        .map(|(_, title)| title.trim().to_string())
}

impl Field {
    /// Whether its value is typed (and saved with a button or Enter) rather than chosen.
    pub fn is_typed(&self) -> bool {
        matches!(self, Field::Number { .. } | Field::Names { .. } | Field::Text { .. })
    }
}

impl Setting {
    /// The setting called `name`.
    pub fn named(name: &str) -> Option<&'static Setting> {
        SETTINGS.iter().find(|s| s.name == name)
    }

    /// Its allowed values, for help texts and refusals.
    pub fn values(&self) -> String {
        match self.field {
            Field::Number { min, max, .. } => format!("{min}–{max}"),
            Field::Level { .. } => "unclassified … top-secret".into(),
            Field::Choice { choices, .. } => choices.join(" | "),
            Field::Switch { .. } => "yes | no".into(),
            Field::Names { .. } => "eth0, wlan0 …".into(),
            Field::Text { max_chars, .. } => format!("text, at most {max_chars} characters"),
        }
    }

    /// Its value in `policy` as text.
    pub fn get(&self, policy: &Policy) -> String {
        match self.field {
            Field::Number { get, .. } => get(policy).to_string(),
            Field::Level { get, .. } => get(policy).name().to_string(),
            Field::Choice { get, .. } => get(policy).to_string(),
            Field::Switch { get, .. } => if get(policy) { "yes" } else { "no" }.to_string(),
            Field::Names { get, .. } => get(policy).join(","),
            Field::Text { get, .. } => get(policy),
        }
    }

    /// Parse `value` and write it into `policy`, or refuse it naming the allowed values.
    pub(crate) fn set(&self, policy: &mut Policy, value: &str) -> Result<()> {
        let key = self.name;
        let value = value.trim();
        match self.field {
            Field::Number { min, max, set, .. } => {
                let number = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (min..=max).contains(n))
                    .ok_or_else(|| Error::InvalidInput(format!("{key} must be a whole number from {min} to {max}")))?;
                set(policy, number);
            }
            Field::Level { set, .. } => {
                let level = value
                    .parse::<Level>()
                    .map_err(|_| Error::InvalidInput(format!("{key} must be a level (unclassified … top-secret)")))?;
                set(policy, level);
            }
            Field::Choice { choices, set, .. } => {
                if !choices.contains(&value) {
                    return Err(Error::InvalidInput(format!("{key} must be {}", choices.join(" or "))));
                }
                set(policy, value);
            }
            Field::Switch { set, .. } => {
                let on = match value {
                    "yes" => true,
                    "no" => false,
                    _ => return Err(Error::InvalidInput(format!("{key} must be yes or no"))),
                };
                set(policy, on);
            }
            Field::Names { set, .. } => set(policy, parse_names(key, value)?),
            Field::Text {
                max_chars, check, set, ..
            } => {
                if value.chars().count() > max_chars || value.chars().any(char::is_control) {
                    return Err(Error::InvalidInput(format!(
                        "{key} is text of at most {max_chars} characters, on one line"
                    )));
                }
                check(value).map_err(|why| Error::InvalidInput(format!("{key}: {why}")))?;
                set(policy, value.to_string());
            }
        }
        Ok(())
    }
}

/// Interface names from comma-separated text: each 1–15 characters (the kernel's limit) of
/// letters, digits and `-_.:@`, no duplicates.
fn parse_names(key: &str, value: &str) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.:@".contains(c);
        if name.len() > 15 || !name.chars().all(allowed) {
            return Err(Error::InvalidInput(format!(
                "{key}: '{name}' is not an interface name (1–15 letters, digits or -_.:@)"
            )));
        }
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    if names.len() > MAX_IGNORED_INTERFACES {
        return Err(Error::InvalidInput(format!(
            "{key}: at most {MAX_IGNORED_INTERFACES} names"
        )));
    }
    Ok(names)
}
