//! A certificate against the ledger. Its body is rebuilt from the events that carry its
//! number (every one of them, and no other), the items' histories (category, exports) and
//! the register (a medium's file system), the way the destroying transaction built it; a
//! stored body that differs in anything but the titles, organization and location of the
//! people named (the policy's, which an officer may change) was changed outside Strongroom.
//! Its checkpoint must be one the station stores. Whether the events themselves are the
//! ledger's is `ledger verify`'s question, which signing asks too.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::encoding::base64;
use crate::ledger::checkpoint;
use crate::{Level, Result};

use super::build::{self, ItemFacts, Occasion};
use super::{Certificate, DestroyedItem, DestroyedMedium, Person, Subject};

/// The actions whose events a certificate lists.
const DESTRUCTIONS: &str = "'item.destroy', 'media.destroy'";

/// Whether `event` (an event's canonical JSON) is the destruction `certificate` lists at
/// `seq`: the action, the item or medium, its level, size and hash, who, why, when and the
/// certificate's number all agree. Used off the station against a bundle.
pub fn event_matches(certificate: &Certificate, seq: u64, event: &Value) -> bool {
    let details = &event["details"];
    if event["seq"] != seq
        || event["time"] != certificate.destroyed_at.as_str()
        || event["actor"] != certificate.performed_by.name.as_str()
        || details["certificate"] != certificate.number.as_str()
        || details["reason"] != certificate.reason.as_str()
    {
        return false;
    }
    // Whoever the event names as the second person, the certificate names too.
    let validation = certificate.validation.as_deref().unwrap_or_default();
    if let Some(witness) = details["witness"].as_str()
        && (validation != "witness" || certificate.validated_by.as_ref().map(|p| p.name.as_str()) != Some(witness))
    {
        return false;
    }
    if let (Some(request), Some(approver)) = (details["request"].as_u64(), details["approved_by"].as_str())
        && !validation.contains(&approval(request, approver))
    {
        return false;
    }
    if let Some(item) = certificate.items.iter().find(|i| i.seq == seq) {
        return event["action"] == "item.destroy"
            && event["subject"] == item.control_number.as_str()
            && event["level"] == item.level.name()
            && details["control_number"] == item.control_number.as_str()
            && details["sha256"] == item.sha256.as_str()
            && details["size"] == item.size;
    }
    certificate.medium.as_ref().is_some_and(|medium| {
        medium.seq == seq && event["action"] == "media.destroy" && details["medium"] == medium.medium.as_str()
    })
}

/// How a certificate names one approved request: `request 3 by carol`.
pub fn approval(request: u64, approver: &str) -> String {
    format!("request {request} by {approver}")
}

/// A certificate rebuilt from the ledger, and every event seq it was rebuilt from (the
/// destructions and the items' histories): what must be proven before it is signed.
pub struct Rebuilt {
    /// The certificate.
    pub certificate: Certificate,
    /// The seqs read.
    pub seqs: Vec<u64>,
}

