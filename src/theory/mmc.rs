//! M/M/c FIFO (Erlang C), formulas.md §2–§3. M/M/1 is the `servers = 1` case.

use super::erlang::erlang_c;
use super::series::ln_poisson_pmf;

/// The δ = μ branch of the sojourn tail is used when |μ - δ| < this × μ (§3).
const EQUAL_RATE_GUARD: f64 = 1e-8;

/// A stable M/M/c FIFO queue: Poisson arrivals at rate `lambda`, `servers`
/// exponential servers of rate `mu` each, infinite waiting room.
/// formulas.md §3 (Gross et al. 2008, ch. 2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mmc {
    lambda: f64,
    mu: f64,
    servers: u32,
    prob_wait: f64,
}

impl Mmc {
    /// Builds the model; `None` unless 0 ≤ λ, μ > 0, c ≥ 1, all finite, and
    /// the queue is stable: λ < cμ (ρ < 1). λ = 0 (an empty queue) is allowed
    /// so that idle nodes of a network can be represented.
    pub fn new(lambda: f64, mu: f64, servers: u32) -> Option<Self> {
        let capacity = f64::from(servers) * mu;
        let finite = lambda.is_finite() && mu.is_finite() && capacity.is_finite();
        if !finite || lambda < 0.0 || mu <= 0.0 || lambda >= capacity {
            return None;
        }
        let prob_wait = erlang_c(servers, lambda / mu)?;
        Some(Self {
            lambda,
            mu,
            servers,
            prob_wait,
        })
    }

    /// Arrival rate λ.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// Service rate per server μ.
    pub fn mu(&self) -> f64 {
        self.mu
    }

    /// Number of servers c.
    pub fn servers(&self) -> u32 {
        self.servers
    }

    /// Offered load a = λ/μ in Erlangs, which is also the mean number of busy
    /// servers (§1, §3).
    pub fn offered_load(&self) -> f64 {
        self.lambda / self.mu
    }

    /// Per-server utilisation ρ = λ/(cμ) (§0).
    pub fn utilisation(&self) -> f64 {
        self.lambda / (f64::from(self.servers) * self.mu)
    }

    /// δ = cμ - λ, the rate of the conditional waiting-time exponential (§3).
    fn delta(&self) -> f64 {
        f64::from(self.servers) * self.mu - self.lambda
    }

    /// Erlang C: C(c, a) = P(Wq > 0) = P(N ≥ c), from Erlang B as
    /// C = B/(1 - ρ(1 - B)) (§3). For c = 1 this is ρ (§2).
    pub fn prob_wait(&self) -> f64 {
        self.prob_wait
    }

    /// P(N = n): p_n = p_0 aⁿ/n! for n ≤ c and p_c ρ^(n-c) for n ≥ c (§3).
    /// For n ≥ c this is C(1 - ρ)ρ^(n-c); for n < c it is
    /// pois(n; a) / \[Σ_{k<c} pois(k; a) + pois(c; a)/(1 - ρ)\] with the Poisson
    /// pmf in log space, so no a^c/c! is ever formed (§15).
    pub fn prob_n(&self, n: u64) -> f64 {
        let c = u64::from(self.servers);
        let rho = self.utilisation();
        if n >= c {
            return self.prob_wait * (1.0 - rho) * rho.powf((n - c) as f64);
        }
        let a = self.offered_load();
        // P(Pois(a) ≤ a - 40√a) ≤ e^{-800} (Chernoff): those terms are skipped.
        let start = ((a - 40.0 * a.sqrt()).floor().max(0.0) as u64).min(c);
        let mut below = 0.0;
        for k in start..c {
            let term = ln_poisson_pmf(k, a).exp();
            below += term;
            // Beyond the mode the terms fall at least geometrically by `ratio`.
            let ratio = a / (k + 1) as f64;
            if ratio < 1.0 && term * ratio / (1.0 - ratio) <= 1e-3 * f64::EPSILON * below {
                break;
            }
        }
        let normaliser = below + ln_poisson_pmf(c, a).exp() / (1.0 - rho);
        ln_poisson_pmf(n, a).exp() / normaliser
    }

    /// Mean wait in queue Wq = C/(cμ - λ) (§3; M/M/1: ρ/(μ - λ), §2).
    pub fn mean_wait(&self) -> f64 {
        self.prob_wait / self.delta()
    }

    /// Mean sojourn W = Wq + 1/μ (§3).
    pub fn mean_sojourn(&self) -> f64 {
        self.mean_wait() + 1.0 / self.mu
    }

    /// Mean number waiting Lq = λ Wq = Cρ/(1 - ρ) (§3).
    pub fn mean_in_queue(&self) -> f64 {
        self.lambda * self.mean_wait()
    }

