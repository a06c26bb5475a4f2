//! What a person confirms before an action that cannot be taken back or that takes plaintext
//! out: the item (control number, title and level), what happens to it, and where. Both
//! front ends ask with these facts, so neither words a confirmation from less.

use std::fmt;
use std::path::PathBuf;

use crate::{Level, Result};

use super::Station;

/// The action to be confirmed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Confirmed {
    /// Crypto-erase the item and remove its ciphertext.
    Destroy,
    /// Lower the item's level.
    Downgrade {
        /// The level asked for.
        to: Level,
    },
    /// Write the item's plaintext to a file outside the vault.
    Export {
        /// The destination as given (a file, or a directory to write into).
        to: PathBuf,
    },
}

/// The facts a confirmation names.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Confirmation {
    /// What will happen.
    #[serde(flatten)]
    pub action: Confirmed,
    /// The item's control number: what the person types to confirm.
    pub control_number: String,
    /// Its title (decrypted for the person asking).
    pub title: String,
    /// Its level now.
    pub level: Level,
}

impl Station {
    /// What confirming `action` on the item `reference` must name (its title is decrypted,
    /// so only someone cleared to see the item gets one).
    pub fn confirmation(&self, reference: &str, action: Confirmed) -> Result<Confirmation> {
        let item = self.item(reference)?;
        Ok(Confirmation {
            action,
            control_number: item.summary.control_number.to_string(),
            title: item.summary.title,
            level: item.summary.level,
        })
    }
}

impl fmt::Display for Confirmation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (control, title, level) = (&self.control_number, &self.title, self.level.name().to_uppercase());
        match &self.action {
            Confirmed::Destroy => write!(
                f,
                "Destroying {control} \"{title}\" ({level}) erases its key and removes its ciphertext; it cannot be undone"
            ),
            Confirmed::Downgrade { to } => write!(
                f,
                "Lowering {control} \"{title}\" from {level} to {}",
                to.name().to_uppercase()
            ),
            Confirmed::Export { to } => write!(
                f,
                "Exporting {control} \"{title}\" ({level}) to {} writes its plaintext outside the vault",
                to.display()
            ),
        }
    }
}
