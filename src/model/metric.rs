//! The metric names of the results contract (results/README.md), and the
//! service-level metrics a scenario asks for by threshold
//! (`wait_within_<t>`, `sojourn_within_<t>`).

use serde::{Deserialize, Serialize};

/// A service-level threshold t >= 0 (finite), in the scenario's time unit.
///
/// Stored as the bits of a non-negative `f64`, whose order is the order of
/// the values, so thresholds (and the metrics carrying them) are `Eq`,
/// `Ord` and `Hash`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Threshold(u64);

impl Threshold {
    /// The threshold `t`, or `None` unless t is finite and >= 0.
    pub fn new(t: f64) -> Option<Threshold> {
        // `+ 0.0` turns -0 into +0, so both give the same threshold.
        (t.is_finite() && t >= 0.0).then(|| Threshold((t + 0.0).to_bits()))
    }

    /// The time t.
    pub fn value(self) -> f64 {
        f64::from_bits(self.0)
    }
}

/// One reported performance measure. The serialised names are part of the
/// JSON/CSV contract and never change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    /// L: time-average number of messages in queue + in service.
    MeanInSystem,
    /// Lq: time-average number of messages waiting.
    MeanInQueue,
    /// W: mean time from arrival to departure.
    MeanSojourn,
    /// Wq: mean time from arrival to start of service.
    MeanWait,
    /// Mean fraction of consumers busy.
    Utilisation,
    /// Departures per time unit.
    Throughput,
    /// Probability that an accepted message waits at all.
    PWait,
    /// Fraction of arrivals rejected because the queue was full.
    PBlocked,
    /// Fraction of accepted messages that expire (abandon) before service.
    PAbandoned,
    /// Fraction of accepted messages dropped from the head of a full
    /// `drop-head` queue to let a newer one in (there every arrival is
    /// accepted).
    PDropped,
    /// Mean wait of the messages served, leaving out those dropped from the
    /// head (which `mean_wait` counts until they are dropped); on
    /// `drop-head` queues, and end to end when one drops.
    MeanWaitServed,
    /// Median waiting time.
    WaitP50,
    /// 90th percentile of the waiting time.
    WaitP90,
    /// 99th percentile of the waiting time.
    WaitP99,
    /// Median sojourn time.
    SojournP50,
    /// 90th percentile of the sojourn time.
    SojournP90,
    /// 99th percentile of the sojourn time.
    SojournP99,
    /// Time from the start of the run until a starting backlog is caught
    /// up: the first instant no message waits (queues with a `backlog`).
    DrainTime,
    /// Prefetch windows: time-average number of messages ready in the
    /// broker (not yet delivered to a consumer).
    MeanReady,
    /// Prefetch windows: time-average number of messages delivered and not
    /// yet acknowledged (in a consumer's buffer, in service, or awaiting
    /// the acknowledgement).
    MeanUnacked,
    /// Prefetch windows: RabbitMQ's consumer utilisation, the share of
    /// time the queue can deliver a message at once (no ready message
    /// waits for a window slot).
    ConsumerUtilisation,
    /// Prefetch windows: share of time a consumer sits idle while another
    /// holds delivered messages it has not started (work hoarded, no
    /// stealing), the fairness figure of prefetch.
    PHoarded,
    /// Mean redeliveries per message arriving at a queue with retries (the
    /// load amplification less 1); at the system, per message entering.
    RetriesPerMessage,
    /// Share of messages arriving at a queue with retries whose retries
    /// all fail (sent to the dead-letter queue, or dropped).
    PDeadLettered,
    /// Time-average number of messages waiting out a retry delay (outside
    /// every queue) before they are delivered to the queue again.
    MeanInRetry,
    /// Consumer outages: the share of consumer-time up (not failed).
    Availability,
    /// Consumer outages: mean times a message accepted at the queue is
    /// handed back by a failing consumer and redelivered.
    RedeliveriesPerMessage,
    /// Batch polling: mean messages a poll takes (polls per message is its
    /// inverse).
    MeanBatch,
    /// Batch polling: share of the consumers' time spent in poll overhead
    /// (part of their utilisation).
    PollOverheadShare,
    /// Batch polling: share of the consumers' time spent waiting for a
    /// fetch to fill with messages already there (the latency cost of a
    /// fetch minimum).
    FetchWaitShare,
    /// Rebalances (poll timeouts, group changes): share of time a
    /// rebalance pauses the group (or, cooperative, some of its partitions).
    RebalanceShare,
    /// Rebalances: rebalances per time unit (a consumer leaving and
    /// rejoining is two).
    RebalanceRate,
    /// Rebalances: share of the messages polled that were polled before
    /// (a rebalance took them back, or their commit failed: a replay).
    PRedelivered,
    /// Rebalances: mean time a partition is paused per rebalance, over all
    /// the partitions (one a cooperative rebalance leaves alone counts 0).
    RebalancePauseMean,
    /// Group changes, per reporting interval: time-average number of the
    /// group's consumers that own no partition (those beyond the
    /// partitions), by the group's size as its changes set it.
    IdleConsumers,
    /// Lease (`ack_wait`): share of messages whose first delivery outlived
    /// its lease (not acknowledged within `ack_wait` of its start).
    PLeaseExpired,
    /// Lease (`ack_wait`): mean duplicate deliveries per message (a copy
    /// delivered to a consumer after a lease ran out while the message was
    /// still unacknowledged), all wasted work.
    LeaseRedeliveriesPerMessage,
    /// `wait_within_<t>`: share of accepted messages whose wait (until
    /// service, or until they expire) is at most t.
    WaitWithin(Threshold),
    /// `sojourn_within_<t>`: share of accepted messages that leave (served,
    /// or expired) at most t after arriving.
    SojournWithin(Threshold),
}

