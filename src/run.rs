//! Run settings shared by the simulator and the report: seed, replications,
//! run length, warm-up and confidence.

/// How much of each replication is measured (after warm-up).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RunLength {
    /// This many arriving messages are measured.
    Customers(u64),
    /// Messages arriving during this much simulated time are measured.
    Horizon(f64),
}

/// How the initial transient is removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Warmup {
    /// MSER-5 truncation estimated on a pilot run.
    Auto,
    /// Discard the first arrivals.
    Customers(u64),
}

/// Everything that says how to simulate a model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunConfig {
    /// Master seed of every random stream.
    pub seed: u64,
    /// Independent replications.
    pub replications: u32,
    /// Measured length of each replication.
    pub length: RunLength,
    /// Warm-up rule.
    pub warmup: Warmup,
    /// Confidence level of the intervals, e.g. 0.95.
    pub confidence: f64,
    /// Run replications in batches until every interval meets it.
    pub precision: Option<Precision>,
}

/// A precision-driven run: add batches of replications until every
/// reported mean's CI half-width is at most `target` times the mean, or
/// `max_replications` have run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Precision {
    /// Relative half-width to reach, e.g. 0.01.
    pub target: f64,
    /// Replications never exceed this.
    pub max_replications: u32,
}
