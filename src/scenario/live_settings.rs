//! What live runs take and what they support: `[compare] live` as the
//! stages read it (channels, time scale, windows), the queue
//! implementations by name, and the features a live run reproduces. Part
//! of the input contract, so the scenario validates it without importing
//! `live`, which re-exports it.

use serde::{Deserialize, Serialize};

use crate::model::{Discipline, Feature, Features, Model};

/// Most visits (a message at one queue) a live run may plan: its schedule,
/// stamps, journeys and replay take about 200 bytes a visit at their peak,
/// so this bounds them to about 1 GiB.
pub const MAX_VISITS: f64 = 5_000_000.0;

/// The queue implementations, by their scenario names.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum ChannelKind {
    /// crossbeam-channel's unbounded MPMC channel (FIFO).
    Crossbeam,
    /// std::sync::mpsc, its receiver shared behind a Mutex (FIFO).
    StdMpsc,
    /// `Mutex<VecDeque>` + `Condvar` (FIFO).
    MutexVecdeque,
    /// `Mutex<Vec>` + `Condvar`, popped from the top (LIFO).
    MutexStack,
    /// `Mutex<BinaryHeap>` + `Condvar`, by class priority then arrival at the queue (priority).
    MutexHeap,
}

impl ChannelKind {
    /// Every implementation, in documentation order.
    pub const ALL: [ChannelKind; 5] = [
        ChannelKind::Crossbeam,
        ChannelKind::StdMpsc,
        ChannelKind::MutexVecdeque,
        ChannelKind::MutexStack,
        ChannelKind::MutexHeap,
    ];

    /// The scenario name, e.g. `std-mpsc`.
    pub fn name(self) -> &'static str {
        match self {
            ChannelKind::Crossbeam => "crossbeam",
            ChannelKind::StdMpsc => "std-mpsc",
            ChannelKind::MutexVecdeque => "mutex-vecdeque",
            ChannelKind::MutexStack => "mutex-stack",
            ChannelKind::MutexHeap => "mutex-heap",
        }
    }

    /// The discipline the implementation serves.
    pub fn discipline(self) -> Discipline {
        match self {
            ChannelKind::Crossbeam | ChannelKind::StdMpsc | ChannelKind::MutexVecdeque => {
                Discipline::Fifo
            }
            ChannelKind::MutexStack => Discipline::Lifo,
            ChannelKind::MutexHeap => Discipline::Priority,
        }
    }
}

/// The real brokers `queuelab bench` drives, by their command-line names.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum BrokerKind {
    /// RabbitMQ over AMQP 0-9-1 (a classic queue, competing consumers).
    Rabbitmq,
    /// NATS JetStream (a stream and one durable pull consumer shared by
    /// competing consumers).
    Nats,
    /// A Kafka-protocol broker (a topic's partitions read by one consumer
    /// group; measured on tansu, never Apache Kafka itself).
    Kafka,
}

impl BrokerKind {
    /// The command-line name, e.g. `rabbitmq`.
    pub fn name(self) -> &'static str {
        match self {
            BrokerKind::Rabbitmq => "rabbitmq",
            BrokerKind::Nats => "nats",
            BrokerKind::Kafka => "kafka",
        }
    }

    /// The cargo feature a build needs to drive this broker, named as
    /// the broker.
    pub fn feature(self) -> &'static str {
        self.name()
    }
}

/// What a live measurement ran on: an in-process queue of `queuelab live`
/// or a real broker of `queuelab bench`. Serialised as its name alone
/// (`"crossbeam"`, `"rabbitmq"`), as the results' `channel` always was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Channel {
    /// A real in-process queue.
    InProcess(ChannelKind),
    /// A real broker on the network.
    Broker(BrokerKind),
}

impl From<ChannelKind> for Channel {
    fn from(kind: ChannelKind) -> Channel {
        Channel::InProcess(kind)
    }
}

impl From<BrokerKind> for Channel {
    fn from(kind: BrokerKind) -> Channel {
        Channel::Broker(kind)
    }
}

impl Channel {
    /// The name, e.g. `std-mpsc` or `rabbitmq`.
    pub fn name(self) -> &'static str {
        match self {
            Channel::InProcess(kind) => kind.name(),
            Channel::Broker(kind) => kind.name(),
        }
    }
}

/// `[compare] live` settings.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveSettings {
    /// Queue implementations to measure, each in its own run.
    pub channels: Vec<ChannelKind>,
    /// Wall milliseconds per model time unit.
    pub time_scale_ms: f64,
    /// Measured wall seconds per point and channel.
    pub seconds: f64,
    /// Wall seconds discarded first.
    pub warmup_seconds: f64,
}

/// Default wall length of a mean service, in ms.
pub const DEFAULT_SERVICE_MS: f64 = 2.0;

impl LiveSettings {
    /// The time scale that makes `model`'s longest mean service
    /// [`DEFAULT_SERVICE_MS`] of wall time.
    pub fn default_time_scale(model: &Model) -> f64 {
        let longest = model
            .queues
            .iter()
            .enumerate()
            .flat_map(|(queue, _)| (0..model.classes.len()).map(move |class| (queue, class)))
            .map(|(queue, class)| model.service(queue, class).mean())
            .fold(0.0, f64::max);
        DEFAULT_SERVICE_MS / longest
    }

