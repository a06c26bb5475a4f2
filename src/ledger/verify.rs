//! Verifying the custody log on the station: every event's bytes against its recorded leaf
//! and its query columns, the sequence without gaps, every checkpoint's signature (by the
//! station key in force at its size, following the key-change notes back from the current
//! key) and root against a tree recomputed from the events, and the checkpoints' order.
//! Reports the first bad seq and why, as an insider's edit of `strongroom.db` would show.

use rusqlite::{Connection, OptionalExtension};

use crate::Result;
use crate::ledger::checkpoint::{self, StoredCheckpoint};
use crate::ledger::epoch::{self, Epoch};
use crate::ledger::key_change_note;
use crate::ledger::keys_in_force::{self, KeyChain, Link};
use crate::ledger::merkle::{self, TreeBuilder};
use crate::ledger::note::Verifier;

mod columns;
mod sequence;
use columns::{Columns, EventView};
use sequence::sequence_findings;

/// Defines [`Problem`], the list of every problem and their stable names from one table,
/// so the CLI, the damage record, events and the schema check all use the same names.
macro_rules! problems {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal,)*) => {
        /// What is wrong at a seq.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Problem {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Problem {
            /// Every problem, in the order of the table.
            pub const ALL: &'static [Problem] = &[$(Problem::$variant),*];

            /// The stable name (in reports, events and the damage record).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Problem::$variant => $name,)*
                }
            }
        }
    };
}

problems! {
    /// An event's bytes were changed.
    Edited = "edited",
    /// Events are missing.
    Removed = "removed",
    /// An event was inserted.
    Inserted = "inserted",
    /// Events were swapped.
    Reordered = "reordered",
    /// Events after a checkpointed size are gone.
    Truncated = "truncated",
    /// A checkpoint's signature does not verify with the station key.
    BadSignature = "bad-signature",
    /// A checkpoint contradicts an earlier one or the log.
    Inconsistent = "inconsistent",
    /// A query column disagrees with the event's bytes.
    ColumnMismatch = "column-mismatch",
    /// A checkpoint verifies with a station key that was not in force at its size: an old
    /// key signing beyond the key change that replaced it, or a new key before it took over.
    RetiredKey = "retired-key",
    /// A key-change note is malformed, not signed by both keys, disagrees with its row or
    /// the log, is a second successor of a key, or does not connect to the current key.
    KeyChange = "key-change",
}

impl serde::Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The first seq affected.
    pub seq: u64,
    /// What is wrong.
    pub problem: Problem,
    /// In words.
    pub detail: String,
}

/// The outcome of a verification.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    /// Nothing was found in the current epoch, and no item row disagrees with its history.
    pub ok: bool,
    /// The current epoch.
    pub epoch: u64,
    /// Events read.
    pub events: u64,
    /// Checkpoints read.
    pub checkpoints: u64,
    /// The largest checkpointed size whose root matched and whose signature verified.
    pub verified_size: u64,
    /// The finding with the lowest seq.
    pub first_bad: Option<Finding>,
    /// Every finding, in the order found.
    pub findings: Vec<Finding>,
    /// Earlier epochs (closed because damage was found in them).
    pub earlier_epochs: Vec<EpochSummary>,
    /// Item rows checked against their custody history (by the station, which reads the
    /// items table; 0 from this module alone).
    pub items_checked: u64,
    /// Item rows that disagree with their history: the rows were changed outside
    /// Strongroom. Not damage to the log, so no checkpoint is held back for them.
    pub item_findings: Vec<crate::vault::history::ItemFinding>,
    /// Things an officer should know that are not damage (exit 0): the guard not running,
    /// gaps in its heartbeats (filled in by the station).
    pub warnings: Vec<crate::guard::status::GuardWarning>,
}

