//! Sharded runs for batch engines (Slurm job arrays, Kubernetes Indexed
//! Jobs, cloud batch arrays, HTCondor, GNU parallel).
//!
//! A run's units are its (sweep point, replication) pairs in point-major
//! order, each seeded exactly as in a single-machine run. Shard K of N
//! computes one contiguous range of units and writes `DIR/shards/K.json`;
//! [`merge`] checks that the shards form one complete run and rebuilds the
//! same simulations a single machine would have produced, bit for bit.

mod file;
mod merge;

use std::ops::Range;
use std::str::FromStr;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::experiment;
use crate::scenario::Scenario;
use crate::sim;

pub use file::{
    ABORT_MID_WRITE_VARIABLE, ExactFloat, FORMAT, Header, ShardFile, Unit, check_destination, write,
};
pub use merge::{MergeError, Merged, merge, missing};

/// Folder of the shard files inside a results folder.
pub const SHARDS_DIR: &str = "shards";

/// Test-only switch: the shard whose index it holds fails before computing
/// anything, as a crashed array task would.
pub const FAIL_SHARD_VARIABLE: &str = "QUEUELAB_TEST_FAIL_SHARD";

/// Most shards a run may be split into (a merge lists and checks each).
pub const MAX_SHARDS: u32 = 100_000;

/// Shard `index` of `count`, written `K/N` on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardId {
    /// K, from 0.
    pub index: u32,
    /// N, at least 1.
    pub count: u32,
}

impl FromStr for ShardId {
    type Err = String;

    fn from_str(text: &str) -> Result<ShardId, String> {
        let usage = || format!("expected K/N with 0 <= K < N (e.g. 3/8), got `{text}`");
        let (index, count) = text.split_once('/').ok_or_else(usage)?;
        let index: u32 = index.trim().parse().map_err(|_| usage())?;
        let count: u32 = count.trim().parse().map_err(|_| usage())?;
        if index >= count {
            return Err(usage());
        }
        if count > MAX_SHARDS {
            return Err(format!(
                "at most {MAX_SHARDS} shards, got `{text}` (a shard may hold many units)"
            ));
        }
        Ok(ShardId { index, count })
    }
}

/// Units of shard `id` among `total`: contiguous, in order, sizes differing
/// by at most one; empty when there are more shards than units.
pub fn unit_range(total: u64, id: ShardId) -> Range<u64> {
    let bound = |k: u32| (u128::from(k) * u128::from(total) / u128::from(id.count)) as u64;
    bound(id.index)..bound(id.index + 1)
}

/// Units of a run of `scenario`: points × replications, none when the
/// scenario does not simulate.
pub fn total_units(scenario: &Scenario) -> u64 {
    if scenario.compare.simulation {
        scenario.points.len() as u64 * u64::from(scenario.run.replications)
    } else {
        0
    }
}

/// SHA-256 of a scenario's text, in lowercase hex.
pub fn scenario_sha256(source: &str) -> String {
    sha256_hex(source.as_bytes())
}

/// SHA-256 of `bytes`, in lowercase hex.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Computes shard `id` of a run of `scenario` in parallel; `on_unit` is
/// called after each unit (for progress bars). The scenario must not be
/// precision-driven (its replication count is not known in advance).
pub fn run(scenario: &Scenario, id: ShardId, on_unit: &(dyn Fn() + Sync)) -> ShardFile {
    let total = total_units(scenario);
    let range = unit_range(total, id);
    let replications = u64::from(scenario.run.replications);
    let charted = experiment::detail_point(&scenario.points);
    // The warm-up of every point the shard touches, as a single machine
    // chooses it (pilot runs depend on the seed alone).
    let points = if range.is_empty() {
        0..0
    } else {
        (range.start / replications) as usize..(range.end.div_ceil(replications)) as usize
    };
    let warmups: Vec<u64> = points
        .clone()
        .map(|point| sim::warmup(&scenario.points[point].model, &scenario.run))
        .collect();
    let units = (range.start as usize..range.end as usize)
        .into_par_iter()
        .map(|unit| {
            let point = (unit as u64 / replications) as usize;
            let replication = (unit as u64 % replications) as u32;
            let model = &scenario.points[point].model;
            let result = sim::run_replication(
                model,
                &scenario.run,
                warmups[point - points.start],
                replication,
            );
            on_unit();
            let metrics = model.metrics();
            Unit::new(
                point as u32,
                replication,
                result,
                &metrics,
                point == charted,
            )
        })
        .collect();
    ShardFile::new(
        Header {
            format: FORMAT.to_string(),
            queuelab_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: scenario.name.clone(),
            scenario_file: scenario.file.clone(),
            scenario_sha256: scenario_sha256(&scenario.source),
            seed: scenario.run.seed,
            replications: scenario.run.replications,
            shards: id.count,
            shard: id.index,
            total_units: total,
            first_unit: range.start,
            end_unit: range.end,
        },
        scenario.source.clone(),
        units,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ids_parse_and_refuse_nonsense() {
        assert_eq!("3/8".parse::<ShardId>(), Ok(ShardId { index: 3, count: 8 }));
        for bad in [
            "8/8",
            "1",
            "a/2",
            "1/0",
            "-1/3",
            "1/2/3",
            "0/4294967295",
            "0/100001",
        ] {
            assert!(bad.parse::<ShardId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_tile_the_units_for_any_shard_count() {
        for total in [0, 1, 5, 12, 1000] {
            for count in [1, 2, 3, 7, 13, 2000] {
                let ranges: Vec<Range<u64>> = (0..count)
                    .map(|index| unit_range(total, ShardId { index, count }))
                    .collect();
                assert_eq!(ranges[0].start, 0);
                assert_eq!(ranges.last().unwrap().end, total);
                for pair in ranges.windows(2) {
                    assert_eq!(pair[0].end, pair[1].start);
                }
                let sizes = ranges.iter().map(|r| r.end - r.start);
                let (low, high) = (sizes.clone().min().unwrap(), sizes.max().unwrap());
                assert!(high - low <= 1, "total {total}, {count} shards");
            }
        }
    }

    #[test]
    fn the_hash_is_sha256() {
        assert_eq!(
            scenario_sha256("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
