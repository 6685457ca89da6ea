//! Random distributions for inter-arrival and service times.
//!
//! A [`Dist`] is built once through a validated constructor, which precomputes
//! everything sampling needs, so [`Dist::sample`] never allocates and does no
//! per-call setup. Every distribution has non-negative support.

mod csv_column;
mod exp1;
mod survival;
mod tail;

use std::fmt::Display;
use std::path::PathBuf;
use std::sync::Arc;

use crate::text::Num;

use rand::RngExt;
use rand_distr::{Distribution, LogNormal, Pareto, Uniform, Weibull};
use statrs::function::gamma::ln_gamma;

pub use csv_column::{Dialect, header_row, read_column, read_gaps};

/// Allowed deviation of a hyperexponential's phase probabilities from a sum of 1.
const PROBABILITY_SUM_TOLERANCE: f64 = 1e-9;

/// Significant digits used for the numbers shown by [`Dist::describe`].
const DESCRIBE_SIGNIFICANT_DIGITS: i32 = 6;

/// Why a distribution could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DistError {
    /// A scalar parameter is out of range.
    #[error("{parameter} must be {allowed}, got {}", Num(*.value))]
    InvalidParameter {
        /// Name of the parameter, e.g. `rate`.
        parameter: &'static str,
        /// The allowed values, e.g. `a finite number > 0`.
        allowed: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// One element of a list parameter is out of range.
    #[error("{parameter}[{index}] must be {allowed}, got {}", Num(*.value))]
    InvalidElement {
        /// Name of the list parameter, e.g. `probs`.
        parameter: &'static str,
        /// Zero-based position of the rejected element.
        index: usize,
        /// The allowed values.
        allowed: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// A uniform distribution's bounds do not form a non-empty interval.
    #[error("high must be greater than low, got low {} and high {}", Num(*.low), Num(*.high))]
    EmptyRange {
        /// The lower bound.
        low: f64,
        /// The upper bound.
        high: f64,
    },
    /// A list parameter has no elements.
    #[error("{parameter} must contain at least one value, got none")]
    Empty {
        /// Name of the list parameter.
        parameter: &'static str,
    },
    /// A hyperexponential's probability and rate lists differ in length.
    #[error("probs and rates must have the same length, got {probs} probs and {rates} rates")]
    LengthMismatch {
        /// Number of probabilities.
        probs: usize,
        /// Number of rates.
        rates: usize,
    },
    /// A hyperexponential's phase probabilities do not sum to 1.
    #[error("probs must sum to 1 (within 1e-9), got a sum of {}", Num(*.sum))]
    ProbabilitySum {
        /// The actual sum.
        sum: f64,
    },
    /// The parameters are valid individually but the underlying sampler rejects them,
    /// typically because a derived value overflowed or underflowed.
    #[error("cannot build the {distribution} sampler: {reason}")]
    Sampler {
        /// Name of the distribution.
        distribution: &'static str,
        /// The sampler's explanation.
        reason: String,
    },
    /// The CSV file could not be opened or parsed.
    #[error("cannot read {}: {source}", .path.display())]
    CsvRead {
        /// The file.
        path: PathBuf,
        /// The underlying CSV or I/O error.
        source: csv::Error,
    },
    /// The requested column is not in the CSV header.
    #[error("{}: no column named \"{column}\" in the header (columns: {available})", .path.display())]
    CsvColumnNotFound {
        /// The file.
        path: PathBuf,
        /// The requested column name.
        column: String,
        /// The header's column names, comma separated.
        available: String,
    },
    /// A cell of the selected column is not a valid sample.
    #[error("{}, row {row}: {problem}", .path.display())]
    CsvValue {
        /// The file.
        path: PathBuf,
        /// One-based row number, counting the header row if there is one.
        row: u64,
        /// What is wrong with the cell.
        problem: String,
    },
    /// The selected column holds no values.
    #[error("{}: column {column} holds no samples", .path.display())]
    CsvNoSamples {
        /// The file.
        path: PathBuf,
        /// The column, quoted name or `1` for the first column.
        column: String,
    },
    /// A column of timestamps goes back in time.
    #[error("{}, row {row}: timestamps must not decrease, got {} after {}", .path.display(), Num(*.value), Num(*.previous))]
    DecreasingTimestamp {
        /// The file.
        path: PathBuf,
        /// One-based row number of the earlier timestamp, counting the header.
        row: u64,
        /// The timestamp on that row.
        value: f64,
        /// The timestamp before it.
        previous: f64,
    },
    /// A column of timestamps has fewer than two, so no gap between them.
    #[error("{}: column {column} holds {count} timestamp; a trace needs at least 2 (the first is the origin, each later one a message)", .path.display())]
    TooFewTimestamps {
        /// The file.
        path: PathBuf,
        /// The column, quoted name or `1` for the first column.
        column: String,
        /// The timestamps it holds.
        count: usize,
    },
}

/// One phase of a hyperexponential distribution, with sampling data precomputed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HyperexponentialPhase {
    prob: f64,
    rate: f64,
    mean: f64,
    cumulative_prob: f64,
}

impl HyperexponentialPhase {
    /// Probability of choosing this phase.
    pub fn prob(&self) -> f64 {
        self.prob
    }

    /// Rate of this phase's exponential distribution.
    pub fn rate(&self) -> f64 {
        self.rate
    }
}

