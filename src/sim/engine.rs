//! The event-scheduling engine of one replication: producers publish,
//! stations hold, serve and route messages and return what follows as
//! effects, which the loop applies to the calendar, the message slots and
//! the collector, which observes.
//!
//! Measurement is arrival-based: external arrivals with index in the window
//! (after `warmup`, up to `customers` or until the horizon) are *tracked*;
//! the run continues until every tracked message has left, so no tracked
//! message is cut short. Time averages cover the window only.

use super::backlog::Drains;
use super::calendar::{Calendar, EventKind};
use super::clock::ProfileClock;
use super::collector::{Collector, Departure, Exit, Layers, Visit};
use super::message::{Message, Messages, Original};
use super::station::effect::{
    Arrival, Completion, Entry, Fetch, Landing, Next, PollTimer, Rebalance, Take, Verdict,
};
use super::station::{Requeued, Station};
use super::streams::{Source, Stream, StreamSet, stream};
use crate::dist::Dist;
use crate::model::metric::MetricValues;
use crate::model::profile::{Span, run_spans};
use crate::model::{Arrivals, Dispatch, Feature, Features, Model, Producer};
use crate::model::{Loss, VisitRecord};
use crate::run::RunLength;
use crate::stats::Percentiles;

/// Relative rounding of the clock: a message served at once leaves at
/// `arrival + service` rounded, so its sojourn minus its service is a few
/// ulps of the clock's value, not 0; a difference below this share of the
/// clock is rounding, and counts as no wait.
const CLOCK_ROUNDING: f64 = 8.0 * f64::EPSILON;

/// A producer's state: its spec and the stream of its gaps.
struct Publisher<'a> {
    spec: &'a Producer,
    /// Time from one message to the next: interarrival (open) or think time
    /// (closed loop).
    gap: &'a Dist,
    /// Stream of the gaps.
    gaps: Stream,
    /// Where a producer with a rate profile stands in it.
    clock: Option<ProfileClock>,
    /// The producers copying its messages to other consumer groups on its
    /// topic (see `model/fanout.rs`).
    copies: Vec<usize>,
}

/// What one replication measures and for how long.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    /// External arrivals discarded before the window opens.
    pub(crate) warmup: u64,
    /// Window length.
    pub(crate) length: RunLength,
    /// Consecutive batches the window is cut into for batch means (0:
    /// none): by arrival index with `customers`, by time with a horizon.
    pub(crate) batches: u32,
}

/// Output of one replication.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// Metric values per target (collector layout).
    pub(crate) values: Vec<MetricValues>,
    /// Events processed.
    pub(crate) events: u64,
    /// Waiting-time histogram per target.
    pub(crate) wait_distributions: Vec<Percentiles>,
    /// Metric values per reporting interval, then per target (empty
    /// without rate profiles).
    pub(crate) interval_values: Vec<Vec<MetricValues>>,
    /// Waiting-time histograms per reporting interval, then per target.
    pub(crate) interval_wait_distributions: Vec<Vec<Percentiles>>,
    /// Metric values per batch that began, then per target (empty
    /// without batches).
    pub(crate) batch_values: Vec<Vec<MetricValues>>,
}

/// The producer of a backlog message: none.
const NO_PRODUCER: u32 = u32::MAX;

/// The features the lean path of the event loop runs: none of them adds a
/// step to an arrival or a departure that the engine itself checks for
/// (the stations still tell their orders, classes and routes apart). A
/// model with any other feature, or with prefetch windows even of one
/// message acknowledged at once (the shared line, for theory, but not in
/// the simulator), or a run that logs visits or records waits, takes the
/// general path; both are one code, compiled twice, the lean one without
/// the checks for what cannot happen in it.
const LEAN: Features = Features::of(&[
    Feature::RenewalArrivals,
    Feature::GeneralService,
    Feature::Classes,
    Feature::ClassService,
    Feature::UnlimitedConsumers,
    Feature::Lifo,
    Feature::RandomOrder,
    Feature::Priority,
    Feature::Routing,
]);

/// One replication's state.
pub(crate) struct Engine<'a> {
    model: &'a Model,
    plan: Plan,
    now: f64,
    calendar: Calendar,
    messages: Messages,
    publishers: Vec<Publisher<'a>>,
    /// Some producer is a closed loop: a message leaving may trigger the
    /// next one.
    closed_loops: bool,
    stations: Vec<Station<'a>>,
    collector: Collector,
    arrivals: u64,
    /// Producers still sending: one replaying a recorded trace stops after
    /// its last gap.
    running_producers: usize,
    admitting: bool,
    tracked_in_system: u64,
    events: u64,
    /// The next batch to begin, and the arrival index it begins at (runs
    /// of `customers` cut into batches).
    next_batch: (u32, Option<u64>),
    wait_series: Option<Vec<f64>>,
    /// Where a replay logs every visit, when asked to.
    visit_log: Option<&'a mut Vec<VisitRecord>>,
    /// Queues catching up with a starting backlog.
    drains: Drains,
}

impl<'a> Engine<'a> {
    /// A fresh run of `model` with the streams of (`seed`, `streams`).
    pub(crate) fn new(model: &'a Model, plan: Plan, seed: u64, streams: StreamSet) -> Self {
        let stream = |source| stream(seed, streams, source);
        let spans = run_spans(model, plan.length);
        Engine {
            model,
            plan,
            now: 0.0,
            calendar: Calendar::default(),
            messages: Messages::default(),
            publishers: model
                .producers
                .iter()
                .enumerate()
                .map(|(index, spec)| Publisher {
                    spec,
                    gap: match &spec.arrivals {
                        Arrivals::Open { interarrival } => interarrival,
                        Arrivals::Closed { think, .. } => think,
                    },
                    gaps: stream(Source::Interarrivals(index)),
                    clock: spec.profile.as_ref().map(ProfileClock::new),
                    copies: (0..model.producers.len())
                        .filter(|&copy| model.producers[copy].copy_of == Some(index))
                        .collect(),
                })
                .collect(),
            closed_loops: model
                .producers
                .iter()
                .any(|producer| matches!(producer.arrivals, Arrivals::Closed { .. })),
            stations: model
                .queues
                .iter()
                .enumerate()
                .map(|(index, queue)| {
                    let consumers = spans.first().map_or(queue.consumers, |span| {
                        model.consumers_at(index, span.middle())
                    });
                    Station::new(model, index, consumers, stream)
                })
                .collect(),
            collector: Collector::new(
                model,
                if plan.batches > 0 {
                    Layers::Batches(plan.batches)
                } else {
                    Layers::Intervals(spans)
                },
            ),
            arrivals: 0,
            running_producers: model
                .producers
                .iter()
                .filter(|p| p.copy_of.is_none())
                .count(),
            admitting: true,
            tracked_in_system: 0,
            events: 0,
            next_batch: (1, batch_start(plan, 1)),
            wait_series: None,
            visit_log: None,
            drains: Drains::new(model),
        }
    }

