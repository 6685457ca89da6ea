//! The discrete-event simulator: independent replications of a [`Model`] in
//! parallel (rayon), each with its own reproducible random streams, turned
//! into confidence intervals across replications (or, for a single
//! replication, from batch means), after a warm-up chosen once per model.

mod backlog;
mod calendar;
mod clock;
mod collector;
mod engine;
mod lease_counts;
mod message;
mod poll_totals;
mod station;
mod streams;
mod warmup;
mod window_averages;

use rayon::prelude::*;

use crate::dist::Dist;
use crate::model::metric::{Metric, MetricValues};
use crate::model::{Arrivals, Model, Producer, Target, VisitRecord, targets};
use crate::run::{RunConfig, RunLength};
use crate::stats::{BATCHES, Estimate, Percentiles, batch_means_interval, student_t_interval};
use engine::{Engine, Plan};
use streams::StreamSet;
pub use warmup::{WarmupTrace, warmup, warmup_trace};

/// One replication's measurements.
#[derive(Clone, Debug)]
pub struct Replication {
    /// Metric values per target (`NaN` where a metric does not apply).
    pub values: Vec<MetricValues>,
    /// Messages discarded as warm-up.
    pub warmup: u64,
    /// Events processed (warm-up pilots excluded).
    pub events: u64,
    /// Waiting-time histogram per target (empty when not kept, as in the
    /// shards of points whose distribution is not charted).
    pub wait_distributions: Vec<Percentiles>,
    /// Metric values per reporting interval, then per target (empty
    /// without rate profiles).
    pub intervals: Vec<Vec<MetricValues>>,
    /// Waiting-time histograms per reporting interval, then per target:
    /// kept only by [`run_replication_with_interval_waits`] (for plans).
    pub interval_wait_distributions: Vec<Vec<Percentiles>>,
    /// Metric values per batch, then per target, when the run is a single
    /// replication cut into batches (batch means); empty otherwise.
    pub batches: Vec<Vec<MetricValues>>,
}

/// Simulation results of one model.
#[derive(Clone, Debug)]
pub struct Simulation {
    /// What each row describes.
    pub targets: Vec<Target>,
    /// The metric of each position of the value and estimate vectors
    /// ([`Model::metrics`]).
    pub metrics: Vec<Metric>,
    /// Every replication, in replication order.
    pub replications: Vec<Replication>,
    /// Mean and confidence interval per target and metric (in the order of
    /// `metrics`).
    pub estimates: Vec<Vec<Estimate>>,
    /// The same per reporting interval (empty without rate profiles).
    pub interval_estimates: Vec<Vec<Vec<Estimate>>>,
    /// The relative half-width a precision-driven run aimed at.
    pub target_precision: Option<f64>,
}

impl Simulation {
    /// Summarises `replications` (in replication order) of `model`.
    pub fn from_replications(
        model: &Model,
        run: &RunConfig,
        replications: Vec<Replication>,
    ) -> Simulation {
        let intervals = replications.first().map_or(0, |r| r.intervals.len());
        Simulation {
            targets: targets(model),
            metrics: model.metrics(),
            estimates: estimate(model, run, &replications, |r| &r.values, Missing::Unknown),
            interval_estimates: (0..intervals)
                .map(|k| {
                    estimate(
                        model,
                        run,
                        &replications,
                        |r| &r.intervals[k],
                        Missing::Skipped,
                    )
                })
                .collect(),
            replications,
            target_precision: run.precision.map(|p| p.target),
        }
    }

    /// The waiting times of `target` over all replications.
    pub fn wait_distribution(&self, target: usize) -> Option<Percentiles> {
        let mut replications = self.replications.iter();
        let mut merged = replications.next()?.wait_distributions[target].clone();
        for replication in replications {
            merged.merge(&replication.wait_distributions[target]);
        }
        Some(merged)
    }
}

/// Runs replication `replication` of `model`, discarding the first
/// `warmup` arrivals (see [`warmup`]), then measuring the window.
pub fn run_replication(
    model: &Model,
    run: &RunConfig,
    warmup: u64,
    replication: u32,
) -> Replication {
    Replication {
        interval_wait_distributions: Vec::new(),
        ..run_replication_with_interval_waits(model, run, warmup, replication)
    }
}

