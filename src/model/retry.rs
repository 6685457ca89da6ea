//! Retries on the exit axis: a delivery fails with probability p; the
//! failed message is delivered again, at once to the head of the line
//! (RabbitMQ's nack with requeue) or after a delay that depends on the
//! retry (RocketMQ's `%RETRY%` ladder, RabbitMQ 4.3's delayed retry),
//! until its retries run out; then it goes to the queue's dead-letter
//! queue, or is dropped.

use crate::units;

/// Deliveries that fail and are delivered again.
#[derive(Clone, Debug, PartialEq)]
pub struct Retry {
    /// Probability that a delivery fails, in [0, 1).
    pub p: f64,
    /// Most redeliveries after the first delivery (RocketMQ's
    /// `maxReconsumeTimes`); `None`: unlimited, nothing is dead-lettered.
    pub max_retries: Option<u32>,
    /// How a failed message is delivered again. Messages whose retries
    /// ran out go to the queue's dead-letter queue, if any.
    pub redelivery: Redelivery,
}

/// How a failed message is delivered again.
#[derive(Clone, Debug, PartialEq)]
pub enum Redelivery {
    /// At once, at the head of the line: the consumer that failed it
    /// serves it again, with a fresh service time (one longer service).
    Head,
    /// After the delay of its retry (a timer outside every queue), it
    /// arrives at the queue again like any arrival; on a partitioned queue
    /// (no broker redelivery) its consumer holds it through the delay and
    /// serves it again (a blocking retry).
    After(Delays),
}

/// The delay before each retry: the listed ones first, then `then` for
/// every later retry.
#[derive(Clone, Debug, PartialEq)]
pub struct Delays {
    /// Delay before retry 1, 2, ... while listed.
    pub steps: Vec<f64>,
    /// Delay before every retry past the list.
    pub then: f64,
}

/// How delays grow from retry to retry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Backoff {
    /// `base` before every retry.
    Fixed,
    /// `base · k` before retry k.
    Linear,
    /// `base · 2^(k-1)` before retry k.
    Exponential,
}

/// RocketMQ's retry delays in seconds, retry 1 to 16 (delay levels 3 to
/// 18 of `messageDelayLevel`); later retries wait the last, 2 h.
pub const ROCKETMQ_SECONDS: [f64; 16] = [
    10.0, 30.0, 60.0, 120.0, 180.0, 240.0, 300.0, 360.0, 420.0, 480.0, 540.0, 600.0, 1200.0,
    1800.0, 3600.0, 7200.0,
];

/// RocketMQ's default `maxReconsumeTimes` (16 retries, then `%DLQ%`).
pub const ROCKETMQ_RETRIES: u32 = 16;

impl Delays {
    /// The same `delay` before every retry.
    pub fn fixed(delay: f64) -> Delays {
        Delays {
            steps: Vec::new(),
            then: delay,
        }
    }

    /// The delay before retry `k` (from 1).
    #[inline]
    pub fn before(&self, k: u32) -> f64 {
        self.steps.get(k as usize - 1).copied().unwrap_or(self.then)
    }

    /// Delays that grow by `backoff` from `base`, capped at `max`: listed
    /// until they reach the cap (or for `retries` when there is no cap).
    /// `None` when they never stop growing: no cap and unlimited retries.
    pub fn backoff(
        backoff: Backoff,
        base: f64,
        max: Option<f64>,
        retries: Option<u32>,
    ) -> Option<Delays> {
        let cap = max.unwrap_or(f64::INFINITY);
        if backoff == Backoff::Fixed {
            return Some(Delays::fixed(base.min(cap)));
        }
        let listed = match (max, retries) {
            (None, None) => return None,
            (_, Some(retries)) => retries,
            (Some(_), None) => u32::MAX,
        };
        let mut steps = Vec::new();
        for k in 1..=listed {
            let delay = match backoff {
                Backoff::Exponential => base * 2f64.powf(f64::from(k - 1)),
                Backoff::Linear | Backoff::Fixed => base * f64::from(k),
            };
            if delay >= cap || !delay.is_finite() {
                break;
            }
            steps.push(delay);
        }
        // Past the list: the cap (unused without one, the list then
        // covering every retry, unless a delay overflowed, which the
        // model's builder refuses).
        Some(Delays { steps, then: cap })
    }

    /// RocketMQ's ladder in a model whose time unit is `time_unit` (s, ms,
    /// min, h, ...); `None` for a unit that does not convert to seconds.
    pub fn rocketmq(time_unit: &str) -> Option<Delays> {
        let per_unit = units::seconds_per(time_unit)?;
        let steps: Vec<f64> = ROCKETMQ_SECONDS.iter().map(|s| s / per_unit).collect();
        let then = steps[steps.len() - 1];
        Some(Delays { steps, then })
    }
}

