//! Reading a folder of shards back: check that they form one complete run,
//! then rebuild each point's simulation from the per-replication values in
//! canonical order (never from partial sums, which would not add up to the
//! same floating-point result).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::file::{FORMAT, Header, ShardFile};
use super::{MAX_SHARDS, SHARDS_DIR, ShardId, total_units, unit_range};
use crate::model::targets;
use crate::scenario::{self, Scenario, ScenarioError};
use crate::sim::{Replication, Simulation};
use crate::text::excerpt;

/// Why shards cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// Some shards have not been written (exit 3).
    #[error(
        "{}: {} of {count} shards missing: {}; rerun them (e.g. `sbatch --array={}`), then merge again",
        dir.display(), indices.len(), list(indices), list(indices)
    )]
    Missing {
        /// The shards folder.
        dir: PathBuf,
        /// Indices not found.
        indices: Vec<u32>,
        /// N.
        count: u32,
    },
    /// No shard at all, and no `--shards N` to say which are expected (exit 3).
    #[error(
        "{}: no shard files; pass --shards N to list the missing indices",
        .0.display()
    )]
    Empty(PathBuf),
    /// The shards do not belong to one run, or one is damaged (exit 4).
    #[error("{0}")]
    Inconsistent(String),
    /// The scenario stored in the shards no longer loads (exit 2).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The folder cannot be read (exit 1).
    #[error("{}: {message}", path.display())]
    Unreadable {
        /// What could not be read.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl MergeError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            MergeError::Missing { .. } | MergeError::Empty(_) => 3,
            MergeError::Inconsistent(_) => 4,
            MergeError::Scenario(_) => 2,
            MergeError::Unreadable { .. } => 1,
        }
    }
}

/// Indices as a comma-separated list, the form `sbatch --array` accepts.
fn list(indices: &[u32]) -> String {
    let parts: Vec<String> = indices.iter().map(u32::to_string).collect();
    parts.join(",")
}

/// A complete, consistent set of shards turned back into a run.
#[derive(Debug)]
pub struct Merged {
    /// The scenario the shards ran, with their seed and replications.
    pub scenario: Scenario,
    /// Each point's simulation, as a single-machine run computes it.
    pub simulations: Vec<Option<Simulation>>,
}

/// The indices of shards not yet written in `dir`, given that N is
/// `expected` or, without it, what the shards' headers say. Shards present
/// must agree with each other.
pub fn missing(dir: &Path, expected: Option<u32>) -> Result<Vec<u32>, MergeError> {
    let shards = read_shards(dir)?;
    let count = shard_count(dir, &shards, expected)?;
    Ok(absent(&shards, count))
}

/// Checks the shards in `dir` and rebuilds the run: every shard 0..N-1
/// present exactly once, every header in agreement (and with this version),
/// the units covering the sweep exactly.
pub fn merge(dir: &Path, expected: Option<u32>) -> Result<Merged, MergeError> {
    let shards = read_shards(dir)?;
    let count = shard_count(dir, &shards, expected)?;
    let indices = absent(&shards, count);
    if !indices.is_empty() {
        return Err(MergeError::Missing {
            dir: dir.join(SHARDS_DIR),
            indices,
            count,
        });
    }
    let (reference_path, reference) = &shards[0];
    let header = &reference.header;
    if super::scenario_sha256(&reference.scenario_source) != header.scenario_sha256 {
        return Err(MergeError::Inconsistent(format!(
            "{}: its scenario text does not match its `scenario_sha256`: the file was altered",
            reference_path.display()
        )));
    }
    let mut scenario = scenario::parse(&header.scenario_file, reference.scenario_source.clone())?;
    scenario.run.seed = header.seed;
    scenario.run.replications = header.replications;
    if total_units(&scenario) != header.total_units {
        return Err(MergeError::Inconsistent(format!(
            "{}: `total_units` is {}, but its scenario has {} (points × replications)",
            reference_path.display(),
            header.total_units,
            total_units(&scenario)
        )));
    }
    let charted = crate::experiment::detail_point(&scenario.points);
    let mut by_point: Vec<Vec<Replication>> = vec![Vec::new(); scenario.points.len()];
    for (path, shard) in shards {
        check_units(&path, &shard)?;
        for unit in shard.units {
            let point = unit.point as usize;
            let rows = targets(&scenario.points[point].model).len();
            // Histograms are kept at the charted point only, one per row.
            let histograms = unit.wait_distributions.len();
            let expected_histograms = if point == charted { rows } else { 0 };
            if unit.values.len() != rows || histograms != expected_histograms {
                return Err(MergeError::Inconsistent(format!(
                    "{}: unit (point {point}, replication {}) has {} result rows and {histograms} histograms, the model has {rows} rows",
                    path.display(),
                    unit.replication,
                    unit.values.len()
                )));
            }
            let metrics = scenario.points[point].model.metrics();
            by_point[point].push(unit.into_replication(&metrics));
        }
    }
    let simulations = scenario
        .points
        .iter()
        .zip(by_point)
        .map(|(point, replications)| {
            scenario
                .compare
                .simulation
                .then(|| Simulation::from_replications(&point.model, &scenario.run, replications))
        })
        .collect();
    Ok(Merged {
        scenario,
        simulations,
    })
}

