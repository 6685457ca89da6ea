//! A Kafka-protocol broker as the channel of a live run (feature `kafka`,
//! rdkafka over the librdkafka it bundles; measured on tansu, never Apache
//! Kafka). One topic created for the run under a unique name, with the
//! model's partitions, and deleted after it; one producer with `acks=all`
//! and `linger.ms=0` whose delivery reports are the confirms, sending each
//! message to the partition the model's replay gives it
//! ([`crate::sim::replay_partitions`]), so broker and model put every
//! message in the same partition; a consumer group of the model's
//! consumers (one client each, the model's assignor, `fetch.wait.max.ms`
//! from its poll loop, no auto-commit), each polled by a thread of its own
//! that stamps each delivery and hands it to its consumer's thread.
//!
//! Before the run the group must have joined with the model's assignment
//! (tansu pauses a joining group for a few seconds); then D0 is measured
//! with one message in flight. A consumer's "ack" is an asynchronous
//! commit of the message's offset + 1 handed to librdkafka after each
//! service: per message, so every served message is committed, and
//! asynchronous, as a consumer group's consumers fetch ahead and never
//! wait for a commit before their next message.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::{DeliveryResult, Message};
use rdkafka::producer::{BaseRecord, Producer, ProducerContext, ThreadedProducer};
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use super::drive::{self, Broker, Delivered, NoDepth, Setup, TRANSIT_ROUND_TRIPS};
use super::stamps::{BrokerStamps, sequence_of};
use super::{BenchError, BenchRun, BrokerKind, Latency};
use crate::live::{Clock, LiveSettings, NEVER, Timeline};
use crate::model::{Assignor, DEFAULT_FETCH_WAIT_MS, Model};

/// Longest wait for one delivery while measuring D0.
const TRANSIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest wait for the group to join with the model's assignment.
const JOIN_TIMEOUT: Duration = Duration::from_secs(60);

/// How long the assignment must stay the model's before the run starts (a
/// late member's join would rebalance the group again).
const JOIN_STABLE: Duration = Duration::from_secs(2);

/// How long a consumer's poller waits in one poll for a message.
const CLIENT_POLL: Duration = Duration::from_millis(10);

/// Longest wait for the broker's answer to an admin request, and for the
/// producer's queue to drain.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs `model` on the Kafka-protocol broker at `bootstrap`: see the
/// module comment.
pub(super) fn run(
    model: &Model,
    settings: &LiveSettings,
    bootstrap: &str,
    seed: u64,
    stop: &AtomicBool,
) -> Result<Option<BenchRun>, BenchError> {
    let timeline = Timeline::plan(model, settings, seed);
    let partitions = crate::sim::replay_partitions(
        model,
        0,
        timeline.messages.iter().map(|message| message.producer),
    );
    let admin = Admin::connect(bootstrap)?;
    let name = drive::unique_name();
    let count = model.queues[0]
        .partitioning()
        .map_or(1, |partitioning| partitioning.partitions);
    admin.create(&name, count)?;
    let outcome = Topic::open(bootstrap, &name, partitions)
        .and_then(|topic| measure(model, &timeline, &topic, bootstrap, stop));
    let deleted = admin.delete(&name);
    drive::finish_run(outcome, deleted, bootstrap.to_string())
}

