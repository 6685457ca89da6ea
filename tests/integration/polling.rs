//! Batch polling on a partitioned queue (Kafka's poll loop): polls that
//! cost nothing and never wait change nothing; single-record polls with an
//! overhead against Pollaczek-Khinchine at a fixed seed; a fetch minimum by
//! hand; no formula for batches; poll timeouts that rebalance the group;
//! bad keys refused naming the key.

use queuelab::dist::Dist;
use queuelab::model::metric::Metric;
use queuelab::model::{
    Assignor, Feature, KeyDistribution, Keys, Model, ModelBuilder, Poll, PollTimeout,
    ProducerBuilder, QueueBuilder, RebalanceProtocol,
};
use queuelab::results::{Row, RunResults};
use queuelab::run::{RunConfig, RunLength, Warmup};
use queuelab::scenario::Scenario;
use queuelab::theory;

use crate::common::{assert_within, check_refuses, run, simulated};

/// Seed 13, 20 replications of 200,000 measured messages, 99.9% intervals.
const RUN: RunConfig = RunConfig {
    seed: 13,
    replications: 20,
    length: RunLength::Customers(200_000),
    warmup: Warmup::Auto,
    confidence: 0.999,
    precision: None,
};

/// Topic `t` of 5 partitions read by 3 consumers (range), fed at 1.2 per
/// time unit over 200 Zipf keys (s = 0.3), exponential service of mean
/// 0.7, read with `poll` if any.
fn topic(poll: Option<Poll>) -> ModelBuilder {
    let keys = Keys {
        count: 200,
        distribution: KeyDistribution::Zipf { exponent: 0.3 },
    };
    let mut queue = QueueBuilder::new("t", 3, Dist::exponential_mean(0.7).unwrap())
        .partitions(5, Assignor::Range);
    if let Some(poll) = poll {
        queue = queue.poll(poll);
    }
    Model::builder("k")
        .queue(queue)
        .producer(ProducerBuilder::open("p", "t", Dist::exponential_rate(1.2).unwrap()).keys(keys))
}

fn poll(max_records: u32, fetch_min: u32, fetch_wait: f64, overhead: Option<Dist>) -> Poll {
    Poll {
        max_records,
        fetch_min,
        fetch_wait,
        overhead,
        timeout: None,
        changes: None,
        protocol: RebalanceProtocol::Eager,
    }
}

fn results(model: ModelBuilder, config: RunConfig) -> RunResults {
    let model = model.build().expect("the test model is valid");
    run(&Scenario::of_model(model, config))
}

/// The row of `partition` (`None`: the whole queue).
fn row(results: &RunResults, partition: Option<u32>) -> &Row {
    results.points[0]
        .results
        .iter()
        .find(|r| r.partition == partition && r.class.is_none())
        .unwrap_or_else(|| panic!("no row for partition {partition:?}"))
}

#[test]
fn polls_that_cost_nothing_and_never_wait_change_nothing() {
    // Batches of up to 500, a fetch minimum of 1: the consumer serves its
    // partitions in arrival order as soon as messages are there.
    let short = RunConfig {
        replications: 3,
        length: RunLength::Customers(20_000),
        ..RUN
    };
    let plain = results(topic(None), short);
    let polled = results(topic(Some(poll(500, 1, 5.0, None))), short);
    let minimum_without_wait = results(topic(Some(poll(500, 8, 0.0, None))), short);
    for other in [&polled, &minimum_without_wait] {
        for partition in [None, Some(0), Some(4)] {
            let (a, b) = (row(&plain, partition), row(other, partition));
            for metric in [Metric::MeanWait, Metric::WaitP99, Metric::Throughput] {
                assert_eq!(simulated(a, metric), simulated(b, metric), "{metric:?}");
            }
        }
    }
    assert!(simulated(row(&polled, None), Metric::MeanBatch) >= 1.0);
    assert_eq!(
        simulated(row(&polled, None), Metric::PollOverheadShare),
        0.0
    );
    let model = topic(Some(poll(500, 1, 5.0, None))).build().unwrap();
    assert!(!model.features().contains(Feature::BatchPolling));
}

