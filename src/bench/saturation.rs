//! The broker's saturation rate, measured before each bench run: messages
//! published as fast as publisher confirms allow (a bounded number
//! unconfirmed) through the run's queue to the run's consumers, each
//! acknowledging at once (zero service), for [`WINDOW`]. A scenario whose
//! load would exceed it is refused before its run: the run would measure
//! the broker's overload, not the model's queue.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::BenchError;

/// How long the saturation probe publishes.
#[cfg(feature = "rabbitmq")]
pub(super) const WINDOW: Duration = Duration::from_secs(1);

/// Most messages the probe leaves unconfirmed at a time.
#[cfg(feature = "rabbitmq")]
pub(super) const UNCONFIRMED: u64 = 256;

/// The broker's delivery rate with the run's consumers at zero service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saturation {
    /// Messages delivered to the consumers during the probe.
    pub delivered: u64,
    /// The probe's length (s).
    pub seconds: f64,
    /// `delivered / seconds`: messages per second.
    pub rate_per_second: f64,
}

impl Saturation {
    /// `delivered` messages in `elapsed`.
    pub fn of(delivered: u64, elapsed: Duration) -> Saturation {
        let seconds = elapsed.as_secs_f64();
        Saturation {
            delivered,
            seconds,
            rate_per_second: delivered as f64 / seconds.max(1e-9),
        }
    }

    /// Fails when `offered` messages per second (the scenario's arrival
    /// rate at wall speed) exceed this rate.
    pub fn admits(&self, offered: f64, consumers: u32) -> Result<(), BenchError> {
        if offered <= self.rate_per_second {
            return Ok(());
        }
        Err(BenchError::Broker(format!(
            "the scenario publishes {offered:.0} msg/s, above the broker's saturation rate: {:.0} msg/s delivered to {consumers} consumers at zero service, publishing as fast as confirms allow for {:.1} s before the run; the run would measure the broker's overload, not the model (lower the load or slow the time scale)",
            self.rate_per_second, self.seconds
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_above_the_saturation_rate_is_refused_with_the_estimate() {
        let saturation = Saturation::of(2_000, Duration::from_secs(2));
        assert_eq!(saturation.rate_per_second, 1_000.0);
        assert!(saturation.admits(999.0, 2).is_ok());
        let refusal = saturation.admits(1_500.0, 2).unwrap_err().to_string();
        assert!(refusal.contains("1500 msg/s") && refusal.contains("1000 msg/s"));
    }
}