/// The group's join, D0, then the run itself, on `topic`.
fn measure(
    model: &Model,
    timeline: &Timeline,
    topic: &Topic,
    bootstrap: &str,
    stop: &AtomicBool,
) -> Result<Option<BenchRun>, BenchError> {
    let fetch_wait = fetch_wait_ms(model, timeline.window.ns_per_unit);
    let group = Group::join(model, topic, bootstrap, fetch_wait, stop)?;
    let transit_unloaded = transit(topic, &group)?;
    let stamps = Arc::new(BrokerStamps::new(timeline.messages.len()));
    let clock = Clock::start();
    let (senders, deliveries): (Vec<_>, Vec<_>) = group
        .consumers
        .iter()
        .map(|_| crossbeam_channel::unbounded())
        .unzip();
    let setup = Setup {
        kind: BrokerKind::Kafka,
        queue: topic.name.clone(),
        prefetch: 0,
        transit_unloaded,
        saturation: None,
    };
    let broker = Run {
        topic,
        consumers: &group.consumers,
    };
    let polling = AtomicBool::new(true);
    let outcome = std::thread::scope(|scope| {
        for (index, (consumer, sender)) in group.consumers.iter().zip(senders).enumerate() {
            let (stamps, polling) = (&stamps, &polling);
            scope.spawn(move || hand_over((index, consumer), stamps, clock, &sender, polling));
        }
        let outcome = drive::drive(
            (&broker, NoDepth),
            model,
            timeline,
            (&stamps, clock),
            &deliveries,
            setup,
            stop,
        );
        polling.store(false, Ordering::Relaxed);
        outcome
    });
    topic
        .producer
        .flush(REQUEST_TIMEOUT)
        .map_err(|e| BenchError::Broker(format!("the producer did not drain: {e}")))?;
    Ok(outcome)
}

/// The poller of consumer `index`: stamps each delivery of this run and
/// hands it to the consumer's thread, until `polling` is cleared. A
/// message seen twice counts as redelivered.
fn hand_over(
    (index, consumer): (usize, &BaseConsumer),
    stamps: &BrokerStamps,
    clock: Clock,
    sender: &Sender<Delivered<Ack>>,
    polling: &AtomicBool,
) {
    while polling.load(Ordering::Relaxed) {
        // Errors the client reports here (a connection lost and
        // re-established) are its own to recover from; a message they
        // cost shows as unserved in the run's health.
        let Some(Ok(message)) = consumer.poll(CLIENT_POLL) else {
            continue;
        };
        let now = clock.now();
        let payload = message.payload().unwrap_or_default();
        let seen = sequence_of(payload)
            .and_then(|sequence| stamps.delivered.get(sequence))
            .is_some_and(|at| at.load(Ordering::Relaxed) != NEVER);
        if let Some(sequence) = stamps.delivered(payload, seen, now) {
            let ack = Ack {
                consumer: index,
                partition: message.partition(),
                offset: message.offset(),
            };
            // The receiver lives until the consumers have been joined.
            let _ = sender.send((sequence, ack));
        }
    }
}

/// What acknowledges one delivery: the consumer that received it and the
/// message's partition and offset.
pub(super) struct Ack {
    consumer: usize,
    partition: i32,
    offset: i64,
}

/// The run's topic and its producer.
struct Topic {
    name: String,
    producer: ThreadedProducer<Confirms>,
    /// Each message's partition, by sequence number.
    partitions: Vec<u32>,
}

impl Topic {
    /// A producer (`acks=all`, no lingering) for topic `name` at
    /// `bootstrap`, sending message `k` to `partitions[k]`.
    fn open(bootstrap: &str, name: &str, partitions: Vec<u32>) -> Result<Topic, BenchError> {
        let producer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .set("client.id", "queuelab-bench-producer")
            .set("acks", "all")
            .set("linger.ms", "0")
            .set("socket.nagle.disable", "true")
            .set("enable.idempotence", "false")
            .create_with_context(Confirms)
            .map_err(|e| {
                BenchError::Broker(format!(
                    "cannot create a Kafka producer for {bootstrap}: {e}"
                ))
            })?;
        Ok(Topic {
            name: name.to_string(),
            producer,
            partitions,
        })
    }

    /// Sends `payload` to `partition`; `on_confirm` runs on its delivery
    /// report.
    fn send(&self, partition: u32, payload: &[u8], on_confirm: Confirm) -> Result<(), BenchError> {
        let opaque = Box::new(OnConfirm(Mutex::new(Some(on_confirm))));
        let record = BaseRecord::<(), [u8], _>::with_opaque_to(&self.name, opaque)
            .payload(payload)
            .partition(partition as i32);
        self.producer.send(record).map_err(|(e, _)| {
            BenchError::Broker(format!("producing to `{}` failed: {e}", self.name))
        })
    }
}