#[test]
fn single_record_polls_with_an_overhead_are_mg1_with_the_overhead_added() {
    // Service 0.3 + Exp(0.7): mean 1.0, second moment 0.09 + 0.42 + 0.98.
    let overhead = Dist::deterministic(0.3).unwrap();
    let results = results(topic(Some(poll(1, 1, 5.0, Some(overhead)))), RUN);
    let queue = row(&results, None);
    let theory = queue.theory.as_ref().expect("a formula covers it");
    assert!(
        theory.exact && theory.model.contains("Pollaczek-Khinchine"),
        "{}",
        theory.model
    );
    for metric in [
        Metric::MeanWait,
        Metric::MeanSojourn,
        Metric::MeanInQueue,
        Metric::Utilisation,
        Metric::PWait,
    ] {
        let interval = &queue.simulation.as_ref().unwrap().metrics[&metric];
        assert_within(&queue.label(), metric, theory.metrics[&metric], interval);
    }
    for partition in 0..5 {
        let row = row(&results, Some(partition));
        let theory = row.theory.as_ref().unwrap();
        let interval = &row.simulation.as_ref().unwrap().metrics[&Metric::MeanWait];
        assert_within(
            &row.label(),
            Metric::MeanWait,
            theory.metrics[&Metric::MeanWait],
            interval,
        );
    }
    // One poll per message, its overhead 0.3 of 1.2 messages per time
    // unit over 3 consumers: 0.12 of their time.
    assert_eq!(simulated(queue, Metric::MeanBatch), 1.0);
    let share = &queue.simulation.as_ref().unwrap().metrics[&Metric::PollOverheadShare];
    assert!(share.ci_low <= 0.12 && 0.12 <= share.ci_high, "{share:?}");
}

#[test]
fn a_fetch_minimum_holds_messages_until_it_is_reached_by_hand() {
    // One partition, a message every time unit, service 0.1, overhead 0.3,
    // a fetch minimum of 3 with a long wait: the poll returns at each third
    // arrival; the batch's messages waited 2, 1 + 0.4 and 0.5 (the
    // overhead is served with the first): mean 1.3. Per 3 time units the
    // consumer waits 2 with messages there, and polls for 0.3.
    let model = Model::builder("d")
        .queue(
            QueueBuilder::new("t", 1, Dist::deterministic(0.1).unwrap())
                .partitions(1, Assignor::Range)
                .poll(poll(10, 3, 100.0, Some(Dist::deterministic(0.3).unwrap()))),
        )
        .producer(ProducerBuilder::open(
            "p",
            "t",
            Dist::deterministic(1.0).unwrap(),
        ));
    let config = RunConfig {
        replications: 2,
        length: RunLength::Customers(3_000),
        warmup: Warmup::Customers(0),
        ..RUN
    };
    let results = results(model, config);
    let queue = row(&results, None);
    assert!((simulated(queue, Metric::MeanWait) - 1.3).abs() < 1e-9);
    assert!((simulated(queue, Metric::MeanBatch) - 3.0).abs() < 1e-9);
    assert!((simulated(queue, Metric::FetchWaitShare) - 2.0 / 3.0).abs() < 2e-3);
    assert!((simulated(queue, Metric::PollOverheadShare) - 0.1).abs() < 2e-3);
    assert!(queue.theory.is_none(), "no formula for a fetch minimum");
}

#[test]
fn batches_that_pay_an_overhead_or_wait_get_no_formula() {
    let overhead = || Some(Dist::exponential_mean(0.2).unwrap());
    for (what, poll) in [
        ("batches with an overhead", poll(50, 1, 5.0, overhead())),
        ("a fetch minimum", poll(50, 4, 5.0, None)),
        ("a fetch minimum of single records", poll(1, 4, 5.0, None)),
    ] {
        let model = topic(Some(poll)).build().unwrap();
        assert!(model.features().contains(Feature::BatchPolling), "{what}");
        assert!(theory::evaluate(&model).is_empty(), "{what}");
        let why = theory::uncovered(&model).expect("says why");
        assert!(why.contains("batch polling"), "{what}: {why}");
    }
    let single = topic(Some(poll(1, 1, 5.0, overhead()))).build().unwrap();
    assert!(single.features().contains(Feature::PollOverhead));
    assert!(!theory::evaluate(&single).is_empty());
}

const TOPIC: &str = r#"
name = "topic"
time_unit = "ms"
[run]
replications = 2
customers = 1000
[[producers]]
name = "p"
to = "t"
interarrival = { dist = "exponential", rate = 1.0 }
keys = { distribution = "uniform", count = 100 }
[[queues]]
name = "t"
partitions = 4
consumers = 2
service = { dist = "exponential", mean = 1.0 }
max_poll_records = 100
"#;

