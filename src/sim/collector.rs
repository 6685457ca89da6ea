//! Streaming statistics of one replication, O(1) memory per target: the
//! engine reports what happens, the collector keeps time-weighted counts,
//! tallies and percentile histograms, and turns them into metric values.

use super::lease_counts::LeaseCounts;
use super::poll_totals::PollTotals;
use super::station::WindowCounts;
use super::window_averages::{self, WindowAverages, WindowMeans};
use crate::model::metric::{Metric, MetricValues, Threshold};
use crate::model::profile::Span;
use crate::model::{Model, Overflow, Queue};
use crate::stats::{BATCH_TAIL, Percentiles, RunningMean, TimeAverage};

/// Histogram resolution relative to the smallest mean service time.
const RELATIVE_RESOLUTION: f64 = 1e-6;

/// A histogram resolving `resolution` (clamped to a positive normal number).
fn percentiles(resolution: f64) -> Percentiles {
    Percentiles::new(resolution.max(f64::MIN_POSITIVE))
        .expect("a positive finite resolution is always accepted")
}

/// A count of the recorded times at most `t`: one per service-level
/// threshold, so O(1) memory per threshold and no allocation per event.
#[derive(Clone, Copy, Debug)]
struct Within {
    t: f64,
    count: u64,
}

/// Counters for each of `thresholds`, in order (no allocation without any).
fn within_counters(thresholds: &[Threshold]) -> Box<[Within]> {
    thresholds
        .iter()
        .map(|t| Within {
            t: t.value(),
            count: 0,
        })
        .collect()
}

/// Counts `x` in every counter whose threshold it does not exceed.
#[inline(always)]
fn count_within(counters: &mut [Within], x: f64) {
    for counter in counters {
        counter.count += u64::from(x <= counter.t);
    }
}

/// Accumulators of one target (a queue, a class at a queue, or the system).
#[derive(Debug)]
struct Accumulators {
    in_system: TimeAverage,
    in_queue: TimeAverage,
    /// Messages waiting out a retry delay before they return to the queue.
    in_retry: TimeAverage,
    /// Messages arriving for their first delivery at a queue with retries.
    first_deliveries: u64,
    /// Failed deliveries followed by another.
    redeliveries: u64,
    /// Messages whose retries all failed.
    exhausted: u64,
    /// Messages handed back by a failing consumer (consumer outages).
    outage_redeliveries: u64,
    /// Consumers up (a queue's aggregate target with consumer outages).
    up: TimeAverage,
    /// Its average frozen when the window closed.
    up_mean: Option<f64>,
    wait: RunningMean,
    /// Waits of the messages served (not lost), kept only where messages
    /// are dropped (elsewhere every accepted message is served, and these
    /// are the waits).
    served_wait: Option<RunningMean>,
    sojourn: RunningMean,
    waited: u64,
    arrivals: u64,
    blocked: u64,
    abandoned: u64,
    dropped: u64,
    departures_in_window: u64,
    wait_percentiles: Percentiles,
    sojourn_percentiles: Percentiles,
    /// Waits at most each service-level threshold.
    wait_within: Box<[Within]>,
    /// Sojourns at most each service-level threshold.
    sojourn_within: Box<[Within]>,
    /// Time averages (L, Lq, messages in retry delays) frozen when the
    /// window closed.
    window_means: Option<[f64; 3]>,
    /// Prefetch windows (a queue's aggregate target with them).
    windows: WindowAverages,
    /// Their averages frozen when the window closed.
    windows_means: Option<WindowMeans>,
    /// Polls (a queue's aggregate target, with batch polling).
    polls: PollTotals,
    /// Leases (a queue with `ack_wait`).
    lease: LeaseCounts,
}

