//! Prefetch windows (the dispatch axis), as RabbitMQ's `basic.qos`: the
//! broker's ready line keeps the discipline's order; a ready message is
//! delivered at once to a consumer with a free slot in its window. The
//! consumers with a free slot take deliveries in turn: the one at the
//! front of the rotation takes the next and, if it still has a free slot,
//! goes to the back; a consumer whose window reopens (an acknowledgement
//! arrives) joins the back. Each consumer serves its own deliveries in
//! delivery order, one at a time, with no work stealing; after a service
//! the slot stays held for the acknowledgement round trip. Patience runs
//! only in the ready line: a delivered message no longer expires.
//!
//! A failed delivery requeued at the head (RabbitMQ's `basic.nack` with
//! `requeue=true`) leaves its consumer like a served one, its slot held
//! for the nack's round trip as for an ack, and goes back to the head of
//! the queue: to the next consumer with a free slot at once if one has
//! (ahead of the ready line), else to the head of the ready line. It does
//! not expire there (its patience ran from its first arrival).
//!
//! Memory: per consumer a few counters and the ends of its buffer, a list
//! linked through the message slots; the links grow with the peak number
//! of message slots, never per message.

use std::collections::VecDeque;

use super::Station;
use super::effect::{Entry, Next, Take};
use crate::dist::Dist;
use crate::model::Window;
use crate::sim::message::Message;
use crate::sim::streams::Stream;

/// No message (an empty buffer end, an idle consumer).
const NONE: u32 = u32::MAX;

/// What the windows of a queue hold at an instant, for the time averages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WindowCounts {
    /// Messages in the broker's ready line.
    pub(crate) ready: u32,
    /// Messages delivered and not yet acknowledged (in a consumer's
    /// buffer, in service, or awaiting their acknowledgement).
    pub(crate) unacked: u32,
    /// A consumer sits idle while another holds delivered messages it has
    /// not started (work hoarded, no stealing).
    pub(crate) hoarded: bool,
}

/// Where a failed delivery requeued at the head went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Requeued {
    /// To an idle consumer with a free slot, which serves it now.
    Starts,
    /// To the buffer of a consumer with a free slot.
    Buffered,
    /// To the head of the ready line (no consumer had a free slot).
    Ready,
}

/// A consumer's delivered messages not yet started, first to last.
#[derive(Clone, Copy, Debug)]
struct Buffer {
    head: u32,
    tail: u32,
}

/// Where a delivered message is: its consumer, and the next message of
/// that consumer's buffer.
#[derive(Clone, Copy, Debug)]
struct Link {
    consumer: u32,
    next: u32,
}

/// The prefetch windows of one queue's consumers.
pub(crate) struct Windows<'a> {
    prefetch: u32,
    ack: Option<&'a Dist>,
    /// Stream of the acknowledgement round trips, drawn in service order.
    acks: Stream,
    /// Unacknowledged messages per consumer.
    held: Box<[u32]>,
    /// The message each consumer serves ([`NONE`]: idle).
    serving: Box<[u32]>,
    buffers: Box<[Buffer]>,
    /// By message slot, for delivered messages.
    links: Vec<Link>,
    /// Consumers with a free slot, in delivery turn (at most one entry
    /// per consumer, so it never grows past the consumers).
    free: VecDeque<u32>,
    /// Live messages in the ready line.
    ready: u32,
    /// Delivered messages not yet acknowledged, over all consumers.
    unacked: u32,
    /// Delivered messages not yet started, over all consumers.
    buffered: u32,
    /// Consumers serving a message.
    busy: u32,
    /// The consumer whose service just ended: it starts its next buffered
    /// message when the engine asks for waiting work.
    finished: u32,
}

