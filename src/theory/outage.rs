//! Consumer outages: the M/G/1 queue whose server breaks down at any time,
//! busy or idle (a crash), after exponential up times of rate η, and is
//! repaired after a general repair time R; a service cut by a failure is
//! repeated from the start with the same requirement (preemptive-repeat,
//! identical work: what RabbitMQ's redelivery of an unacknowledged message
//! does, and what the simulator does).
//!
//! The completion-time approach (Gaver 1962; Avi-Itzhak & Naor 1963;
//! Takagi, Queueing Analysis vol. 1, §2.6): a message holds the server
//! for its completion time C, from its first start to its departure, with
//! the failed attempts and their repairs. Given S = s, the attempts fail
//! while the up time is below s, so K ~ geometric with success e^{−ηs}:
//! - E\[K\] = E\[e^{ηS}\] − 1 redeliveries per message;
//! - E\[C\] = (E\[e^{ηS}\] − 1)(1/η + E\[R\]) (Gaver's restart time);
//! - E\[C²\] = 2k²(M(2η) − 2M(η) + 1) − 2k M′(η) + (2k/η + E\[R²\])(M(η) − 1),
//!   with k = 1/η + E\[R\], M(t) = E\[e^{tS}\] and M′(t) = E\[S e^{tS}\]
//!   (computed as 2k²E\[(e^{ηS} − 1)²\] + E\[R²\]E\[e^{ηS} − 1\] −
//!   (2k/η)E\[ηSe^{ηS} − e^{ηS} + 1\], where nothing large cancels);
//! - time in service (the attempts, repairs left out): (E\[e^{ηS}\] − 1)/η.
//!
//! Failures also strike an idle server, so a message arriving at an empty
//! queue may find it down and wait the rest of the repair, D: the queue is
//! an M/G/1 with an exceptional first service C₀ = D + C (Welch 1964). An
//! idle period starts up (a departure needs an up server) and ends at an
//! Exp(λ) arrival; by memorylessness, with f = η/(λ + η) and
//! L = E\[e^{−λR}\], one idle cycle ends in a repair with probability
//! f(1 − L) and restarts with f·L, so
//! - E\[D\] = f(E\[R\] − (1 − L)/λ)/(1 − fL),
//! - E\[D²\] = f(E\[R²\] − 2E\[R\]/λ + 2(1 − L)/λ²)/(1 − fL).
//!
//! With ρ = λE\[C\] < 1 and p₀ = (1 − ρ)/(1 − ρ + λE\[C₀\]) (arrivals
//! finding the queue empty), the mean time to a message's first start is
//! W₀ = λ(p₀E\[C₀²\] + (1 − p₀)E\[C²\])/(2(1 − ρ)) (Welch's mean wait), and
//! its sojourn T = W₀ + p₀E\[C₀\] + (1 − p₀)E\[C\]. The simulator counts
//! every attempt as service, so its wait is the time in the line (waiting
//! for a consumer, or waiting out a repair after a redelivery):
//! T − (E\[e^{ηS}\] − 1)/η.
//!
//! Several consumers (c > 1) on a shared line: each consumer's failures
//! strike busy or idle, independently of the messages, so an attempt
//! still fails with probability 1 − e^{−ηS} whoever serves it, and a
//! message spends (E\[e^{ηS}\] − 1)/η in service, whatever the schedule.
//! Little's law on the attempts then gives the share of consumer-time
//! serving, λ(E\[e^{ηS}\] − 1)/(ηc), exact once the queue is stable;
//! saturated, every consumer up is busy, so the queue is stable when that
//! share is below the availability A = E\[up\]/(E\[up\] + E\[R\]) (for
//! c = 1 this is ρ = λE\[C\] < 1). The waits have no exact formula here,
//! not even with exponential service and repairs: the M/M/c queue with
//! breakdowns, a quasi-birth-death process in (messages, consumers up),
//! repeats a cut service with a NEW requirement (or resumes it), which
//! is not what happens here. A message of requirement S ~ Exp(μ) cut at
//! age a has S > a, so its next attempt needs a + Exp(μ), not Exp(μ): the
//! future depends on every redelivered message's greatest attained age, a
//! continuous variable no finite phase set holds. The two models differ
//! already at c = 1: redeliveries η/(μ − η) per message here against η/μ,
//! and a mean completion time (1 + ηE\[R\])/(μ − η) against (1 +
//! ηE\[R\])/μ.
//!
//! The service moments need E\[e^{2ηS}\] finite (exponential, Erlang and
//! gamma service only while their scale is below 1/(2η); lognormal,
//! Weibull and Pareto have no closed form and get no formula).

