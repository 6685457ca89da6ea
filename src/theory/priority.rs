//! Priority queues, formulas.md §10. Classes are given highest priority
//! first (index 0 here is class 1 of the reference). Class k has Poisson
//! arrivals λ_k and service S_k; ρ_k = λ_k E\[S_k\], σ_k = Σ_{i≤k} ρ_i, σ_0 = 0.

use super::mmc::Mmc;

/// Per-class (ρ_k, λ_k E\[S_k²\]/2) if every slice has the same non-zero
/// length and λ_k ≥ 0, E\[S_k\] > 0, c_k² ≥ 0 are finite.
fn class_loads(lambdas: &[f64], means: &[f64], scvs: &[f64]) -> Option<Vec<(f64, f64)>> {
    if lambdas.is_empty() || lambdas.len() != means.len() || lambdas.len() != scvs.len() {
        return None;
    }
    let finite = |x: &f64| x.is_finite();
    let valid = lambdas.iter().all(|&l| l >= 0.0)
        && means.iter().all(|&m| m > 0.0)
        && scvs.iter().all(|&s| s >= 0.0)
        && lambdas.iter().chain(means).chain(scvs).all(finite);
    valid.then(|| {
        lambdas
            .iter()
            .zip(means)
            .zip(scvs)
            .map(|((&l, &m), &s)| (l * m, l * (1.0 + s) * m * m / 2.0))
            .collect()
    })
}

/// M/G/1 non-preemptive (head-of-line) priority, Cobham (1954), §10a:
/// per-class mean wait in queue Wq_k = W0/((1 - σ_{k-1})(1 - σ_k)) with
/// W0 = Σ_i λ_i E\[S_i²\]/2 over all classes and E\[S²\] = (1 + c_s²)E\[S\]².
/// Sojourn: W_k = Wq_k + E\[S_k\].
///
/// `None` unless the slices have equal non-zero length, the parameters are
/// valid (λ ≥ 0, E\[S\] > 0, c_s² ≥ 0, finite) and σ_K < 1 (the whole system
/// must be stable).
pub fn mg1_nonpreemptive(
    lambdas: &[f64],
    mean_services: &[f64],
    service_scvs: &[f64],
) -> Option<Vec<f64>> {
    let loads = class_loads(lambdas, mean_services, service_scvs)?;
    let residual: f64 = loads.iter().map(|&(_, r)| r).sum();
    cobham_waits(loads.iter().map(|&(rho, _)| rho), residual)
}

/// Wq_k = numerator/((1 - σ_{k-1})(1 - σ_k)), or `None` if σ_K ≥ 1.
fn cobham_waits(loads: impl Iterator<Item = f64>, numerator: f64) -> Option<Vec<f64>> {
    let mut sigma = 0.0;
    let mut waits = Vec::new();
    for rho in loads {
        let next = sigma + rho;
        waits.push(numerator / ((1.0 - sigma) * (1.0 - next)));
        sigma = next;
    }
    (sigma < 1.0).then_some(waits)
}

/// M/G/1 preemptive-resume priority, §10b: per-class mean SOJOURN
/// W_k = E\[S_k\]/(1 - σ_{k-1}) + R_k/((1 - σ_{k-1})(1 - σ_k)) with
/// R_k = Σ_{i≤k} λ_i E\[S_i²\]/2. The waiting part is W_k - E\[S_k\].
///
/// Class k does not see lower classes, so entry k is `Some` iff σ_k < 1, even
/// when the lower classes are unstable. All entries are `None` if the slices
/// differ in length or a parameter is invalid (as in [`mg1_nonpreemptive`]).
pub fn mg1_preemptive_resume(
    lambdas: &[f64],
    mean_services: &[f64],
    service_scvs: &[f64],
) -> Vec<Option<f64>> {
    let Some(loads) = class_loads(lambdas, mean_services, service_scvs) else {
        return vec![None; lambdas.len()];
    };
    let (mut sigma, mut residual) = (0.0, 0.0);
    let mut sojourns = Vec::with_capacity(loads.len());
    for (&(rho, r), &mean) in loads.iter().zip(mean_services) {
        let next = sigma + rho;
        residual += r;
        sojourns.push(
            (next < 1.0).then(|| mean / (1.0 - sigma) + residual / ((1.0 - sigma) * (1.0 - next))),
        );
        sigma = next;
    }
    sojourns
}

