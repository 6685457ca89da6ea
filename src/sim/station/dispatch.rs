//! The dispatch axis: how waiting messages reach the consumers.

use super::Station;
use super::effect::Take;
use crate::model::Dispatch;
use crate::sim::message::Message;

impl Station<'_> {
    /// A free consumer, if any, takes a waiting message. The engine repeats
    /// until [`Take::Idle`], freeing on the way the slots of expired
    /// messages handed back.
    #[inline(always)]
    pub(crate) fn take_waiting(&mut self, messages: &[Message]) -> Take {
        match self.spec.dispatch {
            Dispatch::SharedLine => self.take_from_line(messages),
        }
    }

    /// One line shared by every consumer: a free consumer takes the next
    /// message in the line's order.
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