/// [`run_replication`], keeping the waiting-time histogram of every
/// reporting interval (which planning a consumer schedule judges).
pub fn run_replication_with_interval_waits(
    model: &Model,
    run: &RunConfig,
    warmup: u64,
    replication: u32,
) -> Replication {
    let plan = Plan {
        warmup,
        length: run.length,
        // One replication gets its intervals from batches.
        batches: if run.replications == 1 { BATCHES } else { 0 },
    };
    let (outcome, _) =
        Engine::new(model, plan, run.seed, StreamSet::Replication(replication)).run();
    Replication {
        values: outcome.values,
        warmup,
        events: outcome.events,
        wait_distributions: outcome.wait_distributions,
        intervals: outcome.interval_values,
        interval_wait_distributions: outcome.interval_wait_distributions,
        batches: outcome.batch_values,
    }
}

/// What a replay feeds through a model: inputs recorded elsewhere (a live
/// run), times in model units.
#[derive(Clone, Copy, Debug)]
pub struct Recording<'a> {
    /// (arrival time, producer index) of every external arrival, in time order.
    pub arrivals: &'a [(f64, usize)],
    /// Per queue, the service time of each arrival there, in arrival order
    /// (rejected arrivals included).
    pub services: &'a [Vec<f64>],
    /// Per queue, where each message went after its service there (`None`:
    /// it left), in departure order.
    pub routes: &'a [Vec<Option<usize>>],
    /// Per queue, whether each delivery there failed (at a queue with a
    /// `retry`), in the order they ended; may be empty.
    pub failures: &'a [Vec<bool>],
}

/// Replays `recording` through `model`: the producers send at the recorded
/// instants, the k-th arrival at a queue needs the k-th recorded service
/// there (a failed delivery's redelivery draws the next), the k-th
/// delivery ending at a queue fails as recorded, and the k-th departure
/// from a queue goes where the recording says. Returns every visit, completed or rejected, in event order. One
/// run, no warm-up: the caller measures the windows it wants.
pub fn replay(model: &Model, recording: &Recording) -> Vec<VisitRecord> {
    let Some(replayed) = replay_model(model, recording) else {
        return Vec::new();
    };
    let plan = Plan {
        warmup: 0,
        length: RunLength::Customers(recording.arrivals.len() as u64),
        batches: 0,
    };
    let mut log = Vec::with_capacity(recording.services.iter().map(Vec::len).sum());
    Engine::new(&replayed, plan, 0, StreamSet::Replication(0))
        .replay_routes(recording.routes)
        .replay_failures(recording.failures)
        .record_visits(&mut log)
        .run();
    log
}

/// The partition each message gets in a [`replay`] of `model` whose
/// messages reach partitioned queue `queue` from `producers` (each
/// message's producer index, in arrival order): the draws the replay
/// makes, so a bench run that sends each message to its partition here
/// puts it where the model's own key-to-partition map and its replay do.
/// Empty for a queue that is not partitioned.
pub fn replay_partitions(
    model: &Model,
    queue: usize,
    producers: impl IntoIterator<Item = usize>,
) -> Vec<u32> {
    let Some(partitioning) = model.queues[queue].partitioning() else {
        return Vec::new();
    };
    // `replay` runs one replication from seed 0.
    let keys = streams::stream(0, StreamSet::Replication(0), streams::Source::Keys(queue));
    let mut picks = station::PartitionPicks::new(model, queue, partitioning.partitions, keys);
    // A bench topic has no fan-out copies (the bench refuses `topic`), so
    // every producer picks.
    producers
        .into_iter()
        .filter_map(|p| picks.pick(p))
        .collect()
}

