//! M/G/1: Pollaczek–Khinchine means for FIFO (formulas.md §7; also the
//! mean of LIFO non-preemptive, §9), processor sharing and LIFO
//! preemptive-resume (§8), and the M/M/1 LIFO non-preemptive waiting-time
//! second moment and variance (§9).
//!
//! Service is described by its mean E\[S\] and squared coefficient of
//! variation c_s² = Var(S)/E\[S\]²; ρ = λE\[S\]. All functions return `None`
//! unless λ ≥ 0, E\[S\] > 0, c_s² ≥ 0 are finite and ρ < 1.

/// ρ = λE\[S\] if the parameters are valid and ρ < 1.
fn stable_load(lambda: f64, mean_service: f64) -> Option<f64> {
    let rho = lambda * mean_service;
    let valid = lambda.is_finite() && mean_service.is_finite() && lambda >= 0.0;
    (valid && mean_service > 0.0 && rho < 1.0).then_some(rho)
}

/// Pollaczek–Khinchine mean wait in queue,
/// Wq = λE\[S²\]/(2(1 - ρ)) = ρ(1 + c_s²)E\[S\]/(2(1 - ρ)) (§7). Also the mean
/// wait of any non-preemptive order that ignores service times, e.g. LIFO
/// non-preemptive (§9).
pub fn mean_wait(lambda: f64, mean_service: f64, service_scv: f64) -> Option<f64> {
    let rho = stable_load(lambda, mean_service)?;
    if !service_scv.is_finite() || service_scv < 0.0 {
        return None;
    }
    Some(rho * (1.0 + service_scv) * mean_service / (2.0 * (1.0 - rho)))
}

/// Mean number waiting Lq = λ Wq = ρ²(1 + c_s²)/(2(1 - ρ)) (§7).
pub fn mean_in_queue(lambda: f64, mean_service: f64, service_scv: f64) -> Option<f64> {
    Some(lambda * mean_wait(lambda, mean_service, service_scv)?)
}

/// Mean sojourn W = Wq + E\[S\] (§7).
pub fn mean_sojourn(lambda: f64, mean_service: f64, service_scv: f64) -> Option<f64> {
    Some(mean_wait(lambda, mean_service, service_scv)? + mean_service)
}

/// Mean number in system L = Lq + ρ (§7).
pub fn mean_in_system(lambda: f64, mean_service: f64, service_scv: f64) -> Option<f64> {
    Some(mean_in_queue(lambda, mean_service, service_scv)? + lambda * mean_service)
}

/// M/G/1 processor sharing mean sojourn E\[T\] = E\[S\]/(1 - ρ), insensitive to
/// the service distribution (§8).
pub fn processor_sharing_mean_sojourn(lambda: f64, mean_service: f64) -> Option<f64> {
    Some(mean_service / (1.0 - stable_load(lambda, mean_service)?))
}

/// M/G/1 processor sharing conditional mean sojourn of a job of size x:
/// E\[T | S = x\] = x/(1 - ρ) (§8). `None` also for x < 0 or non-finite x.
pub fn processor_sharing_sojourn_given_size(
    lambda: f64,
    mean_service: f64,
    size: f64,
) -> Option<f64> {
    let rho = stable_load(lambda, mean_service)?;
    (size.is_finite() && size >= 0.0).then(|| size / (1.0 - rho))
}

/// M/G/1 LIFO preemptive-resume mean sojourn E\[T\] = E\[S\]/(1 - ρ), the same
/// insensitive value as processor sharing (§8).
pub fn lifo_preemptive_mean_sojourn(lambda: f64, mean_service: f64) -> Option<f64> {
    processor_sharing_mean_sojourn(lambda, mean_service)
}

/// M/G/1 LIFO preemptive-resume conditional mean sojourn
/// E\[T | S = x\] = x/(1 - ρ) (§8): each job's service is stretched by the
/// busy periods started by later arrivals.
pub fn lifo_preemptive_sojourn_given_size(
    lambda: f64,
    mean_service: f64,
    size: f64,
) -> Option<f64> {
    processor_sharing_sojourn_given_size(lambda, mean_service, size)
}

/// M/M/1 LIFO non-preemptive second moment of the wait,
/// E\[Wq²\] = 2ρ/(μ²(1 - ρ)³) = E\[Wq²\]_FIFO/(1 - ρ) (§9). `mu` is the service
/// rate; `None` unless λ ≥ 0, μ > 0 finite and ρ = λ/μ < 1.
pub fn mm1_lifo_wait_second_moment(lambda: f64, mu: f64) -> Option<f64> {
    let rho = stable_load(lambda, 1.0 / mu)?;
    Some(2.0 * rho / (mu * mu * (1.0 - rho).powi(3)))
}

