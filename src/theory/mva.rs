//! Exact single-class Mean Value Analysis for closed product-form networks
//! (Reiser & Lavenberg 1980), formulas.md §14.

/// Kind of station in a closed network (§14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StationKind {
    /// Single server, load-independent (FCFS with exponential service, or PS
    /// / LCFS-PR with any service distribution).
    Queue,
    /// Infinite server (pure delay).
    Delay,
}

/// One station: visit ratio V_k (per reference visit), mean service time
/// S_k per visit, and kind. Its demand is D_k = V_k S_k.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MvaStation {
    /// Visit ratio V_k ≥ 0.
    pub visits: f64,
    /// Mean service time per visit S_k ≥ 0.
    pub service_time: f64,
    /// Queue or delay.
    pub kind: StationKind,
}

/// Per-station MVA output at population N.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MvaStationResult {
    /// Mean number at the station Q_k = X R_k.
    pub queue_length: f64,
    /// Utilisation U_k = X D_k (< 1 for a queue station).
    pub utilisation: f64,
    /// Residence time R_k = V_k × response per visit.
    pub residence_time: f64,
    /// Response time per visit R_k/V_k: S_k(1 + Q_k(N-1)) for a queue, S_k
    /// for a delay (defined even when V_k = 0).
    pub response_per_visit: f64,
    /// Station throughput X_k = X V_k.
    pub throughput: f64,
}

/// Result of [`exact_mva`].
#[derive(Debug, Clone, PartialEq)]
pub struct MvaResult {
    /// System throughput X = X(N), in reference visits (V_ref = 1) per time.
    pub throughput: f64,
    /// System response R = Σ_k R_k (includes delay stations, excludes Z).
    pub response_time: f64,
    /// Per-station results, in input order.
    pub stations: Vec<MvaStationResult>,
}