/// `model` with each producer replaying its recorded arrival gaps and each
/// visited queue its recorded services in arrival order; `None` when there
/// is nothing to replay.
fn replay_model(model: &Model, recording: &Recording) -> Option<Model> {
    let mut replayed = model.clone();
    replayed.producers = model
        .producers
        .iter()
        .enumerate()
        .filter_map(|(index, producer)| {
            let mut previous = 0.0;
            let gaps: Vec<f64> = recording
                .arrivals
                .iter()
                .filter(|(_, p)| *p == index)
                .map(|&(time, _)| {
                    let gap = (time - previous).max(0.0);
                    previous = time;
                    gap
                })
                .collect();
            let interarrival = Dist::sequence(gaps).ok()?;
            Some(Producer {
                name: format!("replay-{}", producer.name),
                arrivals: Arrivals::Open { interarrival },
                profile: None,
                ..producer.clone()
            })
        })
        .collect();
    if replayed.producers.is_empty() {
        return None;
    }
    for (queue, services) in replayed.queues.iter_mut().zip(recording.services) {
        if !services.is_empty() {
            queue.service = Dist::sequence(services.as_slice()).ok()?;
        }
    }
    for class in &mut replayed.classes {
        class.service = None;
    }
    Some(replayed)
}

/// Runs every replication in parallel, all with the same warm-up, and
/// summarises them; `on_replication` is called after each one (for progress
/// bars). Results do not depend on the number of threads.
pub fn replicate(model: &Model, run: &RunConfig, on_replication: &(dyn Fn() + Sync)) -> Simulation {
    let warmup = warmup(model, run);
    let batch = |range: std::ops::Range<u32>| -> Vec<Replication> {
        range
            .into_par_iter()
            .map(|replication| {
                let result = run_replication(model, run, warmup, replication);
                on_replication();
                result
            })
            .collect()
    };
    let mut simulation = Simulation::from_replications(model, run, batch(0..run.replications));
    if let Some(precision) = run.precision {
        // Batches of the initial size, in replication order: the result
        // depends only on the seed, never on timing or threads.
        while !imprecise(&simulation.estimates, &simulation.metrics, precision.target).is_empty() {
            let done = simulation.replications.len() as u32;
            let next = (done + run.replications).min(precision.max_replications);
            if next == done {
                break;
            }
            let mut replications = std::mem::take(&mut simulation.replications);
            replications.extend(batch(done..next));
            simulation = Simulation::from_replications(model, run, replications);
        }
    }
    simulation
}

/// Metrics whose precision a precision-driven run controls: the means and
/// probabilities (percentiles of rare rows may never settle, so they are
/// reported but not waited for).
pub fn precision_controlled(metric: Metric) -> bool {
    !Metric::WAIT_PERCENTILES
        .iter()
        .chain(&Metric::SOJOURN_PERCENTILES)
        .any(|(m, _)| *m == metric)
}

/// (target, metric) pairs whose CI half-width exceeds `target` times the
/// mean; `metrics` names the positions of each target's estimates.
pub fn imprecise(
    estimates: &[Vec<Estimate>],
    metrics: &[Metric],
    target: f64,
) -> Vec<(usize, Metric)> {
    let mut missed = Vec::new();
    for (row, per_metric) in estimates.iter().enumerate() {
        for (&metric, estimate) in metrics.iter().zip(per_metric) {
            let applies = precision_controlled(metric) && estimate.mean.is_finite();
            if applies && estimate.half_width() > target * estimate.mean.abs() {
                missed.push((row, metric));
            }
        }
    }
    missed
}

/// How an estimate treats a replication without a value (`NaN`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Missing {
    /// The metric is unknown (the whole run: a replication that could not
    /// measure it, as a class that never arrived).
    Unknown,
    /// Left out (a reporting interval that saw no message in some
    /// replications: the estimate covers those that did).
    Skipped,
}

