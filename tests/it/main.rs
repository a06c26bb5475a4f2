//! The integration tests, linked into one binary: one link instead of one per file, and one
//! shared fixture module (`support`). Each module below is one area of behaviour; the CLI
//! tests run the real `strongroom` binary, the library tests drive `Station` directly.

mod support;

mod accounts;
mod audit_bundle;
mod certificates;
mod clearance_and_keys;
mod cli_accounts;
mod cli_alerts;
mod cli_bad_input;
mod cli_custody;
mod cli_round_trip;
mod cloud_catalogue;
mod cloud_enforcement;
mod crash_safety;
mod custody_raise;
mod custody_rules;
mod custody_transfers;
mod destruction;
mod disk_full;
mod event_schemas;
mod format_facts;
mod format_vectors;
mod guard_cloud;
mod guard_copies;
mod guard_daemon;
mod identity_replacement;
mod import_edge_cases;
mod insider_events;
mod insider_files;
mod insider_items;
mod insider_rollback;
mod insider_terminal;
mod ledger_tamper;
mod ledger_vectors;
mod media_register;
mod old_vaults;
mod quarantine_settle;
mod recovery_code;
mod sticks;
