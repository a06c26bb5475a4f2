//! Certificates of destruction at the station: issuing one inside the destroying
//! transaction (the events, a checkpoint over them and the certificate commit together),
//! listing, showing, signing one an operator's destruction left awaiting an officer, and
//! exporting `certificate.json`, `certificate.pdf` and `ak.vkey` for an auditor.

use std::path::{Path, PathBuf};

use rusqlite::Transaction;
use serde::Serialize;

use crate::accounts::permissions::Permission;
use crate::accounts::settings::title_of;
use crate::accounts::succession;
use crate::accounts::{Role, decision, users};
use crate::custody::certificate::build::Occasion;
use crate::custody::certificate::document::{self, CarriedSuccession, SignedCertificate};
use crate::custody::certificate::{self, Certificate, LedgerRecord, Person, ledger_check, store};
use crate::encoding::{base64, hex};
use crate::ledger::{NewEvent, checkpoint, epoch, events};
use crate::time::rfc3339_millis;
use crate::{Error, Result};

use super::approvals::{SecondPerson, name_in};
use super::{Access, Station};

/// What a destruction hands to [`Station::issue_certificate`].
pub(super) struct Issue {
    /// The destruction events, in the certificate's order (each gets its number).
    pub events: Vec<NewEvent>,
    /// Who validated it.
    pub validation: Validation,
    /// Why.
    pub reason: String,
    /// Whether the events are officers' decisions, signed by the admin key (a medium's).
    pub decided: bool,
}

/// The witness or approving officer, and how they validated.
pub(super) struct Validation {
    /// Their name.
    pub by: Option<String>,
    /// `witness`, or `approved request N, …`.
    pub how: Option<String>,
}

/// A certificate just issued.
pub(super) struct Issued {
    /// Its number.
    pub number: String,
    /// Signed at once (an officer destroyed).
    pub signed: bool,
}

/// A certificate as the station shows it.
#[derive(Clone, Debug, Serialize)]
pub struct CertificateView {
    /// The certificate.
    pub certificate: Certificate,
    /// The signed document, once signed.
    pub signed: Option<SignedCertificate>,
    /// How it disagrees with the ledger, if it does (then it is not exported or signed).
    pub ledger_disagrees: Option<String>,
}

impl CertificateView {
    /// Its status in one word: `signed`, `awaiting-signature` or `disagrees-with-ledger`.
    pub fn status(&self) -> &'static str {
        match (&self.ledger_disagrees, &self.signed) {
            (Some(_), _) => "disagrees-with-ledger",
            (None, Some(_)) => "signed",
            (None, None) => "awaiting-signature",
        }
    }
}

/// The certificates a user may see.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CertificateList {
    /// Those that could be read, newest first.
    pub certificates: Vec<CertificateView>,
    /// Why each row that could not be read was not (changed outside Strongroom).
    pub unreadable: Vec<String>,
}

/// The files a certificate export wrote.
#[derive(Clone, Debug, Serialize)]
pub struct ExportedCertificate {
    /// Its number.
    pub number: String,
    /// `certificate.json`.
    pub json: PathBuf,
    /// `certificate.pdf`.
    pub pdf: PathBuf,
    /// `ak.vkey`: the admin verifier key to pin (`audit trust`).
    pub vkey: PathBuf,
    /// The verifier key itself.
    pub admin_verifier_key: String,
}

impl Station {
    /// The person named on a certificate: their name and the titles, organization and place
    /// the policy gives.
    fn person(&self, name: &str) -> Result<Person> {
        let policy = self.session_for(Access::Quietly)?.directory().policy();
        Ok(Person {
            name: name.to_string(),
            title: title_of(&policy, name),
            organization: policy.certificate_organization.clone(),
            location: policy.certificate_location.clone(),
        })
    }

    /// Who validated a destruction, from its second persons.
    pub(super) fn validation_of(&self, seconds: &[SecondPerson]) -> Result<Validation> {
        if let Some(witness) = seconds.iter().find_map(|s| match s {
            SecondPerson::Witness(w) => Some(w.name.clone()),
            _ => None,
        }) {
            return Ok(Validation {
                by: Some(witness),
                how: Some("witness".into()),
            });
        }
        let names = users::names(&self.conn)?;
        let approvals: Vec<(u64, String)> = seconds
            .iter()
            .filter_map(|s| match s {
                SecondPerson::Approved(r) => {
                    Some((r.id, r.decided_by.map(|id| name_in(&names, id)).unwrap_or_default()))
                }
                _ => None,
            })
            .collect();
        let Some((_, first)) = approvals.first() else {
            return Ok(Validation { by: None, how: None });
        };
        let listed: Vec<(u64, &str)> = approvals.iter().map(|(r, a)| (*r, a.as_str())).collect();
        Ok(Validation {
            by: Some(first.clone()),
            how: Some(ledger_check::approvals_text(&listed)),
        })
    }

