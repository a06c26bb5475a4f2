//! `destroy` and `downgrade`: two-person actions on items (with `--witness NAME`, or an
//! approved request; otherwise a request is made and the command exits 7).

use anyhow::{Result, anyhow};
use strongroom::Level;
use strongroom::station::Confirmed;

use super::args::{Cli, DestroyArgs, DowngradeArgs};
use super::exit::UsageError;
use super::{output, secrets, unlocked_station};

/// `strongroom destroy ID --reason R`.
pub fn destroy(cli: &Cli, args: &DestroyArgs) -> Result<()> {
    let mut station = unlocked_station(cli)?;
    let asked = station.confirmation(&args.item, Confirmed::Destroy)?;
    secrets::confirm_that(args.yes, &output::printable(&asked.to_string()), &asked.control_number)?;
    let report = station.destroy_item(&args.item, &args.reason)?;
    if cli.json {
        return output::json(&report);
    }
    println!(
        "Destroyed {} ({}, {} bytes): its key is erased and its ciphertext removed.",
        report.control_number, report.level, report.size
    );
    Ok(())
}

/// `strongroom downgrade ID --to LEVEL --reason R`.
pub fn downgrade(cli: &Cli, args: &DowngradeArgs) -> Result<()> {
    let to: Level = args
        .to
        .parse()
        .map_err(|e: strongroom::level::UnknownLevel| anyhow!(UsageError(e.to_string())))?;
    let mut station = unlocked_station(cli)?;
    let asked = station.confirmation(&args.item, Confirmed::Downgrade { to })?;
    secrets::confirm_that(args.yes, &output::printable(&asked.to_string()), &asked.control_number)?;
    station.downgrade_item(&args.item, to, &args.reason)?;
    if cli.json {
        return output::json(&serde_json::json!({ "item": args.item, "level": to }));
    }
    println!("{} is now {to}.", output::printable(&args.item));
    Ok(())
}
