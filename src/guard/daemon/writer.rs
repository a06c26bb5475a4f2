//! Writing the guard's events: each waits in memory until the database takes it, in its
//! own transaction with the quarantine row it records; the plaintext of a contained copy
//! goes only once that commits.

use super::*;

impl Guard {
    pub(super) fn push(&mut self, event: NewEvent) {
        self.push_pending(Pending { event, contained: None });
    }

    pub(super) fn push_pending(&mut self, pending: Pending) {
        if self.pending.len() >= MAX_PENDING {
            // A containment is never the one dropped: its sealed entry waits for its row.
            if let Some(at) = self.pending.iter().position(|p| p.contained.is_none()) {
                self.pending.remove(at);
                self.dropped += 1;
            }
        }
        self.pending.push_back(pending);
    }

    /// Write the waiting events, oldest first, each in its own transaction; stop at the
    /// first failure (the database busy or locked) and keep the rest for the next wake.
    /// Fails only when the guard must stop (its key retired).
    pub(super) fn flush(&mut self) -> Result<()> {
        while let Some(mut pending) = self.pending.pop_front() {
            if self.dropped > 0 {
                pending
                    .event
                    .details
                    .insert("events_dropped".into(), json!(self.dropped));
            }
            match self.write(&pending) {
                Ok(()) => {
                    self.dropped = 0;
                    // Recorded with its sealed entry: only now does the plaintext go.
                    // The entry must still be the file written, in its place: the vault's
                    // owner can move or remove it, and then the plaintext is the evidence.
                    if let Some(contained) = pending.contained.as_ref().filter(|c| !c.sealed.still_in_place()) {
                        eprintln!(
                            "strongroom guard: the sealed entry {} is gone; the file in {} stays",
                            crate::encoding::hex::encode(&contained.row.id),
                            contained.row.destination_dir
                        );
                    } else if let Some(contained) = &pending.contained
                        && let Err(e) = quarantine::remove_copy(&contained.copy, contained.target)
                    {
                        eprintln!(
                            "strongroom guard: a file in {} is sealed ({}) but could not be removed: {e}",
                            contained.row.destination_dir,
                            crate::encoding::hex::encode(&contained.row.id)
                        );
                    }
                }
                Err(e) if is_final(&e) => return Err(e),
                Err(e) => {
                    eprintln!("strongroom guard: event {} waits: {e}", pending.event.action.as_str());
                    self.pending.push_front(pending);
                    break;
                }
            }
        }
        Ok(())
    }

    /// Append one event signed by the guard key. Inside the write transaction (no officer
    /// can publish meanwhile), a directory newer than the one last verified is judged first:
    /// a guard whose key was retired writes nothing more.
    pub(super) fn write(&mut self, pending: &Pending) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if crate::accounts::directory::latest_version(&tx)? != self.state.directory_version
            && matches!(trust::judge(&tx, &self.state)?, Verdict::Retired)
        {
            return Err(retired());
        }
        let now = time::OffsetDateTime::now_utc();
        if let Some(contained) = &pending.contained {
            quarantine_table::insert(&tx, &contained.row, &crate::time::rfc3339_millis(now))?;
        }
        crate::ledger::events::append_by_guard(&tx, now, &pending.event, &self.key)?;
        tx.commit()?;
        Ok(())
    }
}

/// An event waiting to be written, with the quarantine entry it records, if any.
pub(super) struct Pending {
    pub(super) event: NewEvent,
    pub(super) contained: Option<Contained>,
}

/// A copy sealed into the quarantine, waiting for its row and event; its plaintext is
/// removed once they are committed.
pub(super) struct Contained {
    pub(super) row: quarantine_table::Row,
    pub(super) copy: std::path::PathBuf,
    pub(super) target: quarantine::Target,
    pub(super) sealed: quarantine::Sealed,
}

/// The guard's key is no longer the one the signed directory names: it must stop.
pub(super) fn retired() -> Error {
    Error::Denied {
        rule: "guard-retired",
        message: "the signed directory no longer names this guard's key: an officer disabled the guard or enabled another one"
            .into(),
    }
}

/// Whether `error` means the guard must stop (rather than retry at its next wake).
pub(super) fn is_final(error: &Error) -> bool {
    matches!(
        error,
        Error::Denied {
            rule: "guard-retired",
            ..
        }
    )
}
