//! Whether a destination (the vault's directory, an export) lies in a synced or network
//! folder: the path or any ancestor is a root, compared by canonical path and by
//! `(device, inode)` so neither a symlink nor a bind mount hides it; the mount that holds it
//! reaches another machine (and an encrypted overlay's cipher directory is checked too); a
//! marker sits above it; or it would contain a root. When the path cannot be resolved
//! reliably the answer is doubt, which callers treat as a refusal.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::cloud::catalogue::Catalogue;
use crate::cloud::finding::{Evidence, Finding, Strength};
use crate::cloud::markers;
use crate::cloud::scan::Scan;
use crate::mounts::{self, Reach};

/// How a destination meets a synced folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// The destination is the folder or lies inside it.
    Inside,
    /// The destination is a directory that contains the folder.
    Contains,
}

/// Why a destination is refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The provider id (`network` for a network mount).
    pub provider: String,
    /// The provider's name.
    pub provider_name: String,
    /// The synced or network folder.
    pub root: PathBuf,
    /// How the destination meets it.
    pub relation: Relation,
    /// What shows the folder synced.
    pub evidence: Vec<Evidence>,
}

impl Refusal {
    /// One sentence naming the provider, the folder and the evidence.
    pub fn describe(&self) -> String {
        let evidence: Vec<String> = self.evidence.iter().map(Evidence::describe).collect();
        let relation = match self.relation {
            Relation::Inside => "is inside",
            Relation::Contains => "contains",
        };
        format!(
            "it {relation} {} synced by {} ({})",
            self.root.display(),
            self.provider_name,
            evidence.join("; ")
        )
    }
}

/// The answer for one destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    /// No synced or network folder holds it or lies below it.
    Clear {
        /// The destination resolved.
        resolved: PathBuf,
    },
    /// Refused, with every reason found.
    Refused {
        /// The destination resolved.
        resolved: PathBuf,
        /// Why.
        refusals: Vec<Refusal>,
    },
    /// The path could not be resolved reliably.
    Doubt {
        /// Why.
        reason: String,
    },
}

/// `path` resolved: its nearest existing ancestor through `canonicalize`, the rest appended.
/// A missing part holding `..`, or an ancestor that cannot be resolved for any reason but
/// absence (a loop, no permission), is an error.
pub fn resolve(path: &Path) -> Result<PathBuf, String> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("the current directory cannot be read: {e}"))?
            .join(path)
    };
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    let mut existing = absolute.as_path();
    loop {
        match std::fs::canonicalize(existing) {
            Ok(canonical) => {
                if rest.iter().any(|c| *c == "..") {
                    return Err(format!(
                        "{} names a parent ('..') of a folder that does not exist",
                        path.display()
                    ));
                }
                let mut resolved = canonical;
                resolved.extend(rest.iter().rev());
                return Ok(resolved);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let Some(parent) = existing.parent() else {
                    return Err(format!("{} cannot be resolved", path.display()));
                };
                match existing.components().next_back() {
                    Some(Component::Normal(name)) => rest.push(name),
                    Some(Component::ParentDir) => rest.push("..".as_ref()),
                    _ => {}
                }
                existing = parent;
            }
            Err(e) => return Err(format!("{} cannot be resolved: {e}", existing.display())),
        }
    }
}

/// The verdict for `path` against `scan`.
pub fn check(catalogue: &Catalogue, scan: &Scan, path: &Path) -> Verdict {
    let resolved = match resolve(path) {
        Ok(resolved) => resolved,
        Err(reason) => return Verdict::Doubt { reason },
    };
    let mut refusals = Vec::new();
    refusals_for(catalogue, scan, &resolved, &mut refusals, true);
    // The same directory seen through a bind mount: a synced folder reached that way, or a
    // part of the destination shown inside one.
    for alias in mounts::aliases(&scan.mounts, &resolved) {
        refusals_for(catalogue, scan, &alias, &mut refusals, false);
    }
    if refusals.is_empty() {
        Verdict::Clear { resolved }
    } else {
        Verdict::Refused { resolved, refusals }
    }
}

/// Every reason `resolved` is refused; `overlays` also checks an encrypted overlay's cipher
/// directory (once: its own overlays are not followed).
fn refusals_for(catalogue: &Catalogue, scan: &Scan, resolved: &Path, out: &mut Vec<Refusal>, overlays: bool) {
    // The identity of every existing ancestor (the destination's own included).
    let identities: HashSet<(u64, u64)> = resolved
        .ancestors()
        .filter_map(|a| std::fs::metadata(a).ok())
        .map(|m| (m.dev(), m.ino()))
        .collect();
    for finding in scan.findings.iter().filter(|f| f.strength == Strength::Blocking) {
        let roots = [Some(finding.root.as_path()), finding.resolved.as_deref()];
        let by_path = roots.iter().flatten().any(|root| resolved.starts_with(root));
        let by_identity = finding.identity.is_some_and(|id| identities.contains(&id));
        if by_path || by_identity {
            push(out, finding, Relation::Inside);
        } else if roots.iter().flatten().any(|root| root.starts_with(resolved)) {
            push(out, finding, Relation::Contains);
        }
    }
    // The mount that holds it now, as the scan saw the table.
    if let Some(mount) = mounts::holding(&scan.mounts, resolved) {
        if mount.reach() == Reach::Network {
            let finding = Finding {
                provider: "network".into(),
                provider_name: format!("network file system ({})", mount.fstype),
                root: mount.point.clone(),
                resolved: None,
                identity: None,
                evidence: vec![Evidence::Mount {
                    fstype: mount.fstype.clone(),
                    source: mount.source.clone(),
                }],
                exists: true,
                client_running: false,
                strength: Strength::Blocking,
            };
            push(out, &finding, Relation::Inside);
        } else if overlays && mount.source.starts_with('/') && mount.fstype.starts_with("fuse.") {
            // gocryptfs and its kind store their cipher files in the source directory.
            refusals_for(catalogue, scan, Path::new(&mount.source), out, false);
        }
    }
    // Markers above it.
    for hit in markers::above(catalogue, resolved) {
        let Some(provider) = catalogue.provider(&hit.provider) else {
            continue;
        };
        let finding = Finding {
            provider: provider.id.clone(),
            provider_name: provider.name.clone(),
            root: hit.folder.clone(),
            resolved: None,
            identity: None,
            evidence: vec![Evidence::Marker { path: hit.marker }],
            exists: true,
            client_running: false,
            strength: Strength::Blocking,
        };
        push(out, &finding, Relation::Inside);
    }
}

/// Add a refusal for `finding` unless one names its root already.
fn push(out: &mut Vec<Refusal>, finding: &Finding, relation: Relation) {
    if !out
        .iter()
        .any(|r| r.root == finding.root && r.provider == finding.provider)
    {
        out.push(Refusal {
            provider: finding.provider.clone(),
            provider_name: finding.provider_name.clone(),
            root: finding.root.clone(),
            relation,
            evidence: finding.evidence.clone(),
        });
    }
}
