//! Spring Kafka's retry topics (`retry_topics` on a Kafka broker): the
//! traffic equations give each retry topic λ p^k records, the consumers do
//! Σ_{k<A} p^k attempts per record and p^A of the records reach the
//! dead-letter topic; the simulation agrees at a fixed seed. The network
//! has exact theory, checked by hand.

use super::common::{assert_within, run, scenario};
use queuelab::model::metric::Metric;

/// Records per ms on the topic.
const RATE: f64 = 0.18;
/// Share of attempts that fail.
const FAILURE: f64 = 0.2;
/// Attempts per record, the first included.
const ATTEMPTS: i32 = 4;

const TEXT: &str = r#"
name = "retry-topics"
time_unit = "ms"

[run]
seed = 7
replications = 10
customers = 400_000
warmup = "auto"

[[producers]]
name = "orders-service"
to = "orders"
interarrival = { dist = "exponential", rate = 0.18 }
keys = { distribution = "uniform", count = 10_000 }

[[brokers]]
name = "orders"
kind = "kafka"
version = "3.9"
partitions = 6
consumers = 3
service = { dist = "exponential", mean = 5.0 }
retry_topics = { failure = 0.2, attempts = 4, delay = 100, multiplier = 2.0 }
"#;

/// The queues consuming attempt 1, 2, ... of a record, then the
/// dead-letter topic.
const CONSUMERS: [&str; 5] = [
    "orders",
    "orders-retry-0",
    "orders-retry-1",
    "orders-retry-2",
    "orders-dlt",
];

#[test]
fn each_retry_topic_gets_its_share_and_the_dead_letter_topic_p_to_the_attempts() {
    let scenario = scenario(TEXT);
    let model = &scenario.points[0].model;
    let rates = model.arrival_rates().expect("an open network");
    let rate_of = |name: &str| {
        let index = model.queues.iter().position(|q| q.name == name).unwrap();
        rates[index].iter().sum::<f64>()
    };
    // Traffic equations: attempt k + 1 reaches λ p^k records, the
    // dead-letter topic λ p^A; each back-off passes its topic's records.
    for (k, name) in CONSUMERS.iter().enumerate() {
        let expected = RATE * FAILURE.powi(k as i32);
        assert!((rate_of(name) - expected).abs() < 1e-12 * RATE, "{name}");
    }
    for k in 0..3 {
        let backoff = format!("orders-retry-{k}-backoff");
        assert!((rate_of(&backoff) - RATE * FAILURE.powi(k + 1)).abs() < 1e-12 * RATE);
    }
    let results = run(&scenario);
    let throughput = |name: &str| {
        let row = results.points[0]
            .results
            .iter()
            .find(|r| r.queue == name && r.class.is_none())
            .unwrap();
        row.simulation.as_ref().unwrap().metrics[&Metric::Throughput]
    };
    for name in CONSUMERS {
        assert_within(name, Metric::Throughput, rate_of(name), &throughput(name));
    }
    // Amplification: attempts per record Σ_{k<A} p^k, within the sum of
    // the topics' interval half-widths.
    let amplification: f64 = (0..ATTEMPTS).map(|k| FAILURE.powi(k)).sum();
    let topics = &CONSUMERS[..ATTEMPTS as usize];
    let attempts: f64 = topics.iter().map(|n| throughput(n).mean).sum::<f64>() / RATE;
    let slack: f64 = topics
        .iter()
        .map(|n| (throughput(n).ci_high - throughput(n).ci_low) / 2.0)
        .sum::<f64>()
        / RATE;
    assert!(
        (attempts - amplification).abs() <= slack && slack <= 0.01 * amplification,
        "attempts per record {attempts}, theory {amplification} +- {slack}"
    );
    // p^A of the records reach the dead-letter topic (its throughput,
    // checked above, over λ).
    let dead = throughput("orders-dlt");
    assert!((rate_of("orders-dlt") / RATE - FAILURE.powi(ATTEMPTS)).abs() < 1e-12);
    assert!(dead.ci_low / RATE <= 0.0016 && 0.0016 <= dead.ci_high / RATE);
}