use crate::dist::Dist;

/// E\[e^{tX}\] − 1 and E\[X e^{tX}\] for `dist` (t < 0: the Laplace
/// transform at −t, less 1), where they are finite and have a closed form;
/// the first without cancellation, so a tiny t keeps its digits.
pub fn transform(dist: &Dist, t: f64) -> Option<(f64, f64)> {
    // A gamma of shape α and scale θ: (1 − θt)^−α and αθ(1 − θt)^−(α+1).
    let gamma = |shape: f64, scale: f64| {
        let base = 1.0 - scale * t;
        (base > 0.0).then(|| {
            let excess = (-shape * (-scale * t).ln_1p()).exp_m1();
            (excess, shape * scale * base.powf(-shape - 1.0))
        })
    };
    let values = match dist {
        Dist::Exponential { mean, .. } => gamma(1.0, *mean)?,
        Dist::Deterministic { value } => ((t * value).exp_m1(), value * (t * value).exp()),
        Dist::Erlang { k, mean, .. } => gamma(f64::from(*k), mean / f64::from(*k))?,
        Dist::Gamma { mean, scv, .. } => gamma(1.0 / scv, mean * scv)?,
        Dist::Hyperexponential { phases } => {
            let mut sums = (0.0, 0.0);
            for phase in phases.iter() {
                let (m, d) = gamma(1.0, 1.0 / phase.rate())?;
                sums = (sums.0 + phase.prob() * m, sums.1 + phase.prob() * d);
            }
            sums
        }
        Dist::Uniform { low, high, .. } if t == 0.0 => (0.0, low.midpoint(*high)),
        Dist::Uniform { low, high, .. } => {
            let (a, b, width) = ((t * low).exp(), (t * high).exp(), high - low);
            let excess = ((t * high).exp_m1() - (t * low).exp_m1() - t * width) / (t * width);
            let derivative = ((high * b - low * a) * t - (b - a)) / (t * t * width);
            (excess, derivative)
        }
        Dist::Empirical { samples, .. } => {
            let n = samples.len() as f64;
            let excess = samples.iter().map(|x| (t * x).exp_m1()).sum::<f64>() / n;
            let derivative = samples.iter().map(|x| x * (t * x).exp()).sum::<f64>() / n;
            (excess, derivative)
        }
        Dist::LogNormal { .. }
        | Dist::Weibull { .. }
        | Dist::Pareto { .. }
        | Dist::Sequence { .. } => return None,
    };
    (values.0.is_finite() && values.1.is_finite()).then_some(values)
}

/// The first two moments of a distribution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moments {
    /// E\[X\].
    pub mean: f64,
    /// E\[X²\].
    pub second: f64,
}

impl Moments {
    /// The moments of `dist`.
    pub fn of(dist: &Dist) -> Moments {
        let mean = dist.mean();
        Moments {
            mean,
            second: dist.variance() + mean * mean,
        }
    }
}

/// What one message costs a server that fails at rate η and repeats cut
/// services (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Completion {
    /// Moments of the completion time C (attempts and repairs).
    pub time: Moments,
    /// E\[K\]: failed attempts, each a redelivery.
    pub redeliveries: f64,
    /// Mean time in service, the attempts only.
    pub in_service: f64,
}

/// The completion time of a service from `service` on a server failing
/// at rate `eta` with repairs of moments `repair`; `None` without a
/// closed-form E\[e^{2ηS}\], or when it is infinite.
pub fn completion(service: &Dist, eta: f64, repair: Moments) -> Option<Completion> {
    let (e1, d1) = transform(service, eta)?;
    let (e2, _) = transform(service, 2.0 * eta)?;
    let up = 1.0 / eta;
    let k = up + repair.mean;
    let redeliveries = e1;
    let mean = redeliveries * k;
    // E[C²] regrouped so that no two large terms cancel: 2k²E[(e^{ηS} −
    // 1)²] + E[R²]E[e^{ηS} − 1] − (2k/η)E[h(ηS)], h(x) = xeˣ − eˣ + 1.
    let squared = e2 - 2.0 * e1;
    let h = eta * d1 - e1;
    let second = 2.0 * k * k * squared + repair.second * redeliveries - 2.0 * k * up * h;
    Some(Completion {
        time: Moments { mean, second },
        redeliveries,
        in_service: redeliveries * up,
    })
}

