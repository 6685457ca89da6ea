//! `queuelab bench`: a live run with a real broker as the channel. The
//! schedule ([`crate::live::Timeline`], the same seeded streams as the
//! simulation and `live`), the stamps, the measurement, the machine's
//! health and the replay input are live's; a broker driver (one per
//! broker, each behind its cargo feature) only sends each message at its
//! scheduled instant, emulates each service in its consumers and records
//! the broker's own stamps (delivery, acknowledgement, publisher confirm)
//! and its unloaded transit D0, measured first with one message in flight.
//! `drive.rs` holds the producer and consumer threads every driver runs
//! and `stamps.rs` what they record; a driver (`rabbitmq.rs`, `nats.rs`,
//! `kafka.rs`) supplies the broker's publish, delivery and
//! acknowledgement, `topic.rs` what a Kafka-protocol run of a model is
//! and `group.rs` what it measures of its consumer group.

mod depth;
#[cfg(any(feature = "rabbitmq", feature = "nats", feature = "kafka"))]
mod drive;
mod group;
#[cfg(feature = "kafka")]
mod kafka;
#[cfg(feature = "nats")]
mod nats;
#[cfg(feature = "rabbitmq")]
mod rabbitmq;
mod saturation;
#[cfg(any(feature = "rabbitmq", feature = "nats", feature = "kafka"))]
mod stamps;
mod topic;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

pub use crate::scenario::live_settings::BrokerKind;
pub use depth::DepthSamples;
pub use group::{ChangeMeasures, GroupMeasures, PartitionMeasures, PauseMeasures};
pub use saturation::Saturation;

use crate::dist::Dist;
use crate::live::{LiveRun, LiveSettings};
use crate::model::metric::Metric;
use crate::model::{Admission, Dispatch, Expiry, Feature, Features, Limit, Model, Queue, Window};

/// Where RabbitMQ listens unless `--url` says otherwise (its defaults).
pub const DEFAULT_RABBITMQ_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// Where NATS (with JetStream) listens unless `--url` says otherwise.
pub const DEFAULT_NATS_URL: &str = "nats://127.0.0.1:4222";

/// Where a Kafka-protocol broker listens unless `--url` says otherwise:
/// the port `scripts/tansu.sh` starts tansu on.
pub const DEFAULT_KAFKA_URL: &str = "127.0.0.1:9092";

/// Most consumers a bench run starts (one thread and channel each).
pub const MAX_CONSUMERS: u32 = 64;

/// The broker a bench run drives and where it listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerTarget {
    /// Which broker.
    pub kind: BrokerKind,
    /// Its address, credentials included (never written to results: see
    /// [`without_password`]).
    pub url: String,
}

impl BrokerTarget {
    /// `kind` at `url`, or at its default address.
    pub fn new(kind: BrokerKind, url: Option<String>) -> BrokerTarget {
        let url = url.unwrap_or_else(|| match kind {
            BrokerKind::Rabbitmq => DEFAULT_RABBITMQ_URL.to_string(),
            BrokerKind::Nats => DEFAULT_NATS_URL.to_string(),
            BrokerKind::Kafka => DEFAULT_KAFKA_URL.to_string(),
        });
        BrokerTarget { kind, url }
    }
}

/// Why a bench run could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BenchError {
    /// This build has no driver for the broker (exit 2).
    #[error(
        "`queuelab bench --broker {name}` needs a build with the `{feature}` feature: cargo build --release --features {feature}",
        name = .0.name(),
        feature = .0.feature()
    )]
    NotBuilt(BrokerKind),
    /// The broker could not be reached or refused something (exit 1).
    #[error("{0}")]
    Broker(String),
}

/// One bench run: the live run (metrics, health, replay input) and the
/// broker's own measurements.
#[derive(Clone, Debug)]
pub struct BenchRun {
    /// What a live run on an in-process channel gives too.
    pub live: LiveRun,
    /// The broker's own stamps, summarised.
    pub broker: BrokerMeasures,
}