/// A non-negative probability distribution with a precomputed sampler.
///
/// Build values through the validated constructors ([`Dist::exponential_mean`],
/// [`Dist::gamma`], ...). The variant fields are public for inspection and
/// matching; building a variant by hand bypasses validation.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Exponential distribution (scv 1).
    Exponential {
        /// Mean, the inverse of the rate.
        mean: f64,
        /// What a unit exponential draw is multiplied by: `1 / (1 / mean)`,
        /// as `rand_distr`'s `Exp` does (rounding may set it apart from
        /// `mean`), so the draws are `Exp`'s.
        scale: f64,
    },
    /// Always the same value (scv 0).
    Deterministic {
        /// The value.
        value: f64,
    },
    /// Sum of `k` exponential phases (scv 1/k).
    Erlang {
        /// Number of phases.
        k: u32,
        /// Mean of the sum.
        mean: f64,
        /// Precomputed sampler (a gamma with integer shape `k`).
        sampler: rand_distr::Gamma<f64>,
    },
    /// Gamma distribution parameterised by mean and scv.
    Gamma {
        /// Mean.
        mean: f64,
        /// Squared coefficient of variation.
        scv: f64,
        /// Precomputed sampler (shape 1/scv, scale mean*scv).
        sampler: rand_distr::Gamma<f64>,
    },
    /// Probabilistic mixture of exponential phases (scv >= 1).
    Hyperexponential {
        /// The phases, in order.
        phases: Arc<[HyperexponentialPhase]>,
    },
    /// Log-normal distribution parameterised by mean and scv.
    LogNormal {
        /// Mean.
        mean: f64,
        /// Squared coefficient of variation.
        scv: f64,
        /// Precomputed sampler.
        sampler: LogNormal<f64>,
    },
    /// Continuous uniform distribution on `[low, high)`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
        /// Precomputed sampler.
        sampler: Uniform<f64>,
    },
    /// Weibull distribution with CDF `1 - exp(-(x/scale)^shape)`.
    Weibull {
        /// Shape parameter.
        shape: f64,
        /// Scale parameter.
        scale: f64,
        /// Precomputed sampler.
        sampler: Weibull<f64>,
    },
    /// Pareto type I distribution with support `x >= scale`.
    Pareto {
        /// Shape (tail index); the mean is infinite if shape <= 1.
        shape: f64,
        /// Scale, the minimum value.
        scale: f64,
        /// Precomputed sampler.
        sampler: Pareto<f64>,
    },
    /// Resamples a list of observed values uniformly at random.
    Empirical {
        /// The observed values.
        samples: Arc<[f64]>,
        /// Precomputed sampler of an index into `samples`.
        index: Uniform<usize>,
        /// Mean of `samples`.
        mean: f64,
        /// Population variance of `samples`.
        variance: f64,
    },
    /// Recorded values replayed in order: the n-th draw of a stream is the
    /// n-th value ([`Dist::sample_nth`]), and there are no more after the
    /// last (+inf: a producer stops, for instance). Drawn without an index
    /// ([`Dist::sample`]) it resamples the values like [`Dist::Empirical`].
    Sequence {
        /// The values, in order.
        values: Arc<[f64]>,
        /// Precomputed sampler of an index into `values`.
        index: Uniform<usize>,
        /// Mean of `values`.
        mean: f64,
        /// Population variance of `values`.
        variance: f64,
    },
}

impl Dist {
    /// Exponential distribution with the given rate (mean 1/rate).
    pub fn exponential_rate(rate: f64) -> Result<Dist, DistError> {
        require_positive("rate", rate)?;
        if !(1.0 / rate).is_finite() {
            return Err(DistError::InvalidParameter {
                parameter: "rate",
                allowed: "a number > 0 whose mean, 1/rate, is finite",
                value: rate,
            });
        }
        Dist::exponential_mean(1.0 / rate)
    }

    /// Exponential distribution with the given mean.
    pub fn exponential_mean(mean: f64) -> Result<Dist, DistError> {
        require_positive("mean", mean)?;
        Ok(Dist::Exponential {
            mean,
            scale: 1.0 / (1.0 / mean),
        })
    }

    /// Distribution that always yields `value` (finite, >= 0).
    pub fn deterministic(value: f64) -> Result<Dist, DistError> {
        require_non_negative("value", value)?;
        Ok(Dist::Deterministic { value })
    }

    /// Erlang distribution: the sum of `k >= 1` exponential phases, with total mean `mean`.
    pub fn erlang(k: u32, mean: f64) -> Result<Dist, DistError> {
        if k == 0 {
            return Err(DistError::InvalidParameter {
                parameter: "k",
                allowed: "an integer >= 1",
                value: 0.0,
            });
        }
        require_positive("mean", mean)?;
        let sampler = rand_distr::Gamma::new(f64::from(k), mean / f64::from(k))
            .map_err(sampler_error("erlang"))?;
        Ok(Dist::Erlang { k, mean, sampler })
    }

    /// Gamma distribution with the given mean and squared coefficient of variation (scv > 0).
    pub fn gamma(mean: f64, scv: f64) -> Result<Dist, DistError> {
        require_positive("mean", mean)?;
        require_positive("scv", scv)?;
        let sampler =
            rand_distr::Gamma::new(1.0 / scv, mean * scv).map_err(sampler_error("gamma"))?;
        Ok(Dist::Gamma { mean, scv, sampler })
    }

    /// Two-phase hyperexponential with the given mean and scv (>= 1), fitted with
    /// balanced means: each phase contributes `mean / 2` to the mean, so
    /// `p = (1 + sqrt((scv - 1) / (scv + 1))) / 2`, `rate1 = 2p / mean` and
    /// `rate2 = 2(1 - p) / mean`. An scv of exactly 1 gives an exponential.
    pub fn hyperexponential_balanced(mean: f64, scv: f64) -> Result<Dist, DistError> {
        require_positive("mean", mean)?;
        if !(scv.is_finite() && scv >= 1.0) {
            return Err(DistError::InvalidParameter {
                parameter: "scv",
                allowed: "a finite number >= 1",
                value: scv,
            });
        }
        let spread = ((scv - 1.0) / (scv + 1.0)).sqrt();
        let (p, q) = ((1.0 + spread) / 2.0, (1.0 - spread) / 2.0);
        Dist::hyperexponential(&[p, q], &[2.0 * p / mean, 2.0 * q / mean])
    }

