//! The air gap, as the guard follows it: the state (AIR-GAPPED or NETWORKED, from
//! `netlink::judge`), the interfaces that appear, and coalescing, so a link that flaps many
//! times a second gives a few events, not a flood, and never a busy loop.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::guard::netlink::{AirGap, Snapshot, judge};

/// At most one `network.change` event per this interval; changes inside it are counted and
/// the net result recorded when it ends.
pub const MIN_CHANGE_INTERVAL: Duration = Duration::from_millis(500);

/// The air-gap state with the interfaces that decide it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum NetState {
    /// No interface but loopback (or ignored ones) is up or holds a routable address.
    AirGapped,
    /// These interfaces are up with carrier or hold a routable address.
    Networked {
        /// Their names.
        interfaces: Vec<String>,
    },
}

impl NetState {
    /// From a snapshot, leaving out `ignored` interfaces.
    pub fn of(snapshot: &Snapshot, ignored: &[String]) -> NetState {
        match judge(snapshot, ignored) {
            AirGap::AirGapped => NetState::AirGapped,
            AirGap::Networked { because } => NetState::Networked { interfaces: because },
        }
    }

    /// Stable name: `air-gapped` or `networked`.
    pub fn as_str(&self) -> &'static str {
        match self {
            NetState::AirGapped => "air-gapped",
            NetState::Networked { .. } => "networked",
        }
    }

    /// Whether the station is networked.
    pub fn is_networked(&self) -> bool {
        matches!(self, NetState::Networked { .. })
    }
}

/// What a new reading of the network means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetFinding {
    /// The state changed (after coalescing): `flaps` other changes happened in between.
    Changed {
        /// The state recorded before.
        from: NetState,
        /// The state now.
        to: NetState,
        /// Changes seen and not recorded since the last event.
        flaps: u32,
    },
    /// An interface appeared while the station was air-gapped.
    NewInterface {
        /// Its name.
        name: String,
    },
}

/// Follows the network from reading to reading.
pub struct NetworkWatch {
    recorded: NetState,
    current: NetState,
    interfaces: Vec<String>,
    last_event: Option<Instant>,
    flaps: u32,
}

/// The non-loopback interface names of a snapshot.
fn interface_names(snapshot: &Snapshot) -> Vec<String> {
    snapshot
        .links
        .iter()
        .filter(|l| !l.loopback)
        .map(|l| l.name.clone())
        .collect()
}

impl NetworkWatch {
    /// Start from the first reading (recorded as the state at start).
    pub fn new(snapshot: &Snapshot, ignored: &[String]) -> NetworkWatch {
        let state = NetState::of(snapshot, ignored);
        NetworkWatch {
            recorded: state.clone(),
            current: state,
            interfaces: interface_names(snapshot),
            last_event: None,
            flaps: 0,
        }
    }

    /// The state now (not necessarily recorded yet).
    pub fn state(&self) -> &NetState {
        &self.current
    }

    /// Take a new reading at `now`.
    pub fn observe(&mut self, snapshot: &Snapshot, ignored: &[String], now: Instant) -> Vec<NetFinding> {
        let mut findings = Vec::new();
        let names = interface_names(snapshot);
        let air_gapped = !self.current.is_networked();
        for name in &names {
            if !self.interfaces.contains(name) && air_gapped && !ignored.contains(name) {
                findings.push(NetFinding::NewInterface { name: name.clone() });
            }
        }
        self.interfaces = names;
        let state = NetState::of(snapshot, ignored);
        if state != self.current {
            self.flaps = self.flaps.saturating_add(1);
            self.current = state;
        }
        findings.extend(self.due(now));
        findings
    }

    /// The coalesced change to record at `now`, if one is due.
    pub fn due(&mut self, now: Instant) -> Option<NetFinding> {
        if self.current == self.recorded {
            return None;
        }
        if self
            .last_event
            .is_some_and(|last| now.duration_since(last) < MIN_CHANGE_INTERVAL)
        {
            return None;
        }
        let finding = NetFinding::Changed {
            from: std::mem::replace(&mut self.recorded, self.current.clone()),
            to: self.current.clone(),
            flaps: self.flaps.saturating_sub(1),
        };
        self.flaps = 0;
        self.last_event = Some(now);
        Some(finding)
    }

    /// When a held-back change becomes due, if one is held back.
    pub fn next_due(&self) -> Option<Instant> {
        if self.current == self.recorded {
            return None;
        }
        self.last_event.map(|last| last + MIN_CHANGE_INTERVAL)
    }
}

#[cfg(test)]
mod tests;
