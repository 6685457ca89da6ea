//! The dispatch axis, partitioned (Kafka): a message goes to the partition
//! its producer picks (by the key drawn from the queue's own stream, or
//! round-robin), and waits for the one consumer owning that partition. A
//! consumer owning several partitions serves one message at a time, in
//! arrival order across its partitions, so each partition is consumed in
//! order. A consumer with several threads (RocketMQ 4.x concurrent
//! consumption) starts the head of its line on whichever thread is free,
//! so several of its messages are in service at once. Consumers beyond the
//! partitions own none and idle.
//!
//! The partition's FIFO is the consumer's line filtered to it, so the
//! station keeps one line per consumer; a partition's own figures are
//! measured by the collector on the partition the station reports for
//! each arrival.

use std::collections::VecDeque;

use rand::RngExt;

use super::Station;
use super::effect::{Entry, Take};
use super::poll::Polling;
use crate::model::{Model, Partitioning};
use crate::sim::message::Message;
use crate::sim::streams::Stream;

/// How a producer picks a partition.
#[derive(Debug)]
enum Picker {
    /// By key: the cumulative share of the partitions (the key masses
    /// hashed to each), searched with one uniform draw per message.
    Keyed(Vec<f64>),
    /// Round-robin: the partition of its next message.
    RoundRobin(u32),
    /// A copy of another producer's messages for another consumer group
    /// on the topic: each keeps the partition its original took.
    Copied,
}

/// The partitions and consumer lines of one partitioned queue.
#[derive(Debug)]
pub(crate) struct Partitions {
    /// The consumer owning each partition.
    pub(super) owners: Vec<u32>,
    /// Per consumer, its waiting messages (slots) in arrival order.
    pub(super) lines: Vec<VecDeque<u32>>,
    /// Per consumer, its threads serving nothing (a polling consumer has
    /// one thread: 0 while it serves a message).
    pub(super) free: Vec<u32>,
    /// The consumers' poll loops, when they read by polling.
    pub(super) polling: Option<Polling>,
    /// How each message's partition is picked.
    picks: PartitionPicks,
    /// The consumer freed by the last departure (or whose fetch is
    /// ready), which takes next.
    pub(super) freed: Option<u32>,
    /// The partition of the last arrival.
    last: u32,
}

impl Partitions {
    /// Queue `queue` of `model`, partitioned by `partitioning`, idle; keys
    /// drawn from `keys`, poll overheads (when its consumers poll) from
    /// `overheads`.
    pub(crate) fn new(
        model: &Model,
        queue: usize,
        partitioning: Partitioning,
        keys: Stream,
        overheads: impl FnOnce() -> Stream,
    ) -> Self {
        // Consumers beyond the partitions own none: they need no line
        // (unless they poll: a rebalance may give them partitions, and
        // the group may grow).
        let spec = &model.queues[queue];
        let consumers = match spec.poll() {
            Some(poll) => poll.changes.as_ref().map_or(spec.consumers, |changes| {
                changes.most_consumers(spec.consumers)
            }),
            None => partitioning.working_consumers(spec.consumers),
        };
        Partitions {
            owners: partitioning.owners(spec.consumers),
            lines: vec![VecDeque::new(); consumers as usize],
            free: vec![partitioning.threads; consumers as usize],
            polling: spec.poll().map(|poll| {
                let counts = (spec.consumers, consumers);
                Polling::new(poll, partitioning, counts, overheads())
            }),
            picks: PartitionPicks::new(model, queue, partitioning.partitions, keys),
            freed: None,
            last: 0,
        }
    }

    /// The partition of `message`: its producer's pick, or for a copy for
    /// another consumer group the partition its original took.
    #[inline(always)]
    fn pick(&mut self, message: &Message) -> u32 {
        self.picks
            .pick(message.producer as usize)
            .unwrap_or(message.partition)
    }
}

/// How the messages reaching one partitioned queue pick their partitions:
/// per producer by key (one uniform draw from the queue's key stream per
/// message, in arrival order) or round-robin.
#[derive(Debug)]
pub(crate) struct PartitionPicks {
    /// Number of partitions.
    partitions: u32,
    /// Per producer of the model (by index), how it picks a partition;
    /// `None` for producers feeding other queues.
    pickers: Vec<Option<Picker>>,
    /// Stream of the key draws (one per keyed message, in arrival order).
    keys: Stream,
}

