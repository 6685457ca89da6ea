//! Consumer outages (the availability axis): each consumer fails after an
//! up time and is repaired after a repair time, drawn in event order from
//! the queue's outage stream, busy or idle. A failing consumer hands back
//! what it held, to the head of the line in its order: the message in
//! service (served again from the start: the engine keeps its requirement)
//! and, with prefetch windows, its buffered deliveries (`window.rs`). On
//! the shared line the station tells its consumers apart only here: a
//! message starting service goes to the idle consumer freed last, so a
//! failure knows whether its consumer was busy, and with what.
//!
//! Memory: per consumer a flag and the message it serves; per message slot
//! its consumer (grown to the peak number of slots, never per message).

use super::Station;
use crate::model::{Dispatch, Outage};
use crate::sim::message::Message;
use crate::sim::streams::Stream;

/// No message (an idle consumer).
const NONE: u32 = u32::MAX;

/// The outages of one queue's consumers.
pub(crate) struct Outages<'a> {
    outage: &'a Outage,
    /// Stream of the up and repair times, in event order.
    draws: Stream,
    /// Per consumer: up (not failed).
    up: Box<[bool]>,
    /// Consumers up.
    up_count: u32,
    /// Shared line: the message each consumer serves ([`NONE`]: idle or
    /// down); empty with prefetch windows, which know it themselves.
    serving: Box<[u32]>,
    /// Shared line: up consumers serving nothing, the last freed on top.
    idle: Vec<u32>,
    /// Shared line: by message slot, the consumer serving it.
    consumer_of: Vec<u32>,
    /// The messages the last failure handed back, first to go first.
    requeued: Vec<u32>,
}

/// What a consumer's failure hands back.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Failed {
    /// The message it was serving, if any (its service is lost).
    pub(crate) in_service: Option<u32>,
    /// Messages back at the head of the line, the one in service
    /// included ([`Station::requeued`] lists them).
    pub(crate) requeued: usize,
    /// How long the consumer stays down.
    pub(crate) repair: f64,
}

impl<'a> Outages<'a> {
    /// `consumers` up and idle, drawing from `draws`; `shared_line` when
    /// the station tells its consumers apart here.
    pub(crate) fn new(
        outage: &'a Outage,
        consumers: u32,
        shared_line: bool,
        draws: Stream,
    ) -> Self {
        let tracked = if shared_line { consumers as usize } else { 0 };
        Outages {
            outage,
            draws,
            up: vec![true; consumers as usize].into_boxed_slice(),
            up_count: consumers,
            serving: vec![NONE; tracked].into_boxed_slice(),
            // Popped from the top: consumer 0 first.
            idle: (0..tracked as u32).rev().collect(),
            consumer_of: Vec::new(),
            requeued: Vec::new(),
        }
    }

    /// Shared line: an idle consumer that is up starts `slot` (one is, as
    /// the station counts only the consumers up).
    #[inline]
    pub(crate) fn assign(&mut self, slot: u32) {
        if self.serving.is_empty() {
            return;
        }
        let consumer = self.idle.pop().expect("a start needs an idle consumer up");
        self.serving[consumer as usize] = slot;
        let index = slot as usize;
        if index >= self.consumer_of.len() {
            self.consumer_of.resize(index + 1, NONE);
        }
        self.consumer_of[index] = consumer;
    }

    /// Shared line: the consumer of `slot` is done with it; idle, if up.
    #[inline]
    pub(crate) fn release(&mut self, slot: u32) {
        if self.serving.is_empty() {
            return;
        }
        let consumer = self.consumer_of[slot as usize];
        self.serving[consumer as usize] = NONE;
        if self.up[consumer as usize] {
            self.idle.push(consumer);
        }
    }

    /// Whether `consumer` is up.
    pub(crate) fn is_up(&self, consumer: u32) -> bool {
        self.up[consumer as usize]
    }
}

