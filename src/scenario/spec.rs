//! The raw scenario-file schema (scenarios/README.md), deserialised by serde
//! with unknown keys rejected. `validate` turns it into a [`crate::model::Model`].

use serde::Deserialize;

use crate::model::{Discipline, Overflow, UNLIMITED_PREFETCH};

/// A whole scenario file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Names the results folder `results/<name>/`.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Label of the time unit used throughout the file.
    #[serde(default = "default_time_unit")]
    pub time_unit: String,
    /// Run length, replications, seed, warm-up and confidence.
    #[serde(default)]
    pub run: RunSpec,
    /// Arrival streams.
    pub producers: Vec<ProducerSpec>,
    /// Stations.
    #[serde(default)]
    pub queues: Vec<QueueSpec>,
    /// Queues and topics configured with a broker's own settings; each
    /// expands into a queue (see `preset`).
    #[serde(default)]
    pub brokers: Vec<super::preset::BrokerSpec>,
    /// Message classes.
    #[serde(default)]
    pub classes: Vec<ClassSpec>,
    /// Optional sweep over load or one numeric key.
    pub sweep: Option<SweepSpec>,
    /// Which sources to compare.
    #[serde(default)]
    pub compare: CompareSpec,
    /// Capacity planning (`queuelab plan`).
    pub plan: Option<PlanSpec>,
}

/// `[plan]`: what to decide and the targets it must meet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSpec {
    /// `queues.<name>.consumers`, `queues.<name>.capacity` or `load`.
    pub decide: String,
    /// Largest consumers or capacity tried (or highest load).
    pub max_value: Option<f64>,
    /// Cap on replications when confirming a candidate by simulation.
    pub max_replications: Option<u32>,
    /// Targets every candidate must meet.
    pub targets: Vec<PlanTargetSpec>,
}

/// `[[plan.targets]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanTargetSpec {
    /// A metric name, or `wait_within`.
    pub metric: String,
    /// The metric must not exceed this.
    pub max: Option<f64>,
    /// The metric must reach at least this.
    pub min: Option<f64>,
    /// For `wait_within`: the waiting time t.
    pub t: Option<f64>,
    /// For `wait_within`: the share of messages that must start within t.
    pub at_least: Option<f64>,
    /// The queue the target is about (default: the decided queue, or the
    /// whole system of a network).
    pub queue: Option<String>,
}

fn default_time_unit() -> String {
    "s".to_string()
}

/// `[run]`: how long and how often to simulate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunSpec {
    /// Master seed of every random stream.
    pub seed: u64,
    /// Independent replications.
    pub replications: u32,
    /// Messages measured per replication, after warm-up.
    pub customers: Option<u64>,
    /// Simulated time measured per replication, after warm-up.
    pub horizon: Option<f64>,
    /// `"auto"` (MSER-5) or a number of messages to discard.
    pub warmup: WarmupSpec,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Add replications until each CI half-width is at most this share of its mean.
    pub target_precision: Option<f64>,
    /// Cap on replications for `target_precision`.
    pub max_replications: Option<u32>,
    /// Report every interval of this many time units (a run measured by
    /// `horizon` from an empty system), as a rate profile's steps are.
    pub report_every: Option<f64>,
}

impl Default for RunSpec {
    fn default() -> Self {
        RunSpec {
            seed: 1,
            replications: 8,
            customers: None,
            horizon: None,
            warmup: WarmupSpec::Auto,
            confidence: 0.95,
            target_precision: None,
            max_replications: None,
            report_every: None,
        }
    }
}

/// The warm-up setting: `"auto"` or a whole number of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarmupSpec {
    /// MSER-5 on a pilot run.
    Auto,
    /// A number of messages.
    Count(u64),
}

impl<'de> Deserialize<'de> for WarmupSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        count_or_keyword(
            deserializer,
            ("auto", WarmupSpec::Auto),
            |count| Some(WarmupSpec::Count(count)),
            "\"auto\" or a whole number of messages (>= 0)",
        )
    }
}

