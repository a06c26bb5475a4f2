//! Ctrl+C during a long import: the first one asks the job to stop after the group it is
//! committing (what committed stays, and the command says so); a second one ends the process
//! at once, as Ctrl+C always does (what a killed import leaves is swept at the next open).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use strongroom::progress::Progress;

/// Set by the signal handler; read by the watcher thread.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_signal: libc::c_int) {
    // Only an atomic store: the one thing a signal handler may safely do here.
    INTERRUPTED.store(true, Ordering::Relaxed);
}

/// While alive, Ctrl+C cancels `progress` (once); dropped, Ctrl+C ends the process again.
pub struct CancelOnInterrupt {
    stop: Arc<AtomicBool>,
    watcher: Option<JoinHandle<()>>,
}

impl CancelOnInterrupt {
    /// Catch the first Ctrl+C and turn it into a cancel of `progress`.
    pub fn start(progress: Arc<Progress>) -> CancelOnInterrupt {
        INTERRUPTED.store(false, Ordering::Relaxed);
        // SAFETY: `sigaction` gets a zeroed struct with a handler that only stores to an
        // atomic; SA_RESETHAND puts the default back after the first signal, so a second
        // Ctrl+C ends the process.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESETHAND | libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
        }
        let stop = Arc::new(AtomicBool::new(false));
        let watching = stop.clone();
        let watcher = std::thread::Builder::new()
            .name("strongroom-interrupt".into())
            .spawn(move || {
                while !watching.load(Ordering::Relaxed) {
                    if INTERRUPTED.swap(false, Ordering::Relaxed) {
                        eprintln!("\rstopping after the current group (Ctrl+C again to stop at once)");
                        progress.cancel();
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
            .ok();
        CancelOnInterrupt { stop, watcher }
    }
}

impl Drop for CancelOnInterrupt {
    fn drop(&mut self) {
        // SAFETY: restoring the default disposition of SIGINT has no preconditions.
        unsafe {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
        }
        self.stop.store(true, Ordering::Relaxed);
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
    }
}
