//! Partitioned queues, as a Kafka topic (or a RocketMQ topic's queues) read
//! by one consumer group: `partitions` FIFO logs, each owned by exactly one
//! consumer of the group (the assignor decides which); consumers beyond the
//! partitions idle. A producer spreads its messages over the partitions by
//! key: key `k` (0-based, of `count` keys) is the string of its decimal
//! digits, and goes to partition `toPositive(murmur2(bytes)) % partitions`,
//! Kafka's default partitioner for keyed records. Without keys a producer
//! sends round-robin over the partitions.
//!
//! A consumer may serve its partitions' messages with several threads
//! (RocketMQ 4.x concurrent consumption: each instance of the group gets
//! its queues by `AllocateMessageQueueAveragely`, the range assignment, and
//! serves their messages in arrival order with its `consumeThreadMin`
//! threads at once, so a partition is no longer consumed in order).

use super::{Dispatch, Model, Producer, Queue, STABILITY_TOLERANCE};

/// A consumer whose partitions bring it a load of 1 or more.
#[derive(Clone, Debug, PartialEq)]
pub struct OverloadedConsumer {
    /// The partitioned queue.
    pub queue: usize,
    /// The consumer.
    pub consumer: u32,
    /// Its load per thread: its partitions' loads added up, over its
    /// threads.
    pub load: f64,
    /// The partitions it owns, each with its load.
    pub partitions: Vec<(u32, f64)>,
}

/// How partitions are assigned to a group's consumers (Kafka's assignors,
/// for one topic, consumers ordered by their index).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assignor {
    /// `RangeAssignor`: contiguous ranges, the first `P mod C` consumers
    /// getting one partition more. For one topic this is also RocketMQ's
    /// default `AllocateMessageQueueAveragely` over a group's instances.
    Range,
    /// `RoundRobinAssignor`: partition `p` to consumer `p mod C` (RocketMQ's
    /// `AllocateMessageQueueAveragelyByCircle`).
    RoundRobin,
    /// `StickyAssignor` (and `CooperativeStickyAssignor`): round-robin at
    /// first; a rebalance keeps as many partitions with their owner as a
    /// balanced assignment allows (see [`super::sticky_owners`]).
    Sticky,
}

/// A partitioned queue's layout: its partitions and how they are assigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partitioning {
    /// Number of partitions, at least 1.
    pub partitions: u32,
    /// How partitions are assigned to the consumers.
    pub assignor: Assignor,
    /// Threads each consumer serves its partitions' messages with, at
    /// once (at least 1; 1 serves them one at a time, in order, as a
    /// Kafka consumer does).
    pub threads: u32,
}

/// How often each key is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KeyDistribution {
    /// Every key equally often.
    Uniform,
    /// Key `k` (0-based) with weight 1 / (k + 1)^exponent.
    Zipf {
        /// The exponent s > 0.
        exponent: f64,
    },
}

/// The keys a producer writes with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Keys {
    /// Number of distinct keys, at least 1.
    pub count: u32,
    /// How often each key is drawn.
    pub distribution: KeyDistribution,
}

impl Assignor {
    /// The scenario name (`range`, `round-robin`).
    pub fn name(self) -> &'static str {
        match self {
            Assignor::Range => "range",
            Assignor::RoundRobin => "round-robin",
            Assignor::Sticky => "sticky",
        }
    }
}

impl Partitioning {
    /// Servers of a group of `consumers`: every consumer's threads.
    pub fn servers(self, consumers: u32) -> u32 {
        consumers.saturating_mul(self.threads)
    }

    /// The consumer (of `consumers`) owning `partition`.
    pub fn owner(self, partition: u32, consumers: u32) -> u32 {
        let (partitions, consumers) = (self.partitions, consumers.min(self.partitions));
        match self.assignor {
            Assignor::RoundRobin | Assignor::Sticky => partition % consumers,
            Assignor::Range => {
                let (each, extra) = (partitions / consumers, partitions % consumers);
                // The first `extra` consumers own `each + 1` partitions.
                let long = extra * (each + 1);
                if partition < long {
                    partition / (each + 1)
                } else {
                    extra + (partition - long) / each
                }
            }
        }
    }

    /// The owner of each partition, in partition order.
    pub fn owners(self, consumers: u32) -> Vec<u32> {
        (0..self.partitions)
            .map(|p| self.owner(p, consumers))
            .collect()
    }

    /// Consumers of `consumers` that own partitions: the first
    /// min(consumers, partitions).
    pub fn working_consumers(self, consumers: u32) -> u32 {
        consumers.min(self.partitions)
    }

