//! `queuelab bench` against the RabbitMQ this machine runs at
//! 127.0.0.1:5672 (feature `rabbitmq`: `cargo test --release --features
//! rabbitmq --test bench_rabbitmq`). A broker that cannot be reached fails
//! the test: CI starts RabbitMQ, so its absence is a fault, not a skip.
//!
//! The shipped prefetch-1 study, shortened to a few seconds: every message
//! published is delivered once and served, and the measured mean wait is within the live rule of
//! its replay (the realised sends and services, each consumer's slot held
//! for the broker's measured turnaround) on a run the machine did not
//! disturb; on a disturbed one queuelab gives no verdict, nor does this test.
//!
//! The ladder's rungs, each its shipped study as short: max-length with
//! drop-head and reject-publish (every message published is served,
//! dropped or refused, and the losses are measured beside their replay and
//! the M/M/2/5 loss), and a TTL with its dead-letter queue (p_abandoned
//! measured beside its replay), and a prefetch sweep (1, 2, 10: every
//! message delivered once, utilisation beside its replay).
//! `QUEUELAB_BENCH_SECONDS` sets a longer run.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use queuelab::bench::{BrokerKind, BrokerTarget};
use queuelab::experiment::{self, LiveWatch};
use queuelab::model::metric::Metric;
use queuelab::results::LiveBlock;
use queuelab::scenario;

/// Measured seconds of each attempt (plus 1 s of warm-up), unless
/// `QUEUELAB_BENCH_SECONDS` says otherwise.
const SECONDS: f64 = 4.0;

/// The measured seconds of each run.
fn seconds() -> f64 {
    std::env::var("QUEUELAB_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SECONDS)
}

/// One bench run of the shipped prefetch-1 study from `seed`: its block.
fn bench(seed: u64) -> LiveBlock {
    bench_points("bench-rabbitmq-prefetch1", seed).remove(0)
}

/// One bench run at a time: runs side by side would share the broker
/// and the two cores, and disturb each other.
static BROKER: Mutex<()> = Mutex::new(());

/// Bench runs of each point of the shipped study `name` from `seed`: the
/// block of each point's queue.
fn bench_points(name: &str, seed: u64) -> Vec<LiveBlock> {
    let _alone = BROKER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let file = Path::new("scenarios").join(format!("{name}.toml"));
    let mut scenario = scenario::load(&file).expect("the shipped scenario is valid");
    scenario.run.seed = seed;
    scenario::enable_bench(&mut scenario, Some(seconds())).expect("valid bench settings");
    let settings = scenario
        .compare
        .live
        .clone()
        .expect("bench settings were set");
    let target = BrokerTarget::new(BrokerKind::Rabbitmq, None);
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
        panic!("RabbitMQ at 127.0.0.1:5672 must be reachable (`rabbitmq-server -detached`): {e}")
    })
    .expect("not stopped");
    points
        .into_iter()
        .map(|point| point[0][0].clone())
        .collect()
}

/// `metric`'s measured mean, replayed mean and theory (plus transit) in `block`.
fn figures(block: &LiveBlock, metric: Metric) -> (f64, f64, Option<f64>) {
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
/// live rule when the machine left the run alone.
fn agrees_with_replay(block: &LiveBlock, metric: Metric) {
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
            "{}: live {live} vs replay {replay}, overhead {:?}",
            metric.name(),
            block.overhead.get(&metric)
        );
    } else {
        eprintln!("disturbed run, no verdict: {:?}", block.health.warnings);
    }
}