/// A latency's summary over its messages, in microseconds of wall time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Messages measured.
    pub count: usize,
    /// Mean (µs); null without messages.
    pub mean_us: Option<f64>,
    /// Median (µs).
    pub p50_us: Option<f64>,
    /// 99th percentile (µs).
    pub p99_us: Option<f64>,
}

#[cfg(any(feature = "rabbitmq", feature = "nats", feature = "kafka"))]
impl Latency {
    /// The summary of `ns` (sorted in place), nanosecond durations.
    fn of(ns: &mut [u64]) -> Latency {
        ns.sort_unstable();
        let us = |index: usize| ns.get(index).map(|&v| v as f64 / 1e3);
        let at = |p: f64| us(((ns.len().max(1) - 1) as f64 * p).round() as usize);
        Latency {
            count: ns.len(),
            mean_us: (!ns.is_empty())
                .then(|| ns.iter().map(|&v| v as f64).sum::<f64>() / ns.len() as f64 / 1e3),
            p50_us: at(0.5),
            p99_us: at(0.99),
        }
    }
}

/// What a bench run measured at the broker besides live's metrics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BrokerMeasures {
    /// The broker, e.g. `rabbitmq`.
    pub broker: BrokerKind,
    /// Where it was reached, without the password.
    pub url: String,
    /// The queue the run declared (unique to the run, deleted after it).
    pub queue: String,
    /// Each consumer's window of unacknowledged deliveries (`basic.qos`;
    /// 0 is unlimited).
    pub prefetch: u32,
    /// Consumers, one channel each.
    pub consumers: u32,
    /// Unloaded transit D0: publish to delivery at a consumer with one
    /// message in flight, measured before the run.
    pub transit_unloaded: Latency,
    /// The broker's saturation rate with these consumers at zero service,
    /// measured before the run (absent from older results).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub saturation: Option<Saturation>,
    /// Publish to delivery during the run (includes the wait for a free
    /// window slot). This and the other latencies below are over the
    /// messages scheduled after the warm-up, as the live metrics are.
    pub publish_to_delivery: Latency,
    /// Publish to the broker's confirm during the run.
    pub publish_to_confirm: Latency,
    /// The producer's lag: a message's scheduled send to its actual
    /// publish (absent from older results).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub publish_lag: Option<Latency>,
    /// End of service to the acknowledgement handed to the connection.
    pub service_end_to_ack: Latency,
    /// A consumer's acknowledgement to its next delivery, for deliveries
    /// already published then and not yet in the consumer's window when
    /// its previous service ended: the broker's turnaround, during which
    /// a consumer whose window is empty idles although messages are ready
    /// (what the model's `ack` round trip stands for; a delivery already
    /// in the window is started at once, in the model too).
    pub ack_to_next_delivery: Latency,
    /// Deliveries the broker flagged as redelivered (0 in a clean run
    /// without retries; each nack's redelivery otherwise).
    pub redelivered: u64,
    /// Deliveries the consumers nacked with requeue: the failed
    /// deliveries of a model with `retry` (absent from older results).
    #[serde(default)]
    pub nacked: u64,
    /// The queue's ready messages and consumers as the broker reported
    /// them during the run (absent when no sample was taken).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub depth: Option<DepthSamples>,
    /// Messages the broker refused with a publisher nack (a full
    /// `reject-publish` queue): live's rejections.
    #[serde(default)]
    pub refused: u64,
    /// Of the refused messages, those whose copy reached the run's
    /// dead-letter queue (a full `reject-publish-dlx` queue nacks and
    /// dead-letters each; 0 otherwise).
    #[serde(default)]
    pub refused_dead_lettered: u64,
    /// Messages dead-lettered as expired (`x-message-ttl` ran out while
    /// they were ready): live's expiries.
    #[serde(default)]
    pub expired: u64,
    /// Messages dead-lettered as dropped from the head of a full
    /// `drop-head` queue: live's drops.
    #[serde(default)]
    pub dropped: u64,
    /// The turnaround the replay holds each consumer's slot for after each
    /// service (model time units): the mean of service end to ack plus
    /// ack to the next ready delivery, as the model's `ack` round trip
    /// (see [`BrokerMeasures::replay_model`]); 0 when none was measured
    /// or the replay holds none (a Kafka group, a lease).
    #[serde(default)]
    pub replay_turnaround: f64,
    /// The part of `replay_turnaround` the replay spends on each
    /// delivery's trip to its consumer (model time units), after the
    /// message left the ready line: half of ack to the next delivery on
    /// RabbitMQ, which dispatches the next message when an ack arrives
    /// (the ack's leg and the delivery's leg taken as equal on loopback);
    /// 0 otherwise (absent from older results).
    #[serde(default)]
    pub replay_delivery: f64,
    /// How long after its scheduled send a message's TTL starts in the
    /// replay (model time units): RabbitMQ starts it when the message
    /// reaches the queue, after the producer's mean lag and the publish's
    /// leg (half of publish to confirm); 0 otherwise (absent from older
    /// results).
    #[serde(default)]
    pub replay_ttl_start: f64,
    /// The theory row with the unloaded transit added (absent without
    /// theory): what the verdicts against theory compare with.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub theory_with_transit: Option<TransitTheory>,
    /// A consumer group's own figures (a Kafka-protocol run; absent
    /// otherwise): messages per consumer and per partition, consumer lag,
    /// and the pause of each consumer joining.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub group: Option<GroupMeasures>,
}

