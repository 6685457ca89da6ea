//! Erlang-A, M/M/c+M: waiting customers abandon at rate θ each (exponential
//! patience). formulas.md §12 (Garnett, Mandelbaum & Reiman 2002).

use super::erlang::erlang_b;

/// The series stops once a decreasing term is this far (in ln) below the
/// largest one (§12).
const LOG_SERIES_CUTOFF: f64 = 50.0;

/// Above this many increasing terms the series starts near its peak.
const WARM_START_MIN_TERMS: f64 = 1e4;

/// Largest accepted x = λ/θ and y = cμ/θ: the series then needs at most
/// ~1e7 terms (its width is O(√x)).
const MAX_SCALE: f64 = 1e12;

/// Start index j0 and a lower bound of ℓ_{j0} for the series of `new`.
///
/// The terms increase up to the peak j* = ⌊x - y⌋. When j* is large the
/// series starts at the largest j0 with ℓ_{j*} - ℓ_{j0} ≥ 46 + ln j*, so the
/// j0 skipped terms (each ≤ t_{j0}) weigh < e^-46 of the peak; ℓ_{j0} is
/// then replaced by its lower bound j0 ln(x/(y + j0)), which is exact enough
/// because it is required to exceed ln(1/B - 1) + 40, where P(Wq > 0) = 1 to
/// f64 precision. Otherwise (0, 0): the plain series of §12.
fn series_start(x: f64, y: f64, ln_odds: f64) -> (f64, f64) {
    let peak = (x - y).floor();
    if peak < WARM_START_MIN_TERMS {
        return (0.0, 0.0);
    }
    let needed = 46.0 + peak.ln();
    let (mut j, mut gap) = (peak, 0.0);
    while j > 0.0 && gap < needed {
        gap += (x / (y + j)).ln();
        j -= 1.0;
    }
    let base = j * (x / (y + j)).ln();
    if j > 0.0 && base >= ln_odds + 40.0 {
        (j, base)
    } else {
        (0.0, 0.0)
    }
}

/// From (j0, ℓ_{j0}): ln J and Σ j t_j / Σ t_j, by the log-space series of
/// §12 (ℓ_j = ℓ_{j-1} + ln(x/(y + j)), running log-sum-exp, stop when the
/// ratio is < 1 and ℓ_j is 50 below the maximum).
fn queue_series(x: f64, y: f64, (start, base): (f64, f64)) -> (f64, f64) {
    let (mut max_log, mut sum, mut weighted) = (base, 1.0_f64, start);
    let (mut log_term, mut j) = (base, start);
    loop {
        j += 1.0;
        let log_ratio = (x / (y + j)).ln();
        log_term += log_ratio;
        if log_term > max_log {
            let scale = (max_log - log_term).exp();
            sum *= scale;
            weighted *= scale;
            max_log = log_term;
        }
        let term = (log_term - max_log).exp();
        sum += term;
        weighted += j * term;
        if log_ratio < 0.0 && log_term < max_log - LOG_SERIES_CUTOFF {
            return (max_log + sum.ln(), weighted / sum);
        }
    }
}

/// An Erlang-A queue: Poisson arrivals λ, c servers of rate μ, patience
/// ~ Exp(θ). A birth–death chain with λ_n = λ, μ_n = min(n, c)μ + (n - c)⁺θ,
/// stable for every load when θ > 0 (§12).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangA {
    lambda: f64,
    mu: f64,
    servers: u32,
    theta: f64,
    prob_wait: f64,
    mean_queue: f64,
}

