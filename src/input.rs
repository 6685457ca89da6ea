//! Reading the user's files safely: only regular files (a named pipe or a
//! device such as /dev/zero would block or never end), and only up to a
//! size that fits in memory.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Largest scenario file read, in bytes.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// Largest CSV file of samples or timestamps read, in bytes.
pub const MAX_CSV_BYTES: u64 = 1 << 30;

/// Largest results or shard document read, in bytes.
pub const MAX_DOCUMENT_BYTES: u64 = 4 << 30;

/// Opens `path` for reading if it is a regular file of at most `max_bytes`.
pub fn open_regular(path: &Path, max_bytes: u64) -> io::Result<File> {
    // Checked before opening: opening a named pipe blocks until a writer comes.
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a folder, a device or a pipe cannot be read as one)",
        ));
    }
    if metadata.len() > max_bytes {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "the file has {} bytes; at most {max_bytes} are read",
                metadata.len()
            ),
        ));
    }
    File::open(path)
}

/// The text of a regular file of at most `max_bytes`.
pub fn read_text(path: &Path, max_bytes: u64) -> io::Result<String> {
    let mut text = String::new();
    open_regular(path, max_bytes)?
        .take(max_bytes + 1)
        .read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_pipes_folders_and_large_files_are_refused() {
        for path in ["/dev/zero", "/dev/null", "/"] {
            let error = read_text(Path::new(path), 1 << 20).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{path}");
        }
        let tmp = tempfile::TempDir::new().unwrap();
        let fifo = tmp.path().join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        assert!(
            read_text(&fifo, 1 << 20).is_err(),
            "a pipe is refused without blocking"
        );
        let big = tmp.path().join("big");
        std::fs::write(&big, "x".repeat(2_000)).unwrap();
        assert!(read_text(&big, 1_000).is_err());
        assert_eq!(read_text(&big, 2_000).unwrap().len(), 2_000);
    }
}
