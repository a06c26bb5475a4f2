//! The desktop app driven headless with egui_kittest, by accessible labels, against a real
//! vault on a real station thread (no GPU, no display).
//! Test-only: the parent module declares it under #[cfg(test)].

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod certificates_screen;
mod custody_screen;
mod guard_fixture;
#[path = "../../tests/it/support/guard_scene.rs"]
mod guard_scene;
mod guard_screen;
mod guard_strip;
mod import_screen;
/// What an insider does to the database: the integration tests' one copy.
#[path = "../../tests/it/support/insider.rs"]
mod insider;
mod media_screen;
mod officer;
mod screens;
mod sign_in;
mod workflows;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use strongroom::Level;
use strongroom::crypto::Password;
use strongroom::crypto::kdf::KdfParams;
use strongroom::station::{ImportOptions, InitOptions};
use strongroom::time::ManualClock;

use strongroom::guard::probes::fixed::{FixedDevices, FixedMounts, FixedNetwork, only_loopback};

use super::app::App;
use super::dialogs::{Dialogs, FileDialogs, Purpose};
use super::model::{Model, Phase, SignedIn, View};
use super::worker::{Worker, WorkerOptions};

const ALICE_PW: &str = "correct horse battery staple";

/// Dialogs that answer with the paths a test queued.
#[derive(Default, Clone)]
struct Scripted(Arc<Mutex<Vec<Vec<PathBuf>>>>);

impl FileDialogs for Scripted {
    fn ask(&self, purpose: Purpose, answer: super::dialogs::Answer) {
        let paths = self.0.lock().map(|mut q| q.pop()).ok().flatten().unwrap_or_default();
        let _ = answer.send((purpose, paths));
    }
}

struct Fixture {
    dir: tempfile::TempDir,
    root: PathBuf,
    clock: Arc<ManualClock>,
    /// The recovery code `init` returned (empty before a vault is made).
    recovery: String,
    /// The network the status strip reads (only `lo` to start with: air-gapped).
    network: FixedNetwork,
    /// The mount table it reads (empty to start with).
    mounts: FixedMounts,
    /// The devices behind those mounts.
    devices: FixedDevices,
    /// The files the app handed to the desktop's viewer.
    viewed: Arc<Mutex<Vec<PathBuf>>>,
    /// The desktop has no viewer (opening fails).
    no_viewer: Arc<std::sync::atomic::AtomicBool>,
    /// Where the cloud checks look (`None`: the machine's own).
    cloud: Option<strongroom::station::cloud::CloudSources>,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("vault");
        Fixture {
            dir,
            root,
            clock: ManualClock::new(time::OffsetDateTime::now_utc()),
            network: FixedNetwork(Arc::new(Mutex::new(only_loopback()))),
            mounts: FixedMounts::default(),
            devices: FixedDevices::default(),
            recovery: String::new(),
            viewed: Arc::default(),
            no_viewer: Arc::default(),
            cloud: None,
        }
    }

    /// A vault with alice (officer) and the given items, made through the library.
    fn with_vault(items: &[(&str, Level)]) -> Fixture {
        let mut fx = Fixture::new();
        let options = InitOptions {
            kdf: Some(KdfParams::FLOOR),
            clock: fx.clock.clone(),
            ..InitOptions::default()
        };
        let (mut station, code) =
            strongroom::Station::init(&fx.root, "alice", &Password::from(ALICE_PW), options).unwrap();
        fx.recovery = code.expose().to_string();
        for (name, level) in items {
            let path = fx.file(name, name.as_bytes());
            let plan = station.plan_import(&[path], false).unwrap();
            let options = ImportOptions::at(*level);
            station
                .import(plan, &options, &strongroom::progress::Progress::new())
                .unwrap();
        }
        fx
    }

    /// The guard directory of this fixture's vault (never the system's).
    fn guard_dir(&self) -> PathBuf {
        self.dir.path().join("guard")
    }

    fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.dir.path().join("files").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    fn harness(&self, dialogs: Scripted) -> Harness<'static, App> {
        self.harness_sized(dialogs, egui::vec2(1280.0, 800.0))
    }

    /// The app in a window of `size` points.
    fn harness_sized(&self, dialogs: Scripted, size: egui::Vec2) -> Harness<'static, App> {
        let root = self.root.clone();
        let clock = self.clock.clone();
        let guard_dir = self.guard_dir();
        let probes = strongroom::guard::Probes {
            mounts: Box::new(self.mounts.clone()),
            network: Box::new(self.network.clone()),
            devices: Box::new(self.devices.clone()),
        };
        let certificate_dir = self.dir.path().join("viewing");
        let viewed = self.viewed.clone();
        let no_viewer = self.no_viewer.clone();
        let cloud = self.cloud.clone();
        Harness::builder().with_size(size).build_eframe(move |cc| {
            let ctx = cc.egui_ctx.clone();
            let worker = Worker::start(
                WorkerOptions {
                    root: root.clone(),
                    clock,
                    kdf: Some(KdfParams::FLOOR),
                    idle_poll: Duration::from_millis(20),
                    guard_dir,
                    guard_probes: Some(probes),
                    certificate_dir,
                    viewer: Arc::new(move |path| {
                        if no_viewer.load(std::sync::atomic::Ordering::SeqCst) {
                            return Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such program"));
                        }
                        viewed.lock().unwrap().push(path.to_path_buf());
                        Ok(())
                    }),
                    cloud,
                },
                Arc::new(move || ctx.request_repaint()),
            )
            .unwrap();
            App::new(&cc.egui_ctx, Model::new(root), worker, Dialogs::new(Box::new(dialogs)))
        })
    }
}

