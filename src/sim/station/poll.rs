//! Batch polling (the consumption axis), Kafka's poll loop, for a
//! partitioned queue: a consumer done with its batch polls its partitions
//! (its line, in arrival order). With at least the fetch minimum there it
//! takes up to `max_records` of them at once; with fewer it waits for more
//! until the fetch's deadline, then takes what is there; with none it
//! waits for the first. The batch's first message is served after the
//! poll's overhead (drawn from the queue's own stream, one per poll), the
//! others one after another, and then the consumer polls again.
//!
//! A fetch that times out empty is sent again at once, so a fetch begun
//! at `since` that receives its first message at `t` gives up at the end
//! of the fetch then running: `since + k·fetch_wait` for the first k past
//! `t`. That deadline is computed when the first message comes, so an idle
//! consumer schedules nothing. The batch is the first messages of the
//! consumer's line when the poll returns: only a counter is kept.
//!
//! With poll timeouts each batch's poll arms a timer; what a timeout does
//! (a rebalance), and what a group change does, is in `rebalance.rs`.

use super::Station;
use super::effect::{Entry, Fetch, PollTimer, Take};
use super::rebalance::Group;
use crate::dist::Dist;
use crate::model::{Partitioning, Poll};
use crate::sim::message::Message;
use crate::sim::streams::Stream;

/// No message.
pub(super) const NONE: u32 = u32::MAX;

/// One consumer's place in its poll loop.
#[derive(Clone, Copy, Debug)]
pub(super) struct Poller {
    /// Messages of its batch not yet started.
    pub(super) left: u32,
    /// When its current fetch began (it finished its last batch).
    pub(super) since: f64,
    /// When its current fetch first held a message.
    pub(super) first: f64,
    /// The number of its last fetch deadline (or batch), so an older
    /// deadline is ignored.
    pub(super) generation: u32,
    /// Its fetch's deadline has passed: it takes what is there.
    pub(super) due: bool,
    /// The number of its batch (moved on when the batch ends), so an
    /// older poll timeout is ignored.
    pub(super) batch: u32,
    /// The message it serves ([`NONE`]: none).
    pub(super) serving: u32,
}

/// The poll loops of one partitioned queue's consumers.
#[derive(Debug)]
pub(crate) struct Polling {
    max_records: u32,
    /// Messages a fetch waits for (1 when it never waits).
    fetch_min: u32,
    fetch_wait: f64,
    overhead: Option<Dist>,
    /// Stream of the poll overheads, one per poll (and of the rebalance
    /// pauses, one per rebalance).
    pub(super) overheads: Stream,
    pub(super) pollers: Box<[Poller]>,
    /// The group's membership and pauses, when it rebalances.
    pub(super) group: Option<Group>,
}

/// What a message joining an idle consumer's partitions does to its
/// fetch.
enum Joined {
    /// Nothing yet: the fetch waits on.
    Waits,
    /// It is the fetch's minimum alone: the poll takes it now.
    Alone,
    /// The fetch has its minimum: the consumer takes a batch now.
    Ready,
    /// It is the fetch's first message: the fetch gives up at `at`.
    Until { at: f64, generation: u32 },
}

impl Polling {
    /// The poll loops of `consumers` per `poll` (the most the group ever
    /// has, `initial` of them at first) reading partitions laid out by
    /// `partitioning`, idle from time 0, drawing overheads from
    /// `overheads`.
    pub(crate) fn new(
        poll: &Poll,
        partitioning: Partitioning,
        (initial, consumers): (u32, u32),
        overheads: Stream,
    ) -> Self {
        let idle = Poller {
            left: 0,
            since: 0.0,
            first: 0.0,
            generation: 0,
            due: false,
            batch: 0,
            serving: NONE,
        };
        Polling {
            max_records: poll.max_records,
            fetch_min: poll.effective_fetch_min(),
            fetch_wait: poll.fetch_wait,
            overhead: poll.overhead.clone(),
            overheads,
            pollers: vec![idle; consumers as usize].into_boxed_slice(),
            group: poll
                .rebalances()
                .then(|| Group::new(poll, partitioning, initial, consumers)),
        }
    }