/// Deserialises a whole number (`from_count` gives `None` when it is out of
/// range) or the single word of `keyword`; errors say `expecting`.
fn count_or_keyword<'de, D: serde::Deserializer<'de>, T>(
    deserializer: D,
    keyword: (&'static str, T),
    from_count: fn(u64) -> Option<T>,
    expecting: &'static str,
) -> Result<T, D::Error> {
    struct Visitor<T> {
        keyword: (&'static str, T),
        from_count: fn(u64) -> Option<T>,
        expecting: &'static str,
    }
    impl<T> serde::de::Visitor<'_> for Visitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.expecting)
        }

        fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<T, E> {
            u64::try_from(value)
                .ok()
                .and_then(self.from_count)
                .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Signed(value), &self))
        }

        fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<T, E> {
            (self.from_count)(value)
                .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Unsigned(value), &self))
        }

        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
            if value == self.keyword.0 {
                Ok(self.keyword.1)
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Str(value), &self))
            }
        }
    }
    deserializer.deserialize_any(Visitor {
        keyword,
        from_count,
        expecting,
    })
}

/// `[[producers]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerSpec {
    /// Unique name.
    pub name: String,
    /// Queue it publishes to.
    pub to: String,
    /// Time between messages (an open stream).
    pub interarrival: Option<DistSpec>,
    /// A closed loop of clients awaiting replies, instead of `interarrival`.
    pub closed: Option<ClosedSpec>,
    /// Class of its messages.
    pub class: Option<String>,
    /// A rate that changes over time, step by step.
    pub rate_profile: Option<Vec<RateStepSpec>>,
    /// Start the profile again after its last step (default: stop sending).
    pub rate_profile_repeats: Option<bool>,
    /// The keys of its messages, which pick a partitioned queue's partition.
    pub keys: Option<KeysSpec>,
}

/// `keys = { distribution = "zipf", count = 1000, exponent = 1.0 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysSpec {
    /// How often each key is drawn.
    pub distribution: KeyDistributionSpec,
    /// Number of distinct keys.
    pub count: u32,
    /// Zipf exponent s (zipf only).
    pub exponent: Option<f64>,
}

/// `keys.distribution`.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyDistributionSpec {
    /// Every key equally often.
    Uniform,
    /// Key k (0-based) with weight 1 / (k + 1)^exponent.
    Zipf,
}

/// One step of `rate_profile`: `{ until = 3600, rate = 10.0 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateStepSpec {
    /// End of the step.
    pub until: f64,
    /// Messages per time unit during the step.
    pub rate: f64,
}

/// `closed = { population = N, think = <dist> }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClosedSpec {
    /// Number of clients.
    pub population: u32,
    /// Time between a reply and the next message.
    pub think: DistSpec,
}