/// The retry topics are an open network of the topic, its back-offs (pure
/// delays) and the retry and dead-letter topics' consumers: exact theory
/// (each consumer of the topic an M/M/1 whose output is Poisson, by Burke;
/// each back-off an M/D/inf; each retry topic and the dead-letter topic an
/// M/M/3 at its share λ p^k), by hand; the simulation agrees.
#[test]
fn retry_topics_are_an_exact_network_of_delays_and_mmc_topics_by_hand() {
    let scenario = scenario(TEXT);
    let formulas = queuelab::theory::evaluate(&scenario.points[0].model);
    let theory = |name: &str| {
        let index = scenario.points[0]
            .model
            .queues
            .iter()
            .position(|q| q.name == name);
        let (_, row) = formulas
            .iter()
            .find(|(t, _)| t.queue == index && t.class.is_none() && t.partition.is_none())
            .unwrap_or_else(|| panic!("{name} has a formula row"));
        assert!(row.exact, "{name}: {}", row.model);
        row
    };
    let close = |label: &str, got: f64, expected: f64| {
        assert!(
            (got - expected).abs() <= 1e-9 * expected.abs(),
            "{label}: {got} vs {expected}"
        );
    };
    assert!(theory("orders").model.contains("M/M/1 per consumer"));
    assert_eq!(theory("orders").metrics[&Metric::IdleConsumers], 0.0);
    // Back-offs of 100, 200 and 400 ms before attempts 2 to 4, each passing
    // λ p^(k+1) records: L = λ p^(k+1) d_k, W = d_k, no wait.
    for (k, delay) in [100.0, 200.0, 400.0].into_iter().enumerate() {
        let name = format!("orders-retry-{k}-backoff");
        let row = theory(&name);
        assert!(row.model.ends_with("M/G/inf"), "{}", row.model);
        let rate = RATE * FAILURE.powi(k as i32 + 1);
        close(&name, row.metrics[&Metric::MeanInSystem], rate * delay);
        close(&name, row.metrics[&Metric::MeanSojourn], delay);
        assert_eq!(row.metrics[&Metric::MeanWait], 0.0);
    }
    // M/M/3 at μ = 0.2 per ms, Erlang C by hand (a = λ/μ): the mean wait
    // C(3, a)/(3μ − λ) and L = λ (Wq + 1/μ).
    let by_hand: [(&str, f64, f64); 4] = [
        ("orders-retry-0", 0.0015313704063614252, 0.180055129334629),
        (
            "orders-retry-1",
            1.2807268102512158e-05,
            0.03600009221233035,
        ),
        (
            "orders-retry-2",
            1.0343206307772243e-07,
            0.007200000148942172,
        ),
        ("orders-dlt", 8.290421554085883e-10, 0.0014400000002387644),
    ];
    for (name, wait, in_system) in by_hand {
        let row = theory(name);
        close(name, row.metrics[&Metric::MeanWait], wait);
        close(name, row.metrics[&Metric::MeanInSystem], in_system);
    }
    // End to end: every record passes the topic, a share p^k the k-th
    // back-off and retry topic: W = Σ_j λ_j W_j / λ.
    let system = formulas
        .iter()
        .find(|(t, _)| t.queue.is_none() && t.class.is_none())
        .map(|(_, row)| row)
        .expect("a system row");
    let mut sojourn = theory("orders").metrics[&Metric::MeanSojourn];
    for (k, delay) in [100.0, 200.0, 400.0].into_iter().enumerate() {
        sojourn += FAILURE.powi(k as i32 + 1) * (delay + by_hand[k].1 + 5.0);
    }
    sojourn += FAILURE.powi(ATTEMPTS) * (by_hand[3].1 + 5.0);
    close("system", system.metrics[&Metric::MeanSojourn], sojourn);
    close("system", system.metrics[&Metric::Throughput], RATE);
    // The simulation, at this seed, inside the intervals.
    let results = run(&scenario);
    let simulated = |name: &str, metric: Metric| {
        let row = results.points[0]
            .results
            .iter()
            .find(|r| r.queue == name && r.class.is_none())
            .unwrap_or_else(|| panic!("a row for {name}"));
        row.simulation.as_ref().unwrap().metrics[&metric]
    };
    for (name, metric) in [
        ("orders", Metric::MeanWait),
        ("orders-retry-0-backoff", Metric::MeanInSystem),
        ("orders-retry-1-backoff", Metric::MeanInSystem),
        ("orders-retry-0", Metric::MeanInSystem),
    ] {
        let value = theory(name).metrics[&metric];
        assert_within(name, metric, value, &simulated(name, metric));
    }
    let end_to_end = simulated("system", Metric::MeanSojourn);
    assert_within("system", Metric::MeanSojourn, sojourn, &end_to_end);
}
