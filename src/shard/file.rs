//! The shard file: a header that identifies the run and the units it covers,
//! then every unit's per-replication results, stored losslessly (floats in
//! shortest round-trip form, non-finite values spelled out, histograms as
//! bucket counts).

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::folder::FolderError;
use crate::interrupt;
use crate::model::metric::{Metric, MetricValues};
use crate::sim::Replication;
use crate::stats::Percentiles;

/// Value of [`Header::format`] for this layout.
pub const FORMAT: &str = "queuelab-shard-2";

/// How every shard file starts (the header's first field comes first).
const SHARD_START: &str = "{\"header\":{\"format\":\"queuelab-shard-";

/// Test-only switch: when set, writing a shard stops the process halfway
/// through the file, as a node failure would.
pub const ABORT_MID_WRITE_VARIABLE: &str = "QUEUELAB_TEST_ABORT_MID_WRITE";

/// What a shard is part of and which units it holds. Every shard of one
/// run has the same header but for `shard`, `first_unit` and `end_unit`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Layout of the file ([`FORMAT`]).
    pub format: String,
    /// Version of the queuelab that computed it.
    pub queuelab_version: String,
    /// Scenario name.
    pub scenario: String,
    /// The scenario file as given on the command line.
    pub scenario_file: PathBuf,
    /// SHA-256 of the scenario text, in hex.
    pub scenario_sha256: String,
    /// Master seed (after any `--seed`).
    pub seed: u64,
    /// Replications per point (after any `--replications`).
    pub replications: u32,
    /// Number of shards, N.
    pub shards: u32,
    /// This shard's index K, 0-based.
    pub shard: u32,
    /// Units in the whole run: points × replications.
    pub total_units: u64,
    /// First unit of this shard.
    pub first_unit: u64,
    /// One past the last unit of this shard.
    pub end_unit: u64,
}

/// One shard's file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardFile {
    /// Identification.
    pub header: Header,
    /// The scenario text, so `merge` needs nothing but the shards.
    pub scenario_source: String,
    /// The units `first_unit..end_unit`, in order.
    pub units: Vec<Unit>,
    /// SHA-256 (hex) of the header, scenario text and units as written
    /// ([`ShardFile::content_digest`]): an edited or damaged file no longer
    /// matches it.
    pub content_sha256: String,
}

/// What [`ShardFile::content_sha256`] covers, in file order.
#[derive(Serialize)]
struct Content<'a> {
    header: &'a Header,
    scenario_source: &'a str,
    units: &'a [Unit],
}

impl ShardFile {
    /// A shard of these contents, with their digest.
    pub fn new(header: Header, scenario_source: String, units: Vec<Unit>) -> ShardFile {
        let mut file = ShardFile {
            header,
            scenario_source,
            units,
            content_sha256: String::new(),
        };
        file.content_sha256 = file.content_digest();
        file
    }

    /// SHA-256 (hex) of the header, the scenario text and the units in
    /// their canonical JSON form (floats in shortest round-trip form, so
    /// reading a file and hashing it again gives the digest it was written
    /// with).
    pub fn content_digest(&self) -> String {
        let content = Content {
            header: &self.header,
            scenario_source: &self.scenario_source,
            units: &self.units,
        };
        let json = serde_json::to_vec(&content).unwrap_or_default();
        super::sha256_hex(&json)
    }
}

/// One (sweep point, replication) pair's results.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Unit {
    /// Sweep point index.
    pub point: u32,
    /// Replication index.
    pub replication: u32,
    /// Messages discarded as warm-up.
    pub warmup: u64,
    /// Events processed.
    pub events: u64,
    /// Metric values per target; metrics that do not apply are left out.
    pub values: Vec<BTreeMap<Metric, ExactFloat>>,
    /// Waiting-time histograms per target, kept only at the charted point.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wait_distributions: Vec<Percentiles>,
    /// Metric values per reporting interval, then per target (rate profiles).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intervals: Vec<Vec<BTreeMap<Metric, ExactFloat>>>,
    /// Metric values per batch, then per target (one replication: batch
    /// means).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub batches: Vec<Vec<BTreeMap<Metric, ExactFloat>>>,
}

