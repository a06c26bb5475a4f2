//! `init`, `passwd` and `recover`: creating a vault and managing one's own credentials.

use anyhow::{Result, anyhow};
use strongroom::Station;
use strongroom::crypto::kdf::KdfParams;
use strongroom::station::InitOptions;

use super::args::{Cli, InitArgs, PasswdArgs, RecoverArgs};
use super::exit::UsageError;
use super::{output, secrets, user_name, vault_dir};

/// `strongroom init --user NAME`.
pub fn init(cli: &Cli, args: &InitArgs) -> Result<()> {
    let user = user_name(cli)?;
    let dir = vault_dir(cli)?;
    let kdf = match (args.kdf_memory_mib, args.kdf_iterations) {
        (Some(mib), Some(t)) => Some(KdfParams {
            m_kib: mib
                .checked_mul(1024)
                .ok_or_else(|| anyhow!(UsageError("--kdf-memory-mib is too large".into())))?,
            t,
            p: KdfParams::FLOOR.p,
        }),
        _ => None,
    };
    if let Some(params) = kdf {
        params.check().map_err(|e| anyhow!(UsageError(e.to_string())))?;
    }
    let password = match cli.password_file.as_deref() {
        Some(_) => secrets::acting_password(cli.password_file.as_deref(), user)?,
        None if std::env::var(secrets::PASSWORD_ENV).is_ok() => secrets::acting_password(None, user)?,
        None => secrets::new_password(None, &format!("New password for {user}"))?,
    };
    if kdf.is_none() && !cli.json {
        eprintln!("Calibrating Argon2id for this machine…");
    }
    let (station, code) = Station::init(
        &dir,
        user,
        &password,
        InitOptions {
            kdf,
            ..InitOptions::default()
        },
    )?;
    if cli.json {
        return output::json(&serde_json::json!({
            "vault": station.paths().root,
            "station_id": station.station_id(),
            "user": user,
            "role": "officer",
            "clearance": "top-secret",
            "recovery_code": code.expose(),
        }));
    }
    println!(
        "Created the vault at {} (station {}).",
        station.paths().root.display(),
        station.station_id()
    );
    println!("{user} is its security officer, cleared to top-secret.\n");
    println!("RECOVERY CODE — write it down and lock it away. It is shown only this once:\n");
    println!("    {}\n", code.expose());
    println!("With it, `strongroom recover --user NAME` gives a user a new password.");
    Ok(())
}

/// `strongroom passwd`.
pub fn passwd(cli: &Cli, args: &PasswdArgs) -> Result<()> {
    let (mut station, current) = super::unlocked_station_and_password(cli)?;
    let user = user_name(cli)?;
    let new = secrets::new_password(args.new_password_file.as_deref(), "New password")?;
    station.change_password(&current, &new)?;
    if cli.json {
        return output::json(&serde_json::json!({ "user": user, "password_changed": true }));
    }
    println!("Password changed for {user}.");
    Ok(())
}

/// `strongroom recover --user NAME`.
pub fn recover(cli: &Cli, args: &RecoverArgs) -> Result<()> {
    let user = user_name(cli)?;
    let mut station = Station::open(&vault_dir(cli)?)?;
    let code = secrets::recovery_code(args.recovery_code_file.as_deref())?;
    let new = secrets::new_password(args.new_password_file.as_deref(), &format!("New password for {user}"))?;
    station.recover(user, &code, &new)?;
    if cli.json {
        return output::json(&serde_json::json!({ "user": user, "recovered": true }));
    }
    println!("{user} has a new identity and password; their old password no longer works.");
    Ok(())
}