impl<'a> Windows<'a> {
    /// Idle windows of `consumers` per `window`, drawing round trips from
    /// `acks`.
    pub(crate) fn new(window: &'a Window, consumers: u32, acks: Stream) -> Self {
        let n = consumers as usize;
        Windows {
            prefetch: window.prefetch,
            ack: window.ack.as_ref(),
            acks,
            held: vec![0; n].into_boxed_slice(),
            serving: vec![NONE; n].into_boxed_slice(),
            buffers: vec![
                Buffer {
                    head: NONE,
                    tail: NONE
                };
                n
            ]
            .into_boxed_slice(),
            links: Vec::new(),
            free: (0..consumers).collect(),
            ready: 0,
            unacked: 0,
            buffered: 0,
            busy: 0,
            finished: NONE,
        }
    }

    /// The counts for the time averages.
    pub(crate) fn counts(&self) -> WindowCounts {
        WindowCounts {
            ready: self.ready,
            unacked: self.unacked,
            hoarded: self.buffered > 0 && (self.busy as usize) < self.serving.len(),
        }
    }

    /// True when some consumer has a free slot (the ready line is then
    /// empty).
    fn can_deliver(&self) -> bool {
        !self.free.is_empty()
    }

    /// Delivers `slot` to the consumer next in turn (one has a free
    /// slot): true when that consumer is idle with nothing buffered and
    /// starts it now.
    fn deliver(&mut self, slot: u32) -> bool {
        let consumer = self
            .free
            .pop_front()
            .expect("a delivery needs a consumer with a free slot");
        self.held[consumer as usize] += 1;
        self.unacked += 1;
        if self.held[consumer as usize] < self.prefetch {
            self.free.push_back(consumer);
        }
        let index = slot as usize;
        if index >= self.links.len() {
            self.links.resize(
                index + 1,
                Link {
                    consumer: NONE,
                    next: NONE,
                },
            );
        }
        self.links[index] = Link {
            consumer,
            next: NONE,
        };
        let buffer = &mut self.buffers[consumer as usize];
        if self.serving[consumer as usize] == NONE && buffer.head == NONE {
            self.serving[consumer as usize] = slot;
            self.busy += 1;
            return true;
        }
        if buffer.tail == NONE {
            buffer.head = slot;
        } else {
            self.links[buffer.tail as usize].next = slot;
        }
        buffer.tail = slot;
        self.buffered += 1;
        false
    }

    /// The consumer that served `slot` is done with it: returns the
    /// consumer and when its acknowledgement arrives (`None`: at once, the
    /// slot already freed).
    fn finish(&mut self, now: f64, slot: u32) -> (u32, Option<f64>) {
        let consumer = self.links[slot as usize].consumer;
        self.serving[consumer as usize] = NONE;
        self.busy -= 1;
        self.finished = consumer;
        match self.ack {
            Some(ack) => (consumer, Some(now + self.acks.draw(ack))),
            None => {
                self.acknowledge(consumer, true);
                (consumer, None)
            }
        }
    }

    /// The delivery of `slot` failed and goes back to the head of the
    /// queue at `now`: its consumer is done with it (as after a service,
    /// its slot held for the nack's round trip), then it goes to the next
    /// consumer with a free slot, or to the head of the ready line (the
    /// station pushes it there). Returns where it went and the nacking
    /// consumer's round trip.
    fn requeue(&mut self, now: f64, slot: u32) -> (Requeued, Option<(u32, f64)>) {
        let (consumer, at) = self.finish(now, slot);
        let ack = at.map(|at| (consumer, at));
        if !self.can_deliver() {
            self.ready += 1;
            return (Requeued::Ready, ack);
        }
        let went = if self.deliver(slot) {
            Requeued::Starts
        } else {
            Requeued::Buffered
        };
        (went, ack)
    }

    /// An acknowledgement from `consumer` arrives: a slot of its window is
    /// free again (taking deliveries only if the consumer is `up`).
    pub(crate) fn acknowledge(&mut self, consumer: u32, up: bool) {
        let held = &mut self.held[consumer as usize];
        if *held == self.prefetch && up {
            self.free.push_back(consumer);
        }
        *held -= 1;
        self.unacked -= 1;
    }

