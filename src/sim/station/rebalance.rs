//! Poll timeouts and eager rebalances of a polling consumer group (Kafka's
//! `max.poll.interval.ms`). A consumer still in its batch `interval` after
//! its poll leaves the group; the rebalance pauses every consumer (none
//! starts a message; those serving finish theirs), takes every batch's
//! unstarted messages back to their partitions and assigns the partitions
//! over the members left, by the queue's assignor over the members in index
//! order. The slow consumer finishes the message it serves, but its commit
//! fails: the message goes back to the head of its partition, to be served
//! again by the new owner (a replay, for a fresh service time drawn from
//! the poll stream: a message that always outlasted the interval would
//! replay forever), and the consumer rejoins — another rebalance. A rebalance during a pause extends it. With nobody left in the
//! group the partitions wait for the rejoin.
//!
//! Rebuilding the lines allocates, once per rebalance (a rare event), never
//! per message.

use super::Station;
use super::effect::Rebalance;
use super::poll::NONE;
use crate::dist::Dist;
use crate::model::{Partitioning, PollTimeout};
use crate::sim::message::Message;

/// A polling group's membership and pauses.
#[derive(Debug)]
pub(super) struct Group {
    /// Longest a batch may run after its poll.
    pub(super) interval: f64,
    rebalance: Dist,
    partitioning: Partitioning,
    /// Per consumer, whether it is in the group.
    members: Box<[bool]>,
    /// The message each consumer that left is still serving ([`NONE`]:
    /// none), replayed when it finishes.
    revoked: Box<[u32]>,
    /// A rebalance pauses the group.
    pub(super) paused: bool,
    /// When the pause began, and when it ends.
    pause: (f64, f64),
    /// The number of the pause's last extension.
    generation: u32,
    /// Consumers to take from their partitions once a pause ends.
    pub(super) pending: Vec<u32>,
}

impl Group {
    /// A group of `consumers`, all members, under `timeout`.
    pub(super) fn new(timeout: &PollTimeout, partitioning: Partitioning, consumers: u32) -> Self {
        let n = consumers as usize;
        Group {
            interval: timeout.interval,
            rebalance: timeout.rebalance.clone(),
            partitioning,
            members: vec![true; n].into_boxed_slice(),
            revoked: vec![NONE; n].into_boxed_slice(),
            paused: false,
            pause: (0.0, 0.0),
            generation: 0,
            pending: Vec::with_capacity(n),
        }
    }

    /// The owner of each partition: the assignor over the members in
    /// index order; `None` when nobody is left.
    fn owners(&self) -> Option<Vec<u32>> {
        let members: Vec<u32> = (0..self.members.len() as u32)
            .filter(|&c| self.members[c as usize])
            .collect();
        if members.is_empty() {
            return None;
        }
        let owners = self.partitioning.owners(members.len() as u32);
        Some(owners.into_iter().map(|m| members[m as usize]).collect())
    }
}

