//! Every model on a grid of extreme finite and non-finite inputs: nothing
//! may panic or hang (results outside validity are `None` or NaN).

use super::*;

const VALUES: [f64; 11] = [
    -1.0,
    0.0,
    1e-300,
    1e-9,
    0.5,
    3.0,
    1e6,
    1e300,
    f64::MAX,
    f64::NAN,
    f64::INFINITY,
];
const COUNTS: [u32; 5] = [0, 1, 2, 50, u32::MAX];
const PROBS: [f64; 7] = [-0.1, 0.0, 1e-12, 0.5, 0.99, 1.0, f64::NAN];

#[test]
fn extreme_inputs_do_not_panic() {
    for a in VALUES {
        for c in COUNTS {
            let _ = (erlang::erlang_b(c, a), erlang::erlang_c(c, a));
        }
        let _ = priority::mg1_preemptive_resume(&[a, 0.1], &[1.0, a], &[a, 1.0]);
        let _ = priority::mmc_preemptive_resume(&[a, 0.1], 1.0, 2);
        let _ = jackson::JacksonNetwork::new(&[a], &[vec![0.5]], &[2.0], &[None]);
        let station = mva::MvaStation {
            visits: a,
            service_time: 1.0,
            kind: mva::StationKind::Queue,
        };
        let _ = mva::exact_mva(&[station], 3, a);
    }
    for (lambda, mu) in VALUES.into_iter().flat_map(|l| VALUES.map(|m| (l, m))) {
        let _ = (
            mg1::mean_wait(lambda, mu, mu),
            mg1::mm1_lifo_wait_variance(lambda, mu),
        );
        let _ = approx::kingman_mean_wait(lambda, mu, 1.0, mu);
        if let Some(q) = mminf::Mminf::new(lambda, mu) {
            let _ = (q.prob_n(0), q.prob_n(u64::MAX));
        }
        for c in COUNTS {
            for theta in VALUES {
                let _ = abandonment::ErlangA::new(lambda, mu, c.min(50), theta);
            }
            let _ = approx::allen_cunneen_mean_wait(lambda, mu, c, 1.0, 2.0);
            if let Some(q) = mmc::Mmc::new(lambda, mu, c.min(50)) {
                for t in VALUES {
                    let _ = (q.wait_tail(t), q.sojourn_tail(t), q.prob_n(7));
                }
                for p in PROBS {
                    let _ = (q.wait_quantile(p), q.sojourn_quantile(p));
                }
            }
            for capacity in [0, 1, 2, 60] {
                if let Some(q) = mmck::Mmck::new(lambda, mu, c, capacity) {
                    let _ = (q.mean_in_system(), q.mean_sojourn(), q.prob_wait());
                    for t in VALUES {
                        let _ = (q.wait_tail(t), q.sojourn_tail(t));
                    }
                    for p in PROBS {
                        let _ = (q.wait_quantile(p), q.sojourn_quantile(p));
                    }
                }
            }
        }
    }
}