    /// `consumer` fails: its message in service, then its buffered ones,
    /// in order, go into `requeued` and back to the ready line (their
    /// slots freed; acknowledgements in flight still arrive), and it takes
    /// no deliveries. True when it was serving (`requeued[0]`).
    pub(crate) fn crash(&mut self, consumer: u32, requeued: &mut Vec<u32>) -> bool {
        let index = consumer as usize;
        let serving = std::mem::replace(&mut self.serving[index], NONE);
        if serving != NONE {
            requeued.push(serving);
            self.busy -= 1;
        }
        let mut slot = self.buffers[index].head;
        while slot != NONE {
            requeued.push(slot);
            self.buffered -= 1;
            slot = self.links[slot as usize].next;
        }
        self.buffers[index] = Buffer {
            head: NONE,
            tail: NONE,
        };
        let handed_back = requeued.len() as u32;
        self.held[index] -= handed_back;
        self.unacked -= handed_back;
        self.ready += handed_back;
        self.free.retain(|&c| c != consumer);
        serving != NONE
    }

    /// `consumer` is repaired: it takes deliveries again while its window
    /// has room.
    pub(crate) fn rejoin(&mut self, consumer: u32) {
        if self.held[consumer as usize] < self.prefetch {
            self.free.push_back(consumer);
        }
    }

    /// The consumer that just finished starts its next buffered message,
    /// if it has one (and has not started one meanwhile).
    fn start_buffered(&mut self) -> Option<u32> {
        let consumer = std::mem::replace(&mut self.finished, NONE);
        if consumer == NONE || self.serving[consumer as usize] != NONE {
            return None;
        }
        let buffer = &mut self.buffers[consumer as usize];
        let slot = buffer.head;
        if slot == NONE {
            return None;
        }
        buffer.head = self.links[slot as usize].next;
        if buffer.head == NONE {
            buffer.tail = NONE;
        }
        self.buffered -= 1;
        self.serving[consumer as usize] = slot;
        self.busy += 1;
        Some(slot)
    }
}