/// `[[queues]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    /// Unique name.
    pub name: String,
    /// Number of consumers, or "unlimited" (unless `consumers_schedule`).
    pub consumers: Option<ConsumersSpec>,
    /// Consumers that change over time, step by step, following the
    /// producers' rate profile.
    pub consumers_schedule: Option<Vec<ScheduleStepSpec>>,
    /// Service time.
    pub service: DistSpec,
    /// Service order.
    #[serde(default)]
    pub discipline: Discipline,
    /// Maximum messages in queue + in service.
    pub capacity: Option<u32>,
    /// Maximum messages waiting, not counting those in service.
    pub max_length: Option<u32>,
    /// What a full queue does with an arrival: `reject-publish`,
    /// `drop-head` or `reject-publish-dlx`.
    pub overflow: Option<Overflow>,
    /// Routing after service.
    #[serde(default)]
    pub next: Vec<RouteSpec>,
    /// How long a waiting message waits before it expires (TTL).
    pub patience: Option<DistSpec>,
    /// Queue that receives expired messages and overflow victims instead
    /// of dropping them.
    pub dead_letter: Option<String>,
    /// Messages already waiting when the run starts.
    #[serde(default)]
    pub backlog: u32,
    /// Prefetch window per consumer (RabbitMQ `basic.qos`): a whole number
    /// of unacknowledged messages, or "unlimited" (0 also means unlimited).
    pub prefetch: Option<PrefetchSpec>,
    /// Acknowledgement round trip after each service (needs `prefetch`).
    pub ack: Option<DistSpec>,
    /// Trip of each delivery from the broker to its consumer, after it
    /// left the ready line (needs `prefetch`).
    pub delivery: Option<DistSpec>,
    /// Partitions of a partitioned queue read by one consumer group.
    pub partitions: Option<u32>,
    /// How the partitions are assigned to the consumers (default range).
    pub assignor: Option<AssignorSpec>,
    /// Threads each consumer of a partitioned queue serves its partitions'
    /// messages with, at once (default 1: one at a time, in order).
    pub threads: Option<u32>,
    /// Batch polling: most messages a poll takes (Kafka's
    /// `max.poll.records`, default 500 once polling is on).
    pub max_poll_records: Option<u32>,
    /// Batch polling: messages a fetch waits for (Kafka's
    /// `fetch.min.bytes` counted in messages, default 1).
    pub fetch_min: Option<u32>,
    /// Batch polling: longest a fetch waits for `fetch_min` messages
    /// (Kafka's `fetch.max.wait.ms`, default 500 ms in the file's unit).
    pub fetch_wait: Option<f64>,
    /// Batch polling: the time a poll costs before its batch (default 0).
    pub poll_overhead: Option<DistSpec>,
    /// Batch polling: longest a batch may run after its poll before its
    /// consumer leaves the group (Kafka's `max.poll.interval.ms`); none by
    /// default.
    pub max_poll_interval: Option<f64>,
    /// How long a rebalance pauses the group: a time or a distribution
    /// (default 3 s in the file's unit; needs `max_poll_interval` or
    /// `group_changes`).
    pub rebalance_time: Option<TimeSpec>,
    /// Consumers joining or leaving the group at given times, each change
    /// a rebalance: `[ { at = 600, consumers = 4 }, ... ]`.
    pub group_changes: Option<Vec<GroupChangeSpec>>,
    /// How a rebalance pauses the group: `eager` (default, the whole
    /// group) or `cooperative` (only the partitions that move).
    pub rebalance_protocol: Option<RebalanceProtocolSpec>,
    /// Failed deliveries and how they are delivered again.
    pub retry: Option<RetrySpec>,
    /// Consumers that fail and are repaired.
    pub outage: Option<OutageSpec>,
    /// A lease on each delivery (NATS JetStream's `ack_wait`): a delivery
    /// not acknowledged within this time is delivered again.
    pub ack_wait: Option<f64>,
    /// Most deliveries of a message with a lease, the first included
    /// (JetStream's `max_deliver`); no limit when left out.
    pub max_deliver: Option<u32>,
    /// Another consumer group on the topic of the partitioned queue named
    /// here: this queue receives a copy of every message published to it,
    /// on the same partition (its `partitions` by default).
    pub topic: Option<String>,
}

/// `outage = { mtbf = 600, repair = { dist = "deterministic", value = 30 } }`:
/// each consumer fails after an up time and is repaired after a repair
/// time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutageSpec {
    /// Up time between failures: a number (the mean of exponential up
    /// times) or a distribution.
    pub mtbf: MtbfSpec,
    /// Time a failed consumer stays down.
    pub repair: DistSpec,
}

/// `mtbf`: a mean (exponential up times) or a distribution table.
#[derive(Debug, Clone)]
pub enum MtbfSpec {
    /// Exponential up times of this mean.
    Mean(f64),
    /// Up times from this distribution.
    Dist(DistSpec),
}

