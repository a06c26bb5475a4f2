//! What `guard status`, the app's status strip and `ledger verify` say about the guard: the
//! air-gap state and the media now (read live, as any user can), whether a guard holds the
//! vault's lock and since when, and the gaps in its heartbeats. Gaps and "no guard running"
//! are warnings, never integrity failures.

use std::path::PathBuf;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::Result;
use crate::guard::lock::Holder;
use crate::guard::media::{self, Medium};
use crate::guard::network::NetState;
use crate::guard::probes::{DeviceProbe, MountProbe, NetworkProbe};
use crate::ledger::Action;

/// The guard as the station sees it.
#[derive(Clone, Debug, Serialize)]
pub struct GuardStatus {
    /// Whether an officer enabled a guard (the directory names a guard key).
    pub enabled: bool,
    /// The guard holding the vault's lock, if one runs.
    pub running: Option<Holder>,
    /// The air-gap state now.
    pub network: NetState,
    /// Removable media mounted now.
    pub media: Vec<Medium>,
    /// Gaps in the heartbeats (and a missing latest one), oldest first.
    pub gaps: Vec<HeartbeatGap>,
    /// The newest events the guard wrote, newest first (seq, time, action, subject).
    pub last_events: Vec<GuardEventLine>,
    /// Directories the copy watch could not cover (inotify watches ran out), as the guard's
    /// latest heartbeat or start said; they are scanned every minute instead.
    pub unwatched_dirs: Option<u64>,
}

/// One event of the guard, in a status.
#[derive(Clone, Debug, Serialize)]
pub struct GuardEventLine {
    /// Its seq.
    pub seq: u64,
    /// When.
    pub time: String,
    /// What.
    pub action: String,
    /// About what.
    pub subject: String,
}

/// A stretch with no heartbeat: the guard was not watching (or not writing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeartbeatGap {
    /// The last heartbeat or start before the gap.
    pub after_seq: u64,
    /// Its time.
    pub from: String,
    /// The next one's time, or `None` when none came since (up to now).
    pub to: Option<String>,
    /// Length in seconds.
    pub seconds: i64,
}

/// What an officer is warned of about the guard (never an integrity failure).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "warning")]
pub enum GuardWarning {
    /// A guard is enabled for this vault, but none holds its lock.
    NotRunning,
    /// The guard's heartbeats stopped for a while (or since the last one).
    HeartbeatGap(HeartbeatGap),
}

impl std::fmt::Display for GuardWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GuardWarning::NotRunning => write!(f, "no guard is running for this vault, although one is enabled"),
            GuardWarning::HeartbeatGap(HeartbeatGap {
                from,
                to: Some(to),
                seconds,
                ..
            }) => {
                write!(f, "no guard heartbeat from {from} to {to} ({seconds} s)")
            }
            GuardWarning::HeartbeatGap(HeartbeatGap {
                from,
                to: None,
                seconds,
                ..
            }) => {
                write!(f, "no guard heartbeat since {from} ({seconds} s)")
            }
        }
    }
}

/// The warnings about the guard: gaps in its heartbeats, and none running when `enabled`.
pub fn warnings(gaps: Vec<HeartbeatGap>, enabled: bool, running: bool) -> Vec<GuardWarning> {
    let mut out: Vec<GuardWarning> = gaps.into_iter().map(GuardWarning::HeartbeatGap).collect();
    if enabled && !running {
        out.push(GuardWarning::NotRunning);
    }
    out
}

/// A beat is missed when none comes within this many intervals.
const MISSED_AFTER_INTERVALS: i64 = 2;

/// The air-gap state and the removable media now, read through `probes`.
pub fn live(
    network: &mut dyn NetworkProbe,
    mounts: &mut dyn MountProbe,
    devices: &dyn DeviceProbe,
    roots: &[PathBuf],
    ignored: &[String],
) -> std::io::Result<(NetState, Vec<Medium>)> {
    let snapshot = network.snapshot()?;
    let table = mounts.mounts()?;
    Ok((
        NetState::of(&snapshot, ignored),
        media::removable_media(&table, devices, roots),
    ))
}

