//! Real small file systems for the tests that need one (root only; see `requires`): a sized
//! tmpfs that fills up, and exFAT or FAT "USB sticks" on loop devices mounted through FUSE
//! (`exfat-fuse`, `fusefat`; as DESIGN.md §8 measured, both lack `O_TMPFILE` and `link()`,
//! and `renameat2(RENAME_NOREPLACE)` fails with EINVAL). Each unmounts when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Run a command that must succeed.
fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().expect("run a mount tool");
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A tmpfs of a fixed size, mounted for the life of the value.
pub struct Tmpfs {
    /// Where it is mounted.
    pub path: PathBuf,
}

impl Tmpfs {
    /// Mount a tmpfs of `size` (`mount -o size=`, e.g. "2m") at `path`.
    pub fn mount(path: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(path).expect("mount point");
        let options = format!("size={size},mode=0700");
        run(
            "mount",
            &["-t", "tmpfs", "-o", &options, "tmpfs", path.to_str().expect("utf-8")],
        );
        Tmpfs {
            path: path.to_path_buf(),
        }
    }

    /// Bytes still free.
    pub fn free_bytes(&self) -> u64 {
        free_bytes(&self.path)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// Bytes free to an unprivileged writer on the file system holding `path`.
pub fn free_bytes(path: &Path) -> u64 {
    let (fragment, available) = statvfs(path);
    fragment * available
}

/// `(fragment size, available fragments)` of the file system holding `path`.
fn statvfs(path: &Path) -> (u64, u64) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).expect("path");
    // SAFETY: statvfs writes into the zeroed struct; the path is NUL-terminated.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut stat) };
    assert_eq!(rc, 0, "statvfs {}", path.display());
    (stat.f_frsize, stat.f_bavail)
}

/// The FAT-family file systems of USB sticks, as this kernel can mount them (FUSE only).
#[derive(Clone, Copy, Debug)]
pub enum StickFs {
    /// exFAT through `mount.exfat-fuse` (type `fuseblk`).
    Exfat,
    /// FAT32 through `fusefat -o rw+` (type `fuse.fusefat`).
    Fat,
}

impl StickFs {
    /// The programs formatting and mounting it.
    pub fn programs(self) -> &'static [&'static str] {
        match self {
            StickFs::Exfat => &["losetup", "mkfs.exfat", "mount.exfat-fuse"],
            StickFs::Fat => &["losetup", "mkfs.vfat", "fusefat"],
        }
    }
}

/// A FAT-family file system on a loop device, mounted through FUSE like a USB stick.
pub struct Stick {
    /// Where it is mounted.
    pub path: PathBuf,
    device: String,
}

impl Stick {
    /// Format a `mib`-MiB image in `scratch` as `fs` and mount it at `scratch/stick`.
    pub fn mount(scratch: &Path, fs: StickFs, mib: u64) -> Stick {
        let image = scratch.join("stick.img");
        std::fs::File::create(&image)
            .and_then(|f| f.set_len(mib << 20))
            .expect("stick image");
        let device = run("losetup", &["-f", "--show", image.to_str().expect("utf-8")]);
        let path = scratch.join("stick");
        std::fs::create_dir_all(&path).expect("mount point");
        let target = path.to_str().expect("utf-8");
        match fs {
            StickFs::Exfat => {
                run("mkfs.exfat", &["-L", "STICK", &device]);
                run("mount.exfat-fuse", &[&device, target]);
            }
            StickFs::Fat => {
                run("mkfs.vfat", &["-F", "32", &device]);
                run("fusefat", &["-o", "rw+", &device, target]);
            }
        }
        Stick { path, device }
    }
}

impl Drop for Stick {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
        let _ = Command::new("losetup").arg("-d").arg(&self.device).status();
    }
}
