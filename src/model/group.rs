//! Consumer group changes (Kafka): consumers joining or leaving a polling
//! group at given times, each change a rebalance; how a rebalance pauses
//! the group (the eager or the cooperative protocol); and the sticky
//! assignment a rebalance computes under the `sticky` assignor.
//!
//! A change to `consumers` at `at` leaves consumers `0..consumers` in the
//! group: the highest-numbered leave first, and joiners take the next
//! numbers. A leaving consumer finishes the message it serves (a graceful
//! leave: its commit succeeds). Every member finishes the message it
//! serves before it rejoins, so a change's pause lasts the rebalance time
//! or until those messages are done, whichever is later, and each
//! partition stays in order. The unstarted rest of a batch whose partition
//! is revoked goes back to that partition, for its new owner (redelivered).

use super::{Partitioning, Queue};
use crate::dist::Dist;

/// How a rebalance pauses a group (Kafka's `RebalanceProtocol`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RebalanceProtocol {
    /// EAGER (Kafka's classic default): every member revokes every
    /// partition, so the whole group pauses.
    #[default]
    Eager,
    /// COOPERATIVE (`CooperativeStickyAssignor`): only the partitions
    /// that move to another consumer pause; the others keep being served.
    Cooperative,
}

impl RebalanceProtocol {
    /// The scenario name (`eager`, `cooperative`).
    pub fn name(self) -> &'static str {
        match self {
            RebalanceProtocol::Eager => "eager",
            RebalanceProtocol::Cooperative => "cooperative",
        }
    }
}

/// One change of a group's size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GroupChange {
    /// When it happens (> 0).
    pub at: f64,
    /// Consumers in the group from then on (>= 1).
    pub consumers: u32,
}

/// A group whose size changes at given times.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupChanges {
    /// The changes, at increasing times.
    pub changes: Vec<GroupChange>,
    /// How long each change's rebalance pauses (at least).
    pub rebalance: Dist,
}

impl GroupChanges {
    /// The most consumers the group ever has, starting from `initial`.
    pub fn most_consumers(&self, initial: u32) -> u32 {
        self.changes
            .iter()
            .map(|change| change.consumers)
            .fold(initial, u32::max)
    }

    /// The group's mean size over model times `start` to `end` (`end` >
    /// `start`), starting from `initial` consumers.
    pub fn mean_consumers(&self, initial: u32, start: f64, end: f64) -> f64 {
        self.time_average(initial, start, end, f64::from)
    }

    /// The mean number of the group's consumers that own no partition of
    /// `partitioning` (those beyond the partitions) over model times
    /// `start` to `end` (`end` > `start`), starting from `initial`.
    pub fn mean_idle(&self, initial: u32, partitioning: Partitioning, start: f64, end: f64) -> f64 {
        self.time_average(initial, start, end, |size| {
            f64::from(partitioning.idle_consumers(size))
        })
    }

    /// The time average over `start` to `end` of `value` of the group's
    /// size, starting from `initial` consumers.
    fn time_average(&self, initial: u32, start: f64, end: f64, value: impl Fn(u32) -> f64) -> f64 {
        let (mut total, mut size, mut from) = (0.0, initial, start);
        for change in self.changes.iter().take_while(|change| change.at < end) {
            if change.at > from {
                total += value(size) * (change.at - from);
                from = change.at;
            }
            size = change.consumers;
        }
        (total + value(size) * (end - from)) / (end - start)
    }
}

impl Queue {
    /// The consumer group's changes, for a polling queue that has them.
    pub fn group_changes(&self) -> Option<&GroupChanges> {
        self.poll().and_then(|poll| poll.changes.as_deref())
    }

    /// The time-average number of a partitioned queue's consumers that own
    /// no partition (those beyond the partitions) over model times `start`
    /// to `end` (`end` > `start`), by the group's size as its changes set
    /// it; a fixed group's max(0, c − P) exactly. `None` for a queue that is
    /// not partitioned.
    pub fn mean_idle_consumers(&self, start: f64, end: f64) -> Option<f64> {
        let partitioning = self.partitioning()?;
        Some(match self.group_changes() {
            Some(changes) => changes.mean_idle(self.consumers, partitioning, start, end),
            None => f64::from(partitioning.idle_consumers(self.consumers)),
        })
    }
}