impl<'de> Deserialize<'de> for MtbfSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = MtbfSpec;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a mean time between failures (a number: exponential up times) or a distribution such as { dist = \"weibull\", shape = 1.5, scale = 600 }")
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<MtbfSpec, E> {
                Ok(MtbfSpec::Mean(value as f64))
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<MtbfSpec, E> {
                Ok(MtbfSpec::Mean(value as f64))
            }

            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<MtbfSpec, E> {
                Ok(MtbfSpec::Mean(value))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<MtbfSpec, A::Error> {
                DistSpec::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(MtbfSpec::Dist)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// `prefetch`: a whole number (0: unlimited, as in RabbitMQ) or
/// `"unlimited"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefetchSpec(pub u32);

impl<'de> Deserialize<'de> for PrefetchSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        count_or_keyword(
            deserializer,
            ("unlimited", PrefetchSpec(UNLIMITED_PREFETCH)),
            |count| match u32::try_from(count) {
                Ok(0) => Some(PrefetchSpec(UNLIMITED_PREFETCH)),
                Ok(count) if count < UNLIMITED_PREFETCH => Some(PrefetchSpec(count)),
                _ => None,
            },
            "a whole number of unacknowledged messages per consumer, or \"unlimited\" (0 also means unlimited)",
        )
    }
}

/// One entry of `group_changes`: the group has `consumers` from `at` on.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupChangeSpec {
    /// When (from the run's start, time 0).
    pub at: f64,
    /// Consumers in the group from then on.
    pub consumers: u32,
}

/// `rebalance_protocol`: Kafka's rebalance protocols.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RebalanceProtocolSpec {
    /// EAGER: every partition pauses.
    Eager,
    /// COOPERATIVE: only the partitions that move pause.
    Cooperative,
}

/// `assignor`: Kafka's partition assignors, for one topic.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssignorSpec {
    /// Contiguous ranges (`RangeAssignor`).
    Range,
    /// Partition p to consumer p mod C (`RoundRobinAssignor`).
    RoundRobin,
    /// Balanced, keeping partitions with their owner on a rebalance
    /// (`StickyAssignor`, `CooperativeStickyAssignor`).
    Sticky,
}

/// `retry = { p = 0.2, max_retries = 16, levels = "rocketmq" }`: each
/// delivery fails with probability `p`; a failed message is delivered again
/// after its retry's delay (one of `delays`, `backoff`, `levels`) or at
/// once at the head of the line (`requeue = "head"`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    /// Probability that a delivery fails.
    pub p: f64,
    /// Most redeliveries after the first delivery; unlimited when absent
    /// (with `delays`: their number; with `levels`: the preset's).
    pub max_retries: Option<u32>,
    /// The delay before retry 1, 2, ...
    pub delays: Option<Vec<f64>>,
    /// Delays that grow from retry to retry.
    pub backoff: Option<BackoffSpec>,
    /// A broker's ladder of delays: "rocketmq".
    pub levels: Option<String>,
    /// "head": requeued at once at the head of the line (no delay).
    pub requeue: Option<String>,
}

/// `backoff = { kind = "exponential", base = 1, max = 60 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackoffSpec {
    /// How the delay grows: fixed, linear or exponential.
    pub kind: BackoffKind,
    /// Delay before the first retry.
    pub base: f64,
    /// Cap on the delay.
    pub max: Option<f64>,
}

/// `backoff.kind`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackoffKind {
    /// `base` before every retry.
    Fixed,
    /// `base · k` before retry k.
    Linear,
    /// `base · 2^(k-1)` before retry k.
    Exponential,
}

/// One step of `consumers_schedule`: `{ until = 3600, consumers = 4 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleStepSpec {
    /// End of the step.
    pub until: f64,
    /// Consumers working during the step.
    pub consumers: u32,
}

/// `consumers`: a whole number or `"unlimited"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsumersSpec {
    /// This many consumers.
    Count(u32),
    /// A consumer for every message (a pure delay).
    Unlimited,
}

impl<'de> Deserialize<'de> for ConsumersSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        count_or_keyword(
            deserializer,
            ("unlimited", ConsumersSpec::Unlimited),
            |count| {
                u32::try_from(count)
                    .ok()
                    .filter(|&count| count < u32::MAX)
                    .map(ConsumersSpec::Count)
            },
            "a whole number of consumers or \"unlimited\"",
        )
    }
}

/// One entry of `next`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// Next queue.
    pub to: String,
    /// Probability.
    pub p: f64,
}

/// `[[classes]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassSpec {
    /// Unique name.
    pub name: String,
    /// Lower is served first.
    #[serde(default)]
    pub priority: i64,
    /// Service time replacing the queues' for this class.
    pub service: Option<DistSpec>,
}