impl Unit {
    /// Stores a replication whose values hold `metrics` (its model's
    /// [`crate::model::Model::metrics`]); `keep_distributions` keeps its
    /// histograms.
    pub fn new(
        point: u32,
        replication: u32,
        result: Replication,
        metrics: &[Metric],
        keep_distributions: bool,
    ) -> Unit {
        let store = |rows: &[MetricValues]| stored_rows(rows, metrics);
        Unit {
            point,
            replication,
            warmup: result.warmup,
            events: result.events,
            values: store(&result.values),
            intervals: result.intervals.iter().map(|rows| store(rows)).collect(),
            batches: result.batches.iter().map(|rows| store(rows)).collect(),
            wait_distributions: if keep_distributions {
                result.wait_distributions
            } else {
                Vec::new()
            },
        }
    }

    /// The replication this unit stored, its values laid out as `metrics`
    /// (its model's [`crate::model::Model::metrics`]).
    pub fn into_replication(self, metrics: &[Metric]) -> Replication {
        let read = |rows: &[BTreeMap<Metric, ExactFloat>]| read_rows(rows, metrics);
        Replication {
            values: read(&self.values),
            warmup: self.warmup,
            events: self.events,
            wait_distributions: self.wait_distributions,
            intervals: self.intervals.iter().map(|rows| read(rows)).collect(),
            interval_wait_distributions: Vec::new(),
            batches: self.batches.iter().map(|rows| read(rows)).collect(),
        }
    }
}

/// Metric values per target (laid out as `metrics`) as stored: metrics
/// that do not apply left out.
fn stored_rows(rows: &[MetricValues], metrics: &[Metric]) -> Vec<BTreeMap<Metric, ExactFloat>> {
    rows.iter()
        .map(|row| {
            metrics
                .iter()
                .zip(row)
                .filter(|(_, value)| !value.is_nan())
                .map(|(&metric, &value)| (metric, ExactFloat(value)))
                .collect()
        })
        .collect()
}

/// Stored metric values back as rows laid out as `metrics`, NaN where a
/// metric was left out.
fn read_rows(rows: &[BTreeMap<Metric, ExactFloat>], metrics: &[Metric]) -> Vec<MetricValues> {
    rows.iter()
        .map(|row| -> MetricValues {
            metrics
                .iter()
                .map(|metric| row.get(metric).map_or(f64::NAN, |value| value.0))
                .collect()
        })
        .collect()
}

/// An `f64` that survives JSON exactly: finite values as numbers (shortest
/// round-trip form), infinities as the strings `"inf"` and `"-inf"`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExactFloat(pub f64);

impl Serialize for ExactFloat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            x if x.is_finite() => serializer.serialize_f64(x),
            x if x > 0.0 => serializer.serialize_str("inf"),
            x if x < 0.0 => serializer.serialize_str("-inf"),
            _ => serializer.serialize_str("nan"),
        }
    }
}

impl<'de> Deserialize<'de> for ExactFloat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Spelled {
            Number(f64),
            Word(String),
        }
        match Spelled::deserialize(deserializer)? {
            Spelled::Number(x) => Ok(ExactFloat(x)),
            Spelled::Word(word) => match word.as_str() {
                "inf" => Ok(ExactFloat(f64::INFINITY)),
                "-inf" => Ok(ExactFloat(f64::NEG_INFINITY)),
                "nan" => Ok(ExactFloat(f64::NAN)),
                other => Err(serde::de::Error::custom(format!(
                    "expected a number, \"inf\", \"-inf\" or \"nan\", got \"{other}\""
                ))),
            },
        }
    }
}

