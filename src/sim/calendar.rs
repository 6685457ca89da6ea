//! The future-event list: events ordered by time, ties broken by a
//! sequence number so same-time events run in the order they were scheduled.
//!
//! It is a radix heap (a monotone priority queue): the keys taken only grow,
//! since an event is scheduled at or after the time of the one being run, so
//! each pending event sits in the bucket of the highest bit where its key
//! differs from the last key taken, and an event moves only to lower
//! buckets. Taking the earliest event costs O(1) amortised per bucket an
//! event passes through, whatever the number pending (a binary heap pays
//! O(log n) per event: a thousand departures pending made it dominate
//! M/M/1000). The order taken is exactly the binary heap's: by key.

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
    /// The acknowledgement from `consumer` of `queue` arrives: a slot of
    /// its prefetch window is free again.
    Ack { queue: u32, consumer: u32 },
    /// `message` has waited out its retry delay and is delivered to
    /// `queue` again.
    Redeliver { queue: u32, message: u32 },
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
    /// Reversed, so a max-heap pops the earliest event first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Buckets of the radix heap: one per bit of a key.
const BUCKETS: usize = 128;

/// The bucket of `key` when the event taken last had key `last` (< `key`):
/// the highest bit where they differ.
#[inline(always)]
fn bucket_of(key: u128, last: u128) -> usize {
    let high = ((key >> 64) ^ (last >> 64)) as u64;
    if high != 0 {
        127 - high.leading_zeros() as usize
    } else {
        63 - ((key ^ last) as u64).leading_zeros() as usize
    }
}

/// Pending events, earliest first.
#[derive(Debug)]
pub(crate) struct Calendar {
    /// Key of the event taken last (0 before the first): every key in
    /// `buckets` is above it.
    last: u128,
    /// `buckets[b]` holds the events whose key differs from `last` first
    /// at bit `b` (counting from the lowest), in no particular order. Their
    /// capacity is kept, so a run allocates only while its peak grows.
    buckets: Box<[Vec<Event>; BUCKETS]>,
    /// Bit `b % 64` of word `b / 64` is set when `buckets[b]` is not empty.
    occupied: [u64; 2],
    /// Events keyed below `last`, all earlier than every bucketed one, so
    /// they are taken first: a time computed in the past (a closed-loop
    /// client's next arrival under a rate profile, by rounding or by
    /// operational time). Empty in ordinary runs.
    behind: BinaryHeap<Event>,
    /// Sequence number of the next event scheduled; from 1, so no key is
    /// 0, the `last` of a fresh calendar.
    next_sequence: u64,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            last: 0,
            buckets: Box::new(std::array::from_fn(|_| Vec::new())),
            occupied: [0; 2],
            behind: BinaryHeap::new(),
            next_sequence: 1,
        }
    }
}

impl Calendar {
    /// Schedules `kind` at `time` (finite and >= 0).
    #[inline(always)]
    pub(crate) fn schedule(&mut self, time: f64, kind: EventKind) {
        debug_assert!(time.is_finite() && time >= 0.0, "event time {time}");
        // `+ 0.0` turns a -0.0 into +0.0 so the bit pattern orders correctly.
        let time_bits = (time + 0.0).to_bits();
        let event = Event {
            key: u128::from(time_bits) << 64 | u128::from(self.next_sequence),
            kind,
        };
        self.next_sequence += 1;
        if event.key > self.last {
            let bucket = bucket_of(event.key, self.last);
            self.buckets[bucket].push(event);
            self.occupied[bucket / 64] |= 1 << (bucket % 64);
        } else {
            self.behind.push(event);
        }
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub(crate) fn next(&mut self) -> Option<(f64, EventKind)> {
        if !self.behind.is_empty() {
            return self.behind.pop().map(|event| (event.time(), event.kind));
        }
        let bucket = match self.occupied {
            [0, 0] => return None,
            [0, high] => 64 + high.trailing_zeros() as usize,
            [low, _] => low.trailing_zeros() as usize,
        };
        let earliest = match self.buckets[bucket].as_slice() {
            [alone] => {
                let alone = *alone;
                self.buckets[bucket].clear();
                self.occupied[bucket / 64] &= !(1 << (bucket % 64));
                alone
            }
            _ => self.split(bucket),
        };
        self.last = earliest.key;
        Some((earliest.time(), earliest.kind))
    }

    /// Takes the earliest event of `bucket` (holding several) and moves
    /// the others down to the buckets of their bit differing first from it.
    fn split(&mut self, bucket: usize) -> Event {
        let (lower, upper) = self.buckets.split_at_mut(bucket);
        let events = &mut upper[0];
        let mut index = 0;
        for (at, event) in events.iter().enumerate().skip(1) {
            if event.key < events[index].key {
                index = at;
            }
        }
        let earliest = events.swap_remove(index);
        for event in events.iter() {
            let below = bucket_of(event.key, earliest.key);
            lower[below].push(*event);
            self.occupied[below / 64] |= 1 << (below % 64);
        }
        events.clear();
        self.occupied[bucket / 64] &= !(1 << (bucket % 64));
        earliest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

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

    /// The binary heap the calendar replaces, as the reference order.
    #[derive(Default)]
    struct Reference {
        heap: BinaryHeap<Event>,
        next_sequence: u64,
    }

    impl Reference {
        fn schedule(&mut self, time: f64, kind: EventKind) {
            let key = u128::from((time + 0.0).to_bits()) << 64 | u128::from(self.next_sequence);
            self.heap.push(Event { key, kind });
            self.next_sequence += 1;
        }

        fn next(&mut self) -> Option<(f64, EventKind)> {
            self.heap.pop().map(|event| (event.time(), event.kind))
        }
    }

    /// Runs `steps` random operations on both, mostly scheduling at or
    /// after the time taken last (ties from coarse times and zero delays),
    /// sometimes before it, and compares every event taken.
    fn same_order_as_a_binary_heap(seed: u64, steps: usize, pending: usize) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut calendar, mut reference) = (Calendar::default(), Reference::default());
        let mut now = 0.0;
        let mut count = 0;
        for step in 0..steps {
            let schedule = count == 0 || (count < pending && rng.random_bool(0.6));
            if schedule {
                let time = match rng.random_range(0..10) {
                    0 => now,
                    1 => (now - rng.random::<f64>()).max(0.0),
                    2 => now + f64::from(rng.random_range(0..3u32)),
                    _ => now + rng.random::<f64>() * 10.0,
                };
                let kind = EventKind::Arrival {
                    producer: step as u32,
                };
                calendar.schedule(time, kind);
                reference.schedule(time, kind);
                count += 1;
            } else {
                let taken = calendar.next();
                assert_eq!(taken, reference.next(), "seed {seed}, step {step}");
                now = taken.expect("an event is pending").0;
                count -= 1;
            }
        }
        while let Some(taken) = reference.next() {
            assert_eq!(calendar.next(), Some(taken));
        }
        assert_eq!(calendar.next(), None);
    }

    #[test]
    fn takes_events_in_a_binary_heaps_order() {
        for (seed, pending) in [(1, 2), (2, 10), (3, 1000), (4, 50_000)] {
            same_order_as_a_binary_heap(seed, 200_000, pending);
        }
    }
}