/// Name prefix of [`Metric::WaitWithin`].
const WAIT_WITHIN: &str = "wait_within_";
/// Name prefix of [`Metric::SojournWithin`].
const SOJOURN_WITHIN: &str = "sojourn_within_";

impl Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Metric::from_name(&name).map_err(serde::de::Error::custom)
    }
}

/// The metrics in a run's value vectors, in order: every metric of
/// [`Metric::ALL`], then `wait_within_<t>` for each of `thresholds`, then
/// `sojourn_within_<t>` for each.
pub fn layout(thresholds: &[Threshold]) -> Vec<Metric> {
    let waits = thresholds.iter().map(|&t| Metric::WaitWithin(t));
    let sojourns = thresholds.iter().map(|&t| Metric::SojournWithin(t));
    Metric::ALL
        .into_iter()
        .chain(waits)
        .chain(sojourns)
        .collect()
}

impl Metric {
    /// The metric named `name` (e.g. `mean_wait`), or an error listing the
    /// allowed names.
    /// `wait_within_<t>` and `sojourn_within_<t>` are accepted for any
    /// time t >= 0 (e.g. `wait_within_0.5`).
    pub fn from_name(name: &str) -> Result<Metric, String> {
        if let Some(fixed) = Metric::ALL.into_iter().find(|m| m.name() == name) {
            return Ok(fixed);
        }
        let threshold = |t: &str| t.parse().ok().and_then(Threshold::new);
        let within = if let Some(t) = name.strip_prefix(WAIT_WITHIN) {
            threshold(t).map(Metric::WaitWithin)
        } else if let Some(t) = name.strip_prefix(SOJOURN_WITHIN) {
            threshold(t).map(Metric::SojournWithin)
        } else {
            None
        };
        within.ok_or_else(|| {
            let names: Vec<String> = Metric::ALL.iter().map(|m| m.name()).collect();
            format!(
                "unknown metric `{name}`; allowed: {}, {WAIT_WITHIN}<t>, {SOJOURN_WITHIN}<t>",
                names.join(", ")
            )
        })
    }

    /// Whether the metric is a probability (a share of messages), so that
    /// it lies in [0, 1]; every other metric is a time, count or rate >= 0.
    pub fn is_probability(self) -> bool {
        self.support() == (0.0, 1.0)
    }

    /// Every metric, in report order.
    pub const ALL: [Metric; 37] = [
        Metric::MeanInSystem,
        Metric::MeanInQueue,
        Metric::MeanSojourn,
        Metric::MeanWait,
        Metric::Utilisation,
        Metric::Throughput,
        Metric::PWait,
        Metric::PBlocked,
        Metric::PAbandoned,
        Metric::PDropped,
        Metric::MeanWaitServed,
        Metric::WaitP50,
        Metric::WaitP90,
        Metric::WaitP99,
        Metric::SojournP50,
        Metric::SojournP90,
        Metric::SojournP99,
        Metric::DrainTime,
        Metric::MeanReady,
        Metric::MeanUnacked,
        Metric::ConsumerUtilisation,
        Metric::PHoarded,
        Metric::RetriesPerMessage,
        Metric::PDeadLettered,
        Metric::MeanInRetry,
        Metric::Availability,
        Metric::RedeliveriesPerMessage,
        Metric::MeanBatch,
        Metric::PollOverheadShare,
        Metric::FetchWaitShare,
        Metric::RebalanceShare,
        Metric::RebalanceRate,
        Metric::PRedelivered,
        Metric::RebalancePauseMean,
        Metric::IdleConsumers,
        Metric::PLeaseExpired,
        Metric::LeaseRedeliveriesPerMessage,
    ];

