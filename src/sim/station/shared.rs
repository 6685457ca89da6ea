//! Processor sharing: the messages at a queue share its consumers equally,
//! each served at rate min(1, c/n). Kept in virtual time: every present
//! message gains service at the same rate, so a message finishes when the
//! virtual clock reaches its tag (virtual time at arrival + its work), and
//! only the smallest tag needs an event.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::effect::{Arrival, Completion, Entry};
use super::{Serving, Station};

/// The sharing state of one queue.
#[derive(Debug)]
pub(crate) struct Sharing {
    consumers: f64,
    virtual_time: f64,
    last_update: f64,
    /// (finish tag bits, message slot), smallest first; tags are finite and
    /// non-negative, so their bit patterns order like the values.
    finish_tags: BinaryHeap<Reverse<(u64, u32)>>,
    /// The message whose departure is scheduled.
    scheduled: Option<u32>,
}

impl Sharing {
    /// An idle queue with `consumers` servers.
    pub(crate) fn new(consumers: u32) -> Self {
        Sharing {
            consumers: f64::from(consumers),
            virtual_time: 0.0,
            last_update: 0.0,
            finish_tags: BinaryHeap::new(),
            scheduled: None,
        }
    }

    /// Service rate of each of `present` messages.
    fn rate(&self, present: u32) -> f64 {
        if present == 0 {
            0.0
        } else {
            (self.consumers / f64::from(present)).min(1.0)
        }
    }

    /// Moves the virtual clock to `now`; `present` messages shared since the
    /// last update.
    pub(crate) fn advance(&mut self, now: f64, present: u32) {
        self.virtual_time += (now - self.last_update) * self.rate(present);
        self.last_update = now;
    }

    /// Adds a message needing `work` (after [`Sharing::advance`]).
    pub(crate) fn add(&mut self, slot: u32, work: f64) {
        let tag = self.virtual_time + work;
        self.finish_tags.push(Reverse((tag.to_bits(), slot)));
    }

    /// Removes the message that finishes first; none is scheduled now.
    pub(crate) fn remove_first(&mut self) -> Option<u32> {
        self.scheduled = None;
        self.finish_tags.pop().map(|Reverse((_, slot))| slot)
    }

    /// When and which message finishes next, with `present` messages sharing.
    pub(crate) fn next_completion(&self, now: f64, present: u32) -> Option<(f64, u32)> {
        let Reverse((bits, slot)) = *self.finish_tags.peek()?;
        let remaining = (f64::from_bits(bits) - self.virtual_time).max(0.0);
        Some((now + remaining / self.rate(present), slot))
    }

    /// The next completion, with `present` messages sharing from `now`, in
    /// place of the one scheduled before.
    fn reschedule(&mut self, now: f64, present: u32) -> Completion {
        let withdrawn = self.scheduled.take();
        let next = self.next_completion(now, present);
        self.scheduled = next.map(|(_, slot)| slot);
        Completion { withdrawn, next }
    }
}

impl Station<'_> {
    /// A message in `slot` needing `work` joins at `now` (already counted
    /// in `in_system`): everyone present slows down, the next completion
    /// moves. Beyond the consumers it shares rather than being served in
    /// full, so it counts as waiting. Kept off the path of the other
    /// disciplines.
    #[inline(never)]
    pub(super) fn share(&mut self, now: f64, slot: u32, work: f64) -> Arrival {
        let Serving::Shared(sharing) = &mut self.serving else {
            unreachable!("a processor-sharing queue");
        };
        sharing.advance(now, self.in_system - 1);
        sharing.add(slot, work);
        Arrival::Accepted {
            service: work,
            preempted: None,
            entry: Entry::Shares {
                waits: self.in_system > self.spec.consumers,
                next: sharing.reschedule(now, self.in_system),
            },
            drops_oldest: false,
        }
    }

    /// The first message to finish leaves at `now`: returns whether a share
    /// beyond the consumers became a full one, and the next completion.
    #[inline(never)]
    pub(super) fn share_departure(&mut self, now: f64) -> (bool, Completion) {
        let Serving::Shared(sharing) = &mut self.serving else {
            unreachable!("a processor-sharing queue");
        };
        sharing.advance(now, self.in_system);
        sharing.remove_first();
        // One share fewer beyond the consumers: one "waiting" fewer.
        let promoted = self.in_system > self.spec.consumers;
        self.in_system -= 1;
        (promoted, sharing.reschedule(now, self.in_system))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_messages_share_one_consumer() {
        let mut sharing = Sharing::new(1);
        sharing.advance(0.0, 0);
        sharing.add(0, 2.0);
        // Alone until t = 1: one unit done, one left.
        sharing.advance(1.0, 1);
        sharing.add(1, 0.5);
        // Two share: the short one needs 0.5 at rate 1/2, so it ends at t = 2.
        assert_eq!(sharing.next_completion(1.0, 2), Some((2.0, 1)));
        sharing.advance(2.0, 2);
        assert_eq!(sharing.remove_first(), Some(1));
        // The long one has 0.5 left, alone again: ends at t = 2.5.
        assert_eq!(sharing.next_completion(2.0, 1), Some((2.5, 0)));
    }
}
