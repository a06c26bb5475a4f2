//! A vault in a temporary directory driven through the real binary with `assert_cmd`, and
//! direct looks at its files and database the way an insider would take them.

use std::path::{Path, PathBuf};

use assert_cmd::assert::Assert;
use serde_json::Value;
use tempfile::TempDir;

use super::{OFFICER, PASSWORD};

/// The binary under test: `strongroom` in the target directory this test binary was built
/// in (`target/debug/deps/it-…` → `target/debug/strongroom`). `cargo test` builds it; a run
/// of this package alone (`-p strongroom-it`) does not, and is told so.
pub fn bin() -> &'static Path {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test binary's path");
        let dir = exe.parent().and_then(Path::parent).expect("target/debug");
        let bin = dir.join("strongroom");
        assert!(
            bin.is_file(),
            "{} is missing: run the tests with `cargo test` from the repository root, which builds it",
            bin.display()
        );
        bin
    })
}

/// The binary with a clean environment for Strongroom (no vault, user or password set) and
/// stdin closed, so nothing waits for a prompt.
pub fn strongroom() -> assert_cmd::Command {
    assert_cmd::Command::from_std(std_command())
}

/// [`strongroom`] as a plain `std::process::Command`, for tests that spawn and kill.
pub fn std_command() -> std::process::Command {
    let mut cmd = std::process::Command::new(bin());
    cmd.env_remove("STRONGROOM_VAULT")
        .env_remove("STRONGROOM_USER")
        .env_remove("STRONGROOM_PASSWORD")
        .stdin(std::process::Stdio::null());
    cmd
}

/// Exit code of a finished command (-1 when killed by a signal).
pub fn code(out: &Assert) -> i32 {
    out.get_output().status.code().unwrap_or(-1)
}