/// `[sweep]`: one of `load`, `parameter` with `values`, `grid` or `zip`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// Loads of the busiest queue.
    pub load: Option<Vec<f64>>,
    /// Dotted key such as `queues.orders.consumers`.
    pub parameter: Option<String>,
    /// Values for `parameter`.
    pub values: Option<Vec<toml::Value>>,
    /// Several parameters, every combination of their values.
    pub grid: Option<Vec<SweptSpec>>,
    /// Several parameters, their values taken together (equal lengths).
    pub zip: Option<Vec<SweptSpec>>,
}

/// One parameter of a `grid` or `zip` sweep.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweptSpec {
    /// Dotted key such as `queues.orders.consumers`, or `load`.
    pub parameter: String,
    /// Its values.
    pub values: Vec<toml::Value>,
}

/// `[compare]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CompareSpec {
    /// Evaluate formulas.
    pub theory: bool,
    /// Run the simulator.
    pub simulation: bool,
    /// Drive real in-process queues.
    pub live: Option<LiveSpec>,
    /// Service-level thresholds t (time units): each adds the metrics
    /// `wait_within_<t>` and `sojourn_within_<t>`.
    pub within: Vec<f64>,
}

impl Default for CompareSpec {
    fn default() -> Self {
        CompareSpec {
            theory: true,
            simulation: true,
            live: None,
            within: Vec::new(),
        }
    }
}

/// `[compare] live = { ... }`; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveSpec {
    /// Queue implementations, e.g. `["crossbeam", "std-mpsc"]`.
    pub channels: Option<Vec<super::ChannelKind>>,
    /// Wall milliseconds per model time unit.
    pub time_scale_ms: Option<f64>,
    /// Measured wall seconds per point and channel.
    pub seconds: Option<f64>,
    /// Wall seconds discarded first.
    pub warmup_seconds: Option<f64>,
}

/// A time written as a number, or as a distribution.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TimeSpec {
    /// A fixed time.
    Fixed(f64),
    /// A distribution of times.
    Dist(DistSpec),
}

/// A distribution as written, tagged by `dist`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum DistSpec {
    /// `rate` or `mean`.
    Exponential {
        /// Events per time unit.
        rate: Option<f64>,
        /// Mean time.
        mean: Option<f64>,
    },
    /// Always `value`.
    Deterministic {
        /// The constant.
        value: f64,
    },
    /// Sum of `k` exponential phases with total `mean`.
    Erlang {
        /// Phases.
        k: u32,
        /// Mean.
        mean: f64,
    },
    /// Gamma with `mean` and `scv`.
    Gamma {
        /// Mean.
        mean: f64,
        /// Squared coefficient of variation.
        scv: f64,
    },
    /// Mixture of exponentials: `mean` + `scv`, or `probs` + `rates`.
    Hyperexponential {
        /// Mean (balanced-means fit).
        mean: Option<f64>,
        /// Squared coefficient of variation (> 1).
        scv: Option<f64>,
        /// Phase probabilities.
        probs: Option<Vec<f64>>,
        /// Phase rates.
        rates: Option<Vec<f64>>,
    },
    /// Lognormal with `mean` and `scv`.
    Lognormal {
        /// Mean.
        mean: f64,
        /// Squared coefficient of variation.
        scv: f64,
    },
    /// Uniform on [`low`, `high`].
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Weibull.
    Weibull {
        /// Shape.
        shape: f64,
        /// Scale.
        scale: f64,
    },
    /// Pareto type I (support from `scale`).
    Pareto {
        /// Shape.
        shape: f64,
        /// Scale (minimum value).
        scale: f64,
    },
    /// Samples drawn uniformly from a CSV column.
    Empirical {
        /// CSV path, relative to the scenario file.
        file: String,
        /// Column header; the first column when absent.
        column: Option<String>,
    },
    /// Recorded arrival timestamps from a CSV column, replayed in order
    /// (a producer's `interarrival` only).
    Trace {
        /// CSV path, relative to the scenario file.
        file: String,
        /// Column header; the first column when absent.
        column: Option<String>,
    },
}