/// The newest `limit` events the guard wrote, newest first.
pub fn last_events(conn: &Connection, limit: u64) -> Result<Vec<GuardEventLine>> {
    let actions = crate::ledger::events::WRITTEN_BY_THE_GUARD
        .iter()
        .map(|a| format!("'{}'", a.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = conn.prepare(&format!(
        "SELECT seq, time, action, subject FROM events WHERE action IN ({actions}) ORDER BY seq DESC LIMIT ?1"
    ))?;
    let rows = stmt.query_map(params![limit as i64], |r| {
        Ok(GuardEventLine {
            seq: r.get::<_, i64>(0)? as u64,
            time: r.get(1)?,
            action: r.get(2)?,
            subject: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The unwatched directories the guard's newest heartbeat or start reported, if any did.
pub fn unwatched_dirs(conn: &Connection) -> Result<Option<u64>> {
    let found: Option<Option<i64>> = conn
        .query_row(
            "SELECT json_extract(CAST(canonical AS TEXT), '$.details.unwatched_dirs') FROM events
             WHERE action IN ('guard.heartbeat', 'guard.start') AND json_valid(CAST(canonical AS TEXT))
             ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(found.flatten().and_then(|n| u64::try_from(n).ok()))
}

/// Longest interval a heartbeat may name (the policy's maximum): a forged row cannot stretch
/// the allowed gap further.
const MAX_INTERVAL_SECONDS: i64 = 1440 * 60;

/// One heartbeat (or start) the guard key vouches for.
struct Beat {
    seq: u64,
    time: String,
    at: OffsetDateTime,
    interval: i64,
}

/// The heartbeat stored at `seq` with `canonical` bytes and `signature`, if `guard_key`
/// signed exactly these bytes naming this seq.
fn signed_beat(seq: i64, canonical: &[u8], signature: Option<&[u8]>, guard_key: &[u8; 32]) -> Option<Beat> {
    let signature = signature?;
    crate::crypto::sign::verify(
        guard_key,
        crate::ledger::events::GUARD_EVENT_CONTEXT,
        canonical,
        signature,
    )
    .ok()?;
    let event: serde_json::Value = serde_json::from_slice(canonical).ok()?;
    if event["seq"].as_i64() != Some(seq) {
        return None;
    }
    let time = event["time"].as_str()?.to_string();
    let at = OffsetDateTime::parse(&time, &Rfc3339).ok()?;
    let default_interval = i64::from(crate::accounts::policy::DEFAULT_GUARD_HEARTBEAT_MINUTES) * 60;
    let interval = event["details"]["interval_seconds"]
        .as_i64()
        .filter(|i| *i > 0)
        .unwrap_or(default_interval)
        .min(MAX_INTERVAL_SECONDS);
    Some(Beat {
        seq: seq as u64,
        time,
        at,
        interval,
    })
}

/// Whether `later` comes too long after `beat`.
fn overdue(beat: &Beat, later: OffsetDateTime) -> bool {
    (later - beat.at).whole_milliseconds() > i128::from(beat.interval * MISSED_AFTER_INTERVALS) * 1000
}

/// Gaps between consecutive heartbeats (a `guard.start` counts as one) longer than twice the
/// interval the earlier one names, and a last beat older than that at `now`. Only beats the
/// guard key `guard_key` signed count: a row added with SQL neither hides a gap nor makes one.
pub fn heartbeat_gaps(conn: &Connection, guard_key: &[u8; 32], now: OffsetDateTime) -> Result<Vec<HeartbeatGap>> {
    let mut stmt =
        conn.prepare("SELECT seq, canonical, guard_signature FROM events WHERE action IN (?1, ?2) ORDER BY seq")?;
    let mut rows = stmt.query(params![Action::GuardStart.as_str(), Action::GuardHeartbeat.as_str()])?;
    let mut gaps = Vec::new();
    let mut last: Option<Beat> = None;
    while let Some(row) = rows.next()? {
        let canonical: Vec<u8> = row.get(1)?;
        let signature: Option<Vec<u8>> = row.get(2)?;
        let Some(beat) = signed_beat(row.get(0)?, &canonical, signature.as_deref(), guard_key) else {
            continue;
        };
        if let Some(before) = last.take()
            && overdue(&before, beat.at)
        {
            gaps.push(HeartbeatGap {
                after_seq: before.seq,
                seconds: (beat.at - before.at).whole_seconds(),
                from: before.time,
                to: Some(beat.time.clone()),
            });
        }
        last = Some(beat);
    }
    if let Some(before) = last
        && overdue(&before, now)
    {
        gaps.push(HeartbeatGap {
            after_seq: before.seq,
            seconds: (now - before.at).whole_seconds(),
            from: before.time,
            to: None,
        });
    }
    Ok(gaps)
}

/// What the app's status strip shows, read every second or so: cheap (no scan of the whole
/// ledger), and nothing secret, so it needs no session.
#[derive(Clone, Debug, Serialize)]
pub struct GuardStrip {
    /// Whether a guard is enabled for this vault (its state exists).
    pub enabled: bool,
    /// The guard holding the vault's lock, if one runs.
    pub running: Option<Holder>,
    /// The air-gap state now.
    pub network: NetState,
    /// Removable media mounted now.
    pub media: Vec<Medium>,
    /// The latest heartbeat is overdue (the guard stopped beating).
    pub late: Option<HeartbeatGap>,
    /// What the guard recorded after the seq asked about, oldest first (at most
    /// [`MAX_NEWS`]).
    pub news: Vec<GuardNews>,
    /// The newest seq looked at: ask after it next time.
    pub through: u64,
    /// Cloud-synced and network folders found, and sync clients running.
    pub cloud: crate::cloud::finding::CloudStrip,
}

/// At most this many news items are returned at once (the rest are in the ledger).
pub const MAX_NEWS: u64 = 20;

/// Something the guard recorded that the person at the station should hear of at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum GuardNews {
    /// A new network interface on an air-gapped station.
    NewInterface {
        /// Its name.
        interface: String,
    },
    /// A medium mounted while networked.
    MediumWhileNetworked {
        /// The medium's name.
        medium: String,
    },
    /// The network came up while a medium is mounted.
    NetworkWhileMedium,
    /// The air-gap state changed.
    NetworkChanged {
        /// Whether it is networked now.
        networked: bool,
        /// The interfaces that make it so.
        interfaces: Vec<String>,
    },
    /// A medium was mounted.
    Mounted {
        /// Its name.
        medium: String,
    },
    /// A medium was unmounted.
    Unmounted {
        /// Its name.
        medium: String,
    },
    /// The guard refused the stored directory (rolled back, or not verifying).
    DirectoryDistrusted,
    /// A vault item's content was found where no export put it.
    VaultMaterial,
    /// A medium outside the register was mounted.
    UnregisteredMedium {
        /// Its name.
        medium: String,
    },
    /// Vault material or a marked file was found in a synced or network folder.
    InSyncedFolder {
        /// The provider's name (`Dropbox`, `NFS share` …).
        provider: String,
    },
    /// A file was copied from a medium onto this machine.
    Copied {
        /// The medium's name.
        medium: String,
        /// Whether the station was networked (then it is an alert too).
        networked: bool,
    },
}

impl GuardNews {
    /// Whether it is an alert (it also appears on the Alerts screen, explained there).
    pub fn is_alert(&self) -> bool {
        matches!(
            self,
            GuardNews::NewInterface { .. }
                | GuardNews::MediumWhileNetworked { .. }
                | GuardNews::NetworkWhileMedium
                | GuardNews::DirectoryDistrusted
                | GuardNews::VaultMaterial
                | GuardNews::InSyncedFolder { .. }
                | GuardNews::UnregisteredMedium { .. }
                | GuardNews::Copied { networked: true, .. }
        )
    }
}

fn news_of(action: &str, subject: &str, details: &serde_json::Value) -> Option<GuardNews> {
    let names = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    Some(match action {
        "media.mount" => GuardNews::Mounted { medium: subject.into() },
        "media.unmount" => GuardNews::Unmounted { medium: subject.into() },
        "guard.copy" => GuardNews::Copied {
            medium: subject.into(),
            networked: false,
        },
        "guard.copy.alert" => GuardNews::Copied {
            medium: subject.into(),
            networked: true,
        },
        "cloud.material.alert" | "cloud.marking.alert" => GuardNews::InSyncedFolder {
            provider: details["provider_name"].as_str().unwrap_or(subject).into(),
        },
        "network.change" => GuardNews::NetworkChanged {
            networked: details["to"] == "networked",
            interfaces: names(&details["interfaces"]),
        },
        "guard.alert" => match details["finding"].as_str()? {
            "new_interface" => GuardNews::NewInterface {
                interface: subject.into(),
            },
            "medium_while_networked" => GuardNews::MediumWhileNetworked { medium: subject.into() },
            "network_while_medium" => GuardNews::NetworkWhileMedium,
            "directory_rolled_back" | "directory_refused" => GuardNews::DirectoryDistrusted,
            "vault_material" => GuardNews::VaultMaterial,
            "unregistered_medium" => GuardNews::UnregisteredMedium { medium: subject.into() },
            _ => return None,
        },
        _ => return None,
    })
}

/// The guard's news after `after` (none when `after` is `None`: the first look starts from
/// now), and the newest seq looked at.
pub fn news(conn: &Connection, guard_key: &[u8; 32], after: Option<u64>) -> Result<(Vec<GuardNews>, u64)> {
    let newest: Option<i64> = conn.query_row("SELECT MAX(seq) FROM events", [], |r| r.get(0))?;
    let newest = newest.map_or(0, |n| n.max(0) as u64);
    let Some(after) = after else {
        return Ok((Vec::new(), newest));
    };
    let mut stmt = conn.prepare(
        "SELECT seq, action, subject, canonical, guard_signature FROM events
         WHERE action IN ('guard.alert', 'network.change', 'media.mount', 'media.unmount', 'guard.copy', 'guard.copy.alert', 'cloud.material.alert', 'cloud.marking.alert') AND seq > ?1
         ORDER BY seq LIMIT ?2",
    )?;
    let mut rows = stmt.query(params![after as i64, MAX_NEWS as i64])?;
    let mut out = Vec::new();
    let mut through = newest.max(after);
    let mut count = 0;
    while let Some(row) = rows.next()? {
        count += 1;
        let seq = row.get::<_, i64>(0)? as u64;
        let action: String = row.get(1)?;
        let subject: String = row.get(2)?;
        let canonical: Vec<u8> = row.get(3)?;
        let signature: Option<Vec<u8>> = row.get(4)?;
        // Only what the guard signed is news (a row added with SQL is the sign-in's business).
        let signed = signature.as_deref().is_some_and(|signature| {
            crate::crypto::sign::verify(
                guard_key,
                crate::ledger::events::GUARD_EVENT_CONTEXT,
                &canonical,
                signature,
            )
            .is_ok()
        });
        let details = serde_json::from_slice::<serde_json::Value>(&canonical)
            .ok()
            .filter(|v| signed && v["seq"].as_u64() == Some(seq))
            .map(|v| v["details"].clone());
        if let Some(details) = details {
            out.extend(news_of(&action, &subject, &details));
        }
        if count == MAX_NEWS {
            // More may follow: continue after this one next time.
            through = seq;
        }
    }
    Ok((out, through))
}

/// The newest heartbeat (or start) `guard_key` signed, if it is overdue at `now`.
pub fn late(conn: &Connection, guard_key: &[u8; 32], now: OffsetDateTime) -> Result<Option<HeartbeatGap>> {
    let mut stmt = conn.prepare(
        "SELECT seq, canonical, guard_signature FROM events WHERE action IN (?1, ?2) ORDER BY seq DESC LIMIT 64",
    )?;
    let mut rows = stmt.query(params![Action::GuardStart.as_str(), Action::GuardHeartbeat.as_str()])?;
    while let Some(row) = rows.next()? {
        let canonical: Vec<u8> = row.get(1)?;
        let signature: Option<Vec<u8>> = row.get(2)?;
        if let Some(beat) = signed_beat(row.get(0)?, &canonical, signature.as_deref(), guard_key) {
            return Ok(overdue(&beat, now).then(|| HeartbeatGap {
                after_seq: beat.seq,
                seconds: (now - beat.at).whole_seconds(),
                from: beat.time,
                to: None,
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sign::SignKey;
    use crate::ledger::events::{self, NewEvent};

    fn beat(interval: u64) -> NewEvent {
        crate::guard::record::heartbeat(interval, &NetState::AirGapped, 0, 0)
    }

    fn at(text: &str) -> OffsetDateTime {
        OffsetDateTime::parse(text, &Rfc3339).unwrap()
    }

    /// Append `event` at `time`, signed by `key` (or, as an insider would, unsigned).
    fn append(conn: &mut Connection, time: &str, event: &NewEvent, key: Option<&SignKey>) {
        let tx = conn.transaction().unwrap();
        match key {
            Some(key) => events::append_by_guard(&tx, at(time), event, key).unwrap(),
            None => events::append(&tx, at(time), event, None).unwrap(),
        };
        tx.commit().unwrap();
    }

    #[test]
    fn only_beats_the_guard_key_signed_count_for_gaps() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::db::open(&dir.path().join("g.db"), true).unwrap();
        let key = SignKey::random().unwrap();
        let other = SignKey::random().unwrap();
        append(&mut conn, "2026-12-07T08:00:00.000Z", &beat(60), Some(&key));
        append(&mut conn, "2026-12-07T08:01:00.000Z", &beat(60), Some(&key));
        // The guard stops for ten minutes. Rows in its name, unsigned or signed by another
        // key, with an interval long enough to cover anything, do not hide the gap.
        append(&mut conn, "2026-12-07T08:05:00.000Z", &beat(86_400_000), None);
        append(&mut conn, "2026-12-07T08:06:00.000Z", &beat(86_400_000), Some(&other));
        append(&mut conn, "2026-12-07T08:11:00.000Z", &beat(60), Some(&key));
        let gaps = heartbeat_gaps(&conn, &key.public(), at("2026-12-07T08:11:30.000Z")).unwrap();
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert_eq!(gaps[0].from, "2026-12-07T08:01:00.000Z");
        assert_eq!(gaps[0].to.as_deref(), Some("2026-12-07T08:11:00.000Z"));
        assert_eq!(gaps[0].seconds, 600);
        // Late: nothing signed since 08:11 at 08:14 (twice 60 s passed).
        let late = late(&conn, &key.public(), at("2026-12-07T08:14:00.000Z"))
            .unwrap()
            .unwrap();
        assert_eq!(late.from, "2026-12-07T08:11:00.000Z");
        assert!(
            super::late(&conn, &key.public(), at("2026-12-07T08:12:00.000Z"))
                .unwrap()
                .is_none()
        );
        // A huge interval, even signed, is capped at a day (late after twice that).
        append(&mut conn, "2026-12-07T08:20:00.000Z", &beat(86_400_000), Some(&key));
        let later = at("2026-12-10T08:20:00.000Z");
        assert!(super::late(&conn, &key.public(), later).unwrap().is_some());
    }

    #[test]
    fn news_is_what_the_guard_signed_after_the_seq_asked_about() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::db::open(&dir.path().join("g.db"), true).unwrap();
        let key = SignKey::random().unwrap();
        let (none, through) = news(&conn, &key.public(), None).unwrap();
        assert!(none.is_empty());
        let alert = crate::guard::record::alert(
            crate::guard::record::GuardFinding::NewInterface,
            "wwan0",
            crate::details! { "interface": "wwan0" },
        );
        append(&mut conn, "2026-12-07T08:00:00.000Z", &alert, None);
        append(&mut conn, "2026-12-07T08:00:01.000Z", &alert, Some(&key));
        let (found, next) = news(&conn, &key.public(), Some(through)).unwrap();
        assert_eq!(
            found,
            [GuardNews::NewInterface {
                interface: "wwan0".into()
            }]
        );
        assert!(found[0].is_alert());
        assert!(news(&conn, &key.public(), Some(next)).unwrap().0.is_empty());
        // A cloud alert names the folder's provider.
        let cloud = crate::guard::record::event(
            crate::ledger::Action::CloudMarkingAlert,
            "syncthing",
            crate::details! { "provider_name": "Syncthing", "marking": "SECRET" },
        );
        append(&mut conn, "2026-12-07T08:00:02.000Z", &cloud, Some(&key));
        let (found, _) = news(&conn, &key.public(), Some(next)).unwrap();
        assert_eq!(
            found,
            [GuardNews::InSyncedFolder {
                provider: "Syncthing".into()
            }]
        );
        assert!(found[0].is_alert());
    }
}
