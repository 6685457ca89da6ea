//! Spring Kafka's retry topics (`retry_topics` on a Kafka broker): the
//! traffic equations give each retry topic λ p^k records, the consumers do
//! Σ_{k<A} p^k attempts per record and p^A of the records reach the
//! dead-letter topic; the simulation agrees at a fixed seed.

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
