//! Erlang B and Erlang C (formulas.md §3, §4, §15.1–2).

/// Up to this many servers [`erlang_b`] runs the inverse recursion over the
/// full range k = 1..=c; above it, the recursion starts at a warm start.
const FULL_RECURSION_MAX_SERVERS: u32 = 1_000_000;

/// The warm start is placed where the influence of the starting value has
/// contracted below e^-45 ≈ 3e-20, far below f64 resolution.
const WARM_START_LOG_CONTRACTION: f64 = -45.0;

/// Erlang B blocking probability of M/M/c/c (also M/G/c/c, which is
/// insensitive): B(c, a) = (a^c/c!) / Σ_{k=0}^{c} a^k/k!, for any offered load
/// a = λ/μ ≥ 0 (no stability condition). formulas.md §4.
///
/// Computed with the overflow-free inverse recursion I_0 = 1,
/// I_k = 1 + (k/a) I_{k-1}, B = 1/I_c, run over k = 1..=c inclusive. If I
/// overflows, B is below the f64 range (e.g. c = 1000, a = 5 gives ≈ 1e-1871)
/// and 0 is returned. For c > 1_000_000 the recursion starts at a warm start
/// k0 < min(c, a) with I_{k0} := 1: the relative error of I_k contracts by
/// (1 - 1/I_k) ≤ k/a per step, and k0 is chosen so that the product is
/// below e^-45, so the result is the same to f64 precision while the cost is
/// O(√a) instead of O(c).
///
/// `servers = 0` gives 1; `offered_load = 0` gives 0 (for c ≥ 1). Returns NaN
/// if `offered_load` is negative or not finite.
pub fn erlang_b(servers: u32, offered_load: f64) -> f64 {
    if !offered_load.is_finite() || offered_load < 0.0 {
        return f64::NAN;
    }
    if servers == 0 {
        return 1.0;
    }
    if offered_load == 0.0 {
        return 0.0;
    }
    let start = if servers <= FULL_RECURSION_MAX_SERVERS {
        0
    } else {
        warm_start(servers, offered_load)
    };
    inverse_recursion(start, servers, offered_load)
}

/// Runs I_k = 1 + (k/a) I_{k-1} for k = start+1..=servers from I_start = 1
/// and returns 1/I_servers, or 0 once I overflows.
fn inverse_recursion(start: u32, servers: u32, offered_load: f64) -> f64 {
    let mut inverse = 1.0;
    for k in start + 1..=servers {
        inverse = 1.0 + f64::from(k) / offered_load * inverse;
        if inverse.is_infinite() {
            return 0.0;
        }
    }
    1.0 / inverse
}

/// Largest k0 such that Π_{k=k0+1}^{min(c, ⌊a⌋)} k/a ≤ e^-45 (or 0).
fn warm_start(servers: u32, offered_load: f64) -> u32 {
    let top = if offered_load < f64::from(servers) {
        // offered_load < servers ≤ u32::MAX, so the cast is exact.
        offered_load.floor() as u32
    } else {
        servers
    };
    let mut log_contraction = 0.0;
    let mut k = top;
    while k > 0 && log_contraction > WARM_START_LOG_CONTRACTION {
        log_contraction += (f64::from(k) / offered_load).ln();
        k -= 1;
    }
    k
}

