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
//!
//! The consumer ladder (`bench-kafka-consumers.toml`, uniform keys, and
//! `bench-kafka-zipf-keys.toml`): 2, 3, 6 and 8 consumers on 6 partitions,
//! each point served once, with exactly the model's idle consumers
//! (max(0, c − 6) received nothing, every other consumer something) and
//! each partition delivering exactly the messages sent to it (the model's
//! partition of each). And a consumer joining mid-run
//! (`bench-kafka-consumer-joins.toml`): every message served, the joiner
//! receiving messages after the rebalance, and the pause it cost measured
//! beside the model's.

#[path = "shared/bench_run.rs"]
mod bench_run;

use std::process::Command;
use std::sync::{Mutex, MutexGuard};

use bench_run::{agrees_with_replay, assert_served_once};
use queuelab::bench::{BrokerKind, GroupMeasures};
use queuelab::model::metric::Metric;
use queuelab::results::LiveBlock;

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

/// One test on the broker at a time: each starts it and stops it.
static TANSU: Mutex<()> = Mutex::new(());

/// The broker, started for one test and stopped when the test ends,
/// passed or not.
struct Broker {
    _alone: MutexGuard<'static, ()>,
}

impl Broker {
    /// Waits for the other tests' broker to stop, then starts one.
    fn start() -> Broker {
        let alone = TANSU
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        tansu("start");
        Broker { _alone: alone }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        tansu("stop");
    }
}

#[test]
fn tansu_with_6_partitions_serves_every_message_once_within_the_fetch_wait() {
    let _broker = Broker::start();
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

/// The group's figures of `block`, printed.
fn group(block: &LiveBlock) -> &GroupMeasures {
    let group = block
        .broker
        .as_ref()
        .and_then(|broker| broker.group.as_ref())
        .expect("a Kafka run reports its group");
    eprintln!("group: {group:?}");
    group
}

/// Runs each point of the consumer ladder `file` (2, 3, 6, 8 consumers on
/// 6 partitions) and checks it: see the module comment.
fn consumer_ladder(file: &str) {
    let _broker = Broker::start();
    let blocks = bench_run::points(
        file,
        BrokerKind::Kafka,
        "`scripts/tansu.sh start`",
        16,
        bench_run::seconds(SECONDS),
    );
    let consumers = [2u32, 3, 6, 8];
    assert_eq!(blocks.len(), consumers.len(), "one block per point");
    for (block, consumers) in blocks.iter().zip(consumers) {
        assert_served_once(block, 300, 5_000.0..60_000.0);
        let group = group(block);
        assert_eq!(group.received.len(), consumers as usize);
        assert_eq!(group.idle_consumers_model, consumers.saturating_sub(6));
        assert_eq!(
            group.idle_consumers, group.idle_consumers_model,
            "{consumers} consumers: those that received nothing, {:?}",
            group.received
        );
        assert_eq!(group.partitions.len(), 6);
        let sent: u64 = group.partitions.iter().map(|p| p.sent).sum();
        assert_eq!(sent as usize, block.health.messages.sent);
        for (partition, figures) in group.partitions.iter().enumerate() {
            assert_eq!(
                figures.delivered, figures.sent,
                "partition {partition} delivers what was sent to it"
            );
            assert!(figures.sent > 0 && figures.lag_mean > 0.0, "{figures:?}");
        }
    }
}

#[test]
fn tansu_with_2_3_6_8_consumers_has_the_models_idle_consumers_and_partitions() {
    consumer_ladder("scenarios/bench-kafka-consumers.toml");
}

#[test]
fn tansu_with_zipf_keys_delivers_each_partitions_messages() {
    consumer_ladder("scenarios/bench-kafka-zipf-keys.toml");
}

#[test]
fn tansu_pauses_a_group_a_consumer_joins_and_catches_up() {
    let _broker = Broker::start();
    let block = bench_run::points(
        "scenarios/bench-kafka-consumer-joins.toml",
        BrokerKind::Kafka,
        "`scripts/tansu.sh start`",
        16,
        bench_run::seconds(10.0),
    )
    .remove(0);
    let counts = block.health.messages;
    assert_eq!(counts.sent, counts.planned, "every message published");
    assert_eq!(counts.served, counts.sent, "every message served");
    let group = group(&block);
    assert_eq!(group.received.len(), 3);
    assert!(
        group.received[2] > 0,
        "the joiner received messages after the rebalance: {:?}",
        group.received
    );
    for (partition, figures) in group.partitions.iter().enumerate() {
        assert_eq!(
            figures.delivered, figures.sent,
            "partition {partition} delivers what was sent to it"
        );
    }
    let change = &group.changes[0];
    let pause = change.pause.as_ref().expect("deliveries after the join");
    eprintln!(
        "join at {} ms: partitions paused {:?} ms, mean {:.0} ms (the model's pause {:.0} ms), the whole group {:.0} ms; backlog {} caught up in {:.0} ms",
        change.at_ms,
        pause.partition_pause_ms,
        pause.pause_mean_ms,
        change.pause_model_ms,
        pause.group_pause_ms,
        pause.backlog,
        pause.catch_up_ms
    );
}
