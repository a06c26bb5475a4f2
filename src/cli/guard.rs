//! `guard enable|disable|run|status`.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use strongroom::Station;
use strongroom::guard::{self, GuardStatus, NetState, daemon};

use super::args::{Cli, GuardCommand};
use super::{output, unlocked_station, vault_dir};

/// Set by SIGTERM or SIGINT; the guard's loop stops at its next wake (within a second).
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop(_signal: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

/// Stop the loop on SIGTERM (the service manager) and SIGINT (Ctrl+C).
fn stop_on_signals() {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: a zeroed sigaction with a handler that only stores to an atomic.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_stop as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// `strongroom guard ...`.
pub fn run(cli: &Cli, command: &GuardCommand) -> Result<()> {
    match command {
        GuardCommand::Enable { removable_roots } => {
            let mut station = unlocked_station(cli)?;
            let enabled = station.guard_enable(removable_roots.clone())?;
            if cli.json {
                return output::json(&enabled);
            }
            println!(
                "guard enabled: key {} in directory version {}; state in {}",
                enabled.guard_key,
                enabled.directory_version,
                enabled.state_file.display()
            );
            println!("start it with: systemctl enable --now strongroom-guard (docs/GUARD.md)");
            Ok(())
        }
        GuardCommand::Disable => {
            let mut station = unlocked_station(cli)?;
            let version = station.guard_disable()?;
            if cli.json {
                return output::json(&serde_json::json!({ "directory_version": version }));
            }
            println!("guard disabled: its key left the directory (version {version}); a running guard stops");
            Ok(())
        }
        GuardCommand::Run {
            once,
            removable_roots,
            heartbeat_seconds,
            protect,
            no_default_destinations,
        } => {
            let vault = vault_dir(cli)?;
            let guard_dir = guard::state::guard_dir();
            let config = daemon::Config {
                vault,
                guard_dir,
                removable_roots: removable_roots.clone(),
                heartbeat: heartbeat_seconds.map(std::time::Duration::from_secs),
                // One scan reads the machine once: no copies to wait for.
                copies: (!*once).then(|| daemon::CopyWatchConfig {
                    defaults: !*no_default_destinations,
                    extra: protect.clone(),
                }),
            };
            if *once {
                let (network, media) = daemon::run_once(config)?;
                if cli.json {
                    return output::json(&serde_json::json!({ "network": network, "media": media }));
                }
                print_network(&network);
                print_media(&media);
                return Ok(());
            }
            stop_on_signals();
            eprintln!("strongroom guard: watching {}", config.vault.display());
            daemon::run(config, &STOP).context("the guard stopped")?;
            eprintln!("strongroom guard: stopped");
            Ok(())
        }
        GuardCommand::Status { removable_roots } => {
            let mut station = Station::open(&vault_dir(cli)?)?;
            let status = station.guard_status(removable_roots)?;
            if cli.json {
                return output::json(&status);
            }
            print_status(&status);
            Ok(())
        }
    }
}

fn print_network(network: &NetState) {
    match network {
        NetState::AirGapped => println!("network: AIR-GAPPED"),
        NetState::Networked { interfaces } => println!("network: NETWORKED ({})", interfaces.join(", ")),
    }
}

fn print_media(media: &[guard::Medium]) {
    if media.is_empty() {
        println!("media: none mounted");
    }
    for medium in media {
        let identity = medium.identity.as_ref().map_or_else(
            || format!("unconfirmed: {}", medium.unconfirmed.as_deref().unwrap_or("")),
            |i| {
                format!(
                    "{} {} {}",
                    i.kind.as_str(),
                    i.uuid,
                    i.label.as_deref().map(|l| format!("\"{l}\"")).unwrap_or_default()
                )
            },
        );
        println!(
            "medium: {} ({}, {}) {}{}",
            output::printable(&medium.mount_point.display().to_string()),
            medium.fstype,
            output::printable(&medium.source),
            output::printable(&identity),
            if medium.usb {
                ""
            } else {
                " [not a USB device: if unregistered, the guard can only alert, not block]"
            }
        );
    }
}

fn print_status(status: &GuardStatus) {
    print_network(&status.network);
    print_media(&status.media);
    match (&status.running, status.enabled) {
        (Some(holder), _) => println!("guard: running (PID {}, since {})", holder.pid, holder.since),
        (None, true) => println!("guard: enabled but NOT running"),
        (None, false) => println!("guard: not enabled"),
    }
    match status.unwatched_dirs {
        Some(0) | None => {}
        Some(n) => println!(
            "warning: copies: {n} directories are beyond the system's inotify watches (fs.inotify.max_user_watches); the guard scans them every minute instead"
        ),
    }
    for gap in &status.gaps {
        match &gap.to {
            Some(to) => println!(
                "warning: no guard heartbeat from {} to {} ({} s)",
                gap.from, to, gap.seconds
            ),
            None => println!("warning: no guard heartbeat since {} ({} s)", gap.from, gap.seconds),
        }
    }
    for event in &status.last_events {
        println!(
            "{:>8}  {}  {:<16} {}",
            event.seq,
            event.time,
            event.action,
            output::printable(&event.subject)
        );
    }
}