/// Moments of the rest of a repair D found by a message arriving at rate
/// `lambda` to an idle server failing at rate `eta` (0 when it finds it
/// up), with repairs of moments `repair` and Laplace transform
/// `repair_transform` = E\[e^{−λR}\].
pub fn idle_repair(lambda: f64, eta: f64, repair: Moments, repair_transform: f64) -> Moments {
    let f = eta / (lambda + eta);
    let missed = 1.0 - repair_transform;
    let restart = 1.0 - f * repair_transform;
    Moments {
        mean: f * (repair.mean - missed / lambda) / restart,
        second: f * (repair.second - 2.0 * repair.mean / lambda + 2.0 * missed / (lambda * lambda))
            / restart,
    }
}

/// Mean figures of the one-consumer queue with breakdowns.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Breakdowns {
    /// Mean sojourn T.
    pub sojourn: f64,
    /// Mean time in the line, T less the time in service.
    pub wait: f64,
    /// Share of time serving (attempts included).
    pub utilisation: f64,
    /// Redeliveries per message.
    pub redeliveries: f64,
}

/// The M/G/1 queue with arrival rate `lambda`, service `service`,
/// exponential up times of mean `mtbf` and repairs from `repair` (see the
/// module doc); `None` without closed forms, or when ρ = λE\[C\] ≥ 1.
pub fn one_consumer(lambda: f64, service: &Dist, mtbf: f64, repair: &Dist) -> Option<Breakdowns> {
    let eta = 1.0 / mtbf;
    let moments = Moments::of(repair);
    let c = completion(service, eta, moments)?;
    let (repair_excess, _) = transform(repair, -lambda)?;
    let repair_transform = 1.0 + repair_excess;
    let d = idle_repair(lambda, eta, moments, repair_transform);
    let rho = lambda * c.time.mean;
    if !(lambda > 0.0 && rho < 1.0) {
        return None;
    }
    let first = Moments {
        mean: d.mean + c.time.mean,
        second: d.second + 2.0 * d.mean * c.time.mean + c.time.second,
    };
    let empty = (1.0 - rho) / (1.0 - rho + lambda * first.mean);
    let to_start =
        lambda * (empty * first.second + (1.0 - empty) * c.time.second) / (2.0 * (1.0 - rho));
    let sojourn = to_start + empty * first.mean + (1.0 - empty) * c.time.mean;
    Some(Breakdowns {
        sojourn,
        wait: sojourn - c.in_service,
        utilisation: lambda * c.in_service,
        redeliveries: c.redeliveries,
    })
}

