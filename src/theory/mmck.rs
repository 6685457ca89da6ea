//! M/M/c/K: c exponential servers, capacity K ≥ c (in service + waiting),
//! Poisson arrivals that find K present are lost. formulas.md §5, §15.4.
//!
//! Stationary law (any ρ): π_n ∝ aⁿ/n! for n ≤ c and π_c ρ^(n-c) for
//! c < n ≤ K. It is evaluated through Erlang B, B = π_c / P(N ≤ c) in the
//! truncated chain, with unnormalised weights
//! * ρ ≤ 1: states 0..c-1 weigh 1 - B, state c + j weighs B ρ^j;
//! * ρ > 1 (normalised at the top state K, so nothing overflows): states
//!   0..c-1 weigh r^m (1 - B)/B and state c + j weighs r^(m-j), r = 1/ρ,
//!
//! where m = K - c. Geometric sums use `exp_m1` closed forms; Σ j q^j is
//! summed directly when m is small or m|1 - q| < 1 (near ρ = 1), where its
//! closed form cancels. Cost: O(c) for Erlang B plus O(1) (O(m) when summing
//! directly); each tail evaluation is at most O(m), a quantile ~100 of them.

use super::erlang::erlang_b;
use super::mmc::{continuous_quantile, invert_tail};
use super::series::{
    erlang_mixture_tail, geometric_sum, reversed_weighted_geometric_sum, weighted_geometric_sum,
};

/// An M/M/c/K queue (any load, including ρ ≥ 1). formulas.md §5.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mmck {
    lambda: f64,
    mu: f64,
    servers: u32,
    capacity: u32,
    /// ρ > 1: weights are normalised at the top state.
    overloaded: bool,
    /// Geometric ratio of the queue weights: ρ, or 1/ρ when overloaded.
    ratio: f64,
    erlang_b: f64,
    /// Unnormalised masses: states 0..c-1, states c..K-1, state K.
    below: f64,
    waiting: f64,
    full: f64,
    /// Σ_{j=1}^{m} j × weight of state c + j.
    queue_moment: f64,
}

impl Mmck {
    /// Builds the model; `None` unless λ > 0, μ > 0, c ≥ 1, K ≥ c and the
    /// rates (and a = λ/μ, cμ) are finite. Any ρ is valid (§5).
    pub fn new(lambda: f64, mu: f64, servers: u32, capacity: u32) -> Option<Self> {
        let service_rate = f64::from(servers) * mu;
        let load = lambda / mu;
        let finite = lambda.is_finite() && load.is_finite() && service_rate.is_finite();
        if !finite || lambda <= 0.0 || mu <= 0.0 || servers == 0 || capacity < servers {
            return None;
        }
        let erlang_b = erlang_b(servers, load);
        let m = u64::from(capacity - servers);
        let overloaded = lambda > service_rate;
        let ratio = if overloaded {
            service_rate / lambda
        } else {
            lambda / service_rate
        };
        let (below, queue_moment) = if overloaded {
            let below = ratio.powf(m as f64) * (1.0 - erlang_b) / erlang_b;
            (below, reversed_weighted_geometric_sum(ratio, m))
        } else {
            (1.0 - erlang_b, erlang_b * weighted_geometric_sum(ratio, m))
        };
        let mut model = Self {
            lambda,
            mu,
            servers,
            capacity,
            overloaded,
            ratio,
            erlang_b,
            below,
            waiting: 0.0,
            full: 0.0,
            queue_moment,
        };
        model.waiting = model.queue_weight_sum(0, m);
        model.full = model.queue_weight(m);
        Some(model)
    }

    /// m = K - c, the number of waiting places.
    fn queue_room(&self) -> u64 {
        u64::from(self.capacity - self.servers)
    }

    /// Unnormalised weight of state c + j, 0 ≤ j ≤ m.
    fn queue_weight(&self, j: u64) -> f64 {
        if self.overloaded {
            self.ratio.powf((self.queue_room() - j) as f64)
        } else {
            self.erlang_b * self.ratio.powf(j as f64)
        }
    }

