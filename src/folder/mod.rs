//! Output folders that never lose a user's file.
//!
//! Every folder queuelab writes (results, plans, comparisons) carries a
//! marker file, [`MARKER`], listing the files it wrote. A destination is
//! written only when it does not exist, is empty, or carries the marker;
//! a non-empty folder without it is refused unless the user allows
//! writing beside its files (`--force`), and even then no file queuelab did
//! not write is replaced or deleted. The new contents are built in a hidden
//! sibling folder and swapped in only once complete, under a lock on the
//! parent folder so that two runs on one destination take turns.

mod cleanup;
mod lock;
mod marker;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use cleanup::{remove_own, remove_stale_files};
pub use marker::{MARKER, Marker};

use crate::interrupt;

/// Longest file name most file systems take, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// Entries named when a destination is refused, before "and N more".
const NAMED_ENTRIES: usize = 3;

/// A destination that cannot or must not be written.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// Writing there could lose the user's data, or the path cannot be a
    /// folder (exit 2); the message says how to proceed.
    #[error("{0}")]
    Refused(String),
    /// The file system failed (exit 1).
    #[error("{}: {source}", path.display())]
    Io {
        /// Where it failed.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
}

impl FolderError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            FolderError::Refused(_) => 2,
            FolderError::Io { .. } => 1,
        }
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> FolderError + '_ {
    move |source| FolderError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// How a command may treat what it finds at its destination.
#[derive(Clone, Copy, Debug, Default)]
pub struct Policy<'a> {
    /// Write into a non-empty folder that queuelab did not write, beside
    /// its files (`--force`, or `merge` into the folder its shards are in).
    pub beside_others: bool,
    /// Entries that stay exactly as they are (the shards of a merge).
    pub keep: &'a [&'a str],
}

impl Policy<'_> {
    /// The policy of `--force`: beside others when `force`, nothing kept.
    pub fn forced(force: bool) -> Policy<'static> {
        Policy {
            beside_others: force,
            keep: &[],
        }
    }
}

/// What is at a destination now.
#[derive(Debug)]
struct Existing {
    /// The marker of an earlier queuelab write, if any.
    marker: Option<Marker>,
    /// Entries neither listed in the marker nor kept: the user's (paths
    /// relative to the folder).
    others: Vec<OsString>,
    /// Whether the folder has any entry at all.
    empty: bool,
}

/// Checks that `dir` may be written under `policy`, before any work is
/// done: it must not be a file, a symbolic link or a folder that holds the
/// working directory, its name must fit the file system, and a non-empty
/// folder must be queuelab's or allowed by the policy.
pub fn check(dir: &Path, policy: Policy) -> Result<(), FolderError> {
    inspect(dir, policy).map(|_| ())
}

/// Writes a folder at `dir`: `fill` writes every file into an empty staging
/// folder, which then replaces `dir` (see the module documentation for what
/// is replaced and what is never touched). A failed or interrupted fill
/// leaves nothing behind.
pub fn publish(
    dir: &Path,
    policy: Policy,
    fill: impl FnOnce(&Path) -> io::Result<()>,
) -> Result<(), FolderError> {
    inspect(dir, policy)?;
    let parent = parent_of(dir);
    fs::create_dir_all(&parent).map_err(io_error(&parent))?;
    let name = folder_name(dir)?;
    cleanup::remove_stale(&parent, &name);
    let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
    }
    fs::create_dir(&staging).map_err(io_error(&staging))?;
    let guard = interrupt::stage(&staging);
    let filled = fill(&staging)
        .map_err(io_error(dir))
        .and_then(|()| Marker::of_folder(&staging).map_err(io_error(&staging)))
        .and_then(|marker| {
            let _lock = lock::Lock::folder(&parent).map_err(io_error(&parent))?;
            let existing = inspect(dir, policy)?;
            interrupt::critical(|| install(dir, &staging, &name, &marker, &existing, policy))
        });
    if filled.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    drop(guard);
    filled
}

/// Moves the complete staging folder into place.
fn install(
    dir: &Path,
    staging: &Path,
    name: &str,
    marker: &Marker,
    existing: &Option<Existing>,
    policy: Policy,
) -> Result<(), FolderError> {
    match existing {
        None => rename(staging, dir),
        Some(existing) if existing.empty => rename(staging, dir),
        Some(existing) if existing.others.is_empty() => {
            swap(dir, staging, name, existing.marker.as_ref(), policy.keep)
        }
        Some(existing) => write_beside(dir, staging, marker, existing),
    }
}

/// Replaces a folder holding only queuelab's files (and kept entries) by
/// the staging folder in one rename, then removes the old files.
fn swap(
    dir: &Path,
    staging: &Path,
    name: &str,
    old_marker: Option<&Marker>,
    keep: &[&str],
) -> Result<(), FolderError> {
    let parent = parent_of(dir);
    let replaced = parent.join(format!(".{name}.old-{}", std::process::id()));
    rename(dir, &replaced)?;
    rename(staging, dir)?;
    for entry in keep {
        let kept = replaced.join(entry);
        if fs::symlink_metadata(&kept).is_ok() {
            rename(&kept, &dir.join(entry))?;
        }
    }
    let empty = Marker::default();
    remove_own(&replaced, old_marker.unwrap_or(&empty));
    Ok(())
}

