//! The dispatch axis: how waiting messages reach the consumers.

use super::Station;
use super::effect::{Entry, Take};
use crate::model::Dispatch;
use crate::sim::message::Message;

impl Station<'_> {
    /// An accepted message of `class` in `slot` reaches the consumers at
    /// `now`.
    #[inline(always)]
    pub(super) fn join(
        &mut self,
        now: f64,
        slot: u32,
        class: usize,
        messages: &[Message],
    ) -> Entry {
        match self.spec.dispatch {
            Dispatch::SharedLine => self.join_line(now, slot, class),
            Dispatch::Window(_) => self.join_window(now, slot, class),
            Dispatch::Partitioned(_) => {
                self.join_partition(now, slot, class, &messages[slot as usize])
            }
        }
    }

    /// The service of `message`, in `slot`, ended at `now`: the consumer
    /// that served it is free.
    #[inline(always)]
    pub(super) fn release(&mut self, now: f64, slot: u32, message: &Message) {
        match self.spec.dispatch {
            Dispatch::SharedLine | Dispatch::Window(_) => {}
            Dispatch::Partitioned(_) => self.leave_partition(now, slot, message.partition),
        }
    }

    /// The delivery of `slot`, of `class`, failed at `now` and is requeued
    /// at the head. `None` when the consumer that failed it serves it again
    /// at once: on a shared line (the head is its next message) and on a
    /// partition (retry in place: the partition waits behind it, in
    /// order). With prefetch windows it goes back to the queue's head:
    /// whether a consumer serves it again at once, and the failing
    /// consumer's round trip (its consumer and end), unless immediate.
    pub(crate) fn requeue_head(
        &mut self,
        now: f64,
        slot: u32,
        class: usize,
    ) -> Option<(bool, Option<(u32, f64)>)> {
        match self.spec.dispatch {
            Dispatch::SharedLine | Dispatch::Partitioned(_) => None,
            Dispatch::Window(_) => Some(self.requeue_to_window(now, slot, class)),
        }
    }

    /// One line shared by every consumer: a free consumer serves the
    /// message now, otherwise it waits in line (and may expire).
    #[inline(always)]
    fn join_line(&mut self, now: f64, slot: u32, class: usize) -> Entry {
        if self.busy >= self.consumers {
            self.line.push(slot, class);
            Entry::Waits {
                expires: self.exit.expiry(now, self.spec),
            }
        } else {
            self.start(slot, class);
            Entry::Starts
        }
    }

    /// A free consumer, if any, takes a waiting message. The engine frees
    /// the slot of an expired message handed back and asks again.
    #[inline(always)]
    pub(crate) fn take_waiting(&mut self, messages: &[Message]) -> Take {
        match &self.spec.dispatch {
            Dispatch::SharedLine => self.take_from_line(messages),
            Dispatch::Window(_) => self.take_from_window(messages),
            Dispatch::Partitioned(_) => self.take_from_partitions(messages),
        }
    }

    /// A free consumer takes the next message in the shared line's order.
    #[inline(always)]
    fn take_from_line(&mut self, messages: &[Message]) -> Take {
        // (A consumer a schedule has just sent home takes no more work.)
        if self.busy >= self.consumers {
            return Take::Idle;
        }
        let Some(slot) = self.line.pop() else {
            return Take::Idle;
        };
        let message = &messages[slot as usize];
        if message.expired {
            return Take::Expired(slot);
        }
        self.start(slot, message.class as usize);
        Take::Start(slot)
    }
}
