//! The provider catalogue, `schemas/cloud-providers.json`: per sync client and platform, its
//! default folders, the configuration files that name its synced roots and how to read them,
//! its markers, processes and units and the mounts it makes; and the one list of file-system
//! types that reach another machine (`crate::mounts` reads it). Facts and sources:
//! `../shared/research/cloud-sync.md`. Part of the binary, checked by tests.

use std::sync::OnceLock;

use serde::Deserialize;

/// The catalogue file's text.
pub const TEXT: &str = include_str!("../../schemas/cloud-providers.json");

/// The whole catalogue.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// The file's explanation.
    #[serde(rename = "$comment")]
    pub comment: String,
    /// Always 1.
    pub format: u32,
    /// File-system types by reach.
    pub filesystems: FileSystems,
    /// The sync clients.
    pub providers: Vec<Provider>,
}

/// The mount table's types: those that reach another machine, and FUSE drivers known local.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSystems {
    /// Network and cloud types (`nfs4`, `cifs`, `fuse.sshfs` …).
    pub network: Vec<String>,
    /// FUSE types that stay on this machine (`fuseblk`, `fuse.exfat` …).
    pub local_fuse: Vec<String>,
}

/// One sync client.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Stable id (`dropbox`, `baidu-netdisk` …).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its Chinese name, where it has one.
    #[serde(default)]
    pub name_zh: Option<String>,
    /// What it does per platform.
    pub platforms: Platforms,
    /// Where the facts come from.
    pub sources: Vec<String>,
}

/// A provider per platform (Linux always; the others written from the research, untested).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platforms {
    /// Linux.
    pub linux: Platform,
    /// Windows (untested).
    #[serde(default)]
    pub windows: Option<Platform>,
    /// macOS (untested).
    #[serde(default)]
    pub macos: Option<Platform>,
}

/// What a provider leaves on one platform.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    /// Checked by this project's tests.
    pub tested: bool,
    /// How sure the research is (`high`, `medium`, `low`).
    pub confidence: Confidence,
    /// Folders it uses unless told otherwise (`~`-relative).
    #[serde(default)]
    pub default_roots: Vec<String>,
    /// Configuration files that name its roots.
    #[serde(default)]
    pub config: Vec<ConfigFile>,
    /// Files or directories it leaves in a root.
    #[serde(default)]
    pub markers: Vec<Marker>,
    /// Executable names of its processes.
    #[serde(default)]
    pub processes: Vec<String>,
    /// Arguments (basenames) that name it when it runs under a generic executable (`java`).
    #[serde(default)]
    pub arguments: Vec<String>,
    /// What its command line says about its folders.
    #[serde(default)]
    pub command_line: CommandLine,
    /// Its systemd units.
    #[serde(default)]
    pub units: Vec<String>,
    /// The mounts it makes.
    #[serde(default)]
    pub mounts: Vec<MountKind>,
    /// Anything else worth knowing.
    #[serde(default)]
    pub note: Option<String>,
}

/// The options of a client's command line that name its folders.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandLine {
    /// Options whose value is a synced root (`yandex-disk --dir=DIR`).
    #[serde(default)]
    pub root_options: Vec<String>,
    /// Options whose value is a configuration directory to read (`syncthing --home DIR`).
    #[serde(default)]
    pub config_dir_options: Vec<String>,
    /// Absolute positional arguments are roots (`rclone mount R: DIR`).
    #[serde(default)]
    pub positional_roots: bool,
}

/// How sure a fact is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Read in the client's own source or documentation.
    High,
    /// One secondary source, or inferred.
    Medium,
    /// A guess or a single report.
    #[default]
    Low,
}

/// A configuration file and how its roots are read.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Its path template (`~`, `{config}`, `{state}`, `{data}`, `{runtime}`, `*`).
    pub path: String,
    /// Its format.
    pub format: ConfigFormat,
    /// What holds the roots, in words.
    pub read: String,
    /// The key, for `key-value` files.
    #[serde(default)]
    pub key: Option<String>,
    /// Read-only queries whose first column is a root (`sqlite`, and `seafile-ini`'s database).
    #[serde(default)]
    pub queries: Vec<String>,
    /// Environment variables that move it.
    #[serde(default)]
    pub env: Vec<String>,
}

