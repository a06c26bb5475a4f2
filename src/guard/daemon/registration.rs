//! A medium just mounted, judged against the register (issue 29): its marker read as root
//! and verified, the verdict put into its `media.mount`, and an unregistered medium reported
//! (`guard.alert`, `unregistered_medium`) and, by policy, blocked through sysfs.

use serde_json::Value;

use super::*;
use crate::accounts::policy::MediaResponse;
use crate::guard::usb_authorize::Blocked;
use crate::guard::{marker_file, register};

impl Guard {
    /// The register's verdict on `medium` (for its `media.mount`); an unregistered medium
    /// is reported and, under `unregistered-media = block`, its USB device de-authorized.
    pub(super) fn registration(&mut self, medium: &Medium, mounted: &[Medium]) -> Value {
        let marker = as_root(|| marker_file::read(&medium.mount_point));
        let now = time::OffsetDateTime::now_utc();
        // The admin key of the directory verified from the root-owned state (or the state's
        // own): the ledger's chain of admin keys must lead to it.
        let anchor = match self.directory.as_ref().map(|d| d.admin_key_bytes()) {
            Some(Ok(key)) => Ok(key),
            _ => self.state.admin_key_bytes(),
        };
        let judged = anchor.and_then(|anchor| {
            register::judge_mounted(&self.conn, &self.state.station, &anchor, medium, mounted, marker, now)
        });
        let verdict = match judged {
            Ok(verdict) => verdict,
            // The register could not be read (the database busy past its timeout): said
            // so, and never a block on what is not known.
            Err(e) => {
                let why = format!("the register could not be read: {e}");
                self.push(record::alert(
                    GuardFinding::UnregisteredMedium,
                    &medium.name(),
                    details! {
                        "medium": record::medium_json(medium),
                        "code": "register_unreadable",
                        "why": why,
                        "response": "alert",
                    },
                ));
                return serde_json::json!({ "status": "unknown", "why": why });
            }
        };
        if let Err(why) = &verdict {
            let (response, blocked) = match self.policy.unregistered_media() {
                MediaResponse::Alert => ("alert", None),
                // A user's FUSE mount names a device by its own say-so: blocking on it would
                // let anyone cut off another person's (or the system's) USB device.
                MediaResponse::Block if medium.user_mount.is_some() => ("alert", None),
                MediaResponse::Block => match self.probes.devices.block(medium.device) {
                    Blocked::Deauthorized { usb_device } => ("blocked", Some(usb_device.display().to_string())),
                    Blocked::NotUsb => ("not_usb", None),
                    Blocked::Failed { why } => ("block_failed", Some(why)),
                },
            };
            let mut facts = details! {
                "medium": record::medium_json(medium),
                "code": why.code(),
                "why": why.to_string(),
                "response": response,
            };
            match (response, blocked) {
                ("blocked", Some(device)) => {
                    facts.insert("usb_device".into(), device.into());
                }
                ("block_failed", Some(failure)) => {
                    facts.insert("block_failed".into(), failure.into());
                }
                _ => {}
            }
            self.push(record::alert(GuardFinding::UnregisteredMedium, &medium.name(), facts));
        }
        register::verdict_json(&verdict)
    }
}
