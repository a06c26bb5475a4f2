//! The vault browser: a virtualized table (only visible rows are laid out, so 100 k items
//! scroll smoothly), sorted by a clicked column and filtered by text, level and category.
//! The row order is a permutation rebuilt only when the items, filter or sort change.

use eframe::egui;
use egui_extras::{Column, TableBuilder};
use strongroom::Level;
use strongroom::station::ItemSummary;
use strongroom::vault::Category;

use crate::gui::i18n::{Lang, Text};
use crate::gui::model::Action;

use super::Context;
use crate::gui::vocabulary;
use crate::gui::widgets::{banner, local_time};

/// Sorting of the vault browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortColumn {
    /// Control number.
    Control,
    /// Title.
    Title,
    /// Level.
    Level,
    /// Size.
    Size,
    /// Import time.
    Created,
}

/// The vault browser: its filter, order and sort (the items are the session's).
pub struct BrowserScreen {
    /// Text filter (control number, title, custodian).
    pub text: String,
    /// Only this level.
    pub level: Option<Level>,
    /// Only this category.
    pub category: Option<String>,
    /// Sort column and direction.
    pub sort: (SortColumn, bool),
    /// Row order after filter and sort: indices into the items.
    pub order: Vec<u32>,
    /// The order must be rebuilt.
    pub dirty: bool,
    /// The filter field takes the focus at the next frame (Ctrl+F).
    pub focus_filter: bool,
    /// Items ticked for a transfer of custody (control numbers).
    pub selected: std::collections::BTreeSet<String>,
    /// Whom to offer the ticked items to.
    pub offer_to: String,
}

impl Default for BrowserScreen {
    fn default() -> Self {
        BrowserScreen {
            text: String::new(),
            level: None,
            category: None,
            sort: (SortColumn::Control, false),
            order: Vec::new(),
            focus_filter: false,
            dirty: true,
            selected: Default::default(),
            offer_to: String::new(),
        }
    }
}

impl BrowserScreen {
    /// Draw the browser over the session's `items` (and the count of rows left out).
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &Context<'_>, items: &[ItemSummary], withheld: u64) -> Vec<Action> {
        let mut actions = Vec::new();
        show(ui, self, items, withheld, cx.lang, &mut actions);
        actions
    }

    /// Recompute which items show and in what order.
    pub fn rebuild(&mut self, items: &[ItemSummary]) {
        rebuild_order(self, items);
    }
}

fn show(
    ui: &mut egui::Ui,
    browser: &mut BrowserScreen,
    items: &[ItemSummary],
    withheld: u64,
    lang: Lang,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        let label = ui.label(Text::Filter.get(lang));
        let filter = ui
            .add(egui::TextEdit::singleline(&mut browser.text).desired_width(220.0))
            .labelled_by(label.id)
            .on_hover_text("Ctrl+F");
        if std::mem::take(&mut browser.focus_filter) {
            filter.request_focus();
        }
        if filter.changed() {
            browser.dirty = true;
        }
        // Enter opens the first item the filter shows.
        if crate::gui::widgets::entered(ui, &filter)
            && let Some(item) = browser.order.first().and_then(|&i| items.get(i as usize))
        {
            actions.push(Action::OpenItem(item.control_number.to_string()));
        }
        let level_text = browser
            .level
            .map_or(Text::AnyLevel.get(lang).to_string(), |l| banner::label(l, lang));
        let level_label = ui.label(Text::Level.get(lang));
        egui::ComboBox::from_id_salt("level-filter")
            .selected_text(level_text)
            .show_ui(ui, |ui| {
                browser.dirty |= ui
                    .selectable_value(&mut browser.level, None, Text::AnyLevel.get(lang))
                    .changed();
                for level in Level::ALL {
                    browser.dirty |= ui
                        .selectable_value(&mut browser.level, Some(level), banner::label(level, lang))
                        .changed();
                }
            })
            .response
            .labelled_by(level_label.id);
        let category_label = ui.label(Text::Category.get(lang));
        egui::ComboBox::from_id_salt("category-filter")
            .selected_text(
                Category::ALL
                    .iter()
                    .find(|c| browser.category.as_deref() == Some(c.as_str()))
                    .map_or(Text::AnyCategory.get(lang), |c| vocabulary::category(*c, lang)),
            )
            .show_ui(ui, |ui| {
                browser.dirty |= ui
                    .selectable_value(&mut browser.category, None, Text::AnyCategory.get(lang))
                    .changed();
                for category in Category::ALL {
                    browser.dirty |= ui
                        .selectable_value(
                            &mut browser.category,
                            Some(category.as_str().to_string()),
                            vocabulary::category(*category, lang),
                        )
                        .changed();
                }
            })
            .response
            .labelled_by(category_label.id);
    });
    ui.label(format!("{} {}", browser.order.len(), Text::ItemsShown.get(lang)));
    if withheld > 0 {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("{} {}", withheld, Text::ItemsWithheld.get(lang)),
        );
    }
    if items.is_empty() {
        // Nothing to show yet: say how to begin.
        ui.label(Text::NoItems.get(lang));
        ui.horizontal_wrapped(|ui| {
            ui.label(Text::EmptyVault.get(lang));
            if ui.button(Text::ImportFirst.get(lang)).clicked() {
                actions.push(Action::Show(crate::gui::model::View::Import));
            }
        });
        return;
    }
    if browser.order.is_empty() && !browser.dirty {
        ui.label(Text::NoItemMatches.get(lang));
        return;
    }
    browser
        .selected
        .retain(|c| items.iter().any(|i| i.control_number.to_string() == *c));
    // Always there (disabled with nothing ticked), so ticking the first item does not move
    // the table under the pointer.
    selection_bar(ui, browser, lang, actions);
    table(ui, browser, items, lang, actions);
}