    /// Number of metrics.
    pub const COUNT: usize = Self::ALL.len();

    /// The contract name, e.g. `mean_wait` or `wait_within_20`.
    pub fn name(self) -> String {
        let fixed = match self {
            Metric::MeanInSystem => "mean_in_system",
            Metric::MeanInQueue => "mean_in_queue",
            Metric::MeanSojourn => "mean_sojourn",
            Metric::MeanWait => "mean_wait",
            Metric::Utilisation => "utilisation",
            Metric::Throughput => "throughput",
            Metric::PWait => "p_wait",
            Metric::PBlocked => "p_blocked",
            Metric::PAbandoned => "p_abandoned",
            Metric::PDropped => "p_dropped",
            Metric::MeanWaitServed => "mean_wait_served",
            Metric::WaitP50 => "wait_p50",
            Metric::WaitP90 => "wait_p90",
            Metric::WaitP99 => "wait_p99",
            Metric::SojournP50 => "sojourn_p50",
            Metric::SojournP90 => "sojourn_p90",
            Metric::SojournP99 => "sojourn_p99",
            Metric::DrainTime => "drain_time",
            Metric::MeanReady => "mean_ready",
            Metric::MeanUnacked => "mean_unacked",
            Metric::ConsumerUtilisation => "consumer_utilisation",
            Metric::PHoarded => "p_hoarded",
            Metric::RetriesPerMessage => "retries_per_message",
            Metric::PDeadLettered => "p_dead_lettered",
            Metric::MeanInRetry => "mean_in_retry",
            Metric::Availability => "availability",
            Metric::RedeliveriesPerMessage => "redeliveries_per_message",
            Metric::MeanBatch => "mean_batch",
            Metric::PollOverheadShare => "poll_overhead_share",
            Metric::FetchWaitShare => "fetch_wait_share",
            Metric::RebalanceShare => "rebalance_share",
            Metric::RebalanceRate => "rebalance_rate",
            Metric::PRedelivered => "p_redelivered",
            Metric::RebalancePauseMean => "rebalance_pause_mean",
            Metric::IdleConsumers => "idle_consumers",
            Metric::PLeaseExpired => "p_lease_expired",
            Metric::LeaseRedeliveriesPerMessage => "lease_redeliveries_per_message",
            Metric::WaitWithin(t) => return format!("{WAIT_WITHIN}{}", t.value()),
            Metric::SojournWithin(t) => return format!("{SOJOURN_WITHIN}{}", t.value()),
        };
        fixed.to_string()
    }

    /// How the metric's values change with the time unit: as a time (1),
    /// as a rate (-1: throughput), or not at all (0: counts and shares).
    pub fn time_power(self) -> i32 {
        match self {
            Metric::MeanSojourn
            | Metric::MeanWait
            | Metric::MeanWaitServed
            | Metric::WaitP50
            | Metric::WaitP90
            | Metric::WaitP99
            | Metric::SojournP50
            | Metric::SojournP90
            | Metric::SojournP99
            | Metric::DrainTime
            | Metric::RebalancePauseMean => 1,
            Metric::Throughput | Metric::RebalanceRate => -1,
            Metric::MeanInSystem
            | Metric::MeanInQueue
            | Metric::Utilisation
            | Metric::MeanReady
            | Metric::MeanUnacked
            | Metric::ConsumerUtilisation
            | Metric::PHoarded
            | Metric::PWait
            | Metric::PBlocked
            | Metric::PAbandoned
            | Metric::PDropped
            | Metric::RetriesPerMessage
            | Metric::PDeadLettered
            | Metric::MeanInRetry
            | Metric::Availability
            | Metric::RedeliveriesPerMessage
            | Metric::MeanBatch
            | Metric::PollOverheadShare
            | Metric::FetchWaitShare
            | Metric::RebalanceShare
            | Metric::PRedelivered
            | Metric::IdleConsumers
            | Metric::PLeaseExpired
            | Metric::LeaseRedeliveriesPerMessage
            | Metric::WaitWithin(_)
            | Metric::SojournWithin(_) => 0,
        }
    }