/// Validated total arrival rate for the M/M/c priority models.
fn total_rate(lambdas: &[f64]) -> Option<f64> {
    let valid = !lambdas.is_empty() && lambdas.iter().all(|&l| l.is_finite() && l >= 0.0);
    valid.then(|| lambdas.iter().sum())
}

/// M/M/c non-preemptive priority with a common service rate μ, §10c:
/// per-class mean wait Wq_k = C/(cμ(1 - σ_{k-1})(1 - σ_k)), where
/// σ_k = Σ_{i≤k} λ_i/(cμ) and C = C(c, Σλ/μ) is the Erlang C of the
/// aggregate. Exact only for equal μ. Sojourn: W_k = Wq_k + 1/μ.
///
/// `None` unless `lambdas` is non-empty with λ_k ≥ 0 finite, μ > 0 finite,
/// c ≥ 1 and Σλ < cμ.
pub fn mmc_nonpreemptive(lambdas: &[f64], mu: f64, servers: u32) -> Option<Vec<f64>> {
    let total = total_rate(lambdas)?;
    let aggregate = Mmc::new(total, mu, servers)?;
    let capacity = f64::from(servers) * mu;
    cobham_waits(
        lambdas.iter().map(|l| l / capacity),
        aggregate.prob_wait() / capacity,
    )
}

