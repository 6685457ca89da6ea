//! What a bench run on a Kafka-protocol broker measures of its consumer
//! group beside live's metrics: the messages each consumer received (so
//! the consumers that received none, beside the model's idle consumers),
//! each partition's messages and consumer lag, and, for each consumer
//! joining mid-run, the rebalance pause (the longest time no message was
//! delivered) and the catch-up that follows it.

use serde::{Deserialize, Serialize};

/// A consumer group's own figures in one bench run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupMeasures {
    /// Messages each consumer received, by consumer (those joining
    /// mid-run last); a message delivered again is not counted twice.
    pub received: Vec<u64>,
    /// Consumers that received no message.
    pub idle_consumers: u32,
    /// The model's idle consumers: those beyond the partitions (exact,
    /// max(0, consumers − partitions) at the group's largest size).
    pub idle_consumers_model: u32,
    /// Each partition's figures, by partition.
    pub partitions: Vec<PartitionMeasures>,
    /// Each consumer joining mid-run (`group_changes`), in time order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ChangeMeasures>,
}

/// One partition's figures in a bench run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartitionMeasures {
    /// Messages published to it (each to the model's partition).
    pub sent: u64,
    /// Messages delivered from it, by the partition the broker said.
    pub delivered: u64,
    /// Consumer lag: its messages published and not yet committed,
    /// averaged over the run (from its start to its last commit): Kafka's
    /// log end offset − committed offset, as a time average.
    pub lag_mean: f64,
}

/// One group change driven during a bench run: the group's size grew at
/// `at_ms`, and the rebalance paused deliveries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeMeasures {
    /// When the new consumers were started, ms after the run's start.
    pub at_ms: f64,
    /// The group's size from then on.
    pub consumers: u32,
    /// The model's rebalance pause (`rebalance_time`, its mean), in ms.
    pub pause_model_ms: f64,
    /// The pause the deliveries show (absent when no message was
    /// delivered after the change).
    pub pause: Option<PauseMeasures>,
}

/// A rebalance pause as the deliveries show it, and its catch-up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PauseMeasures {
    /// Each partition's pause: the longest time it held a message and
    /// delivered none, among those ending after the change (and before
    /// the next one), in ms; 0 for a partition with no such delivery.
    pub partition_pause_ms: Vec<f64>,
    /// Their mean over the partitions, to set beside the model's
    /// `rebalance_pause_mean` (an eager rebalance pauses every partition
    /// for the rebalance time).
    pub pause_mean_ms: f64,
    /// When the earliest of those pauses began, ms after the change
    /// (negative: before it).
    pub paused_after_ms: f64,
    /// The longest time no consumer received any message, among the gaps
    /// ending after the change, in ms: the whole group's pause.
    pub group_pause_ms: f64,
    /// The backlog: messages published to a partition before its pause
    /// ended and delivered after.
    pub backlog: u64,
    /// The catch-up: the longest time from a partition's pause's end until
    /// its backlog was served, in ms.
    pub catch_up_ms: f64,
}

/// Every message's stamps as a group's figures need them (ns on the
/// run's clock; `NEVER` where a message has none).
#[cfg(feature = "kafka")]
pub(super) struct GroupStamps<'a> {
    /// Each message's send.
    pub sent: &'a [u64],
    /// Each message's (first) delivery.
    pub delivered: &'a [u64],
    /// Each message's end of service.
    pub done: &'a [u64],
    /// Each message's commit.
    pub acked: &'a [u64],
}

