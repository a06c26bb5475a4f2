//! An auditor's machine with no vault: its own pin file (a temporary config directory),
//! where bundles and certificates are checked with the real binary.

use std::path::Path;

use assert_cmd::assert::Assert;
use serde_json::Value;

use super::cli::{code, stderr};

/// A machine with no vault and its own pins.
pub struct Auditor {
    /// Its config directory (the pin file is `pins.json` in it).
    pub config: tempfile::TempDir,
}

impl Auditor {
    /// A new machine, nothing pinned.
    pub fn new() -> Auditor {
        Auditor {
            config: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Run `strongroom ARGS` here (no vault).
    pub fn run(&self, args: &[&str]) -> Assert {
        super::cli::strongroom()
            .env("STRONGROOM_CONFIG_DIR", self.config.path())
            .env_remove("STRONGROOM_VAULT")
            .args(args)
            .assert()
    }

    /// Pin the key in the file `vkey` (a bundle's `station.vkey`, a certificate's `ak.vkey`).
    pub fn trust_file(&self, vkey: &Path) {
        let key = std::fs::read_to_string(vkey).expect("read the key file");
        self.run(&["audit", "trust", key.trim()]).success();
    }

    /// `audit verify DIR --json`: the exit code and the report.
    pub fn verify_bundle(&self, bundle: &Path) -> (i32, Value) {
        let out = self.run(&["audit", "verify", bundle.to_str().expect("utf-8 path"), "--json"]);
        let report =
            serde_json::from_slice(&out.get_output().stdout).unwrap_or_else(|_| panic!("no report: {}", stderr(&out)));
        (code(&out), report)
    }

    /// `audit verify-certificate FILE [--bundle DIR] --json`: the exit code, the report (null
    /// if none was printed) and stderr.
    pub fn verify_certificate(&self, file: &Path, bundle: Option<&Path>) -> (i32, Value, String) {
        let mut args = vec![
            "audit",
            "verify-certificate",
            file.to_str().expect("utf-8 path"),
            "--json",
        ];
        if let Some(bundle) = bundle {
            args.extend(["--bundle", bundle.to_str().expect("utf-8 path")]);
        }
        let out = self.run(&args);
        let report = serde_json::from_slice(&out.get_output().stdout).unwrap_or(Value::Null);
        (code(&out), report, stderr(&out))
    }
}

impl Default for Auditor {
    fn default() -> Auditor {
        Auditor::new()
    }
}
