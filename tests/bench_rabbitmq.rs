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

use std::path::Path;
use std::sync::atomic::AtomicBool;

use queuelab::bench::{BrokerKind, BrokerTarget};
use queuelab::experiment::{self, LiveWatch};
use queuelab::model::metric::Metric;
use queuelab::results::LiveBlock;
use queuelab::scenario;

/// Measured seconds of each attempt (plus 1 s of warm-up).
const SECONDS: f64 = 4.0;

/// One bench run of the shipped study from `seed`: its block.
fn bench(seed: u64) -> LiveBlock {
    let file = Path::new("scenarios/bench-rabbitmq-prefetch1.toml");
    let mut scenario = scenario::load(file).expect("the shipped scenario is valid");
    scenario.run.seed = seed;
    scenario::enable_bench(&mut scenario, Some(SECONDS)).expect("valid bench settings");
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
    points[0][0][0].clone()
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
