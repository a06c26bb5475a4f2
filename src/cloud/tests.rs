//! Fixture homes for every Linux provider in the catalogue, built from the research notes'
//! real configuration shapes (research/cloud-sync.md §4), scanned with an injected
//! environment, mount table and process list; and destinations checked against them.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::catalogue::Catalogue;
use super::destination::{self, Relation, Verdict};
use super::environment::Environment;
use super::finding::{Evidence, Strength};
use super::markers::WalkLimits;
use super::processes::ProcessInfo;
use super::scan::{Processes, Scan, Sources, scan};

/// A temporary home with files written into it.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.home().join(rel)
    }

    fn home(&self) -> PathBuf {
        std::fs::canonicalize(self.dir.path()).unwrap().join("home")
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text.replace("$HOME", &self.home().to_string_lossy())).unwrap();
        path
    }

    fn mkdir(&self, rel: &str) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(&path).unwrap();
        path
    }

    fn env(&self) -> Environment {
        std::fs::create_dir_all(self.home()).unwrap();
        Environment::for_home(&self.home())
    }

    fn scan_with(&self, mount_table: &str, processes: Vec<ProcessInfo>) -> Scan {
        let sources = Sources {
            environments: vec![self.env()],
            mount_table: Some(mount_table.to_string()),
            processes: Processes::Given(processes),
            walk: Some(WalkLimits::default()),
            skip: Vec::new(),
        };
        scan(Catalogue::bundled(), &sources)
    }

    fn scan(&self) -> Scan {
        self.scan_with("", Vec::new())
    }
}

/// The blocking roots `scan` found for `provider`, sorted.
fn roots(scan: &Scan, provider: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = scan
        .blocking()
        .filter(|f| f.provider == provider)
        .map(|f| f.root.clone())
        .collect();
    out.sort();
    out
}

fn refused(scan: &Scan, path: &Path) -> bool {
    matches!(
        destination::check(Catalogue::bundled(), scan, path),
        Verdict::Refused { .. }
    )
}

#[test]
fn syncthing_folders_count_and_the_defaults_template_does_not() {
    let home = Home::new();
    let config = "<configuration version=\"37\">\n  <folder id=\"a\" path=\"~/Sync\"></folder>\n  \
                  <defaults>\n    <folder id=\"\" path=\"~\"></folder>\n  </defaults>\n</configuration>\n";
    let file = home.write(".config/syncthing/config.xml", config);
    home.mkdir("Sync/maps");
    home.mkdir("Sync2");
    let scan = home.scan();
    assert_eq!(roots(&scan, "syncthing"), [home.path("Sync")]);
    let finding = scan.findings.iter().find(|f| f.provider == "syncthing").unwrap();
    assert!(finding.evidence.contains(&Evidence::Config { file, line: 2 }));
    assert!(refused(&scan, &home.path("Sync/maps/out.tif")));
    assert!(
        refused(&scan, &home.path("Sync/new/deeper/vault")),
        "a destination not made yet"
    );
    assert!(
        !refused(&scan, &home.path("Sync2/out.tif")),
        "a sibling sharing a prefix"
    );
    assert!(!refused(&scan, &home.path("Documents/out.tif")));

    // The newer location, and a real folder at ~: the whole home is synced.
    let state = Home::new();
    state.write(
        ".local/state/syncthing/config.xml",
        "<configuration><folder path=\"~\"/></configuration>",
    );
    let scan = state.scan();
    assert_eq!(roots(&scan, "syncthing"), [state.home()]);
    assert!(refused(&scan, &state.path("Documents/out.tif")));
}

