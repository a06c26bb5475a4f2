//! The process layer: sync clients running now, told by their executable's path (the kernel's
//! 15-character process name is not the executable: `google-drive-oc`), by their first
//! argument, or, for clients run by a generic interpreter (`java … NutstoreGUI`), by a
//! named argument; and the folders their command lines name (`rclone mount R: DIR`,
//! `yandex-disk --dir=DIR`, `onedrive --syncdir DIR`; `syncthing --home DIR` names a
//! configuration directory). Read through `sysinfo`; tests inject the list.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::cloud::catalogue::{Catalogue, Provider};

/// One process, as the layer needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessInfo {
    /// Its id.
    pub pid: u32,
    /// Its executable, when it can be read (not for other users' processes without root).
    pub exe: Option<PathBuf>,
    /// Its command line.
    pub cmd: Vec<OsString>,
    /// The user it runs as.
    pub uid: Option<u32>,
}

/// What a client's command line says about its folders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Named {
    /// A synced or mounted folder.
    Root(PathBuf),
    /// A configuration directory to read (Syncthing's `--home`, onedrive's `--confdir`).
    ConfigDir(PathBuf),
}

/// Every process on this machine now, with its executable and command line.
pub fn running() -> Vec<ProcessInfo> {
    use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};
    let mut system = System::new();
    let kind = ProcessRefreshKind::nothing()
        .with_exe(UpdateKind::Always)
        .with_cmd(UpdateKind::Always)
        .with_user(UpdateKind::Always)
        .without_tasks();
    system.refresh_processes_specifics(ProcessesToUpdate::All, true, kind);
    system
        .processes()
        .iter()
        .map(|(pid, process)| ProcessInfo {
            pid: pid.as_u32(),
            exe: process.exe().map(Path::to_path_buf),
            cmd: process.cmd().to_vec(),
            uid: process.user_id().map(|uid| **uid),
        })
        .collect()
}

/// The sync clients among `processes`.
pub fn clients(catalogue: &Catalogue, processes: &[ProcessInfo]) -> Vec<crate::cloud::finding::Client> {
    let mut out: Vec<crate::cloud::finding::Client> = processes
        .iter()
        .filter_map(|process| {
            let provider = provider_of(catalogue, process)?;
            Some(crate::cloud::finding::Client {
                provider: provider.id.clone(),
                provider_name: provider.name.clone(),
                pid: process.pid,
                exe: executable(process),
                uid: process.uid,
            })
        })
        .collect();
    out.sort_by_key(|c| c.pid);
    out
}

/// A process's executable, or its first argument when the executable cannot be read.
pub fn executable(process: &ProcessInfo) -> PathBuf {
    process
        .exe
        .clone()
        .or_else(|| process.cmd.first().map(PathBuf::from))
        .unwrap_or_default()
}

/// The provider `process` runs as a client of, if any.
pub fn provider_of<'a>(catalogue: &'a Catalogue, process: &ProcessInfo) -> Option<&'a Provider> {
    let base = |p: &Path| {
        let name = p.file_name()?.to_string_lossy().into_owned();
        // A replaced executable reads as "dropbox (deleted)".
        Some(name.strip_suffix(" (deleted)").unwrap_or(&name).to_string())
    };
    let exe = process.exe.as_deref().and_then(base);
    let first = process.cmd.first().and_then(|a| base(Path::new(a)));
    catalogue.providers.iter().find(|provider| {
        let linux = &provider.platforms.linux;
        let named = |n: &Option<String>| n.as_ref().is_some_and(|n| linux.processes.iter().any(|p| p == n));
        let argument = || {
            process
                .cmd
                .iter()
                .skip(1)
                .filter_map(|a| base(Path::new(a)))
                .any(|a| linux.arguments.contains(&a))
        };
        named(&exe) || named(&first) || (!linux.arguments.is_empty() && argument())
    })
}

