//! `queuelab bench --broker kafka` against tansu 0.6.0, the Kafka-protocol
//! broker `scripts/tansu.sh` builds (cached outside the checkout), starts
//! on 127.0.0.1:9092 and stops (feature `kafka`: `cargo test --release
//! --features kafka --test bench_kafka`). A broker the script cannot
//! start fails the test: it is a fault, not a skip.
//!
//! The shipped 6-partition study, shortened to a few seconds: every
//! message published is delivered once and served (the group joined with
//! the model's range assignment first, or the run fails); D0 is of the
//! order of the 20 ms fetch wait (tansu's fetches return after the whole
//! wait); and, on a run the machine did not disturb, the measured mean
//! wait exceeds its replay's (the realised sends and services through the
//! model, which has no transit) by about the transit: between a quarter
//! and twice D0's mean.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;

use queuelab::bench::{BrokerKind, BrokerTarget};
use queuelab::experiment::{self, LiveWatch};
use queuelab::model::metric::Metric;
use queuelab::results::LiveBlock;
use queuelab::scenario;

/// Measured seconds of the run (plus 1 s of warm-up).
const SECONDS: f64 = 4.0;

/// Runs `scripts/tansu.sh` with `action`, failing the test if it fails.
fn tansu(action: &str) {
    let status = Command::new("scripts/tansu.sh")
        .arg(action)
        .status()
        .expect("scripts/tansu.sh runs");
    assert!(status.success(), "scripts/tansu.sh {action} failed");
}

/// Stops the broker when the test ends, passed or not.
struct Broker;

impl Drop for Broker {
    fn drop(&mut self) {
        tansu("stop");
    }
}

/// One bench run of the shipped study from `seed`: its queue's block.
fn bench(seed: u64) -> LiveBlock {
    let file = Path::new("scenarios/bench-kafka-6-partitions.toml");
    let mut scenario = scenario::load(file).expect("the shipped scenario is valid");
    scenario.run.seed = seed;
    scenario::enable_bench(&mut scenario, Some(SECONDS)).expect("valid bench settings");
    let settings = scenario
        .compare
        .live
        .clone()
        .expect("bench settings were set");
    let target = BrokerTarget::new(BrokerKind::Kafka, None);
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
    .unwrap_or_else(|e| panic!("tansu at 127.0.0.1:9092: {e}"))
    .expect("not stopped");
    points[0][0][0].clone()
}

#[test]
fn tansu_with_6_partitions_serves_every_message_once_within_the_fetch_wait() {
    tansu("start");
    let _stop = Broker;
    let block = bench(16);
    let health = &block.health;
    let broker = block.broker.as_ref().expect("a broker block");
    let counts = health.messages;
    assert!(counts.planned > 500, "{counts:?}");
    assert_eq!(counts.sent, counts.planned, "every message published");
    assert_eq!(
        counts.served, counts.sent,
        "every message served: {health:?}"
    );
    assert_eq!(broker.redelivered, 0, "nothing delivered twice");
    assert_eq!(broker.publish_to_delivery.count, counts.sent);
    assert_eq!(broker.publish_to_confirm.count, counts.sent);
    assert_eq!(broker.transit_unloaded.count, 200);
    // tansu's fetch returns after the whole wait (20 ms): a message waits
    // for the current one to end, a uniform share of it on average.
    let transit = broker.transit_unloaded.mean_us.expect("D0 measured");
    assert!(transit > 5_000.0 && transit < 60_000.0, "D0 {transit} µs");
    let (live, replay) = (
        block.metrics[&Metric::MeanWait].mean,
        block.replay.metrics[&Metric::MeanWait].mean,
    );
    let transit_ms = transit / 1e3;
    if health.warnings.is_empty() {
        let added = live - replay;
        assert!(
            added > 0.25 * transit_ms && added < 2.0 * transit_ms,
            "mean wait {live} ms live vs {replay} ms replayed: the broker added {added} ms, D0 {transit_ms} ms; broker {broker:?}"
        );
    } else {
        eprintln!(
            "disturbed run, no check of live vs replay (mean wait {live} vs {replay} ms, D0 {transit_ms} ms): {:?}",
            health.warnings
        );
    }
}