#[test]
fn nextcloud_owncloud_onedrive_yandex_wps_configurations_name_their_roots() {
    let home = Home::new();
    home.write(
        ".config/Nextcloud/nextcloud.cfg",
        "[General]\nclientVersion=3.12\n[Accounts]\n0\\Folders\\1\\localPath=$HOME/NC/\n\
         1\\FoldersWithPlaceholders\\1\\localPath=\"$HOME/My Docs, 2024/\"\n",
    );
    home.write(
        ".config/ownCloud/owncloud.cfg",
        "[Accounts]\n0\\Folders\\2\\localPath=$HOME/ownCloud\n",
    );
    home.write(".config/onedrive/config", "# sync_dir = \"~/X\"\nsync_dir = \"~/OD\"\n");
    home.write(".config/onedrive-work/config", "sync_dir = \"~/OD Work\"\n");
    home.write(
        ".config/yandex-disk/config.cfg",
        "auth=\"$HOME/.config/yandex-disk/passwd\"\ndir=\"$HOME/Yandex.Disk\"\n",
    );
    home.write(
        ".config/Kingsoft/WPSCloud.conf",
        "[General]\nlocalsyncfolder=$HOME/WPS\n",
    );
    let scan = home.scan();
    assert_eq!(roots(&scan, "nextcloud"), [home.path("My Docs, 2024"), home.path("NC")]);
    assert_eq!(roots(&scan, "owncloud"), [home.path("ownCloud")]);
    assert_eq!(roots(&scan, "onedrive"), [home.path("OD"), home.path("OD Work")]);
    assert_eq!(roots(&scan, "yandex-disk"), [home.path("Yandex.Disk")]);
    assert_eq!(roots(&scan, "wps-cloud"), [home.path("WPS")]);
    // Roots that do not exist yet still count, by path.
    assert!(refused(&scan, &home.path("OD/export.kml")));
}

#[test]
fn dropbox_seafile_pcloud_unison_and_aliyunpan_roots_are_read() {
    let home = Home::new();
    home.write(
        ".dropbox/info.json",
        "{\"personal\": {\"path\": \"$HOME/Dropbox\", \"host\": 1}, \"business\": {\"path\": \"$HOME/Dropbox (Team)\"}}",
    );
    home.write(".ccnet/seafile.ini", "$HOME/Seafile/.seafile-data\n");
    let repo = home.mkdir("Seafile/.seafile-data").join("repo.db");
    let db = rusqlite::Connection::open(&repo).unwrap();
    db.execute_batch(&format!(
        "CREATE TABLE RepoProperty (repo_id TEXT, key TEXT, value TEXT);
         INSERT INTO RepoProperty VALUES ('r1', 'worktree', '{0}/Seafile/Maps'), ('r2', 'worktree', '{0}/Seafile/Plans'),
                                        ('r1', 'server-url', 'https://sea.example');",
        home.home().display()
    ))
    .unwrap();
    drop(db);
    let pcloud = home.mkdir(".pcloud").join("data.db");
    let db = rusqlite::Connection::open(&pcloud).unwrap();
    db.execute_batch(&format!(
        "CREATE TABLE syncfolder (id INTEGER, localpath TEXT); INSERT INTO syncfolder VALUES (1, '{}/pSync');",
        home.home().display()
    ))
    .unwrap();
    drop(db);
    home.write(".unison/a.prf", "root = $HOME/data\nroot = ssh://host//srv\n");
    home.write(
        ".config/aliyunpan/sync_drive/sync_drive_config.json",
        "{\"syncTaskList\": [{\"localFolderPath\": \"$HOME/ali1\"}, {\"localFolderPath\": \"$HOME/ali2\"}]}",
    );
    let scan = home.scan();
    assert_eq!(
        roots(&scan, "dropbox"),
        [home.path("Dropbox"), home.path("Dropbox (Team)")]
    );
    // The libraries, and the default folder of a client shown installed by its configuration.
    assert_eq!(
        roots(&scan, "seafile"),
        [
            home.path("Seafile"),
            home.path("Seafile/Maps"),
            home.path("Seafile/Plans")
        ]
    );
    assert_eq!(roots(&scan, "pcloud"), [home.path("pSync")]);
    assert_eq!(roots(&scan, "unison"), [home.path("data")]);
    assert_eq!(roots(&scan, "aliyun-drive"), [home.path("ali1"), home.path("ali2")]);
    // pCloud's second table is missing: skipped, not an error.
    assert!(scan.notes.iter().all(|n| n.path.as_deref() != Some(pcloud.as_path())));
}