    /// Expected number of visits of a plan, before drawing it: each queue's
    /// arrival rate from the traffic equations times the run's length
    /// (infinite when the routing never lets messages leave).
    pub fn expected_visits(&self, model: &Model) -> f64 {
        let Some(rates) = model.arrival_rates() else {
            return f64::INFINITY;
        };
        let rate: f64 = rates.iter().flatten().sum();
        let units = (self.warmup_seconds + self.seconds) * 1e3 / self.time_scale_ms;
        rate * units
    }
}

/// What a live run reproduces on real threads and queues: open producers
/// with any interarrival distribution, classes with their own services,
/// FIFO, LIFO and priority channels, capacities and routing. Anything else
/// is refused.
const SUPPORTED: Features = Features::of(&[
    Feature::RenewalArrivals,
    Feature::Classes,
    Feature::ClassService,
    Feature::GeneralService,
    Feature::Lifo,
    Feature::Priority,
    Feature::Capacity,
    Feature::Routing,
]);

/// Why a model cannot run live, or `None` when it can.
pub fn unsupported(model: &Model) -> Option<String> {
    model
        .feature_sites()
        .into_iter()
        .find(|(feature, _)| !SUPPORTED.contains(*feature))
        .map(|(feature, site)| {
            format!(
                "live runs do not support {} ({site}){}",
                feature.describe(),
                reason(feature)
            )
        })
        .or_else(|| mixed_disciplines(model))
        .or_else(|| too_many_threads(model))
}

/// Why a live run cannot do `feature`, where a reason helps.
fn reason(feature: Feature) -> &'static str {
    match feature {
        Feature::UnlimitedConsumers => ": they start one thread per consumer",
        Feature::ClosedLoop => ": they drive open producers only",
        Feature::TraceArrivals => {
            ": they send for a fixed wall time, which a recorded trace may not fill"
        }
        Feature::RateProfile | Feature::ConsumerSchedule => {
            ": they measure a steady state over a fixed wall time"
        }
        Feature::UnlimitedPrefetch | Feature::PrefetchWindow => {
            ": their consumers take from one shared channel (prefetch 1 without `ack` is that shared line and runs live)"
        }
        _ => "",
    }
}

/// Most consumer threads a live run starts (one per consumer, all queues).
pub const MAX_CONSUMER_THREADS: u64 = 256;

/// Why `model` would start more consumer threads than a live run allows.
fn too_many_threads(model: &Model) -> Option<String> {
    let consumers: u64 = model.queues.iter().map(|q| u64::from(q.consumers)).sum();
    (consumers > MAX_CONSUMER_THREADS).then(|| {
        format!(
            "a live run starts one thread per consumer, at most {MAX_CONSUMER_THREADS}; this model has {consumers} consumers (scale the model down, e.g. fewer consumers with shorter services)"
        )
    })
}

/// Why the queues of `model` cannot share one channel kind, if they cannot.
fn mixed_disciplines(model: &Model) -> Option<String> {
    let first = &model.queues[0];
    let other = model
        .queues
        .iter()
        .find(|q| q.discipline != first.discipline)?;
    Some(format!(
        "every queue of a live network runs on the same channel kind, so they must share a discipline; `{}` is {} but `{}` is {}",
        first.name,
        first.discipline.name(),
        other.name,
        other.discipline.name()
    ))
}

/// The channels of `channels` that serve `model`'s queue discipline (all
/// its queues share one, see [`unsupported`]).
pub fn channels_for(model: &Model, channels: &[ChannelKind]) -> Vec<ChannelKind> {
    let discipline = model.queues[0].discipline;
    channels
        .iter()
        .copied()
        .filter(|c| c.discipline() == discipline)
        .collect()
}

/// The default channel of each discipline among `models` (crossbeam for
/// FIFO, mutex-stack for LIFO, mutex-heap for priority), in first-use order.
pub fn default_channels(models: &[&Model]) -> Vec<ChannelKind> {
    let mut channels = Vec::new();
    for model in models {
        let discipline = model.queues[0].discipline;
        if let Some(channel) = ChannelKind::ALL
            .into_iter()
            .find(|c| c.discipline() == discipline)
            && !channels.contains(&channel)
        {
            channels.push(channel);
        }
    }
    channels
}

/// Checks that every model's queue is served by one of `channels` and every
/// channel serves some model; the error says what to change.
pub fn check_channels(models: &[&Model], channels: &[ChannelKind]) -> Result<(), String> {
    let names = |discipline: Discipline| -> String {
        let fitting: Vec<&str> = ChannelKind::ALL
            .iter()
            .filter(|c| c.discipline() == discipline)
            .map(|c| c.name())
            .collect();
        fitting.join(", ")
    };
    if let Some(model) = models.iter().find(|m| channels_for(m, channels).is_empty()) {
        let queue = &model.queues[0];
        return Err(format!(
            "no listed channel serves queue `{}`, which is {}; channels for {}: {}",
            queue.name,
            queue.discipline.name(),
            queue.discipline.name(),
            names(queue.discipline)
        ));
    }
    if let Some(channel) = channels.iter().find(|c| {
        !models
            .iter()
            .any(|m| m.queues[0].discipline == c.discipline())
    }) {
        return Err(format!(
            "channel `{}` serves {}, but no queue here is {}; use a channel for {}",
            channel.name(),
            channel.discipline().name(),
            channel.discipline().name(),
            names(models[0].queues[0].discipline)
        ));
    }
    Ok(())
}