    /// Hyperexponential with explicit phases: phase `i` is chosen with probability
    /// `probs[i]` (each in [0, 1], summing to 1 within 1e-9) and is exponential with
    /// rate `rates[i]` (> 0).
    pub fn hyperexponential(probs: &[f64], rates: &[f64]) -> Result<Dist, DistError> {
        if probs.is_empty() {
            return Err(DistError::Empty { parameter: "probs" });
        }
        if probs.len() != rates.len() {
            return Err(DistError::LengthMismatch {
                probs: probs.len(),
                rates: rates.len(),
            });
        }
        for (index, &prob) in probs.iter().enumerate() {
            if !(prob.is_finite() && (0.0..=1.0).contains(&prob)) {
                return Err(DistError::InvalidElement {
                    parameter: "probs",
                    index,
                    allowed: "a finite number in [0, 1]",
                    value: prob,
                });
            }
        }
        for (index, &rate) in rates.iter().enumerate() {
            if !(rate.is_finite() && rate > 0.0 && (1.0 / rate).is_finite()) {
                return Err(DistError::InvalidElement {
                    parameter: "rates",
                    index,
                    allowed: "a finite number > 0",
                    value: rate,
                });
            }
        }
        let sum: f64 = probs.iter().sum();
        if (sum - 1.0).abs() > PROBABILITY_SUM_TOLERANCE {
            return Err(DistError::ProbabilitySum { sum });
        }
        // From the last phase with a positive probability on, the cumulative
        // probability is infinite, so a uniform draw in [0, 1) always finds a phase
        // even when rounding leaves the sum slightly below 1.
        let last_positive = probs.iter().rposition(|&prob| prob > 0.0).unwrap_or(0);
        let mut cumulative_prob = 0.0;
        let phases = probs
            .iter()
            .zip(rates)
            .enumerate()
            .map(|(index, (&prob, &rate))| {
                cumulative_prob += prob;
                HyperexponentialPhase {
                    prob,
                    rate,
                    mean: 1.0 / rate,
                    cumulative_prob: if index >= last_positive {
                        f64::INFINITY
                    } else {
                        cumulative_prob
                    },
                }
            })
            .collect();
        Ok(Dist::Hyperexponential { phases })
    }

    /// Log-normal distribution with the given mean and squared coefficient of variation (scv > 0).
    pub fn lognormal(mean: f64, scv: f64) -> Result<Dist, DistError> {
        require_positive("mean", mean)?;
        require_positive("scv", scv)?;
        let (mu, sigma) = lognormal_location_scale(mean, scv);
        let sampler = LogNormal::new(mu, sigma).map_err(sampler_error("lognormal"))?;
        Ok(Dist::LogNormal { mean, scv, sampler })
    }

    /// Continuous uniform distribution on `[low, high)` with `0 <= low < high`, both finite.
    pub fn uniform(low: f64, high: f64) -> Result<Dist, DistError> {
        require_non_negative("low", low)?;
        if !high.is_finite() {
            return Err(DistError::InvalidParameter {
                parameter: "high",
                allowed: "a finite number > low",
                value: high,
            });
        }
        if high <= low {
            return Err(DistError::EmptyRange { low, high });
        }
        let sampler = Uniform::new(low, high).map_err(sampler_error("uniform"))?;
        Ok(Dist::Uniform { low, high, sampler })
    }

    /// Weibull distribution with CDF `1 - exp(-(x/scale)^shape)`; shape and scale > 0.
    pub fn weibull(shape: f64, scale: f64) -> Result<Dist, DistError> {
        require_positive("shape", shape)?;
        require_positive("scale", scale)?;
        // Note the argument order of rand_distr: scale first.
        let sampler = Weibull::new(scale, shape).map_err(sampler_error("weibull"))?;
        Ok(Dist::Weibull {
            shape,
            scale,
            sampler,
        })
    }

    /// Pareto type I distribution with CDF `1 - (scale/x)^shape` for `x >= scale`;
    /// shape and scale > 0. The mean is infinite for shape <= 1, the scv for shape <= 2.
    pub fn pareto(shape: f64, scale: f64) -> Result<Dist, DistError> {
        require_positive("shape", shape)?;
        require_positive("scale", scale)?;
        // Note the argument order of rand_distr: scale first.
        let sampler = Pareto::new(scale, shape).map_err(sampler_error("pareto"))?;
        Ok(Dist::Pareto {
            shape,
            scale,
            sampler,
        })
    }

    /// Empirical distribution that picks one of `samples` (non-empty, finite, >= 0)
    /// uniformly at random.
    pub fn empirical(samples: impl Into<Arc<[f64]>>) -> Result<Dist, DistError> {
        let Observed {
            values,
            index,
            mean,
            variance,
        } = observed(samples.into())?;
        Ok(Dist::Empirical {
            samples: values,
            index,
            mean,
            variance,
        })
    }

