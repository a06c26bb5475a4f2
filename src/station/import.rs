//! Importing files, crash-safe across processes (DESIGN.md §2): ciphertext into this
//! process's work directory and fsync; a pending row naming that owner; rename into
//! `objects/` and fsync the directory; then every row of the batch is activated together with
//! its event in one transaction. Any failure or cancel removes what the batch made.

use std::collections::HashMap;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::accounts::permissions::Permission;
use crate::accounts::users;
use crate::crypto::Key32;
use crate::crypto::stream::EncryptKey;
use crate::crypto::wrap::{self, Purpose};
use crate::ledger::{Action, NewEvent};
use crate::progress::Progress;
use crate::vault::import::{self as files, EncryptError, SourceFile};

pub use crate::vault::import::FileFailure;
use crate::vault::items::{self, ItemRow, item_aad};
use crate::vault::layout::sync_dir;
use crate::vault::{Category, ItemStatus};
use crate::{ControlNumber, Error, ItemId, Level, Result, UserId, details};

use super::items::{ItemSummary, summarize};
use super::{Access, Station};

/// What an import will read, chosen before any byte is written.
#[derive(Debug)]
pub struct ImportPlan {
    /// The files, in order.
    pub files: Vec<SourceFile>,
    /// The paths that cannot be imported; [`Station::import`] reports them as failed.
    pub skipped: Vec<FileFailure>,
}

impl ImportPlan {
    /// Total bytes to import.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// What a batch import did, file by file: the items made, and the paths not imported with
/// the reason for each. The items stay imported whatever failed beside them.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// One item per file imported, in the plan's order.
    pub imported: Vec<ItemSummary>,
    /// The paths that were not imported: those the plan skipped, then those that failed.
    pub failed: Vec<FileFailure>,
}

impl ImportReport {
    /// Whether every file chosen was imported.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }
}

/// How to import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Classification level (required: there is no default).
    pub level: Level,
    /// Title of a single file; several files take their file names.
    pub title: Option<String>,
    /// Notes for every item of the batch.
    pub notes: Option<String>,
    /// Container chunk size in bytes (64 KiB ..= 16 MiB; DESIGN.md §3).
    pub chunk_size: u32,
}

impl ImportOptions {
    /// Options for an import at `level`: no title or notes, the default 1 MiB chunks.
    pub fn at(level: Level) -> ImportOptions {
        ImportOptions {
            level,
            title: None,
            notes: None,
            chunk_size: crate::crypto::stream::DEFAULT_CHUNK,
        }
    }
}

/// What an item's row wraps under its level key, kept until the control number is known.
struct ItemSecrets {
    level_key: Key32,
    dek: Key32,
    title: String,
    name: Vec<u8>,
    notes: Option<String>,
}