/// The share of consumer-time serving (attempts included) of `consumers`
/// consumers up a share `availability` of the time, fed at rate `lambda`,
/// each message `completion` of service (see the module doc: Little's law
/// on the attempts, exact); `None` when the queue is not stable (that
/// share at least the availability).
pub fn busy_share(
    lambda: f64,
    completion: &Completion,
    consumers: u32,
    availability: f64,
) -> Option<f64> {
    let share = lambda * completion.in_service / f64::from(consumers);
    (lambda > 0.0 && share < availability).then_some(share)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::E;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * b.abs().max(1e-300)
    }

    #[test]
    fn transforms_of_known_cases() {
        let exp = Dist::exponential_mean(2.0).unwrap();
        // 1/(1 − 2t) at t = 0.1: 1.25; derivative 2/(1 − 0.2)² = 3.125.
        let (m, d) = transform(&exp, 0.1).unwrap();
        assert!(close(m, 0.25, 1e-14) && close(d, 3.125, 1e-14));
        assert_eq!(transform(&exp, 0.5), None, "infinite at t = 1/mean");
        // A tiny t keeps its digits: 2t/(1 − 2t) at t = 1e-12.
        let (m, _) = transform(&exp, 1e-12).unwrap();
        assert!(close(m, 2e-12 / (1.0 - 2e-12), 1e-14));
        let det = Dist::deterministic(1.0).unwrap();
        let (m, d) = transform(&det, 1.0).unwrap();
        assert!(close(m, E - 1.0, 1e-15) && close(d, E, 1e-15));
        // Erlang 2 of mean 2 (phases of mean 1): (1 − t)^−2 at t = 0.5 is 4.
        let erlang = Dist::erlang(2, 2.0).unwrap();
        assert!(close(transform(&erlang, 0.5).unwrap().0, 3.0, 1e-12));
        // Uniform [0, 1): (e − 1)/1 at t = 1, derivative 1 (∫ x eˣ = 1).
        let uniform = Dist::uniform(0.0, 1.0).unwrap();
        let (m, d) = transform(&uniform, 1.0).unwrap();
        assert!(close(m, E - 2.0, 1e-12) && close(d, 1.0, 1e-12));
        // Laplace transform of a deterministic 2 at λ = 0.5: e^−1.
        let two = Dist::deterministic(2.0).unwrap();
        let laplace = 1.0 + transform(&two, -0.5).unwrap().0;
        assert!(close(laplace, (-1.0f64).exp(), 1e-15));
        assert_eq!(transform(&Dist::lognormal(1.0, 1.0).unwrap(), 0.1), None);
    }

    /// E\[C\] and E\[C²\] by differentiating Gaver's transform of the
    /// restart time numerically: for S = s and exponential repairs of
    /// rate β, E\[e^{−θC}\] = (θ+η)e^{−(θ+η)s} / (θ + η − η β/(β+θ)
    /// (1 − e^{−(θ+η)s})).
    fn gaver_moments(s: f64, eta: f64, beta: f64) -> (f64, f64) {
        let phi = |theta: f64| {
            let e = (-(theta + eta) * s).exp();
            (theta + eta) * e / (theta + eta - eta * beta / (beta + theta) * (1.0 - e))
        };
        let h = 1e-4;
        let first = -(phi(h) - phi(-h)) / (2.0 * h);
        let second = (phi(h) - 2.0 * phi(0.0) + phi(-h)) / (h * h);
        (first, second)
    }

    #[test]
    fn completion_time_matches_gavers_transform() {
        for (s, eta, repair_mean) in [(1.0, 1.0, 0.5), (2.0, 0.1, 3.0), (0.5, 0.02, 10.0)] {
            let repair = Moments {
                mean: repair_mean,
                second: 2.0 * repair_mean * repair_mean,
            };
            let c = completion(&Dist::deterministic(s).unwrap(), eta, repair).unwrap();
            let (mean, second) = gaver_moments(s, eta, 1.0 / repair_mean);
            assert!(close(c.time.mean, mean, 1e-6), "{s} {eta}: {c:?} vs {mean}");
            assert!(
                close(c.time.second, second, 1e-4),
                "{s} {eta}: {c:?} vs {second}"
            );
        }
    }

    #[test]
    fn completion_time_by_hand() {
        // s = 1, η = 1, no repair: the wait for an up time of 1 in a rate-1
        // Poisson stream of failures, E = e − 1, E[C²] = 2(e − 1)² − 2;
        // every instant of it is spent in service, and E[K] = e¹ − 1.
        let none = Moments {
            mean: 0.0,
            second: 0.0,
        };
        let c = completion(&Dist::deterministic(1.0).unwrap(), 1.0, none).unwrap();
        assert!(close(c.time.mean, E - 1.0, 1e-15));
        assert!(close(c.time.second, 2.0 * (E - 1.0).powi(2) - 2.0, 1e-14));
        assert!(close(c.redeliveries, E - 1.0, 1e-15) && close(c.in_service, E - 1.0, 1e-15));
        // Exponential service of mean 1, η = 0.05: E[K] = 1/0.95 − 1.
        let exp = Dist::exponential_mean(1.0).unwrap();
        let c = completion(&exp, 0.05, none).unwrap();
        assert!(close(c.redeliveries, 1.0 / 0.95 - 1.0, 1e-14));
    }

    #[test]
    fn the_rest_of_an_exponential_repair_is_exponential() {
        // Repairs Exp(β): an idle cycle ends in a repair with probability
        // f(1 − L), L = β/(β+λ), restarting with f·L; the rest of the
        // repair is then Exp(β) again (memoryless).
        let (lambda, eta, beta) = (0.5, 0.2, 0.25);
        let f = eta / (lambda + eta);
        let l = beta / (beta + lambda);
        let down = f * (1.0 - l) / (1.0 - f * l);
        let repair = Moments {
            mean: 1.0 / beta,
            second: 2.0 / (beta * beta),
        };
        let d = idle_repair(lambda, eta, repair, l);
        assert!(close(d.mean, down / beta, 1e-14));
        assert!(close(d.second, 2.0 * down / (beta * beta), 1e-14));
    }

    #[test]
    fn rare_failures_leave_pollaczek_khinchine() {
        // η → 0: M/G/1, Wq = λE[S²]/(2(1 − ρ)); λ = 0.5, S ~ Exp(1): Wq = 1.
        let exp = Dist::exponential_mean(1.0).unwrap();
        let repair = Dist::deterministic(1.0).unwrap();
        // (At η = 1e-7 the breakdowns add about 1e-6, and rounding in
        // E[(e^{ηS} − 1)²] about ε/η.)
        let b = one_consumer(0.5, &exp, 1e7, &repair).unwrap();
        assert!(close(b.wait, 1.0, 1e-5), "{b:?}");
        assert!(close(b.sojourn, 2.0, 1e-5) && close(b.utilisation, 0.5, 1e-5));
    }

    #[test]
    fn the_mean_wait_is_welchs_for_an_exceptional_first_service() {
        // Welch (1964): W = λE[C²]/(2(1 − ρ)) + λ(E[C₀²] − E[C²]) /
        // (2(1 − ρ + λE[C₀])), the time to a message's first start.
        let (lambda, mtbf) = (0.5, 20.0);
        let service = Dist::exponential_mean(1.0).unwrap();
        let repair = Dist::deterministic(2.0).unwrap();
        let b = one_consumer(lambda, &service, mtbf, &repair).unwrap();
        let moments = Moments::of(&repair);
        let c = completion(&service, 1.0 / mtbf, moments).unwrap();
        let d = idle_repair(lambda, 1.0 / mtbf, moments, (-lambda * 2.0f64).exp());
        let (c1, c2) = (c.time.mean, c.time.second);
        let (f1, f2) = (d.mean + c1, d.second + 2.0 * d.mean * c1 + c2);
        let rho = lambda * c1;
        let welch = lambda * c2 / (2.0 * (1.0 - rho))
            + lambda * (f2 - c2) / (2.0 * (1.0 - rho + lambda * f1));
        let empty = (1.0 - rho) / (1.0 - rho + lambda * f1);
        let sojourn = welch + empty * f1 + (1.0 - empty) * c1;
        assert!(close(b.sojourn, sojourn, 1e-12));
        // By hand (S ~ Exp(1), η = 0.05, R = 2; the steps above worked at
        // 40 digits): E[K] = 1/19, E[C] = 22/19, time in service 20/19,
        // T = 3.2875465178096757...
        assert!(close(c1, 22.0 / 19.0, 1e-14) && close(b.wait, b.sojourn - 20.0 / 19.0, 1e-14));
        assert!(close(b.sojourn, 3.287_546_517_809_676, 1e-13), "{b:?}");
    }

    #[test]
    fn one_consumer_busy_share_is_the_mg1_utilisation_and_stable_alike() {
        // c = 1: λ(E[e^{ηS}] − 1)/η below A exactly when ρ = λE[C] < 1,
        // as E[C] = (time in service)/A; S ~ Exp(1), η = 0.05, R = 2:
        // time in service 20/19, A = 10/11, so stable below λ = 19/22.
        let service = Dist::exponential_mean(1.0).unwrap();
        let repair = Dist::deterministic(2.0).unwrap();
        let moments = Moments::of(&repair);
        let c = completion(&service, 0.05, moments).unwrap();
        let availability = 20.0 / 22.0;
        for lambda in [0.1, 0.5, 0.86] {
            let b = one_consumer(lambda, &service, 20.0, &repair).unwrap();
            let share = busy_share(lambda, &c, 1, availability).unwrap();
            assert!(close(share, b.utilisation, 1e-14), "{lambda}");
        }
        assert_eq!(busy_share(0.87, &c, 1, availability), None);
        assert_eq!(one_consumer(0.87, &service, 20.0, &repair), None);
        // Four consumers carry four times the load: λ(20/19)/4 < 10/11.
        let share = busy_share(3.4, &c, 4, availability).unwrap();
        assert!(close(share, 3.4 * 20.0 / 19.0 / 4.0, 1e-14));
        assert_eq!(busy_share(3.5, &c, 4, availability), None);
        // Rare failures leave M/M/c's λ/(cμ): 3/(4·1) at η = 1e-9.
        let rare = completion(&service, 1e-9, moments).unwrap();
        let share = busy_share(3.0, &rare, 4, 1.0 / (1.0 + 2e-9)).unwrap();
        assert!(close(share, 0.75, 1e-8), "{share}");
    }

    #[test]
    fn an_unstable_or_uncovered_queue_gets_nothing() {
        let exp = Dist::exponential_mean(1.0).unwrap();
        let repair = Dist::deterministic(2.0).unwrap();
        assert_eq!(one_consumer(0.9, &exp, 5.0, &repair), None, "ρ ≥ 1");
        // E[e^{2ηS}] infinite for exponential service of mean ≥ 1/(2η).
        assert_eq!(one_consumer(0.1, &exp, 1.5, &repair), None);
        let weibull = Dist::weibull(2.0, 1.0).unwrap();
        assert_eq!(one_consumer(0.1, &weibull, 50.0, &repair), None);
    }
}