    /// Draws one sample (never negative). Does not allocate.
    #[inline]
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Exponential { scale, .. } => exp1::exp1(rng) * scale,
            Dist::Deterministic { value } => *value,
            Dist::Erlang { sampler, .. } | Dist::Gamma { sampler, .. } => sampler.sample(rng),
            Dist::Hyperexponential { phases } => {
                let u: f64 = rng.random();
                let phase_mean = phases
                    .iter()
                    .find(|phase| u < phase.cumulative_prob)
                    .map_or(0.0, |phase| phase.mean);
                exp1::exp1(rng) * phase_mean
            }
            Dist::LogNormal { sampler, .. } => sampler.sample(rng),
            Dist::Uniform { sampler, .. } => sampler.sample(rng),
            Dist::Weibull { sampler, .. } => sampler.sample(rng),
            Dist::Pareto { sampler, .. } => sampler.sample(rng),
            Dist::Empirical { samples, index, .. }
            | Dist::Sequence {
                values: samples,
                index,
                ..
            } => samples[index.sample(rng)],
        }
    }

    /// The `n`-th draw of a stream: the `n`-th value of a [`Dist::Sequence`]
    /// (+inf past its end), a fresh sample of any other distribution.
    #[inline]
    pub fn sample_nth<R: rand::Rng + ?Sized>(&self, rng: &mut R, n: usize) -> f64 {
        match self {
            Dist::Sequence { values, .. } => values.get(n).copied().unwrap_or(f64::INFINITY),
            // The commonest first, without a second dispatch, drawn inline.
            Dist::Exponential { scale, .. } => exp1::exp1(rng) * scale,
            _ => self.sample(rng),
        }
    }

    /// Values replayed in order (finite, >= 0, at least one).
    pub fn sequence(values: impl Into<Arc<[f64]>>) -> Result<Dist, DistError> {
        let Observed {
            values,
            index,
            mean,
            variance,
        } = observed(values.into())?;
        Ok(Dist::Sequence {
            values,
            index,
            mean,
            variance,
        })
    }

    /// Mean; `f64::INFINITY` for a Pareto with shape <= 1.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Exponential { mean, .. }
            | Dist::Erlang { mean, .. }
            | Dist::Gamma { mean, .. }
            | Dist::LogNormal { mean, .. }
            | Dist::Empirical { mean, .. }
            | Dist::Sequence { mean, .. } => *mean,
            Dist::Deterministic { value } => *value,
            Dist::Hyperexponential { phases } => phases.iter().map(|p| p.prob * p.mean).sum(),
            Dist::Uniform { low, high, .. } => low.midpoint(*high),
            Dist::Weibull { shape, scale, .. } => scale * ln_gamma(1.0 + 1.0 / shape).exp(),
            Dist::Pareto { shape, scale, .. } => {
                if *shape <= 1.0 {
                    f64::INFINITY
                } else {
                    shape * scale / (shape - 1.0)
                }
            }
        }
    }

    /// The smallest value a draw can take (the lower end of the support).
    pub fn least(&self) -> f64 {
        match self {
            Dist::Exponential { .. }
            | Dist::Erlang { .. }
            | Dist::Gamma { .. }
            | Dist::Hyperexponential { .. }
            | Dist::LogNormal { .. }
            | Dist::Weibull { .. } => 0.0,
            Dist::Deterministic { value } => *value,
            Dist::Uniform { low, .. } => *low,
            Dist::Pareto { scale, .. } => *scale,
            Dist::Empirical {
                samples: values, ..
            }
            | Dist::Sequence { values, .. } => values.iter().copied().fold(f64::INFINITY, f64::min),
        }
    }

    /// Squared coefficient of variation, variance / mean^2; `f64::INFINITY` for a
    /// Pareto with shape <= 2, and 0 for a distribution concentrated at 0.
    pub fn scv(&self) -> f64 {
        match self {
            Dist::Exponential { .. } => 1.0,
            Dist::Deterministic { .. } => 0.0,
            Dist::Erlang { k, .. } => 1.0 / f64::from(*k),
            Dist::Gamma { scv, .. } | Dist::LogNormal { scv, .. } => *scv,
            Dist::Hyperexponential { phases } => {
                let mean = self.mean();
                let second_moment: f64 = phases.iter().map(|p| 2.0 * p.prob * p.mean.powi(2)).sum();
                second_moment / mean.powi(2) - 1.0
            }
            Dist::Uniform { low, high, .. } => ((high - low) / low.midpoint(*high)).powi(2) / 12.0,
            Dist::Weibull { shape, .. } => {
                (ln_gamma(1.0 + 2.0 / shape) - 2.0 * ln_gamma(1.0 + 1.0 / shape)).exp_m1()
            }
            Dist::Pareto { shape, .. } => {
                if *shape <= 2.0 {
                    f64::INFINITY
                } else {
                    1.0 / (shape * (shape - 2.0))
                }
            }
            Dist::Empirical { mean, variance, .. } | Dist::Sequence { mean, variance, .. } => {
                if *variance == 0.0 {
                    0.0
                } else {
                    variance / mean.powi(2)
                }
            }
        }
    }

    /// The Laplace–Stieltjes transform E[e^{−sX}] at `s` >= 0, where it has a
    /// closed form (exponential, deterministic, Erlang, gamma,
    /// hyperexponential, uniform, and the resampled values of an empirical
    /// distribution); `None` for the others, and for recorded values
    /// replayed in order (not a renewal sequence).
    pub fn laplace(&self, s: f64) -> Option<f64> {
        let value = match self {
            Dist::Exponential { mean, .. } => 1.0 / (1.0 + s * mean),
            Dist::Deterministic { value } => (-s * value).exp(),
            Dist::Erlang { k, mean, .. } => {
                let k = f64::from(*k);
                (1.0 + s * mean / k).powf(-k)
            }
            Dist::Gamma { mean, scv, .. } => (1.0 + s * mean * scv).powf(-1.0 / scv),
            Dist::Hyperexponential { phases } => {
                phases.iter().map(|p| p.prob / (1.0 + s * p.mean)).sum()
            }
            Dist::Uniform { low, high, .. } if s > 0.0 => {
                // (e^{−s·low} − e^{−s·high}) / (s (high − low)), stably.
                (-s * low).exp() * -(-s * (high - low)).exp_m1() / (s * (high - low))
            }
            Dist::Uniform { .. } => 1.0,
            Dist::Empirical { samples, .. } => {
                samples.iter().map(|x| (-s * x).exp()).sum::<f64>() / samples.len() as f64
            }
            Dist::LogNormal { .. }
            | Dist::Weibull { .. }
            | Dist::Pareto { .. }
            | Dist::Sequence { .. } => return None,
        };
        Some(value)
    }

    /// True when the distribution is exactly exponential (Poisson arrivals or
    /// Markovian service), which the exact formulas require.
    pub fn is_exponential(&self) -> bool {
        match self {
            Dist::Exponential { .. } | Dist::Erlang { k: 1, .. } => true,
            Dist::Gamma { scv, .. } => *scv == 1.0,
            Dist::Hyperexponential { phases } => phases.iter().all(|p| p.rate == phases[0].rate),
            _ => false,
        }
    }

    /// Variance; `f64::INFINITY` for a Pareto with shape <= 2.
    pub fn variance(&self) -> f64 {
        match self {
            Dist::Deterministic { .. } => 0.0,
            Dist::Uniform { low, high, .. } => (high - low).powi(2) / 12.0,
            Dist::Empirical { variance, .. } | Dist::Sequence { variance, .. } => *variance,
            _ => self.scv() * self.mean().powi(2),
        }
    }

    /// The same shape with every sample multiplied by `factor` (finite, > 0): the mean
    /// is multiplied by `factor` and the scv is unchanged.
    pub fn scaled(&self, factor: f64) -> Result<Dist, DistError> {
        require_positive("factor", factor)?;
        match self {
            Dist::Exponential { mean, .. } => Dist::exponential_mean(mean * factor),
            Dist::Deterministic { value } => Dist::deterministic(value * factor),
            Dist::Erlang { k, mean, .. } => Dist::erlang(*k, mean * factor),
            Dist::Gamma { mean, scv, .. } => Dist::gamma(mean * factor, *scv),
            Dist::Hyperexponential { phases } => {
                let probs: Vec<f64> = phases.iter().map(|p| p.prob).collect();
                let rates: Vec<f64> = phases.iter().map(|p| p.rate / factor).collect();
                Dist::hyperexponential(&probs, &rates)
            }
            Dist::LogNormal { mean, scv, .. } => Dist::lognormal(mean * factor, *scv),
            Dist::Uniform { low, high, .. } => Dist::uniform(low * factor, high * factor),
            Dist::Weibull { shape, scale, .. } => Dist::weibull(*shape, scale * factor),
            Dist::Pareto { shape, scale, .. } => Dist::pareto(*shape, scale * factor),
            Dist::Empirical { samples, .. } => {
                Dist::empirical(samples.iter().map(|x| x * factor).collect::<Arc<[f64]>>())
            }
            Dist::Sequence { values, .. } => {
                Dist::sequence(values.iter().map(|x| x * factor).collect::<Arc<[f64]>>())
            }
        }
    }

    /// Short human-readable description, e.g. `exponential(mean 1)` or `erlang(k 4, mean 2)`.
    pub fn describe(&self) -> String {
        let n = |x: f64| Num(round_significant(x, DESCRIBE_SIGNIFICANT_DIGITS));
        match self {
            Dist::Exponential { mean, .. } => format!("exponential(mean {})", n(*mean)),
            Dist::Deterministic { value } => format!("deterministic(value {})", n(*value)),
            Dist::Erlang { k, mean, .. } => format!("erlang(k {k}, mean {})", n(*mean)),
            Dist::Gamma { mean, scv, .. } => format!("gamma(mean {}, scv {})", n(*mean), n(*scv)),
            Dist::Hyperexponential { phases } => format!(
                "hyperexponential(mean {}, scv {}, probs [{}], rates [{}])",
                n(self.mean()),
                n(self.scv()),
                join_numbers(phases.iter().map(|p| n(p.prob).0)),
                join_numbers(phases.iter().map(|p| n(p.rate).0)),
            ),
            Dist::LogNormal { mean, scv, .. } => {
                format!("lognormal(mean {}, scv {})", n(*mean), n(*scv))
            }
            Dist::Uniform { low, high, .. } => {
                format!("uniform(low {}, high {})", n(*low), n(*high))
            }
            Dist::Weibull { shape, scale, .. } => {
                format!("weibull(shape {}, scale {})", n(*shape), n(*scale))
            }
            Dist::Pareto { shape, scale, .. } => {
                format!("pareto(shape {}, scale {})", n(*shape), n(*scale))
            }
            Dist::Empirical { samples, .. } => format!(
                "empirical(n {}, mean {}, scv {})",
                samples.len(),
                n(self.mean()),
                n(self.scv())
            ),
            Dist::Sequence { values, .. } => format!(
                "sequence(n {}, mean {}, scv {})",
                values.len(),
                n(self.mean()),
                n(self.scv())
            ),
        }
    }
}

