//! `policy show|set`.

use anyhow::Result;
use strongroom::accounts::settings::SETTINGS;

use super::args::{Cli, PolicyCommand};
use super::{output, unlocked_station};

/// `strongroom policy ...`.
pub fn run(cli: &Cli, command: &PolicyCommand) -> Result<()> {
    let mut station = unlocked_station(cli)?;
    match command {
        PolicyCommand::Show => {
            let policy = station.policy()?;
            if cli.json {
                return output::json(&policy);
            }
            for setting in &SETTINGS {
                let value = setting.get(&policy);
                println!(
                    "{:<24} {value:<12} {} ({})",
                    setting.name,
                    setting.help_en,
                    setting.values()
                );
            }
            Ok(())
        }
        PolicyCommand::Set { key, value } => {
            let old = station.set_policy(key, value)?;
            if cli.json {
                return output::json(&serde_json::json!({ "setting": key, "old": old, "new": value }));
            }
            println!("{key}: {old} -> {value}");
            Ok(())
        }
    }
}
