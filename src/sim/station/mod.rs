//! A station in a run: one queue's state, built from one behaviour per
//! axis of [`Queue`], one file per behaviour. Stations change only their
//! own state (line, consumers, random streams) and return [`effect`]s; the
//! engine applies them to the calendar, the collector and the message
//! slots.
//!
//! - `admission.rs` (admission): who gets in, and what a full queue does.
//! - `line.rs` (order): the order in which waiting messages are taken.
//! - `preemptive.rs` (order): urgent arrivals interrupt a service.
//! - `shared.rs` (order): processor sharing, everyone present served at once.
//! - `dispatch.rs` (dispatch): how waiting messages reach a free consumer.
//! - `window.rs` (dispatch): prefetch windows, per-consumer deliveries
//!   held until acknowledged.
//! - `partitions.rs` (dispatch): partitions, each owned by one consumer
//!   of a group (Kafka).
//! - `consumption.rs` (consumption): what a consumer takes at once, and
//!   when it is free again.
//! - `outage.rs` (availability): consumers that fail and are repaired,
//!   handing back what they held.
//! - `poll.rs` (consumption): batch polling, a partitioned queue's
//!   consumers taking batches in a poll loop (Kafka).
//! - `rebalance.rs` (consumption): poll timeouts, and the rebalances that
//!   pause a polling group.
//! - `exit.rs` (exit): routing after service, retries of failed
//!   deliveries, expiry to a dead-letter queue.
//! - `lease.rs` (exit): duplicate deliveries after a lease runs out,
//!   taken before the line.
//! - `effect.rs`: what a station returns to the engine.

mod admission;
mod consumption;
mod dispatch;
pub(crate) mod effect;
mod exit;
mod lease;
mod line;
mod outage;
mod partitions;
mod poll;
mod preemptive;
mod rebalance;
mod shared;
mod window;

use super::message::Message;
use super::streams::{Source, Stream};
use crate::model::{Class, Discipline, Dispatch, Model, Queue};
use admission::Admit;
use effect::{Arrival, Departed, Next};
use exit::ExitDraws;
use lease::RedeliveryLine;
use line::WaitingLine;
use outage::Outages;
pub(crate) use partitions::PartitionPicks;
use partitions::Partitions;
use preemptive::InService;
use shared::Sharing;
use window::Windows;
pub(crate) use window::{Requeued, WindowCounts};

/// A queue's state, next to its spec and its random streams.
pub(crate) struct Station<'a> {
    spec: &'a Queue,
    classes: &'a [Class],
    /// Consumers working now (they change with a consumer schedule).
    consumers: u32,
    /// Consumers serving a message.
    busy: u32,
    /// Messages waiting or in service.
    in_system: u32,
    line: WaitingLine,
    /// The partitions and consumer lines of a partitioned queue.
    partitions: Option<Box<Partitions>>,
    serving: Serving,
    /// Stream of the service times, drawn in arrival order.
    services: Stream,
    exit: ExitDraws<'a>,
    /// The consumers' prefetch windows, for a queue that has them.
    windows: Option<Box<Windows<'a>>>,
    /// The consumers' failures and repairs, for a queue whose consumers
    /// fail.
    outages: Option<Box<Outages<'a>>>,
    /// Duplicate deliveries waiting, at a queue with a lease (made on the
    /// first).
    redeliveries: Option<RedeliveryLine>,
}

/// How a station's consumers work through the messages they serve (the
/// order axis, beyond the line's order). Boxed, so that telling the
/// variants apart is one byte on the hot path.
enum Serving {
    /// Each service, once started, runs to completion.
    ToCompletion,
    /// A service may be interrupted: the messages in service.
    Preemptive(Box<InService>),
    /// Every message present shares the consumers (processor sharing).
    Shared(Box<Sharing>),
}