/// A theory row with the measured unloaded transit D0 added: every
/// message crosses the broker before a consumer can start it, so each
/// wait and sojourn (means and percentiles) grows by D0 and, by Little's
/// law, each mean count by λ·D0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransitTheory {
    /// D0 added, in model time units.
    pub transit: f64,
    /// Whether the theory row was exact (the shift itself assumes a
    /// constant transit).
    pub exact: bool,
    /// The shifted values.
    pub metrics: BTreeMap<Metric, f64>,
}

impl TransitTheory {
    /// `metrics` (exact or not) with a transit of `transit` time units at
    /// arrival rate `rate`.
    pub fn add(metrics: &BTreeMap<Metric, f64>, exact: bool, transit: f64, rate: f64) -> Self {
        let shifted = metrics
            .iter()
            .map(|(&metric, &value)| {
                let shift = match metric {
                    Metric::MeanWait
                    | Metric::MeanSojourn
                    | Metric::WaitP50
                    | Metric::WaitP90
                    | Metric::WaitP99
                    | Metric::SojournP50
                    | Metric::SojournP90
                    | Metric::SojournP99 => transit,
                    Metric::MeanInQueue | Metric::MeanInSystem => rate * transit,
                    _ => 0.0,
                };
                (metric, value + shift)
            })
            .collect();
        TransitTheory {
            transit,
            exact,
            metrics: shifted,
        }
    }
}

