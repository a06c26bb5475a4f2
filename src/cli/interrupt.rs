//! Ctrl+C during a long import: the first one asks the job to stop (the groups committed
//! stay, the one being read is dropped, and the command says so); a second one ends the
//! process at once, as Ctrl+C always does (what a killed import leaves is swept at the next
//! open).

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

/// While alive, Ctrl+C cancels `progress` (once); dropped, Ctrl+C does what it did before.
/// A process started with Ctrl+C ignored (`nohup`, a background job) keeps ignoring it.
pub struct CancelOnInterrupt {
    stop: Arc<AtomicBool>,
    watcher: Option<JoinHandle<()>>,
    previous: Option<libc::sigaction>,
}

impl CancelOnInterrupt {
    /// Catch the first Ctrl+C and turn it into a cancel of `progress`.
    pub fn start(progress: Arc<Progress>) -> CancelOnInterrupt {
        INTERRUPTED.store(false, Ordering::Relaxed);
        let stop = Arc::new(AtomicBool::new(false));
        let watching = stop.clone();
        let watcher = std::thread::Builder::new()
            .name("strongroom-interrupt".into())
            .spawn(move || {
                while !watching.load(Ordering::Relaxed) {
                    if INTERRUPTED.swap(false, Ordering::Relaxed) {
                        eprintln!(
                            "\rstopping: the groups already committed stay, the one being read is dropped (Ctrl+C again to stop at once)"
                        );
                        progress.cancel();
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
            .ok();
        // Without a watcher a caught Ctrl+C would be lost: leave Ctrl+C as it is.
        let previous = watcher.as_ref().and_then(|_| install());
        CancelOnInterrupt {
            stop,
            watcher,
            previous,
        }
    }
}

/// Install the handler unless SIGINT is ignored; returns the disposition it replaced.
fn install() -> Option<libc::sigaction> {
    // SAFETY: `sigaction` reads and writes plain structs we own. The handler only stores to
    // an atomic; SA_RESETHAND puts the default back after the first signal, so a second
    // Ctrl+C ends the process.
    unsafe {
        let mut previous: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGINT, std::ptr::null(), &mut previous) != 0 || previous.sa_sigaction == libc::SIG_IGN
        {
            return None;
        }
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESETHAND | libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        (libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut()) == 0).then_some(previous)
    }
}

impl Drop for CancelOnInterrupt {
    fn drop(&mut self) {
        if let Some(previous) = self.previous.take() {
            // SAFETY: puts back the disposition `install` replaced.
            unsafe {
                libc::sigaction(libc::SIGINT, &previous, std::ptr::null_mut());
            }
        }
        self.stop.store(true, Ordering::Relaxed);
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
    }
}