impl<'a> Station<'a> {
    /// Queue `index` of `model`, idle, with `consumers` working and its
    /// streams from `stream`.
    pub(crate) fn new(
        model: &'a Model,
        index: usize,
        consumers: u32,
        stream: impl Fn(Source) -> Stream,
    ) -> Self {
        let spec = &model.queues[index];
        Station {
            spec,
            classes: &model.classes,
            consumers,
            busy: 0,
            in_system: 0,
            line: WaitingLine::new(spec.discipline, model, stream(Source::Order(index))),
            partitions: spec.partitioning().map(|partitioning| {
                let keys = stream(Source::Keys(index));
                let overheads = || stream(Source::Polls(index));
                Box::new(Partitions::new(model, index, partitioning, keys, overheads))
            }),
            serving: match spec.discipline {
                Discipline::LifoPreemptive | Discipline::PriorityPreemptive => {
                    Serving::Preemptive(Box::new(InService::new(spec.discipline, model)))
                }
                Discipline::ProcessorSharing => {
                    Serving::Shared(Box::new(Sharing::new(spec.consumers)))
                }
                Discipline::Fifo | Discipline::Lifo | Discipline::Priority | Discipline::Random => {
                    Serving::ToCompletion
                }
            },
            services: stream(Source::Services(index)),
            exit: ExitDraws::new(
                stream(Source::Routing(index)),
                stream(Source::Patience(index)),
                stream(Source::Failures(index)),
            ),
            windows: spec.window().map(|window| {
                Box::new(Windows::new(
                    window,
                    spec.consumers,
                    stream(Source::Acks(index)),
                    stream(Source::Deliveries(index)),
                ))
            }),
            outages: spec.outage().map(|outage| {
                let shared_line = matches!(spec.dispatch, Dispatch::SharedLine);
                let draws = stream(Source::Outages(index));
                Box::new(Outages::new(outage, consumers, shared_line, draws))
            }),
            redeliveries: None,
        }
    }

    /// The queue this station runs.
    pub(crate) fn spec(&self) -> &'a Queue {
        self.spec
    }

    /// Messages waiting: in the line, or sharing beyond the consumers.
    pub(crate) fn waiting(&self) -> u32 {
        match self.serving {
            Serving::Shared(_) => self.in_system.saturating_sub(self.consumers),
            _ => self.in_system - self.busy,
        }
    }

    /// A consumer schedule sets the consumers working now; the engine then
    /// lets the new ones take waiting messages. Consumers leaving finish
    /// their message first.
    pub(crate) fn set_consumers(&mut self, consumers: u32) {
        self.consumers = consumers;
    }

    /// A message of `class` in `slot` arrives at `now` (the general path;
    /// the engine calls [`Station::arrive_path`] for the path it runs).
    #[cfg(test)]
    pub(crate) fn arrive(
        &mut self,
        now: f64,
        slot: u32,
        class: usize,
        messages: &[Message],
    ) -> Arrival {
        self.arrive_path::<false>(now, slot, class, messages)
    }

    /// [`Station::arrive`] on the engine's lean path (`LEAN`: no admission
    /// limit, service to completion from one shared line, no patience) or
    /// the general one.
    #[inline(always)]
    pub(crate) fn arrive_path<const LEAN: bool>(
        &mut self,
        now: f64,
        slot: u32,
        class: usize,
        messages: &[Message],
    ) -> Arrival {
        // Drawn in arrival order at the queue, blocked or not, so the k-th
        // arrival gets the k-th service time whatever the consumers or the
        // capacity: sweep points compare like with like.
        let service = self
            .services
            .draw(self.classes[class].service_at(self.spec));
        let admit = if LEAN { Admit::In } else { self.admit() };
        let drops_oldest = match admit {
            Admit::In => false,
            Admit::InDroppingOldest => true,
            Admit::Rejected(dead_letter) => return Arrival::Rejected { dead_letter },
        };
        self.in_system += 1;
        match self.serving {
            _ if LEAN => Arrival::Accepted {
                service,
                preempted: None,
                entry: self.join_line::<LEAN>(now, slot, class),
                drops_oldest,
            },
            Serving::ToCompletion => Arrival::Accepted {
                service,
                preempted: None,
                entry: self.join(now, slot, class, messages),
                drops_oldest,
            },
            // Drop-head needs a FIFO line: these never drop.
            Serving::Preemptive(_) => self.join_preemptive(now, slot, class, service, messages),
            Serving::Shared(_) => self.share(now, slot, service),
        }
    }

    /// The service of `slot` ends at `now`; then the engine asks where the
    /// message goes ([`Station::route`]). The general path; the engine
    /// calls [`Station::depart_path`] for the path it runs.
    #[cfg(test)]
    pub(crate) fn depart(&mut self, now: f64, slot: u32, messages: &[Message]) -> Departed {
        self.depart_path::<false>(now, slot, messages)
    }

    /// [`Station::depart`] on the engine's lean path (`LEAN`: service to
    /// completion from one shared line, no outages, no windows) or the
    /// general one.
    #[inline(always)]
    pub(crate) fn depart_path<const LEAN: bool>(
        &mut self,
        now: f64,
        slot: u32,
        messages: &[Message],
    ) -> Departed {
        let (promoted, next) = match self.serving {
            Serving::Shared(_) if !LEAN => {
                let (promoted, completion) = self.share_departure(now);
                (promoted, Next::Completion(completion))
            }
            _ => {
                self.finish_path::<LEAN>(slot);
                if !LEAN {
                    self.release(now, slot, &messages[slot as usize]);
                }
                self.in_system -= 1;
                let next = if LEAN || self.windows.is_none() {
                    Next::TakeWaiting
                } else {
                    self.leave_window(now, slot)
                };
                (false, next)
            }
        };
        Departed { promoted, next }
    }
}

