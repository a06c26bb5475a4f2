//! `ledger verify`: officers check the custody log.

use anyhow::{Result, anyhow};

use super::args::{Cli, LedgerCommand};
use super::{output, unlocked_station};

/// The verification failed (exit 6): the report was printed already.
#[derive(Debug, thiserror::Error)]
#[error("ledger verification failed at seq {seq}: {detail}")]
pub struct LedgerDamaged {
    /// First bad seq.
    pub seq: u64,
    /// Why.
    pub detail: String,
}

/// `strongroom ledger ...`.
pub fn run(cli: &Cli, command: &LedgerCommand) -> Result<()> {
    match command {
        LedgerCommand::Verify => verify(cli),
    }
}

fn verify(cli: &Cli) -> Result<()> {
    let mut station = unlocked_station(cli)?;
    let report = station.verify_ledger()?;
    if cli.json {
        output::json(&report)?;
    } else if report.ok {
        println!(
            "Ledger OK: {} events, {} checkpoints, all signatures and roots verify.",
            report.events, report.checkpoints
        );
    } else {
        println!(
            "LEDGER VERIFICATION FAILED ({} events, {} checkpoints)",
            report.events, report.checkpoints
        );
        for finding in &report.findings {
            println!(
                "  seq {:<8} {:<15} {}",
                finding.seq,
                serde_json::to_value(finding.problem)?.as_str().unwrap_or(""),
                finding.detail
            );
        }
    }
    match report.first_bad {
        None => Ok(()),
        Some(bad) => Err(anyhow!(LedgerDamaged {
            seq: bad.seq,
            detail: bad.detail
        })),
    }
}
