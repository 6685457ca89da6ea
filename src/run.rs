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

/// Pilot runs averaged to choose the warm-up: enough that the averaged
/// series shows the transient above the noise (with 5, MSER-5 often cut a
/// few messages into a climb that lasts hundreds at load 0.9).
pub const PILOTS: u32 = 20;

/// Bounds on the length of each pilot run, in messages.
const PILOT_MESSAGES: (u64, u64) = (1_000, 32_768);

impl RunConfig {
    /// Messages each pilot run of an automatic warm-up measures: a
    /// sixteenth of a replication's expected length, within
    /// `PILOT_MESSAGES`, so the pilots together cost about 1.25
    /// replications (MSER-5 cuts at most half a pilot, an eighth of a
    /// replication). `max_rates` are the most messages per time unit each
    /// producer sends (`model::Producer::max_rate`), which size a run of a
    /// given horizon.
    pub fn pilot_messages(&self, max_rates: impl IntoIterator<Item = f64>) -> u64 {
        let expected_messages = match self.length {
            RunLength::Customers(customers) => customers as f64,
            RunLength::Horizon(horizon) => horizon * max_rates.into_iter().sum::<f64>(),
        };
        ((expected_messages / 16.0) as u64).clamp(PILOT_MESSAGES.0, PILOT_MESSAGES.1)
    }
}
