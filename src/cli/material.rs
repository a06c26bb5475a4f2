//! `destroy` and `downgrade`: two-person actions on items (with `--witness NAME`, or an
//! approved request; otherwise a request is made and the command exits 7).

use anyhow::{Result, anyhow};
use strongroom::Level;
use strongroom::station::Confirmed;

use super::args::{Cli, DestroyArgs, DowngradeArgs};
use super::exit::UsageError;
use super::{output, secrets, unlocked_station};

/// `strongroom destroy ID... --reason R`.
pub fn destroy(cli: &Cli, args: &DestroyArgs) -> Result<()> {
    let mut station = unlocked_station(cli)?;
    if let [one] = args.items.as_slice() {
        let asked = station.confirmation(one, Confirmed::Destroy)?;
        secrets::confirm_that(args.yes, &output::printable(&asked.to_string()), &asked.control_number)?;
    } else {
        for item in &args.items {
            eprintln!(
                "{}",
                output::printable(&station.confirmation(item, Confirmed::Destroy)?.to_string())
            );
        }
        let count = args.items.len().to_string();
        secrets::confirm_that(args.yes, &format!("Destroy these {count} items"), &count)?;
    }
    let report = station.destroy_items(&args.items, &args.reason)?;
    if cli.json {
        return output::json(&report);
    }
    for item in &report.items {
        println!(
            "Destroyed {} ({}, {} bytes): its key is erased and its ciphertext removed.",
            item.control_number, item.level, item.size
        );
    }
    if report.signed {
        println!(
            "Certificate of destruction {}: strongroom certificate export {} --out DIR",
            report.certificate, report.certificate
        );
    } else {
        println!(
            "Certificate of destruction {} awaits a security officer's signature (strongroom certificate sign {}).",
            report.certificate, report.certificate
        );
    }
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