#[test]
fn markers_find_roots_whose_configuration_is_gone() {
    let home = Home::new();
    home.write("work/NC/.sync_0a1b2c3d4e5f.db", "");
    home.write("work/NC/.owncloudsync.log", "");
    home.write("work/OC/._sync_0a1b2c3d4e5f.db", "");
    home.write("old/OC1/.csync_journal.db", "");
    home.write("boxes/db/.dropbox", "");
    home.mkdir("boxes/mega/.debris");
    home.write("boxes/mega/.megaignore", "");
    home.write("boxes/resilio/.sync/ID", "x");
    home.write("boxes/yandex/.sync/cli.log", "");
    home.mkdir("boxes/st/.stfolder");
    // Not markers: a folder named like a provider, a file named like a marker directory.
    home.mkdir("Dropbox-notes/plans");
    home.write("boxes/plain/.stfolder", "a file, not the directory");
    let scan = home.scan();
    assert_eq!(roots(&scan, "nextcloud"), [home.path("work/NC")]);
    // `.sync_<hex>.db` is both clients' journal name (ownCloud's fallback): both are named.
    assert_eq!(
        roots(&scan, "owncloud"),
        [home.path("old/OC1"), home.path("work/NC"), home.path("work/OC")]
    );
    assert_eq!(roots(&scan, "dropbox"), [home.path("boxes/db")]);
    assert_eq!(roots(&scan, "mega"), [home.path("boxes/mega")]);
    assert_eq!(roots(&scan, "resilio"), [home.path("boxes/resilio")]);
    assert_eq!(roots(&scan, "yandex-disk"), [home.path("boxes/yandex")]);
    assert_eq!(roots(&scan, "syncthing"), [home.path("boxes/st")]);
    assert!(!refused(&scan, &home.path("Dropbox-notes/plans/a.tif")));
    assert!(!refused(&scan, &home.path("boxes/plain/a.tif")));
    // A marker is found above a destination even without a walk.
    let unwalked = Sources {
        environments: vec![home.env()],
        mount_table: Some(String::new()),
        processes: Processes::Skipped,
        walk: None,
        skip: Vec::new(),
    };
    let scan = scan_of(&unwalked);
    assert!(refused(&scan, &home.path("boxes/mega/sub/a.tif")));
}

fn scan_of(sources: &Sources) -> Scan {
    scan(Catalogue::bundled(), sources)
}

#[test]
fn installed_clients_make_their_default_folders_count_and_a_bare_name_only_reports() {
    let home = Home::new();
    home.mkdir(".nutstore/dist");
    home.mkdir("Nutstore Files/我的坚果云");
    home.mkdir(".config/baidunetdisk");
    home.mkdir("BaiduNetdiskDownload");
    home.mkdir(".config/Insync");
    home.mkdir("Insync");
    // Only the name: no client, no configuration, no marker.
    home.mkdir("MEGA");
    let scan = home.scan();
    assert_eq!(roots(&scan, "nutstore"), [home.path("Nutstore Files")]);
    assert_eq!(roots(&scan, "baidu-netdisk"), [home.path("BaiduNetdiskDownload")]);
    assert_eq!(roots(&scan, "insync"), [home.path("Insync")]);
    assert!(roots(&scan, "mega").is_empty());
    let possible = scan.findings.iter().find(|f| f.provider == "mega").unwrap();
    assert_eq!(possible.strength, Strength::Possible);
    assert!(refused(&scan, &home.path("Nutstore Files/我的坚果云/图.tif")));
    assert!(!refused(&scan, &home.path("MEGA/a.tif")), "reported, not enforced");
}

#[test]
fn network_mounts_are_remote_and_a_local_fuse_stick_is_not() {
    let home = Home::new();
    let h = home.home();
    std::fs::create_dir_all(&h).unwrap();
    let h = h.display();
    let table = format!(
        "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n\
         40 22 0:50 / /srv/nfs rw - nfs4 host:/export rw\n\
         41 22 0:51 / /srv/smb rw - cifs //host/share rw\n\
         42 22 0:52 / {h}/ssh rw - fuse.sshfs u@host:/srv rw\n\
         43 22 0:53 / {h}/gdrive rw - fuse.rclone drive: rw\n\
         44 22 0:54 / {h}/dav rw - fuse https://dav.example/remote.php/webdav rw\n\
         45 22 0:55 / {h}/pCloudDrive rw - fuse pCloud.fs rw\n\
         46 22 0:56 / /run/user/1000/gvfs rw - fuse.gvfsd-fuse gvfsd-fuse rw\n\
         47 22 0:57 / {h}/od rw - fuse.onedriver onedriver rw\n\
         48 22 0:58 / /media/u/STICK\\040ONE rw - fuseblk /dev/sdb1 rw\n\
         49 22 0:59 / {h}/sea rw - fuse.seadrive seadrive rw\n\
         50 22 0:60 / {h}/gd2 rw - fuse.google-drive-ocamlfuse gdfuse rw\n"
    );
    let scan = home.scan_with(&table, Vec::new());
    let provider_at = |point: &str| {
        scan.findings
            .iter()
            .find(|f| f.root == Path::new(point))
            .map(|f| f.provider.clone())
    };
    assert_eq!(provider_at("/srv/nfs").as_deref(), Some("network"));
    assert_eq!(provider_at("/srv/smb").as_deref(), Some("network"));
    assert_eq!(provider_at(&format!("{h}/gdrive")).as_deref(), Some("rclone"));
    assert_eq!(provider_at(&format!("{h}/pCloudDrive")).as_deref(), Some("pcloud"));
    assert_eq!(provider_at(&format!("{h}/od")).as_deref(), Some("onedriver"));
    assert_eq!(provider_at(&format!("{h}/sea")).as_deref(), Some("seadrive"));
    assert_eq!(provider_at(&format!("{h}/gd2")).as_deref(), Some("google-drive"));
    assert_eq!(provider_at("/run/user/1000/gvfs").as_deref(), Some("network"));
    assert_eq!(provider_at(&format!("{h}/dav")).as_deref(), Some("network"));
    assert_eq!(provider_at(&format!("{h}/ssh")).as_deref(), Some("network"));
    assert!(provider_at("/media/u/STICK ONE").is_none(), "an exFAT stick is local");
    assert!(refused(&scan, Path::new("/srv/nfs/maps/a.tif")));
    assert!(!refused(&scan, Path::new("/media/u/STICK ONE/a.tif")));
    // A directory that would contain a mount point counts too.
    let contains = destination::check(Catalogue::bundled(), &scan, Path::new("/srv"));
    let Verdict::Refused { refusals, .. } = contains else {
        panic!("{contains:?}")
    };
    assert!(refusals.iter().all(|r| r.relation == Relation::Contains));
}

