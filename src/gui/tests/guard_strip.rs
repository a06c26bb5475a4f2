//! The status strip as the guard's issue asks: AIR-GAPPED or NETWORKED naming the interface,
//! the media mounted, whether a guard runs, and the guard's news as notices within two
//! seconds, read through probes the test sets (the machine's own network never shows here).

use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use strongroom::Level;
use strongroom::guard::NetState;

use super::guard_fixture::root_or_skip;
use super::{ALICE_PW, Fixture, Scripted, insider, sign_in, wait};
use crate::gui::model::Phase;
use strongroom::guard::probes::fixed::{link, only_loopback};

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
    use strongroom::guard::probes::fixed::{FixedDevices, FixedMounts, FixedNetwork};
    use strongroom::guard::{Config, Guard, Probes};
    if !root_or_skip("a_running_guard_is_named_and_its_news_reach_the_signed_in_officer_within_two_seconds") {
        return;
    }
    let fx = Fixture::with_vault(&[("a.txt", Level::Internal)]);
    super::guard_fixture::enable_guard(&fx);
    // The guard, in this process, on a network of its own that the test changes.
    let network = FixedNetwork(std::sync::Arc::new(std::sync::Mutex::new(only_loopback())));
    let config = Config {
        vault: fx.root.clone(),
        guard_dir: fx.guard_dir(),
        removable_roots: Vec::new(),
        heartbeat: None,
        copies: None,
    };
    let probes = Probes {
        mounts: Box::new(FixedMounts::default()),
        network: Box::new(network.clone()),
        devices: Box::new(FixedDevices::default()),
    };
    let mut guard = Guard::start(config, probes).unwrap();

    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.model.phase == Phase::Main);
    wait(&mut harness, "a reading", |app| {
        app.model.guard.as_ref().is_some_and(|g| g.running.is_some())
    });
    harness.step();
    let since = harness
        .state()
        .model
        .guard
        .as_ref()
        .unwrap()
        .running
        .as_ref()
        .unwrap()
        .since
        .clone();
    harness.get_by_label(&format!("running (since {})", &since[11..16]));
    assert_eq!(
        harness.state().model.guard.as_ref().unwrap().network,
        NetState::AirGapped
    );

    // The guard records a new interface: a notice within two seconds, with the alert's
    // explanation (announced once, not once as news and again as an alert).
    network.0.lock().unwrap().links.push(link(4, "wwan0", false));
    guard.on_network(Instant::now()).unwrap();
    let written = Instant::now();
    let notice = "Alerts: a new network interface wwan0 appeared on the air-gapped station";
    wait(&mut harness, "the notice", |app| {
        app.signed(|s| s.toasts.iter().any(|(t, _)| t == notice))
    });
    assert!(written.elapsed() < Duration::from_secs(2), "{:?}", written.elapsed());
    harness.get_by_label(notice);
    assert_eq!(harness.state().s().toasts.len(), 1, "{:?}", harness.state().s().toasts);

    // A row an insider adds in the guard's name is no news (the next sign-in names it).
    let db = rusqlite::Connection::open(fx.root.join("strongroom.db")).unwrap();
    insider::append_event(
        &db,
        "guard",
        "media.mount",
        "FORGED",
        serde_json::json!({"medium": {"mount_point": "/media/x", "fstype": "vfat", "source": "/dev/sdz", "device": "8:99", "why": "device"}}),
    );

    // The guard stops: the strip says so (the app never runs one itself).
    drop(guard);
    wait(&mut harness, "the guard gone", |app| {
        app.model.guard.as_ref().is_some_and(|g| g.running.is_none())
    });
    harness.step();
    harness.get_by_label("NOT running");
    assert!(
        !harness.state().s().toasts.iter().any(|(t, _)| t.contains("FORGED")),
        "{:?}",
        harness.state().s().toasts
    );
}

/// A fixture home whose Syncthing configuration names `~/Sync`, with the client running (or
/// not): what the cloud field of the strip reads.
pub(super) fn synced_home(fx: &Fixture, running: bool) -> strongroom::station::cloud::CloudSources {
    use strongroom::cloud::environment::Environment;
    use strongroom::cloud::processes::ProcessInfo;
    use strongroom::cloud::scan::{Processes, Sources};
    let home = fx.dir.path().join("home");
    std::fs::create_dir_all(home.join(".config/syncthing")).unwrap();
    std::fs::create_dir_all(home.join("Sync")).unwrap();
    std::fs::write(
        home.join(".config/syncthing/config.xml"),
        "<configuration><folder path=\"~/Sync\"/></configuration>",
    )
    .unwrap();
    let processes = if running {
        vec![ProcessInfo {
            pid: 4242,
            exe: Some("/usr/bin/syncthing".into()),
            cmd: vec!["syncthing".into()],
            uid: Some(1000),
        }]
    } else {
        Vec::new()
    };
    strongroom::station::cloud::CloudSources(Sources {
        environments: vec![Environment::for_home(&home)],
        mount_table: Some(String::new()),
        processes: Processes::Given(processes),
        walk: None,
        skip: Vec::new(),
    })
}

#[test]
fn the_strip_counts_synced_folders_and_names_a_running_sync_client() {
    let mut fx = Fixture::with_vault(&[]);
    let empty = fx.dir.path().join("empty-home");
    std::fs::create_dir_all(&empty).unwrap();
    let mut sources = synced_home(&fx, false);
    sources.0.environments = vec![strongroom::cloud::environment::Environment::for_home(&empty)];
    fx.cloud = Some(sources);
    let mut harness = fx.harness(Scripted::default());
    wait(&mut harness, "the first reading", |app| app.model.guard.is_some());
    harness.step();
    harness.get_by_label("Cloud sync: none found");
    drop(harness);

    fx.cloud = Some(synced_home(&fx, true));
    let mut harness = fx.harness(Scripted::default());
    wait(&mut harness, "the first reading", |app| app.model.guard.is_some());
    harness.step();
    harness.get_by_label("Cloud sync: 1 synced folder");
    harness.get_by_label("Syncthing running");
    // The field opens the Cloud window: the folder, its provider, evidence and client state.
    harness.get_by_label("Cloud sync: 1 synced folder").click();
    harness.step();
    harness.step();
    let home = fx.dir.path().join("home");
    harness.get_by_label(&home.join("Sync").display().to_string());
    let config = home.join(".config/syncthing/config.xml");
    harness.get_by_label(&format!("    config {} line 1", config.display()));
    harness.get_by_label("client running");
    harness.get_by_label("Sync clients running: Syncthing");
    harness.state_mut().model.cloud_open = false;
    harness.step();
    assert!(harness.query_by_label("client running").is_none(), "closed");
    harness.state_mut().model.prefs.lang = crate::gui::i18n::Lang::Zh;
    harness.step();
    harness.get_by_label("云同步: 1 个同步文件夹");
    harness.get_by_label("Syncthing 正在运行");
}
