//! `request list|approve|deny`: two-person requests, decided by officers.

use anyhow::Result;
use strongroom::accounts::requests::RequestStatus;

use super::args::{Cli, RequestCommand};
use super::{output, unlocked_station};

/// `strongroom request ...`.
pub fn run(cli: &Cli, command: &RequestCommand) -> Result<()> {
    let mut station = unlocked_station(cli)?;
    match command {
        RequestCommand::List { all } => {
            let status = if *all { None } else { Some(RequestStatus::Pending) };
            let list = station.requests(status)?;
            if cli.json {
                return output::json(&list);
            }
            println!(
                "{:<5} {:<17} {:<15} {:<13} {:<16} {:<9} REASON",
                "ID", "KIND", "ITEM", "LEVEL", "REQUESTER", "STATUS"
            );
            for view in list {
                let r = &view.request;
                let kind = match r.target_level {
                    Some(to) => format!("{} to {}", r.kind.as_str(), to.name()),
                    None => r.kind.as_str().to_string(),
                };
                println!(
                    "{:<5} {:<17} {:<15} {:<13} {:<16} {:<9} {}",
                    r.id,
                    kind,
                    view.control_number.as_deref().unwrap_or("?"),
                    r.level.name(),
                    output::printable(&view.requester),
                    r.status.as_str(),
                    output::printable(&r.reason)
                );
            }
            Ok(())
        }
        RequestCommand::Approve { id, note } => {
            let request = station.approve_request(*id, note)?;
            if cli.json {
                return output::json(&request);
            }
            println!("Approved request {id}; the requester may now carry it out once.");
            Ok(())
        }
        RequestCommand::Deny { id, note } => {
            let request = station.deny_request(*id, note)?;
            if cli.json {
                return output::json(&request);
            }
            println!("Denied request {id}.");
            Ok(())
        }
    }
}
