//! A scan: the detection layers in the research notes' order (configuration files, the
//! CloudProviders D-Bus interface, the mount table, markers, running clients), combined so
//! that one piece of evidence anywhere is enough. The sources (homes, mount table, process
//! list) are injected, so tests build fixture homes and fake mount tables.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cloud::catalogue::{Catalogue, ConfigFormat, Provider};
use crate::cloud::environment::Environment;
use crate::cloud::finding::{Client, Evidence, Finding, Note, Strength};
use crate::cloud::markers::{self, WalkLimits};
use crate::cloud::processes::{self, Named, ProcessInfo};
use crate::cloud::{config, configured};
use crate::mounts::{self, Mount, Reach};

/// At most this many pieces of evidence are kept per finding.
const MAX_EVIDENCE: usize = 8;

/// What a scan reads.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// The users' environments (homes and XDG directories).
    pub environments: Vec<Environment>,
    /// The mount table (`/proc/self/mountinfo` text); `None` reads this machine's.
    pub mount_table: Option<String>,
    /// The processes.
    pub processes: Processes,
    /// Walk the homes for markers within these limits; `None` skips the walk (markers are
    /// still checked above each destination).
    pub walk: Option<WalkLimits>,
    /// Directories never walked (the vault's own).
    pub skip: Vec<PathBuf>,
}

impl Sources {
    /// This machine as this process sees it: its user's environments, the live mount table
    /// and process list, and the bounded marker walk.
    pub fn this_machine() -> Sources {
        Sources {
            environments: Environment::of_this_process(),
            mount_table: None,
            processes: Processes::Live,
            walk: Some(WalkLimits::default()),
            skip: Vec::new(),
        }
    }
}

/// Where the process layer's list comes from.
#[derive(Clone, Debug, Default)]
pub enum Processes {
    /// This machine's processes now.
    #[default]
    Live,
    /// A given list (tests).
    Given(Vec<ProcessInfo>),
    /// Not listed: the layer is skipped (opening a vault: the other layers name the folders,
    /// and listing every process would slow each command).
    Skipped,
}

impl Processes {
    /// The processes this source gives (none when skipped).
    pub fn list(&self) -> Vec<ProcessInfo> {
        match self {
            Processes::Live => processes::running(),
            Processes::Given(list) => list.clone(),
            Processes::Skipped => Vec::new(),
        }
    }
}

/// The result of a scan.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Scan {
    /// Every synced or network folder found, by root.
    pub findings: Vec<Finding>,
    /// Sync clients running now.
    pub clients: Vec<Client>,
    /// What could not be read or was not run.
    pub notes: Vec<Note>,
    /// Directories the marker walk read.
    pub walked_directories: usize,
    /// The mounts the scan saw (for the destination check).
    #[serde(skip)]
    pub mounts: Vec<Mount>,
}

impl Scan {
    /// The findings that keep the vault and exports out.
    pub fn blocking(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.strength == Strength::Blocking)
    }
}

/// Gathers findings, one per (provider, root), merging their evidence.
#[derive(Debug, Default)]
pub struct Collector {
    findings: BTreeMap<(String, PathBuf), Finding>,
    notes: Vec<Note>,
}

impl Collector {
    /// Record that `root` belongs to `provider`, shown by `evidence`.
    pub fn add(&mut self, provider: &Provider, root: &Path, evidence: Evidence, strength: Strength) {
        self.add_named(&provider.id, &provider.name, root, evidence, strength);
    }

    /// As [`Collector::add`], for a provider named outside the catalogue (a network share).
    pub fn add_named(&mut self, id: &str, name: &str, root: &Path, evidence: Evidence, strength: Strength) {
        let root: PathBuf = root.components().collect();
        let finding = self
            .findings
            .entry((id.to_string(), root.clone()))
            .or_insert_with(|| Finding {
                provider: id.to_string(),
                provider_name: name.to_string(),
                root,
                resolved: None,
                identity: None,
                evidence: Vec::new(),
                exists: false,
                client_running: false,
                strength,
            });
        finding.strength = finding.strength.max(strength);
        // A few lines of evidence say enough (a file naming one root 50 000 times must not
        // make the scan quadratic).
        if finding.evidence.len() < MAX_EVIDENCE && !finding.evidence.contains(&evidence) {
            finding.evidence.push(evidence);
        }
    }

    /// Say what a layer could not do.
    pub fn note(&mut self, layer: &'static str, path: Option<&Path>, message: String) {
        self.notes.push(Note {
            layer,
            path: path.map(Path::to_path_buf),
            message,
        });
    }
}

