//! The check every custody step ends its transaction with: once its row change and its
//! event are in, the item's row must agree with its history and the history must show the
//! step's outcome. Another process may have changed the item since this one looked at it
//! (a decline while an acceptance was being typed, a raise racing another raise), or a row
//! with a later time may make the step not count (an offer lapsed by the ledger's clock);
//! then the transaction rolls back and the person is told to look again, instead of a step
//! reported done that left the row and its history apart.

use std::collections::HashMap;

use rusqlite::Transaction;

use crate::accounts::decision::AdminKeys;
use crate::accounts::users;
use crate::ledger::{NewEvent, events};
use crate::vault::history::{self, History};
use crate::vault::items::{self, ItemRow};
use crate::{Error, ItemId, Result, UserId};

use super::Station;

impl Station {
    /// Write one custody step on `row` in one transaction: `change` (the row's own change,
    /// if it has one), then `event` with this session's MAC, then the [`settled`] check that
    /// the history shows `outcome` (given the event's seq). Returns that seq.
    pub(super) fn write_step(
        &mut self,
        row: &ItemRow,
        event: NewEvent,
        change: impl FnOnce(&Transaction<'_>) -> Result<()>,
        outcome: impl Fn(&History, u64) -> bool,
    ) -> Result<u64> {
        let (station, mac, time) = (self.station_id.clone(), self.event_mac_key(), self.clock.now());
        let control = row.control.to_string();
        self.write(|tx, _| {
            change(tx)?;
            let seq = events::append(tx, time, &event, mac.as_ref())?;
            settled(tx, &station, row.id, &control, |h| outcome(h, seq))?;
            Ok(seq)
        })
    }
}

/// The item's history as it stands inside `tx`, if its row agrees with it and `outcome`
/// holds of it; otherwise the refusal that rolls the step back.
pub(super) fn settled(
    tx: &Transaction<'_>,
    station: &str,
    id: ItemId,
    control: &str,
    outcome: impl Fn(&History) -> bool,
) -> Result<History> {
    let changed = || {
        Error::InvalidInput(format!(
            "{control} changed while this step was being made (another process acted on it); nothing was changed — look at it again"
        ))
    };
    let keys = AdminKeys::load(tx, station)?;
    let names: HashMap<UserId, String> = users::names(tx)?.into_iter().collect();
    let row = items::get(tx, id)?.ok_or_else(changed)?;
    let history = history::of(tx, id, &|seq, event| keys.vouch_for(seq, event))?.ok_or_else(changed)?;
    if !history::differences(&row, &history, &names).is_empty() || !outcome(&history) {
        return Err(changed());
    }
    Ok(history)
}