#[test]
fn running_clients_are_named_and_their_command_lines_give_roots() {
    let home = Home::new();
    let st = home.write(
        "custom-st/config.xml",
        "<configuration><folder path=\"/srv/st-share\"/></configuration>",
    );
    let process = |pid, exe: &str, cmd: &[&str]| ProcessInfo {
        pid,
        exe: Some(PathBuf::from(exe)),
        cmd: cmd.iter().map(OsString::from).collect(),
        uid: Some(1000),
    };
    let processes = vec![
        process(
            10,
            "/usr/bin/google-drive-ocamlfuse",
            &["google-drive-oc", "/home/u/gd"],
        ),
        process(11, "/usr/bin/rclone", &["rclone", "mount", "drive:", "/home/u/rc"]),
        process(
            12,
            "/usr/bin/syncthing",
            &[
                "syncthing",
                "serve",
                &format!("--home={}", st.parent().unwrap().display()),
            ],
        ),
        process(13, "/usr/bin/weiyun", &["weiyun"]),
        process(14, "/usr/bin/bash", &["bash"]),
    ];
    let scan = home.scan_with("", processes);
    let running: Vec<&str> = scan.clients.iter().map(|c| c.provider.as_str()).collect();
    assert_eq!(running, ["google-drive", "rclone", "syncthing", "tencent-weiyun"]);
    assert_eq!(roots(&scan, "rclone"), [PathBuf::from("/home/u/rc")]);
    assert_eq!(roots(&scan, "syncthing"), [PathBuf::from("/srv/st-share")]);
    assert!(
        scan.findings
            .iter()
            .filter(|f| f.provider == "syncthing")
            .all(|f| f.client_running)
    );
}