impl Station<'_> {
    fn group(&mut self) -> &mut Group {
        self.polling()
            .group
            .as_mut()
            .expect("a group whose batches time out")
    }

    /// The poll timeout of batch `batch` of `consumer` fires at `now`: if
    /// that batch still runs, the consumer leaves the group and a
    /// rebalance begins.
    pub(crate) fn poll_timeout(
        &mut self,
        now: f64,
        consumer: u32,
        batch: u32,
        messages: &[Message],
    ) -> Option<Rebalance> {
        let poller = self.polling().pollers[consumer as usize];
        let group = self.group();
        if poller.batch != batch || !group.members[consumer as usize] || poller.serving == NONE {
            return None;
        }
        group.members[consumer as usize] = false;
        group.revoked[consumer as usize] = poller.serving;
        Some(self.rebalance(now, messages))
    }

    /// True when `slot` is a message whose consumer left the group while
    /// serving it: it is served again rather than leaving.
    #[inline(always)]
    pub(crate) fn replays(&self, slot: u32) -> bool {
        self.partitions
            .as_deref()
            .and_then(|partitions| partitions.polling.as_ref()?.group.as_ref())
            .is_some_and(|group| group.revoked.contains(&slot))
    }

    /// Revoked `slot` finished its service at `now`: it goes back to the
    /// head of its partition (its new owner serves it again, for a fresh
    /// service time, returned with the rebalance) and the consumer that
    /// served it rejoins the group, a rebalance.
    pub(crate) fn replay(&mut self, now: f64, slot: u32, messages: &[Message]) -> (f64, Rebalance) {
        self.finish(slot);
        let class = messages[slot as usize].class as usize;
        let service = self.classes[class].service_at(self.spec);
        let redo = self.polling().overheads.draw(service);
        let group = self.group();
        let consumer = group
            .revoked
            .iter()
            .position(|&revoked| revoked == slot)
            .expect("a replayed message was revoked");
        group.revoked[consumer] = NONE;
        group.members[consumer] = true;
        let polling = self.polling();
        polling.pollers[consumer].serving = NONE;
        polling.pollers[consumer].left = 0;
        let partitions = self.partitions();
        partitions.busy[consumer] = false;
        // Back in its partition, the oldest there: it is redistributed
        // with the others below.
        partitions.lines[consumer].push_front(slot);
        let mut rebalance = self.rebalance(now, messages);
        rebalance.redelivered += 1;
        (redo, rebalance)
    }

    /// A rebalance begins at `now`: the group pauses (or its pause is
    /// extended), every batch's unstarted messages go back to their
    /// partitions, and the partitions are assigned over the members.
    fn rebalance(&mut self, now: f64, messages: &[Message]) -> Rebalance {
        let polling = self.polling();
        let pause = match &polling.group {
            Some(group) => polling.overheads.draw(&group.rebalance),
            None => unreachable!("a group whose batches time out"),
        };
        let mut redelivered = 0;
        for poller in polling.pollers.iter_mut() {
            redelivered += poller.left;
            poller.left = 0;
            poller.due = false;
            poller.since = now;
            poller.first = now;
            // Timers and fetch deadlines of the batches before lapse.
            poller.batch = poller.batch.wrapping_add(1);
            poller.generation = poller.generation.wrapping_add(1);
        }
        let group = self.group();
        if !group.paused {
            group.paused = true;
            group.pause = (now, now);
        }
        group.pause.1 = group.pause.1.max(now + pause);
        group.generation = group.generation.wrapping_add(1);
        let (until, generation) = (group.pause.1, group.generation);
        if let Some(owners) = group.owners() {
            self.reassign(owners, messages);
        }
        Rebalance {
            until,
            pause: generation,
            redelivered,
        }
    }

    /// The partitions get `owners`: every waiting message moves to its
    /// partition's owner's line, in arrival order.
    fn reassign(&mut self, owners: Vec<u32>, messages: &[Message]) {
        let partitions = self.partitions();
        let mut waiting: Vec<u32> = partitions
            .lines
            .iter_mut()
            .flat_map(|l| l.drain(..))
            .collect();
        waiting.sort_by_key(|&slot| messages[slot as usize].index);
        for slot in waiting {
            let partition = messages[slot as usize].partition as usize;
            partitions.lines[owners[partition] as usize].push_back(slot);
        }
        partitions.owners = owners;
    }

    /// The end of pause number `generation` comes at `now`: unless a later
    /// rebalance extended it, the group resumes, each idle member taking
    /// from its partitions (the engine asks while [`Station::polls_pending`]).
    /// Returns how long the group was paused.
    pub(crate) fn resume(&mut self, now: f64, generation: u32) -> Option<f64> {
        let busy = self.partitions().busy.clone();
        let group = self.group();
        if !group.paused || group.generation != generation {
            return None;
        }
        group.paused = false;
        group.pending.clear();
        let idle = (0..group.members.len())
            .rev()
            .filter(|&c| group.members[c] && !busy[c]);
        group.pending.extend(idle.map(|c| c as u32));
        let paused = now - group.pause.0;
        // The idle consumers' fetches begin now.
        for (poller, busy) in self.polling().pollers.iter_mut().zip(busy) {
            if !busy {
                poller.since = now;
                poller.first = now;
            }
        }
        Some(paused)
    }

    /// True while consumers a pause's end let go have yet to take.
    pub(crate) fn polls_pending(&mut self) -> bool {
        !self.group().pending.is_empty()
    }
}
