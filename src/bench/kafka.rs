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
//!
//! A consumer joining mid-run (`group_changes`) is a client created and
//! subscribed at its instant: the group then rebalances as the broker
//! leads it. Beside live's metrics the run reports its group's figures
//! (`group.rs`): messages per consumer and partition, consumer lag, and
//! each join's pause and catch-up. A message delivered again (a
//! partition's new owner reading from its last commit) is served again,
//! without stamps, and counted as redelivered.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
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
use super::group::{ChangeMeasures, GroupMeasures, GroupStamps};
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
    let ns_per_unit = timeline.window.ns_per_unit;
    let member = Member::new(model, topic, bootstrap, ns_per_unit)?;
    let joins = Joins::of(model, ns_per_unit);
    let group = Group::join(model, &member, joins.join_at.len(), stop)?;
    let transit_unloaded = transit(topic, &group)?;
    let messages = timeline.messages.len();
    let stamps = Arc::new(BrokerStamps::new(messages));
    let record = Record {
        delivered_from: (0..messages).map(|_| AtomicU32::new(u32::MAX)).collect(),
        received: group.members.iter().map(|_| AtomicU64::new(0)).collect(),
    };
    let clock = Clock::start();
    let (senders, deliveries): (Vec<_>, Vec<_>) = group
        .members
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
        group: &group,
    };
    let polling = AtomicBool::new(true);
    let (outcome, polled) = std::thread::scope(|scope| {
        let pollers: Vec<_> = senders
            .into_iter()
            .enumerate()
            .map(|(index, sender)| {
                let poller = Poller {
                    index,
                    join_at: joins.join_at[index],
                    member: &member,
                    group: &group,
                    stamps: &stamps,
                    record: &record,
                    clock,
                    polling: &polling,
                };
                scope.spawn(move || poller.run(&sender))
            })
            .collect();
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
        // A poller only panics on a bug; report it as such (the scope
        // joins the others).
        let polled = pollers
            .into_iter()
            .try_for_each(|poller| poller.join().expect("poller thread panicked"));
        (outcome, polled)
    });
    polled?;
    topic
        .producer
        .flush(REQUEST_TIMEOUT)
        .map_err(|e| BenchError::Broker(format!("the producer did not drain: {e}")))?;
    Ok(outcome.map(|mut run| {
        run.broker.group = Some(record.measures(model, &stamps, topic, &joins));
        run
    }))
}

/// The consumers joining mid-run: the group's `group_changes` that grow
/// it (the only ones driven, see `topic::unsupported`).
struct Joins {
    /// When each consumer joins (ns on the run's clock): `None` for the
    /// group's first consumers, then the joiners in order.
    join_at: Vec<Option<u64>>,
    /// Each change: when (ns), the group's size from then, and the
    /// model's pause (ms).
    changes: Vec<(u64, u32, f64)>,
}

impl Joins {
    /// `model`'s joins at `ns_per_unit` wall ns per time unit.
    fn of(model: &Model, ns_per_unit: f64) -> Joins {
        let queue = &model.queues[0];
        let mut join_at = vec![None; queue.consumers as usize];
        let mut changes = Vec::new();
        if let Some(group) = queue.poll().and_then(|poll| poll.changes.as_ref()) {
            let pause_ms = group.rebalance.mean() * ns_per_unit / 1e6;
            for change in &group.changes {
                let at = (change.at * ns_per_unit) as u64;
                join_at.resize(join_at.len().max(change.consumers as usize), Some(at));
                changes.push((at, change.consumers, pause_ms));
            }
        }
        Joins { join_at, changes }
    }
}

/// What the pollers record of each delivery beside the run's stamps.
struct Record {
    /// The partition each message was first delivered from (`u32::MAX`:
    /// not delivered).
    delivered_from: Vec<AtomicU32>,
    /// Messages each consumer received (first deliveries).
    received: Vec<AtomicU64>,
}

