//! `strongroom cloud scan|check`: the synced and network folders this machine has, and
//! whether one destination lies in one. Needs no vault: an officer can look before choosing
//! where to create it.

use anyhow::{Result, anyhow};
use strongroom::cloud::catalogue::Catalogue;
use strongroom::cloud::destination::{self, Verdict};
use strongroom::cloud::finding::Strength;
use strongroom::cloud::scan::{self, Scan, Sources};
use strongroom::station::OpenOptions;
use strongroom::station::cloud::LocationCheck;
use strongroom::text::printable;
use strongroom::{Error, Station};

use super::args::{Cli, CloudCommand};
use super::{output, secrets, user_name, vault_dir};

/// `cloud allow-vault --reason R`: open the vault although its location meets a synced or
/// network folder, sign an officer in, and record the override.
fn allow_vault(cli: &Cli, reason: &str) -> Result<()> {
    let user = user_name(cli)?;
    let options = OpenOptions {
        location_check: LocationCheck::ForOverride,
        ..OpenOptions::default()
    };
    let mut station = Station::open_with(&vault_dir(cli)?, options)?;
    let password = secrets::acting_password(cli.password_file.as_deref(), user)?;
    station.unlock(user, &password)?;
    let refusals = station.override_vault_location(reason)?;
    if refusals.is_empty() {
        println!("The vault's location meets no synced or network folder: nothing to override.");
    }
    for refusal in &refusals {
        println!("Override recorded: {}", printable(&refusal.describe()));
    }
    Ok(())
}

/// Run a `cloud` subcommand.
pub fn run(cli: &Cli, command: &CloudCommand) -> Result<()> {
    match command {
        CloudCommand::AllowVault { reason } => allow_vault(cli, reason),
        CloudCommand::Scan { json, no_walk } => {
            let mut sources = Sources::this_machine();
            if *no_walk {
                sources.walk = None;
            }
            let scan = scan::scan(Catalogue::bundled(), &sources);
            if *json { output::json(&scan) } else { print_scan(&scan) }
        }
        CloudCommand::Check { path, json } => {
            let mut sources = Sources::this_machine();
            sources.walk = None;
            let scan = scan::scan(Catalogue::bundled(), &sources);
            let verdict = destination::check(Catalogue::bundled(), &scan, path);
            if *json {
                output::json(&verdict)?;
            }
            match verdict {
                Verdict::Clear { resolved } => {
                    if !*json {
                        println!(
                            "{}: no synced or network folder holds it",
                            printable(&resolved.to_string_lossy())
                        );
                    }
                    Ok(())
                }
                Verdict::Refused { resolved, refusals } => {
                    let reasons: Vec<String> = refusals.iter().map(|r| r.describe()).collect();
                    Err(anyhow!(Error::Denied {
                        rule: "cloud-sync",
                        message: printable(&format!("{}: {}", resolved.display(), reasons.join("; "))),
                    }))
                }
                Verdict::Doubt { reason } => Err(anyhow!(Error::Denied {
                    rule: "cloud-sync",
                    message: printable(&format!("not shown to be outside synced folders: {reason}")),
                })),
            }
        }
    }
}

/// The scan for people: enforced folders with their evidence, folders only named like a
/// provider's, running clients, and what could not be read.
fn print_scan(scan: &Scan) -> Result<()> {
    let show = |p: &std::path::Path| printable(&p.to_string_lossy());
    let blocking: Vec<_> = scan
        .findings
        .iter()
        .filter(|f| f.strength == Strength::Blocking)
        .collect();
    if blocking.is_empty() {
        println!("No synced or network folder found.");
    } else {
        println!(
            "Synced and network folders ({}): nothing from the vault goes here",
            blocking.len()
        );
        for finding in &blocking {
            let mut state = Vec::new();
            if !finding.exists {
                state.push("missing now");
            }
            if finding.client_running {
                state.push("client running");
            }
            let state = if state.is_empty() {
                String::new()
            } else {
                format!("  [{}]", state.join(", "))
            };
            println!(
                "  {}  {}{state}",
                printable(&finding.provider_name),
                show(&finding.root)
            );
            for evidence in &finding.evidence {
                println!("      {}", printable(&evidence.describe()));
            }
        }
    }
    let possible: Vec<_> = scan
        .findings
        .iter()
        .filter(|f| f.strength == Strength::Possible)
        .collect();
    if !possible.is_empty() {
        println!("Named like a provider's default folder, no client found (reported, not enforced):");
        for finding in possible {
            println!("  {}  {}", printable(&finding.provider_name), show(&finding.root));
        }
    }
    if scan.clients.is_empty() {
        println!("No sync client running.");
    } else {
        println!("Sync clients running:");
        for client in &scan.clients {
            println!(
                "  {}  pid {}  {}",
                printable(&client.provider_name),
                client.pid,
                show(&client.exe)
            );
        }
    }
    if !scan.notes.is_empty() {
        println!("Not read:");
        for note in &scan.notes {
            match &note.path {
                Some(path) => println!("  {}: {}: {}", note.layer, show(path), printable(&note.message)),
                None => println!("  {}: {}", note.layer, printable(&note.message)),
            }
        }
    }
    if scan.walked_directories > 0 {
        println!("The marker walk read {} directories.", scan.walked_directories);
    }
    Ok(())
}