#[cfg(test)]
impl<'a> Station<'a> {
    /// Queue 0 of `model` with `consumers` working, its streams those of
    /// seed 1's first replication: a station for unit tests.
    pub(crate) fn first_queue_for_tests(model: &'a Model, consumers: u32) -> Self {
        use super::streams::{StreamSet, stream};
        let streams = |source| stream(1, StreamSet::Replication(0), source);
        Station::new(model, 0, consumers, streams)
    }
}

#[cfg(test)]
mod tests {
    use super::effect::{Entry, Take};
    use super::*;
    use crate::dist::Dist;
    use crate::model::{Overflow, ProducerBuilder, QueueBuilder};

    #[test]
    fn a_station_says_what_follows_without_an_engine() {
        let exponential = || Dist::exponential_mean(1.0).unwrap();
        let model = Model::builder("t")
            .queue(QueueBuilder::new("q", 1, exponential()).capacity(2))
            .producer(ProducerBuilder::open("p", "q", exponential()))
            .build()
            .unwrap();
        let mut station = Station::first_queue_for_tests(&model, 1);
        let messages = [Message::default(); 3];
        let starts = station.arrive(0.0, 0, 0, &messages);
        assert!(matches!(
            starts,
            Arrival::Accepted {
                preempted: None,
                entry: Entry::Starts,
                ..
            }
        ));
        let waits = station.arrive(0.1, 1, 0, &messages);
        assert!(matches!(
            waits,
            Arrival::Accepted {
                entry: Entry::Waits { expires: None },
                ..
            }
        ));
        assert!(matches!(
            station.arrive(0.2, 2, 0, &messages),
            Arrival::Rejected { dead_letter: None }
        ));
        let departed = station.depart(1.0, 0, &messages);
        assert!(matches!(
            departed,
            Departed {
                promoted: false,
                next: Next::TakeWaiting
            }
        ));
        assert_eq!(station.route(), None);
        assert!(matches!(station.take_waiting(&messages), Take::Start(1)));
        assert!(matches!(station.take_waiting(&messages), Take::Idle));
    }

    /// One consumer, at most one message waiting, with `overflow` (victims
    /// to queue `dlq`).
    fn max_length_one(overflow: Overflow) -> Model {
        let exponential = || Dist::exponential_mean(1.0).unwrap();
        Model::builder("t")
            .queue(
                QueueBuilder::new("q", 1, exponential())
                    .max_length(1)
                    .overflow(overflow)
                    .dead_letter("dlq"),
            )
            .queue(QueueBuilder::new("dlq", 1, exponential()))
            .producer(ProducerBuilder::open("p", "q", exponential()))
            .build()
            .unwrap()
    }

    #[test]
    fn a_full_drop_head_station_lets_the_arrival_in_and_drops_the_oldest() {
        let model = max_length_one(Overflow::DropHead);
        let mut station = Station::first_queue_for_tests(&model, 1);
        let messages = [Message::default(); 3];
        let drops = |arrival| match arrival {
            Arrival::Accepted { drops_oldest, .. } => drops_oldest,
            Arrival::Rejected { .. } => panic!("drop-head rejects nobody"),
        };
        // One in service and one waiting fill it; the third gets in over
        // the limit, so the one waiting longest goes.
        assert!(!drops(station.arrive(0.0, 0, 0, &messages)));
        assert!(!drops(station.arrive(0.1, 1, 0, &messages)));
        assert!(drops(station.arrive(0.2, 2, 0, &messages)));
        assert_eq!(station.pop_oldest(), Some(1));
        assert_eq!(station.drop_oldest(), Some(1), "to the dead-letter queue");
        assert_eq!(station.waiting(), 1);
        station.depart(1.0, 0, &messages);
        assert!(matches!(station.take_waiting(&messages), Take::Start(2)));
    }

    #[test]
    fn a_full_reject_publish_dlx_station_sends_the_arrival_to_its_dead_letter_queue() {
        let model = max_length_one(Overflow::RejectToDeadLetter);
        let mut station = Station::first_queue_for_tests(&model, 1);
        let messages = [Message::default(); 3];
        station.arrive(0.0, 0, 0, &messages);
        station.arrive(0.1, 1, 0, &messages);
        assert!(matches!(
            station.arrive(0.2, 2, 0, &messages),
            Arrival::Rejected {
                dead_letter: Some(1)
            }
        ));
        assert_eq!(station.waiting(), 1);
    }
}
