//! Host file names in events, sealed to the level's sealing public key (DESIGN.md §4): an
//! event may say *where* plaintext went without revealing an original file name to whoever
//! reads the ledger or an audit bundle. Holders of the level can unseal them.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use crate::accounts::keyring;
use crate::crypto::seal;
use crate::crypto::wrap::{self, Purpose};
use crate::encoding::hex;
use crate::{Error, Level, Result};

use super::session::Session;
use super::{Access, Station};

/// AAD of a sealed name: purpose `sealed-name`, ids = level byte, generation = the sealing
/// key's generation.
pub fn sealed_name_aad(level: Level, generation: u32) -> Vec<u8> {
    wrap::aad(Purpose::SealedName, &[&[level.as_byte()]], generation)
}

/// Seal `name` to the current sealing key of `level` from the session's verified directory.
/// Returns the sealing generation and the sealed value in hex.
pub(super) fn seal_name(session: &Session, level: Level, name: &[u8]) -> Result<(u32, String)> {
    let entry = session.directory().level(level)?;
    let public = hex::decode::<32>(&entry.sealing_public_key)
        .ok_or_else(|| Error::integrity("signed directory", format!("bad sealing key for {level}")))?;
    let blob = seal::seal_value(&public, &sealed_name_aad(level, entry.generation), name)?;
    Ok((entry.generation, hex::encode(&blob)))
}

impl Station {
    /// Unseal a host file name recorded in an event, with the level's sealing key (which only
    /// holders of the level can unwrap).
    pub fn unseal_name(&self, level: Level, generation: u32, sealed_hex: &str) -> Result<OsString> {
        let session = self.session_for(Access::Ready)?;
        let held = session.level_key(level)?;
        let secret = keyring::sealing_secret(&self.conn, level, generation, &held.key, held.generation)?;
        let blob =
            hex::decode_vec(sealed_hex).ok_or_else(|| Error::InvalidInput("the sealed name is not hex".into()))?;
        let plain = seal::open_value(&secret, &sealed_name_aad(level, generation), &blob)
            .map_err(|e| Error::integrity("sealed name", e.to_string()))?;
        Ok(OsString::from_vec(plain.to_vec()))
    }
}