    /// Σ_{j=from}^{to-1} of the weight of state c + j (from ≤ to ≤ m + 1).
    fn queue_weight_sum(&self, from: u64, to: u64) -> f64 {
        let count = to - from;
        if self.overloaded {
            let lowest_power = self.queue_room() + 1 - to;
            self.ratio.powf(lowest_power as f64) * geometric_sum(self.ratio, count)
        } else {
            self.erlang_b * self.ratio.powf(from as f64) * geometric_sum(self.ratio, count)
        }
    }

    fn total(&self) -> f64 {
        self.below + self.waiting + self.full
    }

    /// Blocking probability P_block = π_K (PASTA), = π_c ρ^m with
    /// π_c = 1/(1/B + S1) (§5). K = c gives Erlang B.
    pub fn prob_blocked(&self) -> f64 {
        self.full / self.total()
    }

    /// Throughput λ_eff = λ(1 - π_K) (§5), with 1 - π_K summed from its
    /// parts so that it does not cancel in heavy overload.
    pub fn throughput(&self) -> f64 {
        self.lambda * (self.below + self.waiting) / self.total()
    }

    /// Per-server utilisation λ_eff/(cμ) (§5).
    pub fn utilisation(&self) -> f64 {
        self.throughput() / (f64::from(self.servers) * self.mu)
    }

    /// Mean number waiting Lq = Σ_{n>c} (n - c) π_n = π_c S2 (§5).
    pub fn mean_in_queue(&self) -> f64 {
        self.queue_moment / self.total()
    }

    /// Mean number in system L = Lq + λ_eff/μ (§5).
    pub fn mean_in_system(&self) -> f64 {
        self.mean_in_queue() + self.throughput() / self.mu
    }

    /// Mean wait of an accepted customer Wq = Lq/λ_eff (Little, §5).
    pub fn mean_wait(&self) -> f64 {
        self.mean_in_queue() / self.throughput()
    }

    /// Mean sojourn of an accepted customer W = L/λ_eff = Wq + 1/μ (§5).
    pub fn mean_sojourn(&self) -> f64 {
        self.mean_wait() + 1.0 / self.mu
    }

    /// Probability that an accepted customer waits:
    /// Σ_{n=c}^{K-1} π_n / (1 - π_K) (PASTA, §5).
    pub fn prob_wait(&self) -> f64 {
        self.waiting / (self.below + self.waiting)
    }

    /// Probability that an arrival finds every server busy,
    /// Σ_{n=c}^{K} π_n (PASTA): under drop-head every arrival gets in and
    /// this share waits (perhaps until it is dropped).
    pub fn prob_all_busy(&self) -> f64 {
        (self.waiting + self.full) / self.total()
    }

    /// P(an accepted customer meets k waiting phases): k = 0 if it finds
    /// n < c, else k = n - c + 1 (it sees n w.p. π_n/(1 - π_K)).
    fn phase_prob(&self, k: u64) -> f64 {
        let mass = if k == 0 {
            self.below
        } else {
            self.queue_weight(k - 1)
        };
        mass / (self.below + self.waiting)
    }

    /// P(k ≥ i) for the phase count of `phase_prob`, 1 ≤ i.
    fn phases_at_least(&self, i: u64) -> f64 {
        let m = self.queue_room();
        if i > m {
            return 0.0;
        }
        self.queue_weight_sum(i - 1, m) / (self.below + self.waiting)
    }

    /// FIFO waiting-time tail of an accepted customer (§5): a customer who
    /// finds n ≥ c waits Erlang(n - c + 1, cμ), so
    /// P(Wq > t) = Σ_{i<m} pois(i; cμt) P(k > i), a finite mixture of Erlang
    /// tails. 1 for t < 0; NaN for NaN t.
    pub fn wait_tail(&self, t: f64) -> f64 {
        self.phase_tail(t, false)
    }