/// Exact MVA (§14). Starting from Q_k(0) = 0, for n = 1..=N:
/// R_k(n) = D_k(1 + Q_k(n-1)) (queue) or D_k (delay),
/// X(n) = n/(Z + Σ_k R_k(n)), Q_k(n) = X(n) R_k(n). O(N·K), stable.
/// Little holds by construction: N = X(Z + R).
///
/// `None` if N = 0, the think time Z or any V_k, S_k is negative or not
/// finite, or Z + Σ D_k = 0 (infinite throughput).
pub fn exact_mva(stations: &[MvaStation], customers: u32, think_time: f64) -> Option<MvaResult> {
    let finite_non_negative = |x: f64| x.is_finite() && x >= 0.0;
    let valid = customers > 0
        && finite_non_negative(think_time)
        && stations
            .iter()
            .all(|s| finite_non_negative(s.visits) && finite_non_negative(s.service_time));
    let total_demand: f64 = stations.iter().map(|s| s.visits * s.service_time).sum();
    if !valid || think_time + total_demand <= 0.0 {
        return None;
    }
    let mut queue = vec![0.0; stations.len()];
    let mut per_visit = vec![0.0; stations.len()];
    let mut throughput = 0.0;
    let mut response = 0.0;
    for n in 1..=customers {
        for ((r, q), s) in per_visit.iter_mut().zip(&queue).zip(stations) {
            *r = match s.kind {
                StationKind::Queue => s.service_time * (1.0 + q),
                StationKind::Delay => s.service_time,
            };
        }
        response = per_visit
            .iter()
            .zip(stations)
            .map(|(r, s)| s.visits * r)
            .sum();
        throughput = f64::from(n) / (think_time + response);
        for ((q, r), s) in queue.iter_mut().zip(&per_visit).zip(stations) {
            *q = throughput * s.visits * r;
        }
    }
    let results = stations
        .iter()
        .zip(queue.iter().zip(&per_visit))
        .map(|(s, (&q, &r))| MvaStationResult {
            queue_length: q,
            utilisation: throughput * s.visits * s.service_time,
            residence_time: s.visits * r,
            response_per_visit: r,
            throughput: throughput * s.visits,
        })
        .collect();
    Some(MvaResult {
        throughput,
        response_time: response,
        stations: results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn station(visits: f64, service_time: f64, kind: StationKind) -> MvaStation {
        MvaStation {
            visits,
            service_time,
            kind,
        }
    }

    fn close(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol * want.abs()
    }

    #[test]
    fn single_queue_and_balanced_queues() {
        // One queue, no think time: every customer is there, X = 1/D.
        let r = exact_mva(&[station(1.0, 0.5, StationKind::Queue)], 7, 0.0).unwrap();
        assert!(close(r.throughput, 2.0, 1e-15));
        assert!(close(r.stations[0].queue_length, 7.0, 1e-15));
        // K balanced queues with demand D: X(N) = N/((N + K - 1) D).
        let s = [station(2.0, 0.1, StationKind::Queue); 3];
        let r = exact_mva(&s, 10, 0.0).unwrap();
        assert!(close(r.throughput, 10.0 / (12.0 * 0.2), 1e-14));
        // Delay only: X = N/(Z + D).
        let r = exact_mva(&[station(1.0, 3.0, StationKind::Delay)], 4, 1.0).unwrap();
        assert!(close(r.throughput, 1.0, 1e-15));
        assert!(close(r.stations[0].queue_length, 3.0, 1e-15));
    }

    #[test]
    fn bounds_and_little() {
        let s = [
            station(10.0, 0.04, StationKind::Queue),
            station(8.0, 0.03, StationKind::Queue),
            station(6.0, 0.025, StationKind::Queue),
            station(1.0, 1.0, StationKind::Delay),
        ];
        let z = 5.0;
        let demands: Vec<f64> = s.iter().map(|s| s.visits * s.service_time).collect();
        let total: f64 = demands.iter().sum();
        let d_max = demands[..3].iter().cloned().fold(0.0, f64::max);
        for n in [1_u32, 2, 5, 20, 50, 200] {
            let r = exact_mva(&s, n, z).unwrap();
            let nf = f64::from(n);
            assert!(r.throughput <= (nf / (total + z)).min(1.0 / d_max) * (1.0 + 1e-14));
            // Lower bound N/(N D + Z) (balanced-job bound, pessimistic).
            assert!(r.throughput >= nf / (nf * total + z) * (1.0 - 1e-14));
            assert!(close(r.throughput * (z + r.response_time), nf, 1e-13));
            let queued: f64 = r.stations.iter().map(|x| x.queue_length).sum();
            assert!(close(queued + r.throughput * z, nf, 1e-13));
            for (k, x) in r.stations.iter().enumerate() {
                assert!(close(x.utilisation, r.throughput * demands[k], 1e-15));
                assert!(close(
                    x.residence_time,
                    s[k].visits * x.response_per_visit,
                    1e-15
                ));
                assert!(close(x.throughput, r.throughput * s[k].visits, 1e-15));
                if s[k].kind == StationKind::Queue {
                    // U → 1 at the bottleneck as N grows; it may round to 1.
                    assert!(x.utilisation <= 1.0);
                }
            }
        }
        let one = exact_mva(&s, 1, z).unwrap();
        assert!(close(one.throughput, 1.0 / (total + z), 1e-15));
    }

    #[test]
    fn invalid_inputs() {
        let s = [station(1.0, 1.0, StationKind::Queue)];
        assert!(exact_mva(&s, 0, 0.0).is_none());
        assert!(exact_mva(&s, 3, -1.0).is_none());
        assert!(exact_mva(&[station(-1.0, 1.0, StationKind::Queue)], 3, 0.0).is_none());
        assert!(exact_mva(&[station(1.0, 0.0, StationKind::Queue)], 3, 0.0).is_none());
        assert!(exact_mva(&[], 3, 2.0).is_some());
    }
}
