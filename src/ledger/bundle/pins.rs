//! What a verifying machine trusts: per station, the pinned verifier key and the last
//! checkpoint it accepted (DESIGN.md §4). Kept in the officer's config directory, never on
//! the station: pins an insider at the station could edit would prove nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// One pinned station.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    /// The pinned verifier key.
    pub verifier_key: String,
    /// The accepted log epoch (0 until a new epoch is accepted).
    pub epoch: u64,
    /// Size of the last checkpoint accepted.
    pub size: u64,
    /// Its root, base64.
    pub root: String,
    /// An officer here accepted the station's next epoch (`audit trust --epoch`).
    #[serde(default)]
    pub accept_new_epoch: bool,
    /// The station key changes accepted here, oldest first: how `verifier_key` descends
    /// from the key first pinned. Absent from pin files that never saw one, so older pin
    /// files read as before and older readers see `verifier_key` as the key to use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_changes: Vec<AcceptedKeyChange>,
    /// Every checkpoint accepted here before the current one (DESIGN.md §4): a bundle ending
    /// at one of them is an archive, a complete bundle ending below the pin at any other is a
    /// rollback. Absent from older pin files, which read as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<AcceptedCheckpoint>,
}

/// A checkpoint this machine accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedCheckpoint {
    /// Epoch of its log.
    pub epoch: u64,
    /// Tree size.
    pub size: u64,
    /// Root, base64.
    pub root: String,
}

impl Pin {
    /// Add `checkpoint` to those accepted before, once.
    pub fn remember(&mut self, checkpoint: AcceptedCheckpoint) {
        if !self.accepted.contains(&checkpoint) {
            self.accepted.push(checkpoint);
        }
    }

    /// Add the current pin to those accepted before (it is about to move on).
    pub fn remember_current(&mut self) {
        if self.size > 0 {
            let current = AcceptedCheckpoint {
                epoch: self.epoch,
                size: self.size,
                root: self.root.clone(),
            };
            self.remember(current);
        }
    }

    /// The largest checkpoint size accepted here in `epoch` (0 with none).
    pub fn highest_accepted(&self, epoch: u64) -> u64 {
        let current = if self.epoch == epoch { self.size } else { 0 };
        self.accepted
            .iter()
            .filter(|c| c.epoch == epoch)
            .map(|c| c.size)
            .fold(current, u64::max)
    }

    /// Whether this machine accepted the checkpoint of `size` and `root` in `epoch` before.
    pub fn accepted_before(&self, epoch: u64, size: u64, root: &str) -> bool {
        (self.epoch == epoch && self.size == size && self.root == root)
            || self
                .accepted
                .iter()
                .any(|c| c.epoch == epoch && c.size == size && c.root == root)
    }
}

/// A station key change a bundle proved and this machine accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedKeyChange {
    /// The key replaced (verifier key).
    pub old_key: String,
    /// Its successor (verifier key).
    pub new_key: String,
    /// Epoch of the log the change happened in.
    pub epoch: u64,
    /// Tree size of that log at the change: the old key signs nothing beyond it.
    pub size: u64,
    /// Root at that size, base64.
    pub root: String,
}

/// A station's admin key `AK` pinned here (from its `ak.vkey`), which certificates of
/// destruction are checked against, and the keys it replaced that this machine saw retired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPin {
    /// The admin public key in force as far as this machine knows, hex.
    pub key: String,
    /// Keys retired by successions this machine followed, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<RetiredAdminKey>,
}

/// An admin key a succession replaced: what it signed before `at` still counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetiredAdminKey {
    /// The replaced key, hex.
    pub key: String,
    /// Its successor, hex.
    pub successor: String,
    /// When it was replaced (the succession record's `issued_at`).
    pub at: String,
}

/// The pin file.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Pins {
    /// By checkpoint origin.
    pub stations: BTreeMap<String, Pin>,
    /// Admin keys by station id (absent from pin files that never pinned one).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub admin_keys: BTreeMap<String, AdminPin>,
    #[serde(skip)]
    path: PathBuf,
}

/// Where this machine keeps its pinned station keys: `STRONGROOM_CONFIG_DIR/pins.json`, or
/// `strongroom/pins.json` in the XDG config directory.
pub fn default_path() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("STRONGROOM_CONFIG_DIR") {
        return Ok(PathBuf::from(dir).join("pins.json"));
    }
    let base = directories::BaseDirs::new()
        .ok_or_else(|| Error::InvalidInput("no home directory for the pin file; set STRONGROOM_CONFIG_DIR".into()))?;
    Ok(base.config_dir().join("strongroom").join("pins.json"))
}

