//! Reading the synced roots out of each client's configuration file, in its real format:
//! Syncthing's XML (its `<defaults>` folder is a template, never a root), Qt's QSettings INI
//! (Nextcloud, ownCloud: quoted values, escapes), `key = "value"` files (onedrive,
//! Yandex.Disk, WPS), Dropbox's `info.json`, Seafile's one-line `seafile.ini`, Unison
//! profiles, and aliyunpan's JSON. Files are untrusted input: bounded in size, never a panic,
//! and what cannot be read is said, not guessed.

use std::path::{Path, PathBuf};

use crate::cloud::catalogue::ConfigFormat;

/// A configuration file larger than this is not parsed (it is reported instead).
pub const MAX_CONFIG_BYTES: usize = 4 << 20;

/// A root read from a configuration file: the path as the file names it, where in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfiguredRoot {
    /// The path, `~` expanded, trailing `/` removed.
    pub path: PathBuf,
    /// The 1-based line that names it.
    pub line: usize,
}

/// Why a file's roots could not all be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigProblem {
    /// Larger than [`MAX_CONFIG_BYTES`].
    #[error("larger than {} MiB: not read", MAX_CONFIG_BYTES >> 20)]
    TooLarge,
    /// Not UTF-8 text.
    #[error("not UTF-8 text")]
    NotText,
    /// Not shaped as the client writes it.
    #[error("not the shape the client writes: {0}")]
    Malformed(String),
}

/// The roots `text` names, for a file of `format`; `key` for key-value files; `home` for `~`.
/// Strict: a file too large, not UTF-8 or malformed is an error (tests and callers that need
/// the whole file; the scan reads with [`roots_as_far_as_readable`]).
pub fn roots(
    format: ConfigFormat,
    bytes: &[u8],
    key: Option<&str>,
    home: &Path,
) -> Result<Vec<ConfiguredRoot>, ConfigProblem> {
    if bytes.len() > MAX_CONFIG_BYTES {
        return Err(ConfigProblem::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ConfigProblem::NotText)?;
    match parse(format, text, key, home) {
        (roots, None) => Ok(roots),
        (_, Some(problem)) => Err(problem),
    }
}

/// The roots a file names as far as it can be read, and what stopped a full reading: bytes
/// past [`MAX_CONFIG_BYTES`] are left out, bytes that are not UTF-8 read as U+FFFD (a stray
/// byte in a comment hides no line), and a malformed file keeps the roots read before the
/// fault. A client may read more of a damaged file than this does: the problem is reported.
pub fn roots_as_far_as_readable(
    format: ConfigFormat,
    bytes: &[u8],
    key: Option<&str>,
    home: &Path,
) -> (Vec<ConfiguredRoot>, Option<ConfigProblem>) {
    let mut problem = None;
    let bytes = if bytes.len() > MAX_CONFIG_BYTES {
        problem = Some(ConfigProblem::TooLarge);
        &bytes[..MAX_CONFIG_BYTES]
    } else {
        bytes
    };
    let text = String::from_utf8_lossy(bytes);
    if matches!(text, std::borrow::Cow::Owned(_)) && problem.is_none() {
        problem = Some(ConfigProblem::NotText);
    }
    let (roots, malformed) = parse(format, &text, key, home);
    (roots, problem.or(malformed))
}

/// Parse `text`: the roots read, and the fault that stopped the reading, if any.
fn parse(
    format: ConfigFormat,
    text: &str,
    key: Option<&str>,
    home: &Path,
) -> (Vec<ConfiguredRoot>, Option<ConfigProblem>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (raw, problem) = match format {
        ConfigFormat::SyncthingXml => syncthing(text),
        ConfigFormat::QsettingsIni => (qsettings(text), None),
        ConfigFormat::KeyValue => (key_value(text, key.unwrap_or_default()), None),
        ConfigFormat::DropboxInfoJson => split(dropbox(text)),
        ConfigFormat::SeafileIni => (seafile(text), None),
        ConfigFormat::UnisonPrf => (unison(text), None),
        ConfigFormat::AliyunpanJson => split(aliyunpan(text)),
        // Read elsewhere (SQLite), or holding no roots to read.
        ConfigFormat::Sqlite
        | ConfigFormat::RcloneConf
        | ConfigFormat::Encrypted
        | ConfigFormat::Directory
        | ConfigFormat::Registry => (Vec::new(), None),
    };
    let roots = raw
        .into_iter()
        .take(MAX_ROOTS_PER_FILE)
        .filter_map(|(value, line)| {
            Some(ConfiguredRoot {
                path: normalise(&value, home)?,
                line,
            })
        })
        .collect();
    (roots, problem)
}

/// At most this many roots are taken from one file.
pub const MAX_ROOTS_PER_FILE: usize = 10_000;

/// A whole-file reader's result as roots and a problem.
fn split(result: Result<Vec<(String, usize)>, ConfigProblem>) -> (Vec<(String, usize)>, Option<ConfigProblem>) {
    match result {
        Ok(roots) => (roots, None),
        Err(problem) => (Vec::new(), Some(problem)),
    }
}

/// `~` expanded, trailing `/` removed; `None` for an empty or relative path.
pub fn normalise(value: &str, home: &Path) -> Option<PathBuf> {
    let value = value.trim();
    let path = if value == "~" {
        home.to_path_buf()
    } else if let Some(rest) = value.strip_prefix("~/") {
        home.join(rest)
    } else {
        PathBuf::from(value)
    };
    // A `..` stays: the client resolves it through the file system, and so does the scan
    // (`scan::resolve_roots`); dropping the root would hide it.
    path.is_absolute().then(|| path.components().collect())
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Syncthing: every `/configuration/folder/@path`; `<defaults>` holds a template folder
/// (`path="~"`), which is no root.
fn syncthing(text: &str) -> (Vec<(String, usize)>, Option<ConfigProblem>) {
    let mut out = Vec::new();
    let problem = syncthing_into(text, &mut out).err();
    (out, problem)
}

/// [`syncthing`]'s reading, into `out` as far as the XML is well formed.
fn syncthing_into(text: &str, out: &mut Vec<(String, usize)>) -> Result<(), ConfigProblem> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Vec<u8>> = Vec::new();
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader
            .read_event()
            .map_err(|e| ConfigProblem::Malformed(format!("XML at byte {at}: {e}")))?;
        let (element, closes) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            Event::End(_) => {
                stack.pop();
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        if let Some(element) = element {
            let name = element.local_name().as_ref().to_vec();
            let in_configuration = stack.len() == 1 && stack[0] == b"configuration";
            if in_configuration && name == b"folder" {
                for attribute in element.attributes().flatten() {
                    if attribute.key.local_name().as_ref() == b"path"
                        && let Ok(value) = attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    {
                        out.push((value.into_owned(), line_of(text, at)));
                    }
                }
            }
            if !closes {
                stack.push(name);
            }
            if stack.len() > 256 {
                return Err(ConfigProblem::Malformed("elements nested too deep".into()));
            }
        }
    }
    Ok(())
}

/// QSettings INI: in `[Accounts]`, every `…\Folders\…\localPath`, `…\Multifolders\…\localPath`
/// and `…\FoldersWithPlaceholders\…\localPath`. Values may be quoted, with `\"`, `\\` and
/// `\xNNNN` escapes.
fn qsettings(text: &str) -> Vec<(String, usize)> {
    let mut section = String::new();
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
            continue;
        }
        if section != "Accounts" || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().replace('/', "\\");
        let parts: Vec<&str> = key.split('\\').collect();
        let is_root = parts.last() == Some(&"localPath")
            && parts
                .iter()
                .any(|p| matches!(*p, "Folders" | "Multifolders" | "FoldersWithPlaceholders"));
        if is_root {
            out.push((qsettings_value(value.trim()), index + 1));
        }
    }
    out
}