/// The folders a client's command line names (absolute paths only), as the catalogue's
/// `command_line` says to read them.
pub fn named_folders(provider: &Provider, cmd: &[OsString]) -> Vec<Named> {
    let args: Vec<String> = cmd.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let option = |names: &[String]| -> Vec<PathBuf> {
        let mut out = Vec::new();
        for (i, arg) in args.iter().enumerate() {
            for name in names {
                if arg == name
                    && let Some(value) = args.get(i + 1)
                {
                    out.push(PathBuf::from(value));
                } else if let Some(value) = arg.strip_prefix(name.as_str()).and_then(|v| v.strip_prefix('=')) {
                    out.push(PathBuf::from(value));
                }
            }
        }
        out.into_iter().filter(|p| p.is_absolute()).collect()
    };
    let spec = &provider.platforms.linux.command_line;
    let mut out: Vec<Named> = option(&spec.root_options).into_iter().map(Named::Root).collect();
    if spec.positional_roots {
        out.extend(positional_paths(&args).into_iter().map(Named::Root));
    }
    out.extend(option(&spec.config_dir_options).into_iter().map(Named::ConfigDir));
    out
}

/// Absolute paths among a command's positional arguments (not the value of an option).
fn positional_paths(args: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (i, arg) in args.iter().enumerate().skip(1) {
        let after_option = i > 1 && args[i - 1].starts_with('-') && !args[i - 1].contains('=');
        if arg.starts_with('/') && !after_option {
            out.push(PathBuf::from(arg));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(exe: Option<&str>, cmd: &[&str]) -> ProcessInfo {
        ProcessInfo {
            pid: 42,
            exe: exe.map(PathBuf::from),
            cmd: cmd.iter().map(OsString::from).collect(),
            uid: Some(1000),
        }
    }

    #[test]
    fn clients_are_told_by_executable_path_first_argument_or_a_named_argument() {
        let catalogue = Catalogue::bundled();
        let id = |p: &ProcessInfo| provider_of(catalogue, p).map(|p| p.id.as_str());
        // The kernel's name is cut to 15 characters; the executable is not.
        let fuse = process(Some("/usr/bin/google-drive-ocamlfuse"), &["google-drive-oc"]);
        assert_eq!(id(&fuse), Some("google-drive"));
        let dropbox = process(
            Some("/home/u/.dropbox-dist/dropbox-lnx.x86_64-190.4.6383/dropbox (deleted)"),
            &["/home/u/.dropbox-dist/dropbox-lnx.x86_64-190.4.6383/dropbox"],
        );
        assert_eq!(id(&dropbox), Some("dropbox"));
        // Another user's process: no executable, the first argument names it.
        assert_eq!(id(&process(None, &["/usr/bin/syncthing", "serve"])), Some("syncthing"));
        let nutstore = process(
            Some("/usr/lib/jvm/java-17/bin/java"),
            &["java", "-cp", "x.jar", "nutstore.client.gui.NutstoreGUI"],
        );
        assert_eq!(id(&nutstore), Some("nutstore"));
        // Java running something else, or an editor opening a file named like a client.
        assert_eq!(id(&process(Some("/usr/bin/java"), &["java", "-jar", "app.jar"])), None);
        assert_eq!(id(&process(Some("/usr/bin/vim"), &["vim", "/home/u/dropbox"])), None);
    }

    #[test]
    fn command_lines_name_roots_and_configuration_directories() {
        let cmd = |args: &[&str]| args.iter().map(OsString::from).collect::<Vec<_>>();
        let named_folders = |id: &str, cmd: &[OsString]| named_folders(Catalogue::bundled().provider(id).unwrap(), cmd);
        assert_eq!(
            named_folders(
                "rclone",
                &cmd(&[
                    "rclone",
                    "mount",
                    "drive:",
                    "/home/u/gdrive",
                    "--config",
                    "/etc/rc.conf"
                ])
            ),
            [Named::Root("/home/u/gdrive".into())]
        );
        assert_eq!(
            named_folders("yandex-disk", &cmd(&["yandex-disk", "start", "--dir=/home/u/YD"])),
            [Named::Root("/home/u/YD".into())]
        );
        assert_eq!(
            named_folders(
                "onedrive",
                &cmd(&["onedrive", "--monitor", "--confdir", "/home/u/.config/od2"])
            ),
            [Named::ConfigDir("/home/u/.config/od2".into())]
        );
        assert_eq!(
            named_folders("syncthing", &cmd(&["syncthing", "serve", "--home=/srv/st"])),
            [Named::ConfigDir("/srv/st".into())]
        );
        assert!(named_folders("yandex-disk", &cmd(&["yandex-disk", "--dir=relative"])).is_empty());
    }
}
