//! `custody …` and `inventory`: transfers of custody, raising a level, retention dates, the
//! Due list, and the check of every item against its object and history.

use std::sync::Arc;

use anyhow::{Result, anyhow};
use strongroom::Level;
use strongroom::progress::Progress;

use super::args::{Cli, CustodyCommand, InventoryArgs};
use super::exit::UsageError;
use super::progress_line::ProgressLine;
use super::{output, secrets, unlocked_station};

fn level(text: &str) -> Result<Level> {
    text.parse()
        .map_err(|e: strongroom::level::UnknownLevel| anyhow!(UsageError(e.to_string())))
}

/// Run a `custody` subcommand.
pub fn run(cli: &Cli, command: &CustodyCommand) -> Result<()> {
    match command {
        CustodyCommand::Transfer { items, to, note } => {
            let mut station = unlocked_station(cli)?;
            let mut offers = Vec::new();
            for item in items {
                let offer = station.offer_custody(item, to, note.as_deref())?;
                if !cli.json {
                    println!(
                        "Offered {} to {} until {}; they accept it with `strongroom custody accept {}`.",
                        offer.control_number,
                        output::printable(&offer.to),
                        offer.expires_at,
                        offer.control_number
                    );
                }
                offers.push(offer);
            }
            if cli.json {
                return output::json(&offers);
            }
            Ok(())
        }
        CustodyCommand::Accept { item } => {
            let mut station = unlocked_station(cli)?;
            station.accept_custody(item)?;
            done(
                cli,
                item,
                "accepted",
                &format!("You now hold {}.", output::printable(item)),
            )
        }
        CustodyCommand::Decline { item } => {
            let mut station = unlocked_station(cli)?;
            station.decline_custody(item)?;
            done(
                cli,
                item,
                "declined",
                &format!("The offer of {} is closed.", output::printable(item)),
            )
        }
        CustodyCommand::Pending => {
            let station = unlocked_station(cli)?;
            let offers = station.pending_offers()?;
            if cli.json {
                return output::json(&offers);
            }
            if offers.is_empty() {
                println!("no open offers");
            }
            for o in &offers {
                println!(
                    "{:<16} {:<13} {} -> {}  (by {}, until {}){}",
                    o.control_number,
                    o.level.name(),
                    output::printable(&o.from),
                    output::printable(&o.to),
                    output::printable(&o.by),
                    o.expires_at,
                    o.note
                        .as_deref()
                        .map(|n| format!("  note: {}", output::printable(n)))
                        .unwrap_or_default()
                );
            }
            Ok(())
        }
        CustodyCommand::Reassign { from, to, reason, yes } => {
            secrets::confirm_that(
                *yes,
                &format!(
                    "Every item {} holds goes to {}",
                    output::printable(from),
                    output::printable(to)
                ),
                from,
            )?;
            let mut station = unlocked_station(cli)?;
            let done = station.reassign_custody(from, to, reason)?;
            if cli.json {
                output::json(
                    &serde_json::json!({ "from": from, "to": to, "items": done.moved, "skipped": done.skipped }),
                )?;
            } else {
                println!(
                    "{} item(s) moved from {} to {}: {}",
                    done.moved.len(),
                    output::printable(from),
                    output::printable(to),
                    done.moved.join(", ")
                );
            }
            for s in &done.skipped {
                eprintln!("not moved: {}: {}", s.control_number, output::printable(&s.why));
            }
            if done.skipped.is_empty() {
                Ok(())
            } else {
                Err(anyhow!(
                    "{} item(s) of {} were not moved (listed above)",
                    done.skipped.len(),
                    output::printable(from)
                ))
            }
        }
        CustodyCommand::Raise { item, to, reason, yes } => {
            let to = level(to)?;
            let mut station = unlocked_station(cli)?;
            secrets::confirm_that(
                *yes,
                &format!(
                    "{} will be re-encrypted at {to}; users not cleared for {to} lose sight of it",
                    output::printable(item)
                ),
                item,
            )?;
            let progress = Arc::new(Progress::new());
            let line = ProgressLine::start(progress.clone(), "re-encrypting");
            let raised = station.raise_item(item, to, reason, &progress);
            drop(line);
            let version = raised?;
            if cli.json {
                return output::json(&serde_json::json!({ "item": item, "level": to, "object_version": version }));
            }
            println!("{} is now {to}, re-encrypted under a new key.", output::printable(item));
            Ok(())
        }
        CustodyCommand::Retention {
            item,
            until,
            clear: _,
            reason,
        } => {
            let mut station = unlocked_station(cli)?;
            let date = station.set_retention(item, until.as_deref(), reason)?;
            if cli.json {
                return output::json(&serde_json::json!({ "item": item, "retain_until": date }));
            }
            match date {
                Some(date) => println!("{} is kept until {date}.", output::printable(item)),
                None => println!("{} has no retention date now.", output::printable(item)),
            }
            Ok(())
        }
        CustodyCommand::Due => {
            let station = unlocked_station(cli)?;
            let due = station.due_items()?;
            if cli.json {
                return output::json(&due);
            }
            if due.is_empty() {
                println!("nothing is due for destruction");
            }
            for d in &due {
                println!(
                    "{:<16} {:<13} {:<14} due since {} ({} day(s))",
                    d.control_number,
                    d.level.name(),
                    output::printable(&d.custodian),
                    d.retain_until,
                    d.days_overdue
                );
            }
            Ok(())
        }
    }
}