impl BrokerMeasures {
    /// These measures of a run of `model` at `ns_per_unit` wall ns per
    /// model time unit, with the replay's turnaround set: the mean of
    /// service end to ack plus ack to the next ready delivery; none for a
    /// Kafka consumer group, whose consumers fetch ahead (no commit holds a
    /// partition's next message back), nor for a queue with a lease. On RabbitMQ, half of ack to the next delivery
    /// is the delivery's trip (`replay_delivery`): the broker dispatches
    /// when the ack arrives, so the message leaves the ready line then.
    pub fn in_units(mut self, ns_per_unit: f64, model: &Model) -> BrokerMeasures {
        let mean_ns = |l: &Latency| l.mean_us.unwrap_or(0.0) * 1e3;
        let gap = mean_ns(&self.ack_to_next_delivery);
        let turnaround = mean_ns(&self.service_end_to_ack) + gap;
        // A lease is modelled on a shared line only: the replay then
        // leaves the turnaround in live − replay.
        let holds = model.queues[0].lease().is_none();
        (self.replay_turnaround, self.replay_delivery) = match self.broker {
            BrokerKind::Kafka => (0.0, 0.0),
            _ if !holds => (0.0, 0.0),
            BrokerKind::Rabbitmq => (turnaround / ns_per_unit, gap / 2.0 / ns_per_unit),
            BrokerKind::Nats => (turnaround / ns_per_unit, 0.0),
        };
        let lag = self.publish_lag.as_ref().map_or(0.0, mean_ns);
        let publish_leg = mean_ns(&self.publish_to_confirm) / 2.0;
        self.replay_ttl_start = match self.broker {
            BrokerKind::Rabbitmq => (lag + publish_leg) / ns_per_unit,
            BrokerKind::Kafka | BrokerKind::Nats => 0.0,
        };
        self
    }

    /// These measures with `theory` (a row's values of `model`, exact or
    /// not), shifted by the mean unloaded transit at `ns_per_unit` wall ns
    /// per time unit, as `theory_with_transit`.
    pub fn with_theory(
        &self,
        model: &Model,
        theory: Option<(&BTreeMap<Metric, f64>, bool)>,
        ns_per_unit: f64,
    ) -> BrokerMeasures {
        let transit = self.transit_unloaded.mean_us.unwrap_or(0.0) * 1e3 / ns_per_unit;
        // The driven queue's: its dead-letter queue, if any, is not measured.
        let rate = model
            .arrival_rates()
            .and_then(|rates| rates.first().map(|classes| classes.iter().sum::<f64>()))
            .unwrap_or(0.0);
        BrokerMeasures {
            theory_with_transit: theory
                .map(|(metrics, exact)| TransitTheory::add(metrics, exact, transit, rate)),
            ..self.clone()
        }
    }

    /// The model this run is replayed through: `model` with its fixed TTL
    /// (a deterministic patience) started `replay_ttl_start` after each
    /// scheduled send, when the message reaches the queue, and its queue's
    /// consumers holding their window slot (`prefetch`, 1 for a shared
    /// line) for the measured turnaround: each delivery's trip
    /// (`replay_delivery`, the model's `delivery`) and, after each
    /// service, the rest (the model's `ack` round trip). The replay then
    /// holds what the client measured (sends, services and the broker's
    /// mean turnaround), and live − replay is what is left: the rest of
    /// each message's transit and the turnaround's spread. Without a
    /// turnaround to hold (see [`BrokerMeasures::in_units`]), only the
    /// TTL's start moves.
    pub fn replay_model(&self, model: &Model) -> Model {
        let mut replayed = model.clone();
        if let Some(Expiry {
            patience: Dist::Deterministic { value },
        }) = &mut replayed.queues[0].exit.expiry
        {
            *value += self.replay_ttl_start;
        }
        let held = self.replay_turnaround - self.replay_delivery;
        let Ok(ack) = Dist::deterministic(held) else {
            return replayed;
        };
        if self.replay_turnaround <= 0.0 {
            return replayed;
        }
        let queue = &mut replayed.queues[0];
        queue.dispatch = Dispatch::Window(Window {
            prefetch: match &queue.dispatch {
                Dispatch::Window(window) => window.prefetch,
                Dispatch::SharedLine | Dispatch::Partitioned(_) => 1,
            },
            ack: Some(ack),
            delivery: (self.replay_delivery > 0.0)
                .then(|| Dist::deterministic(self.replay_delivery))
                .and_then(Result::ok),
        });
        replayed
    }
}

/// `url` with its password (if any) left out.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(name, _)| name);
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_string(),
    }
}