    /// The overhead of a new poll.
    fn draw_overhead(&mut self) -> f64 {
        match &self.overhead {
            Some(overhead) => self.overheads.draw(overhead),
            None => 0.0,
        }
    }

    /// A message joins the partitions of idle `consumer`, which now hold
    /// `count`, at `now`.
    fn join(&mut self, consumer: u32, count: usize, now: f64) -> Joined {
        let fetch_min = self.fetch_min as usize;
        let poller = &mut self.pollers[consumer as usize];
        if count == 1 {
            poller.first = now;
        }
        if count >= fetch_min {
            return if count == 1 {
                Joined::Alone
            } else {
                Joined::Ready
            };
        }
        if count > 1 {
            return Joined::Waits;
        }
        // The fetch running now: the one begun at since + k·fetch_wait.
        let fetches = ((now - poller.since) / self.fetch_wait).floor() + 1.0;
        poller.generation = poller.generation.wrapping_add(1);
        Joined::Until {
            at: poller.since + fetches * self.fetch_wait,
            generation: poller.generation,
        }
    }

    /// `consumer` begins a batch of `size` with `slot` now: returns the
    /// poll's overhead and, when batches time out, its timer.
    fn begin_batch(&mut self, consumer: u32, size: u32, slot: u32) -> (f64, Option<PollTimer>) {
        let poller = &mut self.pollers[consumer as usize];
        poller.left = size - 1;
        poller.due = false;
        poller.serving = slot;
        // Any deadline pending belongs to the fetch that just returned.
        poller.generation = poller.generation.wrapping_add(1);
        poller.batch = poller.batch.wrapping_add(1);
        let timer = self.group.as_ref().and_then(|group| {
            Some(PollTimer {
                consumer,
                batch: poller.batch,
                after: group.interval?,
            })
        });
        (self.draw_overhead(), timer)
    }

    /// True while a rebalance pauses the group.
    fn paused(&self) -> bool {
        self.group.as_ref().is_some_and(|group| group.paused)
    }
}