/// Writes the staging folder's entries into a folder that also holds the
/// user's files: queuelab's earlier files are removed, the new ones moved
/// in one by one; a place the user's files already take is refused.
fn write_beside(
    dir: &Path,
    staging: &Path,
    marker: &Marker,
    existing: &Existing,
) -> Result<(), FolderError> {
    let old_files: BTreeSet<&str> = existing
        .marker
        .iter()
        .flat_map(|m| m.files.iter().map(String::as_str))
        .collect();
    let taken = |file: &str| {
        let relative = Path::new(file);
        let placed = fs::symlink_metadata(dir.join(relative)).is_ok() && !old_files.contains(file);
        let blocked = relative
            .ancestors()
            .skip(1)
            .filter(|a| !a.as_os_str().is_empty())
            .any(|a| fs::symlink_metadata(dir.join(a)).is_ok_and(|m| !m.is_dir()));
        placed || blocked
    };
    let clashes: Vec<OsString> = marker
        .files
        .iter()
        .filter(|file| taken(file))
        .map(OsString::from)
        .collect();
    if !clashes.is_empty() {
        return Err(FolderError::Refused(format!(
            "{}: queuelab would write {} there, which queuelab did not write; move {} aside or choose another --out",
            dir.display(),
            entry_list(&clashes),
            if clashes.len() == 1 { "it" } else { "them" }
        )));
    }
    if let Some(old) = &existing.marker {
        old.remove_files(dir, &BTreeSet::new());
    }
    for entry in marker.top_level() {
        move_into(&staging.join(&entry), &dir.join(&entry))?;
    }
    rename(&staging.join(MARKER), &dir.join(MARKER))?;
    fs::remove_dir(staging).map_err(io_error(staging))
}

/// Moves `from` to `to`; a folder into a folder that exists, entry by entry.
fn move_into(from: &Path, to: &Path) -> Result<(), FolderError> {
    if !(from.is_dir() && to.is_dir()) {
        return rename(from, to);
    }
    for entry in fs::read_dir(from).map_err(io_error(from))? {
        let name = entry.map_err(io_error(from))?.file_name();
        move_into(&from.join(&name), &to.join(&name))?;
    }
    fs::remove_dir(from).map_err(io_error(from))
}

fn rename(from: &Path, to: &Path) -> Result<(), FolderError> {
    fs::rename(from, to).map_err(|source| FolderError::Io {
        path: to.to_path_buf(),
        source,
    })
}

/// What is at `dir`, refusing what must not be written. A folder that
/// disappears while it is read (another run swapping it) counts as absent.
fn inspect(dir: &Path, policy: Policy) -> Result<Option<Existing>, FolderError> {
    match look(dir, policy) {
        Err(FolderError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => Ok(None),
        other => other,
    }
}

fn look(dir: &Path, policy: Policy) -> Result<Option<Existing>, FolderError> {
    let name = folder_name(dir)?;
    if name.len() + ".partial-4294967295".len() + 1 > MAX_NAME_BYTES {
        return Err(FolderError::Refused(format!(
            "{}: the folder name is {} bytes long; at most {} are allowed (file systems take {MAX_NAME_BYTES})",
            dir.display(),
            name.len(),
            MAX_NAME_BYTES - ".partial-4294967295".len() - 1
        )));
    }
    if holds_working_directory(dir) {
        return Err(FolderError::Refused(format!(
            "{}: this folder holds the working directory, so it cannot be replaced; give a folder of its own (e.g. --out results/run-1)",
            dir.display()
        )));
    }
    let metadata = match fs::symlink_metadata(dir) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(io_error(dir)(source)),
    };
    if metadata.file_type().is_symlink() {
        return Err(FolderError::Refused(format!(
            "{}: is a symbolic link; give the folder it points to, or another --out",
            dir.display()
        )));
    }
    if !metadata.is_dir() {
        return Err(FolderError::Refused(format!(
            "{}: is a file, not a folder; it was left alone: choose another --out",
            dir.display()
        )));
    }
    let marker = Marker::read(dir).map_err(io_error(dir))?;
    let mut others = Vec::new();
    let mut empty = true;
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let entry_name = entry.map_err(io_error(dir))?.file_name();
        empty = false;
        let kept = policy.keep.iter().any(|k| entry_name == **k);
        if entry_name != MARKER && !kept {
            others.push(entry_name);
        }
    }
    if let Some(marker) = &marker {
        // In a folder of queuelab's, the user's files are those it did not list.
        others = marker.unlisted(dir, &others).map_err(io_error(dir))?;
    }
    others.sort();
    if !others.is_empty() && marker.is_none() && !policy.beside_others {
        return Err(FolderError::Refused(format!(
            "{}: exists and holds files queuelab did not write ({}); nothing was changed. Choose another --out, or pass --force to write beside them (they are never replaced or deleted)",
            dir.display(),
            entry_list(&others)
        )));
    }
    Ok(Some(Existing {
        marker,
        others,
        empty,
    }))
}

/// The first few names, then how many more.
fn entry_list(names: &[OsString]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(NAMED_ENTRIES)
        .map(|n| format!("`{}`", n.to_string_lossy()))
        .collect();
    match names.len().saturating_sub(NAMED_ENTRIES) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// The folder's parent, `.` for a bare name.
fn parent_of(dir: &Path) -> PathBuf {
    dir.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The folder's own name; `.`, `..` and `/` have none.
fn folder_name(dir: &Path) -> Result<String, FolderError> {
    match dir.file_name() {
        Some(name) if !dir.ends_with("..") => Ok(name.to_string_lossy().into_owned()),
        _ => Err(FolderError::Refused(format!(
            "{}: this folder holds the working directory or is a root, so it cannot be replaced; give a folder of its own (e.g. --out results/run-1)",
            dir.display()
        ))),
    }
}

/// Whether the working directory is `dir` or inside it.
fn holds_working_directory(dir: &Path) -> bool {
    let (Ok(dir), Ok(here)) = (fs::canonicalize(dir), std::env::current_dir()) else {
        return false;
    };
    let here = fs::canonicalize(&here).unwrap_or(here);
    here.starts_with(dir)
}

#[cfg(test)]
mod tests;
