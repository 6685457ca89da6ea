//! Messages in the network, each in a reusable slot: the engine owns them;
//! stations read them and say, by their effects, what changes.

use super::collector::Departure;

/// A message in the network, stored in a reusable slot.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Message {
    /// Index of the producer that sent it.
    pub(super) producer: u32,
    /// Its class.
    pub(super) class: u32,
    /// Its partition at the current queue, if that is partitioned.
    pub(super) partition: u32,
    /// External arrival index.
    pub(super) index: u64,
    /// When it entered the network.
    pub(super) entered_system_at: f64,
    /// When it entered its current queue.
    pub(super) entered_queue_at: f64,
    /// Time waited at every queue so far.
    pub(super) total_wait: f64,
    /// Service requirement at the current queue, drawn on arrival there.
    pub(super) service: f64,
    /// Work still to do there (less than `service` after a preemption).
    pub(super) remaining: f64,
    /// When the current service spell began.
    pub(super) in_service_since: f64,
    /// Waited at the current queue.
    pub(super) waited_here: bool,
    /// Waited at some queue.
    pub(super) waited: bool,
    /// Arrived within the measured window.
    pub(super) tracked: bool,
    /// Expired while waiting: the slot is freed when the line reaches it.
    pub(super) expired: bool,
    /// How it was first lost at some queue (expired, dropped from the
    /// head, or rejected) before a dead-letter queue took it: it leaves the
    /// network that way, never delivered.
    pub(super) lost: Option<Departure>,
    /// Failed deliveries at the current queue (its retries so far).
    pub(super) retries: u32,
    /// Duplicate deliveries of it made at the current queue after its
    /// lease ran out (a queue with `ack_wait`).
    pub(super) redeliveries: u32,
    /// For a duplicate delivery, the message it duplicates; `None` for a
    /// message.
    pub(super) duplicate_of: Option<Original>,
    /// Bumped whenever the slot's message changes state, to recognise
    /// stale departure and expiry events.
    pub(super) generation: u32,
}

/// The message a duplicate delivery copies: its slot, and the slot's
/// generation during the service that the duplicate's lease outlived. The
/// message is still unacknowledged while the generation is unchanged (its
/// service ending, and the slot reused, move it on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Original {
    /// The message's slot.
    pub(super) slot: u32,
    /// Its generation while in service.
    pub(super) generation: u32,
}

impl Original {
    /// True while the message is in the service its duplicates copy,
    /// unacknowledged.
    #[inline]
    pub(super) fn is_pending(self, messages: &[Message]) -> bool {
        messages[self.slot as usize].generation == self.generation
    }
}

/// Slots for messages in the network; freed slots are reused, so the
/// allocation grows only to the peak number of messages present.
#[derive(Debug, Default)]
pub(super) struct Messages {
    /// Messages by slot (freed ones included).
    pub(super) slots: Vec<Message>,
    free: Vec<u32>,
}

impl Messages {
    /// Stores `message` in a free slot (a new one if none is free).
    #[inline(always)]
    pub(super) fn insert(&mut self, message: Message) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                let generation = self.slots[slot as usize].generation.wrapping_add(1);
                self.slots[slot as usize] = Message {
                    generation,
                    ..message
                };
                slot
            }
            None => {
                self.slots.push(message);
                (self.slots.len() - 1) as u32
            }
        }
    }

    /// Frees `slot`, returning its message.
    #[inline(always)]
    pub(super) fn remove(&mut self, slot: u32) -> Message {
        self.free.push(slot);
        self.slots[slot as usize]
    }
}
