//! The command line's surface, from the built binary: `--version` names this package's
//! version, and every subcommand answers `--help` (exit 0) without a vault. Being an
//! integration test of this package, it also makes `cargo test` build the binary that the
//! integration tests in `tests/it` (a package of their own) run.

use std::process::Command;

fn strongroom(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_strongroom"))
        .args(args)
        .env_remove("STRONGROOM_VAULT")
        .env_remove("STRONGROOM_USER")
        .env_remove("STRONGROOM_PASSWORD")
        .output()
        .expect("run strongroom")
}

#[test]
fn the_version_and_every_subcommands_help_answer_without_a_vault() {
    let version = strongroom(&["--version"]);
    assert!(version.status.success());
    let text = String::from_utf8_lossy(&version.stdout);
    assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");

    let help = strongroom(&["--help"]);
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    // The subcommands as clap lists them: the indented names under "Commands:".
    let commands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .expect("a command list")
        .split("Options:")
        .next()
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.strip_prefix("  "))
        .filter(|line| !line.starts_with(' '))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .collect();
    for expected in [
        "init",
        "import",
        "export",
        "guard",
        "quarantine",
        "media",
        "ledger",
        "audit",
    ] {
        assert!(commands.contains(&expected), "{expected} missing from {commands:?}");
    }
    for command in commands {
        let out = strongroom(&[command, "--help"]);
        assert!(
            out.status.success(),
            "{command} --help: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "{command} --help printed nothing");
    }
}