/// What a bench run reproduces: open producers with any interarrival
/// distribution into one queue, consumers with any service distribution,
/// the queue's prefetch window, a `max_length` of ready messages
/// (`x-max-length`) with `reject-publish`, `drop-head` or
/// `reject-publish-dlx` (with its dead-letter queue, see [`driven`]), a fixed TTL
/// (a deterministic `patience`, `x-message-ttl`), failed deliveries
/// requeued at the head without a limit (`retry`, a nack with requeue on
/// a classic queue), and on NATS JetStream a lease on deliveries
/// (`ack_wait`). Anything else is refused.
const SUPPORTED: Features = Features::of(&[
    Feature::RenewalArrivals,
    Feature::GeneralService,
    Feature::PrefetchWindow,
    Feature::UnlimitedPrefetch,
    Feature::Lease,
    Feature::Capacity,
    Feature::MaxLength,
    Feature::DropHead,
    Feature::RejectToDeadLetter,
    Feature::Patience,
    Feature::RequeueHead,
]);

/// The model a bench run drives for `model`: `model` itself, or, when
/// its second and last queue is only the first's dead-letter queue (fed
/// by nothing else, sending nothing on), the first queue alone. The
/// broker's dead-letter queue stands for the model's: the run reads it,
/// counting each message that reaches it, but does not serve it, so the
/// dead-letter queue's own consumers and service are not driven and its
/// result rows get no measurement.
pub fn driven(model: &Model) -> Cow<'_, Model> {
    let [queue, dead_letters] = model.queues.as_slice() else {
        return Cow::Borrowed(model);
    };
    let only_dead_letters = queue.dead_letter() == Some(1)
        && queue.routes().is_empty()
        && dead_letters.routes().is_empty()
        && dead_letters.dead_letter().is_none()
        && model.producers.iter().all(|p| p.queue == 0);
    if !only_dead_letters {
        return Cow::Borrowed(model);
    }
    let mut driven = model.clone();
    driven.queues.truncate(1);
    driven.queues[0].exit.dead_letter = None;
    Cow::Owned(driven)
}

/// Why `model` cannot be benchmarked on a broker, or `None` when it can.
pub fn unsupported(model: &Model) -> Option<String> {
    let model = &*driven(model);
    if model.queues.len() != 1 {
        return Some(format!(
            "a bench run drives one broker queue (with its dead-letter queue, if the model has one); this model has {} queues",
            model.queues.len()
        ));
    }
    let queue = &model.queues[0];
    if let Some((feature, site)) = model
        .feature_sites()
        .into_iter()
        .find(|(feature, _)| !SUPPORTED.contains(*feature))
    {
        return Some(format!(
            "bench runs do not support {} ({site}) yet: they drive open producers, consumers with their service times and the prefetch window",
            feature.describe()
        ));
    }
    if let Dispatch::Window(window) = &queue.dispatch
        && window.ack.is_some()
    {
        return Some(format!(
            "queue `{}` has an `ack` round trip: a bench run measures the broker's own, so remove `ack`",
            queue.name
        ));
    }
    if let Some(refusal) = unsupported_limits(queue) {
        return Some(refusal);
    }
    (queue.consumers > MAX_CONSUMERS).then(|| {
        format!(
            "a bench run starts one thread and channel per consumer, at most {MAX_CONSUMERS}; queue `{}` has {}",
            queue.name, queue.consumers
        )
    })
}

