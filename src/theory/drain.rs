//! How long a starting backlog takes to catch up: the mean first time no
//! message waits, exact for a queue with Poisson arrivals at rate λ and
//! exponential service at rate μ on c consumers (any order: the number
//! present is the same birth-death process). Above c messages every
//! consumer is busy, so the count falls at rate cμ and rises at rate λ,
//! as in an M/M/1 queue served at cμ; each step down lasts one of its busy
//! periods, of mean 1/(cμ − λ) (Kleinrock, Queueing Systems I, §5.8). From
//! N messages: (N − c)⁺ / (cμ − λ). With one consumer per message nothing
//! ever waits: 0.

use super::result::TheoryResult;
use crate::model::metric::Metric;
use crate::model::{Model, Target};

/// Mean time until none of `backlog` messages waiting at time 0 (plus the
/// arrivals since) is still waiting, for M/M/c with arrival rate `lambda`,
/// service rate `mu` and `consumers` (`None`: one per message); `None`
/// when the queue never catches up (λ ≥ cμ).
pub fn mmc_drain_time(lambda: f64, mu: f64, consumers: Option<u32>, backlog: u32) -> Option<f64> {
    let Some(consumers) = consumers else {
        return Some(0.0);
    };
    let capacity = f64::from(consumers) * mu;
    let excess = f64::from(backlog.saturating_sub(consumers));
    (lambda < capacity).then(|| excess / (capacity - lambda))
}

/// `rows` with the drain time of every queue with a backlog that the
/// formula covers (fed only by Poisson producers, nothing routed or
/// dead-lettered to it, exponential service, no capacity, no expiry, no
/// retries, no consumer schedule, one class), in the queue's row or a row
/// of its own.
pub(super) fn with_drain_times(
    model: &Model,
    mut rows: Vec<(Target, TheoryResult)>,
) -> Vec<(Target, TheoryResult)> {
    for (index, queue) in model.queues.iter().enumerate() {
        let fed_from_outside = !model.queues.iter().any(|other| {
            other.routes().iter().any(|r| r.queue == index) || other.dead_letter() == Some(index)
        });
        let producers = || model.producers.iter().filter(|p| p.queue == index);
        let covered = queue.backlog > 0
            && fed_from_outside
            && producers().all(|p| p.is_poisson())
            && model.classes.len() == 1
            && model.service(index, 0).is_exponential()
            && queue.capacity().is_none()
            && queue.patience().is_none()
            && queue.retry().is_none()
            && queue.outage().is_none()
            && queue.schedule.is_none();
        if !covered {
            continue;
        }
        let lambda: f64 = producers().map(|p| p.open_rate()).sum();
        let mu = 1.0 / model.service(index, 0).mean();
        let consumers = (!queue.is_unlimited()).then_some(queue.consumers);
        let target = Target {
            queue: Some(index),
            class: None,
            partition: None,
        };
        let Some(drain) = mmc_drain_time(lambda, mu, consumers, queue.backlog) else {
            continue;
        };
        let row = match rows.iter().position(|(t, _)| *t == target) {
            Some(row) => row,
            None => {
                rows.push((target, TheoryResult::new("M/M/c first passage", true)));
                rows.len() - 1
            }
        };
        rows[row].1.metrics.insert(Metric::DrainTime, drain);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drain_times_by_hand() {
        // 200 messages on 2 consumers at 1/s, arrivals at 1.6/s: 198 steps
        // down, each an M/M/1 busy period at 2/s of mean 1/(2 - 1.6) = 2.5 s.
        let drain = mmc_drain_time(1.6, 1.0, Some(2), 200).unwrap();
        assert!((drain - 495.0).abs() < 1e-9, "{drain}");
        // M/M/1 from 10 at λ = 0.5, μ = 1: 10 busy periods of 2 s, less the
        // one message the consumer holds: 9 × 2 = 18.
        assert_eq!(mmc_drain_time(0.5, 1.0, Some(1), 10), Some(18.0));
        // No more than the consumers: nothing waits.
        assert_eq!(mmc_drain_time(0.5, 1.0, Some(4), 3), Some(0.0));
        assert_eq!(mmc_drain_time(5.0, 1.0, None, 1000), Some(0.0));
        // Overloaded: it never catches up.
        assert_eq!(mmc_drain_time(2.0, 1.0, Some(2), 10), None);
    }
}