    /// Mean number in system L = Lq + a (§3).
    pub fn mean_in_system(&self) -> f64 {
        self.mean_in_queue() + self.offered_load()
    }

    /// E\[Wq²\] = 2C/(cμ - λ)², since Wq is 0 w.p. 1 - C and Exp(cμ - λ)
    /// otherwise (§3; M/M/1: 2ρ/(μ²(1 - ρ)²), §2).
    pub fn wait_second_moment(&self) -> f64 {
        2.0 * self.prob_wait / (self.delta() * self.delta())
    }

    /// Var(Wq) = C(2 - C)/(cμ - λ)² (§3; M/M/1: ρ(2 - ρ)/(μ²(1 - ρ)²), §9).
    pub fn wait_variance(&self) -> f64 {
        self.prob_wait * (2.0 - self.prob_wait) / (self.delta() * self.delta())
    }

    /// FIFO waiting-time tail P(Wq > t) = C e^{-(cμ - λ)t} for t ≥ 0 (§3);
    /// 1 for t < 0, NaN for NaN t.
    pub fn wait_tail(&self, t: f64) -> f64 {
        if t < 0.0 {
            return 1.0;
        }
        self.prob_wait * (-self.delta() * t).exp()
    }

    /// FIFO sojourn tail P(W > t), W = Wq + S with S ~ Exp(μ) independent
    /// (§3), with δ = cμ - λ:
    /// * δ ≠ μ: e^{-μt}(1 - Cμ/(μ - δ)) + (Cμ/(μ - δ)) e^{-δt}, evaluated in the
    ///   equivalent form e^{-μt} + Cμ(e^{-δt} - e^{-μt})/(μ - δ) with the
    ///   difference taken by `exp_m1`, so it does not cancel;
    /// * δ = μ (used when |μ - δ| < 1e-8 μ): e^{-μt}(1 + Cμt), times the
    ///   series 1 + x/2 + x²/6 of (e^x - 1)/x, x = (μ - δ)t, which is exact to
    ///   f64 inside the guard and equals 1 at δ = μ.
    ///
    /// Returns 1 for t ≤ 0, 0 for t = +∞ and NaN for NaN t.
    pub fn sojourn_tail(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return 1.0;
        }
        if t == f64::INFINITY {
            return 0.0;
        }
        let (mu, delta, c) = (self.mu, self.delta(), self.prob_wait);
        let gap = mu - delta;
        if gap.abs() < EQUAL_RATE_GUARD * mu {
            let x = gap * t;
            let series = 1.0 + x / 2.0 + x * x / 6.0;
            return (-mu * t).exp() * (1.0 + c * mu * t * series);
        }
        // (e^{-δt} - e^{-μt}) without cancellation or overflow.
        let difference = if gap > 0.0 {
            (-delta * t).exp() * -(-gap * t).exp_m1()
        } else {
            (-mu * t).exp() * (gap * t).exp_m1()
        };
        (-mu * t).exp() + c * mu * difference / gap
    }

    /// Waiting-time percentile t_p = max(0, ln(C/(1 - p))/(cμ - λ)), exactly 0
    /// when 1 - p ≥ C (§3, §15.3). `None` if p ∉ \[0, 1\] (or NaN) or the
    /// percentile is infinite (p = 1 with C > 0).
    pub fn wait_quantile(&self, p: f64) -> Option<f64> {
        if !(0.0..=1.0).contains(&p) {
            return None;
        }
        if 1.0 - p >= self.prob_wait {
            return Some(0.0);
        }
        if p == 1.0 {
            return None;
        }
        Some((self.prob_wait / (1.0 - p)).ln() / self.delta())
    }

    /// Sojourn percentile: the t with P(W > t) = 1 - p (§3). No closed form:
    /// bracket lo = 0, hi = 1/μ doubled until P(W > hi) ≤ 1 - p, then bisect
    /// to full f64 resolution. `Some(0.0)` for p = 0; `None` if p ∉ [0, 1)
    /// (the percentile for p = 1 is infinite).
    pub fn sojourn_quantile(&self, p: f64) -> Option<f64> {
        continuous_quantile(|t| self.sojourn_tail(t), p, 1.0 / self.mu)
    }
}

/// The p-percentile of a continuous duration with tail `tail` (1 at 0+):
/// 0 for p = 0, `None` for p outside [0, 1), else [`invert_tail`] from
/// `initial_hi`.
pub(crate) fn continuous_quantile(
    tail: impl Fn(f64) -> f64,
    p: f64,
    initial_hi: f64,
) -> Option<f64> {
    if !(0.0..1.0).contains(&p) {
        return None;
    }
    if p == 0.0 {
        return Some(0.0);
    }
    invert_tail(tail, 1.0 - p, initial_hi)
}

