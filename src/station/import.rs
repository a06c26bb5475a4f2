//! Importing files, crash-safe across processes (DESIGN.md §2), in groups (group commit):
//! each file of a group is encrypted into this process's work directory and fdatasynced, two
//! at once; one transaction writes the group's pending rows naming that owner; the files are
//! renamed into `objects/` and each fan-out directory they touched is synced once; then one
//! transaction activates the group, one event per item. A failure or cancel removes what
//! the current group made; the groups before it stay imported. A process killed at any
//! moment leaves each file imported or absent: its pending rows and files are swept at the
//! next open.

use std::collections::{BTreeSet, HashMap};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::accounts::permissions::Permission;
use crate::accounts::users;
use crate::crypto::Key32;
use crate::crypto::stream::EncryptKey;
use crate::ledger::{Action, NewEvent};
use crate::progress::Progress;
use crate::vault::import::{self as files, EncryptError, SourceFile};

pub use super::import_report::{ImportOptions, ImportOutcome, ImportPlan, ImportReport};
pub use crate::vault::import::FileFailure;
use crate::vault::items::{self, ItemRow};
use crate::vault::parallel;
use crate::vault::{Category, ItemStatus};
use crate::{Error, ItemId, Level, Result, UserId, details};
use rusqlite::Transaction;

use super::import_row::ItemSecrets;
use super::items::{ItemSummary, summarize};
use super::{Access, Station};

