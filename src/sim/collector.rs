//! Streaming statistics of one replication, O(1) memory per target: the
//! engine reports what happens, the collector keeps time-weighted counts,
//! tallies and percentile histograms, and turns them into metric values.

use crate::metric::{Metric, MetricValues};
use crate::model::Model;
use crate::stats::{Percentiles, Tally, TimeAverage};

/// Histogram resolution relative to the smallest mean service time.
const RELATIVE_RESOLUTION: f64 = 1e-6;

/// A histogram resolving `resolution` (clamped to a positive normal number).
fn percentiles(resolution: f64) -> Percentiles {
    Percentiles::new(resolution.max(f64::MIN_POSITIVE))
        .expect("a positive finite resolution is always accepted")
}

/// Accumulators of one target (a queue, a class at a queue, or the system).
#[derive(Debug)]
struct Accumulators {
    in_system: TimeAverage,
    in_queue: TimeAverage,
    wait: Tally,
    sojourn: Tally,
    waited: u64,
    arrivals: u64,
    blocked: u64,
    abandoned: u64,
    departures_in_window: u64,
    wait_percentiles: Percentiles,
    sojourn_percentiles: Percentiles,
    /// Time averages (L, Lq) frozen when the window closed.
    window_means: Option<[f64; 2]>,
}

impl Accumulators {
    fn new(resolution: f64) -> Self {
        Accumulators {
            in_system: TimeAverage::new(0.0),
            in_queue: TimeAverage::new(0.0),
            wait: Tally::default(),
            sojourn: Tally::default(),
            waited: 0,
            arrivals: 0,
            blocked: 0,
            abandoned: 0,
            departures_in_window: 0,
            wait_percentiles: percentiles(resolution),
            sojourn_percentiles: percentiles(resolution),
            window_means: None,
        }
    }

    /// Adds `in_system` and `in_queue` (each -1, 0 or +1) to the counts.
    #[inline]
    fn change(&mut self, now: f64, in_system: f64, in_queue: f64) {
        if in_system != 0.0 {
            let count = self.in_system.value() + in_system;
            self.in_system.update(now, count);
        }
        if in_queue != 0.0 {
            let count = self.in_queue.value() + in_queue;
            self.in_queue.update(now, count);
        }
    }

    /// Records a wait; `waited` says whether the message queued at all
    /// (a zero-length wait in the line still counts, as in `in_queue`).
    fn record_wait(&mut self, wait: f64, waited: bool) {
        self.wait.record(wait);
        self.wait_percentiles.record(wait);
        self.waited += u64::from(waited);
    }

    fn record_sojourn(&mut self, sojourn: f64) {
        self.sojourn.record(sojourn);
        self.sojourn_percentiles.record(sojourn);
    }

    fn open(&mut self, now: f64) {
        self.in_system.reset(now);
        self.in_queue.reset(now);
    }

    fn close(&mut self, now: f64) {
        self.window_means = Some([self.in_system.mean(now), self.in_queue.mean(now)]);
    }

    /// The metric values; `consumers` gives utilisation, `can_expire`
    /// adds `p_abandoned`.
    fn values(&self, window: f64, consumers: Option<u32>, can_expire: bool) -> MetricValues {
        let mut values = [f64::NAN; Metric::COUNT];
        let [in_system, in_queue] = self.window_means.unwrap_or([f64::NAN; 2]);
        let set = |values: &mut MetricValues, metric: Metric, value: f64| {
            values[metric.index()] = value;
        };
        set(&mut values, Metric::MeanInSystem, in_system);
        set(&mut values, Metric::MeanInQueue, in_queue);
        if let Some(consumers) = consumers {
            // Busy consumers = messages present minus messages waiting.
            let busy = in_system - in_queue;
            set(
                &mut values,
                Metric::Utilisation,
                busy / f64::from(consumers),
            );
        }
        set(
            &mut values,
            Metric::Throughput,
            self.departures_in_window as f64 / window,
        );
        set(&mut values, Metric::MeanWait, self.wait.mean());
        set(&mut values, Metric::MeanSojourn, self.sojourn.mean());
        // Every accepted message that left the line, served or expired.
        let accepted = self.wait.count();
        if accepted > 0 {
            set(
                &mut values,
                Metric::PWait,
                self.waited as f64 / accepted as f64,
            );
            if can_expire {
                set(
                    &mut values,
                    Metric::PAbandoned,
                    self.abandoned as f64 / accepted as f64,
                );
            }
        }
        if self.arrivals > 0 {
            set(
                &mut values,
                Metric::PBlocked,
                self.blocked as f64 / self.arrivals as f64,
            );
        }
        for (metric, p) in Metric::WAIT_PERCENTILES {
            set(&mut values, metric, self.wait_percentiles.quantile(p));
        }
        for (metric, p) in Metric::SOJOURN_PERCENTILES {
            set(&mut values, metric, self.sojourn_percentiles.quantile(p));
        }
        values
    }
}

