//! The future-event list: a binary heap ordered by time, ties broken by a
//! sequence number so same-time events run in the order they were scheduled.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What happens at an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// The producer with this index publishes a message.
    Arrival { producer: u32 },
    /// A consumer of `queue` finishes serving `message`, unless its slot's
    /// generation has moved on (the service was preempted).
    Departure {
        queue: u32,
        message: u32,
        generation: u32,
    },
    /// `message` waiting at `queue` expires, unless its slot's generation
    /// has moved on (it started service or left meanwhile).
    Expire {
        queue: u32,
        message: u32,
        generation: u32,
    },
    /// The measured time window ends (horizon runs).
    HorizonEnd,
    /// Reporting interval `index` begins (rate profiles).
    IntervalStart { index: u32 },
}

/// An event keyed by its time's bits (high half) and its sequence number
/// (low half): times are finite and non-negative, so their IEEE bit patterns
/// order like the times, and one integer comparison orders by time then by
/// scheduling order.
#[derive(Clone, Copy, Debug)]
struct Event {
    key: u128,
    kind: EventKind,
}

impl Event {
    fn time(&self) -> f64 {
        f64::from_bits((self.key >> 64) as u64)
    }
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Event {}

impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Event {
    /// Reversed, so the max-heap pops the earliest event first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Pending events, earliest first.
#[derive(Debug, Default)]
pub(crate) struct Calendar {
    heap: BinaryHeap<Event>,
    next_sequence: u64,
}

impl Calendar {
    /// Schedules `kind` at `time` (finite and >= 0).
    pub(crate) fn schedule(&mut self, time: f64, kind: EventKind) {
        debug_assert!(time.is_finite() && time >= 0.0, "event time {time}");
        // `+ 0.0` turns a -0.0 into +0.0 so the bit pattern orders correctly.
        let time_bits = (time + 0.0).to_bits();
        self.heap.push(Event {
            key: u128::from(time_bits) << 64 | u128::from(self.next_sequence),
            kind,
        });
        self.next_sequence += 1;
    }

    /// Removes and returns the earliest event.
    pub(crate) fn next(&mut self) -> Option<(f64, EventKind)> {
        self.heap.pop().map(|event| (event.time(), event.kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_by_scheduling_order() {
        let mut calendar = Calendar::default();
        calendar.schedule(2.0, EventKind::Arrival { producer: 0 });
        calendar.schedule(1.0, EventKind::Arrival { producer: 1 });
        calendar.schedule(1.0, EventKind::Arrival { producer: 2 });
        calendar.schedule(1.0, EventKind::HorizonEnd);
        let order: Vec<_> = std::iter::from_fn(|| calendar.next()).collect();
        assert_eq!(
            order,
            vec![
                (1.0, EventKind::Arrival { producer: 1 }),
                (1.0, EventKind::Arrival { producer: 2 }),
                (1.0, EventKind::HorizonEnd),
                (2.0, EventKind::Arrival { producer: 0 }),
            ]
        );
    }
}
