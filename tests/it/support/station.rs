//! A vault driven through the library (`Station`) rather than the binary: alice as officer
//! cleared to top-secret, Argon2id at the floor, and a clock that moves only when a test
//! advances it (backoff, lockout, idle lock and password age without sleeping).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use strongroom::crypto::Password;
use strongroom::crypto::kdf::KdfParams;
use strongroom::progress::Progress;
use strongroom::station::{ImportOptions, InitOptions, OpenOptions};
use strongroom::time::ManualClock;
use strongroom::{Level, Station};
use tempfile::TempDir;

use super::{OFFICER, PASSWORD};

/// A library vault and its scratch space.
pub struct LibVault {
    /// The temporary directory holding the vault and the files (removed on drop).
    _dir: TempDir,
    /// The vault directory.
    pub root: PathBuf,
    /// Where test files are written before import.
    pub files: PathBuf,
    /// The station's clock.
    pub clock: Arc<ManualClock>,
    /// The recovery code `init` returned.
    pub recovery: Password,
}

/// The guard directory of the vault at `root`: beside it, so no test touches the system's.
fn guard_dir_of(root: &Path) -> PathBuf {
    root.parent().map_or_else(|| root.join("guard"), |p| p.join("guard"))
}

impl LibVault {
    /// This vault's own guard directory (state, key, lock).
    pub fn guard_dir(&self) -> PathBuf {
        guard_dir_of(&self.root)
    }

    /// A new vault with alice signed in, its clock standing at the current time: a copy of
    /// this process's template (`template`), without the Argon2id cost of an `init`.
    pub fn new() -> (LibVault, Station) {
        LibVault::from_template("station", |_| {})
    }

    /// A new vault made from the template `name`: a fresh vault once per process, changed by
    /// `setup` (users added, say), then copied; the copy is opened and alice signed in.
    pub fn from_template(name: &'static str, setup: fn(&mut Station)) -> (LibVault, Station) {
        LibVault::from_template_in(&std::env::temp_dir(), name, setup)
    }

    /// [`LibVault::new`] in a temporary directory under `parent` (a tmpfs, say).
    pub fn new_in(parent: &Path) -> (LibVault, Station) {
        LibVault::from_template_in(parent, "station", |_| {})
    }

    fn from_template_in(parent: &Path, name: &'static str, setup: fn(&mut Station)) -> (LibVault, Station) {
        let (dir, root, files) = LibVault::paths_in(parent);
        let code = super::template::copy(name, &root, |root| {
            let (mut station, code) = init(root, ManualClock::new(time::OffsetDateTime::now_utc()));
            setup(&mut station);
            code.expose().to_string()
        });
        let clock = ManualClock::new(time::OffsetDateTime::now_utc());
        let options = OpenOptions {
            guard_dir: guard_dir_of(&root),
            ..OpenOptions::with_clock(clock.clone())
        };
        let mut station = Station::open_with(&root, options).expect("open the copy");
        station.unlock(OFFICER, &pw(PASSWORD)).expect("unlock");
        let vault = LibVault {
            _dir: dir,
            root,
            files,
            clock,
            recovery: pw(&code),
        };
        (vault, station)
    }

    /// A vault made by its own `init`, with alice signed in and the clock standing at `start`.
    pub fn new_at(start: time::OffsetDateTime) -> (LibVault, Station) {
        let (dir, root, files) = LibVault::paths_in(&std::env::temp_dir());
        let clock = ManualClock::new(start);
        let (station, recovery) = init(&root, clock.clone());
        let vault = LibVault {
            _dir: dir,
            root,
            files,
            clock,
            recovery,
        };
        (vault, station)
    }

    /// A temporary directory under `parent`, the vault path in it and the files directory
    /// (created).
    fn paths_in(parent: &Path) -> (TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir_in(parent).expect("temp dir");
        let root = dir.path().join("vault");
        let files = dir.path().join("files");
        std::fs::create_dir_all(&files).expect("files dir");
        (dir, root, files)
    }

    /// Open the vault again as `edit` changes the options (the clock stays the vault's) and
    /// sign alice in: for tests that stand in for a USB stick or shorten the idle poll.
    pub fn reopen(&self, edit: impl FnOnce(&mut OpenOptions)) -> Station {
        let mut options = OpenOptions::with_clock(self.clock.clone());
        options.guard_dir = self.guard_dir();
        edit(&mut options);
        let mut station = Station::open_with(&self.root, options).expect("reopen");
        station.unlock(OFFICER, &pw(PASSWORD)).expect("unlock");
        station
    }

    /// Import a small file called `name` (holding its own name, with notes) at `level`;
    /// returns its control number.
    pub fn import(&self, station: &mut Station, name: &str, level: Level) -> String {
        let path = self.files.join(name);
        std::fs::write(&path, name.as_bytes()).expect("write file");
        self.import_path(station, &path, level)
    }

    /// Import the file at `path` at `level`; returns its control number.
    pub fn import_path(&self, station: &mut Station, path: &Path, level: Level) -> String {
        let plan = station.plan_import(&[path.to_path_buf()], false).expect("plan");
        let item = station
            .import(plan, &import_options(level), &Progress::new())
            .expect("import")
            .imported
            .remove(0);
        item.control_number.to_string()
    }

    /// Open the vault database directly (as an insider would).
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.root.join("strongroom.db")).expect("open db")
    }

    /// Every event's action, oldest first.
    pub fn actions(&self) -> Vec<String> {
        super::insider::events(&self.db())
            .iter()
            .map(|e| e["action"].as_str().unwrap_or("").to_string())
            .collect()
    }
}

/// Import options at `level` with notes (so metadata rewraps cover the notes column too).
pub fn import_options(level: Level) -> ImportOptions {
    ImportOptions {
        notes: Some("field notes".into()),
        ..ImportOptions::at(level)
    }
}

/// `Station::init` at `root` for alice, with Argon2id at the floor and `clock`.
fn init(root: &Path, clock: Arc<ManualClock>) -> (Station, Password) {
    let options = InitOptions {
        kdf: Some(KdfParams::FLOOR),
        clock,
        ..InitOptions::default()
    };
    Station::init(root, OFFICER, &pw(PASSWORD), options).expect("init")
}

/// A password from text.
pub fn pw(text: &str) -> Password {
    Password::from(text)
}

/// Lock and sign in as `user`.
pub fn switch(station: &mut Station, user: &str, password: &str) {
    station.lock();
    station.unlock(user, &pw(password)).expect("unlock");
}
