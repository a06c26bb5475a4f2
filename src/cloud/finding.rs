//! What a scan found: folders whose contents leave this machine, each with the provider, the
//! evidence that shows it, and whether its client runs; the running clients; and what could
//! not be read, so a report never claims more than it saw.

use std::path::PathBuf;

use serde::Serialize;

/// One synced or network folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The catalogue's provider id (`dropbox` …), or `network` for a network mount.
    pub provider: String,
    /// The provider's name (`Dropbox`, `NFS share` …).
    pub provider_name: String,
    /// The folder, as found (a configuration's path, `~` expanded; a mount point).
    pub root: PathBuf,
    /// The folder resolved through symlinks, when it exists.
    pub resolved: Option<PathBuf>,
    /// Its `(device, inode)`, when it exists (bind mounts of it share them).
    #[serde(skip)]
    pub identity: Option<(u64, u64)>,
    /// What shows it.
    pub evidence: Vec<Evidence>,
    /// Whether the folder exists now.
    pub exists: bool,
    /// Whether a client of the provider runs now.
    pub client_running: bool,
    /// How sure the finding is: `Blocking` keeps the vault and exports out.
    pub strength: Strength,
}

/// How a finding counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strength {
    /// Only a provider's default folder name, with no client installed: reported, not enforced
    /// (an ordinary folder may bear the name; research/cloud-sync.md rates it low).
    Possible,
    /// A configuration, mount, marker or running client shows it: enforced.
    Blocking,
}

/// Why a folder counts as synced or remote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Evidence {
    /// A client's configuration names it.
    Config {
        /// The file.
        file: PathBuf,
        /// Its 1-based line (0 for a database row).
        line: usize,
    },
    /// A network or remote file system is mounted there.
    Mount {
        /// The file-system type.
        fstype: String,
        /// The mount's source.
        source: String,
    },
    /// A marker the client leaves in its folders.
    Marker {
        /// The marker's path.
        path: PathBuf,
    },
    /// A running client's command line names it.
    Process {
        /// The process id.
        pid: u32,
        /// The executable.
        exe: PathBuf,
    },
    /// The provider's default folder of a client installed here.
    DefaultFolder {
        /// What shows the client installed (its configuration directory).
        installed: Option<PathBuf>,
    },
}

impl Evidence {
    /// One line a person can check ("config /home/u/.config/syncthing/config.xml line 4").
    pub fn describe(&self) -> String {
        match self {
            Evidence::Config { file, line: 0 } => format!("config {}", file.display()),
            Evidence::Config { file, line } => format!("config {} line {line}", file.display()),
            Evidence::Mount { fstype, source } => format!("mount type {fstype} from {source}"),
            Evidence::Marker { path } => format!("marker {}", path.display()),
            Evidence::Process { pid, exe } => format!("process {pid} ({})", exe.display()),
            Evidence::DefaultFolder { installed: Some(dir) } => {
                format!("default folder; client installed ({})", dir.display())
            }
            Evidence::DefaultFolder { installed: None } => "default folder name only".into(),
        }
    }
}

/// A sync client running now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Client {
    /// The provider id.
    pub provider: String,
    /// The provider's name.
    pub provider_name: String,
    /// The process id.
    pub pid: u32,
    /// The executable (or the first argument, when the executable cannot be read).
    pub exe: PathBuf,
    /// The user id it runs as, when known.
    pub uid: Option<u32>,
}

/// Something a layer could not read or did not run, said rather than guessed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The layer (`config`, `cloudproviders`, `mounts`, `markers`, `processes`).
    pub layer: &'static str,
    /// The file or directory concerned, if any.
    pub path: Option<PathBuf>,
    /// What happened.
    pub message: String,
}

/// What the app's status strip and its Cloud window show of a scan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CloudStrip {
    /// The enforced folders.
    pub folders: Vec<CloudFolder>,
    /// The names of the sync clients running.
    pub clients: Vec<String>,
}

/// One enforced folder as the app lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CloudFolder {
    /// The provider's name.
    pub provider: String,
    /// The folder.
    pub root: PathBuf,
    /// The evidence, one line each.
    pub evidence: Vec<String>,
    /// Whether a client of the provider runs now.
    pub client_running: bool,
    /// Whether the folder exists now.
    pub exists: bool,
}

impl CloudStrip {
    /// The strip's view of `findings` and `clients`.
    pub fn of(findings: &[Finding], clients: &[Client]) -> CloudStrip {
        let mut names: Vec<String> = clients.iter().map(|c| c.provider_name.clone()).collect();
        names.sort();
        names.dedup();
        CloudStrip {
            folders: findings
                .iter()
                .filter(|f| f.strength == Strength::Blocking)
                .map(|f| CloudFolder {
                    provider: f.provider_name.clone(),
                    root: f.root.clone(),
                    evidence: f.evidence.iter().map(Evidence::describe).collect(),
                    client_running: f.client_running,
                    exists: f.exists,
                })
                .collect(),
            clients: names,
        }
    }
}