    /// Consumers of `consumers` that own no partition.
    pub fn idle_consumers(self, consumers: u32) -> u32 {
        consumers.saturating_sub(self.partitions)
    }
}

impl Keys {
    /// The probability of each key, in key order.
    pub fn masses(self) -> Vec<f64> {
        let weights: Vec<f64> = (0..self.count)
            .map(|k| match self.distribution {
                KeyDistribution::Uniform => 1.0,
                KeyDistribution::Zipf { exponent } => (f64::from(k) + 1.0).powf(-exponent),
            })
            .collect();
        let total: f64 = weights.iter().sum();
        weights.into_iter().map(|w| w / total).collect()
    }

    /// The share of messages each of `partitions` partitions receives:
    /// the mass of the keys hashed to it.
    pub fn partition_shares(self, partitions: u32) -> Vec<f64> {
        let mut shares = vec![0.0; partitions as usize];
        for (key, mass) in self.masses().into_iter().enumerate() {
            shares[key_partition(key as u32, partitions) as usize] += mass;
        }
        shares
    }
}

/// The partition of key `key` among `partitions`: Kafka's default
/// partitioner on the key's decimal digits.
pub fn key_partition(key: u32, partitions: u32) -> u32 {
    let hash = murmur2(key.to_string().as_bytes());
    (hash & 0x7fff_ffff) % partitions
}

/// Kafka's murmur2 hash (`org.apache.kafka.common.utils.Utils.murmur2`), as
/// an unsigned 32-bit value (Kafka's `int`, bit for bit).
pub fn murmur2(data: &[u8]) -> u32 {
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let mut h: u32 = 0x9747_b28c ^ data.len() as u32;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M) ^ k;
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, byte) in tail.iter().enumerate().rev() {
            h ^= u32::from(*byte) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^ (h >> 15)
}

impl Queue {
    /// The queue's partitioning, `None` for a shared line.
    pub fn partitioning(&self) -> Option<Partitioning> {
        match self.dispatch {
            Dispatch::SharedLine | Dispatch::Window(_) => None,
            Dispatch::Partitioned(partitioning) => Some(partitioning),
        }
    }

    /// Threads each consumer serves with: a partitioned queue's `threads`,
    /// otherwise 1.
    pub fn threads(&self) -> u32 {
        self.partitioning().map_or(1, |p| p.threads)
    }
}

impl Producer {
    /// The share of this producer's messages each of `partitions`
    /// partitions receives: by key mass, or 1/P each round-robin.
    pub fn partition_shares(&self, partitions: u32) -> Vec<f64> {
        match self.keys {
            Some(keys) => keys.partition_shares(partitions),
            None => vec![1.0 / f64::from(partitions); partitions as usize],
        }
    }
}

impl Model {
    /// Messages per time unit reaching each partition of partitioned queue
    /// `queue` (only producers feed one), `None` for a shared line.
    pub fn partition_rates(&self, queue: usize) -> Option<Vec<f64>> {
        let partitions = self.queues[queue].partitioning()?.partitions;
        let mut rates = vec![0.0; partitions as usize];
        for producer in self.producers.iter().filter(|p| p.queue == queue) {
            let rate = producer.max_rate();
            for (total, share) in rates.iter_mut().zip(producer.partition_shares(partitions)) {
                *total += rate * share;
            }
        }
        Some(rates)
    }

    /// The offered load of each partition of `queue` (its rate times the
    /// mean service time of every delivery, retries in place included, and
    /// the retry delays its consumer is held through,
    /// plus the poll overhead a message carries when its consumer is
    /// saturated), `None` for a shared line.
    pub fn partition_loads(&self, queue: usize) -> Option<Vec<f64>> {
        let spec = &self.queues[queue];
        let partitions = spec.partitioning()?.partitions;
        let overhead = spec.saturated_overhead();
        let deliveries = spec.retry().map_or(1.0, |r| r.deliveries_per_message());
        let held = spec.held_delay_per_message();
        let mut loads = vec![0.0; partitions as usize];
        // Producer by producer: each has its class, and so its service.
        for producer in self.producers.iter().filter(|p| p.queue == queue) {
            let work = self.service(queue, producer.class).mean() * deliveries + held + overhead;
            let rate = producer.max_rate() * work;
            for (load, share) in loads.iter_mut().zip(producer.partition_shares(partitions)) {
                *load += rate * share;
            }
        }
        Some(loads)
    }

