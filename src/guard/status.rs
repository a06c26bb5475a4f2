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

/// Gaps between consecutive heartbeats (a `guard.start` counts as one) longer than twice the
/// interval the earlier one names, and a last beat older than that at `now`. Nothing when
/// the guard never ran.
pub fn heartbeat_gaps(conn: &Connection, now: OffsetDateTime) -> Result<Vec<HeartbeatGap>> {
    let mut stmt = conn.prepare(
        "SELECT seq, time, action, json_extract(CAST(canonical AS TEXT), '$.details.interval_seconds') FROM events
         WHERE action IN (?1, ?2) AND json_valid(CAST(canonical AS TEXT)) ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![Action::GuardStart.as_str(), Action::GuardHeartbeat.as_str()])?;
    let mut gaps = Vec::new();
    // (seq, time text, parsed time, allowed seconds until the next beat)
    let mut last: Option<(u64, String, OffsetDateTime, i64)> = None;
    let default_interval = i64::from(crate::accounts::policy::DEFAULT_GUARD_HEARTBEAT_MINUTES) * 60;
    while let Some(row) = rows.next()? {
        let seq = row.get::<_, i64>(0)? as u64;
        let text: String = row.get(1)?;
        let Ok(at) = OffsetDateTime::parse(&text, &Rfc3339) else {
            continue;
        };
        let interval = row
            .get::<_, Option<i64>>(3)?
            .filter(|i| *i > 0)
            .unwrap_or(default_interval);
        if let Some((after_seq, from, then, allowed)) = last.take() {
            let seconds = (at - then).whole_seconds();
            if (at - then).whole_milliseconds() > i128::from(allowed) * 1000 {
                gaps.push(HeartbeatGap {
                    after_seq,
                    from,
                    to: Some(text.clone()),
                    seconds,
                });
            }
        }
        last = Some((seq, text, at, interval.saturating_mul(MISSED_AFTER_INTERVALS)));
    }
    if let Some((after_seq, from, then, allowed)) = last {
        let seconds = (now - then).whole_seconds();
        if (now - then).whole_milliseconds() > i128::from(allowed) * 1000 {
            gaps.push(HeartbeatGap {
                after_seq,
                from,
                to: None,
                seconds,
            });
        }
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
            _ => return None,
        },
        _ => return None,
    })
}

/// The guard's news after `after` (none when `after` is `None`: the first look starts from
/// now), and the newest seq looked at.
pub fn news(conn: &Connection, after: Option<u64>) -> Result<(Vec<GuardNews>, u64)> {
    let newest: Option<i64> = conn.query_row("SELECT MAX(seq) FROM events", [], |r| r.get(0))?;
    let newest = newest.map_or(0, |n| n.max(0) as u64);
    let Some(after) = after else {
        return Ok((Vec::new(), newest));
    };
    let mut stmt = conn.prepare(
        "SELECT seq, action, subject, canonical FROM events
         WHERE action IN ('guard.alert', 'network.change', 'media.mount', 'media.unmount') AND seq > ?1
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
        let details = serde_json::from_slice::<serde_json::Value>(&canonical)
            .map(|v| v["details"].clone())
            .unwrap_or_default();
        out.extend(news_of(&action, &subject, &details));
        if count == MAX_NEWS {
            // More may follow: continue after this one next time.
            through = seq;
        }
    }
    Ok((out, through))
}

/// The newest heartbeat (or start), if it is overdue at `now`.
pub fn late(conn: &Connection, now: OffsetDateTime) -> Result<Option<HeartbeatGap>> {
    let newest: Option<(i64, String, Option<i64>)> = conn
        .query_row(
            "SELECT seq, time, json_extract(CAST(canonical AS TEXT), '$.details.interval_seconds') FROM events
             WHERE action IN (?1, ?2) AND json_valid(CAST(canonical AS TEXT)) ORDER BY seq DESC LIMIT 1",
            params![Action::GuardStart.as_str(), Action::GuardHeartbeat.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((seq, from, interval)) = newest else {
        return Ok(None);
    };
    let Ok(then) = OffsetDateTime::parse(&from, &Rfc3339) else {
        return Ok(None);
    };
    let default_interval = i64::from(crate::accounts::policy::DEFAULT_GUARD_HEARTBEAT_MINUTES) * 60;
    let allowed = interval.filter(|i| *i > 0).unwrap_or(default_interval) * MISSED_AFTER_INTERVALS;
    let elapsed = now - then;
    Ok(
        (elapsed.whole_milliseconds() > i128::from(allowed) * 1000).then(|| HeartbeatGap {
            after_seq: seq as u64,
            from,
            to: None,
            seconds: elapsed.whole_seconds(),
        }),
    )
}
