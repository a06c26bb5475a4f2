//! Idle auto-lock, enforced by the station itself (DESIGN.md §4a): a timer thread watches
//! the session's key cell and empties it once nothing has happened for the policy's idle
//! time, so the keys are wiped even when no user interface runs a frame (a minimized window)
//! or a script left the station open. Long work holds a [`Busy`] guard and is never cut off.
//!
//! Time comes from the station's clock, so tests move an injected clock instead of sleeping.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use time::{Duration, OffsetDateTime};

use crate::time::SharedClock;

use super::session::KeyCell;

/// How often the timer thread looks at the clock (real time).
const DEFAULT_POLL: std::time::Duration = std::time::Duration::from_secs(1);

struct State {
    cell: Option<KeyCell>,
    last_activity: OffsetDateTime,
    timeout: Duration,
    busy: usize,
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
        if state.busy > 0 || now - state.last_activity < state.timeout {
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

/// Keeps the session from idling out while long work runs.
pub(super) struct Busy {
    shared: Arc<Shared>,
}

impl Drop for Busy {
    fn drop(&mut self) {
        let mut state = self.shared.state();
        state.busy = state.busy.saturating_sub(1);
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
                    busy: 0,
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

    /// Hold off the idle lock until the guard is dropped.
    pub fn busy(&self) -> Busy {
        let mut state = self.shared.state();
        state.busy += 1;
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
