//! Removing what queuelab left behind: an old folder once replaced, and the
//! staging folders of runs that died (killed, or stopped by a signal
//! before they could clean up).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use super::marker::Marker;

/// Removes queuelab's files from `dir` (as `marker` lists them), then `dir`
/// itself if nothing else is left; anything else in it stays, and a note
/// says where.
pub fn remove_own(dir: &Path, marker: &Marker) {
    marker.remove_files(dir, &BTreeSet::new());
    if fs::remove_dir(dir).is_err() && dir.exists() {
        eprintln!(
            "note: {} holds files queuelab did not write; it was kept",
            dir.display()
        );
    }
}

/// Removes, from `parent`, the staging (`.NAME.partial-PID`) and replaced
/// (`.NAME.old-PID`) folders of destination `name` whose process is gone.
pub fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        let Some((kind, pid)) = leftover(&entry_name, name) else {
            continue;
        };
        if process_alive(pid) {
            continue;
        }
        let path = entry.path();
        match kind {
            // Only queuelab ever writes into its staging folders.
            Leftover::Staging => {
                let _ = fs::remove_dir_all(&path);
            }
            Leftover::Replaced => match Marker::read(&path) {
                Ok(Some(marker)) => remove_own(&path, &marker),
                _ => {
                    let _ = fs::remove_dir(&path);
                }
            },
        }
    }
}

/// Removes the hidden partial shard files (`.K.json.partial-PID`) of dead
/// processes from a shards folder.
pub fn remove_stale_files(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        let pid = entry_name
            .strip_prefix('.')
            .and_then(|rest| rest.rsplit_once(".partial-"))
            .and_then(|(_, pid)| pid.parse::<u32>().ok());
        if pid.is_some_and(|pid| !process_alive(pid)) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// What a hidden sibling folder was left as.
#[derive(Debug, PartialEq, Eq)]
enum Leftover {
    /// A new folder being filled.
    Staging,
    /// An old folder being replaced.
    Replaced,
}

/// Parses `.NAME.partial-PID` and `.NAME.old-PID` for destination `name`.
fn leftover(entry: &str, name: &str) -> Option<(Leftover, u32)> {
    let rest = entry.strip_prefix('.')?.strip_prefix(name)?;
    let (kind, pid) = if let Some(pid) = rest.strip_prefix(".partial-") {
        (Leftover::Staging, pid)
    } else {
        (Leftover::Replaced, rest.strip_prefix(".old-")?)
    };
    Some((kind, pid.parse().ok()?))
}

/// Whether process `pid` exists (signal 0 probes without sending).
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid == 0 {
        return true;
    }
    // SAFETY: kill with signal 0 only checks for existence and permission.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_are_recognised_by_name_and_pid() {
        assert_eq!(
            leftover(".run.partial-42", "run"),
            Some((Leftover::Staging, 42))
        );
        assert_eq!(leftover(".run.old-7", "run"), Some((Leftover::Replaced, 7)));
        assert_eq!(leftover(".run.partial-x", "run"), None);
        assert_eq!(leftover(".other.partial-42", "run"), None);
        assert_eq!(leftover(".run-2.partial-42", "run"), None);
        assert_eq!(leftover("run.partial-42", "run"), None);
    }

    #[test]
    fn this_process_is_alive_and_an_impossible_pid_is_not() {
        assert!(process_alive(std::process::id()));
        assert!(!process_alive(u32::MAX));
    }
}
