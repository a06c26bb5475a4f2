//! `alerts`, `alerts ack SEQ --comment TEXT` and `alerts history`: what the app's Alerts
//! screen does, for scripts and terminals.

use anyhow::Result;
use strongroom::ledger::alert::{Alert, NextStep};
use strongroom::ledger::query::EventFilter;

use super::args::{AlertsCommand, Cli};
use super::{output, unlocked_station};

/// The command that carries out `step`, where one does.
fn command_for(step: NextStep, alert: &Alert) -> String {
    let user = output::printable(&alert.subject);
    match step {
        NextStep::UnlockTheAccount => format!(" (`strongroom user enable {user} --reason ...`)"),
        NextStep::ReissueTheRecoveryCode => " (`strongroom recovery-code reissue --reason ...`)".into(),
        NextStep::VerifyTheLedger => " (`strongroom ledger verify`)".into(),
        NextStep::Acknowledge => format!(" (`strongroom alerts ack {} --comment ...`)", alert.seq),
        _ => String::new(),
    }
}

/// `strongroom alerts ...`.
pub fn run(cli: &Cli, command: Option<&AlertsCommand>) -> Result<()> {
    match command {
        None => {
            let station = unlocked_station(cli)?;
            let alerts = station.alerts()?;
            if cli.json {
                return output::json(&alerts);
            }
            if alerts.is_empty() {
                println!("No open alerts.");
            }
            for alert in &alerts {
                println!(
                    "#{} {} {} (by {}{})",
                    alert.seq,
                    output::printable(&alert.time),
                    output::printable(&alert.action),
                    output::printable(&alert.actor),
                    alert
                        .level
                        .map_or(String::new(), |l| format!(", {}", l.name().to_uppercase()))
                );
                println!("  what: {}", output::printable(&alert.finding.to_string()));
                for step in &alert.next {
                    println!("  next: {step}{}", command_for(*step, alert));
                }
            }
            Ok(())
        }
        Some(AlertsCommand::Ack { seq, comment }) => {
            let mut station = unlocked_station(cli)?;
            station.acknowledge_alert(*seq, comment.as_deref().unwrap_or_default())?;
            if cli.json {
                return output::json(&serde_json::json!({ "acknowledged": seq }));
            }
            println!("Alert {seq} acknowledged.");
            Ok(())
        }
        Some(AlertsCommand::History) => {
            let station = unlocked_station(cli)?;
            let filter = EventFilter {
                action: Some("alert.acknowledge".into()),
                ..EventFilter::default()
            };
            let acknowledged = station.query_events(&filter, None, 10_000)?;
            if cli.json {
                return output::json(&acknowledged);
            }
            output::event_lines(&acknowledged);
            Ok(())
        }
    }
}
