//! How far a live measurement can be trusted: how threads were scheduled,
//! how late the producer sent, how far services overshot their deadlines,
//! how long idle consumers took to wake, and how busy the machine was.

use serde::{Deserialize, Serialize};

use super::clock::{SchedulingMode, WaitMethod};
use super::harness::{self, Execution, NEVER};
use super::timeline::Timeline;
use crate::model::Model;

/// Producer lag p99 above this share of the mean service contaminates.
const LAG_LIMIT: f64 = 0.05;
/// Mean service overshoot above this share of the mean service contaminates.
const OVERSHOOT_LIMIT: f64 = 0.02;
/// Other processes using more than this share of the machine contaminate.
const OTHER_LOAD_LIMIT: f64 = 0.25;

/// Health of one live run; times in microseconds of wall time, null where
/// nothing was measured (no message found a consumer idle, say).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// `real-time` (SCHED_FIFO), `timer-slack` (1 ns slack) or `default`.
    pub scheduling: SchedulingMode,
    /// How consumers waited for service deadlines.
    pub wait_method: WaitMethod,
    /// Producer lag behind the schedule, median (µs).
    pub producer_lag_p50_us: Option<f64>,
    /// Producer lag behind the schedule, 99th percentile (µs).
    pub producer_lag_p99_us: Option<f64>,
    /// Service end after its deadline, mean (µs; negative when early).
    pub service_overshoot_mean_us: Option<f64>,
    /// Service end after its deadline, 99th percentile (µs).
    pub service_overshoot_p99_us: Option<f64>,
    /// From arrival at a queue to dequeue for visits that found a consumer
    /// idle, median (µs).
    pub wakeup_latency_p50_us: Option<f64>,
    /// The same, 99th percentile (µs).
    pub wakeup_latency_p99_us: Option<f64>,
    /// Involuntary context switches of the harness threads.
    pub involuntary_context_switches: u64,
    /// Share of all CPUs busy during the run (every process).
    pub machine_busy: Option<f64>,
    /// The part of `machine_busy` used by other processes than this one.
    pub other_processes_busy: Option<f64>,
    /// Messages of the run.
    pub messages: MessageCounts,
    /// Visits of each queue, in model order: every message forwarded is
    /// accounted for by an arrival at its next queue.
    #[serde(default)]
    pub queues: Vec<QueueCounts>,
    /// True when the run hit its time budget or was stopped before draining.
    pub stopped_early: bool,
    /// Why the measurement is contaminated; empty when it looks clean.
    pub warnings: Vec<String>,
}

/// How many messages a live run planned, sent and served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageCounts {
    /// In the schedule.
    pub planned: usize,
    /// Sent by the producer (accepted or rejected).
    pub sent: usize,
    /// Served to the end of their path.
    pub served: usize,
}

/// How many visits one queue of a live run had.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounts {
    /// The queue's name.
    pub queue: String,
    /// Messages that reached it (sent there, or forwarded by a consumer).
    pub arrived: usize,
    /// Of those, rejected because it was full.
    pub rejected: usize,
    /// Served to the end.
    pub served: usize,
    /// Served and forwarded to a next queue (the rest left).
    pub forwarded: usize,
}

impl QueueCounts {
    /// The visits of each of `model`'s queues in `execution` of `timeline`.
    fn count(model: &Model, timeline: &Timeline, execution: &Execution) -> Vec<QueueCounts> {
        let stamps = &execution.stamps;
        let mut counts: Vec<QueueCounts> = model
            .queues
            .iter()
            .map(|queue| QueueCounts {
                queue: queue.name.clone(),
                arrived: 0,
                rejected: 0,
                served: 0,
                forwarded: 0,
            })
            .collect();
        for (id, planned) in timeline.visits.iter().enumerate() {
            if stamps.arrived[id] == NEVER {
                continue;
            }
            let count = &mut counts[planned.queue as usize];
            count.arrived += 1;
            count.rejected += usize::from(stamps.rejected[id]);
            if stamps.done[id] != NEVER {
                count.served += 1;
                count.forwarded += usize::from(timeline.next_visit(id).is_some());
            }
        }
        counts
    }
}

