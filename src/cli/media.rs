//! `media register|list|show|mounted|issue|return|retire|destroy`: the register of
//! authorized media (officers keep it; `list`, `show` and `mounted` for everyone signed in).

use anyhow::{Result, anyhow};
use strongroom::Level;
use strongroom::guard::register::Entry;
use strongroom::station::Registration;

use super::args::{Cli, MediaCommand};
use super::exit::UsageError;
use super::{output, unlocked_station};

/// `strongroom media ...`.
pub fn run(cli: &Cli, command: &MediaCommand) -> Result<()> {
    let mut station = unlocked_station(cli)?;
    let entry = match command {
        MediaCommand::Register {
            mount_point,
            label,
            level,
            custodian,
            expires,
        } => {
            let level: Level = level
                .parse()
                .map_err(|e: strongroom::level::UnknownLevel| anyhow!(UsageError(e.to_string())))?;
            station.media_register(&Registration {
                mount_point: mount_point.clone(),
                label: label.clone(),
                level,
                custodian: custodian.clone(),
                expires: expires.clone(),
            })?
        }
        MediaCommand::List => {
            let register = station.media_register_list()?;
            if cli.json {
                return output::json(&register);
            }
            if register.entries.is_empty() {
                println!("the register is empty");
            }
            let now = time::OffsetDateTime::now_utc();
            for e in &register.entries {
                let r = e.record();
                println!(
                    "{}  {:<10} {:<12} {:<24} custodian {}{}{}",
                    r.medium,
                    e.status_at(now),
                    r.level.name(),
                    output::printable(&r.label),
                    r.custodian,
                    e.holder.as_ref().map(|h| format!(", held by {h}")).unwrap_or_default(),
                    r.expires.as_ref().map(|x| format!(", expires {x}")).unwrap_or_default()
                );
            }
            if register.ignored > 0 {
                eprintln!(
                    "warning: {} register event(s) no admin key signed were ignored",
                    register.ignored
                );
            }
            return Ok(());
        }
        MediaCommand::Show { id } => station.media_register_show(id)?,
        MediaCommand::Mounted => {
            let mounted = station.media_mounted()?;
            if cli.json {
                return output::json(&mounted);
            }
            if mounted.is_empty() {
                println!("no removable medium is mounted");
            }
            for m in &mounted {
                let verdict = match (&m.entry, &m.unregistered) {
                    (Some(e), _) => format!(
                        "registered: {} ({}, custodian {})",
                        output::printable(&e.record().label),
                        e.record().level.name(),
                        e.record().custodian
                    ),
                    (None, Some(why)) => format!("NOT REGISTERED: {}", output::printable(why)),
                    (None, None) => "unknown".into(),
                };
                println!(
                    "{}  {}",
                    output::printable(&m.medium.mount_point.to_string_lossy()),
                    verdict
                );
            }
            return Ok(());
        }
        MediaCommand::Issue { id, to } => station.media_issue(id, to)?,
        MediaCommand::Return { id } => station.media_return(id)?,
        MediaCommand::Retire { id, reason } => station.media_retire(id, reason)?,
        MediaCommand::Destroy { id, reason } => {
            let (entry, certificate) = station.media_destroy(id, reason)?;
            if cli.json {
                return output::json(&serde_json::json!({ "medium": entry, "certificate": certificate }));
            }
            print_entry(&entry);
            println!("certificate: {certificate} (strongroom certificate export {certificate} --out DIR)");
            return Ok(());
        }
    };
    if cli.json {
        return output::json(&entry);
    }
    print_entry(&entry);
    Ok(())
}

fn print_entry(entry: &Entry) {
    let r = entry.record();
    println!("medium:      {}", r.medium);
    println!("label:       {}", output::printable(&r.label));
    println!("level:       {}", r.level.name());
    println!("custodian:   {}", r.custodian);
    println!("status:      {}", entry.status_at(time::OffsetDateTime::now_utc()));
    println!(
        "held by:     {}",
        entry.holder.as_deref().unwrap_or("(nobody: with the officer)")
    );
    println!("file system: {}", r.fs_uuid);
    if let Some(serial) = &r.serial {
        println!("serial:      {}", output::printable(serial));
    }
    println!("issued at:   {}", r.issued_at);
    println!("authorized until: {}", r.expires.as_deref().unwrap_or("no expiry"));
    for change in &entry.changes {
        let note = if change.note.is_empty() {
            String::new()
        } else {
            format!(" ({})", output::printable(&change.note))
        };
        println!(
            "  {}  #{}  {} by {}{}",
            change.time, change.seq, change.action, change.actor, note
        );
    }
}
