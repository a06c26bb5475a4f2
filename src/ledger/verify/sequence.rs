//! The order of the log: gaps, and rows whose own seq disagrees with their position, read
//! as the edit that made them (removed, inserted, reordered).

use super::{Finding, Problem};

/// Gaps and rows whose own seq disagrees with their position: removed, inserted, reordered.
pub(super) fn sequence_findings(start_seq: u64, row_seqs: &[u64], json_seqs: &[u64], findings: &mut Vec<Finding>) {
    for (index, (&row, &said)) in row_seqs.iter().zip(json_seqs).enumerate() {
        let position = start_seq.saturating_add(index as u64);
        if row != position {
            findings.push(Finding {
                seq: position,
                problem: Problem::Removed,
                detail: format!("events {position}..{} are missing", row - 1),
            });
            return;
        }
        if said == row {
            continue;
        }
        let next_said = json_seqs.get(index + 1).copied();
        let (problem, detail) = if said == row + 1 && next_said == Some(row) {
            (Problem::Reordered, format!("events {row} and {} were swapped", row + 1))
        } else if said < row {
            (
                Problem::Inserted,
                format!("an event was inserted at {said}: the row at {row} says it is event {said}"),
            )
        } else {
            (
                Problem::Removed,
                format!(
                    "an event before {row} was removed and the rest renumbered (the row at {row} says it is event {said})"
                ),
            )
        };
        let seq = if problem == Problem::Inserted { said } else { row };
        findings.push(Finding { seq, problem, detail });
        return;
    }
}
