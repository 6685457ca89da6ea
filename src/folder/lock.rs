//! An exclusive advisory lock on a folder, so that two runs writing to the
//! same destination swap their results in one after the other.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;

/// Held until dropped (closing the descriptor releases the lock).
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Waits for and takes the lock on `folder` (flock on the folder
    /// itself, so no lock file is left behind).
    pub fn folder(folder: &Path) -> io::Result<Lock> {
        let file = File::open(folder)?;
        loop {
            // SAFETY: flock on a descriptor this function owns.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                return Ok(Lock { _file: file });
            }
            let error = io::Error::last_os_error();
            if error.kind() != io::ErrorKind::Interrupted {
                return Err(error);
            }
        }
    }
}
