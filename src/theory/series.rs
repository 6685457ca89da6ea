//! Numerically stable Poisson and geometric series shared by the M/M/c,
//! M/M/∞ and M/M/c/K modules (formulas.md §5, §6, §15).

use std::f64::consts::PI;

/// ln P(X = n) for X ~ Poisson(mean), mean ≥ 0 finite (formulas.md §6:
/// ln p_n = -a + n ln a - lnΓ(n+1)).
///
/// Evaluated in Loader's saddle-point form
/// ln p_n = -stirlerr(n) - bd0(n, a) - ½ ln(2πn), which is algebraically the
/// same quantity but keeps full relative accuracy for large n and a (the
/// plain sum cancels terms of size n ln n).
pub(crate) fn ln_poisson_pmf(n: u64, mean: f64) -> f64 {
    if n == 0 {
        return -mean;
    }
    if mean == 0.0 {
        return f64::NEG_INFINITY;
    }
    let x = n as f64;
    -stirling_error(x) - deviance_term(x, mean) - 0.5 * (2.0 * PI * x).ln()
}

/// stirlerr(n) = ln n! - \[(n + ½) ln n - n + ½ ln 2π\] for integer n ≥ 1.
fn stirling_error(n: f64) -> f64 {
    if n <= 15.0 {
        // n! is exact in f64 up to 18!, so this has absolute error ~1e-14.
        let ln_factorial = (2..=n as u64).map(|k| k as f64).product::<f64>().ln();
        ln_factorial - (n + 0.5) * n.ln() + n - 0.5 * (2.0 * PI).ln()
    } else {
        // Asymptotic series; the first omitted term is < 1e-16 for n > 15.
        const S0: f64 = 1.0 / 12.0;
        const S1: f64 = 1.0 / 360.0;
        const S2: f64 = 1.0 / 1260.0;
        const S3: f64 = 1.0 / 1680.0;
        const S4: f64 = 1.0 / 1188.0;
        let nn = n * n;
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
    }
}

/// bd0(x, m) = x ln(x/m) + m - x ≥ 0, with a series when x ≈ m to avoid
/// cancellation (Loader 2000).
fn deviance_term(x: f64, mean: f64) -> f64 {
    if (x - mean).abs() < 0.1 * (x + mean) {
        let v = (x - mean) / (x + mean);
        let v2 = v * v;
        let mut sum = (x - mean) * v;
        let mut term = 2.0 * x * v;
        // |v| < 0.1, so the terms shrink by ≥ 100x per step.
        for j in 1..=40 {
            term *= v2;
            let next = sum + term / f64::from(2 * j + 1);
            if next == sum {
                break;
            }
            sum = next;
        }
        return sum;
    }
    x * (x / mean).ln() + mean - x
}

/// Queues with at most this many waiting places are summed directly.
const SMALL_QUEUE: u64 = 64;

/// Poisson mixture sums stop once the remainder is below this × the sum.
const TAIL_TOLERANCE: f64 = 1e-3 * f64::EPSILON;

/// Σ_{i=0}^{n-1} qⁱ for 0 ≤ q ≤ 1, as -expm1(n ln q)/(1 - q) (no cancellation).
pub(crate) fn geometric_sum(q: f64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else if q == 1.0 {
        n as f64
    } else {
        -(n as f64 * q.ln()).exp_m1() / (1.0 - q)
    }
}

/// Whether the closed forms of Σ j q^j would cancel badly (§5 cautions).
fn sum_directly(q: f64, m: u64) -> bool {
    m <= SMALL_QUEUE || m as f64 * (1.0 - q) < 1.0
}

/// S2 = Σ_{j=1}^{m} j q^j = q\[1 - (m+1)q^m + m q^(m+1)\]/(1 - q)² (§5).
pub(crate) fn weighted_geometric_sum(q: f64, m: u64) -> f64 {
    let mf = m as f64;
    if q == 1.0 {
        mf * (mf + 1.0) / 2.0
    } else if sum_directly(q, m) {
        (1..=m).map(|j| j as f64 * q.powf(j as f64)).sum()
    } else {
        let s = 1.0 - q;
        q * (-(mf * q.ln()).exp_m1() - mf * q.powf(mf) * s) / (s * s)
    }
}

