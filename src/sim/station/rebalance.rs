//! Rebalances of a polling consumer group (Kafka): poll timeouts
//! (`max.poll.interval.ms`) and group changes at given times, under the
//! eager or the cooperative protocol.
//!
//! A consumer still in its batch `interval` after its poll leaves the
//! group; the rebalance pauses every consumer (none starts a message; those
//! serving finish theirs), takes every batch's unstarted messages back to
//! their partitions and assigns the partitions over the members left, by
//! the queue's assignor over the members in index order. The slow consumer
//! finishes the message it serves, but its commit fails: the message goes
//! back to the head of its partition, to be served again by the new owner
//! (a replay, for a fresh service time drawn from the poll stream: a
//! message that always outlasted the interval would replay forever), and
//! the consumer rejoins — another rebalance. A rebalance during a pause
//! extends it. With nobody left in the group the partitions wait for the
//! rejoin.
//!
//! A group change (see [`crate::model::GroupChanges`]) is a rebalance too,
//! whose pause also lasts until every message in service when it began is
//! done (members finish it before they rejoin), so each partition stays in
//! order. Under the cooperative protocol only the partitions that move
//! pause: their waiting messages (and those arriving meanwhile) are held
//! aside, the other partitions keep being served, and when the pause ends
//! the held messages join their new owners' lines, behind any batch under
//! way, in arrival order. Unstarted messages of a moved partition in a
//! batch go back to it (redelivered); the rest of the batch goes on.
//!
//! Rebuilding the lines allocates, once per rebalance (a rare event), never
//! per message.

use super::Station;
use super::effect::{Rebalance, Resumed};
use super::poll::NONE;
use crate::dist::Dist;
use crate::model::{Assignor, Partitioning, Poll, RebalanceProtocol, sticky_owners};
use crate::sim::message::Message;

/// A polling group's membership and pauses.
#[derive(Debug)]
pub(super) struct Group {
    /// Longest a batch may run after its poll, when batches time out.
    pub(super) interval: Option<f64>,
    rebalance: Dist,
    partitioning: Partitioning,
    protocol: RebalanceProtocol,
    /// The group's size by its changes: consumers `0..present` are in it
    /// (unless a poll timeout put them out).
    present: u32,
    /// Per consumer, whether it is in the group.
    members: Box<[bool]>,
    /// The message each consumer that left is still serving ([`NONE`]:
    /// none), replayed when it finishes.
    revoked: Box<[u32]>,
    /// An eager rebalance pauses the group.
    pub(super) paused: bool,
    /// A rebalance (eager or cooperative) is under way.
    rebalancing: bool,
    /// When the pause began, and when it ends.
    pause: (f64, f64),
    /// The number of the pause's last extension.
    generation: u32,
    /// Consumers to take from their partitions once a pause ends.
    pub(super) pending: Vec<u32>,
    /// Cooperative: per partition, when it began to move (paused), NaN
    /// when it is not moving.
    moving: Box<[f64]>,
    /// Cooperative: the waiting messages of the moving partitions.
    held: Vec<u32>,
}

impl Group {
    /// A group of `capacity` consumers (the most it ever has), the first
    /// `initial` members, rebalancing as `poll` says.
    pub(super) fn new(
        poll: &Poll,
        partitioning: Partitioning,
        initial: u32,
        capacity: u32,
    ) -> Self {
        let n = capacity as usize;
        let rebalance = match (&poll.timeout, &poll.changes) {
            (Some(timeout), _) => timeout.rebalance.clone(),
            (None, Some(changes)) => changes.rebalance.clone(),
            (None, None) => unreachable!("a group that rebalances"),
        };
        Group {
            interval: poll.timeout.as_ref().map(|timeout| timeout.interval),
            rebalance,
            partitioning,
            protocol: poll.protocol,
            present: initial,
            members: (0..capacity).map(|c| c < initial).collect(),
            revoked: vec![NONE; n].into_boxed_slice(),
            paused: false,
            rebalancing: false,
            pause: (0.0, 0.0),
            generation: 0,
            pending: Vec::with_capacity(n),
            moving: vec![f64::NAN; partitioning.partitions as usize].into_boxed_slice(),
            held: Vec::new(),
        }
    }

