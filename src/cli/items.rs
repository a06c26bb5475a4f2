//! `import`, `list`, `show` and `export`.

use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use strongroom::progress::Progress;
use strongroom::station::{Confirmed, ExportChoices, ImportOptions, ItemSummary};
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
    let interrupt = super::interrupt::CancelOnInterrupt::start(progress.clone());
    let options = ImportOptions {
        title,
        notes,
        chunk_size: args.chunk_kib.saturating_mul(1024),
        group_files: args.group_files as usize,
        retain_until: args.retain_until.clone(),
        ..ImportOptions::at(level)
    };
    // Items are printed as their group commits, and forgotten.
    let mut printed = if cli.json {
        print!("{{\n  \"imported\": [");
        output::ItemStream::json(4)
    } else {
        output::ItemStream::table()
    };
    let mut print_error = None;
    let outcome = station.import_each(plan, &options, &progress, &mut |item| {
        if print_error.is_none()
            && let Err(error) = printed.push(&item)
        {
            // Nowhere to say what is imported: stop after this group.
            progress.cancel();
            print_error = Some(error);
        }
    });
    drop(interrupt);
    drop(line);
    if let Some(error) = print_error {
        if let Ok(outcome) = &outcome {
            eprintln!("{} file(s) were imported before the output failed", outcome.imported);
        }
        return Err(error);
    }
    let failed = match &outcome {
        Ok(outcome) => outcome.failed.as_slice(),
        Err(_) => &[],
    };
    if cli.json {
        // Valid JSON whatever happened: the items committed, the paths left out, and what
        // ended the import early.
        printed.close_json(2)?;
        let failed = serde_json::to_string_pretty(&failed_json(failed))?.replace('\n', "\n  ");
        let ended = match &outcome {
            Ok(o) if o.cancelled => ",\n  \"cancelled\": true".to_string(),
            Ok(o) => match &o.stopped {
                Some(error) => format!(",\n  \"stopped\": {}", serde_json::to_string(&error.to_string())?),
                None => String::new(),
            },
            Err(error) => format!(",\n  \"error\": {}", serde_json::to_string(&error.to_string())?),
        };
        println!("],\n  \"failed\": {failed}{ended}\n}}");
    }
    let outcome = outcome?;
    if outcome.is_complete() {
        return Ok(());
    }
    for failure in &outcome.failed {
        eprintln!("not imported: {}", output::printable(&failure.error.to_string()));
        if let Some(hint) = exit::hint_for(&failure.error) {
            eprintln!("  hint: {}", output::printable(&hint));
        }
    }
    if outcome.cancelled {
        return Err(anyhow!(
            "cancelled; the {} file(s) imported before the cancel stay in the vault",
            outcome.imported
        ));
    }
    if let Some(error) = outcome.stopped {
        let kept = format!(
            "the import stopped; the {} file(s) imported before it stay in the vault",
            outcome.imported
        );
        return Err(anyhow::Error::new(error).context(kept));
    }
    Err(anyhow!(
        "{} of {} path(s) were not imported (listed above); the {} imported stay in the vault",
        outcome.failed.len(),
        outcome.failed.len() + outcome.imported,
        outcome.imported
    ))
}

/// `import --json`'s `failed`: each path not imported with its reason and a hint.
fn failed_json(failed: &[strongroom::station::FileFailure]) -> Vec<FailedJson> {
    failed
        .iter()
        .map(|f| FailedJson {
            path: f.path.to_string_lossy().into_owned(),
            error: f.error.to_string(),
            hint: exit::hint_for(&f.error),
        })
        .collect()
}

/// One path not imported.
#[derive(serde::Serialize)]
struct FailedJson {
    path: String,
    error: String,
    hint: Option<String>,
}

/// Items per page when `list` streams the whole vault.
const LIST_PAGE: usize = 500;

/// `strongroom list [--limit N] [--after CONTROL]`: the vault page by page, printed as each
/// page is read, so a large vault starts listing at once.
pub fn list(cli: &Cli, args: &ListArgs) -> Result<()> {
    if args.destroyed {
        return list_destroyed(cli);
    }
    let station = unlocked_station(cli)?;
    let after = match args.after.as_deref() {
        Some(text) => Some(
            ControlNumber::parse(text)
                .ok_or_else(|| anyhow!(UsageError(format!("--after needs a control number, not '{text}'"))))?,
        ),
        None => None,
    };
    let mut printer = if cli.json {
        output::ItemStream::json(2)
    } else {
        output::ItemStream::table()
    };
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
            for item in &page.list.items {
                printer.push(item)?;
            }
            if let Some(next) = &page.next {
                eprintln!("more: strongroom list --after {next}");
            }
            page.list.withheld
        }
        None => {
            let mut withheld = 0;
            let mut after = after;
            loop {
                let page = match station.item_page(after.as_ref(), LIST_PAGE) {
                    Ok(page) => page,
                    Err(error) => {
                        // The array printed so far is closed: stdout stays valid JSON.
                        if cli.json && printer.printed() > 0 {
                            printer.close_json(0)?;
                            println!("]");
                        }
                        return Err(error.into());
                    }
                };
                if cli.json && !page.list.items.is_empty() && printer.printed() == 0 {
                    print!("[");
                }
                for item in &page.list.items {
                    printer.push(item)?;
                }
                withheld += page.list.withheld;
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            withheld
        }
    };
    match (cli.json, printer.printed()) {
        (true, 0) => println!("[]"),
        (true, _) => {
            printer.close_json(0)?;
            println!("]");
        }
        (false, 0) => println!("no items"),
        (false, _) => {}
    }
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

/// `strongroom show ID`: the item, or the tombstone of a destroyed one.
pub fn show(cli: &Cli, args: &ShowArgs) -> Result<()> {
    let station = unlocked_station(cli)?;
    let item = match station.item(&args.item) {
        Err(strongroom::Error::NotFound(what)) => {
            let Ok(tombstone) = station.tombstone(&args.item) else {
                return Err(strongroom::Error::NotFound(what).into());
            };
            if cli.json {
                return output::json(&serde_json::json!({ "status": "destroyed", "tombstone": tombstone }));
            }
            return output::tombstone(&tombstone);
        }
        other => other?,
    };
    if cli.json {
        return output::json(&item);
    }
    output::item_detail(&item)
}

/// `strongroom list --destroyed`: tombstones, by control number.
fn list_destroyed(cli: &Cli) -> Result<()> {
    let station = unlocked_station(cli)?;
    let tombstones = station.tombstones()?;
    if cli.json {
        return output::json(&tombstones);
    }
    if tombstones.is_empty() {
        println!("no destroyed items");
        return Ok(());
    }
    println!(
        "{:<16} {:<13} {:<12} {:>10}  {:<24} {:<14} WITNESS",
        "CONTROL", "LEVEL", "CATEGORY", "SIZE", "DESTROYED AT", "BY"
    );
    for t in &tombstones {
        println!(
            "{:<16} {:<13} {:<12} {:>10}  {:<24} {:<14} {}",
            t.control_number,
            t.level.name(),
            output::printable(&t.category),
            t.size.map_or_else(|| "-".into(), output::bytes),
            output::printable(&t.destroyed_at),
            output::printable(&t.destroyed_by),
            output::printable(t.witness.as_deref().or(t.approved_by.as_deref()).unwrap_or("-"))
        );
    }
    Ok(())
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
    let choices = ExportChoices {
        force: args.force,
        reason: reason.to_string(),
        cloud_override: args.override_cloud.clone(),
    };
    let report = station.export_with(&args.item, &args.to, &choices, &progress);
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