/// Adds to an import's activation transaction, after each item's `item.import` (a
/// quarantine release records itself there).
type AfterEach<'a> = &'a dyn Fn(&Transaction<'_>, &ItemRow, &mut Vec<NewEvent>) -> Result<()>;

/// Encrypts one item's plaintext from a stream into the given path with the given key, and
/// returns the plaintext SHA-256.
type FillFrom<'a> = &'a mut dyn FnMut(EncryptKey<'_>, ItemId, &std::path::Path) -> Result<[u8; 32]>;

/// Files per group commit by default: enough that a group's two transactions and its directory syncs
/// (at most 256 fan-out directories) cost little per file, few enough that a cancel takes
/// effect soon and a crash loses at most one group's work (which leaves nothing behind).
pub(super) const GROUP_FILES: usize = 2048;
/// Bytes per group commit, for the same reasons with large files.
const GROUP_BYTES: u64 = 256 << 20;

/// The plan's files in groups of at most `per_group` files and, unless one file is larger,
/// `GROUP_BYTES` bytes.
fn groups(files: &[SourceFile], per_group: usize) -> Vec<&[SourceFile]> {
    let mut groups = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, file) in files.iter().enumerate() {
        let full = i - start == per_group || (i > start && bytes + file.size > GROUP_BYTES);
        if full {
            groups.push(&files[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += file.size;
    }
    if start < files.len() {
        groups.push(&files[start..]);
    }
    groups
}

/// Files of at most this size are encrypted two at a time: two streams of them stay within
/// the streaming budget (`IN_FLIGHT_BYTES` of chunk buffers each, at most the file's size).
const TWO_AT_ONCE_MAX: u64 = 16 << 20;

/// A file of a group before it is read: its item id, data key, temporary path, row and what
/// the row will wrap.
struct Job<'a> {
    source: &'a SourceFile,
    id: ItemId,
    dek: Key32,
    tmp: PathBuf,
    row: ItemRow,
    secrets: ItemSecrets,
}

/// One item of a group in progress.
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

    /// Import the files of `plan`, in groups committed one after another. A file that
    /// cannot be read, or changes while it is read, is reported in [`ImportReport::failed`]
    /// and the others go on. A cancel keeps the groups already committed
    /// ([`ImportReport::cancelled`]), or is [`Error::Cancelled`] when none was. A failure on
    /// the vault's side (disk, database) leaves nothing of its group; it is returned when no
    /// group committed, and otherwise reported in [`ImportReport::stopped`] beside the groups
    /// that stay.
    pub fn import(&mut self, plan: ImportPlan, options: &ImportOptions, progress: &Progress) -> Result<ImportReport> {
        let mut imported = Vec::new();
        let outcome = self.import_each(plan, options, progress, &mut |item| imported.push(item))?;
        Ok(ImportReport {
            imported,
            failed: outcome.failed,
            cancelled: outcome.cancelled,
            stopped: outcome.stopped,
        })
    }

    /// [`Station::import`], handing each item to `on_item` as its group commits instead of
    /// keeping them: memory stays bounded however many files the plan holds (the CLI prints
    /// and forgets them).
    pub fn import_each(
        &mut self,
        plan: ImportPlan,
        options: &ImportOptions,
        progress: &Progress,
        on_item: &mut dyn FnMut(ItemSummary),
    ) -> Result<ImportOutcome> {
        self.refresh_session()?;
        self.session_for(Access::Permitted(Permission::Import, Some(options.level)))?;
        let resolved = self.resolve_retention(options)?;
        let options = &resolved;
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
        progress.add_files(plan.files.len() as u64);
        let busy = self.idle.busy();
        let _beating = progress.beating(busy.heartbeat());
        let names: HashMap<UserId, String> = users::names(&self.conn)?.into_iter().collect();
        let mut imported = 0;
        let mut failed = plan.skipped;
        let mut cancelled = false;
        let mut stopped = None;
        for group in groups(&plan.files, options.group_files.max(1)) {
            match self.import_group(group, options, generation, progress, &mut failed) {
                Ok(rows) => {
                    let session = self.session_for(Access::Keys)?;
                    for mut row in rows {
                        row.status = ItemStatus::Active;
                        on_item(summarize(session, &row, &names)?);
                        imported += 1;
                    }
                }
                Err(Error::Cancelled) if imported > 0 => {
                    cancelled = true;
                    break;
                }
                // What committed stays; the caller is told both.
                Err(error) if imported > 0 => {
                    stopped = Some(error);
                    break;
                }
                Err(error) => return Err(error),
            }
        }
        Ok(ImportOutcome {
            imported,
            failed,
            cancelled,
            stopped,
        })
    }

    /// Import one group: all of it that could be read is committed together, or, on a
    /// cancel or a failure on the vault's side, nothing of it is left. Files left out count
    /// as done, so the bar reaches its end.
    fn import_group(
        &mut self,
        group: &[SourceFile],
        options: &ImportOptions,
        generation: u32,
        progress: &Progress,
        failed: &mut Vec<FileFailure>,
    ) -> Result<Vec<ItemRow>> {
        if progress.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let before = progress.done();
        let mut staged: Vec<Staged> = Vec::with_capacity(group.len());
        let result = self.stage_group(group, options, generation, progress, &mut staged, failed);
        if let Err(error) = result {
            let reason = if matches!(error, Error::Cancelled) {
                "cancelled"
            } else {
                "failed"
            };
            // The original error is the one to report; what a failed cleanup leaves (pending
            // rows of this process) is swept at the next open.
            let _ = self.abandon(&staged, reason);
            return Err(error);
        }
        let expected: u64 = group.iter().map(|f| f.size).sum();
        progress.advance(expected.saturating_sub(progress.done().saturating_sub(before)));
        Ok(staged.into_iter().map(|entry| entry.row).collect())
    }

    /// Encrypt a group's files (two at once), write their pending rows in one transaction,
    /// move them into `objects/` and sync each directory touched once, then activate them in
    /// one transaction with one event each. `staged` holds what exists, for `abandon`.
    fn stage_group(
        &mut self,
        group: &[SourceFile],
        options: &ImportOptions,
        generation: u32,
        progress: &Progress,
        staged: &mut Vec<Staged>,
        failed: &mut Vec<FileFailure>,
    ) -> Result<()> {
        let level = options.level;
        // What each file needs before its bytes are read: an id, a key, a temporary path, its
        // row and what the row wraps (made first, so nothing can fail once files exist).
        let mut jobs = Vec::with_capacity(group.len());
        for source in group {
            let id = ItemId::random()?;
            let dek = Key32::random()?;
            jobs.push(Job {
                source,
                id,
                row: self.new_row(id, source.size, Category::from_path(&source.shown), options, generation)?,
                secrets: self.new_meta(source.name.as_bytes(), options, &dek)?,
                dek,
                tmp: self.work.path().join(format!("{id}.sro")),
            });
        }
        // Two files at once when they are small enough that two streams stay within the
        // streaming memory budget; a large file has both cores to itself.
        let small = group.iter().all(|f| f.size <= TWO_AT_ONCE_MAX);
        let in_flight = if small { parallel::IN_FLIGHT } else { 1 };
        // A failure on the vault's side (a full disk) stops the rest of the group.
        let stop = std::sync::atomic::AtomicBool::new(false);
        let outcomes = parallel::map_with(&jobs, in_flight, |job| {
            let outcome = if progress.is_cancelled() || stop.load(std::sync::atomic::Ordering::Relaxed) {
                Err(EncryptError::Batch(Error::Cancelled))
            } else {
                files::encrypt_file(
                    job.source,
                    &job.tmp,
                    EncryptKey::Dek(&job.dek),
                    job.id,
                    options.chunk_size,
                    progress,
                )
            };
            if matches!(&outcome, Err(EncryptError::Batch(e)) if !matches!(e, Error::Cancelled)) {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            progress.file_done();
            outcome
        });
        let mut secrets = Vec::with_capacity(jobs.len());
        let mut batch_error: Option<Error> = None;
        // Files read from a cloud-synced or network folder had left the air gap already:
        // each such import is recorded as an exposure too (one check per directory).
        let mut exposures = super::cloud::Exposures::default();
        for (job, outcome) in jobs.into_iter().zip(outcomes) {
            if outcome.is_ok() {
                exposures.note(self, job.id, &job.source.path);
            }
            match outcome {
                Ok(sha) => {
                    let mut row = job.row;
                    row.sha256 = sha;
                    staged.push(Staged {
                        row,
                        tmp: job.tmp,
                        in_objects: false,
                        has_row: false,
                    });
                    secrets.push(job.secrets);
                }
                // This file is left out (its partial output is already removed).
                Err(EncryptError::Source(error)) => failed.push(FileFailure {
                    path: job.source.shown.clone(),
                    error,
                }),
                // The vault's own failure is the one to report, rather than a cancel.
                Err(EncryptError::Batch(error)) => {
                    if batch_error.as_ref().is_none_or(|e| matches!(e, Error::Cancelled)) {
                        batch_error = Some(error);
                    }
                }
            }
        }
        if let Some(error) = batch_error {
            return Err(error);
        }
        if staged.is_empty() {
            return Ok(()); // every file failed: nothing to record
        }
        self.commit_staged(
            staged,
            &secrets,
            level,
            options.retain_until.as_deref(),
            &|_, row, events| {
                exposures.record(row, events);
                Ok(())
            },
        )
    }

    /// Write the pending rows of `staged` (encrypted into the work directory) in one
    /// transaction, move their objects into `objects/` and sync each directory touched once,
    /// then activate them in one transaction with one `item.import` each and whatever `then`
    /// adds to it. `staged` says what exists, for `abandon`.
    fn commit_staged(
        &mut self,
        staged: &mut [Staged],
        secrets: &[ItemSecrets],
        level: Level,
        retain_until: Option<&str>,
        then: AfterEach<'_>,
    ) -> Result<()> {
        let owner = self.work.owner().to_string();
        let year = self.clock.now().year();
        self.write(|tx, _| {
            for (entry, meta) in staged.iter_mut().zip(secrets) {
                // The wraps bind the control number, so they are made once it is allocated.
                entry.row.control = items::next_control_number(tx, year)?;
                meta.seal_into(&mut entry.row)?;
                items::insert_pending(tx, &entry.row, &owner)?;
            }
            Ok(())
        })?;
        // Every row is in: an abandon from here on removes them all (with their events).
        for entry in staged.iter_mut() {
            entry.has_row = true;
        }
        let mut touched = BTreeSet::new();
        for (renamed, entry) in staged.iter_mut().enumerate() {
            let dir = self.paths.ensure_object_dir(entry.row.id)?;
            let object = self.paths.object(entry.row.id);
            std::fs::rename(&entry.tmp, &object).map_err(|e| Error::io(&object, e))?;
            entry.in_objects = true;
            touched.insert(dir);
            crash_point_after_renames(renamed + 1);
        }
        parallel::sync_dirs(&touched)?;
        let actor = self.session_for(Access::Keys)?.user().name.clone();
        let custodian = actor.clone();
        self.write(|tx, events| {
            for entry in staged.iter() {
                items::activate(tx, entry.row.id)?;
                let mut details = details! {
                    "item": entry.row.id.to_string(),
                    "control_number": entry.row.control.to_string(),
                    "size": entry.row.size,
                    "sha256": crate::encoding::hex::encode(&entry.row.sha256),
                    "category": entry.row.category.as_str(),
                    "custodian": custodian,
                };
                if let Some(date) = retain_until {
                    details.insert("retain_until".into(), date.into());
                }
                events.push(NewEvent {
                    actor: actor.clone(),
                    action: Action::ItemImport,
                    subject: entry.row.control.to_string(),
                    level: Some(level),
                    item: Some(entry.row.id),
                    details,
                });
                then(tx, &entry.row, events)?;
            }
            Ok(())
        })
    }

    /// Import one item whose plaintext is not a file but a stream `fill` encrypts into the
    /// given path with the given key (a quarantine entry released: its plaintext never
    /// touches the disk). `name` is its original name; `then` adds to the activation's
    /// transaction. Committed like a group of one: on any failure nothing of it is left.
    pub(super) fn import_stream(
        &mut self,
        name: &[u8],
        size: u64,
        options: &ImportOptions,
        fill: FillFrom<'_>,
        then: AfterEach<'_>,
    ) -> Result<ItemRow> {
        self.refresh_session()?;
        self.session_for(Access::Permitted(Permission::Import, Some(options.level)))?;
        let resolved = self.resolve_retention(options)?;
        let options = &resolved;
        let generation = self.session_for(Access::Keys)?.level_key(options.level)?.generation;
        let id = ItemId::random()?;
        let dek = Key32::random()?;
        let category = Category::from_path(std::path::Path::new(std::ffi::OsStr::from_bytes(name)));
        let row = self.new_row(id, size, category, options, generation)?;
        let secrets = self.new_meta(name, options, &dek)?;
        let tmp = self.work.path().join(format!("{id}.sro"));
        let sha256 = match fill(EncryptKey::Dek(&dek), id, &tmp) {
            Ok(sha256) => sha256,
            Err(error) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(error);
            }
        };
        let mut staged = vec![Staged {
            row: ItemRow { sha256, ..row },
            tmp,
            in_objects: false,
            has_row: false,
        }];
        let level = options.level;
        let retain_until = options.retain_until.clone();
        let result = self.commit_staged(
            &mut staged,
            std::slice::from_ref(&secrets),
            level,
            retain_until.as_deref(),
            then,
        );
        if let Err(error) = result {
            let _ = self.abandon(&staged, "failed");
            return Err(error);
        }
        let [entry] = <[Staged; 1]>::try_from(staged).map_err(|_| Error::integrity("import", "one item staged"))?;
        Ok(entry.row)
    }

    /// Remove everything a failed batch made: files, then pending rows with their
    /// "import aborted" events (so a gap in control numbers is explained).
    fn abandon(&mut self, staged: &[Staged], reason: &str) -> Result<()> {
        // A row whose activation committed is an import the ledger records: its object stays.
        let active: Vec<ItemId> = staged
            .iter()
            .filter(|e| e.has_row)
            .filter(|e| {
                items::get(&self.conn, e.row.id)
                    .ok()
                    .flatten()
                    .is_some_and(|row| row.status == ItemStatus::Active)
            })
            .map(|e| e.row.id)
            .collect();
        // Every file is tried; the first failure is reported after the rest is done.
        let mut first_error = None;
        for entry in staged.iter().filter(|e| !active.contains(&e.row.id)) {
            let path = if entry.in_objects {
                self.paths.object(entry.row.id)
            } else {
                entry.tmp.clone()
            };
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    first_error.get_or_insert(Error::io(&path, e));
                }
            }
        }
        let actor = self
            .session
            .as_ref()
            .map_or_else(|| "system".to_string(), |s| s.user().name.clone());
        // Bookkeeping of what already happened: not refused by an idle lock meanwhile.
        let recorded = self.write_bookkeeping(|tx, events| {
            for entry in staged.iter().filter(|e| e.has_row) {
                if items::delete_pending(tx, entry.row.id)? {
                    events.push(import_aborted(&actor, &entry.row, reason));
                }
            }
            Ok(())
        });
        match first_error {
            Some(error) => Err(error),
            None => recorded,
        }
    }
}

