//! Waiting for the kernel: `poll` on `/proc/self/mountinfo` (POLLPRI on every mount or
//! unmount; several merge into one wake) and on a netlink socket subscribed to link and
//! address changes. A wake says which changed; the guard re-reads the whole table.

use std::fs::File;
use std::io::{Read, Seek};
use std::os::fd::AsRawFd;
use std::time::Duration;

use crate::guard::netlink::Watch;
use crate::{Error, Result};

/// After a netlink message, wait this long and drain again, so a burst (an interface
/// coming up sends several) is read as one change.
const SETTLE: Duration = Duration::from_millis(50);

/// What woke the guard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Woke {
    /// The mount table changed.
    pub mounts: bool,
    /// A link or address changed (or the socket overflowed).
    pub network: bool,
    /// Something happened in a protected destination.
    pub destinations: bool,
}

/// The two things the guard waits on.
pub struct Waker {
    mountinfo: File,
    netlink: Watch,
}

impl Waker {
    /// Open both.
    pub fn open() -> Result<Waker> {
        let mut mountinfo = File::open("/proc/self/mountinfo").map_err(|e| Error::io("/proc/self/mountinfo", e))?;
        // Reading the file once arms the poll for the next change.
        rearm(&mut mountinfo)?;
        let netlink = Watch::open().map_err(|e| Error::io("netlink", e))?;
        Ok(Waker { mountinfo, netlink })
    }

    /// Wait up to `timeout` for a change, in the mount table, the network or (when given)
    /// on `destinations`, the descriptor the destination watch writes to.
    pub fn wait(&mut self, timeout: Duration, destinations: Option<std::os::fd::RawFd>) -> Result<Woke> {
        let mut fds = [
            libc::pollfd {
                fd: self.mountinfo.as_raw_fd(),
                events: libc::POLLPRI | libc::POLLERR,
                revents: 0,
            },
            libc::pollfd {
                fd: self.netlink.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                // A negative descriptor is ignored by poll.
                fd: destinations.unwrap_or(-1),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        let millis = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: `fds` is a valid array of pollfd for the duration of the call.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, millis) };
        if ready < 0 {
            let error = std::io::Error::last_os_error();
            if error.kind() == std::io::ErrorKind::Interrupted {
                return Ok(Woke::default());
            }
            return Err(Error::io("poll", error));
        }
        let mut woke = Woke::default();
        if fds[0].revents & (libc::POLLPRI | libc::POLLERR) != 0 {
            rearm(&mut self.mountinfo)?;
            woke.mounts = true;
        }
        woke.destinations = fds[2].revents != 0;
        if fds[1].revents != 0 {
            woke.network = self.netlink.drain().map_err(|e| Error::io("netlink", e))?;
            std::thread::sleep(SETTLE);
            woke.network |= self.netlink.drain().map_err(|e| Error::io("netlink", e))?;
        }
        Ok(woke)
    }
}

/// Read the mount table to its end from the start, which re-arms its poll.
fn rearm(file: &mut File) -> Result<()> {
    file.rewind().map_err(|e| Error::io("/proc/self/mountinfo", e))?;
    let mut sink = Vec::new();
    file.read_to_end(&mut sink)
        .map_err(|e| Error::io("/proc/self/mountinfo", e))?;
    Ok(())
}