/// Why `queue`'s length limit, TTL or retry limit has no RabbitMQ
/// equivalent a bench run can declare, or `None`.
fn unsupported_limits(queue: &Queue) -> Option<String> {
    let name = &queue.name;
    if let Some(max) = queue.retry().and_then(|retry| retry.max_retries) {
        return Some(format!(
            "queue `{name}` has `retry.max_retries = {max}`; a bench run nacks with requeue on a classic queue, which has no delivery limit (quorum queues' `x-delivery-limit` is not driven): remove `max_retries`"
        ));
    }
    if matches!(
        queue.admission,
        Admission::Bounded {
            limit: Limit::InSystem(_),
            ..
        }
    ) {
        return Some(format!(
            "queue `{name}` has a `capacity` (messages waiting + in service); RabbitMQ's x-max-length counts ready messages only: use `max_length`"
        ));
    }
    let patience = queue.patience()?;
    (!matches!(patience, Dist::Deterministic { .. })).then(|| {
        format!(
            "queue `{name}` has a random `patience` ({}); RabbitMQ's x-message-ttl is one fixed TTL: use `patience = {{ dist = \"deterministic\", value = ... }}`",
            patience.describe()
        )
    })
}

/// Why `model`, which a bench run supports (see [`unsupported`]), cannot
/// run on NATS JetStream, or `None` when it can: such a run has no
/// unlimited window (each window slot is one pull request of one message)
/// and drives no length limit, TTL or retry yet (the RabbitMQ ladder's).
fn unsupported_on_nats(model: &Model) -> Option<String> {
    let queue = &model.queues[0];
    if prefetch(model) == 0 {
        return Some(format!(
            "queue `{}` has an unlimited prefetch; a NATS JetStream bench gives each consumer a window of pull requests, so give `prefetch` a number (1 for a shared line)",
            queue.name
        ));
    }
    let limited = queue.patience().is_some() || !matches!(queue.admission, Admission::Unbounded);
    (limited || queue.retry().is_some()).then(|| {
        format!(
            "queue `{}` has a length limit, a TTL or a retry (`max_length`, `patience`, `retry`): a NATS JetStream bench does not drive them yet (a RabbitMQ one does: `--broker rabbitmq`); remove them",
            queue.name
        )
    })
}

/// Why a RabbitMQ bench cannot drive `model`'s lease, if it has one:
/// RabbitMQ redelivers nothing on a timer (its `consumer_timeout` closes
/// the channel instead, requeueing all the consumer held).
fn no_lease_on_rabbitmq(model: &Model) -> Option<String> {
    let queue = &model.queues[0];
    queue.lease().map(|_| {
        format!(
            "queue `{}` has a lease (`ack_wait`), which RabbitMQ does not have (its consumer_timeout closes the channel): run it on NATS JetStream (`--broker nats`), or remove `ack_wait`",
            queue.name
        )
    })
}

/// Why a RabbitMQ bench cannot give `model`'s consumers their window,
/// if it cannot: `basic.qos` takes a 16-bit prefetch.
fn prefetch_beyond_basic_qos(model: &Model) -> Option<String> {
    let window = prefetch(model);
    (window > u32::from(u16::MAX)).then(|| {
        format!(
            "queue `{}` has `prefetch` = {window}: RabbitMQ's is at most {} (basic.qos is 16-bit; 0 is unlimited)",
            model.queues[0].name,
            u16::MAX
        )
    })
}

/// The `basic.qos` prefetch a bench run gives each consumer of `model`'s
/// queue: its window (0 for unlimited), or 1 for a shared line, the
/// broker's nearest (one message per consumer at a time).
pub fn prefetch(model: &Model) -> u32 {
    match &model.queues[0].dispatch {
        Dispatch::Window(window) if window.is_unlimited() => 0,
        Dispatch::Window(window) => window.prefetch,
        Dispatch::SharedLine | Dispatch::Partitioned(_) => 1,
    }
}

/// Why `model` cannot be benchmarked on `kind`, or `None` when it can:
/// [`unsupported`] for a queue (on each broker with its own limits too),
/// [`topic::unsupported`] for a topic.
pub fn unsupported_on(model: &Model, kind: BrokerKind) -> Option<String> {
    match kind {
        BrokerKind::Rabbitmq => unsupported(model)
            .or_else(|| no_lease_on_rabbitmq(model))
            .or_else(|| prefetch_beyond_basic_qos(model)),
        BrokerKind::Nats => unsupported(model).or_else(|| unsupported_on_nats(model)),
        BrokerKind::Kafka => topic::unsupported(model),
    }
}