/// M/M/c preemptive-resume priority with a common μ, §10d: classes 1..k form
/// an M/M/c FIFO queue with Λ_k = Σ_{i≤k} λ_i, so the per-class mean
/// SOJOURN is W_k = (L_MMc(Λ_k) - L_MMc(Λ_{k-1}))/λ_k.
///
/// Entry k is `Some` iff Λ_k < cμ and λ_k > 0 (with λ_k = 0 the difference
/// quotient is undefined). The difference loses about log10(Λ_k/λ_k) digits
/// when λ_k is a small share of Λ_k. All `None` for invalid μ, c or rates.
pub fn mmc_preemptive_resume(lambdas: &[f64], mu: f64, servers: u32) -> Vec<Option<f64>> {
    if total_rate(lambdas).is_none() {
        return vec![None; lambdas.len()];
    }
    let mean_in_system = |rate: f64| Mmc::new(rate, mu, servers).map(|q| q.mean_in_system());
    let mut cumulative = 0.0;
    let mut previous = mean_in_system(0.0);
    let mut sojourns = Vec::with_capacity(lambdas.len());
    for &lambda in lambdas {
        cumulative += lambda;
        let current = mean_in_system(cumulative);
        let sojourn = match (previous, current) {
            (Some(low), Some(high)) if lambda > 0.0 => Some((high - low) / lambda),
            _ => None,
        };
        sojourns.push(sojourn);
        previous = current;
    }
    sojourns
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::mg1;

    fn close(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol * want.abs()
    }

    #[test]
    fn cobham_hand_values_and_conservation() {
        // Two M/M/1 classes, μ = 1, λ = (0.3, 0.4): W0 = 0.7,
        // Wq1 = 0.7/0.7 = 1, Wq2 = 0.7/(0.7 · 0.3) = 10/3.
        let w = mg1_nonpreemptive(&[0.3, 0.4], &[1.0, 1.0], &[1.0, 1.0]).unwrap();
        assert!(close(w[0], 1.0, 1e-15) && close(w[1], 10.0 / 3.0, 1e-14));
        // Kleinrock: Σ ρ_k Wq_k = ρ W0/(1 - ρ), for mixed service laws.
        let (l, m, s) = ([0.2, 0.1, 0.25], [0.5, 2.0, 1.0], [0.0, 4.0, 1.0]);
        let w = mg1_nonpreemptive(&l, &m, &s).unwrap();
        let rho: f64 = l.iter().zip(&m).map(|(a, b)| a * b).sum();
        let w0: f64 = (0..3)
            .map(|i| l[i] * (1.0 + s[i]) * m[i] * m[i] / 2.0)
            .sum();
        let weighted: f64 = (0..3).map(|i| l[i] * m[i] * w[i]).sum();
        assert!(close(weighted, rho * w0 / (1.0 - rho), 1e-14));
        // One class is plain Pollaczek–Khinchine.
        let one = mg1_nonpreemptive(&[0.5], &[1.2], &[0.3]).unwrap();
        assert!(close(one[0], mg1::mean_wait(0.5, 1.2, 0.3).unwrap(), 1e-15));
    }

    #[test]
    fn preemptive_resume_hand_values() {
        // Class 1 is an isolated M/G/1: W1 = E[S] + λE[S²]/(2(1 - ρ1)).
        let (l, m, s) = ([0.2, 0.1, 0.25], [0.5, 2.0, 1.0], [0.0, 4.0, 1.0]);
        let w = mg1_preemptive_resume(&l, &m, &s);
        assert!(close(
            w[0].unwrap(),
            mg1::mean_sojourn(0.2, 0.5, 0.0).unwrap(),
            1e-15
        ));
        // Overloaded lowest class: the higher ones are still defined.
        let w = mg1_preemptive_resume(&[0.3, 0.4, 0.5], &[1.0; 3], &[1.0; 3]);
        assert!(w[0].is_some() && w[1].is_some() && w[2].is_none());
        assert!(close(w[1].unwrap(), 1.0 / 0.7 + 0.7 / (0.7 * 0.3), 1e-14));
        assert!(mg1_nonpreemptive(&[0.3, 0.4, 0.5], &[1.0; 3], &[1.0; 3]).is_none());
        assert_eq!(
            mg1_preemptive_resume(&[0.3], &[1.0, 2.0], &[1.0]),
            vec![None]
        );
        assert_eq!(mg1_nonpreemptive(&[], &[], &[]), None);
    }

    #[test]
    fn mmc_priority_reductions() {
        // c = 1 reduces to Cobham with exponential service.
        let m = mmc_nonpreemptive(&[0.3, 0.4], 1.0, 1).unwrap();
        let g = mg1_nonpreemptive(&[0.3, 0.4], &[1.0, 1.0], &[1.0, 1.0]).unwrap();
        assert!(close(m[0], g[0], 1e-14) && close(m[1], g[1], 1e-14));
        // Rate-weighted average of class waits is the FIFO aggregate C/(cμ - λ).
        let l = [0.5, 1.0, 1.0];
        let w = mmc_nonpreemptive(&l, 1.0, 3).unwrap();
        let fifo = Mmc::new(2.5, 1.0, 3).unwrap().mean_wait();
        let average: f64 = l.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() / 2.5;
        assert!(close(average, fifo, 1e-14));
        assert!(mmc_nonpreemptive(&[2.0, 1.0], 1.0, 3).is_none());
        // Preemptive-resume: class 1 alone is M/M/c; λ-weighted sojourns give L.
        let pr = mmc_preemptive_resume(&l, 1.0, 3);
        assert!(close(
            pr[0].unwrap(),
            Mmc::new(0.5, 1.0, 3).unwrap().mean_sojourn(),
            1e-14
        ));
        let total: f64 = l.iter().zip(&pr).map(|(a, b)| a * b.unwrap()).sum();
        assert!(close(
            total,
            Mmc::new(2.5, 1.0, 3).unwrap().mean_in_system(),
            1e-13
        ));
        // c = 1 matches the M/G/1 preemptive-resume formula.
        let a = mmc_preemptive_resume(&[0.3, 0.4], 1.0, 1);
        let b = mg1_preemptive_resume(&[0.3, 0.4], &[1.0, 1.0], &[1.0, 1.0]);
        assert!(close(a[1].unwrap(), b[1].unwrap(), 1e-13));
        let partial = mmc_preemptive_resume(&[2.0, 0.0, 2.0], 1.0, 3);
        assert!(partial[0].is_some() && partial[1].is_none() && partial[2].is_none());
    }
}
