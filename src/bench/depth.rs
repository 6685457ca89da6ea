//! The broker's own view of the run's queue, sampled while it runs: its
//! ready messages (waiting for a consumer, not yet delivered) and its
//! consumer count, as RabbitMQ answers a passive `queue.declare` every
//! [`EVERY`], a cheap check beside the stamps (the time average of the
//! ready count estimates the model's messages waiting, Lq, for a shared
//! line).

#[cfg(feature = "rabbitmq")]
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How often the queue is sampled.
#[cfg(feature = "rabbitmq")]
pub(super) const EVERY: Duration = Duration::from_millis(100);

/// The samples of the queue's depth over a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DepthSamples {
    /// Samples taken.
    pub samples: usize,
    /// Ready messages, mean over the samples.
    pub ready_mean: f64,
    /// Ready messages, most in one sample.
    pub ready_max: u32,
    /// Consumers the broker counted, fewest in one sample.
    pub consumers_min: u32,
    /// Consumers the broker counted, most in one sample.
    pub consumers_max: u32,
}

impl DepthSamples {
    /// The summary of `samples` (ready messages, consumers); `None`
    /// without any.
    pub fn of(samples: &[(u32, u32)]) -> Option<DepthSamples> {
        let ready = samples.iter().map(|&(ready, _)| ready);
        let consumers = samples.iter().map(|&(_, consumers)| consumers);
        Some(DepthSamples {
            samples: samples.len(),
            ready_mean: ready.clone().map(f64::from).sum::<f64>() / samples.len() as f64,
            ready_max: ready.max()?,
            consumers_min: consumers.clone().min()?,
            consumers_max: consumers.max()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_summarise_to_mean_and_extremes() {
        assert_eq!(DepthSamples::of(&[]), None);
        let depth = DepthSamples::of(&[(0, 2), (3, 2), (6, 1)]).expect("samples");
        assert_eq!(depth.samples, 3);
        assert_eq!(depth.ready_mean, 3.0);
        assert_eq!(
            (depth.ready_max, depth.consumers_min, depth.consumers_max),
            (6, 1, 2)
        );
    }
}