impl ItemSecrets {
    /// Fill the row's wrapped columns (its id, level, control number and generation are set).
    fn seal_into(&self, row: &mut ItemRow) -> Result<()> {
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

/// One item of a batch in progress.
struct Staged {
    row: ItemRow,
    tmp: PathBuf,
    in_objects: bool,
    has_row: bool,
}

impl Station {
    /// Choose the files under `paths` (directories recursively). Symlinks are followed only
    /// with `follow_symlinks`, and never out of a directory's root.
    pub fn plan_import(&self, paths: &[PathBuf], follow_symlinks: bool) -> Result<ImportPlan> {
        self.session_for(Access::Keys)?;
        let planned = files::plan(paths, follow_symlinks, &self.paths.dirs()?)?;
        Ok(ImportPlan {
            files: planned.files,
            skipped: planned.skipped,
        })
    }

    /// Import the files of `plan`. A file that cannot be read, or changes while it is read,
    /// is reported in [`ImportReport::failed`] and the others go on; the items made appear
    /// together, each with its event. A cancel, or a failure on the vault's side (disk, database),
    /// leaves none of the batch.
    pub fn import(&mut self, plan: ImportPlan, options: &ImportOptions, progress: &Progress) -> Result<ImportReport> {
        self.refresh_session()?;
        self.session_for(Access::Permitted(Permission::Import, Some(options.level)))?;
        let session = self.session_for(Access::Keys)?;
        let generation = session.level_key(options.level)?.generation;
        if !(crate::crypto::stream::MIN_CHUNK..=crate::crypto::stream::MAX_CHUNK).contains(&options.chunk_size) {
            return Err(Error::InvalidInput(format!(
                "chunk size {} is outside 64 KiB ..= 16 MiB",
                options.chunk_size
            )));
        }
        if options.title.is_some() && plan.files.len() > 1 {
            return Err(Error::InvalidInput(
                "a title applies to a single file; several files take their file names as titles".into(),
            ));
        }
        progress.add_total(plan.total_bytes());
        let busy = self.idle.busy();
        let _beating = progress.beating(busy.heartbeat());
        let mut staged: Vec<Staged> = Vec::with_capacity(plan.files.len());
        let mut failed = plan.skipped;
        let result = self.import_batch(&plan.files, options, generation, progress, &mut staged, &mut failed);
        match result {
            Ok(()) => {
                let session = self.session_for(Access::Keys)?;
                let names: HashMap<UserId, String> = users::names(&self.conn)?.into_iter().collect();
                let imported = staged
                    .iter_mut()
                    .map(|entry| {
                        entry.row.status = ItemStatus::Active;
                        summarize(session, &entry.row, &names)
                    })
                    .collect::<Result<_>>()?;
                Ok(ImportReport { imported, failed })
            }
            Err(error) => {
                let reason = if matches!(error, Error::Cancelled) {
                    "cancelled"
                } else {
                    "failed"
                };
                // The original error is the one to report; what a failed cleanup leaves (pending
                // rows of this process) is swept at the next open.
                let _ = self.abandon(&staged, reason);
                Err(error)
            }
        }
    }

    fn import_batch(
        &mut self,
        sources: &[SourceFile],
        options: &ImportOptions,
        generation: u32,
        progress: &Progress,
        staged: &mut Vec<Staged>,
        failed: &mut Vec<FileFailure>,
    ) -> Result<()> {
        let level = options.level;
        for source in sources {
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let id = ItemId::random()?;
            let dek = Key32::random()?;
            let tmp = self.work.path().join(format!("{id}.sro"));
            let meta = self.new_meta(source, options, &dek)?;
            let done_before = progress.done();
            let sha = match files::encrypt_file(source, &tmp, EncryptKey::Dek(&dek), id, options.chunk_size, progress) {
                Ok(sha) => sha,
                Err(EncryptError::Source(error)) => {
                    // This file is left out (its partial output is already removed); the
                    // bar still reaches the end.
                    progress.advance(source.size.saturating_sub(progress.done().saturating_sub(done_before)));
                    failed.push(FileFailure {
                        path: source.shown.clone(),
                        error,
                    });
                    continue;
                }
                Err(EncryptError::Batch(error)) => return Err(error),
            };
            staged.push(Staged {
                row: self.new_row(id, source, options, generation)?,
                tmp: tmp.clone(),
                in_objects: false,
                has_row: false,
            });
            let owner = self.work.owner().to_string();
            let year = self.clock.now().year();
            let entry = staged
                .last_mut()
                .ok_or_else(|| Error::InvalidInput("empty batch".into()))?;
            entry.row.sha256 = sha;
            let row = &mut entry.row;
            self.write(|tx, _| {
                // The wraps bind the control number, so they are made once it is allocated.
                row.control = items::next_control_number(tx, year)?;
                meta.seal_into(row)?;
                items::insert_pending(tx, row, &owner)
            })?;
            entry.has_row = true;
            let dir = self.paths.ensure_object_dir(id)?;
            let object = self.paths.object(id);
            std::fs::rename(&tmp, &object).map_err(|e| Error::io(&object, e))?;
            entry.in_objects = true;
            sync_dir(&dir)?;
        }
        if staged.is_empty() {
            return Ok(()); // every file failed: nothing to record
        }
        let actor = self.session_for(Access::Keys)?.user().name.clone();
        let custodian = actor.clone();
        self.write(|tx, events| {
            for entry in staged.iter() {
                items::activate(tx, entry.row.id)?;
                events.push(NewEvent {
                    actor: actor.clone(),
                    action: Action::ItemImport,
                    subject: entry.row.control.to_string(),
                    level: Some(level),
                    item: Some(entry.row.id),
                    details: details! {
                        "item": entry.row.id.to_string(),
                        "control_number": entry.row.control.to_string(),
                        "size": entry.row.size,
                        "sha256": crate::encoding::hex::encode(&entry.row.sha256),
                        "category": entry.row.category.as_str(),
                        "custodian": custodian,
                    },
                });
            }
            Ok(())
        })
    }

    fn new_row(&self, id: ItemId, source: &SourceFile, options: &ImportOptions, generation: u32) -> Result<ItemRow> {
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
            size: source.size,
            sha256: [0; 32],
            chunk_size: options.chunk_size,
            category: Category::from_path(&source.shown),
            created_by: session.user().id,
            custodian: session.user().id,
            status: ItemStatus::Pending,
            created_at: now.clone(),
            updated_at: now,
        })
    }

    fn new_meta(&self, source: &SourceFile, options: &ImportOptions, dek: &Key32) -> Result<ItemSecrets> {
        let key = self.session_for(Access::Keys)?.level_key(options.level)?.key;
        Ok(ItemSecrets {
            level_key: key.clone(),
            dek: dek.clone(),
            title: options
                .title
                .clone()
                .unwrap_or_else(|| source.name.to_string_lossy().into_owned()),
            name: source.name.as_bytes().to_vec(),
            notes: options.notes.clone(),
        })
    }

    /// Remove everything a failed batch made: files, then pending rows with their
    /// "import aborted" events (so a gap in control numbers is explained).
    fn abandon(&mut self, staged: &[Staged], reason: &str) -> Result<()> {
        for entry in staged {
            let path = if entry.in_objects {
                self.paths.object(entry.row.id)
            } else {
                entry.tmp.clone()
            };
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        let actor = self
            .session
            .as_ref()
            .map_or_else(|| "system".to_string(), |s| s.user().name.clone());
        self.write(|tx, events| {
            for entry in staged.iter().filter(|e| e.has_row) {
                items::delete_pending(tx, entry.row.id)?;
                events.push(import_aborted(&actor, &entry.row, reason));
            }
            Ok(())
        })
    }
}

/// The event recorded when a pending item is removed.
pub(super) fn import_aborted(actor: &str, row: &ItemRow, reason: &str) -> NewEvent {
    NewEvent {
        actor: actor.to_string(),
        action: Action::ItemImportAborted,
        subject: row.control.to_string(),
        level: Some(row.level),
        item: Some(row.id),
        details: details! {
            "item": row.id.to_string(),
            "control_number": row.control.to_string(),
            "reason": reason,
        },
    }
}
