//! Streaming statistics for simulation output.
//!
//! - [`Tally`]: running count, mean and variance of observations (Welford);
//!   [`RunningMean`] the same without the variance.
//! - [`TimeAverage`]: time-weighted average of a piecewise-constant quantity.
//! - [`Percentiles`]: quantiles of durations with bounded relative error (HDR histogram).
//! - [`mser5_truncation`]: MSER-5 warm-up truncation point of an output series.
//! - [`student_t_interval`]: Student-t confidence interval across replications.
//! - [`batch_means_interval`]: the same from the batches of one long run.
//!
//! The `record`/`update` methods are O(1) and do not allocate (except for the
//! rare, amortised range growth of [`Percentiles`]).

mod batch;
mod histogram;
mod interval;
mod mser;
mod tally;
mod time_average;

pub use batch::{BATCH_TAIL, BATCHES, batch_means_interval, lag1_correlation, lag1_critical};
pub use histogram::{Percentiles, PercentilesError};
pub use interval::{Estimate, standard_error, student_t_interval};
pub use mser::mser5_truncation;
pub use tally::{RunningMean, Tally};
pub use time_average::TimeAverage;
