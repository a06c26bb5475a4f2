//! Reading the synced roots out of each client's configuration file, in its real format:
//! Syncthing's XML (its `<defaults>` folder is a template, never a root), Qt's QSettings INI
//! (Nextcloud, ownCloud: quoted values, escapes), `key = "value"` files (onedrive,
//! Yandex.Disk, WPS), Dropbox's `info.json`, Seafile's one-line `seafile.ini`, Unison
//! profiles, and aliyunpan's JSON. Files are untrusted input: bounded in size, never a panic,
//! and what cannot be read is said, not guessed.

use std::path::{Component, Path, PathBuf};

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
/// A path that is relative or holds `..` is left out (it names nothing reliably).
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
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw = match format {
        ConfigFormat::SyncthingXml => syncthing(text)?,
        ConfigFormat::QsettingsIni => qsettings(text),
        ConfigFormat::KeyValue => key_value(text, key.unwrap_or_default()),
        ConfigFormat::DropboxInfoJson => dropbox(text)?,
        ConfigFormat::SeafileIni => seafile(text),
        ConfigFormat::UnisonPrf => unison(text),
        ConfigFormat::AliyunpanJson => aliyunpan(text)?,
        // Read elsewhere (SQLite), or holding no roots to read.
        ConfigFormat::Sqlite
        | ConfigFormat::RcloneConf
        | ConfigFormat::Encrypted
        | ConfigFormat::Directory
        | ConfigFormat::Registry => Vec::new(),
    };
    Ok(raw
        .into_iter()
        .filter_map(|(value, line)| {
            Some(ConfiguredRoot {
                path: normalise(&value, home)?,
                line,
            })
        })
        .collect())
}

/// `~` expanded, trailing `/` removed; `None` for an empty, relative or `..`-holding path.
pub fn normalise(value: &str, home: &Path) -> Option<PathBuf> {
    let value = value.trim();
    let path = if value == "~" {
        home.to_path_buf()
    } else if let Some(rest) = value.strip_prefix("~/") {
        home.join(rest)
    } else {
        PathBuf::from(value)
    };
    let absolute = path.is_absolute();
    let clean = path.components().all(|c| !matches!(c, Component::ParentDir));
    (absolute && clean).then(|| path.components().collect())
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
fn syncthing(text: &str) -> Result<Vec<(String, usize)>, ConfigProblem> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut out = Vec::new();
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
    Ok(out)
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
