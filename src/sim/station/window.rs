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
//! With a delivery trip, a delivery leaves the ready line when the broker
//! sends it (a `max_length` no longer counts it) and lands at its consumer
//! after the trip, each consumer's deliveries landing in the order sent; a
//! consumer starts its next delivery once it has landed. A consumer idle
//! with its next delivery on its way is told apart by the landing the
//! engine schedules.
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
use super::effect::{Entry, Landing, Next, Take};
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
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Requeued {
    /// To an idle consumer with a free slot, which serves it now.
    Starts,
    /// To an idle consumer with a free slot, on its way (a delivery trip).
    Sent(Landing),
    /// To the buffer of a consumer with a free slot.
    Buffered,
    /// To the head of the ready line (no consumer had a free slot).
    Ready,
}

/// What a delivery did at its consumer.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Delivered {
    /// The consumer was idle with nothing buffered: it serves it now.
    Starts,
    /// The consumer was idle with nothing buffered: it serves it once it
    /// lands (a delivery trip).
    Sent(Landing),
    /// Into the consumer's buffer, behind what it holds.
    Buffered,
}

/// What a consumer free to start its next delivery does.
#[derive(Clone, Copy, Debug, PartialEq)]
enum NextDelivery {
    /// It serves this one, which has landed.
    Starts(u32),
    /// It waits for it to land.
    Awaits(Landing),
}

/// A consumer's delivered messages not yet started, first to last.
#[derive(Clone, Copy, Debug)]
struct Buffer {
    head: u32,
    tail: u32,
}

/// Where a delivered message is: its consumer, the next message of that
/// consumer's buffer, and when it lands there.
#[derive(Clone, Copy, Debug)]
struct Link {
    consumer: u32,
    next: u32,
    lands: f64,
}

