//! Metrics from per-visit stamps (of a queue's visits, or of whole
//! journeys for the network end to end), with batch-means confidence
//! intervals:
//! the measured window is cut into equal time slices, each slice gives one
//! value per metric, and the slices' values give the mean and its interval.
//! Time averages (L, Lq, utilisation) are exact integrals over the stamps.

use std::collections::BTreeMap;

use super::journey::{Journeys, Outcome, VisitStamps};
use super::timeline::Window;
use crate::model::Target;
use crate::model::metric::Metric;
use crate::model::{Loss, Model, Overflow};
use crate::stats::Estimate;
use crate::stats::{Percentiles, student_t_interval};

/// Slices of the measured window (batch means).
pub const BATCHES: usize = 10;

/// One value per batch for each metric, in model time units.
pub type BatchValues = BTreeMap<Metric, Vec<f64>>;

/// Mean and batch-means interval of each metric, cut to the values the
/// metric can take ([`Metric::support`]).
pub fn summarise(values: &BatchValues, confidence: f64) -> BTreeMap<Metric, Estimate> {
    summarise_within(values, confidence, Metric::support)
}

/// Mean and batch-means interval of each metric's paired differences
/// (live − replay, batch by batch), cut to the values a difference of two
/// of the metric's values can take: a difference may be negative.
pub fn summarise_differences(values: &BatchValues, confidence: f64) -> BTreeMap<Metric, Estimate> {
    summarise_within(values, confidence, |metric| {
        let (low, high) = metric.support();
        (low - high, high - low)
    })
}

