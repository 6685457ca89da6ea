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

#[path = "shared/bench_run.rs"]
mod bench_run;

use queuelab::bench::BrokerKind;
use queuelab::model::metric::Metric;

#[test]
fn rabbitmq_with_prefetch_1_serves_every_message_once_and_matches_its_replay() {
    let block = bench_run::least_disturbed(
        "scenarios/bench-rabbitmq-prefetch1.toml",
        BrokerKind::Rabbitmq,
        "`rabbitmq-server -detached`",
        (16, 4.0, 3),
    );
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
