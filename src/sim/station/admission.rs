//! The admission axis: which arriving messages a station lets in, and what
//! a full one does with an arrival (rejects it, perhaps to a dead-letter
//! queue, or drops its oldest waiting message to make room).

use super::{Serving, Station};
use crate::model::{Admission, Limit, Overflow};

/// What the admission axis does with an arrival.
#[derive(Clone, Copy, Debug)]
pub(super) enum Admit {
    /// It gets in.
    In,
    /// It gets in over the limit, so the line's oldest message is dropped.
    InDroppingOldest,
    /// It is rejected, and sent to this dead-letter queue if any.
    Rejected(Option<usize>),
}

impl Station<'_> {
    /// What becomes of an arrival now.
    #[inline(always)]
    pub(super) fn admit(&self) -> Admit {
        let Admission::Bounded { limit, overflow } = self.spec.admission else {
            return Admit::In;
        };
        if !self.full(limit) {
            return Admit::In;
        }
        match overflow {
            Overflow::RejectNew => Admit::Rejected(None),
            Overflow::RejectToDeadLetter => Admit::Rejected(self.spec.dead_letter()),
            Overflow::DropHead => Admit::InDroppingOldest,
        }
    }

    /// Whether one more message would exceed `limit`.
    #[inline(always)]
    fn full(&self, limit: Limit) -> bool {
        match limit {
            Limit::InSystem(capacity) => self.in_system >= capacity,
            // An arrival that a consumer takes at once does not wait.
            Limit::Waiting(length) => {
                if let Some(full) = self.ready_at_limit(length) {
                    return full;
                }
                let all_busy = match self.serving {
                    Serving::Shared(_) => self.in_system >= self.consumers,
                    _ => self.busy >= self.consumers,
                };
                all_busy && self.waiting() >= length
            }
        }
    }

    /// Takes the oldest message out of the line of a drop-head queue (FIFO
    /// only); the engine frees an expired one handed back and asks again,
    /// and drops a live one ([`Station::drop_oldest`]).
    pub(crate) fn pop_oldest(&mut self) -> Option<u32> {
        self.line.pop()
    }

    /// The oldest waiting message, taken out of the line, is dropped:
    /// returns the queue's dead-letter queue, if any.
    pub(crate) fn drop_oldest(&mut self) -> Option<usize> {
        self.in_system -= 1;
        self.leave_ready();
        self.spec.dead_letter()
    }
}