    /// Routes with recorded choices: after its k-th service, queue `q`
    /// sends the message to `routes[q][k]` (`None`: it leaves), drawing as
    /// usual only past the end of the recording.
    pub(crate) fn replay_routes(mut self, routes: &'a [Vec<Option<usize>>]) -> Self {
        for (station, recorded) in self.stations.iter_mut().zip(routes) {
            station.replay_routes(recorded);
        }
        self
    }

    /// Fails deliveries as recorded: the k-th delivery ending at queue `q`
    /// fails when `failures[q][k]` says so, drawn as usual only past the
    /// end of the recording (and only at a queue with a `retry`).
    pub(crate) fn replay_failures(mut self, failures: &'a [Vec<bool>]) -> Self {
        for (station, recorded) in self.stations.iter_mut().zip(failures) {
            station.replay_failures(recorded);
        }
        self
    }

    /// Logs every completed or rejected visit into `log`, in event order.
    pub(crate) fn record_visits(mut self, log: &'a mut Vec<VisitRecord>) -> Self {
        self.visit_log = Some(log);
        self
    }

    /// Records the total waiting time of each tracked message by arrival
    /// index (NaN for a blocked message), for warm-up detection and replays.
    pub(crate) fn record_waits(mut self) -> Self {
        if let RunLength::Customers(customers) = self.plan.length {
            self.wait_series = Some(vec![f64::NAN; customers as usize]);
        }
        self
    }

    /// Runs until every tracked message has left; returns the measurements
    /// and, when [`Engine::record_waits`] was called, the wait series.
    pub(crate) fn run(mut self) -> (Outcome, Option<Vec<f64>>) {
        self.simulate();
        self.outcome()
    }

    /// Processes events until every tracked message has left.
    fn simulate(&mut self) {
        // Interval starts first: an arrival at the same instant comes after
        // and counts in the new interval.
        for (index, span) in self.collector.intervals().iter().enumerate().skip(1) {
            self.calendar.schedule(
                span.start,
                EventKind::IntervalStart {
                    index: index as u32,
                },
            );
        }
        self.start_backlogs();
        self.start_outages();
        self.schedule_group_changes();
        // A copy sends when its original does (see `arrival`).
        let originals = self.model.producers.iter().enumerate();
        for (producer, spec) in originals.filter(|(_, spec)| spec.copy_of.is_none()) {
            let clients = match &spec.arrivals {
                Arrivals::Open { .. } => 1,
                Arrivals::Closed { population, .. } => *population,
            };
            for _ in 0..clients {
                self.schedule_arrival::<false>(producer);
            }
        }
        if self.plan.warmup == 0 {
            self.open_window();
        }
        let lean = self.visit_log.is_none()
            && self.wait_series.is_none()
            && self.model.features().within(LEAN)
            && (self.model.queues.iter())
                .all(|queue| matches!(queue.dispatch, Dispatch::SharedLine));
        if lean {
            self.run_events::<true>();
        } else {
            self.run_events::<false>();
        }
    }

    /// Runs the events until every tracked message has left, on the lean
    /// path (`LEAN`, see [`LEAN`]) or the general one.
    fn run_events<const LEAN: bool>(&mut self) {
        while self.admitting || self.tracked_in_system > 0 {
            let Some((time, kind)) = self.calendar.next() else {
                break;
            };
            self.now = time;
            self.events += 1;
            match kind {
                EventKind::Arrival { producer } => self.arrival::<LEAN>(producer as usize),
                EventKind::Departure {
                    queue,
                    message,
                    generation,
                } => self.departure::<LEAN>(queue as usize, message, generation),
                EventKind::Expire {
                    queue,
                    message,
                    generation,
                } => self.expire(queue as usize, message, generation),
                EventKind::LeaseExpiry {
                    queue,
                    message,
                    generation,
                } => self.expire_lease(queue as usize, message, generation),
                EventKind::Ack { queue, consumer } => self.acknowledge(queue as usize, consumer),
                EventKind::Redeliver { queue, message } => self.redeliver(queue as usize, message),
                EventKind::Failure { queue, consumer } => self.fail(queue as usize, consumer),
                EventKind::Repair { queue, consumer } => self.repair(queue as usize, consumer),
                EventKind::FetchDeadline {
                    queue,
                    consumer,
                    generation,
                } => self.fetch_deadline(queue as usize, consumer, generation),
                EventKind::PollTimeout {
                    queue,
                    consumer,
                    batch,
                } => self.poll_timeout(queue as usize, consumer, batch),
                EventKind::GroupChange { queue, index } => {
                    self.change_group(queue as usize, index as usize);
                }
                EventKind::RebalanceEnd { queue, generation } => {
                    self.end_rebalance(queue as usize, generation);
                }
                EventKind::HorizonEnd => self.close_window(),
                EventKind::IntervalStart { index } => self.begin_interval(index as usize),
                EventKind::Land { queue, consumer } => self.land(queue as usize, consumer),
            }
        }
    }

    /// The measurements of the run, and the wait series if recorded.
    fn outcome(mut self) -> (Outcome, Option<Vec<f64>>) {
        if let Some(series) = &mut self.wait_series {
            // A replayed trace may end before the planned number of messages.
            series.truncate(self.arrivals as usize);
        }
        let mut values = self.collector.values(self.model);
        self.drains.write(self.model, &mut values);
        let mut interval_values = self.collector.interval_values(self.model);
        let (wait_distributions, mut interval_wait_distributions) =
            self.collector.into_wait_distributions();
        let mut batch_values = Vec::new();
        if self.plan.batches > 0 {
            batch_values = std::mem::take(&mut interval_values);
            interval_wait_distributions.clear();
        }
        let outcome = Outcome {
            values,
            interval_values,
            events: self.events,
            wait_distributions,
            interval_wait_distributions,
            batch_values,
        };
        (outcome, self.wait_series)
    }

    /// Every queue's starting backlog arrives at time 0, before any
    /// producer sends: unmeasured messages of the one class, from no
    /// producer.
    fn start_backlogs(&mut self) {
        for (queue, spec) in self.model.queues.iter().enumerate() {
            for _ in 0..spec.backlog {
                let slot = self.messages.insert(Message {
                    producer: NO_PRODUCER,
                    index: u64::MAX,
                    ..Message::default()
                });
                self.enter(queue, slot);
            }
            self.observe_drain(queue);
        }
    }

    /// Every consumer of a queue whose consumers fail is up at time 0 and
    /// fails after its first up time (drawn consumer by consumer).
    fn start_outages(&mut self) {
        for queue in 0..self.stations.len() {
            let Some(up) = self.stations[queue].consumers_up() else {
                continue;
            };
            self.collector.observe_up(self.now, queue, up);
            for consumer in 0..up {
                if let Some(time) = self.stations[queue].up_time() {
                    let queue = queue as u32;
                    self.calendar
                        .schedule(self.now + time, EventKind::Failure { queue, consumer });
                }
            }
        }
    }

