//! Retries: what holds exactly for any model, and the service a message
//! requeued at the head receives.
//!
//! A delivery fails with probability p, independently, and a message gets
//! at most R retries. Its deliveries N take the values 1..=R+1 with
//! P(N ≥ n) = p^(n-1), so E\[N\] = Σ_{k=0..R} p^k (the amplification of the
//! queue's load), P(N = R+1 and the last fails) = p^(R+1) (the share
//! dead-lettered) and E\[N²\] = Σ_{k=0..R} (2k+1) p^k. A message waits out
//! the delay d_k of retry k with probability p^k, so by Little's law the
//! messages waiting out delays number λ Σ_{k=1..R} p^k d_k on average, λ
//! the rate of messages reaching the queue. These hold for any arrivals,
//! service and order, as long as every redelivery is accepted and served
//! (no capacity, no expiry at the queue) and, for the last, λ is the
//! traffic equations' (no losses anywhere, a steady state).
//!
//! Requeued at the head, a message's consumer serves it N times in a row:
//! one service T = S_1 + ... + S_N of mean E\[N\]E\[S\] and second moment
//! E\[N\]E\[S²\] + E\[N(N-1)\]E\[S\]² (a compound sum, N independent of the S_i).
//!
//! Retried after a delay on a partition (a blocking retry), the consumer
//! holds the record through each delay too: B = S_1 + d_1 + S_2 + ... +
//! d_(N-1) + S_N. Its moments follow backwards over the deliveries: with
//! B_k the time from the k-th delivery on, B_k = S + \[fail\](d_k +
//! B_(k+1)) while retries are left, so E\[B_k\] = m1 + p(d_k + E\[B_(k+1)\])
//! and E\[B_k²\] = m2 + 2m1 p(d_k + E\[B_(k+1)\]) + p(d_k² + 2d_k
//! E\[B_(k+1)\] + E\[B_(k+1)²\]), from B_(R+1) = S. Past the listed delays
//! every retry waits the same c, and the recursion x_k = a + p x_(k+1) has
//! a closed form j steps from the end (see [`steady_tail`]).

use super::result::TheoryResult;
use crate::model::metric::Metric;
use crate::model::{Delays, Feature, Model, Redelivery, Retry, Target};

/// E\[N²\] of the deliveries N of a message: Σ_{k=0..R} (2k+1) p^k, in
/// closed form ((1+p)/(1-p)² without a limit).
pub fn deliveries_second_moment(retry: &Retry) -> f64 {
    let p = retry.p;
    let Some(r) = retry.max_retries else {
        return (1.0 + p) / (1.0 - p).powi(2);
    };
    let r = f64::from(r);
    // Σ_{k=0..R} k p^k = p (1 - (R+1) p^R + R p^(R+1)) / (1-p)².
    let weighted = p * (1.0 - (r + 1.0) * p.powf(r) + r * p.powf(r + 1.0)) / (1.0 - p).powi(2);
    2.0 * weighted + retry.deliveries_per_message()
}

/// Mean and squared coefficient of variation of the one long service of a
/// message requeued at the head, from its single service's `mean` and
/// `scv`.
pub fn compound_service(mean: f64, scv: f64, retry: &Retry) -> (f64, f64) {
    let deliveries = retry.deliveries_per_message();
    let second = deliveries_second_moment(retry);
    let total_mean = deliveries * mean;
    let total_second = deliveries * mean * mean * (1.0 + scv) + (second - deliveries) * mean * mean;
    (total_mean, total_second / (total_mean * total_mean) - 1.0)
}

/// Mean and squared coefficient of variation of the time a record holds
/// its consumer, from its single service's `mean` and `scv`: one compound
/// service when requeued at the head, and with delays (a partition's
/// blocking retry) the services plus the delays of its failed deliveries.
pub fn held_service(mean: f64, scv: f64, retry: &Retry) -> (f64, f64) {
    let Redelivery::After(delays) = &retry.redelivery else {
        return compound_service(mean, scv, retry);
    };
    let (first, second) = held_moments(
        mean,
        mean * mean * (1.0 + scv),
        retry.p,
        retry.max_retries,
        delays,
    );
    (first, second / (first * first) - 1.0)
}

