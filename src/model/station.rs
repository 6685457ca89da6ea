//! A station (a queue) built from one behaviour per axis: admission (who
//! gets in), order (the discipline, in [`super::discipline`]), dispatch (how
//! waiting messages reach consumers), consumption (how many a consumer
//! takes at once), availability (whether consumers fail and are repaired)
//! and exit (where a message goes after service or when it expires). A new queue behaviour is a new variant on one axis; see
//! `features.rs` for what each variant means to theory and live runs.

use super::discipline::Discipline;
use super::lease::Lease;
use super::outage::Outage;
use super::partitions::Partitioning;
use super::poll::Poll;
use super::profile::Profile;
use super::retry::Retry;
use super::routing::Route;
use super::window::Window;
use crate::dist::Dist;

/// `consumers` of a queue with a consumer for every message (M/G/inf).
pub const UNLIMITED: u32 = u32::MAX;

/// A station: a buffer served by identical consumers, one behaviour per axis.
#[derive(Clone, Debug)]
pub struct Queue {
    /// Name from the scenario file.
    pub name: String,
    /// Number of consumers (servers); [`UNLIMITED`] for one per message.
    pub consumers: u32,
    /// Consumers that change over time (then `consumers` is their most);
    /// it repeats with the producers' rate profiles.
    pub schedule: Option<Profile>,
    /// Service time of a message (unless its class overrides it).
    pub service: Dist,
    /// Who gets in.
    pub admission: Admission,
    /// Service order (the order axis).
    pub discipline: Discipline,
    /// How waiting messages reach the consumers.
    pub dispatch: Dispatch,
    /// How many messages a consumer takes at once.
    pub consumption: Consumption,
    /// Whether consumers fail and are repaired.
    pub availability: Availability,
    /// Where messages go after service, or when they expire.
    pub exit: Exit,
    /// Messages already waiting when the run starts (a backlog to catch
    /// up), of the model's one class; 0 for none.
    pub backlog: u32,
}

/// The admission axis: which arriving messages a queue accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Every message gets in.
    Unbounded,
    /// At most `limit` messages, counted as the limit says.
    Bounded {
        /// How many messages the queue holds, and which ones count.
        limit: Limit,
        /// What happens to an arrival that finds the queue full; its
        /// victims go to the queue's dead-letter queue, if any
        /// ([`Exit::dead_letter`]; `RejectNew`'s never do).
        overflow: Overflow,
    },
}

/// A queue's length limit, and which messages it counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// Messages in queue + in service (`capacity`).
    InSystem(u32),
    /// Messages waiting only, not those in service (`max_length`, as
    /// RabbitMQ's `x-max-length` counts ready messages).
    Waiting(u32),
}

/// What a full queue does with an arrival (RabbitMQ's `overflow` names).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
pub enum Overflow {
    /// The arrival is rejected (blocked) and leaves the system
    /// (`reject-publish`).
    #[default]
    #[serde(rename = "reject-publish")]
    RejectNew,
    /// The arrival is rejected (blocked) and sent to the dead-letter queue
    /// (`reject-publish-dlx`).
    #[serde(rename = "reject-publish-dlx")]
    RejectToDeadLetter,
    /// The arrival gets in; the oldest waiting message is dropped, or sent
    /// to the dead-letter queue (`drop-head`).
    #[serde(rename = "drop-head")]
    DropHead,
}

impl Overflow {
    /// The scenario-file name, e.g. `drop-head`.
    pub fn name(self) -> &'static str {
        match self {
            Overflow::RejectNew => "reject-publish",
            Overflow::RejectToDeadLetter => "reject-publish-dlx",
            Overflow::DropHead => "drop-head",
        }
    }
}

/// The dispatch axis: how waiting messages reach the consumers.
#[derive(Clone, Debug, PartialEq)]
pub enum Dispatch {
    /// One line shared by every consumer: a free consumer takes the next
    /// message in the discipline's order.
    SharedLine,
    /// Prefetch windows: ready messages are delivered at once to consumers
    /// with a free slot, each consumer serving its own deliveries.
    Window(Window),
    /// A partitioned log read by one consumer group (Kafka): each
    /// partition owned by one consumer, which serves the messages of its
    /// partitions one at a time in arrival order (see `partitions.rs`).
    Partitioned(Partitioning),
}

/// The consumption axis: how many messages a consumer takes at once.
#[derive(Clone, Debug, PartialEq)]
pub enum Consumption {
    /// One message at a time, each with its own service time.
    OneAtATime,
    /// Batches taken by a poll loop, served one message after another
    /// (partitioned queues; see `poll.rs`).
    Polls(Poll),
}

/// The availability axis: whether a queue's consumers fail.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Availability {
    /// Consumers never fail.
    #[default]
    AlwaysUp,
    /// Each consumer fails and is repaired (see `outage.rs`).
    Outages(Outage),
}

