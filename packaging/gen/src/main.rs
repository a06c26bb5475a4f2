//! What the package ships but nobody writes by hand, generated at package build time:
//!
//! - `man DIR`: one man page per command and subcommand, from the CLI's own clap
//!   definitions (the very `src/cli/args.rs` the binary is built from);
//! - `completions DIR`: bash, zsh and fish completions from the same definitions;
//! - `licences OUT [--no-default-features]`: the licence texts of every crate the binary is
//!   built from (normal and build dependencies, not the tests'), from `cargo metadata` and the
//!   crates' own licence files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::CommandFactory;

/// The CLI's definitions, compiled here as they are in the binary (`args.rs` uses only std
/// and clap).
#[allow(dead_code, unused_imports)]
#[path = "../../../src/cli"]
mod cli {
    pub mod args;
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["man", dir] => man(Path::new(dir)),
        ["completions", dir] => completions(Path::new(dir)),
        ["licences", out] => licences(Path::new(out), true),
        ["licences", out, "--no-default-features"] => licences(Path::new(out), false),
        _ => Err("usage: strongroom-gen man DIR | completions DIR | licences OUT [--no-default-features]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("strongroom-gen: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, String>;

/// One page per command: `strongroom.1`, `strongroom-import.1`, `strongroom-guard-run.1` …
fn man(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    clap_mangen::generate_to(cli::args::Cli::command(), dir).map_err(|e| format!("man pages: {e}"))
}

/// `strongroom.bash`, `_strongroom` (zsh) and `strongroom.fish`.
fn completions(dir: &Path) -> Result<()> {
    use clap_complete::Shell;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut command = cli::args::Cli::command();
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut command, "strongroom", dir)
            .map_err(|e| format!("{shell} completions: {e}"))?;
    }
    Ok(())
}

/// Write the licence texts of every crate `strongroom` is built from (with or without its
/// default features) into `out`: each crate's own licence files, and for a crate that ships
/// none, the standard text of a licence its manifest names (MIT or Apache-2.0, appended
/// once from `packaging/licences/`). Fails if a crate ships no text and names neither.
fn licences(out: &Path, default_features: bool) -> Result<()> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let built = built_from(&manifest, default_features)?;
    let metadata = cargo(&[
        "metadata",
        "--format-version",
        "1",
        "--locked",
        "--filter-platform",
        "x86_64-unknown-linux-gnu",
        "--manifest-path",
        &manifest.to_string_lossy(),
    ])?;
    let metadata: serde_json::Value =
        serde_json::from_str(&metadata).map_err(|e| format!("cargo metadata's output: {e}"))?;
    let packages: BTreeMap<(String, String), &serde_json::Value> = metadata["packages"]
        .as_array()
        .ok_or("no packages in cargo metadata")?
        .iter()
        .filter_map(|p| Some(((p["name"].as_str()?.to_string(), p["version"].as_str()?.to_string()), p)))
        .collect();
    let mut text = String::from(
        "Strongroom is built from the crates below. Each is listed with the licence its manifest \
         states, followed by the licence files it ships; the standard texts for crates that ship \
         none are at the end.\n",
    );
    let mut unexplained = Vec::new();
    for key in &built {
        let (name, version) = key;
        if name == "strongroom" {
            continue;
        }
        let package = packages
            .get(key)
            .ok_or(format!("{name} {version} is in the tree but not in cargo metadata"))?;
        let licence = package["license"].as_str().unwrap_or("");
        let files = licence_files(package);
        text.push_str(&format!(
            "\n{}\n{name} {version}: {licence}\n{}\n",
            "=".repeat(78),
            "=".repeat(78)
        ));
        if files.is_empty() {
            if !(licence.contains("MIT") || licence.contains("Apache-2.0")) {
                unexplained.push(format!("{name} {version} ({licence})"));
            }
            text.push_str("(no licence file in the crate: see the standard texts at the end)\n");
        }
        for file in files {
            let body = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            text.push_str(&format!(
                "\n--- {} ---\n{body}\n",
                file.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
    }
    if !unexplained.is_empty() {
        return Err(format!(
            "no licence text shipped or known for: {}",
            unexplained.join(", ")
        ));
    }
    for standard in ["MIT", "Apache-2.0"] {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../licences/{standard}.txt"));
        let body = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        text.push_str(&format!(
            "\n{}\nThe standard text of {standard}\n{}\n{body}",
            "=".repeat(78),
            "=".repeat(78)
        ));
    }
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(out, text).map_err(|e| format!("{}: {e}", out.display()))
}

/// Run cargo with `args`; its standard output.
fn cargo(args: &[&str]) -> Result<String> {
    let output = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .output()
        .map_err(|e| format!("cargo {}: {e}", args[0]))?;
    if !output.status.success() {
        return Err(format!(
            "cargo {}: {}",
            args[0],
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("cargo {}: {e}", args[0]))
}

/// The crates (name, version) the package `strongroom` is built from with or without its
/// default features, through normal and build dependencies, as `cargo tree` resolves them
/// for that package alone (`cargo metadata` unifies the whole workspace's features, the
/// tests' GUI dependencies included).
fn built_from(manifest: &Path, default_features: bool) -> Result<BTreeSet<(String, String)>> {
    let manifest = manifest.to_string_lossy();
    let mut args = vec![
        "tree",
        "--locked",
        "--manifest-path",
        &manifest,
        "-p",
        "strongroom",
        "-e",
        "normal,build",
        "--prefix",
        "none",
        "--format",
        "{p}",
        "--target",
        "x86_64-unknown-linux-gnu",
    ];
    if !default_features {
        args.push("--no-default-features");
    }
    let tree = cargo(&args)?;
    Ok(tree
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next()?;
            let version = words.next()?.strip_prefix('v')?;
            Some((name.to_string(), version.to_string()))
        })
        .collect())
}

/// The licence files a crate ships: its `license-file`, and every file named LICENSE*,
/// LICENCE*, COPYING*, NOTICE*, COPYRIGHT*, `*license*.txt`, OFL.txt or UFL.txt at its top
/// or one directory down (fonts carry theirs beside them).
fn licence_files(package: &serde_json::Value) -> Vec<PathBuf> {
    let Some(dir) = package["manifest_path"].as_str().and_then(|m| Path::new(m).parent()) else {
        return Vec::new();
    };
    let mut files: BTreeSet<PathBuf> = BTreeSet::new();
    if let Some(file) = package["license_file"].as_str() {
        files.insert(dir.join(file));
    }
    let licence_like = |name: &str| {
        let name = name.to_uppercase();
        ["LICENSE", "LICENCE", "COPYING", "NOTICE", "COPYRIGHT"]
            .iter()
            .any(|p| name.starts_with(p))
            || (name.ends_with(".TXT") && (name.contains("LICENSE") || name.contains("LICENCE")))
            || name == "OFL.TXT"
            || name == "UFL.TXT"
    };
    let mut dirs = vec![(dir.to_path_buf(), 0)];
    while let Some((current, depth)) = dirs.pop() {
        for entry in std::fs::read_dir(&current).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_file() && licence_like(&name) {
                files.insert(entry.path());
            } else if kind.is_dir()
                && depth == 0
                && !["src", "tests", "benches", "examples", "target"].contains(&name.as_str())
            {
                dirs.push((entry.path(), 1));
            }
        }
    }
    files.into_iter().collect()
}
