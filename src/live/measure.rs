//! Metrics from per-message stamps, with batch-means confidence intervals:
//! the measured window is cut into equal time slices, each slice gives one
//! value per metric, and the slices' values give the mean and its interval.
//! Time averages (L, Lq, utilisation) are exact integrals over the stamps.

use std::collections::BTreeMap;

use super::harness::{NEVER, Stamps};
use super::timeline::Timeline;
use crate::metric::Metric;
use crate::report::Interval;
use crate::stats::{Percentiles, student_t_interval};

/// Slices of the measured window (batch means).
pub const BATCHES: usize = 10;

/// One value per batch for each metric, in model time units.
pub type BatchValues = BTreeMap<Metric, Vec<f64>>;

/// Mean and batch-means interval of each metric.
pub fn summarise(values: &BatchValues, confidence: f64) -> BTreeMap<Metric, Interval> {
    values
        .iter()
        .map(|(&metric, samples)| (metric, student_t_interval(samples, confidence).into()))
        .collect()
}

/// Per-batch values of the metrics of the messages of `timeline` (only
/// those of `class`, if given) scheduled in its measured window, from
/// `stamps`, with `consumers` servers. Rejections are reported only when
/// the queue is `bounded`; metrics that some batch cannot measure are left
/// out.
pub fn measure(
    timeline: &Timeline,
    stamps: &Stamps,
    consumers: u32,
    bounded: bool,
    class: Option<usize>,
) -> BatchValues {
    let (start, end) = (timeline.warmup_end, timeline.end);
    let width = (end - start) as f64 / BATCHES as f64;
    let slice_of = |t: u64| (((t.saturating_sub(start)) as f64 / width) as usize).min(BATCHES - 1);
    let to_units = |ns: f64| ns / timeline.ns_per_unit;
    // One microsecond in model units: valid, as the time scale is validated
    // finite and > 0.
    let histogram = Percentiles::new(1e3 / timeline.ns_per_unit)
        .expect("a validated time scale gives a valid resolution");
    let mut batches: Vec<Batch> = (0..BATCHES).map(|_| Batch::new(&histogram)).collect();
    for (id, planned) in timeline.messages.iter().enumerate() {
        let (scheduled, dequeued, done) = (planned.scheduled, stamps.dequeued[id], stamps.done[id]);
        if stamps.sent[id] == NEVER || class.is_some_and(|c| c != planned.class) {
            continue;
        }
        if !stamps.rejected[id] {
            let done_or_end = done.min(end);
            let dequeued_or_end = dequeued.min(end);
            spread(&mut batches, start, width, scheduled, done_or_end, |b| {
                &mut b.in_system
            });
            spread(
                &mut batches,
                start,
                width,
                scheduled,
                dequeued_or_end,
                |b| &mut b.in_queue,
            );
            spread(
                &mut batches,
                start,
                width,
                dequeued_or_end,
                done_or_end,
                |b| &mut b.busy,
            );
            if done != NEVER && (start..end).contains(&done) {
                batches[slice_of(done)].departures += 1;
            }
        }
        if !(start..end).contains(&scheduled) {
            continue;
        }
        let batch = &mut batches[slice_of(scheduled)];
        batch.arrivals += 1;
        if stamps.rejected[id] {
            batch.rejected += 1;
        } else if done != NEVER {
            // A producer never sends early, so neither difference is negative.
            let wait = to_units(dequeued.saturating_sub(scheduled) as f64);
            let sojourn = to_units(done.saturating_sub(scheduled) as f64);
            batch.wait_total += wait;
            batch.sojourn_total += sojourn;
            batch.served += 1;
            batch.waits.record(wait);
            batch.sojourns.record(sojourn);
        }
    }
    let slice_units = to_units(width);
    let per_batch = |metric: Metric, batch: &Batch| -> f64 {
        let served = batch.served as f64;
        match metric {
            Metric::MeanInSystem => batch.in_system / width,
            Metric::MeanInQueue => batch.in_queue / width,
            Metric::Utilisation => batch.busy / (width * f64::from(consumers)),
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
            Metric::PWait | Metric::PAbandoned => f64::NAN,
        }
    };
    Metric::ALL
        .iter()
        .filter(|&&metric| bounded || metric != Metric::PBlocked)
        .filter_map(|&metric| {
            let samples: Vec<f64> = batches.iter().map(|b| per_batch(metric, b)).collect();
            samples
                .iter()
                .all(|x| x.is_finite())
                .then_some((metric, samples))
        })
        .collect()
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

/// Adds the overlap of `[from, to)` with each slice of `[start, start +
/// BATCHES·width)` to the field `field` picks.
fn spread(
    batches: &mut [Batch],
    start: u64,
    width: f64,
    from: u64,
    to: u64,
    field: impl Fn(&mut Batch) -> &mut f64,
) {
    if to <= from {
        return;
    }
    let (from, to) = (
        from.max(start) as f64 - start as f64,
        to as f64 - start as f64,
    );
    if to <= from {
        return;
    }
    let first = (from / width) as usize;
    for (index, batch) in batches.iter_mut().enumerate().skip(first) {
        let (low, high) = (index as f64 * width, (index + 1) as f64 * width);
        if low >= to {
            break;
        }
        *field(batch) += high.min(to) - low.max(from);
    }
}
