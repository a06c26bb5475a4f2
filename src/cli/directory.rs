//! `directory rebuild`: an officer puts back the newest signed directory from the ledger.

use anyhow::Result;
use strongroom::Station;

use super::args::{Cli, DirectoryCommand};
use super::{output, secrets, user_name, vault_dir};

/// `strongroom directory ...`.
pub fn run(cli: &Cli, command: &DirectoryCommand) -> Result<()> {
    match command {
        DirectoryCommand::Rebuild => {
            let user = user_name(cli)?;
            let mut station = Station::open(&vault_dir(cli)?)?;
            let password = secrets::acting_password(cli.password_file.as_deref(), user)?;
            let rebuilt = station.rebuild_directory(user, &password)?;
            if cli.json {
                return output::json(&rebuilt);
            }
            println!(
                "signed directory version {} put back from ledger event {} (version {} was the newest still stored)",
                rebuilt.directory_version, rebuilt.copied_from, rebuilt.stored_version
            );
            Ok(())
        }
    }
}
