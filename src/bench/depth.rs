//! The broker's own view of the run's queue, sampled while it runs every
//! [`EVERY`], a cheap check beside the stamps: its ready messages
//! (waiting for a consumer, not yet delivered) and, where the broker says,
//! its consumers (RabbitMQ answers a passive `queue.declare` with both)
//! and its delivered messages not yet acknowledged (JetStream's consumer
//! info gives `num_pending` and `num_ack_pending`). The time average of
//! the ready count estimates the model's messages waiting, Lq, for a
//! shared line.

#[cfg(any(feature = "rabbitmq", feature = "nats"))]
use std::sync::Arc;
#[cfg(any(feature = "rabbitmq", feature = "nats"))]
use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(any(feature = "rabbitmq", feature = "nats"))]
use std::time::Duration;

use serde::{Deserialize, Serialize};
#[cfg(any(feature = "rabbitmq", feature = "nats"))]
use tokio::{runtime::Handle, task::JoinHandle};

#[cfg(any(feature = "rabbitmq", feature = "nats"))]
use super::drive::Sampler;

/// How often the queue is sampled.
#[cfg(any(feature = "rabbitmq", feature = "nats"))]
pub(super) const EVERY: Duration = Duration::from_millis(100);

/// One sample of the queue, as the broker reported it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepthSample {
    /// Ready messages (JetStream: the consumer's `num_pending`).
    pub ready: u32,
    /// Consumers the broker counted (none from JetStream, which does not
    /// count the clients of a pull consumer).
    pub consumers: Option<u32>,
    /// Delivered, not yet acknowledged (JetStream's `num_ack_pending`;
    /// none from RabbitMQ's passive `queue.declare`).
    pub unacked: Option<u32>,
}

/// The samples of the queue's depth over a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DepthSamples {
    /// Samples taken.
    pub samples: usize,
    /// Ready messages, mean over the samples.
    pub ready_mean: f64,
    /// Ready messages, most in one sample.
    pub ready_max: u32,
    /// Consumers the broker counted, fewest in one sample (absent when
    /// the broker counts none).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub consumers_min: Option<u32>,
    /// Consumers the broker counted, most in one sample.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub consumers_max: Option<u32>,
    /// Delivered and unacknowledged messages, mean over the samples
    /// (absent when the broker does not say).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub unacked_mean: Option<f64>,
    /// Delivered and unacknowledged messages, most in one sample.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub unacked_max: Option<u32>,
}

impl DepthSamples {
    /// The summary of `samples`; `None` without any.
    pub fn of(samples: &[DepthSample]) -> Option<DepthSamples> {
        let mean = |values: &[u32]| {
            (!values.is_empty())
                .then(|| values.iter().copied().map(f64::from).sum::<f64>() / values.len() as f64)
        };
        let ready: Vec<u32> = samples.iter().map(|s| s.ready).collect();
        let consumers: Vec<u32> = samples.iter().filter_map(|s| s.consumers).collect();
        let unacked: Vec<u32> = samples.iter().filter_map(|s| s.unacked).collect();
        Some(DepthSamples {
            samples: samples.len(),
            ready_mean: mean(&ready)?,
            ready_max: ready.iter().copied().max()?,
            consumers_min: consumers.iter().copied().min(),
            consumers_max: consumers.iter().copied().max(),
            unacked_mean: mean(&unacked),
            unacked_max: unacked.iter().copied().max(),
        })
    }
}

/// A task on the I/O runtime that asks the broker for a sample every
/// [`EVERY`] until [`Sampler::finish`].
#[cfg(any(feature = "rabbitmq", feature = "nats"))]
pub(super) struct SamplingTask {
    handle: Handle,
    stop: Arc<AtomicBool>,
    task: JoinHandle<Vec<DepthSample>>,
}

#[cfg(any(feature = "rabbitmq", feature = "nats"))]
impl SamplingTask {
    /// Starts sampling on `handle` with `sample`, which asks the broker
    /// once (`None`: it did not answer; that sample is left out).
    pub(super) fn start<F, Asked>(handle: &Handle, mut sample: F) -> SamplingTask
    where
        F: FnMut() -> Asked + Send + 'static,
        Asked: Future<Output = Option<DepthSample>> + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let task = handle.spawn(async move {
            let mut samples = Vec::new();
            while !stopped.load(Ordering::Relaxed) {
                samples.extend(sample().await);
                tokio::time::sleep(EVERY).await;
            }
            samples
        });
        SamplingTask {
            handle: handle.clone(),
            stop,
            task,
        }
    }
}

#[cfg(any(feature = "rabbitmq", feature = "nats"))]
impl Sampler for SamplingTask {
    fn finish(self) -> Option<DepthSamples> {
        self.stop.store(true, Ordering::Relaxed);
        DepthSamples::of(&self.handle.block_on(self.task).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_summarise_to_mean_and_extremes() {
        assert_eq!(DepthSamples::of(&[]), None);
        let sample = |ready, consumers| DepthSample {
            ready,
            consumers: Some(consumers),
            unacked: None,
        };
        let depth = DepthSamples::of(&[sample(0, 2), sample(3, 2), sample(6, 1)]).expect("samples");
        assert_eq!(depth.samples, 3);
        assert_eq!(depth.ready_mean, 3.0);
        assert_eq!(
            (depth.ready_max, depth.consumers_min, depth.consumers_max),
            (6, Some(1), Some(2))
        );
        assert_eq!((depth.unacked_mean, depth.unacked_max), (None, None));
    }

    #[test]
    fn unacknowledged_counts_summarise_where_the_broker_gives_them() {
        let sample = |ready, unacked| DepthSample {
            ready,
            consumers: None,
            unacked: Some(unacked),
        };
        let depth = DepthSamples::of(&[sample(1, 2), sample(0, 1)]).expect("samples");
        assert_eq!((depth.ready_mean, depth.ready_max), (0.5, 1));
        assert_eq!((depth.consumers_min, depth.consumers_max), (None, None));
        assert_eq!(
            (depth.unacked_mean, depth.unacked_max),
            (Some(1.5), Some(2))
        );
        let json = serde_json::to_string(&depth).expect("serialises");
        assert!(!json.contains("consumers"), "{json}");
    }
}