/// A completed visit to a queue.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Visit {
    /// Time from arrival at the queue to the end of service.
    pub(crate) sojourn: f64,
    /// Time spent waiting there (all spells, under preemption).
    pub(crate) wait: f64,
    /// It waited there at all.
    pub(crate) waited: bool,
    /// It is measured.
    pub(crate) tracked: bool,
}

/// Why a message leaves the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Departure {
    /// After service.
    Served,
    /// Rejected by a full queue.
    Blocked,
    /// Expired while waiting (no dead-letter queue).
    Expired,
}

/// How a message leaves the network.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Exit {
    /// Time from arrival to leaving.
    pub(crate) sojourn: f64,
    /// Time spent waiting, over all visits.
    pub(crate) total_wait: f64,
    /// It queued at some queue.
    pub(crate) waited: bool,
    /// Why it leaves.
    pub(crate) how: Departure,
    /// It is measured.
    pub(crate) tracked: bool,
}

/// What a replication measures, target by target.
///
/// Targets are laid out node-major: node `q` (a queue, then the system as
/// node `queues` when there are several queues) has its aggregate target and,
/// when the model has classes, one target per class.
#[derive(Debug)]
pub(crate) struct Collector {
    targets: Vec<Accumulators>,
    per_node: usize,
    queues: usize,
    window_start: f64,
    window_end: Option<f64>,
    window_open: bool,
}

impl Collector {
    /// Empty accumulators for every target of `model`.
    pub(crate) fn new(model: &Model) -> Self {
        let per_node = if model.has_classes() {
            1 + model.classes.len()
        } else {
            1
        };
        let mut targets = Vec::new();
        let mut smallest_service = f64::INFINITY;
        for queue in 0..model.queues.len() {
            let resolution = (0..model.classes.len())
                .map(|class| model.service(queue, class).mean())
                .fold(f64::INFINITY, f64::min);
            smallest_service = smallest_service.min(resolution);
            targets
                .extend((0..per_node).map(|_| Accumulators::new(resolution * RELATIVE_RESOLUTION)));
        }
        if model.queues.len() > 1 {
            targets.extend(
                (0..per_node).map(|_| Accumulators::new(smallest_service * RELATIVE_RESOLUTION)),
            );
        }
        Collector {
            targets,
            per_node,
            queues: model.queues.len(),
            window_start: 0.0,
            window_end: None,
            window_open: false,
        }
    }

    /// Calls `update` on the aggregate target of `node` and on its `class` target.
    #[inline(always)]
    fn each(&mut self, node: usize, class: usize, mut update: impl FnMut(&mut Accumulators)) {
        let base = node * self.per_node;
        update(&mut self.targets[base]);
        if self.per_node > 1 {
            update(&mut self.targets[base + 1 + class]);
        }
    }

    /// Starts the measured window: time averages restart from `now`.
    pub(crate) fn open_window(&mut self, now: f64) {
        self.window_start = now;
        self.window_open = true;
        for target in &mut self.targets {
            target.open(now);
        }
    }

    /// Ends the measured window, freezing the time averages.
    pub(crate) fn close_window(&mut self, now: f64) {
        self.window_end = Some(now);
        self.window_open = false;
        for target in &mut self.targets {
            target.close(now);
        }
    }

    /// A message of `class` is accepted at `queue`.
    #[inline]
    pub(crate) fn enter(
        &mut self,
        now: f64,
        queue: usize,
        class: usize,
        waits: bool,
        tracked: bool,
    ) {
        let in_queue = if waits { 1.0 } else { 0.0 };
        self.each(queue, class, |t| {
            t.change(now, 1.0, in_queue);
            t.arrivals += u64::from(tracked);
        });
    }

