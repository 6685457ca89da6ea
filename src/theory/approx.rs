//! APPROXIMATIONS for G/G/1 and G/G/c mean waits, formulas.md §11. These are
//! not exact formulas: they evaluate the published approximations, which are
//! exact only in the cases stated below.

use super::mmc::Mmc;

/// Whether a squared coefficient of variation is usable (finite, ≥ 0).
fn valid_scv(scv: f64) -> bool {
    scv.is_finite() && scv >= 0.0
}

/// APPROXIMATION (Kingman 1961), G/G/1 mean wait in queue:
/// Wq ≈ (ρ/(1 - ρ)) · ((c_a² + c_s²)/2) · E\[S\], ρ = λE\[S\] (§11).
///
/// Equals Pollaczek–Khinchine when c_a² = 1 (so exact for M/G/1 and M/M/1);
/// asymptotically exact as ρ → 1; poor at light load when c_a² ≠ 1.
/// `None` unless λ ≥ 0, E\[S\] > 0, both SCVs ≥ 0 are finite and ρ < 1.
pub fn kingman_mean_wait(
    lambda: f64,
    mean_service: f64,
    arrival_scv: f64,
    service_scv: f64,
) -> Option<f64> {
    let rho = lambda * mean_service;
    let valid = lambda.is_finite() && lambda >= 0.0 && mean_service.is_finite();
    if !valid || mean_service <= 0.0 || rho >= 1.0 {
        return None;
    }
    if !valid_scv(arrival_scv) || !valid_scv(service_scv) {
        return None;
    }
    Some(rho / (1.0 - rho) * (arrival_scv + service_scv) / 2.0 * mean_service)
}

/// APPROXIMATION (Allen–Cunneen), G/G/c mean wait in queue:
/// Wq ≈ (C(c, a)/(cμ - λ)) · (c_a² + c_s²)/2 = Wq^{M/M/c} · (c_a² + c_s²)/2
/// (§11), with C the Erlang C of a = λ/μ.
///
/// Exact for M/M/c; for c = 1 it equals Kingman. `None` unless the M/M/c
/// parameters are valid and stable (see [`Mmc::new`]) and both SCVs are
/// finite and ≥ 0.
pub fn allen_cunneen_mean_wait(
    lambda: f64,
    mu: f64,
    servers: u32,
    arrival_scv: f64,
    service_scv: f64,
) -> Option<f64> {
    if !valid_scv(arrival_scv) || !valid_scv(service_scv) {
        return None;
    }
    let markovian = Mmc::new(lambda, mu, servers)?;
    Some(markovian.mean_wait() * (arrival_scv + service_scv) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::mg1;

    fn close(got: f64, want: f64) -> bool {
        (got - want).abs() <= 1e-14 * want.abs()
    }

    #[test]
    fn kingman_evaluates_the_formula() {
        // ρ = 0.9, E[S] = 2, (c_a² + c_s²)/2 = 0.75: 9 · 0.75 · 2 = 13.5.
        assert!(close(kingman_mean_wait(0.45, 2.0, 0.5, 1.0).unwrap(), 13.5));
        // c_a² = 1 gives Pollaczek–Khinchine.
        let pk = mg1::mean_wait(0.45, 2.0, 0.3).unwrap();
        assert!(close(kingman_mean_wait(0.45, 2.0, 1.0, 0.3).unwrap(), pk));
        assert_eq!(kingman_mean_wait(0.5, 2.0, 1.0, 1.0), None);
        assert_eq!(kingman_mean_wait(0.1, 2.0, -1.0, 1.0), None);
        assert_eq!(kingman_mean_wait(0.1, 0.0, 1.0, 1.0), None);
    }

    #[test]
    fn allen_cunneen_evaluates_the_formula() {
        let mmc = Mmc::new(7.0, 1.0, 8).unwrap().mean_wait();
        assert!(close(
            allen_cunneen_mean_wait(7.0, 1.0, 8, 1.0, 1.0).unwrap(),
            mmc
        ));
        assert!(close(
            allen_cunneen_mean_wait(7.0, 1.0, 8, 2.0, 0.0).unwrap(),
            mmc
        ));
        assert!(close(
            allen_cunneen_mean_wait(7.0, 1.0, 8, 0.5, 0.0).unwrap(),
            mmc / 4.0
        ));
        // c = 1 equals Kingman.
        let kingman = kingman_mean_wait(0.6, 1.0 / 1.5, 0.4, 2.2).unwrap();
        assert!(close(
            allen_cunneen_mean_wait(0.6, 1.5, 1, 0.4, 2.2).unwrap(),
            kingman
        ));
        assert_eq!(allen_cunneen_mean_wait(8.0, 1.0, 8, 1.0, 1.0), None);
        assert_eq!(allen_cunneen_mean_wait(7.0, 1.0, 8, 1.0, f64::NAN), None);
    }
}