/// Checks observed values (non-empty, finite, >= 0, finite moments) and
/// returns them with an index sampler, their mean and population variance.
fn observed(samples: Arc<[f64]>) -> Result<Observed, DistError> {
    if samples.is_empty() {
        return Err(DistError::Empty {
            parameter: "samples",
        });
    }
    for (index, &value) in samples.iter().enumerate() {
        if !(value.is_finite() && value >= 0.0) {
            return Err(DistError::InvalidElement {
                parameter: "samples",
                index,
                allowed: "a finite number >= 0",
                value,
            });
        }
    }
    let count = samples.len() as f64;
    let mean = samples.iter().sum::<f64>() / count;
    let variance = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / count;
    if !(mean.is_finite() && variance.is_finite()) {
        return Err(DistError::InvalidParameter {
            parameter: "samples",
            allowed: "values whose mean and variance are finite",
            value: if mean.is_finite() { variance } else { mean },
        });
    }
    let index = Uniform::new(0, samples.len()).map_err(sampler_error("empirical"))?;
    Ok(Observed {
        values: samples,
        index,
        mean,
        variance,
    })
}

/// Validated observed values and their summary.
struct Observed {
    values: Arc<[f64]>,
    index: Uniform<usize>,
    mean: f64,
    variance: f64,
}

