//! The marker file: proof that queuelab wrote a folder, and the list of the
//! files it wrote there (so that nothing else is ever removed).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Name of the marker file at the top of every folder queuelab writes.
pub const MARKER: &str = ".queuelab";

/// Largest marker file read, in bytes (a long file list is a few hundred KB).
const MAX_MARKER_BYTES: u64 = 16 << 20;

/// The marker's contents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    /// The queuelab that wrote the folder.
    pub written_by: String,
    /// Every file it wrote, relative to the folder, `/`-separated.
    pub files: Vec<String>,
}

impl Marker {
    /// The marker listing every file under `dir` (the complete staging
    /// folder), written into `dir` as [`MARKER`].
    pub fn of_folder(dir: &Path) -> io::Result<Marker> {
        let mut files = Vec::new();
        list_files(dir, Path::new(""), &mut files)?;
        files.sort();
        let marker = Marker {
            written_by: format!("queuelab {}", env!("CARGO_PKG_VERSION")),
            files,
        };
        let json = serde_json::to_string_pretty(&marker).map_err(io::Error::other)?;
        fs::write(dir.join(MARKER), json + "\n")?;
        Ok(marker)
    }

    /// The marker of `dir`, or `None` when it has none. A marker that is not
    /// queuelab's (unreadable, or naming files outside the folder) counts as
    /// none, so the folder is treated as the user's.
    pub fn read(dir: &Path) -> io::Result<Option<Marker>> {
        let path = dir.join(MARKER);
        match fs::symlink_metadata(&path) {
            Ok(metadata) if metadata.is_file() && metadata.len() <= MAX_MARKER_BYTES => {}
            Ok(_) => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        }
        let text = fs::read_to_string(&path)?;
        Ok(serde_json::from_str::<Marker>(&text)
            .ok()
            .filter(|marker| marker.files.iter().all(|f| is_inside(f))))
    }

    /// The top-level names of the files listed.
    pub fn top_level(&self) -> BTreeSet<OsString> {
        self.files
            .iter()
            .filter_map(|file| Path::new(file).components().next())
            .map(|first| first.as_os_str().to_os_string())
            .collect()
    }

    /// The files under the `entries` of `dir` that this marker does not list
    /// (relative paths): what the user added to a folder of queuelab's.
    pub fn unlisted(&self, dir: &Path, entries: &[OsString]) -> io::Result<Vec<OsString>> {
        let listed: BTreeSet<&str> = self.files.iter().map(String::as_str).collect();
        let mut files = Vec::new();
        for entry in entries {
            let path = dir.join(entry);
            if fs::symlink_metadata(&path)?.is_dir() {
                list_files(dir, Path::new(entry), &mut files)?;
            } else {
                files.push(entry.to_string_lossy().into_owned());
            }
        }
        Ok(files
            .into_iter()
            .filter(|file| !listed.contains(file.as_str()))
            .map(OsString::from)
            .collect())
    }

    /// Removes the listed files of `dir` (but those under a top-level entry
    /// in `keep`), then the folders they leave empty, then the marker.
    /// Nothing else is touched; files already gone are skipped.
    pub fn remove_files(&self, dir: &Path, keep: &BTreeSet<OsString>) {
        let mut folders = BTreeSet::new();
        for file in &self.files {
            let relative = Path::new(file);
            let top = relative.components().next().map(|c| c.as_os_str());
            if top.is_some_and(|top| keep.contains(top)) {
                continue;
            }
            let path = dir.join(relative);
            if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
                let _ = fs::remove_file(&path);
            }
            let mut ancestor = relative.parent();
            while let Some(folder) = ancestor.filter(|a| !a.as_os_str().is_empty()) {
                folders.insert(folder.to_path_buf());
                ancestor = folder.parent();
            }
        }
        // Deepest first; a folder the user put something in stays.
        let mut folders: Vec<PathBuf> = folders.into_iter().collect();
        folders.sort_by_key(|f| std::cmp::Reverse(f.components().count()));
        for folder in folders {
            let _ = fs::remove_dir(dir.join(folder));
        }
        let _ = fs::remove_file(dir.join(MARKER));
    }
}

/// A relative path without `..`, root or prefix components.
fn is_inside(file: &str) -> bool {
    !file.is_empty()
        && Path::new(file)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Appends every file under `dir/relative` (not folders, not the marker).
fn list_files(dir: &Path, relative: &Path, files: &mut Vec<String>) -> io::Result<()> {
    for entry in fs::read_dir(dir.join(relative))? {
        let entry = entry?;
        let name = relative.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            list_files(dir, &name, files)?;
        } else if name != Path::new(MARKER) {
            files.push(name.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}
