//! M/M/∞ and M/G/∞ (insensitive: only the mean service time matters),
//! formulas.md §6.

use super::series::ln_poisson_pmf;

/// An infinite-server queue with Poisson arrivals at rate `lambda` and mean
/// service time 1/`mu` (any service distribution). N ~ Poisson(a), a = λ/μ.
/// formulas.md §6.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mminf {
    lambda: f64,
    mu: f64,
}

impl Mminf {
    /// Builds the model; `None` unless λ ≥ 0, μ > 0 and a = λ/μ are finite.
    /// Always stable.
    pub fn new(lambda: f64, mu: f64) -> Option<Self> {
        let load = lambda / mu;
        if !lambda.is_finite() || !mu.is_finite() || !load.is_finite() || lambda < 0.0 || mu <= 0.0
        {
            return None;
        }
        Some(Self { lambda, mu })
    }

    /// Offered load a = λ/μ = λ E\[S\].
    pub fn offered_load(&self) -> f64 {
        self.lambda / self.mu
    }

    /// Mean number in system L = a (§6).
    pub fn mean_in_system(&self) -> f64 {
        self.offered_load()
    }

    /// Mean number waiting Lq = 0: nobody waits.
    pub fn mean_in_queue(&self) -> f64 {
        0.0
    }

    /// Mean wait Wq = 0 (§6).
    pub fn mean_wait(&self) -> f64 {
        0.0
    }

    /// Mean sojourn W = E\[S\] = 1/μ: the sojourn is the service time (§6).
    pub fn mean_sojourn(&self) -> f64 {
        1.0 / self.mu
    }

    /// Throughput = λ (no losses).
    pub fn throughput(&self) -> f64 {
        self.lambda
    }

    /// P(N = n) = e^{-a} aⁿ/n!, computed as exp(ln p_n) with
    /// ln p_n = -a + n ln a - lnΓ(n+1) evaluated in a cancellation-free form
    /// (§6).
    pub fn prob_n(&self, n: u64) -> f64 {
        ln_poisson_pmf(n, self.offered_load()).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_state_law() {
        let q = Mminf::new(5.0, 2.0).unwrap();
        assert_eq!(q.mean_in_system(), 2.5);
        assert_eq!(q.mean_sojourn(), 0.5);
        assert_eq!(q.mean_wait(), 0.0);
        assert_eq!(q.mean_in_queue(), 0.0);
        assert_eq!(q.throughput(), 5.0);
        // e^{-2.5} 2.5³/3! by hand.
        let p3 = (-2.5_f64).exp() * 15.625 / 6.0;
        assert!((q.prob_n(3) - p3).abs() <= 1e-15 * p3);
        let total: f64 = (0..100).map(|n| q.prob_n(n)).sum();
        assert!((total - 1.0).abs() < 1e-14);
        let mean: f64 = (0..100).map(|n| n as f64 * q.prob_n(n)).sum();
        assert!((mean - 2.5).abs() < 1e-13);
    }

    #[test]
    fn edge_inputs() {
        let idle = Mminf::new(0.0, 1.0).unwrap();
        assert_eq!(idle.prob_n(0), 1.0);
        assert_eq!(idle.prob_n(1), 0.0);
        assert!(Mminf::new(1.0, 0.0).is_none());
        assert!(Mminf::new(-1.0, 1.0).is_none());
        assert!(Mminf::new(f64::MAX, 1e-10).is_none());
        let huge = Mminf::new(1e6, 1.0).unwrap();
        assert!(huge.prob_n(1_000_000) > 3.98e-4 && huge.prob_n(1_000_000) < 3.99e-4);
    }
}