    /// Every polling group's changes, at their times.
    fn schedule_group_changes(&mut self) {
        for (queue, spec) in self.model.queues.iter().enumerate() {
            let Some(changes) = spec.poll().and_then(|poll| poll.changes.as_ref()) else {
                continue;
            };
            for (index, change) in changes.changes.iter().enumerate() {
                let (queue, index) = (queue as u32, index as u32);
                self.calendar
                    .schedule(change.at, EventKind::GroupChange { queue, index });
            }
        }
    }

    /// Group change number `index` of `queue`: its consumers join or
    /// leave, a rebalance.
    fn change_group(&mut self, queue: usize, index: usize) {
        let consumers = self.model.queues[queue]
            .poll()
            .and_then(|poll| poll.changes.as_ref())
            .map(|changes| changes.changes[index].consumers)
            .expect("a group change of a polling group");
        let rebalance =
            self.stations[queue].change_group(self.now, consumers, &self.messages.slots);
        self.begin_rebalance(queue, rebalance);
    }

    /// `consumer` of `queue` fails: the message it served, and with
    /// prefetch windows the ones delivered to it, wait again at the head of
    /// the line (redelivered; the lost service counts as service, so the
    /// wait is the time in line), and it is repaired later.
    fn fail(&mut self, queue: usize, consumer: u32) {
        let failed = self.stations[queue].fail(consumer, &self.messages.slots);
        if let Some(slot) = failed.in_service {
            let message = &mut self.messages.slots[slot as usize];
            message.service += self.now - message.in_service_since;
            message.generation = message.generation.wrapping_add(1);
            let (class, partition) = (message.class as usize, message.partition);
            self.collector.requeue(self.now, (queue, partition), class);
        }
        for index in 0..failed.requeued {
            let slot = self.stations[queue].requeued(index);
            let message = &mut self.messages.slots[slot as usize];
            message.waited_here = true;
            message.waited = true;
            let (class, tracked) = (message.class as usize, message.tracked);
            self.collector
                .count_outage_redelivery(queue, class, tracked);
        }
        let at = self.now + failed.repair;
        let event = EventKind::Repair {
            queue: queue as u32,
            consumer,
        };
        self.calendar.schedule(at, event);
        self.after_outage_change(queue);
    }

    /// `consumer` of `queue` is repaired: it takes messages again, and
    /// fails after its next up time.
    fn repair(&mut self, queue: usize, consumer: u32) {
        let at = self.now + self.stations[queue].repair(consumer);
        let event = EventKind::Failure {
            queue: queue as u32,
            consumer,
        };
        self.calendar.schedule(at, event);
        self.after_outage_change(queue);
    }

    /// After a failure or a repair at `queue`: the consumers up take
    /// waiting messages, and the counts are observed.
    fn after_outage_change(&mut self, queue: usize) {
        while self.take_waiting(queue) {}
        if let Some(up) = self.stations[queue].consumers_up() {
            self.collector.observe_up(self.now, queue, up);
        }
        self.observe_drain(queue);
        self.observe_window(queue);
    }

    /// After the waiting messages of `queue` changed: has it caught up
    /// with its backlog?
    #[inline(always)]
    fn observe_drain(&mut self, queue: usize) {
        if self.drains.pending() {
            let waiting = self.stations[queue].waiting();
            self.drains.observe(queue, waiting, self.now);
        }
    }

    fn open_window(&mut self) {
        self.collector.open_window(self.now);
        if let RunLength::Horizon(horizon) = self.plan.length {
            self.calendar
                .schedule(self.now + horizon, EventKind::HorizonEnd);
            // Batches of equal length in time.
            let batches = self.plan.batches;
            for index in 1..batches {
                let offset = horizon * f64::from(index) / f64::from(batches);
                self.calendar
                    .schedule(self.now + offset, EventKind::IntervalStart { index });
            }
        }
    }

    /// Ends the measured window and admission, once: at the last measured
    /// arrival, at the horizon, or when every producer has ended its trace.
    fn close_window(&mut self) {
        if self.admitting {
            self.collector.close_window(self.now);
            self.admitting = false;
        }
    }

    /// Reporting interval (or batch) `index` begins: the collector moves to
    /// it, and scheduled queues change their consumers. New consumers take
    /// waiting messages at once; consumers leaving finish their message
    /// first.
    fn begin_interval(&mut self, index: usize) {
        self.collector.begin_interval(self.now, index);
        // Batches change no consumers.
        let Some(middle) = self.collector.intervals().get(index).map(Span::middle) else {
            return;
        };
        for queue in 0..self.stations.len() {
            if self.stations[queue].spec().schedule.is_some() {
                let consumers = self.model.consumers_at(queue, middle);
                self.stations[queue].set_consumers(consumers);
                while self.take_waiting(queue) {}
            }
        }
    }

    /// Schedules the next message of `producer`: an interarrival time from
    /// now (open), or a think time from now (a closed-loop client).
    #[inline(always)]
    fn schedule_arrival<const LEAN: bool>(&mut self, producer: usize) {
        let publisher = &mut self.publishers[producer];
        let gap = publisher.gaps.draw(publisher.gap);
        let time = match &mut publisher.clock {
            // No rate profile, no trace.
            _ if LEAN => self.now + gap,
            None if gap == f64::INFINITY => {
                // A replayed trace has ended: this producer sends no more.
                self.running_producers -= 1;
                return;
            }
            None => self.now + gap,
            // A profile that has ended leaves the window open until the
            // horizon, so the last interval is measured in full.
            Some(clock) => match clock.next_arrival(gap) {
                Some(time) => time,
                None => return,
            },
        };
        self.calendar.schedule(
            time,
            EventKind::Arrival {
                producer: producer as u32,
            },
        );
    }

    fn arrival<const LEAN: bool>(&mut self, producer: usize) {
        let spec = self.publishers[producer].spec;
        // A closed-loop client sends again only after its reply.
        if LEAN || matches!(spec.arrivals, Arrivals::Open { .. }) {
            self.schedule_arrival::<LEAN>(producer);
        }
        let index = self.arrivals;
        self.arrivals += 1;
        if index == self.plan.warmup && self.plan.warmup > 0 {
            self.open_window();
        }
        if let (batch, Some(start)) = self.next_batch
            && index == start
        {
            self.begin_interval(batch as usize);
            self.next_batch = (batch + 1, batch_start(self.plan, batch + 1));
        }
        let tracked = self.admitting && index >= self.plan.warmup;
        self.tracked_in_system += u64::from(tracked);
        let message = Message {
            producer: producer as u32,
            class: spec.class as u32,
            partition: 0,
            index,
            entered_system_at: self.now,
            entered_queue_at: self.now,
            total_wait: 0.0,
            service: 0.0,
            remaining: 0.0,
            in_service_since: self.now,
            waited_here: false,
            waited: false,
            tracked,
            expired: false,
            lost: None,
            retries: 0,
            redeliveries: 0,
            duplicate_of: None,
            generation: 0,
        };
        let slot = self.messages.insert(message);
        self.enter_path::<LEAN>(spec.queue, slot);
        if !LEAN && !self.publishers[producer].copies.is_empty() {
            self.copy_to_groups(producer, message);
        }
        let measured_all = matches!(self.plan.length, RunLength::Customers(customers)
            if tracked && index + 1 == self.plan.warmup + customers);
        // (Only a trace ends a producer.)
        if measured_all || (!LEAN && self.running_producers == 0) {
            self.close_window();
        }
    }