/// The producer's context: runs each message's confirm on its successful
/// delivery report.
struct Confirms;

impl ClientContext for Confirms {}

impl ProducerContext for Confirms {
    type DeliveryOpaque = Box<OnConfirm>;

    fn delivery(&self, result: &DeliveryResult<'_>, on_confirm: Box<OnConfirm>) {
        if result.is_ok()
            && let Some(confirm) = on_confirm.0.lock().ok().and_then(|mut c| c.take())
        {
            confirm(true);
        }
    }
}

/// What runs on a message's delivery report (`true`: delivered).
type Confirm = Box<dyn FnOnce(bool) + Send>;

/// A message's confirm, run once (behind a lock, as the producer's opaque
/// must be shareable).
struct OnConfirm(Mutex<Option<Confirm>>);

/// The consumer group, joined with the model's assignment.
struct Group {
    consumers: Vec<BaseConsumer>,
}

impl Group {
    /// The model's consumers subscribed to `topic` as one group, polled
    /// until each owns the partitions the model's assignor gives some
    /// consumer, for [`JOIN_STABLE`] in a row.
    fn join(
        model: &Model,
        topic: &Topic,
        bootstrap: &str,
        fetch_wait_ms: u32,
        stop: &AtomicBool,
    ) -> Result<Group, BenchError> {
        let queue = &model.queues[0];
        let partitioning = queue
            .partitioning()
            .ok_or_else(|| BenchError::Broker("the topic's queue has no partitions".into()))?;
        let strategy = assignment_strategy(partitioning.assignor)
            .ok_or_else(|| BenchError::Broker(super::topic::STICKY_REFUSED.into()))?;
        let consumers = (0..queue.consumers)
            .map(|index| {
                let consumer: BaseConsumer = ClientConfig::new()
                    .set("bootstrap.servers", bootstrap)
                    .set("group.id", &topic.name)
                    .set("client.id", format!("queuelab-bench-consumer-{index}"))
                    .set("enable.auto.commit", "false")
                    .set("auto.offset.reset", "earliest")
                    .set("partition.assignment.strategy", strategy)
                    .set("fetch.wait.max.ms", fetch_wait_ms.to_string())
                    .set("socket.nagle.disable", "true")
                    .create()
                    .map_err(|e| {
                        BenchError::Broker(format!("cannot create Kafka consumer {index}: {e}"))
                    })?;
                consumer.subscribe(&[&topic.name]).map_err(|e| {
                    BenchError::Broker(format!("consumer {index} cannot subscribe: {e}"))
                })?;
                Ok(consumer)
            })
            .collect::<Result<Vec<_>, BenchError>>()?;
        let mut wanted: Vec<BTreeSet<i32>> = (0..queue.consumers)
            .map(|consumer| {
                (0..partitioning.partitions)
                    .filter(|&p| partitioning.owner(p, queue.consumers) == consumer)
                    .map(|p| p as i32)
                    .collect()
            })
            .collect();
        wanted.sort();
        let start = Instant::now();
        let mut agreed_since: Option<Instant> = None;
        let mut seen = Vec::new();
        while start.elapsed() < JOIN_TIMEOUT && !stop.load(Ordering::Relaxed) {
            for consumer in &consumers {
                // Nothing is published yet: polls only serve the group.
                let _ = consumer.poll(CLIENT_POLL);
            }
            seen = assignments(&consumers, &topic.name);
            if seen == wanted {
                let since = *agreed_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= JOIN_STABLE {
                    return Ok(Group { consumers });
                }
            } else {
                agreed_since = None;
            }
        }
        Err(BenchError::Broker(format!(
            "the consumer group did not settle on the model's {} assignment within {} s: partitions per consumer {seen:?}, the model's {wanted:?}",
            partitioning.assignor.name(),
            JOIN_TIMEOUT.as_secs()
        )))
    }
}

