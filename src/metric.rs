//! The metric names of the results contract (design.md section 4).

use serde::{Deserialize, Serialize};

/// One reported performance measure. The serialised names are part of the
/// JSON/CSV contract and never change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
}

impl Metric {
    /// The metric named `name` (e.g. `mean_wait`), or an error listing the
    /// allowed names.
    pub fn from_name(name: &str) -> Result<Metric, String> {
        serde_json::from_value(serde_json::Value::String(name.to_string())).map_err(|_| {
            let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
            format!("unknown metric `{name}`; allowed: {}", names.join(", "))
        })
    }

    /// Whether the metric is a probability (a share of messages), so that
    /// it lies in [0, 1]; every other metric is a time, count or rate >= 0.
    pub fn is_probability(self) -> bool {
        matches!(self, Metric::PWait | Metric::PBlocked | Metric::PAbandoned)
    }

    /// Every metric, in report order.
    pub const ALL: [Metric; 15] = [
        Metric::MeanInSystem,
        Metric::MeanInQueue,
        Metric::MeanSojourn,
        Metric::MeanWait,
        Metric::Utilisation,
        Metric::Throughput,
        Metric::PWait,
        Metric::PBlocked,
        Metric::PAbandoned,
        Metric::WaitP50,
        Metric::WaitP90,
        Metric::WaitP99,
        Metric::SojournP50,
        Metric::SojournP90,
        Metric::SojournP99,
    ];

    /// Number of metrics.
    pub const COUNT: usize = Self::ALL.len();

    /// The contract name, e.g. `mean_wait`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::MeanInSystem => "mean_in_system",
            Metric::MeanInQueue => "mean_in_queue",
            Metric::MeanSojourn => "mean_sojourn",
            Metric::MeanWait => "mean_wait",
            Metric::Utilisation => "utilisation",
            Metric::Throughput => "throughput",
            Metric::PWait => "p_wait",
            Metric::PBlocked => "p_blocked",
            Metric::PAbandoned => "p_abandoned",
            Metric::WaitP50 => "wait_p50",
            Metric::WaitP90 => "wait_p90",
            Metric::WaitP99 => "wait_p99",
            Metric::SojournP50 => "sojourn_p50",
            Metric::SojournP90 => "sojourn_p90",
            Metric::SojournP99 => "sojourn_p99",
        }
    }

    /// The range of values the metric can take: [0, 1] for probabilities,
    /// [0, inf) for the others (utilisation included: against a consumer
    /// schedule it may exceed 1). Confidence intervals are cut to it.
    pub fn support(self) -> (f64, f64) {
        match self {
            Metric::PWait | Metric::PBlocked | Metric::PAbandoned => (0.0, 1.0),
            _ => (0.0, f64::INFINITY),
        }
    }

    /// Position of the metric in [`Metric::ALL`].
    pub fn index(self) -> usize {
        self as usize
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

/// A value for each metric; `NaN` marks a metric that does not apply.
pub type MetricValues = [f64; Metric::COUNT];

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
}