#[cfg(feature = "kafka")]
impl GroupStamps<'_> {
    /// Each of `partitions` partitions' figures, from the partition each
    /// message was sent to (`sent_to`) and delivered from
    /// (`delivered_from`, `None` for a message not delivered).
    pub fn partitions(
        &self,
        partitions: u32,
        sent_to: &[u32],
        delivered_from: &[Option<u32>],
    ) -> Vec<PartitionMeasures> {
        let never = crate::live::NEVER;
        let mut figures: Vec<PartitionMeasures> = (0..partitions)
            .map(|_| PartitionMeasures {
                sent: 0,
                delivered: 0,
                lag_mean: 0.0,
            })
            .collect();
        let mut lagged = vec![0u128; partitions as usize];
        let mut end = 0;
        for (message, (&sent, &acked)) in self.sent.iter().zip(self.acked).enumerate() {
            if sent == never {
                continue;
            }
            let Some(partition) = sent_to.get(message).map(|&p| p as usize) else {
                continue;
            };
            if let Some(figure) = figures.get_mut(partition) {
                figure.sent += 1;
            }
            if let Some(figure) = delivered_from[message].and_then(|p| figures.get_mut(p as usize))
            {
                figure.delivered += 1;
            }
            if acked != never && partition < lagged.len() {
                lagged[partition] += u128::from(acked.saturating_sub(sent));
                end = end.max(acked);
            }
        }
        for (figure, lagged) in figures.iter_mut().zip(lagged) {
            figure.lag_mean = if end > 0 {
                lagged as f64 / end as f64
            } else {
                0.0
            };
        }
        figures
    }

    /// The pause and catch-up after a change at `at` (ns), among the gaps
    /// between deliveries that end in (`at`, `until`], with each message's
    /// partition as delivered (`delivered_from`) of `partitions`; `None`
    /// when no message was delivered after the change.
    pub fn pause(
        &self,
        (delivered_from, partitions): (&[Option<u32>], u32),
        at: u64,
        until: u64,
    ) -> Option<PauseMeasures> {
        let never = crate::live::NEVER;
        let ends_after = |end: u64| end > at && end <= until;
        let mut all: Vec<u64> = self
            .delivered
            .iter()
            .copied()
            .filter(|&t| t != never)
            .collect();
        all.sort_unstable();
        let group_pause = all
            .windows(2)
            .filter(|pair| ends_after(pair[1]))
            .map(|pair| pair[1] - pair[0])
            .max()?;
        let mut by_partition: Vec<Vec<usize>> = vec![Vec::new(); partitions as usize];
        for (message, from) in delivered_from.iter().enumerate() {
            if let Some(list) = from.and_then(|p| by_partition.get_mut(p as usize)) {
                list.push(message);
            }
        }
        let (mut pauses, mut backlog, mut catch_up, mut earliest) = (Vec::new(), 0, 0, u64::MAX);
        for list in &mut by_partition {
            list.sort_unstable_by_key(|&m| self.delivered[m]);
            // Held from the later of the last delivery and the next
            // message's send, until that message's delivery.
            let held = list
                .windows(2)
                .map(|pair| {
                    let start = self.delivered[pair[0]].max(self.sent[pair[1]]);
                    (start, self.delivered[pair[1]])
                })
                .filter(|&(_, end)| ends_after(end))
                .max_by_key(|&(start, end)| end.saturating_sub(start));
            let Some((start, resumed)) = held else {
                pauses.push(0.0);
                continue;
            };
            pauses.push(resumed.saturating_sub(start) as f64 / 1e6);
            earliest = earliest.min(start);
            let waiting = list
                .iter()
                .filter(|&&m| self.sent[m] < resumed && self.delivered[m] >= resumed);
            for &message in waiting {
                backlog += 1;
                if self.done[message] != never {
                    catch_up = catch_up.max(self.done[message].saturating_sub(resumed));
                }
            }
        }
        let ms = |ns: f64| ns / 1e6;
        Some(PauseMeasures {
            pause_mean_ms: pauses.iter().sum::<f64>() / pauses.len().max(1) as f64,
            partition_pause_ms: pauses,
            paused_after_ms: if earliest == u64::MAX {
                0.0
            } else {
                ms(earliest as f64 - at as f64)
            },
            group_pause_ms: ms(group_pause as f64),
            backlog,
            catch_up_ms: ms(catch_up as f64),
        })
    }
}

#[cfg(all(test, feature = "kafka"))]
mod tests {
    use super::*;
    use crate::live::NEVER;

    #[test]
    fn a_partitions_lag_is_its_time_in_flight_over_the_run() {
        // Two messages to partition 1 in flight 10 and 30 ns of a run whose
        // last commit is at 40: lag 1; partition 0 none.
        let stamps = GroupStamps {
            sent: &[0, 10, NEVER],
            delivered: &[5, 15, NEVER],
            done: &[8, 20, NEVER],
            acked: &[10, 40, NEVER],
        };
        let figures = stamps.partitions(2, &[1, 1, 0], &[Some(1), Some(1), None]);
        assert_eq!((figures[0].sent, figures[0].delivered), (0, 0));
        assert_eq!((figures[1].sent, figures[1].delivered), (2, 2));
        assert_eq!(figures[1].lag_mean, 1.0);
        assert_eq!(figures[0].lag_mean, 0.0);
    }

    #[test]
    fn a_partitions_pause_is_its_longest_hold_after_the_change_and_its_backlog_is_caught_up() {
        // Partition 0 delivers at 10, 20, then holds the message sent at 30
        // until 100 (a pause of 70 from 30), then the one sent at 60 at 105,
        // both served by 130; partition 1 delivers at 50 the message sent
        // at 45 and at 112 the one sent at 110 (held 2, served by 120).
        // The change at 15: the group's longest gap is 50 to 100.
        let ms = |values: [u64; 6]| values.map(|v| v * 1_000_000);
        let sent = ms([5, 15, 30, 60, 110, 45]);
        let delivered = ms([10, 20, 100, 105, 112, 50]);
        let done = ms([12, 25, 110, 130, 120, 55]);
        let stamps = GroupStamps {
            sent: &sent,
            delivered: &delivered,
            done: &done,
            acked: &done,
        };
        let from = [Some(0), Some(0), Some(0), Some(0), Some(1), Some(1)];
        let pause = PauseMeasures {
            partition_pause_ms: vec![70.0, 2.0],
            pause_mean_ms: 36.0,
            paused_after_ms: 15.0,
            group_pause_ms: 50.0,
            backlog: 3,
            catch_up_ms: 30.0,
        };
        assert_eq!(
            stamps.pause((&from, 2), 15_000_000, 200_000_000),
            Some(pause)
        );
        assert_eq!(stamps.pause((&from, 2), 150_000_000, 200_000_000), None);
    }
}
