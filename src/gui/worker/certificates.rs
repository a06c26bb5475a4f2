//! Certificates of destruction on the station's thread: destroying items (the dialog ends
//! on their certificate), reading the list, and opening, saving, verifying and signing one.
//! A PDF opened for viewing is written to the session's private viewing directory (never
//! beside the vault, never in a shared temp directory) and handed to the desktop's viewer.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use strongroom::Error;
use strongroom::accounts::Role;

use super::super::error_text::ErrorKind;
use super::super::i18n::Text;
use super::super::messages::{CertificateStep, Command, Failure, Reply};
use super::StationThread;

impl StationThread {
    /// Carry out one of the certificate commands (others are not its to carry out).
    pub(super) fn certificates(&mut self, command: Command) -> Result<(), Error> {
        match command {
            Command::Destroy { items, reason, witness } => {
                let station = self.station()?;
                if let Some((name, password)) = witness {
                    station.add_witness(&name, &password)?;
                }
                let report = station.destroy_items(&items, &reason);
                if report.is_err() {
                    station.forget_witness();
                }
                self.reply(Reply::Destroyed(Box::new(report?)));
                self.refresh_items()?;
                self.refresh_custody()?;
            }
            Command::Certificate(step) => self.certificate_step(step)?,
            _ => {}
        }
        Ok(())
    }

    fn certificate_step(&mut self, step: CertificateStep) -> Result<(), Error> {
        match step {
            CertificateStep::Open(number) => {
                let pdf = self.station()?.certificate_pdf(&number)?;
                let path = write_for_viewing(&self.options.certificate_dir, &number, &pdf)?;
                if let Err(e) = (self.options.viewer)(&path) {
                    let mut failure = Failure::plain(&format!("xdg-open {}: {e}", path.display()));
                    failure.kind = ErrorKind::NoViewer;
                    self.reply(Reply::Failed(failure));
                    return Ok(());
                }
                self.reply(Reply::Notice(Text::CertificateOpened, number));
            }
            CertificateStep::Save { number, dir } => {
                let saved = self.station()?.export_certificate(&number, &dir)?;
                self.reply(Reply::Notice(Text::CertificateSaved, saved.json.display().to_string()));
            }
            CertificateStep::Verify(number) => {
                let outcome = self.station()?.verify_certificate(&number).map_err(|e| e.to_string());
                self.reply(Reply::CertificateChecked(number, outcome));
            }
            CertificateStep::Sign(number) => {
                self.station()?.sign_certificate(&number)?;
                self.reply(Reply::Notice(Text::CertificateSignedNotice, number));
                self.refresh_certificates()?;
            }
        }
        Ok(())
    }

    /// Send the certificates (officers; others see none on the Custody screen).
    pub(super) fn refresh_certificates(&mut self) -> Result<(), Error> {
        let station = self.station()?;
        if station.role() != Some(Role::Officer) {
            return Ok(());
        }
        let list = station.certificates()?;
        self.reply(Reply::Certificates(Box::new(list)));
        Ok(())
    }
}

/// Write `pdf` as `<number>.pdf` in `dir`, a directory of this user's own, mode 0700, made
/// if absent. A directory that is a link or belongs to someone else is refused.
fn write_for_viewing(dir: &Path, number: &str, pdf: &[u8]) -> Result<PathBuf, Error> {
    if !strongroom::custody::certificate::is_number(number) {
        return Err(Error::InvalidInput(format!("{number} is not a certificate number")));
    }
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| Error::io(dir, e))?,
        Err(e) => return Err(Error::io(dir, e)),
        Ok(meta) => {
            // SAFETY: geteuid has no preconditions and cannot fail.
            let me = unsafe { libc::geteuid() };
            if !meta.is_dir() || meta.uid() != me || meta.mode() & 0o077 != 0 {
                return Err(Error::InvalidInput(format!(
                    "{} is not a private directory of this user's; the certificate was not written there",
                    dir.display()
                )));
            }
        }
    }
    let path = dir.join(format!("{number}.pdf"));
    let temp = dir.join(format!(".{number}.pdf.new"));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&temp)
        .map_err(|e| Error::io(&temp, e))?;
    file.write_all(pdf).map_err(|e| Error::io(&temp, e))?;
    std::fs::rename(&temp, &path).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}
