//! `quarantine list|show|release|destroy`.

use std::sync::Arc;

use anyhow::{Result, anyhow, bail};
use strongroom::Level;
use strongroom::progress::Progress;
use strongroom::station::Release;

use super::args::{Cli, QuarantineCommand};
use super::exit::UsageError;
use super::progress_line::ProgressLine;
use super::{output, unlocked_station};

/// `strongroom quarantine ...`.
pub fn run(cli: &Cli, command: &QuarantineCommand) -> Result<()> {
    match command {
        QuarantineCommand::List => list(cli),
        QuarantineCommand::Show { id } => show(cli, id),
        QuarantineCommand::Release {
            id,
            level,
            title,
            reason,
        } => release(cli, id, level, title.clone(), reason),
        QuarantineCommand::Destroy { id, reason } => destroy(cli, id, reason),
    }
}

/// `quarantine list`.
fn list(cli: &Cli) -> Result<()> {
    let station = unlocked_station(cli)?;
    let entries = station.quarantine_list()?;
    if cli.json {
        return output::json(&entries);
    }
    if entries.is_empty() {
        println!("the quarantine is empty");
    }
    for e in &entries {
        println!(
            "{}  {}  {:<12} {:>12}  {}  from {} in {}",
            e.id,
            e.created_at,
            e.level.name(),
            output::bytes(e.size),
            e.status,
            output::printable(&e.medium),
            output::printable(&e.destination_dir)
        );
    }
    Ok(())
}

/// `quarantine show ID`.
fn show(cli: &Cli, id: &str) -> Result<()> {
    let station = unlocked_station(cli)?;
    let check = station.quarantine_check(id)?;
    if cli.json {
        output::json(&check)?;
    } else {
        let e = &check.entry;
        println!("entry:       {}", e.id);
        println!(
            "sealed at:   {} for {} (generation {})",
            e.created_at,
            e.level.name(),
            e.generation
        );
        println!("size:        {}", output::bytes(e.size));
        println!("sha256:      {}", e.sha256);
        println!("from medium: {}", output::printable(&e.medium));
        println!("found in:    {}", output::printable(&e.destination_dir));
        println!("status:      {}", e.status);
        println!(
            "check:       {}",
            if check.intact {
                "opens and hashes as recorded"
            } else {
                "DOES NOT open or hash as recorded"
            }
        );
    }
    if !check.intact {
        bail!(strongroom::Error::integrity(
            "quarantine entry",
            format!("{id} does not open or hash as recorded")
        ));
    }
    Ok(())
}

/// `quarantine destroy ID --reason R`.
fn destroy(cli: &Cli, id: &str, reason: &str) -> Result<()> {
    let mut station = unlocked_station(cli)?;
    let settled = station.quarantine_destroy(id, reason)?;
    if cli.json {
        return output::json(&settled);
    }
    let entry = &settled.entry;
    println!("destroyed quarantine entry {} ({})", entry.id, entry.level.name());
    left_behind(settled.left_behind.as_deref());
    Ok(())
}

/// Say so when an entry was settled but its file could not be erased yet.
fn left_behind(why: Option<&str>) {
    if let Some(why) = why {
        eprintln!(
            "warning: the entry is settled, but its file could not be erased yet ({}); the next open erases it",
            output::printable(why)
        );
    }
}

/// `quarantine release ID --level L --reason R [--title T]`.
fn release(cli: &Cli, id: &str, level: &str, title: Option<String>, reason: &str) -> Result<()> {
    let level: Level = level
        .parse()
        .map_err(|e: strongroom::level::UnknownLevel| anyhow!(UsageError(e.to_string())))?;
    let mut station = unlocked_station(cli)?;
    let progress = Arc::new(Progress::new());
    let line = ProgressLine::start(progress.clone(), "releasing");
    let interrupt = super::interrupt::CancelOnInterrupt::start(progress.clone());
    let release = Release {
        level,
        title,
        reason: reason.to_string(),
    };
    let released = station.quarantine_release(id, &release, &progress);
    drop(interrupt);
    drop(line);
    let released = released?;
    if cli.json {
        return output::json(&released);
    }
    println!(
        "released quarantine entry {} as {} ({}, {})",
        released.entry,
        released.control_number,
        released.level.name(),
        output::bytes(released.size)
    );
    left_behind(released.left_behind.as_deref());
    Ok(())
}