/// Verify the whole log of this station against `verifier`, its current signing key (from
/// the signed directory). Earlier keys are taken from the stored key-change notes, followed
/// back from `verifier`; each checkpoint must be signed by the key in force at its size.
pub fn verify(conn: &Connection, station_id: &str, verifier: &Verifier) -> Result<Report> {
    let epochs = epoch::all(conn)?;
    let (keys, key_findings) = key_chain_of(conn, station_id, verifier, &epochs)?;
    let mut reports = Vec::with_capacity(epochs.len());
    for (index, e) in epochs.iter().enumerate() {
        let end = epochs.get(index + 1).map(|next| next.start_seq);
        reports.push(verify_epoch(conn, station_id, &keys, *e, end)?);
    }
    // A finding about a key change belongs to the epoch the change happened in.
    for (number, finding) in key_findings {
        let index = epochs
            .iter()
            .position(|e| e.number == number)
            .unwrap_or(epochs.len().saturating_sub(1));
        if let Some(report) = reports.get_mut(index) {
            report.findings.push(finding);
            report.ok = false;
            report.first_bad = first_bad(&report.findings);
        }
    }
    // Every later epoch must have been started properly: its first event is its
    // `ledger.epoch` event, a signed checkpoint of it verifies, and the epoch before it held
    // no damage earlier than what was recorded when it was closed.
    let mut epoch_findings = Vec::new();
    for (index, e) in epochs.iter().enumerate().skip(1) {
        let problem = |detail: String| Finding {
            seq: e.start_seq,
            problem: Problem::Inconsistent,
            detail,
        };
        let first: Option<(String, Option<u64>)> = conn
            .query_row(
                "SELECT action, canonical FROM events WHERE seq = ?1",
                [e.start_seq as i64],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)),
            )
            .optional()?
            .map(|(action, bytes)| {
                let number = serde_json::from_slice::<serde_json::Value>(&bytes)
                    .ok()
                    .and_then(|v| v["details"]["epoch"].as_u64());
                (action, number)
            });
        if first != Some(("ledger.epoch".to_string(), Some(e.number))) {
            epoch_findings.push(problem(format!(
                "epoch {} does not begin with its ledger.epoch event",
                e.number
            )));
        }
        if reports[index].verified_size == 0 {
            epoch_findings.push(problem(format!(
                "no checkpoint signed by the station covers epoch {}",
                e.number
            )));
        }
        let recorded: Option<i64> = conn.query_row(
            "SELECT MIN(first_bad_seq) FROM ledger_damage WHERE resolved_epoch = ?1",
            [e.number as i64],
            |r| r.get(0),
        )?;
        match (recorded, &reports[index - 1].first_bad) {
            (None, _) => epoch_findings.push(problem(format!(
                "epoch {} was started without recorded damage",
                e.number
            ))),
            (Some(recorded), Some(found)) if found.seq < recorded as u64 => epoch_findings.push(Finding {
                seq: found.seq,
                problem: found.problem,
                detail: format!(
                    "{} (before the damage recorded when epoch {} was started)",
                    found.detail, e.number
                ),
            }),
            _ => {}
        }
    }
    let total_checkpoints = reports.iter().map(|r| r.checkpoints).sum();
    let mut report = reports
        .pop()
        .ok_or_else(|| crate::Error::integrity("custody ledger", "no epoch"))?;
    report.earlier_epochs = epochs
        .iter()
        .zip(&reports)
        .map(|(e, r)| EpochSummary {
            epoch: e.number,
            ok: r.ok,
            first_bad: r.first_bad.clone(),
        })
        .collect();
    // Rows below seq 0 are outside every tree; the station reads none of them, but they
    // were put there by hand.
    let below_zero: i64 = conn.query_row("SELECT COUNT(*) FROM events WHERE seq < 0", [], |r| r.get(0))?;
    if below_zero > 0 {
        epoch_findings.push(Finding {
            seq: 0,
            problem: Problem::Inserted,
            detail: format!("{below_zero} event(s) were inserted with a negative seq"),
        });
    }
    if !epoch_findings.is_empty() {
        report.findings.extend(epoch_findings);
        report.ok = false;
        report.first_bad = report.findings.iter().min_by_key(|f| f.seq).cloned();
    }
    report.events = crate::ledger::events::count(conn)?;
    report.checkpoints = total_checkpoints;
    Ok(report)
}

