//! Prefetch windows (RabbitMQ's `basic.qos`), a behaviour of the dispatch
//! axis: the broker keeps a ready line and delivers each ready message at
//! once to a consumer with a free slot in its window of unacknowledged
//! messages; a consumer serves what it was delivered in order, and its slot
//! stays held until the acknowledgement comes back after the service. A
//! delivery may take time to reach its consumer: the message leaves the
//! ready line when the broker sends it and starts when it lands.

use crate::dist::Dist;

/// `prefetch` of a window without a limit (RabbitMQ's prefetch 0).
pub const UNLIMITED_PREFETCH: u32 = u32::MAX;

/// Per-consumer windows of unacknowledged deliveries.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// Unacknowledged messages a consumer may hold (delivered, in service
    /// or awaiting their acknowledgement); [`UNLIMITED_PREFETCH`] for no
    /// limit.
    pub prefetch: u32,
    /// Acknowledgement round trip after a service, during which the slot
    /// stays held; `None` for an immediate acknowledgement.
    pub ack: Option<Dist>,
    /// Trip of a delivery from the broker to its consumer: the message
    /// leaves the ready line (no longer counted by `max_length`, no longer
    /// expiring) when sent and starts no earlier than it lands, each
    /// consumer's deliveries landing in the order sent; `None` for a
    /// delivery that lands at once.
    pub delivery: Option<Dist>,
}

impl Window {
    /// True without a limit on the window.
    pub fn is_unlimited(&self) -> bool {
        self.prefetch == UNLIMITED_PREFETCH
    }

    /// True when the window behaves exactly like one shared line: one
    /// message per consumer, freed the moment its service ends.
    pub fn is_shared_line(&self) -> bool {
        self.prefetch == 1 && self.ack.is_none() && self.delivery.is_none()
    }

    /// Mean acknowledgement round trip (0 when immediate).
    pub fn mean_ack(&self) -> f64 {
        self.ack.as_ref().map_or(0.0, Dist::mean)
    }

    /// Mean time a slot is held beyond the service: the delivery's trip
    /// and the acknowledgement's round trip.
    pub fn mean_round_trip(&self) -> f64 {
        self.mean_ack() + self.delivery.as_ref().map_or(0.0, Dist::mean)
    }
}

impl Window {
    /// The share of time a saturated consumer (always a message ready for
    /// it) can be busy, with services of mean `service_mean`: 1 without a
    /// limit or without a round trip; otherwise the closed loop of its
    /// `prefetch` slots through its service and the round trip (delivery
    /// and acknowledgement, an
    /// infinite-server delay). With exponential service (`exponential`)
    /// that loop is product-form and exact MVA gives its throughput X,
    /// the share being X·S (the round trip's distribution does not
    /// matter); otherwise the asymptote min(1, P·S/(RTT + S)), an upper
    /// bound that is exact when service and round trip are deterministic.
    pub fn saturated_busy_share(&self, service_mean: f64, exponential: bool) -> f64 {
        let round_trip = self.mean_round_trip();
        if self.is_unlimited() || round_trip == 0.0 {
            return 1.0;
        }
        let slots = f64::from(self.prefetch);
        if !exponential {
            return (slots * service_mean / (round_trip + service_mean)).min(1.0);
        }
        // MVA, n = 1..P: R = S(1 + Q), X = n/(R + RTT), Q = X·R; the share
        // X·S rises with n, so stop once it is 1 to double precision.
        let mut queued = 0.0;
        let mut share = 0.0;
        for n in 1..=self.prefetch {
            let response = service_mean * (1.0 + queued);
            let throughput = f64::from(n) / (response + round_trip);
            queued = throughput * response;
            share = throughput * service_mean;
            if share >= 1.0 - f64::EPSILON {
                return 1.0;
            }
        }
        share
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(prefetch: u32, ack: f64) -> Window {
        Window {
            prefetch,
            ack: (ack > 0.0).then(|| Dist::deterministic(ack).unwrap()),
            delivery: None,
        }
    }

    #[test]
    fn a_saturated_consumer_is_busy_as_its_closed_loop_allows() {
        // Without a limit or a round trip: always busy.
        assert_eq!(
            window(UNLIMITED_PREFETCH, 5.0).saturated_busy_share(1.0, true),
            1.0
        );
        assert_eq!(window(3, 0.0).saturated_busy_share(1.0, true), 1.0);
        // One slot: one service per cycle of S + RTT.
        assert!((window(1, 3.0).saturated_busy_share(1.0, true) - 0.25).abs() < 1e-15);
        // Two slots, S = RTT = 1 (by hand): n = 1, X = 1/2, Q = 1/2; n = 2,
        // R = 3/2, X = 2/(3/2 + 1) = 0.8 (= 1 − Erlang B(2, 1) = 1 − 0.2).
        assert!((window(2, 1.0).saturated_busy_share(1.0, true) - 0.8).abs() < 1e-15);
        // Otherwise the asymptote: the blog's 4 ms of work in a 104 ms cycle.
        let blog = window(1, 100.0).saturated_busy_share(4.0, false);
        assert!((blog - 4.0 / 104.0).abs() < 1e-15);
        assert_eq!(window(30, 100.0).saturated_busy_share(4.0, false), 1.0);
        // Many slots reach 1 without running to the prefetch.
        assert_eq!(
            window(u32::MAX - 1, 1.0).saturated_busy_share(1.0, true),
            1.0
        );
    }

    #[test]
    fn only_one_slot_acknowledged_at_once_is_the_shared_line() {
        assert!(window(1, 0.0).is_shared_line());
        assert!(!window(1, 0.5).is_shared_line() && !window(2, 0.0).is_shared_line());
        assert!(window(UNLIMITED_PREFETCH, 0.0).is_unlimited());
    }
}
