//! One shortened `queuelab bench` run of a shipped study: shared by the
//! broker tests (one per broker feature).

use std::path::Path;
use std::sync::atomic::AtomicBool;

use queuelab::bench::{BrokerKind, BrokerTarget};
use queuelab::experiment::{self, LiveWatch};
use queuelab::results::LiveBlock;
use queuelab::scenario;

/// The first point's block of `file` run on `kind` at its default address
/// for `seconds` measured seconds (plus 1 s of warm-up) from `seed`,
/// again from the next seed while the machine disturbed the run, at most
/// `attempts` runs in all: the first undisturbed block, or the last.
/// A broker that cannot be reached fails the test (`start` says how to
/// start it).
pub fn least_disturbed(
    file: &str,
    kind: BrokerKind,
    start: &str,
    (seed, seconds, attempts): (u64, f64, u64),
) -> LiveBlock {
    let mut attempt = 0;
    loop {
        let block = bench(file, kind, start, seed + attempt, seconds);
        attempt += 1;
        if block.health.warnings.is_empty() || attempt == attempts {
            return block;
        }
        eprintln!("bench run disturbed, again: {:?}", block.health.warnings);
    }
}

fn bench(file: &str, kind: BrokerKind, start: &str, seed: u64, seconds: f64) -> LiveBlock {
    let mut scenario = scenario::load(Path::new(file)).expect("the shipped scenario is valid");
    scenario.run.seed = seed;
    scenario::enable_bench(&mut scenario, Some(seconds)).expect("valid bench settings");
    let settings = scenario
        .compare
        .live
        .clone()
        .expect("bench settings were set");
    let target = BrokerTarget::new(kind, None);
    let watch = LiveWatch {
        started: &|_| {},
        finished: &|| {},
    };
    let points = experiment::bench_points(
        &scenario,
        &settings,
        &target,
        &watch,
        &AtomicBool::new(false),
    )
    .unwrap_or_else(|e| {
        panic!(
            "{} at {} must be reachable ({start}): {e}",
            kind.name(),
            target.url
        )
    })
    .expect("not stopped");
    points[0][0][0].clone()
}