/// Checks that `value` is finite and > 0.
fn require_positive(parameter: &'static str, value: f64) -> Result<(), DistError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(DistError::InvalidParameter {
            parameter,
            allowed: "a finite number > 0",
            value,
        })
    }
}

/// Checks that `value` is finite and >= 0.
fn require_non_negative(parameter: &'static str, value: f64) -> Result<(), DistError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(DistError::InvalidParameter {
            parameter,
            allowed: "a finite number >= 0",
            value,
        })
    }
}

/// Converts a rand_distr construction error into a [`DistError::Sampler`].
fn sampler_error<E: Display>(distribution: &'static str) -> impl Fn(E) -> DistError {
    move |error| DistError::Sampler {
        distribution,
        reason: error.to_string(),
    }
}

/// The location mu and scale sigma of ln X for a log-normal X with `mean`
/// and `scv`: scv = exp(sigma^2) - 1 and mean = exp(mu + sigma^2 / 2).
pub(crate) fn lognormal_location_scale(mean: f64, scv: f64) -> (f64, f64) {
    let sigma_squared = scv.ln_1p();
    (mean.ln() - sigma_squared / 2.0, sigma_squared.sqrt())
}

/// Rounds `x` to `digits` significant decimal digits, so it prints without float noise.
pub(crate) fn round_significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    // Through the decimal text, so the result is the double nearest the
    // rounded decimal at any magnitude.
    let decimals = (digits - 1).max(0) as usize;
    format!("{x:.decimals$e}").parse().unwrap_or(x)
}