/// The prefetch windows of one queue's consumers.
pub(crate) struct Windows<'a> {
    prefetch: u32,
    ack: Option<&'a Dist>,
    /// Stream of the acknowledgement round trips, drawn in service order.
    acks: Stream,
    delivery: Option<&'a Dist>,
    /// Stream of the delivery trips, drawn in delivery order.
    trips: Stream,
    /// When each consumer's latest delivery lands (deliveries land in
    /// the order sent).
    last_landing: Box<[f64]>,
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
    /// `acks` and delivery trips from `trips`.
    pub(crate) fn new(window: &'a Window, consumers: u32, acks: Stream, trips: Stream) -> Self {
        let n = consumers as usize;
        Windows {
            prefetch: window.prefetch,
            ack: window.ack.as_ref(),
            acks,
            delivery: window.delivery.as_ref(),
            trips,
            last_landing: vec![f64::NEG_INFINITY; n].into_boxed_slice(),
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

    /// Delivers `slot` at `now` to the consumer next in turn (one has a
    /// free slot).
    fn deliver(&mut self, now: f64, slot: u32) -> Delivered {
        let consumer = self
            .free
            .pop_front()
            .expect("a delivery needs a consumer with a free slot");
        self.held[consumer as usize] += 1;
        self.unacked += 1;
        if self.held[consumer as usize] < self.prefetch {
            self.free.push_back(consumer);
        }
        let lands = match self.delivery {
            Some(trip) => {
                let last = &mut self.last_landing[consumer as usize];
                *last = (now + self.trips.draw(trip)).max(*last);
                *last
            }
            None => now,
        };
        let index = slot as usize;
        if index >= self.links.len() {
            self.links.resize(
                index + 1,
                Link {
                    consumer: NONE,
                    next: NONE,
                    lands: 0.0,
                },
            );
        }
        self.links[index] = Link {
            consumer,
            next: NONE,
            lands,
        };
        let buffer = &mut self.buffers[consumer as usize];
        let idle = self.serving[consumer as usize] == NONE && buffer.head == NONE;
        if idle && self.delivery.is_none() {
            self.serving[consumer as usize] = slot;
            self.busy += 1;
            return Delivered::Starts;
        }
        if buffer.tail == NONE {
            buffer.head = slot;
        } else {
            self.links[buffer.tail as usize].next = slot;
        }
        buffer.tail = slot;
        self.buffered += 1;
        if idle {
            Delivered::Sent(Landing {
                consumer,
                at: lands,
            })
        } else {
            Delivered::Buffered
        }
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
        let went = match self.deliver(now, slot) {
            Delivered::Starts => Requeued::Starts,
            Delivered::Sent(landing) => Requeued::Sent(landing),
            Delivered::Buffered => Requeued::Buffered,
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

    /// The consumer that just finished starts its next buffered message
    /// at `now`, if it has one (and has not started one meanwhile) and it
    /// has landed.
    fn start_buffered(&mut self, now: f64) -> Option<NextDelivery> {
        let consumer = std::mem::replace(&mut self.finished, NONE);
        if consumer == NONE {
            return None;
        }
        self.start_next(consumer, now)
    }

    /// `consumer`, if idle, starts its next delivery at `now` if it has
    /// landed, or awaits it.
    fn start_next(&mut self, consumer: u32, now: f64) -> Option<NextDelivery> {
        if self.serving[consumer as usize] != NONE {
            return None;
        }
        let buffer = &mut self.buffers[consumer as usize];
        let slot = buffer.head;
        if slot == NONE {
            return None;
        }
        let lands = self.links[slot as usize].lands;
        if lands > now {
            return Some(NextDelivery::Awaits(Landing {
                consumer,
                at: lands,
            }));
        }
        buffer.head = self.links[slot as usize].next;
        if buffer.head == NONE {
            buffer.tail = NONE;
        }
        self.buffered -= 1;
        self.serving[consumer as usize] = slot;
        self.busy += 1;
        Some(NextDelivery::Starts(slot))
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
        match self.windows().deliver(now, slot) {
            Delivered::Starts => {
                self.start(slot, class);
                Entry::Starts
            }
            Delivered::Sent(landing) => Entry::Sent(landing),
            // In a consumer's buffer: it waits, but no longer expires.
            Delivered::Buffered => Entry::Waits { expires: None },
        }
    }

    /// One step of the windows after a change at `now`: a consumer with a
    /// free slot takes the head of the ready line (the engine frees the
    /// slots of expired messages handed back); then the consumer that just
    /// finished starts its next buffered message, or awaits it. The engine
    /// asks until [`Take::Idle`].
    pub(super) fn take_from_window(&mut self, now: f64, messages: &[Message]) -> Take {
        if self.windows().can_deliver()
            && let Some(slot) = self.line.pop()
        {
            let message = &messages[slot as usize];
            if message.expired {
                return Take::Expired(slot);
            }
            self.windows().ready -= 1;
            return match self.windows().deliver(now, slot) {
                Delivered::Starts => {
                    self.start(slot, message.class as usize);
                    Take::Start(slot)
                }
                Delivered::Sent(landing) => Take::Sent { slot, landing },
                Delivered::Buffered => Take::Delivered(slot),
            };
        }
        match self.windows().start_buffered(now) {
            Some(NextDelivery::Starts(slot)) => Take::Start(self.start_landed(slot, messages)),
            Some(NextDelivery::Awaits(landing)) => Take::Awaits(landing),
            None => Take::Idle,
        }
    }

    /// A delivery to `consumer` lands at `now`: the consumer, if idle,
    /// starts its next delivery if that has landed (returned).
    pub(crate) fn land(&mut self, now: f64, consumer: u32, messages: &[Message]) -> Option<u32> {
        match self.windows().start_next(consumer, now)? {
            NextDelivery::Starts(slot) => Some(self.start_landed(slot, messages)),
            // Still on its way: its own landing is scheduled already.
            NextDelivery::Awaits(_) => None,
        }
    }

    /// Counts `slot`, a landed delivery its consumer starts, as started.
    fn start_landed(&mut self, slot: u32, messages: &[Message]) -> u32 {
        self.start(slot, messages[slot as usize].class as usize);
        slot
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
    /// at the head of the queue (see the module's doc): returns where it
    /// went, and the nacking consumer's round trip, unless immediate.
    pub(super) fn requeue_to_window(
        &mut self,
        now: f64,
        slot: u32,
        class: usize,
    ) -> (Requeued, Option<(u32, f64)>) {
        self.finish(slot);
        let (went, ack) = self.windows().requeue(now, slot);
        match went {
            Requeued::Starts => self.start(slot, class),
            Requeued::Sent(_) | Requeued::Buffered => {}
            Requeued::Ready => self.line.push_front(slot, class),
        }
        (went, ack)
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
        let mut station = Station::first_queue_for_tests(&model, 2);
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
    fn a_delivery_leaves_the_ready_line_when_sent_and_starts_when_it_lands() {
        let exponential = || Dist::exponential_mean(1.0).unwrap();
        let model = Model::builder("t")
            .queue(
                QueueBuilder::new("q", 1, exponential())
                    .prefetch(2)
                    .delivery(Dist::deterministic(0.5).unwrap()),
            )
            .producer(ProducerBuilder::open("p", "q", exponential()))
            .build()
            .unwrap();
        let mut station = Station::first_queue_for_tests(&model, 1);
        let messages = [Message::default(); 3];
        let landing = |at| Landing { consumer: 0, at };
        // 0 goes to the idle consumer and lands at 0.5; 1 is sent behind
        // it at 0.2 (landing at 0.7); 2 stays ready (the window is full).
        let entry =
            |station: &mut Station<'_>, now, slot| match station.arrive(now, slot, 0, &messages) {
                Arrival::Accepted { entry, .. } => entry,
                Arrival::Rejected { .. } => panic!("accepted"),
            };
        assert!(matches!(entry(&mut station, 0.0, 0), Entry::Sent(l) if l == landing(0.5)));
        assert!(matches!(
            entry(&mut station, 0.2, 1),
            Entry::Waits { expires: None }
        ));
        assert!(matches!(entry(&mut station, 0.3, 2), Entry::Waits { .. }));
        let counts = station.window_counts().unwrap();
        assert_eq!((counts.ready, counts.unacked), (1, 2));
        // Too early, nothing starts; at 0.5 the consumer starts 0.
        assert_eq!(station.land(0.4, 0, &messages), None);
        assert_eq!(station.land(0.5, 0, &messages), Some(0));
        // 0 ends at 0.6, acknowledged at once: 2 is sent (landing at 1.1),
        // and the consumer awaits 1, still on its way until 0.7.
        station.depart(0.6, 0, &messages);
        assert!(matches!(
            station.take_waiting_path::<false>(0.6, &messages),
            Take::Delivered(2)
        ));
        assert!(matches!(
            station.take_waiting_path::<false>(0.6, &messages),
            Take::Awaits(l) if l == landing(0.7)
        ));
        assert!(matches!(
            station.take_waiting_path::<false>(0.6, &messages),
            Take::Idle
        ));
        assert_eq!(station.window_counts().unwrap().ready, 0);
        assert_eq!(station.land(0.7, 0, &messages), Some(1));
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
        let mut station = Station::first_queue_for_tests(&model, 2);
        let messages = [Message::default(); 6];
        for slot in 0..6 {
            station.arrive(0.0, slot, 0, &messages);
        }
        // Consumers 0 and 1 serve 0 and 1 and buffer 2 and 3; 4, 5 ready.
        // Consumer 0 nacks 0: every window is full, so it goes to the head
        // of the ready line, the slot held until the nack's round trip.
        assert_eq!(
            station.requeue_head(1.0, 0, 0),
            Some((Requeued::Ready, Some((0, 2.0))))
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
            Some((Requeued::Ready, Some((1, 2.5))))
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
        let mut station = Station::first_queue_for_tests(&model, 2);
        let messages = [Message::default(); 3];
        for slot in 0..3 {
            station.arrive(0.0, slot, 0, &messages);
        }
        // 2 is ready; consumer 0 nacks 0, which it serves again at once,
        // ahead of 2: the shared line's requeue at the head.
        assert_eq!(
            station.requeue_head(1.0, 0, 0),
            Some((Requeued::Starts, None))
        );
        assert!(matches!(station.take_waiting(&messages), Take::Idle));
        assert_eq!(station.window_counts().unwrap().ready, 1);
        assert_eq!(station.waiting(), 1);
    }
}
