//! The event-scheduling engine of one replication: producers publish,
//! queues hold and serve, routing forwards, the collector observes.
//!
//! Measurement is arrival-based: external arrivals with index in the window
//! (after `warmup`, up to `customers` or until the horizon) are *tracked*;
//! the run continues until every tracked message has left, so no tracked
//! message is cut short. Time averages cover the window only.

use rand::RngExt;

use super::calendar::{Calendar, EventKind};
use super::clock::ProfileClock;
use super::collector::{Collector, Departure, Exit, Layers, Visit};
use super::in_service::InService;
use super::line::WaitingLine;
use super::sharing::Sharing;
use super::streams::{Source, Stream, StreamSet, stream};
use crate::dist::Dist;
use crate::model::VisitRecord;
use crate::model::metric::MetricValues;
use crate::model::profile::{Span, run_spans};
use crate::model::{Arrivals, Discipline, Model, Producer, Queue};
use crate::run::RunLength;
use crate::stats::Percentiles;

/// A message in the network, stored in a reusable slot.
#[derive(Clone, Copy, Debug, Default)]
struct Message {
    /// Index of the producer that sent it.
    producer: u32,
    class: u32,
    /// External arrival index.
    index: u64,
    entered_system_at: f64,
    entered_queue_at: f64,
    total_wait: f64,
    /// Service requirement at the current queue, drawn on arrival there.
    service: f64,
    /// Work still to do there (less than `service` after a preemption).
    remaining: f64,
    /// When the current service spell began.
    in_service_since: f64,
    /// Waited at the current queue.
    waited_here: bool,
    /// Waited at some queue.
    waited: bool,
    tracked: bool,
    /// Expired while waiting: the slot is freed when the line reaches it.
    expired: bool,
    /// Expired at some queue and sent on to its dead-letter queue: it
    /// leaves the network expired, never delivered.
    dead_lettered: bool,
    /// Bumped whenever the slot's message changes state, to recognise
    /// stale expiry events.
    generation: u32,
}

/// Slots for messages in the network; freed slots are reused, so the
/// allocation grows only to the peak number of messages present.
#[derive(Debug, Default)]
struct Messages {
    slots: Vec<Message>,
    free: Vec<u32>,
}

impl Messages {
    fn insert(&mut self, message: Message) -> u32 {
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

    fn remove(&mut self, slot: u32) -> Message {
        self.free.push(slot);
        self.slots[slot as usize]
    }

    /// Takes the next live message from `line`, freeing the slots of
    /// expired ones on the way.
    #[inline(always)]
    fn next_waiting(&mut self, line: &mut WaitingLine) -> Option<u32> {
        while let Some(slot) = line.pop() {
            if !self.slots[slot as usize].expired {
                return Some(slot);
            }
            self.remove(slot);
        }
        None
    }
}

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
}

/// A queue's state, next to its spec and its random streams.
struct Station<'a> {
    spec: &'a Queue,
    /// Consumers working now (they change with a consumer schedule).
    consumers: u32,
    busy: u32,
    in_system: u32,
    line: WaitingLine,
    serving: Serving,
    /// Stream of the service times, drawn in arrival order.
    services: Stream,
    /// Stream of the routing draws after service.
    routing: Stream,
    /// Stream of the patience of waiting messages.
    patience: Stream,
    /// Recorded routing choices a replay takes instead of its draws.
    recorded_routes: Option<std::slice::Iter<'a, Option<usize>>>,
}

/// How a station's consumers work through the messages they serve.
enum Serving {
    /// Each service, once started, runs to completion.
    ToCompletion,
    /// A service may be interrupted: the messages in service.
    Preemptive(InService),
    /// Every message present shares the consumers (processor sharing).
    Shared(Sharing),
}

impl Serving {
    /// The serving state of an idle `queue`, from its discipline.
    fn new(queue: &Queue, model: &Model) -> Self {
        match queue.discipline {
            Discipline::LifoPreemptive | Discipline::PriorityPreemptive => {
                Serving::Preemptive(InService::new(queue.discipline, model))
            }
            Discipline::ProcessorSharing => Serving::Shared(Sharing::new(queue.consumers)),
            Discipline::Fifo | Discipline::Lifo | Discipline::Priority | Discipline::Random => {
                Serving::ToCompletion
            }
        }
    }

    /// The service of `slot` ends or is interrupted.
    fn stop(&mut self, slot: u32) {
        if let Serving::Preemptive(in_service) = self {
            in_service.stop(slot);
        }
    }
}

