//! Ctrl-C, SIGTERM and SIGHUP: a run stops at once and leaves nothing
//! half-written. Files being written are registered here and removed by
//! the handler before the process exits; a live run instead asks to be
//! told (it stops its threads, joins them and returns).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// Exit code of a run stopped by a signal.
pub const INTERRUPTED_EXIT_CODE: i32 = 130;

static STOP: AtomicBool = AtomicBool::new(false);
static COOPERATIVE: AtomicUsize = AtomicUsize::new(0);
static STAGED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static HANDLER: OnceLock<Result<(), String>> = OnceLock::new();

/// Installs the signal handler (once; later calls return the first result).
pub fn install() -> Result<(), String> {
    HANDLER
        .get_or_init(|| ctrlc::set_handler(on_signal).map_err(|e| e.to_string()))
        .clone()
}

/// Set once a signal arrived.
pub fn stop_flag() -> &'static AtomicBool {
    &STOP
}

fn on_signal() {
    STOP.store(true, Ordering::SeqCst);
    if COOPERATIVE.load(Ordering::SeqCst) > 0 {
        return;
    }
    let staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
    for path in staged.iter() {
        remove(path);
    }
    std::process::exit(INTERRUPTED_EXIT_CODE);
}

/// Most tries at removing a staged path that the writer, still running
/// on another thread, keeps filling.
const REMOVAL_TRIES: u32 = 200;

/// Removes `path`, again while the writer adds to it (a folder removal
/// fails when a file appears in it meanwhile), until it is gone.
fn remove(path: &Path) {
    for _ in 0..REMOVAL_TRIES {
        let _ = if path.is_dir() {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        };
        if !path.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// While alive, a signal only sets [`stop_flag`]: the holder stops on its
/// own (live runs join their threads before returning).
#[derive(Debug)]
pub struct Cooperative(());

impl Cooperative {
    /// Starts a stretch of work that stops cooperatively.
    pub fn begin() -> Cooperative {
        COOPERATIVE.fetch_add(1, Ordering::SeqCst);
        Cooperative(())
    }
}

impl Drop for Cooperative {
    fn drop(&mut self) {
        COOPERATIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `work` with signals held off: a signal that arrives meanwhile takes
/// effect once it is done (so a folder swap is never cut in half).
pub fn critical<T>(work: impl FnOnce() -> T) -> T {
    let _held = STAGED.lock().unwrap_or_else(|e| e.into_inner());
    work()
}

/// A file or folder being written: removed if a signal arrives before the
/// guard is dropped.
#[derive(Debug)]
pub struct Staged {
    path: PathBuf,
}

/// Registers `path` for removal on a signal until the guard is dropped.
pub fn stage(path: &Path) -> Staged {
    let mut staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
    staged.push(path.to_path_buf());
    Staged {
        path: path.to_path_buf(),
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let mut staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(index) = staged.iter().position(|p| *p == self.path) {
            staged.swap_remove(index);
        }
    }
}
