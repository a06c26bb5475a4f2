//! The command-line interface: a thin layer over `Station`. Each command group has its own
//! file; this one resolves the vault and user and dispatches.

mod alerts;
pub mod args;
mod certificates;
mod cloud;
mod custody;
mod directory;
pub mod exit;
mod guard;
mod interrupt;
mod items;
mod ledger;
mod material;
mod media;
mod metadata_text;
pub mod output;
mod policy;
mod progress_line;
mod quarantine;
mod recovery_code;
mod requests;
mod secrets;
mod users;
mod vault;

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};
use strongroom::Station;

use args::{Cli, Command};
use exit::UsageError;

/// Run a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let Some(command) = &cli.command else {
        return Err(anyhow!(UsageError("no command given".into())));
    };
    match command {
        Command::Init(args) => vault::init(&cli, args),
        Command::Import(args) => items::import(&cli, args),
        Command::List(args) => items::list(&cli, args),
        Command::Show(args) => items::show(&cli, args),
        Command::Export(args) => items::export(&cli, args),
        Command::Passwd(args) => vault::passwd(&cli, args),
        Command::Recover(args) => vault::recover(&cli, args),
        Command::Ledger(command) => ledger::run(&cli, command),
        Command::Audit(command) => ledger::audit(&cli, command),
        Command::User(command) => users::run(&cli, command),
        Command::Destroy(args) => material::destroy(&cli, args),
        Command::Certificate(command) => certificates::run(&cli, command),
        Command::Downgrade(args) => material::downgrade(&cli, args),
        Command::Custody(command) => custody::run(&cli, command),
        Command::Inventory(args) => custody::inventory(&cli, args),
        Command::Request(command) => requests::run(&cli, command),
        Command::Policy(command) => policy::run(&cli, command),
        Command::Directory(command) => directory::run(&cli, command),
        Command::RecoveryCode(command) => recovery_code::run(&cli, command),
        Command::Guard(command) => guard::run(&cli, command),
        Command::Quarantine(command) => quarantine::run(&cli, command),
        Command::Cloud(command) => cloud::run(&cli, command),
        Command::Media(command) => media::run(&cli, command),
        Command::Alerts { command } => alerts::run(&cli, command.as_ref()),
    }
}

/// The vault directory: `--vault`, `STRONGROOM_VAULT`, or the XDG data directory.
pub fn vault_dir(cli: &Cli) -> Result<PathBuf> {
    if let Some(dir) = &cli.vault {
        return Ok(dir.clone());
    }
    let base = directories::BaseDirs::new().context("no home directory to place the vault in; pass --vault DIR")?;
    Ok(base.data_dir().join("strongroom"))
}

/// The acting user's name, required.
pub fn user_name(cli: &Cli) -> Result<&str> {
    cli.user
        .as_deref()
        .ok_or_else(|| anyhow!(UsageError("name the user with --user NAME or STRONGROOM_USER".into())))
}

/// Open the vault and unlock it for the acting user.
pub fn unlocked_station(cli: &Cli) -> Result<Station> {
    Ok(unlocked_station_and_password(cli)?.0)
}

/// [`unlocked_station`], keeping the password it was unlocked with (for `passwd`, which
/// needs the current password and must not ask for it twice).
pub fn unlocked_station_and_password(cli: &Cli) -> Result<(Station, strongroom::crypto::Password)> {
    let user = user_name(cli)?;
    let mut station = Station::open(&vault_dir(cli)?)?;
    let password = secrets::acting_password(cli.password_file.as_deref(), user)?;
    station.unlock(user, &password)?;
    if let Some(problem) = station.checkpoint_error() {
        eprintln!("warning: {}", output::printable(&problem.to_string()));
        if let Some(hint) = exit::hint_for(problem) {
            eprintln!("hint: {}", output::printable(&hint));
        }
    }
    if let Some(witness) = &cli.witness {
        let password = secrets::witness_password(cli.witness_password_file.as_deref(), witness)?;
        station.add_witness(witness, &password)?;
    }
    Ok((station, password))
}