/// The certificate the ledger makes for `number`, with `person` naming each person (their
/// title, organization and location), or why there is none. `ledger` (the checkpoint) is
/// taken from `claimed` and checked against the stored checkpoints.
pub fn rebuild(
    conn: &Connection,
    claimed: &Certificate,
    person: &dyn Fn(&str) -> Person,
) -> Result<std::result::Result<Rebuilt, String>> {
    let number = claimed.number.as_str();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT seq, canonical FROM events WHERE seq >= 0 AND action IN ({DESTRUCTIONS})
           AND json_valid(CAST(canonical AS TEXT))
           AND json_extract(canonical, '$.details.certificate') = ?1 ORDER BY seq"
    ))?;
    let events: Vec<(i64, Vec<u8>)> = stmt
        .query_map(params![number], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let events: Vec<(u64, Value)> = events
        .into_iter()
        .filter_map(|(seq, bytes)| Some((u64::try_from(seq).ok()?, serde_json::from_slice(&bytes).ok()?)))
        .collect();
    let mut listed = claimed.seqs();
    listed.sort_unstable();
    let found: Vec<u64> = events.iter().map(|(seq, _)| *seq).collect();
    if found != listed {
        return Ok(Err(format!(
            "the ledger's events for {number} are seq {found:?}, the certificate lists {listed:?}"
        )));
    }
    let Some((_, first)) = events.first() else {
        return Ok(Err(format!("the ledger has no event for {number}")));
    };
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let (actor, time, reason) = (
        text(&first["actor"]),
        text(&first["time"]),
        text(&first["details"]["reason"]),
    );
    if events.iter().any(|(seq, e)| {
        text(&e["actor"]) != actor
            || text(&e["time"]) != time
            || text(&e["details"]["reason"]) != reason
            || e["seq"] != *seq
    }) {
        return Ok(Err(format!("the events of {number} disagree on who, when or why")));
    }
    let witness = events
        .iter()
        .find_map(|(_, e)| e["details"]["witness"].as_str().map(str::to_string));
    let (validated_by, validation) = match witness {
        Some(w) => (Some(person(&w)), Some("witness".to_string())),
        None => {
            let approvals: Vec<(u64, &str)> = events
                .iter()
                .filter_map(|(_, e)| Some((e["details"]["request"].as_u64()?, e["details"]["approved_by"].as_str()?)))
                .collect();
            match approvals.first() {
                None => (None, None),
                Some((_, first)) => (Some(person(first)), Some(approvals_text(&approvals))),
            }
        }
    };
    // The range is the events'; the checkpoint, the one written with them (it covers
    // exactly up to the last of them).
    let Some(start) = epoch_start(conn, &claimed.ledger.origin, &claimed.station)? else {
        return Ok(Err(format!("{} is not a log of this station", claimed.ledger.origin)));
    };
    let (Some(&first_seq), Some(&last_seq)) = (found.first(), found.last()) else {
        return Ok(Err(format!("the ledger has no event for {number}")));
    };
    let size = (last_seq + 1).saturating_sub(start);
    if claimed.ledger.checkpoint_size != size || first_seq < start {
        return Ok(Err(format!(
            "{number} names a checkpoint other than the one written with its destruction (size {size})"
        )));
    }
    let ledger = super::LedgerRecord {
        origin: claimed.ledger.origin.clone(),
        first_seq,
        last_seq,
        checkpoint_size: size,
        checkpoint_root: claimed.ledger.checkpoint_root.clone(),
    };
    let mut seqs = found.clone();
    let occasion = Occasion {
        number: number.to_string(),
        station: claimed.station.clone(),
        destroyed_at: time,
        performed_by: person(&actor),
        validated_by,
        validation,
        reason,
        ledger,
    };
    let level_of = |e: &Value| e["level"].as_str().and_then(|l| l.parse::<Level>().ok());
    if claimed.subject == Subject::Medium {
        let [(seq, event)] = events.as_slice() else {
            return Ok(Err(format!("{number} names {} media events", events.len())));
        };
        let medium = text(&event["details"]["medium"]);
        let Some((fs_uuid, serial, registered_at)) = registered(conn, &medium)? else {
            return Ok(Err(format!("the ledger has no registration of medium {medium}")));
        };
        seqs.push(registered_at);
        let Some(level) = level_of(event) else {
            return Ok(Err(format!("event {seq} names no level")));
        };
        let destroyed = DestroyedMedium {
            medium,
            label: text(&event["details"]["label"]),
            fs_uuid,
            serial,
            seq: *seq,
        };
        return Ok(Ok(Rebuilt {
            certificate: build::for_medium(occasion, destroyed, level),
            seqs,
        }));
    }
    let mut items = Vec::with_capacity(events.len());
    for (seq, event) in &events {
        let details = &event["details"];
        let (Some(level), Some(size), Some(item)) =
            (level_of(event), details["size"].as_u64(), details["item"].as_str())
        else {
            return Ok(Err(format!("event {seq} is not a whole destruction")));
        };
        let (category, exports, read) = history_of(conn, item, *seq)?;
        seqs.extend(read);
        items.push(ItemFacts {
            item: DestroyedItem {
                control_number: text(&details["control_number"]),
                level,
                category,
                size,
                sha256: text(&details["sha256"]),
                seq: *seq,
            },
            exports,
        });
    }
    // The certificate lists the items in the order they were named.
    let order: Vec<u64> = claimed.items.iter().map(|i| i.seq).collect();
    items.sort_by_key(|f| order.iter().position(|s| *s == f.item.seq));
    Ok(Ok(Rebuilt {
        certificate: build::for_items(occasion, items),
        seqs,
    }))
}

/// `approved: request 1 by alice; request 2 by carol`: every approval of a batch, by whom.
pub fn approvals_text(approvals: &[(u64, &str)]) -> String {
    let each: Vec<String> = approvals.iter().map(|(r, a)| approval(*r, a)).collect();
    format!("approved: {}", each.join("; "))
}

