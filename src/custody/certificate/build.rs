//! What a certificate says, made from what the station knows at the destruction: the SP
//! 800-88 fields are filled the same way every time, from the items (or the medium), the
//! people and the ledger. Pure: the station gathers the facts, this writes the words.

use crate::Level;

use super::{
    Certificate, DestroyedItem, DestroyedMedium, FORMAT, LedgerRecord, MediaInformation, Person, Sanitization, Subject,
    TOOL,
};

/// One destroyed item and what the ledger says of its copies.
#[derive(Clone, Debug)]
pub struct ItemFacts {
    /// The item as the certificate lists it.
    pub item: DestroyedItem,
    /// How many exports of it the ledger records (plaintext copies outside the vault).
    pub exports: u64,
}

/// Who and why, common to items and media.
#[derive(Clone, Debug)]
pub struct Occasion {
    /// Certificate number.
    pub number: String,
    /// Station id.
    pub station: String,
    /// Time of the destruction's events.
    pub destroyed_at: String,
    /// Who destroyed.
    pub performed_by: Person,
    /// Witness or approving officer.
    pub validated_by: Option<Person>,
    /// `witness` or `approved request N`.
    pub validation: Option<String>,
    /// Why.
    pub reason: String,
    /// The ledger's record.
    pub ledger: LedgerRecord,
}

/// The certificate of destroyed vault items (one, or a batch).
pub fn for_items(occasion: Occasion, items: Vec<ItemFacts>) -> Certificate {
    let classification = items.iter().map(|i| i.item.level).max().unwrap_or(Level::Unclassified);
    let exported: Vec<String> = items
        .iter()
        .filter(|i| i.exports > 0)
        .map(|i| format!("{} ({}×)", i.item.control_number, i.exports))
        .collect();
    let (backed_up, backup_location) = if exported.is_empty() {
        (
            "unknown",
            "no export is recorded; copies of the vault database made before this destruction still hold the wrapped keys".to_string(),
        )
    } else {
        (
            "yes",
            format!(
                "exported, and those copies are not destroyed by this certificate: {}; copies of the vault database made before this destruction also hold the wrapped keys",
                exported.join(", ")
            ),
        )
    };
    Certificate {
        format: FORMAT.into(),
        number: occasion.number,
        station: occasion.station.clone(),
        destroyed_at: occasion.destroyed_at,
        subject: Subject::Items,
        performed_by: occasion.performed_by,
        validated_by: occasion.validated_by,
        validation: occasion.validation,
        reason: occasion.reason,
        media: MediaInformation {
            media_type: format!(
                "{} encrypted vault item{} (AES-256-GCM objects; data keys wrapped in the vault database)",
                items.len(),
                if items.len() == 1 { "" } else { "s" }
            ),
            source: format!("the vault of Strongroom station {}", occasion.station),
            classification,
            backed_up: backed_up.into(),
            backup_location,
        },
        sanitization: Sanitization {
            method_type: "purge".into(),
            method: "cryptographic erase: each item's wrapped data key and its encrypted title, file name and notes are erased from the vault database (SQLite secure_delete, WAL checkpoint-truncate); the ciphertext is then overwritten once and removed".into(),
            tool: TOOL.into(),
            verification_method: "every item row read back inside the destroying transaction, before it commits".into(),
            verification_result: "passed: no wrapped key and no encrypted metadata remain; the items are marked destroyed".into(),
        },
        post_sanitization_classification: Level::Unclassified,
        destination: "none: nothing readable remains on the station".into(),
        items: items.into_iter().map(|i| i.item).collect(),
        medium: None,
        ledger: occasion.ledger,
    }
}

/// The certificate of a registered removable medium an officer destroyed.
pub fn for_medium(occasion: Occasion, medium: DestroyedMedium, level: Level) -> Certificate {
    Certificate {
        format: FORMAT.into(),
        number: occasion.number,
        station: occasion.station.clone(),
        destroyed_at: occasion.destroyed_at,
        subject: Subject::Medium,
        performed_by: occasion.performed_by,
        validated_by: occasion.validated_by,
        validation: occasion.validation,
        reason: occasion.reason,
        media: MediaInformation {
            media_type: format!("registered removable medium \"{}\"", medium.label),
            source: format!("the media register of Strongroom station {}", occasion.station),
            classification: level,
            backed_up: "unknown".into(),
            backup_location: "whatever was copied from the medium is outside this certificate".into(),
        },
        sanitization: Sanitization {
            method_type: "destroy".into(),
            method: "physical destruction of the medium, recorded by a security officer".into(),
            tool: TOOL.into(),
            verification_method:
                "the register, read back from the officers' signed events, records the medium destroyed".into(),
            verification_result: "passed: its marker authorizes nothing from now on".into(),
        },
        post_sanitization_classification: Level::Unclassified,
        destination: "destroyed".into(),
        items: Vec::new(),
        medium: Some(medium),
        ledger: occasion.ledger,
    }
}
