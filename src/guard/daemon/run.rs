//! The guard's loop: wait for the kernel or a timer, then act.

use super::*;

/// Run until `stop` is set: wait for the kernel or a timer, then act. Errors that mean the
/// guard must not go on (its key retired, its state refused) end the run.
pub fn run(config: Config, stop: &AtomicBool) -> Result<()> {
    // Listen first, then read: a change while the guard starts is not lost.
    let mut waker = crate::guard::wait::Waker::open()?;
    let mut guard = Guard::start(config, Probes::system())?;
    let everything = crate::guard::wait::Woke {
        mounts: true,
        network: true,
        destinations: true,
    };
    let mut woke = everything;
    while !stop.load(Ordering::Relaxed) {
        // A probe or the database failing now is tried again at the next wake (a flapping
        // link, a busy database); only a retired key ends the run.
        let now = Instant::now();
        let results = [
            if woke.mounts { guard.on_mounts() } else { Ok(()) },
            if woke.network { guard.on_network(now) } else { Ok(()) },
            if woke.destinations {
                guard.on_destinations()
            } else {
                Ok(())
            },
            guard.on_timer(now),
        ];
        for result in results {
            match result {
                Err(e) if is_final(&e) => return Err(e),
                Err(e) => eprintln!("strongroom guard: {e}; trying again"),
                Ok(()) => {}
            }
        }
        let timeout = guard.next_deadline().saturating_duration_since(Instant::now());
        woke = match waker.wait(timeout.min(Duration::from_secs(1)), guard.destinations_fd()) {
            Ok(woke) => woke,
            Err(e) => {
                eprintln!("strongroom guard: {e}; reading everything again");
                std::thread::sleep(Duration::from_millis(200));
                everything
            }
        };
    }
    Ok(())
}

/// One scan and exit (`guard run --once`): start (which records the state found) and stop.
pub fn run_once(config: Config) -> Result<(NetState, Vec<Medium>)> {
    let guard = Guard::start(config, Probes::system())?;
    Ok((guard.network().clone(), guard.media().to_vec()))
}