impl Accumulators {
    /// Empty accumulators: histograms of `resolution`, a count per
    /// service-level threshold, the waits of the messages served when
    /// messages can be dropped (`drops`).
    fn new(resolution: f64, thresholds: &[Threshold], drops: bool) -> Self {
        Accumulators {
            in_system: TimeAverage::new(0.0),
            in_queue: TimeAverage::new(0.0),
            in_retry: TimeAverage::new(0.0),
            first_deliveries: 0,
            redeliveries: 0,
            exhausted: 0,
            outage_redeliveries: 0,
            up: TimeAverage::new(0.0),
            up_mean: None,
            wait: RunningMean::default(),
            served_wait: drops.then(RunningMean::default),
            sojourn: RunningMean::default(),
            waited: 0,
            arrivals: 0,
            blocked: 0,
            abandoned: 0,
            dropped: 0,
            departures_in_window: 0,
            wait_percentiles: percentiles(resolution),
            sojourn_percentiles: percentiles(resolution),
            wait_within: within_counters(thresholds),
            sojourn_within: within_counters(thresholds),
            window_means: None,
            windows: WindowAverages::new(),
            windows_means: None,
            polls: PollTotals::default(),
            lease: LeaseCounts::default(),
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
    #[inline(always)]
    fn record_wait(&mut self, wait: f64, waited: bool) {
        self.wait.record(wait);
        self.wait_percentiles.record(wait);
        count_within(&mut self.wait_within, wait);
        self.waited += u64::from(waited);
    }

    /// Leaves out of `values` (this target's) every percentile with fewer
    /// than `beyond` recorded values past it: a batch that thin gives no
    /// usable spread for batch means.
    fn blank_thin_tails(&self, values: &mut MetricValues, beyond: u64) {
        let tails = [
            (self.wait.count(), Metric::WAIT_PERCENTILES),
            (self.sojourn.count(), Metric::SOJOURN_PERCENTILES),
        ];
        for (count, percentiles) in tails {
            for (metric, p) in percentiles {
                // Values beyond the p-quantile (rounding guarded: 1000
                // values have 100 beyond their 90th percentile).
                let tail = ((count as f64) * (1.0 - p) + 1e-6).floor();
                if tail < beyond as f64 {
                    values[metric.index()] = f64::NAN;
                }
            }
        }
    }

    /// A message leaves after `visit` (`in_window`: 1 while the measured
    /// window is open). Inlined even at its sites in `each`: a call per
    /// message cost more than the code it saved.
    #[inline(always)]
    fn depart(&mut self, now: f64, in_window: u64, visit: &Visit) {
        self.change(now, -1.0, 0.0);
        self.departures_in_window += in_window;
        if visit.tracked {
            self.record_served(visit.wait, visit.waited, visit.sojourn);
        }
    }

    /// Records a message served after `wait` that left after `sojourn`.
    #[inline(always)]
    fn record_served(&mut self, wait: f64, waited: bool, sojourn: f64) {
        self.record_wait(wait, waited);
        if let Some(served_wait) = &mut self.served_wait {
            served_wait.record(wait);
        }
        self.record_sojourn(sojourn);
    }

    #[inline(always)]
    fn record_sojourn(&mut self, sojourn: f64) {
        self.sojourn.record(sojourn);
        self.sojourn_percentiles.record(sojourn);
        count_within(&mut self.sojourn_within, sojourn);
    }

    /// Records a message that was lost unserved (`how`: it expired, or was
    /// dropped from the head) after `wait` (all of it waiting) and left
    /// after `sojourn`: waits and sojourns count every accepted message, so
    /// L = λW and Lq = λWq hold with λ the accepted rate.
    fn record_loss(&mut self, how: Departure, wait: f64, waited: bool, sojourn: f64) {
        if how == Departure::Dropped {
            self.dropped += 1;
        } else {
            self.abandoned += 1;
        }
        self.record_wait(wait, waited);
        self.record_sojourn(sojourn);
    }

    /// Adds `change` (-1 or +1) to the messages waiting out a retry delay.
    fn change_in_retry(&mut self, now: f64, change: f64) {
        let count = self.in_retry.value() + change;
        self.in_retry.update(now, count);
    }

    /// Counts a message leaving the network, if it is measured.
    #[inline]
    fn record_exit(&mut self, exit: &Exit) {
        if !exit.tracked {
            return;
        }
        self.arrivals += 1;
        match exit.how {
            Departure::Blocked => self.blocked += 1,
            Departure::Expired | Departure::Dropped => {
                self.record_loss(exit.how, exit.total_wait, exit.waited, exit.sojourn);
            }
            Departure::Exhausted => {
                self.exhausted += 1;
                self.record_served(exit.total_wait, exit.waited, exit.sojourn);
            }
            Departure::Served => self.record_served(exit.total_wait, exit.waited, exit.sojourn),
        }
    }

    fn open(&mut self, now: f64) {
        self.in_system.reset(now);
        self.in_queue.reset(now);
        self.windows.reset(now);
        self.in_retry.reset(now);
        self.up.reset(now);
    }

    /// Starts an interval at `now` with the counts of `whole` (the run's
    /// accumulators of the same target).
    fn open_from(&mut self, now: f64, whole: &Accumulators) {
        self.in_system.update(now, whole.in_system.value());
        self.in_queue.update(now, whole.in_queue.value());
        self.windows.copy_counts(now, &whole.windows);
        self.in_retry.update(now, whole.in_retry.value());
        self.up.update(now, whole.up.value());
        self.open(now);
    }

    fn close(&mut self, now: f64) {
        self.window_means = Some([
            self.in_system.mean(now),
            self.in_queue.mean(now),
            self.in_retry.mean(now),
        ]);
        self.windows_means = Some(self.windows.means(now));
        self.up_mean = Some(self.up.mean(now));
    }

    /// The metric values, in the order of [`crate::model::metric::layout`];
    /// `consumers` gives utilisation, `losses` says which of `p_abandoned`
    /// and `p_dropped` apply, `windowed` adds the prefetch windows' metrics,
    /// `retries` the retry metrics of a queue (per first delivery there),
    /// `polled` the poll metrics of a queue read by polling (`Some`,
    /// holding its partitions when its group rebalances, which adds the
    /// rebalance metrics), `outages` the consumer outages' metrics.
    fn values(
        &self,
        window: f64,
        consumers: Option<f64>,
        losses: Losses,
        (windowed, retries, polled, outages): (bool, bool, Option<Option<u32>>, OutageRow),
    ) -> MetricValues {
        let mut values = vec![f64::NAN; Metric::COUNT];
        if let (Some(rebalancing), Some(consumers)) = (polled, consumers) {
            self.polls.write(window, consumers, &mut values);
            if let Some(partitions) = rebalancing {
                self.polls.write_rebalances(window, partitions, &mut values);
            }
        }
        if windowed && let Some(means) = self.windows_means {
            window_averages::write(means, &mut values);
        }
        let [in_system, in_queue, in_retry] = self.window_means.unwrap_or([f64::NAN; 3]);
        let set = |values: &mut MetricValues, metric: Metric, value: f64| {
            values[metric.index()] = value;
        };
        set(&mut values, Metric::MeanInSystem, in_system);
        set(&mut values, Metric::MeanInQueue, in_queue);
        if let Some(consumers) = consumers {
            // Busy consumers = messages present minus messages waiting.
            let busy = in_system - in_queue;
            set(&mut values, Metric::Utilisation, busy / consumers);
        }
        set(
            &mut values,
            Metric::Throughput,
            self.departures_in_window as f64 / window,
        );
        set(&mut values, Metric::MeanWait, self.wait.mean());
        set(&mut values, Metric::MeanSojourn, self.sojourn.mean());
        // Every accepted message that left the line: served, expired or
        // dropped.
        let accepted = self.wait.count();
        if accepted > 0 {
            set(
                &mut values,
                Metric::PWait,
                self.waited as f64 / accepted as f64,
            );
            if losses.expire {
                set(
                    &mut values,
                    Metric::PAbandoned,
                    self.abandoned as f64 / accepted as f64,
                );
            }
            if losses.drop {
                set(
                    &mut values,
                    Metric::PDropped,
                    self.dropped as f64 / accepted as f64,
                );
                let served = self
                    .served_wait
                    .as_ref()
                    .map_or(f64::NAN, RunningMean::mean);
                set(&mut values, Metric::MeanWaitServed, served);
            }
        }
        if self.arrivals > 0 {
            set(
                &mut values,
                Metric::PBlocked,
                self.blocked as f64 / self.arrivals as f64,
            );
        }
        if retries && self.first_deliveries > 0 {
            let messages = self.first_deliveries as f64;
            set(
                &mut values,
                Metric::RetriesPerMessage,
                self.redeliveries as f64 / messages,
            );
            set(
                &mut values,
                Metric::PDeadLettered,
                self.exhausted as f64 / messages,
            );
            set(&mut values, Metric::MeanInRetry, in_retry);
        }
        let accepted = self.arrivals - self.blocked;
        if outages != OutageRow::None && accepted > 0 {
            let per_message = self.outage_redeliveries as f64 / accepted as f64;
            set(&mut values, Metric::RedeliveriesPerMessage, per_message);
        }
        if let (OutageRow::Queue { consumers }, Some(up)) = (outages, self.up_mean) {
            set(&mut values, Metric::Availability, up / consumers);
        }
        for (metric, p) in Metric::WAIT_PERCENTILES {
            set(&mut values, metric, self.wait_percentiles.quantile(p));
        }
        for (metric, p) in Metric::SOJOURN_PERCENTILES {
            set(&mut values, metric, self.sojourn_percentiles.quantile(p));
        }
        for (counters, total) in [
            (&self.wait_within, self.wait.count()),
            (&self.sojourn_within, self.sojourn.count()),
        ] {
            let share = |c: &Within| {
                if total > 0 {
                    c.count as f64 / total as f64
                } else {
                    f64::NAN
                }
            };
            values.extend(counters.iter().map(share));
        }
        values
    }
}

/// Which consumer-outage metrics a target gets.
#[derive(Clone, Copy, Debug, PartialEq)]
enum OutageRow {
    /// None: its consumers never fail (or it is the system, or a
    /// partition).
    None,
    /// Redeliveries per message: a class at a queue whose consumers fail.
    Class,
    /// Redeliveries and availability: a queue of `consumers` that fail.
    Queue {
        /// Its consumers, up or down.
        consumers: f64,
    },
}

/// The ways a target's messages can be lost unserved, which give it
/// `p_abandoned` and `p_dropped`.
#[derive(Clone, Copy, Debug)]
struct Losses {
    /// Messages expire (a `patience`).
    expire: bool,
    /// Messages are dropped from the head (`drop-head`).
    drop: bool,
}

impl Losses {
    /// The losses of `queue`; dropping also gives `mean_wait_served`.
    fn of(queue: &Queue) -> Losses {
        Losses {
            expire: queue.patience().is_some(),
            drop: queue.admission.overflow() == Some(Overflow::DropHead),
        }
    }

    /// The losses of any of `queues` (the system's).
    fn any(queues: &[Queue]) -> Losses {
        queues.iter().map(Losses::of).fold(
            Losses {
                expire: false,
                drop: false,
            },
            |a, b| Losses {
                expire: a.expire || b.expire,
                drop: a.drop || b.drop,
            },
        )
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
    /// When it arrived at the queue.
    pub(crate) arrived: f64,
}

/// Why a message leaves the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Departure {
    /// After service.
    Served,
    /// Rejected by a full queue.
    Blocked,
    /// Expired while waiting somewhere: dropped, or after its visit to a
    /// dead-letter queue (never delivered).
    Expired,
    /// Dropped from the head of a full `drop-head` queue: at once, or after
    /// its visit to a dead-letter queue (never delivered).
    Dropped,
    /// Ran out of retries somewhere: dropped, or after its visit to a
    /// dead-letter queue (never delivered).
    Exhausted,
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
    /// When it entered the network.
    pub(crate) entered: f64,
}

/// How a replication's measured window is cut into spans that get
/// accumulators of their own, besides the whole run.
#[derive(Clone, Debug)]
pub(crate) enum Layers {
    /// The reporting intervals of rate profiles, known in advance (none:
    /// the whole run only).
    Intervals(Vec<Span>),
    /// This many consecutive batches of the measured window, for batch
    /// means: the engine begins each one as it goes.
    Batches(u32),
}

/// What a replication measures, target by target.
///
/// Targets are laid out node-major: node `q` (a queue, then the system as
/// node `queues` when there are several queues) has its aggregate target and,
/// when the model has classes, one target per class.
///
/// With reporting intervals (rate profiles) or batches, every target also
/// has one set of accumulators per interval: counts and time averages go to
/// the interval in force, a message's waits and outcome to the interval it
/// arrived in. A batch's span is known once it has begun (its end once the
/// next one has, or the window closed).
#[derive(Debug)]
pub(crate) struct Collector {
    targets: Vec<Accumulators>,
    spans: Vec<Span>,
    /// The spans are batches, set as they begin.
    batched: bool,
    /// Interval-major: interval `k`'s targets are `k * targets.len()..`.
    interval_targets: Vec<Accumulators>,
    /// The interval in force.
    current: usize,
    per_node: usize,
    queues: usize,
    /// Per queue, the target of its first partition (partitioned queues;
    /// the partitions' targets follow every other, see
    /// [`crate::model::targets`]); empty when no queue is partitioned.
    partition_targets: Vec<Option<usize>>,
    /// The queues form one network, measured end to end as node `queues`.
    system: bool,
    window_start: f64,
    window_end: Option<f64>,
    window_open: bool,
}

impl Collector {
    /// Empty accumulators for every target of `model`, for the whole run
    /// and for each of `layers`.
    pub(crate) fn new(model: &Model, layers: Layers) -> Self {
        let (spans, batched) = match layers {
            Layers::Intervals(spans) => (spans, false),
            Layers::Batches(count) => {
                let unknown = Span {
                    start: f64::INFINITY,
                    end: f64::INFINITY,
                };
                (vec![unknown; count as usize], true)
            }
        };
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
            let drops = Losses::of(&model.queues[queue]).drop;
            targets.extend((0..per_node).map(|_| {
                Accumulators::new(resolution * RELATIVE_RESOLUTION, &model.within, drops)
            }));
        }
        let system = model.is_network();
        if system {
            let drops = Losses::any(&model.queues).drop;
            targets.extend((0..per_node).map(|_| {
                Accumulators::new(smallest_service * RELATIVE_RESOLUTION, &model.within, drops)
            }));
        }
        let mut partition_targets = Vec::with_capacity(model.queues.len());
        for (queue, spec) in model.queues.iter().enumerate() {
            let first = targets.len();
            let partitions = spec.partitioning().map_or(0, |p| p.partitions);
            let resolution = targets[queue * per_node].wait_percentiles.resolution();
            // Nothing is dropped from a partition.
            targets.extend(
                (0..partitions).map(|_| Accumulators::new(resolution, &model.within, false)),
            );
            partition_targets.push((partitions > 0).then_some(first));
        }
        if partition_targets.iter().all(Option::is_none) {
            // Nothing to look up per message.
            partition_targets.clear();
        }
        let interval_targets = spans
            .iter()
            .flat_map(|_| {
                targets.iter().map(|target| {
                    let drops = target.served_wait.is_some();
                    Accumulators::new(target.wait_percentiles.resolution(), &model.within, drops)
                })
            })
            .collect();
        Collector {
            targets,
            spans,
            batched,
            interval_targets,
            current: 0,
            per_node,
            queues: model.queues.len(),
            partition_targets,
            system,
            window_start: 0.0,
            window_end: None,
            window_open: false,
        }
    }

    /// Calls `update` on the aggregate target of `node` and on its `class`
    /// target, for the whole run and for `interval` when there is one.
    #[inline(always)]
    fn each(
        &mut self,
        node: usize,
        class: usize,
        interval: Option<usize>,
        mut update: impl FnMut(&mut Accumulators),
    ) {
        let base = node * self.per_node;
        update(&mut self.targets[base]);
        if self.per_node > 1 {
            update(&mut self.targets[base + 1 + class]);
        }
        if let Some(interval) = interval {
            self.each_interval(node, class, interval, update);
        }
    }

    /// Calls `update` on the aggregate target of `node` and on its `class`
    /// target in reporting interval `interval` only.
    #[inline(always)]
    fn each_interval(
        &mut self,
        node: usize,
        class: usize,
        interval: usize,
        mut update: impl FnMut(&mut Accumulators),
    ) {
        let base = interval * self.targets.len() + node * self.per_node;
        update(&mut self.interval_targets[base]);
        if self.per_node > 1 {
            update(&mut self.interval_targets[base + 1 + class]);
        }
    }

    /// The queue whose partition is target `index` (of a layer).
    fn partition_queue(&self, index: usize) -> Option<usize> {
        self.partition_targets
            .iter()
            .rposition(|first| first.is_some_and(|first| first <= index))
    }

    /// Calls `update` on the target of `partition` of `queue`, if the queue
    /// is partitioned, for the whole run and for `interval` when there is one.
    #[inline(always)]
    fn each_partition(
        &mut self,
        queue: usize,
        partition: u32,
        interval: Option<usize>,
        mut update: impl FnMut(&mut Accumulators),
    ) {
        let Some(&Some(first)) = self.partition_targets.get(queue) else {
            return;
        };
        let index = first + partition as usize;
        update(&mut self.targets[index]);
        if let Some(interval) = interval {
            let n = self.targets.len();
            update(&mut self.interval_targets[interval * n + index]);
        }
    }

    /// The tracked arrivals at each of the `partitions` partitions of
    /// partitioned `queue`, in partition order (for tests of what reaches
    /// which partition).
    #[cfg(test)]
    pub(crate) fn partition_arrivals(&self, queue: usize, partitions: u32) -> Vec<u64> {
        let first = self.partition_targets[queue].expect("a partitioned queue");
        let targets = &self.targets[first..first + partitions as usize];
        targets.iter().map(|t| t.arrivals).collect()
    }

    /// The reporting intervals, in time order (empty without profiles or
    /// with batches).
    pub(crate) fn intervals(&self) -> &[Span] {
        if self.batched { &[] } else { &self.spans }
    }

    /// Records that interval `index` began at `now`: a batch's span is set
    /// as it begins, the batch before it ending there (reporting
    /// intervals are known in advance).
    fn mark_begin(&mut self, now: f64, index: usize) {
        if self.batched {
            if index > 0 {
                self.spans[index - 1].end = now;
            }
            self.spans[index].start = now;
        }
    }

    /// The interval in force, while the window is open.
    #[inline(always)]
    fn in_force(&self) -> Option<usize> {
        (!self.spans.is_empty() && self.window_open).then_some(self.current)
    }

    /// The interval containing `time`, if any.
    #[inline(always)]
    fn interval_of(&self, time: f64) -> Option<usize> {
        if self.spans.is_empty() {
            return None;
        }
        let index = self.spans.partition_point(|span| span.start <= time);
        // A batch holds every measured arrival from its start on (the last
        // one ends at the last measured arrival itself).
        (index > 0 && (self.batched || time < self.spans[index - 1].end)).then(|| index - 1)
    }

    /// Interval `index` begins at `now`: the previous one's time averages
    /// freeze, the new one's start from the counts present.
    pub(crate) fn begin_interval(&mut self, now: f64, index: usize) {
        if !self.window_open {
            return;
        }
        let n = self.targets.len();
        for target in &mut self.interval_targets[self.current * n..(self.current + 1) * n] {
            target.close(now);
        }
        self.current = index;
        self.mark_begin(now, index);
        let layer = &mut self.interval_targets[index * n..(index + 1) * n];
        for (target, whole) in layer.iter_mut().zip(&self.targets) {
            target.open_from(now, whole);
        }
    }

    /// Starts the measured window: time averages restart from `now`.
    pub(crate) fn open_window(&mut self, now: f64) {
        self.window_start = now;
        self.window_open = true;
        for target in &mut self.targets {
            target.open(now);
        }
        if !self.spans.is_empty() {
            self.mark_begin(now, 0);
            let n = self.targets.len();
            for (target, whole) in self.interval_targets[..n].iter_mut().zip(&self.targets) {
                target.open_from(now, whole);
            }
        }
    }

    /// Ends the measured window, freezing the time averages.
    pub(crate) fn close_window(&mut self, now: f64) {
        self.window_end = Some(now);
        self.window_open = false;
        let n = self.targets.len();
        let current = self.current;
        if self.batched && !self.spans.is_empty() {
            self.spans[current].end = now;
        }
        let in_force = self
            .interval_targets
            .get_mut(current * n..(current + 1) * n);
        for target in self
            .targets
            .iter_mut()
            .chain(in_force.into_iter().flatten())
        {
            target.close(now);
        }
    }

    /// A message of `class` is accepted at `queue` (in `partition` of a
    /// partitioned queue; ignored otherwise).
    #[inline(always)]
    pub(crate) fn enter(
        &mut self,
        now: f64,
        (queue, partition): (usize, u32),
        class: usize,
        waits: bool,
        tracked: bool,
    ) {
        let in_queue = if waits { 1.0 } else { 0.0 };
        let mut update = |t: &mut Accumulators| {
            t.change(now, 1.0, in_queue);
            t.arrivals += u64::from(tracked);
        };
        let interval = self.in_force();
        self.each(queue, class, interval, &mut update);
        self.each_partition(queue, partition, interval, update);
    }

    /// The prefetch windows of `queue` hold `counts` from `now` on
    /// (measured at the queue's aggregate target only).
    #[inline]
    pub(crate) fn observe_window(&mut self, now: f64, queue: usize, counts: WindowCounts) {
        let base = queue * self.per_node;
        self.targets[base].windows.update(now, counts);
        if let Some(current) = self.in_force() {
            let at = current * self.targets.len() + base;
            self.interval_targets[at].windows.update(now, counts);
        }
    }

    /// `up` consumers of `queue` are up from `now` on (measured at the
    /// queue's aggregate target only).
    pub(crate) fn observe_up(&mut self, now: f64, queue: usize, up: u32) {
        let base = queue * self.per_node;
        self.targets[base].up.update(now, f64::from(up));
        if let Some(current) = self.in_force() {
            let at = current * self.targets.len() + base;
            self.interval_targets[at].up.update(now, f64::from(up));
        }
    }

    /// A failing consumer of `queue` handed back a message of `class`,
    /// to be redelivered (counted when `tracked`).
    pub(crate) fn count_outage_redelivery(&mut self, queue: usize, class: usize, tracked: bool) {
        if tracked {
            self.each(queue, class, self.in_force(), |t| {
                t.outage_redeliveries += 1
            });
        }
    }

    /// A consumer of `queue` polled a batch of `size` after its fetch
    /// waited `fetch_wait` with messages there, at a cost of `overhead`
    /// (counted while the window is open, at the queue's aggregate target).
    pub(crate) fn poll(&mut self, queue: usize, size: u32, overhead: f64, fetch_wait: f64) {
        self.each_poll_totals(queue, |totals| totals.record(size, overhead, fetch_wait));
    }

    /// A rebalance began at `queue`, taking back `redelivered` messages to
    /// be delivered again (counted while the window is open).
    pub(crate) fn rebalance(&mut self, queue: usize, redelivered: u32) {
        self.each_poll_totals(queue, |totals| totals.rebalance(redelivered));
    }

    /// A rebalance pause of `queue` that lasted `paused` ended, having
    /// paused its partitions for `partition_time` in all.
    pub(crate) fn pause(&mut self, queue: usize, paused: f64, partition_time: f64) {
        self.each_poll_totals(queue, |totals| totals.pause(paused, partition_time));
    }

    /// The poll totals of `queue`'s aggregate target, for the run and the
    /// interval in force, while the window is open.
    fn each_poll_totals(&mut self, queue: usize, mut update: impl FnMut(&mut PollTotals)) {
        if !self.window_open {
            return;
        }
        let base = queue * self.per_node;
        update(&mut self.targets[base].polls);
        if let Some(current) = self.in_force() {
            let at = current * self.targets.len() + base;
            update(&mut self.interval_targets[at].polls);
        }
    }

    /// A message of `class` is rejected by a full `queue`.
    pub(crate) fn block(&mut self, queue: usize, class: usize, tracked: bool) {
        if tracked {
            self.each(queue, class, self.in_force(), |t| {
                t.arrivals += 1;
                t.blocked += 1;
            });
        }
    }

    /// A message of `class` starts (or resumes) service at `queue` (in
    /// `partition` of a partitioned queue; ignored otherwise).
    #[inline(always)]
    pub(crate) fn start_service(
        &mut self,
        now: f64,
        (queue, partition): (usize, u32),
        class: usize,
        was_waiting: bool,
    ) {
        if was_waiting {
            let interval = self.in_force();
            let update = |t: &mut Accumulators| t.change(now, 0.0, -1.0);
            self.each(queue, class, interval, update);
            self.each_partition(queue, partition, interval, update);
        }
    }

    /// A message of `class` in service at `queue` (in `partition` of a
    /// partitioned queue; ignored otherwise) waits again: interrupted, handed
    /// back by a failing consumer, or replayed after a failed commit.
    pub(crate) fn requeue(&mut self, now: f64, (queue, partition): (usize, u32), class: usize) {
        let interval = self.in_force();
        let update = |t: &mut Accumulators| t.change(now, 0.0, 1.0);
        self.each(queue, class, interval, update);
        self.each_partition(queue, partition, interval, update);
    }

    /// A message of `class` that arrived at `queue` at `arrived` expires
    /// there, after waiting `wait`.
    pub(crate) fn expire(
        &mut self,
        now: f64,
        queue: usize,
        class: usize,
        arrived: f64,
        tracked: bool,
    ) {
        self.leave_line(Departure::Expired, now, (queue, class), arrived, tracked);
    }

    /// A waiting message of `class` that arrived at `queue` at `arrived`
    /// is dropped from the head there (`drop-head`).
    pub(crate) fn drop_oldest(
        &mut self,
        now: f64,
        queue: usize,
        class: usize,
        arrived: f64,
        tracked: bool,
    ) {
        self.leave_line(Departure::Dropped, now, (queue, class), arrived, tracked);
    }

    /// A waiting message leaves the line of `queue` unserved (`how`).
    fn leave_line(
        &mut self,
        how: Departure,
        now: f64,
        (queue, class): (usize, usize),
        arrived: f64,
        tracked: bool,
    ) {
        self.each(queue, class, self.in_force(), |t| t.change(now, -1.0, -1.0));
        if tracked {
            let wait = now - arrived;
            self.each(queue, class, self.interval_of(arrived), |t| {
                t.record_loss(how, wait, true, wait);
            });
        }
    }

    /// A measured message of `class` arrives at `queue`, which has
    /// retries, for its first delivery there.
    pub(crate) fn first_delivery(&mut self, queue: usize, class: usize) {
        self.each(queue, class, self.in_force(), |t| t.first_deliveries += 1);
    }

    /// A delivery of a message of `class` failed at `queue` and another
    /// follows (counted when `tracked`).
    pub(crate) fn count_redelivery(&mut self, queue: usize, class: usize, tracked: bool) {
        if tracked {
            self.each(queue, class, self.in_force(), |t| t.redeliveries += 1);
        }
    }

    /// The lease of the first delivery of a message of `class` at `queue`
    /// ran out (counted when `tracked`).
    pub(crate) fn count_lease_expiry(&mut self, queue: usize, class: usize, tracked: bool) {
        if tracked {
            self.each(queue, class, self.in_force(), |t| t.lease.first_expired());
        }
    }

    /// A consumer of `queue` took a duplicate delivery of a message of
    /// `class` (counted when `tracked`).
    pub(crate) fn count_lease_redelivery(&mut self, queue: usize, class: usize, tracked: bool) {
        if tracked {
            self.each(queue, class, self.in_force(), |t| t.lease.duplicate());
        }
    }

    /// A message of `class` failed at `queue` and starts waiting out its
    /// retry delay.
    pub(crate) fn begin_retry_delay(
        &mut self,
        now: f64,
        queue: usize,
        class: usize,
        tracked: bool,
    ) {
        self.each(queue, class, self.in_force(), |t| {
            t.change_in_retry(now, 1.0);
            t.redeliveries += u64::from(tracked);
        });
    }

    /// A message of `class` has waited out its retry delay and returns to
    /// `queue`.
    pub(crate) fn end_retry_delay(&mut self, now: f64, queue: usize, class: usize) {
        self.each(queue, class, self.in_force(), |t| {
            t.change_in_retry(now, -1.0);
        });
    }

    /// The retries of a message of `class` at `queue` ran out (counted
    /// when `tracked`).
    pub(crate) fn exhaust(&mut self, queue: usize, class: usize, tracked: bool) {
        if tracked {
            self.each(queue, class, self.in_force(), |t| t.exhausted += 1);
        }
    }

    /// A message of `class` leaves `queue` (from `partition` of a
    /// partitioned queue; ignored otherwise) after `sojourn` there.
    #[inline(always)]
    pub(crate) fn finish(
        &mut self,
        now: f64,
        (queue, partition): (usize, u32),
        class: usize,
        visit: Visit,
    ) {
        let in_window = u64::from(self.window_open);
        // As `each` does, without a closure: called from its two sites, the
        // per-message closure was left a call.
        let base = queue * self.per_node;
        self.targets[base].depart(now, in_window, &visit);
        if self.per_node > 1 {
            self.targets[base + 1 + class].depart(now, in_window, &visit);
        }
        self.each_partition(queue, partition, None, |t| {
            t.depart(now, in_window, &visit);
        });
        if !self.spans.is_empty() {
            self.finish_in_intervals(now, (queue, partition), class, visit);
        }
    }

    /// [`Collector::finish`] in the reporting intervals: the departure
    /// counts in the interval in force, the visit's wait and sojourn in the
    /// interval it arrived in.
    #[inline(never)]
    fn finish_in_intervals(
        &mut self,
        now: f64,
        (queue, partition): (usize, u32),
        class: usize,
        visit: Visit,
    ) {
        let n = self.targets.len();
        let partition_target = self
            .partition_targets
            .get(queue)
            .copied()
            .flatten()
            .map(|first| first + partition as usize);
        if let Some(current) = self.in_force() {
            let in_window = u64::from(self.window_open);
            let mut update = |t: &mut Accumulators| {
                t.change(now, -1.0, 0.0);
                t.departures_in_window += in_window;
            };
            self.each_interval(queue, class, current, &mut update);
            if let Some(index) = partition_target {
                update(&mut self.interval_targets[current * n + index]);
            }
        }
        if visit.tracked
            && let Some(arrival) = self.interval_of(visit.arrived)
        {
            let mut update = |t: &mut Accumulators| {
                t.record_served(visit.wait, visit.waited, visit.sojourn);
            };
            self.each_interval(queue, class, arrival, &mut update);
            if let Some(index) = partition_target {
                update(&mut self.interval_targets[arrival * n + index]);
            }
        }
    }

    /// The queues form one network, so it is measured end to end as well
    /// (a single queue is its own system; independent queues have none).
    #[inline]
    pub(crate) fn measures_system(&self) -> bool {
        self.system
    }

    /// A message of `class` leaves a network measured end to end (see
    /// [`Collector::measures_system`]): blocked somewhere, expired
    /// or dropped somewhere, or delivered (only these count in the throughput), after
    /// `sojourn` end to end, `total_wait` of it waiting (`waited`: it
    /// queued at some queue).
    pub(crate) fn exit_system(&mut self, class: usize, exit: Exit) {
        let served = u64::from(exit.how == Departure::Served && self.window_open);
        self.each(self.queues, class, None, |t| {
            t.departures_in_window += served;
            t.record_exit(&exit);
        });
        if self.spans.is_empty() {
            return;
        }
        if let Some(current) = self.in_force() {
            self.each_interval(self.queues, class, current, |t| {
                t.departures_in_window += served;
            });
        }
        if let Some(arrival) = self.interval_of(exit.entered) {
            self.each_interval(self.queues, class, arrival, |t| t.record_exit(&exit));
        }
    }

    /// The retry metrics of the system row (and its classes') in `values`,
    /// from the queues' counts in `layer`: redeliveries and messages whose
    /// retries ran out per message entering, and the messages waiting out
    /// a delay, which are in the network too (they count in its L).
    fn system_retry_values(&self, layer: &[Accumulators], values: &mut [MetricValues]) {
        for slot in 0..self.per_node {
            let queue_rows = (0..self.queues).map(|queue| queue * self.per_node + slot);
            let redeliveries: u64 = queue_rows.clone().map(|row| layer[row].redeliveries).sum();
            let in_retry: f64 = queue_rows
                .map(|row| values[row][Metric::MeanInRetry.index()])
                .filter(|x| !x.is_nan())
                .sum();
            let row = self.queues * self.per_node + slot;
            let system = &layer[row];
            if system.arrivals > 0 {
                let messages = system.arrivals as f64;
                values[row][Metric::RetriesPerMessage.index()] = redeliveries as f64 / messages;
                values[row][Metric::PDeadLettered.index()] = system.exhausted as f64 / messages;
            }
            values[row][Metric::MeanInRetry.index()] = in_retry;
            values[row][Metric::MeanInSystem.index()] += in_retry;
        }
    }

    /// The waiting-time histograms of every target, in layout order: for
    /// the whole run, and per reporting interval.
    pub(crate) fn into_wait_distributions(self) -> (Vec<Percentiles>, Vec<Vec<Percentiles>>) {
        let n = self.targets.len();
        let whole = self
            .targets
            .into_iter()
            .map(|target| target.wait_percentiles.trimmed())
            .collect();
        let mut per_interval = Vec::with_capacity(self.spans.len());
        let mut targets = self.interval_targets.into_iter();
        for _ in 0..self.spans.len() {
            per_interval.push(
                targets
                    .by_ref()
                    .take(n)
                    .map(|target| target.wait_percentiles.trimmed())
                    .collect(),
            );
        }
        (whole, per_interval)
    }

    /// Metric values of every target, in layout order.
    pub(crate) fn values(&self, model: &Model) -> Vec<MetricValues> {
        let end = self.window_end.unwrap_or(f64::NAN);
        let window = end - self.window_start;
        let mut values = self.layer_values(&self.targets, window, model, (self.window_start, end));
        self.idle_values(model, (self.window_start, end), &mut values);
        values
    }

    /// Metric values of every target in each reporting interval or batch,
    /// in time order (empty without either; batches that never began, as
    /// when a replayed trace ends early, are left out).
    pub(crate) fn interval_values(&self, model: &Model) -> Vec<Vec<MetricValues>> {
        let n = self.targets.len();
        self.spans
            .iter()
            .zip(self.interval_targets.chunks(n))
            .filter(|(span, _)| span.start.is_finite())
            .map(|(span, layer)| {
                let mut values =
                    self.layer_values(layer, span.length(), model, (span.start, span.end));
                if self.batched {
                    for (target, values) in layer.iter().zip(&mut values) {
                        target.blank_thin_tails(values, BATCH_TAIL);
                    }
                } else {
                    self.idle_values(model, (span.start, span.end), &mut values);
                }
                values
            })
            .collect()
    }

    /// The idle consumers over model times `(start, end)` of every
    /// partitioned queue (at its aggregate target in `values`): the
    /// group's size is the model's, the same in every replication.
    fn idle_values(&self, model: &Model, (start, end): (f64, f64), values: &mut [MetricValues]) {
        for (queue, spec) in model.queues.iter().enumerate() {
            if let Some(idle) = spec.mean_idle_consumers(start, end) {
                values[queue * self.per_node][Metric::IdleConsumers.index()] = idle;
            }
        }
    }

    /// Metric values of `layer` (one accumulator per target) measured over
    /// `window` time units, between the model times `(start, end)` (over
    /// which consumer schedules give the consumers working on average).
    fn layer_values(
        &self,
        layer: &[Accumulators],
        window: f64,
        model: &Model,
        (start, end): (f64, f64),
    ) -> Vec<MetricValues> {
        let consumers = |queue: &Queue| match (&queue.schedule, queue.group_changes()) {
            (Some(schedule), _) => schedule.mean_over(start, end),
            (None, Some(changes)) => changes.mean_consumers(queue.consumers, start, end),
            (None, None) => f64::from(queue.consumers.saturating_mul(queue.threads())),
        };
        let mut values: Vec<MetricValues> = layer
            .iter()
            .enumerate()
            .map(|(index, target)| {
                if index >= self.per_node * (self.queues + usize::from(self.system)) {
                    // A partition: its utilisation is its share of its
                    // one consumer's threads' time; nothing expires or is
                    // dropped.
                    let losses = Losses {
                        expire: false,
                        drop: false,
                    };
                    let threads = self
                        .partition_queue(index)
                        .map_or(1, |q| model.queues[q].threads());
                    return target.values(
                        window,
                        Some(f64::from(threads)),
                        losses,
                        (false, false, None, OutageRow::None),
                    );
                }
                let node = index / self.per_node;
                // A class's utilisation is the share of consumers busy with it.
                let consumers = model
                    .queues
                    .get(node)
                    .filter(|queue| !queue.is_unlimited())
                    .map(&consumers);
                let losses = match model.queues.get(node) {
                    Some(queue) => Losses::of(queue),
                    None => Losses::any(&model.queues),
                };
                // The windows are measured at a queue's aggregate target.
                let windowed = index % self.per_node == 0
                    && model.queues.get(node).is_some_and(|q| q.window().is_some());
                let retries = model.queues.get(node).is_some_and(|q| q.retry().is_some());
                let outages = match model.queues.get(node) {
                    Some(queue) if queue.outage().is_some() => {
                        if index % self.per_node == 0 {
                            OutageRow::Queue {
                                consumers: f64::from(queue.consumers),
                            }
                        } else {
                            OutageRow::Class
                        }
                    }
                    _ => OutageRow::None,
                };
                // So are the polls.
                let polled = model
                    .queues
                    .get(node)
                    .and_then(|q| q.poll())
                    .filter(|_| index % self.per_node == 0)
                    .map(|poll| {
                        let partitions = model.queues[node].partitioning().map(|p| p.partitions);
                        partitions.filter(|_| poll.rebalances())
                    });
                target.values(
                    window,
                    consumers,
                    losses,
                    (windowed, retries, polled, outages),
                )
            })
            .collect();
        if self.system {
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
        if self.system && model.queues.iter().any(|q| q.retry().is_some()) {
            self.system_retry_values(layer, &mut values);
        }
        for (queue, spec) in model.queues.iter().enumerate() {
            if spec.lease().is_some() {
                let rows = queue * self.per_node..(queue + 1) * self.per_node;
                for row in rows {
                    layer[row]
                        .lease
                        .write(layer[row].arrivals, &mut values[row]);
                }
            }
        }
        values
    }
}