fn done(cli: &Cli, item: &str, outcome: &str, text: &str) -> Result<()> {
    if cli.json {
        return output::json(&serde_json::json!({ "item": item, "outcome": outcome }));
    }
    println!("{text}");
    Ok(())
}

/// `strongroom inventory [--deep]`: exit 6 when anything was found.
pub fn inventory(cli: &Cli, args: &InventoryArgs) -> Result<()> {
    let mut station = unlocked_station(cli)?;
    let progress = Arc::new(Progress::new());
    let line = ProgressLine::start(progress.clone(), if args.deep { "decrypting" } else { "checking" });
    let report = station.inventory(args.deep, &progress);
    drop(line);
    let report = report?;
    if cli.json {
        output::json(&report)?;
    } else {
        println!(
            "{} item(s), {} destroyed, {} object file(s)",
            report.items, report.destroyed, report.objects
        );
        if let Some(deep) = &report.deep {
            println!(
                "decrypted and hashed {} item(s) ({}); {} above your clearance not opened",
                deep.checked,
                output::bytes(deep.bytes),
                deep.above_clearance
            );
        }
        for f in &report.missing {
            println!(
                "MISSING     {} ({}): {}",
                f.control_number,
                f.level.name(),
                output::printable(&f.problem)
            );
        }
        for f in &report.mismatched {
            println!(
                "MISMATCHED  {} ({}): {}",
                f.control_number,
                f.level.name(),
                output::printable(&f.problem)
            );
        }
        for path in &report.orphans {
            println!("ORPHAN      {}: no item claims this file", output::printable(path));
        }
        for f in &report.history {
            for d in &f.differences {
                println!(
                    "HISTORY     {}: its row says {} {} but its custody history says {}",
                    f.control_number,
                    d.field,
                    output::printable(&d.row),
                    output::printable(&d.history)
                );
            }
        }
        for s in &report.disabled_custodians {
            println!(
                "STRANDED    {} ({}): held by {}, who is disabled; an officer reassigns it",
                s.control_number,
                s.level.name(),
                output::printable(&s.custodian)
            );
        }
        if report.is_clean() {
            println!("inventory clean");
        }
    }
    if report.is_clean() {
        Ok(())
    } else {
        Err(strongroom::Error::integrity("inventory", "it found the problems listed above").into())
    }
}
