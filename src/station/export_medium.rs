//! Which removable media an export may write to (issue 29): material at or above the
//! two-person level only to a registered, unexpired medium of at least its level; below it,
//! to an unregistered medium only if the policy allows. A registered medium never takes
//! material above its level.

use crate::accounts::policy::Policy;
use crate::guard::media::Medium;
use crate::vault::items::ItemRow;
use crate::{Error, Result};

use super::Station;

impl Station {
    /// Check that `medium` (the removable medium an export goes to, when the station can
    /// name it) may receive `row`; returns the registered medium's id when it is one.
    pub(super) fn check_export_medium(
        &mut self,
        row: &ItemRow,
        medium: Option<&Medium>,
        policy: &Policy,
    ) -> Result<Option<String>> {
        let now = self.clock.now();
        let verdict = match medium {
            Some(medium) => self.judge_medium(medium, now)?.map_err(|why| why.to_string()),
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