/// What to do with the ticked items: offer them all to one user, destroy them under one
/// certificate, or clear the ticks.
fn selection_bar(ui: &mut egui::Ui, browser: &mut BrowserScreen, lang: Lang, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        ui.strong(format!("{} {}", browser.selected.len(), Text::Selected.get(lang)));
        let label = ui.label(Text::OfferTo.get(lang));
        ui.add(egui::TextEdit::singleline(&mut browser.offer_to).desired_width(140.0))
            .labelled_by(label.id);
        let ready = !browser.offer_to.trim().is_empty() && !browser.selected.is_empty();
        if ui
            .add_enabled(ready, egui::Button::new(Text::OfferCustody.get(lang)))
            .on_disabled_hover_text(Text::NeedRecipient.get(lang))
            .clicked()
        {
            actions.push(Action::Custody(crate::gui::model::CustodyStep::Offer {
                items: browser.selected.iter().cloned().collect(),
                to: browser.offer_to.trim().to_string(),
                note: String::new(),
            }));
            browser.selected.clear();
            browser.offer_to.clear();
        }
        if ui
            .add_enabled(
                !browser.selected.is_empty(),
                egui::Button::new(Text::DestroySelected.get(lang)),
            )
            .clicked()
        {
            actions.push(Action::OpenDestroy {
                items: browser.selected.iter().cloned().collect(),
                reason: String::new(),
            });
        }
        if ui
            .add_enabled(
                !browser.selected.is_empty(),
                egui::Button::new(Text::ClearSelection.get(lang)),
            )
            .clicked()
        {
            browser.selected.clear();
        }
    });
}

/// Recompute which items show and in what order.
fn rebuild_order(browser: &mut BrowserScreen, items: &[ItemSummary]) {
    let needle = browser.text.trim().to_lowercase();
    let mut order: Vec<u32> = (0..items.len() as u32)
        .filter(|&i| {
            let item = &items[i as usize];
            browser.level.is_none_or(|l| item.level == l)
                && browser.category.as_deref().is_none_or(|c| item.category.as_str() == c)
                && (needle.is_empty()
                    || item.title.to_lowercase().contains(&needle)
                    || item.original_name.to_lowercase().contains(&needle)
                    || item.control_number.to_string().to_lowercase().contains(&needle)
                    || item
                        .notes
                        .as_deref()
                        .is_some_and(|n| n.to_lowercase().contains(&needle))
                    || item.custodian.to_lowercase().contains(&needle))
        })
        .collect();
    let (column, descending) = browser.sort;
    if column == SortColumn::Title {
        // Lower-case each title once, not at every comparison.
        order.sort_by_cached_key(|&i| items[i as usize].title.to_lowercase());
        if descending {
            order.reverse();
        }
        browser.order = order;
        browser.dirty = false;
        return;
    }
    order.sort_by(|&a, &b| {
        let (a, b) = (&items[a as usize], &items[b as usize]);
        let ordering = match column {
            SortColumn::Control => {
                (a.control_number.year, a.control_number.serial).cmp(&(b.control_number.year, b.control_number.serial))
            }
            SortColumn::Title => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
            SortColumn::Level => a.level.cmp(&b.level),
            SortColumn::Size => a.size.cmp(&b.size),
            SortColumn::Created => a.created_at.cmp(&b.created_at),
        };
        if descending { ordering.reverse() } else { ordering }
    });
    browser.order = order;
    browser.dirty = false;
}

