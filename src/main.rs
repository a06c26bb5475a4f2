//! The `strongroom` binary: no arguments opens the desktop app; a subcommand runs the CLI.
//! This file only wires; errors become exit codes in `cli::exit`.

mod cli;

use clap::{CommandFactory, Parser};

use cli::args::Cli;

fn main() {
    disable_core_dumps();
    let cli = Cli::parse();
    if cli.command.is_none() {
        // The desktop app arrives with its own issue; until then, say what there is.
        let _ = Cli::command().print_help();
        println!();
        return;
    }
    if let Err(error) = cli::run(cli) {
        eprintln!("strongroom: {}", render(&error));
        std::process::exit(cli::exit::code(&error));
    }
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