    /// The owner of each partition: the assignor over the members in
    /// index order (the sticky one from the `current` owners); `None`
    /// when nobody is left.
    fn owners(&self, current: &[u32]) -> Option<Vec<u32>> {
        let members: Vec<u32> = (0..self.members.len() as u32)
            .filter(|&c| self.members[c as usize])
            .collect();
        if members.is_empty() {
            return None;
        }
        if self.partitioning.assignor == Assignor::Sticky {
            let owned: Vec<Option<u32>> = current
                .iter()
                .map(|&owner| self.members[owner as usize].then_some(owner))
                .collect();
            return Some(sticky_owners(&owned, &members));
        }
        let owners = self.partitioning.owners(members.len() as u32);
        Some(owners.into_iter().map(|m| members[m as usize]).collect())
    }

    /// True when `partition` is moving (cooperative): its messages are
    /// held until the pause ends.
    #[inline(always)]
    pub(super) fn holds(&self, partition: u32) -> bool {
        !self.moving[partition as usize].is_nan()
    }

    /// Holds `slot`, of a moving partition, until the pause ends.
    pub(super) fn hold(&mut self, slot: u32) {
        self.held.push(slot);
    }
}

/// When the message in `slot`, in service, is done.
fn done_at(messages: &[Message], slot: u32) -> f64 {
    let message = &messages[slot as usize];
    message.in_service_since + message.remaining
}

