//! A one-line progress display on stderr for long imports and exports, shown only when
//! stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use strongroom::progress::Progress;

use super::output::bytes;

/// A running progress line; stops and clears itself when dropped.
pub struct ProgressLine {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl ProgressLine {
    /// Start drawing `progress` every 200 ms (if stderr is a terminal).
    pub fn start(progress: Arc<Progress>, verb: &'static str) -> ProgressLine {
        let stop = Arc::new(AtomicBool::new(false));
        let handle = std::io::stderr().is_terminal().then(|| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let started = Instant::now();
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    let done = progress.done();
                    let total = progress.total().max(1);
                    let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
                    let eta = if rate > 0.0 {
                        (total.saturating_sub(done)) as f64 / rate
                    } else {
                        0.0
                    };
                    // Many files: how many of them too.
                    let files = match (progress.files_done(), progress.files_total()) {
                        (_, 0 | 1) => String::new(),
                        (done, total) => format!("{done} / {total} files  "),
                    };
                    eprint!(
                        "\r{verb} {files}{} / {}  {}/s  ETA {:.0} s   ",
                        bytes(done),
                        bytes(total),
                        bytes(rate as u64),
                        eta
                    );
                    let _ = std::io::stderr().flush();
                }
                eprint!("\r\x1b[2K");
            })
        });
        ProgressLine { stop, handle }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}
