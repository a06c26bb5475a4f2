//! `recovery-code reissue`: an officer replaces the station's recovery code.

use anyhow::Result;

use super::args::{Cli, RecoveryCodeCommand};
use super::{output, secrets, unlocked_station};

/// `strongroom recovery-code ...`.
pub fn run(cli: &Cli, command: &RecoveryCodeCommand) -> Result<()> {
    match command {
        RecoveryCodeCommand::Reissue { reason, yes } => {
            let mut station = unlocked_station(cli)?;
            secrets::confirm_that(
                *yes,
                "A new recovery code replaces the old one and every key of the station (pending approvals lapse)",
                "REISSUE",
            )?;
            let code = station.reissue_recovery_code(reason)?;
            if cli.json {
                return output::json(&serde_json::json!({ "recovery_code": code.expose() }));
            }
            println!("NEW RECOVERY CODE — write it down and lock it away. It is shown only this once:\n");
            println!("    {}\n", code.expose());
            println!("The old code no longer works. Another security officer sees this as an alert.");
            Ok(())
        }
    }
}