impl Station<'_> {
    /// No room for another message.
    fn is_full(&self) -> bool {
        self.spec
            .capacity()
            .is_some_and(|capacity| self.in_system >= capacity)
    }
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
                .map(|(index, queue)| Station {
                    spec: queue,
                    consumers: spans.first().map_or(queue.consumers, |span| {
                        model.consumers_at(index, span.middle())
                    }),
                    busy: 0,
                    in_system: 0,
                    line: WaitingLine::new(queue.discipline, model, stream(Source::Order(index))),
                    serving: Serving::new(queue, model),
                    services: stream(Source::Services(index)),
                    routing: stream(Source::Routing(index)),
                    patience: stream(Source::Patience(index)),
                    recorded_routes: None,
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
            running_producers: model.producers.len(),
            admitting: true,
            tracked_in_system: 0,
            events: 0,
            next_batch: (1, batch_start(plan, 1)),
            wait_series: None,
            visit_log: None,
        }
    }

    /// Routes with recorded choices: after its k-th service, queue `q`
    /// sends the message to `routes[q][k]` (`None`: it leaves), drawing as
    /// usual only past the end of the recording.
    pub(crate) fn replay_routes(mut self, routes: &'a [Vec<Option<usize>>]) -> Self {
        for (station, recorded) in self.stations.iter_mut().zip(routes) {
            station.recorded_routes = Some(recorded.iter());
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
        for (producer, spec) in self.model.producers.iter().enumerate() {
            let clients = match &spec.arrivals {
                Arrivals::Open { .. } => 1,
                Arrivals::Closed { population, .. } => *population,
            };
            for _ in 0..clients {
                self.schedule_arrival(producer);
            }
        }
        if self.plan.warmup == 0 {
            self.open_window();
        }
        while self.admitting || self.tracked_in_system > 0 {
            let Some((time, kind)) = self.calendar.next() else {
                break;
            };
            self.now = time;
            self.events += 1;
            match kind {
                EventKind::Arrival { producer } => self.arrival(producer as usize),
                EventKind::Departure {
                    queue,
                    message,
                    generation,
                } => self.departure(queue as usize, message, generation),
                EventKind::Expire {
                    queue,
                    message,
                    generation,
                } => self.expire(queue as usize, message, generation),
                EventKind::HorizonEnd => self.close_window(),
                EventKind::IntervalStart { index } => self.begin_interval(index as usize),
            }
        }
        if let Some(series) = &mut self.wait_series {
            // A replayed trace may end before the planned number of messages.
            series.truncate(self.arrivals as usize);
        }
        let values = self.collector.values(self.model);
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
            if self.stations[queue].spec.schedule.is_none() {
                continue;
            }
            let consumers = self.model.consumers_at(queue, middle);
            self.stations[queue].consumers = consumers;
            while self.stations[queue].busy < consumers {
                let station = &mut self.stations[queue];
                let Some(next) = self.messages.next_waiting(&mut station.line) else {
                    break;
                };
                self.start_service(queue, next, true);
            }
        }
    }

    /// Schedules the next message of `producer`: an interarrival time from
    /// now (open), or a think time from now (a closed-loop client).
    #[inline(always)]
    fn schedule_arrival(&mut self, producer: usize) {
        let publisher = &mut self.publishers[producer];
        let gap = publisher.gaps.draw(publisher.gap);
        let time = match &mut publisher.clock {
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

    fn arrival(&mut self, producer: usize) {
        let spec = self.publishers[producer].spec;
        // A closed-loop client sends again only after its reply.
        if matches!(spec.arrivals, Arrivals::Open { .. }) {
            self.schedule_arrival(producer);
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
        let slot = self.messages.insert(Message {
            producer: producer as u32,
            class: spec.class as u32,
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
            dead_lettered: false,
            generation: 0,
        });
        self.enter(spec.queue, slot);
        let measured_all = matches!(self.plan.length, RunLength::Customers(customers)
            if tracked && index + 1 == self.plan.warmup + customers);
        if measured_all || self.running_producers == 0 {
            self.close_window();
        }
    }

    #[inline(always)]
    fn enter(&mut self, queue: usize, slot: u32) {
        let message = &mut self.messages.slots[slot as usize];
        let class = message.class as usize;
        let station = &mut self.stations[queue];
        // Drawn in arrival order at the queue, blocked or not, so the k-th
        // arrival gets the k-th service time whatever the consumers or the
        // capacity: sweep points compare like with like.
        message.service = station
            .services
            .draw(self.model.classes[class].service_at(station.spec));
        if station.is_full() {
            self.collector.block(queue, class, message.tracked);
            self.log_visit(queue, slot, None);
            self.leave_system(slot, Departure::Blocked);
            return;
        }
        message.entered_queue_at = self.now;
        message.remaining = message.service;
        message.waited_here = false;
        station.in_system += 1;
        let tracked = message.tracked;
        let generation = message.generation;
        if station.spec.discipline.interrupts_service() {
            self.enter_interrupting(queue, slot, class);
            return;
        }
        self.admit(queue, slot, class, tracked, generation);
    }

    /// Entry at a queue whose services can be interrupted: processor
    /// sharing, or preemption of a less urgent service (kept off the path
    /// of the other disciplines).
    fn enter_interrupting(&mut self, queue: usize, slot: u32, class: usize) {
        if matches!(self.stations[queue].serving, Serving::Shared(_)) {
            self.share_arrival(queue, slot);
            return;
        }
        let station = &self.stations[queue];
        if station.busy >= station.consumers
            && let Serving::Preemptive(in_service) = &station.serving
            && let Some(victim) = in_service.victim(class)
        {
            self.preempt(queue, victim);
        }
        let message = &self.messages.slots[slot as usize];
        let (tracked, generation) = (message.tracked, message.generation);
        self.admit(queue, slot, class, tracked, generation);
    }

    /// An accepted message starts service if a consumer is free, otherwise
    /// waits in line (and may expire).
    #[inline(always)]
    fn admit(&mut self, queue: usize, slot: u32, class: usize, tracked: bool, generation: u32) {
        let station = &mut self.stations[queue];
        let waits = station.busy >= station.consumers;
        self.collector.enter(self.now, queue, class, waits, tracked);
        if waits {
            station.line.push(slot, class);
            if let Some(patience) = &station.spec.patience() {
                let expires = self.now + station.patience.draw(patience);
                self.calendar.schedule(
                    expires,
                    EventKind::Expire {
                        queue: queue as u32,
                        message: slot,
                        generation,
                    },
                );
            }
        } else {
            self.start_service(queue, slot, false);
        }
    }

    #[inline(always)]
    fn start_service(&mut self, queue: usize, slot: u32, was_waiting: bool) {
        let message = &mut self.messages.slots[slot as usize];
        let class = message.class as usize;
        message.waited_here |= was_waiting;
        message.waited |= was_waiting;
        message.generation = message.generation.wrapping_add(1);
        message.in_service_since = self.now;
        let (generation, service) = (message.generation, message.remaining);
        let station = &mut self.stations[queue];
        station.busy += 1;
        if let Serving::Preemptive(in_service) = &mut station.serving {
            in_service.start(slot, class);
        }
        self.collector
            .start_service(self.now, queue, class, was_waiting);
        self.calendar.schedule(
            self.now + service,
            EventKind::Departure {
                queue: queue as u32,
                message: slot,
                generation,
            },
        );
    }

    /// Interrupts the service of `slot` at `queue`; it waits again with its
    /// remaining work (preemptive-resume) at the head of its line.
    fn preempt(&mut self, queue: usize, slot: u32) {
        let message = &mut self.messages.slots[slot as usize];
        message.remaining -= self.now - message.in_service_since;
        message.generation = message.generation.wrapping_add(1);
        let class = message.class as usize;
        let station = &mut self.stations[queue];
        station.busy -= 1;
        station.serving.stop(slot);
        station.line.push_front(slot, class);
        self.collector.preempt(self.now, queue, class);
    }

    fn departure(&mut self, queue: usize, slot: u32, generation: u32) {
        let message = &mut self.messages.slots[slot as usize];
        if message.generation != generation {
            return; // the service was preempted; it finishes later
        }
        let class = message.class as usize;
        let sojourn = self.now - message.entered_queue_at;
        // Time at the queue not being served, whatever the discipline.
        let wait = (sojourn - message.service).max(0.0);
        message.total_wait += wait;
        let visit = Visit {
            sojourn,
            wait,
            waited: message.waited_here,
            tracked: message.tracked,
            arrived: message.entered_queue_at,
        };
        self.log_visit(queue, slot, Some(wait));
        let station = &mut self.stations[queue];
        let shared = match &mut station.serving {
            Serving::Shared(sharing) => {
                sharing.advance(self.now, station.in_system);
                sharing.remove_first();
                sharing.scheduled = None;
                if station.in_system > station.spec.consumers {
                    // One share fewer beyond the consumers: one "waiting" fewer.
                    self.collector.start_service(self.now, queue, class, true);
                }
                true
            }
            serving => {
                station.busy -= 1;
                serving.stop(slot);
                false
            }
        };
        station.in_system -= 1;
        self.collector.finish(self.now, queue, class, visit);
        if shared {
            self.schedule_sharing(queue);
        } else if station.busy < station.consumers
            && let Some(next) = self.messages.next_waiting(&mut station.line)
        {
            // (A consumer a schedule has just sent home takes no more work.)
            self.start_service(queue, next, true);
        }
        match self.route(queue) {
            Some(next_queue) => self.enter(next_queue, slot),
            None => self.leave_system(slot, Departure::Served),
        }
    }

    /// A message joins a processor-sharing `queue` (already counted in
    /// `in_system`): everyone present slows down, the next completion moves.
    fn share_arrival(&mut self, queue: usize, slot: u32) {
        let station = &mut self.stations[queue];
        let consumers = station.spec.consumers;
        let message = &mut self.messages.slots[slot as usize];
        let Serving::Shared(sharing) = &mut station.serving else {
            unreachable!("a processor-sharing queue");
        };
        sharing.advance(self.now, station.in_system - 1);
        sharing.add(slot, message.service);
        // Beyond the consumers, an arrival shares rather than being served in full.
        let waits = station.in_system > consumers;
        message.waited_here = waits;
        message.waited |= waits;
        let (class, tracked) = (message.class as usize, message.tracked);
        self.collector.enter(self.now, queue, class, waits, tracked);
        self.schedule_sharing(queue);
    }

    /// (Re)schedules the next completion at a processor-sharing `queue`,
    /// retiring the event scheduled before.
    fn schedule_sharing(&mut self, queue: usize) {
        let station = &mut self.stations[queue];
        let Serving::Shared(sharing) = &mut station.serving else {
            return;
        };
        if let Some(previous) = sharing.scheduled.take() {
            let old = &mut self.messages.slots[previous as usize].generation;
            *old = old.wrapping_add(1);
        }
        if let Some((time, slot)) = sharing.next_completion(self.now, station.in_system) {
            sharing.scheduled = Some(slot);
            let message = &mut self.messages.slots[slot as usize];
            message.generation = message.generation.wrapping_add(1);
            let generation = message.generation;
            self.calendar.schedule(
                time,
                EventKind::Departure {
                    queue: queue as u32,
                    message: slot,
                    generation,
                },
            );
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
        self.stations[queue].in_system -= 1;
        let wait = self.now - message.entered_queue_at;
        let class = message.class as usize;
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
            dead_lettered: true,
            ..message
        };
        match self.stations[queue].spec.dead_letter() {
            Some(dead_letter) => {
                let new_slot = self.messages.insert(moved);
                self.enter(dead_letter, new_slot);
            }
            None => self.record_exit(&moved, Departure::Expired),
        }
    }

    /// Draws the next queue after service at `queue`, or `None` to leave;
    /// a replay takes the recorded choice instead while it has one.
    fn route(&mut self, queue: usize) -> Option<usize> {
        let station = &mut self.stations[queue];
        if station.spec.routes().is_empty() {
            return None;
        }
        if let Some(choice) = station.recorded_routes.as_mut().and_then(Iterator::next) {
            return *choice;
        }
        let draw: f64 = station.routing.random();
        station.spec.exit.next_queue(draw)
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
            });
        }
    }

    #[inline(always)]
    fn leave_system(&mut self, slot: u32, how: Departure) {
        let message = self.messages.remove(slot);
        self.record_exit(&message, how);
    }

    /// Accounts for `message` leaving the network.
    #[inline(always)]
    fn record_exit(&mut self, message: &Message, how: Departure) {
        let producer = message.producer as usize;
        if self.closed_loops
            && matches!(
                self.publishers[producer].spec.arrivals,
                Arrivals::Closed { .. }
            )
        {
            // The reply reaches its client, who thinks and sends again.
            self.schedule_arrival(producer);
        }
        if self.collector.measures_system() {
            // A dead-lettered message expired, whatever happens after.
            let how = if message.dead_lettered {
                Departure::Expired
            } else {
                how
            };
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
            if let Some(series) = &mut self.wait_series {
                let position = (message.index - self.plan.warmup) as usize;
                series[position] = if matches!(how, Departure::Blocked) {
                    f64::NAN
                } else {
                    message.total_wait
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