/// One earlier epoch's outcome (its damage was what the next epoch was started for).
#[derive(Clone, Debug, serde::Serialize)]
pub struct EpochSummary {
    /// Epoch number.
    pub epoch: u64,
    /// Whether it verified.
    pub ok: bool,
    /// Its first finding.
    pub first_bad: Option<Finding>,
}

/// The chain of station keys through `current`, and findings (with their epochs) about the
/// stored key-change notes.
fn key_chain_of(
    conn: &Connection,
    station_id: &str,
    current: &Verifier,
    epochs: &[Epoch],
) -> Result<(KeyChain, Vec<(u64, Finding)>)> {
    let seq_at = |number: u64, size: u64| {
        epochs
            .iter()
            .find(|e| e.number == number)
            .map_or(size, |e| e.start_seq.saturating_add(size))
    };
    let finding = |number: u64, size: u64, detail: String| {
        (
            number,
            Finding {
                seq: seq_at(number, size),
                problem: Problem::KeyChange,
                detail,
            },
        )
    };
    let name = checkpoint::origin(station_id);
    let mut findings = Vec::new();
    let mut links = Vec::new();
    for row in key_change_note::all(conn)? {
        let label = format!("key change {}", row.id);
        let change = match key_change_note::parse(&row.note) {
            Ok(change) => change,
            Err(e) => {
                findings.push(finding(row.epoch, row.tree_size, format!("{label}: {e}")));
                continue;
            }
        };
        if change.old.name != name {
            findings.push(finding(
                row.epoch,
                row.tree_size,
                format!("{label} is a key change of another station ({})", change.old.name),
            ));
            continue;
        }
        if !epochs.iter().any(|e| e.number == change.epoch) {
            findings.push(finding(
                row.epoch,
                row.tree_size,
                format!("{label} names epoch {}, which this station never started", change.epoch),
            ));
            continue;
        }
        if (row.epoch, row.tree_size) != (change.epoch, change.tree_size) {
            findings.push(finding(
                change.epoch,
                change.tree_size,
                format!("{label}: its stored epoch or size disagrees with its signed note"),
            ));
        }
        links.push(Link { label, change });
    }
    let (chain, problems) = keys_in_force::build(current, links);
    for p in problems {
        findings.push(finding(p.epoch, p.tree_size, p.detail));
    }
    if chain.latest() != current
        && let Some(last) = chain.changes().last()
    {
        findings.push(finding(
            last.change.epoch,
            last.change.tree_size,
            format!(
                "the station key {} of the signed directory was replaced by key {} ({}): the directory does not name the newest signing key",
                keys_in_force::key_id(current),
                keys_in_force::key_id(chain.latest()),
                last.label
            ),
        ));
    }
    Ok((chain, findings))
}

/// At one seq, the finding that explains the most comes first: a row inserted or removed
/// also makes its bytes look edited.
fn first_bad(findings: &[Finding]) -> Option<Finding> {
    let rank = |p: Problem| match p {
        Problem::Inserted | Problem::Removed | Problem::Reordered | Problem::Truncated => 0,
        Problem::BadSignature | Problem::Inconsistent | Problem::RetiredKey | Problem::KeyChange => 1,
        Problem::Edited => 2,
        Problem::ColumnMismatch => 3,
    };
    findings.iter().min_by_key(|f| (f.seq, rank(f.problem))).cloned()
}