    /// The range of values the metric can take: [0, 1] for probabilities,
    /// [0, inf) for the others (utilisation included: against a consumer
    /// schedule it may exceed 1). Confidence intervals are cut to it.
    pub fn support(self) -> (f64, f64) {
        match self {
            Metric::PWait
            | Metric::PBlocked
            | Metric::PAbandoned
            | Metric::ConsumerUtilisation
            | Metric::PHoarded
            | Metric::PDropped
            | Metric::PDeadLettered
            | Metric::Availability
            | Metric::PollOverheadShare
            | Metric::FetchWaitShare
            | Metric::RebalanceShare
            | Metric::PRedelivered
            | Metric::PLeaseExpired
            | Metric::WaitWithin(_)
            | Metric::SojournWithin(_) => (0.0, 1.0),
            _ => (0.0, f64::INFINITY),
        }
    }

    /// Position of a metric of [`Metric::ALL`] there and in every value
    /// vector (see [`layout`]); a threshold metric's position depends on the
    /// run's thresholds: see [`Metric::slot`].
    ///
    /// # Panics
    /// For a threshold metric (`wait_within_<t>`, `sojourn_within_<t>`).
    pub fn index(self) -> usize {
        Metric::ALL
            .iter()
            .position(|&m| m == self)
            .expect("only the fixed metrics have a fixed position")
    }

    /// Position of the metric in the value vectors of a run with
    /// `thresholds` (see [`layout`]); `None` for a threshold metric whose
    /// threshold the run does not have.
    pub fn slot(self, thresholds: &[Threshold]) -> Option<usize> {
        let at = |t| thresholds.iter().position(|&x| x == t);
        match self {
            Metric::WaitWithin(t) => Some(Metric::COUNT + at(t)?),
            Metric::SojournWithin(t) => Some(Metric::COUNT + thresholds.len() + at(t)?),
            fixed => Some(fixed.index()),
        }
    }

    /// The waiting-time percentile metrics with their probability.
    pub const WAIT_PERCENTILES: [(Metric, f64); 3] = [
        (Metric::WaitP50, 0.50),
        (Metric::WaitP90, 0.90),
        (Metric::WaitP99, 0.99),
    ];

    /// The sojourn percentile metrics with their probability.
    pub const SOJOURN_PERCENTILES: [(Metric, f64); 3] = [
        (Metric::SojournP50, 0.50),
        (Metric::SojournP90, 0.90),
        (Metric::SojournP99, 0.99),
    ];
}

/// A value for each metric of a run's [`layout`]; `NaN` marks a metric
/// that does not apply.
pub type MetricValues = Vec<f64>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_matches_position_and_names_are_unique() {
        for (position, metric) in Metric::ALL.iter().enumerate() {
            assert_eq!(metric.index(), position);
            let json = serde_json::to_string(metric).unwrap();
            assert_eq!(json, format!("\"{}\"", metric.name()));
        }
        let mut names: Vec<_> = Metric::ALL.iter().map(|m| m.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Metric::COUNT);
    }

    #[test]
    fn threshold_metrics_round_trip_by_name_and_sit_after_the_fixed_ones() {
        let thresholds = [Threshold::new(5.0).unwrap(), Threshold::new(0.5).unwrap()];
        let metrics = layout(&thresholds);
        let names: Vec<String> = metrics[Metric::COUNT..].iter().map(|m| m.name()).collect();
        assert_eq!(
            names,
            [
                "wait_within_5",
                "wait_within_0.5",
                "sojourn_within_5",
                "sojourn_within_0.5"
            ]
        );
        for (position, &metric) in metrics.iter().enumerate() {
            assert_eq!(metric.slot(&thresholds), Some(position));
            assert_eq!(Metric::from_name(&metric.name()), Ok(metric));
            let json = serde_json::to_string(&metric).unwrap();
            assert_eq!(serde_json::from_str::<Metric>(&json).unwrap(), metric);
        }
        assert_eq!(
            Metric::from_name("wait_within_5.0"),
            Ok(metrics[Metric::COUNT])
        );
        assert!(Metric::WaitWithin(thresholds[1]) < Metric::WaitWithin(thresholds[0]));
        assert!(Metric::SojournP99 < Metric::WaitWithin(thresholds[0]));
        assert_eq!(
            Metric::WaitWithin(Threshold::new(1.0).unwrap()).slot(&thresholds),
            None
        );
        assert!(Metric::WaitWithin(thresholds[0]).is_probability());
        for bad in [
            "wait_within_",
            "wait_within_-1",
            "wait_within_inf",
            "sojourn_within_x",
        ] {
            assert!(Metric::from_name(bad).is_err(), "{bad}");
        }
        assert_eq!(Threshold::new(-0.0), Threshold::new(0.0));
    }
}