impl ErlangA {
    /// Builds the model; `None` unless λ > 0, μ > 0, θ > 0, c ≥ 1, a = λ/μ
    /// is finite and x = λ/θ, y = cμ/θ are at most 1e12.
    ///
    /// With π_{c+j} = π_c t_j, t_j = Π_{i≤j} λ/(cμ + iθ), the sums
    /// J = Σ t_j and Σ j t_j are accumulated in log space as §12 prescribes:
    /// ℓ_0 = 0, ℓ_j = ℓ_{j-1} + ln(x/(y + j)), terms rescaled by the running
    /// maximum, stopping when the ratio is < 1 and ℓ_j is 50 below the
    /// maximum. In heavy overload (x - y ≥ 1e4) the series starts near its
    /// peak instead of at j = 0 (see `series_start`), so the cost is O(√x)
    /// terms rather than (x - y)⁺. Then P(Wq > 0) = 1/(1 + (1/B - 1)e^{-ln J})
    /// with B = B(c, a) (§4), and E\[Q\] = P(Wq > 0) Σ j t_j / Σ t_j.
    pub fn new(lambda: f64, mu: f64, servers: u32, theta: f64) -> Option<Self> {
        let x = lambda / theta;
        let y = f64::from(servers) * mu / theta;
        let load = lambda / mu;
        let positive = lambda > 0.0 && mu > 0.0 && theta > 0.0 && servers >= 1;
        let in_range = |v: f64| v.is_finite() && v <= MAX_SCALE;
        if !positive || !load.is_finite() || !in_range(x) || !in_range(y) {
            return None;
        }
        let blocking = erlang_b(servers, load);
        // ln(1/B - 1), so that an underflowed B gives P(Wq > 0) = 0, not NaN.
        let ln_odds = (1.0 - blocking).ln() - blocking.ln();
        let (ln_j, mean_excess) = queue_series(x, y, series_start(x, y, ln_odds));
        let prob_wait = 1.0 / (1.0 + (ln_odds - ln_j).exp());
        Some(Self {
            lambda,
            mu,
            servers,
            theta,
            prob_wait,
            mean_queue: prob_wait * mean_excess,
        })
    }

    /// P(Wq > 0) = P(N ≥ c) = B J/(1 + (J - 1)B) (§12).
    pub fn prob_wait(&self) -> f64 {
        self.prob_wait
    }

    /// Mean number waiting E\[Q\] = P(Wq > 0) Σ j t_j / Σ t_j (§12).
    pub fn mean_in_queue(&self) -> f64 {
        self.mean_queue
    }

    /// Probability of abandonment P(Ab) = θ E\[Q\]/λ (rate balance, §12; the
    /// equivalent form P(Wq > 0)(1 - c/a + c/(aJ)) cancels for small θ).
    pub fn prob_abandon(&self) -> f64 {
        self.theta * self.mean_queue / self.lambda
    }

    /// Mean time in queue over ALL arrivals (abandoners until they leave,
    /// served customers until service starts): E\[Wq\] = E\[Q\]/λ = P(Ab)/θ
    /// (Little, §1, §12).
    pub fn mean_wait(&self) -> f64 {
        self.mean_queue / self.lambda
    }

    /// Mean time in the system over ALL arrivals (abandoners until they
    /// leave, served customers until service ends): E\[T\] = L/λ = E\[Wq\] +
    /// (1 - P(Ab))/μ (Little, §1, §12).
    pub fn mean_sojourn(&self) -> f64 {
        self.mean_in_system() / self.lambda
    }

    /// Throughput of served customers λ(1 - P(Ab)) = μ E\[# busy\] (§12).
    pub fn throughput(&self) -> f64 {
        self.lambda * (1.0 - self.prob_abandon())
    }

    /// Mean number in system L = E\[Q\] + E\[# busy\], E\[# busy\] = a(1 - P(Ab)).
    pub fn mean_in_system(&self) -> f64 {
        self.mean_queue + self.throughput() / self.mu
    }