/// Fails unless this build can drive `kind`.
pub fn available(kind: BrokerKind) -> Result<(), BenchError> {
    match kind {
        BrokerKind::Rabbitmq if cfg!(feature = "rabbitmq") => Ok(()),
        BrokerKind::Rabbitmq => Err(BenchError::NotBuilt(kind)),
        BrokerKind::Nats if cfg!(feature = "nats") => Ok(()),
        BrokerKind::Nats => Err(BenchError::NotBuilt(kind)),
        BrokerKind::Kafka if cfg!(feature = "kafka") => Ok(()),
        BrokerKind::Kafka => Err(BenchError::NotBuilt(kind)),
    }
}

/// Runs `model` (see [`unsupported`]; a queue and its dead-letter queue
/// as [`driven`] says, the run then measuring the queue's rows only) on
/// the broker of `target` with the windows of `settings`; the schedule
/// comes from `seed`. `None` when
/// `stop` was set (Ctrl-C) before it finished; the queue it declared is
/// deleted either way.
pub fn run(
    model: &Model,
    settings: &LiveSettings,
    target: &BrokerTarget,
    seed: u64,
    stop: &AtomicBool,
) -> Result<Option<BenchRun>, BenchError> {
    match target.kind {
        #[cfg(feature = "rabbitmq")]
        BrokerKind::Rabbitmq => rabbitmq::run(&driven(model), settings, &target.url, seed, stop),
        #[cfg(feature = "nats")]
        BrokerKind::Nats => nats::run(&driven(model), settings, &target.url, seed, stop),
        #[cfg(feature = "kafka")]
        BrokerKind::Kafka => kafka::run(model, settings, &target.url, seed, stop),
        #[cfg(not(all(feature = "rabbitmq", feature = "nats", feature = "kafka")))]
        _ => {
            let _ = (model, settings, seed, stop); // the driver's, not built
            Err(BenchError::NotBuilt(target.kind))
        }
    }
}

