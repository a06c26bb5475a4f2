//! Native file dialogs behind a small trait, so tests supply paths and the window never
//! waits on a dialog: each request runs on its own thread and its answer arrives through a
//! channel. On a station where no dialog can open, the path fields still work.

use std::path::PathBuf;

use crossbeam_channel::{Receiver, Sender, unbounded};

/// What a dialog was for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Files to import.
    ImportFiles,
    /// A folder to import.
    ImportFolder,
    /// Where to export an item (its suggested file name).
    ExportTo(String),
    /// A folder to save a certificate of destruction in (its number).
    SaveCertificate(String),
}

/// Where a dialog's answer goes: what it was for, and the paths chosen (none: cancelled).
pub type Answer = Sender<(Purpose, Vec<PathBuf>)>;

/// Opens dialogs; the answer comes back through [`Dialogs::drain`].
pub trait FileDialogs: Send + Sync {
    /// Ask for paths for `purpose` (non-blocking).
    fn ask(&self, purpose: Purpose, answer: Answer);
}

/// The dialogs of the window: a backend and the channel its answers come through. One
/// dialog at a time: asking again while one is open does nothing.
pub struct Dialogs {
    backend: Box<dyn FileDialogs>,
    sender: Answer,
    answers: Receiver<(Purpose, Vec<PathBuf>)>,
    open: std::cell::Cell<bool>,
    stale: std::cell::Cell<bool>,
}

impl Dialogs {
    /// Dialogs over `backend`.
    pub fn new(backend: Box<dyn FileDialogs>) -> Dialogs {
        let (sender, answers) = unbounded();
        Dialogs {
            backend,
            sender,
            answers,
            open: std::cell::Cell::new(false),
            stale: std::cell::Cell::new(false),
        }
    }

    /// Open a dialog, unless one is open already.
    pub fn ask(&self, purpose: Purpose) {
        if !self.open.replace(true) {
            self.backend.ask(purpose, self.sender.clone());
        }
    }

    /// Answers that arrived (an empty list means the dialog was cancelled); once the open
    /// dialog has answered, another may be opened. The answer of a dialog opened before a
    /// lock is dropped: it belongs to a session that has ended.
    pub fn drain(&self) -> Vec<(Purpose, Vec<PathBuf>)> {
        let answers: Vec<_> = self.answers.try_iter().collect();
        if answers.is_empty() {
            return answers;
        }
        self.open.set(false);
        if self.stale.replace(false) {
            return Vec::new();
        }
        answers
    }

    /// The session ended (a lock): the open dialog's answer, when it comes, is dropped.
    pub fn forget(&self) {
        if self.open.get() {
            self.stale.set(true);
        }
    }
}

/// GTK dialogs through rfd, each on its own thread.
pub struct NativeDialogs;

impl FileDialogs for NativeDialogs {
    fn ask(&self, purpose: Purpose, answer: Answer) {
        let (fallback, asked) = (answer.clone(), purpose.clone());
        let spawned = std::thread::Builder::new()
            .name("strongroom-dialog".into())
            .spawn(move || {
                // Answered as cancelled if the dialog panics, so the window may ask again.
                let mut guard = Unanswered(Some((answer, purpose.clone())));
                let paths = match &purpose {
                    Purpose::ImportFiles => rfd::FileDialog::new().pick_files().unwrap_or_default(),
                    Purpose::ImportFolder | Purpose::SaveCertificate(_) => {
                        rfd::FileDialog::new().pick_folder().into_iter().collect()
                    }
                    Purpose::ExportTo(name) => rfd::FileDialog::new()
                        .set_file_name(name.as_str())
                        .save_file()
                        .into_iter()
                        .collect(),
                };
                if let Some((answer, _)) = guard.0.take() {
                    let _ = answer.send((purpose, paths));
                }
            });
        // Without a thread there is no dialog: answered as cancelled (the path field remains).
        if spawned.is_err() {
            let _ = fallback.send((asked, Vec::new()));
        }
    }
}

/// A dialog's answer channel until it has answered; dropped unanswered (a panic inside the
/// dialog), it answers "cancelled".
struct Unanswered(Option<(Answer, Purpose)>);

impl Drop for Unanswered {
    fn drop(&mut self) {
        if let Some((answer, purpose)) = self.0.take() {
            let _ = answer.send((purpose, Vec::new()));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A backend that counts its dialogs and keeps their answer channels.
    #[derive(Clone, Default)]
    struct Counting(Arc<Mutex<Vec<Answer>>>);

    impl FileDialogs for Counting {
        fn ask(&self, _purpose: Purpose, answer: Answer) {
            self.0.lock().unwrap().push(answer);
        }
    }

    #[test]
    fn one_dialog_at_a_time_and_another_once_it_has_answered() {
        let backend = Counting::default();
        let dialogs = Dialogs::new(Box::new(backend.clone()));
        dialogs.ask(Purpose::ImportFiles);
        dialogs.ask(Purpose::ExportTo("SR-2026-000001.tif".into()));
        assert_eq!(backend.0.lock().unwrap().len(), 1, "the second ask waits for the first");
        assert!(dialogs.drain().is_empty());
        let first = backend.0.lock().unwrap()[0].clone();
        first.send((Purpose::ImportFiles, Vec::new())).unwrap();
        assert_eq!(dialogs.drain().len(), 1);
        dialogs.ask(Purpose::ImportFolder);
        assert_eq!(backend.0.lock().unwrap().len(), 2);
        // A lock while it is open: its answer is dropped, and the next dialog's is kept.
        dialogs.forget();
        let second = backend.0.lock().unwrap()[1].clone();
        second
            .send((Purpose::ImportFolder, vec![PathBuf::from("/media/usb")]))
            .unwrap();
        assert!(dialogs.drain().is_empty(), "the old session's answer");
        dialogs.ask(Purpose::ImportFiles);
        let third = backend.0.lock().unwrap()[2].clone();
        third
            .send((Purpose::ImportFiles, vec![PathBuf::from("/media/usb/a.tif")]))
            .unwrap();
        assert_eq!(dialogs.drain().len(), 1);
    }
}