#[test]
fn bad_poll_keys_are_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &str, &[&str]); 9] = [
        (
            "service = { dist = \"exponential\", mean = 1.0 }\nmax_poll_records = 100",
            "service = { dist = \"uniform\", low = 2.0, high = 3.0 }\nmax_poll_records = 100\nmax_poll_interval = 2.0",
            "interval-below-every-service",
            &["queues.t.max_poll_interval", "rebalances forever"],
        ),
        (
            "max_poll_records = 100",
            "max_poll_records = 100\nmax_poll_interval = 0.0",
            "zero-interval",
            &["queues.t.max_poll_interval", "> 0"],
        ),
        (
            "max_poll_records = 100",
            "rebalance_time = 3.0",
            "rebalance-alone",
            &["queues.t.rebalance_time", "set `max_poll_interval`"],
        ),
        (
            "max_poll_records = 100",
            "max_poll_records = 0",
            "zero-records",
            &["queues.t.max_poll_records", "at least 1"],
        ),
        (
            "max_poll_records = 100",
            "fetch_min = 0",
            "zero-minimum",
            &["queues.t.fetch_min", "at least 1"],
        ),
        (
            "max_poll_records = 100",
            "fetch_wait = -1.0",
            "negative-wait",
            &["queues.t.fetch_wait", ">= 0"],
        ),
        (
            "max_poll_records = 100",
            "poll_overhead = { dist = \"exponential\", mean = -1.0 }",
            "bad-overhead",
            &["queues.t.poll_overhead"],
        ),
        (
            "partitions = 4\n",
            "",
            "no-partitions",
            &["queues.t.max_poll_records", "set `partitions`"],
        ),
        (
            "time_unit = \"ms\"",
            "time_unit = \"ticks\"",
            "no-default-wait",
            &["queues.t.fetch_wait", "500 ms", "ticks"],
        ),
    ];
    for (from, to, name, needles) in cases {
        let mut text = TOPIC.replacen(from, to, 1);
        if name == "no-partitions" {
            text = text.replacen(
                ", keys = { distribution = \"uniform\", count = 100 }",
                "",
                1,
            );
            text = text.replacen(
                "\nkeys = { distribution = \"uniform\", count = 100 }",
                "",
                1,
            );
        }
        if name == "no-default-wait" {
            text = text.replacen("max_poll_records = 100", "fetch_min = 5", 1);
        }
        assert_ne!(text, TOPIC, "{name}");
        check_refuses(dir.path(), name, &text, needles);
    }
}

/// One partition per consumer, 2 consumers, a record every 0.5 time
/// units, each 0.1 long but one in 50 (uniform draws) taking 20: with a
/// `max_poll_interval` of 5 those slow batches time out.
fn storm(timeout: Option<PollTimeout>) -> ModelBuilder {
    let service = Dist::hyperexponential(&[0.98, 0.02], &[10.0, 0.05]).unwrap();
    let poll = Poll {
        timeout,
        ..poll(10, 1, 5.0, None)
    };
    Model::builder("s")
        .queue(
            QueueBuilder::new("t", 2, service)
                .partitions(2, Assignor::Range)
                .poll(poll),
        )
        .producer(ProducerBuilder::open(
            "p",
            "t",
            Dist::exponential_rate(0.5).unwrap(),
        ))
}

#[test]
fn batches_past_the_poll_interval_rebalance_the_group_and_replay() {
    let config = RunConfig {
        replications: 4,
        length: RunLength::Customers(20_000),
        ..RUN
    };
    let timeout = PollTimeout {
        interval: 5.0,
        rebalance: Dist::deterministic(2.0).unwrap(),
    };
    let calm = results(storm(None), config);
    let stormy = results(storm(Some(timeout)), config);
    let (calm, stormy) = (row(&calm, None), row(&stormy, None));
    // Rebalances happen, pause the group and replay messages.
    let share = simulated(stormy, Metric::RebalanceShare);
    let rate = simulated(stormy, Metric::RebalanceRate);
    assert!(share > 0.0 && share < 1.0, "{share}");
    // Each pause is 2 long (extensions merge some): at most 2 per rebalance.
    assert!(share <= 2.0 * rate + 1e-9, "{share} vs {rate}");
    assert!(simulated(stormy, Metric::PRedelivered) > 0.0);
    // Every message is still served once: the same throughput.
    let (a, b) = (
        simulated(calm, Metric::Throughput),
        simulated(stormy, Metric::Throughput),
    );
    assert!((a - b).abs() < 0.02 * a, "{a} vs {b}");
    let calm_metrics = &calm.simulation.as_ref().unwrap().metrics;
    assert!(!calm_metrics.contains_key(&Metric::RebalanceShare));
    // No formula covers rebalances.
    let model = storm(Some(PollTimeout {
        interval: 5.0,
        rebalance: Dist::deterministic(2.0).unwrap(),
    }))
    .build()
    .unwrap();
    assert!(model.features().contains(Feature::PollTimeouts));
    assert!(theory::evaluate(&model).is_empty());
    assert!(stormy.theory.is_none());
}