impl App {
    /// The signed-in state (tests: someone must be signed in).
    fn s(&self) -> &SignedIn {
        self.model.signed_in.as_ref().expect("signed in")
    }

    /// The signed-in state, to change (tests).
    fn s_mut(&mut self) -> &mut SignedIn {
        self.model.signed_in.as_mut().expect("signed in")
    }

    /// Whether someone is signed in and `holds` is true of the session's state.
    fn signed(&self, holds: impl Fn(&SignedIn) -> bool) -> bool {
        self.model.signed_in.as_ref().is_some_and(holds)
    }
}

/// A vault with alice (officer), an item at each of three levels, and bob (operator),
/// locked out.
fn vault_with_bob_locked_out() -> Fixture {
    let fx = Fixture::with_vault(&[
        ("harbour.tif", Level::Confidential),
        ("ridge.las", Level::Secret),
        ("notes.pdf", Level::Internal),
    ]);
    let mut station =
        strongroom::Station::open_with(&fx.root, strongroom::station::OpenOptions::with_clock(fx.clock.clone()))
            .unwrap();
    station.unlock("alice", &Password::from(ALICE_PW)).unwrap();
    station
        .add_user(
            "bob",
            strongroom::accounts::Role::Operator,
            Level::Internal,
            &Password::from("bob's long passphrase"),
        )
        .unwrap();
    // bob is locked out: an open alert.
    station.set_policy("lockout-attempts", "1").unwrap();
    station.lock();
    assert!(station.unlock("bob", &Password::from("not bob's password")).is_err());
    fx.clock.advance(time::Duration::seconds(2));
    fx
}

/// alice's session as the station thread describes it, for state built without a station.
fn alice_session() -> super::messages::SessionInfo {
    super::messages::SessionInfo {
        user: "alice".into(),
        role: strongroom::accounts::Role::Officer,
        clearance: Level::TopSecret,
        station: "0123456789abcdef".into(),
        password_change: None,
        signing_problem: None,
    }
}

/// Step frames until `done` holds (the station thread works in real time).
fn wait(harness: &mut Harness<'_, App>, what: &str, done: impl Fn(&App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(harness.state()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.step();
}

fn type_into(harness: &mut Harness<'_, App>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.step();
    harness.get_by_label(label).type_text(text);
    harness.step();
}

fn click(harness: &mut Harness<'_, App>, label: &str) {
    harness.get_by_label(label).click();
    harness.step();
    harness.step();
}

/// The control numbers of the items listed in the vault, in their order.
fn listed_controls(harness: &Harness<'_, App>) -> Vec<String> {
    harness
        .state()
        .s()
        .items
        .iter()
        .map(|i| i.control_number.to_string())
        .collect()
}

/// Tick each of `controls` in the vault table.
fn tick(harness: &mut Harness<'_, App>, controls: &[String]) {
    for control in controls {
        harness.get_by_label(&format!("Select {control}")).click();
        harness.run_steps(2);
    }
}

fn sign_in(harness: &mut Harness<'_, App>, user: &str, password: &str) {
    wait(harness, "the sign-in screen", |app| app.model.phase == Phase::Unlock);
    harness.state_mut().model.unlock.user.clear();
    type_into(harness, "User name", user);
    type_into(harness, "Password", password);
    click(harness, "Unlock");
}

fn objects(root: &Path) -> usize {
    walk(&root.join("objects"))
}

