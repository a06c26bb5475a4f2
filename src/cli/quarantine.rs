//! `quarantine list|show`.

use anyhow::{Result, bail};

use super::args::{Cli, QuarantineCommand};
use super::{output, unlocked_station};

/// `strongroom quarantine ...`.
pub fn run(cli: &Cli, command: &QuarantineCommand) -> Result<()> {
    let station = unlocked_station(cli)?;
    match command {
        QuarantineCommand::List => {
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
        QuarantineCommand::Show { id } => {
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
    }
}
