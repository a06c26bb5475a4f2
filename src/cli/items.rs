//! `import`, `list`, `show` and `export`.

use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use strongroom::Level;
use strongroom::progress::Progress;
use strongroom::station::{Confirmed, ImportOptions, ImportReport, ItemSummary};

use super::args::{Cli, ExportArgs, ImportArgs, ShowArgs};
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

/// `strongroom list`.
pub fn list(cli: &Cli) -> Result<()> {
    let station = unlocked_station(cli)?;
    let list = station.item_list()?;
    if list.withheld > 0 {
        eprintln!(
            "warning: {} item row(s) not shown: they disagree with the custody ledger (changed outside Strongroom); an officer can run `strongroom ledger verify`",
            list.withheld
        );
    }
    if cli.json {
        return output::json(&list.items);
    }
    output::item_table(&list.items)
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