    /// Every other consumer group on the topic `message` of `producer` was
    /// just published to gets a copy of it, on the partition it took there
    /// (a topic is partitioned and unbounded, so it was accepted).
    fn copy_to_groups(&mut self, producer: usize, message: Message) {
        let topic = self.publishers[producer].spec.queue;
        let partition = self.stations[topic].arrival_partition().unwrap_or(0);
        for index in 0..self.publishers[producer].copies.len() {
            let copy = self.publishers[producer].copies[index];
            self.tracked_in_system += u64::from(message.tracked);
            let slot = self.messages.insert(Message {
                producer: copy as u32,
                partition,
                ..message
            });
            self.enter(self.publishers[copy].spec.queue, slot);
        }
    }

    /// `slot` arrives at `queue`; the station says what follows.
    #[inline(always)]
    fn enter(&mut self, queue: usize, slot: u32) {
        self.enter_path::<false>(queue, slot);
    }

    /// [`Engine::enter`] on the lean path (`LEAN`) or the general one.
    #[inline(always)]
    fn enter_path<const LEAN: bool>(&mut self, queue: usize, slot: u32) {
        let class = self.messages.slots[slot as usize].class as usize;
        if !LEAN && self.stations[queue].spec().retry().is_some() {
            let message = &self.messages.slots[slot as usize];
            if message.retries == 0 && message.tracked {
                self.collector.first_delivery(queue, class);
            }
        }
        let arrival =
            self.stations[queue].arrive_path::<LEAN>(self.now, slot, class, &self.messages.slots);
        let (service, preempted, entry, drops_oldest) = match arrival {
            Arrival::Accepted {
                service,
                preempted,
                entry,
                drops_oldest,
            } => (service, preempted, entry, drops_oldest),
            Arrival::Rejected { dead_letter } => {
                self.reject(queue, slot, class, dead_letter);
                return;
            }
        };
        let partition = if LEAN {
            0
        } else {
            self.stations[queue].arrival_partition().unwrap_or(0)
        };
        let message = &mut self.messages.slots[slot as usize];
        message.partition = partition;
        message.service = service;
        message.entered_queue_at = self.now;
        message.remaining = service;
        message.waited_here = false;
        let (tracked, generation) = (message.tracked, message.generation);
        if !LEAN && let Some(victim) = preempted {
            self.preempt(queue, victim);
        }
        match entry {
            Entry::Starts => {
                self.collector
                    .enter(self.now, (queue, partition), class, false, tracked);
                self.start_service_path::<LEAN>(queue, slot, false);
            }
            Entry::Waits { expires } => {
                self.collector
                    .enter(self.now, (queue, partition), class, true, tracked);
                if !LEAN && let Some(expires) = expires {
                    self.calendar.schedule(
                        expires,
                        EventKind::Expire {
                            queue: queue as u32,
                            message: slot,
                            generation,
                        },
                    );
                }
            }
            Entry::Polled { overhead, timer } => {
                self.collector
                    .enter(self.now, (queue, partition), class, false, tracked);
                self.collector.poll(queue, 1, overhead, 0.0);
                self.add_overhead(slot, overhead);
                self.arm(queue, timer);
                self.start_service(queue, slot, false);
            }
            Entry::Fetches(fetch) => {
                self.collector
                    .enter(self.now, (queue, partition), class, true, tracked);
                self.fetch(queue, fetch);
            }
            Entry::Sent(landing) => {
                self.collector
                    .enter(self.now, (queue, partition), class, true, tracked);
                self.schedule_landing(queue, landing);
            }
            Entry::Shares { waits, next } => {
                let message = &mut self.messages.slots[slot as usize];
                message.waited_here = waits;
                message.waited |= waits;
                self.collector
                    .enter(self.now, (queue, partition), class, waits, tracked);
                self.complete(queue, next);
            }
        }
        if !LEAN {
            if drops_oldest {
                self.drop_oldest(queue);
            }
            self.observe_window(queue);
        }
    }

    /// A full `queue` rejects `slot`: it leaves the system blocked, or goes
    /// to `dead_letter` (`reject-publish-dlx`).
    fn reject(&mut self, queue: usize, slot: u32, class: usize, dead_letter: Option<usize>) {
        let tracked = self.messages.slots[slot as usize].tracked;
        self.collector.block(queue, class, tracked);
        self.log_visit(queue, slot, None);
        match dead_letter {
            Some(dead_letter) => {
                let lost = &mut self.messages.slots[slot as usize].lost;
                lost.get_or_insert(Departure::Blocked);
                self.enter(dead_letter, slot);
            }
            None => self.leave_system(slot, Departure::Blocked),
        }
    }

    /// A drop-head `queue` over its limit drops its oldest waiting message
    /// (freeing the expired ones the line hands back first): it goes to the
    /// dead-letter queue or leaves the system, dropped. Like an expired
    /// message, it counts in the waits until it is dropped.
    fn drop_oldest(&mut self, queue: usize) {
        while let Some(slot) = self.stations[queue].pop_oldest() {
            let message = &mut self.messages.slots[slot as usize];
            if message.expired {
                self.messages.remove(slot);
                continue;
            }
            // Its pending expiry, if any, no longer applies.
            message.generation = message.generation.wrapping_add(1);
            message.total_wait += self.now - message.entered_queue_at;
            message.waited = true;
            message.lost.get_or_insert(Departure::Dropped);
            let dropped = *message;
            self.log_loss(queue, &dropped, Loss::Dropped);
            let (class, arrived, tracked) = (
                dropped.class as usize,
                dropped.entered_queue_at,
                dropped.tracked,
            );
            let dead_letter = self.stations[queue].drop_oldest();
            self.observe_drain(queue);
            self.collector
                .drop_oldest(self.now, queue, class, arrived, tracked);
            match dead_letter {
                Some(dead_letter) => self.enter(dead_letter, slot),
                None => self.leave_system(slot, Departure::Dropped),
            }
            return;
        }
    }

    /// The station has started serving `slot`: its departure is scheduled
    /// after the work it has left.
    #[inline(always)]
    fn start_service(&mut self, queue: usize, slot: u32, was_waiting: bool) {
        self.start_service_path::<false>(queue, slot, was_waiting);
    }

    /// [`Engine::start_service`] on the lean path (`LEAN`: no lease, no
    /// duplicates) or the general one.
    #[inline(always)]
    fn start_service_path<const LEAN: bool>(&mut self, queue: usize, slot: u32, was_waiting: bool) {
        let message = &mut self.messages.slots[slot as usize];
        if !LEAN && message.duplicate_of.is_some() {
            self.start_duplicate(queue, slot);
            return;
        }
        message.waited_here |= was_waiting;
        message.waited |= was_waiting;
        let (class, service, partition) =
            (message.class as usize, message.remaining, message.partition);
        self.collector
            .start_service(self.now, (queue, partition), class, was_waiting);
        self.begin_service(queue, slot, service);
        if !LEAN && let Some(lease) = self.stations[queue].spec().lease() {
            let ack_wait = lease.ack_wait;
            self.messages.slots[slot as usize].redeliveries = 0;
            self.start_lease(queue, slot, ack_wait);
        }
    }