fn walk(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn filter_detail_timeline_and_an_export_refused_by_policy() {
    let fx = Fixture::with_vault(&[
        ("harbour.tif", Level::Confidential),
        ("ridge.las", Level::Secret),
        ("notes.pdf", Level::Internal),
    ]);
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 3));
    type_into(&mut harness, "Filter", "ridge");
    harness.step(); // the order is rebuilt in `logic`
    assert_eq!(harness.state().s().browser.order.len(), 1);
    harness.get_by_label("ridge.las");
    assert!(harness.query_by_label("harbour.tif").is_none());
    // Open it: its custody timeline has the import.
    let control = harness.state().s().items[harness.state().s().browser.order[0] as usize]
        .control_number
        .to_string();
    click(&mut harness, &control);
    wait(&mut harness, "the item", |app| app.signed(|s| s.view == View::Detail));
    harness.get_by_label("item.import");
    // The policy forbids exporting secret: the refusal names the rule.
    {
        let mut station = strongroom::Station::open(&fx.root).unwrap();
        station.unlock("alice", &Password::from(ALICE_PW)).unwrap();
        station.set_policy("export-max-level", "confidential").unwrap();
    }
    let out = fx.dir.path().join("ridge-out.las");
    harness.state_mut().s_mut().item.export_to = out.display().to_string();
    click(&mut harness, "Export");
    // The confirmation names the item (a window shows from its second frame); Enter confirms.
    harness.step();
    harness.get(
        egui_kittest::kittest::by()
            .role(egui::accesskit::Role::Dialog)
            .label("Export in plaintext?"),
    );
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    wait(&mut harness, "the refusal", |app| app.model.message.is_some());
    harness.get_by_label("Refused by the rule 'export-policy'");
    harness.get_by_label_contains("a security officer can explain them or change the policy");
    assert!(!out.exists());
    // In Chinese the refusal and its advice are Chinese.
    harness.state_mut().model.prefs.lang = crate::gui::i18n::Lang::Zh;
    harness.run_steps(2);
    harness.get_by_label("被“导出策略”规则拒绝");
    harness.get_by_label_contains("安全保密员可解释规则或修改策略");
}

#[test]
fn the_language_switch_shows_chinese() {
    let fx = Fixture::with_vault(&[]);
    let mut harness = fx.harness(Scripted::default());
    wait(&mut harness, "the sign-in screen", |app| {
        app.model.phase == Phase::Unlock
    });
    click(&mut harness, "中文");
    harness.get_by_label("登录");
    harness.get_by_label("解锁");
    harness.get_by_label("用户名");
    click(&mut harness, "English");
    harness.get_by_label("Sign in");
}

/// The vault browser with 100 000 items while scrolling lays out only the visible rows, and
/// prints the p50/p95/max CPU time per frame: 20 frames in the normal run (the check);
/// `benches/gui_frame_time.sh` runs 300 in release (`BROWSER_BENCH_FRAMES`) for the figures.
#[test]
fn browser_frame_time_with_100k_items() {
    use strongroom::station::ItemSummary;
    use strongroom::vault::{Category, ItemStatus};
    use strongroom::{ControlNumber, ItemId};

    let categories = [Category::Raster, Category::Vector, Category::Photo, Category::Document];
    let items: Vec<ItemSummary> = (0..100_000u32)
        .map(|i| ItemSummary {
            id: ItemId::from_bytes([(i % 251) as u8; 16]),
            control_number: ControlNumber {
                year: 2026,
                serial: i + 1,
            },
            title: format!("survey sheet {i:06} — harbour approaches"),
            original_name: format!("sheet-{i:06}.tif"),
            notes: None,
            level: Level::ALL[(i % 5) as usize],
            category: categories[(i % 4) as usize],
            size: u64::from(i) * 4099,
            custodian: ["alice", "bob", "carol"][(i % 3) as usize].to_string(),
            status: ItemStatus::Active,
            created_at: "2026-11-23T10:00:00.000Z".into(),
            updated_at: "2026-11-23T10:00:00.000Z".into(),
        })
        .collect();
    let mut model = SignedIn::new(alice_session(), 0);
    model.items = items;
    // What `App::logic` does when the items change; drawing only reads the order.
    model.browser.rebuild(&model.items);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_context_setup(super::theme::install_fonts)
        .build_ui_state(
            |ui, model: &mut SignedIn| {
                let cx = super::screens::Context {
                    session: &model.session,
                    generation: 0,
                    lang: super::i18n::Lang::En,
                    policy: None,
                };
                model.browser.ui(ui, &cx, &model.items, 0);
            },
            model,
        );
    harness.step();
    assert_eq!(harness.state().browser.order.len(), 100_000);
    let mut times = Vec::new();
    let frames: usize = std::env::var("BROWSER_BENCH_FRAMES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    for frame in 0..frames {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(
                0.0,
                -if frame % 50 == 49 || frame == 10 {
                    400_000.0
                } else {
                    600.0
                },
            ),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
        harness.hover_at(egui::pos2(600.0, 400.0));
        let start = Instant::now();
        harness.step();
        times.push(start.elapsed());
    }
    // Only what is visible exists: a few dozen rows, not 100 000.
    let rows = harness.query_all_by_label_contains("survey sheet").count();
    assert!((10..200).contains(&rows), "{rows} rows laid out");
    times.sort();
    let pct = |p: usize| times[times.len() * p / 100].as_secs_f64() * 1000.0;
    println!(
        "browser, 100000 items, {} frames while scrolling: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        times.len(),
        pct(50),
        pct(95),
        times.last().map_or(0.0, |t| t.as_secs_f64() * 1000.0)
    );
}