impl Health {
    /// Health of `execution` of `timeline` on `model`, with the machine's
    /// busy shares.
    pub(crate) fn assess(
        model: &Model,
        timeline: &Timeline,
        execution: &Execution,
        load: BusyShares,
    ) -> Health {
        let stamps = &execution.stamps;
        let mut lags = Vec::new();
        let mut served = 0;
        for planned in &timeline.messages {
            let sent = stamps.arrived[planned.visits.start];
            if sent == NEVER {
                continue;
            }
            lags.push(sent.saturating_sub(planned.scheduled) as f64);
            served += usize::from(stamps.done[planned.visits.end - 1] != NEVER);
        }
        let mut overshoots = Vec::new();
        let mut wakeups = Vec::new();
        let mut services = 0.0;
        let mut failed = stamps.failed.as_slice();
        for id in 0..timeline.visits.len() {
            let (arrived, dequeued, done) =
                (stamps.arrived[id], stamps.dequeued[id], stamps.done[id]);
            if done == NEVER {
                continue;
            }
            // From the first delivery's start to the last one's end: the
            // failed deliveries' planned services too.
            let deliveries = 1 + harness::failures_of(&mut failed, id).len() as u32;
            let work = timeline.planned_work(id, deliveries);
            services += work as f64;
            overshoots.push(done as f64 - (dequeued + work) as f64);
            if stamps.idle_since[id] <= arrived {
                wakeups.push(dequeued.saturating_sub(arrived) as f64);
            }
        }
        let services_done = overshoots.len();
        let mean_service_us = services / services_done.max(1) as f64 / 1e3;
        let us = |ns: Option<f64>| ns.map(|ns| ns / 1e3);
        let mean_overshoot =
            (services_done > 0).then(|| overshoots.iter().sum::<f64>() / services_done as f64);
        let mut health = Health {
            scheduling: execution.mode,
            wait_method: execution.wait_method,
            producer_lag_p50_us: us(quantile(&mut lags, 0.5)),
            producer_lag_p99_us: us(quantile(&mut lags, 0.99)),
            service_overshoot_mean_us: us(mean_overshoot),
            service_overshoot_p99_us: us(quantile(&mut overshoots, 0.99)),
            wakeup_latency_p50_us: us(quantile(&mut wakeups, 0.5)),
            wakeup_latency_p99_us: us(quantile(&mut wakeups, 0.99)),
            involuntary_context_switches: execution.involuntary_switches,
            machine_busy: load.machine,
            other_processes_busy: load.others,
            messages: MessageCounts {
                planned: timeline.messages.len(),
                sent: lags.len(),
                served,
            },
            queues: QueueCounts::count(model, timeline, execution),
            stopped_early: execution.stopped_early,
            warnings: Vec::new(),
        };
        health.warnings = health.contamination(mean_service_us);
        health
    }

    fn contamination(&self, mean_service_us: f64) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.stopped_early {
            warnings.push("the run was stopped before every message was served".to_string());
        }
        if let Some(lag) = self
            .producer_lag_p99_us
            .filter(|&lag| lag > LAG_LIMIT * mean_service_us)
        {
            warnings.push(format!(
                "producer lag p99 {lag:.0} µs exceeds {:.0}% of the mean service ({mean_service_us:.0} µs)",
                LAG_LIMIT * 100.0,
            ));
        }
        if let Some(overshoot) = self
            .service_overshoot_mean_us
            .filter(|o| o.abs() > OVERSHOOT_LIMIT * mean_service_us)
        {
            warnings.push(format!(
                "services overshoot their deadline by {overshoot:.1} µs on average, over {:.0}% of the mean service",
                OVERSHOOT_LIMIT * 100.0
            ));
        }
        if let Some(others) = self.other_processes_busy.filter(|&o| o > OTHER_LOAD_LIMIT) {
            warnings.push(format!(
                "other processes kept {:.0}% of the machine busy during the run",
                others * 100.0
            ));
        }
        warnings
    }
}

/// The `p`-quantile of `values` (sorted in place); `None` when empty.
fn quantile(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let index = ((values.len() - 1) as f64 * p).round() as usize;
    Some(values[index])
}

/// Shares of the machine's CPU time that were busy (`None` where /proc
/// cannot tell).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct BusyShares {
    /// Every process.
    pub machine: Option<f64>,
    /// Every process but this one.
    pub others: Option<f64>,
}

/// CPU time counters (clock ticks) of the machine, from /proc/stat, and of
/// this process, from /proc/self/stat.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MachineLoad {
    busy: u64,
    total: u64,
    own: u64,
}

impl MachineLoad {
    /// Reads the counters now (zeros where /proc is unavailable).
    pub(crate) fn start() -> MachineLoad {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let fields: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .filter_map(|f| f.parse().ok())
            .collect();
        let total: u64 = fields.iter().sum();
        // idle and iowait are the 4th and 5th fields.
        let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
        // utime and stime are fields 14 and 15, after the parenthesised name.
        let own_stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let after_name = own_stat.rsplit(')').next().unwrap_or_default();
        let own: u64 = after_name
            .split_whitespace()
            .skip(11)
            .take(2)
            .filter_map(|f| f.parse::<u64>().ok())
            .sum();
        MachineLoad {
            busy: total.saturating_sub(idle),
            total,
            own,
        }
    }

    /// Busy shares since `self` was read.
    pub(crate) fn busy_shares(self) -> BusyShares {
        let now = MachineLoad::start();
        let total = now.total.saturating_sub(self.total) as f64;
        let busy = now.busy.saturating_sub(self.busy) as f64;
        let own = now.own.saturating_sub(self.own) as f64;
        if total == 0.0 {
            return BusyShares {
                machine: None,
                others: None,
            };
        }
        BusyShares {
            machine: Some(busy / total),
            others: Some(((busy - own) / total).max(0.0)),
        }
    }
}
