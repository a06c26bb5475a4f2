//! The status strip as the guard's issue asks: AIR-GAPPED or NETWORKED naming the interface,
//! the media mounted, whether a guard runs, and the guard's news as notices within two
//! seconds, read through probes the test sets (the machine's own network never shows here).

use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use strongroom::Level;
use strongroom::guard::NetState;

use super::{ALICE_PW, Fixture, Scripted, insider, link, sign_in, wait};
use crate::gui::model::Phase;

#[test]
fn the_strip_shows_the_air_gap_the_interface_that_breaks_it_and_the_media_mounted() {
    let mut fx = Fixture::with_vault(&[]);
    fx.devices.removable.push((8, 17));
    fx.devices.nodes.insert("/dev/sdb1".into(), (8, 17));
    let mut harness = fx.harness(Scripted::default());
    wait(&mut harness, "the first reading", |app| app.model.guard.is_some());
    harness.get_by_label("AIR-GAPPED");
    harness.get_by_label("Removable media: none mounted");
    harness.get_by_label("not enabled");

    fx.network.0.lock().unwrap().links.push(link(3, "usb0", true));
    *fx.mounts.0.lock().unwrap() =
        strongroom::mounts::parse("40 22 8:17 / /media/alice/SURVEY rw - exfat /dev/sdb1 rw\n");
    wait(&mut harness, "the networked reading", |app| {
        app.model.guard.as_ref().is_some_and(|g| g.network.is_networked())
    });
    harness.step();
    harness.get_by_label("NETWORKED (usb0)");
    harness.get_by_label("Removable media: 1 mounted (/media/alice/SURVEY)");

    // The same in Chinese.
    harness.state_mut().model.prefs.lang = crate::gui::i18n::Lang::Zh;
    harness.step();
    harness.get_by_label("已联网 (usb0)");
}

#[test]
fn a_running_guard_is_named_and_its_news_reach_the_signed_in_officer_within_two_seconds() {
    let fx = Fixture::with_vault(&[("a.txt", Level::Internal)]);
    let station_id: String = rusqlite::Connection::open(fx.root.join("strongroom.db"))
        .unwrap()
        .query_row("SELECT station_id FROM station", [], |r| r.get(0))
        .unwrap();
    std::fs::create_dir_all(fx.guard_dir()).unwrap();
    let lock =
        strongroom::guard::lock::acquire(&fx.guard_dir(), &station_id, 4242, "2026-12-07T08:30:00.000Z").unwrap();
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.model.phase == Phase::Main);
    wait(&mut harness, "a reading", |app| {
        app.model.guard.as_ref().is_some_and(|g| g.running.is_some())
    });
    harness.step();
    harness.get_by_label("running (since 08:30)");
    assert_eq!(
        harness.state().model.guard.as_ref().unwrap().network,
        NetState::AirGapped
    );

    // The guard records a new interface: a notice within two seconds.
    let db = rusqlite::Connection::open(fx.root.join("strongroom.db")).unwrap();
    insider::append_event(
        &db,
        "guard",
        "guard.alert",
        "wwan0",
        serde_json::json!({"finding": "new_interface", "interface": "wwan0"}),
    );
    let written = Instant::now();
    wait(&mut harness, "the notice", |app| {
        app.signed(|s| s.toasts.iter().any(|(t, _)| t == "New network interface: wwan0"))
    });
    assert!(written.elapsed() < Duration::from_secs(2), "{:?}", written.elapsed());
    harness.get_by_label("New network interface: wwan0");

    // The guard stops: the strip says so (the app never runs one itself).
    drop(lock);
    wait(&mut harness, "the guard gone", |app| {
        app.model.guard.as_ref().is_some_and(|g| g.running.is_none())
    });
}