/// The exit axis: where messages go after service, when they expire,
/// when their retries run out, when a full queue turns them away, and
/// whether a delivery outliving its lease is delivered again.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exit {
    /// Routing after service; the remaining probability leaves the system.
    pub routes: Vec<Route>,
    /// Waiting messages that expire.
    pub expiry: Option<Expiry>,
    /// Deliveries that fail and are delivered again.
    pub retry: Option<Retry>,
    /// A lease on each delivery: one not acknowledged in time is
    /// delivered again (see `lease.rs`).
    pub lease: Option<Lease>,
    /// The queue's one dead-letter queue (scenario key `dead_letter`): it
    /// receives expired messages, messages whose retries ran out and the
    /// victims of `drop-head` and `reject-publish-dlx` overflows; `None`
    /// drops them all.
    pub dead_letter: Option<usize>,
}

/// Messages that give up waiting (to the queue's dead-letter queue).
#[derive(Clone, Debug, PartialEq)]
pub struct Expiry {
    /// Time a waiting message waits before it expires.
    pub patience: Dist,
}

impl Admission {
    /// The `capacity` (messages in queue + in service) of a queue bounded
    /// that way, `None` otherwise.
    pub fn capacity(self) -> Option<u32> {
        match self {
            Admission::Bounded {
                limit: Limit::InSystem(capacity),
                ..
            } => Some(capacity),
            _ => None,
        }
    }

    /// Bounded at `capacity` (rejecting new arrivals when full), or
    /// unbounded for `None`.
    pub fn with_capacity(capacity: Option<u32>) -> Admission {
        capacity.map_or(Admission::Unbounded, |capacity| Admission::Bounded {
            limit: Limit::InSystem(capacity),
            overflow: Overflow::RejectNew,
        })
    }

    /// What a full queue does with an arrival; `None` when unbounded.
    pub fn overflow(self) -> Option<Overflow> {
        match self {
            Admission::Unbounded => None,
            Admission::Bounded { overflow, .. } => Some(overflow),
        }
    }
}

impl Queue {
    /// True when every message is served at once (`consumers = "unlimited"`).
    pub fn is_unlimited(&self) -> bool {
        self.consumers == UNLIMITED
    }

    /// Maximum messages in queue + in service; `None` is unlimited. A
    /// `max_length` of N waiting allows the consumers + N.
    pub fn capacity(&self) -> Option<u32> {
        match self.admission {
            Admission::Unbounded => None,
            Admission::Bounded { limit, .. } => Some(match limit {
                Limit::InSystem(capacity) => capacity,
                Limit::Waiting(length) => self.consumers.saturating_add(length),
            }),
        }
    }

    /// The prefetch windows of the queue's consumers, if it has them.
    pub fn window(&self) -> Option<&Window> {
        match &self.dispatch {
            Dispatch::SharedLine | Dispatch::Partitioned(_) => None,
            Dispatch::Window(window) => Some(window),
        }
    }

    /// Routing after service.
    pub fn routes(&self) -> &[Route] {
        &self.exit.routes
    }

    /// Time a waiting message waits before it expires, if it does.
    pub fn patience(&self) -> Option<&Dist> {
        self.exit.expiry.as_ref().map(|expiry| &expiry.patience)
    }

    /// The queue's dead-letter queue, if any (one `dead_letter` key): it
    /// receives expired messages, overflow victims and messages whose
    /// retries ran out.
    pub fn dead_letter(&self) -> Option<usize> {
        self.exit.dead_letter
    }

    /// Retries of failed deliveries, if any.
    pub fn retry(&self) -> Option<&Retry> {
        self.exit.retry.as_ref()
    }

    /// Its retries, if they block: on a partition (no broker redelivery) a
    /// failed record's consumer holds it through each retry's delay, its
    /// partitions waiting, as a Kafka client's blocking retry sleeps.
    pub fn blocking_retry(&self) -> Option<&Retry> {
        self.retry().filter(|_| self.partitioning().is_some())
    }

    /// Mean time a message holds its consumer through retry delays, Σ p^k
    /// d_k with blocking retries ([`Queue::blocking_retry`]), otherwise 0
    /// (a delayed message waits on a timer, its consumer free).
    pub fn held_delay_per_message(&self) -> f64 {
        self.blocking_retry()
            .map_or(0.0, Retry::mean_delay_per_message)
    }

    /// The lease on each delivery, if deliveries have one.
    pub fn lease(&self) -> Option<&Lease> {
        self.exit.lease.as_ref()
    }

    /// The consumers' failures and repairs, if they fail.
    pub fn outage(&self) -> Option<&Outage> {
        match &self.availability {
            Availability::AlwaysUp => None,
            Availability::Outages(outage) => Some(outage),
        }
    }
}
