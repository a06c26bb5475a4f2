//! `strongroom user ...` (officers): add, list, disable, enable, reset, clearance, role.

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
            let clearance = parse_level(clearance)?;
            let role = parse_role(role);
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
                let mut status = user.entry.status.as_str().to_string();
                if user.locked {
                    status.push_str(", locked");
                } else if user.failed_sign_ins > 0 {
                    status.push_str(&format!(", {} failed sign-ins", user.failed_sign_ins));
                }
                if user.must_change_password {
                    status.push_str(", must change password");
                }
                println!(
                    "{:<20} {:<9} {:<13} {status}",
                    output::printable(&user.entry.name),
                    user.entry.role.as_str(),
                    user.entry.clearance.name(),
                );
            }
            Ok(())
        }
        UserCommand::Disable { name, reason, yes } => {
            secrets::confirm(*yes, &format!("Disabling {name}"), name)?;
            let mut station = unlocked_station(cli)?;
            let held = station.disable_user(name, reason)?;
            if !held.is_empty() {
                eprintln!(
                    "warning: {name} still holds {} item(s): {}; move them with `strongroom custody reassign --from {name} --to USER --reason R`",
                    held.len(),
                    held.join(", ")
                );
            }
            done(
                cli,
                name,
                "disabled",
                &format!("Disabled {name}; the keys they held were replaced."),
            )
        }
        UserCommand::Enable { name, reason } => {
            let mut station = unlocked_station(cli)?;
            station.enable_user(name, reason)?;
            done(cli, name, "enabled", &format!("{name} can sign in again."))
        }
        UserCommand::Reset {
            name,
            reason,
            new_password_file,
        } => {
            let mut station = unlocked_station(cli)?;
            let password =
                secrets::new_password(new_password_file.as_deref(), &format!("Temporary password for {name}"))?;
            station.reset_password(name, &password, reason)?;
            done(
                cli,
                name,
                "reset",
                &format!("Reset {name}'s password; they must choose a new one at next sign-in."),
            )
        }
        UserCommand::Clearance { name, level, reason } => {
            let level = parse_level(level)?;
            let mut station = unlocked_station(cli)?;
            station.set_clearance(name, level, reason)?;
            done(cli, name, "clearance", &format!("{name} is now cleared to {level}."))
        }
        UserCommand::Role { name, role, reason } => {
            let role = parse_role(role);
            let mut station = unlocked_station(cli)?;
            station.set_role(name, role, reason)?;
            done(cli, name, "role", &format!("{name} is now an {}.", role.as_str()))
        }
    }
}

fn done(cli: &Cli, name: &str, change: &str, message: &str) -> Result<()> {
    if cli.json {
        return output::json(&serde_json::json!({ "user": name, "change": change }));
    }
    println!("{message}");
    Ok(())
}

fn parse_level(text: &str) -> Result<Level> {
    text.parse()
        .map_err(|e: strongroom::level::UnknownLevel| anyhow!(UsageError(e.to_string())))
}

fn parse_role(text: &str) -> Role {
    if text == "officer" {
        Role::Officer
    } else {
        Role::Operator
    }
}
