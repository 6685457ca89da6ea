//! A lease on each delivery (the exit axis; see `model/lease.rs`): when a
//! lease runs out while the message is unacknowledged, a duplicate
//! delivery joins the queue's redelivery line, which free consumers take
//! from before the shared line, in the order the leases ran out. A
//! duplicate whose message was acknowledged before a consumer took it is
//! withdrawn (the broker acknowledges by message, and drops it from its
//! redelivery queue). Duplicates count among the station's messages
//! present and its busy consumers (they hold a consumer), never in the
//! collector's counts, which are the messages'.

use std::collections::VecDeque;

use super::Station;
use super::effect::Take;
use crate::sim::message::Message;

impl Station<'_> {
    /// A duplicate delivery in `slot`, of `class`, joins at `now`: true
    /// when a free consumer serves it at once, otherwise it waits in the
    /// redelivery line.
    pub(crate) fn redeliver_duplicate(&mut self, slot: u32, class: usize) -> bool {
        self.in_system += 1;
        if self.busy < self.consumers {
            self.start(slot, class);
            return true;
        }
        self.redeliveries
            .get_or_insert_with(Box::default)
            .push_back(slot);
        false
    }

    /// A free consumer takes the next duplicate of the redelivery line
    /// (withdrawn ones are handed back for the engine to free); `None`
    /// when the line is empty.
    #[inline]
    pub(super) fn take_redelivery(&mut self, messages: &[Message]) -> Option<Take> {
        let slot = self.redeliveries.as_deref_mut()?.pop_front()?;
        let message = &messages[slot as usize];
        if message
            .duplicate_of
            .is_some_and(|original| !original.is_pending(messages))
        {
            self.in_system -= 1;
            return Some(Take::Expired(slot));
        }
        self.start(slot, message.class as usize);
        Some(Take::Start(slot))
    }
}

/// The duplicates waiting at a queue with a lease, first to take first.
pub(super) type RedeliveryLine = Box<VecDeque<u32>>;
