//! The `strongroom` binary: no arguments opens the desktop app; a subcommand runs the CLI.
//! This file only wires; errors become exit codes in `cli::exit`.

mod cli;
#[cfg(feature = "gui")]
mod gui;

#[cfg(not(feature = "gui"))]
use clap::CommandFactory;
use clap::Parser;

use cli::args::Cli;

fn main() {
    disable_core_dumps();
    let cli = Cli::parse();
    if cli.command.is_none() {
        open_desktop_app(&cli);
        return;
    }
    if let Err(error) = cli::run(cli) {
        eprintln!("strongroom: {}", cli::output::printable(&render(&error)));
        if let Some(hint) = cli::exit::hint(&error) {
            eprintln!("hint: {}", cli::output::printable(&hint));
        }
        std::process::exit(cli::exit::code(&error));
    }
}

/// No command: the desktop app (or, in a CLI-only build, the help).
#[cfg(feature = "gui")]
fn open_desktop_app(cli: &Cli) {
    let result = cli::vault_dir(cli).and_then(gui::run);
    if let Err(error) = result {
        eprintln!("strongroom: {}", cli::output::printable(&render(&error)));
        std::process::exit(1);
    }
}

/// No command in a CLI-only build: say what there is.
#[cfg(not(feature = "gui"))]
fn open_desktop_app(_cli: &Cli) {
    let _ = Cli::command().print_help();
    println!();
}

/// The error and its causes on one line, without repeating a cause already in the message.
fn render(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

/// A crash while unlocked must not write keys into a core file.
fn disable_core_dumps() {
    let none = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: setrlimit reads a valid rlimit struct we own; failure only leaves the default.
    unsafe {
        libc::setrlimit(libc::RLIMIT_CORE, &none);
    }
}