impl Record {
    /// The group's figures for `model`'s run on `topic` with `joins`.
    fn measures(
        &self,
        model: &Model,
        stamps: &BrokerStamps,
        topic: &Topic,
        joins: &Joins,
    ) -> GroupMeasures {
        let load =
            |v: &[AtomicU64]| -> Vec<u64> { v.iter().map(|a| a.load(Ordering::Relaxed)).collect() };
        let (sent, delivered, done, acked) = (
            load(&stamps.sent),
            load(&stamps.delivered),
            load(&stamps.done),
            load(&stamps.acked),
        );
        let group_stamps = GroupStamps {
            sent: &sent,
            delivered: &delivered,
            done: &done,
            acked: &acked,
        };
        let delivered_from: Vec<Option<u32>> = self
            .delivered_from
            .iter()
            .map(|p| Some(p.load(Ordering::Relaxed)).filter(|&p| p != u32::MAX))
            .collect();
        let partitioning = model.queues[0]
            .partitioning()
            .expect("a topic's queue has partitions");
        let received = load(&self.received);
        let changes = joins
            .changes
            .iter()
            .enumerate()
            .map(|(index, &(at, consumers, pause_model_ms))| {
                let until = joins.changes.get(index + 1).map_or(u64::MAX, |next| next.0);
                ChangeMeasures {
                    at_ms: at as f64 / 1e6,
                    consumers,
                    pause_model_ms,
                    pause: group_stamps.pause(
                        (&delivered_from, partitioning.partitions),
                        at,
                        until,
                    ),
                }
            })
            .collect();
        GroupMeasures {
            idle_consumers: received.iter().filter(|&&count| count == 0).count() as u32,
            idle_consumers_model: partitioning.idle_consumers(received.len() as u32),
            received,
            partitions: group_stamps.partitions(
                partitioning.partitions,
                &topic.partitions,
                &delivered_from,
            ),
            changes,
        }
    }
}

/// The poller of one consumer: joins at its instant (if it joins
/// mid-run), then stamps each delivery of this run and hands it to the
/// consumer's thread, until `polling` is cleared.
struct Poller<'a> {
    index: usize,
    join_at: Option<u64>,
    member: &'a Member<'a>,
    group: &'a Group,
    stamps: &'a BrokerStamps,
    record: &'a Record,
    clock: Clock,
    polling: &'a AtomicBool,
}

impl Poller<'_> {
    /// Polls until the run is over: see [`Poller`].
    fn run(&self, sender: &Sender<Delivered<Ack>>) -> Result<(), BenchError> {
        let Some(consumer) = self.consumer()? else {
            return Ok(());
        };
        while self.polling.load(Ordering::Relaxed) {
            // Errors the client reports here (a connection lost and
            // re-established) are its own to recover from; a message they
            // cost shows as unserved in the run's health.
            let Some(Ok(message)) = consumer.poll(CLIENT_POLL) else {
                continue;
            };
            let now = self.clock.now();
            let payload = message.payload().unwrap_or_default();
            let Some(sequence) = sequence_of(payload).filter(|&s| s < self.stamps.sent.len())
            else {
                continue;
            };
            let duplicate = self.stamps.delivered[sequence].load(Ordering::Relaxed) != NEVER;
            if duplicate {
                // Delivered before: served again, without stamps.
                self.stamps.redelivered.fetch_add(1, Ordering::Relaxed);
            } else {
                self.stamps.delivered(payload, false, now);
                self.record.delivered_from[sequence]
                    .store(message.partition() as u32, Ordering::Relaxed);
                self.record.received[self.index].fetch_add(1, Ordering::Relaxed);
            }
            let ack = Ack {
                consumer: self.index,
                partition: message.partition(),
                offset: message.offset(),
                duplicate,
            };
            // The receiver lives until the consumers have been joined.
            let _ = sender.send((sequence, ack));
        }
        Ok(())
    }

    /// This poller's consumer: a member from the start, or one created
    /// and subscribed at its join instant (`None`: the run ended first).
    fn consumer(&self) -> Result<Option<&BaseConsumer>, BenchError> {
        let slot = &self.group.members[self.index];
        let Some(at) = self.join_at else {
            return Ok(slot.get());
        };
        while self.clock.now() < at {
            if !self.polling.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let left = Duration::from_nanos(at.saturating_sub(self.clock.now()));
            std::thread::sleep(left.min(CLIENT_POLL));
        }
        let consumer = self.member.create(self.index)?;
        Ok(Some(slot.get_or_init(|| consumer)))
    }
}