impl Station<'_> {
    /// The poll loop of a queue read by polling.
    pub(super) fn polling(&mut self) -> &mut Polling {
        self.partitions()
            .polling
            .as_mut()
            .expect("a queue read by polling")
    }

    /// A message of `class` in `slot` joins `consumer`'s partitions at
    /// `now` (held aside while its `partition` moves): it waits for the consumer's poll, which may take it (alone)
    /// or a batch now, or wait for more until a deadline.
    pub(super) fn join_polled(
        &mut self,
        now: f64,
        slot: u32,
        (class, partition): (usize, u32),
        consumer: u32,
    ) -> Entry {
        if let Some(group) = &mut self.polling().group
            && group.holds(partition)
        {
            group.hold(slot);
            return Entry::Waits { expires: None };
        }
        let partitions = self.partitions();
        let line = &mut partitions.lines[consumer as usize];
        line.push_back(slot);
        let count = line.len();
        if partitions.free[consumer as usize] == 0 || self.polling().paused() {
            return Entry::Waits { expires: None };
        }
        match self.polling().join(consumer, count, now) {
            Joined::Waits => Entry::Waits { expires: None },
            Joined::Alone => {
                let partitions = self.partitions();
                partitions.lines[consumer as usize].pop_back();
                partitions.free[consumer as usize] = 0;
                let (overhead, timer) = self.polling().begin_batch(consumer, 1, slot);
                self.start(slot, class);
                Entry::Polled { overhead, timer }
            }
            Joined::Ready => {
                self.partitions().freed = Some(consumer);
                Entry::Fetches(Fetch::Ready)
            }
            Joined::Until { at, generation } => Entry::Fetches(Fetch::Until {
                consumer,
                at,
                generation,
            }),
        }
    }

    /// The consumer serving `slot` (of `partition`, which `owner` owns)
    /// finished it at `now`: done with its batch, its next fetch begins
    /// now. Returns the consumer.
    pub(super) fn leave_polled(&mut self, now: f64, slot: u32, owner: u32) -> u32 {
        let polling = self.polling();
        // Its owner, unless a rebalance moved the partition meanwhile.
        let consumer = if polling.pollers[owner as usize].serving == slot {
            owner
        } else {
            polling
                .pollers
                .iter()
                .position(|poller| poller.serving == slot)
                .expect("a consumer serves the message that leaves") as u32
        };
        let poller = &mut polling.pollers[consumer as usize];
        poller.serving = NONE;
        if poller.left == 0 {
            poller.since = now;
            poller.first = now;
            poller.batch = poller.batch.wrapping_add(1);
        }
        consumer
    }

    /// The consumer freed last, or one a rebalance's end lets go, takes
    /// from its partitions.
    pub(super) fn take_polled_next(&mut self, messages: &[Message]) -> Take {
        let freed = self.partitions().freed.take();
        let next = freed.or_else(|| self.polling().group.as_mut()?.pending.pop());
        match next {
            Some(consumer) => self.take_polled(consumer, messages),
            None => Take::Idle,
        }
    }

    /// Free `consumer` takes its batch's next message, or polls: a batch
    /// when its fetch has its minimum or is due, a fetch that waits for
    /// more, or nothing (nothing at all while the group is paused).
    fn take_polled(&mut self, consumer: u32, messages: &[Message]) -> Take {
        if self.polling().paused() {
            return Take::Idle;
        }
        let max_records = self.polling().max_records;
        let fetch_min = self.polling().fetch_min as usize;
        let poller = self.polling().pollers[consumer as usize];
        let count = self.partitions().lines[consumer as usize].len();
        if poller.left > 0 {
            let partitions = self.partitions();
            let slot = partitions.lines[consumer as usize]
                .pop_front()
                .expect("a batch's messages wait in its consumer's line");
            partitions.free[consumer as usize] = 0;
            let poller = &mut self.polling().pollers[consumer as usize];
            poller.left -= 1;
            poller.serving = slot;
            self.start(slot, messages[slot as usize].class as usize);
            return Take::Start(slot);
        }
        if count == 0 {
            return Take::Idle;
        }
        if count < fetch_min && !poller.due {
            // Back from a batch with fewer than the minimum: wait for more.
            let polling = self.polling();
            let poller = &mut polling.pollers[consumer as usize];
            poller.generation = poller.generation.wrapping_add(1);
            return Take::Fetches(Fetch::Until {
                consumer,
                at: poller.since + polling.fetch_wait,
                generation: poller.generation,
            });
        }
        let size = max_records.min(count as u32);
        let partitions = self.partitions();
        let slot = partitions.lines[consumer as usize]
            .pop_front()
            .expect("a poll takes a waiting message");
        partitions.free[consumer as usize] = 0;
        let (overhead, timer) = self.polling().begin_batch(consumer, size, slot);
        self.start(slot, messages[slot as usize].class as usize);
        Take::Polled {
            slot,
            overhead,
            size,
            since: poller.first,
            timer,
        }
    }

    /// The fetch deadline numbered `generation` of `consumer` passes:
    /// true when that fetch still waits, with messages, and now takes them.
    pub(crate) fn fetch_due(&mut self, consumer: u32, generation: u32) -> bool {
        let partitions = self.partitions();
        let waiting = partitions.free[consumer as usize] == 1
            && !partitions.lines[consumer as usize].is_empty();
        let poller = &mut self.polling().pollers[consumer as usize];
        if !waiting || poller.generation != generation {
            return false;
        }
        poller.due = true;
        self.partitions().freed = Some(consumer);
        true
    }
}
