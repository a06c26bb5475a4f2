//! What a signed-in session does with the station's replies and with its screens' actions:
//! both only touch the session's own state ([`SignedIn`]) and send commands, so nothing here
//! can outlive a lock.

use std::path::PathBuf;
use std::time::Instant;

use strongroom::accounts::Role;
use strongroom::crypto::Password;

use super::alert_text;
use super::error_text::ErrorKind;
use super::i18n::{Lang, Text};
use super::messages::{Command, Failure, Reply, UserChange};
use super::model::{Action, Message, SignedIn, View};
use super::worker::Worker;

/// Apply a reply that carries session data to the session's state; returns the dialog to
/// show, if the reply calls for one.
pub fn apply_reply(s: &mut SignedIn, reply: Reply, lang: Lang) -> Option<Message> {
    match reply {
        Reply::Items(list) => {
            s.raise_all(list.items.iter().map(|i| i.level));
            s.items = list.items;
            s.items_withheld = list.withheld;
            s.browser.dirty = true;
        }
        Reply::Item(detail) => {
            s.raise(detail.summary.level);
            s.item.open(*detail);
            s.view = View::Detail;
        }
        Reply::JobDone { job, summary } => {
            if let Some(j) = s.jobs.iter_mut().find(|j| j.id == job) {
                s.toasts.push((format!("{} · {summary}", j.label), Instant::now()));
                j.outcome = Some(Ok(summary));
            }
        }
        Reply::Events(events) => {
            s.raise_all(events.iter().filter_map(|e| e.level));
            s.ledger.events = events;
        }
        Reply::Alerts(alerts) => {
            // A new alert is announced once.
            let known: std::collections::BTreeSet<u64> = s.alerts.open.iter().map(|a| a.seq).collect();
            for alert in alerts.iter().filter(|a| !known.contains(&a.seq)) {
                s.toasts.push((
                    format!(
                        "{}: {}",
                        Text::Alerts.get(lang),
                        alert_text::finding(&alert.finding, lang)
                    ),
                    Instant::now(),
                ));
            }
            s.raise_all(alerts.iter().filter_map(|a| a.level));
            s.alerts.open = alerts;
        }
        Reply::Notice(what, subject) => {
            // A user added: the form is ready for the next one.
            if what == Text::UserAdded {
                let form = &mut s.admin.user_form;
                form.name.clear();
                form.clearance = None;
                form.officer = false;
            }
            s.toasts
                .push((format!("{}: {subject}", what.get(lang)), Instant::now()));
        }
        Reply::BundleVerified(report) => s.ledger.bundle_report = Some(*report),
        Reply::Custody {
            offers,
            due,
            tombstones,
        } => {
            s.raise_all(offers.iter().map(|o| o.level));
            s.raise_all(due.iter().map(|d| d.level));
            s.raise_all(tombstones.iter().map(|t| t.level));
            s.custody.offers = offers;
            s.custody.due = due;
            s.custody.tombstones = tombstones;
        }
        Reply::Destroyed(report) => match s.destroy.as_mut().filter(|d| d.busy) {
            Some(dialog) => {
                dialog.busy = false;
                dialog.done = Some(*report);
            }
            None => s.destroy = Some(super::screens::destroy_dialog::DestroyDialog::finished(*report)),
        },
        Reply::Certificates(list) => {
            s.raise_all(list.certificates.iter().map(|c| c.certificate.level()));
            s.custody.certificates.list = *list;
        }
        Reply::CertificateChecked(number, outcome) => {
            s.custody.certificates.checked.insert(number, outcome);
        }
        Reply::Inventory(report) => {
            s.custody.running = None;
            s.custody.report = Some(*report);
        }
        Reply::ExportMedium { asked, check } => {
            // Only for the export still waiting for confirmation.
            if s.item.pending_export.as_ref() == Some(&asked) {
                s.item.export_medium = Some((asked, check));
            }
        }
        Reply::GuardScreen {
            copies,
            entries,
            mounted,
            register,
            ignored,
        } => {
            s.raise_all(register.iter().map(|e| e.record().level));
            let media = &mut s.guard.media;
            if media
                .form
                .mount_point
                .as_ref()
                .is_some_and(|p| mounted.iter().any(|m| &m.medium.mount_point == p && m.entry.is_some()))
            {
                media.form = Default::default();
            }
            media.mounted = mounted;
            media.register = register;
            media.ignored = ignored;
            s.raise_all(entries.iter().map(|e| e.level));
            s.raise_all(copies.iter().filter_map(|c| c.sealing_level));
            let form_done = s
                .guard
                .chosen
                .as_ref()
                .is_some_and(|id| entries.iter().any(|e| &e.id == id && e.status != "held"));
            if form_done {
                s.guard.form = Default::default();
            }
            s.guard.copies = copies;
            s.guard.entries = entries;
        }
        Reply::JobCancelledKept { job, kept } => {
            // What was committed before the cancel stays, and the person is told so.
            let mut failure = Failure::plain(&format!("{}: {kept}", Text::CancelledKept.get(lang)));
            failure.cancelled = true;
            s.toasts.push((failure.message.clone(), Instant::now()));
            if let Some(j) = s.jobs.iter_mut().find(|j| j.id == job) {
                j.outcome = Some(Err(failure));
            }
        }
        Reply::JobPartial { job, summary, failed } => {
            let left_out = failed
                .iter()
                .map(|(_, failure)| failure.message.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            let done = if summary.is_empty() {
                String::new()
            } else {
                format!("{}: {summary}\n", Text::ImportedItems.get(lang))
            };
            let failure = Failure::plain(&format!(
                "{done}{} ({}):\n{left_out}",
                Text::NotImported.get(lang),
                failed.len()
            ));
            if let Some(j) = s.jobs.iter_mut().find(|j| j.id == job) {
                j.outcome = Some(Err(failure.clone()));
            }
            return Some(Message { failure });
        }
        Reply::JobFailed { job, error } => {
            if s.custody.running.as_ref().is_some_and(|(running, _)| *running == job) {
                s.custody.running = None;
            }
            if let Some(j) = s.jobs.iter_mut().find(|j| j.id == job) {
                j.outcome = Some(Err(error.clone()));
                // The export whose destination exists is the one "Replace the file" repeats.
                if matches!(error.kind, ErrorKind::DestinationExists { .. }) {
                    s.item.replaceable = j.export.clone();
                }
                // A refused import keeps its files in the form, to fix and try again.
                if !error.cancelled && s.import.paths.is_empty() {
                    s.import.paths = j.paths.clone();
                }
            }
            if !error.cancelled {
                return Some(Message { failure: error });
            }
        }
        Reply::Verified(report) => {
            s.ledger.verifying = false;
            s.ledger.verify = Some(*report);
        }
        Reply::Admin {
            users,
            requests,
            policy,
        } => {
            s.raise_all(requests.iter().map(|r| r.request.level));
            s.admin.users = users;
            s.admin.requests = requests;
            s.admin.policy_edit = policy.entries().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            s.policy = Some(*policy);
        }
        // The replies about signing in and out are the window's own (`App::receive`).
        Reply::Opened { .. }
        | Reply::Unavailable(_)
        | Reply::Initialized { .. }
        | Reply::Unlocked(_)
        | Reply::Locked { .. }
        | Reply::Recovered(_)
        | Reply::Failed(_)
        | Reply::Guard(_) => {}
    }
    None
}

/// Carry out an action of a signed-in screen: the command it sends, or the dialog it shows
/// instead (two passwords that differ).
pub fn carry_out(s: &mut SignedIn, action: Action, lang: Lang, worker: &Worker) -> Option<Message> {
    let differ = || Message {
        failure: Failure::plain(Text::PasswordsDiffer.get(lang)),
    };
    match action {
        Action::ChangePassword => {
            if s.password.new.as_str() != s.password.repeat.as_str() {
                return Some(differ());
            }
            s.password.repeat = Default::default();
            worker.send(Command::ChangePassword {
                current: Password::new(std::mem::take(&mut *s.password.current)),
                new: Password::new(std::mem::take(&mut *s.password.new)),
            });
        }
        Action::Show(view) => {
            // An export waiting for confirmation is not carried to another screen.
            s.item.pending_export = None;
            s.view = view;
            match view {
                View::Admin => worker.send(Command::RefreshAdmin),
                View::Alerts => worker.send(Command::RefreshAlerts),
                View::Guard => worker.send(Command::RefreshGuard),
                View::Custody => worker.send(Command::RefreshCustody),
                // The ledger shows its events at once, with whatever filter is typed.
                View::Ledger => return carry_out(s, Action::QueryEvents, lang, worker),
                _ => {}
            }
        }
        Action::OpenItem(reference) => worker.send(Command::Item(reference)),
        Action::OpenCopy { seq, entry } => {
            s.guard.highlighted = Some(seq);
            if let Some(entry) = entry {
                super::screens::guard::choose(&mut s.guard.chosen, &mut s.guard.form, &entry);
            }
            return carry_out(s, Action::Show(View::Guard), lang, worker);
        }
        Action::RegisterMedium => {
            let form = &s.guard.media.form;
            let expires = Some(form.expires.trim().to_string()).filter(|e| !e.is_empty());
            worker.send(Command::RegisterMedium(strongroom::station::Registration {
                mount_point: form.mount_point.clone()?,
                label: form.label.trim().to_string(),
                level: form.level?,
                custodian: form.custodian.trim().to_string(),
                expires,
            }));
        }
        Action::MediumStep(id, step) => {
            s.guard.media.issue_to.clear();
            s.guard.media.retire_reason.clear();
            worker.send(Command::MediumStep { id, step });
        }
        Action::ReleaseEntry | Action::DestroyEntry => {
            let entry = s.guard.chosen.clone()?;
            let form = &mut s.guard.form;
            let witness = Some(form.witness.trim().to_string())
                .filter(|w| !w.is_empty())
                .map(|w| (w, Password::new(std::mem::take(&mut *form.witness_password))));
            let reason = form.reason.trim().to_string();
            if matches!(action, Action::DestroyEntry) {
                worker.send(Command::DestroyEntry { entry, reason, witness });
                return None;
            }
            let level = form.level?;
            let title = Some(form.title.trim().to_string()).filter(|t| !t.is_empty());
            s.raise(level);
            let progress = std::sync::Arc::new(strongroom::progress::Progress::new());
            let job = s.next_job;
            s.next_job += 1;
            s.jobs.push(super::model::Job {
                id: job,
                label: format!(
                    "{} {}",
                    Text::ReleaseEntry.get(lang),
                    super::screens::guard::short(&entry)
                ),
                progress: progress.clone(),
                started: None,
                outcome: None,
                paths: Vec::new(),
                export: None,
            });
            worker.send(Command::ReleaseEntry {
                job,
                entry,
                level,
                title,
                reason,
                witness,
                progress,
            });
        }
        Action::Custody(super::model::CustodyStep::Raise { item, to, reason }) => {
            s.raise(to);
            s.item.custody.raise_reason.clear();
            let progress = std::sync::Arc::new(strongroom::progress::Progress::new());
            let job = new_job(
                s,
                format!("{} {item} → {}", Text::RaiseJob.get(lang), to.name()),
                &progress,
            );
            worker.send(Command::Raise {
                job,
                item,
                to,
                reason,
                progress,
            });
        }
        Action::Custody(step) => {
            if matches!(step, super::model::CustodyStep::Offer { .. }) {
                s.item.custody.offer_to.clear();
                s.item.custody.note.clear();
            }
            let reopen = s.view == View::Detail;
            worker.send(Command::Custody { step, reopen });
        }
        Action::RunInventory { deep } => {
            let progress = std::sync::Arc::new(strongroom::progress::Progress::new());
            let job = new_job(s, Text::InventoryJob.get(lang).to_string(), &progress);
            s.custody.running = Some((job, progress.clone()));
            s.custody.report = None;
            worker.send(Command::Inventory { job, deep, progress });
        }
        Action::CancelJob(id) => {
            if let Some(job) = s.jobs.iter().find(|j| j.id == id) {
                job.progress.cancel();
            }
        }
        Action::ClearJobs => s.jobs.retain(|j| j.outcome.is_none()),
        Action::ToggleJobs => s.jobs_open = !s.jobs_open,
        Action::Verify => {
            s.ledger.verifying = true;
            worker.send(Command::VerifyLedger);
        }
        Action::QueryEvents => {
            let [item, actor, action, since, until] = s.ledger.filter.clone();
            worker.send(Command::QueryEvents {
                item,
                actor,
                action,
                since,
                until,
            });
        }
        Action::ExportBundle => worker.send(Command::ExportBundle(PathBuf::from(s.ledger.bundle_dir.trim()))),
        Action::VerifyBundle => {
            s.ledger.bundle_report = None;
            worker.send(Command::VerifyBundle(PathBuf::from(s.ledger.bundle_dir.trim())));
        }
        Action::Destroy | Action::Downgrade => {
            let detail = s.item.detail.as_ref()?;
            let item = detail.summary.control_number.to_string();
            let form = &mut s.item.actions;
            let witness = Some(form.witness.trim().to_string())
                .filter(|w| !w.is_empty())
                .map(|w| (w, Password::new(std::mem::take(&mut *form.witness_password))));
            let reason = form.reason.trim().to_string();
            let command = match (&action, form.downgrade_to) {
                (Action::Destroy, _) => Command::Destroy {
                    items: vec![item],
                    reason,
                    witness,
                },
                (_, Some(to)) => Command::Downgrade {
                    item,
                    to,
                    reason,
                    witness,
                },
                (_, None) => return None,
            };
            // Should a request be made instead, a witness can still be added on this page.
            form.second_person_asked = true;
            worker.send(command);
        }
        Action::AddUser => {
            let form = &mut s.admin.user_form;
            if form.password.as_str() != form.repeat.as_str() {
                return Some(differ());
            }
            let clearance = form.clearance?;
            form.repeat = Default::default();
            worker.send(Command::User(UserChange::Add {
                name: form.name.trim().to_string(),
                role: if form.officer { Role::Officer } else { Role::Operator },
                clearance,
                password: Password::new(std::mem::take(&mut *form.password)),
            }));
        }
        Action::DisableUser | Action::EnableUser | Action::ResetUser | Action::SetClearance => {
            let form = &mut s.admin.user_form;
            let (name, reason) = (form.target.clone(), form.reason.trim().to_string());
            let change = match action {
                Action::DisableUser => UserChange::Disable { name, reason },
                Action::EnableUser => UserChange::Enable { name, reason },
                Action::ResetUser => UserChange::Reset {
                    name,
                    reason,
                    password: Password::new(std::mem::take(&mut *form.temporary)),
                },
                _ => UserChange::Clearance {
                    name,
                    level: form.new_clearance?,
                    reason,
                },
            };
            worker.send(Command::User(change));
        }
        Action::CancelExport => s.item.pending_export = None,
        Action::OpenDestroy { items, reason } => {
            // The highest level among them, as the vault lists them.
            let level = s
                .items
                .iter()
                .filter(|i| items.contains(&i.control_number.to_string()))
                .map(|i| i.level)
                .chain(
                    s.custody
                        .due
                        .iter()
                        .filter(|d| items.contains(&d.control_number))
                        .map(|d| d.level),
                )
                .max()
                .unwrap_or(strongroom::Level::Unclassified);
            s.destroy = Some(super::screens::destroy_dialog::DestroyDialog::new(items, level, reason));
        }
        Action::ConfirmDestroy => {
            let dialog = s.destroy.as_mut()?;
            if dialog.busy || dialog.done.is_some() {
                return None;
            }
            let witness = Some(dialog.witness.trim().to_string())
                .filter(|w| !w.is_empty())
                .map(|w| (w, Password::new(std::mem::take(&mut *dialog.witness_password))));
            dialog.busy = true;
            worker.send(Command::Destroy {
                items: dialog.items.clone(),
                reason: dialog.reason.trim().to_string(),
                witness,
            });
        }
        Action::CloseDestroy => {
            if s.destroy.as_ref().is_some_and(|d| d.done.is_some()) {
                s.browser.selected.clear();
            }
            s.destroy = None;
        }
        Action::Certificate(step) => worker.send(Command::Certificate(step)),
        Action::AddWitness => {
            s.view = View::Detail;
            s.item.actions.focus_witness = true;
            s.item.actions.second_person_asked = false;
        }
        Action::Acknowledge(seq) => {
            let comment = s.alerts.comments.remove(&seq).unwrap_or_default();
            worker.send(Command::Acknowledge { seq, comment });
        }
        Action::Decide(id, approve) => worker.send(Command::Decide { id, approve }),
        Action::SetPolicy(key, value) => worker.send(Command::SetPolicy { key, value }),
        // The window's own actions are carried out in `App::execute`.
        Action::CreateVault
        | Action::RecoveryConfirmed
        | Action::Unlock
        | Action::Recover
        | Action::Lock
        | Action::ToggleLanguage
        | Action::ToggleTheme
        | Action::DismissMessage
        | Action::Ask(_)
        | Action::StartImport
        | Action::Export
        | Action::ConfirmExport(_)
        | Action::ExportReplacing(_)
        | Action::UseRecoveryCode => {}
    }
    None
}

/// Add a job to the jobs panel; returns its number.
fn new_job(s: &mut SignedIn, label: String, progress: &std::sync::Arc<strongroom::progress::Progress>) -> u64 {
    let job = s.next_job;
    s.next_job += 1;
    s.jobs.push(super::model::Job {
        id: job,
        label,
        progress: progress.clone(),
        started: None,
        outcome: None,
        paths: Vec::new(),
        export: None,
    });
    job
}