    /// The first consumer of a partitioned queue with no steady state: the
    /// partitions it owns bring each of its threads a load of 1 or more (within
    /// [`STABILITY_TOLERANCE`]), even when the queue's load is below 1.
    pub fn overloaded_consumer(&self) -> Option<OverloadedConsumer> {
        (0..self.queues.len()).find_map(|queue| {
            let loads = self.consumer_loads(queue)?;
            let (consumer, &load) = loads
                .iter()
                .enumerate()
                .find(|(_, load)| **load >= 1.0 - STABILITY_TOLERANCE)?;
            let spec = &self.queues[queue];
            let partitioning = spec.partitioning()?;
            let partition_loads = self.partition_loads(queue)?;
            let partitions = (0..partitioning.partitions)
                .filter(|&p| partitioning.owner(p, spec.consumers) == consumer as u32)
                .map(|p| (p, partition_loads[p as usize]))
                .collect();
            Some(OverloadedConsumer {
                queue,
                consumer: consumer as u32,
                load,
                partitions,
            })
        })
    }

    /// The load of each consumer of partitioned `queue` owning partitions
    /// (the idle ones beyond are left out), per thread: the loads of its
    /// partitions added up, over its threads.
    pub fn consumer_loads(&self, queue: usize) -> Option<Vec<f64>> {
        let spec = &self.queues[queue];
        let partitioning = spec.partitioning()?;
        let mut loads = vec![0.0; partitioning.working_consumers(spec.consumers) as usize];
        for (partition, load) in self.partition_loads(queue)?.into_iter().enumerate() {
            loads[partitioning.owner(partition as u32, spec.consumers) as usize] += load;
        }
        if partitioning.threads > 1 {
            let threads = f64::from(partitioning.threads);
            loads.iter_mut().for_each(|load| *load /= threads);
        }
        Some(loads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur2_matches_kafkas_test_vectors() {
        // org.apache.kafka.common.utils.UtilsTest#testMurmur2, as ints.
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973932308),
            (b"foobar", -790332482),
            (b"a-little-bit-long-string", -985981536),
            (b"a-little-bit-longer-string", -1486304829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58897971,
            ),
            (b"abc", 479470107),
        ];
        for (data, expected) in cases {
            assert_eq!(murmur2(data) as i32, expected, "{data:?}");
        }
    }

    #[test]
    fn assignors_split_six_partitions_like_kafka() {
        let range = Partitioning {
            partitions: 6,
            assignor: Assignor::Range,
            threads: 1,
        };
        let round_robin = Partitioning {
            assignor: Assignor::RoundRobin,
            ..range
        };
        assert_eq!(range.owners(4), [0, 0, 1, 1, 2, 3]);
        assert_eq!(round_robin.owners(4), [0, 1, 2, 3, 0, 1]);
        assert_eq!(range.owners(3), [0, 0, 1, 1, 2, 2]);
        assert_eq!(round_robin.owners(3), [0, 1, 2, 0, 1, 2]);
        assert_eq!(range.owners(8), [0, 1, 2, 3, 4, 5]);
        assert_eq!(range.idle_consumers(8), 2);
        assert_eq!(range.idle_consumers(4), 0);
        let seven = Partitioning {
            partitions: 7,
            assignor: Assignor::Range,
            threads: 1,
        };
        assert_eq!(seven.owners(3), [0, 0, 0, 1, 1, 2, 2]);
    }

