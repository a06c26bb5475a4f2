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
}

/// Opens dialogs; the answer comes back through [`Dialogs::drain`].
pub trait FileDialogs: Send + Sync {
    /// Ask for paths for `purpose` (non-blocking).
    fn ask(&self, purpose: Purpose, answer: Sender<(Purpose, Vec<PathBuf>)>);
}

/// The dialogs of the window: a backend and the channel its answers come through.
pub struct Dialogs {
    backend: Box<dyn FileDialogs>,
    sender: Sender<(Purpose, Vec<PathBuf>)>,
    answers: Receiver<(Purpose, Vec<PathBuf>)>,
}

impl Dialogs {
    /// Dialogs over `backend`.
    pub fn new(backend: Box<dyn FileDialogs>) -> Dialogs {
        let (sender, answers) = unbounded();
        Dialogs {
            backend,
            sender,
            answers,
        }
    }

    /// Open a dialog.
    pub fn ask(&self, purpose: Purpose) {
        self.backend.ask(purpose, self.sender.clone());
    }

    /// Answers that arrived (an empty list means the dialog was cancelled).
    pub fn drain(&self) -> Vec<(Purpose, Vec<PathBuf>)> {
        self.answers.try_iter().collect()
    }
}

/// GTK dialogs through rfd, each on its own thread.
pub struct NativeDialogs;

impl FileDialogs for NativeDialogs {
    fn ask(&self, purpose: Purpose, answer: Sender<(Purpose, Vec<PathBuf>)>) {
        let spawned = std::thread::Builder::new()
            .name("strongroom-dialog".into())
            .spawn(move || {
                let paths = match &purpose {
                    Purpose::ImportFiles => rfd::FileDialog::new().pick_files().unwrap_or_default(),
                    Purpose::ImportFolder => rfd::FileDialog::new().pick_folder().into_iter().collect(),
                    Purpose::ExportTo(name) => rfd::FileDialog::new()
                        .set_file_name(name.as_str())
                        .save_file()
                        .into_iter()
                        .collect(),
                };
                let _ = answer.send((purpose, paths));
            });
        // Without a thread there is no dialog; the path field remains.
        drop(spawned);
    }
}
