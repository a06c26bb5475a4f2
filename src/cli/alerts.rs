//! `alerts`, `alerts ack SEQ --comment TEXT` and `alerts history`: what the app's Alerts
//! screen does, for scripts and terminals.

use anyhow::Result;
use strongroom::ledger::query::EventFilter;

use super::args::{AlertsCommand, Cli};
use super::{output, unlocked_station};

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
            output::event_lines(&alerts);
            Ok(())
        }
        Some(AlertsCommand::Ack { seq, comment }) => {
            let mut station = unlocked_station(cli)?;
            station.acknowledge_alert(*seq, comment)?;
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
