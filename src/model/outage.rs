//! Consumer outages, a behaviour of the availability axis: each consumer
//! of a queue fails after an up time and is repaired after a repair time,
//! independently of the others and of the work, busy or idle (a crash).
//! While down it takes nothing; what it held goes back to the head of the
//! queue, as RabbitMQ returns a closed channel's unacknowledged messages
//! to the queue for redelivery: the message in service and, with prefetch
//! windows, every message delivered to it, in their order, ahead of the
//! ready ones. A redelivered message is served again from the start with
//! the same requirement (preemptive-repeat, identical work): the consumer
//! acknowledged nothing, so the work it did is lost, and the message is
//! the same message.

use crate::dist::Dist;

/// The failures and repairs of a queue's consumers.
#[derive(Clone, Debug, PartialEq)]
pub struct Outage {
    /// Time a consumer stays up, from a repair (or the start) to its next
    /// failure.
    pub up: Dist,
    /// Time a failed consumer stays down.
    pub repair: Dist,
}

impl Outage {
    /// The long-run share of consumer-time up, E\[up\] / (E\[up\] +
    /// E\[repair\]) (an alternating renewal process, whatever the
    /// distributions).
    pub fn availability(&self) -> f64 {
        let up = self.up.mean();
        up / (up + self.repair.mean())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availability_is_the_up_share_of_a_cycle() {
        let outage = Outage {
            up: Dist::weibull(2.0, 10.0).unwrap(),
            repair: Dist::deterministic(1.0).unwrap(),
        };
        // Weibull(2, 10) has mean 10 Γ(1.5) = 5 √π = 8.862269...
        let up = 5.0 * std::f64::consts::PI.sqrt();
        assert!((outage.availability() - up / (up + 1.0)).abs() < 1e-12);
    }
}