    /// A message of `class` is rejected by a full `queue`.
    pub(crate) fn block(&mut self, queue: usize, class: usize, tracked: bool) {
        if tracked {
            self.each(queue, class, |t| {
                t.arrivals += 1;
                t.blocked += 1;
            });
        }
    }

    /// A message of `class` starts (or resumes) service at `queue`.
    pub(crate) fn start_service(
        &mut self,
        now: f64,
        queue: usize,
        class: usize,
        was_waiting: bool,
    ) {
        if was_waiting {
            self.each(queue, class, |t| t.change(now, 0.0, -1.0));
        }
    }

    /// A message of `class` in service at `queue` is interrupted and waits.
    pub(crate) fn preempt(&mut self, now: f64, queue: usize, class: usize) {
        self.each(queue, class, |t| t.change(now, 0.0, 1.0));
    }

    /// A message of `class` waiting at `queue` expires after `wait`.
    pub(crate) fn expire(
        &mut self,
        now: f64,
        queue: usize,
        class: usize,
        wait: f64,
        tracked: bool,
    ) {
        self.each(queue, class, |t| {
            t.change(now, -1.0, -1.0);
            if tracked {
                t.abandoned += 1;
                t.record_wait(wait, true);
            }
        });
    }

    /// A message of `class` leaves `queue` after `sojourn` there.
    #[inline]
    pub(crate) fn finish(&mut self, now: f64, queue: usize, class: usize, visit: Visit) {
        let in_window = self.window_open;
        self.each(queue, class, |t| {
            t.change(now, -1.0, 0.0);
            t.departures_in_window += u64::from(in_window);
            if visit.tracked {
                t.record_wait(visit.wait, visit.waited);
                t.record_sojourn(visit.sojourn);
            }
        });
    }

    /// The network has several queues, so it is measured end to end as well
    /// (with a single queue, the system is that queue).
    #[inline]
    pub(crate) fn measures_system(&self) -> bool {
        self.queues > 1
    }

    /// A message of `class` leaves a network measured end to end (see
    /// [`Collector::measures_system`]): `blocked` somewhere, or served after
    /// `sojourn` end to end, `total_wait` of it waiting (`waited`: it queued
    /// at some queue).
    pub(crate) fn exit_system(&mut self, class: usize, exit: Exit) {
        let Exit {
            sojourn,
            total_wait,
            waited,
            how,
            tracked,
        } = exit;
        let in_window = self.window_open;
        self.each(self.queues, class, |t| {
            if how == Departure::Served {
                t.departures_in_window += u64::from(in_window);
            }
            if tracked {
                t.arrivals += 1;
                match how {
                    Departure::Blocked => t.blocked += 1,
                    Departure::Expired => {
                        t.abandoned += 1;
                        t.record_wait(total_wait, waited);
                    }
                    Departure::Served => {
                        t.record_wait(total_wait, waited);
                        t.record_sojourn(sojourn);
                    }
                }
            }
        });
    }

    /// The waiting-time histograms of every target, in layout order.
    pub(crate) fn into_wait_distributions(self) -> Vec<Percentiles> {
        self.targets
            .into_iter()
            .map(|target| target.wait_percentiles)
            .collect()
    }

    /// Metric values of every target, in layout order.
    pub(crate) fn values(&self, model: &Model) -> Vec<MetricValues> {
        let window = self.window_end.unwrap_or(f64::NAN) - self.window_start;
        let mut values: Vec<MetricValues> = self
            .targets
            .iter()
            .enumerate()
            .map(|(index, target)| {
                let node = index / self.per_node;
                // A class's utilisation is the share of consumers busy with it.
                let consumers = model
                    .queues
                    .get(node)
                    .filter(|queue| !queue.is_unlimited())
                    .map(|queue| queue.consumers);
                let can_expire = match model.queues.get(node) {
                    Some(queue) => queue.patience.is_some(),
                    None => model.queues.iter().any(|q| q.patience.is_some()),
                };
                target.values(window, consumers, can_expire)
            })
            .collect();
        if self.queues > 1 {
            // The network holds what its queues hold: L and Lq add up.
            for slot in 0..self.per_node {
                for metric in [Metric::MeanInSystem, Metric::MeanInQueue] {
                    let total = (0..self.queues)
                        .map(|queue| values[queue * self.per_node + slot][metric.index()])
                        .sum();
                    values[self.queues * self.per_node + slot][metric.index()] = total;
                }
            }
        }
        values
    }
}