/// E\[B\] and E\[B²\] of the time a record holds its consumer with blocking
/// retries: single services of moments `m1`, `m2`, failure probability `p`,
/// at most `max_retries` retries (`None`: unlimited), `delays` before them.
fn held_moments(m1: f64, m2: f64, p: f64, max_retries: Option<u32>, delays: &Delays) -> (f64, f64) {
    let listed = delays.steps.len() as u32;
    // From the first delivery past the list (or the last one) on.
    let (mut b1, mut b2, from) = match max_retries {
        Some(r) if r <= listed => (m1, m2, r),
        Some(r) => {
            let (b1, b2) = steady_tail(m1, m2, p, delays.then, Some(r - listed));
            (b1, b2, listed)
        }
        None => {
            let (b1, b2) = steady_tail(m1, m2, p, delays.then, None);
            (b1, b2, listed)
        }
    };
    for k in (1..=from).rev() {
        let d = delays.before(k);
        let next = b1;
        b1 = m1 + p * (d + next);
        b2 = m2 + 2.0 * m1 * p * (d + next) + p * (d * d + 2.0 * d * next + b2);
    }
    (b1, b2)
}

/// E\[B\] and E\[B²\] of the time held from a delivery with `steps` more
/// retries allowed (`None`: unlimited), each after the same delay `c`: x_k =
/// a + p x_(k+1) for the mean, a = m1 + pc, from x = m1 at the last, so
/// j steps from the end x(j) = u + (m1 - u) p^j with u = a/(1-p); the second
/// moment y(j) = b + e x(j-1) + p y(j-1) (b = m2 + pc² + 2m1 pc, e = 2p(m1 +
/// c)), y(0) = m2, sums to (b + eu)(1-p^j)/(1-p) + e(m1-u) j p^(j-1) + p^j m2.
fn steady_tail(m1: f64, m2: f64, p: f64, c: f64, steps: Option<u32>) -> (f64, f64) {
    let u = (m1 + p * c) / (1.0 - p);
    let b = m2 + p * c * c + 2.0 * m1 * p * c;
    let e = 2.0 * p * (m1 + c);
    let Some(j) = steps else {
        return (u, (b + e * u) / (1.0 - p));
    };
    let j = f64::from(j);
    let pj = p.powf(j);
    let first = u + (m1 - u) * pj;
    let second =
        (b + e * u) * (1.0 - pj) / (1.0 - p) + e * (m1 - u) * j * p.powf(j - 1.0) + pj * m2;
    (first, second)
}

/// Features under which the rate of messages reaching each queue is the
/// traffic equations' in a steady state: without them (and without
/// losses) the messages in retry delays follow by Little's law.
const UNSTEADY_OR_LOSSY: [Feature; 7] = [
    Feature::ClosedLoop,
    Feature::RateProfile,
    Feature::ConsumerSchedule,
    Feature::TraceArrivals,
    Feature::Backlog,
    Feature::Capacity,
    Feature::Patience,
];