impl PartitionPicks {
    /// The picks of `model`'s producers into queue `queue` of
    /// `partitions` partitions, keys drawn from `keys`.
    pub(crate) fn new(model: &Model, queue: usize, partitions: u32, keys: Stream) -> Self {
        let pickers = model
            .producers
            .iter()
            .map(|producer| {
                (producer.queue == queue).then(|| match (producer.copy_of, producer.keys) {
                    (Some(_), _) => Picker::Copied,
                    (None, Some(_)) => {
                        Picker::Keyed(cumulative(&producer.partition_shares(partitions)))
                    }
                    (None, None) => Picker::RoundRobin(0),
                })
            })
            .collect();
        PartitionPicks {
            partitions,
            pickers,
            keys,
        }
    }

    /// The partition of the next message of `producer`; `None` for a
    /// copy of another producer's messages (for another consumer group),
    /// which keeps its original's partition.
    #[inline(always)]
    pub(crate) fn pick(&mut self, producer: usize) -> Option<u32> {
        let partitions = self.partitions;
        match &mut self.pickers[producer] {
            Some(Picker::Keyed(cumulative)) => {
                let u: f64 = self.keys.random();
                let below = cumulative.partition_point(|&c| c <= u) as u32;
                // Rounding may leave the last total a hair below 1.
                Some(below.min(partitions - 1))
            }
            Some(Picker::RoundRobin(next)) => {
                let partition = *next;
                *next = (partition + 1) % partitions;
                Some(partition)
            }
            Some(Picker::Copied) => None,
            None => unreachable!("only the queue's producers feed a partitioned queue"),
        }
    }
}

/// Running totals of `shares`.
fn cumulative(shares: &[f64]) -> Vec<f64> {
    shares
        .iter()
        .scan(0.0, |total, share| {
            *total += share;
            Some(*total)
        })
        .collect()
}

impl Station<'_> {
    /// The partitions of a partitioned queue.
    pub(super) fn partitions(&mut self) -> &mut Partitions {
        self.partitions
            .as_deref_mut()
            .expect("a partitioned queue has partitions")
    }

    /// `message`, in `slot`, reaches its partition at `now`: its consumer
    /// serves it now if a thread is free, otherwise it waits in line (or
    /// for its consumer's poll).
    #[inline(always)]
    pub(super) fn join_partition(
        &mut self,
        now: f64,
        slot: u32,
        class: usize,
        message: &Message,
    ) -> Entry {
        let partitions = self.partitions();
        let partition = partitions.pick(message);
        partitions.last = partition;
        let consumer = partitions.owners[partition as usize] as usize;
        if partitions.polling.is_some() {
            return self.join_polled(now, slot, (class, partition), consumer as u32);
        }
        if partitions.free[consumer] == 0 {
            partitions.lines[consumer].push_back(slot);
            return Entry::Waits { expires: None };
        }
        partitions.free[consumer] -= 1;
        self.start(slot, class);
        Entry::Starts
    }

    /// `slot`, of `partition`, finished its service at `now`: a thread of
    /// the partition's consumer (or, after a rebalance, whoever served it)
    /// is free, and takes next.
    #[inline(always)]
    pub(super) fn leave_partition(&mut self, now: f64, slot: u32, partition: u32) {
        let partitions = self.partitions();
        let consumer = partitions.owners[partition as usize];
        if partitions.polling.is_some() {
            let consumer = self.leave_polled(now, slot, consumer);
            let partitions = self.partitions();
            partitions.free[consumer as usize] = 1;
            partitions.freed = Some(consumer);
            return;
        }
        partitions.free[consumer as usize] += 1;
        partitions.freed = Some(consumer);
    }

    /// The consumer freed last, if any, takes the next message of its
    /// partitions.
    #[inline(always)]
    pub(super) fn take_from_partitions(&mut self, messages: &[Message]) -> Take {
        let partitions = self.partitions();
        if partitions.polling.is_some() {
            return self.take_polled_next(messages);
        }
        let Some(consumer) = partitions.freed.take() else {
            return Take::Idle;
        };
        let Some(slot) = partitions.lines[consumer as usize].pop_front() else {
            return Take::Idle;
        };
        partitions.free[consumer as usize] -= 1;
        self.start(slot, messages[slot as usize].class as usize);
        Take::Start(slot)
    }

    /// The partition of the message that arrived last, for a partitioned
    /// queue (`None` otherwise).
    #[inline(always)]
    pub(crate) fn arrival_partition(&self) -> Option<u32> {
        self.partitions.as_ref().map(|partitions| partitions.last)
    }
}

#[cfg(test)]
mod tests {
    use super::super::effect::Take;
    use super::*;
    use crate::dist::Dist;
    use crate::model::{Assignor, ProducerBuilder, QueueBuilder};
    use crate::sim::streams::{Source, StreamSet, stream};