    /// Number of servers c.
    pub fn servers(&self) -> u32 {
        self.servers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::erlang::erlang_c;
    use crate::theory::mminf::Mminf;
    use crate::theory::testing::assert_rel;

    #[test]
    fn matches_truncated_birth_death() {
        // mpmath (40 digits), birth-death chain truncated at 600 / 20000 states.
        let q = ErlangA::new(4.0, 1.0, 3, 0.5).unwrap();
        assert_rel(q.prob_wait(), 0.844_556_329_758_84, 1e-13);
        assert_rel(q.mean_in_queue(), 2.454_373_805_320_314, 1e-13);
        assert_rel(q.prob_abandon(), 0.306_796_725_665_039_23, 1e-13);
        let q = ErlangA::new(2.0, 1.0, 3, 1e-3).unwrap();
        assert_rel(q.prob_wait(), 0.443_953_601_422_791_7, 1e-12);
        assert_rel(q.prob_abandon(), 4.417_587_194_874_706e-4, 1e-12);
        assert_rel(q.mean_wait(), q.prob_abandon() / 1e-3, 1e-15);
        // Served customers add their service, abandoners nothing more.
        assert_rel(
            q.mean_sojourn(),
            q.mean_wait() + (1.0 - q.prob_abandon()) / 1.0,
            1e-12,
        );
    }

    #[test]
    fn theta_equal_mu_is_mm_infinity() {
        let (lambda, mu, c) = (6.0, 1.5, 5_u32);
        let q = ErlangA::new(lambda, mu, c, mu).unwrap();
        let inf = Mminf::new(lambda, mu).unwrap();
        let a = lambda / mu;
        let below: f64 = (0..u64::from(c)).map(|n| inf.prob_n(n)).sum();
        let excess: f64 = (u64::from(c)..400)
            .map(|n| (n - u64::from(c)) as f64 * inf.prob_n(n))
            .sum();
        assert_rel(q.prob_wait(), 1.0 - below, 1e-13);
        assert_rel(q.prob_abandon(), excess / a, 1e-13);
        assert_rel(q.mean_in_system(), a, 1e-13);
    }

    #[test]
    fn warm_start_matches_plain_series() {
        // x - y = 2e4: the plain series from j = 0 is still affordable.
        for (lambda, c, theta) in [(30.0, 20_u32, 5e-4), (1e3, 900, 4e-3), (2.0, 1, 1e-4)] {
            let (x, y) = (lambda / theta, f64::from(c) / theta);
            let blocking = erlang_b(c, lambda);
            let ln_odds = (1.0 - blocking).ln() - blocking.ln();
            let start = series_start(x, y, ln_odds);
            assert!(start.0 > 0.0, "warm start expected");
            let (_, warm) = queue_series(x, y, start);
            let (ln_j, plain) = queue_series(x, y, (0.0, 0.0));
            assert!(ln_j > ln_odds + 40.0);
            assert_rel(warm, plain, 1e-12);
        }
        // Extreme overload, patience mean 1e10: E[Q] ≈ (λ - cμ)/θ.
        let q = ErlangA::new(2.0, 1.0, 1, 1e-10).unwrap();
        assert_eq!(q.prob_wait(), 1.0);
        assert_rel(q.prob_abandon(), 0.5, 1e-4);
    }

    #[test]
    fn limits() {
        // θ → 0 with a < c gives Erlang C.
        let q = ErlangA::new(8.0, 1.0, 10, 1e-9).unwrap();
        assert_rel(q.prob_wait(), erlang_c(10, 8.0).unwrap(), 1e-7);
        // Overload approaches the fluid limit 1 - c/a as the scale grows.
        let q = ErlangA::new(15_000.0, 1.0, 10_000, 1.0).unwrap();
        assert_rel(q.prob_abandon(), 1.0 / 3.0, 1e-3);
        assert!(q.prob_wait() <= 1.0 && q.prob_wait() > 0.99);
        // Many idle servers: B underflows and nobody waits.
        let q = ErlangA::new(5.0, 1.0, 2000, 0.1).unwrap();
        assert_eq!(q.prob_wait(), 0.0);
        assert_eq!(q.prob_abandon(), 0.0);
        assert_eq!(q.servers(), 2000);
        assert!(ErlangA::new(1.0, 1.0, 2, 0.0).is_none());
        assert!(ErlangA::new(1.0, 1.0, 0, 1.0).is_none());
        assert!(ErlangA::new(1.0, 1.0, 2, 1e-320).is_none());
        assert!(ErlangA::new(1.0, 1.0, 2, 1e-13).is_none());
        // Instant abandonment (θ = ∞) is the Erlang loss system.
        let loss = ErlangA::new(4.0, 1.0, 3, f64::INFINITY).unwrap();
        assert_rel(loss.prob_wait(), erlang_b(3, 4.0), 1e-15);
        assert!(ErlangA::new(1.0, f64::MAX, 2, f64::INFINITY).is_none());
    }
}
