//! How much of a distribution's second moment a run never draws: the
//! share of E[X²] carried by values rarer than one in the run's `draws`.
//! A queue's mean wait is proportional to its service's E[S²]
//! (Pollaczek–Khinchine), so that share of it comes from services a run
//! is not expected to see even once: the run's estimates mostly fall
//! short and their intervals cover less often than their nominal rate.

use super::Dist;

/// Steps of the integral of E[X²; X <= x], per unit of ln t.
const STEPS_PER_E_FOLD: f64 = 200.0;

/// E-folds of t below x the integral spans; the rest weighs < (x e^-50)².
const E_FOLDS: f64 = 50.0;

impl Dist {
    /// E[X²; X > x] / E[X²] at the level x that `draws` independent
    /// draws exceed once on average (P(X > x) = 1 / draws): 1 when E[X²]
    /// is infinite, 0 for a distribution at 0; `None` for recorded values
    /// replayed in order (no distribution).
    pub fn unseen_second_moment_share(&self, draws: f64) -> Option<f64> {
        match self {
            Dist::Sequence { .. } => return None,
            Dist::Empirical { samples, .. } => return Some(resampled_share(samples, draws)),
            _ => {}
        }
        let second = self.mean().powi(2) * (1.0 + self.scv());
        if !second.is_finite() {
            return Some(1.0);
        }
        if second == 0.0 || matches!(self, Dist::Deterministic { .. }) {
            return Some(0.0);
        }
        let below = self.second_moment_below(self.level_exceeded(1.0 / draws)?)?;
        Some((1.0 - below / second).clamp(0.0, 1.0))
    }

    /// The least x with P(X > x) <= `p` (to bisection precision).
    fn level_exceeded(&self, p: f64) -> Option<f64> {
        let mut high = self.mean().max(f64::MIN_POSITIVE);
        while self.survival(high)? > p {
            high *= 2.0;
            if !high.is_finite() {
                return None;
            }
        }
        let mut low = 0.0;
        for _ in 0..200 {
            let mid = 0.5 * (low + high);
            if mid <= low || mid >= high {
                break;
            }
            if self.survival(mid)? > p {
                low = mid;
            } else {
                high = mid;
            }
        }
        Some(high)
    }

    /// E[X²; X <= x] = ∫_0^x 2t P(X > t) dt − x² P(X > x), the integral
    /// by Simpson's rule in ln t (t = e^u, dt = t du) over the 50 e-folds
    /// below x, a continuous distribution's survival being smooth there.
    fn second_moment_below(&self, x: f64) -> Option<f64> {
        if x <= 0.0 {
            return Some(0.0);
        }
        let steps = (E_FOLDS * STEPS_PER_E_FOLD) as usize;
        let h = E_FOLDS / steps as f64;
        let top = x.ln();
        let mut sum = 0.0;
        for i in 0..=steps {
            let t = (top - E_FOLDS + h * i as f64).exp();
            let weight = match i {
                0 => 1.0,
                i if i == steps => 1.0,
                i if i % 2 == 1 => 4.0,
                _ => 2.0,
            };
            sum += weight * 2.0 * t * t * self.survival(t)?;
        }
        Some(sum * h / 3.0 - x * x * self.survival(x)?)
    }
}

/// The share of Σ x² carried by the largest of `samples` past the share
/// 1/`draws` of them (resampling draws each value equally often).
fn resampled_share(samples: &[f64], draws: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let total: f64 = sorted.iter().map(|x| x * x).sum();
    if total == 0.0 {
        return 0.0;
    }
    let beyond = (sorted.len() as f64 / draws).floor() as usize;
    let unseen: f64 = sorted.iter().rev().take(beyond).map(|x| x * x).sum();
    unseen / total
}

#[cfg(test)]
mod tests {
    use statrs::distribution::{ContinuousCDF, Normal};

    use super::*;

    /// Lognormal: E[X²; X > x] / E[X²] = Φ̄((ln x − μ)/σ − 2σ) with
    /// (ln x − μ)/σ the standard normal's (1 − 1/n) quantile.
    #[test]
    fn lognormal_share_is_the_closed_form() {
        let normal = Normal::standard();
        for (scv, draws) in [(40.0, 264_000.0), (4.0, 1e6), (1.0, 1e3)] {
            let sigma = f64::ln_1p(scv).sqrt();
            let z = normal.inverse_cdf(1.0 - 1.0 / draws);
            let exact = 1.0 - normal.cdf(z - 2.0 * sigma);
            let share = Dist::lognormal(0.5, scv)
                .unwrap()
                .unseen_second_moment_share(draws)
                .unwrap();
            assert!(
                (share - exact).abs() < 1e-6 * exact.max(1e-3),
                "{scv} {draws}: {share} vs {exact}"
            );
        }
    }

    /// Exponential of mean 1: E[X²; X > x] = e^{−x}(x² + 2x + 2), x = ln n.
    #[test]
    fn exponential_share_is_the_closed_form() {
        let draws = 1e5_f64;
        let x = draws.ln();
        let exact = (-x).exp() * (x * x + 2.0 * x + 2.0) / 2.0;
        let share = Dist::exponential_mean(1.0)
            .unwrap()
            .unseen_second_moment_share(draws)
            .unwrap();
        assert!((share - exact).abs() < 1e-3 * exact, "{share} vs {exact}");
    }

    #[test]
    fn infinite_and_absent_second_moments() {
        let pareto = Dist::pareto(1.5, 1.0).unwrap();
        assert_eq!(pareto.unseen_second_moment_share(1e9), Some(1.0));
        let fixed = Dist::deterministic(2.0).unwrap();
        assert_eq!(fixed.unseen_second_moment_share(1e9), Some(0.0));
        let recorded = Dist::sequence(vec![1.0, 2.0]).unwrap();
        assert_eq!(recorded.unseen_second_moment_share(1e9), None);
    }

    /// Resampled values: the largest values past the share 1/n of them.
    #[test]
    fn empirical_share_counts_the_largest_values() {
        let samples: Vec<f64> = (1..=10).map(f64::from).collect();
        let total: f64 = samples.iter().map(|x| x * x).sum();
        let dist = Dist::empirical(samples).unwrap();
        // 1 in 5: the two largest, 9² + 10².
        let share = dist.unseen_second_moment_share(5.0).unwrap();
        assert!((share - 181.0 / total).abs() < 1e-12, "{share}");
    }
}
