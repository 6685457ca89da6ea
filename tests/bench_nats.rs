//! `queuelab bench --broker nats` against the NATS server (JetStream on)
//! this machine runs at 127.0.0.1:4222 (feature `nats`: `cargo test
//! --release --features nats --test bench_nats`). A broker that cannot be
//! reached fails the test: CI starts NATS, so its absence is a fault, not
//! a skip.
//!
//! The shipped window-1 study, shortened to a few seconds: every message
//! published is delivered once (nothing redelivered: the lease of 30 s is
//! far above every service) and served, and the measured mean wait is
//! within the live rule of its replay (the realised sends and services,
//! each consumer's slot held for the broker's measured turnaround: the
//! ack, then the next pull request's round trip) on a run the machine did
//! not disturb; on a disturbed one queuelab gives no verdict, nor does
//! this test.

#[path = "shared/bench_run.rs"]
mod bench_run;

use bench_run::{agrees_with_replay, assert_served_once};
use queuelab::bench::BrokerKind;
use queuelab::model::metric::Metric;

#[test]
fn jetstream_with_a_window_of_1_serves_every_message_once_and_matches_its_replay() {
    let block = bench_run::least_disturbed(
        "scenarios/bench-nats-window1.toml",
        BrokerKind::Nats,
        "`nats-server -js`",
        (16, 4.0, 3),
    );
    assert_served_once(&block, 300, 0.0..50_000.0);
    let (health, sent) = (&block.health, block.health.messages.sent);
    assert_eq!(health.queues[0].arrived, sent);
    assert_eq!(health.queues[0].served, sent);
    let broker = block.broker.as_ref().expect("a broker block");
    assert_eq!(broker.prefetch, 1, "a shared line is a window of 1");
    agrees_with_replay(&block, Metric::MeanWait);
}