    #[test]
    fn each_consumer_serves_its_own_partitions_in_arrival_order() {
        let exponential = || Dist::exponential_mean(1.0).unwrap();
        // 3 partitions, 2 consumers (range: {0, 1} and {2}), keyless
        // producer: partitions 0, 1, 2, 0, ... in turn.
        let model = Model::builder("t")
            .queue(QueueBuilder::new("q", 2, exponential()).partitions(3, Assignor::Range))
            .producer(ProducerBuilder::open("p", "q", exponential()))
            .build()
            .unwrap();
        let streams = |source: Source| stream(1, StreamSet::Replication(0), source);
        let mut station = Station::new(&model, 0, 2, streams);
        let mut messages = [Message::default(); 4];
        let entries: Vec<(Entry, Option<u32>)> = (0..4)
            .map(|slot| {
                let entry = match station.arrive(0.0, slot, 0, &messages) {
                    super::super::effect::Arrival::Accepted { entry, .. } => entry,
                    super::super::effect::Arrival::Rejected { .. } => panic!("unbounded"),
                };
                let partition = station.arrival_partition();
                // As the engine records it, for the departure.
                messages[slot as usize].partition = partition.unwrap_or(0);
                (entry, partition)
            })
            .collect();
        let partitions: Vec<Option<u32>> = entries.iter().map(|(_, p)| *p).collect();
        assert_eq!(partitions, [Some(0), Some(1), Some(2), Some(0)]);
        // Consumer 0 serves slot 0; slot 1 (partition 1) waits for it;
        // consumer 1 serves slot 2; slot 3 waits behind slot 1.
        let starts: Vec<bool> = entries
            .iter()
            .map(|(entry, _)| matches!(entry, Entry::Starts))
            .collect();
        assert_eq!(starts, [true, false, true, false]);
        // Consumer 1 finishing takes nothing: its partition is empty.
        station.depart(1.0, 2, &messages);
        assert!(matches!(station.take_waiting(&messages), Take::Idle));
        // Consumer 0 finishing takes slot 1, then slot 3, in arrival order.
        station.depart(1.5, 0, &messages);
        assert!(matches!(station.take_waiting(&messages), Take::Start(1)));
        assert!(matches!(station.take_waiting(&messages), Take::Idle));
        station.depart(2.0, 1, &messages);
        assert!(matches!(station.take_waiting(&messages), Take::Start(3)));
        assert_eq!(station.waiting(), 0);
    }

    #[test]
    fn a_consumer_with_threads_serves_that_many_of_its_messages_at_once() {
        let exponential = || Dist::exponential_mean(1.0).unwrap();
        // 2 partitions, 1 consumer with 2 threads, keyless producer:
        // partitions 0, 1, 0, 1, 0 in turn, one line for both.
        let model = Model::builder("t")
            .queue(
                QueueBuilder::new("q", 1, exponential())
                    .partitions(2, Assignor::Range)
                    .threads(2),
            )
            .producer(ProducerBuilder::open("p", "q", exponential()))
            .build()
            .unwrap();
        let streams = |source: Source| stream(1, StreamSet::Replication(0), source);
        let mut station = Station::new(&model, 0, 1, streams);
        let mut messages = [Message::default(); 5];
        let starts: Vec<bool> = (0..5)
            .map(|slot| {
                let entry = match station.arrive(0.0, slot, 0, &messages) {
                    super::super::effect::Arrival::Accepted { entry, .. } => entry,
                    super::super::effect::Arrival::Rejected { .. } => panic!("unbounded"),
                };
                messages[slot as usize].partition = station.arrival_partition().unwrap();
                matches!(entry, Entry::Starts)
            })
            .collect();
        // Two threads: slots 0 and 1 start, 2, 3 and 4 wait in one line.
        assert_eq!(starts, [true, true, false, false, false]);
        assert_eq!(station.waiting(), 3);
        // Slot 1 finishing first frees a thread, which takes slot 2 (a
        // message of partition 0 while slot 0, of partition 0, is still in
        // service: no per-partition order).
        station.depart(0.5, 1, &messages);
        assert!(matches!(station.take_waiting(&messages), Take::Start(2)));
        assert!(matches!(station.take_waiting(&messages), Take::Idle));
        station.depart(0.7, 0, &messages);
        assert!(matches!(station.take_waiting(&messages), Take::Start(3)));
        station.depart(0.9, 2, &messages);
        assert!(matches!(station.take_waiting(&messages), Take::Start(4)));
        assert_eq!(station.waiting(), 0);
    }
}