#[test]
fn the_banner_keeps_the_highest_level_seen_on_every_tab_and_during_an_import() {
    let fx = Fixture::with_vault(&[("harbour.tif", Level::Confidential), ("ridge.las", Level::Secret)]);
    let big = fx.file("mosaic.tif", &vec![3u8; 32 << 20]);
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 2));
    let banner = |harness: &Harness<'_, App>| harness.state().model.system_high();
    assert_eq!(banner(&harness), Level::Secret);
    // The same on a tab that shows nothing classified.
    click(&mut harness, "Alerts");
    assert_eq!(banner(&harness), Level::Secret);
    assert_eq!(harness.get_all_by_label("SECRET").count(), 2, "top and bottom banners");
    // A TOP SECRET import raises it from its start, while it runs.
    click(&mut harness, "Import…");
    harness.state_mut().s_mut().import.paths = vec![big];
    harness.state_mut().s_mut().import.level = Some(Level::TopSecret);
    click(&mut harness, "Import");
    assert_eq!(banner(&harness), Level::TopSecret);
    click(&mut harness, "Vault");
    assert_eq!(banner(&harness), Level::TopSecret);
    // The lock resets it.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    harness.step();
    assert_eq!(banner(&harness), Level::Unclassified);
}

#[test]
fn the_keyboard_finds_opens_and_leaves_an_item_and_adds_a_typed_path() {
    let fx = Fixture::with_vault(&[("harbour.tif", Level::Confidential), ("ridge.las", Level::Secret)]);
    let typed = fx.file("typed.kml", b"<kml/>");
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 2));
    // Ctrl+F from another tab: the browser, its filter focused.
    click(&mut harness, "Alerts");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.run_steps(2);
    assert_eq!(harness.state().s().view, View::Browser);
    assert!(harness.get_by_label("Filter").is_focused());
    harness.get_by_label("Filter").type_text("ridge");
    harness.run_steps(2);
    assert_eq!(harness.state().s().browser.order.len(), 1);
    // Open it; Esc goes back (once the filter no longer has the focus), and so does Alt+Left.
    let control = harness.state().s().items[harness.state().s().browser.order[0] as usize]
        .control_number
        .to_string();
    click(&mut harness, &control);
    wait(&mut harness, "the item", |app| app.signed(|s| s.view == View::Detail));
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert_eq!(harness.state().s().view, View::Browser);
    click(&mut harness, &control);
    wait(&mut harness, "the item", |app| app.signed(|s| s.view == View::Detail));
    harness.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowLeft);
    harness.run_steps(2);
    assert_eq!(harness.state().s().view, View::Browser);
    // A typed path is added with Enter.
    click(&mut harness, "Import…");
    type_into(&mut harness, "Or type a path", typed.to_str().unwrap());
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    assert_eq!(harness.state().s().import.paths, vec![typed]);
    // A dialog closes with Esc.
    harness.state_mut().model.message = Some(super::model::Message {
        failure: super::messages::Failure::plain("a notice"),
    });
    harness.run_steps(2);
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(harness.state().model.message.is_none());
}

#[test]
fn roles_categories_statuses_and_actions_read_in_chinese() {
    let fx = Fixture::with_vault(&[("harbour.tif", Level::Confidential)]);
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.signed(|s| s.items.len() == 1));
    click(&mut harness, "中文");
    // The toolbar's role, the row's category and status.
    harness.get_by_label_contains("安全保密员");
    harness.get_by_label("栅格影像");
    harness.get_by_label("在库");
    // The item's custody timeline names the action in words, the stable name on hover.
    let control = harness.state().s().items[0].control_number.to_string();
    click(&mut harness, &control);
    wait(&mut harness, "the item", |app| app.signed(|s| s.view == View::Detail));
    harness.get_by_label("入库");
    assert!(harness.query_by_label("item.import").is_none());
}