/// Smallest t with `tail(t) ≤ target`, for a non-increasing `tail` with
/// tail(0+) > target > 0: the bracket starts at `\[0, initial_hi\]`, doubles
/// `hi` until `tail(hi) ≤ target`, then bisects until the midpoint no longer
/// differs from an end point (full f64 resolution, at most ~2100 steps).
/// `None` if no finite bracket exists.
pub(crate) fn invert_tail(tail: impl Fn(f64) -> f64, target: f64, initial_hi: f64) -> Option<f64> {
    let mut hi = initial_hi;
    while tail(hi) > target {
        hi *= 2.0;
        if !hi.is_finite() {
            return None;
        }
    }
    let mut lo = 0.0;
    loop {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            return Some(hi);
        }
        if tail(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::testing::assert_rel;

    #[test]
    fn construction_rules() {
        assert!(Mmc::new(1.0, 1.0, 1).is_none());
        assert!(Mmc::new(2.0, 1.0, 1).is_none());
        assert!(Mmc::new(1.0, 0.0, 3).is_none());
        assert!(Mmc::new(1.0, 1.0, 0).is_none());
        assert!(Mmc::new(-1.0, 1.0, 2).is_none());
        assert!(Mmc::new(f64::NAN, 1.0, 2).is_none());
        assert!(Mmc::new(1.0, f64::INFINITY, 2).is_none());
        assert!(Mmc::new(1.0, f64::MAX, 2).is_none());
        let idle = Mmc::new(0.0, 2.0, 3).unwrap();
        assert_eq!(idle.prob_wait(), 0.0);
        assert_eq!(idle.mean_wait(), 0.0);
        assert_eq!(idle.prob_n(0), 1.0);
        assert_eq!(idle.prob_n(4), 0.0);
        assert_eq!(idle.wait_quantile(1.0), Some(0.0));
    }

    #[test]
    fn mm1_identities() {
        let (lambda, mu) = (0.7, 1.3);
        let rho = lambda / mu;
        let q = Mmc::new(lambda, mu, 1).unwrap();
        assert_rel(q.prob_wait(), rho, 1e-14);
        assert_rel(q.mean_in_system(), rho / (1.0 - rho), 1e-13);
        assert_rel(q.mean_in_queue(), rho * rho / (1.0 - rho), 1e-13);
        assert_rel(q.mean_sojourn(), 1.0 / (mu - lambda), 1e-13);
        assert_rel(q.mean_wait(), rho / (mu - lambda), 1e-13);
        let second = 2.0 * rho / (mu * mu * (1.0 - rho) * (1.0 - rho));
        assert_rel(q.wait_second_moment(), second, 1e-13);
        let var = rho * (2.0 - rho) / (mu * mu * (1.0 - rho) * (1.0 - rho));
        assert_rel(q.wait_variance(), var, 1e-13);
        for n in 0..20 {
            assert_rel(q.prob_n(n), (1.0 - rho) * rho.powi(n as i32), 1e-13);
        }
        for t in [0.1, 1.0, 5.0, 30.0] {
            assert_rel(q.wait_tail(t), rho * (-(mu - lambda) * t).exp(), 1e-13);
            assert_rel(q.sojourn_tail(t), (-(mu - lambda) * t).exp(), 1e-13);
        }
        for p in [0.5_f64, 0.9, 0.99] {
            let want = -(1.0 - p).ln() / (mu - lambda);
            assert_rel(q.sojourn_quantile(p).unwrap(), want, 1e-12);
            let wq = ((rho / (1.0 - p)).ln() / (mu - lambda)).max(0.0);
            assert_eq!(q.wait_quantile(p), Some(wq));
        }
    }

    #[test]
    fn mmc_little_and_state_probabilities() {
        let q = Mmc::new(7.3, 1.1, 8).unwrap();
        assert_rel(q.mean_in_system(), q.lambda() * q.mean_sojourn(), 1e-13);
        let total: f64 = (0..2000).map(|n| q.prob_n(n)).sum();
        assert_rel(total, 1.0, 1e-12);
        let mean: f64 = (0..2000).map(|n| n as f64 * q.prob_n(n)).sum();
        assert_rel(mean, q.mean_in_system(), 1e-11);
        let waiting: f64 = (8..2000).map(|n| q.prob_n(n)).sum();
        assert_rel(waiting, q.prob_wait(), 1e-12);
        // c = 100, a = 95 against mpmath (40 digits, direct p_0 sum).
        let q = Mmc::new(95.0, 1.0, 100).unwrap();
        assert_rel(q.prob_n(90), 0.026_567_107_250_726_856, 1e-13);
        assert_rel(q.prob_n(120), 0.009_077_882_621_756_876, 1e-13);
        // The two routes of prob_n meet at c: p_{c-1}/p_c = c/a (a = 1e4).
        let q = Mmc::new(1e4, 1.0, 10_100).unwrap();
        assert_rel(q.prob_n(10_099) / q.prob_n(10_100), 1.01, 1e-12);
        // Many servers, light load: p_3 is Poisson(5) although C underflows.
        let light = Mmc::new(5.0, 1.0, 1000).unwrap();
        assert_eq!(light.prob_wait(), 0.0);
        assert_rel(light.prob_n(3), (-5.0_f64).exp() * 125.0 / 6.0, 1e-13);
    }

    #[test]
    fn sojourn_tail_both_branches_match_mpmath() {
        // mpmath (50 digits) of the δ ≠ μ / δ = μ formulas for c = 2, μ = 1,
        // where δ = 2 - λ equals μ at λ = 1.
        let cases = [
            (1.0, 0.099_574_136_735_727_89, 6.089_307_765_917_944e-17),
            (
                1.000_000_1,
                0.099_574_152_501_635_08,
                6.089_320_038_958_367e-17,
            ),
            (
                0.999_999_9,
                0.099_574_120_969_825_12,
                6.089_295_492_911_559e-17,
            ),
            (
                1.000_000_001,
                0.099_574_136_893_386_94,
                6.089_307_888_648_18e-17,
            ),
            (
                0.999_999_999,
                0.099_574_136_578_068_84,
                6.089_307_643_187_712e-17,
            ),
            (1.5, 0.272_656_757_800_020_1, 2.650_054_656_207_187_4e-9),
        ];
        for (lambda, at3, at40) in cases {
            let q = Mmc::new(lambda, 1.0, 2).unwrap();
            assert_rel(q.sojourn_tail(3.0), at3, 1e-12);
            assert_rel(q.sojourn_tail(40.0), at40, 1e-12);
        }
        // Hand check at δ = μ: C(2, 1) = 1/3, P(W > 1) = e^{-1}(1 + 1/3).
        let q = Mmc::new(1.0, 1.0, 2).unwrap();
        assert_rel(q.prob_wait(), 1.0 / 3.0, 1e-15);
        assert_rel(q.sojourn_tail(1.0), (-1.0_f64).exp() * 4.0 / 3.0, 1e-15);
        assert_eq!(q.sojourn_tail(0.0), 1.0);
        assert_eq!(q.sojourn_tail(-2.0), 1.0);
        assert!(q.sojourn_tail(f64::NAN).is_nan());
        assert_eq!(q.sojourn_tail(f64::INFINITY), 0.0);
    }

    #[test]
    fn quantiles() {
        let q = Mmc::new(5.0, 1.0, 10).unwrap();
        assert!(q.prob_wait() < 0.1);
        assert_eq!(q.wait_quantile(0.9), Some(0.0));
        assert_eq!(q.wait_quantile(1.0 - 2.0 * q.prob_wait()), Some(0.0));
        assert_eq!(q.wait_quantile(1.0), None);
        assert_eq!(q.wait_quantile(1.5), None);
        assert_eq!(q.wait_quantile(f64::NAN), None);
        assert_eq!(q.sojourn_quantile(1.0), None);
        assert_eq!(q.sojourn_quantile(0.0), Some(0.0));
        for (lambda, c) in [(9.0, 10), (95.0, 100), (1.0, 2), (0.3, 1), (19.9, 20)] {
            let q = Mmc::new(lambda, 1.0, c).unwrap();
            for p in [1e-6, 0.3, 0.9, 0.999, 1.0 - 1e-9] {
                let t = q.sojourn_quantile(p).unwrap();
                assert_rel(q.sojourn_tail(t), 1.0 - p, 1e-12);
                let w = q.wait_quantile(p).unwrap();
                if w > 0.0 {
                    assert_rel(q.wait_tail(w), 1.0 - p, 1e-12);
                }
            }
        }
    }

    #[test]
    fn stable_near_saturation_and_with_many_servers() {
        let q = Mmc::new(1980.0, 1.0, 2000).unwrap();
        assert!(q.prob_wait() > 0.0 && q.prob_wait() < 1.0);
        assert_rel(q.mean_wait(), q.prob_wait() / 20.0, 1e-12);
        let lambda = 1.0 - 1e-12;
        let q = Mmc::new(lambda, 1.0, 1).unwrap();
        assert_rel(q.mean_in_system(), lambda / (1.0 - lambda), 1e-12);
    }
}