#[test]
fn rabbitmq_max_length_drops_the_head_or_refuses_the_newest_as_the_model_does() {
    let blocks = bench_points("bench-rabbitmq-max-length", 17);
    assert_eq!(blocks.len(), 2);
    for (block, refusing) in blocks.iter().zip([true, false]) {
        let broker = block.broker.as_ref().expect("a broker block");
        let counts = block.health.messages;
        assert_eq!(counts.sent, counts.planned, "every message published");
        let lost = if refusing {
            assert_eq!(broker.dropped, 0, "reject-publish drops nothing");
            broker.refused
        } else {
            assert_eq!(broker.refused, 0, "drop-head refuses nothing");
            broker.dropped
        };
        assert!(
            lost > 0,
            "a load of 0.8 over 5 places loses some: {broker:?}"
        );
        assert_eq!(
            counts.served as u64 + lost,
            counts.sent as u64,
            "each message served or lost once: {broker:?}"
        );
        assert_eq!(broker.expired, 0);
        let metric = if refusing {
            Metric::PBlocked
        } else {
            Metric::PDropped
        };
        agrees_with_replay(block, metric);
    }
}

#[test]
fn rabbitmq_ttl_expires_waiting_messages_into_the_dead_letter_queue() {
    let block = bench_points("bench-rabbitmq-ttl", 18).remove(0);
    let broker = block.broker.as_ref().expect("a broker block");
    let counts = block.health.messages;
    assert_eq!(counts.sent, counts.planned, "every message published");
    assert!(broker.expired > 0, "a 10 ms TTL at load 0.8: {broker:?}");
    assert_eq!(
        counts.served as u64 + broker.expired,
        counts.sent as u64,
        "each message served or expired once: {broker:?}"
    );
    assert_eq!(broker.refused + broker.dropped, 0);
    agrees_with_replay(&block, Metric::PAbandoned);
}

#[test]
fn rabbitmq_with_prefetch_1_serves_every_message_once_and_matches_its_replay() {
    let mut attempt = 0;
    let block = loop {
        let block = bench(16 + attempt);
        attempt += 1;
        if block.health.warnings.is_empty() || attempt == 3 {
            break block;
        }
        eprintln!("bench run disturbed, again: {:?}", block.health.warnings);
    };
    let health = &block.health;
    let broker = block.broker.as_ref().expect("a broker block");
    let counts = health.messages;
    assert!(counts.planned > 300, "{counts:?}");
    assert_eq!(counts.sent, counts.planned, "every message published");
    assert_eq!(
        counts.served, counts.sent,
        "every message served: {health:?}"
    );
    assert_eq!(health.queues[0].arrived, counts.sent);
    assert_eq!(health.queues[0].served, counts.sent);
    assert_eq!(broker.redelivered, 0, "nothing delivered twice");
    assert_eq!(broker.publish_to_delivery.count, counts.sent);
    assert_eq!(broker.transit_unloaded.count, 200);
    let transit = broker.transit_unloaded.mean_us.expect("D0 measured");
    assert!(transit > 0.0 && transit < 50_000.0, "D0 {transit} µs");
    let verdict = &block.verdicts[&Metric::MeanWait];
    let (live, replay) = (
        block.metrics[&Metric::MeanWait].mean,
        block.replay.metrics[&Metric::MeanWait].mean,
    );
    if health.warnings.is_empty() {
        assert_eq!(
            verdict.vs_replay,
            "within overhead tolerance",
            "mean wait {live} ms live vs {replay} ms replayed, overhead {:?}, broker {broker:?}",
            block.overhead.get(&Metric::MeanWait)
        );
    } else {
        eprintln!(
            "three disturbed runs, no verdict on live vs replay (mean wait {live} vs {replay} ms, {}): {:?}",
            verdict.vs_replay, health.warnings
        );
    }
}

#[test]
fn rabbitmq_prefetch_sweep_delivers_every_message_once_at_each_window() {
    let blocks = bench_points("bench-rabbitmq-prefetch-sweep", 19);
    for (block, prefetch) in blocks.iter().zip([1, 2, 10]) {
        let broker = block.broker.as_ref().expect("a broker block");
        let counts = block.health.messages;
        assert_eq!(broker.prefetch, prefetch, "basic.qos as swept");
        assert_eq!(counts.sent, counts.planned, "every message published");
        assert_eq!(counts.served, counts.sent, "every message served");
        assert_eq!(broker.redelivered, 0, "nothing delivered twice");
        assert_eq!(broker.refused + broker.expired + broker.dropped, 0);
        agrees_with_replay(block, Metric::Utilisation);
    }
}