/// Every `*.json` shard file of `dir/shards` (hidden partial files
/// ignored), sorted by shard index, checked to agree with the first.
fn read_shards(dir: &Path) -> Result<Vec<(PathBuf, ShardFile)>, MergeError> {
    let folder = dir.join(SHARDS_DIR);
    if !folder.is_dir() {
        return Ok(Vec::new());
    }
    let unreadable = |path: &Path, e: std::io::Error| MergeError::Unreadable {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut paths = Vec::new();
    for entry in fs::read_dir(&folder).map_err(|e| unreadable(&folder, e))? {
        let path = entry.map_err(|e| unreadable(&folder, e))?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.is_some_and(|n| n.ends_with(".json") && !n.starts_with('.')) {
            paths.push(path);
        }
    }
    paths.sort();
    let mut shards = Vec::with_capacity(paths.len());
    for path in paths {
        let text = crate::input::read_text(&path, crate::input::MAX_DOCUMENT_BYTES)
            .map_err(|e| unreadable(&path, e))?;
        let shard: ShardFile = serde_json::from_str(&text).map_err(|e| {
            MergeError::Inconsistent(format!(
                "{}: not a queuelab shard file: {}",
                path.display(),
                excerpt(&e.to_string(), 200)
            ))
        })?;
        check_version(&path, &shard.header)?;
        if shard.content_digest() != shard.content_sha256 {
            return Err(MergeError::Inconsistent(format!(
                "{}: its contents do not match its `content_sha256`: the file was edited or damaged; run this shard again",
                path.display()
            )));
        }
        if shard.header.shards > MAX_SHARDS {
            return Err(MergeError::Inconsistent(format!(
                "{}: claims {} shards, more than the {MAX_SHARDS} a run may have",
                path.display(),
                shard.header.shards
            )));
        }
        shards.push((path, shard));
    }
    shards.sort_by_key(|(_, shard)| shard.header.shard);
    if let Some((first_path, first)) = shards.first() {
        for pair in shards.windows(2) {
            let ((earlier_path, earlier), (path, shard)) = (&pair[0], &pair[1]);
            if earlier.header.shard == shard.header.shard {
                return Err(MergeError::Inconsistent(format!(
                    "{} and {} are both shard {}: keep one",
                    earlier_path.display(),
                    path.display(),
                    shard.header.shard
                )));
            }
        }
        for (path, shard) in &shards[1..] {
            check_agreement(first_path, &first.header, path, &shard.header)?;
        }
    }
    Ok(shards)
}

/// N: from the headers, which must match `expected` when it is given.
fn shard_count(
    dir: &Path,
    shards: &[(PathBuf, ShardFile)],
    expected: Option<u32>,
) -> Result<u32, MergeError> {
    match (shards.first(), expected) {
        (None, Some(count)) if count > MAX_SHARDS => Err(MergeError::Inconsistent(format!(
            "--shards {count}: a run may have at most {MAX_SHARDS} shards"
        ))),
        (None, Some(count)) => Ok(count),
        (None, None) => Err(MergeError::Empty(dir.join(SHARDS_DIR))),
        (Some((path, shard)), expected) => {
            let count = shard.header.shards;
            match expected {
                Some(expected) if expected != count => Err(MergeError::Inconsistent(format!(
                    "{}: `shards` is {count}, but --shards says {expected}",
                    path.display()
                ))),
                _ => Ok(count),
            }
        }
    }
}

/// Shard indices in 0..count with no file.
fn absent(shards: &[(PathBuf, ShardFile)], count: u32) -> Vec<u32> {
    let present: std::collections::HashSet<u32> =
        shards.iter().map(|(_, s)| s.header.shard).collect();
    (0..count)
        .filter(|index| !present.contains(index))
        .collect()
}

fn check_version(path: &Path, header: &Header) -> Result<(), MergeError> {
    let this = env!("CARGO_PKG_VERSION");
    if header.format != FORMAT {
        return Err(MergeError::Inconsistent(format!(
            "{}: `format` is `{}`, this queuelab reads `{FORMAT}`",
            path.display(),
            header.format
        )));
    }
    if header.queuelab_version != this {
        return Err(MergeError::Inconsistent(format!(
            "{}: `queuelab_version` is {}, but this queuelab is {this}; merge with the version that ran the shards",
            path.display(),
            header.queuelab_version
        )));
    }
    Ok(())
}

/// Every field of `header` but the per-shard ones must equal the reference's.
fn check_agreement(
    reference_path: &Path,
    reference: &Header,
    path: &Path,
    header: &Header,
) -> Result<(), MergeError> {
    let shared = |h: &Header| -> BTreeMap<&'static str, String> {
        BTreeMap::from([
            ("format", h.format.clone()),
            ("queuelab_version", h.queuelab_version.clone()),
            ("scenario", h.scenario.clone()),
            ("scenario_sha256", h.scenario_sha256.clone()),
            ("seed", h.seed.to_string()),
            ("replications", h.replications.to_string()),
            ("shards", h.shards.to_string()),
            ("total_units", h.total_units.to_string()),
        ])
    };
    let expected = shared(reference);
    for (field, value) in shared(header) {
        if value != expected[field] {
            return Err(MergeError::Inconsistent(format!(
                "{}: `{field}` is {value}, but {} says {}: the shards come from different runs",
                path.display(),
                reference_path.display(),
                expected[field]
            )));
        }
    }
    Ok(())
}