    /// `slot` starts `service` at `queue` now: its generation moves on
    /// (earlier timers lapse) and its departure is scheduled.
    #[inline(always)]
    fn begin_service(&mut self, queue: usize, slot: u32, service: f64) {
        let message = &mut self.messages.slots[slot as usize];
        message.generation = message.generation.wrapping_add(1);
        message.in_service_since = self.now;
        let generation = message.generation;
        self.schedule_departure(self.now + service, queue, slot, generation);
    }

    /// The lease on the delivery of `slot` at `queue`, which starts now,
    /// runs out `ack_wait` later (a queue with a lease).
    #[inline(never)]
    fn start_lease(&mut self, queue: usize, slot: u32, ack_wait: f64) {
        let generation = self.messages.slots[slot as usize].generation;
        let event = EventKind::LeaseExpiry {
            queue: queue as u32,
            message: slot,
            generation,
        };
        self.calendar.schedule(self.now + ack_wait, event);
    }

    /// A consumer of `queue` starts the duplicate delivery in `slot`:
    /// counted, its service (the message's own work) and its lease begin.
    #[inline(never)]
    fn start_duplicate(&mut self, queue: usize, slot: u32) {
        let message = &self.messages.slots[slot as usize];
        let (class, tracked, service) = (message.class as usize, message.tracked, message.service);
        self.collector.count_lease_redelivery(queue, class, tracked);
        self.begin_service(queue, slot, service);
        if let Some(lease) = self.stations[queue].spec().lease() {
            let ack_wait = lease.ack_wait;
            self.start_lease(queue, slot, ack_wait);
        }
    }

    /// The lease on the delivery of `slot` at `queue` numbered
    /// `generation` runs out: unless that delivery ended, and while its
    /// message is unacknowledged and may be delivered again
    /// (`max_deliver`), a duplicate delivery joins the queue, served at
    /// once by a free consumer or else first in the redelivery line.
    fn expire_lease(&mut self, queue: usize, slot: u32, generation: u32) {
        let delivery = self.messages.slots[slot as usize];
        if delivery.generation != generation {
            return;
        }
        let original = match delivery.duplicate_of {
            Some(original) if !original.is_pending(&self.messages.slots) => return,
            Some(original) => original,
            None => {
                let class = delivery.class as usize;
                self.collector
                    .count_lease_expiry(queue, class, delivery.tracked);
                Original { slot, generation }
            }
        };
        let Some(lease) = self.stations[queue].spec().lease() else {
            return;
        };
        let message = &mut self.messages.slots[original.slot as usize];
        if !lease.allows_another(message.redeliveries + 1) {
            return;
        }
        message.redeliveries += 1;
        let duplicate = Message {
            duplicate_of: Some(original),
            redeliveries: 0,
            ..*message
        };
        let class = duplicate.class as usize;
        let copy = self.messages.insert(duplicate);
        if self.stations[queue].redeliver_duplicate(copy, class) {
            self.start_duplicate(queue, copy);
        }
    }

    /// A delivery ends at `queue`, which has a lease: a duplicate's
    /// consumer is free (its acknowledgement ignored) and its slot freed,
    /// and true is returned; a message's first delivery settles it (its
    /// generation moves on: duplicates still waiting are withdrawn, leases
    /// still running lapse), and its departure goes on.
    #[inline(never)]
    fn end_leased_delivery(&mut self, queue: usize, slot: u32) -> bool {
        let message = &mut self.messages.slots[slot as usize];
        message.generation = message.generation.wrapping_add(1);
        if message.duplicate_of.is_none() {
            return false;
        }
        self.stations[queue].depart_path::<false>(self.now, slot, &self.messages.slots);
        self.messages.remove(slot);
        self.take_waiting(queue);
        true
    }

    /// A free consumer of `queue`, if any, takes a waiting message (the
    /// slots of expired ones the line hands back are freed): true when a
    /// service started.
    #[inline(always)]
    fn take_waiting(&mut self, queue: usize) -> bool {
        self.take_waiting_path::<false>(queue)
    }

    /// [`Engine::take_waiting`] on the lean path (`LEAN`) or the general one.
    #[inline(always)]
    fn take_waiting_path<const LEAN: bool>(&mut self, queue: usize) -> bool {
        loop {
            match self.stations[queue].take_waiting_path::<LEAN>(self.now, &self.messages.slots) {
                Take::Start(slot) => {
                    self.start_service_path::<LEAN>(queue, slot, true);
                    return true;
                }
                Take::Expired(slot) => {
                    self.messages.remove(slot);
                }
                Take::Delivered(slot) => {
                    // Its patience, if any, no longer runs.
                    let message = &mut self.messages.slots[slot as usize];
                    message.generation = message.generation.wrapping_add(1);
                }
                Take::Sent { slot, landing } => {
                    let message = &mut self.messages.slots[slot as usize];
                    message.generation = message.generation.wrapping_add(1);
                    self.schedule_landing(queue, landing);
                }
                Take::Awaits(landing) => self.schedule_landing(queue, landing),
                Take::Polled {
                    slot,
                    overhead,
                    size,
                    since,
                    timer,
                } => {
                    self.collector.poll(queue, size, overhead, self.now - since);
                    self.add_overhead(slot, overhead);
                    self.arm(queue, timer);
                    self.start_service(queue, slot, true);
                    return true;
                }
                Take::Fetches(fetch) => {
                    self.fetch(queue, fetch);
                    return false;
                }
                Take::Idle => return false,
            }
        }
    }

    /// A poll's `overhead` is served before the batch's first message,
    /// `slot`: as part of its service.
    fn add_overhead(&mut self, slot: u32, overhead: f64) {
        let message = &mut self.messages.slots[slot as usize];
        message.service += overhead;
        message.remaining += overhead;
    }

    /// A consumer's fetch at `queue` moved on: it takes a batch now, or
    /// waits for more until its deadline.
    fn fetch(&mut self, queue: usize, fetch: Fetch) {
        match fetch {
            Fetch::Ready => {
                self.take_waiting(queue);
            }
            Fetch::Until {
                consumer,
                at,
                generation,
            } => self.calendar.schedule(
                at,
                EventKind::FetchDeadline {
                    queue: queue as u32,
                    consumer,
                    generation,
                },
            ),
        }
    }

    /// Schedules a batch's poll timeout at `queue`, if batches time out.
    fn arm(&mut self, queue: usize, timer: Option<PollTimer>) {
        if let Some(PollTimer {
            consumer,
            batch,
            after,
        }) = timer
        {
            self.calendar.schedule(
                self.now + after,
                EventKind::PollTimeout {
                    queue: queue as u32,
                    consumer,
                    batch,
                },
            );
        }
    }

