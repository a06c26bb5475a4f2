//! Which removable media an export may write to (issue 29): material at or above the
//! two-person level only to a registered, unexpired medium of at least its level; below it,
//! to an unregistered medium only if the policy allows. A registered medium never takes
//! material above its level.

use std::path::Path;

use super::media_register::Holding;
use crate::accounts::policy::Policy;
use crate::vault::items::ItemRow;
use crate::{Error, Result};

use super::{Access, Station};
use crate::accounts::permissions::Permission;

/// What the export confirmation says about its destination's medium.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ExportMediumCheck {
    /// Whether the destination is on removable media.
    pub removable: bool,
    /// The registered medium's label and level, when it is one that may take the item.
    pub registered: Option<(String, crate::Level)>,
    /// Why the export would be refused, when it would.
    pub refused: Option<String>,
    /// Why the destination is refused as a cloud-synced or network folder (rule
    /// `cloud-sync`), when it is.
    pub synced: Option<String>,
}

impl Station {
    /// Say, before an export is confirmed, whether `to` is on removable media and whether
    /// the medium rules let item `reference` go there (and why not). The export checks the
    /// same again when it runs.
    pub fn export_medium_check(&mut self, reference: &str, to: &Path) -> Result<ExportMediumCheck> {
        let (row, _history) = self.find_item(reference)?;
        let policy = self
            .session_for(Access::Permitted(Permission::Export, Some(row.level)))?
            .directory()
            .policy();
        let synced = self.synced_destination(to);
        let medium = self.medium_holding(to)?;
        let removable = medium.is_some() || (self.removable)(to);
        if !removable {
            return Ok(ExportMediumCheck {
                removable,
                registered: None,
                refused: None,
                synced,
            });
        }
        let now = self.clock.now();
        let registered = match &medium {
            Some(held) => self
                .judge_medium(&held.medium, &held.mounted, now)?
                .ok()
                .map(|e| (e.record().label.clone(), e.record().level)),
            None => None,
        };
        Ok(match self.check_export_medium(&row, medium.as_ref(), &policy) {
            Ok(_) => ExportMediumCheck {
                removable,
                registered,
                refused: None,
                synced,
            },
            Err(Error::Denied { message, .. }) => ExportMediumCheck {
                removable,
                registered: None,
                refused: Some(message),
                synced,
            },
            Err(other) => return Err(other),
        })
    }

    /// Check that `held` (the removable medium an export goes to, when the station can name
    /// it) may receive `row`; returns the registered medium's id when it is one.
    pub(super) fn check_export_medium(
        &mut self,
        row: &ItemRow,
        held: Option<&Holding>,
        policy: &Policy,
    ) -> Result<Option<String>> {
        let now = self.clock.now();
        let verdict = match held {
            Some(held) => self
                .judge_medium(&held.medium, &held.mounted, now)?
                .map_err(|why| why.to_string()),
            None => Err("it is on no removable medium the station can identify".to_string()),
        };
        let needs_registered = row.level >= policy.two_person_level;
        match verdict {
            Ok(entry) if entry.record().level >= row.level => Ok(Some(entry.record().medium.clone())),
            Ok(entry) => Err(Error::Denied {
                rule: "registered-media",
                message: format!(
                    "medium {} is registered for {} at most; {} is {}",
                    entry.record().label,
                    entry.record().level,
                    row.control,
                    row.level
                ),
            }),
            Err(why) if needs_registered => Err(Error::Denied {
                rule: "registered-media",
                message: format!(
                    "{} is {}: at or above {} it goes only to a registered medium of its level, and this medium is not authorized: {why}",
                    row.control, row.level, policy.two_person_level
                ),
            }),
            Err(why) if !policy.unregistered_media_exports() => Err(Error::Denied {
                rule: "unregistered-media-exports",
                message: format!(
                    "the station policy refuses exports to media outside the register, and this medium is not authorized: {why}"
                ),
            }),
            Err(_) => Ok(None),
        }
    }
}
