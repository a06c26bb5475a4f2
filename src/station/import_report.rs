//! What an import is given and what it answers: the plan (files chosen before any byte is
//! written), the options, and the report of what was imported, left out, or stopped.

use crate::vault::import::{FileFailure, SourceFile};
use crate::{Error, Level};

use super::items::ItemSummary;

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
    /// The import was cancelled after `imported` had been committed (they stay); the files
    /// after them were not imported.
    pub cancelled: bool,
    /// A failure on the vault's side stopped the import after `imported` had been committed
    /// (they stay); the files after them were not imported.
    pub stopped: Option<Error>,
}

/// What [`Station::import_each`] did: how many items it made (each handed over as it
/// committed), the paths not imported, and whether a cancel ended it early.
#[derive(Debug, Default)]
pub struct ImportOutcome {
    /// Items made.
    pub imported: usize,
    /// The paths that were not imported: those the plan skipped, then those that failed.
    pub failed: Vec<FileFailure>,
    /// A cancel ended the import after `imported` items had been committed.
    pub cancelled: bool,
    /// A failure on the vault's side ended it after `imported` items had been committed.
    pub stopped: Option<Error>,
}

impl ImportOutcome {
    /// Whether every file chosen was imported.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && !self.cancelled && self.stopped.is_none()
    }
}

impl ImportReport {
    /// Whether every file chosen was imported.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && !self.cancelled && self.stopped.is_none()
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
    /// Files committed together (group commit): a cancel or a crash loses at most one group.
    pub group_files: usize,
    /// Retention date (`YYYY-MM-DD`, today or later); none: the level's default from policy.
    pub retain_until: Option<String>,
}

impl ImportOptions {
    /// Options for an import at `level`: no title or notes, the default 1 MiB chunks.
    pub fn at(level: Level) -> ImportOptions {
        ImportOptions {
            level,
            title: None,
            notes: None,
            chunk_size: crate::crypto::stream::DEFAULT_CHUNK,
            group_files: super::import::GROUP_FILES,
            retain_until: None,
        }
    }
}
