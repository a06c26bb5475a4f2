//! Where a copy from removable media must not land unnoticed (DESIGN.md §5): every home
//! directory in the password database (the guard is root), `/tmp`, `/var/tmp`, every network
//! file-system mount (writing there is writing to another machine), and the directories an
//! officer configured. Never the vault, the guard's own directory or the media themselves:
//! those are left out of every root and of everything below one.

use std::path::{Path, PathBuf};

use crate::mounts::{Mount, Reach};

/// One protected root and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Destination {
    /// The directory watched (with everything below it).
    pub root: PathBuf,
    /// Why it is protected.
    pub kind: DestinationKind,
}

/// Why a directory is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DestinationKind {
    /// An account's home directory.
    Home,
    /// `/tmp` or `/var/tmp`.
    Temporary,
    /// A network file-system mount: the file is on another machine.
    NetworkShare,
    /// A directory an officer configured.
    Configured,
}

/// The home directories in a password database text (`/etc/passwd` format), existing or not;
/// `/`, `/nonexistent` and empty homes are left out.
pub fn homes(passwd: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = passwd
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split(':').nth(5))
        .filter(|h| h.starts_with('/') && *h != "/" && *h != "/nonexistent" && !h.starts_with("/proc"))
        .map(PathBuf::from)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The protected roots: `homes`, `/tmp` and `/var/tmp` (with `temporary`), the network
/// mounts among `mounts` and `configured`, leaving out what is inside `excluded` (the vault,
/// the guard directory, the media), and roots inside another root (one recursive watch
/// covers them).
pub fn protected(
    homes: &[PathBuf],
    temporary: bool,
    mounts: &[Mount],
    configured: &[PathBuf],
    excluded: &[PathBuf],
) -> Vec<Destination> {
    let mut all: Vec<Destination> = Vec::new();
    let mut add = |root: PathBuf, kind| all.push(Destination { root, kind });
    for home in homes {
        add(home.clone(), DestinationKind::Home);
    }
    if temporary {
        // Every directory anyone may write to: /tmp, /var/tmp, shared memory, and each
        // user's runtime directory (a tmpfs under /run/user).
        for dir in ["/tmp", "/var/tmp", "/dev/shm", "/run/user"] {
            add(PathBuf::from(dir), DestinationKind::Temporary);
        }
    }
    for mount in mounts.iter().filter(|m| m.reach() == Reach::Network) {
        add(mount.point.clone(), DestinationKind::NetworkShare);
    }
    for dir in configured {
        add(dir.clone(), DestinationKind::Configured);
    }
    let resolved = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let excluded: Vec<PathBuf> = excluded.iter().map(|p| resolved(p)).collect();
    let mut out: Vec<Destination> = Vec::new();
    for mut destination in all {
        destination.root = resolved(&destination.root);
        if !destination.root.is_dir() || excluded.iter().any(|e| destination.root.starts_with(e)) {
            continue;
        }
        out.push(destination);
    }
    // A network share inside a home stays a share (its kind says more); otherwise a root
    // inside another is covered by it.
    out.sort_by(|a, b| a.root.cmp(&b.root));
    let mut kept: Vec<Destination> = Vec::new();
    for destination in out {
        match kept.iter_mut().find(|k| destination.root.starts_with(&k.root)) {
            Some(outer) if outer.root == destination.root => {
                if destination.kind == DestinationKind::NetworkShare {
                    outer.kind = DestinationKind::NetworkShare;
                }
            }
            Some(_) if destination.kind != DestinationKind::NetworkShare => {}
            _ => kept.push(destination),
        }
    }
    kept
}

/// Whether `path` lies inside one of `excluded` (the vault, the guard's directory, a medium):
/// events there are not copies onto this machine.
pub fn is_excluded(path: &Path, excluded: &[PathBuf]) -> bool {
    excluded.iter().any(|e| path.starts_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homes_come_from_the_password_database() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\n\
                      daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
                      nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n\
                      alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n\
                      # a comment\n\
                      broken line\n\
                      sys:x:3:3::/:/bin/false\n";
        assert_eq!(
            homes(passwd),
            [
                PathBuf::from("/home/alice"),
                PathBuf::from("/root"),
                PathBuf::from("/usr/sbin")
            ]
        );
    }

    #[test]
    fn the_vault_and_the_media_are_never_protected_and_shares_keep_their_kind() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home/alice");
        let vault = home.join(".local/share/strongroom");
        let share = home.join("share");
        let stick = dir.path().join("media/STICK");
        for d in [&vault, &share, &stick] {
            std::fs::create_dir_all(d).unwrap();
        }
        let mounts = crate::mounts::parse(&format!("40 22 0:50 / {} rw - cifs //host/share rw\n", share.display()));
        // (Without /tmp, which holds the test's directories and would cover them all.)
        let roots = protected(
            &[home.clone(), vault.clone()],
            false,
            &mounts,
            std::slice::from_ref(&stick),
            &[vault.clone(), stick.clone()],
        );
        let listed: Vec<_> = roots.iter().map(|d| (d.root.clone(), d.kind)).collect();
        assert!(listed.contains(&(home.clone(), DestinationKind::Home)), "{listed:?}");
        assert!(
            listed.contains(&(share.clone(), DestinationKind::NetworkShare)),
            "{listed:?}"
        );
        assert!(
            !listed
                .iter()
                .any(|(r, _)| r.starts_with(&vault) || r.starts_with(&stick)),
            "{listed:?}"
        );
        assert!(is_excluded(&vault.join("objects/ab"), std::slice::from_ref(&vault)));
    }
}