    /// The admin-key successions from the station's first key to the current one.
    fn admin_chain(&self) -> Result<Vec<CarriedSuccession>> {
        let keys = decision::AdminKeys::load(&self.conn, &self.station_id)?.all();
        Ok(succession::records_along(&self.conn, &keys)?
            .into_iter()
            .map(|(body, signature)| CarriedSuccession {
                body,
                signature: hex::encode(&signature),
            })
            .collect())
    }

    /// In one transaction: `change` (the destruction itself), the destruction's events with
    /// the certificate's number, a checkpoint covering them, and the certificate (signed at
    /// once when an officer acts; otherwise awaiting an officer), then `after` (more events).
    pub(super) fn issue_certificate(
        &mut self,
        issue: Issue,
        after: Vec<NewEvent>,
        change: impl FnOnce(&Transaction<'_>, &str) -> Result<()>,
        build: impl FnOnce(Occasion, &[u64]) -> Certificate,
    ) -> Result<Issued> {
        let session = self.session_for(Access::Keys)?;
        let user = session.user().clone();
        let signing = session.signing_key()?;
        let admin = if user.role == Role::Officer {
            Some(session.admin_key()?)
        } else {
            None
        };
        if issue.decided && admin.is_none() {
            return Err(Error::Denied {
                rule: "role",
                message: "only a security officer can record this destruction".into(),
            });
        }
        let chain = if admin.is_some() {
            self.admin_chain()?
        } else {
            Vec::new()
        };
        let performed_by = self.person(&user.name)?;
        let validated_by = issue.validation.by.as_deref().map(|n| self.person(n)).transpose()?;
        let mac = self.event_mac_key();
        let station = self.station_id.clone();
        let time = self.clock.now();
        let now = rfc3339_millis(time);
        self.write(|tx, pending| {
            change(tx, &now)?;
            let serial = store::next_serial(tx)?;
            let number = certificate::number(time.year(), serial);
            let mut seqs = Vec::with_capacity(issue.events.len());
            for mut event in issue.events {
                event.details.insert("certificate".into(), number.clone().into());
                let decide = |body: &[u8]| admin.as_ref().map(|key| decision::sign(key, body));
                let seq = if issue.decided {
                    let sign = |body: &[u8]| decide(body).unwrap_or_default();
                    events::append_signed(tx, time, &event, mac.as_ref(), Some(&sign))?
                } else {
                    events::append(tx, time, &event, mac.as_ref())?
                };
                seqs.push(seq);
            }
            let (Some(&first), Some(&last)) = (seqs.iter().min(), seqs.iter().max()) else {
                return Err(Error::InvalidInput("a certificate needs at least one event".into()));
            };
            let destroyed_at = events::list(tx, first, 1)?
                .into_iter()
                .next()
                .map(|e| e.time)
                .ok_or_else(|| Error::integrity("ledger", "the destruction's event is not there"))?;
            checkpoint::write(tx, &station, &signing, "destruction", &now)?;
            let current = epoch::current(tx)?;
            let cp = checkpoint::latest_in(tx, current.number)?
                .ok_or_else(|| Error::integrity("ledger", "no checkpoint covers the destruction"))?;
            let occasion = Occasion {
                number: number.clone(),
                station: station.clone(),
                destroyed_at,
                performed_by,
                validated_by,
                validation: issue.validation.how,
                reason: issue.reason,
                ledger: LedgerRecord {
                    origin: epoch::origin(&station, current.number),
                    first_seq: first,
                    last_seq: last,
                    checkpoint_size: cp.tree_size,
                    checkpoint_root: base64::encode(&cp.root),
                },
            };
            let body = build(occasion, &seqs);
            document::check_consistent(&body).map_err(|e| Error::InvalidInput(e.to_string()))?;
            // Never before the events' time (which a clock set back does not move back).
            let signed_at = now.clone().max(body.destroyed_at.clone());
            let signed = admin
                .as_ref()
                .map(|key| document::sign(&body, &user.name, &signed_at, key, chain))
                .transpose()?;
            store::insert(tx, serial, &body, signed.as_ref(), &now)?;
            pending.extend(after);
            Ok(Issued {
                number,
                signed: signed.is_some(),
            })
        })
    }

    /// Every certificate at or below this user's clearance, newest first, each checked
    /// against the ledger. A row that cannot be read is listed as such: an insider's edit is
    /// not hidden by leaving it out.
    pub fn certificates(&self) -> Result<CertificateList> {
        let clearance = self.session_for(Access::Quietly)?.user().clearance;
        let mut list = CertificateList::default();
        for stored in store::list(&self.conn, clearance)? {
            match stored {
                Ok(stored) => list.certificates.push(self.view(stored)?),
                Err(problem) => list.unreadable.push(problem.to_string()),
            }
        }
        for (number, level) in store::missing(&self.conn)? {
            if level <= clearance {
                list.unreadable.push(format!(
                    "certificate {number}: the ledger records its destruction, but the certificate is missing (deleted outside Strongroom)"
                ));
            }
        }
        Ok(list)
    }

    fn view(&self, stored: store::Stored) -> Result<CertificateView> {
        let mut ledger_disagrees = ledger_check::disagreement(&self.conn, &stored.certificate)?;
        if ledger_disagrees.is_none()
            && let Some(signed) = &stored.signed
            && let Err(why) = self.check_signature(signed)
        {
            ledger_disagrees = Some(why);
        }
        Ok(CertificateView {
            certificate: stored.certificate,
            signed: stored.signed,
            ledger_disagrees,
        })
    }

    /// One certificate by number (at or below this user's clearance).
    pub fn certificate(&self, number: &str) -> Result<CertificateView> {
        let clearance = self.session_for(Access::Quietly)?.user().clearance;
        let stored = store::get(&self.conn, number.trim())?
            .filter(|s| s.certificate.level() <= clearance)
            .ok_or_else(|| Error::NotFound(format!("certificate {number}")))?;
        self.view(stored)
    }

    /// Sign a certificate awaiting an officer (officers). What is signed is rebuilt from the
    /// ledger (the events carrying its number, every one of them; the items' histories; the
    /// people as the policy names them now), never taken from the stored row, and only once
    /// `ledger verify` has proven those events and the checkpoint the certificate names.
    pub fn sign_certificate(&mut self, number: &str) -> Result<CertificateView> {
        self.session_for(Access::Permitted(Permission::SignCertificate, None))?;
        let view = self.certificate(number)?;
        let refused = |why: String| Error::integrity(format!("certificate {number}"), why);
        if let Some(why) = &view.ledger_disagrees {
            return Err(refused(why.clone()));
        }
        if view.signed.is_some() {
            return Err(Error::InvalidInput(format!("certificate {number} is already signed")));
        }
        let claimed = view.certificate;
        let person = |name: &str| {
            self.person(name).unwrap_or_else(|_| Person {
                name: name.to_string(),
                title: None,
                organization: None,
                location: None,
            })
        };
        let rebuilt = ledger_check::rebuild(&self.conn, &claimed, &person)?.map_err(refused)?;
        // Every event it was rebuilt from, and its checkpoint, must be proven by `ledger verify`.
        let verifier = self.verifier_key()?;
        let report = crate::ledger::verify::verify(&self.conn, &self.station_id, &verifier)?;
        let proven = self.proven_ranges(&report)?;
        let ledger = &rebuilt.certificate.ledger;
        let unproven = rebuilt
            .seqs
            .iter()
            .copied()
            .chain([ledger.last_seq])
            .find(|seq| !proven.iter().any(|(start, end)| (*start..*end).contains(seq)));
        if let Some(seq) = unproven {
            return Err(refused(format!(
                "the ledger does not prove its events (event {seq} lies outside what `ledger verify` proves now: a damaged range, or after the last checkpoint)"
            )));
        }
        let body = rebuilt.certificate;
        document::check_consistent(&body).map_err(|e| refused(e.to_string()))?;
        let session = self.session_for(Access::Permitted(Permission::SignCertificate, None))?;
        let admin = session.admin_key()?;
        let signer = session.user().name.clone();
        let chain = self.admin_chain()?;
        let signed_at = self.now().max(body.destroyed_at.clone());
        let signed = document::sign(&body, &signer, &signed_at, &admin, chain)?;
        self.write(|tx, _| store::set_signed(tx, number.trim(), &signed))?;
        self.certificate(number)
    }

    /// Whether a stored signed document verifies under this station's admin key: the one in
    /// force now, or the one in force at the destruction (a key replaced since signs nothing
    /// later that counts here).
    fn check_signature(&self, signed: &SignedCertificate) -> std::result::Result<(), String> {
        let bytes = serde_json::to_vec(signed).map_err(|e| e.to_string())?;
        let (_, key) = document::open(&bytes).map_err(|e| e.to_string())?;
        let keys = decision::AdminKeys::load(&self.conn, &self.station_id).map_err(|e| e.to_string())?;
        let at_destruction = keys.in_force_at(&key, signed.certificate.ledger.last_seq);
        if keys.current() != Some(key) && !at_destruction {
            return Err("it is signed by a key that is not this station's admin key now or at the destruction".into());
        }
        Ok(())
    }

    /// The seq ranges `ledger verify` proves: in the current epoch, up to its verified size
    /// and its first finding; in an earlier one, up to its newest checkpoint before its
    /// first finding (the damage it was closed for).
    fn proven_ranges(&self, report: &crate::ledger::verify::Report) -> Result<Vec<(u64, u64)>> {
        let epochs = epoch::all(&self.conn)?;
        let checkpoints = checkpoint::all(&self.conn)?;
        let mut ranges = Vec::with_capacity(epochs.len());
        for (index, e) in epochs.iter().enumerate() {
            let next = epochs.get(index + 1).map_or(u64::MAX, |n| n.start_seq);
            let bad = if e.number == report.epoch {
                report.first_bad.as_ref().map(|b| b.seq)
            } else {
                report
                    .earlier_epochs
                    .iter()
                    .find(|s| s.epoch == e.number)
                    .and_then(|s| s.first_bad.as_ref().map(|b| b.seq))
            }
            .unwrap_or(u64::MAX)
            .min(next);
            let size = if e.number == report.epoch {
                report.verified_size
            } else {
                checkpoints
                    .iter()
                    .filter(|c| c.epoch == e.number && e.start_seq.saturating_add(c.tree_size) <= bad)
                    .map(|c| c.tree_size)
                    .max()
                    .unwrap_or(0)
            };
            ranges.push((e.start_seq, e.start_seq.saturating_add(size).min(bad)));
        }
        Ok(ranges)
    }

    /// The signed document, checked: against the ledger, and its signature against this
    /// station's admin keys.
    fn signed_certificate(&self, number: &str) -> Result<(SignedCertificate, [u8; 32])> {
        let view = self.certificate(number)?;
        if let Some(why) = &view.ledger_disagrees {
            return Err(Error::integrity(format!("certificate {number}"), why.clone()));
        }
        let signed = view.signed.ok_or_else(|| Error::Denied {
            rule: "certificate",
            message: format!("certificate {number} awaits a security officer's signature"),
        })?;
        let key = crate::encoding::hex::decode::<32>(&signed.admin_key)
            .ok_or_else(|| Error::integrity(format!("certificate {number}"), "its admin key is not hex"))?;
        Ok((signed, key))
    }

    /// Check a certificate as an auditor would, on the station: it agrees with the ledger,
    /// is signed, and its signature verifies under one of this station's admin keys.
    /// Returns who signed it and when, in words.
    pub fn verify_certificate(&self, number: &str) -> Result<String> {
        let (signed, key) = self.signed_certificate(number)?;
        Ok(format!(
            "{}: agrees with the ledger; signed by {} at {} with admin key {}",
            signed.certificate.number,
            signed.signed_by,
            signed.signed_at,
            hex::encode(&key)
        ))
    }

    /// The certificate as PDF (signed or awaiting a signature, as it stands).
    pub fn certificate_pdf(&self, number: &str) -> Result<Vec<u8>> {
        let view = self.certificate(number)?;
        if let Some(why) = &view.ledger_disagrees {
            return Err(Error::integrity(format!("certificate {number}"), why.clone()));
        }
        certificate::pdf::render(&view.certificate, view.signed.as_ref())
    }

    /// Write `certificate.json`, `certificate.pdf` and `ak.vkey` into `dir` (made if absent;
    /// an existing file is never overwritten). Only a signed certificate that agrees with the
    /// ledger is exported.
    pub fn export_certificate(&self, number: &str, dir: &Path) -> Result<ExportedCertificate> {
        let (signed, key) = self.signed_certificate(number)?;
        let vkey = document::admin_verifier_key(&self.station_id, &key)?;
        let json = serde_json::to_vec_pretty(&signed).map_err(|e| Error::InvalidInput(e.to_string()))?;
        let pdf = certificate::pdf::render(&signed.certificate, Some(&signed))?;
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let out = ExportedCertificate {
            number: signed.certificate.number.clone(),
            json: dir.join("certificate.json"),
            pdf: dir.join("certificate.pdf"),
            vkey: dir.join("ak.vkey"),
            admin_verifier_key: vkey.clone(),
        };
        let files = [
            (&out.json, json),
            (&out.pdf, pdf),
            (&out.vkey, format!("{vkey}\n").into_bytes()),
        ];
        if let Some((path, _)) = files.iter().find(|(path, _)| path.symlink_metadata().is_ok()) {
            return Err(Error::InvalidInput(format!(
                "{} already exists; nothing was written",
                path.display()
            )));
        }
        for (path, bytes) in &files {
            write_new(path, bytes)?;
        }
        Ok(out)
    }
}

/// Create `path` (it must not exist) with `bytes`, flushed.
fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(path, e))
}
