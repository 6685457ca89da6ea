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
    /// The longest time no consumer received a message, among the gaps
    /// between deliveries ending after the change (and before the next
    /// one), in ms.
    pub pause_ms: f64,
    /// When that pause began, ms after the change (negative: before it).
    pub paused_after_ms: f64,
    /// The backlog at the pause's end: messages published before it and
    /// delivered after it.
    pub backlog: u64,
    /// The catch-up: from the pause's end until the backlog was served,
    /// in ms (0 without a backlog).
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
    /// between deliveries that end in (`at`, `until`]; `None` without
    /// such a gap.
    pub fn pause(&self, at: u64, until: u64) -> Option<PauseMeasures> {
        let never = crate::live::NEVER;
        let mut times: Vec<u64> = self
            .delivered
            .iter()
            .copied()
            .filter(|&t| t != never)
            .collect();
        times.sort_unstable();
        let (paused, resumed) = times
            .windows(2)
            .map(|pair| (pair[0], pair[1]))
            .filter(|&(_, end)| end > at && end <= until)
            .max_by_key(|&(start, end)| end - start)?;
        let backlog: Vec<usize> = (0..self.sent.len())
            .filter(|&m| {
                self.sent[m] != never
                    && self.sent[m] < resumed
                    && self.delivered[m] != never
                    && self.delivered[m] >= resumed
            })
            .collect();
        let caught_up = backlog
            .iter()
            .map(|&m| self.done[m])
            .filter(|&t| t != never)
            .max()
            .map_or(0, |t| t.saturating_sub(resumed));
        let ms = |ns: f64| ns / 1e6;
        Some(PauseMeasures {
            pause_ms: ms((resumed - paused) as f64),
            paused_after_ms: ms(paused as f64 - at as f64),
            backlog: backlog.len() as u64,
            catch_up_ms: ms(caught_up as f64),
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
    fn the_pause_is_the_longest_gap_after_the_change_and_its_backlog_is_caught_up() {
        // Deliveries at 10, 20, then nothing until 100 ms (a pause from
        // 20), the messages sent at 30 and 60 delivered at 100 and 105 and
        // served by 130; the change at 15.
        let ms = |values: [u64; 5]| values.map(|v| v * 1_000_000);
        let (sent, delivered) = (ms([5, 15, 30, 60, 110]), ms([10, 20, 100, 105, 112]));
        let done = ms([12, 25, 110, 130, 120]);
        let stamps = GroupStamps {
            sent: &sent,
            delivered: &delivered,
            done: &done,
            acked: &done,
        };
        let pause = PauseMeasures {
            pause_ms: 80.0,
            paused_after_ms: 5.0,
            backlog: 2,
            catch_up_ms: 30.0,
        };
        assert_eq!(stamps.pause(15_000_000, 200_000_000), Some(pause));
        assert_eq!(stamps.pause(150_000_000, 200_000_000), None);
    }
}
