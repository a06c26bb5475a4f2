//! Progress and cancellation shared between a long job and whoever watches it (the GUI's
//! progress panel, the CLI's status line). The worker checks `cancelled` between chunks.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Counters of one job; cheap to share by reference or `Arc`.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
    cancel: AtomicBool,
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
    }

    /// Bytes processed so far.
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// Bytes expected in all.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
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
