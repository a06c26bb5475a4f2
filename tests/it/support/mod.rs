//! Shared helpers for the integration tests: a temporary vault driven through the real
//! binary, and direct looks at its database the way an insider would take them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use strongroom::crypto::sign::SignKey;
use strongroom::ledger::{checkpoint, key_change, merkle, note, verify};
use tempfile::TempDir;

/// The officer every test vault starts with.
pub const OFFICER: &str = "alice";
/// Her password.
pub const PASSWORD: &str = "correct horse battery staple";

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_strongroom")
}

/// A vault in a temporary directory, created with Argon2id at the floor (fast tests).
pub struct TestVault {
    pub dir: TempDir,
    pub root: PathBuf,
    pub password_file: PathBuf,
    pub recovery_code: String,
}

impl TestVault {
    /// A fresh vault with `alice` as officer.
    pub fn new() -> TestVault {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("vault");
        let password_file = dir.path().join("password");
        std::fs::write(&password_file, format!("{PASSWORD}\n")).expect("write password file");
        let mut vault = TestVault {
            dir,
            root,
            password_file,
            recovery_code: String::new(),
        };
        let out = vault.run(&["init", "--json", "--kdf-memory-mib", "64", "--kdf-iterations", "3"]);
        assert_eq!(code(&out), 0, "init failed: {}", stderr(&out));
        let json: Value = serde_json::from_slice(&out.stdout).expect("init json");
        vault.recovery_code = json["recovery_code"].as_str().expect("recovery code").to_string();
        vault
    }

    /// A command for the binary with this vault and user, and no password source.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(bin());
        cmd.env("STRONGROOM_VAULT", &self.root)
            .env("STRONGROOM_USER", OFFICER)
            .env_remove("STRONGROOM_PASSWORD")
            .stdin(std::process::Stdio::null());
        cmd
    }

    /// Run with alice's password file.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_as(OFFICER, &self.password_file, args)
    }

    /// Run as another user with their password file.
    pub fn run_as(&self, user: &str, password_file: &Path, args: &[&str]) -> Output {
        let mut cmd = self.command();
        cmd.env("STRONGROOM_USER", user)
            .arg("--password-file")
            .arg(password_file)
            .args(args);
        cmd.output().expect("run strongroom")
    }

    /// Run and require success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(code(&out), 0, "strongroom {args:?} failed: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Run with --json and parse stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).expect("json output")
    }

    /// Import paths at a level; returns the control numbers.
    pub fn import(&self, paths: &[&Path], level: &str) -> Vec<String> {
        let mut args = vec!["import"];
        let texts: Vec<String> = paths
            .iter()
            .map(|p| p.to_str().expect("utf-8 path").to_string())
            .collect();
        args.extend(texts.iter().map(String::as_str));
        args.extend(["--level", level]);
        let json = self.json(&args);
        json.as_array()
            .expect("array")
            .iter()
            .map(|i| i["control_number"].as_str().expect("control").to_string())
            .collect()
    }

    /// A file in the test's scratch space.
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
        let db = self.db();
        let mut stmt = db
            .prepare("SELECT canonical FROM events ORDER BY seq")
            .expect("prepare");
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0)).expect("query");
        rows.map(|r| serde_json::from_slice(&r.expect("row")).expect("event json"))
            .collect()
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

    /// Files left in the vault's tmp/ (other than live processes').
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
}

/// Station signing-key changes driven through the library, the way the station records one
/// when a user is disabled. The signed directory is left naming the first key, so these
/// helpers sign and verify with the key the test says is current.
impl TestVault {
    /// The station id.
    pub fn station_id(&self) -> String {
        self.db()
            .query_row("SELECT station_id FROM station", [], |r| r.get(0))
            .expect("station id")
    }

    /// The station signing key as an unlocked officer's session holds it. (Unlocking and
    /// locking again signs a checkpoint with it.)
    pub fn signing_key(&self) -> SignKey {
        let mut station = strongroom::Station::open(&self.root).expect("open station");
        station
            .unlock(OFFICER, &strongroom::crypto::Password::from(PASSWORD))
            .expect("unlock");
        let seed = station
            .session()
            .expect("session")
            .signing_key()
            .expect("signing key")
            .seed();
        SignKey::from_seed(&seed)
    }

    /// Record that `old` is replaced by `new` (`ledger::key_change::record`, one transaction).
    pub fn change_signing_key(&self, old: &SignKey, new: &SignKey) -> key_change::KeyChange {
        let mut db = self.db();
        let tx = db.transaction().expect("transaction");
        let change = key_change::record(&tx, &self.station_id(), old, new, NOW).expect("record key change");
        tx.commit().expect("commit");
        change
    }

    /// Sign a checkpoint over every event with `key`, as the station does with its current key.
    pub fn checkpoint_with(&self, key: &SignKey) -> Option<u64> {
        let mut db = self.db();
        let tx = db.transaction().expect("transaction");
        let size = checkpoint::write(&tx, &self.station_id(), key, "test", NOW).expect("checkpoint");
        tx.commit().expect("commit");
        size
    }

    /// What an insider holding `key` can do that `checkpoint::write` refuses for a retired
    /// key: sign the log as it stands and insert the checkpoint row by hand. Returns its size.
    pub fn insider_checkpoint(&self, key: &SignKey) -> u64 {
        let db = self.db();
        let mut builder = merkle::TreeBuilder::new();
        let mut stmt = db
            .prepare("SELECT canonical FROM events ORDER BY seq")
            .expect("prepare");
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0)).expect("events");
        for bytes in rows {
            builder.push(merkle::leaf_hash(&bytes.expect("row")));
        }
        let origin = checkpoint::origin(&self.station_id());
        let body = checkpoint::body(&origin, builder.size(), &builder.root());
        let signed = note::sign(&body, &origin, key).expect("sign");
        db.execute(
            "INSERT INTO checkpoints (epoch, tree_size, root, note, frontier, reason, created_at) VALUES (0, ?1, ?2, ?3, ?4, 'lock', ?5)",
            rusqlite::params![builder.size() as i64, builder.root().to_vec(), signed, builder.frontier(), NOW],
        )
        .expect("insert checkpoint");
        builder.size()
    }

    /// The verifier of `key` under this station's key name.
    pub fn verifier(&self, key: &SignKey) -> note::Verifier {
        note::Verifier::new(&checkpoint::origin(&self.station_id()), key.public()).expect("verifier")
    }

    /// `ledger::verify::verify` with `key` as the signed directory's current key.
    pub fn verify_with(&self, key: &SignKey) -> verify::Report {
        verify::verify(&self.db(), &self.station_id(), &self.verifier(key)).expect("verify")
    }

    /// The key-change table with its append-only triggers dropped, as an insider would.
    pub fn unguarded_key_changes(&self) -> rusqlite::Connection {
        let db = self.db();
        db.execute_batch(
            "DROP TRIGGER signing_key_changes_are_append_only_update;
             DROP TRIGGER signing_key_changes_are_append_only_delete;",
        )
        .expect("drop triggers");
        db
    }
}

/// The time the key-change helpers record.
pub const NOW: &str = "2026-11-23T12:00:00.000Z";

/// Exit code of a finished process.
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path).expect("open for hashing");
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).expect("read for hashing");
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Deterministic pseudo-random bytes.
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// Whether the tests run as root (CI does).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Wait out the one-second backoff a failed sign-in starts. The CLI runs on the real clock;
/// backoff and lockout themselves are tested with an injected clock (tests/accounts.rs).
pub fn wait_out_backoff() {
    std::thread::sleep(std::time::Duration::from_millis(1100));
}
