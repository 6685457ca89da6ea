//! Producers: the arrival streams of a model, open or closed.

use super::partitions::Keys;
use super::profile::Profile;
use crate::dist::Dist;

/// An arrival stream publishing messages of one class to one queue.
#[derive(Clone, Debug)]
pub struct Producer {
    /// Name from the scenario file.
    pub name: String,
    /// Index of the queue it publishes to.
    pub queue: usize,
    /// How its messages are produced.
    pub arrivals: Arrivals,
    /// Index of the class of its messages.
    pub class: usize,
    /// A rate that changes over time: the interarrival distribution then
    /// has mean 1 and gives only the shape, stretched to each step's rate.
    pub profile: Option<Profile>,
    /// The keys of its messages, spreading them over a partitioned queue's
    /// partitions (`None`: round-robin there; ignored elsewhere).
    pub keys: Option<Keys>,
    /// For another consumer group reading a topic (`topic`): the producer
    /// (by index) whose messages this one copies to its group's queue,
    /// message for message, each on the partition the original takes (see
    /// `fanout.rs`); `None` for a producer of its own.
    pub copy_of: Option<usize>,
}

/// How a producer sends messages.
#[derive(Clone, Debug)]
pub enum Arrivals {
    /// An open stream: messages keep coming, `interarrival` apart.
    Open {
        /// Time between two messages.
        interarrival: Dist,
    },
    /// A closed loop: `population` clients, each sending one message,
    /// waiting until it leaves the system, thinking, then sending again.
    Closed {
        /// Number of clients.
        population: u32,
        /// Time between a reply and the next message.
        think: Dist,
    },
}

impl Producer {
    /// Messages per time unit this producer sends at most: its open rate,
    /// or for a closed loop one message per think time per client.
    pub fn max_rate(&self) -> f64 {
        match &self.arrivals {
            Arrivals::Open { .. } => self.open_rate(),
            Arrivals::Closed { population, think } => f64::from(*population) / think.mean(),
        }
    }

    /// Messages per time unit of an open producer (averaged over its
    /// profile's period, if it has one); 0 for a closed loop.
    pub fn open_rate(&self) -> f64 {
        match (&self.arrivals, &self.profile) {
            (Arrivals::Open { .. }, Some(profile)) => profile.mean_value(),
            (Arrivals::Open { interarrival }, None) => 1.0 / interarrival.mean(),
            (Arrivals::Closed { .. }, _) => 0.0,
        }
    }

    /// True for an open stationary Poisson stream (exponential
    /// interarrivals at a constant rate).
    pub fn is_poisson(&self) -> bool {
        self.profile.is_none()
            && matches!(&self.arrivals, Arrivals::Open { interarrival } if interarrival.is_exponential())
    }
}