impl Station<'_> {
    fn group(&mut self) -> &mut Group {
        self.polling()
            .group
            .as_mut()
            .expect("a group that rebalances")
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
        Some(self.rebalance(now, false, messages))
    }

    /// The group changes to `consumers` at `now` (see
    /// [`crate::model::GroupChanges`]): a rebalance begins.
    pub(crate) fn change_group(
        &mut self,
        now: f64,
        consumers: u32,
        messages: &[Message],
    ) -> Rebalance {
        let group = self.group();
        group.present = consumers;
        for (c, member) in group.members.iter_mut().enumerate() {
            *member = (c as u32) < consumers && group.revoked[c] == NONE;
        }
        self.rebalance(now, true, messages)
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
    /// served it rejoins the group (unless a change left it out), a
    /// rebalance.
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
        group.members[consumer] = (consumer as u32) < group.present;
        let polling = self.polling();
        polling.pollers[consumer].serving = NONE;
        polling.pollers[consumer].left = 0;
        let partitions = self.partitions();
        partitions.free[consumer] = 1;
        // Back in its partition, the oldest there: it is redistributed
        // with the others below.
        partitions.lines[consumer].push_front(slot);
        let mut rebalance = self.rebalance(now, false, messages);
        rebalance.redelivered += 1;
        (redo, rebalance)
    }

    /// A rebalance begins at `now`, under the group's protocol; with
    /// `settle` (a group change) its pause lasts at least until the
    /// messages in service on the partitions it pauses are done.
    fn rebalance(&mut self, now: f64, settle: bool, messages: &[Message]) -> Rebalance {
        if self.group().protocol == RebalanceProtocol::Cooperative {
            let current = self.partitions().owners.clone();
            if let Some(owners) = self.group().owners(&current) {
                return self.rebalance_cooperative(now, settle, owners, messages);
            }
        }
        self.rebalance_eager(now, settle, messages)
    }

    /// An eager rebalance begins at `now`: the group pauses (or its pause
    /// is extended), every batch's unstarted messages go back to their
    /// partitions, and the partitions are assigned over the members.
    fn rebalance_eager(&mut self, now: f64, settle: bool, messages: &[Message]) -> Rebalance {
        let polling = self.polling();
        let pause = match &polling.group {
            Some(group) => polling.overheads.draw(&group.rebalance),
            None => unreachable!("a group that rebalances"),
        };
        let Some(group) = &polling.group else {
            unreachable!("a group that rebalances")
        };
        let mut redelivered = 0;
        let mut settled = now;
        for poller in polling.pollers.iter_mut() {
            redelivered += poller.left;
            poller.left = 0;
            poller.due = false;
            poller.since = now;
            poller.first = now;
            // Timers and fetch deadlines of the batches before lapse.
            poller.batch = poller.batch.wrapping_add(1);
            poller.generation = poller.generation.wrapping_add(1);
            // (A message a poll timeout revoked is not waited for.)
            if settle && poller.serving != NONE && !group.revoked.contains(&poller.serving) {
                settled = settled.max(done_at(messages, poller.serving));
            }
        }
        let group = self.group();
        if !group.paused {
            group.paused = true;
            group.rebalancing = true;
            group.pause = (now, now);
        }
        group.pause.1 = group.pause.1.max(now + pause).max(settled);
        group.generation = group.generation.wrapping_add(1);
        let (until, generation) = (group.pause.1, group.generation);
        let current = self.partitions().owners.clone();
        if let Some(owners) = self.group().owners(&current) {
            self.reassign(owners, messages);
        }
        Rebalance {
            until,
            pause: generation,
            redelivered,
        }
    }

    /// A cooperative rebalance begins at `now`, giving the partitions
    /// `owners`: the partitions that move pause (their waiting messages
    /// held aside, the unstarted ones in a batch redelivered), until the
    /// rebalance time has passed and, with `settle`, the messages in
    /// service on them are done; the others keep being served.
    fn rebalance_cooperative(
        &mut self,
        now: f64,
        settle: bool,
        owners: Vec<u32>,
        messages: &[Message],
    ) -> Rebalance {
        let polling = self.polling();
        let pause = match &polling.group {
            Some(group) => polling.overheads.draw(&group.rebalance),
            None => unreachable!("a group that rebalances"),
        };
        let partitions = self.partitions();
        let moved: Vec<bool> = owners
            .iter()
            .zip(&partitions.owners)
            .map(|(new, old)| new != old)
            .collect();
        partitions.owners = owners;
        let Some(polling) = &mut partitions.polling else {
            unreachable!("a polling group")
        };
        let Some(group) = &mut polling.group else {
            unreachable!("a group that rebalances")
        };
        let mut redelivered = 0;
        let mut settled = now;
        let mut misplaced = Vec::new();
        for (consumer, line) in partitions.lines.iter_mut().enumerate() {
            let poller = &mut polling.pollers[consumer];
            let (mut index, mut unstarted) = (0, 0);
            let batch = poller.left;
            line.retain(|&slot| {
                let partition = messages[slot as usize].partition as usize;
                let in_batch = index < batch;
                index += 1;
                if moved[partition] {
                    group.held.push(slot);
                    unstarted += u32::from(in_batch);
                    return false;
                }
                if partitions.owners[partition] as usize != consumer && !in_batch {
                    // A replayed message back in its old consumer's line.
                    misplaced.push(slot);
                    return false;
                }
                true
            });
            poller.left -= unstarted;
            redelivered += unstarted;
            let serving = poller.serving;
            if settle
                && serving != NONE
                && moved[messages[serving as usize].partition as usize]
                && !group.revoked.contains(&serving)
            {
                settled = settled.max(done_at(messages, serving));
            }
        }
        for (partition, since) in group.moving.iter_mut().enumerate() {
            if moved[partition] && since.is_nan() {
                *since = now;
            }
        }
        if !group.rebalancing {
            group.rebalancing = true;
            group.pause = (now, now);
        }
        group.pause.1 = group.pause.1.max(now + pause).max(settled);
        group.generation = group.generation.wrapping_add(1);
        let (until, generation) = (group.pause.1, group.generation);
        self.deliver(misplaced, messages);
        Rebalance {
            until,
            pause: generation,
            redelivered,
        }
    }

    /// `slots` join their partitions' owners' lines, behind any batch
    /// under way, in arrival order; returns the consumers that got some.
    fn deliver(&mut self, slots: Vec<u32>, messages: &[Message]) -> Vec<u32> {
        let partitions = self.partitions();
        let Some(polling) = &partitions.polling else {
            unreachable!("a polling group")
        };
        let mut given = vec![Vec::new(); partitions.lines.len()];
        for slot in slots {
            let partition = messages[slot as usize].partition as usize;
            given[partitions.owners[partition] as usize].push(slot);
        }
        let mut receivers = Vec::new();
        for (consumer, slots) in given.into_iter().enumerate() {
            if slots.is_empty() {
                continue;
            }
            let line = &mut partitions.lines[consumer];
            let batch = polling.pollers[consumer].left as usize;
            let mut rest: Vec<u32> = line.drain(batch..).chain(slots).collect();
            rest.sort_by_key(|&slot| messages[slot as usize].index);
            line.extend(rest);
            receivers.push(consumer as u32);
        }
        receivers
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
    /// rebalance extended it, the group resumes (the moved partitions'
    /// held messages joining their new owners' lines), each idle member
    /// taking from its partitions (the engine asks while
    /// [`Station::polls_pending`]).
    pub(crate) fn resume(
        &mut self,
        now: f64,
        generation: u32,
        messages: &[Message],
    ) -> Option<Resumed> {
        let group = self.group();
        if !group.rebalancing || group.generation != generation {
            return None;
        }
        group.rebalancing = false;
        let paused = now - group.pause.0;
        let cooperative = !group.paused;
        let released = self.release_held(now, paused, messages);
        if cooperative {
            return Some(released);
        }
        let busy: Vec<bool> = self.partitions().free.iter().map(|&f| f == 0).collect();
        let group = self.group();
        group.paused = false;
        group.pending.clear();
        let idle = (0..group.members.len())
            .rev()
            .filter(|&c| group.members[c] && !busy[c]);
        group.pending.extend(idle.map(|c| c as u32));
        // The idle consumers' fetches begin now.
        for (poller, busy) in self.polling().pollers.iter_mut().zip(busy) {
            if !busy {
                poller.since = now;
                poller.first = now;
            }
        }
        let partitions = f64::from(self.partitions().owners.len() as u32);
        Some(Resumed {
            paused,
            partition_time: paused * partitions,
        })
    }

    /// A pause that lasted `paused` ends at `now`: the moving partitions'
    /// held messages (cooperative) join their new owners' lines, and the
    /// idle ones that got some take.
    fn release_held(&mut self, now: f64, paused: f64, messages: &[Message]) -> Resumed {
        let group = self.group();
        let mut partition_time = 0.0;
        for since in group.moving.iter_mut() {
            if !since.is_nan() {
                partition_time += now - *since;
                *since = f64::NAN;
            }
        }
        let held = std::mem::take(&mut group.held);
        let receivers = self.deliver(held, messages);
        let busy: Vec<bool> = self.partitions().free.iter().map(|&f| f == 0).collect();
        let polling = self.polling();
        let Some(group) = &mut polling.group else {
            unreachable!("a group that rebalances")
        };
        group.pending.clear();
        for &consumer in receivers.iter().rev() {
            if !busy[consumer as usize] && group.members[consumer as usize] {
                group.pending.push(consumer);
                let poller = &mut polling.pollers[consumer as usize];
                poller.since = now;
                poller.first = now;
            }
        }
        Resumed {
            paused,
            partition_time,
        }
    }

    /// True while consumers a pause's end let go have yet to take.
    pub(crate) fn polls_pending(&mut self) -> bool {
        !self.group().pending.is_empty()
    }
}
