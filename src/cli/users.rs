//! `user add` and `user list` (officers). Disable, enable, reset and clearance changes come
//! with key rotation in the accounts issue.

use anyhow::{Result, anyhow};
use strongroom::Level;
use strongroom::accounts::Role;

use super::args::{Cli, UserCommand};
use super::exit::UsageError;
use super::{output, secrets, unlocked_station};

/// `strongroom user ...`.
pub fn run(cli: &Cli, command: &UserCommand) -> Result<()> {
    match command {
        UserCommand::Add {
            name,
            role,
            clearance,
            new_password_file,
        } => {
            let clearance: Level = clearance
                .parse()
                .map_err(|e: strongroom::level::UnknownLevel| anyhow!(UsageError(e.to_string())))?;
            let role = if role == "officer" {
                Role::Officer
            } else {
                Role::Operator
            };
            let mut station = unlocked_station(cli)?;
            let password = secrets::new_password(new_password_file.as_deref(), &format!("Password for {name}"))?;
            let id = station.add_user(name, role, clearance, &password)?;
            if cli.json {
                return output::json(
                    &serde_json::json!({ "user": name, "id": id.to_string(), "role": role, "clearance": clearance }),
                );
            }
            println!("Added {name} ({}, cleared to {clearance}).", role.as_str());
            Ok(())
        }
        UserCommand::List => {
            let station = unlocked_station(cli)?;
            let users = station.users()?;
            if cli.json {
                return output::json(&users);
            }
            println!("{:<20} {:<9} {:<13} STATUS", "NAME", "ROLE", "CLEARANCE");
            for user in users {
                println!(
                    "{:<20} {:<9} {:<13} {}",
                    user.name,
                    user.role.as_str(),
                    user.clearance.name(),
                    user.status.as_str()
                );
            }
            Ok(())
        }
    }
}
