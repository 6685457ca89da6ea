//! An OMB workload as a queuelab scenario (TOML text, times in ms): one
//! topic's partitions read by its subscriptions, fed by evenly spaced
//! messages (OMB's `UniformRateLimiter`), with the consumer's work per
//! message given by the user (OMB has none).

use std::fmt::Write;

use super::workload::{KeyDistributor, Workload};

/// How many keys OMB's key distributors draw from (`KeyDistributor`'s
/// `UNIQUE_COUNT`).
pub const OMB_KEYS: u32 = 10_000;

/// The consumer's work per message, which OMB does not have.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Service {
    /// Mean, in milliseconds (> 0).
    pub mean_ms: f64,
    /// Squared coefficient of variation (>= 0): 0 deterministic, 1
    /// exponential, otherwise gamma.
    pub scv: f64,
}

impl Service {
    /// The scenario's distribution table for it.
    fn toml(self) -> String {
        let mean = self.mean_ms;
        if self.scv == 0.0 {
            format!("{{ dist = \"deterministic\", value = {mean:?} }}")
        } else if self.scv == 1.0 {
            format!("{{ dist = \"exponential\", mean = {mean:?} }}")
        } else {
            format!(
                "{{ dist = \"gamma\", mean = {mean:?}, scv = {:?} }}",
                self.scv
            )
        }
    }
}

/// The scenario name for a workload name: `omb-` and its letters and
/// digits, lower case, runs of anything else as one `-`.
pub fn scenario_name(workload: &str) -> String {
    let mut name = String::from("omb");
    let mut gap = true;
    for c in workload.chars() {
        if c.is_ascii_alphanumeric() {
            if gap {
                name.push('-');
            }
            name.push(c.to_ascii_lowercase());
            gap = false;
        } else {
            gap = true;
        }
    }
    name
}

/// The scenario (TOML) equivalent to `workload` with `service`.
///
/// - The topics are identical and independent, so one is modelled: it
///   gets `producerRate / topics` messages per second, its own partitions
///   and its own subscription's consumers. Each topic's figures are the
///   model's; throughput over all topics is `topics` times its own.
/// - The `producersPerTopic` producers send at equal rates with even
///   spacing; their merged stream is modelled as one evenly spaced stream
///   at the topic's rate (deterministic interarrival times).
/// - One partition: a Kafka-style subscription reads it with one consumer
///   (others idle), so the topic is one FIFO queue with one consumer.
///   Several: a partitioned queue with `consumerPerSubscription` consumers
///   (range assignor, Kafka's default).
/// - `subscriptionsPerTopic` above 1: the topic queue (a partitioned one,
///   even of one partition) is the first subscription, and each other is
///   a consumer group on it (`topic = "topic"`, named `subscription-<n>`)
///   with as many consumers and the same work: every group reads every
///   message (a fan-out), and all are alike, so the topic's row stands
///   for each (OMB's latency pools them).
/// - `NO_KEY`: round-robin over the partitions. `KEY_ROUND_ROBIN` and
///   `RANDOM_NANO`: OMB's 10,000 keys through Kafka's hash partitioner,
///   as uniform keys (`KEY_ROUND_ROBIN` cycles through them in a fixed
///   order; the model picks independently with the same shares).
pub fn render(workload: &Workload, service: Service) -> String {
    let name = scenario_name(&workload.name);
    let topics = workload.topics;
    let per_topic = workload.topic_rate();
    let interarrival_ms = 1000.0 / per_topic;
    let partitions = workload.partitions_per_topic;
    let consumers = if partitions == 1 {
        1
    } else {
        workload.consumers_per_subscription
    };
    let mut text = String::new();
    let line = |text: &mut String, s: String| {
        text.push_str(&s);
        text.push('\n');
    };
    line(
        &mut text,
        "# Written by `queuelab omb import` from an OpenMessaging Benchmark workload.".into(),
    );
    line(&mut text, format!("name = {name:?}"));
    let readers = match workload.subscriptions_per_topic {
        1 => format!("{} consumer(s)", workload.consumers_per_subscription),
        n => format!(
            "{n} subscriptions of {} consumer(s) each",
            workload.consumers_per_subscription
        ),
    };
    let description = format!(
        "OMB workload \"{}\": {topics} topic(s) x {partitions} partition(s), {} B messages, {} producer(s) and {readers} per topic, {} msg/s in all ({per_topic} per topic, evenly spaced), keys {}; {} min test after {} min warm-up in OMB. One topic is modelled (all are identical and independent).",
        workload.name,
        workload.message_size,
        workload.producers_per_topic,
        workload.producer_rate,
        workload.key_distributor.name(),
        workload.test_duration_minutes,
        workload.warmup_duration_minutes,
    );
    line(&mut text, format!("description = {description:?}"));
    line(&mut text, "time_unit = \"ms\"".into());
    line(&mut text, String::new());
    line(&mut text, "[run]".into());
    line(&mut text, "seed = 1".into());
    line(&mut text, "warmup = \"auto\"".into());
    line(&mut text, String::new());
    line(&mut text, "[[producers]]".into());
    line(&mut text, "name = \"omb-producers\"".into());
    line(&mut text, "to = \"topic\"".into());
    let _ = writeln!(
        text,
        "interarrival = {{ dist = \"deterministic\", value = {interarrival_ms:?} }}"
    );
    if partitions > 1 && workload.key_distributor != KeyDistributor::NoKey {
        let _ = writeln!(
            text,
            "keys = {{ distribution = \"uniform\", count = {OMB_KEYS} }}"
        );
    }
    let subscriptions = workload.subscriptions_per_topic;
    line(&mut text, String::new());
    line(&mut text, "[[queues]]".into());
    line(&mut text, "name = \"topic\"".into());
    if partitions > 1 || subscriptions > 1 {
        let _ = writeln!(text, "partitions = {partitions}");
    }
    let _ = writeln!(text, "consumers = {consumers}");
    let _ = writeln!(text, "service = {}", service.toml());
    for subscription in 2..=subscriptions {
        line(&mut text, String::new());
        let _ = writeln!(
            text,
            "# Subscription {subscription}: another consumer group reading every message."
        );
        line(&mut text, "[[queues]]".into());
        let _ = writeln!(text, "name = \"subscription-{subscription}\"");
        line(&mut text, "topic = \"topic\"".into());
        let _ = writeln!(text, "consumers = {consumers}");
        let _ = writeln!(text, "service = {}", service.toml());
    }
    text
}