/// Tests only (debug builds): with `STRONGROOM_TEST_CRASH_AFTER_RENAMES=k` the process dies
/// at once after moving the k-th object of a group into `objects/`, between the group's
/// pending rows and its activation, where no kill can be aimed from outside. Release builds
/// have no such point.
fn crash_point_after_renames(renamed: usize) {
    #[cfg(debug_assertions)]
    if std::env::var("STRONGROOM_TEST_CRASH_AFTER_RENAMES")
        .ok()
        .and_then(|k| k.parse::<usize>().ok())
        == Some(renamed)
    {
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = renamed;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn files(sizes: &[u64]) -> Vec<SourceFile> {
        sizes.iter().map(|&size| SourceFile::for_tests(size)).collect()
    }

    #[test]
    fn groups_hold_at_most_their_count_and_bytes_and_a_large_file_goes_alone() {
        let many = files(&vec![4096; GROUP_FILES * 2 + 1]);
        let lengths: Vec<usize> = groups(&many, GROUP_FILES).iter().map(|g| g.len()).collect();
        assert_eq!(lengths, vec![GROUP_FILES, GROUP_FILES, 1]);
        let large = files(&[10, GROUP_BYTES + 1, 10, GROUP_BYTES / 2, GROUP_BYTES / 2, 1]);
        let lengths: Vec<usize> = groups(&large, GROUP_FILES).iter().map(|g| g.len()).collect();
        assert_eq!(lengths, vec![1, 1, 2, 2]);
        assert!(groups(&[], GROUP_FILES).is_empty());
        let three: Vec<usize> = groups(&files(&[1; 7]), 3).iter().map(|g| g.len()).collect();
        assert_eq!(three, vec![3, 3, 1]);
    }
}