/// The first seq of the log `origin` of `station` (epoch 0: `strongroom/<station>`; later
/// ones `…/e<N>`), if this station has it.
fn epoch_start(conn: &Connection, origin: &str, station: &str) -> Result<Option<u64>> {
    Ok(crate::ledger::epoch::all(conn)?
        .into_iter()
        .find(|e| crate::ledger::epoch::origin(station, e.number) == origin)
        .map(|e| e.start_seq))
}

/// An item's category (from its import), how many exports of it the ledger records before
/// `before`, and the seqs of every event of the item read for that (all before `before`).
fn history_of(conn: &Connection, item: &str, before: u64) -> Result<(String, u64, Vec<u64>)> {
    let Ok(uuid) = uuid::Uuid::parse_str(item) else {
        return Ok((String::new(), 0, Vec::new()));
    };
    let events: Vec<_> = crate::ledger::events::for_item(conn, crate::ItemId(uuid))?
        .into_iter()
        .filter(|e| e.seq < before)
        .collect();
    let category = events
        .iter()
        .find(|e| e.action == "item.import")
        .and_then(|e| e.json().ok())
        .and_then(|e| e["details"]["category"].as_str().map(str::to_string))
        .unwrap_or_default();
    let exports = events.iter().filter(|e| e.action == "item.export").count() as u64;
    Ok((category, exports, events.iter().map(|e| e.seq).collect()))
}

/// The file-system UUID and serial of medium `id`, from its registration's signed record,
/// and that event's seq.
fn registered(conn: &Connection, id: &str) -> Result<Option<(String, Option<String>, u64)>> {
    let row: Option<(i64, Option<String>)> = conn
        .query_row(
            "SELECT seq, json_extract(canonical, '$.details.record.record') FROM events
             WHERE seq >= 0 AND action = 'media.register' AND json_valid(CAST(canonical AS TEXT))
               AND json_extract(canonical, '$.details.record.record.medium') = ?1 ORDER BY seq LIMIT 1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.and_then(|(seq, text)| {
        let record: Value = serde_json::from_str(&text?).ok()?;
        Some((
            record["fs_uuid"].as_str()?.to_string(),
            record["serial"].as_str().map(str::to_string),
            u64::try_from(seq).ok()?,
        ))
    }))
}

/// `certificate` with the people reduced to their names (what the ledger records of them).
fn names_only(certificate: &Certificate) -> Certificate {
    let strip = |p: &Person| Person {
        name: p.name.clone(),
        title: None,
        organization: None,
        location: None,
    };
    let mut out = certificate.clone();
    out.performed_by = strip(&out.performed_by);
    out.validated_by = out.validated_by.as_ref().map(strip);
    out
}

/// The first way `certificate` disagrees with the ledger, or `None` when it agrees.
pub fn disagreement(conn: &Connection, certificate: &Certificate) -> Result<Option<String>> {
    let name_only = |name: &str| Person {
        name: name.to_string(),
        title: None,
        organization: None,
        location: None,
    };
    match rebuild(conn, certificate, &name_only)? {
        Err(why) => return Ok(Some(why)),
        Ok(expected) if expected.certificate != names_only(certificate) => {
            return Ok(Some(format!(
                "{} is not what the ledger records of that destruction",
                certificate.number
            )));
        }
        Ok(_) => {}
    }
    let ledger = &certificate.ledger;
    let stored: Vec<(String, Vec<u8>)> = {
        let mut stmt = conn.prepare_cached("SELECT note, root FROM checkpoints WHERE tree_size = ?1")?;
        stmt.query_map(
            params![i64::try_from(ledger.checkpoint_size).unwrap_or(i64::MAX)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .collect::<rusqlite::Result<_>>()?
    };
    let found = stored.iter().any(|(note, root)| {
        base64::encode(root) == ledger.checkpoint_root
            && crate::ledger::note::parse(note)
                .ok()
                .and_then(|(text, _)| checkpoint::parse_body(text))
                .is_some_and(|(origin, size, _)| origin == ledger.origin && size == ledger.checkpoint_size)
    });
    if !found {
        return Ok(Some(format!(
            "the station stores no checkpoint of size {} with the root the certificate names",
            ledger.checkpoint_size
        )));
    }
    Ok(None)
}