/// Stderr as text.
pub fn stderr(out: &Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

/// Stdout as text.
pub fn stdout(out: &Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

/// `init` with Argon2id at the floor of DESIGN.md §2 (never lower), so tests stay fast.
pub const INIT_AT_THE_FLOOR: [&str; 5] = ["init", "--kdf-memory-mib", "64", "--kdf-iterations", "3"];

/// A vault in a temporary directory, created with Argon2id at the floor (fast tests).
pub struct TestVault {
    /// The temporary directory holding the vault, the password file and scratch files.
    pub dir: TempDir,
    /// The vault directory.
    pub root: PathBuf,
    /// alice's password file.
    pub password_file: PathBuf,
    /// The recovery code `init` printed.
    pub recovery_code: String,
}

impl TestVault {
    /// A new vault with `alice` as officer: a copy of this process's template vault (see
    /// `template`), the same as a fresh `init` but without its Argon2id cost. Sign-in backoff
    /// is left at the policy default.
    pub fn new() -> TestVault {
        TestVault::from_template("cli", |_| {})
    }

    /// A new vault made from the template `name`: a fresh vault once per process, changed by
    /// `setup` through the binary (imports, users), then copied for each caller.
    pub fn from_template(name: &'static str, setup: fn(&TestVault)) -> TestVault {
        let mut vault = TestVault::uninitialized();
        vault.recovery_code = super::template::copy(name, &vault.root, |root| {
            let mut made = TestVault::uninitialized().with_root(root);
            made.recovery_code = made.init();
            setup(&made);
            made.recovery_code
        });
        vault
    }

    /// This vault's files pointed at another vault directory.
    fn with_root(mut self, root: &Path) -> TestVault {
        self.root = root.to_path_buf();
        self
    }

    /// A vault made by its own `init`: a station with its own id and keys.
    pub fn fresh() -> TestVault {
        let mut vault = TestVault::uninitialized();
        vault.recovery_code = vault.init();
        vault
    }

    /// A temporary directory with alice's password file and no vault yet (`init` not run).
    pub fn uninitialized() -> TestVault {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("vault");
        let password_file = dir.path().join("password");
        std::fs::write(&password_file, format!("{PASSWORD}\n")).expect("write password file");
        TestVault {
            dir,
            root,
            password_file,
            recovery_code: String::new(),
        }
    }

    /// Set the policy's sign-in backoff to none (`backoff-base-seconds 0`, which the policy
    /// allows), for tests that fail a sign-in and go on at once instead of sleeping; lockout
    /// still counts every failure. Backoff itself is tested with an injected clock.
    pub fn disable_backoff(&self) {
        self.ok(&["policy", "set", "backoff-base-seconds", "0"]);
    }

    /// Run `init` for `self.root` (floor Argon2id) and return the recovery code.
    pub fn init(&self) -> String {
        let json: Value = self.json(&INIT_AT_THE_FLOOR);
        json["recovery_code"].as_str().expect("recovery code").to_string()
    }

    /// The binary with this vault and alice as user, and no password source.
    pub fn cmd(&self) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.std_command())
    }

    /// [`TestVault::cmd`] as a plain `std::process::Command`, for tests that spawn and kill.
    pub fn std_command(&self) -> std::process::Command {
        let mut cmd = std_command();
        cmd.env("STRONGROOM_VAULT", &self.root)
            .env("STRONGROOM_USER", OFFICER)
            .env("STRONGROOM_GUARD_DIR", self.guard_dir());
        cmd
    }

    /// This vault's own guard directory (root-owned state, key and lock), so tests never
    /// share the system's.
    pub fn guard_dir(&self) -> PathBuf {
        self.dir.path().join("guard")
    }

    /// [`TestVault::std_command`] as alice with her password file, for tests that spawn.
    pub fn as_alice(&self) -> std::process::Command {
        let mut cmd = self.std_command();
        cmd.arg("--password-file").arg(&self.password_file);
        cmd
    }

    /// Run as alice with her password file.
    pub fn run(&self, args: &[&str]) -> Assert {
        self.run_as(OFFICER, &self.password_file, args)
    }

    /// Run as `user` with `password_file`.
    pub fn run_as(&self, user: &str, password_file: &Path, args: &[&str]) -> Assert {
        self.cmd()
            .env("STRONGROOM_USER", user)
            .arg("--password-file")
            .arg(password_file)
            .args(args)
            .assert()
    }

    /// Add `name` as alice with a first password, then sign in as `name` once to replace it
    /// (`passwd`, as a new user must) with `password`; returns that password's file.
    pub fn add_ready_user(&self, name: &str, role: &str, clearance: &str, password: &str) -> PathBuf {
        let first = self.file(
            &format!("{name}-first-pw"),
            format!("{name}'s first password from the officer\n").as_bytes(),
        );
        let own = self.file(&format!("{name}-pw"), format!("{password}\n").as_bytes());
        let first_text = first.to_str().expect("utf-8 path");
        self.ok(&[
            "user",
            "add",
            name,
            "--role",
            role,
            "--clearance",
            clearance,
            "--new-password-file",
            first_text,
        ]);
        self.run_as(
            name,
            &first,
            &["passwd", "--new-password-file", own.to_str().expect("utf-8 path")],
        )
        .success();
        own
    }

    /// Run as alice and require success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(code(&out), 0, "{args:?}:\n{}\n{}", stdout(&out), stderr(&out));
        stdout(&out)
    }

    /// Run as alice with `--json`, require success and parse stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).expect("json output")
    }

    /// Import paths at a level; returns the control numbers.
    pub fn import(&self, paths: &[&Path], level: &str) -> Vec<String> {
        let mut args = vec!["import"];
        let texts: Vec<&str> = paths.iter().map(|p| p.to_str().expect("utf-8 path")).collect();
        args.extend(texts);
        args.extend(["--level", level]);
        let json = self.json(&args);
        assert_eq!(json["failed"], serde_json::json!([]), "every path imported");
        json["imported"]
            .as_array()
            .expect("array")
            .iter()
            .map(|i| i["control_number"].as_str().expect("control").to_string())
            .collect()
    }

    /// A path in the test's scratch space (its parent exists).
    pub fn scratch(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join("scratch").join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("scratch dir");
        path
    }

    /// Write a scratch file and return its path.
    pub fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.scratch(name);
        std::fs::write(&path, content).expect("write scratch file");
        path
    }

    /// Open the vault database directly (as an insider would).
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.root.join("strongroom.db")).expect("open db")
    }

    /// Every stored event as JSON, oldest first.
    pub fn events(&self) -> Vec<Value> {
        super::insider::events(&self.db())
    }

    /// Actions of the events after the first `skip`.
    pub fn actions_since(&self, skip: usize) -> Vec<String> {
        self.events()
            .iter()
            .skip(skip)
            .map(|e| e["action"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// Path of an item's object file.
    pub fn object_path(&self, item_id: &str) -> PathBuf {
        self.root
            .join("objects")
            .join(&item_id[..2])
            .join(format!("{item_id}.sro"))
    }

    /// Files left in the vault's tmp/.
    pub fn tmp_entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.root.join("tmp"))
            .expect("tmp dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Every object file in the vault.
    pub fn object_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for fan in std::fs::read_dir(self.root.join("objects")).expect("objects") {
            for entry in std::fs::read_dir(fan.expect("fan").path()).expect("fan dir") {
                out.push(entry.expect("entry").path());
            }
        }
        out.sort();
        out
    }

    /// The station id.
    pub fn station_id(&self) -> String {
        self.db()
            .query_row("SELECT station_id FROM station", [], |r| r.get(0))
            .expect("station id")
    }
}

/// The arguments of a scripted export of `control` to `to` (confirmed, with a reason), then
/// `extra` (`--force`, `--json`, …).
pub fn export_args<'a>(control: &'a str, to: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "export",
        "--yes",
        "--reason",
        "checked by the test",
        control,
        "--to",
        to,
    ];
    args.extend_from_slice(extra);
    args
}
