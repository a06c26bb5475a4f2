//! `ledger verify`: officers check the custody log.

use anyhow::{Result, anyhow};

use std::path::PathBuf;

use strongroom::ledger::bundle::{self, Pins, TrustStep};
use strongroom::ledger::query::EventFilter;

use super::args::{AuditCommand, Cli, EventFilterArgs, LedgerCommand, LedgerExportArgs};
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

/// An audit bundle did not verify (exit 6): the report was printed already.
#[derive(Debug, thiserror::Error)]
#[error("audit bundle rejected: {0}")]
pub struct BundleRejected(pub String);

/// `strongroom ledger ...`.
pub fn run(cli: &Cli, command: &LedgerCommand) -> Result<()> {
    match command {
        LedgerCommand::Verify => verify(cli),
        LedgerCommand::Export(args) => export(cli, args),
        LedgerCommand::Events(args) => {
            let station = unlocked_station(cli)?;
            let filter = event_filter(&station, &args.filter)?;
            let events = station.query_events(&filter, args.after, args.limit)?;
            if cli.json {
                return output::json(&events);
            }
            output::event_lines(&events);
            Ok(())
        }
        LedgerCommand::Epoch { reason } => {
            let mut station = unlocked_station(cli)?;
            let epoch = station.start_epoch(reason)?;
            if cli.json {
                return output::json(&epoch);
            }
            println!(
                "Started epoch {} at seq {}; checkpoints resume. Tell your auditors: they accept it with `strongroom audit trust --epoch {}`.",
                epoch.number,
                epoch.start_seq,
                station.verifier_key()?.encode()
            );
            Ok(())
        }
    }
}

/// The library's filter from the command line's (an item named by control number or id).
fn event_filter(station: &strongroom::Station, args: &EventFilterArgs) -> Result<EventFilter> {
    let item = match &args.item {
        Some(reference) => Some(station.item(reference)?.summary.id),
        None => None,
    };
    Ok(EventFilter {
        item,
        actor: args.actor.clone(),
        action: args.action.clone(),
        since: args.since.clone(),
        until: args.until.clone(),
        max_level: None,
    })
}

/// `strongroom audit ...`.
pub fn audit(cli: &Cli, command: &AuditCommand) -> Result<()> {
    let path = pins_path()?;
    let mut pins = Pins::load(&path)?;
    match command {
        AuditCommand::Trust { vkey, epoch } => {
            let origin = pins.trust(vkey, *epoch)?;
            pins.save()?;
            if cli.json {
                return output::json(&serde_json::json!({ "pinned": origin, "pins": path }));
            }
            println!("Pinned {origin} in {}.", path.display());
            Ok(())
        }
        AuditCommand::VerifyCertificate { file, bundle } => {
            super::certificates::verify(cli, &mut pins, file, bundle.as_deref())
        }
        AuditCommand::Verify { dir } => {
            let report = bundle::verify(dir, &mut pins);
            if report.ok {
                pins.save()?;
            }
            if cli.json {
                output::json(&report)?;
            } else if let Some(error) = &report.error {
                println!("BUNDLE VERIFICATION FAILED: {}", output::printable(&error.reason));
            } else {
                println!(
                    "Bundle OK: {} events of {}{}, proven against checkpoint {}.",
                    report.events,
                    output::printable(&report.origin),
                    if report.filtered {
                        " (filtered: completeness not claimed)"
                    } else {
                        " (complete)"
                    },
                    report.latest_size
                );
                if report.archive {
                    println!(
                        "An archive: its newest checkpoint (size {}) was accepted on this machine before; the pin stays where it is.",
                        report.latest_size
                    );
                }
                if report.key_changes > 0 {
                    println!(
                        "The bundle carries {} station key change(s); the key pinned here is {}.",
                        report.key_changes, report.pinned_key
                    );
                }
            }
            for warning in &report.warnings {
                eprintln!("warning: {}", output::printable(warning));
            }
            match report.error {
                None => Ok(()),
                Some(error) => {
                    match &error.trust {
                        Some(TrustStep::PinKey { key }) => {
                            eprintln!(
                                "hint: once the station's officers confirm the key, run `strongroom audit trust {key}`"
                            )
                        }
                        Some(TrustStep::AcceptNewEpoch { key }) => eprintln!(
                            "hint: if the station's officers announced it, run `strongroom audit trust --epoch {key}`"
                        ),
                        None => {}
                    }
                    Err(anyhow!(BundleRejected(error.reason)))
                }
            }
        }
    }
}