    /// RocketMQ 4.x `AllocateMessageQueueAveragely.allocate`, line for
    /// line: the queues (ids `0..queues`) instance `index` of `instances`
    /// reads.
    fn allocate_averagely(queues: u32, instances: u32, index: u32) -> Vec<u32> {
        let (size, count) = (queues as i64, instances as i64);
        let index = index as i64;
        let r#mod = size % count;
        let average_size = if size <= count {
            1
        } else if r#mod > 0 && index < r#mod {
            size / count + 1
        } else {
            size / count
        };
        let start_index = if r#mod > 0 && index < r#mod {
            index * average_size
        } else {
            index * average_size + r#mod
        };
        let range = average_size.min(size - start_index);
        (0..range.max(0))
            .map(|i| ((start_index + i) % size) as u32)
            .collect()
    }

    #[test]
    fn rocketmq_allocate_averagely_is_the_range_assignment() {
        // Hand cases: 16 queues over 3 instances, 4 over 3, 2 over 4.
        assert_eq!(allocate_averagely(16, 3, 0), (0..6).collect::<Vec<_>>());
        assert_eq!(allocate_averagely(16, 3, 1), (6..11).collect::<Vec<_>>());
        assert_eq!(allocate_averagely(16, 3, 2), (11..16).collect::<Vec<_>>());
        assert_eq!(allocate_averagely(4, 3, 0), [0, 1]);
        assert_eq!(allocate_averagely(4, 3, 2), [3]);
        assert_eq!(allocate_averagely(2, 4, 1), [1]);
        assert!(allocate_averagely(2, 4, 2).is_empty());
        assert!(allocate_averagely(2, 4, 3).is_empty());
        for queues in 1..=24 {
            for instances in 1..=24 {
                let range = Partitioning {
                    partitions: queues,
                    assignor: Assignor::Range,
                    threads: 1,
                };
                for index in 0..instances {
                    let owned: Vec<u32> = (0..queues)
                        .filter(|&q| range.owner(q, instances) == index)
                        .collect();
                    assert_eq!(
                        owned,
                        allocate_averagely(queues, instances, index),
                        "{queues} queues, {instances} instances, instance {index}"
                    );
                }
            }
        }
    }

    #[test]
    fn consumer_loads_are_per_thread() {
        use crate::dist::Dist;
        use crate::model::{ProducerBuilder, QueueBuilder};
        // 4 queues, round-robin producer at rate 8, mean service 1: each
        // queue has load 2; 3 instances (range: {0, 1}, {2}, {3}) of 4
        // threads each: 4/4, 2/4, 2/4 per thread.
        let model = Model::builder("t")
            .queue(
                QueueBuilder::new("q", 3, Dist::exponential_mean(1.0).unwrap())
                    .partitions(4, Assignor::Range)
                    .threads(4),
            )
            .producer(ProducerBuilder::open(
                "p",
                "q",
                Dist::exponential_mean(0.125).unwrap(),
            ))
            .build()
            .unwrap();
        assert_eq!(model.consumer_loads(0).unwrap(), [1.0, 0.5, 0.5]);
        assert_eq!(model.overloaded_consumer().unwrap().consumer, 0);
        assert_eq!(model.queues[0].threads(), 4);
    }

    #[test]
    fn key_masses_are_uniform_or_zipf() {
        let uniform = Keys {
            count: 4,
            distribution: KeyDistribution::Uniform,
        };
        assert_eq!(uniform.masses(), [0.25; 4]);
        // s = 1, 3 keys: weights 1, 1/2, 1/3, total 11/6.
        let zipf = Keys {
            count: 3,
            distribution: KeyDistribution::Zipf { exponent: 1.0 },
        };
        let masses = zipf.masses();
        for (mass, expected) in masses.iter().zip([6.0 / 11.0, 3.0 / 11.0, 2.0 / 11.0]) {
            assert!((mass - expected).abs() < 1e-15, "{masses:?}");
        }
    }

    #[test]
    fn partition_shares_add_the_masses_of_the_keys_hashed_there() {
        let zipf = Keys {
            count: 3,
            distribution: KeyDistribution::Zipf { exponent: 1.0 },
        };
        let shares = zipf.partition_shares(2);
        let mut expected = [0.0; 2];
        for (key, mass) in [6.0 / 11.0, 3.0 / 11.0, 2.0 / 11.0].into_iter().enumerate() {
            expected[key_partition(key as u32, 2) as usize] += mass;
        }
        for (share, expected) in shares.iter().zip(expected) {
            assert!((share - expected).abs() < 1e-15, "{shares:?}");
        }
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        // Key "21" hashes to Kafka's int -973932308, positive part 1173551340.
        assert_eq!(key_partition(21, 4), 1173551340 % 4);
        assert_eq!(key_partition(21, 6), 1173551340 % 6);
    }

    #[test]
    fn retries_in_place_count_in_a_partition_s_load() {
        let exponential = |mean| crate::dist::Dist::exponential_mean(mean).unwrap();
        let model = |p: f64| {
            crate::model::Model::builder("t")
                .queue(
                    crate::model::QueueBuilder::new("q", 1, exponential(1.0))
                        .partitions(1, Assignor::Range)
                        .retry(p, None, crate::model::Redelivery::Head),
                )
                .producer(crate::model::ProducerBuilder::open(
                    "p",
                    "q",
                    exponential(1.0 / 0.6),
                ))
                .build()
                .unwrap()
        };
        // 0.6 per time unit, 1/(1 - p) deliveries of mean 1 each.
        assert_eq!(model(0.0).partition_loads(0), Some(vec![0.6]));
        assert!(model(0.0).overloaded_consumer().is_none());
        let retried = model(0.5);
        assert!((retried.partition_loads(0).unwrap()[0] - 1.2).abs() < 1e-12);
        assert_eq!(retried.overloaded_consumer().map(|o| o.consumer), Some(0));
    }
}