    /// Sojourn tail P(W > t) of an accepted FIFO customer, W = Wq + S with
    /// S ~ Exp(μ) independent. Exact: Exp(μ) is a Geometric(1/c) number of
    /// Exp(cμ) phases, so W is a mixture of Erlang(·, cμ) laws and, with
    /// x = cμt, g = 1 - 1/c and Ã_i = Σ_{k≤i} P(k) g^(i-k),
    /// P(W > t) = Σ_{i<m} pois(i; x)(P(k > i) + Ã_i) + Ã_m pois(m; x) R,
    /// where R = P(Pois((c-1)μt) ≥ m)/P(Pois((c-1)μt) = m) sums the i ≥ m part
    /// in closed form. 1 for t ≤ 0; NaN for NaN t.
    pub fn sojourn_tail(&self, t: f64) -> f64 {
        if t == 0.0 {
            return 1.0;
        }
        self.phase_tail(t, true)
    }

    fn phase_tail(&self, t: f64, include_service: bool) -> f64 {
        let c = f64::from(self.servers);
        let x = c * self.mu * t;
        match t {
            _ if t.is_nan() => f64::NAN,
            _ if t < 0.0 => 1.0,
            _ if x == f64::INFINITY => 0.0,
            _ => erlang_mixture_tail(
                x,
                self.queue_room(),
                |k| self.phase_prob(k),
                |i| self.phases_at_least(i),
                self.lambda / (c * self.mu),
                include_service.then_some((c - 1.0) / c),
            ),
        }
    }

    /// Waiting-time percentile of an accepted customer: exactly 0 when the
    /// atom P(Wq = 0) covers p (1 - p ≥ P(wait)); otherwise bisection on
    /// [`Mmck::wait_tail`]. `None` if p ∉ \[0, 1\] or the percentile is infinite.
    pub fn wait_quantile(&self, p: f64) -> Option<f64> {
        if !(0.0..=1.0).contains(&p) {
            return None;
        }
        if 1.0 - p >= self.prob_wait() {
            return Some(0.0);
        }
        if p == 1.0 {
            return None;
        }
        let service_rate = f64::from(self.servers) * self.mu;
        invert_tail(|t| self.wait_tail(t), 1.0 - p, 1.0 / service_rate)
    }