/// Where this machine keeps its pins: `STRONGROOM_CONFIG_DIR`, or the XDG config directory.
fn pins_path() -> Result<PathBuf> {
    Ok(strongroom::ledger::bundle::default_pins_path()?)
}

fn export(cli: &Cli, args: &LedgerExportArgs) -> Result<()> {
    let mut station = unlocked_station(cli)?;
    let filter = event_filter(&station, &args.filter)?;
    if let Some(csv) = &args.csv {
        let rows = station.export_csv(&filter, csv)?;
        if cli.json {
            return output::json(&serde_json::json!({ "csv": csv, "events": rows }));
        }
        println!("Wrote {rows} events to {}.", csv.display());
        return Ok(());
    }
    let out = args
        .out
        .as_deref()
        .ok_or_else(|| anyhow!(super::exit::UsageError("give --out DIR or --csv FILE".into())))?;
    let manifest = station.export_bundle(&filter, out)?;
    if let Some(problem) = station.checkpoint_error() {
        eprintln!(
            "warning: no checkpoint could be written before the export, so the bundle ends at the last one: {}",
            output::printable(&problem.to_string())
        );
    }
    if cli.json {
        return output::json(&manifest);
    }
    println!(
        "Wrote {} events and {} checkpoints to {} ({}).",
        manifest.events,
        manifest.checkpoints,
        out.display(),
        if manifest.filtered {
            "filtered"
        } else {
            "the complete log"
        }
    );
    println!(
        "Verify it elsewhere: strongroom audit trust {}; strongroom audit verify DIR",
        manifest.verifier_key
    );
    Ok(())
}

fn verify(cli: &Cli) -> Result<()> {
    let mut station = unlocked_station(cli)?;
    let report = station.verify_ledger()?;
    for warning in &report.warnings {
        eprintln!("warning: {}", output::printable(&warning.to_string()));
    }
    if cli.json {
        output::json(&report)?;
    } else if report.ok {
        for earlier in report.earlier_epochs.iter().filter(|e| !e.ok) {
            if let Some(bad) = &earlier.first_bad {
                println!(
                    "Epoch {} was closed after damage at seq {}: {}",
                    earlier.epoch, bad.seq, bad.detail
                );
            }
        }
        println!(
            "Ledger OK: {} events, {} checkpoints, all signatures and roots verify; {} item rows agree with their history.",
            report.events, report.checkpoints, report.items_checked
        );
    } else {
        println!(
            "LEDGER VERIFICATION FAILED ({} events, {} checkpoints)",
            report.events, report.checkpoints
        );
        for earlier in report.earlier_epochs.iter().filter(|e| !e.ok) {
            if let Some(bad) = &earlier.first_bad {
                println!(
                    "  (epoch {} was closed after damage at seq {}: {})",
                    earlier.epoch, bad.seq, bad.detail
                );
            }
        }
        for finding in &report.findings {
            println!(
                "  seq {:<8} {:<15} {}",
                finding.seq,
                finding.problem.as_str(),
                finding.detail
            );
        }
        for item in &report.item_findings {
            for difference in &item.differences {
                println!(
                    "  item {:<16} {:<10} row: {}, custody history: {}",
                    output::printable(&item.control_number),
                    difference.field,
                    output::printable(&difference.row),
                    output::printable(&difference.history)
                );
            }
        }
    }
    if let Some(bad) = report.first_bad {
        return Err(anyhow!(LedgerDamaged {
            seq: bad.seq,
            detail: bad.detail
        }));
    }
    match report.item_findings.first() {
        None => Ok(()),
        Some(item) => Err(anyhow!(LedgerDamaged {
            seq: item.import_seq.unwrap_or(0),
            detail: format!(
                "{} item row(s) disagree with their custody history, first {}; the items table was changed outside Strongroom",
                report.item_findings.len(),
                output::printable(&item.control_number)
            ),
        })),
    }
}
