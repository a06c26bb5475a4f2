//! `import`, `list`, `show` and `export`.

use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use std::io::Write;

use strongroom::progress::Progress;
use strongroom::station::{Confirmed, ImportOptions, ImportReport, ItemSummary};
use strongroom::{ControlNumber, Level};

use super::args::{Cli, ExportArgs, ImportArgs, ListArgs, ShowArgs};
use super::exit::{self, UsageError};
use super::progress_line::ProgressLine;
use super::{metadata_text, output, secrets, unlocked_station};

/// `strongroom import PATH... --level L`.
pub fn import(cli: &Cli, args: &ImportArgs) -> Result<()> {
    let level: Level = args
        .level
        .parse()
        .map_err(|e: strongroom::level::UnknownLevel| anyhow!(UsageError(e.to_string())))?;
    // Asked for (or read) before the password, so a prompt comes first at the terminal.
    let title = metadata_text::title(args.title.as_deref(), args.title_file.as_deref())?;
    let notes = metadata_text::notes(args.notes.as_deref(), args.notes_file.as_deref())?;
    let mut station = unlocked_station(cli)?;
    let plan = station.plan_import(&args.paths, args.follow_symlinks)?;
    let progress = Arc::new(Progress::new());
    let line = ProgressLine::start(progress.clone(), "importing");
    let options = ImportOptions {
        title,
        notes,
        chunk_size: args.chunk_kib.saturating_mul(1024),
        group_files: args.group_files as usize,
        ..ImportOptions::at(level)
    };
    let report = station.import(plan, &options, &progress);
    drop(line);
    let report = report?;
    if cli.json {
        output::json(&ImportJson::of(&report))?;
    } else if !report.imported.is_empty() {
        output::item_table(&report.imported)?;
    }
    if report.is_complete() {
        return Ok(());
    }
    for failure in &report.failed {
        eprintln!("not imported: {}", output::printable(&failure.error.to_string()));
        if let Some(hint) = exit::hint_for(&failure.error) {
            eprintln!("  hint: {}", output::printable(&hint));
        }
    }
    if report.cancelled {
        return Err(anyhow!(
            "cancelled; the {} file(s) imported before the cancel stay in the vault",
            report.imported.len()
        ));
    }
    Err(anyhow!(
        "{} of {} path(s) were not imported (listed above); the {} imported stay in the vault",
        report.failed.len(),
        report.failed.len() + report.imported.len(),
        report.imported.len()
    ))
}

/// `import --json`: the items made, and each path not imported with its reason.
#[derive(serde::Serialize)]
struct ImportJson<'a> {
    imported: &'a [ItemSummary],
    failed: Vec<FailedJson>,
}

/// One path not imported.
#[derive(serde::Serialize)]
struct FailedJson {
    path: String,
    error: String,
    hint: Option<String>,
}

impl ImportJson<'_> {
    fn of(report: &ImportReport) -> ImportJson<'_> {
        ImportJson {
            imported: &report.imported,
            failed: report
                .failed
                .iter()
                .map(|f| FailedJson {
                    path: f.path.to_string_lossy().into_owned(),
                    error: f.error.to_string(),
                    hint: exit::hint_for(&f.error),
                })
                .collect(),
        }
    }
}

/// Items per page when `list` streams the whole vault.
const LIST_PAGE: usize = 500;

