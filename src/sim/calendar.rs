//! The future-event list: events ordered by time, ties broken by a
//! sequence number so same-time events run in the order they were scheduled.
//!
//! While only a few events are pending (an M/M/1 has at most two) they sit
//! in a short list, and taking the earliest is one scan of it. Beyond that
//! the list spills into a radix heap (a monotone priority queue): the keys
//! taken only grow, since an event is scheduled at or after the time of the
//! one being run, so each pending event sits in the bucket of the highest
//! hexadecimal digit where its key differs from the last key taken (and of
//! its value there), and an event moves only to lower buckets. Taking the
//! earliest event costs O(1) amortised per bucket an event passes through,
//! whatever the number pending (a binary heap pays O(log n) per event: a
//! thousand departures pending made it dominate M/M/1000); with 16 digit
//! values per position an event passes through a quarter of the buckets a
//! radix heap of bits takes it through. The earliest bucket, once it
//! holds only a few events, is not split further: its events become a run,
//! each taken by a scan of it (a thousand departures pending put a few in
//! each of the lowest buckets, where most moves were). The order taken is
//! exactly the binary heap's: by key.
//!
//! One arrival waits beside all that, in a lane of its own: an open
//! producer always has its next arrival pending, scheduled a short gap
//! ahead, so with one producer half the events scheduled are arrivals that
//! are taken soon after. In the lane such an event is never moved or
//! scanned for: taking the earliest event compares the lane's key with the
//! earliest key of the rest, and the engine, given an arrival built here,
//! goes to its handling without a jump through the table of kinds (on
//! M/M/1 this took the mispredicted branches per message from 3.6 to 1.4,
//! on M/M/1000 from 5.1 to 3.7). The order stays exactly by key, whichever
//! side an event waits on.

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
    /// The lease on the delivery of `message` at `queue` runs out, unless
    /// its slot's generation has moved on (that delivery ended).
    LeaseExpiry {
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
    /// `consumer` of `queue` fails (an outage begins).
    Failure { queue: u32, consumer: u32 },
    /// `consumer` of `queue` is repaired (its outage ends).
    Repair { queue: u32, consumer: u32 },
    /// Batch `batch` of `consumer` of `queue` times out, unless it has
    /// ended (`max_poll_interval`).
    PollTimeout {
        queue: u32,
        consumer: u32,
        batch: u32,
    },
    /// Group change number `index` of `queue`'s polling group happens.
    GroupChange { queue: u32, index: u32 },
    /// The rebalance pause numbered `generation` of `queue` ends, unless
    /// another rebalance extended it.
    RebalanceEnd { queue: u32, generation: u32 },
    /// The fetch numbered `generation` of `consumer` of `queue` (batch
    /// polling) stops waiting for its minimum, unless it has returned.
    FetchDeadline {
        queue: u32,
        consumer: u32,
        generation: u32,
    },
    /// The measured time window ends (horizon runs).
    HorizonEnd,
    /// Reporting interval `index` begins (rate profiles).
    IntervalStart { index: u32 },
    /// A delivery to `consumer` of `queue` lands (a delivery trip): the
    /// consumer, if idle, starts its next delivery if that has landed.
    Land { queue: u32, consumer: u32 },
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

/// Events pending at most this many stay in the short list.
const FEW: usize = 4;

/// The earliest bucket becomes the run when it holds at most this many
/// events (otherwise it is split).
const RUN: usize = 8;

/// Events scheduled into a run that holds this many move it to the
/// buckets instead.
const RUN_MAX: usize = 2 * RUN;

/// Bits of a key per radix digit: a divisor of 64 (a digit lies within
/// one half of the key) and at most 6 (for the occupancy words). With a
/// thousand departures pending, 6 bits (tried before digits had to divide
/// 64) moved an event about once before it was taken (4 bits: 2.7 times)
/// and ran fewer instructions, but spread the events over four times the
/// buckets, and 4 bits measured 3-4% less CPU time.
const DIGIT_BITS: u32 = 4;

const _: () = assert!(64 % DIGIT_BITS == 0 && DIGIT_BITS <= 6);

/// Values of a digit.
const DIGITS: usize = 1 << DIGIT_BITS;

/// Digit positions of a key's half.
const HALF_POSITIONS: usize = 64 / DIGIT_BITS as usize;

/// Digit positions of a 128-bit key.
const POSITIONS: usize = 2 * HALF_POSITIONS;

/// Buckets: one per digit value at each position.
const BUCKETS: usize = POSITIONS * DIGITS;

/// The bucket of `key` when the event taken last had key `last` (< `key`):
/// the position of the highest digit where they differ, and `key`'s digit
/// there. Buckets of lower positions, then of lower digits, hold earlier
/// keys.
///
/// Pending events nearly always differ from it in time, the high half, so
/// that half is looked at alone, with 64-bit operations (a 128-bit count
/// of leading zeros and a 128-bit shift take several each), and the low
/// half only in a call of its own: selecting between the halves without a
/// branch ran more instructions.
#[inline(always)]
fn bucket_of(key: u128, last: u128) -> (usize, usize) {
    let (time, last_time) = ((key >> 64) as u64, (last >> 64) as u64);
    if time == last_time {
        return same_time_bucket_of(key as u64, last as u64);
    }
    let (position, digit) = half_bucket_of(time, last_time);
    (HALF_POSITIONS | position, digit)
}

/// [`bucket_of`] for a key whose time is the last key's: the bucket of its
/// sequence number `sequence` when the last one was `last_sequence`.
#[cold]
#[inline(never)]
fn same_time_bucket_of(sequence: u64, last_sequence: u64) -> (usize, usize) {
    half_bucket_of(sequence, last_sequence)
}

/// The digit position (within a half) of the highest digit where `half`
/// differs from `last_half`, and `half`'s digit there.
#[inline(always)]
fn half_bucket_of(half: u64, last_half: u64) -> (usize, usize) {
    // (The mask, a no-op since the halves differ, tells the compiler the
    // position is in range, so indexing by it checks no bounds.)
    let position =
        ((63 - (half ^ last_half).leading_zeros()) / DIGIT_BITS) & (HALF_POSITIONS as u32 - 1);
    let digit = (half >> (position * DIGIT_BITS)) as usize & (DIGITS - 1);
    (position as usize, digit)
}

/// The last key of bucket (`position`, `digit`) when the event taken last
/// had key `last`: its digits above `position` are `last`'s, and all its
/// digits below are the highest. Worked out on the half holding
/// `position` (the time, nearly always), as [`bucket_of`] is.
#[inline(always)]
fn bucket_end(last: u128, position: usize, digit: usize) -> u128 {
    let (time, sequence) = ((last >> 64) as u64, last as u64);
    let in_time = position >= HALF_POSITIONS;
    let (half, half_position) = if in_time {
        (time, position - HALF_POSITIONS)
    } else {
        (sequence, position)
    };
    let shift = half_position as u32 * DIGIT_BITS;
    let below = (1u64 << shift) - 1;
    let digit_mask = (DIGITS as u64 - 1) << shift;
    let end = (half & !(digit_mask | below)) | (digit as u64) << shift | below;
    if in_time {
        u128::from(end) << 64 | u128::from(u64::MAX)
    } else {
        u128::from(time) << 64 | u128::from(end)
    }
}

/// The index of the earliest of `events` (not empty), selected rather than
/// branched to: which event is earliest so far is unpredictable.
#[inline(always)]
fn earliest_index(events: &[Event]) -> usize {
    let (mut index, mut earliest_key) = (0, events[0].key);
    for (at, event) in events.iter().enumerate().skip(1) {
        let earlier = event.key < earliest_key;
        earliest_key = if earlier { event.key } else { earliest_key };
        index = if earlier { at } else { index };
    }
    index
}

/// Pending events, earliest first.
#[derive(Debug)]
pub(crate) struct Calendar {
    /// The pending events while there are at most [`FEW`] of them, in no
    /// particular order; empty while the radix heap holds any (it takes
    /// them all when one more is scheduled).
    few: Vec<Event>,
    /// Key of the event taken last (0 before the first): every key in
    /// `buckets` is above it.
    last: u128,
    /// `buckets[p * DIGITS + d]` holds the events whose key differs from
    /// `last` first at digit position `p` (counting from the lowest) and
    /// has the value `d` there, in no particular order. Their capacity is
    /// kept, so a run allocates only while its peak grows.
    buckets: Box<[Vec<Event>; BUCKETS]>,
    /// Bit `p` is set when some bucket of position `p` holds events.
    occupied_positions: u32,
    /// Bit `d` of `occupied_digits[p]` is set when bucket (`p`, `d`) holds
    /// events.
    occupied_digits: [u64; POSITIONS],
    /// The events of the earliest bucket, taken out whole when it held at
    /// most [`RUN`] (the last few steps down the radix heap are where most
    /// of its moves were): each is taken by a scan for the earliest, none
    /// moved again. Every key in it is above `last` and at most `run_end`.
    run: Vec<Event>,
    /// The index in `run` of its earliest event, once a scan found it;
    /// `None` while unknown (taking from the run forgets it). The run is
    /// scanned once per event taken from it, not at every look: the lane's
    /// arrival is often taken instead.
    run_earliest: Option<usize>,
    /// The last key of the bucket the run came from: every key in
    /// `buckets` is above it, and an event scheduled above `last` and at
    /// most it joins the run.
    run_end: u128,
    /// Events keyed at or below `last`, all earlier than every bucketed
    /// one, so they are taken first: the earliest event of a bucket just
    /// split, while the lane's arrival is taken before it; a time computed
    /// in the past (a closed-loop client's next arrival under a rate
    /// profile, by rounding or by operational time). Otherwise empty.
    behind: BinaryHeap<Event>,
    /// Sequence number of the next event scheduled; from 1, so no key is
    /// 0, the `last` of a fresh calendar.
    next_sequence: u64,
    /// Key of the arrival in the lane, [`EMPTY_LANE`] while it holds none.
    lane_key: u128,
    /// The producer of the lane's arrival.
    lane_producer: u32,
}

/// The lane's key while it holds no arrival: above every event's key (no
/// sequence number reaches `u64::MAX`).
const EMPTY_LANE: u128 = u128::MAX;

/// Where the earliest event besides the lane's waits.
#[derive(Clone, Copy, Debug)]
enum Earliest {
    /// At this index of the short list.
    Few(usize),
    /// At the top of the events behind.
    Behind,
    /// At this index of the run.
    Run(usize),
    /// Nowhere: no event is pending besides the lane's.
    None,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            few: Vec::with_capacity(FEW),
            last: 0,
            buckets: Box::new(std::array::from_fn(|_| Vec::new())),
            occupied_positions: 0,
            occupied_digits: [0; POSITIONS],
            run: Vec::new(),
            run_earliest: None,
            run_end: 0,
            behind: BinaryHeap::new(),
            next_sequence: 1,
            lane_key: EMPTY_LANE,
            lane_producer: 0,
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
        let key = u128::from(time_bits) << 64 | u128::from(self.next_sequence);
        self.next_sequence += 1;
        if let EventKind::Arrival { producer } = kind
            && self.lane_key == EMPTY_LANE
        {
            self.lane_key = key;
            self.lane_producer = producer;
            return;
        }
        // The event is built where it is stored: a copy through the stack
        // made the store stall its reload (store forwarding).
        if self.in_few() && self.few.len() < FEW {
            self.few.push(Event { key, kind });
            return;
        }
        if self.in_few() {
            self.spill();
        }
        self.insert(Event { key, kind });
    }

    /// The short list is in use: the radix heap holds nothing.
    #[inline(always)]
    fn in_few(&self) -> bool {
        self.occupied_positions == 0 && self.run.is_empty() && self.behind.is_empty()
    }

    /// Moves the short list's events into the radix heap.
    #[cold]
    fn spill(&mut self) {
        for index in 0..self.few.len() {
            self.insert(self.few[index]);
        }
        self.few.clear();
    }

    /// Puts `event` in the radix heap: in a bucket, in the run, or behind.
    #[inline(always)]
    fn insert(&mut self, event: Event) {
        if event.key <= self.last {
            self.behind.push(event);
            return;
        }
        if event.key <= self.run_end {
            if self.run.len() < RUN_MAX {
                if let Some(index) = self.run_earliest
                    && event.key < self.run[index].key
                {
                    self.run_earliest = Some(self.run.len());
                }
                self.run.push(event);
                return;
            }
            self.dissolve_run();
        }
        let (position, digit) = bucket_of(event.key, self.last);
        self.buckets[position * DIGITS + digit].push(event);
        self.mark(position, digit);
    }

    /// Moves the run's events, too many to scan, to the buckets (lower
    /// ones than the run came from: they share its digits), and lets no
    /// more join it.
    #[cold]
    fn dissolve_run(&mut self) {
        self.run_end = self.last;
        self.run_earliest = None;
        let mut run = std::mem::take(&mut self.run);
        for event in run.drain(..) {
            self.insert(event);
        }
        self.run = run;
    }

    /// Records that bucket (`position`, `digit`) holds events.
    #[inline(always)]
    fn mark(&mut self, position: usize, digit: usize) {
        self.occupied_digits[position] |= 1 << digit;
        self.occupied_positions |= 1 << position;
    }

    /// Records that bucket (`position`, `digit`) is empty (without a
    /// branch: whether the position empties is unpredictable).
    #[inline(always)]
    fn unmark(&mut self, position: usize, digit: usize) {
        self.occupied_digits[position] &= !(1 << digit);
        let emptied = u32::from(self.occupied_digits[position] == 0);
        self.occupied_positions &= !(emptied << position);
    }

    /// Removes and returns the earliest event.
    #[inline(always)]
    pub(crate) fn next(&mut self) -> Option<(f64, EventKind)> {
        let (key, earliest) = self.earliest();
        if self.lane_key < key {
            let time = f64::from_bits((self.lane_key >> 64) as u64);
            self.lane_key = EMPTY_LANE;
            // (Built here, the kind is known where the engine matches on
            // it: the arrival's handling follows without a jump through
            // the table of kinds.)
            let producer = self.lane_producer;
            return Some((time, EventKind::Arrival { producer }));
        }
        let event = match earliest {
            Earliest::Few(index) => self.few.swap_remove(index),
            Earliest::Behind => {
                return self.behind.pop().map(|event| (event.time(), event.kind));
            }
            Earliest::Run(index) => {
                self.run_earliest = None;
                self.run.swap_remove(index)
            }
            Earliest::None => return None,
        };
        self.last = event.key;
        Some((event.time(), event.kind))
    }

    /// The key of the earliest event besides the lane's, and where it
    /// waits ([`EMPTY_LANE`] and [`Earliest::None`] when none does): the
    /// short list scanned, or the events behind, or the run, refilled
    /// from the earliest bucket when empty. A bucket too large for a run
    /// is split, and its earliest event, taken out, waits behind.
    #[inline(always)]
    fn earliest(&mut self) -> (u128, Earliest) {
        if !self.few.is_empty() {
            let mut index = 0;
            for at in 1..self.few.len() {
                if self.few[at].key < self.few[index].key {
                    index = at;
                }
            }
            return (self.few[index].key, Earliest::Few(index));
        }
        if let Some(event) = self.behind.peek() {
            return (event.key, Earliest::Behind);
        }
        if self.run.is_empty() {
            if self.occupied_positions == 0 {
                return (EMPTY_LANE, Earliest::None);
            }
            // (The masks, no-ops, spare the indexing its bounds checks.)
            let position = self.occupied_positions.trailing_zeros() as usize & (POSITIONS - 1);
            let digit = self.occupied_digits[position].trailing_zeros() as usize & (DIGITS - 1);
            let bucket = position * DIGITS + digit;
            if self.buckets[bucket].len() > RUN {
                let earliest = self.split(position, digit);
                self.last = earliest.key;
                self.behind.push(earliest);
                return (earliest.key, Earliest::Behind);
            }
            // The bucket's events become the run (the two swap their
            // storage, so neither allocates).
            std::mem::swap(&mut self.run, &mut self.buckets[bucket]);
            self.unmark(position, digit);
            self.run_end = bucket_end(self.last, position, digit);
        }
        let index = match self.run_earliest {
            Some(index) => index,
            None => {
                let index = earliest_index(&self.run);
                self.run_earliest = Some(index);
                index
            }
        };
        (self.run[index].key, Earliest::Run(index))
    }

    /// Takes the earliest event of bucket (`position`, `digit`), holding
    /// more than [`RUN`], and moves the others down to the buckets of their digit
    /// differing first from it (all at lower positions: they share its
    /// digits from `position` up).
    #[inline(never)]
    fn split(&mut self, position: usize, digit: usize) -> Event {
        let bucket = position * DIGITS + digit;
        // Taken out while its events move (and put back, keeping its
        // capacity).
        let mut events = std::mem::take(&mut self.buckets[bucket]);
        let earliest = events.swap_remove(earliest_index(&events));
        let mut positions = 0;
        for event in &events {
            let (below, value) = bucket_of(event.key, earliest.key);
            self.buckets[below * DIGITS + value].push(*event);
            self.occupied_digits[below] |= 1 << value;
            positions |= 1 << below;
        }
        self.occupied_positions |= positions;
        events.clear();
        self.buckets[bucket] = events;
        self.unmark(position, digit);
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
                // Arrivals wait in the lane when it is free, other kinds
                // always in the rest.
                let kind = if rng.random_bool(0.5) {
                    EventKind::Arrival {
                        producer: step as u32,
                    }
                } else {
                    EventKind::Ack {
                        queue: 0,
                        consumer: step as u32,
                    }
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
    fn a_run_grown_too_long_goes_back_to_the_buckets() {
        let (mut calendar, mut reference) = (Calendar::default(), Reference::default());
        let mut both = |calendar: &mut Calendar, time: f64, producer: u32| {
            // (Not an arrival, which would wait in the lane.)
            let kind = EventKind::Ack {
                queue: 0,
                consumer: producer,
            };
            calendar.schedule(time, kind);
            reference.schedule(time, kind);
        };
        // Five far apart share the top bucket, so its range, the run's, is
        // wide: every event scheduled next joins the run, until it is full.
        for (time, producer) in [1000.0, 2000.0, 3000.0, 4000.0, 5000.0]
            .into_iter()
            .zip(0..)
        {
            both(&mut calendar, time, producer);
        }
        let mut taken = vec![calendar.next().expect("five pending")];
        for producer in 0..3 * RUN_MAX as u32 {
            both(
                &mut calendar,
                1000.0 + f64::from(producer % 7) / 8.0,
                100 + producer,
            );
        }
        assert!(calendar.run.is_empty(), "the run was dissolved");
        assert_eq!(calendar.run_end, calendar.last, "none joins it since");
        taken.extend(std::iter::from_fn(|| calendar.next()));
        let expected: Vec<_> = std::iter::from_fn(|| reference.next()).collect();
        assert_eq!(taken, expected);
    }

    #[test]
    fn takes_events_in_a_binary_heaps_order() {
        for (seed, pending) in [(1, 2), (5, 5), (2, 10), (3, 1000), (4, 50_000)] {
            same_order_as_a_binary_heap(seed, 200_000, pending);
        }
    }
}