/// Σ_{j=1}^{m} j q^(m-j) = \[m - q Σ_{i<m} qⁱ\]/(1 - q), for 0 < q < 1.
pub(crate) fn reversed_weighted_geometric_sum(q: f64, m: u64) -> f64 {
    if sum_directly(q, m) {
        (1..=m).map(|j| j as f64 * q.powf((m - j) as f64)).sum()
    } else {
        (m as f64 - q * geometric_sum(q, m)) / (1.0 - q)
    }
}

/// ln\[P(Pois(y) ≥ m) / P(Pois(y) = m)\]: for y < m + 1 the series
/// Σ_l Π_{s≤l} y/(m+s); otherwise ln(1 - P(Pois(y) < m)) - ln P(Pois(y) = m),
/// where the subtracted lower tail is below ~1/2. At y = 0 this is the
/// limit 1 (ln = 0).
fn ln_upper_tail_ratio(m: u64, y: f64) -> f64 {
    let mf = m as f64;
    if y >= mf + 1.0 {
        let lower: f64 = (0..m).map(|i| ln_poisson_pmf(i, y).exp()).sum();
        return (-lower).ln_1p() - ln_poisson_pmf(m, y);
    }
    let (mut sum, mut term, mut s) = (1.0, 1.0, 1.0);
    loop {
        term *= y / (mf + s);
        sum += term;
        let next = y / (mf + s + 1.0);
        if term * next / (1.0 - next) <= TAIL_TOLERANCE * sum || sum.is_nan() {
            return sum.ln();
        }
        s += 1.0;
    }
}

/// Poisson lower tails beyond this many standard deviations below the mean
/// are below e^-112 and are not summed.
const NEGLIGIBLE_DEVIATIONS: f64 = 15.0;

/// Tail of a mixture of Erlang(·, ν) laws at x = νt, for a phase count
/// k ∈ 0..=m with P(k) = `phase_prob(k)`, P(k ≥ i) = `phases_at_least(i)`
/// (i ≥ 1) and P(k + 1) = `phase_ratio` P(k) for k ≥ 1 (geometric, as in
/// M/M/c/K); pois(i; x) is the Poisson pmf, since
/// P(Erlang(k, ν) > t) = P(Pois(x) < k):
/// * `extra_phase_ratio = None`: the mixed Erlang(k, ν) tail,
///   Σ_{i<m} pois(i; x) P(k > i);
/// * `Some(g)`: k phases plus an independent Geometric(1 - g) ≥ 1 number of
///   further phases (together an Exp((1 - g)ν) stage):
///   Σ_{i<m} pois(i; x)(P(k > i) + Ã_i) + Ã_m pois(m; x) R(m, g x), with
///   Ã_i = Σ_{k≤i} P(k) g^(i-k) and R from [`ln_upper_tail_ratio`] summing
///   the terms i ≥ m in closed form.
///
/// Only i within [`NEGLIGIBLE_DEVIATIONS`] standard deviations below the
/// largest term are summed (Ã at the first one in closed form, from the
/// geometric P(k)), and the per-i weights do not increase, so past the
/// Poisson mode the rest of the series (including the i ≥ m part) is below
/// term·r/(1 - r), r = x/(i + 1); summation stops once that is below
/// 1e-3 ε of the sum. The cost is O(√x) terms, whatever m.
pub(crate) fn erlang_mixture_tail(
    x: f64,
    m: u64,
    phase_prob: impl Fn(u64) -> f64,
    phases_at_least: impl Fn(u64) -> f64,
    phase_ratio: f64,
    extra_phase_ratio: Option<f64>,
) -> f64 {
    // Terms grow by about phase_ratio·x/(i + 1) (P(k > i) is geometric),
    // so the largest sits near min(m, x·min(1, phase_ratio)) and the terms
    // fall at least as fast as a Poisson's below it.
    let centre = (x * phase_ratio.min(1.0)).min(m as f64);
    let spread = NEGLIGIBLE_DEVIATIONS * (centre.sqrt() + 1.0);
    let first = (centre - spread).floor().max(0.0) as u64;
    let mut accumulated = match (first, extra_phase_ratio) {
        (1.., Some(g)) => accumulated_phases(first - 1, g, &phase_prob, phase_ratio),
        _ => 0.0,
    };
    let mut sum = 0.0;
    for i in first..m {
        let mut weight = phases_at_least(i + 1);
        if let Some(g) = extra_phase_ratio {
            accumulated = g * accumulated + phase_prob(i);
            weight += accumulated;
        }
        let term = ln_poisson_pmf(i, x).exp() * weight;
        sum += term;
        let ratio = x / (i + 1) as f64;
        if ratio < 1.0 && term * ratio / (1.0 - ratio) <= TAIL_TOLERANCE * sum {
            return sum;
        }
    }
    let Some(g) = extra_phase_ratio else {
        return sum;
    };
    accumulated = g * accumulated + phase_prob(m);
    let closed = accumulated.ln() + ln_poisson_pmf(m, x) + ln_upper_tail_ratio(m, g * x);
    sum + closed.exp()
}

