//! How each custody event changes an item's history. Every fact comes from the event's
//! canonical bytes (which the ledger's hashes cover), and each event counts only where the
//! item's history so far allows it: an acceptance only of the offer pending to its actor and
//! before it expired, a raise only from the level the item is at, a reassignment or a
//! lowering only with an officer's signature. A row appended with SQL that breaks these
//! rules changes nothing.

use serde_json::Value;

use super::{Destruction, History, Offer, level_named};
use crate::ledger::{Action, StoredEvent};

/// Apply one of the item's events (`value`: its canonical bytes parsed) to its history so
/// far. The bytes must name the row's own seq, so a row copied or inserted out of place (a
/// negative seq, say) counts for nothing.
pub(super) fn apply(
    history: &mut Option<History>,
    event: &StoredEvent,
    value: &Value,
    vouch: &dyn Fn(u64, &[u8]) -> bool,
) {
    if value["seq"].as_u64() != Some(event.seq) {
        return;
    }
    let action = value["action"].as_str().unwrap_or_default();
    match history.as_mut() {
        None if action == Action::ItemImport.as_str() => *history = imported(event.seq, value),
        None => {}
        Some(h) if h.destroyed => {}
        Some(h) => later(h, action, event, value, vouch),
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn imported(seq: u64, value: &Value) -> Option<History> {
    let details = &value["details"];
    let level = value["level"].as_str().and_then(level_named)?;
    let actor = text(&value["actor"]);
    Some(History {
        import_seq: seq,
        level,
        custodian: details["custodian"]
            .as_str()
            .map_or_else(|| actor.clone(), str::to_string),
        importer: actor,
        imported_at: text(&value["time"]),
        category: text(&details["category"]),
        control_number: text(&details["control_number"]),
        size: details["size"].as_u64(),
        sha256: text(&details["sha256"]),
        destroyed: false,
        object_version: 0,
        retain_until: details["retain_until"].as_str().map(str::to_string),
        offer: None,
        destruction: None,
    })
}

fn later(h: &mut History, action: &str, event: &StoredEvent, value: &Value, vouch: &dyn Fn(u64, &[u8]) -> bool) {
    let details = &value["details"];
    let actor = text(&value["actor"]);
    let time = text(&value["time"]);
    match action {
        a if a == Action::ItemReclassify.as_str() => {
            if vouch(event.seq, &event.canonical)
                && let Some(to) = details["to"].as_str().and_then(level_named)
            {
                h.level = to;
            }
        }
        a if a == Action::ItemRaise.as_str() => {
            let from = details["from"].as_str().and_then(level_named);
            let to = details["to"].as_str().and_then(level_named);
            let version = details["object_version"].as_u64();
            if let (Some(from), Some(to), Some(version)) = (from, to, version)
                && from == h.level
                && to > from
                && version == u64::from(h.object_version) + 1
            {
                h.level = to;
                h.object_version = h.object_version.saturating_add(1);
            }
        }
        a if a == Action::CustodyOffer.as_str() && details["from"].as_str() == Some(h.custodian.as_str()) => {
            h.offer = Some(Offer {
                seq: event.seq,
                by: actor,
                from: h.custodian.clone(),
                to: text(&details["to"]),
                offered_at: time,
                expires_at: text(&details["expires_at"]),
                note: details["note"].as_str().map(str::to_string),
            });
        }
        a if a == Action::CustodyAccept.as_str() => {
            let Some(offer) = h.offer.as_ref() else {
                return;
            };
            if details["offer"].as_u64() == Some(offer.seq)
                && actor == offer.to
                && details["to"].as_str() == Some(offer.to.as_str())
                && time <= offer.expires_at
            {
                h.custodian = offer.to.clone();
                h.offer = None;
            }
        }
        a if a == Action::CustodyDecline.as_str()
            && h.offer
                .as_ref()
                .is_some_and(|o| details["offer"].as_u64() == Some(o.seq)) =>
        {
            h.offer = None;
        }
        a if a == Action::CustodyReassign.as_str() => {
            if vouch(event.seq, &event.canonical)
                && details["from"].as_str() == Some(h.custodian.as_str())
                && let Some(to) = details["to"].as_str()
            {
                h.custodian = to.to_string();
                h.offer = None;
            }
        }
        a if a == Action::CustodyRetention.as_str() => {
            h.retain_until = details["to"].as_str().map(str::to_string);
        }
        a if a == Action::ItemDestroy.as_str() => {
            h.destroyed = true;
            h.offer = None;
            h.destruction = Some(Destruction {
                seq: event.seq,
                at: time,
                by: actor,
                witness: details["witness"].as_str().map(str::to_string),
                approved_by: details["approved_by"].as_str().map(str::to_string),
                reason: text(&details["reason"]),
            });
        }
        _ => {}
    }
}