impl<'a> Station<'a> {
    /// The prefetch windows of a queue that has them.
    pub(super) fn windows(&mut self) -> &mut Windows<'a> {
        self.windows
            .as_deref_mut()
            .expect("a queue with prefetch windows")
    }

    /// An accepted message reaches the broker at `now`: delivered at once
    /// if a consumer has a free slot (the ready line is then empty), else
    /// it waits in the ready line (and may expire there).
    pub(super) fn join_window(&mut self, now: f64, slot: u32, class: usize) -> Entry {
        if !self.windows().can_deliver() {
            self.windows().ready += 1;
            self.line.push(slot, class);
            return Entry::Waits {
                expires: self.exit.expiry(now, self.spec),
            };
        }
        if self.windows().deliver(slot) {
            self.start(slot, class);
            Entry::Starts
        } else {
            // In a consumer's buffer: it waits, but no longer expires.
            Entry::Waits { expires: None }
        }
    }

    /// One step of the windows after a change: a consumer with a free slot
    /// takes the head of the ready line (the engine frees the slots of
    /// expired messages handed back); then the consumer that just finished
    /// starts its next buffered message. The engine asks until
    /// [`Take::Idle`].
    pub(super) fn take_from_window(&mut self, messages: &[Message]) -> Take {
        if self.windows().can_deliver()
            && let Some(slot) = self.line.pop()
        {
            let message = &messages[slot as usize];
            if message.expired {
                return Take::Expired(slot);
            }
            self.windows().ready -= 1;
            if self.windows().deliver(slot) {
                self.start(slot, message.class as usize);
                return Take::Start(slot);
            }
            return Take::Delivered(slot);
        }
        match self.windows().start_buffered() {
            Some(slot) => {
                self.start(slot, messages[slot as usize].class as usize);
                Take::Start(slot)
            }
            None => Take::Idle,
        }
    }

    /// The service of `slot` ends at `now`: its consumer takes its next
    /// message, and its slot is freed now or when the acknowledgement
    /// comes back.
    pub(super) fn leave_window(&mut self, now: f64, slot: u32) -> Next {
        let (consumer, at) = self.windows().finish(now, slot);
        Next::Window {
            ack: at.map(|at| (consumer, at)),
        }
    }

    /// The delivery of `slot`, of `class`, failed at `now` and is requeued
    /// at the head of the queue (see the module's doc): returns whether a
    /// consumer serves it again at once, and the nacking consumer's round
    /// trip, unless immediate.
    pub(super) fn requeue_to_window(
        &mut self,
        now: f64,
        slot: u32,
        class: usize,
    ) -> (bool, Option<(u32, f64)>) {
        self.finish(slot);
        let (went, ack) = self.windows().requeue(now, slot);
        match went {
            Requeued::Starts => self.start(slot, class),
            Requeued::Buffered => {}
            Requeued::Ready => self.line.push_front(slot, class),
        }
        (went == Requeued::Starts, ack)
    }

    /// The acknowledgement from `consumer` arrives: then the engine lets
    /// the ready line's head through.
    pub(crate) fn acknowledge(&mut self, consumer: u32) {
        let up = self
            .outages
            .as_deref()
            .is_none_or(|outages| outages.is_up(consumer));
        self.windows().acknowledge(consumer, up);
    }

    /// A live message leaves the ready line undelivered (it expires, or a
    /// drop-head limit drops it).
    pub(super) fn leave_ready(&mut self) {
        if let Some(windows) = self.windows.as_deref_mut() {
            windows.ready -= 1;
        }
    }

    /// Whether a `max_length` of `length` is reached: only the ready line
    /// counts, never the consumers' windows (RabbitMQ), and an arrival a
    /// window takes at once never finds the queue full. `None` without
    /// windows.
    pub(super) fn ready_at_limit(&self, length: u32) -> Option<bool> {
        let windows = self.windows.as_deref()?;
        Some(!windows.can_deliver() && windows.ready >= length)
    }

    /// What the windows hold now, for a queue with prefetch windows.
    pub(crate) fn window_counts(&self) -> Option<WindowCounts> {
        self.windows.as_deref().map(Windows::counts)
    }
}

#[cfg(test)]
mod tests {
    use super::super::effect::Arrival;
    use super::*;
    use crate::model::{Model, ProducerBuilder, QueueBuilder};
    use crate::sim::streams::{StreamSet, stream};

    #[test]
    fn windows_deliver_in_turn_buffer_and_hold_slots_until_acknowledged() {
        let exponential = || Dist::exponential_mean(1.0).unwrap();
        let model = Model::builder("t")
            .queue(
                QueueBuilder::new("q", 2, exponential())
                    .prefetch(2)
                    .ack(Dist::deterministic(1.0).unwrap()),
            )
            .producer(ProducerBuilder::open("p", "q", exponential()))
            .build()
            .unwrap();
        let streams = |source| stream(1, StreamSet::Replication(0), source);
        let mut station = Station::new(&model, 0, 2, streams);
        let messages = [Message::default(); 5];
        let entries: Vec<bool> = (0..5)
            .map(|slot| {
                let arrival = station.arrive(0.0, slot, 0, &messages);
                matches!(
                    arrival,
                    Arrival::Accepted {
                        entry: Entry::Starts,
                        ..
                    }
                )
            })
            .collect();
        // Consumers 0 and 1 start 0 and 1, buffer 2 and 3; 4 stays ready.
        assert_eq!(entries, [true, true, false, false, false]);
        let counts = |station: &Station<'_>| station.window_counts().unwrap();
        assert_eq!(
            counts(&station),
            WindowCounts {
                ready: 1,
                unacked: 4,
                hoarded: false
            }
        );
        // Consumer 0 finishes 0: it starts its buffered 2, its slot held
        // until the ack at t = 2.
        let departed = station.depart(1.0, 0, &messages);
        assert!(matches!(
            departed.next,
            Next::Window {
                ack: Some((0, at))
            } if at == 2.0
        ));
        assert!(matches!(station.take_waiting(&messages), Take::Start(2)));
        assert!(matches!(station.take_waiting(&messages), Take::Idle));
        assert_eq!(counts(&station).unacked, 4);
        // The ack frees a slot: the ready message goes to consumer 0's buffer.
        station.acknowledge(0);
        assert!(matches!(
            station.take_waiting(&messages),
            Take::Delivered(4)
        ));
        assert!(matches!(station.take_waiting(&messages), Take::Idle));
        assert_eq!(
            counts(&station),
            WindowCounts {
                ready: 0,
                unacked: 4,
                hoarded: false
            }
        );
    }