/// Ã_i = Σ_{k≤i} P(k) g^(i-k) in closed form, for P(k) = P(1) s^(k-1)
/// when k ≥ 1 (s = `phase_ratio`): P(0) g^i plus, with q = s/g,
/// P(1) g^(i-1) Σ_{j<i} q^j when q ≤ 1, or P(i) Σ_{j<i} q^-j when q > 1
/// (each form keeps its factors in range).
fn accumulated_phases(i: u64, g: f64, phase_prob: impl Fn(u64) -> f64, phase_ratio: f64) -> f64 {
    let start = phase_prob(0) * g.powf(i as f64);
    if i == 0 {
        return start;
    }
    let q = phase_ratio / g;
    let rest = if q <= 1.0 {
        phase_prob(1) * g.powf((i - 1) as f64) * geometric_sum(q, i)
    } else {
        phase_prob(i) * geometric_sum(1.0 / q, i)
    };
    start + rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::testing::assert_rel;

    #[test]
    fn poisson_pmf_small_n_matches_direct_formula() {
        for mean in [0.2, 1.0, 3.7, 12.0] {
            let mut direct = f64::exp(-mean);
            for n in 0..40_u64 {
                if n > 0 {
                    direct *= mean / n as f64;
                }
                assert_rel(ln_poisson_pmf(n, mean).exp(), direct, 1e-13);
            }
        }
        assert_eq!(ln_poisson_pmf(0, 0.0), 0.0);
        assert_eq!(ln_poisson_pmf(3, 0.0), f64::NEG_INFINITY);
    }

    #[test]
    fn poisson_pmf_large_mean_is_normalised_and_consistent() {
        let mean = 1.0e4;
        let total: f64 = (8000..12_000).map(|n| ln_poisson_pmf(n, mean).exp()).sum();
        assert_rel(total, 1.0, 1e-12);
        for n in [5000_u64, 9000, 9999, 10_000, 10_001, 11_000, 20_000] {
            let (low, high) = (ln_poisson_pmf(n, mean), ln_poisson_pmf(n + 1, mean));
            // exp(ln p) can be no more accurate than ε |ln p| relative.
            let tol = 1e-13 + 4.0 * f64::EPSILON * low.abs().max(high.abs());
            assert_rel((high - low).exp(), mean / (n + 1) as f64, tol);
        }
    }

    #[test]
    fn geometric_sums_match_brute_force() {
        for q in [0.01_f64, 0.5, 0.9, 0.99, 0.999, 1.0 - 1e-6, 1.0 - 1e-12] {
            for m in [1_u64, 2, 10, 64, 65, 300, 5000] {
                let plain: f64 = (0..m).map(|i| q.powf(i as f64)).sum();
                let weighted: f64 = (1..=m).map(|j| j as f64 * q.powf(j as f64)).sum();
                let reversed: f64 = (1..=m).map(|j| j as f64 * q.powf((m - j) as f64)).sum();
                assert_rel(geometric_sum(q, m), plain, 1e-12);
                assert_rel(weighted_geometric_sum(q, m), weighted, 1e-12);
                assert_rel(reversed_weighted_geometric_sum(q, m), reversed, 1e-12);
            }
        }
        assert_eq!(geometric_sum(0.5, 0), 0.0);
        assert_eq!(geometric_sum(1.0, 7), 7.0);
        assert_eq!(weighted_geometric_sum(1.0, 4), 10.0);
    }

    #[test]
    fn upper_tail_ratio_matches_brute_force() {
        for (m, y) in [
            (0_u64, 0.0),
            (0, 0.5),
            (0, 30.0),
            (5, 2.0),
            (5, 5.9),
            (5, 6.0),
            (5, 20.0),
            (200, 150.0),
            (200, 260.0),
        ] {
            let base = ln_poisson_pmf(m, y);
            let ratio: f64 = (m..m + 2000)
                .map(|i| (ln_poisson_pmf(i, y) - base).exp())
                .sum();
            assert_rel(ln_upper_tail_ratio(m, y).exp(), ratio, 1e-12);
        }
        // y = 0 (single server): the ratio's limit is 1.
        assert_eq!(ln_upper_tail_ratio(5, 0.0), 0.0);
    }

    /// The mixture tail summed over every i, with Ã by its recursion.
    fn mixture_tail_in_full(x: f64, m: u64, probs: &[f64], g: Option<f64>) -> f64 {
        let mut accumulated = 0.0;
        let mut sum = 0.0;
        for i in 0..m {
            let mut weight: f64 = probs[i as usize + 1..].iter().sum();
            if let Some(g) = g {
                accumulated = g * accumulated + probs[i as usize];
                weight += accumulated;
            }
            sum += ln_poisson_pmf(i, x).exp() * weight;
        }
        let Some(g) = g else {
            return sum;
        };
        accumulated = g * accumulated + probs[m as usize];
        sum + (accumulated.ln() + ln_poisson_pmf(m, x) + ln_upper_tail_ratio(m, g * x)).exp()
    }

    #[test]
    fn mixture_tail_far_past_the_origin_matches_the_full_sum() {
        // Geometric phase counts as in M/M/c/K: under- and overloaded, with
        // and without the extra service phases, Poisson means far above 0.
        for (m, s, g, x) in [
            (20_000_u64, 0.9995_f64, Some(0.5), 9_000.0),
            (20_000, 1.5, Some(0.999), 15_000.0),
            (20_000, 1.5, None, 19_000.0),
            (20_000, 0.7, Some(0.0), 3_000.0),
            (6_000, 1.0001, Some(0.98), 5_500.0),
            (20_000, 1.5, Some(0.999), 60_000.0),
            (20_000, 0.5, None, 30_000.0),
        ] {
            // Weights s^(k-1), or s^(k-m) when they grow (nothing overflows).
            let top = if s > 1.0 { m - 1 } else { 0 };
            let mut probs = vec![0.3];
            probs.extend((1..=m).map(|k| s.powf(k as f64 - 1.0 - top as f64)));
            let scale = 0.7 / probs[1..].iter().sum::<f64>();
            probs[1..].iter_mut().for_each(|p| *p *= scale);
            let at_least = |i: u64| probs[i as usize..].iter().sum::<f64>();
            let windowed = erlang_mixture_tail(x, m, |k| probs[k as usize], at_least, s, g);
            let full = mixture_tail_in_full(x, m, &probs, g);
            assert_rel(windowed, full, 1e-9);
        }
    }
}