/// A QSettings value: unquoted, unescaped.
fn qsettings_value(value: &str) -> String {
    let inner = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('x') => {
                let hex: String = chars.by_ref().take(4).collect();
                if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(c);
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// `key = "value"` lines; `#` and `;` start comments; the value may be quoted.
fn key_value(text: &str, wanted: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim() != wanted {
            continue;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        out.push((value.to_string(), index + 1));
    }
    out
}

/// Dropbox's `info.json`: `personal.path` and `business.path`.
fn dropbox(text: &str) -> Result<Vec<(String, usize)>, ConfigProblem> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ConfigProblem::Malformed(e.to_string()))?;
    let mut out = Vec::new();
    for account in ["personal", "business"] {
        if let Some(path) = value[account]["path"].as_str() {
            out.push((path.to_string(), line_of(text, text.find(path).unwrap_or(0))));
        }
    }
    Ok(out)
}

/// Seafile's `seafile.ini`: one line, the data directory (not an INI file at all).
fn seafile(text: &str) -> Vec<(String, usize)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (l.trim().to_string(), i + 1))
        .find(|(l, _)| !l.is_empty())
        .into_iter()
        .collect()
}

/// Unison profiles: `root = …` lines; a URL root (`ssh://…`, `socket://…`) is the remote side.
fn unison(text: &str) -> Vec<(String, usize)> {
    key_value(text, "root")
        .into_iter()
        .filter(|(value, _)| !value.contains("://"))
        .collect()
}

/// aliyunpan's `sync_drive_config.json`: `syncTaskList[].localFolderPath`.
fn aliyunpan(text: &str) -> Result<Vec<(String, usize)>, ConfigProblem> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ConfigProblem::Malformed(e.to_string()))?;
    Ok(value["syncTaskList"]
        .as_array()
        .map(|tasks| {
            tasks
                .iter()
                .filter_map(|t| t["localFolderPath"].as_str())
                .map(|p| (p.to_string(), line_of(text, text.find(p).unwrap_or(0))))
                .collect()
        })
        .unwrap_or_default())
}

#[cfg(test)]
mod tests;
