//! `certificate list|show|export|sign`: certificates of destruction at the station, and
//! `audit verify-certificate`, which checks one on any machine with no vault.

use anyhow::{Result, anyhow};
use strongroom::custody::certificate::offline;
use strongroom::ledger::bundle::{Pins, TrustStep};
use strongroom::station::CertificateView;

use super::args::{CertificateCommand, Cli};
use super::{output, unlocked_station};

/// A certificate did not verify (exit 6): the report was printed already.
#[derive(Debug, thiserror::Error)]
#[error("certificate rejected: {0}")]
pub struct CertificateRejected(pub String);

/// `strongroom certificate ...`.
pub fn run(cli: &Cli, command: &CertificateCommand) -> Result<()> {
    let mut station = unlocked_station(cli)?;
    match command {
        CertificateCommand::List => {
            let list = station.certificates()?;
            let all = &list.certificates;
            if cli.json {
                let mut rows: Vec<_> = all.iter().map(summary).collect();
                rows.extend(
                    list.unreadable
                        .iter()
                        .map(|why| serde_json::json!({ "status": "unreadable", "problem": why })),
                );
                output::json(&rows)?;
            } else if all.is_empty() && list.unreadable.is_empty() {
                println!("No certificates of destruction.");
            }
            for view in all.iter().filter(|_| !cli.json) {
                let c = &view.certificate;
                println!(
                    "{}  {}  {:<13} {:>5} item(s)  by {}  {}",
                    output::printable(&c.number),
                    output::printable(&c.destroyed_at),
                    c.level().name(),
                    c.items.len(),
                    output::printable(&c.performed_by.name),
                    view.status()
                );
            }
            for why in list.unreadable.iter().filter(|_| !cli.json) {
                println!("UNREADABLE: {}", output::printable(why));
            }
            match list.unreadable.first() {
                Some(why) => Err(anyhow!(CertificateRejected(why.clone()))),
                None => Ok(()),
            }
        }
        CertificateCommand::Show { number } => {
            let view = station.certificate(number)?;
            if cli.json {
                return output::json(&view);
            }
            print_view(&view);
            Ok(())
        }
        CertificateCommand::Export { number, out } => {
            let exported = station.export_certificate(number, out)?;
            if cli.json {
                return output::json(&exported);
            }
            println!(
                "Wrote {}, {} and {}.",
                exported.json.display(),
                exported.pdf.display(),
                exported.vkey.display()
            );
            println!(
                "Check it elsewhere: strongroom audit trust {}; strongroom audit verify-certificate {} [--bundle DIR]",
                exported.admin_verifier_key,
                exported.json.display()
            );
            Ok(())
        }
        CertificateCommand::Sign { number } => {
            let view = station.sign_certificate(number)?;
            if cli.json {
                return output::json(&summary(&view));
            }
            println!("Signed certificate {}.", view.certificate.number);
            Ok(())
        }
    }
}

fn summary(view: &CertificateView) -> serde_json::Value {
    let c = &view.certificate;
    serde_json::json!({
        "number": c.number,
        "destroyed_at": c.destroyed_at,
        "subject": c.subject.as_str(),
        "level": c.level().name(),
        "items": c.items.len(),
        "performed_by": c.performed_by.name,
        "status": view.status(),
        "ledger_disagrees": view.ledger_disagrees,
    })
}

fn print_view(view: &CertificateView) {
    let c = &view.certificate;
    let p = output::printable;
    println!("certificate:   {}", p(&c.number));
    println!("status:        {}", view.status());
    if let Some(why) = &view.ledger_disagrees {
        println!("LEDGER:        {}", p(why));
    }
    if let Some(signed) = &view.signed {
        println!("signed:        by {} at {}", p(&signed.signed_by), p(&signed.signed_at));
    }
    println!("destroyed at:  {}", p(&c.destroyed_at));
    println!("performed by:  {}", p(&c.performed_by.name));
    if let Some(v) = &c.validated_by {
        println!(
            "validated by:  {} ({})",
            p(&v.name),
            p(c.validation.as_deref().unwrap_or(""))
        );
    }
    println!("reason:        {}", p(&c.reason));
    println!("classification: {}", c.media.classification.name());
    println!(
        "method:        {} — {}",
        p(&c.sanitization.method_type),
        p(&c.sanitization.method)
    );
    println!(
        "backed up:     {} ({})",
        p(&c.media.backed_up),
        p(&c.media.backup_location)
    );
    println!(
        "ledger:        {} seq {}–{}, checkpoint {}",
        p(&c.ledger.origin),
        c.ledger.first_seq,
        c.ledger.last_seq,
        c.ledger.checkpoint_size
    );
    if let Some(m) = &c.medium {
        println!("medium:        {} \"{}\" (seq {})", p(&m.medium), p(&m.label), m.seq);
    }
    for item in &c.items {
        println!(
            "  {}  {:<13} {:<12} {:>12}  {}  seq {}",
            p(&item.control_number),
            item.level.name(),
            p(&item.category),
            item.size,
            p(&item.sha256),
            item.seq
        );
    }
}

/// `strongroom audit verify-certificate FILE [--bundle DIR]`, against this machine's pins.
pub fn verify(cli: &Cli, pins: &mut Pins, file: &std::path::Path, bundle: Option<&std::path::Path>) -> Result<()> {
    let report = offline::verify(file, pins, bundle);
    if report.ok {
        pins.save()?;
    }
    if cli.json {
        output::json(&report)?;
    } else if let Some(error) = &report.error {
        println!("CERTIFICATE REFUSED: {}", output::printable(error));
    } else {
        println!(
            "Certificate {} of station {}: signature valid; {}.",
            output::printable(&report.number),
            output::printable(&report.station),
            output::printable(&report.inclusion)
        );
        println!(
            "Signed by {} at {} with admin key {}; {} item(s).",
            output::printable(&report.signed_by),
            output::printable(&report.signed_at),
            report.admin_key,
            report.items
        );
    }
    match report.error {
        None => Ok(()),
        Some(error) => {
            if let Some(TrustStep::PinKey { key }) = &report.trust {
                eprintln!("hint: once the station's officers confirm the key, run `strongroom audit trust {key}`");
            }
            Err(anyhow!(CertificateRejected(error)))
        }
    }
}
