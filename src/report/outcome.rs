//! The folder of a command whose outcome is one document (`plan`,
//! `omb compare`): its JSON, its text table, the scenario it was computed
//! from and, unless charts are off, its one chart.

use std::fs;
use std::io;
use std::path::Path;

use crate::chart::{self, CHARTS_DIR, Figure};
use crate::folder::{self, FolderError};

use super::SCENARIO_FILE;

/// What an outcome folder holds: each file as (name, text).
pub struct OutcomeFiles<'a> {
    /// The JSON document.
    pub json: (&'a str, &'a str),
    /// The text table.
    pub table: (&'a str, &'a str),
    /// The scenario's TOML source, written as scenario.toml.
    pub scenario: &'a str,
    /// The chart, drawn into charts/ when there is one.
    pub figure: Option<&'a Figure>,
}

/// Writes `files` into `dir` (see [`folder::publish`]: built aside,
/// swapped in once complete).
pub fn write_outcome(
    dir: &Path,
    policy: folder::Policy,
    files: &OutcomeFiles,
) -> Result<(), FolderError> {
    folder::publish(dir, policy, |staging| {
        fs::write(staging.join(files.json.0), files.json.1)?;
        fs::write(staging.join(files.table.0), files.table.1)?;
        fs::write(staging.join(SCENARIO_FILE), files.scenario)?;
        if let Some(figure) = files.figure {
            chart::write_charts(&staging.join(CHARTS_DIR), std::slice::from_ref(figure))
                .map_err(io::Error::other)?;
        }
        Ok(())
    })
}