/// Erlang C probability of waiting in M/M/c: C(c, a) = P(N ≥ c) = P(Wq > 0),
/// computed stably from Erlang B as C = B / (1 - ρ(1 - B)) with ρ = a/c.
/// formulas.md §3, §15.2.
///
/// Returns `None` unless 0 ≤ a < c (stability) and a is finite.
pub fn erlang_c(servers: u32, offered_load: f64) -> Option<f64> {
    let c = f64::from(servers);
    if !offered_load.is_finite() || offered_load < 0.0 || offered_load >= c {
        return None;
    }
    let blocking = erlang_b(servers, offered_load);
    let rho = offered_load / c;
    Some(blocking / (1.0 - rho * (1.0 - blocking)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::testing::assert_rel;

    /// B from the defining sum, fine in f64 for small c.
    fn erlang_b_by_definition(c: u32, a: f64) -> f64 {
        let mut term = 1.0;
        let mut sum = 1.0;
        for k in 1..=c {
            term *= a / f64::from(k);
            sum += term;
        }
        term / sum
    }

    #[test]
    fn erlang_b_small_cases_match_definition() {
        assert_rel(erlang_b(1, 3.0), 0.75, 1e-15);
        assert_rel(erlang_b(2, 1.0), 0.2, 1e-15);
        for c in 1..=30 {
            for a in [0.1, 1.0, 2.5, 7.0, 30.0, 55.5] {
                assert_rel(erlang_b(c, a), erlang_b_by_definition(c, a), 1e-13);
            }
        }
    }

    #[test]
    fn erlang_b_edge_inputs() {
        assert_eq!(erlang_b(0, 3.0), 1.0);
        assert_eq!(erlang_b(5, 0.0), 0.0);
        assert!(erlang_b(5, -1.0).is_nan());
        assert!(erlang_b(5, f64::INFINITY).is_nan());
        assert!(erlang_b(5, f64::NAN).is_nan());
        // Overflow guard: B(1000, 5) ≈ 1.56e-1871 underflows f64.
        assert_eq!(erlang_b(1000, 5.0), 0.0);
        assert_eq!(erlang_b(u32::MAX, 1.0), 0.0);
        let huge = erlang_b(u32::MAX, 1e300);
        assert!((0.99..=1.0).contains(&huge));
    }

    #[test]
    fn erlang_b_large_c_finite_and_matches_mpmath() {
        // Reference values from mpmath at 50 digits (same recursion, exact arithmetic).
        assert_rel(erlang_b(5000, 4900.0), 0.002_215_767_902_497_243, 1e-12);
        assert_rel(erlang_b(5000, 5000.0), 0.011_199_358_278_505_486, 1e-12);
        assert_rel(erlang_b(5000, 6000.0), 0.167_490_268_965_219_26, 1e-12);
        let mut previous = 1.0;
        for c in (1..=5000).step_by(97) {
            let b = erlang_b(c, 2500.0);
            assert!(b.is_finite() && (0.0..=1.0).contains(&b));
            assert!(b <= previous, "B must decrease in c");
            previous = b;
        }
    }

    #[test]
    fn warm_start_matches_full_recursion() {
        for c in [1000_u32, 5000, 20_000, 200_000] {
            let c_f = f64::from(c);
            for a in [0.3, c_f * 0.5, c_f * 0.98, c_f, c_f * 1.02, c_f * 3.0, 1e12] {
                let full = inverse_recursion(0, c, a);
                let start = warm_start(c, a);
                let warm = inverse_recursion(start, c, a);
                if full == 0.0 {
                    assert_eq!(warm, 0.0);
                } else {
                    assert_rel(warm, full, 1e-14);
                }
            }
        }
        // The public function takes the warm path above the threshold.
        let b = erlang_b(2_000_000, 1_999_000.0);
        assert!(b > 0.0 && b < 1.0);
    }

    #[test]
    fn erlang_c_identities() {
        for a in [0.01, 0.3, 0.7, 0.999] {
            assert_rel(erlang_c(1, a).unwrap(), a, 1e-14);
        }
        assert_eq!(erlang_c(3, 3.0), None);
        assert_eq!(erlang_c(3, 4.0), None);
        assert_eq!(erlang_c(0, 0.0), None);
        assert_eq!(erlang_c(3, -1.0), None);
        assert_eq!(erlang_c(4, 0.0), Some(0.0));
        // c = 2000, rho = 0.99; mpmath at 50 digits.
        assert_rel(
            erlang_c(2000, 1980.0).unwrap(),
            0.546_074_117_897_237_2,
            1e-12,
        );
    }
}
