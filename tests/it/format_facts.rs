//! What docs/FORMAT.md §12–§15 says about the database, the lookup order, rotation and secret
//! files, checked against a real vault; and the vectors of §11.12–§11.14, built with the
//! crate's public API and found verbatim in the document (as `format_vectors.rs` does).
//!
//! The vaults come from the shared fixtures; what is read back is read with SQL and the
//! crate's primitives, the way an independent reader of FORMAT.md would read it.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use strongroom::accounts::directory;
use strongroom::accounts::keyring::{self, GrantRow, KeyKind};
use strongroom::accounts::{Directory, Role};
use strongroom::crypto::kdf::KdfParams;
use strongroom::crypto::keyslot::{self, Keyslot};
use strongroom::crypto::sign::SignKey;
use strongroom::crypto::stream::{self, DecryptKey, Header};
use strongroom::crypto::wrap::{self, Purpose};
use strongroom::crypto::{Password, commitment};
use strongroom::progress::Progress;
use strongroom::station::{ImportOptions, ItemSummary};
use strongroom::vault::items::item_aad;
use strongroom::{ControlNumber, IdentityId, ItemId, Level, Station, UserId, db};
use time::OffsetDateTime;

/// The specification these facts are stated in.
const FORMAT_MD: &str = include_str!("../../docs/FORMAT.md");

use assert_cmd::assert::Assert;

use crate::support::cli::INIT_AT_THE_FLOOR;
use crate::support::station::LibVault;
use crate::support::{PASSWORD, TestVault, hex, unhex};

/// `text` must be printed in FORMAT.md, verbatim.
fn documented(what: &str, text: &str) {
    assert!(FORMAT_MD.contains(text), "{what}: docs/FORMAT.md does not say {text:?}");
}

/// The shared library vault (`support::station`) with its clock standing in 2026, its
/// station, and the directory its files to import come from.
struct Vault {
    fx: LibVault,
    root: PathBuf,
    files: PathBuf,
    station: Station,
}

fn vault() -> Vault {
    // 2026-11-23T15:04:05Z: the control numbers below are of 2026.
    let (fx, station) = LibVault::new_at(OffsetDateTime::from_unix_timestamp(1_795_446_245).unwrap());
    Vault {
        root: fx.root.clone(),
        files: fx.files.clone(),
        fx,
        station,
    }
}

impl Vault {
    fn import(&mut self, name: &str, content: &[u8], level: Level) -> strongroom::Result<ItemSummary> {
        let path = self.files.join(name);
        std::fs::write(&path, content).unwrap();
        let plan = self.station.plan_import(&[path], false)?;
        let options = ImportOptions {
            notes: Some("notes".into()),
            ..ImportOptions::at(level)
        };
        Ok(self
            .station
            .import(plan, &options, &Progress::new())?
            .imported
            .remove(0))
    }

    /// A connection of our own, as an independent reader opens the file.
    fn db(&self) -> Connection {
        self.fx.db()
    }
}

