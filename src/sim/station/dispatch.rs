//! The dispatch axis: how waiting messages reach the consumers.

use super::effect::{Entry, Take};
use super::{Requeued, Station};
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
            Dispatch::SharedLine => self.join_line::<false>(now, slot, class),
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
    /// where it went, and the failing consumer's round trip (its consumer
    /// and end), unless immediate.
    pub(crate) fn requeue_head(
        &mut self,
        now: f64,
        slot: u32,
        class: usize,
    ) -> Option<(Requeued, Option<(u32, f64)>)> {
        match self.spec.dispatch {
            Dispatch::SharedLine | Dispatch::Partitioned(_) => None,
            Dispatch::Window(_) => Some(self.requeue_to_window(now, slot, class)),
        }
    }

    /// One line shared by every consumer: a free consumer serves the
    /// message now, otherwise it waits in line (and may expire, except on
    /// the engine's lean path, `LEAN`).
    #[inline(always)]
    pub(super) fn join_line<const LEAN: bool>(
        &mut self,
        now: f64,
        slot: u32,
        class: usize,
    ) -> Entry {
        if self.busy >= self.consumers {
            self.line.push(slot, class);
            Entry::Waits {
                expires: if LEAN {
                    None
                } else {
                    self.exit.expiry(now, self.spec)
                },
            }
        } else {
            self.start_path::<LEAN>(slot, class);
            Entry::Starts
        }
    }

    /// A free consumer, if any, takes a waiting message. The engine frees
    /// the slot of an expired message handed back and asks again. The
    /// general path; the engine calls [`Station::take_waiting_path`] for
    /// the path it runs.
    #[cfg(test)]
    pub(crate) fn take_waiting(&mut self, messages: &[Message]) -> Take {
        self.take_waiting_path::<false>(0.0, messages)
    }

    /// [`Station::take_waiting`] at `now` on the engine's lean path
    /// (`LEAN`: one shared line, nothing expires) or the general one.
    #[inline(always)]
    pub(crate) fn take_waiting_path<const LEAN: bool>(
        &mut self,
        now: f64,
        messages: &[Message],
    ) -> Take {
        if LEAN {
            return self.take_from_line::<LEAN>(messages);
        }
        match &self.spec.dispatch {
            Dispatch::SharedLine => self.take_from_line::<false>(messages),
            Dispatch::Window(_) => self.take_from_window(now, messages),
            Dispatch::Partitioned(_) => self.take_from_partitions(messages),
        }
    }

    /// A free consumer takes the next duplicate delivery waiting (a queue
    /// with a lease), else the next message in the shared line's order.
    #[inline(always)]
    fn take_from_line<const LEAN: bool>(&mut self, messages: &[Message]) -> Take {
        // (A consumer a schedule has just sent home takes no more work.)
        if self.busy >= self.consumers {
            return Take::Idle;
        }
        if self.redeliveries.is_some()
            && let Some(take) = self.take_redelivery(messages)
        {
            return take;
        }
        let Some(slot) = self.line.pop() else {
            return Take::Idle;
        };
        let message = &messages[slot as usize];
        if !LEAN && message.expired {
            return Take::Expired(slot);
        }
        self.start_path::<LEAN>(slot, message.class as usize);
        Take::Start(slot)
    }
}