    /// Batch `batch` of `consumer` at `queue` times out: if it still runs,
    /// the consumer leaves the group and a rebalance begins.
    fn poll_timeout(&mut self, queue: usize, consumer: u32, batch: u32) {
        let rebalance =
            self.stations[queue].poll_timeout(self.now, consumer, batch, &self.messages.slots);
        if let Some(rebalance) = rebalance {
            self.begin_rebalance(queue, rebalance);
        }
    }

    /// A rebalance began at `queue`: counted, and its end scheduled.
    fn begin_rebalance(&mut self, queue: usize, rebalance: Rebalance) {
        self.collector.rebalance(queue, rebalance.redelivered);
        self.calendar.schedule(
            rebalance.until,
            EventKind::RebalanceEnd {
                queue: queue as u32,
                generation: rebalance.pause,
            },
        );
    }

    /// The pause numbered `generation` at `queue` ends, unless extended:
    /// the idle consumers take from their partitions.
    fn end_rebalance(&mut self, queue: usize, generation: u32) {
        let resumed = self.stations[queue].resume(self.now, generation, &self.messages.slots);
        if let Some(resumed) = resumed {
            self.collector
                .pause(queue, resumed.paused, resumed.partition_time);
            while self.stations[queue].polls_pending() {
                self.take_waiting(queue);
            }
        }
    }

    /// The service of `slot` at `queue` ended, but its consumer had left
    /// the group meanwhile: its commit fails, so it goes back to its
    /// partition to be served again (for a fresh service time), and the
    /// consumer rejoins, a rebalance.
    fn replay(&mut self, queue: usize, slot: u32) {
        let (redo, rebalance) = self.stations[queue].replay(self.now, slot, &self.messages.slots);
        let message = &mut self.messages.slots[slot as usize];
        message.service += redo;
        message.remaining = redo;
        message.generation = message.generation.wrapping_add(1);
        let (class, partition) = (message.class as usize, message.partition);
        self.collector.requeue(self.now, (queue, partition), class);
        self.begin_rebalance(queue, rebalance);
    }

    /// The fetch deadline numbered `generation` of `consumer` at `queue`
    /// passes: if that fetch still waits, its consumer takes what is there.
    fn fetch_deadline(&mut self, queue: usize, consumer: u32, generation: u32) {
        if self.stations[queue].fetch_due(consumer, generation) {
            self.take_waiting(queue);
        }
    }

    /// The station interrupted the service of `slot` at `queue`: it waits
    /// again with its remaining work (preemptive-resume).
    fn preempt(&mut self, queue: usize, slot: u32) {
        let message = &mut self.messages.slots[slot as usize];
        message.remaining -= self.now - message.in_service_since;
        message.generation = message.generation.wrapping_add(1);
        let (class, partition) = (message.class as usize, message.partition);
        self.collector.requeue(self.now, (queue, partition), class);
    }

    /// Applies the next completion at a processor-sharing `queue`: the
    /// departure scheduled before is retired, the new one scheduled.
    fn complete(&mut self, queue: usize, completion: Completion) {
        if let Some(withdrawn) = completion.withdrawn {
            let old = &mut self.messages.slots[withdrawn as usize].generation;
            *old = old.wrapping_add(1);
        }
        if let Some((time, slot)) = completion.next {
            let message = &mut self.messages.slots[slot as usize];
            message.generation = message.generation.wrapping_add(1);
            let generation = message.generation;
            self.schedule_departure(time, queue, slot, generation);
        }
    }

    /// The service of `slot` at `queue` ends at `time`, unless the message's
    /// `generation` has moved on by then (a preemption, a requeue).
    #[inline(always)]
    fn schedule_departure(&mut self, time: f64, queue: usize, slot: u32, generation: u32) {
        self.calendar.schedule(
            time,
            EventKind::Departure {
                queue: queue as u32,
                message: slot,
                generation,
            },
        );
    }

    fn departure<const LEAN: bool>(&mut self, queue: usize, slot: u32, generation: u32) {
        let message = &mut self.messages.slots[slot as usize];
        if message.generation != generation {
            return; // the service was preempted; it finishes later
        }
        if !LEAN {
            let leased = self.stations[queue].spec().lease().is_some();
            if leased && self.end_leased_delivery(queue, slot) {
                return;
            }
        }
        if !LEAN && self.stations[queue].replays(slot) {
            self.replay(queue, slot);
            return;
        }
        let message = &self.messages.slots[slot as usize];
        let (class, partition) = (message.class as usize, message.partition);
        let verdict = if LEAN {
            Verdict::Success
        } else {
            self.stations[queue].verdict(message.retries, class)
        };
        match verdict {
            Verdict::ServeAgain { service } => return self.serve_again(queue, slot, service),
            Verdict::Hold { delay, service } => return self.hold(queue, slot, delay, service),
            Verdict::Success | Verdict::RetryAfter { .. } | Verdict::Exhausted { .. } => {}
        }
        let message = &mut self.messages.slots[slot as usize];
        let sojourn = self.now - message.entered_queue_at;
        // Time at the queue not being served, whatever the discipline; a
        // difference within the clock's rounding at `now` is no wait.
        let wait = sojourn - message.service;
        let wait = if wait > CLOCK_ROUNDING * self.now {
            wait
        } else {
            0.0
        };
        message.total_wait += wait;
        let visit = Visit {
            sojourn,
            wait,
            waited: message.waited_here,
            tracked: message.tracked,
            arrived: message.entered_queue_at,
        };
        if !LEAN {
            self.log_visit(queue, slot, Some(wait));
        }
        let departed =
            self.stations[queue].depart_path::<LEAN>(self.now, slot, &self.messages.slots);
        if !LEAN && departed.promoted {
            self.collector
                .start_service(self.now, (queue, partition), class, true);
        }
        self.collector
            .finish(self.now, (queue, partition), class, visit);
        match departed.next {
            Next::TakeWaiting => {
                self.take_waiting_path::<LEAN>(queue);
            }
            Next::Completion(completion) => self.complete(queue, completion),
            Next::Window { ack } => self.window_moved(queue, ack),
        }
        if !LEAN {
            self.observe_drain(queue);
            self.observe_window(queue);
        }
        match verdict {
            Verdict::Success | Verdict::ServeAgain { .. } | Verdict::Hold { .. } => {
                // (Nothing retries on the lean path.)
                if !LEAN {
                    self.messages.slots[slot as usize].retries = 0;
                }
                match self.stations[queue].route() {
                    Some(next_queue) => self.enter_path::<LEAN>(next_queue, slot),
                    None => self.leave_system_path::<LEAN>(slot, Departure::Served),
                }
            }
            Verdict::RetryAfter { delay } => self.delay_retry(queue, slot, delay),
            Verdict::Exhausted { dead_letter } => {
                let message = &mut self.messages.slots[slot as usize];
                message.retries = 0;
                message.lost.get_or_insert(Departure::Exhausted);
                let tracked = message.tracked;
                self.collector.exhaust(queue, class, tracked);
                match dead_letter {
                    Some(dead_letter) => self.enter(dead_letter, slot),
                    None => self.leave_system(slot, Departure::Exhausted),
                }
            }
        }
    }

