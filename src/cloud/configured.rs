//! The first detection layer: each client's configuration files, found under the user's
//! environment and read in their real format (`config`), and SQLite databases read
//! read-only (pCloud's `data.db`, Seafile's `repo.db`). A directory-format entry only says
//! the client is installed, which makes its default folder count.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::cloud::catalogue::{Catalogue, ConfigFile, ConfigFormat, Provider};
use crate::cloud::config::{self, MAX_CONFIG_BYTES};
use crate::cloud::environment::Environment;
use crate::cloud::finding::{Evidence, Strength};
use crate::cloud::scan::Collector;

/// At most this many roots are taken from one database (a hostile file cannot flood a scan).
const MAX_DATABASE_ROOTS: usize = 10_000;

/// Read every configuration the catalogue names under `env` into `out`.
pub fn read(env: &Environment, catalogue: &Catalogue, out: &mut Collector) {
    for provider in &catalogue.providers {
        let linux = &provider.platforms.linux;
        let mut installed: Option<PathBuf> = None;
        for entry in &linux.config {
            for path in env.expand(&entry.path, &entry.env) {
                if std::fs::symlink_metadata(&path).is_err() {
                    continue;
                }
                installed.get_or_insert_with(|| path.clone());
                read_one(env, provider, entry, &path, out);
            }
        }
        for template in &linux.default_roots {
            for root in env.expand(template, &[]) {
                if root.is_dir() {
                    let strength = if installed.is_some() {
                        Strength::Blocking
                    } else {
                        Strength::Possible
                    };
                    let evidence = Evidence::DefaultFolder {
                        installed: installed.clone(),
                    };
                    out.add(provider, &root, evidence, strength);
                }
            }
        }
    }
}

/// One configuration file (or directory) of `provider`.
fn read_one(env: &Environment, provider: &Provider, entry: &ConfigFile, path: &Path, out: &mut Collector) {
    match entry.format {
        ConfigFormat::Directory | ConfigFormat::Encrypted | ConfigFormat::RcloneConf | ConfigFormat::Registry => {}
        ConfigFormat::Sqlite => {
            for (root, _) in database_roots(path, &entry.queries, out) {
                if let Some(root) = config::normalise(&root, &env.home) {
                    let evidence = Evidence::Config {
                        file: path.to_path_buf(),
                        line: 0,
                    };
                    out.add(provider, &root, evidence, Strength::Blocking);
                }
            }
        }
        format => {
            let bytes = match read_bounded(path) {
                Ok(bytes) => bytes,
                Err(message) => return out.note("config", Some(path), message),
            };
            let (roots, problem) = config::roots_as_far_as_readable(format, &bytes, entry.key.as_deref(), &env.home);
            if let Some(problem) = problem {
                out.note(
                    "config",
                    Some(path),
                    format!("{problem}; the roots before it are counted"),
                );
            }
            for root in roots {
                if format == ConfigFormat::SeafileIni {
                    // The line names Seafile's data directory; its database names the libraries.
                    seafile_libraries(env, provider, entry, &root.path, out);
                    continue;
                }
                let evidence = Evidence::Config {
                    file: path.to_path_buf(),
                    line: root.line,
                };
                out.add(provider, &root.path, evidence, Strength::Blocking);
            }
        }
    }
}

/// Seafile: the libraries `<data dir>/repo.db` lists (their worktrees are the synced roots).
fn seafile_libraries(env: &Environment, provider: &Provider, entry: &ConfigFile, data: &Path, out: &mut Collector) {
    let database = data.join("repo.db");
    if std::fs::symlink_metadata(&database).is_err() {
        out.note(
            "config",
            Some(&database),
            "Seafile's library database is missing: its libraries cannot be listed".into(),
        );
        return;
    }
    for (root, _) in database_roots(&database, &entry.queries, out) {
        if let Some(root) = config::normalise(&root, &env.home) {
            let evidence = Evidence::Config {
                file: database.clone(),
                line: 0,
            };
            out.add(provider, &root, evidence, Strength::Blocking);
        }
    }
}

/// A regular file's bytes, at most one past [`MAX_CONFIG_BYTES`] (the reader counts what
/// comes before and says the rest was not read); never blocks on a FIFO or device.
pub fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    // The type is decided on the descriptor before anything is opened for reading: root
    // scanning a user's home must not open a device their link points at.
    let file = super::regular_file::open(path, true).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidInput => "not a regular file: not read".to_string(),
        _ => format!("cannot be read: {e}"),
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read: {e}"))?;
    Ok(bytes)
}

/// The first column of each query's rows, read-only and with an untrusted schema; a query
/// that fails (a missing table) is skipped, a database that cannot be opened is noted.
fn database_roots(path: &Path, queries: &[String], out: &mut Collector) -> Vec<(String, usize)> {
    use rusqlite::OpenFlags;
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => {
            out.note("config", Some(path), "not a regular file: not read".into());
            return Vec::new();
        }
        Err(e) => {
            out.note("config", Some(path), format!("cannot be read: {e}"));
            return Vec::new();
        }
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = match rusqlite::Connection::open_with_flags(path, flags) {
        Ok(conn) => conn,
        Err(e) => {
            out.note("config", Some(path), format!("not a database this scan can read: {e}"));
            return Vec::new();
        }
    };
    let _ = conn.pragma_update(None, "trusted_schema", "OFF");
    let _ = conn.busy_timeout(std::time::Duration::from_millis(200));
    let mut roots = Vec::new();
    let mut readable = false;
    for query in queries {
        let Ok(mut statement) = conn.prepare(query) else {
            continue;
        };
        let Ok(mut rows) = statement.query([]) else {
            continue;
        };
        readable = true;
        while let Ok(Some(row)) = rows.next() {
            if let Ok(value) = row.get::<_, String>(0) {
                roots.push((value, 0));
            }
            if roots.len() >= MAX_DATABASE_ROOTS {
                break;
            }
        }
    }
    if !readable {
        out.note(
            "config",
            Some(path),
            "none of the client's tables could be read: its folders are not listed".into(),
        );
    }
    roots
}