/// Run every layer over `sources`.
pub fn scan(catalogue: &Catalogue, sources: &Sources) -> Scan {
    let mut out = Collector::default();
    // 1. Configuration files.
    for env in &sources.environments {
        configured::read(env, catalogue, &mut out);
    }
    // 2. The CloudProviders D-Bus interface.
    out.note(
        "cloudproviders",
        None,
        "not run: this build carries no D-Bus client; Nextcloud, the main client exporting the \
         interface, is found by its configuration"
            .into(),
    );
    // 3. The mount table.
    let table = match &sources.mount_table {
        Some(table) => table.clone(),
        None => std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_else(|e| {
            out.note(
                "mounts",
                Some(Path::new("/proc/self/mountinfo")),
                format!("cannot be read: {e}"),
            );
            String::new()
        }),
    };
    let mounts = mounts::parse(&table);
    for mount in mounts.iter().filter(|m| m.reach() == Reach::Network) {
        let evidence = Evidence::Mount {
            fstype: mount.fstype.clone(),
            source: mount.source.clone(),
        };
        match provider_of_mount(catalogue, mount) {
            Some(provider) => out.add(provider, &mount.point, evidence, Strength::Blocking),
            None => {
                let name = format!("network file system ({})", mount.fstype);
                out.add_named("network", &name, &mount.point, evidence, Strength::Blocking);
            }
        }
    }
    // 4. Markers, walking each home (not network mounts, not the vault).
    let mut walked = 0;
    if let Some(limits) = sources.walk {
        let homes: Vec<PathBuf> = sources.environments.iter().map(|e| e.home.clone()).collect();
        let mut skip = sources.skip.clone();
        skip.extend(
            mounts
                .iter()
                .filter(|m| m.reach() == Reach::Network)
                .map(|m| m.point.clone()),
        );
        let walk = markers::walk(catalogue, &homes, &skip, limits);
        walked = walk.directories;
        for hit in walk.hits {
            if let Some(provider) = catalogue.provider(&hit.provider) {
                out.add(
                    provider,
                    &hit.folder,
                    Evidence::Marker { path: hit.marker },
                    Strength::Blocking,
                );
            }
        }
        if walk.truncated {
            let message = format!("the walk stopped at its limit of {} directories", limits.directories);
            out.note("markers", None, message);
        }
        if walk.shallow {
            let message = format!(
                "directories deeper than {} levels, or past {} entries, were not walked",
                limits.depth, limits.entries_per_directory
            );
            out.note("markers", None, message);
        }
        for (dir, error) in walk.unreadable.into_iter().take(20) {
            out.note("markers", Some(&dir), format!("cannot be read: {error}"));
        }
    }
    // 5. Running clients and the folders their command lines name.
    let processes = sources.processes.list();
    let home = sources.environments.first().map(|e| e.home.clone()).unwrap_or_default();
    let mut clients = Vec::new();
    for process in &processes {
        let Some(provider) = processes::provider_of(catalogue, process) else {
            continue;
        };
        let exe = processes::executable(process);
        for named in processes::named_folders(provider, &process.cmd) {
            match named {
                Named::Root(root) => {
                    let evidence = Evidence::Process {
                        pid: process.pid,
                        exe: exe.clone(),
                    };
                    out.add(provider, &root, evidence, Strength::Blocking);
                }
                Named::ConfigDir(dir) => read_named_config(provider, &dir, &home, &mut out),
            }
        }
        clients.push(Client {
            provider: provider.id.clone(),
            provider_name: provider.name.clone(),
            pid: process.pid,
            exe,
            uid: process.uid,
        });
    }
    clients.sort_by_key(|c| c.pid);
    let mut findings: Vec<Finding> = out.findings.into_values().collect();
    for finding in &mut findings {
        finding.client_running = clients.iter().any(|c| c.provider == finding.provider);
    }
    resolve_roots(&mut findings);
    Scan {
        findings,
        clients,
        notes: out.notes,
        walked_directories: walked,
        mounts,
    }
}

/// Each finding's root as it stands now: whether it exists, its `(device, inode)`, and its
/// path resolved through symlinks (the nearest existing ancestor's, for a root not made yet,
/// so a root named through a symlinked directory still matches).
pub fn resolve_roots(findings: &mut [Finding]) {
    for finding in findings {
        let meta = std::fs::metadata(&finding.root).ok();
        finding.exists = meta.as_ref().is_some_and(|m| m.is_dir());
        finding.identity = meta.map(|m| (m.dev(), m.ino()));
        finding.resolved = crate::cloud::destination::resolve(&finding.root)
            .ok()
            .or_else(|| lexical(&finding.root));
    }
}

/// `path` with `.` and `..` taken away by name, for a root whose `..` names a parent of a
/// folder that does not exist (nothing on disk to resolve it through).
fn lexical(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    (out != path).then_some(out)
}

/// The provider a network mount belongs to: by type (and source, where given), or by source
/// alone where the type varies (pCloud's `pCloud.fs`).
fn provider_of_mount<'a>(catalogue: &'a Catalogue, mount: &Mount) -> Option<&'a Provider> {
    catalogue.providers.iter().find(|p| {
        // A kind told by a directory below the mount (gvfs's `google-drive:…`) does not name
        // the whole mount: gvfs holds SMB and SFTP shares too.
        p.platforms.linux.mounts.iter().any(|kind| match &kind.source {
            Some(source) => *source == mount.source,
            None => kind.below.is_none() && kind.fstype == mount.fstype,
        })
    })
}

/// A configuration directory a running client names: Syncthing's `config.xml`, onedrive's
/// `config`.
fn read_named_config(provider: &Provider, dir: &Path, home: &Path, out: &mut Collector) {
    let (file, format, key) = match provider.id.as_str() {
        "syncthing" => (dir.join("config.xml"), ConfigFormat::SyncthingXml, None),
        "onedrive" => (dir.join("config"), ConfigFormat::KeyValue, Some("sync_dir")),
        _ => return,
    };
    let bytes = match configured::read_bounded(&file) {
        Ok(bytes) => bytes,
        Err(message) => return out.note("processes", Some(&file), message),
    };
    let (roots, problem) = config::roots_as_far_as_readable(format, &bytes, key, home);
    for root in roots {
        let evidence = Evidence::Config {
            file: file.clone(),
            line: root.line,
        };
        out.add(provider, &root.path, evidence, Strength::Blocking);
    }
    if let Some(problem) = problem {
        out.note(
            "processes",
            Some(&file),
            format!("{problem}; the roots before it are counted"),
        );
    }
}
