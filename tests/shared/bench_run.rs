//! Shortened `queuelab bench` runs of the shipped studies and the checks
//! every broker's test makes: shared by the broker tests (one per broker
//! feature).

use std::ops::Range;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use queuelab::bench::{BrokerKind, BrokerTarget};
use queuelab::experiment::{self, LiveWatch};
use queuelab::model::metric::Metric;
use queuelab::results::LiveBlock;
use queuelab::scenario;

/// One bench run at a time: runs side by side would share the broker and
/// the two cores, and disturb each other.
static ALONE: Mutex<()> = Mutex::new(());

/// `default` measured seconds per run, unless `QUEUELAB_BENCH_SECONDS`
/// asks for a longer run.
pub fn seconds(default: f64) -> f64 {
    std::env::var("QUEUELAB_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The block of each point's queue of `file` run on `kind` at its default
/// address for `seconds` measured seconds (plus 1 s of warm-up) from
/// `seed`. A broker that cannot be reached fails the test (`start` says
/// how to start it).
pub fn points(
    file: &str,
    kind: BrokerKind,
    start: &str,
    seed: u64,
    seconds: f64,
) -> Vec<LiveBlock> {
    let _alone = ALONE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
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
    experiment::bench_points(
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
    .expect("not stopped")
    .into_iter()
    .map(|point| point[0][0].clone())
    .collect()
}

/// The first point's block of `file` on `kind` (see [`points`]) from
/// `seed`, again from the next seed while the machine disturbed the run,
/// at most `attempts` runs in all: the first undisturbed block, or the
/// last.
pub fn least_disturbed(
    file: &str,
    kind: BrokerKind,
    start: &str,
    (seed, default_seconds, attempts): (u64, f64, u64),
) -> LiveBlock {
    let mut attempt = 0;
    loop {
        let block = points(file, kind, start, seed + attempt, seconds(default_seconds)).remove(0);
        attempt += 1;
        if block.health.warnings.is_empty() || attempt == attempts {
            return block;
        }
        eprintln!("bench run disturbed, again: {:?}", block.health.warnings);
    }
}

/// Asserts that every message of `block` (more than `at_least` planned)
/// was published, delivered once and served, that every one measured
/// (after the warm-up) was confirmed, and that D0 came
/// from 200 round trips with a mean (µs) in `transit_us`.
pub fn assert_served_once(block: &LiveBlock, at_least: usize, transit_us: Range<f64>) {
    let health = &block.health;
    let broker = block.broker.as_ref().expect("a broker block");
    let counts = health.messages;
    assert!(counts.planned > at_least, "{counts:?}");
    assert_eq!(counts.sent, counts.planned, "every message published");
    assert_eq!(
        counts.served, counts.sent,
        "every message served: {health:?}"
    );
    assert_eq!(broker.redelivered, 0, "nothing delivered twice");
    // The latencies cover the messages scheduled after the warm-up.
    let measured = broker.publish_to_delivery.count;
    assert!(0 < measured && measured < counts.sent, "{measured}");
    assert_eq!(
        broker.publish_to_confirm.count, measured,
        "every measured publish confirmed"
    );
    assert_eq!(broker.transit_unloaded.count, 200);
    let transit = broker.transit_unloaded.mean_us.expect("D0 measured");
    assert!(transit_us.contains(&transit), "D0 {transit} µs");
}

/// `metric`'s measured mean, replayed mean and theory (plus transit) in
/// `block`.
pub fn figures(block: &LiveBlock, metric: Metric) -> (f64, f64, Option<f64>) {
    let theory = block
        .broker
        .as_ref()
        .and_then(|b| b.theory_with_transit.as_ref())
        .and_then(|t| t.metrics.get(&metric).copied());
    (
        block.metrics[&metric].mean,
        block.replay.metrics[&metric].mean,
        theory,
    )
}

/// Asserts that `block`'s measured `metric` agrees with its replay by the
/// live rule when the machine left the run alone (on a disturbed run
/// queuelab gives no verdict, nor does this check).
pub fn agrees_with_replay(block: &LiveBlock, metric: Metric) {
    let (live, replay, theory) = figures(block, metric);
    let verdict = &block.verdicts[&metric];
    eprintln!(
        "{}: live {live:.4}, replay {replay:.4}, theory {theory:?}: {} / {:?}",
        metric.name(),
        verdict.vs_replay,
        verdict.vs_theory
    );
    if block.health.warnings.is_empty() {
        assert_eq!(
            verdict.vs_replay,
            "within overhead tolerance",
            "{}: live {live} vs replay {replay}, overhead {:?}, broker {:?}",
            metric.name(),
            block.overhead.get(&metric),
            block.broker
        );
    } else {
        eprintln!("disturbed run, no verdict: {:?}", block.health.warnings);
    }
}