    #[test]
    fn a_nack_holds_the_slot_for_its_round_trip_and_requeues_ahead_of_the_ready_line() {
        let exponential = || Dist::exponential_mean(1.0).unwrap();
        let model = Model::builder("t")
            .queue(
                QueueBuilder::new("q", 2, exponential())
                    .prefetch(2)
                    .ack(Dist::deterministic(1.0).unwrap())
                    .retry(0.5, None, crate::model::Redelivery::Head),
            )
            .producer(ProducerBuilder::open("p", "q", exponential()))
            .build()
            .unwrap();
        let streams = |source| stream(1, StreamSet::Replication(0), source);
        let mut station = Station::new(&model, 0, 2, streams);
        let messages = [Message::default(); 6];
        for slot in 0..6 {
            station.arrive(0.0, slot, 0, &messages);
        }
        // Consumers 0 and 1 serve 0 and 1 and buffer 2 and 3; 4, 5 ready.
        // Consumer 0 nacks 0: every window is full, so it goes to the head
        // of the ready line, the slot held until the nack's round trip.
        assert_eq!(
            station.requeue_head(1.0, 0, 0),
            Some((false, Some((0, 2.0))))
        );
        assert_eq!(station.window_counts().unwrap().ready, 3);
        // Consumer 0 goes on with its buffered 2.
        assert!(matches!(station.take_waiting(&messages), Take::Start(2)));
        assert!(matches!(station.take_waiting(&messages), Take::Idle));
        // The round trip frees the slot: the requeued 0 is delivered before 4.
        station.acknowledge(0);
        assert!(matches!(
            station.take_waiting(&messages),
            Take::Delivered(0)
        ));
        assert!(matches!(station.take_waiting(&messages), Take::Idle));
        // Consumer 1 nacks 1: back at the head of the ready line, ahead of
        // 4 and 5, while consumer 1 goes on with its buffered 3.
        assert_eq!(
            station.requeue_head(1.5, 1, 0),
            Some((false, Some((1, 2.5))))
        );
        assert_eq!(station.window_counts().unwrap().ready, 3);
        assert!(matches!(station.take_waiting(&messages), Take::Start(3)));
        assert_eq!(station.waiting(), 4);
    }

    #[test]
    fn a_nack_acknowledged_at_once_frees_the_slot_for_the_message_itself() {
        let exponential = || Dist::exponential_mean(1.0).unwrap();
        let model = Model::builder("t")
            .queue(QueueBuilder::new("q", 2, exponential()).prefetch(1).retry(
                0.5,
                None,
                crate::model::Redelivery::Head,
            ))
            .producer(ProducerBuilder::open("p", "q", exponential()))
            .build()
            .unwrap();
        let streams = |source| stream(1, StreamSet::Replication(0), source);
        let mut station = Station::new(&model, 0, 2, streams);
        let messages = [Message::default(); 3];
        for slot in 0..3 {
            station.arrive(0.0, slot, 0, &messages);
        }
        // 2 is ready; consumer 0 nacks 0, which it serves again at once,
        // ahead of 2: the shared line's requeue at the head.
        assert_eq!(station.requeue_head(1.0, 0, 0), Some((true, None)));
        assert!(matches!(station.take_waiting(&messages), Take::Idle));
        assert_eq!(station.window_counts().unwrap().ready, 1);
        assert_eq!(station.waiting(), 1);
    }
}