fn directory_of(conn: &Connection) -> Directory {
    let body: Vec<u8> = conn
        .query_row("SELECT body FROM directories ORDER BY version DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

fn identity_of(conn: &Connection, name: &str) -> IdentityId {
    let id: Vec<u8> = conn
        .query_row("SELECT identity_id FROM users WHERE name = ?1", [name], |r| r.get(0))
        .unwrap();
    IdentityId::from_slice(&id).unwrap()
}

fn slot_of(conn: &Connection, name: &str) -> (IdentityId, Keyslot) {
    let identity = identity_of(conn, name);
    (identity, keyring::keyslot(conn, identity).unwrap().unwrap())
}

/// `(key_kind, level, generation)` of every grant, sorted, with how many identities hold it.
fn grant_generations(conn: &Connection) -> Vec<(i64, i64, i64, i64)> {
    let mut stmt = conn
        .prepare("SELECT key_kind, level, generation, count(*) FROM grants GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

// ---------------------------------------------------------------------------------------
// Control numbers (FORMAT.md §12.4, vectors §11.12).

const V_CONTROL_42: &str = "SR-2026-000042";
const V_CONTROL_1000000: &str = "SR-2026-1000000";
const V_AAD_DEK_1000000: &str =
    "7374726f6e67726f6f6d2f76312f64656b0000112233445546778899aabbccddeeff03000007ea000f424000000001";

#[test]
fn control_number_serials_widen_past_999999_and_are_bound_as_u32() {
    let n = |serial| ControlNumber { year: 2026, serial };
    assert_eq!(n(42).to_string(), V_CONTROL_42);
    assert_eq!(n(1_000_000).to_string(), V_CONTROL_1000000);
    documented("control number", V_CONTROL_42);
    documented("control number past 999 999", V_CONTROL_1000000);
    documented("last control number", &n(u32::MAX).to_string());
    let item = ItemId::parse("00112233-4455-4677-8899-aabbccddeeff").unwrap();
    let aad = item_aad(Purpose::Dek, item, Level::Secret, &n(1_000_000), 1);
    assert_eq!(hex(&aad), V_AAD_DEK_1000000);
    documented("dek AAD of SR-2026-1000000", V_AAD_DEK_1000000);

    // What is accepted when typed.
    assert_eq!(ControlNumber::parse(" sr-2026-000042 "), Some(n(42)));
    assert_eq!(ControlNumber::parse("SR-2026-0000042"), Some(n(42)));
    assert_eq!(ControlNumber::parse(V_CONTROL_1000000), Some(n(1_000_000)));
    assert_eq!(ControlNumber::parse("SR-2026-42"), None);
    assert_eq!(ControlNumber::parse("SR-2026-4294967296"), None);
}

#[test]
fn import_after_serial_999999_gets_seven_digits_and_after_the_last_u32_is_refused() {
    let mut v = vault();
    v.db()
        .execute(
            "INSERT INTO control_counters (year, last_serial) VALUES (2026, 999999)",
            [],
        )
        .unwrap();
    let item = v.import("a.txt", b"a", Level::Internal).unwrap();
    assert_eq!(item.control_number.to_string(), V_CONTROL_1000000);
    let stored: (i64, i64) = v
        .db()
        .query_row("SELECT control_year, control_serial FROM items", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(stored, (2026, 1_000_000));

    v.db()
        .execute(
            "UPDATE control_counters SET last_serial = 4294967295 WHERE year = 2026",
            [],
        )
        .unwrap();
    let refused = v.import("b.txt", b"b", Level::Internal).unwrap_err();
    assert!(refused.to_string().contains("exhausted"), "{refused}");
    documented("exhaustion", "control numbers of 2026 are exhausted");
    assert_eq!(count(&v.db(), "SELECT count(*) FROM items"), 1);
    assert_eq!(
        count(&v.db(), "SELECT last_serial FROM control_counters WHERE year = 2026"),
        4_294_967_295
    );
}

// ---------------------------------------------------------------------------------------
// The database (FORMAT.md §12.1–§12.3, vectors §11.13).

/// The `| `column` | TYPE |` rows of a table's subsection in §12.3.
fn documented_columns(table: &str) -> Vec<(String, String)> {
    let heading = format!("#### `{table}`\n");
    let start = FORMAT_MD
        .find(&heading)
        .unwrap_or_else(|| panic!("FORMAT.md §12.3 has no subsection for table {table}"))
        + heading.len();
    let section = &FORMAT_MD[start..];
    let section = &section[..section.find("\n#").unwrap_or(section.len())];
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].trim_matches('`').to_string(), cells[2].to_string())
        })
        .collect()
}

#[test]
fn every_table_is_strict_and_every_column_is_documented_with_its_type() {
    let v = vault();
    let conn = v.db();
    let tables: Vec<(String, i64)> = conn
        .prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(tables.len() >= 17, "{tables:?}");
    for (table, strict) in &tables {
        assert_eq!(*strict, 1, "table {table} is not STRICT");
        let mut actual: Vec<(String, String)> = conn
            .prepare("SELECT name, type FROM pragma_table_info(?1)")
            .unwrap()
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut doc = documented_columns(table);
        actual.sort();
        doc.sort();
        assert_eq!(doc, actual, "FORMAT.md §12.3 `{table}` differs from the schema");
    }
    // Raising a level writes a new object version beside the old one (schema 9).
    assert!(documented_columns("items").iter().any(|(c, _)| c == "object_version"));
    documented("object versions", "`objects/<hh>/<uuid>.<n>.sro`");
}

const V_ITEM_ID_HEX: &str = "00112233445546778899AABBCCDDEEFF";
const V_SHA256_HEX: &str = "177B28F633674AEA287EE01E23B3AD13906E628355785738187894F5BC2C2F1D";

#[test]
fn uuids_and_hashes_are_raw_blobs_and_only_the_station_id_is_hex_text() {
    let item = ItemId::parse("00112233-4455-4677-8899-aabbccddeeff").unwrap();
    assert_eq!(hex(item.as_bytes()).to_uppercase(), V_ITEM_ID_HEX);
    assert_eq!(hex(&Sha256::digest(b"hello, vault")).to_uppercase(), V_SHA256_HEX);
    documented("items.id as stored", V_ITEM_ID_HEX);
    documented("items.sha256 as stored", V_SHA256_HEX);

    let mut v = vault();
    let imported = v.import("hello.txt", b"hello, vault", Level::Secret).unwrap();
    v.station.lock(); // writes a checkpoint
    let conn = v.db();
    let (id_hex, sha_hex): (String, String) = conn
        .query_row("SELECT hex(id), hex(sha256) FROM items", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(id_hex, hex(imported.id.as_bytes()).to_uppercase());
    assert_eq!(sha_hex, V_SHA256_HEX);
    let found = count(
        &conn,
        &format!(
            "SELECT count(*) FROM items WHERE id = x'{}'",
            hex(imported.id.as_bytes())
        ),
    );
    assert_eq!(found, 1);
    assert_eq!(
        count(
            &conn,
            &format!("SELECT count(*) FROM items WHERE id = '{}'", imported.id)
        ),
        0,
        "the hyphenated text finds nothing"
    );

    // (table.column, typeof, length) of every id, hash and key column a reader needs.
    for (table, column, kind, len) in [
        ("items", "id", "blob", 16),
        ("items", "created_by", "blob", 16),
        ("items", "custodian", "blob", 16),
        ("items", "sha256", "blob", 32),
        ("items", "wrapped_dek", "blob", 12 + 32 + 16),
        ("users", "id", "blob", 16),
        ("users", "identity_id", "blob", 16),
        ("identities", "id", "blob", 16),
        ("identities", "public_key", "blob", 32),
        ("keyslots", "identity_id", "blob", 16),
        ("keyslots", "salt", "blob", 16),
        ("keyslots", "wrapped", "blob", 100),
        ("grants", "sealed", "blob", 92),
        ("sealing_keys", "public_key", "blob", 32),
        ("sealing_keys", "wrapped_private", "blob", 60),
        ("directories", "signature", "blob", 64),
        ("events", "item", "blob", 16),
        ("events", "leaf", "blob", 32),
        ("checkpoints", "root", "blob", 32),
        ("station", "station_id", "text", 16),
    ] {
        let query =
            format!("SELECT DISTINCT typeof({column}), length({column}) FROM {table} WHERE {column} IS NOT NULL");
        let rows: Vec<(String, i64)> = conn
            .prepare(&query)
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows, [(kind.to_string(), len)], "{query}");
    }
    let station_id: String = conn
        .query_row("SELECT station_id FROM station", [], |r| r.get(0))
        .unwrap();
    assert!(
        station_id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM directories WHERE typeof(body) = 'blob'"),
        count(&conn, "SELECT count(*) FROM directories")
    );
}

#[test]
fn database_is_in_wal_mode_so_the_main_file_alone_can_miss_committed_rows() {
    let mut v = vault();
    let conn = v.db();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, db::SCHEMA_VERSION);
    assert_eq!(version, 10);
    documented("WAL", "`PRAGMA journal_mode = WAL`");
    documented("schema version", "**10** for this document");

    // Locking checkpoints the WAL: the main file then holds the whole schema.
    v.station.lock();
    v.station.unlock("alice", &Password::from(PASSWORD)).unwrap();
    // While the station has the vault open, an import lives in the -wal file only.
    v.import("wal.txt", b"only in the WAL", Level::Internal).unwrap();
    let copies = tempfile::tempdir().unwrap();
    let items_in_copy = |name: &str| -> i64 {
        let copy = Connection::open(copies.path().join(name)).unwrap();
        copy.query_row("SELECT count(*) FROM items", [], |r| r.get(0)).unwrap()
    };
    std::fs::copy(v.root.join("strongroom.db"), copies.path().join("main-only.db")).unwrap();
    assert_eq!(
        items_in_copy("main-only.db"),
        0,
        "the main file alone misses the import"
    );
    assert!(v.root.join("strongroom.db-wal").exists());

    // A copy made through SQLite has it.
    let into = copies.path().join("vacuum.db");
    conn.execute("VACUUM INTO ?1", [into.to_str().unwrap()]).unwrap();
    assert_eq!(items_in_copy("vacuum.db"), 1);
    documented("copy through SQLite", "`VACUUM INTO 'copy.db'`");

    // Locking checkpoints the WAL into the main file.
    drop(conn);
    v.station.lock();
    std::fs::copy(v.root.join("strongroom.db"), copies.path().join("after-lock.db")).unwrap();
    assert_eq!(items_in_copy("after-lock.db"), 1);
    // WAL is recorded in the file header: bytes 18 and 19 are 2.
    let header = std::fs::read(v.root.join("strongroom.db")).unwrap();
    assert_eq!(header[18..20], [2, 2]);
    documented("header bytes", "header bytes 18 and 19 are 2");
}