/// What acknowledges one delivery: the consumer that received it, the
/// message's partition and offset, and whether it was delivered before.
pub(super) struct Ack {
    consumer: usize,
    partition: i32,
    offset: i64,
    duplicate: bool,
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

/// How the group's consumers are made: one client each, in the run's
/// group, subscribed to its topic.
struct Member<'a> {
    bootstrap: &'a str,
    topic: &'a str,
    /// `partition.assignment.strategy`.
    strategy: &'static str,
    /// `fetch.wait.max.ms`.
    fetch_wait_ms: u32,
}

impl<'a> Member<'a> {
    /// Members of `model`'s group reading `topic` at `bootstrap`, at
    /// `ns_per_unit` wall ns per time unit.
    fn new(
        model: &Model,
        topic: &'a Topic,
        bootstrap: &'a str,
        ns_per_unit: f64,
    ) -> Result<Member<'a>, BenchError> {
        let partitioning = model.queues[0]
            .partitioning()
            .ok_or_else(|| BenchError::Broker("the topic's queue has no partitions".into()))?;
        let strategy = assignment_strategy(partitioning.assignor)
            .ok_or_else(|| BenchError::Broker(super::topic::STICKY_REFUSED.into()))?;
        Ok(Member {
            bootstrap,
            topic: &topic.name,
            strategy,
            fetch_wait_ms: fetch_wait_ms(model, ns_per_unit),
        })
    }

    /// Consumer `index`, created and subscribed.
    fn create(&self, index: usize) -> Result<BaseConsumer, BenchError> {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", self.bootstrap)
            .set("group.id", self.topic)
            .set("client.id", format!("queuelab-bench-consumer-{index}"))
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest")
            .set("partition.assignment.strategy", self.strategy)
            .set("fetch.wait.max.ms", self.fetch_wait_ms.to_string())
            .set("socket.nagle.disable", "true")
            .create()
            .map_err(|e| {
                BenchError::Broker(format!("cannot create Kafka consumer {index}: {e}"))
            })?;
        consumer
            .subscribe(&[self.topic])
            .map_err(|e| BenchError::Broker(format!("consumer {index} cannot subscribe: {e}")))?;
        Ok(consumer)
    }
}

/// The consumer group: its first consumers, joined with the model's
/// assignment, and a slot for each consumer joining mid-run.
struct Group {
    members: Vec<OnceLock<BaseConsumer>>,
}

impl Group {
    /// The model's consumers subscribed as one group, polled until each
    /// owns the partitions the model's assignor gives some consumer, for
    /// [`JOIN_STABLE`] in a row; `most` slots in all.
    fn join(
        model: &Model,
        member: &Member,
        most: usize,
        stop: &AtomicBool,
    ) -> Result<Group, BenchError> {
        let queue = &model.queues[0];
        let partitioning = queue
            .partitioning()
            .ok_or_else(|| BenchError::Broker("the topic's queue has no partitions".into()))?;
        let consumers = (0..queue.consumers as usize)
            .map(|index| member.create(index))
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
            seen = assignments(&consumers, member.topic);
            if seen == wanted {
                let since = *agreed_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= JOIN_STABLE {
                    let mut members: Vec<OnceLock<BaseConsumer>> =
                        consumers.into_iter().map(OnceLock::from).collect();
                    members.resize_with(most.max(members.len()), OnceLock::new);
                    return Ok(Group { members });
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

    /// Consumer `index`, once it has joined.
    fn member(&self, index: usize) -> Result<&BaseConsumer, BenchError> {
        self.members[index]
            .get()
            .ok_or_else(|| BenchError::Broker(format!("consumer {index} has not joined")))
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
    group: &'a Group,
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

    fn is_duplicate(ack: &Ack) -> bool {
        ack.duplicate
    }

    fn ack(&self, ack: Ack) -> Result<(), BenchError> {
        commit(self.group.member(ack.consumer)?, &self.topic.name, &ack)
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
    let (owner, consumer) = group
        .members
        .iter()
        .enumerate()
        .filter_map(|(index, slot)| Some((index, slot.get()?)))
        .find(|(_, consumer)| {
            consumer
                .assignment()
                .is_ok_and(|list| list.elements().iter().any(|e| e.partition() == 0))
        })
        .ok_or_else(|| BenchError::Broker("no consumer owns partition 0".into()))?;
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
            duplicate: false,
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
