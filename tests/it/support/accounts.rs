//! The accounts fixture of the library tests: alice, bob and carol, and what a user can
//! take away (their identity secret and grant rows) to try on items later.

use strongroom::accounts::keyring::{self, GrantRow};
use strongroom::accounts::{Role, users};
use strongroom::crypto::keyslot;
use strongroom::crypto::wrap;
use strongroom::{ControlNumber, IdentityId, ItemId, Level, Station, UserId};

use super::station::{LibVault, pw};
use super::{OFFICER, PASSWORD};

/// Bob's password.
pub const BOB_PW: &str = "bob's long passphrase";
/// Carol's password.
pub const CAROL_PW: &str = "carol's long passphrase";
/// Dave's password.
pub const DAVE_PW: &str = "dave's long passphrase";

/// alice (officer, top-secret), bob (operator, secret), carol (officer, top-secret).
pub fn fixture() -> (LibVault, Station) {
    LibVault::from_template("alice-bob-carol", |station| {
        add_ready_user(station, "bob", Role::Operator, Level::Secret, BOB_PW);
        add_ready_user(station, "carol", Role::Officer, Level::TopSecret, CAROL_PW);
    })
}

/// The password an officer gives `name` before its first sign-in.
pub fn first_password(name: &str) -> String {
    format!("{name}'s first password from the officer")
}

/// Add `name` as alice (who must be signed in), then take the account through its first
/// sign-in, where the officer's password must be replaced, to `password`; alice is signed in
/// again at the end.
pub fn add_ready_user(station: &mut Station, name: &str, role: Role, clearance: Level, password: &str) -> UserId {
    let first = first_password(name);
    let id = station.add_user(name, role, clearance, &pw(&first)).unwrap();
    station.lock();
    station.unlock(name, &pw(&first)).unwrap();
    station.change_password(&pw(&first), &pw(password)).unwrap();
    station.lock();
    station.unlock(OFFICER, &pw(PASSWORD)).unwrap();
    id
}

/// What an account's holder can take away: their identity secret (from their keyslot and
/// password) and copies of their grant rows.
pub fn steal_keys(
    fx: &LibVault,
    user: &str,
    password: &str,
) -> (IdentityId, strongroom::crypto::seal::SecretKey, Vec<GrantRow>) {
    let conn = fx.db();
    let row = users::by_name(&conn, user).unwrap().unwrap();
    let slot = keyring::keyslot(&conn, row.identity).unwrap().unwrap();
    let contents = keyslot::open(&pw(password), row.identity.as_bytes(), &slot).unwrap();
    let grants = keyring::grants_of(&conn, row.identity).unwrap();
    (row.identity, contents.identity, grants)
}

/// The current wrapped DEK of an item and its AAD.
pub fn item_dek(fx: &LibVault, control: &str) -> (Vec<u8>, Vec<u8>) {
    let control = ControlNumber::parse(control).unwrap();
    let conn = fx.db();
    let (id, level, generation, wrapped): (Vec<u8>, u8, u32, Vec<u8>) = conn
        .query_row(
            "SELECT id, level, key_generation, wrapped_dek FROM items WHERE control_year = ?1 AND control_serial = ?2",
            rusqlite::params![control.year, control.serial],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let aad = strongroom::vault::items::item_aad(
        wrap::Purpose::Dek,
        ItemId::from_slice(&id).unwrap(),
        Level::from_byte(level).unwrap(),
        &control,
        generation,
    );
    (aad, wrapped)
}
