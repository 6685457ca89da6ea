//! One estimator per distribution family a scenario can use, each giving
//! the scenario-file parameters and the distribution, or nothing where the
//! family cannot describe the values (an Erlang needs scv < 1, ...).
//!
//! Moment matching (mean and scv, the two numbers the queueing
//! approximations use) for exponential, deterministic, Erlang, gamma,
//! log-normal, balanced hyperexponential and Weibull; maximum likelihood for
//! uniform (the smallest and largest value) and Pareto.

use statrs::function::gamma::ln_gamma;

use super::Summary;
use crate::dist::{Dist, DistError};

/// Largest scv still fitted by a deterministic distribution (a coefficient
/// of variation of 1%).
const DETERMINISTIC_MAX_SCV: f64 = 1e-4;

/// Weibull shapes searched by moment matching, from a heavy tail (scv about
/// e^136) to almost constant (scv about 1.6e-6).
const WEIBULL_SHAPES: (f64, f64) = (0.01, 1000.0);

/// Bisection steps of the Weibull shape, on a log scale: far below f64 precision.
const WEIBULL_BISECTIONS: usize = 200;

/// One family's fitted parameters and distribution.
pub(super) struct Estimate {
    /// The `dist` name in scenario files.
    pub(super) family: &'static str,
    /// Scenario-file keys and values, in the order written.
    pub(super) parameters: Vec<(&'static str, f64)>,
    /// The fitted distribution.
    pub(super) dist: Dist,
}

/// Every family that applies to `sorted` (ascending) values with `summary`.
pub(super) fn estimates(sorted: &[f64], summary: &Summary) -> Vec<Estimate> {
    [
        exponential(summary),
        deterministic(summary),
        erlang(summary),
        gamma(summary),
        lognormal(summary),
        hyperexponential(summary),
        weibull(summary),
        uniform(sorted),
        pareto(sorted),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// An estimate, or nothing when the distribution cannot be built from it.
fn estimate(
    family: &'static str,
    parameters: Vec<(&'static str, f64)>,
    dist: Result<Dist, DistError>,
) -> Option<Estimate> {
    Some(Estimate {
        family,
        parameters,
        dist: dist.ok()?,
    })
}

fn exponential(summary: &Summary) -> Option<Estimate> {
    let mean = summary.mean;
    estimate(
        "exponential",
        vec![("mean", mean)],
        Dist::exponential_mean(mean),
    )
}

fn deterministic(summary: &Summary) -> Option<Estimate> {
    if summary.scv > DETERMINISTIC_MAX_SCV {
        return None;
    }
    let value = summary.mean;
    estimate(
        "deterministic",
        vec![("value", value)],
        Dist::deterministic(value),
    )
}

/// k = round(1 / scv) phases, when that is at least 2 (k = 1 is the exponential).
fn erlang(summary: &Summary) -> Option<Estimate> {
    if !(summary.scv > 0.0 && summary.scv < 1.0) {
        return None;
    }
    let phases = (1.0 / summary.scv).round();
    if !(2.0..=f64::from(u32::MAX)).contains(&phases) {
        return None;
    }
    let mean = summary.mean;
    estimate(
        "erlang",
        vec![("k", phases), ("mean", mean)],
        Dist::erlang(phases as u32, mean),
    )
}

fn gamma(summary: &Summary) -> Option<Estimate> {
    let Summary { mean, scv, .. } = *summary;
    estimate(
        "gamma",
        vec![("mean", mean), ("scv", scv)],
        Dist::gamma(mean, scv),
    )
}

fn lognormal(summary: &Summary) -> Option<Estimate> {
    let Summary { mean, scv, .. } = *summary;
    estimate(
        "lognormal",
        vec![("mean", mean), ("scv", scv)],
        Dist::lognormal(mean, scv),
    )
}

/// Balanced means, for scv > 1 (at 1 it is the exponential).
fn hyperexponential(summary: &Summary) -> Option<Estimate> {
    let Summary { mean, scv, .. } = *summary;
    if scv <= 1.0 {
        return None;
    }
    estimate(
        "hyperexponential",
        vec![("mean", mean), ("scv", scv)],
        Dist::hyperexponential_balanced(mean, scv),
    )
}

/// The shape whose scv is the values' scv (by bisection: the scv falls as
/// the shape grows), then the scale that gives their mean.
fn weibull(summary: &Summary) -> Option<Estimate> {
    // ln(1 + scv) of a Weibull with this shape.
    let log_second_moment_ratio =
        |shape: f64| ln_gamma(1.0 + 2.0 / shape) - 2.0 * ln_gamma(1.0 + 1.0 / shape);
    let target = summary.scv.ln_1p();
    let (mut low, mut high) = (WEIBULL_SHAPES.0.ln(), WEIBULL_SHAPES.1.ln());
    if !(log_second_moment_ratio(high.exp()) <= target
        && target <= log_second_moment_ratio(low.exp()))
    {
        return None;
    }
    for _ in 0..WEIBULL_BISECTIONS {
        let middle = low.midpoint(high);
        if log_second_moment_ratio(middle.exp()) > target {
            low = middle;
        } else {
            high = middle;
        }
    }
    let shape = low.midpoint(high).exp();
    let scale = summary.mean / ln_gamma(1.0 + 1.0 / shape).exp();
    estimate(
        "weibull",
        vec![("shape", shape), ("scale", scale)],
        Dist::weibull(shape, scale),
    )
}

/// From the smallest to the largest value (maximum likelihood).
fn uniform(sorted: &[f64]) -> Option<Estimate> {
    let (low, high) = (*sorted.first()?, *sorted.last()?);
    estimate(
        "uniform",
        vec![("low", low), ("high", high)],
        Dist::uniform(low, high),
    )
}

/// Maximum likelihood: scale = the smallest value (> 0), shape = n / sum of
/// ln(x / scale); only when the shape exceeds 1, as scenarios need a finite
/// mean.
fn pareto(sorted: &[f64]) -> Option<Estimate> {
    let scale = *sorted.first()?;
    if scale <= 0.0 {
        return None;
    }
    let log_excess: f64 = sorted.iter().map(|x| (x / scale).ln()).sum();
    let shape = sorted.len() as f64 / log_excess;
    if !(shape.is_finite() && shape > 1.0) {
        return None;
    }
    estimate(
        "pareto",
        vec![("shape", shape), ("scale", scale)],
        Dist::pareto(shape, scale),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(mean: f64, scv: f64) -> Summary {
        Summary {
            count: 1000,
            mean,
            scv,
        }
    }

    fn families(estimates: &[Estimate]) -> Vec<&'static str> {
        estimates.iter().map(|e| e.family).collect()
    }

    #[test]
    fn families_apply_by_variability() {
        let sorted = [1.0, 2.0, 3.0];
        assert_eq!(
            families(&estimates(&sorted, &summary(2.0, 0.25))),
            [
                "exponential",
                "erlang",
                "gamma",
                "lognormal",
                "weibull",
                "uniform",
                "pareto"
            ]
        );
        assert_eq!(
            families(&estimates(&sorted, &summary(2.0, 4.0))),
            [
                "exponential",
                "gamma",
                "lognormal",
                "hyperexponential",
                "weibull",
                "uniform",
                "pareto"
            ]
        );
        let with_zero = [0.0, 2.0, 4.0];
        assert!(!families(&estimates(&with_zero, &summary(2.0, 1.0))).contains(&"pareto"));
    }

    #[test]
    fn moment_fits_keep_mean_and_scv() {
        for (mean, scv) in [(2.0, 0.5), (0.3, 1.0), (5.0, 6.0)] {
            for estimate in estimates(&[1.0, 2.0], &summary(mean, scv)) {
                if matches!(estimate.family, "uniform" | "pareto") {
                    continue;
                }
                let expected_scv = if estimate.family == "erlang" {
                    1.0 / (1.0 / scv).round()
                } else {
                    scv
                };
                let dist = &estimate.dist;
                assert!(
                    (dist.mean() / mean - 1.0).abs() < 1e-9,
                    "{}",
                    dist.describe()
                );
                if estimate.family != "exponential" {
                    assert!(
                        (dist.scv() / expected_scv - 1.0).abs() < 1e-9,
                        "{}",
                        dist.describe()
                    );
                }
            }
        }
    }

    #[test]
    fn erlang_rounds_the_phases() {
        let fit = erlang(&summary(3.0, 0.3)).unwrap();
        assert_eq!(fit.parameters, vec![("k", 3.0), ("mean", 3.0)]);
        assert!(
            erlang(&summary(3.0, 0.8)).is_none(),
            "k = 1 is the exponential"
        );
    }

    #[test]
    fn maximum_likelihood_fits() {
        let sorted = [1.0, 2.0, 4.0];
        let fit = pareto(&sorted).unwrap();
        let shape = 3.0 / (2.0f64.ln() + 4.0f64.ln());
        assert_eq!(fit.parameters, vec![("shape", shape), ("scale", 1.0)]);
        let fit = uniform(&sorted).unwrap();
        assert_eq!(fit.parameters, vec![("low", 1.0), ("high", 4.0)]);
    }
}
