//! How close a fitted distribution comes to the values: the one-sample
//! Kolmogorov-Smirnov statistic and its p-value (statrs), on the fitted
//! distribution's CDF (statrs distributions, and a mixture of exponentials
//! for the hyperexponential).

use statrs::distribution::{
    ContinuousCDF, Erlang, Exp, Gamma, LogNormal, Pareto, Uniform, Weibull,
};
use statrs::statistics::{Max, Min};
use statrs::stats_tests::NaNPolicy;
use statrs::stats_tests::ks_test::{KSOneSampleAlternativeMethod, ks_onesample};

use crate::dist::{Dist, lognormal_location_scale};

/// The Kolmogorov-Smirnov statistic of a fit and its approximate p-value.
pub(super) struct GoodnessOfFit {
    /// Largest distance between the empirical and the fitted CDF.
    pub(super) statistic: f64,
    /// Asymptotic p-value; `None` for a step CDF (deterministic).
    pub(super) p_value: Option<f64>,
}

/// The Kolmogorov-Smirnov statistic of `dist` against `sorted` (ascending,
/// at least one) values.
pub(super) fn kolmogorov_smirnov(dist: &Dist, sorted: &[f64]) -> GoodnessOfFit {
    if let Dist::Deterministic { value } = dist {
        return GoodnessOfFit {
            statistic: step_distance(*value, sorted),
            p_value: None,
        };
    }
    let cdf = ContinuousFit(continuous_cdf(dist));
    // The statistic and p-value are defined for any non-empty sample
    // without NaN, which `sorted` is.
    let (statistic, p_value) = ks_onesample(
        sorted.to_vec(),
        &cdf,
        KSOneSampleAlternativeMethod::TwoSidedAsymptotic,
        NaNPolicy::Error,
    )
    .unwrap_or((f64::NAN, f64::NAN));
    GoodnessOfFit {
        statistic,
        p_value: Some(p_value.clamp(0.0, 1.0)),
    }
}

/// Largest distance between the empirical CDF and a unit step at `value`:
/// the share of values below it, or the share above it.
fn step_distance(value: f64, sorted: &[f64]) -> f64 {
    let count = sorted.len() as f64;
    let below = sorted.partition_point(|&x| x < value) as f64;
    let above = count - sorted.partition_point(|&x| x <= value) as f64;
    below.max(above) / count
}

/// The CDF of a fitted continuous distribution.
fn continuous_cdf(dist: &Dist) -> Box<dyn ContinuousCDF<f64, f64>> {
    // The fitted parameters passed the `Dist` constructors, whose checks
    // are at least as strict as statrs's.
    let valid = "fitted parameters are valid";
    match dist {
        Dist::Exponential { mean, .. } => Box::new(Exp::new(1.0 / mean).expect(valid)),
        Dist::Erlang { k, mean, .. } => {
            Box::new(Erlang::new(u64::from(*k), f64::from(*k) / mean).expect(valid))
        }
        Dist::Gamma { mean, scv, .. } => {
            Box::new(Gamma::new(1.0 / scv, 1.0 / (mean * scv)).expect(valid))
        }
        Dist::LogNormal { mean, scv, .. } => {
            let (location, scale) = lognormal_location_scale(*mean, *scv);
            Box::new(LogNormal::new(location, scale).expect(valid))
        }
        Dist::Hyperexponential { phases } => Box::new(ExponentialMixture(
            phases.iter().map(|p| (p.prob(), p.rate())).collect(),
        )),
        Dist::Uniform { low, high, .. } => Box::new(Uniform::new(*low, *high).expect(valid)),
        Dist::Weibull { shape, scale, .. } => Box::new(Weibull::new(*shape, *scale).expect(valid)),
        Dist::Pareto { shape, scale, .. } => Box::new(Pareto::new(*scale, *shape).expect(valid)),
        Dist::Deterministic { .. } | Dist::Empirical { .. } | Dist::Sequence { .. } => {
            unreachable!("fits are continuous families; deterministic is a step")
        }
    }
}

/// A boxed statrs CDF, sized for [`ks_onesample`].
struct ContinuousFit(Box<dyn ContinuousCDF<f64, f64>>);

impl Min<f64> for ContinuousFit {
    fn min(&self) -> f64 {
        self.0.min()
    }
}

impl Max<f64> for ContinuousFit {
    fn max(&self) -> f64 {
        self.0.max()
    }
}

impl ContinuousCDF<f64, f64> for ContinuousFit {
    fn cdf(&self, x: f64) -> f64 {
        self.0.cdf(x)
    }
}

/// Exponential phases chosen with their probabilities: (probability, rate).
struct ExponentialMixture(Vec<(f64, f64)>);

impl Min<f64> for ExponentialMixture {
    fn min(&self) -> f64 {
        0.0
    }
}

impl Max<f64> for ExponentialMixture {
    fn max(&self) -> f64 {
        f64::INFINITY
    }
}

impl ContinuousCDF<f64, f64> for ExponentialMixture {
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        1.0 - self
            .0
            .iter()
            .map(|(prob, rate)| prob * (-rate * x).exp())
            .sum::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_distance_counts_the_values_off_the_step() {
        let sorted = [1.0, 2.0, 2.0, 2.0, 5.0];
        assert_eq!(step_distance(2.0, &sorted), 0.2);
        assert_eq!(step_distance(1.5, &sorted), 0.8);
        assert_eq!(step_distance(2.0, &[2.0, 2.0]), 0.0);
    }

    #[test]
    fn statistic_of_a_known_case() {
        // Uniform(0, 1) against 0.1, 0.5, 0.9: the empirical CDF jumps by 1/3
        // at each; the largest gap is 1/3 - 0.1 = 0.2333 or 0.9 - 2/3.
        let fit = kolmogorov_smirnov(&Dist::uniform(0.0, 1.0).unwrap(), &[0.1, 0.5, 0.9]);
        assert!((fit.statistic - (0.9 - 2.0 / 3.0)).abs() < 1e-12);
        let p_value = fit.p_value.unwrap();
        assert!(p_value > 0.5 && p_value <= 1.0, "{p_value}");
    }

    #[test]
    fn mixture_cdf_matches_its_mean() {
        let dist = Dist::hyperexponential_balanced(2.0, 5.0).unwrap();
        let cdf = continuous_cdf(&dist);
        // The mean of a non-negative variable is the integral of 1 - F.
        let step = 1e-3;
        let mean: f64 = (0..200_000)
            .map(|i| step * (1.0 - cdf.cdf((i as f64 + 0.5) * step)))
            .sum();
        assert!((mean - 2.0).abs() < 1e-3, "{mean}");
    }
}