/// Path of shard `index` in the results folder `dir`.
pub fn shard_path(dir: &Path, index: u32) -> PathBuf {
    dir.join(super::SHARDS_DIR).join(format!("{index}.json"))
}

/// Writes `file` to its place under `dir` atomically: into a hidden
/// temporary file first, renamed only once complete and synced, so a shard
/// killed mid-write leaves no shard file (and one stopped by a signal
/// removes its temporary file). A file at the shard's place that is not a
/// queuelab shard is never replaced. Returns the path written.
pub fn write(dir: &Path, file: &ShardFile) -> Result<PathBuf, FolderError> {
    check_destination(dir, file.header.shard)?;
    let path = shard_path(dir, file.header.shard);
    let folder = path.parent().unwrap_or(dir);
    let io_error = |source| FolderError::Io {
        path: path.clone(),
        source,
    };
    fs::create_dir_all(folder).map_err(io_error)?;
    crate::folder::remove_stale_files(folder);
    let temporary = folder.join(format!(
        ".{}.json.partial-{}",
        file.header.shard,
        std::process::id()
    ));
    let mut json = serde_json::to_vec(file).map_err(|e| io_error(io::Error::other(e)))?;
    json.push(b'\n');
    let _staged = interrupt::stage(&temporary);
    let written = (|| {
        let mut out = fs::File::create(&temporary)?;
        if std::env::var_os(ABORT_MID_WRITE_VARIABLE).is_some() {
            out.write_all(&json[..json.len() / 2])?;
            out.sync_all()?;
            std::process::abort();
        }
        out.write_all(&json)?;
        out.sync_all()?;
        fs::rename(&temporary, &path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written.map(|()| path.clone()).map_err(io_error)
}

/// Refuses a destination where shard `index` would replace something that
/// is not queuelab's: `dir` or its shards folder being a file, or a file at
/// the shard's place that is not a shard.
pub fn check_destination(dir: &Path, index: u32) -> Result<(), FolderError> {
    let path = shard_path(dir, index);
    let folder = path.parent().unwrap_or(dir);
    for place in [dir, folder] {
        if fs::symlink_metadata(place).is_ok_and(|m| !m.is_dir()) {
            return Err(FolderError::Refused(format!(
                "{}: is a file, not a folder; it was left alone: choose another --out",
                place.display()
            )));
        }
    }
    if fs::symlink_metadata(&path).is_ok() && !is_shard(&path) {
        return Err(FolderError::Refused(format!(
            "{}: exists and is not a queuelab shard, so it was left alone; move it aside or choose another --out",
            path.display()
        )));
    }
    Ok(())
}

/// Whether `path` is a regular file that starts like a queuelab shard.
fn is_shard(path: &Path) -> bool {
    let mut start = [0u8; 64];
    let Ok(mut opened) = fs::File::open(path) else {
        return false;
    };
    let read = opened.read(&mut start).unwrap_or(0);
    fs::metadata(path).is_ok_and(|m| m.is_file())
        && String::from_utf8_lossy(&start[..read]).starts_with(SHARD_START)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    #[test]
    fn floats_round_trip_bit_for_bit() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut values: Vec<f64> = (0..20_000)
            .map(|_| f64::from_bits(rng.random::<u64>()))
            .filter(|x| !x.is_nan())
            .collect();
        values.extend([
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.1 + 0.2,
        ]);
        let json =
            serde_json::to_string(&values.iter().map(|&x| ExactFloat(x)).collect::<Vec<_>>())
                .unwrap();
        let back: Vec<ExactFloat> = serde_json::from_str(&json).unwrap();
        for (x, y) in values.iter().zip(back) {
            assert_eq!(x.to_bits(), y.0.to_bits(), "{x} came back as {}", y.0);
        }
        let nan: ExactFloat =
            serde_json::from_str(&serde_json::to_string(&ExactFloat(f64::NAN)).unwrap()).unwrap();
        assert!(nan.0.is_nan());
    }
}
