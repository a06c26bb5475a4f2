//! The Guard screen's commands on the station's thread: its data (copies, quarantine, media,
//! register), settling a quarantine entry, and keeping the media register.

use strongroom::Error;

use super::super::i18n::Text;
use super::super::messages::{Command, Reply};
use super::super::model::MediumStep;
use super::{GUARD_COPIES, StationThread};

impl StationThread {
    /// Carry out one of the Guard screen's commands (others are not its to carry out).
    pub(super) fn guard_screen(&mut self, command: Command) -> Result<(), Error> {
        match command {
            Command::RefreshGuard => self.refresh_guard()?,
            Command::ReleaseEntry {
                job,
                entry,
                level,
                title,
                reason,
                witness,
                progress,
            } => {
                let station = self.station()?;
                let released = match witness {
                    Some((name, password)) => station.add_witness(&name, &password).map(|_| ()),
                    None => Ok(()),
                }
                .and_then(|()| {
                    let release = strongroom::station::Release { level, title, reason };
                    station.quarantine_release(&entry, &release, &progress)
                });
                match released {
                    Ok(released) => self.reply(Reply::JobDone {
                        job,
                        summary: format!(
                            "{} → {}",
                            crate::gui::screens::guard::short(&released.entry),
                            released.control_number
                        ),
                    }),
                    Err(error) => {
                        // A witness signed in for this release is not left for another action.
                        station.forget_witness();
                        self.reply(Reply::JobFailed {
                            job,
                            error: error.into(),
                        });
                    }
                }
                self.refresh_guard()?;
                self.refresh_items()?;
            }
            Command::RegisterMedium(registration) => {
                let entry = self.station()?.media_register(&registration)?;
                self.reply(Reply::Notice(Text::MediumRegistered, entry.record().label.clone()));
                self.refresh_guard()?;
            }
            Command::MediumStep { id, step } => {
                let station = self.station()?;
                let entry = match step {
                    MediumStep::Issue(to) => station.media_issue(&id, &to)?,
                    MediumStep::Return => station.media_return(&id)?,
                    MediumStep::Retire(reason) => station.media_retire(&id, &reason)?,
                };
                self.reply(Reply::Notice(Text::MediumChanged, entry.record().label.clone()));
                self.refresh_guard()?;
            }
            Command::DestroyEntry { entry, reason, witness } => {
                let station = self.station()?;
                if let Some((name, password)) = witness {
                    station.add_witness(&name, &password)?;
                }
                let destroyed = station.quarantine_destroy(&entry, &reason).inspect_err(|_| {
                    station.forget_witness();
                })?;
                self.reply(Reply::Notice(Text::EntryDestroyed, destroyed.entry.id));
                self.refresh_guard()?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The Guard screen's data: the newest copies and the whole quarantine.
    fn refresh_guard(&mut self) -> Result<(), Error> {
        let station = self.station()?;
        let copies = station.guard_copies(GUARD_COPIES)?;
        let entries = station.quarantine_list()?;
        let mounted = station.media_mounted()?;
        let listed = station.media_register_list()?;
        self.reply(Reply::GuardScreen {
            copies,
            entries,
            mounted,
            register: listed.entries,
            ignored: listed.ignored,
        });
        Ok(())
    }
}