fn table(ui: &mut egui::Ui, browser: &mut BrowserScreen, items: &[ItemSummary], lang: Lang, actions: &mut Vec<Action>) {
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    let mut sort_clicked = None;
    // A click anywhere on a row opens its item: labels do not take the click to select text.
    ui.style_mut().interaction.selectable_labels = false;
    // Columns that do not fit the window scroll sideways instead of being cut off.
    egui::ScrollArea::horizontal()
        .id_salt("browser-columns")
        .auto_shrink([false, false])
        .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
        .show(ui, |ui| {
            TableBuilder::new(ui)
                .striped(true)
                .resizable(true)
                .sense(egui::Sense::click())
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                .column(Column::exact(24.0))
                .column(Column::initial(130.0).clip(true))
                .column(Column::initial(260.0).clip(true))
                .column(Column::initial(100.0))
                .column(Column::initial(90.0))
                .column(Column::initial(80.0))
                .column(Column::initial(100.0).clip(true))
                .column(Column::initial(70.0))
                .column(Column::remainder())
                .header(row_height, |mut header| {
                    header.col(|_| {});
                    let sortable = [
                        (Text::ControlNumber, Some(SortColumn::Control)),
                        (Text::Title, Some(SortColumn::Title)),
                        (Text::Level, Some(SortColumn::Level)),
                        (Text::Category, None),
                        (Text::Size, Some(SortColumn::Size)),
                        (Text::Custodian, None),
                        (Text::Status, None),
                        (Text::Created, Some(SortColumn::Created)),
                    ];
                    for (text, column) in sortable {
                        header.col(|ui| {
                            let mut label = text.get(lang).to_string();
                            if let Some(column) = column {
                                if browser.sort.0 == column {
                                    label.push_str(if browser.sort.1 { " ▼" } else { " ▲" });
                                }
                                if ui.button(label).clicked() {
                                    sort_clicked = Some(column);
                                }
                            } else {
                                ui.strong(label);
                            }
                        });
                    }
                })
                .body(|body| {
                    let order = &browser.order;
                    body.rows(row_height, order.len(), |mut row| {
                        // The order is rebuilt in `App::logic` whenever the items change.
                        let Some(item) = order.get(row.index()).and_then(|&i| items.get(i as usize)) else {
                            return;
                        };
                        let control = item.control_number.to_string();
                        row.col(|ui| {
                            let mut ticked = browser.selected.contains(&control);
                            // Its id from the item, not its place: ticks stay on their items
                            // when the selection bar appears above the table.
                            let tick = ui
                                .push_id(&control, |ui| ui.add(egui::Checkbox::without_text(&mut ticked)))
                                .inner;
                            let name = format!("{} {control}", Text::SelectItem.get(lang));
                            tick.widget_info(|| {
                                egui::WidgetInfo::selected(egui::Role::CheckBox, true, ticked, name.clone())
                            });
                            if tick.changed() {
                                if ticked {
                                    browser.selected.insert(control.clone());
                                } else {
                                    browser.selected.remove(&control);
                                }
                            }
                        });
                        row.col(|ui| {
                            if ui.link(&control).clicked() {
                                actions.push(Action::OpenItem(control.clone()));
                            }
                        });
                        row.col(|ui| {
                            ui.label(&item.title);
                        });
                        row.col(|ui| {
                            // A small banner in the scheme's colours: readable in dark and light themes,
                            // where text in the banner colour (dark blue, purple) is not.
                            ui.label(
                                egui::RichText::new(banner::label(item.level, lang))
                                    .color(crate::gui::theme::level_text_colour(item.level))
                                    .background_color(crate::gui::theme::level_colour(item.level)),
                            );
                        });
                        row.col(|ui| {
                            ui.label(vocabulary::category(item.category, lang));
                        });
                        row.col(|ui| {
                            ui.label(human_size(item.size));
                        });
                        row.col(|ui| {
                            ui.label(&item.custodian);
                        });
                        row.col(|ui| {
                            ui.label(vocabulary::item_status(item.status, lang));
                        });
                        row.col(|ui| {
                            local_time::label(ui, &item.created_at);
                        });
                        if row.response().clicked() {
                            actions.push(Action::OpenItem(item.control_number.to_string()));
                        }
                    });
                });
        });
    if let Some(column) = sort_clicked {
        browser.sort = if browser.sort.0 == column {
            (column, !browser.sort.1)
        } else {
            (column, false)
        };
        browser.dirty = true;
    }
}

/// Bytes for people: 1.5 MiB.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