impl Retry {
    /// Deliveries per message: Σ_{k=0..R} p^k (1/(1-p) without a limit).
    pub fn deliveries_per_message(&self) -> f64 {
        match self.max_retries {
            None => 1.0 / (1.0 - self.p),
            Some(retries) => (0..=retries).map(|k| self.p.powi(k as i32)).sum(),
        }
    }

    /// Share of messages whose retries all fail: p^(R+1) (0 without a
    /// limit).
    pub fn dead_letter_share(&self) -> f64 {
        match self.max_retries {
            None => 0.0,
            Some(retries) => self.p.powf(f64::from(retries) + 1.0),
        }
    }

    /// Mean time a message spends waiting out retry delays,
    /// Σ_{k=1..R} p^k d_k; 0 when failed messages go back to the head.
    pub fn mean_delay_per_message(&self) -> f64 {
        let Redelivery::After(delays) = &self.redelivery else {
            return 0.0;
        };
        let p = self.p;
        let listed = delays.steps.len() as u32;
        let limit = self.max_retries.unwrap_or(u32::MAX);
        let mut sum = 0.0;
        let mut reach = 1.0; // p^k
        for k in 1..=limit.min(listed) {
            reach *= p;
            sum += reach * delays.before(k);
        }
        if limit <= listed || p == 0.0 {
            return sum;
        }
        // Retries listed+1 ..= limit, each waiting `then`: a geometric tail.
        let first = p.powf(f64::from(listed) + 1.0);
        let tail = match self.max_retries {
            None => first / (1.0 - p),
            Some(_) => first * (1.0 - p.powf(f64::from(limit - listed))) / (1.0 - p),
        };
        sum + tail * delays.then
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry(p: f64, max_retries: Option<u32>, delays: Delays) -> Retry {
        Retry {
            p,
            max_retries,
            redelivery: Redelivery::After(delays),
        }
    }

    #[test]
    fn amplification_and_dead_letter_share_by_hand() {
        // p = 0.5, 2 retries: 1 + 0.5 + 0.25 deliveries, 0.125 exhausted.
        let two = retry(0.5, Some(2), Delays::fixed(1.0));
        assert!((two.deliveries_per_message() - 1.75).abs() < 1e-15);
        assert!((two.dead_letter_share() - 0.125).abs() < 1e-15);
        let unlimited = retry(0.2, None, Delays::fixed(1.0));
        assert!((unlimited.deliveries_per_message() - 1.25).abs() < 1e-15);
        assert_eq!(unlimited.dead_letter_share(), 0.0);
    }

    #[test]
    fn mean_delay_per_message_by_hand() {
        // p = 0.5, delays 10, 30 then 60: 0.5·10 + 0.25·30 + 0.125·60 = 20
        // for 3 retries; unlimited adds 60 · (0.0625 + ...) = 60 · 0.125.
        let delays = Delays {
            steps: vec![10.0, 30.0],
            then: 60.0,
        };
        let three = retry(0.5, Some(3), delays.clone());
        assert!((three.mean_delay_per_message() - 20.0).abs() < 1e-12);
        let one = retry(0.5, Some(1), delays.clone());
        assert!((one.mean_delay_per_message() - 5.0).abs() < 1e-12);
        let unlimited = retry(0.5, None, delays);
        assert!((unlimited.mean_delay_per_message() - 27.5).abs() < 1e-12);
        let head = Retry {
            redelivery: Redelivery::Head,
            ..three
        };
        assert_eq!(head.mean_delay_per_message(), 0.0);
    }

    #[test]
    fn backoffs_and_the_rocketmq_ladder() {
        let linear = Delays::backoff(Backoff::Linear, 2.0, Some(5.0), None).unwrap();
        assert_eq!(linear.steps, [2.0, 4.0]);
        assert_eq!(linear.then, 5.0);
        assert_eq!(linear.before(3), 5.0);
        let doubling = Delays::backoff(Backoff::Exponential, 1.0, None, Some(4)).unwrap();
        assert_eq!(doubling.steps, [1.0, 2.0, 4.0, 8.0]);
        assert_eq!(Delays::backoff(Backoff::Exponential, 1.0, None, None), None);
        assert_eq!(
            Delays::backoff(Backoff::Fixed, 3.0, None, None),
            Some(Delays::fixed(3.0))
        );
        let minutes = Delays::rocketmq("min").unwrap();
        assert_eq!(minutes.before(1), 10.0 / 60.0);
        assert_eq!(minutes.before(16), 120.0);
        assert_eq!(minutes.before(17), 120.0);
        let total: f64 = Delays::rocketmq("s").unwrap().steps.iter().sum();
        // About 4 h 46 min, as RocketMQ's documentation says.
        assert_eq!(total, 4.0 * 3600.0 + 45.0 * 60.0 + 40.0);
        assert_eq!(Delays::rocketmq("requests"), None);
    }
}
