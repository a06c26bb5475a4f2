//! Progress and cancellation shared between a long job and whoever watches it (the GUI's
//! progress panel, the CLI's status line). The worker checks `cancelled` between chunks.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Called each time a job advances (the station's idle timer: work that moves is activity).
type Beat = Box<dyn Fn() + Send + Sync>;

/// Counters of one job; cheap to share by reference or `Arc`.
#[derive(Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
    files_done: AtomicU64,
    files_total: AtomicU64,
    cancel: AtomicBool,
    beat: Mutex<Option<Beat>>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("done", &self.done())
            .field("total", &self.total())
            .field("files", &(self.files_done(), self.files_total()))
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// While alive, every advance of a [`Progress`] calls its beat ([`Progress::beating`]).
pub struct Heartbeat<'a>(&'a Progress);

impl Drop for Heartbeat<'_> {
    fn drop(&mut self) {
        *self.0.beat.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

impl Progress {
    /// A fresh counter.
    pub fn new() -> Progress {
        Progress::default()
    }

    /// Add to the total bytes expected.
    pub fn add_total(&self, bytes: u64) {
        self.total.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Record bytes processed.
    pub fn advance(&self, bytes: u64) {
        self.done.fetch_add(bytes, Ordering::Relaxed);
        if let Some(beat) = self.beat.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            beat();
        }
    }

    /// Call `beat` at every advance until the returned guard drops.
    pub fn beating(&self, beat: impl Fn() + Send + Sync + 'static) -> Heartbeat<'_> {
        *self.beat.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(beat));
        Heartbeat(self)
    }

    /// Bytes processed so far.
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// Bytes expected in all.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Add to the number of files expected (jobs over many files count them too).
    pub fn add_files(&self, files: u64) {
        self.files_total.fetch_add(files, Ordering::Relaxed);
    }

    /// Record one file handled (imported or left out).
    pub fn file_done(&self) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
    }

    /// Files handled so far.
    pub fn files_done(&self) -> u64 {
        self.files_done.load(Ordering::Relaxed)
    }

    /// Files expected in all (0 for a job that does not count files).
    pub fn files_total(&self) -> u64 {
        self.files_total.load(Ordering::Relaxed)
    }

    /// Ask the job to stop; it removes what it wrote.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether cancel was asked.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}
