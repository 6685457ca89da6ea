//! The GI/M/1 queue: renewal arrivals, one server with exponential service
//! (rate μ), FIFO. EXACT (Kleinrock, Queueing Systems I, §6.4): σ in
//! (0, 1) solves σ = A*(μ(1 − σ)), A* the Laplace transform of the gaps;
//! an arrival finds the server busy with probability σ, P(wait > t) =
//! σ e^{−μ(1−σ)t}, the sojourn is exponential of rate μ(1 − σ) and
//! Wq = σ/(μ(1 − σ)).
//!
//! Erlang-c gaps (a Poisson stream split in turn over c consumers,
//! `prefetch`), evenly spaced arrivals (D/M/1: OMB's producers, `omb
//! compare`) and any renewal producer whose gaps have a closed-form
//! transform feeding one exponential consumer use it.

use crate::dist::Dist;

/// A stable GI/M/1 queue, by its σ and service rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GiM1 {
    /// σ: the probability that an arrival finds the server busy.
    pub sigma: f64,
    /// Service rate μ.
    pub mu: f64,
}

impl GiM1 {
    /// The queue with gaps of Laplace transform `gap_transform`, arrival
    /// rate `lambda` and service rate `mu`; `None` unless 0 < λ < μ (all
    /// finite).
    pub fn solve(lambda: f64, mu: f64, gap_transform: impl Fn(f64) -> f64) -> Option<Self> {
        let valid = lambda.is_finite() && mu.is_finite() && lambda > 0.0 && mu > 0.0;
        if !valid || lambda >= mu {
            return None;
        }
        // f(σ) = A*(μ(1 − σ)) − σ is positive at 0 and vanishes at 1, where
        // its slope is μ/λ − 1 > 0 (stable): negative just below 1, so the
        // root sought lies between. Bisect, from a `high` below 1 where f
        // is negative to double precision.
        let f = |sigma: f64| gap_transform(mu * (1.0 - sigma)) - sigma;
        let (mut low, mut high) = (0.0, 1.0 - 1e-15);
        while f(high) >= 0.0 {
            high = 1.0 - 2.0 * (1.0 - high);
            if high <= 0.0 {
                return None;
            }
        }
        for _ in 0..200 {
            let middle = 0.5 * (low + high);
            if f(middle) > 0.0 {
                low = middle;
            } else {
                high = middle;
            }
        }
        Some(GiM1 {
            sigma: 0.5 * (low + high),
            mu,
        })
    }

    /// The queue fed by renewal arrivals with gaps `gaps` (rate 1/mean)
    /// at service rate `mu`; `None` unless the gaps' transform has a
    /// closed form ([`Dist::laplace`]) and the queue is stable.
    pub fn renewal(gaps: &Dist, mu: f64) -> Option<Self> {
        gaps.laplace(0.0)?;
        GiM1::solve(1.0 / gaps.mean(), mu, |s| {
            gaps.laplace(s).unwrap_or(f64::NAN)
        })
    }

    /// D/M/1: arrivals evenly spaced at rate `lambda` (gaps 1/λ, A*(s) =
    /// e^{−s/λ}); `None` unless 0 < λ < μ.
    pub fn evenly_spaced(lambda: f64, mu: f64) -> Option<Self> {
        GiM1::solve(lambda, mu, |s| (-s / lambda).exp())
    }

    /// Rate of the exponential sojourn, μ(1 − σ) (and of the wait's
    /// tail).
    pub fn decay(&self) -> f64 {
        self.mu * (1.0 - self.sigma)
    }

    /// Mean wait Wq = σ/(μ(1 − σ)).
    pub fn mean_wait(&self) -> f64 {
        self.sigma / self.decay()
    }

    /// Mean sojourn W = 1/(μ(1 − σ)).
    pub fn mean_sojourn(&self) -> f64 {
        1.0 / self.decay()
    }

    /// P(wait > t) = σ e^{−μ(1−σ)t}.
    pub fn wait_tail(&self, t: f64) -> f64 {
        self.sigma * (-self.decay() * t).exp()
    }

    /// P(sojourn > t) = e^{−μ(1−σ)t}.
    pub fn sojourn_tail(&self, t: f64) -> f64 {
        (-self.decay() * t).exp()
    }

    /// The p-quantile of the wait: 0 up to 1 − σ, then from the tail.
    pub fn wait_quantile(&self, p: f64) -> f64 {
        if p <= 1.0 - self.sigma {
            0.0
        } else {
            (self.sigma / (1.0 - p)).ln() / self.decay()
        }
    }

    /// The p-quantile of the sojourn.
    pub fn sojourn_quantile(&self, p: f64) -> f64 {
        -(1.0 - p).ln() / self.decay()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_gaps_give_the_mm1_queue() {
        let (lambda, mu) = (0.6, 1.0);
        let queue = GiM1::solve(lambda, mu, |s| lambda / (lambda + s)).unwrap();
        assert!((queue.sigma - 0.6).abs() < 1e-12);
        assert!((queue.mean_wait() - 1.5).abs() < 1e-10);
        assert!((queue.mean_sojourn() - 2.5).abs() < 1e-10);
    }

    #[test]
    fn evenly_spaced_arrivals_solve_sigma_equals_its_transform() {
        // D/M/1 at load 0.8: σ = e^{−(1 − σ)/0.8} (checked by substitution),
        // about 0.6286.
        let queue = GiM1::evenly_spaced(0.8, 1.0).unwrap();
        let sigma = queue.sigma;
        assert!((sigma - (-(1.0 - sigma) / 0.8).exp()).abs() < 1e-14);
        assert!((sigma - 0.6286).abs() < 1e-4);
        // The sojourn's quantiles invert its tail.
        let t = queue.sojourn_quantile(0.99);
        assert!((queue.sojourn_tail(t) - 0.01).abs() < 1e-12);
        assert!((queue.mean_sojourn() - queue.mean_wait() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn unstable_or_invalid_queues_have_none() {
        assert!(GiM1::evenly_spaced(1.0, 1.0).is_none());
        assert!(GiM1::evenly_spaced(0.0, 1.0).is_none());
        assert!(GiM1::evenly_spaced(0.5, f64::NAN).is_none());
    }
}
