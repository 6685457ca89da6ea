//! A lease on deliveries (`ack_wait`): the share of first deliveries that
//! outlive it against its exact value P(S > ack_wait) at a fixed seed (see
//! `sim_vs_theory`); one consumer, whose duplicates can never start before
//! its first delivery ends (so every one is withdrawn), against M/M/1;
//! `max_deliver = 1` against no duplicate at all; what a lease does not
//! support is refused naming the key.

use queuelab::model::metric::Metric;
use queuelab::model::{Feature, Model, ProducerBuilder, QueueBuilder};
use queuelab::{live, theory};

use crate::common::{assert_within, first_row, queue_text, refuses, scenario, simulated};
use crate::sim_vs_theory::{assert_agrees, exponential, results, single_queue};

fn estimate(results: &queuelab::results::RunResults, metric: Metric) -> queuelab::stats::Estimate {
    first_row(results)
        .simulation
        .as_ref()
        .expect("simulated")
        .metrics[&metric]
}

#[test]
fn first_deliveries_outlive_their_lease_as_often_as_services_do() {
    // Exp(mean 10) under a lease of 20 on 2 consumers at load 0.5:
    // e^-2 = 0.1353 of first deliveries outlive it, whatever the queue.
    let results = results(single_queue(exponential(10.0), 0.1, 2, |q| {
        q.lease(20.0, None)
    }));
    assert_agrees(&results, "q", None, Metric::PLeaseExpired);
    // The duplicates have no formula; each takes the message's own work,
    // so a message is duplicated at most Σ_k P(S > k·20) = e^-2/(1 − e^-2)
    // times on average (every duplicate served at once), fewer when they
    // wait and are withdrawn.
    let duplicates = simulated(first_row(&results), Metric::LeaseRedeliveriesPerMessage);
    let at_most = (-2.0f64).exp() / (1.0 - (-2.0f64).exp());
    assert!(duplicates > 0.0 && duplicates < at_most, "{duplicates}");
}

#[test]
fn one_consumer_never_serves_a_duplicate_and_waits_as_mm1() {
    // The one consumer is busy with the first delivery until it settles
    // the message, which withdraws the duplicate waiting: M/M/1 at 0.5.
    let results = results(single_queue(exponential(1.0), 0.5, 1, |q| {
        q.lease(0.5, None)
    }));
    assert_eq!(
        simulated(first_row(&results), Metric::LeaseRedeliveriesPerMessage),
        0.0
    );
    let (lambda, mu) = (0.5, 1.0);
    let wait = lambda / (mu * (mu - lambda));
    assert_within(
        "q",
        Metric::MeanWait,
        wait,
        &estimate(&results, Metric::MeanWait),
    );
    assert_within(
        "q",
        Metric::PLeaseExpired,
        (-0.5f64).exp(),
        &estimate(&results, Metric::PLeaseExpired),
    );
}

#[test]
fn max_deliver_1_expires_leases_but_never_delivers_again() {
    let results = results(single_queue(exponential(10.0), 0.1, 2, |q| {
        q.lease(20.0, Some(1))
    }));
    assert_agrees(&results, "q", None, Metric::PLeaseExpired);
    assert_eq!(
        simulated(first_row(&results), Metric::LeaseRedeliveriesPerMessage),
        0.0
    );
}

#[test]
fn a_lease_is_a_feature_live_refuses_and_theory_names() {
    let model = Model::builder("t")
        .queue(QueueBuilder::new("q", 2, exponential(10.0)).lease(20.0, None))
        .producer(ProducerBuilder::open("p", "q", exponential(10.0)))
        .build()
        .unwrap();
    assert_eq!(
        model.features().iter().collect::<Vec<_>>(),
        [Feature::Lease]
    );
    let refusal = live::unsupported(&model).expect("a lease runs in simulation only");
    assert!(
        refusal.contains("ack_wait") && refusal.contains("queue `q`"),
        "{refusal}"
    );
    let uncovered = theory::uncovered(&model).expect("no formula family covers a lease");
    assert!(uncovered.contains("ack_wait"), "{uncovered}");
}

const LEASE: &str = queue_text!(
    "lease",
    "replications = 2
customers = 5_000
",
    "{ dist = \"exponential\", rate = 0.1 }",
    "consumers = 2
service = { dist = \"exponential\", mean = 10.0 }
LEASE
",
);

#[test]
fn a_lease_scenario_runs_and_bad_ones_are_refused_naming_the_key() {
    let good = LEASE.replace("LEASE", "ack_wait = 20.0\nmax_deliver = 3");
    let results = crate::common::run(&scenario(&good));
    assert!(simulated(first_row(&results), Metric::PLeaseExpired) > 0.0);
    let cases = [
        ("ack_wait = 0.0", "queues.q.ack_wait", "finite time > 0"),
        (
            "ack_wait = 20.0\nmax_deliver = 0",
            "queues.q.max_deliver",
            ">= 1",
        ),
        (
            "max_deliver = 3",
            "queues.q.max_deliver",
            "set `ack_wait` too",
        ),
        (
            "ack_wait = 20.0\nprefetch = 2",
            "queues.q.prefetch",
            "shared fifo line",
        ),
        (
            "ack_wait = 20.0\ndiscipline = \"lifo\"",
            "queues.q.discipline",
            "other than fifo",
        ),
        (
            "ack_wait = 20.0\nmax_length = 5",
            "queues.q.capacity",
            "length limit",
        ),
        (
            "ack_wait = 20.0\nbacklog = 5",
            "queues.q.backlog",
            "starting `backlog`",
        ),
        (
            "ack_wait = 20.0\nretry = { p = 0.1, requeue = \"head\" }",
            "queues.q.retry",
            "without `retry`",
        ),
    ];
    let tmp = tempfile::TempDir::new().unwrap();
    let file = tmp.path().join("lease.toml");
    for (lease, key, message) in cases {
        std::fs::write(&file, LEASE.replace("LEASE", lease)).unwrap();
        refuses(&["check"], &file, &["lease.toml", key, message]);
    }
}