    /// Sojourn percentile of an accepted customer by bisection on
    /// [`Mmck::sojourn_tail`] (continuous, strictly decreasing from 1).
    /// `Some(0.0)` for p = 0; `None` if p ∉ [0, 1).
    pub fn sojourn_quantile(&self, p: f64) -> Option<f64> {
        continuous_quantile(|t| self.sojourn_tail(t), p, 1.0 / self.mu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::mmc::Mmc;
    use crate::theory::testing::assert_rel;

    /// π_0..π_K of the birth-death chain, from log weights (independent of
    /// the Erlang B route).
    fn brute_force(lambda: f64, mu: f64, c: u32, k: u32) -> Vec<f64> {
        let mut ln_w = vec![0.0_f64];
        for n in 1..=k {
            let rate = mu * f64::from(n.min(c));
            ln_w.push(ln_w[n as usize - 1] + (lambda / rate).ln());
        }
        let top = ln_w.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = ln_w.iter().map(|l| (l - top).exp()).collect();
        let total: f64 = w.iter().sum();
        w.iter().map(|x| x / total).collect()
    }

    #[test]
    fn prob_all_busy_by_hand() {
        // M/M/1/2 at λ = μ: π = 1/3 each, busy in states 1 and 2.
        let q = Mmck::new(1.0, 1.0, 1, 2).unwrap();
        assert_rel(q.prob_all_busy(), 2.0 / 3.0, 1e-12);
        // M/M/2/3, λ = 2, μ = 1: weights 1, 2, 2, 2 over 7.
        let q = Mmck::new(2.0, 1.0, 2, 3).unwrap();
        assert_rel(q.prob_all_busy(), 4.0 / 7.0, 1e-12);
        assert_rel(q.prob_blocked(), 2.0 / 7.0, 1e-12);
    }

    const CASES: [(f64, f64, u32, u32); 12] = [
        (2.0, 1.0, 3, 10),
        (0.5, 1.0, 1, 5),
        (1.0, 1.0, 1, 7),
        (3.0, 1.0, 1, 4),
        (3.0, 1.0, 3, 3),
        (2.999, 1.0, 3, 80),
        (2.7, 1.0, 3, 300),
        (3.3, 1.0, 3, 300),
        (3.000_000_3, 1.0, 3, 200),
        (5.0, 2.0, 4, 100),
        (60.0, 1.0, 50, 200),
        (200.0, 1.0, 200, 400),
    ];

    #[test]
    fn stationary_metrics_match_brute_force() {
        for (lambda, mu, c, k) in CASES {
            let q = Mmck::new(lambda, mu, c, k).unwrap();
            let pi = brute_force(lambda, mu, c, k);
            let blocked = pi[k as usize];
            let lq: f64 = (c..=k).map(|n| f64::from(n - c) * pi[n as usize]).sum();
            let l: f64 = (0..=k).map(|n| f64::from(n) * pi[n as usize]).sum();
            let waits: f64 = (c..k).map(|n| pi[n as usize]).sum::<f64>() / (1.0 - blocked);
            assert_rel(q.prob_blocked(), blocked, 1e-11);
            assert_rel(q.throughput(), lambda * (1.0 - blocked), 1e-12);
            assert_rel(q.mean_in_queue(), lq, 1e-11);
            assert_rel(q.mean_in_system(), l, 1e-11);
            assert_rel(q.mean_sojourn(), l / (lambda * (1.0 - blocked)), 1e-11);
            if k > c {
                assert_rel(q.prob_wait(), waits, 1e-11);
            }
        }
    }

    #[test]
    fn textbook_checks() {
        // K = c is Erlang B.
        let q = Mmck::new(7.0, 1.0, 9, 9).unwrap();
        assert_rel(q.prob_blocked(), erlang_b(9, 7.0), 1e-15);
        assert_eq!(q.prob_wait(), 0.0);
        assert_eq!(q.mean_in_queue(), 0.0);
        // c = 1 closed forms (§5), ρ ≠ 1 and ρ = 1.
        for (rho, k) in [(0.6_f64, 8_u32), (1.7, 5)] {
            let q = Mmck::new(rho, 1.0, 1, k).unwrap();
            let kf = f64::from(k);
            let p_k = (1.0 - rho) * rho.powf(kf) / (1.0 - rho.powf(kf + 1.0));
            let l =
                rho / (1.0 - rho) - (kf + 1.0) * rho.powf(kf + 1.0) / (1.0 - rho.powf(kf + 1.0));
            assert_rel(q.prob_blocked(), p_k, 1e-13);
            assert_rel(q.mean_in_system(), l, 1e-13);
        }
        let q = Mmck::new(1.0, 1.0, 1, 6).unwrap();
        assert_rel(q.prob_blocked(), 1.0 / 7.0, 1e-15);
        assert_rel(q.mean_in_system(), 3.0, 1e-15);
        // K large approaches M/M/c.
        let q = Mmck::new(2.0, 1.0, 3, 400).unwrap();
        let inf = Mmc::new(2.0, 1.0, 3).unwrap();
        assert!(q.prob_blocked() < 1e-60);
        assert_rel(q.mean_in_system(), inf.mean_in_system(), 1e-13);
        assert_rel(q.mean_wait(), inf.mean_wait(), 1e-13);
        assert_rel(q.prob_wait(), inf.prob_wait(), 1e-13);
        for t in [0.0, 0.3, 2.0, 10.0] {
            assert_rel(q.wait_tail(t), inf.wait_tail(t), 1e-12);
            assert_rel(q.sojourn_tail(t), inf.sojourn_tail(t), 1e-12);
        }
        assert!(Mmck::new(1.0, 1.0, 3, 2).is_none());
        assert!(Mmck::new(0.0, 1.0, 3, 5).is_none());
        assert!(Mmck::new(1.0, 1e-320, 3, 5).is_none());
    }

    /// (λ, μ, c, K, t) with (wait tail, sojourn tail) from mpmath at 60
    /// digits by a different route: h_k from the birth-death chain, Erlang
    /// tails by the regularised incomplete gamma function, and
    /// P(E_k + S > t) = P(E_k > t) + e^{-μt}(ν/(ν-μ))^k P(Γ(k, ν-μ) ≤ t).
    const TAIL_CASES: [(f64, f64, u32, u32, f64); 11] = [
        (60.0, 1.0, 50, 200, 2.0),
        (60.0, 1.0, 50, 200, 4.0),
        (200.0, 1.0, 200, 400, 0.5),
        (200.0, 1.0, 200, 400, 4.0),
        (9.0, 1.0, 10, 12, 50.0),
        (0.9, 1.0, 1, 6, 0.7),
        (0.9, 1.0, 1, 6, 6.0),
        (1.5, 1.0, 2, 2, 0.7),
        (4.0, 1.0, 3, 12, 0.05),
        (4.0, 1.0, 3, 12, 2.0),
        (3.0, 0.5, 2, 9, 6.0),
    ];
    const TAIL_VALUES: [[f64; 2]; 11] = [
        [0.9993573249164092, 0.9999415142721184],
        [4.075_718_230_383_632e-5, 0.344757865384542],
        [0.459984893298148, 0.8705055764471934],
        [3.925_767_332_383_177e-145, 0.03053360258583389],
        [4.697613725089008e-216, 2.019428969954925e-22],
        [0.6567341204740146, 0.8557157829427767],
        [0.07021283137922196, 0.1341799419706943],
        [0.0, 0.496_585_303_791_409_5],
        [0.9640442076897847, 0.9983446711237422],
        [0.542682926995672, 0.7718973365875587],
        [0.5287041237140079, 0.7616822693444328],
    ];

    #[test]
    fn tails_match_mpmath() {
        for ((lambda, mu, c, k, t), [wait, sojourn]) in TAIL_CASES.into_iter().zip(TAIL_VALUES) {
            let q = Mmck::new(lambda, mu, c, k).unwrap();
            assert_rel(q.wait_tail(t), wait, 1e-12);
            assert_rel(q.sojourn_tail(t), sojourn, 1e-12);
            assert_rel(q.wait_tail(0.0), q.prob_wait(), 1e-14);
            assert_eq!(q.sojourn_tail(0.0), 1.0);
            assert_eq!(q.wait_tail(-1.0), 1.0);
            assert!(q.sojourn_tail(f64::NAN).is_nan());
        }
        // K = c: the sojourn is the service time alone.
        let q = Mmck::new(5.0, 2.0, 3, 3).unwrap();
        assert_rel(q.sojourn_tail(1.3), (-2.6_f64).exp(), 1e-14);
    }

    #[test]
    fn tails_integrate_to_means() {
        for (lambda, mu, c, k) in [(2.0, 1.0, 3, 10), (60.0, 1.0, 50, 200), (1.0, 1.0, 1, 30)] {
            let q = Mmck::new(lambda, mu, c, k).unwrap();
            let horizon = 40.0 * q.mean_sojourn();
            let panels = 4000;
            let h = horizon / f64::from(panels);
            let simpson = |f: &dyn Fn(f64) -> f64| {
                let mut s = f(0.0) + f(horizon);
                for i in 1..panels {
                    s += if i % 2 == 1 { 4.0 } else { 2.0 } * f(f64::from(i) * h);
                }
                s * h / 3.0
            };
            assert_rel(simpson(&|t| q.sojourn_tail(t)), q.mean_sojourn(), 1e-9);
            // The wait tail jumps at 0 (atom), Simpson from 0+ is still fine.
            assert_rel(simpson(&|t| q.wait_tail(t)), q.mean_wait(), 1e-9);
        }
    }

    #[test]
    fn quantiles_invert_tails() {
        let q = Mmck::new(60.0, 1.0, 50, 200).unwrap();
        for p in [0.1, 0.5, 0.9, 0.999] {
            let t = q.sojourn_quantile(p).unwrap();
            assert_rel(q.sojourn_tail(t), 1.0 - p, 1e-12);
            let w = q.wait_quantile(p).unwrap();
            assert_rel(q.wait_tail(w), 1.0 - p, 1e-12);
        }
        let light = Mmck::new(1.0, 1.0, 4, 10).unwrap();
        assert!(light.prob_wait() < 0.05);
        assert_eq!(light.wait_quantile(0.95), Some(0.0));
        assert_eq!(light.wait_quantile(1.0), None);
        assert_eq!(light.sojourn_quantile(1.0), None);
        assert_eq!(light.sojourn_quantile(0.0), Some(0.0));
        assert_eq!(light.wait_quantile(-0.1), None);
    }
}
