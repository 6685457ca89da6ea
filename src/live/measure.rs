//! Metrics from per-visit stamps (of a queue's visits, or of whole
//! journeys for the network end to end), with batch-means confidence
//! intervals:
//! the measured window is cut into equal time slices, each slice gives one
//! value per metric, and the slices' values give the mean and its interval.
//! Time averages (L, Lq, utilisation) are exact integrals over the stamps.

use std::collections::BTreeMap;

use super::journey::{Journeys, Outcome, VisitStamps};
use super::timeline::Window;
use crate::model::Model;
use crate::model::Target;
use crate::model::metric::Metric;
use crate::stats::Estimate;
use crate::stats::{Percentiles, student_t_interval};

/// Slices of the measured window (batch means).
pub const BATCHES: usize = 10;

/// One value per batch for each metric, in model time units.
pub type BatchValues = BTreeMap<Metric, Vec<f64>>;

/// Mean and batch-means interval of each metric, cut to the values the
/// metric can take ([`Metric::support`]).
pub fn summarise(values: &BatchValues, confidence: f64) -> BTreeMap<Metric, Estimate> {
    values
        .iter()
        .map(|(&metric, samples)| {
            let estimate = student_t_interval(samples, confidence).within(metric.support());
            (metric, estimate)
        })
        .collect()
}

/// Per-batch values of `target`'s metrics in `model` (a queue, or the
/// network end to end; one class or all) from `journeys`, for the
/// arrivals in `window`'s measured part. Rejections are reported only
/// where a queue is bounded, utilisation only for a queue; metrics that
/// some batch cannot measure are left out.
pub fn measure(window: &Window, journeys: &Journeys, model: &Model, target: Target) -> BatchValues {
    let mut batches = Batches::new(window);
    for journey in &journeys.messages {
        if target.class.is_some_and(|c| c != journey.class) {
            continue;
        }
        let visits = &journeys.visits[journey.visits.clone()];
        match target.queue {
            Some(queue) => {
                for visit in visits.iter().filter(|v| v.queue == queue) {
                    batches.occupy(visit);
                    batches.observe(visit.arrived, Outcome::of_visit(visit));
                }
            }
            None => {
                for visit in visits {
                    batches.occupy(visit);
                }
                batches.observe(
                    journey.entered,
                    Outcome::of_journey(journey.entered, visits),
                );
            }
        }
    }
    let (consumers, bounded) = match target.queue {
        Some(queue) => {
            let spec = &model.queues[queue];
            (Some(spec.consumers), spec.capacity().is_some())
        }
        None => (None, model.queues.iter().any(|q| q.capacity().is_some())),
    };
    batches.values(consumers, bounded)
}

/// The batches of a measured window being filled.
struct Batches {
    start: u64,
    end: u64,
    /// Slice width, ns.
    width: f64,
    ns_per_unit: f64,
    slices: Vec<Batch>,
}

impl Batches {
    fn new(window: &Window) -> Batches {
        let (start, end) = (window.warmup_end, window.end);
        // One microsecond in model units: valid, as the time scale is
        // validated finite and > 0.
        let histogram = Percentiles::new(1e3 / window.ns_per_unit)
            .expect("a validated time scale gives a valid resolution");
        Batches {
            start,
            end,
            width: (end - start) as f64 / BATCHES as f64,
            ns_per_unit: window.ns_per_unit,
            slices: (0..BATCHES).map(|_| Batch::new(&histogram)).collect(),
        }
    }

    fn slice_of(&self, t: u64) -> usize {
        ((t.saturating_sub(self.start) as f64 / self.width) as usize).min(BATCHES - 1)
    }

    fn units(&self, ns: u64) -> f64 {
        ns as f64 / self.ns_per_unit
    }

    /// Adds an accepted visit's time in the system, waiting and in service
    /// to the time integrals.
    fn occupy(&mut self, visit: &VisitStamps) {
        if visit.rejected {
            return;
        }
        let done = visit.done.min(self.end);
        let dequeued = visit.dequeued.min(self.end);
        self.spread(visit.arrived, done, |b| &mut b.in_system);
        self.spread(visit.arrived, dequeued, |b| &mut b.in_queue);
        self.spread(dequeued, done, |b| &mut b.busy);
    }