/// Mean and batch-means interval of each metric, cut to `support`.
fn summarise_within(
    values: &BatchValues,
    confidence: f64,
    support: impl Fn(Metric) -> (f64, f64),
) -> BTreeMap<Metric, Estimate> {
    values
        .iter()
        .map(|(&metric, samples)| {
            let estimate = student_t_interval(samples, confidence).within(support(metric));
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
    let queues = match target.queue {
        Some(queue) => std::slice::from_ref(&model.queues[queue]),
        None => model.queues.as_slice(),
    };
    let reported = Reported {
        consumers: target.queue.map(|queue| model.queues[queue].consumers),
        bounded: queues.iter().any(|q| q.capacity().is_some()),
        expire: queues.iter().any(|q| q.patience().is_some()),
        drop: queues
            .iter()
            .any(|q| q.admission.overflow() == Some(Overflow::DropHead)),
        retry: queues.iter().any(|q| q.retry().is_some()),
    };
    batches.values(reported)
}

/// Which of a target's metrics are reported: utilisation with its
/// consumers (a queue's), rejections where a queue is bounded, expiries
/// where messages have a patience (TTL) and drops from the head (with the
/// mean wait of the served) where a queue drops them, and retries per
/// message where failed deliveries are retried, as the simulation reports
/// them.
struct Reported {
    consumers: Option<u32>,
    bounded: bool,
    expire: bool,
    drop: bool,
    retry: bool,
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
    /// to the time integrals (a lost visit waits until it is lost).
    fn occupy(&mut self, visit: &VisitStamps) {
        if visit.rejected {
            return;
        }
        let done = visit.done.min(self.end);
        let dequeued = if visit.lost.is_some() {
            done
        } else {
            visit.dequeued.min(self.end)
        };
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
            Outcome::Served { wait, sojourn, .. } | Outcome::Lost { wait, sojourn, .. } => {
                (self.units(wait), self.units(sojourn))
            }
            Outcome::Rejected | Outcome::Unfinished => (0.0, 0.0),
        };
        let batch = &mut self.slices[slice];
        batch.arrivals += 1;
        match outcome {
            Outcome::Rejected => batch.rejected += 1,
            Outcome::Unfinished => {}
            Outcome::Lost { how, .. } => {
                batch.left_line(wait, sojourn);
                match how {
                    Loss::Expired => batch.expired += 1,
                    Loss::Dropped => batch.dropped += 1,
                }
            }
            Outcome::Served { retries, .. } => {
                batch.left_line(wait, sojourn);
                batch.served += 1;
                batch.retries += u64::from(retries);
                batch.served_wait_total += wait;
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

    /// Each metric's value per batch, those of `reported`.
    fn values(&self, reported: Reported) -> BatchValues {
        let Reported {
            consumers,
            bounded,
            expire,
            drop,
            retry,
        } = reported;
        let width = self.width;
        let slice_units = width / self.ns_per_unit;
        let per_batch = |metric: Metric, batch: &Batch| -> f64 {
            let served = batch.served as f64;
            let left = (batch.served + batch.expired + batch.dropped) as f64;
            let accepted = (batch.arrivals - batch.rejected) as f64;
            match metric {
                Metric::MeanInSystem => batch.in_system / width,
                Metric::MeanInQueue => batch.in_queue / width,
                Metric::Utilisation => {
                    consumers.map_or(f64::NAN, |c| batch.busy / (width * f64::from(c)))
                }
                Metric::Throughput => batch.departures as f64 / slice_units,
                Metric::MeanWait => batch.wait_total / left,
                Metric::MeanSojourn => batch.sojourn_total / left,
                Metric::PBlocked => batch.rejected as f64 / batch.arrivals as f64,
                Metric::PAbandoned if expire => batch.expired as f64 / accepted,
                Metric::PDropped if drop => batch.dropped as f64 / accepted,
                Metric::MeanWaitServed if drop => batch.served_wait_total / served,
                Metric::RetriesPerMessage if retry => batch.retries as f64 / served,
                Metric::WaitP50 => batch.waits.quantile(0.5),
                Metric::WaitP90 => batch.waits.quantile(0.9),
                Metric::WaitP99 => batch.waits.quantile(0.99),
                Metric::SojournP50 => batch.sojourns.quantile(0.5),
                Metric::SojournP90 => batch.sojourns.quantile(0.9),
                Metric::SojournP99 => batch.sojourns.quantile(0.99),
                // Not measured live (nor are service levels; no backlog or
                // prefetch window runs live; losses and retries only where
                // they occur).
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
                | Metric::IdleConsumers
                | Metric::PLeaseExpired
                | Metric::LeaseRedeliveriesPerMessage
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
    expired: u64,
    dropped: u64,
    departures: u64,
    /// Failed deliveries of the messages served.
    retries: u64,
    wait_total: f64,
    /// Of `wait_total`, the waits of the messages served.
    served_wait_total: f64,
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
            expired: 0,
            dropped: 0,
            departures: 0,
            retries: 0,
            wait_total: 0.0,
            served_wait_total: 0.0,
            sojourn_total: 0.0,
            in_system: 0.0,
            in_queue: 0.0,
            busy: 0.0,
            waits: histogram.clone(),
            sojourns: histogram.clone(),
        }
    }

    /// An accepted message left the line, served or lost, after `wait`
    /// and `sojourn`: waits and sojourns count every one of them, as the
    /// simulation's do.
    fn left_line(&mut self, wait: f64, sojourn: f64) {
        self.wait_total += wait;
        self.sojourn_total += sojourn;
        self.waits.record(wait);
        self.sojourns.record(sojourn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_keeps_its_negative_interval_while_a_probability_is_cut_at_zero() {
        let values: BatchValues = [(Metric::PDropped, vec![-0.02, -0.01, -0.015, -0.012])].into();
        let difference = summarise_differences(&values, 0.95)[&Metric::PDropped];
        assert!(difference.ci_low < difference.ci_high && difference.ci_high < 0.0);
        assert!(!difference.clipped);
        let probability = summarise(&values, 0.95)[&Metric::PDropped];
        assert_eq!(probability.ci_low, 0.0);
        assert!(probability.clipped);
    }
}