impl<'a> Station<'a> {
    fn outages(&mut self) -> &mut Outages<'a> {
        self.outages
            .as_deref_mut()
            .expect("a queue with consumer outages")
    }

    /// A consumer's next up time, for a queue whose consumers fail.
    pub(crate) fn up_time(&mut self) -> Option<f64> {
        let outages = self.outages.as_deref_mut()?;
        Some(outages.draws.draw(&outages.outage.up))
    }

    /// Consumers up now, for a queue whose consumers fail.
    pub(crate) fn consumers_up(&self) -> Option<u32> {
        self.outages.as_deref().map(|outages| outages.up_count)
    }

    /// `consumer` fails: it takes nothing until repaired, and what it held
    /// goes back to the head of the line, in its order.
    pub(crate) fn fail(&mut self, consumer: u32, messages: &[Message]) -> Failed {
        let outages = self.outages();
        outages.up[consumer as usize] = false;
        outages.up_count -= 1;
        let repair = outages.draws.draw(&outages.outage.repair);
        let mut requeued = std::mem::take(&mut outages.requeued);
        requeued.clear();
        let in_service = match self.spec.dispatch {
            Dispatch::SharedLine => {
                let outages = self.outages();
                let slot = outages.serving[consumer as usize];
                if slot == NONE {
                    let idle = outages.idle.iter().position(|&c| c == consumer);
                    outages.idle.swap_remove(idle.expect("an idle consumer up"));
                    None
                } else {
                    requeued.push(slot);
                    Some(slot)
                }
            }
            Dispatch::Window(_) => {
                let serving = self.windows().crash(consumer, &mut requeued);
                serving.then(|| requeued[0])
            }
            Dispatch::Partitioned(_) => unreachable!("partitions refuse outages"),
        };
        self.consumers -= 1;
        if let Some(slot) = in_service {
            self.finish(slot);
        }
        for &slot in requeued.iter().rev() {
            self.line
                .push_front(slot, messages[slot as usize].class as usize);
        }
        let count = requeued.len();
        self.outages().requeued = requeued;
        Failed {
            in_service,
            requeued: count,
            repair,
        }
    }

    /// The `index`-th message the last failure handed back.
    pub(crate) fn requeued(&self, index: usize) -> u32 {
        self.outages
            .as_deref()
            .expect("a queue with consumer outages")
            .requeued[index]
    }

    /// `consumer` is repaired: it takes messages again. Returns its next
    /// up time.
    pub(crate) fn repair(&mut self, consumer: u32) -> f64 {
        let outages = self.outages();
        outages.up[consumer as usize] = true;
        outages.up_count += 1;
        if !outages.serving.is_empty() {
            outages.idle.push(consumer);
        }
        self.consumers += 1;
        if let Some(windows) = self.windows.as_deref_mut() {
            windows.rejoin(consumer);
        }
        self.up_time().expect("a queue with consumer outages")
    }
}

#[cfg(test)]
mod tests {
    use super::super::effect::Take;
    use super::*;
    use crate::dist::Dist;
    use crate::model::{Model, ProducerBuilder, QueueBuilder};

    fn model(queue: impl FnOnce(QueueBuilder) -> QueueBuilder) -> Model {
        let exponential = || Dist::exponential_mean(1.0).unwrap();
        let outage = |q: QueueBuilder| q.outage(exponential(), exponential());
        Model::builder("t")
            .queue(queue(outage(QueueBuilder::new("q", 2, exponential()))))
            .producer(ProducerBuilder::open("p", "q", exponential()))
            .build()
            .unwrap()
    }

    #[test]
    fn a_failing_consumer_of_the_shared_line_hands_back_its_message_to_the_head() {
        let model = model(|q| q);
        let mut station = Station::first_queue_for_tests(&model, 2);
        let messages = [Message::default(); 4];
        for slot in 0..3 {
            station.arrive(0.0, slot, 0, &messages);
        }
        // Consumer 0 serves 0, consumer 1 serves 1; 2 waits.
        let failed = station.fail(0, &messages);
        assert_eq!((failed.in_service, failed.requeued), (Some(0), 1));
        assert_eq!(station.requeued(0), 0);
        assert_eq!(station.consumers_up(), Some(1));
        // Nobody is free: 0 waits ahead of 2.
        assert!(matches!(station.take_waiting(&messages), Take::Idle));
        station.depart(1.0, 1, &messages);
        assert!(matches!(station.take_waiting(&messages), Take::Start(0)));
        // An idle consumer fails with nothing to hand back.
        station.repair(0);
        let failed = station.fail(0, &messages);
        assert_eq!((failed.in_service, failed.requeued), (None, 0));
        station.repair(0);
        assert!(matches!(station.take_waiting(&messages), Take::Start(2)));
    }

    #[test]
    fn a_failing_consumer_hands_back_its_window_in_order_ahead_of_the_ready_line() {
        let model = model(|q| q.prefetch(2));
        let mut station = Station::first_queue_for_tests(&model, 2);
        let messages = [Message::default(); 5];
        for slot in 0..5 {
            station.arrive(0.0, slot, 0, &messages);
        }
        // Consumer 0 serves 0 and holds 2, consumer 1 serves 1 and holds
        // 3; 4 is ready.
        let failed = station.fail(0, &messages);
        assert_eq!((failed.in_service, failed.requeued), (Some(0), 2));
        assert_eq!([station.requeued(0), station.requeued(1)], [0, 2]);
        let counts = station.window_counts().unwrap();
        assert_eq!((counts.ready, counts.unacked), (3, 2));
        // Consumer 1's window is full: nothing moves until the repair,
        // then consumer 0 takes 0 and 2 back, in their order; 4 waits on.
        assert!(matches!(station.take_waiting(&messages), Take::Idle));
        station.repair(0);
        assert!(matches!(station.take_waiting(&messages), Take::Start(0)));
        assert!(matches!(
            station.take_waiting(&messages),
            Take::Delivered(2)
        ));
        assert!(matches!(station.take_waiting(&messages), Take::Idle));
        assert_eq!(station.window_counts().unwrap().ready, 1);
    }
}