/// Verify the log of one epoch: the events `epoch.start_seq .. end` and its checkpoints.
fn verify_epoch(
    conn: &Connection,
    station_id: &str,
    keys: &KeyChain,
    epoch: Epoch,
    end: Option<u64>,
) -> Result<Report> {
    let start_seq = epoch.start_seq;
    let origin = epoch::origin(station_id, epoch.number);
    let checkpoints: Vec<StoredCheckpoint> = checkpoint::all(conn)?
        .into_iter()
        .filter(|c| c.epoch == epoch.number)
        .collect();
    let mut findings = Vec::new();
    let mut trusted: Vec<&StoredCheckpoint> = Vec::new();
    let mut previous_size = 0u64;
    for cp in &checkpoints {
        let start = start_seq.saturating_add(previous_size);
        match keys.open(&cp.note) {
            None => findings.push(Finding {
                seq: start,
                problem: Problem::BadSignature,
                detail: format!(
                    "checkpoint {} (size {}) is not signed by the station key",
                    cp.id, cp.tree_size
                ),
            }),
            Some((key, text)) => match checkpoint::parse_body(text) {
                Some((o, size, root)) if o == origin && size == cp.tree_size && root == cp.root => {
                    if !keys.in_force(key, epoch.number, size) {
                        findings.push(Finding {
                            seq: start,
                            problem: Problem::RetiredKey,
                            detail: format!(
                                "checkpoint {} (size {size}) is {}",
                                cp.id,
                                keys.out_of_force(key, epoch.number, size)
                            ),
                        });
                    } else if size < previous_size {
                        findings.push(Finding {
                            seq: start_seq.saturating_add(size),
                            problem: Problem::Inconsistent,
                            detail: format!(
                                "checkpoint {} covers {size} events after one that covered {previous_size}: an older checkpoint was put in its place",
                                cp.id
                            ),
                        });
                    } else {
                        trusted.push(cp);
                        previous_size = size;
                    }
                }
                _ => findings.push(Finding {
                    seq: start,
                    problem: Problem::Inconsistent,
                    detail: format!(
                        "checkpoint {}: its stored size or root disagrees with its signed note",
                        cp.id
                    ),
                }),
            },
        }
    }

    let mut builder = TreeBuilder::new();
    let mut json_seqs: Vec<u64> = Vec::new();
    let mut row_seqs: Vec<u64> = Vec::new();
    let mut previous_time: Option<String> = None;
    let mut next_checkpoint = 0usize;
    let mut verified_size = 0u64;
    let mut last_matching = 0u64;
    // (first seq, last seq, checkpoint id) of ranges whose signed root no longer matches.
    let mut root_mismatches: Vec<(u64, u64, u64)> = Vec::new();
    // The key changes of this epoch, by size: each states a root the log must have there.
    let mut changes: Vec<&Link> = keys
        .changes()
        .iter()
        .filter(|l| l.change.epoch == epoch.number)
        .collect();
    changes.sort_by_key(|l| l.change.tree_size);
    let mut next_change = 0usize;
    // (first seq, last seq, label) of key changes whose root the log does not have.
    let mut change_mismatches: Vec<(u64, u64, String)> = Vec::new();
    while let Some(link) = changes.get(next_change).filter(|l| l.change.tree_size == 0) {
        if link.change.root != merkle::empty_root() {
            change_mismatches.push((start_seq, start_seq, link.label.clone()));
        }
        next_change += 1;
    }
    let mut stmt = conn.prepare(
        "SELECT seq, time, actor, action, subject, level, item, canonical, leaf FROM events WHERE seq >= ?1 AND seq < ?2 ORDER BY seq",
    )?;
    let end = end.map_or(i64::MAX, |e| e as i64);
    let mut rows = stmt.query(rusqlite::params![start_seq as i64, end])?;
    while let Some(row) = rows.next()? {
        let seq = row.get::<_, i64>(0)? as u64;
        let bytes: Vec<u8> = row.get(7)?;
        let stored_leaf: Option<Vec<u8>> = row.get(8)?;
        let leaf = merkle::leaf_hash(&bytes);
        let parsed: Option<EventView<'_>> = serde_json::from_slice(&bytes).ok();
        // A matching leaf means the bytes are those appended (canonical by construction). Every
        // event has its leaf from the moment it is appended: a missing one was removed.
        let intact = stored_leaf.as_deref().is_some_and(|stored| stored == leaf);
        // Times never decrease along the log (events::append): one that does was edited.
        let time_ok = parsed
            .as_ref()
            .is_none_or(|v| previous_time.as_deref().is_none_or(|p| p <= v.time.as_ref()));
        previous_time = parsed.as_ref().map(|v| v.time.to_string());
        row_seqs.push(seq);
        json_seqs.push(parsed.as_ref().map_or(u64::MAX, |v| v.seq));
        if !intact || parsed.is_none() || !time_ok {
            findings.push(Finding {
                seq,
                problem: Problem::Edited,
                detail: format!("event {seq} no longer has the bytes it was appended with"),
            });
        } else if let Some(view) = &parsed {
            let columns = Columns {
                time: row.get(1)?,
                actor: row.get(2)?,
                action: row.get(3)?,
                subject: row.get(4)?,
                level: row.get(5)?,
                item: row.get(6)?,
            };
            if let Some(column) = columns.disagreement(view) {
                findings.push(Finding {
                    seq,
                    problem: Problem::ColumnMismatch,
                    detail: format!("event {seq}: the {column} column disagrees with the event's bytes"),
                });
            }
        }
        builder.push(leaf);
        while let Some(link) = changes
            .get(next_change)
            .filter(|l| l.change.tree_size == builder.size())
        {
            if builder.root() != link.change.root {
                change_mismatches.push((
                    start_seq.saturating_add(last_matching),
                    start_seq.saturating_add(builder.size() - 1),
                    link.label.clone(),
                ));
            }
            next_change += 1;
        }
        while let Some(cp) = trusted.get(next_checkpoint) {
            if cp.tree_size > builder.size() {
                break;
            }
            if cp.tree_size == builder.size() {
                if builder.root() == cp.root {
                    verified_size = verified_size.max(cp.tree_size);
                    last_matching = cp.tree_size;
                } else {
                    root_mismatches.push((
                        start_seq.saturating_add(last_matching),
                        start_seq.saturating_add(cp.tree_size - 1),
                        cp.id,
                    ));
                }
            }
            next_checkpoint += 1;
        }
    }
    drop(rows);
    let events = row_seqs.len() as u64;
    sequence_findings(start_seq, &row_seqs, &json_seqs, &mut findings);
    if let Some(cp) = trusted.iter().rev().find(|cp| cp.tree_size > events) {
        findings.push(Finding {
            seq: start_seq.saturating_add(verified_size),
            problem: Problem::Truncated,
            detail: format!(
                "events from {} on are not the ones signed: the epoch has {events} events, checkpoint {} covers {}",
                start_seq.saturating_add(verified_size),
                cp.id,
                cp.tree_size
            ),
        });
    }
    // A root that no longer matches, where nothing more precise explains it: an event in the
    // range was changed and its recorded leaf rewritten too.
    for (start, end, id) in root_mismatches {
        if !findings.iter().any(|f| (start..=end).contains(&f.seq)) {
            findings.push(Finding {
                seq: start,
                problem: Problem::Edited,
                detail: format!(
                    "an event in seq {start}..={end} changed: the log no longer has the root checkpoint {id} signed"
                ),
            });
        }
    }
    // A key change whose root the log does not have, where no finding in its range explains
    // it, or that lies beyond the epoch's events where no truncation was found.
    for (start, end, label) in change_mismatches {
        if !findings.iter().any(|f| (start..=end).contains(&f.seq)) {
            findings.push(Finding {
                seq: start,
                problem: Problem::KeyChange,
                detail: format!("{label} states a root that the log does not have at its size"),
            });
        }
    }
    for link in changes.iter().skip(next_change) {
        if !findings.iter().any(|f| f.problem == Problem::Truncated) {
            findings.push(Finding {
                seq: start_seq.saturating_add(events),
                problem: Problem::KeyChange,
                detail: format!(
                    "{} is at size {}, but the epoch holds only {events} events",
                    link.label, link.change.tree_size
                ),
            });
        }
    }
    Ok(Report {
        ok: findings.is_empty(),
        epoch: epoch.number,
        events,
        checkpoints: checkpoints.len() as u64,
        verified_size,
        first_bad: first_bad(&findings),
        findings,
        earlier_epochs: Vec::new(),
        items_checked: 0,
        item_findings: Vec::new(),
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
