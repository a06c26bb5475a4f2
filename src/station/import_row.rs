//! A new item's row before it is committed: its plain columns, what it will wrap under its
//! level key (title, original name, notes, DEK: sealed only once its control number is
//! known, since the AAD binds it), and its retention date (given, or the level's default).
//! Nothing here writes to the database or the disk.

use crate::crypto::Key32;
use crate::crypto::wrap::{self, Purpose};
use crate::vault::items::{ItemRow, item_aad};
use crate::vault::{Category, ItemStatus};
use crate::{ControlNumber, ItemId, Result};

use super::import_report::ImportOptions;
use super::{Access, Station};

/// What an item's row wraps under its level key, kept until the control number is known.
pub(super) struct ItemSecrets {
    level_key: Key32,
    dek: Key32,
    title: String,
    name: Vec<u8>,
    notes: Option<String>,
}

impl ItemSecrets {
    /// Fill the row's wrapped columns (its id, level, control number and generation are set).
    pub(super) fn seal_into(&self, row: &mut ItemRow) -> Result<()> {
        let seal = |purpose: Purpose, plain: &[u8]| {
            wrap::seal(
                &self.level_key,
                &item_aad(purpose, row.id, row.level, &row.control, row.key_generation),
                plain,
            )
        };
        let wrapped_dek = seal(Purpose::Dek, self.dek.expose())?;
        let title = seal(Purpose::MetaTitle, self.title.as_bytes())?;
        let original_name = seal(Purpose::MetaName, &self.name)?;
        let notes = self
            .notes
            .as_deref()
            .map(|n| seal(Purpose::MetaNotes, n.as_bytes()))
            .transpose()?;
        row.wrapped_dek = wrapped_dek;
        row.title = title;
        row.original_name = original_name;
        row.notes = notes;
        Ok(())
    }
}

impl Station {
    /// A pending row for a new item of `size` bytes at `options.level`, held by the signed-in
    /// user; its wrapped columns and control number come at commit.
    pub(super) fn new_row(
        &self,
        id: ItemId,
        size: u64,
        category: Category,
        options: &ImportOptions,
        generation: u32,
    ) -> Result<ItemRow> {
        let session = self.session_for(Access::Keys)?;
        let now = self.now();
        Ok(ItemRow {
            id,
            control: ControlNumber { year: 0, serial: 0 },
            level: options.level,
            key_generation: generation,
            wrapped_dek: Vec::new(),
            title: Vec::new(),
            original_name: Vec::new(),
            notes: None,
            size,
            sha256: [0; 32],
            chunk_size: options.chunk_size,
            category,
            created_by: session.user().id,
            custodian: session.user().id,
            status: ItemStatus::Pending,
            created_at: now.clone(),
            updated_at: now,
            object_version: 0,
        })
    }

    /// What the new item's row will wrap: its title (the file name unless one is given),
    /// original name and notes, with its DEK and the level key.
    pub(super) fn new_meta(&self, name: &[u8], options: &ImportOptions, dek: &Key32) -> Result<ItemSecrets> {
        let key = self.session_for(Access::Keys)?.level_key(options.level)?.key;
        Ok(ItemSecrets {
            level_key: key.clone(),
            dek: dek.clone(),
            title: options
                .title
                .clone()
                .unwrap_or_else(|| String::from_utf8_lossy(name).into_owned()),
            name: name.to_vec(),
            notes: options.notes.clone(),
        })
    }

    /// `options` with its retention date checked (not past) or, if none was given, the
    /// level's default from policy filled in.
    pub(super) fn resolve_retention(&self, options: &ImportOptions) -> Result<ImportOptions> {
        let now = self.clock.now();
        let retain_until = match &options.retain_until {
            Some(date) => Some(crate::custody::retention::check_new(date, now)?),
            None => {
                let policy = self.session_for(Access::Keys)?.directory().policy();
                crate::custody::retention::default_for(&policy, options.level, now)
            }
        };
        Ok(ImportOptions {
            retain_until,
            ..options.clone()
        })
    }
}
