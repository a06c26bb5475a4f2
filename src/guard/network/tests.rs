use std::net::IpAddr;

use super::*;
use crate::guard::netlink::{Address, Link};
use crate::guard::probes::fixed::link;

fn only_lo() -> Snapshot {
    Snapshot {
        links: vec![link(1, "lo", true)],
        addresses: vec![Address {
            index: 1,
            address: IpAddr::from([127, 0, 0, 1]),
            prefix_len: 8,
            scope: 254,
        }],
    }
}

fn with(mut snapshot: Snapshot, extra: Link) -> Snapshot {
    snapshot.links.push(extra);
    snapshot
}

#[test]
fn a_new_interface_on_an_air_gapped_station_is_an_alert_before_it_has_an_address() {
    let start = Instant::now();
    let mut watch = NetworkWatch::new(&only_lo(), &[]);
    assert_eq!(watch.state(), &NetState::AirGapped);
    // A USB modem appears, down, no address: an alert, and still air-gapped.
    let findings = watch.observe(&with(only_lo(), link(5, "wwan0", false)), &[], start);
    assert_eq!(findings, [NetFinding::NewInterface { name: "wwan0".into() }]);
    // It comes up: the state changes, recorded at once (no earlier event).
    let findings = watch.observe(&with(only_lo(), link(5, "wwan0", true)), &[], start);
    assert_eq!(
        findings,
        [NetFinding::Changed {
            from: NetState::AirGapped,
            to: NetState::Networked {
                interfaces: vec!["wwan0".into()]
            },
            flaps: 0
        }]
    );
}

#[test]
fn an_ignored_interface_neither_alerts_nor_networks_the_station() {
    let ignored = vec!["virbr0".to_string()];
    let mut watch = NetworkWatch::new(&only_lo(), &ignored);
    let findings = watch.observe(&with(only_lo(), link(3, "virbr0", true)), &ignored, Instant::now());
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(watch.state(), &NetState::AirGapped);
}

#[test]
fn a_flapping_link_is_coalesced_into_one_event_per_interval_with_the_flaps_counted() {
    let start = Instant::now();
    let down = with(only_lo(), link(2, "eth0", false));
    let up = with(only_lo(), link(2, "eth0", true));
    let mut watch = NetworkWatch::new(&down, &[]);
    let first = watch.observe(&up, &[], start);
    assert_eq!(first.len(), 1, "the first change is recorded at once");
    // 100 flips within 100 ms: nothing recorded inside the interval.
    let mut recorded = 0;
    for i in 0..100u64 {
        let snapshot = if i % 2 == 0 { &down } else { &up };
        recorded += watch.observe(snapshot, &[], start + Duration::from_millis(i)).len();
    }
    assert_eq!(recorded, 0);
    // The last flip left it up, as recorded: nothing is due.
    assert_eq!(watch.next_due(), None);
    // One more flip to down: due at the end of the interval, with the flaps counted.
    assert!(watch.observe(&down, &[], start + Duration::from_millis(200)).is_empty());
    assert_eq!(watch.next_due(), Some(start + MIN_CHANGE_INTERVAL));
    match watch.due(start + MIN_CHANGE_INTERVAL) {
        Some(NetFinding::Changed { from, to, flaps }) => {
            assert!(from.is_networked());
            assert_eq!(to, NetState::AirGapped);
            assert_eq!(flaps, 100);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(watch.next_due(), None);
}