/// `rows` with the exact retry figures of each queue with retries where
/// every redelivery is accepted (no capacity, no patience there):
/// `retries_per_message` (E\[N\] - 1) and `p_dead_lettered` (p^(R+1)),
/// plus `mean_in_retry` when the rates are the traffic equations' (see
/// [`UNSTEADY_OR_LOSSY`]); and the system's when one queue has retries.
pub(super) fn with_retry_figures(
    model: &Model,
    mut rows: Vec<(Target, TheoryResult)>,
) -> Vec<(Target, TheoryResult)> {
    let features = model.features();
    let steady = !UNSTEADY_OR_LOSSY.iter().any(|f| features.contains(*f));
    let rates = model.arrival_rates().filter(|_| steady);
    let with_retries: Vec<usize> = (0..model.queues.len())
        .filter(|&q| model.queues[q].retry().is_some())
        .collect();
    for &index in &with_retries {
        let queue = &model.queues[index];
        let Some(retry) = queue.retry() else {
            continue;
        };
        if queue.capacity().is_some() || queue.patience().is_some() {
            continue;
        }
        let mut figures = vec![
            (
                Metric::RetriesPerMessage,
                retry.deliveries_per_message() - 1.0,
            ),
            (Metric::PDeadLettered, retry.dead_letter_share()),
        ];
        // Messages reaching the queue: its deliveries over E[N].
        let arriving = rates
            .as_ref()
            .map(|rates| rates[index].iter().sum::<f64>() / retry.deliveries_per_message());
        if let Some(arriving) = arriving {
            figures.push((
                Metric::MeanInRetry,
                arriving * retry.mean_delay_per_message(),
            ));
            if model.is_network() && with_retries.len() == 1 {
                let entering: f64 = model.producers.iter().map(|p| p.open_rate()).sum();
                let share = arriving / entering;
                let system = vec![
                    (Metric::RetriesPerMessage, share * figures[0].1),
                    (Metric::PDeadLettered, share * figures[1].1),
                    (Metric::MeanInRetry, figures[2].1),
                ];
                insert(&mut rows, None, system);
            }
        }
        insert(&mut rows, Some(index), figures);
    }
    rows
}