/// Mean and confidence interval per target and metric of the values that
/// `values` picks from each replication: Student t across replications, or
/// batch means within a single replication cut into batches; each interval
/// cut to the range the metric can take (see [`Metric::support`]).
fn estimate(
    model: &Model,
    run: &RunConfig,
    replications: &[Replication],
    values: impl Fn(&Replication) -> &Vec<MetricValues>,
    missing: Missing,
) -> Vec<Vec<Estimate>> {
    let metrics = model.metrics();
    (0..targets(model).len())
        .map(|target| {
            (0..metrics.len())
                .map(|metric| {
                    let value = |r: &Replication| values(r)[target][metric];
                    let estimate = match replications {
                        [single] if !single.batches.is_empty() && missing == Missing::Unknown => {
                            let batches: Vec<f64> =
                                single.batches.iter().map(|b| b[target][metric]).collect();
                            batch_means_interval(value(single), &batches, run.confidence)
                        }
                        _ => across_replications(replications.iter().map(value), run, missing),
                    };
                    estimate.within(metrics[metric].support())
                })
                .collect()
        })
        .collect()
}

/// The Student-t estimate of `samples` (one value per replication, `NaN`
/// where a replication has none, treated as `missing` says).
fn across_replications(
    samples: impl Iterator<Item = f64>,
    run: &RunConfig,
    missing: Missing,
) -> Estimate {
    let mut samples: Vec<f64> = samples.collect();
    if missing == Missing::Skipped {
        samples.retain(|x| !x.is_nan());
    }
    // An interval needs two values for its spread.
    let too_few = missing == Missing::Skipped && samples.len() < 2;
    if too_few || samples.iter().all(|x| x.is_nan()) {
        Estimate {
            mean: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
            clipped: false,
        }
    } else {
        student_t_interval(&samples, run.confidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn model(text: &str) -> Model {
        let scenario = crate::scenario::parse(Path::new("replay.toml"), text.to_string()).unwrap();
        scenario.points[0].model.clone()
    }

    #[test]
    fn one_replication_is_cut_into_batches_that_tile_its_window() {
        let text = "name = \"batches\"\n[run]\nreplications = 1\ncustomers = 20_000\nwarmup = 500\n[[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = { dist = \"exponential\", rate = 0.7 }\n[[queues]]\nname = \"q\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 1.0 }\n";
        let by_count = crate::scenario::parse(Path::new("batches.toml"), text.to_string()).unwrap();
        let by_time = crate::scenario::parse(
            Path::new("batches.toml"),
            text.replace("customers = 20_000", "horizon = 30_000.0"),
        )
        .unwrap();
        let mean_of = |values: &[f64]| values.iter().sum::<f64>() / values.len() as f64;
        for (scenario, equal_batches) in
            [(by_count, Metric::MeanWait), (by_time, Metric::Throughput)]
        {
            let simulation = replicate(&scenario.points[0].model, &scenario.run, &|| {});
            let [single] = simulation.replications.as_slice() else {
                panic!("one replication");
            };
            assert_eq!(single.batches.len(), BATCHES as usize);
            // Batches of equal size (messages, or time) average to the whole run.
            let metric = equal_batches.index();
            let batches: Vec<f64> = single.batches.iter().map(|b| b[0][metric]).collect();
            let whole = single.values[0][metric];
            assert!(
                (mean_of(&batches) - whole).abs() < 1e-9 * whole,
                "{batches:?} vs {whole}"
            );
            let estimate = simulation.estimates[0][Metric::MeanWait.index()];
            assert_eq!(estimate.mean, single.values[0][Metric::MeanWait.index()]);
            assert!(estimate.ci_low < estimate.mean && estimate.mean < estimate.ci_high);
        }
    }

    #[test]
    fn a_replay_serves_the_recorded_messages_in_order() {
        let model = model(
            "name = \"replay\"\n[[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = { dist = \"exponential\", rate = 0.5 }\n[[queues]]\nname = \"q\"\nconsumers = 1\ncapacity = 2\nservice = { dist = \"exponential\", mean = 1.0 }\n",
        );
        // FIFO, one consumer, room for 2: arrivals at 0.5, 1.0, 1.2 and 1.6,
        // each needing 1.0. The first starts at once, the second waits 0.5,
        // the third finds 2 in the system and is rejected, the fourth
        // arrives after the first left and waits until 2.5, 0.9.
        let arrivals = [(0.5, 0), (1.0, 0), (1.2, 0), (1.6, 0)];
        let recording = Recording {
            arrivals: &arrivals,
            services: &[vec![1.0; 4]],
            routes: &[Vec::new()],
            failures: &[],
        };
        let mut visits = replay(&model, &recording);
        assert_eq!(visits.len(), 4);
        visits.sort_by_key(|v| v.message);
        let expected = [Some(0.0), Some(0.5), None, Some(0.9)];
        for (visit, expected) in visits.iter().zip(expected) {
            let wait = visit.start.map(|start| start - visit.arrival);
            match (wait, expected) {
                (Some(w), Some(e)) => assert!((w - e).abs() < 1e-12, "{visits:?}"),
                (w, e) => assert_eq!(w, e, "{visits:?}"),
            }
        }
        let empty = Recording {
            arrivals: &[],
            services: &[Vec::new()],
            routes: &[Vec::new()],
            failures: &[],
        };
        assert!(replay(&model, &empty).is_empty());
    }

    #[test]
    fn a_replay_routes_exactly_as_recorded() {
        // A split with feedback: after `a`, 50% to `b`, 30% back to `a`,
        // the rest leave; after `b`, 40% back to `a`.
        let model = model(
            "name = \"routes\"\n[[producers]]\nname = \"p\"\nto = \"a\"\ninterarrival = { dist = \"exponential\", rate = 0.2 }\n[[queues]]\nname = \"a\"\nconsumers = 2\nservice = { dist = \"exponential\", mean = 1.0 }\nnext = [{ to = \"b\", p = 0.5 }, { to = \"a\", p = 0.3 }]\n[[queues]]\nname = \"b\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 1.0 }\nnext = [{ to = \"a\", p = 0.4 }]\n",
        );
        let arrivals: Vec<(f64, usize)> = (0..6).map(|k| (f64::from(k) * 0.73, 0)).collect();
        // Choices no draw would repeat, every route of each queue in turn.
        // 6 external arrivals at `a`, 1 fed back by `a` and 1 by `b`: 8
        // services and departures at `a`, of which 3 go to `b`.
        let routes = vec![
            vec![Some(1), Some(0), None, Some(1), None, Some(1), None, None],
            vec![Some(0), None, None],
        ];
        let services = vec![
            vec![1.3, 0.2, 2.1, 0.4, 0.9, 1.7, 0.6, 0.3],
            vec![0.5, 2.2, 0.7],
        ];
        let recording = Recording {
            arrivals: &arrivals,
            services: &services,
            routes: &routes,
            failures: &[],
        };
        let mut visits = replay(&model, &recording);
        // Where each visit led: the message's next visit, or nowhere.
        visits.sort_by(|x, y| {
            (x.message, x.arrival)
                .partial_cmp(&(y.message, y.arrival))
                .unwrap()
        });
        let mut taken = vec![Vec::new(), Vec::new()];
        let mut by_departure: Vec<(f64, usize, Option<usize>)> = visits
            .iter()
            .enumerate()
            .map(|(index, visit)| {
                let next = visits
                    .get(index + 1)
                    .filter(|n| n.message == visit.message)
                    .map(|n| n.queue);
                (visit.end, visit.queue, next)
            })
            .collect();
        by_departure.sort_by(|x, y| x.0.total_cmp(&y.0));
        for (_, queue, next) in by_departure {
            taken[queue].push(next);
        }
        assert_eq!(taken, routes);
        // Every recorded service was used, in arrival order at each queue.
        for (queue, recorded) in services.iter().enumerate() {
            let mut at_queue: Vec<&VisitRecord> =
                visits.iter().filter(|v| v.queue == queue).collect();
            at_queue.sort_by(|x, y| x.arrival.total_cmp(&y.arrival));
            let used: Vec<f64> = at_queue.iter().map(|v| v.end - v.start.unwrap()).collect();
            assert_eq!(used.len(), recorded.len(), "queue {queue}: {at_queue:?}");
            for (used, recorded) in used.iter().zip(recorded) {
                assert!(
                    (used - recorded).abs() < 1e-9,
                    "queue {queue}: {used} vs {recorded}"
                );
            }
        }
    }
}
