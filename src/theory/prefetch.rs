//! Prefetch windows without a limit (RabbitMQ prefetch 0, or auto-ack):
//! the broker hands arrivals to the consumers in strict rotation and each
//! consumer serves its own share, with no work stealing. With Poisson
//! arrivals at rate λ over c consumers, each consumer sees Erlang-c gaps
//! (c phases of rate λ): an E_c/G/1 queue, and every message waits like
//! every consumer's.
//!
//! - Exponential service (rate μ): EXACT, the GI/M/1 queue. σ in (0, 1)
//!   solves σ = A*(μ(1 − σ)) with A*(s) = (λ/(λ + s))^c the Laplace
//!   transform of the gaps; then P(wait > t) = σ e^{−μ(1−σ)t}, the sojourn
//!   is exponential of rate μ(1 − σ), Wq = σ/(μ(1 − σ)) (Kleinrock,
//!   Queueing Systems I, §6.4).
//! - Other service: APPROXIMATION, Kingman's G/G/1 mean wait with the
//!   Erlang-c gaps' c_a² = 1/c.
//!
//! A finite window with an acknowledgement round trip has no formula here
//! (only its stability bound, `model::Window::saturated_busy_share`).

use super::approx::kingman_mean_wait;
use super::gim1::GiM1;
use super::result::TheoryResult;
use crate::model::metric::Metric;
use crate::model::{Model, Target};

/// One consumer's queue under a round-robin split with exponential
/// service: the GI/M/1 queue fed by Erlang-c gaps.
pub type RoundRobinSplit = GiM1;

/// The split of a total arrival rate `lambda` (Poisson) in turn over
/// `consumers` serving at rate `mu` each; `None` unless 0 < λ < cμ (all
/// finite).
pub fn round_robin_split(lambda: f64, mu: f64, consumers: u32) -> Option<RoundRobinSplit> {
    let c = f64::from(consumers);
    let valid = lambda.is_finite() && mu.is_finite() && lambda > 0.0 && mu > 0.0;
    if !valid || consumers == 0 || lambda >= c * mu {
        return None;
    }
    GiM1::solve(lambda / c, mu, |s| {
        (lambda / (lambda + s)).powi(consumers as i32)
    })
}

/// The split of queue `queue` of `model`, when its windows have no limit,
/// its arrivals are Poisson and its service exponential.
pub fn split_of(model: &Model, queue: usize) -> Option<RoundRobinSplit> {
    let (lambda, mean, exponential) = traffic(model, queue)?;
    let spec = &model.queues[queue];
    exponential.then(|| round_robin_split(lambda, 1.0 / mean, spec.consumers))?
}

/// Total arrival rate, mean service and whether it is exponential at
/// `queue`, when its windows have no limit and one class with Poisson
/// producers reaches it.
fn traffic(model: &Model, queue: usize) -> Option<(f64, f64, bool)> {
    let spec = &model.queues[queue];
    if !spec.window().is_some_and(|window| window.is_unlimited()) || model.has_classes() {
        return None;
    }
    let producers = model.producers.iter().filter(|p| p.queue == queue);
    if !producers.clone().all(|p| p.is_poisson()) {
        return None;
    }
    let lambda: f64 = model.arrival_rates()?[queue].iter().sum();
    let service = model.service(queue, 0);
    Some((lambda, service.mean(), service.is_exponential()))
}

/// The row of every queue with unlimited prefetch windows and Poisson
/// arrivals of one class: exact with exponential service, Kingman's
/// approximation otherwise; a queue beyond its formulas gets no row.
pub(super) fn round_robin_rows(model: &Model) -> Vec<(Target, TheoryResult)> {
    (0..model.queues.len())
        .filter_map(|queue| {
            Some((
                Target {
                    queue: Some(queue),
                    class: None,
                    partition: None,
                },
                row(model, queue)?,
            ))
        })
        .collect()
}

