//! Where secrets come from: a file named by a flag, the environment, or a terminal prompt.
//! Never from argv, never echoed, never logged.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use strongroom::crypto::Password;
use zeroize::Zeroizing;

use super::exit::UsageError;

/// Environment variable holding the acting user's password.
pub const PASSWORD_ENV: &str = "STRONGROOM_PASSWORD";

/// The acting user's password: `--password-file`, `STRONGROOM_PASSWORD`, or a prompt.
pub fn acting_password(file: Option<&Path>, user: &str) -> Result<Password> {
    if let Some(path) = file {
        return read_secret_file(path, "password");
    }
    if let Ok(value) = std::env::var(PASSWORD_ENV) {
        return non_empty(Password::new(value), "password");
    }
    prompt(&format!("Password for {user}: "))
}

/// A witness's own password: `--witness-password-file` or a prompt (never the acting
/// user's environment variable).
pub fn witness_password(file: Option<&Path>, witness: &str) -> Result<Password> {
    if let Some(path) = file {
        return read_secret_file(path, "witness password");
    }
    prompt(&format!("Password of witness {witness}: "))
}

/// A password being set: read from `file`, or prompted twice on a terminal.
pub fn new_password(file: Option<&Path>, what: &str) -> Result<Password> {
    if let Some(path) = file {
        return read_secret_file(path, what);
    }
    let first = prompt(&format!("{what}: "))?;
    let second = prompt(&format!("Repeat the {}: ", what.to_lowercase()))?;
    if first.expose() != second.expose() {
        bail!("the two entries differ; nothing was changed");
    }
    Ok(first)
}

/// The recovery code: from `file` or a prompt.
pub fn recovery_code(file: Option<&Path>) -> Result<Password> {
    match file {
        Some(path) => read_secret_file(path, "recovery code"),
        None => prompt("Recovery code: "),
    }
}

fn prompt(label: &str) -> Result<Password> {
    if !std::io::stdin().is_terminal() {
        return Err(anyhow!(UsageError(format!(
            "no terminal to ask for the {}: use --password-file FILE or {PASSWORD_ENV} (and --new-password-file / --recovery-code-file)",
            label.trim_end_matches(": ").to_lowercase()
        ))));
    }
    let typed = Zeroizing::new(rpassword::prompt_password(label).context("could not read from the terminal")?);
    non_empty(Password::new(typed.to_string()), "password")
}

/// Read the first line of a secret file (a trailing newline is not part of the secret).
fn read_secret_file(path: &Path, what: &str) -> Result<Password> {
    if path.is_dir() {
        bail!("{}: is a directory, not a {what} file", path.display());
    }
    let bytes = Zeroizing::new(
        std::fs::read(path).with_context(|| format!("could not read the {what} file {}", path.display()))?,
    );
    let text =
        std::str::from_utf8(&bytes).map_err(|_| anyhow!("{}: the {what} file is not UTF-8 text", path.display()))?;
    let line = text.split(['\n', '\r']).next().unwrap_or("");
    non_empty(Password::new(line.to_string()), what)
}

fn non_empty(secret: Password, what: &str) -> Result<Password> {
    if secret.expose().is_empty() {
        bail!("the {what} is empty");
    }
    Ok(secret)
}

/// Confirm a destructive command: `--yes`, or the user types `expected` at a terminal.
/// In a script without `--yes` it is a usage error and nothing happens.
pub fn confirm(yes: bool, action: &str, expected: &str) -> Result<()> {
    confirm_that(yes, &format!("{action} cannot be undone"), expected)
}

/// Confirm what `statement` says will happen (naming the item, its level and where it
/// goes): `--yes`, or the user types `expected` at a terminal. In a script without `--yes`
/// it is a usage error and nothing happens.
pub fn confirm_that(yes: bool, statement: &str, expected: &str) -> Result<()> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(anyhow!(UsageError(format!(
            "{statement}: pass --yes to confirm in a script"
        ))));
    }
    eprint!("{statement}. Type {expected} to confirm: ");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the confirmation")?;
    if line.trim() != expected {
        bail!("not confirmed; nothing was changed");
    }
    Ok(())
}
