//! `queuelab bench --broker nats` against the NATS server (JetStream on)
//! this machine runs at 127.0.0.1:4222 (feature `nats`: `cargo test
//! --release --features nats --test bench_nats`). A broker that cannot be
//! reached fails the test: CI starts NATS, so its absence is a fault, not
//! a skip.
//!
//! The shipped window-1 study, shortened to a few seconds: every message
//! published is delivered once (nothing redelivered: the lease of 30 s is
//! far above every service) and served, the consumer's sampled
//! `num_ack_pending` never exceeds the windows, and the measured mean wait is
//! within the live rule of its replay (the realised sends and services,
//! each consumer's slot held for the broker's measured turnaround: the
//! ack, then the next pull request's round trip) on a run the machine did
//! not disturb; on a disturbed one queuelab gives no verdict, nor does
//! this test.

#[path = "shared/bench_run.rs"]
mod bench_run;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use bench_run::{agrees_with_replay, assert_served_once};
use queuelab::bench::BrokerKind;
use queuelab::model::metric::Metric;
use queuelab::{experiment, scenario};

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
    // JetStream's own counters, sampled while it ran: never more
    // delivered and unacknowledged than the windows (`max_ack_pending`).
    let depth = broker.depth.as_ref().expect("num_pending sampled");
    assert!(depth.samples > 10, "{depth:?}");
    assert!(depth.unacked_max.is_some_and(|max| max <= 2), "{depth:?}");
    assert_eq!(depth.consumers_min, None, "JetStream counts no clients");
    agrees_with_replay(&block, Metric::MeanWait);
}

/// The lease rung, shortened: `ack_wait` 20 ms against services of mean
/// 10 ms (exponential), so e^-2 = 13.5% of first deliveries outlive it.
/// Every message is still served once with its own stamps, and JetStream
/// delivers duplicates, each counted and served as wasted work. Their
/// count per message is compared with the simulation's (which has no
/// formula): within four standard errors of the measured count (a
/// Poisson count), widened by the share the server's lease timer adds
/// (it fires 1 ms after a deadline, so first leases outlive fewer
/// services: P(S > 21 ms) / P(S > 20 ms) = e^-0.1, 10% fewer).
#[test]
fn jetstream_with_a_short_ack_wait_redelivers_as_often_as_the_simulation_says() {
    let block = bench_run::least_disturbed(
        "scenarios/bench-nats-ack-wait.toml",
        BrokerKind::Nats,
        "`nats-server -js`",
        (12, 4.0, 3),
    );
    let health = &block.health;
    let sent = health.messages.sent;
    assert!(sent > 250, "{:?}", health.messages);
    assert_eq!(health.queues[0].served, sent, "every message served once");
    let broker = block.broker.as_ref().expect("a broker block");
    let duplicates = broker.redelivered as f64;
    assert!(
        duplicates > 0.0,
        "a lease shorter than some services redelivers"
    );
    let measured = duplicates / sent as f64;
    let simulated = simulated(
        "scenarios/bench-nats-ack-wait.toml",
        Metric::LeaseRedeliveriesPerMessage,
    );
    let tolerance = 4.0 * duplicates.sqrt() / sent as f64 + 0.1 * simulated;
    eprintln!(
        "duplicates per message: measured {measured:.4} ({duplicates} of {sent}), simulated {simulated:.4}, tolerance {tolerance:.4}, warnings {:?}",
        health.warnings
    );
    if health.warnings.is_empty() {
        assert!(
            (measured - simulated).abs() <= tolerance,
            "measured {measured} vs simulated {simulated}"
        );
    }
}

/// The simulated mean of `metric` at the first queue of `file`'s first
/// point, as the shipped scenario runs it.
fn simulated(file: &str, metric: Metric) -> f64 {
    let scenario = scenario::load(Path::new(file)).expect("the shipped scenario is valid");
    let results = experiment::run(&scenario, &AtomicBool::new(false)).expect("not stopped");
    results.points[0].results[0]
        .simulation
        .as_ref()
        .expect("simulated")
        .metrics[&metric]
        .mean
}
