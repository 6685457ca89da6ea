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

#[path = "shared/bench_run.rs"]
mod bench_run;

use std::process::Command;

use bench_run::{agrees_with_replay, assert_served_once};
use queuelab::bench::BrokerKind;
use queuelab::model::metric::Metric;

/// Measured seconds of the run (plus 1 s of warm-up), unless
/// `QUEUELAB_BENCH_SECONDS` says otherwise.
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

#[test]
fn tansu_with_6_partitions_serves_every_message_once_within_the_fetch_wait() {
    tansu("start");
    let _stop = Broker;
    let block = bench_run::least_disturbed(
        "scenarios/bench-kafka-6-partitions.toml",
        BrokerKind::Kafka,
        "`scripts/tansu.sh start`",
        (16, SECONDS, 1),
    );
    // tansu's fetch returns after the whole wait (20 ms): a message waits
    // for the current one to end, a uniform share of it on average.
    assert_served_once(&block, 500, 5_000.0..60_000.0);
    agrees_with_replay(&block, Metric::Utilisation);
    let (health, broker) = (
        &block.health,
        block.broker.as_ref().expect("a broker block"),
    );
    let transit = broker.transit_unloaded.mean_us.expect("D0 measured");
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
