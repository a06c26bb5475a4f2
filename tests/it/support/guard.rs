//! What the guard's tests stand on: network namespaces of their own (only `lo`, or a `veth`
//! pair with documentation-range addresses), the real `strongroom guard run` inside one, and
//! media on loop devices (ext4; exFAT and FAT through FUSE) mounted under a removable root.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::TestVault;

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().expect(program);
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A network namespace of the test's own, deleted when dropped.
pub struct NetNs {
    /// Its name.
    pub name: String,
}

impl NetNs {
    /// A fresh namespace: only `lo`, and that down (AIR-GAPPED).
    pub fn new() -> NetNs {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("srg-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        run("ip", &["netns", "add", &name]);
        NetNs { name }
    }

    /// `ip -n NS args…`.
    pub fn ip(&self, args: &[&str]) {
        let mut all = vec!["-n", self.name.as_str()];
        all.extend_from_slice(args);
        run("ip", &all);
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "delete", &self.name]).status();
    }
}

/// `strongroom guard run` inside a namespace; stopped with SIGTERM when dropped.
pub struct GuardProcess {
    /// The process.
    pub child: Child,
}

impl GuardProcess {
    /// Start the guard of `vault` in `ns` with `extra` arguments after `guard run`.
    pub fn start(vault: &TestVault, ns: &NetNs, extra: &[&str]) -> GuardProcess {
        let inner = vault.std_command();
        // `nsenter --net` joins the namespace's network only: `ip netns exec` would also give
        // the guard a mount namespace of its own, where the test's mounts never show.
        let mut cmd = Command::new("nsenter");
        cmd.arg(format!("--net=/run/netns/{}", ns.name))
            .arg("--")
            .arg(inner.get_program());
        // Only the directories a test protects are watched, never the machine's homes.
        cmd.args(["guard", "run", "--no-default-destinations"]).args(extra);
        for (key, value) in inner.get_envs() {
            if let Some(value) = value {
                cmd.env(key, value);
            }
        }
        cmd.stdout(Stdio::null()).stderr(Stdio::inherit());
        GuardProcess {
            child: cmd.spawn().expect("spawn the guard"),
        }
    }

    /// Stop it with SIGTERM and return its exit code.
    pub fn stop(mut self) -> Option<i32> {
        signal(&self.child, libc::SIGTERM);
        let status = self.child.wait().expect("wait for the guard");
        std::mem::forget(self);
        status.code()
    }

    /// Kill it with SIGKILL (no chance to clean up) and reap it.
    pub fn kill(mut self) {
        signal(&self.child, libc::SIGKILL);
        let _ = self.child.wait();
        std::mem::forget(self);
    }
}

fn signal(child: &Child, signal: libc::c_int) {
    // `nsenter` execs the command, so the child's pid is the guard's.
    // SAFETY: kill with a pid this test spawned and has not reaped.
    unsafe {
        libc::kill(child.id() as libc::pid_t, signal);
    }
}

impl Drop for GuardProcess {
    fn drop(&mut self) {
        signal(&self.child, libc::SIGKILL);
        let _ = self.child.wait();
    }
}

/// Wait up to `within` for an event after seq `after` that `wanted` accepts; return it.
pub fn wait_for_event(vault: &TestVault, after: i64, within: Duration, wanted: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        if let Some(event) = vault
            .events()
            .into_iter()
            .find(|e| e["seq"].as_i64().unwrap_or(-1) > after && wanted(e))
        {
            return event;
        }
        assert!(
            start.elapsed() < within,
            "no such event after seq {after} within {within:?}; events: {:?}",
            vault
                .events()
                .iter()
                .filter(|e| e["seq"].as_i64().unwrap_or(-1) > after - 3)
                .map(|e| format!("{} {} {}", e["seq"], e["action"], e["details"]))
                .collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The newest seq.
pub fn last_seq(vault: &TestVault) -> i64 {
    vault.events().last().and_then(|e| e["seq"].as_i64()).unwrap_or(-1)
}

/// Whether `event` has `action` (and, when given, `details.finding`).
pub fn is(event: &Value, action: &str, finding: Option<&str>) -> bool {
    event["action"] == action && finding.is_none_or(|f| event["details"]["finding"] == f)
}

/// The file systems a test medium can carry.
#[derive(Clone, Copy, Debug)]
pub enum MediumFs {
    /// ext4 on the loop device (kernel mount).
    Ext4,
    /// exFAT through `mount.exfat-fuse` (`fuseblk`).
    Exfat,
    /// FAT32 through `fusefat`, named by `fsname=` with its subtype kept.
    Fat,
}

impl MediumFs {
    /// The programs formatting and mounting it.
    pub fn programs(self) -> &'static [&'static str] {
        match self {
            MediumFs::Ext4 => &["losetup", "mkfs.ext4"],
            MediumFs::Exfat => &["losetup", "mkfs.exfat", "mount.exfat-fuse"],
            MediumFs::Fat => &["losetup", "mkfs.vfat", "fusefat"],
        }
    }
}

/// A formatted loop device, mounted at `point` until dropped.
pub struct Medium {
    /// The mount point.
    pub point: PathBuf,
    /// The loop device.
    pub device: String,
    mounted: bool,
}

impl Medium {
    /// Format a 16 MiB image in `scratch` as `fs` with `label`; not mounted yet.
    pub fn format(scratch: &Path, fs: MediumFs, label: &str, point: PathBuf) -> Medium {
        let image = scratch.join(format!("{label}.img"));
        std::fs::File::create(&image)
            .and_then(|f| f.set_len(16 << 20))
            .expect("medium image");
        let device = run("losetup", &["-f", "--show", image.to_str().expect("utf-8")]);
        match fs {
            MediumFs::Ext4 => run("mkfs.ext4", &["-q", "-F", "-L", label, &device]),
            MediumFs::Exfat => run("mkfs.exfat", &["-L", label, &device]),
            MediumFs::Fat => run("mkfs.vfat", &["-F", "32", "-n", label, &device]),
        };
        std::fs::create_dir_all(&point).expect("mount point");
        Medium {
            point,
            device,
            mounted: false,
        }
    }

    /// Mount it as `fs`.
    pub fn mount(&mut self, fs: MediumFs) {
        let target = self.point.to_str().expect("utf-8").to_string();
        match fs {
            MediumFs::Ext4 => run("mount", &[&self.device, &target]),
            MediumFs::Exfat => run("mount.exfat-fuse", &[&self.device, &target]),
            MediumFs::Fat => {
                let options = format!("rw+,fsname={},subtype=fusefat", self.device);
                run("fusefat", &["-o", &options, &self.device, &target])
            }
        };
        self.mounted = true;
    }

    /// Unmount it.
    pub fn unmount(&mut self) {
        run("umount", &[self.point.to_str().expect("utf-8")]);
        self.mounted = false;
    }
}

impl Drop for Medium {
    fn drop(&mut self) {
        if self.mounted {
            let _ = Command::new("umount").arg(&self.point).status();
        }
        let _ = Command::new("losetup").arg("-d").arg(&self.device).status();
    }
}

/// Copies the guard contained (see [`super::guard_scene::contain`]), with the guard enabled
/// on `vault` first. Returns the entry ids (hex), in order.
pub fn quarantined(vault: &TestVault, files: &[(&str, &[u8])]) -> Vec<String> {
    vault.ok(&["guard", "enable"]);
    let scratch = vault.scratch("guard-scene");
    super::guard_scene::contain(&vault.root, &vault.guard_dir(), &scratch, files)
}