/// The formats of configuration files the detector reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigFormat {
    /// Syncthing's `config.xml`.
    SyncthingXml,
    /// Qt's QSettings INI (Nextcloud, ownCloud).
    QsettingsIni,
    /// `key = "value"` lines with `#`/`;` comments.
    KeyValue,
    /// Dropbox's `info.json`.
    DropboxInfoJson,
    /// An SQLite database and a query.
    Sqlite,
    /// Seafile's one-line `seafile.ini`.
    SeafileIni,
    /// Unison profiles.
    UnisonPrf,
    /// rclone's remotes (no local roots).
    RcloneConf,
    /// aliyunpan's sync configuration.
    AliyunpanJson,
    /// Encrypted settings (markers find the roots).
    Encrypted,
    /// A directory whose presence says the client is installed.
    Directory,
    /// The Windows registry.
    Registry,
}

/// A marker a provider leaves in its root.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    /// Its name, relative to the root (may hold `*` and one `/`).
    pub name: String,
    /// `file` or `dir`.
    pub kind: MarkerKind,
}

/// What a marker is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarkerKind {
    /// A file.
    File,
    /// A directory.
    Dir,
}

/// A mount a provider makes, as the mount table shows it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MountKind {
    /// Its type.
    pub fstype: String,
    /// Its source, when that is what tells it apart (pCloud's plain `fuse`).
    #[serde(default)]
    pub source: Option<String>,
    /// A directory-name prefix beneath the mount (gvfs's `google-drive:`).
    #[serde(default)]
    pub below: Option<String>,
}

impl Catalogue {
    /// The catalogue the binary carries. It is checked by tests; were it unreadable, no
    /// provider would be known and every FUSE mount but `fuseblk` on a device would count as
    /// remote (the safe side).
    pub fn bundled() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| {
            serde_json::from_str(TEXT).unwrap_or(Catalogue {
                comment: String::new(),
                format: 1,
                filesystems: FileSystems {
                    network: Vec::new(),
                    local_fuse: Vec::new(),
                },
                providers: Vec::new(),
            })
        })
    }

    /// The provider with `id`.
    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_parses_and_names_every_provider_the_issue_asks_for() {
        let catalogue: Catalogue = serde_json::from_str(TEXT).unwrap();
        assert_eq!(catalogue.format, 1);
        let ids: Vec<&str> = catalogue.providers.iter().map(|p| p.id.as_str()).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "ids are unique");
        for wanted in [
            "baidu-netdisk",
            "nutstore",
            "aliyun-drive",
            "tencent-weiyun",
            "wps-cloud",
            "dropbox",
            "onedrive",
            "google-drive",
            "icloud",
            "nextcloud",
            "owncloud",
            "syncthing",
            "resilio",
            "mega",
            "pcloud",
            "box",
            "seafile",
            "insync",
            "yandex-disk",
            "rclone",
        ] {
            assert!(catalogue.provider(wanted).is_some(), "{wanted} is missing");
        }
        for chinese in [
            "baidu-netdisk",
            "nutstore",
            "aliyun-drive",
            "tencent-weiyun",
            "wps-cloud",
        ] {
            assert!(
                catalogue.provider(chinese).unwrap().name_zh.is_some(),
                "{chinese} has a Chinese name"
            );
        }
        // Windows and macOS are written from the research, never claimed tested.
        for provider in &catalogue.providers {
            let others = [&provider.platforms.windows, &provider.platforms.macos];
            assert!(
                others.iter().all(|p| p.as_ref().is_none_or(|p| !p.tested)),
                "{}",
                provider.id
            );
            assert!(!provider.sources.is_empty(), "{} names its sources", provider.id);
        }
        // Every network type the issue names is in the one list; no type is both.
        let fs = &catalogue.filesystems;
        for t in ["cifs", "smb3", "nfs", "nfs4", "fuse.sshfs", "davfs", "fuse.s3fs", "9p"] {
            assert!(fs.network.iter().any(|n| n == t), "{t}");
        }
        assert!(fs.network.iter().all(|t| !fs.local_fuse.contains(t)));
        // The bundled copy is the same file.
        assert_eq!(Catalogue::bundled().providers.len(), catalogue.providers.len());
    }
}
