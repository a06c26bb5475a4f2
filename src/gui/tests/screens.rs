//! Every screen at both window sizes and in both languages, checked on what is painted (the
//! shapes egui hands to the renderer, each with its clip rectangle: the accessibility tree
//! carries no clipping, so it cannot say what a person sees):
//! - nothing is drawn over anything else: no two visible text rows overlap, and no line runs
//!   through visible text, unless an opaque fill painted between them covers the place;
//! - in Chinese, no English word is left but the data's own (file and user names, control
//!   numbers, units) on a short allow-list.

use eframe::egui::{Pos2, Rect, Shape};

use super::*;
use crate::gui::i18n::Lang;

/// The window sizes every screen must work at.
const SIZES: [(f32, f32); 2] = [(1200.0, 760.0), (800.0, 600.0)];

/// Something painted that a person reads or that could cross it, in paint order.
enum Painted {
    /// One row of text, where it is visible (its row clipped to its clip rectangle).
    Text { row: String, visible: Rect },
    /// A straight line, where it is visible.
    Line { visible: Rect },
    /// An opaque fill: what was painted before it, under it, is hidden.
    Fill { visible: Rect },
}

/// Everything painted in the harness's last frame, flattened in paint order.
fn painted<S>(harness: &Harness<'_, S>) -> Vec<Painted> {
    fn flatten(shape: &Shape, clip: Rect, out: &mut Vec<Painted>) {
        match shape {
            Shape::Vec(shapes) => shapes.iter().for_each(|s| flatten(s, clip, out)),
            Shape::Text(text) => {
                for row in &text.galley.rows {
                    let rect = row.rect_without_leading_space().translate(text.pos.to_vec2());
                    let visible = rect.intersect(clip);
                    if visible.is_positive() && !row.row.text().trim().is_empty() {
                        out.push(Painted::Text {
                            row: row.row.text(),
                            visible,
                        });
                    }
                }
            }
            Shape::LineSegment { points, stroke } if stroke.width > 0.0 && stroke.color.a() > 0 => {
                let visible = Rect::from_two_pos(points[0], points[1]).intersect(clip);
                if visible.min.x <= visible.max.x && visible.min.y <= visible.max.y {
                    out.push(Painted::Line { visible });
                }
            }
            // Only a panel, window, popup or notice hides what is beneath it: a button's or a
            // one-line field's background (at most 22 points high) drawn over a label is
            // itself an overlap to report.
            Shape::Rect(rect) if rect.fill.a() == 255 && rect.rect.width() >= 200.0 && rect.rect.height() >= 24.0 => {
                let visible = rect.rect.intersect(clip);
                if visible.is_positive() {
                    out.push(Painted::Fill { visible });
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for clipped in &harness.output().shapes {
        flatten(&clipped.shape, clipped.clip_rect, &mut out);
    }
    out
}

/// Whether the place `r` is covered by an opaque fill painted between `first` and `second`.
fn covered_between(painted: &[Painted], first: usize, second: usize, r: Rect) -> bool {
    painted[first + 1..second]
        .iter()
        .any(|p| matches!(p, Painted::Fill { visible } if visible.contains_rect(r)))
}

/// The overlaps a person would see on this frame, described.
fn overlaps<S>(harness: &Harness<'_, S>) -> Vec<String> {
    let painted = painted(harness);
    let mut found = Vec::new();
    for (i, a) in painted.iter().enumerate() {
        let Painted::Text { row, visible } = a else {
            continue;
        };
        // Touching is fine: only a real overlap of the glyph boxes counts.
        let inner = visible.shrink(1.5);
        for (j, b) in painted.iter().enumerate() {
            let (other, what) = match b {
                Painted::Text { row: other, visible } if j > i => (*visible, format!("text {other:?}")),
                Painted::Line { visible } if crosses(*visible, inner) => (*visible, "a line".to_string()),
                _ => continue,
            };
            let place = inner.intersect(other);
            if !(place.min.x <= place.max.x && place.min.y <= place.max.y) {
                continue;
            }
            if place.width() * place.height() < 1.0 && matches!(b, Painted::Text { .. }) {
                continue;
            }
            let (first, second) = (i.min(j), i.max(j));
            if !covered_between(&painted, first, second, place.expand(0.5)) {
                found.push(format!("text {row:?} at {visible:?} and {what} at {other:?}"));
            }
        }
    }
    found
}

/// Whether a line's box passes through the inside of `text` (not along its edge).
fn crosses(line: Rect, text: Rect) -> bool {
    let vertical = line.width() < 0.5;
    let horizontal = line.height() < 0.5;
    let inside = |v: f32, lo: f32, hi: f32| v > lo && v < hi;
    if vertical {
        inside(line.min.x, text.min.x, text.max.x) && line.min.y < text.max.y && line.max.y > text.min.y
    } else if horizontal {
        inside(line.min.y, text.min.y, text.max.y) && line.min.x < text.max.x && line.max.x > text.min.x
    } else {
        false
    }
}

/// The English words painted on this frame that are not on `allowed` (the data's own words
/// and units): in the Chinese app there must be none.
fn english_words<S>(harness: &Harness<'_, S>, allowed: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for p in painted(harness) {
        let Painted::Text { row, .. } = p else {
            continue;
        };
        // Chunks of ASCII between spaces and Chinese text ("起始时间（UTC）" holds "UTC").
        for chunk in row
            .split(|c: char| c.is_whitespace() || !c.is_ascii())
            .filter(|c| !c.is_empty())
        {
            // The chunk without the punctuation around it ("(alice)", "alice,").
            let data = chunk.trim_matches(|c: char| !c.is_alphanumeric());
            // A digest or key fingerprint, a path, a control number, or data on the list
            // (whole, as written).
            let hex = data.len() >= 16 && data.chars().all(|c| c.is_ascii_hexdigit());
            let path = chunk.starts_with('/');
            if hex || path || is_control_number(data) || allowed.contains(&data) {
                continue;
            }
            for word in chunk.split(|c: char| !c.is_ascii_alphabetic()) {
                if word.len() >= 2 {
                    found.push(format!("{word:?} in {row:?}"));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Whether `text` is a control number (`SR-2026-000042`).
fn is_control_number(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    matches!(parts.as_slice(), ["SR", year, serial]
        if year.len() == 4 && !serial.is_empty() && format!("{year}{serial}").chars().all(|c| c.is_ascii_digit()))
}

/// What stays as it is in Chinese, each matched whole and as written: the fixture's data
/// (file and user names, the reason typed for a request, the recovery code shown), units,
/// the time zone, and the language switch's own name for English.
const ALLOWED: &[&str] = &[
    "harbour.tif",
    "ridge.las",
    "notes.pdf",
    "tiles.kml",
    "alice",
    "bob",
    "superseded",
    "survey",
    RECOVERY_CODE,
    "B",
    "KiB",
    "MiB",
    "GiB",
    "UTC",
    "SHA-256",
    "English",
];

/// The recovery code the tour shows.
const RECOVERY_CODE: &str = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ";

/// One screen of the tour: a name for failures, how to get there, and a text it must paint
/// (so a stop whose dialog did not open fails instead of checking the page beneath).
struct Stop {
    name: &'static str,
    go: fn(&mut Harness<'_, App>, &Tour),
    shows: Option<crate::gui::i18n::Text>,
}

/// What the tour's vault holds, for the steps that need it.
struct Tour {
    fx: Fixture,
    file: PathBuf,
}

/// A vault with items at three levels, an operator locked out (an open alert), a pending
/// destruction request and a finished import in the jobs panel.
fn tour_vault() -> Tour {
    let fx = vault_with_bob_locked_out();
    let mut station =
        strongroom::Station::open_with(&fx.root, strongroom::station::OpenOptions::with_clock(fx.clock.clone()))
            .unwrap();
    station.unlock("alice", &Password::from(ALICE_PW)).unwrap();
    // Destroying SECRET needs a second person: the request waits for another officer.
    let ridge = station
        .list_items()
        .unwrap()
        .into_iter()
        .find(|i| i.title == "ridge.las")
        .unwrap();
    let asked = station.destroy_item(&ridge.control_number.to_string(), "superseded survey");
    assert!(asked.is_err(), "a request, not a destruction");
    let file = fx.file("tiles.kml", b"<kml/>");
    Tour { fx, file }
}

/// The tour of the signed-in screens, in order (each starts where the last one left off).
const SIGNED_IN: &[Stop] = &[
    Stop {
        shows: None,
        name: "vault",
        go: |h, _| h.state_mut().act(crate::gui::model::Action::Show(View::Browser)),
    },
    Stop {
        shows: None,
        name: "import with a finished job",
        go: |h, tour| {
            h.state_mut().act(crate::gui::model::Action::Show(View::Import));
            h.state_mut().s_mut().import.paths = vec![tour.file.clone()];
            h.state_mut().s_mut().import.level = Some(Level::Internal);
            h.state_mut().act(crate::gui::model::Action::StartImport);
            wait(h, "the import", |app| app.signed(|s| s.items.len() == 3));
            h.state_mut().s_mut().import.paths = vec![tour.file.clone()];
        },
    },
    Stop {
        shows: None,
        name: "item page",
        go: |h, _| {
            let control = h
                .state()
                .s()
                .items
                .iter()
                .find(|i| i.title == "ridge.las")
                .unwrap()
                .control_number
                .to_string();
            h.state_mut().act(crate::gui::model::Action::OpenItem(control));
            wait(h, "the item", |app| {
                app.signed(|s| s.view == View::Detail && s.item.detail.as_ref().is_some_and(|d| !d.events.is_empty()))
            });
        },
    },
    Stop {
        shows: Some(crate::gui::i18n::Text::ConfirmExportTitle),
        name: "the export confirmation",
        go: |h, tour| {
            h.state_mut().s_mut().item.export_to = tour.fx.dir.path().join("out.las").display().to_string();
            h.state_mut().act(crate::gui::model::Action::Export);
            h.run_steps(3);
        },
    },
    Stop {
        shows: None,
        name: "alerts",
        go: |h, _| {
            h.state_mut().act(crate::gui::model::Action::Show(View::Alerts));
            wait(h, "the alert", |app| app.signed(|s| !s.alerts.open.is_empty()));
        },
    },
    Stop {
        shows: None,
        name: "ledger",
        go: |h, _| {
            h.state_mut().act(crate::gui::model::Action::Show(View::Ledger));
            wait(h, "the ledger's first page", |app| {
                app.signed(|s| !s.ledger.events.is_empty())
            });
        },
    },
    Stop {
        shows: None,
        name: "users, requests and policy",
        go: |h, _| {
            h.state_mut().act(crate::gui::model::Action::Show(View::Admin));
            wait(h, "users and requests", |app| {
                app.signed(|s| s.admin.users.len() == 2 && !s.admin.requests.is_empty() && s.policy.is_some())
            });
        },
    },
    Stop {
        shows: Some(crate::gui::i18n::Text::Refused),
        name: "an error dialog",
        go: |h, _| {
            h.state_mut().model.message = Some(super::super::model::Message {
                failure: super::super::messages::Failure::from(strongroom::Error::Denied {
                    rule: "export-policy",
                    message: "the policy allows exports up to confidential".into(),
                }),
            });
        },
    },
];

/// Settle the frame with the pointer away (no hover tooltips) and return what is painted.
fn settle(harness: &mut Harness<'_, App>) {
    harness.event(egui::Event::PointerGone);
    harness.run_steps(3);
}

/// Visit every screen at `size` in `lang` and collect each check's complaints.
fn visit_all(size: (f32, f32), lang: Lang, check: &dyn Fn(&Harness<'_, App>) -> Vec<String>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut record = |harness: &Harness<'_, App>, name: &str| {
        let texts = painted(harness)
            .iter()
            .filter(|p| matches!(p, Painted::Text { .. }))
            .count();
        assert!(texts > 5, "{name}: only {texts} rows of text painted");
        for problem in check(harness) {
            problems.push(format!("{}×{} {lang:?} {name}: {problem}", size.0, size.1));
        }
    };
    // Before a vault exists: the setup form and the recovery code.
    let empty = Fixture::new();
    let mut harness = empty.harness_sized(Scripted::default(), egui::vec2(size.0, size.1));
    harness.state_mut().model.prefs.lang = lang;
    wait(&mut harness, "the setup form", |app| app.model.phase == Phase::Setup);
    settle(&mut harness);
    record(&harness, "setup");
    harness.state_mut().model.setup.recovery_code = Some(Password::from(RECOVERY_CODE));
    harness.state_mut().model.phase = Phase::Recovery;
    settle(&mut harness);
    record(&harness, "recovery code");
    drop(harness);

    let tour = tour_vault();
    let mut harness = tour.fx.harness_sized(Scripted::default(), egui::vec2(size.0, size.1));
    harness.state_mut().model.prefs.lang = lang;
    wait(&mut harness, "the sign-in screen", |app| {
        app.model.phase == Phase::Unlock
    });
    settle(&mut harness);
    record(&harness, "sign-in");
    // Locked while idle, with the recovery form open.
    harness.state_mut().model.locked_idle = true;
    harness
        .get_by_label(crate::gui::i18n::Text::RecoverHeading.get(lang))
        .click();
    settle(&mut harness);
    record(&harness, "sign-in after an idle lock, recovery open");
    harness.state_mut().model.unlock.user = "alice".into();
    *harness.state_mut().model.unlock.password = ALICE_PW.into();
    harness.state_mut().act(crate::gui::model::Action::Unlock);
    wait(&mut harness, "the vault", |app| {
        app.signed(|s| s.items.len() == 3 && !s.alerts.open.is_empty())
    });
    for stop in SIGNED_IN {
        (stop.go)(&mut harness, &tour);
        settle(&mut harness);
        if let Some(text) = stop.shows {
            let shown = painted(&harness)
                .iter()
                .any(|p| matches!(p, Painted::Text { row, .. } if row.contains(text.get(lang))));
            assert!(shown, "{}: {:?} is not on the screen", stop.name, text.get(lang));
        }
        record(&harness, stop.name);
        harness.state_mut().model.message = None;
        harness.state_mut().s_mut().item.pending_export = None;
    }
    problems
}

#[test]
fn nothing_is_drawn_over_anything_else_on_any_screen_at_either_size() {
    let mut problems = Vec::new();
    for size in SIZES {
        for lang in [Lang::En, Lang::Zh] {
            problems.extend(visit_all(size, lang, &|h| overlaps(h)));
        }
    }
    assert!(
        problems.is_empty(),
        "{} overlaps:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_screen_in_chinese_has_no_english_but_the_data() {
    // A window tall enough that every page shows all of itself: the words below the fold
    // are checked too.
    let problems = visit_all((1200.0, 4000.0), Lang::Zh, &|h| english_words(h, ALLOWED));
    assert!(
        problems.is_empty(),
        "{} English words:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_checks_see_an_overlap_and_an_english_word() {
    // The checks themselves: a frame with two labels painted on the same spot fails both.
    let mut harness = Harness::new_ui(|ui| {
        let at = Pos2::new(10.0, 10.0);
        ui.painter().text(
            at,
            egui::Align2::LEFT_TOP,
            "42 locked",
            egui::FontId::default(),
            egui::Color32::WHITE,
        );
        ui.painter().text(
            at,
            egui::Align2::LEFT_TOP,
            "harbour",
            egui::FontId::default(),
            egui::Color32::WHITE,
        );
    });
    harness.run();
    assert_eq!(overlaps(&harness).len(), 1, "the two labels overlap");
    assert_eq!(
        english_words(&harness, &["harbour"]),
        vec!["\"locked\" in \"42 locked\"".to_string()]
    );
    // A line through a label (a table's column line over a panel), and one beside it.
    let mut lined = Harness::new_ui(|ui| {
        let painter = ui.painter();
        painter.text(
            Pos2::new(10.0, 10.0),
            egui::Align2::LEFT_TOP,
            "survey",
            egui::FontId::default(),
            egui::Color32::WHITE,
        );
        let stroke = egui::Stroke::new(1.0, egui::Color32::GRAY);
        painter.vline(20.0, 0.0..=40.0, stroke);
        painter.vline(200.0, 0.0..=40.0, stroke);
    });
    lined.run();
    assert_eq!(overlaps(&lined).len(), 1, "the line through the word");
}
