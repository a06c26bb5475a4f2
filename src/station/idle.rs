//! Idle auto-lock, enforced by the station itself (DESIGN.md §4a): a timer thread watches
//! the session's key cell and empties it once nothing has happened for the policy's idle
//! time, so the keys are wiped even when no user interface runs a frame (a minimized window)
//! or a script left the station open. Long work holds a [`Busy`] guard whose heartbeat counts
//! as activity each time the work advances; work that stops advancing (a hung medium) no longer
//! keeps the keys.
//!
//! Time comes from the station's clock, so tests move an injected clock instead of sleeping.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use time::{Duration, OffsetDateTime};

use crate::time::SharedClock;

use super::session::KeyCell;

/// How often the timer thread looks at the clock (real time).
pub(super) const DEFAULT_POLL: std::time::Duration = std::time::Duration::from_secs(1);

struct State {
    cell: Option<KeyCell>,
    last_activity: OffsetDateTime,
    timeout: Duration,
    dropped_at: Option<OffsetDateTime>,
    poll: std::time::Duration,
    stop: bool,
}

struct Shared {
    clock: SharedClock,
    state: Mutex<State>,
    wake: Condvar,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Drop the keys if the session has been idle long enough. Returns whether it did.
    fn check(&self, state: &mut State) -> bool {
        let Some(cell) = &state.cell else {
            return false;
        };
        let now = self.clock.now();
        // Long work counts as activity while it advances (its heartbeat moves
        // `last_activity`); work that stops moving — a hung medium — does not hold the keys.
        if now - state.last_activity < state.timeout {
            return false;
        }
        let keys = cell.lock().unwrap_or_else(|p| p.into_inner()).take();
        drop(keys);
        state.cell = None;
        state.dropped_at = Some(now);
        true
    }
}

/// The idle timer of one station.
pub(super) struct IdleTimer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Marks long work: activity when it starts and ends, and (through [`Busy::heartbeat`])
/// each time it advances.
pub(super) struct Busy {
    shared: Arc<Shared>,
}

impl Busy {
    /// What a job calls as it advances: activity, as a keystroke would be.
    pub fn heartbeat(&self) -> impl Fn() + Send + Sync + 'static {
        let shared = self.shared.clone();
        move || shared.state().last_activity = shared.clock.now()
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let mut state = self.shared.state();
        state.last_activity = self.shared.clock.now();
    }
}

impl IdleTimer {
    /// A timer on `clock`; its thread starts with the first session it watches.
    pub fn new(clock: SharedClock) -> IdleTimer {
        let now = clock.now();
        IdleTimer {
            shared: Arc::new(Shared {
                clock,
                state: Mutex::new(State {
                    cell: None,
                    last_activity: now,
                    timeout: Duration::minutes(10),
                    dropped_at: None,
                    poll: DEFAULT_POLL,
                    stop: false,
                }),
                wake: Condvar::new(),
            }),
            thread: None,
        }
    }

    /// Watch a new session's keys, dropping them after `timeout` without activity.
    pub fn watch(&mut self, cell: KeyCell, timeout: Duration) {
        {
            let mut state = self.shared.state();
            state.cell = Some(cell);
            state.timeout = timeout;
            state.last_activity = self.shared.clock.now();
            state.dropped_at = None;
        }
        if self.thread.is_none() {
            let shared = self.shared.clone();
            // If the thread cannot start, the station still locks on its next call
            // (`check_now`); nothing else depends on it.
            self.thread = std::thread::Builder::new()
                .name("strongroom-idle-lock".into())
                .spawn(move || run(&shared))
                .ok();
        }
    }

    /// Stop watching (the session was locked).
    pub fn unwatch(&self) {
        let mut state = self.shared.state();
        state.cell = None;
        state.dropped_at = None;
    }

    /// Something happened: restart the idle time.
    pub fn touch(&self) {
        self.shared.state().last_activity = self.shared.clock.now();
    }

    /// Change the idle time of the watched session.
    pub fn set_timeout(&self, timeout: Duration) {
        self.shared.state().timeout = timeout;
    }

    /// Long work starts: it counts as activity while it advances (see [`Busy::heartbeat`]).
    pub fn busy(&self) -> Busy {
        let mut state = self.shared.state();
        state.last_activity = self.shared.clock.now();
        Busy {
            shared: self.shared.clone(),
        }
    }

    /// Run the idle check now, on the caller's thread.
    pub fn check_now(&self) -> bool {
        let mut state = self.shared.state();
        self.shared.check(&mut state)
    }

    /// When the timer dropped the keys, once (the station then records the lock).
    pub fn take_dropped(&self) -> Option<OffsetDateTime> {
        self.shared.state().dropped_at.take()
    }

    /// How often the thread looks at the clock.
    pub fn set_poll(&self, poll: std::time::Duration) {
        self.shared.state().poll = poll;
        self.shared.wake.notify_all();
    }
}

fn run(shared: &Shared) {
    let mut state = shared.state();
    while !state.stop {
        shared.check(&mut state);
        let poll = state.poll;
        state = match shared.wake.wait_timeout(state, poll) {
            Ok((guard, _)) => guard,
            Err(poisoned) => poisoned.into_inner().0,
        };
    }
}

impl Drop for IdleTimer {
    fn drop(&mut self) {
        self.shared.state().stop = true;
        self.shared.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Progress;
    use crate::time::ManualClock;

    #[test]
    fn work_that_advances_holds_off_the_lock_and_work_that_stalls_does_not() {
        let clock = ManualClock::new(OffsetDateTime::UNIX_EPOCH + Duration::days(20_000));
        let mut timer = IdleTimer::new(clock.clone());
        // The test checks by hand; the timer thread sleeps.
        timer.set_poll(std::time::Duration::from_secs(3600));
        timer.watch(Arc::new(Mutex::new(None)), Duration::minutes(10));
        let progress = Progress::new();
        let busy = timer.busy();
        let _beating = progress.beating(busy.heartbeat());
        for _ in 0..5 {
            clock.advance(Duration::minutes(6));
            progress.advance(1);
            assert!(!timer.check_now(), "a job that advances is activity");
        }
        // A hung medium: the job is still running, but nothing moves.
        clock.advance(Duration::minutes(11));
        assert!(
            timer.check_now(),
            "a job that stopped advancing no longer holds the keys"
        );
    }
}