/// The sticky assignment (Kafka's `StickyAssignor` and
/// `CooperativeStickyAssignor`, for one topic) of `owners.len()` partitions
/// over `members` (consumer numbers, increasing), from the current
/// `owners`: balanced, the counts differing by at most one, keeping as
/// many partitions with their owner as that allows. Each member keeps its
/// partitions in partition order up to its quota (the larger quota while
/// some are left, as Kafka does); the partitions freed go, in partition
/// order, first to members below the smaller quota, then to those at it
/// while larger quotas are left. Without owners (a first assignment) it is
/// round-robin.
pub fn sticky_owners(owners: &[Option<u32>], members: &[u32]) -> Vec<u32> {
    let partitions = owners.len();
    let count = members.len();
    let min_quota = partitions / count;
    // Members that may hold one more (min_quota + 1).
    let mut larger_left = partitions % count;
    let mut assigned: Vec<Option<u32>> = vec![None; partitions];
    let mut held = vec![0usize; count];
    for (slot, &member) in members.iter().enumerate() {
        let owned: Vec<usize> = (0..partitions)
            .filter(|&p| owners[p] == Some(member))
            .collect();
        let keep = if owned.len() > min_quota && larger_left > 0 {
            larger_left -= 1;
            min_quota + 1
        } else {
            owned.len().min(min_quota)
        };
        for &p in owned.iter().take(keep) {
            assigned[p] = Some(member);
        }
        held[slot] = keep.min(owned.len());
    }
    let free: Vec<usize> = (0..partitions).filter(|&p| assigned[p].is_none()).collect();
    let mut freed = free.into_iter();
    // First up to the smaller quota, member by member in turn.
    loop {
        let mut gave = false;
        for slot in 0..count {
            if held[slot] < min_quota
                && let Some(p) = freed.next()
            {
                assigned[p] = Some(members[slot]);
                held[slot] += 1;
                gave = true;
            }
        }
        if !gave {
            break;
        }
    }
    // Then one more each to members at the smaller quota, while larger
    // quotas are left.
    for slot in 0..count {
        if larger_left == 0 {
            break;
        }
        if held[slot] == min_quota
            && let Some(p) = freed.next()
        {
            assigned[p] = Some(members[slot]);
            held[slot] += 1;
            larger_left -= 1;
        }
    }
    assigned
        .into_iter()
        .map(|owner| owner.expect("the quotas cover every partition"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mean_size_weighs_each_size_by_its_time() {
        let changes = GroupChanges {
            changes: vec![
                GroupChange {
                    at: 10.0,
                    consumers: 3,
                },
                GroupChange {
                    at: 20.0,
                    consumers: 1,
                },
            ],
            rebalance: Dist::deterministic(1.0).unwrap(),
        };
        // 2 for 10, 3 for 10, 1 for 10.
        assert_eq!(changes.mean_consumers(2, 0.0, 30.0), 2.0);
        // From 15: 3 for 5, 1 for 5.
        assert_eq!(changes.mean_consumers(2, 15.0, 25.0), 2.0);
        assert_eq!(changes.mean_consumers(2, 0.0, 5.0), 2.0);
        assert_eq!(changes.mean_consumers(2, 25.0, 30.0), 1.0);
    }

    #[test]
    fn idle_consumers_are_those_beyond_the_partitions_weighed_by_time() {
        // 4 partitions; the group grows from 3 to 6 at 10 and shrinks to
        // 5 at 20: idle 0 for 10, 2 for 10, 1 for 10.
        let changes = GroupChanges {
            changes: vec![
                GroupChange {
                    at: 10.0,
                    consumers: 6,
                },
                GroupChange {
                    at: 20.0,
                    consumers: 5,
                },
            ],
            rebalance: Dist::deterministic(1.0).unwrap(),
        };
        let partitioning = Partitioning {
            partitions: 4,
            assignor: super::super::Assignor::Range,
            threads: 1,
        };
        assert_eq!(changes.mean_idle(3, partitioning, 0.0, 30.0), 1.0);
        assert_eq!(changes.mean_idle(3, partitioning, 0.0, 10.0), 0.0);
        // From 5: 0 for 5, 2 for 10.
        assert_eq!(changes.mean_idle(3, partitioning, 5.0, 20.0), 20.0 / 15.0);
        assert_eq!(changes.mean_idle(3, partitioning, 25.0, 30.0), 1.0);
    }

    fn some(owners: &[u32]) -> Vec<Option<u32>> {
        owners.iter().map(|&o| Some(o)).collect()
    }

    #[test]
    fn a_first_sticky_assignment_is_round_robin() {
        assert_eq!(sticky_owners(&[None; 6], &[0, 1]), [0, 1, 0, 1, 0, 1]);
        assert_eq!(sticky_owners(&[None; 7], &[0, 1, 2]), [0, 1, 2, 0, 1, 2, 0]);
        // More members than partitions: the last idle.
        assert_eq!(sticky_owners(&[None; 2], &[0, 1, 2]), [0, 1]);
    }

    #[test]
    fn six_partitions_two_to_three_to_two_consumers_move_only_two() {
        // 2 consumers: {0, 2, 4} and {1, 3, 5}.
        let two = sticky_owners(&[None; 6], &[0, 1]);
        assert_eq!(two, [0, 1, 0, 1, 0, 1]);
        // Consumer 2 joins: quotas 2 each. Consumer 0 keeps {0, 2},
        // consumer 1 keeps {1, 3}; 4 and 5, freed, go to consumer 2.
        // (Round-robin would give [0, 1, 2, 0, 1, 2], moving 4 of 6.)
        let three = sticky_owners(&some(&two), &[0, 1, 2]);
        assert_eq!(three, [0, 1, 0, 1, 2, 2]);
        // Consumer 2 leaves: quotas 3. 4 goes to consumer 0, 5 to 1.
        let back = sticky_owners(&some(&three), &[0, 1]);
        assert_eq!(back, [0, 1, 0, 1, 0, 1]);
    }

    #[test]
    fn sticky_keeps_the_larger_quotas_for_members_that_own_more() {
        // 7 partitions, consumer 0 owns 4 and consumer 1 owns 3; consumer 2
        // joins: quotas 3, 2, 2 with one larger. Consumer 0 keeps 3
        // ({0, 2, 4}), consumer 1 keeps 2 ({1, 3}); 5 and 6 to consumer 2.
        let owners = some(&[0, 1, 0, 1, 0, 1, 0]);
        assert_eq!(sticky_owners(&owners, &[0, 1, 2]), [0, 1, 0, 1, 0, 2, 2]);
        // A member left while another joined: its partitions are freed.
        let owners = some(&[0, 1, 0, 1, 0, 1]);
        assert_eq!(sticky_owners(&owners, &[0, 2]), [0, 2, 0, 2, 0, 2]);
    }
}