/// The shard holds exactly its range of units, in canonical order.
fn check_units(path: &Path, shard: &ShardFile) -> Result<(), MergeError> {
    let header = &shard.header;
    let inconsistent =
        |what: String| MergeError::Inconsistent(format!("{}: {what}", path.display()));
    if header.shard >= header.shards {
        return Err(inconsistent(format!(
            "shard index {} is not below the shard count {}",
            header.shard, header.shards
        )));
    }
    let id = ShardId {
        index: header.shard,
        count: header.shards,
    };
    let range = unit_range(header.total_units, id);
    if (header.first_unit, header.end_unit) != (range.start, range.end) {
        return Err(inconsistent(format!(
            "units {}..{} recorded, but shard {}/{} of {} units is {}..{}",
            header.first_unit,
            header.end_unit,
            id.index,
            id.count,
            header.total_units,
            range.start,
            range.end
        )));
    }
    if shard.units.len() as u64 != range.end - range.start {
        return Err(inconsistent(format!(
            "{} units stored, its range {}..{} has {}",
            shard.units.len(),
            range.start,
            range.end,
            range.end - range.start
        )));
    }
    for stored in &shard.units {
        let rows = stored
            .values
            .iter()
            .chain(stored.intervals.iter().flatten());
        for (metric, value) in rows.flat_map(|row| row.iter()) {
            let value = value.0;
            let most = if metric.is_probability() {
                1.0
            } else {
                f64::MAX
            };
            if !(value.is_finite() && (0.0..=most).contains(&value)) {
                return Err(inconsistent(format!(
                    "unit (point {}, replication {}) holds {} = {}, which no run can produce: the file was altered",
                    stored.point,
                    stored.replication,
                    metric.name(),
                    crate::text::Num(value)
                )));
            }
        }
    }
    let replications = u64::from(header.replications.max(1));
    for (unit, stored) in range.zip(&shard.units) {
        let expected = (unit / replications, unit % replications);
        if (u64::from(stored.point), u64::from(stored.replication)) != expected {
            return Err(inconsistent(format!(
                "unit {unit} should be point {}, replication {}, found point {}, replication {}",
                expected.0, expected.1, stored.point, stored.replication
            )));
        }
    }
    Ok(())
}