/// Verify the bundle in `dir` against the pin file at `pins` (moving the pin forward when it
/// verifies).
pub fn verify_and_pin(dir: &Path, pins: &Path) -> Result<super::BundleReport> {
    let mut loaded = Pins::load(pins)?;
    let report = super::verify(dir, &mut loaded);
    if report.ok {
        loaded.save()?;
    }
    Ok(report)
}

impl Pins {
    /// Pin a station's admin key (`ak.vkey`). Another key for a station already pinned is
    /// taken only when the officer says the station announced it (`new_key`); a key this
    /// machine saw retired never is.
    fn trust_admin(&mut self, station: &str, key: &[u8; 32], new_key: bool) -> Result<()> {
        let key = crate::encoding::hex::encode(key);
        match self.admin_keys.get_mut(station) {
            Some(pin) if pin.retired.iter().any(|r| r.key == key) => Err(Error::Denied {
                rule: "pinned-key",
                message: format!(
                    "admin key {key} of station {station} was retired; this machine pins {}",
                    pin.key
                ),
            }),
            Some(pin) if pin.key == key => Ok(()),
            Some(pin) if !new_key => Err(Error::Denied {
                rule: "pinned-key",
                message: format!(
                    "station {station}'s admin key is pinned to another key ({}); a new one is accepted only as one the station's officers announced",
                    pin.key
                ),
            }),
            Some(pin) => {
                pin.key = key;
                Ok(())
            }
            None => {
                self.admin_keys.insert(
                    station.to_string(),
                    AdminPin {
                        key,
                        retired: Vec::new(),
                    },
                );
                Ok(())
            }
        }
    }

    /// Load the pin file at `path` (empty if it does not exist yet).
    pub fn load(path: &Path) -> Result<Pins> {
        let mut pins: Pins = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| Error::integrity(format!("pin file {}", path.display()), e.to_string()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Pins::default(),
            Err(e) => return Err(Error::io(path, e)),
        };
        pins.path = path.to_path_buf();
        Ok(pins)
    }

    /// Write the pin file atomically.
    pub fn save(&self) -> Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let text = serde_json::to_vec_pretty(self).map_err(|e| Error::InvalidInput(e.to_string()))?;
        let temp = self.path.with_extension("json.new");
        let mut file = std::fs::File::create(&temp).map_err(|e| Error::io(&temp, e))?;
        std::io::Write::write_all(&mut file, &text)
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io(&temp, e))?;
        std::fs::rename(&temp, &self.path).map_err(|e| Error::io(&self.path, e))
    }
}

impl Pins {
    /// Pin a station's verifier key. A different key for an already pinned station is
    /// refused unless the officer says it starts a new epoch (a key change the station
    /// announced without a key-change note, or an epoch); a key this machine saw retired by
    /// a key-change note is always refused. Returns the station's origin.
    pub fn trust(&mut self, verifier_key: &str, new_epoch: bool) -> Result<String> {
        let verifier = crate::ledger::note::Verifier::parse(verifier_key)
            .map_err(|e| Error::InvalidInput(format!("not a verifier key: {e}")))?;
        if let Some(station) = crate::custody::certificate::document::station_of_admin_key_name(&verifier.name) {
            self.trust_admin(station, &verifier.public, new_epoch)?;
            return Ok(verifier.name);
        }
        let key = verifier.encode();
        if let Some(pin) = self.stations.get(&verifier.name)
            && let Some(change) = pin.key_changes.iter().find(|c| c.old_key == key)
        {
            return Err(Error::Denied {
                rule: "pinned-key",
                message: format!(
                    "{key} was retired at size {} of epoch {} (replaced by {}); this machine follows the station's key changes and pins {}",
                    change.size, change.epoch, change.new_key, pin.verifier_key
                ),
            });
        }
        match self.stations.get_mut(&verifier.name) {
            Some(pin) if pin.verifier_key == key => pin.accept_new_epoch |= new_epoch,
            Some(pin) if !new_epoch => {
                return Err(Error::Denied {
                    rule: "pinned-key",
                    message: format!(
                        "{} is pinned to another key ({}); a new key or epoch is accepted only as one the station's officers announced",
                        verifier.name, pin.verifier_key
                    ),
                });
            }
            Some(pin) => {
                // What was accepted under the old key stays an archive.
                pin.remember_current();
                let accepted = std::mem::take(&mut pin.accepted);
                *pin = Pin {
                    verifier_key: key,
                    epoch: pin.epoch,
                    size: 0,
                    root: String::new(),
                    accept_new_epoch: true,
                    key_changes: Vec::new(),
                    accepted,
                };
            }
            None => {
                self.stations.insert(
                    verifier.name.clone(),
                    Pin {
                        verifier_key: key,
                        epoch: 0,
                        size: 0,
                        root: String::new(),
                        accept_new_epoch: false,
                        key_changes: Vec::new(),
                        accepted: Vec::new(),
                    },
                );
            }
        }
        Ok(verifier.name)
    }
}