#[test]
fn symlinks_and_hostile_configurations_hide_nothing_and_crash_nothing() {
    let home = Home::new();
    home.write(".dropbox/info.json", "{\"personal\": {\"path\": \"$HOME/Dropbox\"}}");
    home.mkdir("Dropbox/sub");
    std::os::unix::fs::symlink(home.path("Dropbox/sub"), home.path("link")).unwrap();
    // Hostile files: not UTF-8, too large, the wrong shape, a loop, a FIFO, `..` paths.
    home.write(
        ".config/Nextcloud/nextcloud.cfg",
        "[Accounts]\n0\\Folders\\1\\localPath=../../etc\n",
    );
    std::fs::write(home.path(".config/onedrive/config"), [0xff, 0xfe, 0x00]).ok();
    home.mkdir(".config/onedrive");
    std::fs::write(home.path(".config/onedrive/config"), [0xff, 0xfe, 0x00]).unwrap();
    home.write(
        ".config/aliyunpan/sync_drive/sync_drive_config.json",
        "{\"syncTaskList\": 7}",
    );
    home.mkdir(".config/syncthing");
    std::os::unix::fs::symlink("config.xml", home.path(".config/syncthing/config.xml")).unwrap();
    home.mkdir(".config/yandex-disk");
    let fifo = std::ffi::CString::new(
        home.path(".config/yandex-disk/config.cfg")
            .as_os_str()
            .as_encoded_bytes(),
    )
    .unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let big = home.path(".unison/big.prf");
    std::fs::create_dir_all(big.parent().unwrap()).unwrap();
    std::fs::File::create(&big).unwrap().set_len(5 << 20).unwrap();
    home.write(".pcloud/data.db", "not a database at all");
    let scan = home.scan();
    assert_eq!(roots(&scan, "dropbox"), [home.path("Dropbox")]);
    assert!(roots(&scan, "nextcloud").is_empty(), "a `..` path names nothing");
    assert!(refused(&scan, &home.path("link/out.tif")), "through a symlink");
    let noted: Vec<PathBuf> = scan.notes.iter().filter_map(|n| n.path.clone()).collect();
    for path in [
        ".config/onedrive/config",
        ".config/syncthing/config.xml",
        ".config/yandex-disk/config.cfg",
        ".unison/big.prf",
        ".pcloud/data.db",
    ] {
        assert!(
            noted.contains(&home.path(path)),
            "{path} is named in the notes: {noted:?}"
        );
    }
    // A destination behind a symlink loop is in doubt, never clear.
    std::os::unix::fs::symlink(home.path("loop"), home.path("loop")).unwrap();
    assert!(matches!(
        destination::check(Catalogue::bundled(), &scan, &home.path("loop/out.tif")),
        Verdict::Doubt { .. }
    ));
}

#[test]
fn damaged_padded_and_indirect_configurations_still_name_their_roots() {
    let home = Home::new();
    // `..` in a root: resolved as the client would, not dropped.
    home.mkdir("a");
    home.write(".config/onedrive/config", "sync_dir = \"~/a/../Exfil\"\n# caf\u{e9}\n");
    // A stray byte that is not UTF-8 in a comment hides no line.
    let yandex = home.path(".config/yandex-disk/config.cfg");
    std::fs::create_dir_all(yandex.parent().unwrap()).unwrap();
    let mut bytes = b"# \xe9t\xe9\n".to_vec();
    bytes.extend(format!("dir=\"{}/YD\"\n", home.home().display()).as_bytes());
    std::fs::write(&yandex, bytes).unwrap();
    // Junk after the root element: the folders before it count.
    home.write(
        ".config/syncthing/config.xml",
        "<configuration><folder path=\"~/Shared\" markerName=\"keep\"/></configuration><!-- trailing",
    );
    // A valid line, then megabytes of comments: the line counts.
    let mut big = "sync_dir = \"~/Big\"\n".to_string();
    big.push_str(&"# padding padding padding padding padding padding\n".repeat(100_000));
    home.write(".config/onedrive-big/config", &big);
    // One root named 50 000 times: no quadratic scan, a few lines of evidence.
    home.write(
        ".config/onedrive-many/config",
        &"sync_dir = \"~/Many\"\n".repeat(50_000),
    );
    // A root not made yet, named through a symlinked directory.
    std::fs::create_dir_all(home.path("real2")).unwrap();
    std::os::unix::fs::symlink(home.path("real2"), home.path("link2")).unwrap();
    home.write(
        ".config/onedrive-link/config",
        &format!("sync_dir = \"{}/link2/Shared\"\n", home.home().display()),
    );
    let scan = home.scan();
    for (path, provider) in [
        ("Exfil/x.tif", "onedrive"),
        ("YD/x.tif", "yandex-disk"),
        ("Shared/x.tif", "syncthing"),
        ("Big/x.tif", "onedrive"),
        ("Many/x.tif", "onedrive"),
        ("real2/Shared/vault", "onedrive"),
        ("link2/Shared/vault", "onedrive"),
    ] {
        let verdict = destination::check(Catalogue::bundled(), &scan, &home.path(path));
        let Verdict::Refused { refusals, .. } = &verdict else {
            panic!("{path}: {verdict:?}")
        };
        assert!(refusals.iter().any(|r| r.provider == provider), "{path}: {refusals:?}");
    }
    let many = scan.findings.iter().find(|f| f.root == home.path("Many")).unwrap();
    assert!(many.evidence.len() <= 8, "{}", many.evidence.len());
    let noted: Vec<PathBuf> = scan.notes.iter().filter_map(|n| n.path.clone()).collect();
    for damaged in [
        ".config/yandex-disk/config.cfg",
        ".config/syncthing/config.xml",
        ".config/onedrive-big/config",
    ] {
        assert!(noted.contains(&home.path(damaged)), "{damaged} is reported: {noted:?}");
    }
}