impl BrokerTarget {
    /// Why this target's URL cannot address its broker, if it cannot:
    /// checked before any run, so a miswritten `--url` is an input error.
    pub fn url_problem(&self) -> Option<String> {
        let problem = match self.kind {
            #[cfg(feature = "rabbitmq")]
            BrokerKind::Rabbitmq => rabbitmq::url_problem(&self.url),
            #[cfg(feature = "nats")]
            BrokerKind::Nats => nats::url_problem(&self.url),
            _ => None,
        }?;
        Some(format!(
            "--url `{}`: {problem}",
            without_password(&self.url)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "rabbitmq")]
    #[test]
    fn a_miswritten_amqp_url_is_an_input_error_naming_it() {
        let target = |url: &str| BrokerTarget::new(BrokerKind::Rabbitmq, Some(url.to_string()));
        assert_eq!(
            BrokerTarget::new(BrokerKind::Rabbitmq, None).url_problem(),
            None
        );
        let problem = target("http://guest:secret@nope").url_problem().unwrap();
        assert!(
            problem.starts_with("--url `http://guest@nope`: not an AMQP URL"),
            "{problem}"
        );
    }

    #[cfg(feature = "nats")]
    #[test]
    fn a_miswritten_nats_url_is_an_input_error_naming_it() {
        let target = |url: &str| BrokerTarget::new(BrokerKind::Nats, Some(url.to_string()));
        assert_eq!(
            BrokerTarget::new(BrokerKind::Nats, None).url_problem(),
            None
        );
        let problem = target("amqp://127.0.0.1").url_problem().unwrap();
        assert!(problem.contains("not a NATS server address"), "{problem}");
    }

    /// The first point's model of scenario `text`.
    fn model_of(text: String) -> Model {
        let scenario =
            crate::scenario::parse(std::path::Path::new("t.toml"), text).expect("a valid scenario");
        scenario.points[0].model.clone()
    }

    #[test]
    fn passwords_never_reach_the_results() {
        assert_eq!(
            without_password("amqp://guest:secret@127.0.0.1:5672/%2f"),
            "amqp://guest@127.0.0.1:5672/%2f"
        );
        assert_eq!(without_password("amqp://host/vh"), "amqp://host/vh");
    }

    #[test]
    fn nats_refuses_an_unlimited_window_and_takes_a_shared_line() {
        let model = |prefetch: &str| {
            model_of(format!(
                "name = \"w\"\n[[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = {{ dist = \"exponential\", rate = 0.1 }}\n[[queues]]\nname = \"q\"\nconsumers = 2\nservice = {{ dist = \"exponential\", mean = 10.0 }}\n{prefetch}"
            ))
        };
        let unlimited = model("prefetch = 0");
        assert_eq!(unsupported(&unlimited), None);
        assert!(
            unsupported_on(&unlimited, BrokerKind::Nats)
                .is_some_and(|reason| reason.contains("unlimited prefetch"))
        );
        assert_eq!(unsupported_on(&unlimited, BrokerKind::Rabbitmq), None);
        let shared = model("");
        assert_eq!(unsupported_on(&shared, BrokerKind::Nats), None);
        assert_eq!(prefetch(&shared), 1);
    }

    #[test]
    fn a_dead_letter_queue_is_the_brokers_and_any_other_second_queue_is_refused() {
        let model = |dead_letters: &str| {
            model_of(format!(
                "name = \"d\"\n[[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = {{ dist = \"exponential\", rate = 0.1 }}\n[[queues]]\nname = \"q\"\nconsumers = 2\nservice = {{ dist = \"exponential\", mean = 10.0 }}\nmax_length = 3\noverflow = \"reject-publish-dlx\"\ndead_letter = \"dlq\"\n[[queues]]\nname = \"dlq\"\nconsumers = 1\nservice = {{ dist = \"exponential\", mean = 0.1 }}\n{dead_letters}"
            ))
        };
        let sink = model("");
        let alone = driven(&sink);
        assert_eq!(alone.queues.len(), 1);
        assert_eq!(alone.queues[0].dead_letter(), None);
        assert_eq!(
            alone.queues[0].admission.overflow(),
            Some(crate::model::Overflow::RejectToDeadLetter)
        );
        assert_eq!(unsupported_on(&sink, BrokerKind::Rabbitmq), None);
        // Dead letters sent on to another queue are a network.
        let onwards = model("next = [{ to = \"q\", p = 0.5 }]");
        assert_eq!(driven(&onwards).queues.len(), 2);
        assert!(
            unsupported(&onwards).is_some_and(|reason| reason.contains("one broker queue")),
            "{:?}",
            unsupported(&onwards)
        );
    }

    #[test]
    fn the_transit_shifts_times_by_d0_and_counts_by_lambda_d0() {
        // M/M/1 at λ = 0.5, μ = 1: Wq = 1, W = 2, Lq = 0.5, L = 1.
        let metrics = BTreeMap::from([
            (Metric::MeanWait, 1.0),
            (Metric::MeanSojourn, 2.0),
            (Metric::MeanInQueue, 0.5),
            (Metric::MeanInSystem, 1.0),
            (Metric::Utilisation, 0.5),
        ]);
        let shifted = TransitTheory::add(&metrics, true, 0.2, 0.5);
        assert_eq!(shifted.metrics[&Metric::MeanWait], 1.2);
        assert_eq!(shifted.metrics[&Metric::MeanSojourn], 2.2);
        assert_eq!(shifted.metrics[&Metric::MeanInQueue], 0.6);
        assert_eq!(shifted.metrics[&Metric::MeanInSystem], 1.1);
        assert_eq!(shifted.metrics[&Metric::Utilisation], 0.5);
    }
}
