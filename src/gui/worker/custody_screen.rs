//! The custody commands on the station's thread: offers, acceptance, decline, raising a
//! level, retention dates, the Custody screen's data and the inventory job.

use strongroom::Error;

use super::super::i18n::Text;
use super::super::messages::{Command, Reply};
use super::super::model::CustodyStep;
use super::StationThread;

impl StationThread {
    /// Carry out one of the custody commands (others are not its to carry out).
    pub(super) fn custody(&mut self, command: Command) -> Result<(), Error> {
        match command {
            Command::RefreshCustody => self.refresh_custody()?,
            Command::Custody { step, reopen } => {
                let station = self.station()?;
                let (notice, subject, item) = match step {
                    CustodyStep::Offer { items, to, note } => {
                        let note = Some(note.as_str()).filter(|n| !n.is_empty());
                        let mut offered = Vec::new();
                        for item in &items {
                            offered.push(station.offer_custody(item, &to, note)?.control_number);
                        }
                        let open = items.first().cloned();
                        (Text::Offered, format!("{} → {to}", offered.join(", ")), open)
                    }
                    CustodyStep::Accept(item) => {
                        station.accept_custody(&item)?;
                        (Text::CustodyAccepted, item.clone(), Some(item))
                    }
                    CustodyStep::Decline(item) => {
                        station.decline_custody(&item)?;
                        (Text::OfferClosed, item.clone(), Some(item))
                    }
                    // Raised as a job with its progress (`Command::Raise`).
                    CustodyStep::Raise { .. } => return Ok(()),
                    CustodyStep::Retention { item, until } => {
                        let date = station.set_retention(&item, until.as_deref(), "")?;
                        let text = format!("{item}: {}", date.unwrap_or_else(|| "—".into()));
                        (Text::RetentionSet, text, Some(item))
                    }
                };
                self.reply(Reply::Notice(notice, subject));
                if let Some(item) = item.filter(|_| reopen) {
                    let detail = self.station()?.item(&item)?;
                    self.reply(Reply::Item(Box::new(detail)));
                }
                self.refresh_items()?;
                self.refresh_custody()?;
            }
            Command::Raise {
                job,
                item,
                to,
                reason,
                progress,
            } => {
                match self.station()?.raise_item(&item, to, &reason, &progress) {
                    Ok(_) => {
                        self.reply(Reply::JobDone {
                            job,
                            summary: format!("{item} → {to}"),
                        });
                        let detail = self.station()?.item(&item)?;
                        self.reply(Reply::Item(Box::new(detail)));
                    }
                    Err(error) => self.reply(Reply::JobFailed {
                        job,
                        error: error.into(),
                    }),
                }
                self.refresh_items()?;
            }
            Command::Inventory { job, deep, progress } => match self.station()?.inventory(deep, &progress) {
                Ok(report) => {
                    let summary = format!("{} / {} / {}", report.items, report.destroyed, report.objects);
                    self.reply(Reply::Inventory(Box::new(report)));
                    self.reply(Reply::JobDone { job, summary });
                }
                Err(error) => self.reply(Reply::JobFailed {
                    job,
                    error: error.into(),
                }),
            },
            _ => {}
        }
        Ok(())
    }

    /// Send the Custody screen's data: open offers, the Due list and the tombstones.
    pub(super) fn refresh_custody(&mut self) -> Result<(), Error> {
        let station = self.station()?;
        let offers = station.pending_offers()?;
        let due = station.due_items()?;
        let tombstones = station.tombstones()?;
        self.reply(Reply::Custody {
            offers,
            due,
            tombstones,
        });
        self.refresh_certificates()
    }
}