// ---------------------------------------------------------------------------------------
// Destroyed items (FORMAT.md §12.4).

#[test]
fn destroyed_item_keeps_only_its_plain_columns_and_empties_its_wraps() {
    let mut v = vault();
    let item = v.import("gone.txt", b"to be destroyed", Level::Internal).unwrap();
    let control = item.control_number.to_string();
    let plain = "SELECT id, control_year, control_serial, level, key_generation, size, sha256, chunk_size,
                        category, created_by, custodian, created_at, pending_owner FROM items";
    let read_plain = |conn: &Connection| -> Vec<rusqlite::types::Value> {
        conn.query_row(plain, [], |r| (0..13).map(|i| r.get(i)).collect())
            .unwrap()
    };
    let before = read_plain(&v.db());
    let object = v.station.paths().object(item.id);
    assert!(object.exists());

    v.station.destroy_item(&control, "end of retention").unwrap();

    let conn = v.db();
    assert_eq!(read_plain(&conn), before, "the plain columns are kept as they were");
    let erased: (String, i64, i64, i64, Option<Vec<u8>>, String) = conn
        .query_row(
            "SELECT typeof(wrapped_dek), length(wrapped_dek), length(title), length(original_name), notes, status FROM items",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    assert_eq!(erased, ("blob".into(), 0, 0, 0, None, "destroyed".into()));
    assert!(!object.exists(), "the object file is deleted");
    documented("destroyed wraps", "the empty BLOB `X''`");
    documented("destroyed status", "| `status` | `destroyed` |");
}

// ---------------------------------------------------------------------------------------
// Generations and rotation (FORMAT.md §14, §2, §6).

#[test]
fn rotation_rewraps_live_rows_removes_every_old_grant_and_keeps_retired_sealing_keys() {
    let mut v = vault();
    v.station
        .add_user(
            "bob",
            Role::Operator,
            Level::Secret,
            &Password::from("bob's long passphrase"),
        )
        .unwrap();
    let live = v.import("live.txt", b"live", Level::Secret).unwrap();
    let gone = v.import("gone.txt", b"gone", Level::Internal).unwrap();
    v.station
        .destroy_item(&gone.control_number.to_string(), "retention")
        .unwrap();

    v.station.disable_user("bob", "left").unwrap();

    let conn = v.db();
    let dir = directory_of(&conn);
    for level in Level::ALL {
        let rotated = level <= Level::Secret;
        let g = if rotated { 2 } else { 1 };
        assert_eq!(dir.level(level).unwrap().generation, g, "{level}");
        // Level-key grants: only the new generation, for alice and the recovery identity.
        let grants: Vec<(i64, i64)> = conn
            .prepare("SELECT generation, count(*) FROM grants WHERE key_kind = 0 AND level = ?1 GROUP BY 1")
            .unwrap()
            .query_map([level.as_byte()], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(grants, [(i64::from(g), 2)], "{level}");
        // Sealing pairs: every generation kept, all wrapped by the current level key; the
        // newest has the level key's generation and is the directory's sealing key.
        let pairs: Vec<(i64, i64, Vec<u8>)> = conn
            .prepare("SELECT generation, wrap_generation, public_key FROM sealing_keys WHERE level = ?1 ORDER BY 1")
            .unwrap()
            .query_map([level.as_byte()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let generations: Vec<(i64, i64)> = pairs.iter().map(|(g, w, _)| (*g, *w)).collect();
        let expected: Vec<(i64, i64)> = (1..=i64::from(g)).map(|n| (n, i64::from(g))).collect();
        assert_eq!(generations, expected, "{level}");
        assert_eq!(
            hex(&pairs.last().unwrap().2),
            dir.level(level).unwrap().sealing_public_key
        );
    }
    // Bob keeps his identity and keyslot rows, but no grant.
    let bob = identity_of(&conn, "bob");
    assert!(keyring::grants_of(&conn, bob).unwrap().is_empty());
    assert!(keyring::keyslot(&conn, bob).unwrap().is_some());
    // The live item moved to generation 2 (and still opens); the destroyed one kept 1.
    let generation_of = |id: ItemId| -> i64 {
        conn.query_row(
            "SELECT key_generation FROM items WHERE id = ?1",
            [id.as_bytes().to_vec()],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(generation_of(live.id), 2);
    assert_eq!(generation_of(gone.id), 1);
    v.station.item(&live.control_number.to_string()).unwrap();
    documented(
        "sealing generations",
        "**Sealing generations are level-key generations.**",
    );
    documented(
        "old grants",
        "| `grants` | kind 0, level L, **every** generation | deleted |",
    );
}

#[test]
fn admin_and_signing_grants_start_at_generation_one_and_count_replacements() {
    let mut v = vault();
    let conn = v.db();
    // init: every grant is generation 1; admin (1) and signing (2) grants use level 0.
    let fresh: Vec<(i64, i64, i64, i64)> = (0..5)
        .map(|l| (0, l, 1, 2))
        .chain([(1, 0, 1, 2), (2, 0, 1, 2)])
        .collect();
    assert_eq!(grant_generations(&conn), fresh);

    v.station
        .add_user(
            "carol",
            Role::Officer,
            Level::TopSecret,
            &Password::from("carol's long passphrase"),
        )
        .unwrap();
    v.station.disable_user("carol", "left").unwrap();
    let after = grant_generations(&conn);
    let successions = count(&conn, "SELECT count(*) FROM admin_successions");
    let key_changes = count(&conn, "SELECT count(*) FROM signing_key_changes");
    assert_eq!((successions, key_changes), (1, 1));
    // One generation per key: alice and the recovery identity hold generation 2 of each.
    let expected: Vec<(i64, i64, i64, i64)> = (0..5)
        .map(|l| (0, l, 2, 2))
        .chain([(1, 0, 1 + successions, 2), (2, 0, 1 + key_changes, 2)])
        .collect();
    assert_eq!(after, expected);
    // The directory names the keys, not their generations; the grant's key is the one named.
    let dir = directory_of(&conn);
    let (alice, slot) = slot_of(&conn, "alice");
    let secret = keyslot::open(&Password::from(PASSWORD), alice.as_bytes(), &slot)
        .unwrap()
        .identity;
    for row in keyring::grants_of(&conn, alice).unwrap() {
        let key = keyring::open_grant(alice, &secret, &row).unwrap();
        let public = hex(&SignKey::from_seed(&key).public());
        match row.kind {
            KeyKind::Admin => assert_eq!((row.generation, public), (2, dir.admin_key.clone())),
            KeyKind::Signing => assert_eq!((row.generation, public), (2, dir.signing_key.clone())),
            KeyKind::Level => assert_eq!(row.generation, dir.level(row.level).unwrap().generation),
        }
    }
    documented("admin generation", "= 1 + rows of `admin_successions`");
    documented("signing generation", "= 1 + rows of `signing_key_changes`");
}

// ---------------------------------------------------------------------------------------
// The lookup order (FORMAT.md §13), run as documented.

const SQL_USER: &str = "SELECT id, identity_id FROM users WHERE name = ?1";
const SQL_RECOVERY: &str = "SELECT id FROM identities WHERE kind = 'recovery' AND retired_at IS NULL";
const SQL_KEYSLOT: &str =
    "SELECT generation, salt, m_kib, t_cost, p_lanes, wrapped FROM keyslots WHERE identity_id = ?1";
const SQL_STATION: &str = "SELECT station_id FROM station";
const SQL_SUCCESSION: &str = "SELECT next_key, body, signature FROM admin_successions WHERE previous_key = ?1";
const SQL_DIRECTORY: &str = "SELECT version, body, signature FROM directories ORDER BY version DESC LIMIT 1";
const SQL_GRANTS: &str = "SELECT key_kind, level, generation, sealed FROM grants WHERE identity_id = ?1";
const SQL_SEALING: &str =
    "SELECT public_key, wrapped_private, wrap_generation FROM sealing_keys WHERE level = ?1 AND generation = ?2";

#[test]
fn a_reader_follows_name_identity_keyslot_directory_and_grants_to_the_plaintext() {
    for sql in [
        SQL_USER,
        SQL_RECOVERY,
        SQL_KEYSLOT,
        SQL_STATION,
        SQL_SUCCESSION,
        SQL_DIRECTORY,
        SQL_GRANTS,
        SQL_SEALING,
    ] {
        documented("lookup SQL", sql);
    }
    let mut v = vault();
    let item = v.import("map.tif", b"the plaintext", Level::Secret).unwrap();
    let conn = v.db();

    // 1–2: name → identity → keyslot.
    let (user_id, identity): (Vec<u8>, Vec<u8>) = conn
        .query_row(SQL_USER, ["alice"], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    let identity = IdentityId::from_slice(&identity).unwrap();
    let (generation, salt, m, t, p, wrapped): (u32, Vec<u8>, u32, u32, u32, Vec<u8>) = conn
        .query_row(SQL_KEYSLOT, [identity.as_bytes().to_vec()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })
        .unwrap();
    let slot = Keyslot {
        salt: salt.try_into().unwrap(),
        params: KdfParams { m_kib: m, t, p },
        generation,
        blob: wrapped,
    };
    let opened = keyslot::open(&Password::from(PASSWORD), identity.as_bytes(), &slot).unwrap();
    // 3–5: station, admin key (no successions yet), newest directory.
    let station: String = conn.query_row(SQL_STATION, [], |r| r.get(0)).unwrap();
    let successor: Option<Vec<u8>> = conn
        .query_row(SQL_SUCCESSION, [opened.admin_public.to_vec()], |r| r.get(0))
        .optional()
        .unwrap();
    assert!(successor.is_none(), "no admin key was replaced yet");
    let (version, body, signature): (i64, Vec<u8>, Vec<u8>) = conn
        .query_row(SQL_DIRECTORY, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    let dir = directory::verify(&body, &signature, &opened.admin_public).unwrap();
    assert_eq!((dir.version as i64, dir.station.as_str()), (version, station.as_str()));
    assert!(dir.version >= opened.directory_version);
    // 6: the account as the directory states it.
    let entry = dir.user("alice").unwrap();
    assert_eq!(entry.id, UserId::from_slice(&user_id).unwrap());
    assert_eq!(entry.identity, identity);
    assert_eq!(entry.public_key, hex(&opened.identity.public()));
    // 7: the grants of the current generations.
    let mut level_key = None;
    let mut stmt = conn.prepare(SQL_GRANTS).unwrap();
    let rows: Vec<(u8, u8, u32, Vec<u8>)> = stmt
        .query_map([identity.as_bytes().to_vec()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (kind, level, generation, sealed) in rows {
        let level = Level::from_byte(level).unwrap();
        let kind = [KeyKind::Level, KeyKind::Admin, KeyKind::Signing][usize::from(kind)];
        let row = GrantRow {
            kind,
            level,
            generation,
            sealed,
        };
        let key = keyring::open_grant(identity, &opened.identity, &row).unwrap();
        match kind {
            KeyKind::Level => {
                let entry = dir.level(level).unwrap();
                assert_eq!(generation, entry.generation);
                assert_eq!(hex(&commitment::level_key(level, generation, &key)), entry.commitment);
                if level == Level::Secret {
                    level_key = Some((generation, key));
                }
            }
            KeyKind::Admin => assert_eq!(hex(&SignKey::from_seed(&key).public()), dir.admin_key),
            KeyKind::Signing => assert_eq!(hex(&SignKey::from_seed(&key).public()), dir.signing_key),
        }
    }
    // 8: item → DEK → object; and the level's sealing key.
    let (lk_generation, lk) = level_key.unwrap();
    let (control_year, control_serial, key_generation, wrapped_dek): (i32, u32, u32, Vec<u8>) = conn
        .query_row(
            "SELECT control_year, control_serial, key_generation, wrapped_dek FROM items WHERE id = ?1",
            [item.id.as_bytes().to_vec()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(key_generation, lk_generation);
    let control = ControlNumber {
        year: control_year,
        serial: control_serial,
    };
    let aad = item_aad(Purpose::Dek, item.id, Level::Secret, &control, key_generation);
    let dek = wrap::open_key(&lk, &aad, &wrapped_dek).unwrap();
    let mut object = std::fs::File::open(v.station.paths().object(item.id)).unwrap();
    let (header, raw) = Header::read(&mut object).unwrap();
    let mut plain = Vec::new();
    stream::decrypt(
        object,
        &header,
        &raw,
        DecryptKey::Dek(&dek),
        &mut plain,
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(plain, b"the plaintext");
    let (public, wrapped_private, wrap_generation): (Vec<u8>, Vec<u8>, u32) = conn
        .query_row(SQL_SEALING, params![Level::Secret.as_byte(), lk_generation], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(wrap_generation, lk_generation);
    let sealing = wrap::open(
        &lk,
        &keyring::sealing_aad(Level::Secret, lk_generation, wrap_generation),
        &wrapped_private,
    )
    .unwrap();
    let secret = strongroom::crypto::seal::SecretKey::from_slice(&sealing).unwrap();
    assert_eq!(secret.public().to_vec(), public);
    // The recovery identity is found without a user name.
    let recovery: Vec<u8> = conn.query_row(SQL_RECOVERY, [], |r| r.get(0)).unwrap();
    assert_eq!(IdentityId::from_slice(&recovery).unwrap(), dir.recovery.identity);
}

// ---------------------------------------------------------------------------------------
// Secrets read from files (FORMAT.md §15, vectors §11.14), through the real binary.

const V_FILE_CRLF: &str = "636f727265637420686f727365206261747465727920737461706c6520200d0a6f6c640a";
const V_PASSWORD_CRLF: &str = "636f727265637420686f727365206261747465727920737461706c652020";
const V_FILE_BOM_CR: &str = "efbbbf09636f727265637420686f727365206261747465727920737461706c650d6f6c64";
const V_PASSWORD_BOM_CR: &str = "efbbbf09636f727265637420686f727365206261747465727920737461706c65";
const V_FILE_EMPTY_LINE: &str = "0a636f727265637420686f727365206261747465727920737461706c650a";

/// A directory with alice's password file holding `bytes`, and `init` run on it.
fn init_with(bytes: &[u8]) -> (TestVault, Assert) {
    let vault = TestVault::uninitialized();
    std::fs::write(&vault.password_file, bytes).unwrap();
    let out = vault.run(&INIT_AT_THE_FLOOR);
    (vault, out)
}

fn opens(root: &Path, name: &str, password: &[u8]) -> bool {
    let conn = Connection::open(root.join("strongroom.db")).unwrap();
    let (identity, slot) = slot_of(&conn, name);
    let password = Password::new(String::from_utf8(password.to_vec()).unwrap());
    keyslot::open(&password, identity.as_bytes(), &slot).is_ok()
}

#[test]
fn password_file_ends_at_the_first_cr_or_lf_and_keeps_spaces_tabs_and_bom() {
    for (file_hex, password_hex) in [(V_FILE_CRLF, V_PASSWORD_CRLF), (V_FILE_BOM_CR, V_PASSWORD_BOM_CR)] {
        documented("password file", file_hex);
        documented("password", password_hex);
        let (vault, out) = init_with(&unhex(file_hex));
        out.success();
        let root = &vault.root;
        let password = unhex(password_hex);
        assert!(opens(root, "alice", &password));
        // Not the trimmed text, and not with the line ending.
        assert!(!opens(root, "alice", PASSWORD.as_bytes()));
        let mut with_cr = password.clone();
        with_cr.push(b'\r');
        assert!(!opens(root, "alice", &with_cr));
    }
}

#[test]
fn password_file_with_an_empty_first_line_is_refused() {
    documented("empty first line", V_FILE_EMPTY_LINE);
    let (vault, out) = init_with(&unhex(V_FILE_EMPTY_LINE));
    out.failure().stderr(predicates::str::contains("the password is empty"));
    documented("empty refusal", "refused: \"the password is empty\"");
    assert!(!vault.root.join("strongroom.db").exists(), "nothing was created");
    // Invalid UTF-8 after the first line refuses the whole file.
    init_with(&[PASSWORD.as_bytes(), b"\n\xff\n"].concat()).1.failure();
}

#[test]
fn recovery_code_and_new_password_files_accept_crlf() {
    let vault = TestVault::new();
    let (root, code) = (&vault.root, &vault.recovery_code);

    // The code as typed on another system: lower case, spaces for dashes, CRLF, more lines.
    let code_file = vault.file(
        "code",
        format!("{}\r\nwritten down 2026\r\n", code.to_lowercase().replace('-', " ")).as_bytes(),
    );
    let new_file = vault.file("new", b"a new long passphrase \r\nignored\r\n");
    vault
        .cmd()
        .args(["recover", "--recovery-code-file", code_file.to_str().unwrap()])
        .args(["--new-password-file", new_file.to_str().unwrap()])
        .assert()
        .success();
    assert!(opens(root, "alice", b"a new long passphrase "));
    assert!(!opens(root, "alice", b"a new long passphrase"));
    documented("CRLF", "**before the first LF (`0x0A`) or CR (`0x0D`)**");
}