    /// The delivery of `slot` at `queue` failed and the message is
    /// requeued at the head: a consumer serves it again for `service` more
    /// (one visit, one longer service), at once on a shared line or a
    /// partition; with prefetch windows it goes back to the queue's head,
    /// perhaps to wait there or in a consumer's buffer.
    fn serve_again(&mut self, queue: usize, slot: u32, service: f64) {
        let message = &mut self.messages.slots[slot as usize];
        message.retries += 1;
        message.service += service;
        message.remaining = service;
        let class = message.class as usize;
        match self.stations[queue].requeue_head(self.now, slot, class) {
            None => self.start_again(queue, slot),
            Some((went, ack)) => {
                if let Requeued::Sent(landing) = went {
                    self.schedule_landing(queue, landing);
                }
                if went == Requeued::Starts {
                    self.start_again(queue, slot);
                } else {
                    // It waits again; its service starts when a consumer takes it.
                    let message = &mut self.messages.slots[slot as usize];
                    message.generation = message.generation.wrapping_add(1);
                    let (tracked, partition) = (message.tracked, message.partition);
                    self.collector.count_redelivery(queue, class, tracked);
                    self.collector.requeue(self.now, (queue, partition), class);
                }
                self.window_moved(queue, ack);
                self.observe_drain(queue);
                self.observe_window(queue);
            }
        }
    }

    /// A consumer of `queue`'s prefetch windows is done with a message:
    /// the windows take waiting messages until idle, and its
    /// acknowledgement (or nack), unless immediate, arrives later (`ack`:
    /// the consumer and when).
    fn window_moved(&mut self, queue: usize, ack: Option<(u32, f64)>) {
        while self.take_waiting(queue) {}
        if let Some((consumer, at)) = ack {
            let queue = queue as u32;
            self.calendar
                .schedule(at, EventKind::Ack { queue, consumer });
        }
    }

    /// A delivery to a consumer of `queue` lands at `landing.at`.
    fn schedule_landing(&mut self, queue: usize, landing: Landing) {
        let (queue, consumer) = (queue as u32, landing.consumer);
        self.calendar
            .schedule(landing.at, EventKind::Land { queue, consumer });
    }

    /// A delivery to `consumer` of `queue` lands: the consumer, if idle,
    /// starts its next delivery if that has landed.
    fn land(&mut self, queue: usize, consumer: u32) {
        let landed = self.stations[queue].land(self.now, consumer, &self.messages.slots);
        if let Some(slot) = landed {
            self.start_service(queue, slot, true);
        }
        self.observe_window(queue);
    }

    /// A consumer serves `slot` at `queue` again at once, after a failed
    /// delivery, for the work it has left.
    fn start_again(&mut self, queue: usize, slot: u32) {
        let message = &self.messages.slots[slot as usize];
        let (class, tracked) = (message.class as usize, message.tracked);
        self.collector.count_redelivery(queue, class, tracked);
        self.resume(queue, slot);
    }

    /// The consumer holding `slot` at `queue` serves it, now, for the work
    /// it has left.
    fn resume(&mut self, queue: usize, slot: u32) {
        let message = &mut self.messages.slots[slot as usize];
        message.in_service_since = self.now;
        message.generation = message.generation.wrapping_add(1);
        let (generation, service) = (message.generation, message.remaining);
        self.schedule_departure(self.now + service, queue, slot, generation);
    }

    /// The delivery of `slot` at `queue`, a partition, failed: its consumer
    /// holds it through `delay` (a blocking retry, counted among the
    /// messages in retry delays; in the visit the delay counts as service,
    /// so its wait stays the time to its first delivery), then serves it
    /// again for `service` (see [`Engine::redeliver`]).
    fn hold(&mut self, queue: usize, slot: u32, delay: f64, service: f64) {
        let message = &mut self.messages.slots[slot as usize];
        message.service += delay + service;
        message.remaining = service;
        self.delay_retry(queue, slot, delay);
    }

    /// `slot` retries at `queue` after `delay` (counted as a retry and
    /// measured as time in retry until [`EventKind::Redeliver`]).
    fn delay_retry(&mut self, queue: usize, slot: u32, delay: f64) {
        let message = &mut self.messages.slots[slot as usize];
        message.retries += 1;
        let (class, tracked) = (message.class as usize, message.tracked);
        self.collector
            .begin_retry_delay(self.now, queue, class, tracked);
        self.calendar.schedule(
            self.now + delay,
            EventKind::Redeliver {
                queue: queue as u32,
                message: slot,
            },
        );
    }

    /// `slot` has waited out its retry delay: it arrives at `queue` again,
    /// like any arrival, or, held by its consumer (a partition), is served
    /// again.
    fn redeliver(&mut self, queue: usize, slot: u32) {
        let class = self.messages.slots[slot as usize].class as usize;
        self.collector.end_retry_delay(self.now, queue, class);
        if self.stations[queue].holds_retries() {
            self.resume(queue, slot);
        } else {
            self.enter(queue, slot);
        }
    }

    /// The acknowledgement from `consumer` of `queue` arrives: its window
    /// takes from the ready line.
    fn acknowledge(&mut self, queue: usize, consumer: u32) {
        self.stations[queue].acknowledge(consumer);
        while self.take_waiting(queue) {}
        self.observe_drain(queue);
        self.observe_window(queue);
    }

    /// After a change at `queue`: what its prefetch windows hold, if it
    /// has them, for the time averages.
    #[inline(always)]
    fn observe_window(&mut self, queue: usize) {
        if let Some(counts) = self.stations[queue].window_counts() {
            self.collector.observe_window(self.now, queue, counts);
        }
    }

    /// A waiting message's patience runs out: it leaves the line (its slot
    /// is freed later, when the line reaches it) and goes to the dead-letter
    /// queue or leaves the system.
    fn expire(&mut self, queue: usize, slot: u32, generation: u32) {
        let message = self.messages.slots[slot as usize];
        if message.generation != generation || message.expired {
            return;
        }
        self.messages.slots[slot as usize].expired = true;
        let dead_letter = self.stations[queue].expire();
        self.observe_drain(queue);
        self.observe_window(queue);
        let wait = self.now - message.entered_queue_at;
        let class = message.class as usize;
        self.log_loss(queue, &message, Loss::Expired);
        self.collector.expire(
            self.now,
            queue,
            class,
            message.entered_queue_at,
            message.tracked,
        );
        let moved = Message {
            total_wait: message.total_wait + wait,
            waited: true,
            expired: false,
            lost: message.lost.or(Some(Departure::Expired)),
            retries: 0,
            ..message
        };
        match dead_letter {
            Some(dead_letter) => {
                let new_slot = self.messages.insert(moved);
                self.enter(dead_letter, new_slot);
            }
            None => self.record_exit(&moved, Departure::Expired),
        }
    }