    /// Counts a visit or journey that arrived at `arrival` and ended as `outcome`.
    fn observe(&mut self, arrival: u64, outcome: Outcome) {
        let window = self.start..self.end;
        if let Outcome::Served { left, .. } = outcome
            && window.contains(&left)
        {
            let slice = self.slice_of(left);
            self.slices[slice].departures += 1;
        }
        if !window.contains(&arrival) {
            return;
        }
        let slice = self.slice_of(arrival);
        let (wait, sojourn) = match outcome {
            Outcome::Served { wait, sojourn, .. } => (self.units(wait), self.units(sojourn)),
            _ => (0.0, 0.0),
        };
        let batch = &mut self.slices[slice];
        batch.arrivals += 1;
        match outcome {
            Outcome::Rejected => batch.rejected += 1,
            Outcome::Unfinished => {}
            Outcome::Served { .. } => {
                batch.wait_total += wait;
                batch.sojourn_total += sojourn;
                batch.served += 1;
                batch.waits.record(wait);
                batch.sojourns.record(sojourn);
            }
        }
    }

    /// Adds the overlap of `[from, to)` with each slice to the field
    /// `field` picks.
    fn spread(&mut self, from: u64, to: u64, field: impl Fn(&mut Batch) -> &mut f64) {
        let (start, width) = (self.start as f64, self.width);
        let (from, to) = (from.max(self.start) as f64 - start, to as f64 - start);
        if to <= from {
            return;
        }
        let first = (from / width) as usize;
        for (index, batch) in self.slices.iter_mut().enumerate().skip(first) {
            let (low, high) = (index as f64 * width, (index + 1) as f64 * width);
            if low >= to {
                break;
            }
            *field(batch) += high.min(to) - low.max(from);
        }
    }

    /// Each metric's value per batch, with `consumers` for utilisation
    /// (none for the network) and rejections only when `bounded`.
    fn values(&self, consumers: Option<u32>, bounded: bool) -> BatchValues {
        let width = self.width;
        let slice_units = width / self.ns_per_unit;
        let per_batch = |metric: Metric, batch: &Batch| -> f64 {
            let served = batch.served as f64;
            match metric {
                Metric::MeanInSystem => batch.in_system / width,
                Metric::MeanInQueue => batch.in_queue / width,
                Metric::Utilisation => {
                    consumers.map_or(f64::NAN, |c| batch.busy / (width * f64::from(c)))
                }
                Metric::Throughput => batch.departures as f64 / slice_units,
                Metric::MeanWait => batch.wait_total / served,
                Metric::MeanSojourn => batch.sojourn_total / served,
                Metric::PBlocked => batch.rejected as f64 / batch.arrivals as f64,
                Metric::WaitP50 => batch.waits.quantile(0.5),
                Metric::WaitP90 => batch.waits.quantile(0.9),
                Metric::WaitP99 => batch.waits.quantile(0.99),
                Metric::SojournP50 => batch.sojourns.quantile(0.5),
                Metric::SojournP90 => batch.sojourns.quantile(0.9),
                Metric::SojournP99 => batch.sojourns.quantile(0.99),
                // Not measured live (nor are service levels; no backlog or
                // prefetch window runs live).
                Metric::PWait
                | Metric::PAbandoned
                | Metric::PDropped
                | Metric::MeanWaitServed
                | Metric::DrainTime
                | Metric::MeanReady
                | Metric::MeanUnacked
                | Metric::ConsumerUtilisation
                | Metric::PHoarded
                | Metric::RetriesPerMessage
                | Metric::PDeadLettered
                | Metric::MeanInRetry
                | Metric::Availability
                | Metric::RedeliveriesPerMessage
                | Metric::MeanBatch
                | Metric::PollOverheadShare
                | Metric::FetchWaitShare
                | Metric::RebalanceShare
                | Metric::RebalanceRate
                | Metric::PRedelivered
                | Metric::RebalancePauseMean
                | Metric::WaitWithin(_)
                | Metric::SojournWithin(_) => f64::NAN,
            }
        };
        Metric::ALL
            .iter()
            .filter(|&&metric| bounded || metric != Metric::PBlocked)
            .filter_map(|&metric| {
                let samples: Vec<f64> = self.slices.iter().map(|b| per_batch(metric, b)).collect();
                samples
                    .iter()
                    .all(|x| x.is_finite())
                    .then_some((metric, samples))
            })
            .collect()
    }
}

/// One slice's sums.
struct Batch {
    arrivals: u64,
    rejected: u64,
    served: u64,
    departures: u64,
    wait_total: f64,
    sojourn_total: f64,
    /// Integrals over the slice, in ns × messages.
    in_system: f64,
    in_queue: f64,
    busy: f64,
    waits: Percentiles,
    sojourns: Percentiles,
}

impl Batch {
    fn new(histogram: &Percentiles) -> Batch {
        Batch {
            arrivals: 0,
            rejected: 0,
            served: 0,
            departures: 0,
            wait_total: 0.0,
            sojourn_total: 0.0,
            in_system: 0.0,
            in_queue: 0.0,
            busy: 0.0,
            waits: histogram.clone(),
            sojourns: histogram.clone(),
        }
    }
}