fn row(model: &Model, queue: usize) -> Option<TheoryResult> {
    let (lambda, mean, exponential) = traffic(model, queue)?;
    let spec = &model.queues[queue];
    let c = spec.consumers;
    let (wait, result) = if exponential {
        let split = round_robin_split(lambda, 1.0 / mean, c)?;
        let result = TheoryResult::new(format!("E{c}/M/1 per consumer (round robin)"), true)
            .with(Metric::PWait, split.sigma)
            .with_wait_percentiles(|p| split.wait_quantile(p))
            .with_sojourn_percentiles(|p| split.sojourn_quantile(p));
        (split.mean_wait(), result)
    } else {
        let scv = model.service(queue, 0).scv();
        let per_consumer = lambda / f64::from(c);
        let wait = kingman_mean_wait(per_consumer, mean, 1.0 / f64::from(c), scv)?;
        let name = format!("E{c}/G/1 per consumer (round robin), Kingman approximation");
        (wait, TheoryResult::new(name, false))
    };
    let sojourn = wait + mean;
    // Nothing waits in the ready line, so nothing expires there.
    let result = match spec.patience() {
        Some(_) => result.with(Metric::PAbandoned, 0.0),
        None => result,
    };
    // Delivered and unacknowledged: in a buffer, in service, or awaiting
    // the acknowledgement (Little's law on each stage).
    let round_trip = spec.window().map_or(0.0, |window| window.mean_ack());
    Some(
        result
            .with_means(lambda * sojourn, lambda * wait, sojourn, wait)
            .with(Metric::Utilisation, lambda * mean / f64::from(c))
            .with(Metric::Throughput, lambda)
            .with(Metric::MeanUnacked, lambda * (sojourn + round_trip)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_consumer_is_the_mm1_queue() {
        // Erlang-1 gaps are Poisson: σ = ρ.
        let split = round_robin_split(0.6, 1.0, 1).unwrap();
        assert!((split.sigma - 0.6).abs() < 1e-12);
        assert!((split.mean_wait() - 1.5).abs() < 1e-10);
    }

    #[test]
    fn two_consumers_solve_the_cubic_by_hand() {
        // λ = μ = 1, c = 2: σ = 1/(2 − σ)², so σ³ − 4σ² + 4σ − 1 =
        // (σ − 1)(σ² − 3σ + 1) = 0 and σ = (3 − √5)/2.
        let split = round_robin_split(1.0, 1.0, 2).unwrap();
        let sigma = (3.0 - 5.0_f64.sqrt()) / 2.0;
        assert!((split.sigma - sigma).abs() < 1e-12);
        assert!((split.mean_wait() - sigma / (1.0 - sigma)).abs() < 1e-10);
        // The wait's quantiles invert its tail.
        let t = split.wait_quantile(0.9);
        assert!((split.wait_tail(t) - 0.1).abs() < 1e-12);
        assert_eq!(split.wait_quantile(0.5), 0.0);
    }

    #[test]
    fn a_finite_windows_busy_share_is_exact_mva_of_its_closed_loop() {
        use crate::model::Window;
        use crate::theory::mva::{MvaStation, StationKind, exact_mva};
        let (service, round_trip) = (4.0, 100.0);
        for prefetch in [1, 3, 10, 30] {
            let window = Window {
                prefetch,
                ack: Some(crate::dist::Dist::deterministic(round_trip).unwrap()),
                delivery: None,
            };
            let consumer = MvaStation {
                visits: 1.0,
                service_time: service,
                kind: StationKind::Queue,
            };
            let mva = exact_mva(&[consumer], prefetch, round_trip).unwrap();
            let share = window.saturated_busy_share(service, true);
            assert!(
                (share - mva.throughput * service).abs() < 1e-12,
                "{prefetch}"
            );
        }
    }

    #[test]
    fn unstable_or_invalid_splits_have_none() {
        assert!(round_robin_split(2.0, 1.0, 2).is_none());
        assert!(round_robin_split(0.0, 1.0, 2).is_none());
        assert!(round_robin_split(1.0, 1.0, 0).is_none());
    }
}