    /// Logs the visit of `slot` to `queue` ending now, after `wait` there
    /// (`None`: rejected on arrival), when a log was asked for.
    #[inline(always)]
    fn log_visit(&mut self, queue: usize, slot: u32, wait: Option<f64>) {
        if let Some(log) = &mut self.visit_log {
            let message = &self.messages.slots[slot as usize];
            let arrival = if wait.is_some() {
                message.entered_queue_at
            } else {
                self.now
            };
            log.push(VisitRecord {
                message: message.index,
                class: message.class as usize,
                queue,
                arrival,
                start: wait.map(|wait| arrival + wait),
                end: self.now,
                lost: None,
                retries: message.retries,
            });
        }
    }

    /// Logs the visit of `message` to `queue`, lost now (`how`) after
    /// waiting since it entered, when a log was asked for.
    #[inline(always)]
    fn log_loss(&mut self, queue: usize, message: &Message, how: Loss) {
        if let Some(log) = &mut self.visit_log {
            log.push(VisitRecord {
                message: message.index,
                class: message.class as usize,
                queue,
                arrival: message.entered_queue_at,
                start: None,
                end: self.now,
                lost: Some(how),
                retries: 0,
            });
        }
    }

    #[inline(always)]
    fn leave_system(&mut self, slot: u32, how: Departure) {
        self.leave_system_path::<false>(slot, how);
    }

    /// [`Engine::leave_system`] on the lean path (`LEAN`) or the general one.
    #[inline(always)]
    fn leave_system_path<const LEAN: bool>(&mut self, slot: u32, how: Departure) {
        let message = self.messages.remove(slot);
        self.record_exit_path::<LEAN>(&message, how);
    }

    /// Accounts for `message` leaving the network.
    #[inline(always)]
    fn record_exit(&mut self, message: &Message, how: Departure) {
        self.record_exit_path::<false>(message, how);
    }

    /// [`Engine::record_exit`] on the lean path (`LEAN`: no closed loop, no
    /// wait series) or the general one.
    #[inline(always)]
    fn record_exit_path<const LEAN: bool>(&mut self, message: &Message, how: Departure) {
        let producer = message.producer as usize;
        if !LEAN
            && self.closed_loops
            && self
                .publishers
                .get(producer)
                .is_some_and(|p| matches!(p.spec.arrivals, Arrivals::Closed { .. }))
        {
            // The reply reaches its client, who thinks and sends again.
            self.schedule_arrival::<false>(producer);
        }
        if self.collector.measures_system() {
            // A dead-lettered message was lost, whatever happens after.
            let how = message.lost.unwrap_or(how);
            self.collector.exit_system(
                message.class as usize,
                Exit {
                    sojourn: self.now - message.entered_system_at,
                    total_wait: message.total_wait,
                    waited: message.waited,
                    how,
                    tracked: message.tracked,
                    entered: message.entered_system_at,
                },
            );
        }
        if message.tracked {
            self.tracked_in_system -= 1;
            if !LEAN && let Some(series) = &mut self.wait_series {
                let position = (message.index - self.plan.warmup) as usize;
                // A message copied to several consumer groups waits as long
                // as its slowest copy (NaN, not yet recorded, gives way).
                series[position] = if matches!(how, Departure::Blocked) {
                    f64::NAN
                } else {
                    series[position].max(message.total_wait)
                };
            }
        }
    }
}

/// The arrival index at which batch `batch` (from 0) of a run of
/// `customers` begins: the window's `customers` cut into `plan.batches`
/// runs of consecutive arrivals whose sizes differ by at most one. `None`
/// past the last batch, and for runs measured by time or not batched.
fn batch_start(plan: Plan, batch: u32) -> Option<u64> {
    match plan.length {
        RunLength::Customers(customers) if batch < plan.batches => {
            let offset = u128::from(customers) * u128::from(batch) / u128::from(plan.batches);
            Some(plan.warmup + offset as u64)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::model::{
        Assignor, Discipline, KeyDistribution, Keys, ProducerBuilder, QueueBuilder,
    };

    #[test]
    fn the_lean_path_measures_what_the_general_one_does() {
        let exponential = |mean| Dist::exponential_mean(mean).unwrap();
        // Two queues in tandem, the first with two consumers serving the
        // last arrival first: lean features only.
        let model = Model::builder("t")
            .queue(
                QueueBuilder::new("a", 2, exponential(1.5))
                    .discipline(Discipline::Lifo)
                    .next("b", 0.5),
            )
            .queue(QueueBuilder::new("b", 1, exponential(0.8)))
            .producer(ProducerBuilder::open("p", "a", exponential(1.0)))
            .build()
            .unwrap();
        assert!(model.features().within(LEAN));
        let plan = Plan {
            warmup: 100,
            length: RunLength::Customers(5_000),
            batches: 0,
        };
        let run = || Engine::new(&model, plan, 7, StreamSet::Replication(0));
        let (lean, _) = run().run();
        // Recording the waits takes the general path.
        let (general, waits) = run().record_waits().run();
        assert!(waits.is_some());
        let bits = |outcome: &Outcome| -> Vec<u64> {
            outcome
                .values
                .iter()
                .flatten()
                .map(|v| v.to_bits())
                .collect()
        };
        assert_eq!(bits(&lean), bits(&general));
        assert_eq!(lean.events, general.events);
    }

    #[test]
    fn every_group_on_a_topic_gets_every_message_on_the_same_partition() {
        let exponential = |mean| Dist::exponential_mean(mean).unwrap();
        let keys = Keys {
            count: 100,
            distribution: KeyDistribution::Zipf { exponent: 0.8 },
        };
        // A topic of 6 partitions read by 3 groups of different sizes,
        // speeds and assignors; two keyed producers and a keyless one.
        let model = Model::builder("fan-out")
            .queue(QueueBuilder::new("t", 3, exponential(1.0)).partitions(6, Assignor::Range))
            .queue(
                QueueBuilder::new("slow", 2, exponential(1.5))
                    .partitions(6, Assignor::RoundRobin)
                    .topic("t"),
            )
            .queue(
                QueueBuilder::new("one", 6, exponential(0.5))
                    .partitions(6, Assignor::Range)
                    .topic("t"),
            )
            .producer(ProducerBuilder::open("a", "t", exponential(4.0)).keys(keys))
            .producer(ProducerBuilder::open("b", "t", exponential(8.0)).keys(keys))
            .producer(ProducerBuilder::open("c", "t", exponential(16.0)))
            .build()
            .unwrap();
        let plan = Plan {
            warmup: 1_000,
            length: RunLength::Customers(20_000),
            batches: 0,
        };
        for replication in 0..3 {
            let mut engine = Engine::new(&model, plan, 9, StreamSet::Replication(replication));
            engine.simulate();
            let topic = engine.collector.partition_arrivals(0, 6);
            assert_eq!(topic.iter().sum::<u64>(), 20_000);
            assert!(topic.iter().all(|&count| count > 0), "{topic:?}");
            for group in [1, 2] {
                assert_eq!(engine.collector.partition_arrivals(group, 6), topic);
            }
        }
    }
}