/// `strongroom list [--limit N] [--after CONTROL]`: the vault page by page, printed as each
/// page is read, so a large vault starts listing at once.
pub fn list(cli: &Cli, args: &ListArgs) -> Result<()> {
    let station = unlocked_station(cli)?;
    let after = match args.after.as_deref() {
        Some(text) => Some(
            ControlNumber::parse(text)
                .ok_or_else(|| anyhow!(UsageError(format!("--after needs a control number, not '{text}'"))))?,
        ),
        None => None,
    };
    let mut printer = ListPrinter::new(cli.json);
    let withheld = match args.limit {
        Some(limit) => {
            let page = station.item_page(after.as_ref(), limit)?;
            if cli.json {
                return output::json(&PageJson {
                    items: &page.list.items,
                    withheld: page.list.withheld,
                    next: page.next.map(|c| c.to_string()),
                });
            }
            printer.page(&page.list.items)?;
            if let Some(next) = &page.next {
                eprintln!("more: strongroom list --after {next}");
            }
            page.list.withheld
        }
        None => {
            let mut withheld = 0;
            let mut after = after;
            loop {
                let page = station.item_page(after.as_ref(), LIST_PAGE)?;
                printer.page(&page.list.items)?;
                withheld += page.list.withheld;
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            withheld
        }
    };
    printer.finish()?;
    if withheld > 0 {
        eprintln!(
            "warning: {withheld} item row(s) not shown: they disagree with the custody ledger (changed outside Strongroom); an officer can run `strongroom ledger verify`"
        );
    }
    Ok(())
}

/// `list --limit N --json`: one page and where the next one starts.
#[derive(serde::Serialize)]
struct PageJson<'a> {
    items: &'a [ItemSummary],
    withheld: u64,
    next: Option<String>,
}

/// Prints `list` as its pages come: a table with one header, or one JSON array (the same
/// text `serde_json` prints for the whole list at once).
struct ListPrinter {
    json: bool,
    printed: usize,
}

impl ListPrinter {
    fn new(json: bool) -> ListPrinter {
        ListPrinter { json, printed: 0 }
    }

    fn page(&mut self, items: &[ItemSummary]) -> Result<()> {
        let mut out = std::io::stdout().lock();
        for item in items {
            if self.json {
                let text = serde_json::to_string_pretty(item)?;
                let indented: Vec<String> = text.lines().map(|line| format!("  {line}")).collect();
                let lead = if self.printed == 0 { "[\n" } else { ",\n" };
                write!(out, "{lead}{}", indented.join("\n"))?;
            } else {
                if self.printed == 0 {
                    output::item_table_header(&mut out)?;
                }
                output::item_table_row(&mut out, item)?;
            }
            self.printed += 1;
        }
        out.flush()?;
        Ok(())
    }

    fn finish(self) -> Result<()> {
        let mut out = std::io::stdout().lock();
        match (self.json, self.printed) {
            (true, 0) => writeln!(out, "[]")?,
            (true, _) => writeln!(out, "\n]")?,
            (false, 0) => writeln!(out, "no items")?,
            (false, _) => {}
        }
        Ok(())
    }
}

/// `strongroom show ID`.
pub fn show(cli: &Cli, args: &ShowArgs) -> Result<()> {
    let station = unlocked_station(cli)?;
    let item = station.item(&args.item)?;
    if cli.json {
        return output::json(&item);
    }
    output::item_detail(&item)
}

/// `strongroom export ID --to PATH [--reason R] [--force] [--yes]`.
pub fn export(cli: &Cli, args: &ExportArgs) -> Result<()> {
    let mut station = unlocked_station(cli)?;
    // Say what leaves the vault, and where, before it does.
    let asked = station.confirmation(&args.item, Confirmed::Export { to: args.to.clone() })?;
    secrets::confirm_that(args.yes, &output::printable(&asked.to_string()), &asked.control_number)?;
    let progress = Arc::new(Progress::new());
    let line = ProgressLine::start(progress.clone(), "exporting");
    let reason = args.reason.as_deref().unwrap_or_default();
    let report = station.export(&args.item, &args.to, args.force, reason, &progress);
    drop(line);
    let report = report.with_context(|| {
        format!(
            "export of {} failed; no output file was left",
            output::printable(&args.item)
        )
    })?;
    if cli.json {
        return output::json(&report);
    }
    println!(
        "Exported {} to {} ({}).",
        report.control_number,
        output::printable(&report.path.display().to_string()),
        output::bytes(report.size)
    );
    Ok(())
}
