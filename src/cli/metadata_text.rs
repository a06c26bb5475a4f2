//! Titles and notes are classified metadata. Typed after `--title` they are visible to every
//! user of the machine in `/proc/PID/cmdline` and stay in shell history, so `-` asks for them
//! at the terminal and `--title-file`/`--notes-file` read them from a file.

use std::io::IsTerminal;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};

use super::exit::UsageError;

/// Longest title or notes file read, so a wrong file name (a disk image) fails at once.
const MAX_TEXT_FILE: u64 = 1024 * 1024;

/// The title: given, asked for (`-`), or the first line of a file.
pub fn title(value: Option<&str>, file: Option<&Path>) -> Result<Option<String>> {
    let text = text("title", value, file)?;
    Ok(text.map(|t| t.lines().next().unwrap_or_default().to_string()))
}

/// The notes: given, asked for (`-`, one line), or the whole of a file.
pub fn notes(value: Option<&str>, file: Option<&Path>) -> Result<Option<String>> {
    text("notes", value, file)
}

fn text(what: &str, value: Option<&str>, file: Option<&Path>) -> Result<Option<String>> {
    match (value, file) {
        (Some(_), Some(_)) => Err(anyhow!(UsageError(format!(
            "give the {what} once: --{what} or --{what}-file"
        )))),
        (Some("-"), None) => ask(what).map(Some),
        (Some(value), None) => Ok(Some(value.to_string())),
        (None, Some(path)) => read(what, path).map(Some),
        (None, None) => Ok(None),
    }
}

fn ask(what: &str) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(anyhow!(UsageError(format!(
            "no terminal to ask for the {what}: use --{what}-file FILE"
        ))));
    }
    eprint!("{}{}: ", what[..1].to_uppercase(), &what[1..]);
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .with_context(|| format!("could not read the {what} from the terminal"))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

fn read(what: &str, path: &Path) -> Result<String> {
    if path.is_dir() {
        bail!("{}: is a directory, not a {what} file", path.display());
    }
    // Never waiting on a FIFO named in its place.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .with_context(|| format!("could not read the {what} file {}", path.display()))?;
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        bail!("{}: the {what} file is not a regular file", path.display());
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_TEXT_FILE + 1), &mut bytes)
        .with_context(|| format!("could not read the {what} file {}", path.display()))?;
    if bytes.len() as u64 > MAX_TEXT_FILE {
        bail!("{}: the {what} file is larger than 1 MiB", path.display());
    }
    let text =
        String::from_utf8(bytes).map_err(|_| anyhow!("{}: the {what} file is not UTF-8 text", path.display()))?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    Ok(text.strip_suffix('\r').unwrap_or(text).to_string())
}