/// Each consumer's assigned partitions of `topic`, sorted.
fn assignments(consumers: &[BaseConsumer], topic: &str) -> Vec<BTreeSet<i32>> {
    let mut sets: Vec<BTreeSet<i32>> = consumers
        .iter()
        .map(|consumer| {
            consumer.assignment().map_or_else(
                |_| BTreeSet::new(),
                |list| {
                    list.elements()
                        .iter()
                        .filter(|e| e.topic() == topic)
                        .map(|e| e.partition())
                        .collect()
                },
            )
        })
        .collect();
    sets.sort();
    sets
}

/// The run as the bench threads drive it.
struct Run<'a> {
    topic: &'a Topic,
    consumers: &'a [BaseConsumer],
}

impl Broker for Run<'_> {
    type Ack = Ack;

    fn publish(
        &self,
        payload: &[u8],
        on_confirm: impl FnOnce(bool) + Send + 'static,
    ) -> Result<(), BenchError> {
        let partition = sequence_of(payload)
            .and_then(|sequence| self.topic.partitions.get(sequence))
            .copied()
            .unwrap_or(0);
        self.topic.send(partition, payload, Box::new(on_confirm))
    }

    fn ack(&self, ack: Ack) -> Result<(), BenchError> {
        commit(&self.consumers[ack.consumer], &self.topic.name, &ack)
    }
}

/// Commits `ack`'s offset + 1 on `consumer`, asynchronously.
fn commit(consumer: &BaseConsumer, topic: &str, ack: &Ack) -> Result<(), BenchError> {
    let mut offsets = TopicPartitionList::with_capacity(1);
    offsets
        .add_partition_offset(topic, ack.partition, Offset::Offset(ack.offset + 1))
        .and_then(|()| consumer.commit(&offsets, CommitMode::Async))
        .map_err(|e| BenchError::Broker(format!("committing to `{topic}` failed: {e}")))
}

/// The unloaded transit D0: [`TRANSIT_ROUND_TRIPS`] messages to partition
/// 0, each sent once the previous one was delivered and committed, from
/// the send call to the poll of partition 0's consumer returning it.
fn transit(topic: &Topic, group: &Group) -> Result<Latency, BenchError> {
    let owner = group
        .consumers
        .iter()
        .position(|consumer| {
            consumer
                .assignment()
                .is_ok_and(|list| list.elements().iter().any(|e| e.partition() == 0))
        })
        .ok_or_else(|| BenchError::Broker("no consumer owns partition 0".into()))?;
    let consumer = &group.consumers[owner];
    let mut transits = Vec::with_capacity(TRANSIT_ROUND_TRIPS);
    for _ in 0..TRANSIT_ROUND_TRIPS {
        let sent = Instant::now();
        topic.send(0, &[0; 8], Box::new(|_| {}))?;
        let (partition, offset) = loop {
            match consumer.poll(CLIENT_POLL) {
                Some(Ok(message)) => break (message.partition(), message.offset()),
                _ if sent.elapsed() > TRANSIT_TIMEOUT => {
                    return Err(BenchError::Broker(format!(
                        "the broker delivered no message within {} s while measuring the unloaded transit",
                        TRANSIT_TIMEOUT.as_secs()
                    )));
                }
                _ => {}
            }
        };
        transits.push(sent.elapsed().as_nanos() as u64);
        let ack = Ack {
            consumer: owner,
            partition,
            offset,
        };
        commit(consumer, &topic.name, &ack)?;
    }
    Ok(Latency::of(&mut transits))
}

/// An admin client, to create and delete the run's topic.
struct Admin {
    client: AdminClient<DefaultClientContext>,
    runtime: tokio::runtime::Runtime,
}