/// Adds `figures` to the aggregate row of `queue` (`None`: the system),
/// or to a row of their own.
fn insert(
    rows: &mut Vec<(Target, TheoryResult)>,
    queue: Option<usize>,
    figures: Vec<(Metric, f64)>,
) {
    let target = Target {
        queue,
        class: None,
        partition: None,
    };
    let row = match rows.iter().position(|(t, _)| *t == target) {
        Some(row) => row,
        None => {
            rows.push((
                target,
                TheoryResult::new("retry counts (Little's law)", true),
            ));
            rows.len() - 1
        }
    };
    for (metric, value) in figures {
        if value.is_finite() {
            rows[row].1.metrics.insert(metric, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry(p: f64, max_retries: Option<u32>) -> Retry {
        Retry {
            p,
            max_retries,
            redelivery: Redelivery::After(Delays::fixed(0.0)),
        }
    }

    #[test]
    fn second_moments_of_the_deliveries_by_hand() {
        // R = 1, p = 0.5: N = 1 or 2, each with probability 0.5: E[N²] = 2.5.
        assert!((deliveries_second_moment(&retry(0.5, Some(1))) - 2.5).abs() < 1e-12);
        // R = 2, p = 0.5: N = 1, 2, 3 w.p. 0.5, 0.25, 0.25: 0.5 + 1 + 2.25.
        assert!((deliveries_second_moment(&retry(0.5, Some(2))) - 3.75).abs() < 1e-12);
        // No limit, p = 0.2: geometric, (1 + p)/(1 - p)² = 1.875.
        assert!((deliveries_second_moment(&retry(0.2, None)) - 1.875).abs() < 1e-12);
        assert!((deliveries_second_moment(&retry(0.0, Some(5))) - 1.0).abs() < 1e-12);
    }

    fn blocking(p: f64, max_retries: Option<u32>, delays: Delays) -> Retry {
        Retry {
            p,
            max_retries,
            redelivery: Redelivery::After(delays),
        }
    }

    #[test]
    fn held_service_with_blocking_delays_by_hand() {
        // Exponential mean 1 (E[S²] = 2), p = 0.5, R = 1, delay 2: B = S
        // w.p. 0.5, S_1 + S_2 + 2 w.p. 0.5: E[B] = 0.5 + 0.5·4 = 2.5,
        // E[B²] = 0.5·2 + 0.5·(6 + 4·2 + 4) = 10, scv = 10/6.25 - 1.
        let (mean, scv) = held_service(1.0, 1.0, &blocking(0.5, Some(1), Delays::fixed(2.0)));
        assert!((mean - 2.5).abs() < 1e-12);
        assert!((scv - (10.0 / 6.25 - 1.0)).abs() < 1e-12);
        // M/G/1 at λ = 0.2: ρ = 0.5, Wq = λE[B²]/(2(1-ρ)) = 2/1 = 2.
        let wait = super::super::mg1::mean_wait(0.2, mean, scv).unwrap();
        assert!((wait - 2.0).abs() < 1e-12);
        // Unlimited, delay 2: B = Σ_{i≤N}(S_i + 2) - 2, Y = S + 2 of mean 3
        // and E[Y²] = 10; E[N] = 2, E[N(N-1)] = 4: E[(ΣY)²] = 20 + 36 = 56,
        // so E[B] = 4 and E[B²] = 56 - 4·6 + 4 = 36.
        let (mean, scv) = held_service(1.0, 1.0, &blocking(0.5, None, Delays::fixed(2.0)));
        assert!((mean - 4.0).abs() < 1e-12);
        assert!((scv - (36.0 / 16.0 - 1.0)).abs() < 1e-12);
        // The mean is E[N]·m1 plus the mean delay per message, for a list
        // then a tail, limited or not.
        let delays = Delays {
            steps: vec![1.0, 3.0],
            then: 5.0,
        };
        for max_retries in [Some(0), Some(1), Some(2), Some(3), Some(9), None] {
            let retry = blocking(0.3, max_retries, delays.clone());
            let (mean, _) = held_service(2.0, 0.5, &retry);
            let expected = 2.0 * retry.deliveries_per_message() + retry.mean_delay_per_message();
            assert!(
                (mean - expected).abs() < 1e-12,
                "{max_retries:?}: {mean} {expected}"
            );
        }
        // Without delays it is the compound service at the head, and a
        // long limit in the tail is the unlimited one.
        for max_retries in [Some(0), Some(4), None] {
            let zero = held_service(1.5, 0.7, &blocking(0.4, max_retries, Delays::fixed(0.0)));
            let head = compound_service(1.5, 0.7, &retry(0.4, max_retries));
            assert!((zero.0 - head.0).abs() < 1e-12 && (zero.1 - head.1).abs() < 1e-12);
        }
        let long = held_service(1.0, 1.0, &blocking(0.5, Some(200), delays.clone()));
        let unlimited = held_service(1.0, 1.0, &blocking(0.5, None, delays));
        assert!((long.0 - unlimited.0).abs() < 1e-12 && (long.1 - unlimited.1).abs() < 1e-12);
    }

    #[test]
    fn compound_service_by_hand() {
        // Exponential mean 1 (E[S²] = 2), p = 0.5, R = 1: E[T] = 1.5,
        // E[T²] = 1.5·2 + (2.5 - 1.5)·1 = 4, scv = 4/2.25 - 1 = 7/9.
        let (mean, scv) = compound_service(1.0, 1.0, &retry(0.5, Some(1)));
        assert!((mean - 1.5).abs() < 1e-12);
        assert!((scv - 7.0 / 9.0).abs() < 1e-12);
        // M/G/1 at λ = 0.4: ρ = 0.6, Wq = λE[T²]/(2(1-ρ)) = 1.6/0.8 = 2.
        let wait = super::super::mg1::mean_wait(0.4, mean, scv).unwrap();
        assert!((wait - 2.0).abs() < 1e-12);
        // Without a limit, a geometric sum of exponentials is exponential:
        // mean m/(1-p), scv 1.
        let (mean, scv) = compound_service(2.0, 1.0, &retry(0.2, None));
        assert!((mean - 2.5).abs() < 1e-12);
        assert!((scv - 1.0).abs() < 1e-12);
    }
}