/// M/M/1 LIFO non-preemptive variance of the wait,
/// Var(Wq) = ρ(2 - ρ + ρ²)/(μ²(1 - ρ)³) (§9). Same conditions as
/// [`mm1_lifo_wait_second_moment`].
pub fn mm1_lifo_wait_variance(lambda: f64, mu: f64) -> Option<f64> {
    let rho = stable_load(lambda, 1.0 / mu)?;
    Some(rho * (2.0 - rho + rho * rho) / (mu * mu * (1.0 - rho).powi(3)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::mmc::Mmc;

    fn close(got: f64, want: f64) -> bool {
        (got - want).abs() <= 1e-13 * want.abs()
    }

    #[test]
    fn pk_special_cases() {
        // M/M/1 (c_s² = 1) equals the M/M/1 formulas.
        let mm1 = Mmc::new(0.6, 1.5, 1).unwrap();
        assert!(close(
            mean_wait(0.6, 1.0 / 1.5, 1.0).unwrap(),
            mm1.mean_wait()
        ));
        assert!(close(
            mean_sojourn(0.6, 1.0 / 1.5, 1.0).unwrap(),
            mm1.mean_sojourn()
        ));
        assert!(close(
            mean_in_system(0.6, 1.0 / 1.5, 1.0).unwrap(),
            mm1.mean_in_system()
        ));
        assert!(close(
            mean_in_queue(0.6, 1.0 / 1.5, 1.0).unwrap(),
            mm1.mean_in_queue()
        ));
        // M/D/1: Wq = ρ/(2μ(1 - ρ)); ρ = 0.8, μ = 2 gives 1.
        assert!(close(mean_wait(1.6, 0.5, 0.0).unwrap(), 1.0));
        // M/E4/1: (1 + 1/4) ρ/(2μ(1 - ρ)); ρ = 0.5, μ = 1 gives 0.625.
        assert!(close(mean_wait(0.5, 1.0, 0.25).unwrap(), 0.625));
        // Little: Lq = λ Wq.
        let lq = mean_in_queue(0.3, 2.0, 3.0).unwrap();
        assert!(close(lq, 0.3 * mean_wait(0.3, 2.0, 3.0).unwrap()));
    }

    #[test]
    fn invalid_or_unstable() {
        assert_eq!(mean_wait(1.0, 1.0, 1.0), None);
        assert_eq!(mean_wait(2.0, 1.0, 1.0), None);
        assert_eq!(mean_wait(0.5, 1.0, -0.1), None);
        assert_eq!(mean_wait(-0.5, 1.0, 1.0), None);
        assert_eq!(mean_wait(0.5, 0.0, 1.0), None);
        assert_eq!(mean_wait(0.5, f64::NAN, 1.0), None);
        assert_eq!(processor_sharing_mean_sojourn(1.0, 1.0), None);
        assert_eq!(processor_sharing_sojourn_given_size(0.5, 1.0, -1.0), None);
        assert_eq!(mm1_lifo_wait_variance(1.0, 1.0), None);
        assert_eq!(mm1_lifo_wait_second_moment(0.5, 0.0), None);
        assert_eq!(mean_wait(0.0, 1.0, 1.0), Some(0.0));
    }

    #[test]
    fn ps_and_lifo_pr() {
        // ρ = 0.75, E[S] = 1.5: E[T] = 6, E[T | x = 3] = 12, L = λE[T] = ρ/(1 - ρ).
        assert!(close(
            processor_sharing_mean_sojourn(0.5, 1.5).unwrap(),
            6.0
        ));
        assert!(close(lifo_preemptive_mean_sojourn(0.5, 1.5).unwrap(), 6.0));
        assert!(close(
            processor_sharing_sojourn_given_size(0.5, 1.5, 3.0).unwrap(),
            12.0
        ));
        assert!(close(
            lifo_preemptive_sojourn_given_size(0.5, 1.5, 3.0).unwrap(),
            12.0
        ));
        assert!(close(0.5 * 6.0, 0.75 / 0.25));
        // The mean is that of M/M/1 FIFO (same L for PS, LIFO and FIFO).
        let fifo = Mmc::new(0.5, 1.0 / 1.5, 1).unwrap();
        assert!(close(fifo.mean_sojourn(), 6.0));
    }

    #[test]
    fn lifo_np_moments() {
        let (lambda, mu) = (0.8, 1.0);
        let fifo = Mmc::new(lambda, mu, 1).unwrap();
        let rho: f64 = 0.8;
        let second = mm1_lifo_wait_second_moment(lambda, mu).unwrap();
        // E[Wq²]_LIFO = E[Wq²]_FIFO / (1 - ρ) = 2·0.8/0.008 = 200.
        assert!(close(second, fifo.wait_second_moment() / (1.0 - rho)));
        assert!(close(second, 200.0));
        let mean = mean_wait(lambda, 1.0 / mu, 1.0).unwrap();
        let var = mm1_lifo_wait_variance(lambda, mu).unwrap();
        assert!(close(var, second - mean * mean));
        assert!(var > fifo.wait_variance());
        // General M/G/1 form with exponential moments E[S²] = 2/μ², E[S³] = 6/μ³.
        let general = lambda * 6.0 / (3.0 * (1.0 - rho).powi(2))
            + lambda * lambda * 4.0 / (2.0 * (1.0 - rho).powi(3));
        assert!(close(second, general));
    }
}