impl Admin {
    /// An admin client of the broker at `bootstrap`.
    fn connect(bootstrap: &str) -> Result<Admin, BenchError> {
        let client = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .create()
            .map_err(|e| {
                BenchError::Broker(format!(
                    "cannot create a Kafka admin client for {bootstrap}: {e}"
                ))
            })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| BenchError::Broker(format!("cannot start a runtime: {e}")))?;
        Ok(Admin { client, runtime })
    }

    fn options() -> AdminOptions {
        AdminOptions::new().request_timeout(Some(REQUEST_TIMEOUT))
    }

    /// Creates topic `name` with `partitions` partitions (one replica).
    fn create(&self, name: &str, partitions: u32) -> Result<(), BenchError> {
        let topic = NewTopic::new(name, partitions as i32, TopicReplication::Fixed(1));
        let results = self
            .runtime
            .block_on(self.client.create_topics([&topic], &Admin::options()))
            .map_err(|e| {
                BenchError::Broker(format!(
                    "cannot create topic `{name}` (is the broker running? `scripts/tansu.sh start` starts tansu on 127.0.0.1:9092): {e}"
                ))
            })?;
        match results.into_iter().next() {
            Some(Ok(_)) => Ok(()),
            Some(Err((_, code))) => Err(BenchError::Broker(format!(
                "the broker refused to create topic `{name}`: {code}"
            ))),
            None => Err(BenchError::Broker(format!(
                "the broker did not answer the creation of topic `{name}`"
            ))),
        }
    }

    /// Deletes topic `name` (the bench's own, never another).
    fn delete(&self, name: &str) -> Result<(), BenchError> {
        let failed = |why: String| {
            BenchError::Broker(format!(
                "could not delete the bench's topic `{name}`: {why}"
            ))
        };
        let results = self
            .runtime
            .block_on(self.client.delete_topics(&[name], &Admin::options()))
            .map_err(|e| failed(e.to_string()))?;
        match results.into_iter().next() {
            Some(Err((_, code))) => Err(failed(code.to_string())),
            _ => Ok(()),
        }
    }
}

/// The consumers' `fetch.wait.max.ms` for `model` (a topic, see
/// `topic::unsupported`) at
/// `ns_per_unit` wall ns per time unit: its poll loop's `fetch_wait`, or
/// Kafka's default without one; at least 1 ms (0 would make a fetch spin).
fn fetch_wait_ms(model: &Model, ns_per_unit: f64) -> u32 {
    let ms = model.queues[0]
        .poll()
        .map_or(DEFAULT_FETCH_WAIT_MS, |poll| {
            poll.fetch_wait * ns_per_unit / 1e6
        });
    ms.round().clamp(1.0, f64::from(i32::MAX)) as u32
}

/// librdkafka's `partition.assignment.strategy` for `assignor`; none for
/// the sticky assignor (librdkafka offers only cooperative-sticky, and a
/// rebalance on tansu 0.6 leaves partitions unowned with it).
fn assignment_strategy(assignor: Assignor) -> Option<&'static str> {
    match assignor {
        Assignor::Range => Some("range"),
        Assignor::RoundRobin => Some("roundrobin"),
        Assignor::Sticky => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;
    use std::path::Path;

    fn model(file: &str) -> Model {
        let scenario = scenario::load(Path::new(file)).expect("shipped scenario");
        scenario.points[0].model.clone()
    }

    #[test]
    fn the_fetch_wait_comes_from_the_poll_loop_in_wall_ms() {
        let shipped = model("scenarios/bench-kafka-6-partitions.toml");
        assert_eq!(fetch_wait_ms(&shipped, 1e6), 20);
        assert_eq!(fetch_wait_ms(&shipped, 2e6), 40);
        let without = model("scenarios/kafka-consumers-beyond-partitions.toml");
        assert_eq!(fetch_wait_ms(&without, 1e6), 500);
    }
}