/// Formats numbers as a comma-separated list.
fn join_numbers(numbers: impl Iterator<Item = f64>) -> String {
    numbers
        .map(|x| Num(x).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::Exp;

    #[test]
    fn laplace_transforms_match_hand_computed_values() {
        let at = |dist: Result<Dist, DistError>, s: f64| dist.unwrap().laplace(s).unwrap();
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        // 1/(1 + s·mean), e^{−s·d}, (1 + s·mean/k)^{−k}.
        close(at(Dist::exponential_mean(2.0), 0.5), 0.5);
        close(at(Dist::deterministic(2.0), 0.5), (-1.0_f64).exp());
        close(at(Dist::erlang(2, 2.0), 1.0), 0.25);
        // Gamma of shape 2, scale 1 is that Erlang.
        close(at(Dist::gamma(2.0, 0.5), 1.0), 0.25);
        // Uniform on [0, 2] at s = 1: (1 − e^{−2})/2.
        close(at(Dist::uniform(0.0, 2.0), 1.0), 0.432_332_358_381_693_6);
        close(at(Dist::uniform(0.0, 2.0), 0.0), 1.0);
        // Rates 1 and 3 with probabilities 1/4 and 3/4 at s = 1: 1/8 + 9/16.
        close(
            at(Dist::hyperexponential(&[0.25, 0.75], &[1.0, 3.0]), 1.0),
            0.6875,
        );
        close(
            at(Dist::empirical(vec![1.0, 3.0]), 1.0),
            ((-1.0_f64).exp() + (-3.0_f64).exp()) / 2.0,
        );
        assert!(Dist::lognormal(1.0, 1.0).unwrap().laplace(1.0).is_none());
    }

    const SAMPLES: usize = 400_000;

    #[test]
    fn the_inline_exponential_draw_is_the_samplers() {
        for mean in [3.0, 0.1, 1.0 / 0.9] {
            let dist = Dist::exponential_mean(mean).unwrap();
            let sampler = Exp::new(1.0 / mean).unwrap();
            let mut inline = ChaCha8Rng::seed_from_u64(7);
            let mut sampled = ChaCha8Rng::seed_from_u64(7);
            for n in 0..10_000 {
                let expected = sampler.sample(&mut sampled);
                assert_eq!(
                    dist.sample_nth(&mut inline, n).to_bits(),
                    expected.to_bits()
                );
            }
        }
    }

    /// One of every variant, with some variants in more than one regime.
    fn all_variants() -> Vec<Dist> {
        vec![
            Dist::exponential_rate(2.0).unwrap(),
            Dist::exponential_mean(3.0).unwrap(),
            Dist::deterministic(1.5).unwrap(),
            Dist::erlang(4, 2.0).unwrap(),
            Dist::gamma(1.5, 0.3).unwrap(),
            Dist::gamma(1.0, 2.5).unwrap(),
            Dist::hyperexponential_balanced(1.0, 4.0).unwrap(),
            Dist::hyperexponential(&[0.2, 0.5, 0.3], &[0.5, 2.0, 10.0]).unwrap(),
            Dist::lognormal(2.0, 0.5).unwrap(),
            Dist::uniform(0.0, 1.0).unwrap(),
            Dist::uniform(1.0, 3.0).unwrap(),
            Dist::weibull(1.5, 2.0).unwrap(),
            Dist::weibull(0.7, 1.0).unwrap(),
            Dist::pareto(6.0, 1.0).unwrap(),
            Dist::empirical(vec![1.0, 2.0, 3.0, 4.0, 10.0]).unwrap(),
        ]
    }

    fn draw(dist: &Dist, seed: u64, count: usize) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..count).map(|_| dist.sample(&mut rng)).collect()
    }

    #[test]
    fn sample_moments_match_closed_forms() {
        for (seed, dist) in all_variants().iter().enumerate() {
            let samples = draw(dist, seed as u64, SAMPLES);
            assert!(samples.iter().all(|x| x.is_finite() && *x >= 0.0));
            let n = SAMPLES as f64;
            let mean = samples.iter().sum::<f64>() / n;
            let variance = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
            let fourth = samples.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
            let name = dist.describe();

            let mean_tolerance = 5.0 * (dist.variance() / n).sqrt();
            assert!(
                (mean - dist.mean()).abs() <= mean_tolerance,
                "{name}: sample mean {mean}, expected {} ± {mean_tolerance}",
                dist.mean()
            );

            let scv = variance / mean.powi(2);
            if dist.scv() == 0.0 {
                assert_eq!(scv, 0.0, "{name}");
                continue;
            }
            // Standard errors of the sample variance (from the sample kurtosis) and
            // of the squared sample mean, combined into a relative bound on the scv.
            let kurtosis = fourth / variance.powi(2);
            let relative_tolerance =
                5.0 * ((kurtosis - 1.0) / n).sqrt() + 10.0 * (dist.scv() / n).sqrt();
            assert!(
                relative_tolerance < 0.1,
                "{name}: tolerance {relative_tolerance} too loose"
            );
            assert!(
                (scv / dist.scv() - 1.0).abs() <= relative_tolerance,
                "{name}: sample scv {scv}, expected {} ± {relative_tolerance} relative",
                dist.scv()
            );
        }
    }

    #[test]
    fn closed_forms_of_known_cases() {
        let exact = |dist: Dist, mean: f64, scv: f64| {
            assert!((dist.mean() - mean).abs() <= 1e-12 * mean, "{dist:?}");
            assert!((dist.scv() - scv).abs() <= 1e-12 * scv.max(1.0), "{dist:?}");
        };
        exact(Dist::exponential_rate(4.0).unwrap(), 0.25, 1.0);
        exact(Dist::erlang(5, 3.0).unwrap(), 3.0, 0.2);
        exact(Dist::hyperexponential_balanced(2.0, 9.0).unwrap(), 2.0, 9.0);
        exact(Dist::hyperexponential_balanced(2.0, 1.0).unwrap(), 2.0, 1.0);
        exact(Dist::uniform(0.0, 2.0).unwrap(), 1.0, 1.0 / 3.0);
        exact(Dist::weibull(1.0, 3.0).unwrap(), 3.0, 1.0);
        // Weibull shape 2: mean = scale * sqrt(pi) / 2, scv = 4 / pi - 1.
        let pi = std::f64::consts::PI;
        exact(
            Dist::weibull(2.0, 1.0).unwrap(),
            pi.sqrt() / 2.0,
            4.0 / pi - 1.0,
        );
        exact(Dist::pareto(3.0, 2.0).unwrap(), 3.0, 1.0 / 3.0);
        exact(Dist::empirical(vec![0.0, 0.0]).unwrap(), 0.0, 0.0);
        exact(Dist::deterministic(0.0).unwrap(), 0.0, 0.0);
    }

    #[test]
    fn pareto_reports_infinite_moments() {
        let no_mean = Dist::pareto(1.0, 1.0).unwrap();
        assert_eq!(no_mean.mean(), f64::INFINITY);
        assert_eq!(no_mean.scv(), f64::INFINITY);
        assert_eq!(no_mean.variance(), f64::INFINITY);
        let no_variance = Dist::pareto(1.5, 1.0).unwrap();
        assert!((no_variance.mean() - 3.0).abs() < 1e-12);
        assert_eq!(no_variance.scv(), f64::INFINITY);
        assert_eq!(no_variance.variance(), f64::INFINITY);
        let samples = draw(&no_mean, 5, 10_000);
        assert!(samples.iter().all(|&x| x >= 1.0));
    }

    #[test]
    fn scaled_multiplies_samples_and_keeps_scv() {
        let factor = 2.5;
        for (seed, dist) in all_variants().iter().enumerate() {
            let scaled = dist.scaled(factor).unwrap();
            let name = dist.describe();
            assert!(
                (scaled.mean() / dist.mean() - factor).abs() < 1e-12,
                "{name}"
            );
            assert!(
                (scaled.scv() - dist.scv()).abs() <= 1e-12 * dist.scv(),
                "{name}"
            );
            // Same random stream, so every sample is multiplied by the factor.
            let original = draw(dist, seed as u64, 1000);
            let multiplied = draw(&scaled, seed as u64, 1000);
            for (x, y) in original.iter().zip(&multiplied) {
                assert!(
                    (y - factor * x).abs() <= 1e-9 * y.max(1.0),
                    "{name}: {x} {y}"
                );
            }
        }
    }

    #[test]
    fn scaled_rejects_bad_factor() {
        let dist = Dist::exponential_mean(1.0).unwrap();
        for factor in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(dist.scaled(factor).is_err());
        }
        let error = Dist::exponential_mean(1e300)
            .unwrap()
            .scaled(1e300)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "mean must be a finite number > 0, got inf"
        );
    }

    #[test]
    fn same_seed_same_samples() {
        for dist in all_variants() {
            assert_eq!(draw(&dist, 42, 100), draw(&dist, 42, 100));
            let mut stream = ChaCha8Rng::seed_from_u64(42);
            stream.set_stream(1);
            let other: Vec<f64> = (0..100).map(|_| dist.sample(&mut stream)).collect();
            if dist.scv() > 0.0 {
                assert_ne!(draw(&dist, 42, 100), other, "{}", dist.describe());
            }
        }
    }

    #[test]
    fn clones_share_empirical_samples() {
        let dist = Dist::empirical(vec![1.0, 2.0]).unwrap();
        let copy = dist.clone();
        match (&dist, &copy) {
            (Dist::Empirical { samples: a, .. }, Dist::Empirical { samples: b, .. }) => {
                assert!(Arc::ptr_eq(a, b));
            }
            _ => unreachable!("both are empirical"),
        }
        assert_eq!(dist, copy);
    }

    #[test]
    fn bad_parameters_are_rejected_with_clear_messages() {
        let message = |result: Result<Dist, DistError>| result.unwrap_err().to_string();
        assert_eq!(
            message(Dist::exponential_rate(-1.0)),
            "rate must be a finite number > 0, got -1"
        );
        assert_eq!(
            message(Dist::exponential_mean(f64::NAN)),
            "mean must be a finite number > 0, got NaN"
        );
        assert_eq!(
            message(Dist::deterministic(-0.5)),
            "value must be a finite number >= 0, got -0.5"
        );
        assert_eq!(
            message(Dist::erlang(0, 1.0)),
            "k must be an integer >= 1, got 0"
        );
        assert_eq!(
            message(Dist::gamma(1.0, 0.0)),
            "scv must be a finite number > 0, got 0"
        );
        assert_eq!(
            message(Dist::hyperexponential_balanced(1.0, 0.5)),
            "scv must be a finite number >= 1, got 0.5"
        );
        assert_eq!(
            message(Dist::hyperexponential(&[], &[])),
            "probs must contain at least one value, got none"
        );
        assert_eq!(
            message(Dist::hyperexponential(&[0.5, 0.5], &[1.0])),
            "probs and rates must have the same length, got 2 probs and 1 rates"
        );
        assert_eq!(
            message(Dist::hyperexponential(&[1.5, -0.5], &[1.0, 1.0])),
            "probs[0] must be a finite number in [0, 1], got 1.5"
        );
        assert_eq!(
            message(Dist::hyperexponential(&[0.5, 0.5], &[1.0, 0.0])),
            "rates[1] must be a finite number > 0, got 0"
        );
        assert_eq!(
            message(Dist::hyperexponential(&[0.5, 0.4], &[1.0, 2.0])),
            "probs must sum to 1 (within 1e-9), got a sum of 0.9"
        );
        assert_eq!(
            message(Dist::lognormal(0.0, 1.0)),
            "mean must be a finite number > 0, got 0"
        );
        assert_eq!(
            message(Dist::uniform(-1.0, 1.0)),
            "low must be a finite number >= 0, got -1"
        );
        assert_eq!(
            message(Dist::uniform(2.0, 2.0)),
            "high must be greater than low, got low 2 and high 2"
        );
        assert_eq!(
            message(Dist::uniform(0.0, f64::INFINITY)),
            "high must be a finite number > low, got inf"
        );
        assert_eq!(
            message(Dist::weibull(0.0, 1.0)),
            "shape must be a finite number > 0, got 0"
        );
        assert_eq!(
            message(Dist::pareto(2.0, -3.0)),
            "scale must be a finite number > 0, got -3"
        );
        assert_eq!(
            message(Dist::empirical(Vec::new())),
            "samples must contain at least one value, got none"
        );
        assert_eq!(
            message(Dist::empirical(vec![1.0, -2.0])),
            "samples[1] must be a finite number >= 0, got -2"
        );
    }

    #[test]
    fn hyperexponential_with_zero_probability_phases() {
        let dist = Dist::hyperexponential(&[0.0, 1.0, 0.0], &[100.0, 1.0, 100.0]).unwrap();
        assert!((dist.mean() - 1.0).abs() < 1e-12);
        assert!((dist.scv() - 1.0).abs() < 1e-12);
        let samples = draw(&dist, 3, 100_000);
        let mean = samples.iter().sum::<f64>() / samples.len() as f64;
        assert!((mean - 1.0).abs() < 5.0 / (samples.len() as f64).sqrt());
    }

    #[test]
    fn describe_is_short_and_readable() {
        assert_eq!(
            Dist::exponential_mean(1.0).unwrap().describe(),
            "exponential(mean 1)"
        );
        assert_eq!(
            Dist::exponential_rate(3.0).unwrap().describe(),
            "exponential(mean 0.333333)"
        );
        assert_eq!(
            Dist::erlang(4, 2.0).unwrap().describe(),
            "erlang(k 4, mean 2)"
        );
        assert_eq!(
            Dist::deterministic(0.5).unwrap().describe(),
            "deterministic(value 0.5)"
        );
        assert_eq!(
            Dist::gamma(2.0, 0.5).unwrap().describe(),
            "gamma(mean 2, scv 0.5)"
        );
        assert_eq!(
            Dist::hyperexponential(&[0.25, 0.75], &[1.0, 3.0])
                .unwrap()
                .describe(),
            "hyperexponential(mean 0.5, scv 1.66667, probs [0.25, 0.75], rates [1, 3])"
        );
        assert!(
            Dist::hyperexponential_balanced(1.0, 4.0)
                .unwrap()
                .describe()
                .starts_with("hyperexponential(mean 1, scv 4, probs [0.887298, 0.112702]")
        );
        assert_eq!(
            Dist::lognormal(1.0, 2.0).unwrap().describe(),
            "lognormal(mean 1, scv 2)"
        );
        assert_eq!(
            Dist::uniform(0.0, 2.0).unwrap().describe(),
            "uniform(low 0, high 2)"
        );
        assert_eq!(
            Dist::weibull(1.5, 2.0).unwrap().describe(),
            "weibull(shape 1.5, scale 2)"
        );
        assert_eq!(
            Dist::pareto(2.5, 1.0).unwrap().describe(),
            "pareto(shape 2.5, scale 1)"
        );
        assert_eq!(
            Dist::empirical(vec![1.0, 3.0]).unwrap().describe(),
            "empirical(n 2, mean 2, scv 0.25)"
        );
    }
}
